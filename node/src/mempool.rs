//! The mempool: admitted, signature-checked transactions waiting for a block
//! (SPEC §8).
//!
//! Admission runs the stateless checks (bounded decode, chain id, signature,
//! batch-verified for gossip batches) and cheap stateful ones against the
//! committed chain: the signer is not a validator key (SPEC §1.9), is a
//! registered account that is not revoked and whose party is active (the
//! envelope rules of SPEC §8, which a block applies at its start: a
//! transaction failing them can never be committed, so it is refused here
//! with its own code instead of waiting), and the nonce is not already spent
//! and not too far ahead. Memory is bounded by a transaction count and a byte budget;
//! when full, admission fails with [`MempoolError::Full`] (HTTP 503) instead
//! of growing. Per account at most `max_per_account` transactions wait
//! ([`MempoolError::AccountFull`], HTTP 429).
//!
//! Blocks are filled in arrival order, skipping a transaction until the one
//! with the account's previous nonce has been taken, so every block carries
//! each account's nonces in order.
//!
//! The mempool is push-based on both sides. An admission that adds a
//! transaction wakes whoever waits to build a proposal
//! ([`Mempool::wait_for_txs`]): an idle node sleeps until a transaction
//! arrives or the empty-block wait ends, instead of looking every few
//! milliseconds. A commit pushes what it settled ([`Mempool::prune`]): the
//! hashes it committed and, for each signer of the block, its standing after
//! the block (next nonce, or why it may no longer sign), read once by the
//! commit instead of by the mempool under its lock.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use tamga_state::{SignerRefused, Standing, StateError};
use tamga_types::hash::domain;
use tamga_types::{BatchVerifier, Hash, PublicKey, SignedTransaction, StatelessError};

/// Limits of the mempool (`[mempool]` in `config.toml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MempoolLimits {
    /// Most transactions held.
    pub max_txs: usize,
    /// Most encoded bytes held.
    pub max_bytes: usize,
    /// Most transactions waiting per signing account.
    pub max_per_account: usize,
}

impl Default for MempoolLimits {
    fn default() -> Self {
        MempoolLimits { max_txs: 100_000, max_bytes: 256 * 1024 * 1024, max_per_account: 1024 }
    }
}

/// Why a transaction was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MempoolError {
    /// Stateless check failed (size, decoding, chain id, signature).
    #[error(transparent)]
    Stateless(#[from] StatelessError),
    /// Already in the mempool.
    #[error("transaction {0} is already in the mempool")]
    Duplicate(Hash),
    /// Already committed.
    #[error("transaction {0} is already committed")]
    Committed(Hash),
    /// The nonce was already used by a committed transaction.
    #[error("nonce {got} of {signer} is spent: the account's next nonce is {expected}")]
    StaleNonce {
        /// Signer.
        signer: PublicKey,
        /// Next nonce on chain.
        expected: u64,
        /// Nonce given.
        got: u64,
    },
    /// Another waiting transaction already has this nonce.
    #[error("nonce {nonce} of {signer} is taken by waiting transaction {existing}")]
    NonceTaken {
        /// Signer.
        signer: PublicKey,
        /// Nonce.
        nonce: u64,
        /// The waiting transaction.
        existing: Hash,
    },
    /// The nonce is further ahead of the chain than the mempool keeps.
    #[error("nonce {got} of {signer} is too far ahead: the account's next nonce is {expected}, at most {max_ahead} ahead are kept")]
    NonceTooFar {
        /// Signer.
        signer: PublicKey,
        /// Next nonce on chain.
        expected: u64,
        /// Nonce given.
        got: u64,
        /// Window.
        max_ahead: u64,
    },
    /// Validator keys sign blocks and votes only (SPEC §1.9).
    #[error("{0} is a validator key: validator keys cannot sign transactions (SPEC §1.9)")]
    ValidatorSigner(PublicKey),
    /// The signer may not sign at the committed height (SPEC §8 envelope):
    /// not a registered account, revoked, or its party is not active.
    #[error("{0}; the transaction could never be committed")]
    SignerRefused(SignerRefused),
    /// The mempool is full: retry later.
    #[error("mempool full: {txs} transactions / {bytes} bytes held (limits {max_txs} / {max_bytes}); retry later")]
    Full {
        /// Held transactions.
        txs: usize,
        /// Held bytes.
        bytes: usize,
        /// Limit on transactions.
        max_txs: usize,
        /// Limit on bytes.
        max_bytes: usize,
    },
    /// Too many waiting transactions of one account: retry after some commit.
    #[error("{signer} already has {waiting} transactions waiting (at most {max}); retry after some commit")]
    AccountFull {
        /// Signer.
        signer: PublicKey,
        /// Waiting.
        waiting: usize,
        /// Limit.
        max: usize,
    },
    /// Reading the ledger failed.
    #[error("ledger unavailable: {0}")]
    Ledger(StateError),
}

