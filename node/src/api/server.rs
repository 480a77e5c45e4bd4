//! The API's HTTP server: its own accept loop over hyper's HTTP/1
//! connection, so that every connection is bounded ([`super::limits`]).
//!
//! * **At accept**, before a byte is read: a connection past
//!   `max_connections`, or past `max_connections_per_ip` for its address,
//!   is closed at once. An accept error (out of file handles among them)
//!   pauses the loop briefly instead of spinning or stopping it.
//! * **Header read** (hyper's `header_read_timeout`): the whole request
//!   head must arrive within `header_read_timeout` of the moment hyper
//!   waits for it. hyper starts that timer when it waits for the next
//!   request, so the same bound closes an idle keep-alive connection and a
//!   slowloris client sending its head a byte at a time.
//! * **Body read**: `body_read_timeout`, in [`super::limits::buffer_body`].
//! * **Idle**: a connection with no request being handled that reads and
//!   writes nothing for `idle_timeout` is closed — a client that stopped
//!   reading its answer or its event stream (its writes stall once the
//!   socket buffers are full). Dropping the connection frees its buffers,
//!   its response body and the event stream's queue.
//! * Each connection's read and write buffers are at most
//!   `connection_buffer_bytes` (hyper's `max_buf_size`), and its kernel send
//!   buffer `socket_send_buffer_bytes` (`SO_SNDBUF`, which Linux doubles and
//!   no longer grows by itself): a client that does not read pins that much
//!   kernel memory at most, and its writes stall once it is full.
//!
//! * **TLS** (`[api.tls]`, [`super::tls`]): the handshake runs on the
//!   connection's own task, inside the connection count, and must finish
//!   within `api.tls.handshake_timeout_ms`. ALPN picks HTTP/2 (`h2`) or
//!   HTTP/1.1; plain connections speak HTTP/1.1.
//! * **HTTP/2**: at most `api.tls.http2_max_concurrent_streams` requests at
//!   once per connection; header lists, send buffers and the connection's
//!   receive window are at most `connection_buffer_bytes`. hyper has no
//!   head-read timer for HTTP/2, so the loop below closes an HTTP/2
//!   connection on which no request is being handled and none started for
//!   `header_read_timeout` — the bound HTTP/1.1 keep-alive gets from hyper.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use super::limits::{ApiLimits, ClientKey, Held, PerClient, Refusal};
use super::tls::{ClientCert, Reloadable, Transport};
use super::{router, ApiContext};
use crate::metrics::Metrics;

/// The API server: a listener, the router and the connection bounds.
pub struct Server {
    listener: TcpListener,
    app: Router,
    limits: ApiLimits,
    connections: Arc<PerClient>,
    metrics: Arc<Metrics>,
    tls: Option<Arc<TlsServing>>,
}

/// TLS as the server applies it.
#[derive(Debug)]
pub struct TlsServing {
    /// The configuration, reloadable.
    pub config: Arc<Reloadable>,
    /// Longest handshake.
    pub handshake_timeout: Duration,
    /// Requests at once on one HTTP/2 connection.
    pub http2_max_concurrent_streams: u32,
}

impl Server {
    /// The server of `ctx`'s router on `listener`, bounded by `ctx.guards`' limits.
    pub fn new(listener: TcpListener, ctx: ApiContext) -> Server {
        let limits = ctx.guards.limits.clone();
        let connections = PerClient::new(limits.max_connections, limits.max_connections_per_ip);
        let metrics = ctx.metrics.clone();
        Server { listener, app: router(ctx), limits, connections, metrics, tls: None }
    }

    /// Serves TLS (HTTP/2 and HTTP/1.1) instead of plain HTTP/1.1.
    pub fn with_tls(mut self, tls: TlsServing) -> Server {
        self.tls = Some(Arc::new(tls));
        self
    }

    /// Wraps the whole router (every route) in `wrap`: for guards that the
    /// node adds around the API, such as the `/metrics` access rule.
    pub fn wrap(mut self, wrap: impl FnOnce(Router) -> Router) -> Server {
        self.app = wrap(self.app);
        self
    }

