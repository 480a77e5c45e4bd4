//! ed25519 keys and signatures under one validity rule for single and batch checks.
//!
//! # The signature rule (SPEC §8)
//! Tamga verifies signatures with [`ed25519_zebra`] (single checks) and
//! that crate's batch algorithm written out over the same curve25519-dalek
//! ([`BatchVerifier`], for its cache of decompressed keys), under the
//! **ZIP-215** rules: the cofactored equation `[8][s]B = [8]R + [8][k]A`,
//! `s` must be canonical (`s < ℓ`), and `A`, `R` may be any valid curve point
//! encoding. Single verification and batch verification accept *exactly* the
//! same set of signatures under this rule, so two validators that verify the
//! same block differently (one at a time, or batched) can never disagree.
//! Plain `verify_strict` plus a cofactorless batch would not give that
//! guarantee.
//!
//! On top of ZIP-215 Tamga rejects, at the point of *use* rather than in the
//! signature check, account keys of small order (the eight torsion points):
//! such a key can "sign" many messages with one signature. Registration of such
//! a key is refused ([`PublicKey::is_weak`]).

use std::fmt;
use std::str::FromStr;

use std::collections::HashMap;

use borsh::{BorshDeserialize, BorshSerialize};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha512};

use crate::hash::{parse_hex_n, HexError};

/// An ed25519 public key (32 bytes, compressed Edwards point). Also the account address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct PublicKey(pub [u8; 32]);

/// An ed25519 signature (64 bytes: `R ‖ s`).
#[derive(Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Signature(pub [u8; 64]);

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key bytes are not a valid curve point.
    #[error("public key {0} is not a valid ed25519 point")]
    MalformedKey(PublicKey),
    /// The signature does not verify for this key and message.
    #[error("signature by {0} does not verify")]
    Invalid(PublicKey),
    /// A batch failed: at least one of its signatures is invalid.
    #[error("batch verification failed")]
    BatchFailed,
}

/// The eight small-order points' canonical encodings (the torsion subgroup).
const SMALL_ORDER: [[u8; 32]; 8] = {
    const fn hex32(s: &[u8; 64]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            out[i] = nib(s[2 * i]) << 4 | nib(s[2 * i + 1]);
            i += 1;
        }
        out
    }
    const fn nib(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("bad hex"),
        }
    }
    [
        hex32(b"0100000000000000000000000000000000000000000000000000000000000000"),
        hex32(b"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        hex32(b"0000000000000000000000000000000000000000000000000000000000000080"),
        hex32(b"0000000000000000000000000000000000000000000000000000000000000000"),
        hex32(b"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        hex32(b"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
        hex32(b"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        hex32(b"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
    ]
};

/// Non-canonical encodings (`y ≥ p`, sign bit cleared) that ZIP-215 still
/// decodes to small-order points: `y = p` (≡ 0, order 4) and `y = p + 1`
/// (≡ 1, the identity). No other small-order `y` is below 19, so together with
/// [`SMALL_ORDER`] these cover every encoding of every small-order point.
const NON_CANONICAL_SMALL_ORDER: [[u8; 32]; 2] = {
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    let mut p1 = p;
    p1[0] = 0xee;
    [p, p1]
};

impl PublicKey {
    /// Verifies `sig` over `msg` under the ZIP-215 rule (see module docs).
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), SignatureError> {
        let vk = ed25519_zebra::VerificationKey::try_from(self.0).map_err(|_| SignatureError::MalformedKey(*self))?;
        vk.verify(&ed25519_zebra::Signature::from_bytes(&sig.0), msg).map_err(|_| SignatureError::Invalid(*self))
    }

    /// True if the key is not a usable account key: not a valid point, or a
    /// point of small order (a torsion point, in any of its encodings: with
    /// either sign bit, and the non-canonical `y ≥ p` forms that ZIP-215
    /// accepts). Such keys are refused at registration.
    pub fn is_weak(&self) -> bool {
        if ed25519_zebra::VerificationKey::try_from(self.0).is_err() {
            return true;
        }
        let mut canon = self.0;
        canon[31] &= 0x7f;
        NON_CANONICAL_SMALL_ORDER.contains(&canon)
            || SMALL_ORDER.iter().any(|p| {
                let mut q = *p;
                q[31] &= 0x7f;
                q == canon
            })
    }

    /// Lower-case hex, 64 characters: the textual account address.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Result<PublicKey, HexError> {
        parse_hex_n::<32>(s).map(PublicKey)
    }
}

