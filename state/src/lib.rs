//! # tamga-state
//! (header written below)

pub mod error;
mod exec;
mod genesis;
pub mod keys;
mod ledger;
pub mod model;
pub mod query;
pub mod store;

pub use error::{BlockInvalid, ExecError, StateError};
pub use exec::BlockContext;
pub use ledger::{ExecutedBlock, ExecutedBlockSummary, Ledger};
