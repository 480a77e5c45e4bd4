//! What bounds the API (STYLE principle 15: every listener is bounded).
//!
//! A validator faces the internet with the same process that signs votes:
//! file handles, memory and CPU that a client can take are handles, memory
//! and CPU the consensus does not have. Every resource a client can make
//! the API hold is bounded here, with the limits in `[api]` of
//! `config.toml` (`docs/operations.md`, "API limits"):
//!
//! | resource | bound | refusal |
//! | --- | --- | --- |
//! | connections | `max_connections` in all, `max_connections_per_ip` per address, checked at accept, before a byte is read | the socket is closed |
//! | socket memory | `connection_buffer_bytes` (hyper's buffers), `socket_send_buffer_bytes` (the kernel's) per connection | the server waits for the client |
//! | time | `header_read_timeout_ms` (also bounds an idle keep-alive wait for the next request), `body_read_timeout_ms`, `idle_timeout_ms` without a byte read or written | the connection is closed; a body too slow gets 408 `BODY_TIMEOUT` |
//! | requests in flight | `max_in_flight_requests` | 503 `OVERLOADED` |
//! | rate per address | `rate_limit_per_s`, `rate_limit_burst` | 429 `RATE_LIMITED` with `Retry-After` |
//! | body memory | [`BODY_LIMIT`] per request, `body_budget_bytes` for all bodies in flight together | 413 `BODY_TOO_LARGE`, 503 `BODY_BUDGET_EXHAUSTED` |
//! | event streams | `sse_max_subscribers`, `sse_max_subscribers_per_ip`, `sse_max_subscribers_per_account`, `sse_buffer_bytes` each; an account feed that lags is closed | 503 `TOO_MANY_SUBSCRIBERS`; `end` event `SUBSCRIBER_TOO_SLOW` |
//! | signed requests | `request_window_ms`, `replay_cache_entries` | 401 `REQUEST_EXPIRED`, `REQUEST_REPLAYED`; 503 `REPLAY_CACHE_FULL` |
//!
//! Addresses are counted per IPv4 address and per IPv6 /64 (one IPv6
//! subscriber holds a whole /64, so counting single addresses bounds nothing).
//!
//! The per-address rate limiter is written here rather than taken from
//! `tower_governor`: that crate keeps one entry per address it ever saw
//! until a background task prunes it (memory an address flood controls),
//! and answers in its own format, not the API's localized error body. This
//! one is a token bucket per address in a map of at most
//! `rate_limit_tracked_addresses` entries.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::sync::Semaphore;

use super::error::ApiError;
use super::i18n::args;
use super::replay::ReplayCache;
use super::{ApiContext, BODY_LIMIT};

/// Every limit of the API, as the server and the middleware use them
/// (`[api]` of `config.toml`; the defaults are sized for a process with
/// 1,024 file handles: see `docs/operations.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiLimits {
    /// Open connections, all addresses together.
    pub max_connections: usize,
    /// Open connections from one address (IPv4) or /64 (IPv6).
    pub max_connections_per_ip: usize,
    /// Longest wait for a request's complete head, counted from when the
    /// connection waits for it (so it also bounds an idle keep-alive).
    pub header_read_timeout: Duration,
    /// Longest time to receive a request's whole body.
    pub body_read_timeout: Duration,
    /// A connection with no request being handled that reads and writes
    /// nothing for this long is closed (a client that stopped reading its
    /// answer or its event stream).
    pub idle_timeout: Duration,
    /// Requests being handled at once; more are refused at once (503).
    pub max_in_flight_requests: usize,
    /// Requests per second one address may sustain.
    pub rate_limit_per_s: u32,
    /// Requests one address may send in a burst.
    pub rate_limit_burst: u32,
    /// Addresses the rate limiter tracks at once.
    pub rate_limit_tracked_addresses: usize,
    /// Bytes of request bodies held by all requests in flight together.
    pub body_budget_bytes: usize,
    /// Size of a connection's read and write buffers (hyper's `max_buf_size`).
    pub connection_buffer_bytes: usize,
    /// The kernel's send buffer of a connection (`SO_SNDBUF`): bounds the
    /// kernel memory a client that does not read can pin, and how much it
    /// takes before its writes stall.
    pub socket_send_buffer_bytes: usize,
    /// Concurrent `/v1/events` streams.
    pub sse_max_subscribers: usize,
    /// Concurrent `/v1/events` streams from one address or /64.
    pub sse_max_subscribers_per_ip: usize,
    /// Concurrent `/v1/events?account=` feeds of one account.
    pub sse_max_subscribers_per_account: usize,
    /// Bytes of events queued for one stream before it waits for its client.
    pub sse_buffer_bytes: usize,
    /// Interval of the keep-alive comment on an idle event stream.
    pub sse_keep_alive: Duration,
    /// Largest distance between a signed request's time and the node's clock.
    pub request_window_ms: u64,
    /// Signed requests remembered to refuse replays.
    pub replay_cache_entries: usize,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            max_connections: 256,
            max_connections_per_ip: 32,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_in_flight_requests: 128,
            rate_limit_per_s: 50,
            rate_limit_burst: 200,
            rate_limit_tracked_addresses: 16_384,
            body_budget_bytes: 32 * 1024 * 1024,
            connection_buffer_bytes: 64 * 1024,
            socket_send_buffer_bytes: 256 * 1024,
            sse_max_subscribers: super::events::MAX_SUBSCRIBERS,
            sse_max_subscribers_per_ip: 4,
            sse_max_subscribers_per_account: super::events::MAX_SUBSCRIBERS_PER_ACCOUNT,
            sse_buffer_bytes: 256 * 1024,
            sse_keep_alive: super::events::KEEP_ALIVE,
            request_window_ms: tamga_types::request::DEFAULT_WINDOW_MS,
            replay_cache_entries: 65_536,
        }
    }
}

