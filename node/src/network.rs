//! The libp2p network (SPEC §9): TCP + noise + yamux, peers authenticated by
//! their ed25519 key and admitted only when they are validators of the
//! current set or configured observers; gossipsub for transactions and
//! consensus messages, validated before they are forwarded; request-response
//! for block sync.
//!
//! One task owns the `Swarm`. The driver talks to it through [`NetHandle`]
//! (commands) and receives [`NetEvent`]s. Wire messages are borsh, decoded
//! with explicit size limits before allocation.
//!
//! Every resource a stranger can make this node spend is bounded
//! ([`Limits`], `[p2p]` in `config.toml`, docs/operations.md "Peer-to-peer
//! limits"): connections still in their handshake, with a handshake
//! timeout; connections past it, which only admitted peers keep
//! ([`limits::PeerGate`]); idle connections; the checks of gossiped
//! consensus messages ([`relay`]) and transaction batches; the driver's
//! queue; and block sync, per request and per peer.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use borsh::{BorshDeserialize, BorshSerialize};
use futures::future::BoxFuture;
use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p::core::Transport as _;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    allow_block_list, connection_limits, identify, noise, ping, tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm,
};
use tamga_consensus::Message;
use tamga_state::Ledger;
use tamga_types::codec::{self, BoundedVec};
use tamga_types::{Block, CertifiedBlock, Evidence, Height, PublicKey};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use crate::admission::{Admission, AdmissionPool, TxEntry};
use crate::home::peer_id_of;
use crate::mempool::MempoolError;
use crate::metrics::Metrics;
use crate::security::{Origin, SecurityEvent, SecurityLog};

pub mod limits;
mod metrics;
pub mod relay;
#[cfg(test)]
pub(crate) mod testchain;

pub use limits::Limits;
pub use metrics::NetMetrics;

use limits::{Inbound, Inflight, PeerGate, Slot, SyncRateLimiter};
use relay::{KnownCache, RelayRefusal, Verifier};

/// A peer refused again within this interval is counted
/// (`tamga_peers_refused_total`) but not recorded again as a security event:
/// a refused node redials every few seconds.
pub const REFUSED_REPORT_INTERVAL: Duration = Duration::from_secs(60);

/// A message on the consensus topic.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ConsensusWire {
    /// A proposal or a vote.
    Consensus(Message<Block>),
    /// Equivocation evidence for the next proposer to include (SPEC §9).
    Evidence(Evidence),
}

/// Most transactions in one gossip batch.
pub const MAX_TX_BATCH: usize = 4096;

/// A batch of raw signed transactions on the transaction topic.
pub type TxBatch = BoundedVec<Vec<u8>, MAX_TX_BATCH>;

/// Block sync request: certified blocks from `from` on.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SyncRequest {
    /// First height wanted.
    pub from: Height,
    /// Most blocks wanted.
    pub max: u32,
}

/// Block sync response: consecutive certified blocks from the requested
/// height, possibly fewer than asked (size budget) or none.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SyncResponse {
    /// The responder's last committed height.
    pub height: Height,
    /// Blocks with their commit certificates.
    pub blocks: Vec<CertifiedBlock>,
}

/// Most blocks served per sync request.
pub const SYNC_MAX_BLOCKS: u32 = 64;
/// Byte budget of a sync response.
pub const SYNC_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Borsh request-response codec with size limits.
#[derive(Clone, Default)]
pub struct SyncCodec;

async fn read_limited<T: futures::AsyncRead + Unpin + Send>(io: &mut T, max: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    io.take(max as u64 + 1).read_to_end(&mut buf).await?;
    if buf.len() > max {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("message over {max} bytes")));
    }
    Ok(buf)
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = SyncRequest;
    type Response = SyncResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> std::io::Result<SyncRequest>
    where
        T: futures::AsyncRead + Unpin + Send,
    {
        let buf = read_limited(io, 64).await?;
        codec::decode("sync request", &buf, 64).map_err(invalid)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> std::io::Result<SyncResponse>
    where
        T: futures::AsyncRead + Unpin + Send,
    {
        let buf = read_limited(io, SYNC_MAX_BYTES + 1024).await?;
        codec::decode("sync response", &buf, SYNC_MAX_BYTES + 1024).map_err(invalid)
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, req: SyncRequest) -> std::io::Result<()>
    where
        T: futures::AsyncWrite + Unpin + Send,
    {
        io.write_all(&codec::encode(&req)).await?;
        io.close().await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, res: SyncResponse) -> std::io::Result<()>
    where
        T: futures::AsyncWrite + Unpin + Send,
    {
        io.write_all(&codec::encode(&res)).await?;
        io.close().await
    }
}

/// The composed behaviour. The admission gate comes first: a peer that is
/// not admitted is refused before any other behaviour counts or serves it.
#[derive(NetworkBehaviour)]
struct Behaviour {
    allow: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    limits: connection_limits::Behaviour,
    gossip: gossipsub::Behaviour,
    sync: request_response::Behaviour<SyncCodec>,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

/// What the network reports to the driver. Peers are named by their p2p key
/// (the node key of this module's docs: a validator's recorded `p2p_key`,
/// SPEC §9.5, or an observer's configured key), never by a libp2p `PeerId`:
/// the network task maps one to the other at its edge
/// ([`PeerGate::key_of`]), and a peer whose key is not admitted never
/// reaches the driver.
#[derive(Debug)]
pub enum NetEvent {
    /// A decoded consensus-topic message whose signer, height and signature
    /// were checked ([`relay::check`]).
    Consensus(Box<ConsensusWire>),
    /// Blocks received in answer to a sync request.
    SyncBlocks {
        /// The responder's node key.
        peer: PublicKey,
        /// Its last committed height.
        height: Height,
        /// The blocks.
        blocks: Vec<CertifiedBlock>,
    },
    /// A sync request failed or got an error.
    SyncFailed {
        /// The node key of the peer asked.
        peer: PublicKey,
    },
    /// Number of connected admitted peers changed.
    Peers(usize),
}

/// The driver's side of the network (STYLE principle 16): peers are named by
/// their node key, in commands and in [`NetEvent`]s alike; the production
/// implementation ([`NetHandle`]) maps keys to its transport's peer
/// names at its edge.
pub trait Transport: Send + Sync {
    /// Publishes on the consensus topic.
    fn publish(&self, wire: ConsensusWire) -> BoxFuture<'_, ()>;
    /// Asks a peer for certified blocks from `from`.
    fn sync(&self, from: Height) -> BoxFuture<'_, ()>;
    /// Replaces the set of admitted peers.
    fn set_allowed(&self, keys: Vec<PublicKey>) -> BoxFuture<'_, ()>;
}

/// Commands to the network task. None is ever dropped: the driver waits for
/// room in the command queue.
#[derive(Debug)]
pub enum NetCommand {
    /// Publish on the consensus topic.
    Publish(Box<ConsensusWire>),
    /// Ask a peer for certified blocks from `from`.
    Sync {
        /// First height wanted.
        from: Height,
    },
    /// Replace the set of admitted peers (the recorded p2p keys of the
    /// validators of the current and next set, and the observers' keys). Every peer not in it
    /// is refused from then on, whether it is connected now or comes back later.
    SetAllowed(Vec<PublicKey>),
}

/// Sends commands to the network task.
#[derive(Clone)]
pub struct NetHandle {
    tx: mpsc::Sender<NetCommand>,
}

impl NetHandle {
    /// Queues a command, waiting for room (commands are never dropped);
    /// drops it with a warning only if the network task is gone.
    pub async fn send(&self, cmd: NetCommand) {
        if self.tx.send(cmd).await.is_err() {
            warn!(target: "tamga::net", "network task stopped; command dropped");
        }
    }
}

/// The driver's seam (STYLE principle 16) over libp2p: commands name peers
/// by node key; the network task maps them to peer ids.
impl Transport for NetHandle {
    fn publish(&self, wire: ConsensusWire) -> BoxFuture<'_, ()> {
        Box::pin(self.send(NetCommand::Publish(Box::new(wire))))
    }
    fn sync(&self, from: Height) -> BoxFuture<'_, ()> {
        Box::pin(self.send(NetCommand::Sync { from }))
    }
    fn set_allowed(&self, keys: Vec<PublicKey>) -> BoxFuture<'_, ()> {
        Box::pin(self.send(NetCommand::SetAllowed(keys)))
    }
}

