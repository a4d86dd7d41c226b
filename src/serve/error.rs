//! Errors as the API returns them: `{"error": {"code", "message",
//! "suggestions"?, "position"?}}` with the status that fits. Input never
//! causes a 500: that status is kept for a bug (a panic), which is caught
//! and reported the same way.

use crate::error::Error;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `bad_query`, `unknown_actor`, `unknown_stance`,
    /// `unknown_topic`, `unknown_camp`, `unknown_polarity`,
    /// `unknown_article`, `unknown_passage`, `invalid_argument`,
    /// `not_found`, `method_not_allowed`, `body_too_large`, `not_ready`,
    /// `index_unavailable`, `overloaded`, `timeout`, `internal`.
    pub code: String,
    /// One line for a person.
    pub message: String,
    /// Close matches, or every valid value, when there are some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<String>>,
    /// For `bad_query`: the character where the query goes wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) detail: ErrorDetail,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                suggestions: None,
                position: None,
            },
        }
    }

    fn with_suggestions(mut self, suggestions: Vec<String>) -> ApiError {
        self.detail.suggestions = Some(suggestions);
        self
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let message = e.to_string();
        let bad = |code: &str| ApiError::new(StatusCode::BAD_REQUEST, code, message.clone());
        match e {
            Error::QuerySyntax { position, .. } => {
                let mut err = bad("bad_query");
                err.detail.position = Some(position);
                err
            }
            Error::UnknownActor { suggestions, .. } => {
                bad("unknown_actor").with_suggestions(suggestions)
            }
            Error::UnknownLabel { kind, valid, .. } => {
                bad(&format!("unknown_{kind}")).with_suggestions(valid)
            }
            Error::UnknownArticle { suggestions, .. } => {
                bad("unknown_article").with_suggestions(suggestions)
            }
            Error::InvalidArgument(_) => bad("invalid_argument"),
            Error::UnknownPassage { suggestions, .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_passage", message)
                    .with_suggestions(suggestions)
            }
            // The index, not the request, is at fault: try again later.
            _ => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "index_unavailable",
                message,
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: self.detail };
        (self.status, axum::Json(body)).into_response()
    }
}