/// What counts as one client: an IPv4 address, or an IPv6 /64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// An IPv4 address (also an IPv4-mapped IPv6 one).
    V4([u8; 4]),
    /// The first 64 bits of an IPv6 address.
    V6([u8; 8]),
}

impl ClientKey {
    /// The client `ip` belongs to.
    pub fn of(ip: IpAddr) -> ClientKey {
        match ip {
            IpAddr::V4(v4) => ClientKey::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::V4(v4.octets()),
                None => {
                    let o = v6.octets();
                    ClientKey::V6([o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]])
                }
            },
        }
    }
}

/// Counts of something per client, with a total and a per-client bound
/// (connections, event streams). A [`Held`] gives its unit back when dropped.
#[derive(Debug)]
pub struct PerClient {
    max: usize,
    max_per_client: usize,
    state: Mutex<(usize, HashMap<ClientKey, usize>)>,
}

/// Why [`PerClient::try_take`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The total bound is reached.
    Total(usize),
    /// The client's bound is reached.
    PerClient(usize),
}

impl PerClient {
    /// At most `max` in all and `max_per_client` per client.
    pub fn new(max: usize, max_per_client: usize) -> Arc<PerClient> {
        Arc::new(PerClient { max, max_per_client, state: Mutex::new((0, HashMap::new())) })
    }

    /// Takes one unit for `client` (`None`: unknown address, only the total counts).
    pub fn try_take(self: &Arc<Self>, client: Option<ClientKey>) -> Result<Held, Refusal> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.0 >= self.max {
            return Err(Refusal::Total(self.max));
        }
        if let Some(k) = client {
            let n = s.1.entry(k).or_insert(0);
            if *n >= self.max_per_client {
                return Err(Refusal::PerClient(self.max_per_client));
            }
            *n += 1;
        }
        s.0 += 1;
        Ok(Held { from: self.clone(), client })
    }

    /// Units held now.
    pub fn count(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).0
    }
}

/// One unit of a [`PerClient`] count, given back on drop.
#[derive(Debug)]
pub struct Held {
    from: Arc<PerClient>,
    client: Option<ClientKey>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut s = self.from.state.lock().unwrap_or_else(|p| p.into_inner());
        s.0 = s.0.saturating_sub(1);
        if let Some(k) = self.client {
            if let Some(n) = s.1.get_mut(&k) {
                *n -= 1;
                if *n == 0 {
                    s.1.remove(&k);
                }
            }
        }
    }
}

