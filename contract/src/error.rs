//! The error body of the HTTP API: every refusal is answered as
//! `{"code": "...", "message": "...", "field": "..."}` (`field` optional)
//! with an HTTP status that tells the client whether to fix the request
//! (4xx) or retry later (429, 503). Codes are stable; `docs/api.md` lists
//! them. The items of a batch submission carry the same body with the
//! item's `status` inside it (`POST /v1/txs` with `txs`).

use serde::{Deserialize, Serialize};

/// An error answer of the node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("HTTP {status} {code}: {message}")]
pub struct ErrorBody {
    /// HTTP status code (400, 404, 409, 413, 429, 500, 503, …). A whole
    /// answer carries it in its status line and omits it from the body
    /// (0 here); a batch item carries it in the body. A reader of a whole
    /// answer sets it from the status line.
    #[serde(default, skip_serializing_if = "status_in_line")]
    pub status: u16,
    /// Stable machine-readable code (`TX_NOT_FOUND`, `STALE_NONCE`, …; see `docs/api.md`).
    pub code: String,
    /// Human explanation naming the value at fault and what was expected,
    /// in the language the request asked for (`Accept-Language`).
    pub message: String,
    /// The request field or query parameter at fault, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

fn status_in_line(status: &u16) -> bool {
    *status == 0
}

impl ErrorBody {
    /// Whether the same request may succeed later: back-pressure (429), an
    /// unavailable node (502, 503, 504).
    pub fn is_transient(&self) -> bool {
        matches!(self.status, 429 | 502 | 503 | 504)
    }

    /// True for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(status: u16) -> ErrorBody {
        ErrorBody { status, code: "X".into(), message: "m".into(), field: None }
    }

    #[test]
    fn transient_classification() {
        assert!(body(429).is_transient());
        assert!(body(503).is_transient());
        assert!(!body(400).is_transient());
        assert!(!body(409).is_transient());
        assert!(!body(404).is_transient());
        assert!(body(404).is_not_found());
    }

    #[test]
    fn error_body_decodes_without_status_and_field() {
        let e: ErrorBody = serde_json::from_str(r#"{"code":"TX_NOT_FOUND","message":"no such tx"}"#).unwrap();
        assert_eq!(e.code, "TX_NOT_FOUND");
        assert_eq!(e.field, None);
        assert_eq!(e.status, 0);
    }

    #[test]
    fn a_whole_answer_omits_the_status_a_batch_item_carries_it() {
        let whole = ErrorBody { status: 0, code: "BAD_HEX".into(), message: "m".into(), field: Some("tx".into()) };
        assert_eq!(serde_json::to_string(&whole).unwrap(), r#"{"code":"BAD_HEX","message":"m","field":"tx"}"#);
        let item = ErrorBody { status: 409, code: "STALE_NONCE".into(), message: "m".into(), field: None };
        assert_eq!(serde_json::to_string(&item).unwrap(), r#"{"status":409,"code":"STALE_NONCE","message":"m"}"#);
        assert_eq!(serde_json::from_str::<ErrorBody>(&serde_json::to_string(&item).unwrap()).unwrap(), item);
    }
}
