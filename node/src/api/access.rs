//! Read access to the registers (issue 8 item 4; SPEC §6, §11, §12).
//!
//! Two settings of the node (`[api]` in `config.toml`, [`ReadPolicy`]):
//!
//! * `public_read`: when true (the devnet default), anyone may read every
//!   register. When false, each route has a floor ([`Access`], table in
//!   [`route_access`]): node facts, the OpenAPI document, transaction
//!   admission and the open verification service stay open; the chain and
//!   the registers need a request signed by a registered account
//!   (401 `SIGNATURE_REQUIRED`); the regulatory registers (mining and
//!   activity notifications) need a regulator's signature
//!   (403 `REGULATOR_REQUIRED`).
//! * `redact_site_addresses`: when true (the default), the street address
//!   of a mining site (SPEC §6, a restricted field) is served only to a
//!   request signed by a regulator holding the `mining` scope, or by an
//!   account of the miner itself. Everyone else gets
//!   `"address": null, "address_redacted": true` in every answer that would
//!   carry it: mining notifications (list and detail), a transaction
//!   submitting one (`GET /v1/txs/{hash}`, whose `raw` is then withheld too:
//!   `"raw": null, "raw_redacted": true`), blocks holding one (JSON: the
//!   transaction redacted; `encoding=borsh`: `raw` withheld), and its
//!   receipt bundle and the state proof of its entry (403
//!   `RESTRICTED_FIELD`: signed or proven bytes cannot be redacted without
//!   breaking their proofs). The event stream
//!   carries receipts only, which never hold the address; `POST /v1/verify`
//!   only echoes what the caller posted.
//!
//! The decisions are pure functions of the policy and the [`Reader`] (who
//! signed the request), unit-tested below; handlers apply them.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tamga_types::{PartyId, Payload, Scope, SignedTransaction};

use super::auth::Caller;
use super::error::ApiError;
use super::i18n::args;
use super::tls::Transport;
use super::ApiContext;

/// The node's read policy (`[api] public_read`, `[api] redact_site_addresses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadPolicy {
    /// Anyone may read every register.
    pub public_read: bool,
    /// Mining site addresses only for `mining` regulators and the miner.
    pub redact_site_addresses: bool,
}

impl Default for ReadPolicy {
    /// The production default: reads need a signature, addresses are restricted.
    fn default() -> Self {
        ReadPolicy { public_read: false, redact_site_addresses: true }
    }
}

/// Who reads: the party and regulator scopes behind a signed request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reader {
    /// The signing account's party; `None` for an anonymous request.
    pub party: Option<PartyId>,
    /// The party's regulator scopes while it is active (empty: not a regulator).
    pub scopes: Vec<Scope>,
    /// `account:<hex>` or `anonymous@…`, for messages.
    pub who: String,
}

impl Reader {
    /// An anonymous reader.
    pub fn anonymous() -> Reader {
        Reader { party: None, scopes: Vec::new(), who: "anonymous".to_owned() }
    }

    /// A reader signed by an account of `party` with `scopes`.
    pub fn signed(party: PartyId, scopes: Vec<Scope>, who: impl Into<String>) -> Reader {
        Reader { party: Some(party), scopes, who: who.into() }
    }

    fn is_regulator(&self) -> bool {
        self.party.is_some() && !self.scopes.is_empty()
    }
}

impl From<&Caller> for Reader {
    fn from(c: &Caller) -> Reader {
        match &c.signer {
            Some(s) => Reader::signed(s.party, s.regulator_scopes.clone(), c.who()),
            None => Reader { party: None, scopes: Vec::new(), who: c.who() },
        }
    }
}

/// The reader of a request: from the [`Caller`] the `auth` layer resolved
/// (anonymous when there is none, e.g. outside the router).
fn reader_of(extensions: &axum::http::Extensions) -> Reader {
    extensions.get::<Caller>().map(Reader::from).unwrap_or_else(Reader::anonymous)
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Reader, Self::Rejection> {
        Ok(reader_of(&parts.extensions))
    }
}

/// The floor of a route when public read is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Open,
    /// A request signed by a registered, active account.
    Signed,
    /// A request signed by a regulator (any scope).
    Regulator,
}

