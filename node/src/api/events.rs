//! `GET /v1/events`: Server-Sent Events of committed blocks and of the
//! registry changes their receipts record (SPEC §8, §11).
//!
//! For every committed block, in height order, the stream sends
//!
//! 1. one `block` event (height, hash, time, counts, state root, proposer);
//! 2. one `tx` event per receipt, in block order: the receipt exactly as
//!    `GET /v1/blocks/{height}/receipts` serves it, with its events (the
//!    registry changes: `minted`, `transfer`, `record_issued`, …);
//! 3. one `evidence` event per equivocation the block records.
//!
//! The LAST event sent for a block carries `id: <height>`; the others carry
//! none, so a browser's `Last-Event-ID` only moves once a block has been
//! sent whole. A client that reconnects with `Last-Event-ID: H` resumes at
//! `H + 1` and misses nothing (it may see part of a block twice when it was
//! cut off in its middle: delivery is at least once, in order).
//!
//! Where the events come from: the consensus driver sends an
//! `Arc<CommittedBlock>` into a `tokio::sync::broadcast` channel after each
//! commit (it never waits on subscribers). Everything the channel cannot
//! give — the replay asked by `from_height`/`Last-Event-ID`, heights missed
//! while a slow subscriber lagged behind the channel, or a gap between two
//! live blocks — is read back from the ledger, which holds every committed
//! block and receipt. The channel is only a fast path; the ledger is the
//! truth.
//!
//! The number of concurrent subscribers is bounded (503
//! `TOO_MANY_SUBSCRIBERS` past it); the `tamga_api_sse_subscribers` gauge
//! counts them. An idle stream gets a keep-alive comment every 15 s.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tamga_state::Ledger;
use tamga_types::{Block, Hash, Height, PublicKey, Receipt};
use tokio::sync::{broadcast, OwnedSemaphorePermit, Semaphore};

use super::error::{ApiError, ApiResult};
use super::i18n::{args, Lang, Why};
use super::query::{uint, Params};
use super::ApiContext;
use crate::metrics::Metrics;

/// Default bound on concurrent `/v1/events` subscribers.
pub const MAX_SUBSCRIBERS: usize = 256;

/// Blocks the broadcast channel holds for a slow subscriber before it lags
/// (and catches up from the ledger instead).
pub const CHANNEL_BLOCKS: usize = 256;

/// Interval of the keep-alive comment on an idle stream.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Blocks read from the ledger per blocking call while replaying.
const REPLAY_CHUNK: u64 = 32;

/// The receipt event kinds the state machine emits (`docs/wire-format.md`
/// §10); `?kinds=` accepts these and the stream's own event names.
pub const RECEIPT_EVENT_KINDS: &[&str] = &[
    "party_registered",
    "party_status_changed",
    "account_added",
    "account_revoked",
    "class_created",
    "minted",
    "transfer",
    "redeemed",
    "frozen",
    "unfrozen",
    "class_paused",
    "forced_transfer",
    "account_recovered",
    "record_issued",
    "record_transferred",
    "record_encumbered",
    "record_released",
    "record_terminated",
    "record_escrowed",
    "record_escrow_settled",
    "escrow_created",
    "escrow_settled",
    "escrow_disputed",
    "mining_notification_submitted",
    "mining_notification_reviewed",
    "activity_notification_submitted",
    "activity_notification_reviewed",
    "validators_updated",
    "parameter_changed",
];

/// The stream's own event names.
pub const STREAM_EVENTS: &[&str] = &["block", "tx", "evidence"];

/// An equivocation recorded by a block, as the `evidence` event sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceSummary {
    /// Height of the block recording it.
    pub height: Height,
    /// Evidence id.
    pub id: Hash,
    /// The validator that signed two conflicting votes.
    pub validator: PublicKey,
    /// Height of the conflicting votes.
    pub vote_height: Height,
    /// Round of the conflicting votes.
    pub vote_round: u32,
}

/// What the driver publishes after committing a block: everything the
/// stream sends for it, shared by all subscribers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedBlock {
    /// Height.
    pub height: Height,
    /// Block hash.
    pub hash: Hash,
    /// Block time.
    pub time_ms: u64,
    /// State root after the block.
    pub state_root: Hash,
    /// Proposer.
    pub proposer: PublicKey,
    /// One receipt per transaction, in block order.
    pub receipts: Vec<Receipt>,
    /// Evidence recorded by the block.
    pub evidence: Vec<EvidenceSummary>,
}

impl CommittedBlock {
    /// The summary of a committed `block` with its `receipts`.
    pub fn new(block: &Block, receipts: Vec<Receipt>) -> CommittedBlock {
        let h = &block.header;
        CommittedBlock {
            height: h.height,
            hash: block.hash(),
            time_ms: h.time_ms,
            state_root: h.state_root,
            proposer: h.proposer,
            receipts,
            evidence: block
                .evidence
                .iter()
                .map(|e| EvidenceSummary {
                    height: h.height,
                    id: e.id(),
                    validator: e.validator(),
                    vote_height: e.height(),
                    vote_round: e.round(),
                })
                .collect(),
        }
    }

