//! The API's one error type and its wire shape.
//!
//! Every failure leaves as `{"detail": "<message>"}` with its status; validation failures (422)
//! carry `detail` as a list of `{"loc", "msg", "type"}`, one per offending field. Internal
//! errors are logged once here, with their cause chain, and reach the client only as
//! "Internal server error".

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One offending field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// Where the field is: `["body", "email"]`, `["path", "id"]`, `["query", "limit"]`.
    pub loc: Vec<String>,
    pub msg: String,
    /// A stable machine-readable kind: `missing`, `string_type`, `value_error`, ...
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    pub fn new(loc: &[&str], msg: impl Into<String>, kind: &str) -> Self {
        Self {
            loc: loc.iter().map(|s| s.to_string()).collect(),
            msg: msg.into(),
            kind: kind.to_string(),
        }
    }

    /// A value in the body that parsed but is not acceptable.
    pub fn body(field: &str, msg: impl Into<String>) -> Self {
        Self::new(&["body", field], msg, "value_error")
    }
}

/// The body of every error response but 422.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub detail: String,
}

/// The body of a 422 response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationBody {
    pub detail: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is well-formed but cannot be done as asked.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credentials, or credentials that are not (or no longer) valid.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: the caller is known and may see the resource, but not do this to it.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: absent, or present but not visible to the caller (the two are indistinguishable).
    #[error("Not found")]
    NotFound,
    /// 409: the change conflicts with existing state (a duplicate name, ...).
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not in a format this endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: one or more fields are missing or invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 429: too many failed attempts; retry after the given seconds.
    #[error("Too many failed attempts; try again later")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: a dependency (database, queue, storage) is unavailable.
    #[error("{0}")]
    Unavailable(&'static str),
    /// 500: a bug or an unexpected failure; the cause is logged, never sent.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, msg: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::body(field, msg)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                tracing::error!(error = %error, "database unavailable");
                Self::Unavailable("The database is unavailable; try again shortly")
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Self::Validation(fields) => {
                (status, Json(ValidationBody { detail: fields })).into_response()
            }
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                let body = ErrorBody {
                    detail: "Internal server error".into(),
                };
                (status, Json(body)).into_response()
            }
            Self::Unauthorized(message) => {
                let mut response = (
                    status,
                    Json(ErrorBody {
                        detail: message.into(),
                    }),
                )
                    .into_response();
                let challenge = HeaderValue::from_static("Bearer");
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, challenge);
                response
            }
            Self::TooManyRequests { retry_after_secs } => {
                let body = ErrorBody {
                    detail: self.to_string(),
                };
                let mut response = (status, Json(body)).into_response();
                let value = HeaderValue::from(retry_after_secs.max(1));
                response.headers_mut().insert(header::RETRY_AFTER, value);
                response
            }
            other => (
                status,
                Json(ErrorBody {
                    detail: other.to_string(),
                }),
            )
                .into_response(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
