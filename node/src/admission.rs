//! Admission of new transactions: the one path by which API submissions and
//! gossiped batches enter the mempool ([`Admission`]), and the pool of
//! threads it runs on, at a lower scheduling priority than consensus.
//!
//! Both entries call [`Admission::admit`], which checks and admits the
//! transactions and writes, once per transaction and in one place, what an
//! operator sees of it: a `bad_signature` security event for each badly
//! signed transaction (with its origin, `api` or `gossip`, and who sent it)
//! and `tamga_mempool_rejected_total` for each refused one. The callers only
//! turn the results into their answers: the HTTP status and error body of
//! `POST /v1/txs` (docs/api.md), or whether a gossiped batch is forwarded.
//!
//! Under load, admission is most of a validator's CPU: every node decodes
//! and batch-verifies the signature of every transaction it is sent. What
//! finality waits for is the height's critical path instead: building the
//! proposal, validating (executing) it, committing it. When all cores are
//! busy and both run at the same priority, the kernel shares the CPU between
//! them evenly, so each height takes as long as the admission work beside it
//! lets it, blocks grow, and latency with them (docs/performance.md). The
//! pool's threads run at [`ADMISSION_NICE`]: the fair scheduler then gives a
//! critical-path thread about nine tenths of a contended core, admission runs
//! whenever that work waits (on the network, on votes), and when the CPU
//! cannot do both the mempool fills and its back-pressure (`MEMPOOL_FULL`)
//! slows submitters instead of finality. Lowering a thread's own priority
//! needs no privilege; a failure to do it is logged and the thread runs at
//! normal priority.
//!
//! A job that panics is caught: its caller gets [`PoolClosed`] and the
//! thread stays.

use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex};

use tamga_types::Hash;
use tracing::warn;

use crate::mempool::{ChainView, Mempool, MempoolError};
use crate::metrics::Metrics;
use crate::security::{Origin, SecurityLog};

/// Nice value of the admission threads (0 is normal, 19 the lowest).
pub const ADMISSION_NICE: i32 = 10;

/// Most admission threads, whatever the core count.
const MAX_THREADS: usize = 8;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The job could not run: the pool is shut down, or the job panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the admission pool did not run the job (shut down, or the job panicked)")]
pub struct PoolClosed;

/// A fixed set of low-priority threads fed by one queue.
#[derive(Debug)]
pub struct AdmissionPool {
    jobs: mpsc::Sender<Job>,
}

impl AdmissionPool {
    /// One thread per core (at most [`MAX_THREADS`]), each at `nice`.
    pub fn start(nice: i32) -> std::io::Result<Arc<AdmissionPool>> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, MAX_THREADS);
        Self::with_threads(threads, nice)
    }

    /// `threads` threads at `nice`. The threads end when the pool is dropped.
    pub fn with_threads(threads: usize, nice: i32) -> std::io::Result<Arc<AdmissionPool>> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new().name(format!("tamga-admit-{i}")).spawn(move || {
                lower_priority(nice);
                loop {
                    // The guard is a temporary: the lock is held while waiting
                    // for a job and released before running it.
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match job {
                        Ok(job) => {
                            // A panic drops the job's answer channel: its caller sees PoolClosed.
                            let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                        }
                        Err(_) => break,
                    }
                }
            })?;
        }
        Ok(Arc::new(AdmissionPool { jobs }))
    }

    /// Runs `f` on an admission thread and waits for its result.
    pub async fn run<R, F>(&self, f: F) -> Result<R, PoolClosed>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.spawn(move || {
            let _ = tx.send(f());
        })?;
        rx.await.map_err(|_| PoolClosed)
    }

    /// Queues `f` on an admission thread without waiting for it.
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) -> Result<(), PoolClosed> {
        self.jobs.send(Box::new(f)).map_err(|_| PoolClosed)
    }
}

/// Where a new transaction entered this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxEntry {
    /// `POST /v1/txs`.
    Api,
    /// The transaction gossip topic.
    Gossip,
}

impl TxEntry {
    fn origin(self) -> Origin {
        match self {
            TxEntry::Api => Origin::Api,
            TxEntry::Gossip => Origin::Gossip,
        }
    }
}

/// The one admission path of new transactions into the mempool, shared by
/// the API and gossip. Cheap to clone.
#[derive(Clone)]
pub struct Admission {
    mempool: Arc<Mempool>,
    chain: Arc<dyn ChainView>,
    security: SecurityLog,
    metrics: Arc<Metrics>,
}

impl Admission {
    /// Admission into `mempool` against `chain`, recording into `security`
    /// and `metrics`.
    pub fn new(mempool: Arc<Mempool>, chain: Arc<dyn ChainView>, security: SecurityLog, metrics: Arc<Metrics>) -> Self {
        Admission { mempool, chain, security, metrics }
    }

