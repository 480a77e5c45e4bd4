//! SHA-256 digests with explicit domain separation.
//!
//! Every hash Tamga computes is `SHA-256(domain ‖ 0x00 ‖ bytes)` where `domain`
//! is an ASCII tag such as `TAMGA/TX/v1`. Different object kinds can therefore
//! never collide even when their encodings do (see `docs/wire-format.md`).

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A 32-byte SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize, BorshDeserialize)]
pub struct Hash(pub [u8; 32]);

/// Domain tags: one per kind of hashed or signed object. Stable: part of the wire format.
pub mod domain {
    /// Hash of a signed transaction (its identifier).
    pub const TX_ID: &[u8] = b"TAMGA/TXID/v1";
    /// Message signed by a transaction's signer.
    pub const TX_SIGN: &[u8] = b"TAMGA/TX/v1";
    /// Hash of a block header (the block's identifier).
    pub const BLOCK: &[u8] = b"TAMGA/BLOCK/v1";
    /// Merkle leaf of the transactions root.
    pub const TX_LEAF: &[u8] = b"TAMGA/TXLEAF/v1";
    /// Merkle inner node of the transactions root.
    pub const TX_NODE: &[u8] = b"TAMGA/TXNODE/v1";
    /// Message signed by a consensus vote.
    pub const VOTE: &[u8] = b"TAMGA/VOTE/v1";
    /// Message signed by a block proposal (height, round, block, POL round).
    pub const PROPOSAL: &[u8] = b"TAMGA/PROPOSAL/v1";
    /// Hash of a validator set.
    pub const VALIDATORS: &[u8] = b"TAMGA/VALSET/v1";
    /// Commitment of a personal identifier (IIN/BIN), SPEC §1.6.
    pub const IDENTIFIER: &[u8] = b"TAMGA/IDENT/v1";
    /// Hash of the evidence list of a block.
    pub const EVIDENCE: &[u8] = b"TAMGA/EVIDENCE/v1";
    /// Message signed by an API request's signer ([`crate::request`]).
    pub const REQUEST: &[u8] = b"TAMGA/REQUEST/v2";
    /// Hash of a receipt: a leaf (via the Merkle leaf rule) of a header's `receipts_root`.
    pub const RECEIPT: &[u8] = b"TAMGA/RECEIPT/v1";
}

impl Hash {
    /// The all-zero hash, used as the parent of the first block.
    pub const ZERO: Hash = Hash([0u8; 32]);

    /// `SHA-256(domain ‖ 0x00 ‖ data)`.
    pub fn digest(domain: &[u8], data: &[u8]) -> Hash {
        Self::digest_parts(domain, &[data])
    }

    /// Plain `SHA-256(data)`, no domain: the hash of a human-readable document
    /// (escrow terms, SPEC §7) that anyone can recompute with `sha256sum`.
    pub fn sha256(data: &[u8]) -> Hash {
        Hash(Sha256::digest(data).into())
    }

    /// `SHA-256(domain ‖ 0x00 ‖ part_0 ‖ part_1 ‖ …)`.
    pub fn digest_parts(domain: &[u8], parts: &[&[u8]]) -> Hash {
        let mut h = Sha256::new();
        h.update(domain);
        h.update([0u8]);
        for p in parts {
            h.update(p);
        }
        Hash(h.finalize().into())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters (an optional `0x` prefix is accepted).
    pub fn from_hex(s: &str) -> Result<Hash, HexError> {
        parse_hex32(s).map(Hash)
    }
}

/// A malformed hex string for a fixed-size value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// Not hexadecimal.
    #[error("not valid hex: {0}")]
    Invalid(String),
    /// Wrong number of bytes.
    #[error("expected {expected} bytes ({} hex characters), got {got} bytes", expected * 2)]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        got: usize,
    },
}

pub(crate) fn parse_hex_n<const N: usize>(s: &str) -> Result<[u8; N], HexError> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let v = hex::decode(s).map_err(|e| HexError::Invalid(e.to_string()))?;
    <[u8; N]>::try_from(v.as_slice()).map_err(|_| HexError::Length { expected: N, got: v.len() })
}

fn parse_hex32(s: &str) -> Result<[u8; 32], HexError> {
    parse_hex_n::<32>(s)
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", &self.to_hex()[..16])
    }
}

impl FromStr for Hash {
    type Err = HexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hash::from_hex(s)
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(d)?;
        Hash::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// Merkle root over an ordered list of leaf hashes (RFC 6962 shape: an odd node
/// is promoted unchanged). The empty list has root [`Hash::ZERO`].
///
/// Leaves are hashed with [`domain::TX_LEAF`] and inner nodes with
/// [`domain::TX_NODE`], so a leaf can never be mistaken for an inner node.
pub fn merkle_root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return Hash::ZERO;
    }
    let mut level: Vec<Hash> = leaves.iter().map(|l| Hash::digest(domain::TX_LEAF, &l.0)).collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => Hash::digest_parts(domain::TX_NODE, &[&a.0, &b.0]),
                [a] => *a,
                _ => unreachable!("chunks(2) yields one or two items"),
            })
            .collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip_and_errors() {
        let h = Hash::digest(b"X", b"abc");
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(Hash::from_hex(&format!("0x{}", h.to_hex())), Ok(h));
        assert_eq!(Hash::from_hex("abcd"), Err(HexError::Length { expected: 32, got: 2 }));
        assert!(matches!(Hash::from_hex("zz"), Err(HexError::Invalid(_))));
    }

    #[test]
    fn domains_separate() {
        assert_ne!(Hash::digest(domain::TX_ID, b"a"), Hash::digest(domain::BLOCK, b"a"));
    }

    #[test]
    fn merkle_root_shapes() {
        assert_eq!(merkle_root(&[]), Hash::ZERO);
        let a = Hash::digest(b"t", b"a");
        let b = Hash::digest(b"t", b"b");
        let c = Hash::digest(b"t", b"c");
        assert_eq!(merkle_root(&[a]), Hash::digest(domain::TX_LEAF, &a.0));
        assert_ne!(merkle_root(&[a, b]), merkle_root(&[b, a]));
        assert_ne!(merkle_root(&[a, b]), merkle_root(&[a, b, c]));
    }
}