    /// The open connections (for tests and the status of the node).
    pub fn connections(&self) -> Arc<PerClient> {
        self.connections.clone()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts and serves connections until the task is dropped.
    pub async fn run(self) {
        let mut last_warning: Option<Instant> = None;
        loop {
            let (stream, addr) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // EMFILE/ENFILE and friends: the process (or system) is out
                    // of handles. Pause rather than spin; warn at most every 10 s.
                    if last_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                        tracing::warn!(target: "tamga::api", error = %e, "cannot accept an API connection; pausing the accept loop");
                        last_warning = Some(Instant::now());
                    }
                    self.metrics.api_refused("accept_error");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let held = match self.connections.try_take(Some(ClientKey::of(addr.ip()))) {
                Ok(h) => h,
                Err(refusal) => {
                    // Closed before a byte is read: the handle is given back now.
                    drop(stream);
                    let code = match refusal {
                        Refusal::Total(_) => "connection_limit",
                        Refusal::PerClient(_) => "connection_limit_per_ip",
                    };
                    self.metrics.api_refused(code);
                    tracing::debug!(target: "tamga::api", %addr, ?refusal, "API connection refused");
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            if let Err(e) = socket2::SockRef::from(&stream).set_send_buffer_size(self.limits.socket_send_buffer_bytes) {
                tracing::debug!(target: "tamga::api", %addr, error = %e, "cannot set the connection's send buffer");
            }
            let conn = Connection {
                stream,
                addr,
                app: self.app.clone(),
                limits: self.limits.clone(),
                metrics: self.metrics.clone(),
                tls: self.tls.clone(),
                _held: held,
            };
            tokio::spawn(conn.serve());
        }
    }
}

/// One accepted connection and the unit of the connection count it holds.
struct Connection {
    stream: TcpStream,
    addr: SocketAddr,
    app: Router,
    limits: ApiLimits,
    metrics: Arc<Metrics>,
    tls: Option<Arc<TlsServing>>,
    _held: Held,
}

/// The protocol a connection speaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Http1,
    Http2,
}

impl Connection {
    async fn serve(self) {
        let Connection { stream, addr, app, limits, metrics, tls, _held } = self;
        metrics.api_connections.inc();
        let activity = Arc::new(Activity::new());
        let metered = Metered { inner: stream, activity: activity.clone() };
        match tls {
            None => {
                let on = Served { addr, app, limits, metrics: metrics.clone(), activity, transport: Transport::Plain };
                on.run(metered, Protocol::Http1, 0).await;
            }
            Some(tls) => {
                let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.config());
                match tokio::time::timeout(tls.handshake_timeout, acceptor.accept(metered)).await {
                    Err(_) => {
                        metrics.api_refused("tls_handshake_timeout");
                        tracing::debug!(target: "tamga::api", %addr, "TLS handshake timed out: closed");
                    }
                    Ok(Err(e)) => {
                        // A client certificate of another CA, an expired one, a
                        // client that does not trust ours, plain HTTP on the TLS port.
                        metrics.api_refused("tls_handshake");
                        tracing::debug!(target: "tamga::api", %addr, error = %e, "TLS handshake failed");
                    }
                    Ok(Ok(stream)) => {
                        let session = stream.get_ref().1;
                        let protocol =
                            if session.alpn_protocol() == Some(b"h2") { Protocol::Http2 } else { Protocol::Http1 };
                        let client = session
                            .peer_certificates()
                            .and_then(|c| c.first())
                            .and_then(super::tls::subject_of)
                            .map(|subject| ClientCert { subject });
                        let transport = Transport::Tls { client_auth: tls.config.client_auth(), client };
                        let on = Served { addr, app, limits, metrics: metrics.clone(), activity, transport };
                        let streams = tls.http2_max_concurrent_streams;
                        on.run(stream, protocol, streams).await;
                    }
                }
            }
        }
        metrics.api_connections.dec();
    }
}

/// A connection past its handshake, serving requests.
struct Served {
    addr: SocketAddr,
    app: Router,
    limits: ApiLimits,
    metrics: Arc<Metrics>,
    activity: Arc<Activity>,
    transport: Transport,
}