impl MempoolError {
    /// Stable machine-readable code (API `code` field).
    pub fn code(&self) -> &'static str {
        match self {
            MempoolError::Stateless(e) => e.code(),
            MempoolError::Duplicate(_) => "DUPLICATE_TX",
            MempoolError::Committed(_) => "ALREADY_COMMITTED",
            MempoolError::StaleNonce { .. } => "STALE_NONCE",
            MempoolError::NonceTaken { .. } => "NONCE_TAKEN",
            MempoolError::NonceTooFar { .. } => "NONCE_TOO_FAR",
            MempoolError::ValidatorSigner(_) => "VALIDATOR_KEY_SIGNER",
            MempoolError::SignerRefused(r) => r.code(),
            MempoolError::Full { .. } => "MEMPOOL_FULL",
            MempoolError::AccountFull { .. } => "ACCOUNT_QUEUE_FULL",
            MempoolError::Ledger(_) => "LEDGER_UNAVAILABLE",
        }
    }

    /// HTTP status the API answers with: 400 for a bad transaction, 403 for
    /// a signer not entitled to act, 409 for a conflict with known state,
    /// 429/503 for back-pressure (retry later).
    pub fn http_status(&self) -> u16 {
        match self {
            MempoolError::Stateless(_) | MempoolError::ValidatorSigner(_) => 400,
            MempoolError::SignerRefused(_) => 403,
            MempoolError::Duplicate(_)
            | MempoolError::Committed(_)
            | MempoolError::StaleNonce { .. }
            | MempoolError::NonceTaken { .. } => 409,
            MempoolError::NonceTooFar { .. } | MempoolError::AccountFull { .. } => 429,
            MempoolError::Full { .. } | MempoolError::Ledger(_) => 503,
        }
    }

    /// Whether the same transaction may succeed if retried later.
    pub fn is_transient(&self) -> bool {
        matches!(self.http_status(), 429 | 503)
    }
}

/// What the mempool needs to know about the chain.
pub trait ChainView: Send + Sync {
    /// Whether `key` may sign on the committed chain, and its next nonce if
    /// so (SPEC §8 envelope; `Ledger::signer_standing`).
    fn standing(&self, key: &PublicKey) -> Result<Standing, StateError>;
    /// Whether a transaction with this hash is committed.
    fn is_committed(&self, tx: &Hash) -> Result<bool, StateError>;
    /// Whether `key` is a validator key now or scheduled (SPEC §1.9).
    fn is_validator_key(&self, key: &PublicKey) -> bool;
}

struct Entry {
    tx: SignedTransaction,
    bytes: usize,
    seq: u64,
}

#[derive(Default)]
struct Inner {
    by_hash: HashMap<Hash, Entry>,
    /// signer → nonce → hash.
    by_sender: HashMap<PublicKey, BTreeMap<u64, Hash>>,
    /// arrival order → hash.
    queue: BTreeMap<u64, Hash>,
    next_seq: u64,
    bytes: usize,
}

impl Inner {
    fn remove(&mut self, hash: &Hash) -> Option<SignedTransaction> {
        let e = self.by_hash.remove(hash)?;
        self.queue.remove(&e.seq);
        self.bytes -= e.bytes;
        if let Some(m) = self.by_sender.get_mut(&e.tx.tx.signer) {
            m.remove(&e.tx.tx.nonce);
            if m.is_empty() {
                self.by_sender.remove(&e.tx.tx.signer);
            }
        }
        Some(e.tx)
    }
}

/// A transaction that passed the stateless checks, with its hash and size.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The transaction.
    pub tx: SignedTransaction,
    /// Its hash.
    pub hash: Hash,
    /// Encoded size.
    pub bytes: usize,
}

/// The mempool. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct Mempool {
    chain_id: String,
    limits: MempoolLimits,
    inner: Mutex<Inner>,
    /// Woken whenever an admission adds at least one transaction.
    admitted: tokio::sync::Notify,
}

