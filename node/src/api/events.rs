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
//! What a subscriber can hold is bounded (`[api]`, `api::limits`):
//!
//! * the number of concurrent subscribers, in all (`sse_max_subscribers`)
//!   and per client address (`sse_max_subscribers_per_ip`): 503
//!   `TOO_MANY_SUBSCRIBERS` past either; the `tamga_api_sse_subscribers`
//!   gauge counts them;
//! * a subscriber's buffer: the events queued for it are refilled only once
//!   it has taken them all, and a refill from the ledger (the replay of
//!   `from_height`, or a catch-up after lagging) reads blocks one blocking
//!   call at a time until `sse_buffer_bytes` of events are queued (at least
//!   one block, at most [`REPLAY_CHUNK`]) — never a whole history at once;
//! * a subscriber that does not read: its events wait in its queue and the
//!   connection's write buffer, its socket fills, its writes stall, and
//!   the server closes the connection after `idle_timeout` without
//!   progress (`api::server`), dropping the queue with it.
//!
//! An idle stream gets a keep-alive comment every `sse_keep_alive_ms`
//! (15 s by default), well within `idle_timeout`.
//!
//! ## One account's feed: `?account=KEY`
//!
//! Law on Informatization art. 36 p.6: the holder is informed of what others
//! or the ledger do to its holding. With `account`, the stream sends one
//! `account_event` per receipt event that concerns the account (which ones:
//! [`super::feed`], `docs/api.md`), the last of a block carrying the height
//! as id, resumable with `Last-Event-ID` like the full stream. Its blocks
//! are always read from the ledger (deciding what concerns an account may
//! read the state: the blocking pool, never a runtime worker). Further:
//!
//! * when reads are closed (`public_read = false`), only the account itself
//!   (a request it signed) or a regulator may open it: 403
//!   `ACCOUNT_FEED_FORBIDDEN` for anyone else;
//! * at most `sse_max_subscribers_per_account` feeds of one account are
//!   open at once: 503 `TOO_MANY_SUBSCRIBERS`;
//! * a feed that falls behind the channel is not caught up: it gets an
//!   `end` event (`SUBSCRIBER_TOO_SLOW`, with the height to resume after as
//!   its id) and the stream closes, so a slow reader holds nothing; the
//!   client reconnects with `Last-Event-ID` and misses nothing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Serialize;
use tamga_state::Ledger;
use tamga_types::{Hash, Height, PublicKey, Receipt};
use tokio::sync::broadcast;

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::feed::{self, AccountEvent, AccountSlot, PerAccount, Subject};
use super::i18n::{args, Lang, Why};
use super::limits::{ApiLimits, ClientKey, Held, PerClient, Refusal};
use super::query::{uint, Params};
use super::ApiContext;
pub use crate::committed::{CommittedBlock, EvidenceSummary};
use crate::metrics::Metrics;

/// Default bound on concurrent `/v1/events` subscribers.
pub const MAX_SUBSCRIBERS: usize = 64;

/// Blocks the broadcast channel holds for a slow subscriber before it lags
/// (and catches up from the ledger instead).
pub const CHANNEL_BLOCKS: usize = 256;

/// Interval of the keep-alive comment on an idle stream.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Most blocks read from the ledger per blocking call while replaying
/// (fewer when their events pass the subscriber's buffer bytes first).
pub const REPLAY_CHUNK: u64 = 32;

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
    "class_paused",
    "restriction_lifted",
    "class_closed",
    "terms_published",
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
    "validators_left",
    "validators_kept",
    "parameter_changed",
];

/// The stream's own event names.
pub const STREAM_EVENTS: &[&str] = &["block", "tx", "evidence"];

/// Default bound on the open feeds of one account (`?account=`).
pub const MAX_SUBSCRIBERS_PER_ACCOUNT: usize = 2;

impl CommittedBlock {
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

/// The channel between the driver and the subscribers, and the bounds on
/// subscribers.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<CommittedBlock>>,
    subscribers: Arc<PerClient>,
    per_account: Arc<PerAccount>,
    max: usize,
    max_per_ip: usize,
    buffer_bytes: usize,
    keep_alive: Duration,
}

