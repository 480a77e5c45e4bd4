//! The client's one error type (STYLE principle 7): transport failures, API
//! refusals with the node's machine-readable code, undecodable answers and
//! timeouts, each telling whether a retry may succeed.

use std::time::Duration;

use tamga_types::Hash;

/// An error answer of the node: the API's error body
/// ([`tamga_contract::ErrorBody`]) with the HTTP status of the answer.
pub use tamga_contract::ErrorBody as ApiError;

/// Everything that can go wrong talking to a node.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL given to [`crate::Client::new`] is unusable.
    #[error("invalid node URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A TLS file given to the client (`--ca`, `--client-cert`,
    /// `--client-key`) is missing, unreadable or not PEM.
    #[error("{option} {path}: {reason}")]
    TlsFile {
        /// The option that named the file.
        option: &'static str,
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The request did not get an HTTP answer (connection refused, reset, timeout).
    #[error("cannot reach {url}")]
    Transport {
        /// The request URL.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The node answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The node's answer could not be decoded (wrong node version, proxy page…).
    #[error("cannot decode the answer of {url}: {reason}")]
    Decode {
        /// The request URL.
        url: String,
        /// What did not decode.
        reason: String,
    },
    /// The request's signer gave no signature, or one that does not verify
    /// under its key (a hardware token removed or faulty): nothing was sent.
    #[error("cannot sign the request to {url}: {source}")]
    Sign {
        /// The request URL.
        url: String,
        /// The signer's error.
        #[source]
        source: tamga_types::SignError,
    },
    /// [`crate::Client::wait_for_receipt`] gave up.
    #[error("transaction {hash} has no receipt after {waited:?} (last seen: {last_seen})")]
    Timeout {
        /// The transaction.
        hash: Hash,
        /// How long it waited.
        waited: Duration,
        /// `pending` or `unknown`: what the node last said about it.
        last_seen: &'static str,
    },
}

/// Why escrow terms could not be read ([`crate::Client::escrow_terms`]).
#[derive(Debug, thiserror::Error)]
pub enum TermsError {
    /// Talking to the node failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The text the node served does not hash to the hash asked for (SPEC
    /// §7): the node is faulty or lying, and the text must not be relied on.
    #[error("field text: expected escrow terms whose SHA-256 is {expected}, got terms whose SHA-256 is {got}")]
    Mismatch {
        /// The hash asked for (the escrow's `terms_hash`).
        expected: Hash,
        /// The SHA-256 of the text served.
        got: Hash,
    },
}

impl ClientError {
    /// Whether retrying the same call later may succeed: transport failures,
    /// back-pressure and unavailability answers, and receipt timeouts (the
    /// transaction may still commit). API refusals of the request itself and
    /// decode errors are permanent.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Transport { .. } | ClientError::Timeout { .. } => true,
            ClientError::Api(e) => e.is_transient(),
            ClientError::InvalidUrl { .. }
            | ClientError::TlsFile { .. }
            | ClientError::Decode { .. }
            | ClientError::Sign { .. } => false,
        }
    }

    /// The API error, if the node answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> ClientError {
        ClientError::Api(ApiError { status, code: "X".into(), message: "m".into(), field: None })
    }

    #[test]
    fn transient_classification() {
        assert!(api(429).is_transient());
        assert!(api(503).is_transient());
        assert!(!api(400).is_transient());
        assert!(!api(409).is_transient());
        assert!(!api(404).is_transient());
        assert!(!ClientError::Decode { url: "u".into(), reason: "r".into() }.is_transient());
        let t = ClientError::Timeout { hash: Hash::ZERO, waited: Duration::from_secs(1), last_seen: "pending" };
        assert!(t.is_transient());
    }
}
