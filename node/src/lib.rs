//! # tamga-node
//!
//! `tamgad`, the Tamga validator and observer node, and the only crate with a
//! runtime (tokio). It wires the pure pieces together:
//!
//! ```text
//!   HTTP API ─► TxGateway ─► Admission ◄─ gossip (libp2p) ◄─► peers
//!                               │ admit (security events, metrics)
//!                               ▼
//!                            Mempool ◄─ commit: hashes, next nonces
//!                               │ reap (woken by admission)
//!   libp2p consensus topic ◄─► Driver ─► Engine (tamga-consensus, pure)
//!                               │ execute / commit (one synced batch)
//!                               ▼
//!                          Ledger (tamga-state, RocksDB + JMT)
//! ```
//!
//! Modules: `config` (the documented `config.toml`), `home` (the `--home`
//! layout and keys), `network` (libp2p: admission by key, gossipsub,
//! request-response sync), `mempool`, `admission` (the one path by which API
//! and gossiped transactions are checked and admitted, on low-priority
//! threads below the consensus critical path), `driver` (executes the engine's effects,
//! persists the safety state with fsync before any vote leaves), `api`
//! (HTTP), `metrics` (Prometheus), `devnet` (local networks of processes),
//! `remote_signer` (`tamga-signer`, the separate signing process with its own
//! double-sign guard, and the validator's client for it).
//!
//! ## Deviations from the issue text, and why
//!
//! * **Evidence travels in block bodies, not as transactions.** SPEC §1.9
//!   forbids validator keys from signing transactions, and the equivocator's
//!   peers hold only validator keys; so a detecting validator gossips the
//!   evidence on the consensus topic and the next proposer includes it in
//!   `Block::evidence`, where `tamga-state` verifies and records it once.

pub mod admission;
pub mod api;
pub mod backup;
#[cfg(feature = "byzantine")]
pub mod byzantine;
pub mod ceremony;
pub mod committed;
pub mod config;
pub mod devnet;
pub mod driver;
pub mod home;
pub mod journal;
pub mod linefile;
pub mod mempool;
pub mod metrics;
pub mod network;
pub mod node;
pub mod proposal;
pub mod remote_signer;
pub mod safety;
pub mod security;
pub mod signer;
#[cfg(test)]
pub mod sim;

/// The node's wall clock: milliseconds since the Unix epoch (0 if the clock
/// is before it). One definition for the driver, the API, the journal, the
/// security log and backups.
pub fn now_ms() -> u64 {
    #[cfg(test)]
    if let Some(ms) = sim_clock::now_ms() {
        return ms;
    }
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The wall clock the driver stamps proposed blocks with and checks
/// proposed block times against (SPEC §8; STYLE principle 16: a seam, so
/// that the simulator can skew each node's clock).
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock ([`now_ms`]): production.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        now_ms()
    }
}

/// The simulator's wall clock (tests only): a base plus the tokio clock's
/// elapsed (virtual) time, per thread, so that block times are a function of
/// the seed.
#[cfg(test)]
pub(crate) mod sim_clock {
    use std::cell::Cell;

    thread_local! {
        static BASE: Cell<Option<(u64, tokio::time::Instant)>> = const { Cell::new(None) };
    }

    /// Sets (or clears) this thread's virtual wall clock, starting at `base_ms` now.
    pub fn set(base_ms: Option<u64>) {
        BASE.with(|b| b.set(base_ms.map(|ms| (ms, tokio::time::Instant::now()))));
    }

    /// The virtual wall clock, if set on this thread.
    pub fn now_ms() -> Option<u64> {
        BASE.with(|b| b.get()).map(|(ms, at)| ms + at.elapsed().as_millis() as u64)
    }
}

// The Byzantine behaviours are for test builds only (the multi-node Byzantine scenario).
#[cfg(all(feature = "byzantine", not(debug_assertions)))]
compile_error!(
    "the `byzantine` feature is test-only: build it in a profile with debug assertions (dev, ci), never in release"
);