/// The floor of route `path` (the route's template, as in `api::routes`).
/// Routes not listed under `/v1` are [`Access::Signed`]: a new register is
/// never public by omission.
pub fn route_access(path: &str) -> Access {
    match path {
        "/health" | "/metrics" | "/openapi.json" | "/v1/status" | "/v1/chain" | "/v1/params" | "/v1/validators"
        | "/v1/txs" | "/v1/verify" => Access::Open,
        p if p.starts_with("/v1/mining-notifications") || p.starts_with("/v1/activity-notifications") => {
            Access::Regulator
        }
        p if p.starts_with("/v1/") => Access::Signed,
        _ => Access::Open,
    }
}

/// Whether `reader` may call a route of floor `access` under `policy`;
/// the refusal names the route (`path`).
pub fn check(policy: ReadPolicy, access: Access, reader: &Reader, path: &str) -> Result<(), ApiError> {
    if policy.public_read || access == Access::Open {
        return Ok(());
    }
    if reader.party.is_none() {
        return Err(ApiError::t(
            StatusCode::UNAUTHORIZED,
            "SIGNATURE_REQUIRED",
            "SIGNATURE_REQUIRED",
            args!["path" => path],
        ));
    }
    if access == Access::Regulator && !reader.is_regulator() {
        return Err(ApiError::t(
            StatusCode::FORBIDDEN,
            "REGULATOR_REQUIRED",
            "REGULATOR_REQUIRED",
            args!["path" => path, "who" => reader.who.clone()],
        ));
    }
    Ok(())
}

/// Whether `reader` may see the site address of a notification by `miner`
/// (`None`: the miner is unknown, only a `mining` regulator may).
pub fn may_see_site_address(policy: ReadPolicy, reader: &Reader, miner: Option<PartyId>) -> bool {
    !policy.redact_site_addresses
        || (reader.party.is_some() && reader.scopes.contains(&Scope::Mining))
        || (reader.party.is_some() && reader.party == miner)
}

/// Replaces the address of every mining site in `v` (an object named
/// `site` with `region` and `address`) by `null` and marks it
/// `"address_redacted": true`.
pub fn redact_sites(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(site)) = map.get_mut("site") {
                if site.contains_key("region") && site.contains_key("address") {
                    site.insert("address".into(), Value::Null);
                    site.insert("address_redacted".into(), Value::Bool(true));
                }
            }
            map.values_mut().for_each(redact_sites);
        }
        Value::Array(items) => items.iter_mut().for_each(redact_sites),
        _ => {}
    }
}

/// Whether `tx` carries a mining site (a restricted field).
pub fn carries_site(tx: &SignedTransaction) -> bool {
    matches!(tx.tx.payload, Payload::SubmitMiningNotification { .. })
}

/// Withholds the `raw` bytes of an answer object: `"raw": null, "raw_redacted": true`.
pub fn withhold_raw(v: &mut Value) {
    if let Value::Object(map) = v {
        map.insert("raw".into(), Value::Null);
        map.insert("raw_redacted".into(), Value::Bool(true));
    }
}

/// With `api.tls.client_ca_file` set, a route that needs a signed request
/// (its floor is not [`Access::Open`]) also needs a client certificate,
/// whatever `public_read` says: the operator asked that its privileged
/// callers be authenticated by the transport too.
pub fn check_client_cert(access: Access, transport: Option<&Transport>, path: &str) -> Result<(), ApiError> {
    if access == Access::Open || !transport.is_some_and(Transport::lacks_required_cert) {
        return Ok(());
    }
    Err(ApiError::t(StatusCode::UNAUTHORIZED, "CLIENT_CERT_REQUIRED", "CLIENT_CERT_REQUIRED", args!["path" => path]))
}