/// Commands from the driver waiting for the network task, at most.
pub const COMMAND_QUEUE: usize = 1024;

/// Network settings.
pub struct NetworkSettings {
    /// Identity: the node's p2p key (`HOME/p2p.key`), the same ed25519 key
    /// peers admit it under when it is recorded as a validator's `p2p_key`.
    pub keypair: libp2p::identity::Keypair,
    /// Listen address.
    pub listen: Multiaddr,
    /// Peers to keep dialling (multiaddrs with `/p2p/<id>`); only those
    /// admitted are dialled.
    pub dial: Vec<Multiaddr>,
    /// Node keys of the admitted peers.
    pub allowed: Vec<PublicKey>,
    /// Chain id (topic names).
    pub chain_id: String,
    /// Largest gossip message.
    pub max_message_bytes: usize,
    /// Transactions per gossip batch.
    pub tx_batch: usize,
    /// Longest wait before a partial batch is sent.
    pub tx_batch_delay: Duration,
    /// Connection, time, queue and sync bounds.
    pub limits: Limits,
}

/// Everything the network task needs besides its settings.
pub struct NetworkDeps {
    /// For sync responses.
    pub ledger: Arc<Ledger>,
    /// Admission of gossiped transactions (the path API submissions take too).
    pub txs: Admission,
    /// Where gossiped batches are checked and admitted (crate::admission).
    pub admission: Arc<AdmissionPool>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Locally admitted transactions to gossip (from the API's `TxGateway`).
    pub local_txs: mpsc::Receiver<Vec<u8>>,
    /// Events to the driver.
    pub events: mpsc::Sender<NetEvent>,
    /// Security events: refused peers, badly signed gossip.
    pub security: SecurityLog,
}

/// Why the network could not start.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// Transport or behaviour setup failed.
    #[error("libp2p setup: {0}")]
    Setup(String),
    /// Listening failed.
    #[error("cannot listen on {addr}: {why}")]
    Listen {
        /// Address.
        addr: String,
        /// Cause.
        why: String,
    },
}

fn build_swarm(s: &NetworkSettings) -> Result<Swarm<Behaviour>, NetworkError> {
    let setup = |e: &dyn std::fmt::Display| NetworkError::Setup(e.to_string());
    let max = s.max_message_bytes;
    let l = &s.limits;
    let gossip_cfg = gossipsub::ConfigBuilder::default()
        .max_transmit_size(max)
        // Nothing is forwarded before the network task reports its check
        // (relay::check for consensus, admission for transactions).
        .validate_messages()
        .validation_mode(gossipsub::ValidationMode::Strict)
        .heartbeat_interval(Duration::from_millis(500))
        .build()
        .map_err(|e| setup(&e))?;
    let mut allowed = allow_block_list::Behaviour::<allow_block_list::AllowedPeers>::default();
    for p in s.allowed.iter().filter_map(peer_id_of) {
        allowed.allow_peer(p);
    }
    let limits = connection_limits::Behaviour::new(
        connection_limits::ConnectionLimits::default()
            .with_max_pending_incoming(Some(l.max_pending_incoming))
            .with_max_pending_outgoing(Some(l.max_pending_outgoing))
            .with_max_established_incoming(Some(l.max_established_incoming))
            .with_max_established_per_peer(Some(l.max_established_per_peer)),
    );
    let handshake = l.handshake_timeout;
    let keypair = s.keypair.clone();
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_other_transport(|key| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
            // TCP connect, noise and yamux must finish within the handshake
            // timeout: a socket that stalls in its handshake holds a file
            // handle and a pending-connection place for no longer than that.
            Ok(tcp::tokio::Transport::new(tcp::Config::default().nodelay(true))
                .upgrade(libp2p::core::upgrade::Version::V1Lazy)
                .authenticate(noise::Config::new(key)?)
                .multiplex(yamux::Config::default())
                .timeout(handshake))
        })
        .map_err(|e| setup(&e))?
        .with_behaviour(|key| {
            let gossip = gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(key.clone()), gossip_cfg)?;
            let sync = request_response::Behaviour::with_codec(
                SyncCodec,
                [(StreamProtocol::new("/tamga/sync/1"), ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(30)),
            );
            let identify = identify::Behaviour::new(identify::Config::new("/tamga/1".into(), key.public()));
            Ok(Behaviour { allow: allowed, limits, gossip, sync, identify, ping: ping::Behaviour::default() })
        })
        .map_err(|e| setup(&e))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(l.idle_timeout))
        .build();
    Ok(swarm)
}

/// Starts the network task; returns the command handle and the local peer id.
pub fn spawn(settings: NetworkSettings, deps: NetworkDeps) -> Result<(NetHandle, PeerId), NetworkError> {
    let mut swarm = build_swarm(&settings)?;
    let consensus_topic = IdentTopic::new(format!("/tamga/{}/consensus/1", settings.chain_id));
    let tx_topic = IdentTopic::new(format!("/tamga/{}/txs/1", settings.chain_id));
    for t in [&consensus_topic, &tx_topic] {
        swarm.behaviour_mut().gossip.subscribe(t).map_err(|e| NetworkError::Setup(e.to_string()))?;
    }
    swarm
        .listen_on(settings.listen.clone())
        .map_err(|e| NetworkError::Listen { addr: settings.listen.to_string(), why: e.to_string() })?;
    let local = *swarm.local_peer_id();
    let l = &settings.limits;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let verifier = Verifier::start(threads, l.gossip_consensus_queue)
        .map_err(|e| NetworkError::Setup(format!("consensus verifier threads: {e}")))?;
    let known = Arc::new(KnownCache::new(deps.ledger.clone(), l.consensus_height_window));
    let mut gate = PeerGate::default();
    gate.replace(settings.allowed.iter().copied());
    let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
    let task = NetTask {
        swarm,
        consensus_topic,
        tx_topic,
        commands: rx,
        connected: BTreeSet::new(),
        pending_sync: HashMap::new(),
        next_sync_peer: 0,
        tx_buffer: Vec::new(),
        refused: HashMap::new(),
        gate,
        sync_rate: SyncRateLimiter::new(l.sync_requests_per_sec, l.sync_burst),
        sync_inflight: Inflight::new(l.sync_max_concurrent),
        tx_inflight: Inflight::new(l.gossip_tx_queue),
        verifier,
        known,
        peers_unsent: false,
        limited_noted: None,
        settings,
        deps,
    };
    tokio::spawn(task.run());
    Ok((NetHandle { tx }, local))
}

struct NetTask {
    swarm: Swarm<Behaviour>,
    settings: NetworkSettings,
    deps: NetworkDeps,
    consensus_topic: IdentTopic,
    tx_topic: IdentTopic,
    commands: mpsc::Receiver<NetCommand>,
    /// Peers with a connection past the handshake (ordered: the sync round
    /// robin visits them in a fixed order).
    connected: BTreeSet<PeerId>,
    /// Sync requests sent and not answered: the peer asked and the most blocks asked for.
    pending_sync: HashMap<request_response::OutboundRequestId, (PeerId, u32)>,
    next_sync_peer: usize,
    tx_buffer: Vec<Vec<u8>>,
    /// When each refused peer (id, else address) was last recorded as a security event.
    refused: HashMap<String, tokio::time::Instant>,
    /// Who may stay connected beyond the handshake.
    gate: PeerGate,
    /// Sync requests per peer.
    sync_rate: SyncRateLimiter,
    /// Sync requests being served.
    sync_inflight: Inflight,
    /// Gossiped transaction batches in admission.
    tx_inflight: Inflight,
    /// Signature checks of gossiped consensus messages.
    verifier: Verifier,
    /// Validator sets and height for the checks.
    known: Arc<KnownCache>,
    /// The driver's queue had no room for the last peer count: resent on the next tick.
    peers_unsent: bool,
    /// When a connection limit was last logged (logged once a minute at most).
    limited_noted: Option<tokio::time::Instant>,
}