/// Token buckets per client, in a map of bounded size.
#[derive(Debug)]
pub struct RateLimiter {
    per_s: f64,
    burst: f64,
    max_tracked: usize,
    buckets: Mutex<HashMap<ClientKey, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_s` requests a second sustained, `burst` at once, at most
    /// `max_tracked` clients remembered.
    pub fn new(per_s: u32, burst: u32, max_tracked: usize) -> RateLimiter {
        RateLimiter {
            per_s: f64::from(per_s.max(1)),
            burst: f64::from(burst.max(1)),
            max_tracked: max_tracked.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client` at `now`; `Err(wait)` says how long until
    /// one is available.
    pub fn check(&self, client: ClientKey, now: Instant) -> Result<(), Duration> {
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !b.contains_key(&client) && b.len() >= self.max_tracked {
            // Forget the clients whose buckets are full again: they are
            // indistinguishable from clients never seen.
            let (per_s, burst) = (self.per_s, self.burst);
            b.retain(|_, (tokens, at)| *tokens + now.saturating_duration_since(*at).as_secs_f64() * per_s < burst);
            if b.len() >= self.max_tracked {
                // Every tracked client is still spending: a new one waits as
                // if its bucket were empty, rather than the map growing.
                return Err(Duration::from_secs_f64(1.0 / self.per_s));
            }
        }
        let (tokens, at) = b.entry(client).or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.per_s).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_s))
        }
    }

    /// Clients tracked now.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The shared state of the limits: built once per node from [`ApiLimits`].
#[derive(Debug)]
pub struct Guards {
    /// The limits.
    pub limits: ApiLimits,
    /// Per-address request rate.
    pub rate: RateLimiter,
    /// Bytes of request bodies in flight, all requests together.
    pub body_budget: Arc<Semaphore>,
    /// Requests being handled.
    pub in_flight: Arc<Semaphore>,
    /// Signed requests seen within the window.
    pub replay: ReplayCache,
}

impl Guards {
    /// The guards of `limits`.
    pub fn new(limits: ApiLimits) -> Arc<Guards> {
        Arc::new(Guards {
            rate: RateLimiter::new(
                limits.rate_limit_per_s,
                limits.rate_limit_burst,
                limits.rate_limit_tracked_addresses,
            ),
            body_budget: Arc::new(Semaphore::new(limits.body_budget_bytes.min(Semaphore::MAX_PERMITS))),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight_requests.max(1))),
            replay: ReplayCache::new(limits.replay_cache_entries),
            limits,
        })
    }
}

impl Default for Guards {
    fn default() -> Self {
        let limits = ApiLimits::default();
        Guards {
            rate: RateLimiter::new(
                limits.rate_limit_per_s,
                limits.rate_limit_burst,
                limits.rate_limit_tracked_addresses,
            ),
            body_budget: Arc::new(Semaphore::new(limits.body_budget_bytes)),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight_requests)),
            replay: ReplayCache::new(limits.replay_cache_entries),
            limits,
        }
    }
}

/// The client address of a request (from the server's connect info).
pub fn client_of(req: &Request) -> Option<SocketAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

fn with_retry_after(e: ApiError, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut resp = e.into_response();
    resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
    resp
}

