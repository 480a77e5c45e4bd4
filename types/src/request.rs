//! Signed API requests (SPEC §12: the access journal names the account
//! behind a signed request; restricted register fields are served only to
//! requests signed by a regulator key).
//!
//! A request is signed by an account key over
//! `SHA-256("TAMGA/REQUEST/v1" ‖ 0x00 ‖ borsh(method, path_and_query, time_ms, SHA-256(body)))`
//! ([`signing_bytes`]) and carries three headers: [`HEADER_KEY`] (the account
//! key, hex), [`HEADER_TIME`] (the signer's clock, ms since the Unix epoch)
//! and [`HEADER_SIGNATURE`] (ed25519, hex). `method` is upper case
//! (`GET`), `path_and_query` exactly as sent on the request line
//! (`/v1/mining-notifications?region=abai`). The node accepts a signature
//! only within [`MAX_SKEW_MS`] of its own clock, which bounds replays.

use sha2::{Digest, Sha256};

use crate::crypto::{PublicKey, Signature, SigningKey};
use crate::hash::{domain, Hash};

/// Header naming the signing account's public key (hex).
pub const HEADER_KEY: &str = "x-tamga-key";
/// Header with the signer's time, ms since the Unix epoch (decimal).
pub const HEADER_TIME: &str = "x-tamga-time";
/// Header with the ed25519 signature (hex) over [`signing_bytes`].
pub const HEADER_SIGNATURE: &str = "x-tamga-signature";
/// Largest accepted difference between the signer's and the node's clock.
pub const MAX_SKEW_MS: u64 = 5 * 60 * 1000;

/// The 32 bytes an account signs for a request.
pub fn signing_bytes(method: &str, path_and_query: &str, time_ms: u64, body: &[u8]) -> [u8; 32] {
    let body_hash: [u8; 32] = Sha256::digest(body).into();
    let encoded = crate::codec::encode(&(method.to_ascii_uppercase(), path_and_query.to_owned(), time_ms, body_hash));
    Hash::digest(domain::REQUEST, &encoded).0
}

/// The three headers of a request signed by `key` at `time_ms`.
pub fn sign_headers(
    key: &SigningKey,
    method: &str,
    path_and_query: &str,
    time_ms: u64,
    body: &[u8],
) -> [(&'static str, String); 3] {
    let sig = key.sign(&signing_bytes(method, path_and_query, time_ms, body));
    [(HEADER_KEY, key.public().to_hex()), (HEADER_TIME, time_ms.to_string()), (HEADER_SIGNATURE, sig.to_hex())]
}

/// Why a request signature is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestSignatureError {
    /// Some but not all of the three headers are present.
    #[error("header {0} is missing (a signed request carries x-tamga-key, x-tamga-time and x-tamga-signature)")]
    MissingHeader(&'static str),
    /// A header value does not parse.
    #[error("header {header}: {why}")]
    Malformed {
        /// The header.
        header: &'static str,
        /// What was wrong and what was expected.
        why: String,
    },
    /// The signer's time is too far from the node's.
    #[error("header x-tamga-time: {time_ms} is {skew_ms} ms away from the node's clock (at most {max} ms accepted)", max = MAX_SKEW_MS)]
    Expired {
        /// The signer's time.
        time_ms: u64,
        /// Distance to the node's clock.
        skew_ms: u64,
    },
    /// The signature does not verify for the key.
    #[error("header x-tamga-signature: not a valid signature of this request by {0}")]
    BadSignature(PublicKey),
}

impl RequestSignatureError {
    /// The header at fault.
    pub fn header(&self) -> &'static str {
        match self {
            RequestSignatureError::MissingHeader(h) => h,
            RequestSignatureError::Malformed { header, .. } => header,
            RequestSignatureError::Expired { .. } => HEADER_TIME,
            RequestSignatureError::BadSignature(_) => HEADER_SIGNATURE,
        }
    }
}

