//! The crate's errors: [`GenesisError`] names one problem in a genesis (its
//! field path, what is wrong, what is expected); [`GenesisErrors`] carries all
//! of them at once; [`LoadError`] wraps reading a genesis file.

use std::fmt;
use std::path::PathBuf;

use tamga_types::{NetworkType, PartyId, PublicKey};

/// One problem in a genesis file or value. Every variant names the field by
/// its JSON path (`validators[2].power`, `parties[0].accounts[1]`), says what
/// is wrong and what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// A key, hash or salt is not hex of the right length.
    #[error("{path}: {value:?} is not {bytes} bytes of hex ({reason}); expected {} hex characters", bytes * 2)]
    InvalidHex {
        /// Field path.
        path: String,
        /// The text found.
        value: String,
        /// Bytes expected.
        bytes: usize,
        /// Parser's explanation.
        reason: String,
    },
    /// The genesis time does not parse.
    #[error("{path}: {value:?} is not a valid time ({reason}); expected RFC 3339 such as \"2026-01-01T00:00:00Z\" or \"2026-01-01T05:00:00+05:00\"")]
    InvalidTime {
        /// Field path.
        path: String,
        /// The text found.
        value: String,
        /// Parser's explanation.
        reason: String,
    },
    /// A regulator scope name is not known.
    #[error("{path}: unknown scope {got:?}; expected \"assets\" or \"mining\"")]
    UnknownScope {
        /// Field path.
        path: String,
        /// The name found.
        got: String,
    },
    /// A regulator scope is listed twice.
    #[error("{path}: scope {scope:?} is listed twice; expected each scope at most once")]
    DuplicateScope {
        /// Field path.
        path: String,
        /// The scope.
        scope: String,
    },
    /// Both or neither of `id_commitment` and `identifier` are given.
    #[error("{path}: {got}; expected exactly one of `id_commitment` and `identifier`")]
    IdentifierSource {
        /// Field path (the party).
        path: String,
        /// "both are set" or "neither is set".
        got: &'static str,
    },
    /// A dev identifier (IIN/BIN) is not a valid 12-digit number.
    #[error("{path}: {reason}; expected a 12-digit IIN/BIN with a valid check digit")]
    InvalidIdentifier {
        /// Field path.
        path: String,
        /// Why.
        reason: String,
    },
    /// An explicit party id does not match the party's position.
    #[error("{path}: party id {got} does not match its position; expected {expected} (ids are 1..=n in list order)")]
    PartyIdMismatch {
        /// Field path.
        path: String,
        /// Id by position.
        expected: u64,
        /// Id written.
        got: u64,
    },
    /// The chain id is empty.
    #[error("{path}: chain id is empty; expected 1 to {max} characters")]
    ChainIdEmpty {
        /// Field path.
        path: String,
        /// Maximum length.
        max: usize,
    },
    /// The chain id is too long.
    #[error("{path}: chain id is {len} bytes; expected at most {max}")]
    ChainIdTooLong {
        /// Field path.
        path: String,
        /// Actual length.
        len: usize,
        /// Maximum length.
        max: usize,
    },
    /// The chain id has a character outside `[A-Za-z0-9._-]`.
    #[error("{path}: chain id {value:?} contains {bad:?}; expected only ASCII letters, digits, '.', '_' and '-'")]
    ChainIdChars {
        /// Field path.
        path: String,
        /// The chain id.
        value: String,
        /// First offending character.
        bad: char,
    },
    /// The genesis time is the epoch itself (an unset value).
    #[error("{path}: genesis time is 0 (1970-01-01T00:00:00Z); expected the real launch time")]
    GenesisTimeZero {
        /// Field path.
        path: String,
    },
    /// The network type is not the one Tamga runs (SPEC §1.11).
    #[error("{path}: network type {got:?} is not supported; expected \"centrally_distributed\" (SPEC §1.11)")]
    UnsupportedNetworkType {
        /// Field path.
        path: String,
        /// Type found.
        got: NetworkType,
    },
    /// The regulation hash is all zeros (SPEC §1.11: genesis commits to the document).
    #[error(
        "{path}: regulation hash is all zeros; expected the SHA-256 of the internal regulation document (SPEC §1.11)"
    )]
    RegulationHashZero {
        /// Field path.
        path: String,
    },
    /// A parameter is out of its range.
    #[error("{path}: {value} is out of range; expected {min}..={max}")]
    ParamOutOfRange {
        /// Field path.
        path: String,
        /// Value found.
        value: u64,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// No parties at all.
    #[error("{path}: no parties; expected at least one regulator party")]
    NoParties {
        /// Field path.
        path: String,
    },
    /// No party has a regulator scope (SPEC §2: regulators are named in genesis).
    #[error("{path}: no party has regulator scopes; expected at least one regulator (SPEC §2)")]
    NoRegulator {
        /// Field path.
        path: String,
    },
    /// A party has no accounts.
    #[error("{path}: no accounts; expected 1 to {max} account keys")]
    NoAccounts {
        /// Field path.
        path: String,
        /// Maximum accounts.
        max: usize,
    },
    /// A party has more accounts than a registration may carry.
    #[error("{path}: {got} accounts; expected at most {max}")]
    TooManyAccounts {
        /// Field path.
        path: String,
        /// Count found.
        got: usize,
        /// Maximum.
        max: usize,
    },
    /// A display name on an individual (SPEC §3: legal entities only).
    #[error("{path}: display name given for an individual; expected none (legal entities only, SPEC §3)")]
    DisplayNameNotAllowed {
        /// Field path.
        path: String,
    },
    /// A display name is blank or too long.
    #[error("{path}: display name is {len} bytes{blank}; expected 1 to {max} bytes of non-blank text", blank = if *.blank { " and blank" } else { "" })]
    DisplayNameLength {
        /// Field path.
        path: String,
        /// Length in bytes.
        len: usize,
        /// True if empty or whitespace only.
        blank: bool,
        /// Maximum.
        max: usize,
    },
    /// Two parties share an identifier commitment.
    #[error("{path}: identifier commitment is already used by {first}; expected one party per person or entity")]
    DuplicateIdCommitment {
        /// Field path of the repeat.
        path: String,
        /// Field path of the first use.
        first: String,
    },
    /// A key is malformed or of small order ([`PublicKey::is_weak`]).
    #[error("{path}: key {key} is weak (small order or not a curve point); expected a full-order ed25519 key")]
    WeakKey {
        /// Field path.
        path: String,
        /// The key.
        key: PublicKey,
    },
    /// An account key appears twice (in one party or across parties).
    #[error("{path}: account key {key} is already bound at {first}; expected each key in one account only (SPEC §3)")]
    DuplicateAccountKey {
        /// Field path of the repeat.
        path: String,
        /// The key.
        key: PublicKey,
        /// Field path of the first use.
        first: String,
    },
    /// An account key is also a validator key (SPEC §1.9).
    #[error("{path}: account key {key} is the validator key {validator}; expected distinct keys (validator keys never sign transactions, SPEC §1.9)")]
    ValidatorKeyAsAccount {
        /// Field path of the account.
        path: String,
        /// The key.
        key: PublicKey,
        /// Field path of the validator.
        validator: String,
    },
    /// No validators.
    #[error("{path}: no validators; expected 1 to {max}")]
    NoValidators {
        /// Field path.
        path: String,
        /// Maximum.
        max: usize,
    },
    /// Too many validators.
    #[error("{path}: {got} validators; expected at most {max}")]
    TooManyValidators {
        /// Field path.
        path: String,
        /// Count.
        got: usize,
        /// Maximum.
        max: usize,
    },
    /// A validator key appears twice.
    #[error("{path}: validator key {key} is already listed at {first}; expected distinct validator keys")]
    DuplicateValidatorKey {
        /// Field path of the repeat.
        path: String,
        /// The key.
        key: PublicKey,
        /// Field path of the first.
        first: String,
    },
    /// Two validators record the same p2p identity key.
    #[error("{path}: p2p key {key} is already recorded at {first}; expected one p2p identity per validator")]
    DuplicateP2pKey {
        /// Field path of the repeat.
        path: String,
        /// The key.
        key: PublicKey,
        /// Field path of the first.
        first: String,
    },
    /// A validator has zero voting power.
    #[error("{path}: voting power is 0; expected at least 1")]
    ZeroPower {
        /// Field path.
        path: String,
    },
    /// The total voting power does not fit in u64.
    #[error("{path}: total voting power overflows u64; expected a sum of at most {}", u64::MAX)]
    PowerOverflow {
        /// Field path.
        path: String,
    },
    /// A validator names an operator that is not a genesis party.
    #[error("{path}: operator party {operator} does not exist; expected a party id in 1..={parties}")]
    UnknownOperator {
        /// Field path.
        path: String,
        /// The id named.
        operator: PartyId,
        /// Number of parties.
        parties: u64,
    },
    /// A p2p address is not a supported libp2p multiaddr.
    #[error("{path}: {value:?} is not a usable p2p address ({reason}); expected a multiaddr like \"/ip4/127.0.0.1/tcp/26656\"")]
    InvalidP2pAddress {
        /// Field path.
        path: String,
        /// The text found.
        value: String,
        /// Why.
        reason: String,
    },
    /// Two validators listen on the same address.
    #[error("{path}: p2p address {value:?} is already used by {first}; expected one address per validator")]
    DuplicateP2pAddress {
        /// Field path of the repeat.
        path: String,
        /// The address.
        value: String,
        /// Field path of the first use.
        first: String,
    },
    /// A genesis transaction does not decode.
    #[error(
        "{path}: not a signed transaction ({reason}); expected the hex of its borsh encoding (docs/wire-format.md)"
    )]
    InvalidTransaction {
        /// Field path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A genesis transaction fails a stateless check (chain id, signature).
    #[error("{path}: {reason}")]
    TransactionRejected {
        /// Field path.
        path: String,
        /// The check that failed, with expected and found values.
        reason: String,
    },
    /// A genesis transaction is signed by a key that no genesis party holds.
    #[error(
        "{path}: signer {signer} is not an account of any genesis party; expected a key listed in parties[*].accounts"
    )]
    UnknownSigner {
        /// Field path.
        path: String,
        /// The signer.
        signer: PublicKey,
    },
    /// Two genesis transactions are the same.
    #[error("{path}: duplicate of {first}; expected each transaction once")]
    DuplicateTransaction {
        /// Field path of the repeat.
        path: String,
        /// Field path of the first.
        first: String,
    },
    /// `require_mining_notice` is on but no genesis transaction can give a
    /// validator operator its accepted mining notification (SPEC §9.4).
    #[error(
        "{path}: require_mining_notice is on and there are no genesis transactions; expected transactions that \
         submit and accept a mining notification for each validator operator (SPEC §9.4)"
    )]
    MiningNoticesMissing {
        /// Field path (`transactions`).
        path: String,
    },
}