/// Results of work done off the swarm task.
enum Done {
    TxValidation { id: gossipsub::MessageId, source: PeerId, acceptance: MessageAcceptance },
    ConsensusChecked { id: gossipsub::MessageId, source: PeerId, result: Result<Box<ConsensusWire>, RelayRefusal> },
    SyncServed { channel: request_response::ResponseChannel<SyncResponse>, response: SyncResponse },
}

/// Results of off-task work waiting for the network task, at most.
const DONE_QUEUE: usize = 1024;

impl NetTask {
    async fn run(mut self) {
        let mut redial = tokio::time::interval(Duration::from_secs(2));
        let mut flush = tokio::time::interval(self.settings.tx_batch_delay);
        let (done_tx, mut done_rx) = mpsc::channel::<Done>(DONE_QUEUE);
        info!(target: "tamga::net", peer_id = %self.swarm.local_peer_id(), listen = %self.settings.listen, "network started");
        loop {
            tokio::select! {
                ev = self.swarm.select_next_some() => self.on_swarm_event(ev, &done_tx),
                cmd = self.commands.recv() => match cmd {
                    Some(cmd) => self.on_command(cmd),
                    None => break,
                },
                Some(raw) = self.deps.local_txs.recv() => {
                    self.tx_buffer.push(raw);
                    if self.tx_buffer.len() >= self.settings.tx_batch.min(MAX_TX_BATCH) {
                        self.flush_txs();
                    }
                }
                _ = flush.tick() => self.flush_txs(),
                _ = redial.tick() => {
                    self.redial();
                    if self.peers_unsent {
                        self.peers_changed();
                    }
                }
                Some(done) = done_rx.recv() => self.on_done(done),
            }
        }
        info!(target: "tamga::net", "network stopped");
    }

    fn on_done(&mut self, done: Done) {
        match done {
            Done::TxValidation { id, source, acceptance } => {
                self.swarm.behaviour_mut().gossip.report_message_validation_result(&id, &source, acceptance);
            }
            Done::ConsensusChecked { id, source, result } => {
                let acceptance = match result {
                    Ok(msg) => {
                        self.send_to_driver(NetEvent::Consensus(msg));
                        MessageAcceptance::Accept
                    }
                    Err(refusal) => {
                        self.deps.metrics.p2p.count_consensus_refused(refusal.label());
                        if refusal.acceptance() == MessageAcceptance::Reject {
                            // Rejected by this node, as the engine would have
                            // (`tamga_consensus_rejected_total` counts both).
                            self.deps.metrics.consensus_rejected.inc();
                        }
                        if let RelayRefusal::BadSignature { signer } = &refusal {
                            self.deps.security.record(SecurityEvent::BadSignature {
                                origin: Origin::Consensus,
                                from: Some(source.to_string()),
                                signer: Some(*signer),
                                tx_hash: None,
                                reason: refusal.to_string(),
                            });
                        }
                        match refusal {
                            RelayRefusal::OutsideWindow { .. } | RelayRefusal::LedgerUnavailable => {
                                debug!(target: "tamga::net", peer = %source, %refusal, "consensus message not relayed")
                            }
                            _ => warn!(target: "tamga::net", peer = %source, %refusal, "consensus message refused"),
                        }
                        refusal.acceptance()
                    }
                };
                self.swarm.behaviour_mut().gossip.report_message_validation_result(&id, &source, acceptance);
            }
            Done::SyncServed { channel, response } => {
                let _ = self.swarm.behaviour_mut().sync.send_response(channel, response);
            }
        }
    }

    /// Hands an inbound event to the driver without waiting: when its queue
    /// is full the event is dropped and counted (the driver's own work is
    /// never behind it; a dropped message is retransmitted by its sender,
    /// dropped blocks are asked for again).
    fn send_to_driver(&self, ev: NetEvent) {
        offer(&self.deps.events, ev, &self.deps.metrics.p2p);
    }

