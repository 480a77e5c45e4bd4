//! The indexer's metrics (Prometheus text format 0.0.4) and the small
//! listener that serves them on `--metrics ADDR` at any path. The listener
//! is bounded like the node's (STYLE principle 15): at most
//! `--metrics-max-connections` connections at once (others are closed at
//! once), each given [`CONN_TIMEOUT`] to send a request of at most
//! [`MAX_REQUEST_BYTES`] and read the answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Time a metrics connection may take in all.
pub const CONN_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest request head read.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// The indexer's progress counters.
#[derive(Debug)]
pub struct Metrics {
    height: AtomicU64,
    block_time_ms: AtomicU64,
    node_height: AtomicU64,
    rows: AtomicU64,
    txs: AtomicU64,
    blocks: AtomicU64,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            height: AtomicU64::new(0),
            block_time_ms: AtomicU64::new(0),
            node_height: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            txs: AtomicU64::new(0),
            blocks: AtomicU64::new(0),
            started: Instant::now(),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Metrics {
    /// A block at `height` (time `time_ms`) was written with `rows` rows.
    pub fn written(&self, height: u64, time_ms: u64, rows: usize, txs: usize) {
        self.height.store(height, Ordering::Relaxed);
        self.block_time_ms.store(time_ms, Ordering::Relaxed);
        self.node_height.fetch_max(height, Ordering::Relaxed);
        if rows > 0 {
            self.rows.fetch_add(rows as u64, Ordering::Relaxed);
            self.txs.fetch_add(txs as u64, Ordering::Relaxed);
            self.blocks.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The node's last height, as last asked.
    pub fn node_height(&self, h: u64) {
        self.node_height.fetch_max(h, Ordering::Relaxed);
    }

    /// `(lag in blocks, lag in seconds)`: how far the node's tip is ahead,
    /// and how old the last block written is.
    pub fn lag(&self) -> (u64, f64) {
        let h = self.height.load(Ordering::Relaxed);
        let blocks = self.node_height.load(Ordering::Relaxed).saturating_sub(h);
        let t = self.block_time_ms.load(Ordering::Relaxed);
        let secs = if blocks == 0 { 0.0 } else { now_ms().saturating_sub(t) as f64 / 1000.0 };
        (blocks, secs)
    }

    /// Rows written since the start, and the run's seconds.
    pub fn totals(&self) -> (u64, u64, u64, f64) {
        (
            self.blocks.load(Ordering::Relaxed),
            self.txs.load(Ordering::Relaxed),
            self.rows.load(Ordering::Relaxed),
            self.started.elapsed().as_secs_f64(),
        )
    }

    /// The Prometheus text.
    pub fn render(&self) -> String {
        let (lag_blocks, lag_secs) = self.lag();
        let (blocks, txs, rows, secs) = self.totals();
        let rate = rows as f64 / secs.max(0.001);
        let mut out = String::new();
        let mut put = |name: &str, kind: &str, help: &str, v: String| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n"));
        };
        put(
            "tamga_indexer_height",
            "gauge",
            "Last block height written to the database.",
            self.height.load(Ordering::Relaxed).to_string(),
        );
        put(
            "tamga_indexer_node_height",
            "gauge",
            "The node's last committed height, as last asked.",
            self.node_height.load(Ordering::Relaxed).to_string(),
        );
        put(
            "tamga_indexer_lag_blocks",
            "gauge",
            "Blocks the node has committed and the database lacks.",
            lag_blocks.to_string(),
        );
        put(
            "tamga_indexer_lag_seconds",
            "gauge",
            "Age of the last block written while behind the node (0 when caught up).",
            format!("{lag_secs:.3}"),
        );
        put("tamga_indexer_blocks_total", "counter", "Blocks written by this process.", blocks.to_string());
        put("tamga_indexer_transactions_total", "counter", "Transactions written by this process.", txs.to_string());
        put(
            "tamga_indexer_rows_total",
            "counter",
            "Rows written by this process (blocks, transactions, events, register changes).",
            rows.to_string(),
        );
        put(
            "tamga_indexer_rows_per_second",
            "gauge",
            "Rows written per second since the process started.",
            format!("{rate:.1}"),
        );
        out
    }
}

/// Serves `metrics` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>, max_connections: usize) {
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { continue };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            drop(sock);
            continue;
        };
        let m = metrics.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _ = tokio::time::timeout(CONN_TIMEOUT, async {
                let mut buf = vec![0u8; MAX_REQUEST_BYTES];
                let mut n = 0;
                while n < buf.len() {
                    let k = sock.read(&mut buf[n..]).await?;
                    if k == 0 {
                        break;
                    }
                    n += k;
                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let body = m.render();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                sock.write_all(head.as_bytes()).await?;
                sock.write_all(body.as_bytes()).await?;
                sock.shutdown().await
            })
            .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_and_rates_render() {
        let m = Metrics::default();
        m.node_height(10);
        m.written(7, now_ms() - 3_000, 12, 4);
        let (blocks, secs) = m.lag();
        assert_eq!(blocks, 3);
        assert!((2.5..10.0).contains(&secs), "{secs}");
        let text = m.render();
        assert!(text.contains("tamga_indexer_lag_blocks 3\n"), "{text}");
        assert!(text.contains("tamga_indexer_rows_total 12\n"), "{text}");
        m.written(10, now_ms(), 1, 0);
        assert_eq!(m.lag(), (0, 0.0));
    }
}