impl GenesisError {
    /// The JSON path of the offending field.
    pub fn path(&self) -> &str {
        use GenesisError::*;
        match self {
            InvalidHex { path, .. }
            | InvalidTime { path, .. }
            | UnknownScope { path, .. }
            | DuplicateScope { path, .. }
            | IdentifierSource { path, .. }
            | InvalidIdentifier { path, .. }
            | PartyIdMismatch { path, .. }
            | ChainIdEmpty { path, .. }
            | ChainIdTooLong { path, .. }
            | ChainIdChars { path, .. }
            | GenesisTimeZero { path }
            | UnsupportedNetworkType { path, .. }
            | RegulationHashZero { path }
            | ParamOutOfRange { path, .. }
            | NoParties { path }
            | NoRegulator { path }
            | NoAccounts { path, .. }
            | TooManyAccounts { path, .. }
            | DisplayNameNotAllowed { path }
            | DisplayNameLength { path, .. }
            | DuplicateIdCommitment { path, .. }
            | WeakKey { path, .. }
            | DuplicateAccountKey { path, .. }
            | ValidatorKeyAsAccount { path, .. }
            | NoValidators { path, .. }
            | TooManyValidators { path, .. }
            | DuplicateValidatorKey { path, .. }
            | DuplicateP2pKey { path, .. }
            | ZeroPower { path }
            | PowerOverflow { path }
            | UnknownOperator { path, .. }
            | InvalidP2pAddress { path, .. }
            | DuplicateP2pAddress { path, .. }
            | InvalidTransaction { path, .. }
            | TransactionRejected { path, .. }
            | UnknownSigner { path, .. }
            | DuplicateTransaction { path, .. }
            | MiningNoticesMissing { path } => path,
        }
    }
}

/// Every problem found in a genesis, in field order. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct GenesisErrors(pub Vec<GenesisError>);

impl fmt::Display for GenesisErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid genesis: {} problem(s)", self.0.len())?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

impl GenesisErrors {
    /// The problems.
    pub fn errors(&self) -> &[GenesisError] {
        &self.0
    }

    /// `Ok(())` if `errors` is empty, else the errors.
    pub fn check(errors: Vec<GenesisError>) -> Result<(), GenesisErrors> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(GenesisErrors(errors))
        }
    }
}

/// Why a genesis file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not JSON of the genesis file's shape (unknown field, wrong type…).
    #[error("genesis file is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// The file parsed but its content is invalid.
    #[error(transparent)]
    Invalid(#[from] GenesisErrors),
}
