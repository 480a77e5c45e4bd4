//! Signed API requests (SPEC §12: the access journal names the account
//! behind a signed request; restricted register fields are served only to
//! requests signed by a regulator key).
//!
//! A request is signed by an account key over
//! `SHA-256("TAMGA/REQUEST/v2" ‖ 0x00 ‖ borsh(chain_id, node_key, method, path_and_query, time_ms, SHA-256(body)))`
//! ([`signing_bytes`]) and carries four headers: [`HEADER_VERSION`] (`2`),
//! [`HEADER_KEY`] (the account key, hex), [`HEADER_TIME`] (the signer's
//! clock, ms since the Unix epoch) and [`HEADER_SIGNATURE`] (ed25519, hex).
//! `method` is upper case (`GET`), `path_and_query` exactly as sent on the
//! request line (`/v1/mining-notifications?region=abai`).
//!
//! A signature cannot be replayed elsewhere or later:
//!
//! * it names its [`Audience`]: the chain id and the key of the node it is
//!   addressed to (`node_key` of `GET /v1/status`), so no other chain and
//!   no other node accepts it;
//! * the node accepts it only within a short window of its own clock
//!   (`window_ms`, [`DEFAULT_WINDOW_MS`] unless configured);
//! * within that window the node remembers every [`Verified::replay_id`]
//!   it accepted and refuses the same request again. The id is computed from
//!   the signed digest and the key, not from the signature bytes, so a
//!   re-encoded signature of the same request is the same replay.
//!
//! Version 1 (`TAMGA/REQUEST/v1`: no chain id, no node key, no version
//! header) is refused with [`RequestSignatureError::UnsupportedVersion`].

use sha2::{Digest, Sha256};

use crate::crypto::{PublicKey, Signature, SigningKey};
use crate::hash::{domain, Hash};

/// Header naming the version of the signing scheme ([`VERSION`]).
pub const HEADER_VERSION: &str = "x-tamga-request-version";
/// Header naming the signing account's public key (hex).
pub const HEADER_KEY: &str = "x-tamga-key";
/// Header with the signer's time, ms since the Unix epoch (decimal).
pub const HEADER_TIME: &str = "x-tamga-time";
/// Header with the ed25519 signature (hex) over [`signing_bytes`].
pub const HEADER_SIGNATURE: &str = "x-tamga-signature";
/// The signing scheme this crate implements: [`HEADER_VERSION`]'s value.
pub const VERSION: &str = "2";
/// Default largest difference between the signer's and the node's clock.
pub const DEFAULT_WINDOW_MS: u64 = 30_000;

/// Whom a request is addressed to: the chain and the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audience {
    /// The chain id (`chain_id` of `GET /v1/status`).
    pub chain_id: String,
    /// The node's key (`node_key` of `GET /v1/status`).
    pub node_key: PublicKey,
}

/// The 32 bytes an account signs for a request addressed to `audience`.
pub fn signing_bytes(audience: &Audience, method: &str, path_and_query: &str, time_ms: u64, body: &[u8]) -> [u8; 32] {
    let body_hash: [u8; 32] = Sha256::digest(body).into();
    let encoded = crate::codec::encode(&(
        audience.chain_id.clone(),
        audience.node_key,
        method.to_ascii_uppercase(),
        path_and_query.to_owned(),
        time_ms,
        body_hash,
    ));
    Hash::digest(domain::REQUEST, &encoded).0
}