    fn flush_txs(&mut self) {
        if self.tx_buffer.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.tx_buffer);
        let n = batch.len();
        let Ok(batch) = TxBatch::new(batch) else { return };
        let bytes = codec::encode(&batch);
        if let Err(e) = self.swarm.behaviour_mut().gossip.publish(self.tx_topic.clone(), bytes) {
            // No peers yet: the transactions still wait in our mempool and
            // reach the chain when we propose.
            debug!(target: "tamga::net", txs = n, error = %e, "transaction batch not gossiped");
        }
    }

    /// Dials the configured peers that are admitted and not connected; a
    /// validator that left the set is not dialled (it would be refused).
    fn redial(&mut self) {
        for addr in self.settings.dial.clone() {
            let peer = addr.iter().find_map(|p| match p {
                libp2p::multiaddr::Protocol::P2p(id) => Some(id),
                _ => None,
            });
            if let Some(peer) = peer {
                if peer != *self.swarm.local_peer_id() && self.gate.admits(&peer) && !self.swarm.is_connected(&peer) {
                    let _ = self.swarm.dial(addr);
                }
            }
        }
    }

    fn on_command(&mut self, cmd: NetCommand) {
        match cmd {
            NetCommand::Publish(msg) => {
                let bytes = codec::encode(&*msg);
                if let Err(e) = self.swarm.behaviour_mut().gossip.publish(self.consensus_topic.clone(), bytes) {
                    debug!(target: "tamga::net", error = %e, "consensus message not published");
                }
            }
            NetCommand::Sync { from } => {
                let Some((peer, key)) = pick_sync_peer(&self.connected, &self.gate, &mut self.next_sync_peer) else {
                    return;
                };
                let max = self.settings.limits.sync_max_blocks;
                let id = self.swarm.behaviour_mut().sync.send_request(&peer, SyncRequest { from, max });
                self.pending_sync.insert(id, (peer, max));
                debug!(target: "tamga::net", %peer, %key, from, "sync requested");
            }
            NetCommand::SetAllowed(keys) => self.set_allowed(keys),
        }
    }

    /// Replaces the admitted set. Every peer that lost its place is
    /// disallowed, connected or not: one that was offline at the change is
    /// refused when it comes back (SPEC §9).
    fn set_allowed(&mut self, keys: Vec<PublicKey>) {
        let (added, removed) = apply_allowed(&mut self.swarm, &mut self.gate, keys);
        if !added.is_empty() || !removed.is_empty() {
            info!(target: "tamga::net", admitted = self.gate.len(), added = added.len(), removed = removed.len(), "admitted peers changed");
        }
    }

    fn on_swarm_event(&mut self, ev: SwarmEvent<BehaviourEvent>, done: &mpsc::Sender<Done>) {
        match ev {
            SwarmEvent::NewListenAddr { address, .. } => {
                info!(target: "tamga::net", %address, "listening");
            }
            SwarmEvent::ConnectionEstablished { peer_id, .. } if self.connected.insert(peer_id) => {
                info!(target: "tamga::net", peer = %peer_id, "peer connected");
                self.peers_changed();
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                self.sync_rate.forget(&peer_id);
                if self.connected.remove(&peer_id) {
                    info!(target: "tamga::net", peer = %peer_id, "peer disconnected");
                    self.peers_changed();
                }
            }
            SwarmEvent::IncomingConnectionError {
                error: libp2p::swarm::ListenError::Denied { cause },
                send_back_addr,
                peer_id,
                ..
            } => {
                if let Some(limit) = cause.downcast_ref::<connection_limits::Exceeded>() {
                    self.connection_limited(&send_back_addr, limit);
                } else {
                    self.deps.metrics.peers_refused.inc();
                    info!(target: "tamga::net", addr = %send_back_addr, "refused a peer that is neither validator nor observer");
                    self.report_refused(peer_id, &send_back_addr, cause.to_string());
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => {
                if !self.gate.admits(&propagation_source) {
                    // Removed from the admitted set while its message was on
                    // the way: neither checked, forwarded nor delivered.
                    self.swarm.behaviour_mut().gossip.report_message_validation_result(
                        &message_id,
                        &propagation_source,
                        MessageAcceptance::Ignore,
                    );
                } else if message.topic == self.consensus_topic.hash() {
                    self.check_consensus(message_id, propagation_source, message.data, done.clone());
                } else if message.topic == self.tx_topic.hash() {
                    self.validate_txs(message_id, propagation_source, message.data, done.clone());
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message { peer, message, .. })) => {
                match message {
                    request_response::Message::Request { request, channel, .. } => {
                        self.serve_sync_request(peer, request, channel, done.clone());
                    }
                    request_response::Message::Response { request_id, response } => {
                        let asked = self.pending_sync.remove(&request_id);
                        match sync_answer(&self.gate, &peer, asked, response) {
                            Ok(ev) => self.send_to_driver(ev),
                            Err(refusal) => {
                                warn!(target: "tamga::net", %peer, %refusal, "sync answer dropped");
                                if let Some(key) = refusal.peer_key() {
                                    self.send_to_driver(NetEvent::SyncFailed { peer: key });
                                }
                            }
                        }
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            })) => {
                self.pending_sync.remove(&request_id);
                debug!(target: "tamga::net", %peer, %error, "sync request failed");
                // A peer no longer admitted is not named to the driver.
                if let Some(key) = self.gate.key_of(&peer) {
                    self.send_to_driver(NetEvent::SyncFailed { peer: key });
                }
            }
            _ => {}
        }
    }

    /// A connection closed by a connection limit: counted, and logged once a
    /// minute at most (a flood would otherwise flood the log). Not a
    /// security event per connection: the dialler is anonymous and may be many.
    fn connection_limited(&mut self, addr: &Multiaddr, limit: &connection_limits::Exceeded) {
        self.deps.metrics.p2p.connections_limited.inc();
        let now = tokio::time::Instant::now();
        if self.limited_noted.is_none_or(|t| now.duration_since(t) >= REFUSED_REPORT_INTERVAL) {
            self.limited_noted = Some(now);
            warn!(target: "tamga::net", %addr, %limit, "connection closed by a p2p connection limit (counted in tamga_p2p_connections_limited_total)");
        }
    }

    /// Serves a sync request off the task, unless the peer is over its rate
    /// or `sync_max_concurrent` reads already run: the request is then
    /// refused (its channel dropped, the peer sees a failure and asks again
    /// later) and counted.
    fn serve_sync_request(
        &mut self,
        peer: PeerId,
        request: SyncRequest,
        channel: request_response::ResponseChannel<SyncResponse>,
        done: mpsc::Sender<Done>,
    ) {
        let slot = match admit_sync_request(&mut self.sync_rate, &self.sync_inflight, peer, tokio::time::Instant::now())
        {
            Ok(slot) => slot,
            Err(reason) => {
                self.deps.metrics.p2p.count_sync_refused(reason);
                debug!(target: "tamga::net", %peer, reason, "sync request refused (over the peer's rate, or reads at their bound)");
                return;
            }
        };
        let ledger = self.deps.ledger.clone();
        let budget = SyncBudget {
            max_blocks: self.settings.limits.sync_max_blocks,
            max_bytes: self.settings.limits.sync_max_response_bytes,
        };
        tokio::task::spawn_blocking(move || {
            let _slot: Slot = slot;
            let response = serve_sync(&ledger, &request, budget);
            let _ = done.blocking_send(Done::SyncServed { channel, response });
        });
    }

    /// Records a refused peer as a security event, once per
    /// [`REFUSED_REPORT_INTERVAL`] per peer; the map is bounded by pruning
    /// entries older than the interval.
    fn report_refused(&mut self, peer: Option<PeerId>, addr: &Multiaddr, reason: String) {
        let now = tokio::time::Instant::now();
        // Without a peer id, the address without its port names the dialler.
        let who = match peer {
            Some(p) => p.to_string(),
            None => addr.iter().take(1).map(|p| p.to_string()).collect(),
        };
        if self.refused.get(&who).is_some_and(|t| now.duration_since(*t) < REFUSED_REPORT_INTERVAL) {
            return;
        }
        if self.refused.len() >= 4096 {
            self.refused.retain(|_, t| now.duration_since(*t) < REFUSED_REPORT_INTERVAL);
        }
        if self.refused.len() < 4096 {
            self.refused.insert(who, now);
        }
        let reason = format!("neither a validator of the current or next set nor a configured observer ({reason})");
        self.deps.security.record(SecurityEvent::PeerRefused {
            peer: peer.map(|p| p.to_string()),
            addr: addr.to_string(),
            reason,
        });
    }

    /// Tells the driver the admitted peer count; if its queue is full, again
    /// on the next redial tick (the count must not go stale).
    fn peers_changed(&mut self) {
        let n = self.connected.len();
        self.deps.metrics.peers.set(n as i64);
        self.peers_unsent = self.deps.events.try_send(NetEvent::Peers(n)).is_err();
    }

    /// Checks a gossiped consensus message on a verifier thread; the task
    /// reports the result to gossipsub and hands an accepted message to the
    /// driver. When the verifier's queue is full the message is ignored
    /// (neither forwarded nor penalised) and counted.
    fn check_consensus(&mut self, id: gossipsub::MessageId, source: PeerId, data: Vec<u8>, done: mpsc::Sender<Done>) {
        let known = self.known.clone();
        let max = self.settings.max_message_bytes;
        let chain_id = self.settings.chain_id.clone();
        let dropped_id = id.clone();
        let job = self.verifier.try_spawn(move || {
            let result = match known.get() {
                Some(k) => relay::check(&data, max, &chain_id, &k).map(Box::new),
                None => Err(RelayRefusal::LedgerUnavailable),
            };
            let _ = done.blocking_send(Done::ConsensusChecked { id, source, result });
        });
        if job.is_err() {
            self.deps.metrics.p2p.count_dropped(Inbound::Consensus.label());
            self.swarm.behaviour_mut().gossip.report_message_validation_result(
                &dropped_id,
                &source,
                MessageAcceptance::Ignore,
            );
        }
    }

    /// Admits a gossiped batch off the swarm task (signature checks are CPU
    /// work) and reports whether to forward it: a batch with a malformed or
    /// badly signed transaction is rejected (the sender misbehaves); one
    /// whose transactions are merely known already is ignored. At most
    /// `gossip_tx_queue` batches wait for admission; the next ones are
    /// ignored and counted (they are the first inbound work to drop).
    fn validate_txs(&mut self, id: gossipsub::MessageId, source: PeerId, data: Vec<u8>, done: mpsc::Sender<Done>) {
        let Some(slot) = self.tx_inflight.try_enter() else {
            self.deps.metrics.p2p.count_dropped(Inbound::Txs.label());
            self.swarm.behaviour_mut().gossip.report_message_validation_result(&id, &source, MessageAcceptance::Ignore);
            return;
        };
        let admission = self.deps.txs.clone();
        let max = self.settings.max_message_bytes;
        let job = self.deps.admission.spawn(move || {
            let _slot: Slot = slot;
            let acceptance = admit_gossiped(&admission, &source, &data, max);
            let _ = done.blocking_send(Done::TxValidation { id, source, acceptance });
        });
        if job.is_err() {
            // Only while shutting down: the message is neither forwarded nor penalised.
            debug!(target: "tamga::net", "admission pool closed: gossiped batch dropped");
        }
    }
}

/// Decodes a gossiped batch from `source` and admits its transactions
/// (security events and metrics are written by [`Admission::admit`]);
/// answers whether to forward it ([`batch_acceptance`]). A batch that does
/// not decode is rejected.
fn admit_gossiped(admission: &Admission, source: &PeerId, data: &[u8], max: usize) -> MessageAcceptance {
    match codec::decode::<TxBatch>("transaction batch", data, max) {
        Err(_) => MessageAcceptance::Reject,
        Ok(batch) => batch_acceptance(&admission.admit(TxEntry::Gossip, Some(source.to_string()), &batch[..])),
    }
}

/// Whether a gossiped transaction batch is forwarded, from the mempool's
/// verdict on each of its transactions: rejected (its sender misbehaves) if
/// one is malformed, badly signed or signed by a validator key; accepted if
/// one is new; ignored if all were merely known or refused by the chain's
/// state.
fn batch_acceptance<T>(results: &[Result<T, MempoolError>]) -> MessageAcceptance {
    let mut any_new = false;
    let mut bad = false;
    for r in results {
        match r {
            Ok(_) => any_new = true,
            Err(MempoolError::Stateless(_)) | Err(MempoolError::ValidatorSigner(_)) => bad = true,
            Err(_) => {}
        }
    }
    if bad {
        MessageAcceptance::Reject
    } else if any_new {
        MessageAcceptance::Accept
    } else {
        MessageAcceptance::Ignore
    }
}

/// Whether a sync request from `peer` at `now` is served: the peer must have
/// a token left ([`SyncRateLimiter`]) and fewer than `sync_max_concurrent`
/// reads may run. The refusal is the `reason` label of
/// `tamga_p2p_sync_refused_total`: `rate` or `busy`.
fn admit_sync_request(
    rate: &mut SyncRateLimiter,
    reads: &Inflight,
    peer: PeerId,
    now: tokio::time::Instant,
) -> Result<Slot, &'static str> {
    if !rate.allow(peer, now) {
        return Err("rate");
    }
    reads.try_enter().ok_or("busy")
}