impl Mempool {
    /// An empty mempool for `chain_id`.
    pub fn new(chain_id: impl Into<String>, limits: MempoolLimits) -> Self {
        Mempool {
            chain_id: chain_id.into(),
            limits,
            inner: Mutex::new(Inner::default()),
            admitted: tokio::sync::Notify::new(),
        }
    }

    /// Limits in force.
    pub fn limits(&self) -> &MempoolLimits {
        &self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent maps (every
        // mutation is completed before any call that can panic), so poisoning
        // is recovered.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decodes raw transactions and checks size, chain id and signatures; the
    /// signatures of all decodable ones are verified as one batch, falling
    /// back to single checks only when the batch fails.
    pub fn check_stateless(&self, raws: &[&[u8]]) -> Vec<Result<Checked, MempoolError>> {
        let mut out: Vec<Result<Checked, MempoolError>> = Vec::with_capacity(raws.len());
        let mut batch = BatchVerifier::new();
        let mut in_batch = Vec::new();
        for (i, raw) in raws.iter().enumerate() {
            let r = SignedTransaction::decode(raw)
                .map_err(|e| MempoolError::Stateless(StatelessError::from(e)))
                .and_then(|tx| {
                    tx.check_chain(&self.chain_id)?;
                    // Decoding rejects trailing bytes and borsh is canonical, so the raw
                    // bytes are the encoding: hash them instead of re-encoding.
                    Ok(Checked { hash: Hash::digest(domain::TX_ID, raw), bytes: raw.len(), tx })
                });
            if let Ok(c) = &r {
                batch.push(c.tx.tx.signer, c.tx.tx.signing_message(), c.tx.signature);
                in_batch.push(i);
            }
            out.push(r);
        }
        if !batch.is_empty() && batch.verify().is_err() {
            for (r, i) in batch.verify_each().into_iter().zip(in_batch) {
                if let Err(e) = r {
                    if let Some(slot) = out.get_mut(i) {
                        *slot = Err(MempoolError::Stateless(StatelessError::Signature(e)));
                    }
                }
            }
        }
        out
    }

    /// Admits stateless-checked transactions. Returns one result per input.
    pub fn insert(&self, chain: &dyn ChainView, checked: Vec<Checked>) -> Vec<Result<Hash, MempoolError>> {
        let mut out = Vec::with_capacity(checked.len());
        // Ledger reads happen before taking the lock.
        let mut pre = Vec::with_capacity(checked.len());
        for c in checked {
            let signer = c.tx.tx.signer;
            if chain.is_validator_key(&signer) {
                pre.push(Err(MempoolError::ValidatorSigner(signer)));
                continue;
            }
            let state = chain
                .is_committed(&c.hash)
                .and_then(|done| Ok((done, chain.standing(&signer)?)))
                .map_err(MempoolError::Ledger)
                .and_then(|(done, standing)| match standing {
                    Standing::Active { next_nonce } => Ok((c, done, next_nonce)),
                    Standing::Refused(SignerRefused::ValidatorKey { key }) => Err(MempoolError::ValidatorSigner(key)),
                    Standing::Refused(r) => Err(MempoolError::SignerRefused(r)),
                });
            pre.push(state);
        }
        let mut inner = self.lock();
        for p in pre {
            let r = p.and_then(|(c, committed, next)| self.admit(&mut inner, c, committed, next));
            out.push(r);
        }
        drop(inner);
        if out.iter().any(Result::is_ok) {
            // Wakes the waiters registered now; one that registers later
            // looks at the mempool first (see `wait_for_txs`).
            self.admitted.notify_waiters();
        }
        out
    }

    /// Waits until a transaction waits in the mempool, at most `wait`; true
    /// if one does. Woken by the admission that adds it (no polling: an idle
    /// node does not wake until something arrives or `wait` ends).
    pub async fn wait_for_txs(&self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.admitted.notified();
            tokio::pin!(notified);
            // Registered before the look below: an admission between the
            // look and the wait still wakes this waiter.
            notified.as_mut().enable();
            if !self.is_empty() {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return !self.is_empty();
            }
        }
    }

    fn admit(&self, inner: &mut Inner, c: Checked, committed: bool, next: u64) -> Result<Hash, MempoolError> {
        let signer = c.tx.tx.signer;
        let nonce = c.tx.tx.nonce;
        if committed {
            return Err(MempoolError::Committed(c.hash));
        }
        if inner.by_hash.contains_key(&c.hash) {
            return Err(MempoolError::Duplicate(c.hash));
        }
        if nonce < next {
            return Err(MempoolError::StaleNonce { signer, expected: next, got: nonce });
        }
        let max_ahead = self.limits.max_per_account as u64;
        if nonce - next >= max_ahead {
            return Err(MempoolError::NonceTooFar { signer, expected: next, got: nonce, max_ahead });
        }
        let waiting = inner.by_sender.get(&signer);
        if let Some(existing) = waiting.and_then(|m| m.get(&nonce)) {
            return Err(MempoolError::NonceTaken { signer, nonce, existing: *existing });
        }
        let count = waiting.map_or(0, BTreeMap::len);
        if count >= self.limits.max_per_account {
            return Err(MempoolError::AccountFull { signer, waiting: count, max: self.limits.max_per_account });
        }
        if inner.by_hash.len() >= self.limits.max_txs || inner.bytes + c.bytes > self.limits.max_bytes {
            return Err(MempoolError::Full {
                txs: inner.by_hash.len(),
                bytes: inner.bytes,
                max_txs: self.limits.max_txs,
                max_bytes: self.limits.max_bytes,
            });
        }
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.queue.insert(seq, c.hash);
        inner.by_sender.entry(signer).or_default().insert(nonce, c.hash);
        inner.bytes += c.bytes;
        inner.by_hash.insert(c.hash, Entry { tx: c.tx, bytes: c.bytes, seq });
        Ok(c.hash)
    }

    /// Checks and admits raw transactions (API and gossip path).
    pub fn submit_raw(&self, chain: &dyn ChainView, raws: &[&[u8]]) -> Vec<Result<Hash, MempoolError>> {
        let checked = self.check_stateless(raws);
        let mut out: Vec<Option<Result<Hash, MempoolError>>> = Vec::with_capacity(checked.len());
        let mut ok = Vec::new();
        let mut ok_idx = Vec::new();
        for (i, c) in checked.into_iter().enumerate() {
            match c {
                Ok(c) => {
                    ok.push(c);
                    ok_idx.push(i);
                    out.push(None);
                }
                Err(e) => out.push(Some(Err(e))),
            }
        }
        for (r, i) in self.insert(chain, ok).into_iter().zip(ok_idx) {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(r);
            }
        }
        // `insert` answers once per input, so every slot is filled.
        out.into_iter().flatten().collect()
    }

