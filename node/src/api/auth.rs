//! Who is asking: every request passes through [`layer`], which puts a
//! [`Caller`] into the request's extensions — anonymous with the client's
//! address, or, when the request is signed ([`tamga_types::request`]), the
//! account, its party and the party's regulator scopes.
//!
//! SPEC §12 needs both: the access journal records the account behind a
//! signed request (else the address), and restricted register fields are
//! served only to requests signed by a regulator key. A request whose
//! signature headers are present but wrong — malformed, stale (more than
//! [`MAX_SKEW_MS`](tamga_types::request::MAX_SKEW_MS) from the node's clock), not verifying, or by a key that is
//! not an active account — is refused with 401 `BAD_REQUEST_SIGNATURE`
//! naming the header at fault, and never reaches a handler. A request with
//! none of the three headers is anonymous.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tamga_types::model::AccountStatus;
use tamga_types::request::{verify_headers, RequestSignatureError, HEADER_KEY, HEADER_SIGNATURE, HEADER_TIME};
use tamga_types::{PartyId, PartyStatus, PublicKey, Scope};

use super::error::ApiError;
use super::i18n::args;
use super::{read, ApiContext, BODY_LIMIT};

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
}

impl Caller {
    /// An unsigned request from `addr`.
    pub fn anonymous(addr: Option<SocketAddr>) -> Caller {
        Caller { addr, signer: None }
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
    /// (`anonymous@unknown` without connect info).
    pub fn who(&self) -> String {
        match (&self.signer, self.addr) {
            (Some(s), _) => format!("account:{}", s.key),
            (None, Some(a)) => format!("anonymous@{a}"),
            (None, None) => "anonymous@unknown".to_owned(),
        }
    }
}

fn refused(e: &RequestSignatureError) -> ApiError {
    let args = args!["detail" => e.to_string()];
    ApiError::t(StatusCode::UNAUTHORIZED, "BAD_REQUEST_SIGNATURE", "BAD_REQUEST_SIGNATURE", args).field(e.header())
}

use crate::now_ms;

/// The middleware: resolves the [`Caller`] and stores it in the request.
pub async fn layer(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let (key, time, sig) = {
        // Not kept across an await: `&Request` is not `Send`.
        let header = |name: &str| req.headers().get(name).map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned());
        (header(HEADER_KEY), header(HEADER_TIME), header(HEADER_SIGNATURE))
    };
    if key.is_none() && time.is_none() && sig.is_none() {
        let mut req = req;
        req.extensions_mut().insert(Caller::anonymous(addr));
        return next.run(req).await;
    }
    // A signed request: the body is part of what was signed.
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
    let verified =
        verify_headers(key.as_deref(), time.as_deref(), sig.as_deref(), parts.method.as_str(), &pq, &bytes, now_ms());
    let key = match verified {
        Ok(Some(k)) => k,
        Ok(None) => unreachable!("at least one signature header is present"),
        Err(e) => {
            if let RequestSignatureError::BadSignature(signer) = &e {
                // A forged or corrupted request signature is a security event
                // (issue 10 item 4); malformed or stale headers are not.
                ctx.security.record(crate::security::SecurityEvent::BadSignature {
                    origin: crate::security::Origin::ApiRequest,
                    from: Some(Caller::anonymous(addr).who()),
                    signer: Some(*signer),
                    tx_hash: None,
                    reason: e.to_string(),
                });
            }
            return refused(&e).into_response();
        }
    };
    let signer = read(&ctx, move |l| {
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
    })
    .await;
    match signer {
        Ok(s) => {
            parts.extensions.insert(Caller { addr, signer: Some(s) });
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        Err(e) => e.into_response(),
    }
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
        let participant = Caller { addr: Some(addr), signer: Some(signer(vec![])) };
        assert!(!participant.is_regulator());
        assert!(participant.who().starts_with("account:"));
        let reg = Caller { addr: None, signer: Some(signer(vec![Scope::Mining])) };
        assert!(reg.is_regulator() && reg.has_scope(Scope::Mining) && !reg.has_scope(Scope::Assets));
    }
}
