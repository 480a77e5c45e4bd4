//! The signer's own double-sign guard: the last signed (height, round,
//! step, value) on disk, written with fsync before a signature leaves.
//!
//! The rules are tmkms's (`src/chain/state.rs` there): with the last signed
//! `(h, r, s)` and a request for `(h', r', s')`,
//!
//! * `(h', r', s') < (h, r, s)` lexicographically: refused (a regression:
//!   a rolled-back validator asking for an older step);
//! * `(h', r', s') = (h, r, s)` and the same signed message: signed again
//!   (ed25519 is deterministic, so this is the same signature; a validator
//!   that lost the answer can ask again);
//! * `(h', r', s') = (h, r, s)` and another message: refused (a double
//!   sign). Stricter than tmkms, which lets a nil vote be followed by a
//!   block vote: SPEC §9 counts a nil vote and a block vote of one round as
//!   equivocation, and two proposals of one round that differ only in
//!   `pol_round` as conflicting proposals, so any difference is refused;
//! * the same `(h, r)`, a later step, and two different non-nil values
//!   (proposed or prevoted A, then a vote for B): refused as a double sign,
//!   as in tmkms; nil before or after a value is allowed;
//! * otherwise: the new state is persisted (temporary file, fsync, rename,
//!   fsync of the directory) and only then is the signature made.
//!
//! Steps are ordered `propose < prevote < precommit` within a round.
//!
//! The file is JSON (an operator can read it, as tmkms's
//! `priv_validator_state.json`); a file that cannot be read or parsed, or
//! that names another chain, stops the signer (fail closed: no signature is
//! ever made without the guard). A missing file is an error too: it is
//! created once by `tamga-signer init`, so that a deleted state file is not
//! silently replaced by an empty one.

use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};
use tamga_types::hash::Hash;

/// A step of a round, in the order a validator signs them.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, BorshSerialize, BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A proposal.
    Propose,
    /// A prevote.
    Prevote,
    /// A precommit.
    Precommit,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::Propose => "propose",
            Step::Prevote => "prevote",
            Step::Precommit => "precommit",
        })
    }
}

/// Height, round and step: the position a signature is made at.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, BorshSerialize, BorshDeserialize,
)]
pub struct Hrs {
    /// Height.
    pub height: u64,
    /// Round.
    pub round: u32,
    /// Step.
    pub step: Step,
}

impl std::fmt::Display for Hrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "height {} round {} {}", self.height, self.round, self.step)
    }
}

/// What was signed last: the position, the value id and the digest of the
/// whole signed message (which tells a repeat from a conflict).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSigned {
    /// Where.
    #[serde(flatten)]
    pub hrs: Hrs,
    /// The block hash voted for or proposed ([`Hash::ZERO`]: nil).
    pub value_id: Hash,
    /// SHA-256 of the signed message (domain tag, chain id and data).
    pub message_digest: Hash,
}

/// The state file's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// The chain the signer signs for.
    pub chain_id: String,
    /// The last signature made; `None` before the first.
    pub last: Option<LastSigned>,
}

/// Why a request was refused by the guard: both kinds are security events.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, BorshSerialize, BorshDeserialize)]
pub enum GuardRefusal {
    /// Lower than the last signed position.
    #[error("regression: requested {requested}, but {last} was already signed")]
    Regression {
        /// The last signed position.
        last: Hrs,
        /// The requested one.
        requested: Hrs,
    },
    /// The same position with another message, or another value later in
    /// the same round.
    #[error("double sign: {last} was signed for value {signed}; {requested_at} requested for value {requested}")]
    DoubleSign {
        /// The last signed position.
        last: Hrs,
        /// The value signed there.
        signed: Hash,
        /// The requested position.
        requested_at: Hrs,
        /// The value requested.
        requested: Hash,
    },
}

/// What the guard allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// A new position: persist it, then sign.
    Advance,
    /// Exactly what was signed last: sign again, nothing to persist.
    Repeat,
}

