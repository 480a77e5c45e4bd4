//! Who is asking: every request passes through [`layer`], which puts a
//! [`Caller`] into the request's extensions — anonymous with the client's
//! address, or, when the request is signed ([`tamga_types::request`]), the
//! account, its party and the party's regulator scopes.
//!
//! SPEC §12 needs both: the access journal records the account behind a
//! signed request (else the address), and restricted register fields are
//! served only to requests signed by a regulator key. A request whose
//! signature headers are present but wrong never reaches a handler; it is
//! refused with 401 and `field` naming the header at fault:
//!
//! * `REQUEST_SIGNATURE_VERSION`: not signed with the current scheme
//!   (`TAMGA/REQUEST/v2`, header `x-tamga-request-version: 2`); a version 1
//!   signature names neither the chain nor the node and is refused;
//! * `REQUEST_EXPIRED`: its time is more than `[api] request_window_ms` from
//!   the node's clock;
//! * `BAD_REQUEST_SIGNATURE`: malformed or missing headers, a signature that
//!   does not verify for this chain and this node's key, or a key that is
//!   not an active account;
//! * `REQUEST_REPLAYED`: the same signed request was served before (the
//!   replay cache, [`super::replay`]); 503 `REPLAY_CACHE_FULL` when the
//!   cache is full of requests still in the window.
//!
//! A request with none of the headers is anonymous. The body hash, the
//! signature check and the account lookup run on the blocking pool.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tamga_types::model::AccountStatus;
use tamga_types::request::{
    verify_headers, Audience, RequestParts, RequestSignatureError, SignatureHeaders, HEADER_KEY, HEADER_SIGNATURE,
    HEADER_TIME, HEADER_VERSION,
};
use tamga_types::{PartyId, PartyStatus, PublicKey, Scope};

use super::error::ApiError;
use super::i18n::args;
use super::replay::ReplayError;
use super::tls::Transport;
use super::{ApiContext, BODY_LIMIT};

/// The account behind a signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// The account key that signed.
    pub key: PublicKey,
    /// The account's party.
    pub party: PartyId,
    /// The party's regulator scopes while the party is active (empty: not a regulator).
    pub regulator_scopes: Vec<Scope>,
}

/// Who made a request; always present in the request extensions
/// (`axum::Extension<Caller>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The client's address, when the server was started with connect info.
    pub addr: Option<SocketAddr>,
    /// The verified signer, for a signed request.
    pub signer: Option<Signer>,
    /// The subject of the client certificate the TLS connection presented
    /// (verified against `api.tls.client_ca_file`), if any.
    pub cert: Option<String>,
}

impl Caller {
    /// An unsigned request from `addr`.
    pub fn anonymous(addr: Option<SocketAddr>) -> Caller {
        Caller { addr, signer: None, cert: None }
    }

    /// An unsigned request from `addr` over a connection that presented
    /// the client certificate `cert` (its subject).
    pub fn with_cert(addr: Option<SocketAddr>, cert: Option<String>) -> Caller {
        Caller { addr, signer: None, cert }
    }

    /// Signed by an active regulator (any scope).
    pub fn is_regulator(&self) -> bool {
        self.signer.as_ref().is_some_and(|s| !s.regulator_scopes.is_empty())
    }

    /// Signed by an active regulator holding `scope`.
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.signer.as_ref().is_some_and(|s| s.regulator_scopes.contains(&scope))
    }

    /// `account:<hex key>` for a signed request, else `anonymous@<ip:port>`
    /// (`anonymous@unknown` without connect info). With a client
    /// certificate: `account:<hex key> cert:<subject>` signed, else
    /// `cert:<subject>@<ip:port>`.
    pub fn who(&self) -> String {
        let at = self.addr.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
        match (&self.signer, &self.cert) {
            (Some(s), None) => format!("account:{}", s.key),
            (Some(s), Some(c)) => format!("account:{} cert:{c}", s.key),
            (None, Some(c)) => format!("cert:{c}@{at}"),
            (None, None) => format!("anonymous@{at}"),
        }
    }
}