/// The four headers of a request signed by `key` at `time_ms` for `audience`.
pub fn sign_headers(
    key: &SigningKey,
    audience: &Audience,
    method: &str,
    path_and_query: &str,
    time_ms: u64,
    body: &[u8],
) -> [(&'static str, String); 4] {
    let sig = key.sign(&signing_bytes(audience, method, path_and_query, time_ms, body));
    [
        (HEADER_VERSION, VERSION.to_owned()),
        (HEADER_KEY, key.public().to_hex()),
        (HEADER_TIME, time_ms.to_string()),
        (HEADER_SIGNATURE, sig.to_hex()),
    ]
}

/// The signature headers of a request as received (`None`: absent).
#[derive(Clone, Copy, Debug, Default)]
pub struct SignatureHeaders<'a> {
    /// [`HEADER_VERSION`].
    pub version: Option<&'a str>,
    /// [`HEADER_KEY`].
    pub key: Option<&'a str>,
    /// [`HEADER_TIME`].
    pub time: Option<&'a str>,
    /// [`HEADER_SIGNATURE`].
    pub signature: Option<&'a str>,
}

impl SignatureHeaders<'_> {
    /// None of the signature headers is present: an anonymous request.
    pub fn is_anonymous(&self) -> bool {
        self.version.is_none() && self.key.is_none() && self.time.is_none() && self.signature.is_none()
    }
}

/// A signature that verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The signing key.
    pub key: PublicKey,
    /// The signer's time.
    pub time_ms: u64,
    /// What a replay cache remembers: `SHA-256(key ‖ signed digest)`.
    pub replay_id: [u8; 32],
}

/// Why a request signature is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestSignatureError {
    /// The request is signed with another version of the scheme (no
    /// version header: version 1).
    #[error("header x-tamga-request-version: {got:?} is not supported; requests are signed with version {expected} (TAMGA/REQUEST/v{expected}: chain id and node key included)", expected = VERSION)]
    UnsupportedVersion {
        /// The version header's value (`None`: absent, a version 1 signature).
        got: Option<String>,
    },
    /// Some but not all of the headers are present.
    #[error("header {0} is missing (a signed request carries x-tamga-request-version, x-tamga-key, x-tamga-time and x-tamga-signature)")]
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
    #[error(
        "header x-tamga-time: {time_ms} is {skew_ms} ms away from the node's clock (at most {window_ms} ms accepted)"
    )]
    Expired {
        /// The signer's time.
        time_ms: u64,
        /// Distance to the node's clock.
        skew_ms: u64,
        /// The accepted window.
        window_ms: u64,
    },
    /// The signature does not verify for the key (or was made for another
    /// chain or node).
    #[error("header x-tamga-signature: not a valid signature of this request by {0} for this chain and node")]
    BadSignature(PublicKey),
}

impl RequestSignatureError {
    /// The header at fault.
    pub fn header(&self) -> &'static str {
        match self {
            RequestSignatureError::UnsupportedVersion { .. } => HEADER_VERSION,
            RequestSignatureError::MissingHeader(h) => h,
            RequestSignatureError::Malformed { header, .. } => header,
            RequestSignatureError::Expired { .. } => HEADER_TIME,
            RequestSignatureError::BadSignature(_) => HEADER_SIGNATURE,
        }
    }
}

/// The parts of a request that a signature covers, as the node received them.
#[derive(Clone, Copy, Debug)]
pub struct RequestParts<'a> {
    /// The method (any case).
    pub method: &'a str,
    /// Path and query exactly as on the request line.
    pub path_and_query: &'a str,
    /// The body bytes.
    pub body: &'a [u8],
}