/// Queues an inbound event for the driver without waiting; false (and
/// counted) when its queue is full. See [`Inbound`] for the drop policy.
fn offer(events: &mpsc::Sender<NetEvent>, ev: NetEvent, metrics: &NetMetrics) -> bool {
    match events.try_send(ev) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            metrics.count_dropped(Inbound::ToDriver.label());
            debug!(target: "tamga::net", "driver queue full: inbound event dropped");
            false
        }
        // The driver stopped: shutting down.
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

/// Replaces the admitted set of `gate` and of the swarm's allow list with
/// the peers of `keys`; every peer that lost its place is disallowed whether
/// connected or not (which also closes its connections). Returns `(added, removed)`.
fn apply_allowed(
    swarm: &mut Swarm<Behaviour>,
    gate: &mut PeerGate,
    keys: Vec<PublicKey>,
) -> (Vec<PeerId>, Vec<PeerId>) {
    let (added, removed) = gate.replace(keys);
    let allow = &mut swarm.behaviour_mut().allow;
    for p in &added {
        allow.allow_peer(*p);
    }
    for p in &removed {
        allow.disallow_peer(*p);
    }
    (added, removed)
}

/// The connected, admitted peer to ask for blocks next, with its node key:
/// round robin over the connected peers in their fixed order, skipping any
/// whose key is not admitted; `None` when there is none.
fn pick_sync_peer(connected: &BTreeSet<PeerId>, gate: &PeerGate, cursor: &mut usize) -> Option<(PeerId, PublicKey)> {
    let peers: Vec<(PeerId, PublicKey)> = connected.iter().filter_map(|p| Some((*p, gate.key_of(p)?))).collect();
    if peers.is_empty() {
        return None;
    }
    *cursor = (*cursor + 1) % peers.len();
    Some(peers[*cursor])
}

/// Why a sync answer is not handed to the driver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncAnswerRefusal {
    /// The responder is not admitted (it left the set while its answer was
    /// on the way): it is not named to the driver at all.
    #[error("the responder {peer} is not an admitted peer")]
    UnknownPeer {
        /// The responder.
        peer: PeerId,
    },
    /// No request to this peer is waiting for this answer.
    #[error("no sync request to this peer waits for an answer")]
    Unasked {
        /// The responder's node key.
        key: PublicKey,
    },
    /// More blocks than asked for: the peer does not follow the protocol.
    #[error("{got} blocks in answer to a request for at most {asked}")]
    TooManyBlocks {
        /// The responder's node key.
        key: PublicKey,
        /// Most blocks asked for.
        asked: u32,
        /// Blocks in the answer.
        got: usize,
    },
}

impl SyncAnswerRefusal {
    /// The node key to report the failed request under, if the peer is admitted.
    pub fn peer_key(&self) -> Option<PublicKey> {
        match self {
            SyncAnswerRefusal::UnknownPeer { .. } => None,
            SyncAnswerRefusal::Unasked { key } | SyncAnswerRefusal::TooManyBlocks { key, .. } => Some(*key),
        }
    }
}

/// The driver's event for a sync answer from `peer` to the request `asked`
/// (the peer asked and the most blocks asked for): the responder named by
/// its node key. An answer from a peer not admitted, to no request of ours,
/// or with more blocks than asked is refused (its blocks never reach the
/// driver). The driver checks the rest: the height of each block against
/// its own and each certificate ([`crate::driver`]).
fn sync_answer(
    gate: &PeerGate,
    peer: &PeerId,
    asked: Option<(PeerId, u32)>,
    response: SyncResponse,
) -> Result<NetEvent, SyncAnswerRefusal> {
    let key = gate.key_of(peer).ok_or(SyncAnswerRefusal::UnknownPeer { peer: *peer })?;
    let max = match asked {
        Some((to, max)) if to == *peer => max,
        _ => return Err(SyncAnswerRefusal::Unasked { key }),
    };
    if response.blocks.len() > max as usize {
        return Err(SyncAnswerRefusal::TooManyBlocks { key, asked: max, got: response.blocks.len() });
    }
    Ok(NetEvent::SyncBlocks { peer: key, height: response.height, blocks: response.blocks })
}

/// What one sync response may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncBudget {
    /// Most blocks (further capped by [`SYNC_MAX_BLOCKS`] and the request's `max`).
    pub max_blocks: u32,
    /// Most bytes of encoded blocks and certificates (further capped by
    /// [`SYNC_MAX_BYTES`]); the first block is sent whatever its size, so
    /// that a peer always makes progress.
    pub max_bytes: usize,
}

impl Default for SyncBudget {
    fn default() -> Self {
        SyncBudget { max_blocks: SYNC_MAX_BLOCKS, max_bytes: SYNC_MAX_BYTES }
    }
}

