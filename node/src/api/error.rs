//! API errors: every failure is answered as
//! `{"code": "...", "message": "...", "field": "..."}` (field optional) with
//! an HTTP status that tells the client whether to fix the request (4xx) or
//! retry later (429, 503). Codes are stable; `docs/api.md` lists them.
//!
//! `message` is in the language the request asked for (`Accept-Language`,
//! see [`super::i18n`]): an error carries its message key and the details
//! (`args`) the catalogues' templates name, and is rendered per language
//! when the answer leaves the node. `code` and `field` never change.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tamga_contract::ErrorBody;
use tamga_state::{SignerRefused, StateError};
use tamga_types::codec::DecodeError;
use tamga_types::StatelessError;

use super::i18n::{args, render, Args, Lang};
use crate::mempool::MempoolError;

/// An error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// HTTP status (not serialised: it is the response status).
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human explanation naming the value at fault and what was expected (English).
    pub message: String,
    /// The request field or query parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Catalogue key of the message (the code, or `CODE.variant`).
    #[serde(skip)]
    pub key: &'static str,
    /// Details the message template names.
    #[serde(skip)]
    pub args: Args,
}

impl ApiError {
    /// An error with no field and a message given in English only: other
    /// languages get the catalogue's template for `code` when it names no
    /// detail, else this English text. Prefer [`ApiError::t`].
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None, key: code, args: Vec::new() }
    }

    /// An error whose message is catalogue entry `key` with `args` (the
    /// English text is rendered now, the others when answering).
    pub fn t(status: StatusCode, code: &'static str, key: &'static str, args: Args) -> ApiError {
        let message = render(Lang::En, key, &args).unwrap_or_else(|| {
            tracing::warn!(target: "tamga::api", key, "message key missing from the English catalogue or an argument");
            key.to_owned()
        });
        ApiError { status, code, message, field: None, key, args }
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

    /// 400: catalogue entry `key` (its code is the part before any `.`), naming `field`.
    pub fn bad_t(key: &'static str, field: impl Into<String>, args: Args) -> ApiError {
        ApiError::t(StatusCode::BAD_REQUEST, code_of(key), key, args).field(field)
    }

    /// 404 with `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 404: catalogue entry `key`.
    pub fn not_found_t(key: &'static str, args: Args) -> ApiError {
        ApiError::t(StatusCode::NOT_FOUND, code_of(key), key, args)
    }

    /// 500 `INTERNAL`: the node failed, not the request.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::t(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "INTERNAL", args!["detail" => message.into()])
    }

    /// A mempool refusal with its own code and status (400/409/429/503).
    pub fn mempool(e: &MempoolError) -> ApiError {
        let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (key, args) = mempool_message(e);
        let mut out = ApiError::t(status, e.code(), key, args);
        if out.message == key {
            out.message = e.to_string();
        }
        out
    }

    /// The message in `lang`: the catalogue's template with this error's
    /// details; the English text when the catalogue cannot render it.
    pub fn message_in(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.message.clone();
        }
        render(lang, self.key, &self.args).unwrap_or_else(|| self.message.clone())
    }

    /// The answer body in `lang` (the contract's error body; the status
    /// travels in the answer's status line).
    pub fn localized(&self, lang: Lang) -> ErrorBody {
        ErrorBody { status: 0, code: self.code.to_owned(), message: self.message_in(lang), field: self.field.clone() }
    }
}

