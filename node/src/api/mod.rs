//! The HTTP API (SPEC §11): JSON over HTTP, served by axum. `docs/api.md` is
//! the reference (every route, parameter, answer shape and error code).
//!
//! * Versioned under `/v1`; `/health`, `/metrics` and `/openapi.json` are
//!   unversioned. `/openapi.json` describes every route of [`routes`].
//! * `/v1/events` streams committed blocks and receipts as Server-Sent Events.
//! * Keys, hashes and signatures are lower-case hex; ids, heights and
//!   amounts are JSON integers (amounts are `u128`: parse with a big-integer
//!   aware JSON reader); enums are snake_case strings.
//! * Transactions and blocks are also served as `raw` hex of their borsh
//!   encoding, the bytes that were signed and certified.
//! * Every error is `{"code", "message", "field"?}` with a status that says
//!   whether to fix the request (4xx) or retry (429, 503); ledger failures
//!   are 500 `INTERNAL`. Handlers never panic on input.
//! * Ledger reads and signature checks run on tokio's blocking pool.
//! * Every resource a client can make the API hold is bounded: connections,
//!   time, requests in flight, rate per address, body memory across all
//!   requests, event streams, signed-request replays ([`limits`], served by
//!   [`server::Server`]; `docs/operations.md`, "API limits").
//! * Requests may be signed by an account ([`auth`]); every handler can
//!   read the resulting [`Caller`] from the request extensions.
//!
//! The contract with the rest of the node is [`ApiContext`]: everything a
//! handler may touch.

pub mod access;
pub mod auth;
mod chain;
pub mod console;
mod download;
mod error;
mod events;
mod export;
mod feed;
pub mod i18n;
mod journal;
pub mod limits;
mod localize;
mod openapi;
mod proofs;
mod query;
mod registries;
pub mod replay;
mod security;
pub mod server;
pub mod tls;
mod txs;
mod verify;

#[cfg(test)]
pub(crate) mod tests;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tamga_state::Ledger;
use tamga_types::views::NodeStatus;
use tokio::sync::watch;

use crate::admission::TxGateway;
use crate::metrics::Metrics;

pub use auth::{Caller, Signer};
pub use error::ApiError;
pub use events::RECEIPT_EVENT_KINDS;
pub use events::{CommittedBlock, EventHub, EvidenceSummary, MAX_SUBSCRIBERS};
pub use limits::{ApiLimits, Guards};
pub use server::Server;
pub use txs::MAX_BATCH;

/// Largest request body: a full batch of typical transactions as hex
/// (1000 × ~1 KiB × 2) with room to spare. Larger bodies get 413 `BODY_TOO_LARGE`.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// What the API handlers share.
#[derive(Clone)]
pub struct ApiContext {
    /// Committed state (read-only use: queries, blocks, receipts, proofs).
    pub ledger: Arc<Ledger>,
    /// Admission of new transactions (mempool + gossip).
    pub gateway: TxGateway,
    /// Live node status, updated by the consensus driver after every commit and round change.
    pub status: watch::Receiver<NodeStatus>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Committed blocks for `/v1/events`, fed by the consensus driver.
    pub events: EventHub,
    /// Security events: recorded by handlers (bad signatures), served to
    /// regulators by `/v1/security/events`.
    pub security: crate::security::SecurityLog,
    /// Who may read what (`[api] public_read`, `redact_site_addresses`).
    pub read_policy: access::ReadPolicy,
    /// The access journal (SPEC §12); `None` when `journal.enabled` is off.
    pub journal: Option<crate::journal::JournalHandle>,
    /// The limits of `[api]` and their shared state (rate, body budget,
    /// requests in flight, replay cache).
    pub guards: Arc<Guards>,
    /// `[console]`: what the regulator console may do on this node.
    pub console: console::ConsoleSettings,
}

/// Runs a ledger read on the blocking pool (RocksDB calls block).
async fn read<T: Send + 'static>(
    ctx: &ApiContext,
    f: impl FnOnce(&Ledger) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let ledger = ctx.ledger.clone();
    tokio::task::spawn_blocking(move || f(&ledger))
        .await
        .map_err(|e| ApiError::internal(format!("query task failed: {e}")))?
}

async fn no_route(method: Method, uri: Uri) -> ApiError {
    let args = i18n::args!["method" => method.to_string(), "path" => uri.path()];
    ApiError::t(StatusCode::NOT_FOUND, "NOT_FOUND", "NOT_FOUND", args)
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    let args = i18n::args!["method" => method.to_string(), "path" => uri.path()];
    ApiError::t(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "METHOD_NOT_ALLOWED", args)
}

