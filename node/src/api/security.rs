//! `GET /v1/security/events`: the node's security events (`crate::security`)
//! for regulators (SPEC §12: what a supervisor must be able to read).
//!
//! * `?after=SEQ&limit=N[&kinds=a,b]`: a JSON page of the records with
//!   `seq > SEQ`, oldest first, from the node's in-memory rings: the latest
//!   records, and before them the latest critical records (`config_loaded`,
//!   validator-set changes, equivocation, …) that the main ring already
//!   dropped, so a flood never hides them. The full history is in
//!   `HOME/security/events.jsonl` and `critical.jsonl` on the node.
//!   `truncated` says that non-critical records after `SEQ` already left
//!   the ring; `complete_from` is the seq from which every record is held.
//! * `?stream=true[&after=SEQ][&kinds=…]` (or header `Last-Event-ID: SEQ`):
//!   Server-Sent Events, one `security` event per record with `id: <seq>`,
//!   first the rings' records after `SEQ`, then live ones. Records the node
//!   no longer holds, or that a subscriber too slow for the channel missed,
//!   are announced by a `gap` event naming the seqs (`missed_from`,
//!   `missed_to`) before the next record.
//!
//! Regulators only: the request must be signed by an account of a party with
//! a regulator scope (`auth.rs`); anyone else gets 403 `REGULATOR_ONLY`.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use tamga_contract::wire::SecurityPage;
use tokio::sync::broadcast;

use super::error::{ApiError, ApiResult};
use super::i18n::{args, Why};
use super::query::{uint, Params};
use super::{ApiContext, Caller};
use crate::security::{Bounds, SecurityEvent, SecurityLog, SecurityRecord, Subscription};

/// Records per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest `limit`.
pub const MAX_LIMIT: usize = 1000;

fn parse_kinds(s: &str) -> Result<Vec<String>, Why> {
    s.split(',')
        .map(|k| {
            if SecurityEvent::KINDS.contains(&k) {
                Ok(k.to_owned())
            } else {
                Err(Why::new(
                    "why.security_kind",
                    args!["kind" => format!("{k:?}"), "allowed" => SecurityEvent::KINDS.join(", ")],
                ))
            }
        })
        .collect()
}

fn parse_bool(s: &str) -> Result<bool, Why> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Why::new("why.one_of", args!["allowed" => "true, false"])),
    }
}

/// Security events are for regulators (SPEC §12): a request signed
/// by an account of an active party with any regulator scope.
fn require_regulator(caller: &Caller) -> ApiResult<()> {
    if caller.is_regulator() {
        return Ok(());
    }
    let why = match &caller.signer {
        None => "security events are served to regulators only: sign the request with a regulator's account key \
                 (headers x-tamga-request-version, x-tamga-key, x-tamga-time, x-tamga-signature)"
            .to_owned(),
        Some(s) => format!("security events are served to regulators only; party {} of {} is not one", s.party, s.key),
    };
    Err(ApiError::new(StatusCode::FORBIDDEN, "REGULATOR_ONLY", why))
}

/// `GET /v1/security/events`.
pub async fn events(
    State(ctx): State<ApiContext>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    require_regulator(&caller)?;
    let q = Params::new(q, &["after", "limit", "kinds", "stream"])?;
    let kinds = q.get("kinds", parse_kinds)?;
    let stream = q.get("stream", parse_bool)?.unwrap_or(false);
    let mut after: u64 = q.get("after", uint)?.unwrap_or(0);
    let log = &ctx.security;
    if stream {
        if q.raw("limit").is_some() {
            return Err(ApiError::bad("BAD_PARAM", "limit", "limit applies to pages, not to stream=true"));
        }
        if let Some(v) = headers.get("last-event-id") {
            let bad =
                |why: &str| ApiError::bad("BAD_PARAM", "Last-Event-ID", format!("invalid Last-Event-ID {v:?}: {why}"));
            after = uint(v.to_str().map_err(|_| bad("not ASCII"))?).map_err(|why| bad(&why.english()))?;
        }
        return stream_from(log.clone(), after, kinds);
    }
    let limit = q
        .get("limit", |s| {
            uint::<usize>(s).and_then(|n| {
                if (1..=MAX_LIMIT).contains(&n) {
                    Ok(n)
                } else {
                    Err(Why::new("why.range", args!["min" => "1", "max" => MAX_LIMIT.to_string()]))
                }
            })
        })?
        .unwrap_or(DEFAULT_LIMIT);
    let records = log.page(after, limit, kinds.as_deref());
    let events: Vec<&SecurityRecord> = records.iter().map(|r| &**r).collect();
    let Bounds { oldest, complete_from, last } = log.bounds();
    let truncated = complete_from.is_some_and(|o| o > after.saturating_add(1));
    // The next page starts after the last record returned, or, when the
    // filter or the end left nothing, after everything looked at.
    let next_after = match events.last() {
        Some(r) => r.seq,
        None => after.max(last),
    };
    Ok((StatusCode::OK, Json(SecurityPage { events, oldest, complete_from, last, next_after, truncated }))
        .into_response())
}

/// One subscriber's position.
struct Feed {
    log: SecurityLog,
    sub: Subscription,
    kinds: Option<Vec<String>>,
    /// Last seq sent (or skipped by the filter).
    after: u64,
    queue: VecDeque<SseEvent>,
}

fn json<T: Serialize>(v: &T) -> String {
    // Our own data types always serialise.
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

impl Feed {
    fn wants(&self, r: &SecurityRecord) -> bool {
        self.kinds.as_ref().is_none_or(|k| k.iter().any(|k| k == r.event.kind()))
    }

    fn push(&mut self, r: &SecurityRecord) {
        if r.seq <= self.after {
            return;
        }
        self.after = r.seq;
        if self.wants(r) {
            self.queue.push_back(SseEvent::default().event("security").id(r.seq.to_string()).data(json(r)));
        }
    }

    /// Everything the rings hold after `self.after`, with a `gap` event
    /// before each record that does not follow the one before it.
    fn catch_up(&mut self) {
        let records = self.log.page(self.after, usize::MAX, None);
        for r in &records {
            if r.seq > self.after + 1 {
                let gap = serde_json::json!({ "missed_from": self.after + 1, "missed_to": r.seq - 1 });
                self.queue.push_back(SseEvent::default().event("gap").data(gap.to_string()));
            }
            self.push(r);
        }
    }

    async fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            match self.sub.rx.recv().await {
                Ok(r) if r.seq == self.after + 1 => self.push(&r),
                Ok(r) if r.seq <= self.after => {}
                // Records between were missed: read them from the ring.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catch_up(),
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

fn stream_from(log: SecurityLog, after: u64, kinds: Option<Vec<String>>) -> ApiResult<Response> {
    // Subscribe BEFORE reading the ring: a record in between is in both.
    let sub = log.try_subscribe().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TOO_MANY_SUBSCRIBERS",
            format!("this node already serves {} security event streams; retry later", log.options().max_subscribers),
        )
    })?;
    let mut feed = Feed { log, sub, kinds, after, queue: VecDeque::new() };
    feed.catch_up();
    let events = futures::stream::unfold(feed, |mut feed| async move {
        feed.next_event().await.map(|e| (Ok::<_, Infallible>(e), feed))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(super::events::KEEP_ALIVE)).into_response())
}
