//! The workload: which account signs what, with which nonce, and the
//! signing itself (done in parallel before the clock starts).
//!
//! Transfers move 1 base unit from user `u` to user `u + 1` (a ring, so
//! balances stay level however long the run); senders take turns, so with
//! `S` senders each one's nonces advance once every `S` transactions. Record
//! transfers move records issued to the users in an unmeasured setup step
//! (each record moves once: a record's next holder could not sign a second
//! move before the first commits). Notifications are mining and activity
//! start notifications, which any registered party may submit (SPEC §6).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use tamga_types::{
    Activity, ActivityPhase, ClassId, Date, EnergySource, Hash, Height, MiningNotificationKind, MiningSite, ObjectKind,
    Payload, PublicKey, Receipt, RecordId, RecordObject, Region, SignedTransaction, SigningKey, Text, Transaction,
    TxOutcome,
};

use super::mix::Kind;
use super::BenchError;
use crate::Client;

/// The accounts that sign: the users first, then the issuer and the miner when the mix needs them.
pub(crate) struct Signers {
    /// Signing keys; index = signer id.
    pub keys: Vec<SigningKey>,
    /// Public keys, same order.
    pub publics: Vec<PublicKey>,
    /// The first `users` keys are users.
    pub users: usize,
    /// The issuer's signer id.
    pub issuer: Option<usize>,
    /// The miner's signer id.
    pub miner: Option<usize>,
}

impl Signers {
    pub(crate) fn new(users: Vec<SigningKey>, issuer: Option<SigningKey>, miner: Option<SigningKey>) -> Signers {
        let n = users.len();
        let mut keys = users;
        let issuer = issuer.map(|k| {
            keys.push(k);
            keys.len() - 1
        });
        let miner = miner.map(|k| {
            keys.push(k);
            keys.len() - 1
        });
        let publics = keys.iter().map(SigningKey::public).collect();
        Signers { keys, publics, users: n, issuer, miner }
    }
}

/// One transaction to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Planned {
    /// Signer id.
    pub signer: usize,
    /// Its nonce.
    pub nonce: u64,
    /// What it does.
    pub payload: Payload,
    /// Its kind, for the report.
    pub kind: Kind,
}

fn text(s: String) -> Text {
    // Every text built here is far below the bound.
    Text::new(s).unwrap_or_default()
}

/// The transactions of `kinds`, in order. `nonces[s]` is signer `s`'s next
/// nonce and is advanced; `records` are (holder user, record) pairs to move.
pub(crate) fn plan(
    kinds: &[Kind],
    signers: &Signers,
    nonces: &mut [u64],
    class: ClassId,
    records: &[(usize, RecordId)],
    date: Date,
) -> Vec<Planned> {
    let users = signers.users.max(1);
    let mut counters = HashMap::<Kind, usize>::new();
    let mut out = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let c = counters.entry(kind).or_default();
        let n = *c;
        *c += 1;
        let user = |i: usize| i % users;
        let next_user = |i: usize| signers.publics[(i + 1) % users];
        let (signer, kind, payload) = match kind {
            Kind::RecordIssue if signers.issuer.is_some() => (
                signers.issuer.unwrap_or_default(),
                kind,
                Payload::IssueRecord {
                    holder: signers.publics[user(n)],
                    object: RecordObject {
                        kind: ObjectKind::Goods,
                        description: text(format!("Benchmark lot {n}")),
                        external_ref: None,
                        document_hash: None,
                    },
                },
            ),
            Kind::RecordTransfer if n < records.len() => {
                let (holder, record) = records[n];
                (holder, kind, Payload::TransferRecord { record, to: next_user(holder) })
            }
            Kind::MiningNotice => {
                let signer = match signers.miner {
                    Some(m) if n % 10 == 0 => m,
                    _ => user(n),
                };
                let site = MiningSite {
                    region: Region::ALL[n % Region::ALL.len()],
                    address: text(format!("Benchmark site {n}")),
                    capacity_kw: 100,
                    units: 10,
                    hashrate_ths: 50,
                    energy: EnergySource::Grid,
                    pool: None,
                    start_date: date,
                };
                let payload =
                    Payload::SubmitMiningNotification { kind: MiningNotificationKind::Start, previous: None, site };
                (signer, kind, payload)
            }
            Kind::ActivityNotice => (
                user(n),
                kind,
                Payload::SubmitActivityNotification {
                    activity: Activity::TradingOrganisation,
                    phase: ActivityPhase::Start,
                    date,
                },
            ),
            // Transfers, and record operations without the issuer or a setup record.
            _ => {
                let n = match kind {
                    Kind::Transfer => n,
                    _ => {
                        let t = counters.entry(Kind::Transfer).or_default();
                        *t += 1;
                        *t - 1
                    }
                };
                (user(n), Kind::Transfer, Payload::Transfer { class, to: next_user(user(n)), amount: 1 })
            }
        };
        let nonce = nonces[signer];
        nonces[signer] += 1;
        out.push(Planned { signer, nonce, payload, kind });
    }
    out
}

