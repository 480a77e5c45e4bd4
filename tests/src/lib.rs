//! # tamga-tests
//!
//! Multi-node integration tests that run real `tamgad` processes:
//! safety always, liveness while more than two thirds are up, no committed
//! transaction lost, every bad input refused with its code.
//!
//! This library is the harness; the scenarios are the `it` integration
//! binary (`tests/it/`, one module per theme; `README.md` says how to run one).
//!
//! * [`net`]: [`Net`] generates a testnet in a temporary directory on a free
//!   port range, runs one `tamgad start` process per validator (log in
//!   `node{i}.log`) from a genesis that already holds the issuer, class 1 and
//!   funded participants (genesis transactions, checked at start), and
//!   can SIGKILL, SIGSTOP/SIGCONT and restart any node. Every process is
//!   killed when the `Net` drops; on a panic the log tails are printed and the
//!   directory is kept.
//! * [`netns`]: with `NetOptions { netns: true, .. }` every node runs in its
//!   own network namespace behind a bridge, and [`Netns`] cuts and heals
//!   links between chosen nodes (blackhole routes; needs root).
//! * [`load`]: [`Load`] sends transfers from many participant accounts at a
//!   target rate to live nodes, follows the chain block by block and records
//!   every transaction it saw committed.
//! * [`attack`]: bounded, self-stopping hostile traffic on loopback (idle,
//!   stalled and slow connections, non-reading subscribers, forged-request
//!   floods) and probes of a node process (resident memory, open-file limits).
//! * [`postgres`]: [`PgCluster`] is a throwaway PostgreSQL cluster
//!   (`initdb`/`pg_ctl` on a temporary directory and a free port) for the
//!   indexer scenarios; it stops when dropped.
//! * [`check`]: [`Net::assert_consistent`] compares every live node's blocks,
//!   receipts, certificates and state roots, and looks up every transaction
//!   the load saw committed.
//!
//! The `tamgad` binary is built by the harness with cargo (same profile and
//! target directory as the test executable) on first use; `TAMGAD_BIN` points
//! at another one.

pub mod attack;
pub mod check;
pub mod load;
pub mod net;
pub mod netns;
pub mod postgres;

pub use check::Consistency;
pub use load::{Load, LoadOptions, LoadReport};
pub use net::{say, scenario_secs, ConsensusConfig, Net, NetOptions};
pub use netns::Netns;
pub use postgres::PgCluster;
