//! The API side of the access journal ([`crate::journal`]): two middlewares
//! around the auth layer ([`super::auth`]), installed by [`super::router`]:
//!
//! ```text
//!   record (outer) ─► auth ─► capture_caller (inner) ─► handler
//! ```
//!
//! [`record`] sits outside auth so that requests auth refuses (401
//! `BAD_REQUEST_SIGNATURE`) are journaled too; [`capture_caller`] sits
//! inside it and hands the resolved [`Caller`] back out through a slot the
//! outer layer put into the request. Both run after routing, so the matched
//! route template is known.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tamga_types::request::HEADER_KEY;

use super::auth::Caller;
use super::error::ApiError;
use super::tls::Transport;
use crate::journal::{Access, JournalHandle, Slot};
use crate::now_ms;

/// Status journaled for a request whose client went away before the answer
/// (the handler's future was dropped): nginx's "client closed request".
pub const CLIENT_CLOSED: u16 = 499;

/// Where [`capture_caller`] leaves the [`Caller`] for [`record`].
#[derive(Clone, Default)]
struct CallerSlot(Arc<OnceLock<Caller>>);

/// Inner middleware (inside auth): copies the request's [`Caller`] to the
/// journal's slot.
pub async fn capture_caller(req: Request, next: Next) -> Response {
    if let (Some(caller), Some(slot)) = (req.extensions().get::<Caller>(), req.extensions().get::<CallerSlot>()) {
        let _ = slot.0.set(caller.clone());
    }
    next.run(req).await
}

/// A request being served: its entry is queued when this is dropped, answered or not.
struct Pending {
    slot: Option<Slot>,
    access: Access,
    addr: Option<SocketAddr>,
    /// The subject of the connection's client certificate, if any.
    cert: Option<String>,
    started: Instant,
    caller: CallerSlot,
}

impl Drop for Pending {
    fn drop(&mut self) {
        let Some(slot) = self.slot.take() else { return };
        let mut access = std::mem::take(&mut self.access);
        access.duration_us = self.started.elapsed().as_micros() as u64;
        match self.caller.0.get() {
            Some(c) => {
                access.who = c.who();
                access.party = c.signer.as_ref().map(|s| s.party.0);
                access.regulator = c.is_regulator();
                access.claimed_key = None;
            }
            None => access.who = Caller::with_cert(self.addr, self.cert.take()).who(),
        }
        slot.record(access);
    }
}

/// The `x-tamga-key` a request claims: the key in lower-case hex, or `malformed`.
fn claimed_key(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER_KEY)?;
    Some(match v.to_str() {
        Ok(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => s.to_ascii_lowercase(),
        _ => "malformed".to_owned(),
    })
}

/// Outer middleware (outside auth): reserves the entry's place in the
/// journal queue before the request is served (503 `JOURNAL_UNAVAILABLE`
/// when none frees up within the enqueue timeout), serves it, and journals
/// who, what, which object, when and the status — also when the client goes
/// away first ([`CLIENT_CLOSED`]).
pub async fn record(State(journal): State<JournalHandle>, mut req: Request, next: Next) -> Response {
    let time_ms = now_ms();
    let started = Instant::now();
    let slot = match journal.reserve().await {
        Ok(s) => s,
        Err(e) => {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "JOURNAL_UNAVAILABLE",
                format!("{e}: the request was not served, as every request must be journaled (SPEC §12); retry later"),
            )
            .into_response()
        }
    };
    let caller = CallerSlot::default();
    let mut pending = Pending {
        slot: Some(slot),
        access: Access {
            time_ms,
            who: String::new(),
            party: None,
            regulator: false,
            claimed_key: claimed_key(&req),
            method: req.method().as_str().to_owned(),
            route: req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()),
            object: req.uri().path_and_query().map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned()),
            status: CLIENT_CLOSED,
            duration_us: 0,
        },
        addr: req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0),
        cert: req.extensions().get::<Transport>().and_then(Transport::client).map(|c| c.subject.clone()),
        started,
        caller: caller.clone(),
    };
    req.extensions_mut().insert(caller);
    let resp = next.run(req).await;
    pending.access.status = resp.status().as_u16();
    drop(pending);
    resp
}