    /// Checks and admits raw signed transactions that entered by `entry`
    /// from `from` (the API caller or the gossiping peer); one result per
    /// input. Records a `bad_signature` security event per badly signed
    /// transaction and counts every refused one in
    /// `tamga_mempool_rejected_total`, whatever the entry. CPU work (decoding,
    /// signature checks): call it on the admission pool.
    pub fn admit<R: AsRef<[u8]>>(
        &self,
        entry: TxEntry,
        from: Option<String>,
        raws: &[R],
    ) -> Vec<Result<Hash, MempoolError>> {
        let refs: Vec<&[u8]> = raws.iter().map(AsRef::as_ref).collect();
        let results = self.mempool.submit_raw(self.chain.as_ref(), &refs);
        self.security.record_bad_tx_signatures(entry.origin(), from, &refs, &results);
        let refused = results.iter().filter(|r| r.is_err()).count();
        self.metrics.mempool_rejected.inc_by(refused as u64);
        results
    }

    /// The mempool.
    pub fn mempool(&self) -> &Arc<Mempool> {
        &self.mempool
    }
}

/// The raw transactions given to [`TxGateway::admit`] and one result each.
pub type AdmitAnswer = (Vec<Vec<u8>>, Vec<Result<Hash, MempoolError>>);

/// The API's entry for new transactions: [`Admission::admit`] on the
/// admission pool, then the admitted ones to the network for gossip.
#[derive(Clone)]
pub struct TxGateway {
    admission: Admission,
    gossip: tokio::sync::mpsc::Sender<Vec<u8>>,
    pool: Arc<AdmissionPool>,
}

impl TxGateway {
    /// A gateway through `admission` whose checks run on `pool`; admitted
    /// raw transactions go to `gossip`.
    pub fn new(admission: Admission, gossip: tokio::sync::mpsc::Sender<Vec<u8>>, pool: Arc<AdmissionPool>) -> Self {
        TxGateway { admission, gossip, pool }
    }

    /// [`TxGateway::submit`] on the admission pool (decoding and signature
    /// checks are CPU work, kept off the async threads and below consensus
    /// in priority); gives the raw transactions back with the results.
    pub async fn admit(&self, caller: String, raws: Vec<Vec<u8>>) -> Result<AdmitAnswer, PoolClosed> {
        let me = self.clone();
        self.pool
            .run(move || {
                let results = me.submit(caller, &raws);
                (raws, results)
            })
            .await
    }

    /// Admits raw signed transactions submitted by `caller` through the API
    /// ([`Admission::admit`]); one result per input. An admitted transaction
    /// is gossiped; if the gossip queue is full it still waits in this
    /// node's mempool and reaches the chain when this node proposes, or by a
    /// later retransmission.
    pub fn submit(&self, caller: String, raws: &[Vec<u8>]) -> Vec<Result<Hash, MempoolError>> {
        let out = self.admission.admit(TxEntry::Api, Some(caller), raws);
        for (r, raw) in out.iter().zip(raws) {
            if r.is_ok() {
                let _ = self.gossip.try_send(raw.clone());
            }
        }
        out
    }

    /// The mempool.
    pub fn mempool(&self) -> &Mempool {
        self.admission.mempool()
    }
}

/// Sets the calling thread's nice value (Linux: per thread).
fn lower_priority(nice: i32) {
    if nice == 0 {
        return;
    }
    let me = rustix::thread::gettid();
    // Never raise it (a thread inherits its creator's priority).
    if rustix::process::getpriority_process(Some(me)).is_ok_and(|now| now >= nice) {
        return;
    }
    if let Err(e) = rustix::process::setpriority_process(Some(me), nice) {
        warn!(target: "tamga::mempool", nice, error = %e, "cannot lower the admission thread's priority; it runs at normal priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nice_of_current_thread() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }

    #[tokio::test]
    async fn runs_jobs_at_the_lowered_priority_and_survives_a_panic() {
        let pool = AdmissionPool::with_threads(2, ADMISSION_NICE).unwrap();
        let caller = nice_of_current_thread();
        let (name, nice) =
            pool.run(|| (std::thread::current().name().map(str::to_owned), nice_of_current_thread())).await.unwrap();
        assert!(name.is_some_and(|n| n.starts_with("tamga-admit-")));
        assert_eq!(nice, caller.max(ADMISSION_NICE), "caller at {caller}");
        // The caller's own priority is untouched.
        assert_eq!(nice_of_current_thread(), caller);
        let panicked = pool.run(|| -> u32 { panic!("a job that panics") }).await;
        assert_eq!(panicked, Err(PoolClosed));
        // Both threads still serve jobs after the panic.
        let sums: Vec<u64> = futures::future::join_all((0..8u64).map(|i| pool.run(move || (0..=i).sum::<u64>())))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(sums, vec![0, 1, 3, 6, 10, 15, 21, 28]);
    }
}