    /// Up to `max_txs` transactions (and `max_bytes`) for a block, in arrival
    /// order, each account's nonces contiguous from its next nonce on chain.
    /// Waiting transactions of signers the chain now refuses are dropped.
    pub fn reap(&self, chain: &dyn ChainView, max_txs: usize, max_bytes: usize) -> Vec<SignedTransaction> {
        let mut inner = self.lock();
        let mut refused = Vec::new();
        let mut next: HashMap<PublicKey, u64> = HashMap::new();
        let mut out = Vec::new();
        let mut bytes = 0usize;
        // Accounts whose earlier nonce is missing: skip the rest of their queue.
        let mut blocked: HashSet<PublicKey> = HashSet::new();
        for hash in inner.queue.values() {
            if out.len() >= max_txs {
                break;
            }
            let Some(e) = inner.by_hash.get(hash) else { continue };
            let signer = e.tx.tx.signer;
            if blocked.contains(&signer) {
                continue;
            }
            let expected = match next.get(&signer) {
                Some(n) => *n,
                None => match chain.standing(&signer) {
                    Ok(Standing::Active { next_nonce }) => next_nonce,
                    // Refused since admission (a revocation committed): a
                    // block may not carry it (SPEC §8); the next commit purges it.
                    Ok(Standing::Refused(_)) => {
                        refused.push(signer);
                        blocked.insert(signer);
                        continue;
                    }
                    Err(_) => {
                        blocked.insert(signer);
                        continue;
                    }
                },
            };
            if e.tx.tx.nonce == expected {
                if bytes + e.bytes > max_bytes {
                    break;
                }
                bytes += e.bytes;
                out.push(e.tx.clone());
                next.insert(signer, expected + 1);
            } else if e.tx.tx.nonce > expected {
                // Its predecessor comes later in arrival order: take the
                // account's waiting chain in nonce order now.
                let Some(chain_of) = inner.by_sender.get(&signer) else { continue };
                let mut n = expected;
                while let Some(h) = chain_of.get(&n) {
                    let Some(e2) = inner.by_hash.get(h) else { break };
                    if out.len() >= max_txs || bytes + e2.bytes > max_bytes {
                        break;
                    }
                    bytes += e2.bytes;
                    out.push(e2.tx.clone());
                    n += 1;
                }
                next.insert(signer, n);
                blocked.insert(signer);
            }
        }
        for signer in refused {
            let hashes: Vec<Hash> =
                inner.by_sender.get(&signer).map(|m| m.values().copied().collect()).unwrap_or_default();
            for h in hashes {
                inner.remove(&h);
            }
        }
        out
    }