impl Served {
    /// Serves `io` in `protocol` (`http2_streams`: HTTP/2's concurrent requests).
    async fn run<I>(self, io: I, protocol: Protocol, http2_streams: u32)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Served { addr, app, limits, metrics, activity, transport } = self;
        // The request-head bound counts from here, not from the accept: the
        // handshake had its own.
        activity.touch_request();
        let io = TokioIo::new(io);
        let busy_of = activity.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            req.extensions_mut().insert(transport.clone());
            let app = app.clone();
            let busy = Busy::new(busy_of.clone());
            async move {
                let resp = app.oneshot(req.map(Body::new)).await;
                drop(busy);
                resp
            }
        });
        let buffer = limits.connection_buffer_bytes.max(8192);
        match protocol {
            Protocol::Http1 => {
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_read_timeout)
                    .max_buf_size(buffer)
                    .keep_alive(true);
                let conn = builder.serve_connection(io, service);
                drive(conn, addr, &limits, &metrics, &activity, None).await;
            }
            Protocol::Http2 => {
                let window = u32::try_from(buffer).unwrap_or(u32::MAX);
                let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
                builder
                    .timer(TokioTimer::new())
                    .max_concurrent_streams(http2_streams)
                    .max_header_list_size(window)
                    .max_send_buf_size(buffer)
                    .initial_connection_window_size(window)
                    .initial_stream_window_size(window.min(65_535))
                    .max_frame_size(16_384);
                let conn = builder.serve_connection(io, service);
                drive(conn, addr, &limits, &metrics, &activity, Some(limits.header_read_timeout)).await;
            }
        }
    }
}

/// Runs a hyper connection until it ends or the connection is idle:
/// nothing read or written for `idle_timeout` with no request being
/// handled, or (`no_request`, HTTP/2) no request handled or started for
/// that long.
async fn drive<F>(
    conn: F,
    addr: SocketAddr,
    limits: &ApiLimits,
    metrics: &Metrics,
    activity: &Activity,
    no_request: Option<Duration>,
) where
    F: std::future::Future<Output = Result<(), hyper::Error>>,
{
    tokio::pin!(conn);
    loop {
        let mut deadline = activity.last_io() + limits.idle_timeout;
        if let Some(t) = no_request {
            deadline = deadline.min(activity.last_request() + t);
        }
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    if e.is_timeout() {
                        metrics.api_refused("header_timeout");
                    }
                    tracing::debug!(target: "tamga::api", %addr, error = %e, "API connection ended");
                }
                break;
            }
            _ = tokio::time::sleep_until(deadline.into()) => {
                if activity.is_idle(limits.idle_timeout) {
                    metrics.api_refused("idle_timeout");
                    tracing::debug!(target: "tamga::api", %addr, "API connection idle (nothing read or written): closed");
                    break;
                }
                if no_request.is_some_and(|t| activity.is_without_requests(t)) {
                    metrics.api_refused("header_timeout");
                    tracing::debug!(target: "tamga::api", %addr, "HTTP/2 connection without a request: closed");
                    break;
                }
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are
/// being handled.
struct Activity {
    base: Instant,
    last_ms: AtomicU64,
    /// When a request last started or ended.
    last_request_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            base: Instant::now(),
            last_ms: AtomicU64::new(0),
            last_request_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
        }
    }

    fn touch_request(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last_request_ms.fetch_max(ms, Ordering::Relaxed);
    }

    fn last_request(&self) -> Instant {
        self.base + Duration::from_millis(self.last_request_ms.load(Ordering::Relaxed))
    }

    fn is_without_requests(&self, timeout: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) == 0 && self.last_request().elapsed() >= timeout
    }

    fn touch(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last_ms.fetch_max(ms, Ordering::Relaxed);
    }

    fn last_io(&self) -> Instant {
        self.base + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }

    fn is_idle(&self, timeout: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) == 0 && self.last_io().elapsed() >= timeout
    }
}

/// A request being handled (its connection is not idle meanwhile).
struct Busy(Arc<Activity>);

impl Busy {
    fn new(a: Arc<Activity>) -> Busy {
        a.busy.fetch_add(1, Ordering::Relaxed);
        a.touch_request();
        Busy(a)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
        self.0.touch_request();
    }
}

/// A socket that records when it last read or wrote a byte.
struct Metered {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Metered {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Metered {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
