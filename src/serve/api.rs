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
use axum::body::Bytes;
use axum::extract::{Path, State as Shared};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Longest a request may run.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

type Answer = Result<Response, ApiError>;

/// The index to answer from, or 503 while none is ready.
fn current(state: &Arc<State>) -> Result<Arc<Index>, ApiError> {
    state.index().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the index is being built; try again in a moment",
        )
    })
}

/// How a request's work runs.
#[derive(Clone, Copy)]
enum Run {
    /// On this worker thread: quick, bounded work (a search is capped by its
    /// limits), where handing over to the blocking pool would cost more than
    /// the work itself.
    Inline,
    /// On the blocking pool, within the request timeout.
    Blocking,
}

fn json(body: Bytes) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

/// Answers with `work`'s result as JSON, from the response cache when
/// `key` (the request) was answered before by the same generation.
async fn answer<T: Serialize + Send + 'static>(
    state: &Arc<State>,
    key: Option<String>,
    run: Run,
    work: impl FnOnce(&Index) -> Result<T, ApiError> + Send + 'static,
) -> Answer {
    if let Some(body) = key.as_deref().and_then(|k| state.cached(k)) {
        return Ok(json(body));
    }
    let index = current(state)?;
    let serialize = |value: T| {
        serde_json::to_vec(&value).map(Bytes::from).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("internal error: {e}"),
            )
        })
    };
    let body = match run {
        Run::Inline => tokio::task::block_in_place(|| work(&index).and_then(serialize))?,
        Run::Blocking => {
            let shared = index.clone();
            let task = tokio::task::spawn_blocking(move || work(&shared).and_then(serialize));
            match tokio::time::timeout(REQUEST_TIMEOUT, task).await {
                Ok(Ok(result)) => result?,
                // A panic in the work: a bug, reported like the panic layer does.
                Ok(Err(join)) => {
                    return Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        format!("internal error: {join}"),
                    ))
                }
                Err(_) => {
                    return Err(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "timeout",
                        format!(
                            "the request took longer than {} s",
                            REQUEST_TIMEOUT.as_secs()
                        ),
                    ))
                }
            }
        }
    };
    if let Some(key) = key {
        state.keep(key, &index, body.clone());
    }
    Ok(json(body))
}

/// The cache key of a GET request: its path and query string.
fn key_of(uri: &Uri) -> Option<String> {
    Some(format!(
        "{}?{}",
        uri.path(),
        uri.query().unwrap_or_default()
    ))
}

fn search_with(params: SearchParams) -> impl FnOnce(&Index) -> Result<SearchResults, ApiError> {
    move |index| {
        if !params.by.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_argument",
                "`by` counts facets: use /api/facets",
            ));
        }
        Ok(index.search(&params.query()?)?)
    }
}

/// Search passages.
#[utoipa::path(get, path = "/api/search", params(SearchParams), responses(
    (status = 200, body = SearchResults, description = "Hits, best first"),
    (status = 400, body = ErrorBody, description = "Bad query, unknown name or label, bad parameter"),
    (status = 503, body = ErrorBody, description = "No index ready yet"),
))]
pub(crate) async fn search(
    Shared(state): Shared<Arc<State>>,
    uri: Uri,
    QueryString(params): QueryString<SearchParams>,
) -> Answer {
    answer(&state, key_of(&uri), Run::Inline, search_with(params)).await
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
) -> Answer {
    answer(&state, None, Run::Inline, search_with(params)).await
}

/// Count matching passages by one dimension, or by two (a matrix).
#[utoipa::path(get, path = "/api/facets", params(SearchParams), responses(
    (status = 200, body = Facets, description = "Counts, by count then value"),
    (status = 400, body = ErrorBody, description = "Bad query, filter or `by`"),
))]
pub(crate) async fn facets(
    Shared(state): Shared<Arc<State>>,
    uri: Uri,
    QueryString(params): QueryString<SearchParams>,
) -> Answer {
    answer(&state, key_of(&uri), Run::Blocking, move |index| {
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
    uri: Uri,
    QueryString(params): QueryString<SearchParams>,
) -> Answer {
    answer(&state, key_of(&uri), Run::Blocking, move |index| {
        Ok(index.timeline(&params.query()?)?)
    })
    .await
}

/// One passage in full, with its annotations.
#[utoipa::path(get, path = "/api/passages/{id}", params(("id" = String, Path, description = "Passage id")), responses(
    (status = 200, body = Hit, description = "The passage"),
    (status = 404, body = ErrorBody, description = "No such passage (with close ids)"),
))]
pub(crate) async fn passage(
    Shared(state): Shared<Arc<State>>,
    uri: Uri,
    Path(id): Path<String>,
) -> Answer {
    answer(&state, key_of(&uri), Run::Inline, move |index| {
        Ok(index.passage(&id)?)
    })
    .await
}

/// The actor registry, with passage counts.
#[utoipa::path(get, path = "/api/actors", responses(
    (status = 200, body = Vec<ActorCount>, description = "Every actor, in registry order"),
))]
pub(crate) async fn actors(Shared(state): Shared<Arc<State>>, uri: Uri) -> Answer {
    answer(&state, key_of(&uri), Run::Blocking, |index| {
        Ok(index.actors()?)
    })
    .await
}

/// How a name resolves: the actors it denotes, and by which of their names.
#[utoipa::path(get, path = "/api/actors/{name}", params(("name" = String, Path, description = "Any spelling of a name")), responses(
    (status = 200, body = Resolution, description = "One actor, or several when ambiguous"),
    (status = 400, body = ErrorBody, description = "No actor has this name (with suggestions)"),
))]
pub(crate) async fn actor(
    Shared(state): Shared<Arc<State>>,
    uri: Uri,
    Path(name): Path<String>,
) -> Answer {
    answer(&state, key_of(&uri), Run::Blocking, move |index| {
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
pub(crate) async fn stances(Shared(state): Shared<Arc<State>>, uri: Uri) -> Answer {
    answer(&state, key_of(&uri), Run::Blocking, |index| {
        Ok(index.stances()?)
    })
    .await
}

/// The index served, its freshness, and the server's uptime.
#[utoipa::path(get, path = "/api/health", responses(
    (status = 200, body = Health, description = "Always 200; `status` tells"),
))]
pub(crate) async fn health(Shared(state): Shared<Arc<State>>) -> Json<Health> {
    Json(state.health())
}