fn refused(e: &RequestSignatureError, audience: &Audience) -> ApiError {
    let unauthorized = StatusCode::UNAUTHORIZED;
    let e2 = match e {
        RequestSignatureError::UnsupportedVersion { got } => ApiError::t(
            unauthorized,
            "REQUEST_SIGNATURE_VERSION",
            "REQUEST_SIGNATURE_VERSION",
            args![
                "got" => got.clone().unwrap_or_else(|| "1".to_owned()),
                "expected" => tamga_types::request::VERSION,
            ],
        ),
        RequestSignatureError::Expired { time_ms, skew_ms, window_ms } => ApiError::t(
            unauthorized,
            "REQUEST_EXPIRED",
            "REQUEST_EXPIRED",
            args![
                "time" => time_ms.to_string(),
                "skew" => skew_ms.to_string(),
                "window" => window_ms.to_string(),
            ],
        ),
        RequestSignatureError::BadSignature(key) => ApiError::t(
            unauthorized,
            "BAD_REQUEST_SIGNATURE",
            "BAD_REQUEST_SIGNATURE.audience",
            args![
                "key" => key.to_string(),
                "chain" => audience.chain_id.clone(),
                "node" => audience.node_key.to_string(),
            ],
        ),
        _ => ApiError::t(
            unauthorized,
            "BAD_REQUEST_SIGNATURE",
            "BAD_REQUEST_SIGNATURE",
            args!["detail" => e.to_string()],
        ),
    };
    e2.field(e.header())
}

use crate::now_ms;

/// The middleware: resolves the [`Caller`] and stores it in the request.
pub async fn layer(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let cert = req.extensions().get::<Transport>().and_then(Transport::client).map(|c| c.subject.clone());
    let (version, key, time, sig) = {
        // Not kept across an await: `&Request` is not `Send`.
        let header = |name: &str| req.headers().get(name).map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned());
        (header(HEADER_VERSION), header(HEADER_KEY), header(HEADER_TIME), header(HEADER_SIGNATURE))
    };
    if version.is_none() && key.is_none() && time.is_none() && sig.is_none() {
        let mut req = req;
        req.extensions_mut().insert(Caller::with_cert(addr, cert));
        return next.run(req).await;
    }
    // A signed request: the body is part of what was signed (already in
    // memory when `limits::buffer_body` runs first).
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let args = args!["limit" => BODY_LIMIT.to_string()];
            return ApiError::t(StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE", "BODY_TOO_LARGE", args)
                .into_response();
        }
    };
    let pq = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned();
    let method = parts.method.as_str().to_owned();
    let audience = {
        let status = ctx.status.borrow();
        Audience { chain_id: status.chain_id.clone(), node_key: status.node_key }
    };
    let window_ms = ctx.guards.limits.request_window_ms;
    let c = ctx.clone();
    let body = bytes.clone();
    // Hashing the body, checking the signature and reading the account
    // block: the blocking pool, never the runtime's workers.
    let checked = tokio::task::spawn_blocking(move || {
        let headers = SignatureHeaders {
            version: version.as_deref(),
            key: key.as_deref(),
            time: time.as_deref(),
            signature: sig.as_deref(),
        };
        let now = now_ms();
        let req = RequestParts { method: &method, path_and_query: &pq, body: &body };
        let verified = match verify_headers(headers, &audience, req, now, window_ms) {
            Ok(Some(v)) => v,
            Ok(None) => {
                let e = RequestSignatureError::MissingHeader(HEADER_KEY);
                return Err(refused(&e, &audience));
            }
            Err(e) => {
                if let RequestSignatureError::BadSignature(signer) = &e {
                    // A forged or corrupted request signature is a security
                    // event (SPEC §12); malformed or stale headers are not.
                    c.security.record(crate::security::SecurityEvent::BadSignature {
                        origin: crate::security::Origin::ApiRequest,
                        from: Some(Caller::anonymous(addr).who()),
                        signer: Some(*signer),
                        tx_hash: None,
                        reason: e.to_string(),
                    });
                }
                return Err(refused(&e, &audience));
            }
        };
        let signer = signer_of(&c.ledger, verified.key)?;
        // Only an active account's request reaches the cache, so only
        // registered accounts can fill it.
        let expires = verified.time_ms.saturating_add(window_ms);
        match c.guards.replay.insert(verified.replay_id, expires, now) {
            Ok(()) => Ok(signer),
            Err(ReplayError::Replayed) => Err(ApiError::t(
                StatusCode::UNAUTHORIZED,
                "REQUEST_REPLAYED",
                "REQUEST_REPLAYED",
                args!["key" => verified.key.to_string(), "time" => verified.time_ms.to_string(), "window" => window_ms.to_string()],
            )
            .field(HEADER_SIGNATURE)),
            Err(ReplayError::Full(max)) => {
                c.metrics.api_refused("REPLAY_CACHE_FULL");
                Err(ApiError::t(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "REPLAY_CACHE_FULL",
                    "REPLAY_CACHE_FULL",
                    args!["max" => max.to_string(), "window" => window_ms.to_string()],
                ))
            }
        }
    })
    .await
    .unwrap_or_else(|e| Err(ApiError::internal(format!("request signature check failed: {e}"))));
    match checked {
        Ok(s) => {
            parts.extensions.insert(Caller { addr, signer: Some(s), cert });
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        Err(e) => e.into_response(),
    }
}

