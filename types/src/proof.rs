//! Transaction inclusion proofs against a block header's `tx_root` (SPEC §10).
//!
//! The tree is exactly the one [`crate::merkle_root`] builds: leaves are
//! `H(TAMGA/TXLEAF/v1, tx hash)`, inner nodes `H(TAMGA/TXNODE/v1, left ‖ right)`,
//! and on a level with an odd number of nodes the **last node is promoted
//! unchanged** to the next level (no duplication, no hashing). A proof is the
//! list of siblings from the leaf up, skipping the levels where the node was
//! promoted; which levels those are follows from `(index, leaf_count)`.
//!
//! ```text
//! node := H(TXLEAF, tx_hash); i := index; n := leaf_count
//! while n > 1:
//!     if i is odd:            node := H(TXNODE, sibling ‖ node)    (sibling on the left)
//!     else if i + 1 < n:      node := H(TXNODE, node ‖ sibling)    (sibling on the right)
//!     else:                   (promoted: no sibling consumed)
//!     i := i / 2; n := ceil(n / 2)
//! accept iff every sibling was consumed and node == tx_root
//! ```
//!
//! What a verified proof shows: the transaction hash is a leaf of the tree
//! whose root the header commits to. The header does not commit to the number
//! of transactions, so `(index, leaf_count)` is authenticated only as far as
//! it shapes the path: when promotions line up, two different pairs can give
//! the same path (e.g. `(2, 3)` and `(1, 2)`). Whoever needs the exact
//! position (say, to order a signature against a key revocation in the same
//! block) recomputes `tx_root` from the block's full transaction list.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::BoundedVec;
use crate::hash::{domain, Hash};

/// Most siblings a proof can carry: enough for 2^32 leaves.
pub const MAX_PROOF_DEPTH: usize = 32;

/// A Merkle path from one transaction hash to a block's `tx_root`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct TxInclusionProof {
    /// Position of the transaction in the block (0-based).
    pub index: u32,
    /// Number of transactions in the block.
    pub leaf_count: u32,
    /// Sibling hashes from the leaf level up (promoted levels have none).
    pub siblings: BoundedVec<Hash, MAX_PROOF_DEPTH>,
}

/// Why an inclusion proof does not prove inclusion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionError {
    /// `index` is not below `leaf_count`.
    #[error("index {index} is out of range for a block of {leaf_count} transactions")]
    IndexOutOfRange {
        /// Claimed index.
        index: u32,
        /// Claimed number of leaves.
        leaf_count: u32,
    },
    /// The path has more or fewer siblings than the tree shape needs.
    #[error("the path has {got} siblings, a tree of {leaf_count} leaves needs {expected} at index {index}")]
    PathLength {
        /// Claimed index.
        index: u32,
        /// Claimed number of leaves.
        leaf_count: u32,
        /// Siblings the shape needs.
        expected: usize,
        /// Siblings given.
        got: usize,
    },
    /// The path leads to another root.
    #[error("the path gives root {computed}, the header commits to {expected}")]
    RootMismatch {
        /// The header's `tx_root`.
        expected: Hash,
        /// The root the path computes.
        computed: Hash,
    },
}

/// Hashes one level up, promoting an odd last node: the rule of [`crate::merkle_root`].
fn next_level(level: &[Hash]) -> Vec<Hash> {
    level
        .chunks(2)
        .map(|pair| match pair {
            [a, b] => Hash::digest_parts(domain::TX_NODE, &[&a.0, &b.0]),
            [a] => *a,
            _ => unreachable!("chunks(2) yields one or two items"),
        })
        .collect()
}

impl TxInclusionProof {
    /// Builds the proof for `leaves[index]`; `None` if `index` is out of range
    /// (or the block is larger than the format allows).
    pub fn build(leaves: &[Hash], index: usize) -> Option<TxInclusionProof> {
        if index >= leaves.len() {
            return None;
        }
        let leaf_count = u32::try_from(leaves.len()).ok()?;
        let mut level: Vec<Hash> = leaves.iter().map(|l| Hash::digest(domain::TX_LEAF, &l.0)).collect();
        let mut i = index;
        let mut siblings = Vec::new();
        while level.len() > 1 {
            let sibling = if i % 2 == 1 { Some(i - 1) } else { Some(i + 1).filter(|s| *s < level.len()) };
            if let Some(s) = sibling {
                siblings.push(level[s]);
            }
            level = next_level(&level);
            i /= 2;
        }
        Some(TxInclusionProof {
            index: u32::try_from(index).ok()?,
            leaf_count,
            siblings: BoundedVec::new(siblings).ok()?,
        })
    }

    /// Number of siblings a tree of `leaf_count` leaves needs at `index`.
    fn expected_len(index: u32, leaf_count: u32) -> usize {
        let (mut i, mut n, mut len) = (u64::from(index), u64::from(leaf_count), 0);
        while n > 1 {
            if i % 2 == 1 || i + 1 < n {
                len += 1;
            }
            i /= 2;
            n = n.div_ceil(2);
        }
        len
    }