impl EventHub {
    /// A hub admitting at most `max_subscribers` concurrent streams (any
    /// number of them from one address), other bounds at their defaults.
    pub fn new(max_subscribers: usize) -> EventHub {
        EventHub::with_capacity(max_subscribers, CHANNEL_BLOCKS)
    }

    /// A hub whose channel holds `blocks` blocks for a slow subscriber.
    pub fn with_capacity(max_subscribers: usize, blocks: usize) -> EventHub {
        let d = ApiLimits::default();
        let limits =
            ApiLimits { sse_max_subscribers: max_subscribers, sse_max_subscribers_per_ip: max_subscribers, ..d };
        EventHub::build(&limits, blocks)
    }

    /// The hub of the node's `[api]` limits.
    pub fn with_limits(limits: &ApiLimits) -> EventHub {
        EventHub::build(limits, CHANNEL_BLOCKS)
    }

    fn build(l: &ApiLimits, blocks: usize) -> EventHub {
        let (sender, _) = broadcast::channel(blocks.max(1));
        EventHub {
            sender,
            subscribers: PerClient::new(l.sse_max_subscribers, l.sse_max_subscribers_per_ip),
            per_account: PerAccount::new(l.sse_max_subscribers_per_account),
            max: l.sse_max_subscribers,
            max_per_ip: l.sse_max_subscribers_per_ip,
            buffer_bytes: l.sse_buffer_bytes.max(1),
            keep_alive: l.sse_keep_alive,
        }
    }

    /// The sending side, for the driver. `send` never blocks; an `Err`
    /// only means nobody listens.
    pub fn sender(&self) -> broadcast::Sender<Arc<CommittedBlock>> {
        self.sender.clone()
    }

    /// Streams open now.
    pub fn subscribers(&self) -> usize {
        self.subscribers.count()
    }

