//! Request parameters: the query string of `GET /api/search` (and facets,
//! timeline), or the JSON body of `POST /api/search`. The names and values
//! are those of the CLI's flags; unknown names are refused, so that a typo
//! is an error rather than an ignored filter.

use super::error::ApiError;
use crate::query::{Query, Sort};
use crate::search::FacetDim;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::{Deserialize, Deserializer};

/// A search, with every filter. Filters all AND together.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Keyword query (the CLI's QUERY).
    pub q: Option<String>,
    /// Actor names; a passage must mention every one. Repeat the parameter.
    #[serde(default, deserialize_with = "one_or_many")]
    pub actor: Vec<String>,
    /// Topic ids; repeatable.
    #[serde(default, deserialize_with = "one_or_many")]
    pub topic: Vec<String>,
    /// Camps; repeatable.
    #[serde(default, deserialize_with = "one_or_many")]
    pub camp: Vec<String>,
    /// One article id.
    pub article: Option<String>,
    /// A stance id (with its narrower stances), on the same annotation as
    /// holder, target and polarity.
    pub stance: Option<String>,
    /// The stance holder's name.
    pub holder: Option<String>,
    /// The stance target: an actor's name or a topic id.
    pub target: Option<String>,
    /// favor, against or neutral.
    pub polarity: Option<String>,
    /// Earliest event date (YYYY, YYYY-MM or YYYY-MM-DD).
    pub since: Option<String>,
    /// Latest event date.
    pub until: Option<String>,
    /// Hits to return, 1 to 1000 (default 10).
    #[serde(default, deserialize_with = "number")]
    pub limit: Option<usize>,
    /// Hits to skip (default 0).
    #[serde(default, deserialize_with = "number")]
    pub offset: Option<usize>,
    /// score or position (default: score with q, else position).
    pub sort: Option<String>,
    /// Facets only: the dimension(s) to count by (one or two).
    #[serde(default, deserialize_with = "one_or_many")]
    pub by: Vec<String>,
}

impl SearchParams {
    /// The library query these parameters ask for.
    pub(crate) fn query(&self) -> Result<Query, ApiError> {
        let sort = match self.sort.as_deref().map(str::to_lowercase).as_deref() {
            None => Sort::Auto,
            Some("score") => Sort::Score,
            Some("position") => Sort::Position,
            Some(other) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unknown_sort",
                    format!("unknown sort `{other}`; valid values: score, position"),
                ))
            }
        };
        Ok(Query {
            text: self.q.clone(),
            actors: self.actor.clone(),
            topics: self.topic.clone(),
            camps: self.camp.clone(),
            article: self.article.clone(),
            stance: self.stance.clone(),
            holder: self.holder.clone(),
            target: self.target.clone(),
            polarity: self.polarity.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            limit: self.limit,
            offset: self.offset.unwrap_or(0),
            sort,
        })
    }

    /// The facet dimensions (`by`), checked.
    pub(crate) fn dims(&self) -> Result<Vec<FacetDim>, ApiError> {
        if self.by.is_empty() || self.by.len() > 2 {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_argument",
                "give one or two `by` parameters: actor, stance, holder, topic or camp",
            ));
        }
        self.by
            .iter()
            .map(|b| {
                FacetDim::ALL
                    .into_iter()
                    .find(|d| d.as_str() == b.to_lowercase())
                    .ok_or_else(|| {
                        let mut e = ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "unknown_by",
                            format!(
                                "unknown facet `{b}`; valid values: actor, stance, holder, topic, camp"
                            ),
                        );
                        e.detail.suggestions =
                            Some(FacetDim::ALL.iter().map(|d| d.as_str().to_owned()).collect());
                        e
                    })
            })
            .collect()
    }
}

/// A string, or a list of them (a repeated query parameter, or a JSON
/// array).
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// A number, given as a number (JSON) or as text (a query string).
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        N(usize),
        S(String),
    }
    match Option::<Number>::deserialize(d)? {
        None => Ok(None),
        Some(Number::N(n)) => Ok(Some(n)),
        Some(Number::S(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a whole number"))),
    }
}

/// The query string, parsed; a mistake is a 400 in the API's shape.
pub struct QueryString<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryString<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum_extra::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| QueryString(q.0))
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_argument",
                    format!("bad parameters: {}", inner_message(&e.body_text())),
                )
            })
    }
}

/// A JSON body, parsed; a mistake is a 400, a body over the limit a 413.
pub struct JsonBody<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => {
                let status = rejection.status();
                Err(if status == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        status,
                        "body_too_large",
                        format!(
                            "the request body is over the {} KiB limit",
                            super::BODY_LIMIT / 1024
                        ),
                    )
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_argument",
                        format!("bad JSON body: {}", inner_message(&rejection.body_text())),
                    )
                })
            }
        }
    }
}

/// serde's messages, without the layers of "Failed to deserialize ...".
fn inner_message(s: &str) -> String {
    s.rsplit(": ").next().unwrap_or(s).to_owned()
}