/// The code of a message key: the part before the first `.`.
pub fn code_of(key: &'static str) -> &'static str {
    key.split('.').next().unwrap_or(key)
}

/// Message key and details of a mempool refusal.
pub fn mempool_message(e: &MempoolError) -> (&'static str, Args) {
    match e {
        MempoolError::Stateless(s) => stateless_message(s),
        MempoolError::Duplicate(h) => ("DUPLICATE_TX", args!["hash" => h.to_string()]),
        MempoolError::Committed(h) => ("ALREADY_COMMITTED", args!["hash" => h.to_string()]),
        MempoolError::StaleNonce { signer, expected, got } => (
            "STALE_NONCE",
            args!["signer" => signer.to_string(), "expected" => expected.to_string(), "got" => got.to_string()],
        ),
        MempoolError::NonceTaken { signer, nonce, existing } => (
            "NONCE_TAKEN",
            args!["signer" => signer.to_string(), "nonce" => nonce.to_string(), "existing" => existing.to_string()],
        ),
        MempoolError::NonceTooFar { signer, expected, got, max_ahead } => (
            "NONCE_TOO_FAR",
            args![
                "signer" => signer.to_string(),
                "expected" => expected.to_string(),
                "got" => got.to_string(),
                "max_ahead" => max_ahead.to_string(),
            ],
        ),
        MempoolError::ValidatorSigner(k) => ("VALIDATOR_KEY_SIGNER", args!["key" => k.to_string()]),
        MempoolError::SignerRefused(r) => signer_refused_message(r),
        MempoolError::Full { txs, bytes, max_txs, max_bytes } => (
            "MEMPOOL_FULL",
            args![
                "txs" => txs.to_string(),
                "bytes" => bytes.to_string(),
                "max_txs" => max_txs.to_string(),
                "max_bytes" => max_bytes.to_string(),
            ],
        ),
        MempoolError::AccountFull { signer, waiting, max } => (
            "ACCOUNT_QUEUE_FULL",
            args!["signer" => signer.to_string(), "waiting" => waiting.to_string(), "max" => max.to_string()],
        ),
        MempoolError::Ledger(why) => ("LEDGER_UNAVAILABLE", args!["detail" => why.to_string()]),
    }
}

/// Message key and details of a signer the chain refuses (SPEC §8 envelope).
fn signer_refused_message(r: &SignerRefused) -> (&'static str, Args) {
    match r {
        SignerRefused::Unknown { key } => ("UNKNOWN_SIGNER", args!["signer" => key.to_string()]),
        SignerRefused::ValidatorKey { key } => ("VALIDATOR_KEY_SIGNER", args!["key" => key.to_string()]),
        SignerRefused::Revoked { key, height } => {
            ("ACCOUNT_REVOKED", args!["signer" => key.to_string(), "height" => height.to_string()])
        }
        SignerRefused::PartyInactive { key, party, status } => (
            "PARTY_INACTIVE",
            args![
                "signer" => key.to_string(),
                "party" => party.to_string(),
                "status" => format!("{status:?}").to_lowercase(),
            ],
        ),
        SignerRefused::UnknownParty { key, party } => {
            ("UNKNOWN_PARTY.signer", args!["signer" => key.to_string(), "party" => party.to_string()])
        }
    }
}

/// Message key and details of a failed stateless check (admission, `POST /v1/verify`).
pub fn stateless_message(e: &StatelessError) -> (&'static str, Args) {
    match e {
        StatelessError::Decode(DecodeError::TooLarge { max, got, .. }) => {
            ("TX_TOO_LARGE", args!["size" => got.to_string(), "max" => max.to_string()])
        }
        StatelessError::Decode(d) => ("MALFORMED_TX", args!["detail" => d.to_string()]),
        StatelessError::WrongChain { expected, got } => {
            ("WRONG_CHAIN_ID", args!["expected" => format!("{expected:?}"), "got" => format!("{got:?}")])
        }
        StatelessError::Signature(s) => ("BAD_SIGNATURE", args!["detail" => s.to_string()]),
    }
}

impl From<StateError> for ApiError {
    fn from(e: StateError) -> ApiError {
        match e {
            // `[storage] retain_state_versions`: the version is gone, and will not come back.
            StateError::StatePruned { height, oldest } => ApiError::t(
                StatusCode::GONE,
                "STATE_PRUNED",
                "STATE_PRUNED",
                args!["height" => height.to_string(), "oldest" => oldest.to_string()],
            )
            .field("height"),
            e => ApiError::internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(&self)).into_response();
        // For `localize::localize`, which rewrites the message into the asked language.
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