/// Signs one planned transaction.
fn sign_planned(p: &Planned, signers: &Signers, chain: &tamga_types::ChainId) -> SignedTransaction {
    Transaction {
        chain_id: chain.clone(),
        signer: signers.publics[p.signer],
        nonce: p.nonce,
        payload: p.payload.clone(),
        memo: None,
    }
    .sign(&signers.keys[p.signer])
}

/// Runs `work` over `planned` cut into one contiguous part per core, for
/// `chain_id`; returns the parts' results in order.
fn per_core<T: Send>(
    planned: &[Planned],
    chain_id: &str,
    work: impl Fn(&[Planned], &tamga_types::ChainId) -> T + Sync,
) -> Result<Vec<T>, BenchError> {
    let chain = tamga_types::ChainId::new(chain_id)
        .map_err(|_| BenchError::Setup(format!("chain id {chain_id:?} is too long")))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).max(1);
    let chunk = planned.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = planned.chunks(chunk).map(|part| s.spawn(|| work(part, &chain))).collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| BenchError::Setup("a signing thread panicked".into())))
            .collect()
    })
}

/// Signs every planned transaction for `chain_id`, in parallel; returns
/// the signed transactions in the same order.
pub(crate) fn sign_all(
    planned: Vec<Planned>,
    signers: &Signers,
    chain_id: &str,
) -> Result<Vec<SignedTransaction>, BenchError> {
    let parts = per_core(&planned, chain_id, |part, chain| {
        part.iter().map(|p| sign_planned(p, signers, chain)).collect::<Vec<_>>()
    })?;
    Ok(parts.into_iter().flatten().collect())
}

/// Pre-signed transactions held as their encoded bytes in one buffer, the
/// form the submitters send (no per-transaction allocation, no structure
/// kept once signed): transaction `i` is `bytes[ends[i - 1]..ends[i]]`
/// (from 0 for the first), with id `hashes[i]`.
#[derive(Debug, Default)]
pub(crate) struct Presigned {
    /// Every transaction's borsh encoding, back to back.
    pub bytes: Vec<u8>,
    /// The end offset of each transaction in `bytes`.
    pub ends: Vec<usize>,
    /// Each transaction's id.
    pub hashes: Vec<Hash>,
}

impl Presigned {
    /// Number of transactions.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The encoded bytes of transaction `i`.
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    fn append(&mut self, other: Presigned) {
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.into_iter().map(|e| e + base));
        self.hashes.extend(other.hashes);
    }
}

/// Transactions signed between two progress calls of [`presign`].
const PRESIGN_STEP: usize = 2048;

