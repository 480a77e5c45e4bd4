//! # tamga-contract
//!
//! What a Tamga node promises to everyone who talks to it, defined once and
//! used by both sides: the node serialises these types, the client (and any
//! tool) deserialises them.
//!
//! * [`wire`]: the request and answer bodies of the HTTP API
//!   (`docs/api.md`, SPEC §11) that are not plain `tamga_types` values;
//! * [`error`]: the error body every refusal is answered with;
//! * [`bundle`]: the receipt-bundle file format and its offline
//!   verification (`docs/receipt-format.md`, SPEC §1.8, §10);
//! * [`export`]: the issuer-export format and its offline verification;
//! * [`render`]: the human-readable rendering of a signed transaction that
//!   verification shows (SPEC §1.7);
//! * [`messages`]: the kk/ru/en messages of failed transactions, rendered
//!   from a receipt's code and arguments (SPEC §8, §11);
//! * [`devnet`]: the devnet manifest `devnet.json` that `tamgad devnet`
//!   writes and tools read.
//!
//! The crate does no I/O beyond reading and writing values it is handed:
//! no async runtime, no HTTP, no storage. It sits below `tamga-node` and
//! `tamga-client` in the crate graph (README, Architecture).

pub mod bundle;
pub mod devnet;
pub mod error;
pub mod export;
pub mod messages;
pub mod render;
pub mod wire;

pub use error::ErrorBody;
