//! Micro-benchmarks of the per-transaction CPU work every validator does
//! before execution:
//!
//! * `verify/single/N` and `verify/batch/N` — N ed25519 signatures over
//!   distinct keys and transfer signing messages, checked one by one with
//!   [`PublicKey::verify`] or at once with [`BatchVerifier::verify`] (both
//!   ZIP-215, see `types/src/crypto.rs`), for N = 1, 16, 64, 256, 1024. The
//!   throughput is per signature, so the two lines compare directly. The
//!   batch is filled outside the timed loop: what is timed is `verify`, which
//!   hashes every message, draws the batch's random coefficients, decompresses
//!   every `R` and does the multiscalar multiplication; the keys come
//!   decompressed from the verifier's key cache after the first iteration, as
//!   they do on a node whose accounts sign again and again.
//!   `verify/ed25519-zebra-batch/N` is the same batch through
//!   `ed25519_zebra::batch` (the same algorithm without the key cache: every
//!   key decompressed every time, the verifier of commit `9ff4fe5`), and
//!   `verify/ed25519-consensus-batch/N` through `ed25519-consensus`, the one
//!   before it (same ZIP-215 rule); both queued inside the timed loop.
//! * `tx/decode/{transfer,max_size}` — [`SignedTransaction::decode`] of a
//!   typical token transfer and of a transaction of exactly
//!   [`limits::MAX_TX_BYTES`] (a `CreateClass` whose rights fill it up), the
//!   bounded borsh decode a node does for every transaction it receives.
//! * `tx/encode/…` and `tx/hash/…` — [`SignedTransaction::encode`] and
//!   [`SignedTransaction::hash`] (encode + domain-tagged SHA-256: the
//!   transaction id) of the same two transactions. Throughput is in bytes.
//!
//! Run (the optimised `ci` profile, the one CI builds):
//!
//! ```text
//! cargo bench -p tamga-types --bench crypto --profile ci
//! cargo bench -p tamga-types --bench crypto --profile ci -- --warm-up-time 1 --measurement-time 3   # quicker
//! cargo bench -p tamga-types --bench crypto --profile ci -- verify/batch                            # a filter
//! ```
//!
//! `--profile ci` is `release` with debug assertions and overflow checks on
//! (see the workspace `Cargo.toml`); plain `cargo bench` uses the `bench`
//! profile (= `release`, thin LTO) and is a little faster still.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tamga_types::{
    limits, BatchVerifier, BoundedVec, ChainId, ClassId, Hash, Payload, PublicKey, Right, RightKind, ShortText,
    Signature, SignedTransaction, SigningKey, Text, Transaction,
};

const CHAIN: &str = "tamga-bench";
const BATCH_SIZES: [usize; 5] = [1, 16, 64, 256, 1024];

/// A deterministic key per index (distinct keys: a batch of one sender's
/// signatures would be cheaper than a block's, which has many senders).
fn key(i: usize) -> SigningKey {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    seed[31] = 0xb7;
    SigningKey::from_seed(seed)
}

fn transfer(i: usize) -> SignedTransaction {
    let k = key(i);
    Transaction {
        chain_id: ChainId::new(CHAIN).unwrap(),
        signer: k.public(),
        nonce: i as u64,
        payload: Payload::Transfer { class: ClassId(1), to: key(i + 1).public(), amount: 1_000 },
        memo: None,
    }
    .sign(&k)
}