impl Signature {
    /// Lower-case hex, 128 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Parses 128 hex characters.
    pub fn from_hex(s: &str) -> Result<Signature, HexError> {
        parse_hex_n::<64>(s).map(Signature)
    }
}

/// A private signing key. Never serialised by `Debug`; zeroised when dropped
/// (neither `ed25519-zebra` nor `ed25519-consensus` before it does that
/// itself: both only implement `Zeroize`).
#[derive(Clone)]
pub struct SigningKey(ed25519_zebra::SigningKey);

impl Drop for SigningKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl SigningKey {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> SigningKey {
        SigningKey(ed25519_zebra::SigningKey::new(rand_core::OsRng))
    }

    /// A key from 32 secret seed bytes (deterministic: tests and key files).
    pub fn from_seed(seed: [u8; 32]) -> SigningKey {
        SigningKey(ed25519_zebra::SigningKey::from(seed))
    }

    /// The 32 secret seed bytes. Handle with care.
    pub fn to_seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(ed25519_zebra::VerificationKeyBytes::from(&self.0).into())
    }

    /// Signs `msg`.
    pub fn sign(&self, msg: &[u8]) -> Signature {
        Signature(self.0.sign(msg).to_bytes())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey(public={})", self.public())
    }
}

/// Verifies many `(key, message, signature)` triples at once.
///
/// Accepts exactly when every triple would pass [`PublicKey::verify`]
/// (ZIP-215 guarantees this). On failure callers fall back to single checks to
/// find the culprits ([`BatchVerifier::verify_each`]).
///
/// The algorithm is `ed25519_zebra::batch::Verifier`'s (only the source of
/// the random coefficients differs, below): one random 128-bit coefficient
/// `z` per signature, the terms of a repeated key coalesced, and one
/// multiscalar multiplication checking
/// `[8]([-Σ z·s]B + Σ z·R + Σ (Σ z·k)·A) = 0`. It is written out here for one
/// reason: that crate decompresses every key on every batch, and point
/// decompression (a field square root) is half the cost of decompressing both
/// `A` and `R`, while the keys repeat (the same accounts sign transaction
/// after transaction). Decompressed keys are kept in a process-wide bounded
/// cache ([`KEY_CACHE_CAPACITY`]); `R` changes with every signature and is
/// decompressed each time. The coefficients come from a ChaCha20 stream
/// seeded from the OS for each batch (the crate reads the OS generator once
/// per signature). A test checks the verdicts against both
/// `ed25519_zebra::batch` and `ed25519-consensus` on ZIP-215's edge set and on
/// mixed valid and invalid batches.
#[derive(Default)]
pub struct BatchVerifier {
    items: Vec<(PublicKey, Vec<u8>, Signature)>,
}

/// Most decompressed keys the batch verifier keeps (about 160 bytes each, so
/// ≈ 10 MiB at most). When a batch would overflow it the cache is emptied and
/// refilled: a load of more distinct signers than this costs what a cache-less
/// verifier costs, never more memory.
pub const KEY_CACHE_CAPACITY: usize = 1 << 16;

static KEY_CACHE: std::sync::LazyLock<std::sync::Mutex<HashMap<[u8; 32], EdwardsPoint>>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(HashMap::new()));

