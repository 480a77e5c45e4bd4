//! The admission pool: the threads that check and admit transactions into
//! the mempool (API submissions and gossiped batches), at a lower scheduling
//! priority than consensus.
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

use tracing::warn;

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