    /// Feeds of `account` open now.
    pub fn account_subscribers(&self, account: &PublicKey) -> usize {
        self.per_account.count(account)
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
    _held: Held,
    metrics: Arc<Metrics>,
}

impl Slot {
    fn new(held: Held, metrics: Arc<Metrics>) -> Slot {
        metrics.sse_subscribers.inc();
        Slot { _held: held, metrics }
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
    /// The account followed (`?account=`); `None`: the whole chain.
    subject: Option<Subject>,
    /// Next height to send.
    next: Height,
    /// Heights `next..=replay_until` are read from the ledger before the channel.
    replay_until: Height,
    /// Events ready to send: refilled only when empty, with at most about
    /// `buffer_bytes` of events (at least one block's).
    queue: VecDeque<SseEvent>,
    buffer_bytes: usize,
    done: bool,
    /// Language of the `error` event's message.
    lang: Lang,
    _slot: Slot,
    _account_slot: Option<AccountSlot>,
}

fn json<T: Serialize>(v: &T) -> String {
    // Our own data types always serialise.
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The events `filter` wants of block `b`, the last one carrying the
/// height as id, and their size in bytes.
fn block_events(filter: &Filter, lang: Lang, b: &CommittedBlock) -> (Vec<SseEvent>, usize) {
    let mut events: Vec<(&'static str, String)> = Vec::new();
    if filter.wants("block") {
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
        events.push(("block", json(&data)));
    }
    for r in b.receipts.iter().filter(|r| filter.wants_receipt(r)) {
        // With a failed outcome's message in the stream's language.
        let mut v = serde_json::to_value(r).unwrap_or_default();
        super::localize::render_outcomes(&mut v, lang);
        events.push(("tx", json(&v)));
    }
    if filter.wants("evidence") {
        for e in &b.evidence {
            events.push(("evidence", json(e)));
        }
    }
    let bytes = events.iter().map(|(_, d)| d.len() + 32).sum();
    let last = events.len();
    let events = events
        .into_iter()
        .enumerate()
        .map(|(i, (name, data))| {
            let e = SseEvent::default().event(name).data(data);
            if i + 1 == last {
                e.id(b.height.to_string())
            } else {
                e
            }
        })
        .collect();
    (events, bytes)
}

/// The `account_event`s of block `b` for `s` that `filter` wants (it
/// names receipt event kinds), the last carrying the height as id, and
/// their size in bytes.
fn account_events(
    ledger: &Ledger,
    filter: &Filter,
    s: &Subject,
    b: &CommittedBlock,
) -> ApiResult<(Vec<SseEvent>, usize)> {
    let mut data = Vec::new();
    for r in b.receipts.iter().filter(|r| r.is_success()) {
        for (event, role) in feed::of_receipt(ledger, s, r)? {
            if filter.0.is_some() && !filter.wants(&event.kind) {
                continue;
            }
            data.push(json(&AccountEvent {
                account: &s.key,
                height: b.height,
                tx_hash: &r.tx_hash,
                index: r.index,
                block_time_ms: r.block_time_ms,
                event,
                role,
            }));
        }
    }
    let bytes = data.iter().map(|d| d.len() + 32).sum();
    let last = data.len();
    let events = data
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let e = SseEvent::default().event("account_event").data(d);
            if i + 1 == last {
                e.id(b.height.to_string())
            } else {
                e
            }
        })
        .collect();
    Ok((events, bytes))
}

/// Reads blocks `from..=until` from the ledger until their events pass
/// `budget` bytes (at least one block, at most [`REPLAY_CHUNK`]); returns
/// the events and the next height to read.
fn read_chunk(
    ledger: &Ledger,
    filter: &Filter,
    subject: Option<&Subject>,
    lang: Lang,
    from: Height,
    until: Height,
    budget: usize,
) -> ApiResult<(Vec<SseEvent>, Height)> {
    let mut out = Vec::new();
    let (mut bytes, mut h) = (0usize, from);
    while h <= until && h < from + REPLAY_CHUNK && (h == from || bytes < budget) {
        let b = CommittedBlock::read(ledger, h)?;
        let (events, n) = match subject {
            Some(s) => account_events(ledger, filter, s, &b)?,
            None => block_events(filter, lang, &b),
        };
        out.extend(events);
        bytes += n;
        h += 1;
    }
    Ok((out, h))
}

impl Feed {
    /// Queues the events of one block.
    fn push(&mut self, b: &CommittedBlock) {
        self.queue.extend(block_events(&self.filter, self.lang, b).0);
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
                let (from, until, budget) = (self.next, self.replay_until, self.buffer_bytes);
                let (ledger, filter, subject, lang) =
                    (self.ledger.clone(), self.filter.clone(), self.subject, self.lang);
                let read = tokio::task::spawn_blocking(move || {
                    read_chunk(&ledger, &filter, subject.as_ref(), lang, from, until, budget)
                })
                .await;
                match read {
                    Ok(Ok((events, next))) => {
                        self.queue.extend(events);
                        self.next = next;
                    }
                    Ok(Err(e)) => self.fail(&e.message),
                    Err(e) => self.fail(&format!("ledger read task failed: {e}")),
                }
                continue;
            }
            match self.rx.recv().await {
                Ok(b) if b.height < self.next => {}
                // An account's feed reads every block from the ledger.
                Ok(b) if b.height == self.next && self.subject.is_none() => self.push(&b),
                // A gap (a commit published while nobody listened, or a
                // subscription racing a commit): read it from the ledger.
                Ok(b) => self.replay_until = b.height,
                Err(broadcast::error::RecvError::Lagged(missed)) if self.subject.is_some() => self.too_slow(missed),
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

    /// An account's feed fell `missed` blocks behind the channel: an `end`
    /// event whose id is the last height sent whole, and the stream closes
    /// (the client resumes with `Last-Event-ID`).
    fn too_slow(&mut self, missed: u64) {
        let done = self.next.saturating_sub(1);
        tracing::debug!(target: "tamga::api", missed, resume_after = done, "account feed too slow; closing it");
        let body = ApiError::t(
            StatusCode::SERVICE_UNAVAILABLE,
            "SUBSCRIBER_TOO_SLOW",
            "SUBSCRIBER_TOO_SLOW",
            args!["missed" => missed.to_string(), "height" => done.to_string()],
        );
        let mut e = SseEvent::default().event("end").data(json(&body.localized(self.lang)));
        if done > 0 {
            e = e.id(done.to_string());
        }
        self.queue.push_back(e);
        self.done = true;
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

/// The account a feed follows, checked against who asks: when reads are
/// closed, only the account itself or a regulator (Law on Informatization
/// art. 36 p.6; SPEC §12).
async fn subject_of(ctx: &ApiContext, key: PublicKey, caller: Option<&Caller>) -> ApiResult<Subject> {
    if !ctx.read_policy.public_read {
        let own = caller.and_then(|c| c.signer.as_ref()).is_some_and(|s| s.key == key);
        if !own && !caller.is_some_and(Caller::is_regulator) {
            let who = caller.map(Caller::who).unwrap_or_else(|| "anonymous".to_owned());
            return Err(ApiError::t(
                StatusCode::FORBIDDEN,
                "ACCOUNT_FEED_FORBIDDEN",
                "ACCOUNT_FEED_FORBIDDEN",
                args!["account" => key.to_string(), "who" => who],
            )
            .field("account"));
        }
    }
    super::read(ctx, move |l| {
        let a = l
            .account(&key)?
            .ok_or_else(|| ApiError::not_found_t("ACCOUNT_NOT_FOUND", args!["key" => key.to_string()]))?;
        Ok(Subject { key, party: a.party })
    })
    .await
}

/// `GET /v1/events[?kinds=a,b][&from_height=H][&account=KEY]` (header `Last-Event-ID`).
pub async fn stream(
    State(ctx): State<ApiContext>,
    lang: Lang,
    headers: HeaderMap,
    caller: Option<Extension<Caller>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    let q = Params::new(q, &["kinds", "from_height", "account"])?;
    let filter = q.get("kinds", Filter::parse)?.unwrap_or(Filter(None));
    let from_height: Option<Height> = q.get("from_height", |s| {
        uint::<Height>(s).and_then(|h| if h == 0 { Err(Why::plain("why.height_from_1")) } else { Ok(h) })
    })?;
    let account = q.get("account", |s| {
        PublicKey::from_hex(s).map_err(|e| Why::new("why.hex", args!["detail" => e.to_string()]))
    })?;
    let start = start_height(&headers, from_height)?;
    let hub = &ctx.events;
    let caller = caller.map(|Extension(c)| c);
    let subject = match account {
        Some(key) => Some(subject_of(&ctx, key, caller.as_ref()).await?),
        None => None,
    };
    let account_slot = match &subject {
        Some(s) => Some(hub.per_account.try_take(s.key).ok_or_else(|| {
            ApiError::t(
                StatusCode::SERVICE_UNAVAILABLE,
                "TOO_MANY_SUBSCRIBERS",
                "TOO_MANY_SUBSCRIBERS.per_account",
                args!["max" => hub.per_account.max().to_string(), "account" => s.key.to_string()],
            )
        })?),
        None => None,
    };
    let addr = caller.and_then(|c| c.addr);
    let held = hub.subscribers.try_take(addr.map(|a| ClientKey::of(a.ip()))).map_err(|refusal| {
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        match refusal {
            Refusal::Total(_) => ApiError::t(
                unavailable,
                "TOO_MANY_SUBSCRIBERS",
                "TOO_MANY_SUBSCRIBERS",
                args!["max" => hub.max.to_string()],
            ),
            Refusal::PerClient(_) => ApiError::t(
                unavailable,
                "TOO_MANY_SUBSCRIBERS",
                "TOO_MANY_SUBSCRIBERS.per_ip",
                args![
                    "max" => hub.max_per_ip.to_string(),
                    "ip" => addr.map(|a| a.ip().to_string()).unwrap_or_default(),
                ],
            ),
        }
    })?;
    let slot = Slot::new(held, ctx.metrics.clone());
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
        subject,
        next,
        replay_until: committed,
        queue: VecDeque::new(),
        buffer_bytes: hub.buffer_bytes,
        done: false,
        lang,
        _slot: slot,
        _account_slot: account_slot,
    };
    let events = futures::stream::unfold(feed, |mut feed| async move {
        feed.next_event().await.map(|e| (Ok::<_, Infallible>(e), feed))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(hub.keep_alive)).into_response())
}