/// A `CreateClass` padded with rights until its signed encoding is exactly
/// `MAX_TX_BYTES`: the largest transaction a node accepts.
fn max_size_tx() -> SignedTransaction {
    let k = key(0);
    let make = |rights: Vec<Right>| {
        Transaction {
            chain_id: ChainId::new(CHAIN).unwrap(),
            signer: k.public(),
            nonce: 0,
            payload: Payload::CreateClass {
                symbol: ShortText::new("WHT").unwrap(),
                name: ShortText::new("Wheat, class 3, elevator receipts").unwrap(),
                decimals: 0,
                supply_cap: Some(1_000_000_000),
                rights: BoundedVec::new(rights).unwrap(),
                document_hash: Hash::digest(b"bench", b"prospectus"),
                document_uri: Text::new("https://example.kz/prospectus.pdf").unwrap(),
                redemption_terms: Text::new("delivery at the elevator within 10 days").unwrap(),
            },
            memo: None,
        }
        .sign(&k)
    };
    let right = |len: usize| Right { kind: RightKind::Goods, description: Text::new("x".repeat(len)).unwrap() };
    let mut rights = Vec::new();
    loop {
        let size = make(rights.clone()).encode().len();
        let room = limits::MAX_TX_BYTES - size;
        // A right costs 1 (kind) + 4 (length) + its text.
        if room <= 5 {
            break;
        }
        rights.push(right((room - 5).min(limits::MAX_TEXT)));
    }
    let tx = make(rights);
    assert!(tx.encode().len() > limits::MAX_TX_BYTES - 5 && tx.encode().len() <= limits::MAX_TX_BYTES);
    tx
}

fn verify(c: &mut Criterion) {
    let max = *BATCH_SIZES.iter().max().unwrap();
    let signed: Vec<(PublicKey, Vec<u8>, Signature)> = (0..max)
        .map(|i| {
            let t = transfer(i);
            (t.tx.signer, t.tx.signing_message(), t.signature)
        })
        .collect();
    let mut g = c.benchmark_group("verify");
    for n in BATCH_SIZES {
        let items = &signed[..n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("single", n), items, |b, items| {
            b.iter(|| {
                for (k, m, s) in items {
                    k.verify(black_box(m), black_box(s)).unwrap();
                }
            })
        });
        let mut batch = BatchVerifier::new();
        for (k, m, s) in items {
            batch.push(*k, m.clone(), *s);
        }
        g.bench_with_input(BenchmarkId::new("batch", n), &batch, |b, batch| b.iter(|| batch.verify().unwrap()));
        // Without the key cache: ed25519-zebra's own batch verifier.
        g.bench_with_input(BenchmarkId::new("ed25519-zebra-batch", n), items, |b, items| {
            b.iter(|| {
                let mut v = ed25519_zebra::batch::Verifier::new();
                for (k, m, s) in items {
                    v.queue((
                        ed25519_zebra::VerificationKeyBytes::from(k.0),
                        ed25519_zebra::Signature::from_bytes(&s.0),
                        m,
                    ));
                }
                v.verify(rand_core::OsRng).unwrap()
            })
        });
        // The verifier Tamga used before that (same rule, curve25519-dalek-ng's
        // serial backend), for the comparison in docs/performance.md.
        g.bench_with_input(BenchmarkId::new("ed25519-consensus-batch", n), items, |b, items| {
            b.iter(|| {
                let mut v = ed25519_consensus::batch::Verifier::new();
                for (k, m, s) in items {
                    v.queue((
                        ed25519_consensus::VerificationKeyBytes::from(k.0),
                        ed25519_consensus::Signature::from(s.0),
                        m,
                    ));
                }
                v.verify(rand_core::OsRng).unwrap()
            })
        });
    }
    g.finish();
}

fn tx_codec(c: &mut Criterion) {
    let cases = [("transfer", transfer(7)), ("max_size", max_size_tx())];
    let mut g = c.benchmark_group("tx");
    for (name, tx) in &cases {
        let bytes = tx.encode();
        assert_eq!(&SignedTransaction::decode(&bytes).unwrap(), tx);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("decode", name), &bytes, |b, bytes| {
            b.iter(|| SignedTransaction::decode(black_box(bytes)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("encode", name), tx, |b, tx| b.iter(|| black_box(tx).encode()));
        g.bench_with_input(BenchmarkId::new("hash", name), tx, |b, tx| b.iter(|| black_box(tx).hash()));
    }
    g.finish();
}

criterion_group!(benches, verify, tx_codec);
criterion_main!(benches);
