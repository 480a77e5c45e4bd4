//! The bounds of the peer-to-peer layer (STYLE principle 15: every listener
//! is bounded) and the small pieces of host logic that enforce them:
//! who may hold a connection beyond the handshake ([`PeerGate`], SPEC §9),
//! how often a peer may ask for blocks ([`SyncRateLimiter`]), and how many
//! inbound messages may wait for a check ([`Inflight`]).
//!
//! Everything here is plain data and arithmetic with the time passed in, so
//! that it is tested without a network or a clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use libp2p::PeerId;
use tamga_types::PublicKey;
use tokio::time::Instant;

use crate::home::peer_id_of;

/// Every bound of the network task, from `[p2p]` in `config.toml`
/// (`crate::config::P2pConfig` documents each default; docs/operations.md,
/// "Peer-to-peer limits", says how to tune them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Inbound connections still in their handshake (TCP accepted, noise and
    /// yamux not done), at most. Those beyond are closed at once.
    pub max_pending_incoming: u32,
    /// Outbound dials still in their handshake, at most.
    pub max_pending_outgoing: u32,
    /// Inbound connections past the handshake, at most.
    pub max_established_incoming: u32,
    /// Connections past the handshake with one peer, at most.
    pub max_established_per_peer: u32,
    /// Longest TCP connect plus noise and yamux negotiation of one connection.
    pub handshake_timeout: Duration,
    /// A connection without any protocol that needs it open is closed after this.
    pub idle_timeout: Duration,
    /// Most blocks served per sync request (at most [`super::SYNC_MAX_BLOCKS`]).
    pub sync_max_blocks: u32,
    /// Byte budget of one sync response (at most [`super::SYNC_MAX_BYTES`]).
    pub sync_max_response_bytes: usize,
    /// Sync requests served per peer per second, sustained.
    pub sync_requests_per_sec: u32,
    /// Sync requests a peer may make at once after a quiet period.
    pub sync_burst: u32,
    /// Sync requests being served at once (reads of the ledger), at most.
    pub sync_max_concurrent: usize,
    /// Gossiped transaction batches waiting for or in admission, at most.
    pub gossip_tx_queue: usize,
    /// Gossiped consensus messages waiting for their signature check, at most.
    pub gossip_consensus_queue: usize,
    /// Consensus messages more than this many heights away from the height
    /// being decided are neither relayed nor delivered.
    pub consensus_height_window: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pending_incoming: 64,
            max_pending_outgoing: 64,
            max_established_incoming: 128,
            max_established_per_peer: 2,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            sync_max_blocks: super::SYNC_MAX_BLOCKS,
            sync_max_response_bytes: 32 * 1024 * 1024,
            sync_requests_per_sec: 10,
            sync_burst: 20,
            sync_max_concurrent: 4,
            gossip_tx_queue: 16,
            gossip_consensus_queue: 1024,
            consensus_height_window: 2,
        }
    }
}

/// The peers that may hold a connection beyond the handshake: the
/// validators of the current and next set and the configured observers
/// (SPEC §9), named by their node key: a validator's recorded p2p key (never
/// its consensus key) or an observer's key. The gate is also the one map between
/// a node key and its libp2p `PeerId` (the same ed25519 key,
/// [`crate::home::peer_id_of`]): the network task names a peer to the driver
/// only through [`PeerGate::key_of`], so a connected peer whose key is not
/// admitted never reaches it. The set is replaced as a whole;
/// [`PeerGate::replace`] returns every peer that lost its place, connected
/// or not, so that a validator removed while it was offline is refused when
/// it comes back.
#[derive(Debug, Default, Clone)]
pub struct PeerGate {
    allowed: HashMap<PeerId, PublicKey>,
}

impl PeerGate {
    /// Whether `peer` may stay connected after the handshake.
    pub fn admits(&self, peer: &PeerId) -> bool {
        self.allowed.contains_key(peer)
    }

    /// The node key of an admitted peer; `None` for any other.
    pub fn key_of(&self, peer: &PeerId) -> Option<PublicKey> {
        self.allowed.get(peer).copied()
    }