    /// Reads the committed block at `height` back from the ledger.
    pub fn read(ledger: &Ledger, height: Height) -> ApiResult<CommittedBlock> {
        let block = ledger
            .block(height)?
            .ok_or_else(|| ApiError::internal(format!("committed block {height} missing from the store")))?;
        Ok(CommittedBlock::new(&block, ledger.receipts(height)?))
    }
}

/// The `block` event's data.
#[derive(Serialize)]
struct BlockEvent<'a> {
    height: Height,
    hash: &'a Hash,
    time_ms: u64,
    tx_count: usize,
    failed_count: usize,
    evidence_count: usize,
    state_root: &'a Hash,
    proposer: &'a PublicKey,
}

/// The channel between the driver and the subscribers, and the bound on
/// subscribers.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<CommittedBlock>>,
    permits: Arc<Semaphore>,
    max: usize,
}

impl EventHub {
    /// A hub admitting at most `max_subscribers` concurrent streams.
    pub fn new(max_subscribers: usize) -> EventHub {
        EventHub::with_capacity(max_subscribers, CHANNEL_BLOCKS)
    }

    /// A hub whose channel holds `blocks` blocks for a slow subscriber.
    pub fn with_capacity(max_subscribers: usize, blocks: usize) -> EventHub {
        let (sender, _) = broadcast::channel(blocks.max(1));
        EventHub { sender, permits: Arc::new(Semaphore::new(max_subscribers)), max: max_subscribers }
    }

    /// The sending side, for the driver. `send` never blocks; an `Err`
    /// only means nobody listens.
    pub fn sender(&self) -> broadcast::Sender<Arc<CommittedBlock>> {
        self.sender.clone()
    }
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub::new(MAX_SUBSCRIBERS)
    }
}

/// Which events a subscriber wants (`None`: all).
#[derive(Clone)]
struct Filter(Option<Vec<String>>);

impl Filter {
    fn parse(s: &str) -> Result<Filter, Why> {
        let mut kinds = Vec::new();
        for k in s.split(',') {
            if !STREAM_EVENTS.contains(&k) && !RECEIPT_EVENT_KINDS.contains(&k) {
                return Err(Why::new(
                    "why.event_kind",
                    args!["kind" => format!("{k:?}"), "allowed" => STREAM_EVENTS.join(", ")],
                ));
            }
            kinds.push(k.to_owned());
        }
        Ok(Filter(Some(kinds)))
    }

    fn wants(&self, name: &str) -> bool {
        self.0.as_ref().is_none_or(|k| k.iter().any(|x| x == name))
    }

    /// A `tx` event is sent when `tx` is asked for or any of its receipt's
    /// events is.
    fn wants_receipt(&self, r: &Receipt) -> bool {
        self.wants("tx") || r.events.iter().any(|e| self.wants(&e.kind))
    }
}