    /// What a commit pushes: removes the `committed` transactions and, for
    /// each signer's standing after the block, every waiting transaction
    /// whose nonce is now spent (below the next nonce) or, for a signer the
    /// chain now refuses, all of its waiting transactions (SPEC §8: a block
    /// could not carry them). Reads nothing from the chain.
    pub fn prune(&self, committed: &[Hash], standings: &[(PublicKey, Standing)]) {
        let mut inner = self.lock();
        for h in committed {
            inner.remove(h);
        }
        let mut stale = Vec::new();
        for (signer, standing) in standings {
            let Some(m) = inner.by_sender.get(signer) else { continue };
            match standing {
                Standing::Active { next_nonce } => stale.extend(m.range(..*next_nonce).map(|(_, h)| *h)),
                Standing::Refused(_) => stale.extend(m.values().copied()),
            }
        }
        for h in stale {
            inner.remove(&h);
        }
    }

    /// Removes `hashes` (transactions a block can never carry).
    pub fn remove(&self, hashes: &[Hash]) {
        let mut inner = self.lock();
        for h in hashes {
            inner.remove(h);
        }
    }

    /// Whether `hash` is waiting (its signature is already verified).
    pub fn contains(&self, hash: &Hash) -> bool {
        self.lock().by_hash.contains_key(hash)
    }

    /// Hashes of `txs` already verified by the mempool (skipped by block execution).
    pub fn preverified(&self, hashes: &[Hash]) -> HashSet<Hash> {
        let inner = self.lock();
        hashes.iter().filter(|h| inner.by_hash.contains_key(h)).copied().collect()
    }