/// The pure rule: may `next` be signed after `last`?
pub fn check(last: Option<&LastSigned>, next: &LastSigned) -> Result<Allowed, GuardRefusal> {
    let Some(last) = last else { return Ok(Allowed::Advance) };
    match next.hrs.cmp(&last.hrs) {
        std::cmp::Ordering::Less => Err(GuardRefusal::Regression { last: last.hrs, requested: next.hrs }),
        std::cmp::Ordering::Equal if next.message_digest == last.message_digest => Ok(Allowed::Repeat),
        std::cmp::Ordering::Equal => Err(double_sign(last, next)),
        std::cmp::Ordering::Greater
            if (next.hrs.height, next.hrs.round) == (last.hrs.height, last.hrs.round)
                && last.value_id != Hash::ZERO
                && next.value_id != Hash::ZERO
                && next.value_id != last.value_id =>
        {
            Err(double_sign(last, next))
        }
        std::cmp::Ordering::Greater => Ok(Allowed::Advance),
    }
}

fn double_sign(last: &LastSigned, next: &LastSigned) -> GuardRefusal {
    GuardRefusal::DoubleSign { last: last.hrs, signed: last.value_id, requested_at: next.hrs, requested: next.value_id }
}

/// Why the state file cannot be used (the signer does not start).
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    /// There is no state file.
    #[error("signer state file {path} does not exist: create it once with `tamga-signer init --config FILE` (a lost state file must not be replaced silently)")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// It cannot be read.
    #[error("cannot read signer state file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// It is not a valid state file.
    #[error("signer state file {path} is corrupt: {reason}; the signer refuses to sign without its guard (restore the file from the signer host, never from a validator)")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// It belongs to another chain.
    #[error("signer state file {path} is for chain {got:?}, the configured chain_id is {expected:?}")]
    WrongChain {
        /// The file.
        path: PathBuf,
        /// `chain_id` in the config.
        expected: String,
        /// `chain_id` in the file.
        got: String,
    },
    /// It exists already (at `init`).
    #[error("signer state file {path} exists already: `init` never overwrites a guard state")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// It cannot be written.
    #[error("cannot write signer state file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// The largest state file read (a few hundred bytes in practice).
const MAX_STATE_FILE_BYTES: u64 = 64 * 1024;

/// The guard: the state file and its content in memory.
#[derive(Debug)]
pub struct Guard {
    path: PathBuf,
    state: StateFile,
}

impl Guard {
    /// Creates a fresh state file (nothing signed yet); refuses to
    /// overwrite one.
    pub fn init(path: &Path, chain_id: &str) -> Result<(), StateFileError> {
        if path.exists() {
            return Err(StateFileError::Exists { path: path.to_owned() });
        }
        let g = Guard { path: path.to_owned(), state: StateFile { chain_id: chain_id.to_owned(), last: None } };
        g.persist(&g.state)
    }

