//! The `/api` endpoints. Each answers with exactly the library's serde
//! types, as the CLI's `--format json` prints them.

use super::error::{ApiError, ErrorBody};
use super::params::{JsonBody, QueryString, SearchParams};
use super::state::{Health, State};
use crate::index::Index;
use crate::names::Resolution;
use crate::search::{Facets, Hit, SearchResults, Timeline};
use crate::summary::{ActorCount, StanceCount};
use crate::Error;
use axum::extract::{Path, State as Shared};
use axum::http::StatusCode;
use axum::Json;
use std::sync::Arc;
use std::time::Duration;

/// Longest a request may run.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

type Answer<T> = Result<Json<T>, ApiError>;

/// Runs `work` on the current index, off the async workers, within the
/// request timeout.
async fn with_index<T: Send + 'static>(
    state: &Arc<State>,
    work: impl FnOnce(&Index) -> Result<T, ApiError> + Send + 'static,
) -> Answer<T> {
    let index = state.index().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the index is being built; try again in a moment",
        )
    })?;
    let task = tokio::task::spawn_blocking(move || work(&index));
    match tokio::time::timeout(REQUEST_TIMEOUT, task).await {
        Ok(Ok(result)) => result.map(Json),
        // A panic in the work: a bug, reported like the panic layer does.
        Ok(Err(join)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("internal error: {join}"),
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        )),
    }
}

fn search_with(
    state: &Arc<State>,
    params: SearchParams,
) -> impl std::future::Future<Output = Answer<SearchResults>> + '_ {
    with_index(state, move |index| {
        if !params.by.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_argument",
                "`by` counts facets: use /api/facets",
            ));
        }
        Ok(index.search(&params.query()?)?)
    })
}

/// Search passages.
#[utoipa::path(get, path = "/api/search", params(SearchParams), responses(
    (status = 200, body = SearchResults, description = "Hits, best first"),
    (status = 400, body = ErrorBody, description = "Bad query, unknown name or label, bad parameter"),
    (status = 503, body = ErrorBody, description = "No index ready yet"),
))]
pub(crate) async fn search(
    Shared(state): Shared<Arc<State>>,
    QueryString(params): QueryString<SearchParams>,
) -> Answer<SearchResults> {
    search_with(&state, params).await
}

/// Search passages, with the parameters as a JSON body.
#[utoipa::path(post, path = "/api/search", request_body = SearchParams, responses(
    (status = 200, body = SearchResults, description = "Hits, best first"),
    (status = 400, body = ErrorBody, description = "Bad query, unknown name or label, bad parameter"),
    (status = 413, body = ErrorBody, description = "The body is over 64 KiB"),
))]
pub(crate) async fn search_post(
    Shared(state): Shared<Arc<State>>,
    JsonBody(params): JsonBody<SearchParams>,
) -> Answer<SearchResults> {
    search_with(&state, params).await
}

/// Count matching passages by one dimension, or by two (a matrix).
#[utoipa::path(get, path = "/api/facets", params(SearchParams), responses(
    (status = 200, body = Facets, description = "Counts, by count then value"),
    (status = 400, body = ErrorBody, description = "Bad query, filter or `by`"),
))]
pub(crate) async fn facets(
    Shared(state): Shared<Arc<State>>,
    QueryString(params): QueryString<SearchParams>,
) -> Answer<Facets> {
    with_index(&state, move |index| {
        let dims = params.dims()?;
        Ok(index.facets(&params.query()?, &dims)?)
    })
    .await
}

/// Dated events of the matching passages, in date order.
#[utoipa::path(get, path = "/api/timeline", params(SearchParams), responses(
    (status = 200, body = Timeline, description = "Events, earliest first; no year last"),
    (status = 400, body = ErrorBody, description = "Bad query or filter"),
))]
pub(crate) async fn timeline(
    Shared(state): Shared<Arc<State>>,
    QueryString(params): QueryString<SearchParams>,
) -> Answer<Timeline> {
    with_index(&state, move |index| Ok(index.timeline(&params.query()?)?)).await
}

/// One passage in full, with its annotations.
#[utoipa::path(get, path = "/api/passages/{id}", params(("id" = String, Path, description = "Passage id")), responses(
    (status = 200, body = Hit, description = "The passage"),
    (status = 404, body = ErrorBody, description = "No such passage (with close ids)"),
))]
pub(crate) async fn passage(
    Shared(state): Shared<Arc<State>>,
    Path(id): Path<String>,
) -> Answer<Hit> {
    with_index(&state, move |index| Ok(index.passage(&id)?)).await
}

/// The actor registry, with passage counts.
#[utoipa::path(get, path = "/api/actors", responses(
    (status = 200, body = Vec<ActorCount>, description = "Every actor, in registry order"),
))]
pub(crate) async fn actors(Shared(state): Shared<Arc<State>>) -> Answer<Vec<ActorCount>> {
    with_index(&state, |index| Ok(index.actors()?)).await
}

/// How a name resolves: the actors it denotes, and by which of their names.
#[utoipa::path(get, path = "/api/actors/{name}", params(("name" = String, Path, description = "Any spelling of a name")), responses(
    (status = 200, body = Resolution, description = "One actor, or several when ambiguous"),
    (status = 400, body = ErrorBody, description = "No actor has this name (with suggestions)"),
))]
pub(crate) async fn actor(
    Shared(state): Shared<Arc<State>>,
    Path(name): Path<String>,
) -> Answer<Resolution> {
    with_index(&state, move |index| {
        let resolver = index.resolver()?;
        resolver.resolve(&name).ok_or_else(|| {
            ApiError::from(Error::UnknownActor {
                suggestions: resolver.suggest(&name, 3),
                name,
            })
        })
    })
    .await
}

/// The stance taxonomy, with passage counts (narrower stances included).
#[utoipa::path(get, path = "/api/stances", responses(
    (status = 200, body = Vec<StanceCount>, description = "Every stance, in taxonomy order"),
))]
pub(crate) async fn stances(Shared(state): Shared<Arc<State>>) -> Answer<Vec<StanceCount>> {
    with_index(&state, |index| Ok(index.stances()?)).await
}

/// The index served, its freshness, and the server's uptime.
#[utoipa::path(get, path = "/api/health", responses(
    (status = 200, body = Health, description = "Always 200; `status` tells"),
))]
pub(crate) async fn health(Shared(state): Shared<Arc<State>>) -> Json<Health> {
    Json(state.health())
}
