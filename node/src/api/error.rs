//! API errors: every failure is answered as
//! `{"code": "...", "message": "...", "field": "..."}` (field optional) with
//! an HTTP status that tells the client whether to fix the request (4xx) or
//! retry later (429, 503). Codes are stable; `docs/api.md` lists them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tamga_state::StateError;

use crate::mempool::MempoolError;

/// An error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// HTTP status (not serialised: it is the response status).
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human explanation naming the value at fault and what was expected.
    pub message: String,
    /// The request field or query parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with no field.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None }
    }

    /// Names the field or parameter at fault.
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// 400 with `code`, naming `field`.
    pub fn bad(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message).field(field)
    }

    /// 404 with `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 500 `INTERNAL`: the node failed, not the request.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }

    /// A mempool refusal with its own code and status (400/409/429/503).
    pub fn mempool(e: &MempoolError) -> ApiError {
        let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, code: e.code(), message: e.to_string(), field: None }
    }
}

impl From<StateError> for ApiError {
    fn from(e: StateError) -> ApiError {
        ApiError::internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(&self)).into_response()
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