    /// Opens the state file of `chain_id`, failing closed on anything amiss.
    pub fn open(path: &Path, chain_id: &str) -> Result<Guard, StateFileError> {
        let p = path.to_owned();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StateFileError::Missing { path: p }),
            Err(source) => return Err(StateFileError::Read { path: p, source }),
        };
        if meta.len() > MAX_STATE_FILE_BYTES {
            return Err(StateFileError::Corrupt {
                path: p,
                reason: format!("{} bytes, at most {MAX_STATE_FILE_BYTES} expected", meta.len()),
            });
        }
        let bytes = std::fs::read(path).map_err(|source| StateFileError::Read { path: p.clone(), source })?;
        let state: StateFile = serde_json::from_slice(&bytes)
            .map_err(|e| StateFileError::Corrupt { path: p.clone(), reason: e.to_string() })?;
        if state.chain_id != chain_id {
            return Err(StateFileError::WrongChain { path: p, expected: chain_id.to_owned(), got: state.chain_id });
        }
        Ok(Guard { path: p, state })
    }

    /// The last signed record.
    pub fn last(&self) -> Option<&LastSigned> {
        self.state.last.as_ref()
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies the rule to `next` and, for a new position, persists it
    /// (fsynced) before returning: the caller signs only on `Ok`.
    pub fn authorize(&mut self, next: LastSigned) -> Result<Result<Allowed, GuardRefusal>, StateFileError> {
        let allowed = match check(self.state.last.as_ref(), &next) {
            Ok(a) => a,
            Err(r) => return Ok(Err(r)),
        };
        if allowed == Allowed::Advance {
            let new = StateFile { chain_id: self.state.chain_id.clone(), last: Some(next) };
            // Memory follows the disk: if the write fails, the old state
            // stays in force and nothing is signed.
            self.persist(&new)?;
            self.state = new;
        }
        Ok(Ok(allowed))
    }

    fn persist(&self, state: &StateFile) -> Result<(), StateFileError> {
        let mut bytes = serde_json::to_vec_pretty(state)
            .map_err(|e| StateFileError::Write { path: self.path.clone(), source: std::io::Error::other(e) })?;
        bytes.push(b'\n');
        // Temporary file, fsync, rename, fsync of the directory.
        crate::home::write_atomic(&self.path, &bytes, 0o600)
            .map_err(|source| StateFileError::Write { path: self.path.clone(), source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(height: u64, round: u32, step: Step, v: u8, m: u8) -> LastSigned {
        LastSigned { hrs: Hrs { height, round, step }, value_id: Hash([v; 32]), message_digest: Hash([m; 32]) }
    }

    #[test]
    fn rules_follow_tmkms_and_refuse_any_conflict_at_one_position() {
        let last = rec(5, 1, Step::Prevote, 1, 1);
        assert_eq!(check(None, &last), Ok(Allowed::Advance));
        assert_eq!(check(Some(&last), &rec(5, 1, Step::Prevote, 1, 1)), Ok(Allowed::Repeat));
        assert_eq!(check(Some(&last), &rec(5, 1, Step::Precommit, 1, 2)), Ok(Allowed::Advance));
        // nil later in the round, and a value after nil, are allowed (tmkms).
        assert_eq!(check(Some(&last), &rec(5, 1, Step::Precommit, 0, 2)), Ok(Allowed::Advance));
        assert_eq!(
            check(Some(&rec(5, 1, Step::Prevote, 0, 1)), &rec(5, 1, Step::Precommit, 2, 2)),
            Ok(Allowed::Advance)
        );
        // Another value later in the same round is a double sign (tmkms).
        assert!(matches!(check(Some(&last), &rec(5, 1, Step::Precommit, 2, 2)), Err(GuardRefusal::DoubleSign { .. })));
        assert!(matches!(
            check(Some(&rec(5, 1, Step::Propose, 1, 1)), &rec(5, 1, Step::Prevote, 2, 2)),
            Err(GuardRefusal::DoubleSign { .. })
        ));
        assert_eq!(check(Some(&last), &rec(5, 2, Step::Propose, 3, 3)), Ok(Allowed::Advance));
        assert_eq!(check(Some(&last), &rec(6, 0, Step::Propose, 3, 3)), Ok(Allowed::Advance));
        assert!(matches!(check(Some(&last), &rec(5, 1, Step::Prevote, 2, 2)), Err(GuardRefusal::DoubleSign { .. })));
        // nil after a block vote at the same position is a conflict too (SPEC §9).
        assert!(matches!(check(Some(&last), &rec(5, 1, Step::Prevote, 0, 9)), Err(GuardRefusal::DoubleSign { .. })));
        for lower in
            [rec(5, 1, Step::Propose, 1, 4), rec(5, 0, Step::Precommit, 1, 4), rec(4, 9, Step::Precommit, 1, 4)]
        {
            assert!(matches!(check(Some(&last), &lower), Err(GuardRefusal::Regression { .. })), "{lower:?}");
        }
    }

    #[test]
    fn state_persists_and_fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        assert!(matches!(Guard::open(&p, "c"), Err(StateFileError::Missing { .. })));
        Guard::init(&p, "c").unwrap();
        assert!(matches!(Guard::init(&p, "c"), Err(StateFileError::Exists { .. })));
        let mut g = Guard::open(&p, "c").unwrap();
        assert_eq!(g.authorize(rec(3, 0, Step::Prevote, 1, 1)).unwrap(), Ok(Allowed::Advance));
        let g2 = Guard::open(&p, "c").unwrap();
        assert_eq!(g2.last(), Some(&rec(3, 0, Step::Prevote, 1, 1)));
        assert!(matches!(Guard::open(&p, "other"), Err(StateFileError::WrongChain { .. })));
        std::fs::write(&p, b"{\"chain_id\": \"c\", \"last\": {\"height\": 3").unwrap();
        let e = Guard::open(&p, "c").unwrap_err();
        assert!(matches!(e, StateFileError::Corrupt { .. }));
        assert!(e.to_string().contains(&p.display().to_string()), "{e}");
    }
}