    /// Number of waiting transactions.
    pub fn len(&self) -> usize {
        self.lock().by_hash.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::{ChainId, Payload, RevocationReason, SigningKey, Transaction};

    /// Every key is an active account with nonce 0 unless `nonces` or `refused` says otherwise.
    struct Chain {
        nonces: HashMap<PublicKey, u64>,
        refused: HashMap<PublicKey, SignerRefused>,
        validators: Vec<PublicKey>,
    }
    impl ChainView for Chain {
        fn standing(&self, key: &PublicKey) -> Result<Standing, StateError> {
            if let Some(r) = self.refused.get(key) {
                return Ok(Standing::Refused(r.clone()));
            }
            Ok(Standing::Active { next_nonce: self.nonces.get(key).copied().unwrap_or(0) })
        }
        fn is_committed(&self, _: &Hash) -> Result<bool, StateError> {
            Ok(false)
        }
        fn is_validator_key(&self, key: &PublicKey) -> bool {
            self.validators.contains(key)
        }
    }

    fn tx(key: &SigningKey, nonce: u64) -> Vec<u8> {
        Transaction {
            chain_id: ChainId::new("test").unwrap(),
            signer: key.public(),
            nonce,
            payload: Payload::RevokeAccount { key: key.public(), reason: RevocationReason::HolderRequest },
            memo: Default::default(),
        }
        .sign(key)
        .encode()
    }

    fn chain() -> Chain {
        Chain { nonces: HashMap::new(), refused: HashMap::new(), validators: vec![] }
    }

    #[test]
    fn admits_verifies_and_dedupes() {
        let m = Mempool::new("test", MempoolLimits::default());
        let k = SigningKey::from_seed([1; 32]);
        let raw = tx(&k, 0);
        let r = m.submit_raw(&chain(), &[&raw, &raw]);
        assert!(r[0].is_ok());
        assert_eq!(r[1].as_ref().unwrap_err().code(), "DUPLICATE_TX");
        let mut bad = tx(&k, 1);
        let n = bad.len();
        bad[n - 1] ^= 1;
        let r = m.submit_raw(&chain(), &[&bad]);
        assert_eq!(r[0].as_ref().unwrap_err().code(), "BAD_SIGNATURE");
        let r = m.submit_raw(&chain(), &[b"garbage"]);
        assert_eq!(r[0].as_ref().unwrap_err().code(), "MALFORMED_TX");
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn wrong_chain_and_validator_signer_rejected() {
        let m = Mempool::new("other", MempoolLimits::default());
        let k = SigningKey::from_seed([1; 32]);
        assert_eq!(m.submit_raw(&chain(), &[&tx(&k, 0)])[0].as_ref().unwrap_err().code(), "WRONG_CHAIN_ID");
        let m = Mempool::new("test", MempoolLimits::default());
        let c = Chain { validators: vec![k.public()], ..chain() };
        let e = m.submit_raw(&c, &[&tx(&k, 0)]).remove(0).unwrap_err();
        assert_eq!(e.code(), "VALIDATOR_KEY_SIGNER");
        assert_eq!(e.http_status(), 400);
    }

    #[test]
    fn nonce_rules_and_back_pressure() {
        let limits = MempoolLimits { max_txs: 3, max_bytes: 1 << 20, max_per_account: 2 };
        let m = Mempool::new("test", limits);
        let k = SigningKey::from_seed([1; 32]);
        let mut c = chain();
        c.nonces.insert(k.public(), 5);
        let e = m.submit_raw(&c, &[&tx(&k, 4)]).remove(0).unwrap_err();
        assert_eq!(e, MempoolError::StaleNonce { signer: k.public(), expected: 5, got: 4 });
        let e = m.submit_raw(&c, &[&tx(&k, 7)]).remove(0).unwrap_err();
        assert_eq!(e.code(), "NONCE_TOO_FAR");
        assert!(m.submit_raw(&c, &[&tx(&k, 5), &tx(&k, 6)]).iter().all(Result::is_ok));
        let k2 = SigningKey::from_seed([2; 32]);
        assert!(m.submit_raw(&c, &[&tx(&k2, 0)])[0].is_ok());
        let e = m.submit_raw(&c, &[&tx(&k2, 1)]).remove(0).unwrap_err();
        assert_eq!(e.code(), "MEMPOOL_FULL");
        assert!(e.is_transient());
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn reap_keeps_nonce_order_and_removal_purges_stale() {
        let m = Mempool::new("test", MempoolLimits::default());
        let a = SigningKey::from_seed([1; 32]);
        let b = SigningKey::from_seed([2; 32]);
        let c = chain();
        // a's nonce 1 arrives before nonce 0; b has a gap (nonce 1 only).
        let r = m.submit_raw(&c, &[&tx(&a, 1), &tx(&b, 1), &tx(&a, 0), &tx(&a, 2)]);
        assert!(r.iter().all(Result::is_ok));
        let block = m.reap(&c, 100, 1 << 20);
        let got: Vec<(PublicKey, u64)> = block.iter().map(|t| (t.tx.signer, t.tx.nonce)).collect();
        assert_eq!(got, vec![(a.public(), 0), (a.public(), 1), (a.public(), 2)]);
        assert_eq!(m.reap(&c, 2, 1 << 20).len(), 2);
        let hashes: Vec<Hash> = block.iter().map(|t| t.hash()).collect();
        let pushed =
            [(a.public(), Standing::Active { next_nonce: 3 }), (b.public(), Standing::Active { next_nonce: 2 })];
        m.prune(&hashes, &pushed);
        assert!(m.is_empty(), "b's nonce 1 is stale once the chain is at 2");
    }

    /// SPEC §8 envelope at admission: each refusal has its own code and 403,
    /// and nothing is admitted.
    #[test]
    fn refused_signers_are_not_admitted() {
        use tamga_types::{PartyId, PartyStatus};
        let m = Mempool::new("test", MempoolLimits::default());
        let unknown = SigningKey::from_seed([1; 32]);
        let revoked = SigningKey::from_seed([2; 32]);
        let suspended = SigningKey::from_seed([3; 32]);
        let barred = SigningKey::from_seed([4; 32]);
        let validator = SigningKey::from_seed([5; 32]);
        let mut c = chain();
        c.refused.insert(unknown.public(), SignerRefused::Unknown { key: unknown.public() });
        c.refused.insert(revoked.public(), SignerRefused::Revoked { key: revoked.public(), height: 7 });
        c.refused.insert(
            suspended.public(),
            SignerRefused::PartyInactive { key: suspended.public(), party: PartyId(3), status: PartyStatus::Suspended },
        );
        c.refused.insert(
            barred.public(),
            SignerRefused::PartyInactive { key: barred.public(), party: PartyId(4), status: PartyStatus::Revoked },
        );
        c.refused.insert(validator.public(), SignerRefused::ValidatorKey { key: validator.public() });
        let cases = [
            (&unknown, "UNKNOWN_SIGNER", 403),
            (&revoked, "ACCOUNT_REVOKED", 403),
            (&suspended, "PARTY_INACTIVE", 403),
            (&barred, "PARTY_INACTIVE", 403),
            (&validator, "VALIDATOR_KEY_SIGNER", 400),
        ];
        for (k, code, status) in cases {
            let e = m.submit_raw(&c, &[&tx(k, 0)]).remove(0).unwrap_err();
            assert_eq!((e.code(), e.http_status()), (code, status), "{e}");
            assert!(!e.is_transient(), "{e}");
            assert!(e.to_string().contains(&k.public().to_string()), "the message names the signer: {e}");
        }
        let e = m.submit_raw(&c, &[&tx(&revoked, 0)]).remove(0).unwrap_err();
        assert_eq!(
            e,
            MempoolError::SignerRefused(SignerRefused::Revoked { key: revoked.public(), height: 7 }),
            "the refusal carries the values that failed"
        );
        assert!(m.is_empty());
    }

    /// One unregistered key cannot reuse a nonce: every attempt is refused, none waits.
    #[test]
    fn an_unknown_key_cannot_queue_nonce_zero_again_and_again() {
        let m = Mempool::new("test", MempoolLimits::default());
        let k = SigningKey::from_seed([9; 32]);
        let mut c = chain();
        c.refused.insert(k.public(), SignerRefused::Unknown { key: k.public() });
        let raws: Vec<Vec<u8>> = (0..3)
            .map(|i| {
                Transaction {
                    chain_id: ChainId::new("test").unwrap(),
                    signer: k.public(),
                    nonce: 0,
                    payload: Payload::RevokeAccount {
                        key: SigningKey::from_seed([i; 32]).public(),
                        reason: RevocationReason::Death,
                    },
                    memo: Default::default(),
                }
                .sign(&k)
                .encode()
            })
            .collect();
        let refs: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
        let r = m.submit_raw(&c, &refs);
        assert!(r.iter().all(|r| r.as_ref().is_err_and(|e| e.code() == "UNKNOWN_SIGNER")), "{r:?}");
        assert!(m.is_empty());
    }

    /// A signer revoked after admission: reaping drops its waiting
    /// transactions instead of offering them to a block, and a commit that
    /// names it purges them too.
    #[test]
    fn a_signer_refused_after_admission_is_dropped() {
        let m = Mempool::new("test", MempoolLimits::default());
        let a = SigningKey::from_seed([1; 32]);
        let b = SigningKey::from_seed([2; 32]);
        let mut c = chain();
        assert!(m.submit_raw(&c, &[&tx(&a, 0), &tx(&a, 1), &tx(&b, 0)]).iter().all(Result::is_ok));
        c.refused.insert(a.public(), SignerRefused::Revoked { key: a.public(), height: 2 });
        let block = m.reap(&c, 100, 1 << 20);
        assert_eq!(block.iter().map(|t| t.tx.signer).collect::<Vec<_>>(), vec![b.public()]);
        assert_eq!(m.len(), 1, "a's transactions are gone");
        assert!(m.submit_raw(&chain(), &[&tx(&a, 2)])[0].is_ok());
        let revoked = Standing::Refused(SignerRefused::Revoked { key: a.public(), height: 2 });
        m.prune(&[], &[(a.public(), revoked)]);
        assert_eq!(m.len(), 1, "only b's transaction waits");
    }

    /// What a commit pushes, without the mempool reading the chain: the
    /// committed hashes leave, so does every waiting transaction whose nonce
    /// is below the pushed next nonce (even one the block did not carry),
    /// the later nonces stay and are reaped from the pushed nonce on.
    #[test]
    fn a_commit_push_removes_committed_and_spent_nonces() {
        let m = Mempool::new("test", MempoolLimits::default());
        let a = SigningKey::from_seed([1; 32]);
        let b = SigningKey::from_seed([2; 32]);
        let raws = [tx(&a, 0), tx(&a, 1), tx(&a, 2), tx(&a, 3), tx(&b, 0)];
        let refs: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
        let hashes: Vec<Hash> = m.submit_raw(&chain(), &refs).into_iter().map(Result::unwrap).collect();
        // The block carried a's nonce 0 and 1 and another, rival nonce 2
        // (this node's nonce 2 is then spent though not committed).
        let pushed = [(a.public(), Standing::Active { next_nonce: 3 })];
        m.prune(&hashes[..2], &pushed);
        assert_eq!(m.len(), 2);
        assert!(!m.contains(&hashes[2]), "nonce 2 is spent by the commit");
        assert!(m.contains(&hashes[3]) && m.contains(&hashes[4]));
        let mut c = chain();
        c.nonces.insert(a.public(), 3);
        let next: Vec<(PublicKey, u64)> = m.reap(&c, 10, 1 << 20).iter().map(|t| (t.tx.signer, t.tx.nonce)).collect();
        assert_eq!(next, vec![(a.public(), 3), (b.public(), 0)]);
    }

    /// Counts the polls of a future: how often its task woke.
    struct Polls<F> {
        inner: std::pin::Pin<Box<F>>,
        count: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }
    impl<F: std::future::Future> std::future::Future for Polls<F> {
        type Output = F::Output;
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
            self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.inner.as_mut().poll(cx)
        }
    }

    /// A proposal build waiting up to `wait` on `m`, spawned: it answers
    /// whether transactions came and when it returned; the counter says how
    /// often its task was polled.
    #[allow(clippy::type_complexity)]
    fn waiting_build(
        m: &std::sync::Arc<Mempool>,
        wait: Duration,
    ) -> (tokio::task::JoinHandle<(bool, tokio::time::Instant)>, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let m = m.clone();
        let waiter = Polls { inner: Box::pin(async move { m.wait_for_txs(wait).await }), count: count.clone() };
        (tokio::spawn(async move { (waiter.await, tokio::time::Instant::now()) }), count)
    }

    /// A proposal build waits on the mempool: the admission of a
    /// transaction wakes it at that instant (3 ms into the wait, not on a
    /// 5 ms step), and it was polled only when it started and when woken.
    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_waiting_build_wakes_when_a_transaction_is_admitted() {
        let m = std::sync::Arc::new(Mempool::new("test", MempoolLimits::default()));
        let start = tokio::time::Instant::now();
        let (waiting, count) = waiting_build(&m, Duration::from_millis(1000));
        tokio::time::sleep(Duration::from_millis(3)).await;
        assert!(!waiting.is_finished());
        let admitted_at = tokio::time::Instant::now();
        assert_eq!(admitted_at - start, Duration::from_millis(3));
        let k = SigningKey::from_seed([1; 32]);
        assert!(m.submit_raw(&chain(), &[&tx(&k, 0)])[0].is_ok());
        let (found, at) = waiting.await.unwrap();
        assert!(found);
        assert_eq!(at, admitted_at, "woken by the admission, not by a timer");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2, "polled when started and when woken");
        // A transaction already waiting: no wait at all.
        let t = tokio::time::Instant::now();
        assert!(m.wait_for_txs(Duration::from_millis(1000)).await);
        assert_eq!(t.elapsed(), Duration::ZERO);
    }

    /// With nothing admitted the build waits the whole empty-block wait and
    /// sleeps through it: polled when it started and when the wait ended.
    /// A refused transaction does not wake it.
    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_waiting_build_sleeps_the_full_wait_when_nothing_arrives() {
        let m = std::sync::Arc::new(Mempool::new("test", MempoolLimits::default()));
        let start = tokio::time::Instant::now();
        let (waiting, count) = waiting_build(&m, Duration::from_millis(1000));
        tokio::time::sleep(Duration::from_millis(10)).await;
        let k = SigningKey::from_seed([1; 32]);
        let mut c = chain();
        c.nonces.insert(k.public(), 5);
        assert_eq!(m.submit_raw(&c, &[&tx(&k, 0)])[0].as_ref().unwrap_err().code(), "STALE_NONCE");
        let (found, at) = waiting.await.unwrap();
        assert!(!found);
        assert_eq!(at - start, Duration::from_millis(1000));
        assert_eq!(
            count.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "no wake-up between start and the end of the wait"
        );
    }
}
