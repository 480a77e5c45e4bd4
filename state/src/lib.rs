//! # tamga-state
//! (header written below)

pub mod error;
pub use tamga_types::model;
mod exec;
mod genesis;
pub mod keys;
mod ledger;
pub mod query;
pub mod store;

pub use error::{BlockInvalid, ExecError, StateError};
pub use exec::BlockContext;
pub use ledger::{DumpEntry, ExecutedBlock, ExecutedBlockSummary, Ledger};