/// Checks a request's signature headers: `Ok(None)` when none of them is
/// present (an anonymous request), `Ok(Some(_))` when the signature
/// verifies (strict ed25519) for `audience`, within `window_ms` of `now_ms`.
/// Whether the key belongs to an active account, and whether the request
/// was seen before, are the node's questions. The cheap checks (version,
/// parsing, time) come before the signature is verified.
pub fn verify_headers(
    h: SignatureHeaders<'_>,
    audience: &Audience,
    req: RequestParts<'_>,
    now_ms: u64,
    window_ms: u64,
) -> Result<Option<Verified>, RequestSignatureError> {
    if h.is_anonymous() {
        return Ok(None);
    }
    match h.version.map(str::trim) {
        Some(VERSION) => {}
        other => return Err(RequestSignatureError::UnsupportedVersion { got: other.map(str::to_owned) }),
    }
    let (key, time, signature) = match (h.key, h.time, h.signature) {
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
    if skew_ms > window_ms {
        return Err(RequestSignatureError::Expired { time_ms, skew_ms, window_ms });
    }
    let digest = signing_bytes(audience, req.method, req.path_and_query, time_ms, req.body);
    key.verify(&digest, &sig).map_err(|_| RequestSignatureError::BadSignature(key))?;
    let mut id = Sha256::new();
    id.update(key.0);
    id.update(digest);
    Ok(Some(Verified { key, time_ms, replay_id: id.finalize().into() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_790_000_000_000;
    const W: u64 = DEFAULT_WINDOW_MS;

    fn node() -> Audience {
        Audience { chain_id: "tamga-test".into(), node_key: SigningKey::from_seed([9; 32]).public() }
    }

    fn headers<'a>(h: &'a [(&'static str, String); 4]) -> SignatureHeaders<'a> {
        SignatureHeaders { version: Some(&h[0].1), key: Some(&h[1].1), time: Some(&h[2].1), signature: Some(&h[3].1) }
    }

    fn check(
        h: &[(&'static str, String); 4],
        aud: &Audience,
        method: &str,
        pq: &str,
        body: &[u8],
        now: u64,
    ) -> Result<Option<PublicKey>, RequestSignatureError> {
        let req = RequestParts { method, path_and_query: pq, body };
        verify_headers(headers(h), aud, req, now, W).map(|v| v.map(|v| v.key))
    }

    #[test]
    fn signed_request_verifies_and_names_its_key() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, &node(), "GET", "/v1/mining-notifications?region=abai", NOW, b"");
        let r = check(&h, &node(), "get", "/v1/mining-notifications?region=abai", b"", NOW + 1000);
        assert_eq!(r, Ok(Some(k.public())));
    }

    #[test]
    fn anonymous_request_has_no_key() {
        let req = RequestParts { method: "GET", path_and_query: "/", body: b"" };
        assert_eq!(verify_headers(SignatureHeaders::default(), &node(), req, NOW, W), Ok(None));
    }

    #[test]
    fn every_signed_part_is_bound() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, &node(), "POST", "/v1/verify?x=1", NOW, b"{}");
        let bad = Err(RequestSignatureError::BadSignature(k.public()));
        assert_eq!(check(&h, &node(), "GET", "/v1/verify?x=1", b"{}", NOW), bad);
        assert_eq!(check(&h, &node(), "POST", "/v1/verify?x=2", b"{}", NOW), bad);
        assert_eq!(check(&h, &node(), "POST", "/v1/verify?x=1", b"{ }", NOW), bad);
        let mut later = h.clone();
        later[2].1 = (NOW + 1).to_string();
        assert_eq!(check(&later, &node(), "POST", "/v1/verify?x=1", b"{}", NOW), bad);
        let other_chain = Audience { chain_id: "tamga-other".into(), ..node() };
        assert_eq!(check(&h, &other_chain, "POST", "/v1/verify?x=1", b"{}", NOW), bad);
        let other_node = Audience { node_key: SigningKey::from_seed([10; 32]).public(), ..node() };
        assert_eq!(check(&h, &other_node, "POST", "/v1/verify?x=1", b"{}", NOW), bad);
        let other = SigningKey::from_seed([8; 32]).public();
        let mut swapped = h.clone();
        swapped[1].1 = other.to_hex();
        assert_eq!(
            check(&swapped, &node(), "POST", "/v1/verify?x=1", b"{}", NOW),
            Err(RequestSignatureError::BadSignature(other))
        );
    }

    #[test]
    fn the_replay_id_is_the_request_not_the_signature_encoding() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, &node(), "GET", "/v1/parties", NOW, b"");
        let req = RequestParts { method: "GET", path_and_query: "/v1/parties", body: b"" };
        let a = verify_headers(headers(&h), &node(), req, NOW, W).unwrap().unwrap();
        let b = verify_headers(headers(&h), &node(), req, NOW + 5, W).unwrap().unwrap();
        assert_eq!(a.replay_id, b.replay_id);
        let h2 = sign_headers(&k, &node(), "GET", "/v1/parties", NOW + 1, b"");
        let c = verify_headers(headers(&h2), &node(), req, NOW, W).unwrap().unwrap();
        assert_ne!(a.replay_id, c.replay_id);
        assert_eq!(c.time_ms, NOW + 1);
    }

    #[test]
    fn stale_and_malformed_headers_are_named() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, &node(), "GET", "/v1/parties", NOW, b"");
        let r = check(&h, &node(), "GET", "/v1/parties", b"", NOW + W + 1);
        assert_eq!(r, Err(RequestSignatureError::Expired { time_ms: NOW, skew_ms: W + 1, window_ms: W }));
        assert_eq!(check(&h, &node(), "GET", "/v1/parties", b"", NOW - W).map(|k| k.is_some()), Ok(true));
        let req = RequestParts { method: "GET", path_and_query: "/", body: b"" };
        let with = |f: &dyn Fn(&mut SignatureHeaders<'_>)| {
            let mut s = headers(&h);
            f(&mut s);
            verify_headers(s, &node(), req, NOW, W).unwrap_err()
        };
        assert_eq!(with(&|s| s.key = Some("zz")).header(), HEADER_KEY);
        assert_eq!(with(&|s| s.time = Some("soon")).header(), HEADER_TIME);
        assert_eq!(with(&|s| s.signature = Some("00")).header(), HEADER_SIGNATURE);
        assert_eq!(with(&|s| s.time = None), RequestSignatureError::MissingHeader(HEADER_TIME));
    }

    #[test]
    fn other_versions_are_refused_before_anything_else() {
        let k = SigningKey::from_seed([7; 32]);
        let h = sign_headers(&k, &node(), "GET", "/v1/parties", NOW, b"");
        let req = RequestParts { method: "GET", path_and_query: "/v1/parties", body: b"" };
        let mut v1 = headers(&h);
        v1.version = None;
        let e = verify_headers(v1, &node(), req, NOW, W).unwrap_err();
        assert_eq!(e, RequestSignatureError::UnsupportedVersion { got: None });
        assert_eq!(e.header(), HEADER_VERSION);
        assert!(e.to_string().contains("version 2"), "{e}");
        let mut v3 = headers(&h);
        v3.version = Some("3");
        let e = verify_headers(v3, &node(), req, NOW, W).unwrap_err();
        assert_eq!(e, RequestSignatureError::UnsupportedVersion { got: Some("3".into()) });
    }

    /// The test vector of `docs/api.md` (signed requests): a third-party
    /// signer checks itself against these values.
    #[test]
    fn the_documented_test_vector() {
        let k = SigningKey::from_seed([7; 32]);
        let aud = node();
        let digest = signing_bytes(&aud, "GET", "/v1/parties/1", 1_790_000_000_000, b"");
        let h = sign_headers(&k, &aud, "GET", "/v1/parties/1", 1_790_000_000_000, b"");
        assert_eq!(k.public().to_hex(), "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c");
        assert_eq!(aud.node_key.to_hex(), "fd1724385aa0c75b64fb78cd602fa1d991fdebf76b13c58ed702eac835e9f618");
        assert_eq!(hex::encode(digest), "d6bbde0349d64703a2e8aed31846cbedc0b290ddfefcdfd6e4d18605b98cb218");
        assert_eq!(h[3].1, "5467db56eaa52cb1fc1d740b0d13e440562d63d39cd9c212c8d357fb8611b7741031b8674179b639c65f7a46f6523ac9f52265d13d5695c58061bec6ca3a960b");
    }
}
