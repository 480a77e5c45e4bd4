//! The check of a gossiped consensus message before this node relays it or
//! hands it to the driver (SPEC §9): it decodes within the size limit, its
//! signer is a validator of the current or next set, its height is within
//! [`Known::window`] of the height being decided, and its signature
//! verifies. Gossipsub forwards a message only after
//! `report_message_validation_result` says `Accept`, so a forged, foreign
//! or stale message costs one check here and goes no further.
//!
//! The checks run on [`Verifier`] threads, not on the network task: an
//! ed25519 verification is tens of microseconds, a flood of them would stall
//! every connection. The verifier's queue is bounded; a message that finds
//! it full is dropped (not forwarded, not delivered) and counted.

use std::collections::HashSet;
use std::sync::{mpsc, Arc, Mutex};

use libp2p::gossipsub::MessageAcceptance;
use tamga_consensus::Message;
use tamga_state::Ledger;
use tamga_types::{codec, Height, PublicKey};
use tracing::warn;

use super::ConsensusWire;

/// Why a consensus message is not relayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayRefusal {
    /// The bytes are not a [`ConsensusWire`] within the size limit.
    #[error("undecodable consensus message: {0}")]
    Undecodable(String),
    /// The signer is in neither the current nor the next validator set.
    #[error("signer {signer} is not a validator of height {height} or the next")]
    UnknownValidator {
        /// The claimed signer.
        signer: PublicKey,
        /// The height being decided here.
        height: Height,
    },
    /// The message is for a height too far from ours.
    #[error("message for height {got}, outside {ours} ± {window}")]
    OutsideWindow {
        /// The message's height.
        got: Height,
        /// The height being decided here.
        ours: Height,
        /// The window.
        window: u64,
    },
    /// The signature does not verify.
    #[error("bad signature by {signer}")]
    BadSignature {
        /// The claimed signer.
        signer: PublicKey,
    },
    /// This node could not read its height or validator sets to check the message.
    #[error("the ledger could not be read to check the message")]
    LedgerUnavailable,
}

impl RelayRefusal {
    /// The `reason` label of `tamga_p2p_consensus_refused_total`.
    pub fn label(&self) -> &'static str {
        match self {
            RelayRefusal::Undecodable(_) => "undecodable",
            RelayRefusal::UnknownValidator { .. } => "unknown_validator",
            RelayRefusal::OutsideWindow { .. } => "outside_window",
            RelayRefusal::BadSignature { .. } => "bad_signature",
            RelayRefusal::LedgerUnavailable => "ledger_unavailable",
        }
    }

    /// What gossipsub does with the message: a forged or malformed one is
    /// rejected (its sender misbehaves); one merely out of our window is
    /// ignored (an honest peer ahead of or behind us sent it), and so is one
    /// we could not check.
    pub fn acceptance(&self) -> MessageAcceptance {
        match self {
            RelayRefusal::OutsideWindow { .. } | RelayRefusal::LedgerUnavailable => MessageAcceptance::Ignore,
            _ => MessageAcceptance::Reject,
        }
    }
}

/// What this node knows when it checks a message: the height being decided
/// (last committed + 1) and the keys of its validator set and the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// Height being decided.
    pub height: Height,
    /// Validators of `height` and `height + 1`.
    pub validators: HashSet<PublicKey>,
    /// Heights accepted: `height - window ..= height + window`.
    pub window: u64,
}

impl Known {
    fn check_height(&self, got: Height) -> Result<(), RelayRefusal> {
        if got.abs_diff(self.height) > self.window {
            return Err(RelayRefusal::OutsideWindow { got, ours: self.height, window: self.window });
        }
        Ok(())
    }

    fn check_signer(&self, signer: PublicKey) -> Result<(), RelayRefusal> {
        if !self.validators.contains(&signer) {
            return Err(RelayRefusal::UnknownValidator { signer, height: self.height });
        }
        Ok(())
    }
}