/// Checks a request's signature headers: `Ok(None)` when none of the three
/// headers is present (an anonymous request), `Ok(Some(key))` when the
/// signature verifies (strict ed25519) within [`MAX_SKEW_MS`] of `now_ms`.
/// Whether the key belongs to an active account is the node's question.
pub fn verify_headers(
    key: Option<&str>,
    time: Option<&str>,
    signature: Option<&str>,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now_ms: u64,
) -> Result<Option<PublicKey>, RequestSignatureError> {
    let (key, time, signature) = match (key, time, signature) {
        (None, None, None) => return Ok(None),
        (Some(k), Some(t), Some(s)) => (k, t, s),
        (k, t, _) => {
            let missing = if k.is_none() {
                HEADER_KEY
            } else if t.is_none() {
                HEADER_TIME
            } else {
                HEADER_SIGNATURE
            };
            return Err(RequestSignatureError::MissingHeader(missing));
        }
    };
    let malformed = |header, why: String| RequestSignatureError::Malformed { header, why };
    let key = PublicKey::from_hex(key.trim())
        .map_err(|e| malformed(HEADER_KEY, format!("expected a 64-hex-digit ed25519 public key: {e}")))?;
    let time_ms: u64 = time
        .trim()
        .parse()
        .map_err(|_| malformed(HEADER_TIME, format!("{time:?} is not a decimal count of ms since the Unix epoch")))?;
    let sig = Signature::from_hex(signature.trim())
        .map_err(|e| malformed(HEADER_SIGNATURE, format!("expected a 128-hex-digit ed25519 signature: {e}")))?;
    let skew_ms = time_ms.abs_diff(now_ms);
    if skew_ms > MAX_SKEW_MS {
        return Err(RequestSignatureError::Expired { time_ms, skew_ms });
    }
    key.verify(&signing_bytes(method, path_and_query, time_ms, body), &sig)
        .map_err(|_| RequestSignatureError::BadSignature(key))?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_790_000_000_000;

    fn check(
        h: &[(&'static str, String); 3],
        method: &str,
        pq: &str,
        body: &[u8],
        now: u64,
    ) -> Result<Option<PublicKey>, RequestSignatureError> {
        verify_headers(Some(&h[0].1), Some(&h[1].1), Some(&h[2].1), method, pq, body, now)
    }

    #[test]
    fn signed_request_verifies_and_names_its_key() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, "GET", "/v1/mining-notifications?region=abai", NOW, b"");
        assert_eq!(check(&h, "get", "/v1/mining-notifications?region=abai", b"", NOW + 1000), Ok(Some(k.public())));
    }

    #[test]
    fn anonymous_request_has_no_key() {
        assert_eq!(verify_headers(None, None, None, "GET", "/", b"", NOW), Ok(None));
    }

    #[test]
    fn every_signed_part_is_bound() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, "POST", "/v1/verify?x=1", NOW, b"{}");
        let bad = Err(RequestSignatureError::BadSignature(k.public()));
        assert_eq!(check(&h, "GET", "/v1/verify?x=1", b"{}", NOW), bad);
        assert_eq!(check(&h, "POST", "/v1/verify?x=2", b"{}", NOW), bad);
        assert_eq!(check(&h, "POST", "/v1/verify?x=1", b"{ }", NOW), bad);
        let later = [h[0].clone(), (HEADER_TIME, (NOW + 1).to_string()), h[2].clone()];
        assert_eq!(check(&later, "POST", "/v1/verify?x=1", b"{}", NOW), bad);
        let other = SigningKey::from_seed([8; 32]).public();
        let r =
            verify_headers(Some(&other.to_hex()), Some(&h[1].1), Some(&h[2].1), "POST", "/v1/verify?x=1", b"{}", NOW);
        assert_eq!(r, Err(RequestSignatureError::BadSignature(other)));
    }

    #[test]
    fn stale_and_malformed_headers_are_named() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, "GET", "/v1/parties", NOW, b"");
        let r = check(&h, "GET", "/v1/parties", b"", NOW + MAX_SKEW_MS + 1);
        assert_eq!(r, Err(RequestSignatureError::Expired { time_ms: NOW, skew_ms: MAX_SKEW_MS + 1 }));
        assert_eq!(check(&h, "GET", "/v1/parties", b"", NOW - MAX_SKEW_MS).map(|k| k.is_some()), Ok(true));
        let e = verify_headers(Some("zz"), Some("1"), Some("00"), "GET", "/", b"", NOW).unwrap_err();
        assert_eq!(e.header(), HEADER_KEY);
        let e = verify_headers(Some(&h[0].1), Some("soon"), Some(&h[2].1), "GET", "/", b"", NOW).unwrap_err();
        assert_eq!(e.header(), HEADER_TIME);
        let e = verify_headers(Some(&h[0].1), Some(&h[1].1), Some("00"), "GET", "/", b"", NOW).unwrap_err();
        assert_eq!(e.header(), HEADER_SIGNATURE);
        assert_eq!(
            verify_headers(Some(&h[0].1), None, Some(&h[2].1), "GET", "/", b"", NOW),
            Err(RequestSignatureError::MissingHeader(HEADER_TIME))
        );
    }
}