/// The decompressed points of `keys` (any encoding ZIP-215 accepts, as
/// `CompressedEdwardsY::decompress` does), from the cache where present;
/// `None` if one of them is not a curve point (never cached).
fn key_points(keys: &[[u8; 32]]) -> Option<Vec<EdwardsPoint>> {
    let lock = || KEY_CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut points = Vec::with_capacity(keys.len());
    let mut missing = Vec::new();
    {
        let cache = lock();
        for (i, k) in keys.iter().enumerate() {
            match cache.get(k) {
                Some(p) => points.push(*p),
                None => {
                    points.push(EdwardsPoint::default());
                    missing.push(i);
                }
            }
        }
    }
    if missing.is_empty() {
        return Some(points);
    }
    let mut fresh = Vec::with_capacity(missing.len());
    for i in missing {
        let p = CompressedEdwardsY(keys[i]).decompress()?;
        points[i] = p;
        fresh.push((keys[i], p));
    }
    let mut cache = lock();
    if cache.len() + fresh.len() > KEY_CACHE_CAPACITY {
        cache.clear();
    }
    cache.extend(fresh.into_iter().take(KEY_CACHE_CAPACITY));
    Some(points)
}

impl BatchVerifier {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one triple.
    pub fn push(&mut self, key: PublicKey, msg: Vec<u8>, sig: Signature) {
        self.items.push((key, msg, sig));
    }

    /// Number of queued triples.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Verifies the whole batch: `Ok` only if every signature is valid.
    #[allow(non_snake_case)] // the curve points keep their names from the papers: A, R, B
    pub fn verify(&self) -> Result<(), SignatureError> {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let fail = SignatureError::BatchFailed;
        let mut rng = rand_chacha::ChaCha20Rng::from_rng(rand_core::OsRng).map_err(|_| fail.clone())?;
        let mut slot_of: HashMap<[u8; 32], usize> = HashMap::with_capacity(self.items.len());
        let mut keys: Vec<[u8; 32]> = Vec::new();
        let mut A_coeffs: Vec<Scalar> = Vec::new();
        let mut Rs = Vec::with_capacity(self.items.len());
        let mut R_coeffs = Vec::with_capacity(self.items.len());
        let mut B_coeff = Scalar::ZERO;
        for (key, msg, sig) in &self.items {
            let (r_bytes, s_bytes) = sig.0.split_at(32);
            let r_bytes: [u8; 32] = r_bytes.try_into().map_err(|_| fail.clone())?;
            let s_bytes: [u8; 32] = s_bytes.try_into().map_err(|_| fail.clone())?;
            let R = CompressedEdwardsY(r_bytes).decompress().ok_or(fail.clone())?;
            let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)).ok_or(fail.clone())?;
            let k = Scalar::from_hash(Sha512::new().chain_update(r_bytes).chain_update(key.0).chain_update(msg));
            let mut z = [0u8; 16];
            rng.fill_bytes(&mut z);
            let z = Scalar::from(u128::from_le_bytes(z));
            B_coeff -= z * s;
            Rs.push(R);
            R_coeffs.push(z);
            let slot = *slot_of.entry(key.0).or_insert_with(|| {
                keys.push(key.0);
                A_coeffs.push(Scalar::ZERO);
                keys.len() - 1
            });
            A_coeffs[slot] += z * k;
        }
        let As = key_points(&keys).ok_or(fail.clone())?;
        let check = EdwardsPoint::vartime_multiscalar_mul(
            std::iter::once(&B_coeff).chain(A_coeffs.iter()).chain(R_coeffs.iter()),
            std::iter::once(&ED25519_BASEPOINT_POINT).chain(As.iter()).chain(Rs.iter()),
        );
        if check.mul_by_cofactor().is_identity() {
            Ok(())
        } else {
            Err(fail)
        }
    }

    /// Verifies the batch and, if it fails, each item alone: returns one
    /// result per queued item, in order.
    pub fn verify_each(&self) -> Vec<Result<(), SignatureError>> {
        if self.verify().is_ok() {
            return vec![Ok(()); self.items.len()];
        }
        self.items.iter().map(|(k, m, s)| k.verify(m, s)).collect()
    }
}

