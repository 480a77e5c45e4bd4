//! Integration tests of `tamga-consensus`: rule-level unit tests and the
//! deterministic multi-node simulator. `TAMGA_SIM_SEEDS=N` sets the number of
//! seeds per scenario (default 500), `TAMGA_SIM_SEED=S` replays one seed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, dead_code)]

mod rules;
mod scenarios;
mod signer;
mod sim;