    /// Replaces the set with the peers of `keys` (a key that is not an
    /// ed25519 point names no peer and is left out); returns the peer ids
    /// `(added, removed)`.
    pub fn replace(&mut self, keys: impl IntoIterator<Item = PublicKey>) -> (Vec<PeerId>, Vec<PeerId>) {
        let new: HashMap<PeerId, PublicKey> = keys.into_iter().filter_map(|k| Some((peer_id_of(&k)?, k))).collect();
        let added = new.keys().filter(|p| !self.allowed.contains_key(p)).copied().collect();
        let removed = self.allowed.keys().filter(|p| !new.contains_key(p)).copied().collect();
        self.allowed = new;
        (added, removed)
    }

    /// Number of admitted peers.
    pub fn len(&self) -> usize {
        self.allowed.len()
    }

    /// True when no peer is admitted (before the driver's first set).
    pub fn is_empty(&self) -> bool {
        self.allowed.is_empty()
    }
}

/// One token bucket: `burst` tokens, refilled at `per_sec`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Per-peer token buckets for sync requests. A request takes a token; a
/// peer without one is refused (`tamga_p2p_sync_refused_total{reason="rate"}`).
/// Only admitted peers can ask, so the map holds at most one entry per
/// connected validator or observer; [`SyncRateLimiter::forget`] drops a
/// peer's entry when its last connection closes.
#[derive(Debug)]
pub struct SyncRateLimiter {
    per_sec: f64,
    burst: f64,
    peers: HashMap<PeerId, Bucket>,
}

impl SyncRateLimiter {
    /// `per_sec` requests per second sustained, `burst` at once.
    pub fn new(per_sec: u32, burst: u32) -> Self {
        SyncRateLimiter { per_sec: f64::from(per_sec), burst: f64::from(burst.max(1)), peers: HashMap::new() }
    }

    /// Takes a token for `peer` at `now`; false when it has none left.
    pub fn allow(&mut self, peer: PeerId, now: Instant) -> bool {
        let (per_sec, burst) = (self.per_sec, self.burst);
        let b = self.peers.entry(peer).or_insert(Bucket { tokens: burst, at: now });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * per_sec).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets `peer` (its last connection closed).
    pub fn forget(&mut self, peer: &PeerId) {
        self.peers.remove(peer);
    }

    /// Peers tracked.
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    /// True when no peer is tracked.
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }
}

/// A bounded count of work in flight (a queue whose items live elsewhere:
/// jobs on a thread pool, blocking reads). [`Inflight::try_enter`] refuses
/// past the bound; the returned [`Slot`] frees its place when dropped,
/// wherever the work ends.
#[derive(Debug, Clone)]
pub struct Inflight {
    max: usize,
    n: Arc<AtomicUsize>,
}

/// A place in an [`Inflight`]; freed on drop.
#[derive(Debug)]
pub struct Slot {
    n: Arc<AtomicUsize>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.n.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Inflight {
    /// At most `max` at once (0 refuses everything).
    pub fn new(max: usize) -> Self {
        Inflight { max, n: Arc::new(AtomicUsize::new(0)) }
    }

    /// A place, or `None` when `max` are in flight.
    pub fn try_enter(&self) -> Option<Slot> {
        let mut cur = self.n.load(Ordering::Acquire);
        loop {
            if cur >= self.max {
                return None;
            }
            match self.n.compare_exchange_weak(cur, cur + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(Slot { n: self.n.clone() }),
                Err(now) => cur = now,
            }
        }
    }

    /// Work in flight now.
    pub fn len(&self) -> usize {
        self.n.load(Ordering::Acquire)
    }

    /// True when nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What reaches the network task from outside, by how much it matters when
/// a queue is full. The network task never drops the driver's commands (its
/// own proposals and votes to publish, sync requests, the admitted set: the
/// driver waits for room instead) nor the node's own outgoing messages;
/// inbound gossip is dropped when its queue is full, transactions first
/// (their queue is the smallest and they reach the chain through any other
/// validator), then consensus messages (the engine's retransmission sends
/// them again, `consensus.rebroadcast_ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inbound {
    /// A gossiped transaction batch, for admission.
    Txs,
    /// A gossiped consensus message, for its signature check.
    Consensus,
    /// A checked consensus message or sync blocks, for the driver.
    ToDriver,
}

impl Inbound {
    /// The `kind` label of `tamga_p2p_inbound_dropped_total`.
    pub fn label(self) -> &'static str {
        match self {
            Inbound::Txs => "txs",
            Inbound::Consensus => "consensus",
            Inbound::ToDriver => "to_driver",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u8) -> PublicKey {
        let mut seed = [0u8; 32];
        seed[0] = i;
        tamga_types::SigningKey::from_seed(seed).public()
    }