/// Decodes and checks one gossiped consensus message. The cheap checks
/// (size, signer, height) come before the signature. Evidence is accepted
/// at any height up to the window ahead (an equivocation is worth spreading
/// however old), but only about a known validator: evidence signed by any
/// other key proves nothing and would only fill the security record.
pub fn check(data: &[u8], max_bytes: usize, chain_id: &str, known: &Known) -> Result<ConsensusWire, RelayRefusal> {
    let wire = codec::decode::<ConsensusWire>("consensus message", data, max_bytes)
        .map_err(|e| RelayRefusal::Undecodable(e.to_string()))?;
    match &wire {
        ConsensusWire::Consensus(Message::Proposal(p)) => {
            known.check_signer(p.proposer)?;
            known.check_height(p.height)?;
            p.verify(chain_id).map_err(|_| RelayRefusal::BadSignature { signer: p.proposer })?;
        }
        ConsensusWire::Consensus(Message::Vote(v)) => {
            known.check_signer(v.validator)?;
            known.check_height(v.data.height)?;
            v.verify(chain_id).map_err(|_| RelayRefusal::BadSignature { signer: v.validator })?;
        }
        ConsensusWire::Evidence(e) => {
            known.check_signer(e.validator())?;
            let h = e.height();
            if h > known.height.saturating_add(known.window) {
                return Err(RelayRefusal::OutsideWindow { got: h, ours: known.height, window: known.window });
            }
            e.verify(chain_id).map_err(|_| RelayRefusal::BadSignature { signer: e.validator() })?;
        }
    }
    Ok(wire)
}

/// [`Known`] read from the ledger, cached until the ledger's height moves.
pub struct KnownCache {
    ledger: Arc<Ledger>,
    window: u64,
    cached: Mutex<Option<(Height, Arc<Known>)>>,
}

impl KnownCache {
    /// Reads `ledger` with heights accepted within `window`.
    pub fn new(ledger: Arc<Ledger>, window: u64) -> Self {
        KnownCache { ledger, window, cached: Mutex::new(None) }
    }

    /// The current view; `None` when the ledger cannot be read (the message
    /// is then ignored, not rejected).
    pub fn get(&self) -> Option<Arc<Known>> {
        let committed = self.ledger.height().ok()?;
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((h, k)) = cached.as_ref() {
            if *h == committed {
                return Some(k.clone());
            }
        }
        let height = committed + 1;
        let mut validators = HashSet::new();
        for h in [height, height + 1] {
            match self.ledger.validators_at(h) {
                Ok(set) => validators.extend(set.validators.iter().map(|v| v.key)),
                Err(e) => {
                    warn!(target: "tamga::net", height = h, error = %e, "cannot read the validator set");
                    return None;
                }
            }
        }
        let known = Arc::new(Known { height, validators, window: self.window });
        *cached = Some((committed, known.clone()));
        Some(known)
    }
}

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A few threads that run the signature checks of gossiped consensus
/// messages, fed by one bounded queue. They run at normal priority (unlike
/// transaction admission, `crate::admission`): consensus messages are on
/// the critical path of every height.
pub struct Verifier {
    jobs: mpsc::SyncSender<Job>,
}

/// The verifier's queue is full, or its threads are gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the consensus verifier's queue is full")]
pub struct VerifierFull;

impl Verifier {
    /// `threads` threads behind a queue of `queue` jobs.
    pub fn start(threads: usize, queue: usize) -> std::io::Result<Verifier> {
        let (jobs, rx) = mpsc::sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new().name(format!("tamga-p2p-verify-{i}")).spawn(move || loop {
                // The guard is a temporary: released before the job runs.
                let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                match job {
                    Ok(job) => {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(_) => break,
                }
            })?;
        }
        Ok(Verifier { jobs })
    }