/// The middleware on every route: refuses a request below the route's floor.
pub async fn enforce(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let path = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let path = path.unwrap_or_else(|| req.uri().path().to_owned());
    let reader = reader_of(req.extensions());
    let access = route_access(&path);
    if let Err(e) = check_client_cert(access, req.extensions().get::<Transport>(), &path) {
        return e.into_response();
    }
    match check(ctx.read_policy, access, &reader, &path) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(public_read: bool) -> ReadPolicy {
        ReadPolicy { public_read, redact_site_addresses: true }
    }

    #[test]
    fn anonymous_reads_follow_the_policy() {
        let anon = Reader::anonymous();
        for path in ["/v1/parties", "/v1/blocks/{height}", "/v1/mining-notifications", "/v1/some-new-register"] {
            assert_eq!(check(policy(true), route_access(path), &anon, path), Ok(()), "{path}");
            let e = check(policy(false), route_access(path), &anon, path).unwrap_err();
            assert_eq!((e.status, e.code), (StatusCode::UNAUTHORIZED, "SIGNATURE_REQUIRED"), "{path}");
            assert!(e.message.contains(path), "{}", e.message);
        }
        for path in ["/health", "/v1/status", "/v1/chain", "/v1/txs", "/v1/verify", "/openapi.json", "/console/app.js"]
        {
            assert_eq!(check(policy(false), route_access(path), &anon, path), Ok(()), "{path}");
        }
    }

    #[test]
    fn regulatory_registers_need_a_regulator_when_reads_are_closed() {
        let p = "/v1/mining-notifications/{id}";
        let user = Reader::signed(PartyId(4), vec![], "account:aa");
        let e = check(policy(false), route_access(p), &user, p).unwrap_err();
        assert_eq!((e.status, e.code), (StatusCode::FORBIDDEN, "REGULATOR_REQUIRED"));
        assert!(e.message.contains("account:aa"), "{}", e.message);
        assert_eq!(check(policy(false), route_access("/v1/parties"), &user, "/v1/parties"), Ok(()));
        let assets = Reader::signed(PartyId(2), vec![Scope::Assets], "account:bb");
        assert_eq!(check(policy(false), route_access(p), &assets, p), Ok(()));
    }

    #[test]
    fn site_addresses_only_for_mining_regulators_and_the_miner() {
        let on = policy(true);
        let miner = Some(PartyId(6));
        assert!(!may_see_site_address(on, &Reader::anonymous(), miner));
        assert!(!may_see_site_address(on, &Reader::signed(PartyId(4), vec![], "a"), miner));
        assert!(!may_see_site_address(on, &Reader::signed(PartyId(2), vec![Scope::Assets], "a"), miner));
        assert!(may_see_site_address(on, &Reader::signed(PartyId(1), vec![Scope::Mining], "a"), miner));
        assert!(may_see_site_address(on, &Reader::signed(PartyId(6), vec![], "a"), miner));
        assert!(!may_see_site_address(on, &Reader::signed(PartyId(6), vec![], "a"), None));
        let off = ReadPolicy { public_read: true, redact_site_addresses: false };
        assert!(may_see_site_address(off, &Reader::anonymous(), miner));
    }

    #[test]
    fn client_certificates_are_required_where_signatures_are() {
        use crate::api::tls::ClientCert;
        let without = Transport::Tls { client_auth: true, client: None };
        let with = Transport::Tls { client_auth: true, client: Some(ClientCert { subject: "CN=a".into() }) };
        let optional = Transport::Tls { client_auth: false, client: None };
        for path in ["/v1/parties", "/v1/mining-notifications", "/v1/blocks/{height}"] {
            let e = check_client_cert(route_access(path), Some(&without), path).unwrap_err();
            assert_eq!((e.status, e.code), (StatusCode::UNAUTHORIZED, "CLIENT_CERT_REQUIRED"), "{path}");
            assert!(e.message.contains(path), "{}", e.message);
            assert_eq!(check_client_cert(route_access(path), Some(&with), path), Ok(()));
            assert_eq!(check_client_cert(route_access(path), Some(&optional), path), Ok(()));
            assert_eq!(check_client_cert(route_access(path), Some(&Transport::Plain), path), Ok(()));
            assert_eq!(check_client_cert(route_access(path), None, path), Ok(()));
        }
        for path in ["/health", "/v1/status", "/v1/txs", "/v1/verify"] {
            assert_eq!(check_client_cert(route_access(path), Some(&without), path), Ok(()), "{path}");
        }
    }

    #[test]
    fn redaction_finds_sites_at_any_depth() {
        let mut v = serde_json::json!({
            "items": [{ "id": 1, "site": { "region": "abai", "address": "Street 1", "units": 3 } }],
            "tx": { "payload": { "type": "submit_mining_notification", "site": { "region": "abai", "address": "X" } } },
            "other": { "site": "not a site" }
        });
        redact_sites(&mut v);
        assert_eq!(v["items"][0]["site"]["address"], Value::Null);
        assert_eq!(v["items"][0]["site"]["address_redacted"], true);
        assert_eq!(v["items"][0]["site"]["units"], 3);
        assert_eq!(v["tx"]["payload"]["site"]["address"], Value::Null);
        assert_eq!(v["other"]["site"], "not a site");
    }
}
