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
//! HTTP/1.1 only (as before: the API never offered HTTP/2).

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
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use super::limits::{ApiLimits, ClientKey, Held, PerClient, Refusal};
use super::{router, ApiContext};
use crate::metrics::Metrics;

/// The API server: a listener, the router and the connection bounds.
pub struct Server {
    listener: TcpListener,
    app: Router,
    limits: ApiLimits,
    connections: Arc<PerClient>,
    metrics: Arc<Metrics>,
}

impl Server {
    /// The server of `ctx`'s router on `listener`, bounded by `ctx.guards`' limits.
    pub fn new(listener: TcpListener, ctx: ApiContext) -> Server {
        let limits = ctx.guards.limits.clone();
        let connections = PerClient::new(limits.max_connections, limits.max_connections_per_ip);
        let metrics = ctx.metrics.clone();
        Server { listener, app: router(ctx), limits, connections, metrics }
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
    _held: Held,
}

impl Connection {
    async fn serve(self) {
        let Connection { stream, addr, app, limits, metrics, _held } = self;
        metrics.api_connections.inc();
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Metered { inner: stream, activity: activity.clone() });
        let busy_of = activity.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            let app = app.clone();
            let busy = Busy::new(busy_of.clone());
            async move {
                let resp = app.oneshot(req.map(Body::new)).await;
                drop(busy);
                resp
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(limits.connection_buffer_bytes.max(8192))
            .keep_alive(true);
        let conn = builder.serve_connection(io, service);
        tokio::pin!(conn);
        loop {
            let deadline = activity.last_io() + limits.idle_timeout;
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
                }
            }
        }
        metrics.api_connections.dec();
    }
}

/// When a connection last moved a byte, and how many of its requests are
/// being handled.
struct Activity {
    base: Instant,
    last_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity { base: Instant::now(), last_ms: AtomicU64::new(0), busy: AtomicUsize::new(0) }
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
        Busy(a)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
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