/// Middleware: per-address rate limit (429 `RATE_LIMITED`, `Retry-After`),
/// then the bound on requests in flight (503 `OVERLOADED`). The in-flight
/// permit is held until the handler has answered (an event stream's
/// lifetime is bounded by `sse_max_subscribers` instead).
pub async fn admit(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let g = &ctx.guards;
    if let Some(addr) = client_of(&req) {
        if let Err(wait) = g.rate.check(ClientKey::of(addr.ip()), Instant::now()) {
            ctx.metrics.api_refused("RATE_LIMITED");
            let args = args![
                "ip" => addr.ip().to_string(),
                "rate" => g.limits.rate_limit_per_s.to_string(),
                "burst" => g.limits.rate_limit_burst.to_string(),
                "retry" => wait.as_millis().max(1).to_string(),
            ];
            return with_retry_after(
                ApiError::t(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", "RATE_LIMITED", args),
                wait,
            );
        }
    }
    let Ok(_permit) = g.in_flight.clone().try_acquire_owned() else {
        ctx.metrics.api_refused("OVERLOADED");
        let args = args!["max" => g.limits.max_in_flight_requests.to_string()];
        let e = ApiError::t(StatusCode::SERVICE_UNAVAILABLE, "OVERLOADED", "OVERLOADED", args);
        return with_retry_after(e, Duration::from_secs(1));
    };
    next.run(req).await
}

/// Middleware: reads the request body into memory, within [`BODY_LIMIT`],
/// `body_read_timeout` and the budget for all bodies in flight, and holds
/// its share of the budget until the answer is ready. Handlers below see a
/// body already in memory.
pub async fn buffer_body(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let g = &ctx.guards;
    let (parts, body) = req.into_parts();
    let hint = body.size_hint();
    if hint.exact() == Some(0) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let too_large = || {
        ApiError::t(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            "BODY_TOO_LARGE",
            args!["limit" => BODY_LIMIT.to_string()],
        )
        .into_response()
    };
    let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) || hint.lower() > BODY_LIMIT as u64 {
        return too_large();
    }
    let budget = g.body_budget.clone();
    let exhausted = |want: usize| {
        ctx.metrics.api_refused("BODY_BUDGET_EXHAUSTED");
        let args = args![
            "size" => want.to_string(),
            "budget" => g.limits.body_budget_bytes.to_string(),
        ];
        with_retry_after(
            ApiError::t(StatusCode::SERVICE_UNAVAILABLE, "BODY_BUDGET_EXHAUSTED", "BODY_BUDGET_EXHAUSTED", args),
            Duration::from_secs(1),
        )
    };
    // Reserve what the client declares before reading a byte of it; a body
    // without a length takes its share chunk by chunk.
    let reserve = declared.map(|n| n as usize).unwrap_or(0);
    let Ok(mut held) = budget.clone().try_acquire_many_owned(reserve as u32) else {
        return exhausted(reserve);
    };
    let timeout = g.limits.body_read_timeout;
    let read = async {
        let mut chunks = body.into_data_stream();
        let mut buf = Vec::with_capacity(reserve);
        while let Some(chunk) = chunks.next().await {
            let data = chunk.map_err(|e| {
                ApiError::t(StatusCode::BAD_REQUEST, "BAD_BODY", "BAD_BODY", args!["detail" => e.to_string()])
                    .into_response()
            })?;
            if buf.len() + data.len() > BODY_LIMIT {
                return Err(too_large());
            }
            let want = (buf.len() + data.len()).saturating_sub(held.num_permits());
            if want > 0 {
                match budget.clone().try_acquire_many_owned(want as u32) {
                    Ok(more) => held.merge(more),
                    Err(_) => return Err(exhausted(buf.len() + data.len())),
                }
            }
            buf.extend_from_slice(&data);
        }
        Ok(buf)
    };
    let bytes = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(resp)) => return resp,
        Err(_) => {
            ctx.metrics.api_refused("BODY_TIMEOUT");
            let args = args!["ms" => timeout.as_millis().to_string()];
            let mut resp =
                ApiError::t(StatusCode::REQUEST_TIMEOUT, "BODY_TIMEOUT", "BODY_TIMEOUT", args).into_response();
            resp.headers_mut().insert(axum::http::header::CONNECTION, HeaderValue::from_static("close"));
            return resp;
        }
    };
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    drop(held);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_their_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientKey::of(a), ClientKey::of(b));
        assert_ne!(ClientKey::of(a), ClientKey::of(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(ClientKey::of(mapped), ClientKey::of("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn per_client_counts_bound_both_and_give_back() {
        let p = PerClient::new(3, 2);
        let a = Some(ClientKey::V4([1, 1, 1, 1]));
        let b = Some(ClientKey::V4([2, 2, 2, 2]));
        let a1 = p.try_take(a).unwrap();
        let _a2 = p.try_take(a).unwrap();
        assert_eq!(p.try_take(a).unwrap_err(), Refusal::PerClient(2));
        let _b1 = p.try_take(b).unwrap();
        assert_eq!(p.try_take(b).unwrap_err(), Refusal::Total(3));
        drop(a1);
        assert_eq!(p.count(), 2);
        let _a3 = p.try_take(a).unwrap();
        assert_eq!(p.count(), 3);
    }

    #[test]
    fn rate_limiter_refills_and_bounds_its_map() {
        let r = RateLimiter::new(10, 3, 2);
        let t0 = Instant::now();
        let a = ClientKey::V4([1, 0, 0, 1]);
        for _ in 0..3 {
            r.check(a, t0).unwrap();
        }
        let wait = r.check(a, t0).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(100), "{wait:?}");
        r.check(a, t0 + Duration::from_millis(100)).unwrap();
        let b = ClientKey::V4([1, 0, 0, 2]);
        for _ in 0..3 {
            r.check(b, t0).unwrap();
        }
        // The map is full of clients still spending: a third one waits.
        let c = ClientKey::V4([1, 0, 0, 3]);
        assert!(r.check(c, t0 + Duration::from_millis(100)).is_err());
        assert_eq!(r.tracked(), 2);
        // Once the others' buckets are full again they are forgotten.
        r.check(c, t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(r.tracked(), 1);
    }
}