/// Keeps a subscriber's slot and the gauge up for as long as its stream lives.
struct Slot {
    _permit: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Slot {
    fn new(permit: OwnedSemaphorePermit, metrics: Arc<Metrics>) -> Slot {
        metrics.sse_subscribers.inc();
        Slot { _permit: permit, metrics }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.metrics.sse_subscribers.dec();
    }
}

/// One subscriber's position in the chain.
struct Feed {
    ledger: Arc<Ledger>,
    rx: broadcast::Receiver<Arc<CommittedBlock>>,
    filter: Filter,
    /// Next height to send.
    next: Height,
    /// Heights `next..=replay_until` are read from the ledger before the channel.
    replay_until: Height,
    queue: VecDeque<SseEvent>,
    done: bool,
    /// Language of the `error` event's message.
    lang: Lang,
    _slot: Slot,
}

fn json<T: Serialize>(v: &T) -> String {
    // Our own data types always serialise.
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

impl Feed {
    /// Queues the events of one block; the last one carries the height as id.
    fn push(&mut self, b: &CommittedBlock) {
        let mut events: Vec<SseEvent> = Vec::new();
        if self.filter.wants("block") {
            let data = BlockEvent {
                height: b.height,
                hash: &b.hash,
                time_ms: b.time_ms,
                tx_count: b.receipts.len(),
                failed_count: b.receipts.iter().filter(|r| !r.is_success()).count(),
                evidence_count: b.evidence.len(),
                state_root: &b.state_root,
                proposer: &b.proposer,
            };
            events.push(SseEvent::default().event("block").data(json(&data)));
        }
        for r in b.receipts.iter().filter(|r| self.filter.wants_receipt(r)) {
            events.push(SseEvent::default().event("tx").data(json(r)));
        }
        if self.filter.wants("evidence") {
            for e in &b.evidence {
                events.push(SseEvent::default().event("evidence").data(json(e)));
            }
        }
        let last = events.len();
        for (i, e) in events.into_iter().enumerate() {
            self.queue.push_back(if i + 1 == last { e.id(b.height.to_string()) } else { e });
        }
        self.next = b.height + 1;
    }

    /// The next event; `None` ends the stream (node stopping or a ledger failure).
    async fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            if self.done {
                return None;
            }
            if self.next <= self.replay_until {
                let (from, to) = (self.next, self.replay_until.min(self.next + REPLAY_CHUNK - 1));
                let ledger = self.ledger.clone();
                let read = tokio::task::spawn_blocking(move || {
                    (from..=to).map(|h| CommittedBlock::read(&ledger, h)).collect::<ApiResult<Vec<_>>>()
                })
                .await;
                match read {
                    Ok(Ok(blocks)) => blocks.iter().for_each(|b| self.push(b)),
                    Ok(Err(e)) => self.fail(&e.message),
                    Err(e) => self.fail(&format!("ledger read task failed: {e}")),
                }
                continue;
            }
            match self.rx.recv().await {
                Ok(b) if b.height < self.next => {}
                Ok(b) if b.height == self.next => self.push(&b),
                // A gap (a commit published while nobody listened, or a
                // subscription racing a commit): read it from the ledger.
                Ok(b) => self.replay_until = b.height,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(target: "tamga::api", missed, next = self.next, "event subscriber lagged; catching up from the ledger");
                    let ledger = self.ledger.clone();
                    match tokio::task::spawn_blocking(move || ledger.height()).await {
                        Ok(Ok(h)) => self.replay_until = h,
                        Ok(Err(e)) => self.fail(&e.to_string()),
                        Err(e) => self.fail(&format!("ledger read task failed: {e}")),
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Sends an `error` event and ends the stream; the client reconnects
    /// with its `Last-Event-ID`.
    fn fail(&mut self, message: &str) {
        let body = ApiError::internal(message.to_owned());
        self.queue.push_back(SseEvent::default().event("error").data(json(&body.localized(self.lang))));
        self.done = true;
    }
}

/// Where a subscription starts: `Last-Event-ID: H` (resume after H) wins
/// over `?from_height=H` (start at H), as a browser reconnects with both.
fn start_height(headers: &HeaderMap, from_height: Option<Height>) -> ApiResult<Option<Height>> {
    if let Some(v) = headers.get("last-event-id") {
        let bad = |why: Why| {
            ApiError::bad_t(
                "BAD_PARAM",
                "Last-Event-ID",
                args!["param" => "Last-Event-ID", "value" => format!("{v:?}"), "why" => why],
            )
        };
        let s = v.to_str().map_err(|_| bad(Why::plain("why.ascii")))?;
        let h: Height = uint(s).map_err(bad)?;
        return Ok(Some(h.saturating_add(1)));
    }
    Ok(from_height)
}

/// `GET /v1/events[?kinds=a,b][&from_height=H]` (header `Last-Event-ID`).
pub async fn stream(
    State(ctx): State<ApiContext>,
    lang: Lang,
    headers: HeaderMap,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    let q = Params::new(q, &["kinds", "from_height"])?;
    let filter = q.get("kinds", Filter::parse)?.unwrap_or(Filter(None));
    let from_height: Option<Height> = q.get("from_height", |s| {
        uint::<Height>(s).and_then(|h| if h == 0 { Err(Why::plain("why.height_from_1")) } else { Ok(h) })
    })?;
    let start = start_height(&headers, from_height)?;
    let hub = &ctx.events;
    let permit = hub.permits.clone().try_acquire_owned().map_err(|_| {
        ApiError::t(
            StatusCode::SERVICE_UNAVAILABLE,
            "TOO_MANY_SUBSCRIBERS",
            "TOO_MANY_SUBSCRIBERS",
            args!["max" => hub.max.to_string()],
        )
    })?;
    let slot = Slot::new(permit, ctx.metrics.clone());
    // Subscribe BEFORE reading the height: a block committed in between is
    // then both in the ledger and in the channel, never in neither.
    let rx = hub.sender.subscribe();
    let ledger = ctx.ledger.clone();
    let committed = super::read(&ctx, |l| Ok(l.height()?)).await?;
    let next = start.unwrap_or(committed + 1);
    let feed = Feed {
        ledger,
        rx,
        filter,
        next,
        replay_until: committed,
        queue: VecDeque::new(),
        done: false,
        lang,
        _slot: slot,
    };
    let events = futures::stream::unfold(feed, |mut feed| async move {
        feed.next_event().await.map(|e| (Ok::<_, Infallible>(e), feed))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response())
}
