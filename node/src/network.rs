//! The libp2p network (SPEC §9): TCP + noise + yamux, peers authenticated by
//! their ed25519 key and admitted only when they are validators of the
//! current set or configured observers; gossipsub for transactions and
//! consensus messages, validated before they are forwarded; request-response
//! for block sync.
//!
//! One task owns the `Swarm`. The driver talks to it through [`NetHandle`]
//! (commands) and receives [`NetEvent`]s. Wire messages are borsh, decoded
//! with explicit size limits before allocation.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use borsh::{BorshDeserialize, BorshSerialize};
use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{allow_block_list, identify, noise, ping, tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm};
use tamga_consensus::Message;
use tamga_state::Ledger;
use tamga_types::codec::{self, BoundedVec};
use tamga_types::{Block, CertifiedBlock, Evidence, Height};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use crate::admission::AdmissionPool;
use crate::mempool::{ChainView, Mempool, MempoolError};
use crate::metrics::Metrics;
use crate::security::{Origin, SecurityEvent, SecurityLog};

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

/// The composed behaviour.
#[derive(NetworkBehaviour)]
struct Behaviour {
    allow: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    gossip: gossipsub::Behaviour,
    sync: request_response::Behaviour<SyncCodec>,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

/// What the network reports to the driver.
#[derive(Debug)]
pub enum NetEvent {
    /// A decoded consensus-topic message.
    Consensus(Box<ConsensusWire>),
    /// Blocks received in answer to a sync request.
    SyncBlocks {
        /// The responder.
        peer: PeerId,
        /// Its last committed height.
        height: Height,
        /// The blocks.
        blocks: Vec<CertifiedBlock>,
    },
    /// A sync request failed or got an error.
    SyncFailed {
        /// The peer asked.
        peer: PeerId,
    },
    /// Number of connected admitted peers changed.
    Peers(usize),
}

/// Commands to the network task.
#[derive(Debug)]
pub enum NetCommand {
    /// Publish on the consensus topic.
    Publish(Box<ConsensusWire>),
    /// Ask a peer for certified blocks from `from`.
    Sync {
        /// First height wanted.
        from: Height,
    },
    /// Replace the set of admitted peers (validator set change).
    SetAllowed(Vec<PeerId>),
}

/// Sends commands to the network task.
#[derive(Clone)]
pub struct NetHandle {
    tx: mpsc::Sender<NetCommand>,
}

impl NetHandle {
    /// Queues a command; drops it (with a warning) if the network task is gone.
    pub async fn send(&self, cmd: NetCommand) {
        if self.tx.send(cmd).await.is_err() {
            warn!(target: "tamga::net", "network task stopped; command dropped");
        }
    }
}

/// Network settings.
pub struct NetworkSettings {
    /// Identity (same ed25519 key as the node key).
    pub keypair: libp2p::identity::Keypair,
    /// Listen address.
    pub listen: Multiaddr,
    /// Peers to keep dialling (multiaddrs with `/p2p/<id>`).
    pub dial: Vec<Multiaddr>,
    /// Admitted peers.
    pub allowed: Vec<PeerId>,
    /// Chain id (topic names).
    pub chain_id: String,
    /// Largest gossip message.
    pub max_message_bytes: usize,
    /// Transactions per gossip batch.
    pub tx_batch: usize,
    /// Longest wait before a partial batch is sent.
    pub tx_batch_delay: Duration,
}

/// Everything the network task needs besides its settings.
pub struct NetworkDeps {
    /// For sync responses.
    pub ledger: Arc<Ledger>,
    /// For gossiped transactions.
    pub mempool: Arc<Mempool>,
    /// Chain view for mempool admission.
    pub chain: Arc<dyn ChainView>,
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
    let gossip_cfg = gossipsub::ConfigBuilder::default()
        .max_transmit_size(max)
        .validate_messages()
        .validation_mode(gossipsub::ValidationMode::Strict)
        .heartbeat_interval(Duration::from_millis(500))
        .build()
        .map_err(|e| setup(&e))?;
    let mut allowed = allow_block_list::Behaviour::<allow_block_list::AllowedPeers>::default();
    for p in &s.allowed {
        allowed.allow_peer(*p);
    }
    let keypair = s.keypair.clone();
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
        .map_err(|e| setup(&e))?
        .with_behaviour(|key| {
            let gossip = gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(key.clone()), gossip_cfg)?;
            let sync = request_response::Behaviour::with_codec(
                SyncCodec,
                [(StreamProtocol::new("/tamga/sync/1"), ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(30)),
            );
            let identify = identify::Behaviour::new(identify::Config::new("/tamga/1".into(), key.public()));
            Ok(Behaviour { allow: allowed, gossip, sync, identify, ping: ping::Behaviour::default() })
        })
        .map_err(|e| setup(&e))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
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
    let (tx, rx) = mpsc::channel(1024);
    let task = NetTask {
        swarm,
        settings,
        deps,
        consensus_topic,
        tx_topic,
        commands: rx,
        connected: HashSet::new(),
        pending_sync: HashMap::new(),
        next_sync_peer: 0,
        tx_buffer: Vec::new(),
        refused: HashMap::new(),
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
    connected: HashSet<PeerId>,
    pending_sync: HashMap<request_response::OutboundRequestId, PeerId>,
    next_sync_peer: usize,
    tx_buffer: Vec<Vec<u8>>,
    /// When each refused peer (id, else address) was last recorded as a security event.
    refused: HashMap<String, tokio::time::Instant>,
}

/// Results of work done off the swarm task.
enum Done {
    TxValidation { id: gossipsub::MessageId, source: PeerId, acceptance: MessageAcceptance },
    SyncServed { channel: request_response::ResponseChannel<SyncResponse>, response: SyncResponse },
}

impl NetTask {
    async fn run(mut self) {
        let mut redial = tokio::time::interval(Duration::from_secs(2));
        let mut flush = tokio::time::interval(self.settings.tx_batch_delay);
        let (done_tx, mut done_rx) = mpsc::channel::<Done>(1024);
        info!(target: "tamga::net", peer_id = %self.swarm.local_peer_id(), listen = %self.settings.listen, "network started");
        loop {
            tokio::select! {
                ev = self.swarm.select_next_some() => self.on_swarm_event(ev, &done_tx).await,
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
                _ = redial.tick() => self.redial(),
                Some(done) = done_rx.recv() => match done {
                    Done::TxValidation { id, source, acceptance } => {
                        self.swarm.behaviour_mut().gossip.report_message_validation_result(&id, &source, acceptance);
                    }
                    Done::SyncServed { channel, response } => {
                        let _ = self.swarm.behaviour_mut().sync.send_response(channel, response);
                    }
                },
            }
        }
        info!(target: "tamga::net", "network stopped");
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

    fn redial(&mut self) {
        for addr in self.settings.dial.clone() {
            let peer = addr.iter().find_map(|p| match p {
                libp2p::multiaddr::Protocol::P2p(id) => Some(id),
                _ => None,
            });
            if let Some(peer) = peer {
                if peer != *self.swarm.local_peer_id() && !self.swarm.is_connected(&peer) {
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
                let peers: Vec<PeerId> = self.connected.iter().copied().collect();
                if peers.is_empty() {
                    return;
                }
                self.next_sync_peer = (self.next_sync_peer + 1) % peers.len();
                let peer = peers[self.next_sync_peer];
                let id =
                    self.swarm.behaviour_mut().sync.send_request(&peer, SyncRequest { from, max: SYNC_MAX_BLOCKS });
                self.pending_sync.insert(id, peer);
                debug!(target: "tamga::net", %peer, from, "sync requested");
            }
            NetCommand::SetAllowed(peers) => {
                let new: HashSet<PeerId> = peers.into_iter().collect();
                let allow = &mut self.swarm.behaviour_mut().allow;
                for p in &new {
                    allow.allow_peer(*p);
                }
                for p in self.connected.clone() {
                    if !new.contains(&p) {
                        self.swarm.behaviour_mut().allow.disallow_peer(p);
                    }
                }
            }
        }
    }

    async fn on_swarm_event(&mut self, ev: SwarmEvent<BehaviourEvent>, done: &mpsc::Sender<Done>) {
        match ev {
            SwarmEvent::NewListenAddr { address, .. } => {
                info!(target: "tamga::net", %address, "listening");
            }
            SwarmEvent::ConnectionEstablished { peer_id, .. } if self.connected.insert(peer_id) => {
                info!(target: "tamga::net", peer = %peer_id, "peer connected");
                self.peers_changed().await;
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } if self.connected.remove(&peer_id) => {
                info!(target: "tamga::net", peer = %peer_id, "peer disconnected");
                self.peers_changed().await;
            }
            SwarmEvent::IncomingConnectionError {
                error: libp2p::swarm::ListenError::Denied { cause },
                send_back_addr,
                peer_id,
                ..
            } => {
                self.deps.metrics.peers_refused.inc();
                info!(target: "tamga::net", addr = %send_back_addr, "refused a peer that is neither validator nor observer");
                self.report_refused(peer_id, &send_back_addr, cause.to_string());
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => {
                if message.topic == self.consensus_topic.hash() {
                    let acceptance = match codec::decode::<ConsensusWire>(
                        "consensus message",
                        &message.data,
                        self.settings.max_message_bytes,
                    ) {
                        Ok(msg) => {
                            let _ = self.deps.events.send(NetEvent::Consensus(Box::new(msg))).await;
                            MessageAcceptance::Accept
                        }
                        Err(e) => {
                            warn!(target: "tamga::net", peer = %propagation_source, error = %e, "undecodable consensus message");
                            MessageAcceptance::Reject
                        }
                    };
                    self.swarm.behaviour_mut().gossip.report_message_validation_result(
                        &message_id,
                        &propagation_source,
                        acceptance,
                    );
                } else if message.topic == self.tx_topic.hash() {
                    self.validate_txs(message_id, propagation_source, message.data, done.clone());
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message { peer, message, .. })) => {
                match message {
                    request_response::Message::Request { request, channel, .. } => {
                        let ledger = self.deps.ledger.clone();
                        let done = done.clone();
                        tokio::task::spawn_blocking(move || {
                            let response = serve_sync(&ledger, &request);
                            let _ = done.blocking_send(Done::SyncServed { channel, response });
                        });
                    }
                    request_response::Message::Response { request_id, response } => {
                        self.pending_sync.remove(&request_id);
                        let _ = self
                            .deps
                            .events
                            .send(NetEvent::SyncBlocks { peer, height: response.height, blocks: response.blocks })
                            .await;
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
                let _ = self.deps.events.send(NetEvent::SyncFailed { peer }).await;
            }
            _ => {}
        }
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

    async fn peers_changed(&mut self) {
        let n = self.connected.len();
        self.deps.metrics.peers.set(n as i64);
        let _ = self.deps.events.send(NetEvent::Peers(n)).await;
    }

    /// Admits a gossiped batch off the swarm task (signature checks are CPU
    /// work) and reports whether to forward it: a batch with a malformed or
    /// badly signed transaction is rejected (the sender misbehaves); one
    /// whose transactions are merely known already is ignored.
    fn validate_txs(&self, id: gossipsub::MessageId, source: PeerId, data: Vec<u8>, done: mpsc::Sender<Done>) {
        let mempool = self.deps.mempool.clone();
        let chain = self.deps.chain.clone();
        let metrics = self.deps.metrics.clone();
        let security = self.deps.security.clone();
        let max = self.settings.max_message_bytes;
        let job = self.deps.admission.spawn(move || {
            let acceptance = match codec::decode::<TxBatch>("transaction batch", &data, max) {
                Err(_) => MessageAcceptance::Reject,
                Ok(batch) => {
                    let raws: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
                    let results = mempool.submit_raw(chain.as_ref(), &raws);
                    security.record_bad_tx_signatures(Origin::Gossip, Some(source.to_string()), &raws, &results);
                    let mut any_new = false;
                    let mut bad = false;
                    for r in &results {
                        match r {
                            Ok(_) => any_new = true,
                            Err(MempoolError::Stateless(_)) | Err(MempoolError::ValidatorSigner(_)) => bad = true,
                            Err(_) => {
                                metrics.mempool_rejected.inc();
                            }
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
            };
            let _ = done.blocking_send(Done::TxValidation { id, source, acceptance });
        });
        if job.is_err() {
            // Only while shutting down: the message is neither forwarded nor penalised.
            debug!(target: "tamga::net", "admission pool closed: gossiped batch dropped");
        }
    }
}

/// Reads consecutive certified blocks from `req.from`, within the count and byte budgets.
pub fn serve_sync(ledger: &Ledger, req: &SyncRequest) -> SyncResponse {
    let height = ledger.height().unwrap_or(0);
    let mut blocks = Vec::new();
    let mut bytes = 0usize;
    let max = req.max.min(SYNC_MAX_BLOCKS) as u64;
    let mut h = req.from.max(1);
    while h <= height && (blocks.len() as u64) < max {
        let (Ok(Some(block)), Ok(Some(certificate))) = (ledger.block(h), ledger.certificate(h)) else { break };
        bytes += block.encode().len();
        if bytes > SYNC_MAX_BYTES && !blocks.is_empty() {
            break;
        }
        blocks.push(CertifiedBlock { block, certificate });
        h += 1;
    }
    SyncResponse { height, blocks }
}