    fn peer(i: u8) -> PeerId {
        peer_id_of(&key(i)).unwrap()
    }

    #[test]
    fn the_gate_admits_only_the_current_set_and_reports_every_removed_peer() {
        let (a, b, c, stranger) = (peer(1), peer(2), peer(3), peer(9));
        let mut gate = PeerGate::default();
        assert!(!gate.admits(&a), "nobody before the driver's first set");
        let (added, removed) = gate.replace([key(1), key(2), key(3)]);
        assert_eq!(added.len(), 3);
        assert!(removed.is_empty());
        assert!(gate.admits(&a) && gate.admits(&b) && gate.admits(&c));
        assert!(!gate.admits(&stranger));
        // `c` leaves the validator set while it is offline: it is still
        // reported as removed (the old code only disallowed connected peers)
        // and refused from now on.
        let (added, removed) = gate.replace([key(1), key(2)]);
        assert!(added.is_empty());
        assert_eq!(removed, vec![c]);
        assert!(!gate.admits(&c));
        assert_eq!(gate.len(), 2);
        // Setting the same set again changes nothing.
        assert_eq!(gate.replace([key(2), key(1)]), (vec![], vec![]));
    }

    #[test]
    fn the_gate_names_admitted_peers_by_key_and_no_other() {
        let mut gate = PeerGate::default();
        gate.replace([key(1), key(2)]);
        assert_eq!(gate.key_of(&peer(1)), Some(key(1)));
        assert_eq!(gate.key_of(&peer(2)), Some(key(2)));
        assert_eq!(gate.key_of(&peer(9)), None, "a stranger has no key");
        // The validator set changes: the key of the peer that left is no
        // longer known, the newcomer's is.
        gate.replace([key(2), key(3)]);
        assert_eq!(gate.key_of(&peer(1)), None);
        assert_eq!(gate.key_of(&peer(3)), Some(key(3)));
        // A key that is not an ed25519 point names no peer: left out.
        let invalid = (0u8..=255)
            .map(|i| PublicKey([i; 32]))
            .find(|k| peer_id_of(k).is_none())
            .expect("some 32-byte string is not an ed25519 point");
        gate.replace([invalid, key(2)]);
        assert_eq!(gate.len(), 1);
        assert!(gate.admits(&peer(2)));
    }

    #[test]
    fn sync_requests_over_the_rate_are_refused_per_peer() {
        let mut rl = SyncRateLimiter::new(2, 3);
        let (a, b) = (peer(1), peer(2));
        let t0 = Instant::now();
        assert!((0..3).all(|_| rl.allow(a, t0)), "the burst is served");
        assert!(!rl.allow(a, t0), "the fourth at once is refused");
        assert!(rl.allow(b, t0), "another peer has its own bucket");
        // Half a second at 2/s refills one token, not more.
        let t1 = t0 + Duration::from_millis(500);
        assert!(rl.allow(a, t1));
        assert!(!rl.allow(a, t1));
        // A long pause refills to the burst, never beyond.
        let t2 = t1 + Duration::from_secs(60);
        assert_eq!((0..10).filter(|_| rl.allow(a, t2)).count(), 3);
        rl.forget(&a);
        assert_eq!(rl.len(), 1);
    }

    #[test]
    fn inflight_refuses_past_its_bound_and_frees_on_drop() {
        let q = Inflight::new(2);
        let s1 = q.try_enter().unwrap();
        let s2 = q.try_enter().unwrap();
        assert!(q.try_enter().is_none(), "a third is dropped");
        assert_eq!(q.len(), 2);
        drop(s1);
        let s3 = q.try_enter().expect("a freed place is reused");
        drop((s2, s3));
        assert!(q.is_empty());
        assert!(Inflight::new(0).try_enter().is_none());
    }
}