macro_rules! hex_serde {
    ($t:ty, $name:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({}…)", $name, &self.to_hex()[..12])
            }
        }
        impl FromStr for $t {
            type Err = HexError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_hex(s)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as Deserialize>::deserialize(d)?;
                Self::from_hex(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
hex_serde!(PublicKey, "PublicKey");
hex_serde!(Signature, "Signature");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_roundtrip() {
        let k = SigningKey::from_seed([7; 32]);
        let sig = k.sign(b"hello");
        assert_eq!(k.public().verify(b"hello", &sig), Ok(()));
        assert_eq!(k.public().verify(b"hellO", &sig), Err(SignatureError::Invalid(k.public())));
        assert!(!k.public().is_weak());
    }

    #[test]
    fn small_order_keys_are_weak() {
        for p in SMALL_ORDER {
            assert!(PublicKey(p).is_weak(), "{}", hex::encode(p));
        }
    }

    /// `y = p` and `y = p + 1` (either sign bit) decode under ZIP-215 to
    /// small-order points: with them the signature (R = identity, s = 0)
    /// verifies for every message, so they must count as weak.
    #[test]
    fn non_canonical_small_order_keys_are_weak() {
        let mut forged = [0u8; 64];
        forged[0] = 1;
        for enc in NON_CANONICAL_SMALL_ORDER {
            for sign in [0u8, 0x80] {
                let mut k = enc;
                k[31] |= sign;
                let key = PublicKey(k);
                assert!(key.verify(b"any message", &Signature(forged)).is_ok(), "{key}");
                assert!(key.is_weak(), "{key}");
            }
        }
        assert_eq!(PublicKey::from_hex(&format!("ee{}7f", "ff".repeat(30))).map(|k| k.is_weak()), Ok(true));
    }

    #[test]
    fn non_canonical_s_rejected_single_and_batch() {
        let k = SigningKey::from_seed([9; 32]);
        let mut sig = k.sign(b"m");
        // s + ℓ: same scalar mod ℓ, non-canonical encoding. ZIP-215 rejects it.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (byte, add) in sig.0[32..].iter_mut().zip(l) {
            let v = *byte as u16 + add as u16 + carry;
            *byte = v as u8;
            carry = v >> 8;
        }
        assert!(k.public().verify(b"m", &sig).is_err());
        let mut b = BatchVerifier::new();
        b.push(k.public(), b"m".to_vec(), sig);
        assert!(b.verify().is_err());
    }

    /// The identity point as key with the signature (R = identity, s = 0)
    /// satisfies the cofactored equation for *every* message: ZIP-215 accepts it
    /// both singly and in a batch (agreement), and Tamga refuses the key itself.
    #[test]
    fn small_order_key_agrees_single_and_batch_and_is_refused() {
        let key = PublicKey(SMALL_ORDER[0]);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&SMALL_ORDER[0]);
        let sig = Signature(sig);
        let single = key.verify(b"anything", &sig).is_ok();
        let mut b = BatchVerifier::new();
        b.push(key, b"anything".to_vec(), sig);
        assert_eq!(single, b.verify().is_ok());
        assert!(key.is_weak());
    }

    /// The verification rule is consensus-critical: the switch from
    /// `ed25519-consensus` (curve25519-dalek-ng) to `ed25519-zebra`
    /// (curve25519-dalek 4, AVX2) must not change a single verdict. ZIP-215's
    /// own test set: every pair (A, R) of the encodings of small-order points
    /// (canonical and not, either sign bit), with `s = 0` (two messages) and
    /// `s = 1`, each checked singly and batched, plus valid and corrupted
    /// ordinary signatures; both crates must agree on each.
    #[test]
    fn verdicts_equal_ed25519_consensus_on_the_zip215_edge_set() {
        let mut encodings: Vec<[u8; 32]> = Vec::new();
        for p in SMALL_ORDER.iter().chain(NON_CANONICAL_SMALL_ORDER.iter()) {
            for sign in [0u8, 0x80] {
                let mut e = *p;
                e[31] = (e[31] & 0x7f) | sign;
                if !encodings.contains(&e) {
                    encodings.push(e);
                }
            }
        }
        let old_single = |a: &[u8; 32], sig: &[u8; 64], msg: &[u8]| {
            ed25519_consensus::VerificationKey::try_from(*a)
                .and_then(|vk| vk.verify(&ed25519_consensus::Signature::from(*sig), msg))
                .is_ok()
        };
        let old_batch = |a: &[u8; 32], sig: &[u8; 64], msg: &[u8]| {
            let mut b = ed25519_consensus::batch::Verifier::new();
            b.queue((ed25519_consensus::VerificationKeyBytes::from(*a), ed25519_consensus::Signature::from(*sig), msg));
            b.verify(rand_core::OsRng).is_ok()
        };
        let mut cases = 0;
        let mut accepted = 0;
        for a in &encodings {
            for r in &encodings {
                for (s0, msg) in [(0u8, &b"Zcash"[..]), (0, b"tamga"), (1, b"Zcash")] {
                    let mut sig = [0u8; 64];
                    sig[..32].copy_from_slice(r);
                    sig[32] = s0;
                    let key = PublicKey(*a);
                    let new_single = key.verify(msg, &Signature(sig)).is_ok();
                    let mut b = BatchVerifier::new();
                    b.push(key, msg.to_vec(), Signature(sig));
                    let new_batch = b.verify().is_ok();
                    let ctx = format!("A={} R={} s={s0} msg={msg:?}", hex::encode(a), hex::encode(r));
                    assert_eq!(new_single, old_single(a, &sig, msg), "single: {ctx}");
                    assert_eq!(new_batch, old_batch(a, &sig, msg), "batch: {ctx}");
                    assert_eq!(new_single, new_batch, "single vs batch: {ctx}");
                    cases += 1;
                    accepted += usize::from(new_single);
                }
            }
        }
        // 14 encodings (8 canonical, 2 negative zeros, 4 with y >= p): the
        // 196 pairs ZIP-215 lists, all valid with s = 0 ([8]R + [8]kA is the
        // identity), none with s = 1.
        assert_eq!(encodings.len(), 14);
        assert_eq!(cases, 14 * 14 * 3);
        assert_eq!(accepted, 14 * 14 * 2);
        for i in 0..32u8 {
            let k = SigningKey::from_seed([i; 32]);
            let msg = [i; 40];
            let mut sig = k.sign(&msg).0;
            assert!(old_single(&k.public().0, &sig, &msg) && k.public().verify(&msg, &Signature(sig)).is_ok());
            sig[usize::from(i) % 64] ^= 1 << (i % 8);
            assert_eq!(old_single(&k.public().0, &sig, &msg), k.public().verify(&msg, &Signature(sig)).is_ok());
        }
    }

    /// The batch verifier is written out here (for its key cache): its
    /// verdict must equal `ed25519_zebra::batch::Verifier`'s on every batch,
    /// with the cache cold and warm: valid batches, a key signing many
    /// messages, one corrupted signature (in `R`, in `s`, in the message, a
    /// non-canonical `s`, an `R` that is no point), a key that is no point,
    /// and the empty batch.
    #[test]
    fn batch_verdicts_equal_ed25519_zebra_with_the_key_cache_cold_and_warm() {
        type Item = (PublicKey, Vec<u8>, Signature);
        let zebra = |items: &[Item]| {
            let mut b = ed25519_zebra::batch::Verifier::new();
            for (k, m, s) in items {
                b.queue((
                    ed25519_zebra::VerificationKeyBytes::from(k.0),
                    ed25519_zebra::Signature::from_bytes(&s.0),
                    m,
                ));
            }
            b.verify(rand_core::OsRng).is_ok()
        };
        let ours = |items: &[Item]| {
            let mut b = BatchVerifier::new();
            for (k, m, s) in items {
                b.push(*k, m.clone(), *s);
            }
            b.verify().is_ok()
        };
        // Seeds unique to this test, so other tests cannot have warmed the cache.
        let keys: Vec<SigningKey> = (0..12u8).map(|i| SigningKey::from_seed([0xc0 | i; 32])).collect();
        let good: Vec<Item> = (0..48usize)
            .map(|i| {
                let k = &keys[i % keys.len()];
                let msg = format!("transfer {i}").into_bytes();
                (k.public(), msg.clone(), k.sign(&msg))
            })
            .collect();
        let not_a_point = {
            let mut y = [0u8; 32];
            y[0] = 2; // y = 2: x² = (y² − 1)/(d·y² + 1) has no root
            assert!(CompressedEdwardsY(y).decompress().is_none());
            y
        };
        let mut cases: Vec<(String, Vec<Item>)> =
            vec![("empty".into(), vec![]), ("valid".into(), good.clone()), ("one".into(), good[..1].to_vec())];
        let corrupt = |what: &str, f: &dyn Fn(&mut Item)| {
            let mut b = good.clone();
            f(&mut b[17]);
            (what.to_string(), b)
        };
        cases.extend([
            corrupt("R bit", &|t| t.2 .0[3] ^= 4),
            corrupt("s bit", &|t| t.2 .0[40] ^= 1),
            corrupt("message", &|t| t.1.push(0)),
            corrupt("s + l (non-canonical)", &|t| {
                let s = Scalar::from_canonical_bytes(t.2 .0[32..].try_into().unwrap()).unwrap();
                let mut wide = [0u8; 32];
                wide.copy_from_slice(&t.2 .0[32..]);
                // s + ℓ < 2^253 for any canonical s: add ℓ byte-wise with carry.
                let l: [u8; 32] = hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
                    .unwrap()
                    .try_into()
                    .unwrap();
                let mut carry = 0u16;
                for (w, l) in wide.iter_mut().zip(l) {
                    let v = u16::from(*w) + u16::from(l) + carry;
                    *w = v as u8;
                    carry = v >> 8;
                }
                assert_eq!(carry, 0);
                assert_ne!(wide, s.to_bytes());
                t.2 .0[32..].copy_from_slice(&wide);
            }),
            corrupt("R not a point", &|t| t.2 .0[..32].copy_from_slice(&not_a_point)),
            corrupt("key not a point", &|t| t.0 = PublicKey(not_a_point)),
            corrupt("other key", &|t| t.0 = keys[(17 + 1) % keys.len()].public()),
        ]);
        // Twice: the first pass finds the cache cold for these keys, the second warm.
        for pass in ["cold", "warm"] {
            for (what, items) in &cases {
                let expected = zebra(items);
                assert_eq!(ours(items), expected, "{what} ({pass} cache)");
                let valid = matches!(what.as_str(), "empty" | "valid" | "one");
                assert_eq!(expected, valid, "{what}: zebra's verdict");
            }
        }
        assert!(KEY_CACHE.lock().unwrap().contains_key(&keys[0].public().0));
        assert!(!KEY_CACHE.lock().unwrap().contains_key(&not_a_point), "a failed decompression is not cached");
    }

    #[test]
    fn batch_finds_the_bad_one() {
        let mut b = BatchVerifier::new();
        for i in 0..10u8 {
            let k = SigningKey::from_seed([i; 32]);
            let msg = vec![i; 3];
            let sig = if i == 4 { k.sign(b"other") } else { k.sign(&msg) };
            b.push(k.public(), msg, sig);
        }
        assert!(b.verify().is_err());
        let each = b.verify_each();
        assert_eq!(each.iter().filter(|r| r.is_err()).count(), 1);
        assert!(each[4].is_err());
    }

    #[test]
    fn hex_forms() {
        let k = SigningKey::from_seed([1; 32]).public();
        assert_eq!(PublicKey::from_hex(&k.to_hex()), Ok(k));
        let js = serde_json::to_string(&k).expect("serialize");
        assert_eq!(serde_json::from_str::<PublicKey>(&js).expect("parse"), k);
    }
}