/// Signs and encodes every planned transaction for `chain_id` on every
/// core, keeping only the bytes and ids; `progress(n)` is called (from the
/// signing threads) after each `n` more are done.
pub(crate) fn presign(
    planned: &[Planned],
    signers: &Signers,
    chain_id: &str,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Presigned, BenchError> {
    let parts = per_core(planned, chain_id, |part, chain| {
        let mut mine = Presigned {
            bytes: Vec::with_capacity(part.len() * 192),
            ends: Vec::with_capacity(part.len()),
            hashes: Vec::with_capacity(part.len()),
        };
        for step in part.chunks(PRESIGN_STEP) {
            for p in step {
                let encoded = sign_planned(p, signers, chain).encode();
                mine.hashes.push(Hash::digest(tamga_types::hash::domain::TX_ID, &encoded));
                mine.bytes.extend_from_slice(&encoded);
                mine.ends.push(mine.bytes.len());
            }
            progress(step.len());
        }
        mine
    })?;
    let mut out = Presigned::default();
    for part in parts {
        out.append(part);
    }
    Ok(out)
}

/// Submits `txs` (one signer's, in nonce order, at most 1000) and waits
/// until each has a receipt, reading blocks after `from`. Unmeasured setup.
pub(crate) async fn commit_all(
    client: &Client,
    txs: &[SignedTransaction],
    from: Height,
    timeout: Duration,
) -> Result<HashMap<Hash, Receipt>, BenchError> {
    let results = client.submit_batch(txs).await?;
    for (r, tx) in results.iter().zip(txs) {
        if let Err(e) = r {
            return Err(BenchError::Setup(format!("setup transaction {} refused: {e}", tx.hash())));
        }
    }
    let mut waiting: HashSet<Hash> = txs.iter().map(SignedTransaction::hash).collect();
    let mut out = HashMap::with_capacity(waiting.len());
    let deadline = Instant::now() + timeout;
    let mut next = from + 1;
    while !waiting.is_empty() {
        if Instant::now() > deadline {
            return Err(BenchError::Setup(format!(
                "{} setup transactions not committed after {timeout:?}",
                waiting.len()
            )));
        }
        let tip = client.health().await?.height;
        while next <= tip {
            for r in client.block_receipts(next).await? {
                if waiting.remove(&r.tx_hash) {
                    out.insert(r.tx_hash, r);
                }
            }
            next += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(out)
}

/// Issues `count` records from the issuer to the users in turn (the
/// issuer's nonce advances), waiting for each chunk to commit; returns
/// (holder user, record id) pairs.
pub(crate) async fn setup_records(
    client: &Client,
    signers: &Signers,
    nonces: &mut [u64],
    chain_id: &str,
    count: usize,
    mut say: impl FnMut(String),
) -> Result<Vec<(usize, RecordId)>, BenchError> {
    let Some(issuer) = signers.issuer else { return Ok(vec![]) };
    let users = signers.users.max(1);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let start = out.len();
        let n = (count - start).min(crate::MAX_BATCH);
        let kinds = vec![Kind::RecordIssue; n];
        // Plan from the issuer only: the per-kind counter starts at 0, so
        // shift the holders by `start` afterwards.
        let mut planned = plan(&kinds, signers, nonces, ClassId(0), &[], Date { year: 2026, month: 1, day: 1 });
        for (j, p) in planned.iter_mut().enumerate() {
            if let Payload::IssueRecord { holder, .. } = &mut p.payload {
                *holder = signers.publics[(start + j) % users];
            }
            debug_assert_eq!(p.signer, issuer);
        }
        let holders: Vec<usize> = (0..n).map(|j| (start + j) % users).collect();
        let txs = sign_all(planned, signers, chain_id)?;
        let from = client.health().await?.height;
        let receipts = commit_all(client, &txs, from, Duration::from_secs(120)).await?;
        for (tx, holder) in txs.iter().zip(holders) {
            let r = &receipts[&tx.hash()];
            if let TxOutcome::Failed { code, args } = &r.outcome {
                let message = tamga_contract::messages::render(code, args, tamga_contract::messages::Lang::En);
                return Err(BenchError::Setup(format!("issuing a setup record failed: {code}: {message}")));
            }
            let id = r
                .events
                .iter()
                .find(|e| e.kind == "record_issued")
                .and_then(|e| e.get("record"))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| BenchError::Setup("a record_issued event without a record id".into()))?;
            out.push((holder, RecordId(id)));
        }
        say(format!("setup: {} of {count} records issued", out.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::mix::Mix;

    fn signers(users: usize) -> Signers {
        let keys = (0..users).map(|i| SigningKey::from_seed([i as u8 + 1; 32])).collect();
        Signers::new(keys, Some(SigningKey::from_seed([200; 32])), Some(SigningKey::from_seed([201; 32])))
    }

    #[test]
    fn transfers_ring_with_consecutive_nonces() {
        let s = signers(4);
        let mut nonces = vec![10, 0, 5, 0, 0, 0];
        let kinds = Mix::default().sequence(9);
        let date = Date { year: 2026, month: 1, day: 1 };
        let p = plan(&kinds, &s, &mut nonces, ClassId(1), &[], date);
        let senders: Vec<usize> = p.iter().map(|t| t.signer).collect();
        assert_eq!(senders, [0, 1, 2, 3, 0, 1, 2, 3, 0]);
        assert_eq!(p[0].nonce, 10);
        assert_eq!(p[4].nonce, 11);
        assert_eq!(p[8].nonce, 12);
        assert_eq!(p[2].nonce, 5);
        assert_eq!(nonces[..4], [13, 2, 7, 2]);
        assert_eq!(p[3].payload, Payload::Transfer { class: ClassId(1), to: s.publics[0], amount: 1 });
        let txs = sign_all(p, &s, "tamga-test").unwrap();
        assert_eq!(txs.len(), 9);
        assert!(txs.iter().all(|t| t.verify("tamga-test").is_ok()));
        assert_eq!(txs[5].tx.signer, s.publics[1]);
        assert_eq!(txs[5].tx.nonce, 1);
    }

    #[test]
    fn presigned_bytes_are_the_signed_transactions() {
        let s = signers(5);
        let mut nonces = vec![0; 7];
        let kinds = "transfers=80,records=10,notifications=10".parse::<Mix>().unwrap().sequence(5000);
        let records: Vec<(usize, RecordId)> = (0..500).map(|i| (i % 5, RecordId(i as u64))).collect();
        let date = Date { year: 2026, month: 1, day: 1 };
        let p = plan(&kinds, &s, &mut nonces, ClassId(1), &records, date);
        let progress = std::sync::atomic::AtomicUsize::new(0);
        let pre = presign(&p, &s, "tamga-test", &|n| {
            progress.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(progress.into_inner(), 5000, "progress adds up to the total");
        assert_eq!((pre.len(), pre.hashes.len()), (5000, 5000));
        let signed = sign_all(p.clone(), &s, "tamga-test").unwrap();
        for (i, t) in signed.iter().enumerate() {
            // Same order, same bytes, same id as signing one by one (ed25519 is deterministic).
            assert_eq!(pre.get(i), t.encode().as_slice(), "tx {i}");
            assert_eq!(pre.hashes[i], t.hash());
        }
        assert_eq!(pre.bytes.len(), *pre.ends.last().unwrap());
        // Every kind of the mix is there, each signed by whom the plan says.
        let decoded = SignedTransaction::decode(pre.get(0)).unwrap();
        assert_eq!(decoded.tx.signer, s.publics[p[0].signer]);
        let kinds_seen: HashSet<Kind> = p.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds_seen,
            HashSet::from([Kind::Transfer, Kind::RecordTransfer, Kind::MiningNotice, Kind::ActivityNotice])
        );
        assert_eq!(p.iter().filter(|t| t.kind == Kind::RecordTransfer).count(), 500, "one setup record each");
    }

    #[test]
    fn mixed_plan_uses_the_right_signers() {
        let s = signers(3);
        let mut nonces = vec![0; 5];
        let kinds =
            [Kind::RecordIssue, Kind::RecordTransfer, Kind::MiningNotice, Kind::ActivityNotice, Kind::RecordTransfer];
        let records = [(2, RecordId(9))];
        let p = plan(&kinds, &s, &mut nonces, ClassId(1), &records, Date { year: 2026, month: 1, day: 1 });
        assert_eq!(p[0].signer, 3, "the issuer issues");
        assert!(matches!(p[0].payload, Payload::IssueRecord { .. }));
        assert_eq!(p[1].signer, 2, "the holder moves its record");
        assert_eq!(p[1].payload, Payload::TransferRecord { record: RecordId(9), to: s.publics[0] });
        assert_eq!(p[2].signer, 4, "every tenth mining notification is the miner's");
        assert_eq!(p[3].kind, Kind::ActivityNotice);
        // No second setup record: a transfer of tokens instead.
        assert_eq!(p[4].kind, Kind::Transfer);
        assert_eq!(nonces, [2, 0, 1, 1, 1]);
    }
}