/// Reads consecutive certified blocks from `req.from`, within the count and byte budgets.
pub fn serve_sync(ledger: &Ledger, req: &SyncRequest, budget: SyncBudget) -> SyncResponse {
    let height = ledger.height().unwrap_or(0);
    let mut blocks = Vec::new();
    let mut bytes = 0usize;
    let max = req.max.min(budget.max_blocks).min(SYNC_MAX_BLOCKS) as u64;
    let max_bytes = budget.max_bytes.min(SYNC_MAX_BYTES);
    let mut h = req.from.max(1);
    while h <= height && (blocks.len() as u64) < max {
        let (Ok(Some(block)), Ok(Some(certificate))) = (ledger.block(h), ledger.certificate(h)) else { break };
        bytes += block.encode().len() + codec::encode(&certificate).len();
        if bytes > max_bytes && !blocks.is_empty() {
            break;
        }
        blocks.push(CertifiedBlock { block, certificate });
        h += 1;
    }
    SyncResponse { height, blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::SecurityLog;
    use libp2p::swarm::ListenError;

    fn signing(i: u8) -> tamga_types::SigningKey {
        tamga_types::SigningKey::from_seed([i; 32])
    }

    /// The node key of node `i`.
    fn key(i: u8) -> PublicKey {
        signing(i).public()
    }

    /// The libp2p identity of node `i` (its node key).
    fn keypair(i: u8) -> libp2p::identity::Keypair {
        crate::home::libp2p_keypair(&signing(i))
    }

    fn settings(kp: libp2p::identity::Keypair, allowed: Vec<PublicKey>, limits: Limits) -> NetworkSettings {
        NetworkSettings {
            keypair: kp,
            listen: "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
            dial: Vec::new(),
            allowed,
            chain_id: "tamga-test".into(),
            max_message_bytes: 1 << 20,
            tx_batch: 1,
            tx_batch_delay: Duration::from_millis(100),
            limits,
        }
    }

    /// A swarm listening on a loopback port, and that address.
    async fn listening(s: &NetworkSettings) -> (Swarm<Behaviour>, Multiaddr) {
        let mut swarm = build_swarm(s).unwrap();
        swarm.listen_on(s.listen.clone()).unwrap();
        loop {
            if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
                return (swarm, address);
            }
        }
    }

    /// Drives `swarm` until `f` picks an event, for at most 20 s.
    async fn until<T>(swarm: &mut Swarm<Behaviour>, mut f: impl FnMut(&SwarmEvent<BehaviourEvent>) -> Option<T>) -> T {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let ev = swarm.select_next_some().await;
                if let Some(t) = f(&ev) {
                    return t;
                }
            }
        })
        .await
        .expect("the awaited swarm event within 20 s")
    }

    /// Runs a swarm that dials `addr` in the background until aborted.
    fn dialler(kp: libp2p::identity::Keypair, allowed: Vec<PublicKey>, addr: Multiaddr) -> tokio::task::JoinHandle<()> {
        let mut swarm = build_swarm(&settings(kp, allowed, Limits::default())).unwrap();
        swarm.dial(addr).unwrap();
        tokio::spawn(async move {
            loop {
                swarm.select_next_some().await;
            }
        })
    }

    #[tokio::test]
    async fn a_validator_removed_while_offline_is_refused_when_it_comes_back() {
        let (ka, kb) = (keypair(1), keypair(2));
        let pb = kb.public().to_peer_id();
        let s = settings(ka, Vec::new(), Limits::default());
        let (mut a, addr) = listening(&s).await;
        let mut gate = PeerGate::default();
        apply_allowed(&mut a, &mut gate, vec![key(2)]);

        // B is a validator: admitted beyond the handshake.
        let b = dialler(kb.clone(), vec![key(1)], addr.clone());
        until(&mut a, |ev| {
            matches!(ev, SwarmEvent::ConnectionEstablished { peer_id, .. } if *peer_id == pb).then_some(())
        })
        .await;
        // B goes offline...
        b.abort();
        until(&mut a, |ev| {
            matches!(ev, SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } if *peer_id == pb)
                .then_some(())
        })
        .await;
        // ...and leaves the validator set while it is offline.
        let (_, removed) = apply_allowed(&mut a, &mut gate, vec![key(3)]);
        assert_eq!(removed, vec![pb]);

        // B comes back: its handshake completes, then the connection is refused.
        let b = dialler(kb, vec![key(1)], addr);
        let refused = until(&mut a, |ev| match ev {
            SwarmEvent::ConnectionEstablished { peer_id, .. } if *peer_id == pb => Some(false),
            SwarmEvent::IncomingConnectionError { peer_id, error: ListenError::Denied { cause }, .. } => {
                Some(*peer_id == Some(pb) && cause.downcast_ref::<allow_block_list::NotAllowed>().is_some())
            }
            _ => None,
        })
        .await;
        b.abort();
        assert!(refused, "the removed validator was admitted again");
        assert!(!a.is_connected(&pb));
    }

    #[tokio::test]
    async fn stalled_handshakes_are_bounded_and_timed_out() {
        use tokio::io::AsyncReadExt as _;
        let limits =
            Limits { max_pending_incoming: 4, handshake_timeout: Duration::from_millis(500), ..Limits::default() };
        let s = settings(keypair(1), Vec::new(), limits);
        let (mut a, addr) = listening(&s).await;
        let port = addr
            .iter()
            .find_map(|p| match p {
                libp2p::multiaddr::Protocol::Tcp(port) => Some(port),
                _ => None,
            })
            .unwrap();
        // Twelve sockets that connect and never send a byte of handshake.
        let mut socks = Vec::new();
        for _ in 0..12 {
            socks.push(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        let (mut limited, mut timed_out) = (0, 0);
        until(&mut a, |ev| {
            match ev {
                SwarmEvent::IncomingConnectionError { error: ListenError::Denied { cause }, .. }
                    if cause.downcast_ref::<connection_limits::Exceeded>().is_some() =>
                {
                    limited += 1
                }
                SwarmEvent::IncomingConnectionError { error: ListenError::Transport(_), .. } => timed_out += 1,
                _ => {}
            }
            (limited + timed_out == 12).then_some(())
        })
        .await;
        assert_eq!((limited, timed_out), (8, 4), "4 wait in their handshake, 8 are closed at once");
        // Every socket is closed by the node: none holds a file handle any more.
        let drive = tokio::spawn(async move {
            loop {
                a.select_next_some().await;
            }
        });
        for mut sock in socks {
            let mut buf = [0u8; 256];
            let n = tokio::time::timeout(Duration::from_secs(5), async {
                loop {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return 0,
                        // The node's side of the handshake (multistream-select header).
                        Ok(_) => continue,
                    }
                }
            })
            .await
            .expect("the node closes a stalled socket within the handshake timeout");
            assert_eq!(n, 0);
        }
        drive.abort();
    }

    #[tokio::test]
    async fn inbound_events_are_dropped_when_the_driver_is_behind_but_commands_wait() {
        let m = NetMetrics::default();
        let (tx, mut rx) = mpsc::channel(1);
        assert!(offer(&tx, NetEvent::Peers(1), &m));
        assert!(!offer(&tx, NetEvent::Peers(2), &m), "the queue is full: dropped, not awaited");
        assert_eq!(m.inbound_dropped.get_or_create(&vec![("kind".into(), "to_driver".into())]).get(), 1);
        assert!(matches!(rx.recv().await, Some(NetEvent::Peers(1))));

        // The driver's commands are never dropped: a full queue makes it wait.
        let (ctx, mut crx) = mpsc::channel(1);
        let handle = NetHandle { tx: ctx };
        handle.send(NetCommand::Sync { from: 1 }).await;
        let second = tokio::spawn({
            let handle = handle.clone();
            async move { handle.send(NetCommand::Sync { from: 2 }).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "the second command waits for room");
        assert!(matches!(crx.recv().await, Some(NetCommand::Sync { from: 1 })));
        second.await.unwrap();
        assert!(matches!(crx.recv().await, Some(NetCommand::Sync { from: 2 })));
    }

    #[test]
    fn a_full_transaction_queue_drops_transactions_not_consensus_messages() {
        let l = Limits { gossip_tx_queue: 2, gossip_consensus_queue: 16, ..Limits::default() };
        let (txs, consensus) = (Inflight::new(l.gossip_tx_queue), Inflight::new(l.gossip_consensus_queue));
        let held: Vec<Slot> = (0..2).map(|_| txs.try_enter().unwrap()).collect();
        assert!(txs.try_enter().is_none(), "a third transaction batch is dropped");
        assert!(consensus.try_enter().is_some(), "consensus messages have their own, larger queue");
        assert!(Limits::default().gossip_tx_queue < Limits::default().gossip_consensus_queue);
        drop(held);
        assert!(txs.try_enter().is_some());
    }

    fn peer(i: u8) -> PeerId {
        peer_id_of(&key(i)).unwrap()
    }

    fn heights(r: &SyncResponse) -> Vec<Height> {
        r.blocks.iter().map(|b| b.block.header.height).collect()
    }

    #[test]
    fn a_sync_request_is_served_within_its_bounds() {
        let c = testchain::TestChain::new(u64::from(SYNC_MAX_BLOCKS) + 6);
        let tip = c.ledger.height().unwrap();
        assert_eq!(tip, 70);
        let serve = |from, max, budget| serve_sync(&c.ledger, &SyncRequest { from, max }, budget);
        // However many are asked, and whatever the configured budget, at most SYNC_MAX_BLOCKS.
        let r = serve(1, u32::MAX, SyncBudget::default());
        assert_eq!(r.height, tip);
        assert_eq!(heights(&r), (1..=64).collect::<Vec<_>>());
        let r = serve(1, u32::MAX, SyncBudget { max_blocks: 1000, max_bytes: usize::MAX });
        assert_eq!(r.blocks.len(), SYNC_MAX_BLOCKS as usize);
        // The configured bound and the request's own bound.
        assert_eq!(
            heights(&serve(1, u32::MAX, SyncBudget { max_blocks: 5, ..SyncBudget::default() })),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(heights(&serve(10, 3, SyncBudget::default())), [10, 11, 12]);
        // Near the tip: what there is.
        assert_eq!(heights(&serve(66, u32::MAX, SyncBudget::default())), [66, 67, 68, 69, 70]);
        // Beyond the tip: nothing, with this node's height so that the asker knows.
        for from in [71, 1_000, u64::MAX] {
            let r = serve(from, u32::MAX, SyncBudget::default());
            assert!(r.blocks.is_empty(), "from {from}");
            assert_eq!(r.height, tip);
        }
        // Height 0 (genesis) has no block: served from 1.
        assert_eq!(heights(&serve(0, 2, SyncBudget::default())), [1, 2]);
        // A request for no block gets none.
        assert!(serve(1, 0, SyncBudget::default()).blocks.is_empty());
        // The byte budget: the first block whatever its size, then whole blocks within it.
        assert_eq!(heights(&serve(1, u32::MAX, SyncBudget { max_bytes: 1, ..SyncBudget::default() })), [1]);
        let size: usize =
            c.blocks(1, 3).iter().map(|b| b.block.encode().len() + codec::encode(&b.certificate).len()).sum();
        let within = |max_bytes| heights(&serve(1, u32::MAX, SyncBudget { max_bytes, ..SyncBudget::default() }));
        assert_eq!(within(size), [1, 2, 3]);
        assert_eq!(within(size - 1), [1, 2]);
        // Each block served comes with the certificate that certifies it.
        let chain_id = c.ledger.chain_id().unwrap();
        for cb in serve(60, u32::MAX, SyncBudget::default()).blocks {
            let set = c.ledger.validators_at(cb.block.header.height).unwrap();
            cb.certificate.verify_commit(&chain_id, &set, &cb.block.header).unwrap();
        }
    }

    #[test]
    fn sync_requests_are_refused_over_the_peers_rate_or_while_reads_are_at_their_bound() {
        let mut rate = SyncRateLimiter::new(1, 2);
        let reads = Inflight::new(1);
        let (a, b) = (peer(1), peer(2));
        let t0 = tokio::time::Instant::now();
        let first = admit_sync_request(&mut rate, &reads, a, t0).expect("served");
        assert_eq!(admit_sync_request(&mut rate, &reads, b, t0).err(), Some("busy"), "one read at a time");
        drop(first);
        let second = admit_sync_request(&mut rate, &reads, a, t0).expect("served once the read is done");
        drop(second);
        assert_eq!(admit_sync_request(&mut rate, &reads, a, t0).err(), Some("rate"), "a's burst is spent");
        assert!(admit_sync_request(&mut rate, &reads, b, t0).is_ok(), "b has its own bucket");
        let t1 = t0 + Duration::from_secs(1);
        assert!(admit_sync_request(&mut rate, &reads, a, t1).is_ok(), "a second later a has a token again");
    }

    #[test]
    fn sync_requests_go_round_robin_to_connected_admitted_peers_only() {
        let mut gate = PeerGate::default();
        gate.replace([key(2), key(3)]);
        // Peer 4 is connected but its key is not admitted (it left the set
        // and its connection is not closed yet): it is never asked.
        let connected: BTreeSet<PeerId> = [peer(2), peer(3), peer(4)].into();
        let mut cursor = 0;
        let picks: Vec<(PeerId, PublicKey)> =
            (0..4).map(|_| pick_sync_peer(&connected, &gate, &mut cursor).unwrap()).collect();
        for (p, k) in &picks {
            assert!(*k == key(2) || *k == key(3), "asked {k}");
            assert_eq!(Some(*p), peer_id_of(k), "the peer asked is the one of the key named");
        }
        assert_ne!(picks[0].1, picks[1].1, "the next request goes to the other peer");
        assert_eq!(picks[0].1, picks[2].1);
        assert_eq!(picks[1].1, picks[3].1);
        // No admitted peer connected: nobody is asked.
        gate.replace([key(9)]);
        assert!(pick_sync_peer(&connected, &gate, &mut cursor).is_none());
        assert!(pick_sync_peer(&BTreeSet::new(), &gate, &mut cursor).is_none());
    }

    #[test]
    fn a_sync_answer_reaches_the_driver_only_from_an_admitted_peer_that_was_asked_within_the_count() {
        let c = testchain::TestChain::new(3);
        let mut gate = PeerGate::default();
        gate.replace([key(2)]);
        let (b, stranger) = (peer(2), peer(3));
        let answer = || SyncResponse { height: 3, blocks: c.blocks(1, 3) };
        match sync_answer(&gate, &b, Some((b, 3)), answer()) {
            Ok(NetEvent::SyncBlocks { peer, height, blocks }) => {
                assert_eq!(peer, key(2), "named by its node key");
                assert_eq!(height, 3);
                assert_eq!(blocks, c.blocks(1, 3));
            }
            other => panic!("expected the blocks, got {other:?}"),
        }
        // A peer that is not admitted is not named to the driver at all.
        let e = sync_answer(&gate, &stranger, Some((stranger, 3)), answer()).unwrap_err();
        assert_eq!(e, SyncAnswerRefusal::UnknownPeer { peer: stranger });
        assert_eq!(e.peer_key(), None);
        // More blocks than asked: dropped, the driver hears of a failed request.
        let e = sync_answer(&gate, &b, Some((b, 2)), answer()).unwrap_err();
        assert_eq!(e, SyncAnswerRefusal::TooManyBlocks { key: key(2), asked: 2, got: 3 });
        assert_eq!(e.peer_key(), Some(key(2)));
        // An answer to no request of ours, or to a request to another peer.
        assert_eq!(sync_answer(&gate, &b, None, answer()).unwrap_err(), SyncAnswerRefusal::Unasked { key: key(2) });
        assert_eq!(
            sync_answer(&gate, &b, Some((stranger, 3)), answer()).unwrap_err(),
            SyncAnswerRefusal::Unasked { key: key(2) }
        );
        // The peer leaves the validator set while its answer is on the way.
        gate.replace([key(4)]);
        assert_eq!(
            sync_answer(&gate, &b, Some((b, 3)), answer()).unwrap_err(),
            SyncAnswerRefusal::UnknownPeer { peer: b }
        );
    }

    #[tokio::test]
    async fn the_sync_codec_refuses_an_oversized_answer_or_request_before_decoding() {
        use futures::io::Cursor;
        use request_response::Codec as _;
        let proto = StreamProtocol::new("/tamga/sync/1");
        let mut c = SyncCodec;
        let ok = codec::encode(&SyncResponse { height: 7, blocks: vec![] });
        assert_eq!(c.read_response(&proto, &mut Cursor::new(ok)).await.unwrap().height, 7);
        let big = vec![0u8; SYNC_MAX_BYTES + 1024 + 1];
        let e = c.read_response(&proto, &mut Cursor::new(big)).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("over"), "{e}");
        let req = SyncRequest { from: 5, max: 64 };
        assert_eq!(c.read_request(&proto, &mut Cursor::new(codec::encode(&req))).await.unwrap(), req);
        let e = c.read_request(&proto, &mut Cursor::new(vec![0u8; 65])).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        // Garbage within the size is refused by the decoder, not accepted.
        assert!(c.read_request(&proto, &mut Cursor::new(vec![0xff; 3])).await.is_err());
    }

    #[test]
    fn a_gossiped_batch_is_forwarded_only_if_it_brings_something_new_and_nothing_forged() {
        use crate::mempool::MempoolError as E;
        let h = tamga_types::Hash([1; 32]);
        let forged =
            || E::Stateless(tamga_types::StatelessError::Signature(tamga_types::SignatureError::Invalid(key(3))));
        let validator = || E::ValidatorSigner(key(1));
        assert_eq!(batch_acceptance::<()>(&[Ok(()), Err(E::Duplicate(h))]), MessageAcceptance::Accept);
        assert_eq!(batch_acceptance::<()>(&[Err(E::Duplicate(h)), Err(E::Committed(h))]), MessageAcceptance::Ignore);
        assert_eq!(batch_acceptance::<()>(&[Ok(()), Err(forged())]), MessageAcceptance::Reject);
        assert_eq!(batch_acceptance::<()>(&[Ok(()), Err(validator())]), MessageAcceptance::Reject);
        assert_eq!(batch_acceptance::<()>(&[]), MessageAcceptance::Ignore);
    }

    /// The gossip path goes through the one admission path: a batch with one
    /// badly signed transaction is rejected, and that transaction is one
    /// `bad_signature` event (origin `gossip`, naming the peer) and one
    /// refusal in `tamga_mempool_rejected_total`, written once.
    #[test]
    fn a_badly_signed_gossiped_transaction_is_one_security_event_and_one_refusal() {
        use tamga_types::{Payload, RevocationReason, Transaction};
        let c = testchain::TestChain::new(0);
        let chain_id = c.ledger.chain_id().unwrap();
        let metrics = Arc::new(Metrics::new());
        let security = SecurityLog::in_memory(key(9), &metrics);
        let mempool =
            Arc::new(crate::mempool::Mempool::new(chain_id.clone(), crate::mempool::MempoolLimits::default()));
        let admission =
            Admission::new(mempool.clone(), testchain::chain_view(c.ledger.clone()), security.clone(), metrics.clone());
        let signer = signing(7);
        let mut forged = Transaction {
            chain_id: tamga_types::ChainId::new(&chain_id).unwrap(),
            signer: signer.public(),
            nonce: 0,
            payload: Payload::RevokeAccount { key: signer.public(), reason: RevocationReason::HolderRequest },
            memo: Default::default(),
        }
        .sign(&signer)
        .encode();
        let n = forged.len();
        forged[n - 1] ^= 1;
        let batch = TxBatch::new(vec![forged]).unwrap();
        let data = codec::encode(&batch);
        let peer = PeerId::random();
        assert_eq!(admit_gossiped(&admission, &peer, &data, 1 << 20), MessageAcceptance::Reject);
        let events = security.page(0, 10, None);
        assert_eq!(events.len(), 1, "one event for one bad signature");
        match &events[0].event {
            SecurityEvent::BadSignature { origin, from, signer: s, .. } => {
                assert_eq!(
                    (*origin, from.clone(), *s),
                    (Origin::Gossip, Some(peer.to_string()), Some(signer.public()))
                );
            }
            other => panic!("{other:?}"),
        }
        let text = metrics.encode();
        assert!(text.contains("tamga_mempool_rejected_total 1"), "{text}");
        assert!(text.contains("tamga_security_events_total{kind=\"bad_signature\"} 1"), "{text}");
        assert!(mempool.is_empty());
        // A batch that does not decode is rejected without an event.
        assert_eq!(admit_gossiped(&admission, &peer, b"junk", 1 << 20), MessageAcceptance::Reject);
        assert_eq!(security.page(0, 10, None).len(), 1);
    }

    /// A network task on a loopback port with real dependencies.
    struct Running {
        handle: NetHandle,
        events: mpsc::Receiver<NetEvent>,
        _local_txs: mpsc::Sender<Vec<u8>>,
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    fn run_node(i: u8, ledger: Arc<Ledger>, port: u16, allowed: Vec<PublicKey>, dial: Vec<Multiaddr>) -> Running {
        let metrics = Arc::new(Metrics::new());
        let chain_id = ledger.chain_id().unwrap();
        let limits = crate::mempool::MempoolLimits { max_txs: 100, max_bytes: 1 << 20, max_per_account: 16 };
        let (local_tx, local_rx) = mpsc::channel(16);
        let (events_tx, events) = mpsc::channel(64);
        let security = SecurityLog::in_memory(key(i), &metrics);
        let s = NetworkSettings {
            listen: format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap(),
            dial,
            chain_id: chain_id.clone(),
            ..settings(keypair(i), allowed, Limits::default())
        };
        let deps = NetworkDeps {
            txs: Admission::new(
                Arc::new(crate::mempool::Mempool::new(chain_id, limits)),
                testchain::chain_view(ledger.clone()),
                security.clone(),
                metrics.clone(),
            ),
            ledger,
            admission: AdmissionPool::start(0).unwrap(),
            metrics: metrics.clone(),
            local_txs: local_rx,
            events: events_tx,
            security,
        };
        let (handle, _) = spawn(s, deps).unwrap();
        Running { handle, events, _local_txs: local_tx }
    }

    /// The next event `f` picks, within `secs`; `None` if none came.
    async fn next_event<T>(
        rx: &mut mpsc::Receiver<NetEvent>,
        secs: u64,
        mut f: impl FnMut(NetEvent) -> Option<T>,
    ) -> Option<T> {
        tokio::time::timeout(Duration::from_secs(secs), async {
            loop {
                if let Some(t) = f(rx.recv().await?) {
                    return Some(t);
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocks_sync_over_a_real_pair_naming_the_responder_by_key_until_it_leaves_the_set() {
        let mut c = testchain::TestChain::new(5);
        let (pa, pb) = (free_port(), free_port());
        let b_addr: Multiaddr = format!("/ip4/127.0.0.1/tcp/{pb}/p2p/{}", peer(2)).parse().unwrap();
        let _b = run_node(2, c.ledger.clone(), pb, vec![key(1)], vec![]);
        let mut a = run_node(1, c.fresh_ledger(), pa, vec![key(2)], vec![b_addr]);
        next_event(&mut a.events, 20, |ev| matches!(ev, NetEvent::Peers(1)).then_some(()))
            .await
            .expect("A connects to B");

        a.handle.send(NetCommand::Sync { from: 2 }).await;
        let (peer, height, blocks) = next_event(&mut a.events, 20, |ev| match ev {
            NetEvent::SyncBlocks { peer, height, blocks } => Some((peer, height, blocks)),
            _ => None,
        })
        .await
        .expect("B answers");
        assert_eq!(peer, key(2), "the responder is named by its node key");
        assert_eq!(height, 5);
        assert_eq!(blocks, c.blocks(2, 5));

        // B leaves the set: its connection closes and it is asked nothing more.
        a.handle.set_allowed(vec![key(3)]).await;
        next_event(&mut a.events, 20, |ev| matches!(ev, NetEvent::Peers(0)).then_some(()))
            .await
            .expect("B is disconnected");
        a.handle.send(NetCommand::Sync { from: 1 }).await;
        let heard = next_event(&mut a.events, 3, |ev| match ev {
            NetEvent::SyncBlocks { peer, .. } | NetEvent::SyncFailed { peer } => Some(peer),
            _ => None,
        })
        .await;
        assert_eq!(heard, None, "no sync with a peer that left the set");
    }
}
