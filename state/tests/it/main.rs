//! Integration tests of `tamga-state`: one binary (STYLE), one module per concern.
//! Every rejection asserts its stable code and, through the harness, that a
//! failed transaction spends its nonce and changes nothing else (SPEC §8).

// A panic in a test or its helpers is a test failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod backup;
mod blocks;
mod crash;
mod envelope;
mod escrow;
mod governance;
mod identity;
mod notifications;
mod proofs;
mod props;
mod pruning;
mod receipts;
mod records;
mod replay;
mod tokens;
