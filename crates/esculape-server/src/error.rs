//! The one place where application errors become HTTP statuses and stable codes.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer of the JSON API: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `not_found`, `forbidden`, `unauthenticated`, `invalid`,
    /// `conflict`, `unavailable`, `busy` (429, model queue full), `internal`, `csrf`,
    /// `timeout`, `payload_too_large`.
    pub code: &'static str,
    /// For people; never holds internal details.
    pub message: String,
}

/// What an HTTP handler can fail with.
#[derive(Debug)]
pub enum ApiError {
    App(esculape_app::Error),
    /// A state-changing request without the session's CSRF token.
    Csrf,
}

impl From<esculape_app::Error> for ApiError {
    fn from(error: esculape_app::Error) -> ApiError {
        ApiError::App(error)
    }
}

/// Status, stable code, message shown and `Retry-After`, for every error: the one
/// exhaustive match. Internal errors are logged here, once, and their text is not shown.
pub fn classify(error: &ApiError) -> (StatusCode, &'static str, String, Option<u64>) {
    use esculape_app::Error;
    match error {
        ApiError::App(Error::NotFound(message)) => {
            (StatusCode::NOT_FOUND, "not_found", message.clone(), None)
        }
        ApiError::App(Error::Forbidden(message)) => {
            (StatusCode::FORBIDDEN, "forbidden", message.clone(), None)
        }
        ApiError::App(Error::Unauthenticated(message)) => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            message.clone(),
            None,
        ),
        ApiError::App(Error::Invalid(message)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            message.clone(),
            None,
        ),
        ApiError::App(Error::InvalidScoreInput(error)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            error.to_string(),
            None,
        ),
        ApiError::App(Error::Conflict(message)) => {
            (StatusCode::CONFLICT, "conflict", message.clone(), None)
        }
        ApiError::App(Error::Unavailable {
            retry_after_s,
            reason: _,
        }) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the service is busy: retry later".to_string(),
            Some(*retry_after_s),
        ),
        ApiError::App(Error::Busy { retry_after_s }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            format!("the model is busy with other questions: retry in {retry_after_s} s"),
            Some(*retry_after_s),
        ),
        ApiError::App(internal @ Error::Internal(_)) => {
            internal.log_if_internal("http request");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error: the administrator can find it in the server log".to_string(),
                None,
            )
        }
        ApiError::Csrf => (
            StatusCode::FORBIDDEN,
            "csrf",
            "missing or wrong CSRF token: reload the page and try again".to_string(),
            None,
        ),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, retry_after_s) = classify(&self);
        json_error(status, code, message, retry_after_s)
    }
}

pub fn json_error(
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_s: Option<u64>,
) -> Response {
    let mut response = (
        status,
        Json(ErrorBody {
            error: ErrorDetail { code, message },
        }),
    )
        .into_response();
    if let Some(seconds) = retry_after_s {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