    /// The root this path gives for the transaction hash `tx_hash`.
    pub fn compute_root(&self, tx_hash: &Hash) -> Result<Hash, InclusionError> {
        let (index, leaf_count) = (self.index, self.leaf_count);
        if index >= leaf_count {
            return Err(InclusionError::IndexOutOfRange { index, leaf_count });
        }
        let expected = Self::expected_len(index, leaf_count);
        if expected != self.siblings.len() {
            return Err(InclusionError::PathLength { index, leaf_count, expected, got: self.siblings.len() });
        }
        let mut node = Hash::digest(domain::TX_LEAF, &tx_hash.0);
        let (mut i, mut n) = (u64::from(index), u64::from(leaf_count));
        let mut siblings = self.siblings.iter();
        while n > 1 {
            if i % 2 == 1 {
                let s = siblings.next().ok_or(InclusionError::PathLength {
                    index,
                    leaf_count,
                    expected,
                    got: self.siblings.len(),
                })?;
                node = Hash::digest_parts(domain::TX_NODE, &[&s.0, &node.0]);
            } else if i + 1 < n {
                let s = siblings.next().ok_or(InclusionError::PathLength {
                    index,
                    leaf_count,
                    expected,
                    got: self.siblings.len(),
                })?;
                node = Hash::digest_parts(domain::TX_NODE, &[&node.0, &s.0]);
            }
            i /= 2;
            n = n.div_ceil(2);
        }
        Ok(node)
    }

    /// Checks that `tx_hash` is a leaf of the tree whose root is `tx_root`.
    pub fn verify(&self, tx_hash: &Hash, tx_root: &Hash) -> Result<(), InclusionError> {
        let computed = self.compute_root(tx_hash)?;
        if computed != *tx_root {
            return Err(InclusionError::RootMismatch { expected: *tx_root, computed });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::merkle_root;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| Hash::digest(b"test-leaf", &(i as u64).to_le_bytes())).collect()
    }

    #[test]
    fn every_leaf_of_every_shape_verifies_against_merkle_root() {
        for n in 1..=33 {
            let ls = leaves(n);
            let root = merkle_root(&ls);
            for (i, leaf) in ls.iter().enumerate() {
                let p = TxInclusionProof::build(&ls, i).unwrap();
                assert_eq!(p.siblings.len(), TxInclusionProof::expected_len(i as u32, n as u32));
                assert_eq!(p.verify(leaf, &root), Ok(()), "n={n} i={i}");
            }
            assert!(TxInclusionProof::build(&ls, n).is_none());
        }
    }

    #[test]
    fn wrong_leaf_root_sibling_or_shape_fails() {
        let ls = leaves(7);
        let root = merkle_root(&ls);
        let p = TxInclusionProof::build(&ls, 3).unwrap();
        // A transaction that is not in the block.
        let other = Hash::digest(b"test-leaf", b"not in the block");
        assert!(matches!(p.verify(&other, &root), Err(InclusionError::RootMismatch { .. })));
        // Another leaf of the same block at this position.
        assert!(matches!(p.verify(&ls[2], &root), Err(InclusionError::RootMismatch { .. })));
        // Another root.
        assert!(matches!(p.verify(&ls[3], &merkle_root(&ls[..6])), Err(InclusionError::RootMismatch { .. })));
        // A tampered sibling.
        let mut bad = p.clone();
        let mut s = bad.siblings.to_vec();
        s[0].0[0] ^= 1;
        bad.siblings = BoundedVec::new(s).unwrap();
        assert!(matches!(bad.verify(&ls[3], &root), Err(InclusionError::RootMismatch { .. })));
        // Another index or size.
        let bad = TxInclusionProof { index: 9, ..p.clone() };
        assert_eq!(bad.verify(&ls[3], &root), Err(InclusionError::IndexOutOfRange { index: 9, leaf_count: 7 }));
        let bad = TxInclusionProof { leaf_count: 300, ..p.clone() };
        assert!(matches!(bad.verify(&ls[3], &root), Err(InclusionError::PathLength { .. })));
        let bad = TxInclusionProof { index: 2, ..p };
        assert!(bad.verify(&ls[3], &root).is_err());
    }

    #[test]
    fn a_leaf_is_never_an_inner_node() {
        // An inner node presented as a leaf of a smaller tree must not verify:
        // leaves and inner nodes are hashed under different domains.
        let ls = leaves(4);
        let root = merkle_root(&ls);
        let left = Hash::digest_parts(
            domain::TX_NODE,
            &[&Hash::digest(domain::TX_LEAF, &ls[0].0).0, &Hash::digest(domain::TX_LEAF, &ls[1].0).0],
        );
        let right = Hash::digest_parts(
            domain::TX_NODE,
            &[&Hash::digest(domain::TX_LEAF, &ls[2].0).0, &Hash::digest(domain::TX_LEAF, &ls[3].0).0],
        );
        let forged = TxInclusionProof { index: 0, leaf_count: 2, siblings: BoundedVec::new(vec![right]).unwrap() };
        assert!(forged.verify(&left, &root).is_err());
    }

    #[test]
    fn single_leaf_has_an_empty_path() {
        let ls = leaves(1);
        let p = TxInclusionProof::build(&ls, 0).unwrap();
        assert!(p.siblings.is_empty());
        assert_eq!(p.verify(&ls[0], &merkle_root(&ls)), Ok(()));
    }
}