    /// Queues `f` unless the queue is full.
    pub fn try_spawn(&self, f: impl FnOnce() + Send + 'static) -> Result<(), VerifierFull> {
        self.jobs.try_send(Box::new(f)).map_err(|_| VerifierFull)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_consensus::Proposal;
    use tamga_types::{Block, BlockHeader, ChainId, DoubleVote, Evidence, Hash, SigningKey, Vote, VoteData, VoteKind};

    const CHAIN: &str = "tamga-test";

    fn key(i: u8) -> SigningKey {
        SigningKey::from_seed([i; 32])
    }

    fn block(height: Height, proposer: &SigningKey) -> Block {
        let header = BlockHeader {
            chain_id: ChainId::new(CHAIN).unwrap(),
            height,
            round: 0,
            time_ms: 1,
            parent_hash: Hash::ZERO,
            proposer: proposer.public(),
            tx_root: Hash::ZERO,
            evidence_root: Hash::ZERO,
            state_root: Hash::ZERO,
            receipts_root: Hash::ZERO,
            validators_hash: Hash::ZERO,
            next_validators_hash: Hash::ZERO,
        };
        Block { header, txs: Default::default(), evidence: Default::default() }
    }

    fn known(height: Height, keys: &[&SigningKey]) -> Known {
        Known { height, validators: keys.iter().map(|k| k.public()).collect(), window: 2 }
    }

    fn vote(k: &SigningKey, height: Height, block: u8) -> Vote {
        let data = VoteData { kind: VoteKind::Prevote, height, round: 0, block_hash: Hash([block; 32]) };
        Vote::sign(k, CHAIN, data)
    }

    fn wire(v: Vote) -> Vec<u8> {
        codec::encode(&ConsensusWire::Consensus(Message::Vote(v)))
    }

    const MAX: usize = 1 << 20;

    #[test]
    fn a_good_vote_and_proposal_are_accepted() {
        let (a, b) = (key(1), key(2));
        let k = known(10, &[&a, &b]);
        for h in [8, 10, 12] {
            let got = check(&wire(vote(&a, h, 7)), MAX, CHAIN, &k).unwrap();
            assert!(matches!(got, ConsensusWire::Consensus(Message::Vote(v)) if v.data.height == h));
        }
        let p = Proposal::sign(&b, CHAIN, 10, 0, None, block(10, &b));
        let bytes = codec::encode(&ConsensusWire::Consensus(Message::Proposal(p)));
        assert!(check(&bytes, MAX, CHAIN, &k).is_ok());
    }

    #[test]
    fn a_bad_signature_is_rejected() {
        let a = key(1);
        let k = known(10, &[&a]);
        let mut v = vote(&a, 10, 7);
        v.data.block_hash = Hash([8; 32]); // signed 7, claims 8
        let e = check(&wire(v), MAX, CHAIN, &k).unwrap_err();
        assert_eq!(e, RelayRefusal::BadSignature { signer: a.public() });
        assert_eq!(e.acceptance(), MessageAcceptance::Reject);
        // Signed for another chain.
        let other = Vote::sign(&a, "other-chain", vote(&a, 10, 7).data);
        assert_eq!(check(&wire(other), MAX, CHAIN, &k).unwrap_err().label(), "bad_signature");
    }

    #[test]
    fn an_unknown_signer_is_rejected() {
        let (a, stranger) = (key(1), key(9));
        let k = known(10, &[&a]);
        let e = check(&wire(vote(&stranger, 10, 7)), MAX, CHAIN, &k).unwrap_err();
        assert_eq!(e, RelayRefusal::UnknownValidator { signer: stranger.public(), height: 10 });
        assert_eq!(e.acceptance(), MessageAcceptance::Reject);
        // Equivocation "evidence" made by a stranger with its own key is
        // validly signed and conflicting, and still refused.
        let ev = Evidence::DoubleVote(DoubleVote { a: vote(&stranger, 10, 1), b: vote(&stranger, 10, 2) });
        ev.verify(CHAIN).unwrap();
        let bytes = codec::encode(&ConsensusWire::Evidence(ev));
        assert_eq!(check(&bytes, MAX, CHAIN, &k).unwrap_err().label(), "unknown_validator");
    }

    #[test]
    fn a_far_height_is_ignored_not_relayed() {
        let a = key(1);
        let k = known(10, &[&a]);
        for h in [1, 7, 13, 1_000_000] {
            let e = check(&wire(vote(&a, h, 7)), MAX, CHAIN, &k).unwrap_err();
            assert_eq!(e, RelayRefusal::OutsideWindow { got: h, ours: 10, window: 2 });
            assert_eq!(e.acceptance(), MessageAcceptance::Ignore);
        }
        // Old evidence about a known validator still travels; evidence from the future does not.
        let old = Evidence::DoubleVote(DoubleVote { a: vote(&a, 3, 1), b: vote(&a, 3, 2) });
        assert!(check(&codec::encode(&ConsensusWire::Evidence(old)), MAX, CHAIN, &k).is_ok());
        let future = Evidence::DoubleVote(DoubleVote { a: vote(&a, 30, 1), b: vote(&a, 30, 2) });
        assert_eq!(
            check(&codec::encode(&ConsensusWire::Evidence(future)), MAX, CHAIN, &k).unwrap_err().label(),
            "outside_window"
        );
    }

    #[test]
    fn garbage_and_oversized_messages_are_rejected_before_allocation() {
        let a = key(1);
        let k = known(10, &[&a]);
        let e = check(&[0xff; 40], MAX, CHAIN, &k).unwrap_err();
        assert_eq!(e.label(), "undecodable");
        let good = wire(vote(&a, 10, 7));
        assert_eq!(check(&good, good.len() - 1, CHAIN, &k).unwrap_err().label(), "undecodable");
    }

    #[test]
    fn the_verifier_drops_past_its_queue() {
        let v = Verifier::start(1, 1).unwrap();
        let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        v.try_spawn(move || {
            let _ = started_tx.send(());
            let _ = hold_rx.recv();
        })
        .unwrap();
        started_rx.recv().unwrap(); // the thread is busy
        v.try_spawn(|| {}).expect("one job waits in the queue");
        assert_eq!(v.try_spawn(|| {}), Err(VerifierFull), "the next is dropped");
        hold_tx.send(()).unwrap();
    }
}