/// Every route: method, path and handler. The router is built from this
/// table and `/openapi.json` is checked against it (a test fails when a
/// route lacks its OpenAPI operation), so add routes HERE, never with a
/// bare `.route(...)` in [`router`].
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<ApiContext>)> {
    vec![
        (Method::GET, "/health", get(chain::health)),
        (Method::GET, "/metrics", get(chain::metrics)),
        (Method::GET, "/openapi.json", get(openapi::serve)),
        (Method::GET, "/v1/status", get(chain::status)),
        (Method::GET, "/v1/chain", get(chain::chain)),
        (Method::GET, "/v1/params", get(chain::params)),
        (Method::GET, "/v1/validators", get(chain::validators)),
        (Method::GET, "/v1/blocks/{height}", get(chain::block)),
        (Method::GET, "/v1/blocks/{height}/receipts", get(chain::receipts)),
        (Method::GET, "/v1/proofs/state", get(chain::state_proof)),
        (Method::GET, "/v1/events", get(events::stream)),
        (Method::POST, "/v1/txs", post(txs::submit)),
        (Method::GET, "/v1/txs/{hash}", get(txs::get)),
        (Method::GET, "/v1/txs/{hash}/bundle", get(proofs::bundle)),
        (Method::POST, "/v1/verify", post(verify::verify)),
        (Method::GET, "/v1/accounts/{key}", get(registries::account)),
        (Method::GET, "/v1/accounts/{key}/records", get(registries::account_records)),
        (Method::GET, "/v1/parties", get(registries::parties)),
        (Method::GET, "/v1/parties/{id}", get(registries::party)),
        (Method::GET, "/v1/classes", get(registries::classes)),
        (Method::GET, "/v1/classes/{id}", get(registries::class)),
        (Method::GET, "/v1/classes/{id}/holders", get(registries::holders)),
        (Method::GET, "/v1/classes/{id}/restrictions", get(registries::restrictions)),
        (Method::GET, "/v1/records/{id}", get(registries::record)),
        (Method::GET, "/v1/escrows", get(registries::escrows)),
        (Method::GET, "/v1/escrows/{id}", get(registries::escrow)),
        (Method::GET, "/v1/terms/{hash}", get(registries::terms)),
        (Method::GET, "/v1/mining-notifications", get(registries::mining_notifications)),
        (Method::GET, "/v1/mining-notifications/totals", get(registries::mining_totals)),
        (Method::GET, "/v1/mining-notifications/{id}", get(registries::mining_notification)),
        (Method::GET, "/v1/activity-notifications", get(registries::activity_notifications)),
        (Method::GET, "/v1/evidence", get(registries::evidence)),
        (Method::GET, "/v1/issuers/{id}/export", get(export::issuer)),
        (Method::GET, "/v1/security/events", get(security::events)),
        (Method::GET, "/v1/blocks", get(chain::blocks)),
        (Method::GET, "/console", get(console::index)),
        (Method::GET, "/console/{path}", get(console::asset)),
        (Method::GET, "/console/vendor/{package}/{file}", get(console::vendored)),
    ]
}

/// The router with every route of [`routes`].
pub fn router(ctx: ApiContext) -> Router {
    let mut r = Router::new();
    for (_, path, handler) in routes() {
        r = r.route(path, handler);
    }
    r = r.route_layer(axum::middleware::from_fn_with_state(ctx.clone(), access::enforce));
    let mut r = r.fallback(no_route).method_not_allowed_fallback(wrong_method);
    // The access journal wraps auth (so refused requests are journaled) and
    // reads the caller from inside it (docs/journal.md).
    if ctx.journal.is_some() {
        r = r.layer(axum::middleware::from_fn(journal::capture_caller));
    }
    r = r.layer(axum::middleware::from_fn_with_state(ctx.clone(), auth::layer));
    if let Some(journal) = ctx.journal.clone() {
        r = r.layer(axum::middleware::from_fn_with_state(journal, journal::record));
    }
    // Outermost last: localize ← trace ← admit (rate, in flight) ← body
    // (size, time, budget) ← journal ← auth ← routes.
    r.layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(ctx.clone(), limits::buffer_body))
        .layer(axum::middleware::from_fn_with_state(ctx.clone(), limits::admit))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(localize::localize))
        .with_state(ctx)
}
