//! Multi-node scenarios against real `tamgad` processes. One
//! integration binary; one module per theme. Nets run one at a time
//! (`TAMGA_IT_JOBS` raises that); `TAMGA_IT_SECS` sets the steady-load
//! duration; `TAMGA_IT_SEED` fixes the key seed. See `tests/README.md`.

// Scenario helpers panic on failure like the tests themselves: the message
// names the step, and the net's drop prints the node logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admission;
mod alerts;
mod backup;
mod byzantine;
mod common;
mod console;
mod console_signing;
mod crash;
mod deployment;
mod doc_references;
mod genesis_schema;
mod hostile;
mod hostile_load;
mod hsm;
mod import_circles;
mod indexer;
mod observer;
mod offline_verify;
mod p2p_identity;
mod partition;
mod pruning;
mod reference_verifier;
mod remote_signer;
mod rolling;
mod sinks;
mod spec_citations;
mod steady;
mod tls;
mod translations;
mod two_devnets;
mod walkthrough;