/// The active account behind a verified key, with its party's regulator scopes.
fn signer_of(l: &tamga_state::Ledger, key: PublicKey) -> Result<Signer, ApiError> {
    let unknown = |k: &'static str, args| {
        ApiError::t(StatusCode::UNAUTHORIZED, "BAD_REQUEST_SIGNATURE", k, args).field(HEADER_KEY)
    };
    let account = l
        .account(&key)?
        .ok_or_else(|| unknown("BAD_REQUEST_SIGNATURE.unknown_key", args!["key" => key.to_string()]))?;
    if let AccountStatus::Revoked { height, .. } = account.status {
        let args = args!["key" => key.to_string(), "height" => height.to_string()];
        return Err(unknown("BAD_REQUEST_SIGNATURE.revoked", args));
    }
    let party = l
        .party(account.party)?
        .ok_or_else(|| ApiError::internal(format!("party {} of account {key} missing", account.party)))?;
    let scopes = if party.party.status == PartyStatus::Active { party.party.regulator_scopes } else { Vec::new() };
    Ok(Signer { key, party: account.party, regulator_scopes: scopes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(scopes: Vec<Scope>) -> Signer {
        Signer {
            key: tamga_types::SigningKey::from_seed([1; 32]).public(),
            party: PartyId(1),
            regulator_scopes: scopes,
        }
    }

    #[test]
    fn caller_roles_and_names() {
        let addr: SocketAddr = "10.0.0.7:4000".parse().unwrap();
        let anon = Caller::anonymous(Some(addr));
        assert!(!anon.is_regulator() && !anon.has_scope(Scope::Mining));
        assert_eq!(anon.who(), "anonymous@10.0.0.7:4000");
        assert_eq!(Caller::anonymous(None).who(), "anonymous@unknown");
        let participant = Caller { addr: Some(addr), signer: Some(signer(vec![])), cert: None };
        assert!(!participant.is_regulator());
        assert!(participant.who().starts_with("account:"));
        let reg = Caller { addr: None, signer: Some(signer(vec![Scope::Mining])), cert: None };
        assert!(reg.is_regulator() && reg.has_scope(Scope::Mining) && !reg.has_scope(Scope::Assets));
        let by_cert = Caller::with_cert(Some(addr), Some("CN=alice, O=Bank".into()));
        assert_eq!(by_cert.who(), "cert:CN=alice, O=Bank@10.0.0.7:4000");
        let both = Caller { cert: Some("CN=reg".into()), ..reg };
        assert!(both.who().starts_with("account:") && both.who().ends_with(" cert:CN=reg"), "{}", both.who());
    }
}
