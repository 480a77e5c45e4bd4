//! Errors of the state crate: [`ExecError`] (a transaction is rejected by an
//! execution rule and gets a failed receipt, SPEC §8), [`BlockInvalid`] (the
//! whole block is refused, no receipt) and [`StateError`] (storage, genesis and
//! commit failures).

use std::sync::Arc;

use tamga_types::model::EscrowStatus;
use tamga_types::{
    ActivityNotificationId, CertificateError, ClassId, ClassStatus, EncumbranceId, EscrowId, Hash, Height,
    MiningNotificationId, PartyId, PartyStatus, PublicKey, RecordId, RestrictionId, RightKind, Scope,
};

/// Why a transaction failed at execution (SPEC §8: still committed with a
/// failed receipt carrying [`ExecError::code`] and [`ExecError::args`]).
///
/// The `Display` text is English for logs only; it never enters a receipt.
/// Fields that reach a receipt are values or stable snake_case names, never
/// sentences, so that `receipts_root` does not depend on wording; people read
/// a message rendered from the code and arguments in kk/ru/en
/// (`tamga_contract::messages`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)] // variant fields are self-describing; each variant is documented.
pub enum ExecError {
    /// SPEC §1.3: the signer is not a registered account.
    #[error("signer {key} is not a registered account")]
    UnknownSigner { key: PublicKey },
    /// SPEC §8: nonce must be the account's next nonce.
    #[error("nonce mismatch for {key}: expected {expected}, got {got}")]
    NonceMismatch { key: PublicKey, expected: u64, got: u64 },
    /// SPEC §3: the account key is revoked.
    #[error("account {key} was revoked at height {height}")]
    AccountRevoked { key: PublicKey, height: Height },
    /// SPEC §3/§4: the party is not active.
    #[error("party {party} is not active (status {})", .status.as_str())]
    PartyInactive { party: PartyId, status: PartyStatus },
    /// SPEC §1.9: validator keys sign blocks and votes only.
    #[error("key {key} is a validator key and cannot sign transactions or hold an account (SPEC §1.9)")]
    ValidatorKeyCannotSign { key: PublicKey },
    /// SPEC §2: a regulator operation by a non-regulator.
    #[error("operation {op} requires a regulator; party {party} is not one")]
    NotRegulator { op: &'static str, party: PartyId },
    /// SPEC §2: a regulator acted outside its scopes.
    #[error("regulator party {party} lacks the {} scope (has {})", .required.as_str(), scope_list(.has))]
    ScopeMissing { party: PartyId, required: Scope, has: Vec<Scope> },
    /// SPEC §2: issuer-only operation.
    #[error("operation {op} requires the Issuer role; party {party} has none")]
    NotIssuer { op: &'static str, party: PartyId },
    /// The signer is not the party allowed to do this: `expected` names the
    /// role that may (`payer`, `arbiter`, `class_issuer_or_regulator`, ...),
    /// `owner` the party that holds it where there is one.
    #[error("party {party} is not authorised to {op}: expected the {expected}{}", owner_suffix(.owner))]
    Unauthorized { op: &'static str, party: PartyId, expected: &'static str, owner: Option<PartyId> },
    /// A required text field is empty.
    #[error("field {field} must not be empty")]
    EmptyField { field: &'static str },
    /// A field has an invalid value: `expected` is the rule in a
    /// language-neutral notation (`1..=10000`, `>=1`, `not_revoked`), `got`
    /// the value given.
    #[error("field {field}: expected {expected}, got {got}")]
    InvalidField { field: &'static str, expected: String, got: String },
    /// SPEC §3: weak or malformed key.
    #[error("key {key} is weak or malformed and cannot be registered")]
    WeakKey { key: PublicKey },
    /// SPEC §3: a key is bound to one party only.
    #[error("key {key} is already registered")]
    KeyAlreadyRegistered { key: PublicKey },
    /// SPEC §3: identifier commitment must be unique among parties.
    #[error("identifier commitment {commitment} already belongs to party {party}")]
    DuplicateIdentifier { commitment: Hash, party: PartyId },
    /// SPEC §3: display names are for legal entities only.
    #[error("display_name is allowed for legal entities only")]
    DisplayNameNotAllowed,
    /// Unknown party.
    #[error("party {party} does not exist")]
    UnknownParty { party: PartyId },
    /// Unknown account key.
    #[error("account {key} does not exist")]
    UnknownAccount { key: PublicKey },
    /// Account exists but is not active.
    #[error("account {key} is not active")]
    AccountInactive { key: PublicKey },
    /// SPEC §4: the two accounts must belong to the same party.
    #[error("accounts must belong to the same party: {from_party} vs {to_party}")]
    DifferentParty { from_party: PartyId, to_party: PartyId },
    /// Unknown class.
    #[error("token class {class} does not exist")]
    UnknownClass { class: ClassId },
    /// SPEC §4: class not active.
    #[error("token class {class} is {}, not active", .status.as_str())]
    ClassNotActive { class: ClassId, status: ClassStatus },
    /// SPEC §4: symbol format.
    #[error("symbol {symbol:?} must be 1-12 upper-case ASCII letters or digits")]
    InvalidSymbol { symbol: String },
    /// SPEC §4: symbol unique.
    #[error("symbol {symbol} is already used by class {class}")]
    DuplicateSymbol { symbol: String, class: ClassId },
    /// SPEC §4: decimals 0–18.
    #[error("decimals must be at most 18, got {got}")]
    InvalidDecimals { got: u8 },
    /// SPEC §4: rights non-empty.
    #[error("rights must not be empty (art. 33-1 p.2)")]
    NoRights,
    /// SPEC §4 / art. 33-1 p.4: inadmissible right.
    #[error("right #{index} of kind {} is inadmissible: only goods or services of the issuer (art. 33-1 p.4)", .kind.as_str())]
    InadmissibleRight { index: usize, kind: RightKind },
    /// SPEC §4: amount zero.
    #[error("amount must be positive")]
    ZeroAmount,
    /// SPEC §4: cap.
    #[error("supply cap exceeded: cap {cap}, supply {supply}, amount {amount}")]
    SupplyCapExceeded { cap: u128, supply: u128, amount: u128 },
    /// SPEC §4: checked arithmetic.
    #[error("arithmetic overflow in {what}")]
    Overflow { what: &'static str },
    /// SPEC §4: free balance insufficient.
    #[error("insufficient free balance of class {class}: needed {needed}, available {available}")]
    InsufficientBalance { class: ClassId, needed: u128, available: u128 },
    /// SPEC §4: unfreeze more than frozen.
    #[error("cannot unfreeze {amount} of class {class}: only {frozen} frozen")]
    InsufficientFrozen { class: ClassId, amount: u128, frozen: u128 },
    /// SPEC §4: redemption right index.
    #[error("right index {index} out of range: class {class} has {count} rights")]
    UnknownRight { class: ClassId, index: u32, count: usize },
    /// SPEC §4: a sender cannot transfer to itself.
    #[error("sender and receiver are the same account")]
    SelfTransfer,
    /// Unknown record.
    #[error("record {record} does not exist")]
    UnknownRecord { record: RecordId },
    /// SPEC §5: record terminated.
    #[error("record {record} is terminated")]
    RecordTerminated { record: RecordId },
    /// SPEC §5: an encumbered record cannot be transferred or terminated.
    #[error(
        "record {record} is encumbered (encumbrance {}); expected no active encumbrance: release it first (SPEC §5)",
        .encumbrances.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ")
    )]
    RecordEncumbered { record: RecordId, encumbrances: Vec<EncumbranceId> },
    /// SPEC §5/§7: record locked in an escrow.
    #[error("record {record} is locked in escrow {escrow}")]
    RecordInEscrow { record: RecordId, escrow: EscrowId },
    /// SPEC §5: not the holder.
    #[error("signer's account {signer} is not the holder {holder} of record {record}")]
    NotHolder { record: RecordId, holder: PublicKey, signer: PublicKey },
    /// SPEC §5: unknown encumbrance.
    #[error("encumbrance {encumbrance} not found on record {record}")]
    UnknownEncumbrance { record: RecordId, encumbrance: EncumbranceId },
    /// Unknown escrow.
    #[error("escrow {escrow} does not exist")]
    UnknownEscrow { escrow: EscrowId },
    /// SPEC §7: escrow state.
    #[error("escrow {escrow} is {}, expected {expected}", .status.as_str())]
    EscrowState { escrow: EscrowId, status: EscrowStatus, expected: &'static str },
    /// SPEC §7: refund only after the deadline.
    #[error("escrow {escrow} can be refunded only after height {deadline}, now {height}")]
    DeadlineNotReached { escrow: EscrowId, deadline: Height, height: Height },
    /// SPEC §7: deadline must be in the future.
    #[error("deadline height {deadline} must be after the current height {height}")]
    DeadlineInPast { deadline: Height, height: Height },
    /// Unknown mining notification.
    #[error("mining notification {id} does not exist")]
    UnknownMiningNotification { id: MiningNotificationId },
    /// Unknown activity notification.
    #[error("activity notification {id} does not exist")]
    UnknownActivityNotification { id: ActivityNotificationId },
    /// SPEC §6: notification not in the expected status.
    #[error("notification {id} is {status}, expected {expected}")]
    NotificationState { id: u64, status: &'static str, expected: &'static str },
    /// SPEC §6: lifecycle of mining notifications. `reason` is one of
    /// `start_has_previous`, `previous_missing`, `previous_of_other_miner`
    /// (`miner` holds it), `previous_already_followed` (by `next`),
    /// `activity_terminated`, `termination_pending`.
    #[error("invalid mining notification chain: {reason}{}{}{}",
        .previous.map(|p| format!(", previous notification {p}")).unwrap_or_default(),
        .miner.map(|m| format!(" of party {m}")).unwrap_or_default(),
        .next.map(|n| format!(", followed by {n}")).unwrap_or_default())]
    InvalidNotificationChain {
        reason: &'static str,
        previous: Option<MiningNotificationId>,
        miner: Option<PartyId>,
        next: Option<MiningNotificationId>,
    },
    /// SPEC §6: dates must exist.
    #[error("date {date} is not a valid calendar date")]
    InvalidDate { date: String },
    /// SPEC §9: validator set must remain non-empty and well formed.
    /// `reason` is one of `not_a_validator`, `account_key`, `empty`,
    /// `duplicate_validator`, `duplicate_p2p_key`, `weak_p2p_key`,
    /// `zero_power`, `power_overflow`, `too_many_validators`; `key` names the
    /// validator (or, for the p2p reasons, the p2p key) at fault.
    #[error("invalid validator set: {reason}{}", .key.map(|k| format!(" ({k})")).unwrap_or_default())]
    InvalidValidatorSet { reason: &'static str, key: Option<PublicKey> },
    /// SPEC §9: validator operator needs an accepted mining notification.
    #[error("operator party {party} has no accepted mining notification (require_mining_notice)")]
    MiningNoticeRequired { party: PartyId },
    /// SPEC §9.4: a chain parameter outside the range a network can run with.
    #[error("field {param}: expected {min}..={max}, got {got}")]
    ParamOutOfRange { param: &'static str, min: u64, max: u64, got: u64 },
    /// SPEC §7 (DC art. 67 p.3): the arbiter decides between payer and payee,
    /// so it is neither.
    #[error(
        "field arbiter: expected an account of a party other than the payer's ({payer_party}) and the payee's \
         ({payee_party}), got an account of party {arbiter_party}"
    )]
    ArbiterNotIndependent { arbiter_party: PartyId, payer_party: PartyId, payee_party: PartyId },
    /// SPEC §7: the terms hash names the terms; zero names none.
    #[error("field terms_hash: expected the SHA-256 of the escrow's published terms, got the all-zero hash")]
    TermsHashZero,
    /// SPEC §7: the terms must be on the chain before an escrow names them.
    #[error("field terms_hash: expected the SHA-256 of terms published with publish_terms, got {hash}, which no published terms have")]
    TermsNotPublished { hash: Hash },
    /// SPEC §7: terms are published once; their hash is their name.
    #[error("field text: expected terms not yet published, got terms {hash} already published by party {by} at height {height}")]
    TermsAlreadyPublished { hash: Hash, by: PartyId, height: Height },
    /// SPEC §4 (DC art. 20 p.4): a freeze or pause is lifted by naming its record.
    #[error("field restriction: expected the id of the freeze or pause to lift (lift_restriction), got {op} of class {class} naming none")]
    RestrictionNotNamed { op: &'static str, class: ClassId },
    /// SPEC §4: no such freeze or pause.
    #[error("field restriction: expected the id of a freeze or pause, got {restriction}, which does not exist")]
    UnknownRestriction { restriction: RestrictionId },
    /// SPEC §4: a restriction is lifted once.
    #[error("field restriction: expected a standing freeze or pause, got {restriction}, lifted at height {height}")]
    RestrictionLifted { restriction: RestrictionId, height: Height },
    /// SPEC §4: an issuer cannot lift what a regulator imposed.
    #[error(
        "field restriction: {restriction} was imposed by regulator party {imposed_by}; expected a regulator to lift it, \
         got party {party}"
    )]
    RegulatorRestriction { restriction: RestrictionId, imposed_by: PartyId, party: PartyId },
    /// SPEC §4: a class closes only when nothing of it is outstanding.
    #[error("field class: expected class {class} with supply 0 to close, got supply {supply}")]
    ClassSupplyOutstanding { class: ClassId, supply: u128 },
    /// A storage failure while executing: a fault of this node, never a
    /// receipt; block execution stops with it (see [`StateError::is_fault`]).
    #[error("internal error: {0}")]
    Internal(Box<StateError>),
}

impl ExecError {
    /// Stable machine-readable code (SPEC §1.11, art. 43).
    pub fn code(&self) -> &'static str {
        use ExecError::*;
        match self {
            UnknownSigner { .. } => "UNKNOWN_SIGNER",
            NonceMismatch { .. } => "NONCE_MISMATCH",
            AccountRevoked { .. } => "ACCOUNT_REVOKED",
            PartyInactive { .. } => "PARTY_INACTIVE",
            ValidatorKeyCannotSign { .. } => "VALIDATOR_KEY_CANNOT_SIGN",
            NotRegulator { .. } => "NOT_REGULATOR",
            ScopeMissing { .. } => "SCOPE_MISSING",
            NotIssuer { .. } => "NOT_ISSUER",
            Unauthorized { .. } => "UNAUTHORIZED",
            EmptyField { .. } => "EMPTY_FIELD",
            InvalidField { .. } => "INVALID_FIELD",
            WeakKey { .. } => "WEAK_KEY",
            KeyAlreadyRegistered { .. } => "KEY_ALREADY_REGISTERED",
            DuplicateIdentifier { .. } => "DUPLICATE_IDENTIFIER",
            DisplayNameNotAllowed => "DISPLAY_NAME_NOT_ALLOWED",
            UnknownParty { .. } => "UNKNOWN_PARTY",
            UnknownAccount { .. } => "UNKNOWN_ACCOUNT",
            AccountInactive { .. } => "ACCOUNT_INACTIVE",
            DifferentParty { .. } => "DIFFERENT_PARTY",
            UnknownClass { .. } => "UNKNOWN_CLASS",
            ClassNotActive { .. } => "CLASS_NOT_ACTIVE",
            InvalidSymbol { .. } => "INVALID_SYMBOL",
            DuplicateSymbol { .. } => "DUPLICATE_SYMBOL",
            InvalidDecimals { .. } => "INVALID_DECIMALS",
            NoRights => "NO_RIGHTS",
            InadmissibleRight { .. } => "INADMISSIBLE_RIGHT",
            ZeroAmount => "ZERO_AMOUNT",
            SupplyCapExceeded { .. } => "SUPPLY_CAP_EXCEEDED",
            Overflow { .. } => "OVERFLOW",
            InsufficientBalance { .. } => "INSUFFICIENT_BALANCE",
            InsufficientFrozen { .. } => "INSUFFICIENT_FROZEN",
            UnknownRight { .. } => "UNKNOWN_RIGHT",
            SelfTransfer => "SELF_TRANSFER",
            UnknownRecord { .. } => "UNKNOWN_RECORD",
            RecordTerminated { .. } => "RECORD_TERMINATED",
            RecordEncumbered { .. } => "RECORD_ENCUMBERED",
            RecordInEscrow { .. } => "RECORD_IN_ESCROW",
            NotHolder { .. } => "NOT_HOLDER",
            UnknownEncumbrance { .. } => "UNKNOWN_ENCUMBRANCE",
            UnknownEscrow { .. } => "UNKNOWN_ESCROW",
            EscrowState { .. } => "ESCROW_STATE",
            DeadlineNotReached { .. } => "DEADLINE_NOT_REACHED",
            DeadlineInPast { .. } => "DEADLINE_IN_PAST",
            UnknownMiningNotification { .. } => "UNKNOWN_MINING_NOTIFICATION",
            UnknownActivityNotification { .. } => "UNKNOWN_ACTIVITY_NOTIFICATION",
            NotificationState { .. } => "NOTIFICATION_STATE",
            InvalidNotificationChain { .. } => "INVALID_NOTIFICATION_CHAIN",
            InvalidDate { .. } => "INVALID_DATE",
            InvalidValidatorSet { .. } => "INVALID_VALIDATOR_SET",
            MiningNoticeRequired { .. } => "MINING_NOTICE_REQUIRED",
            ParamOutOfRange { .. } => "PARAM_OUT_OF_RANGE",
            ArbiterNotIndependent { .. } => "ARBITER_NOT_INDEPENDENT",
            TermsHashZero => "TERMS_HASH_ZERO",
            TermsNotPublished { .. } => "TERMS_NOT_PUBLISHED",
            TermsAlreadyPublished { .. } => "TERMS_ALREADY_PUBLISHED",
            RestrictionNotNamed { .. } => "RESTRICTION_NOT_NAMED",
            UnknownRestriction { .. } => "UNKNOWN_RESTRICTION",
            RestrictionLifted { .. } => "RESTRICTION_LIFTED",
            RegulatorRestriction { .. } => "REGULATOR_RESTRICTION",
            ClassSupplyOutstanding { .. } => "CLASS_SUPPLY_OUTSTANDING",
            Internal(_) => "INTERNAL",
        }
    }
}

fn scope_list(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

fn owner_suffix(owner: &Option<PartyId>) -> String {
    owner.map(|p| format!(" (party {p})")).unwrap_or_default()
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

impl ExecError {
    /// The code's arguments as they go into a failed receipt: `(name,
    /// value)` in a fixed order, names the variant's field names, values in
    /// canonical forms (ids and amounts decimal, keys and hashes hex, enum
    /// values their snake_case names, lists comma-separated). An absent
    /// optional field is left out. A message template for the code
    /// (`tamga_contract::messages`) names its details by these names.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        use ExecError::*;
        let s = |v: &dyn std::fmt::Display| v.to_string();
        let mut a: Vec<(&'static str, String)> = match self {
            UnknownSigner { key } => vec![("key", s(key))],
            NonceMismatch { key, expected, got } => vec![("key", s(key)), ("expected", s(expected)), ("got", s(got))],
            AccountRevoked { key, height } => vec![("key", s(key)), ("height", s(height))],
            PartyInactive { party, status } => vec![("party", s(party)), ("status", status.as_str().into())],
            ValidatorKeyCannotSign { key } => vec![("key", s(key))],
            NotRegulator { op, party } => vec![("op", s(op)), ("party", s(party))],
            ScopeMissing { party, required, has } => {
                vec![("party", s(party)), ("required", required.as_str().into()), ("has", scope_list(has))]
            }
            NotIssuer { op, party } => vec![("op", s(op)), ("party", s(party))],
            Unauthorized { op, party, expected, owner } => {
                let mut v = vec![("op", s(op)), ("party", s(party)), ("expected", s(expected))];
                v.extend(owner.map(|o| ("owner", o.to_string())));
                v
            }
            EmptyField { field } => vec![("field", s(field))],
            InvalidField { field, expected, got } => {
                vec![("field", s(field)), ("expected", expected.clone()), ("got", got.clone())]
            }
            WeakKey { key } => vec![("key", s(key))],
            KeyAlreadyRegistered { key } => vec![("key", s(key))],
            DuplicateIdentifier { commitment, party } => vec![("commitment", s(commitment)), ("party", s(party))],
            DisplayNameNotAllowed => vec![],
            UnknownParty { party } => vec![("party", s(party))],
            UnknownAccount { key } => vec![("key", s(key))],
            AccountInactive { key } => vec![("key", s(key))],
            DifferentParty { from_party, to_party } => vec![("from_party", s(from_party)), ("to_party", s(to_party))],
            UnknownClass { class } => vec![("class", s(class))],
            ClassNotActive { class, status } => vec![("class", s(class)), ("status", status.as_str().into())],
            InvalidSymbol { symbol } => vec![("symbol", symbol.clone())],
            DuplicateSymbol { symbol, class } => vec![("symbol", symbol.clone()), ("class", s(class))],
            InvalidDecimals { got } => vec![("got", s(got))],
            NoRights => vec![],
            InadmissibleRight { index, kind } => vec![("index", s(index)), ("kind", kind.as_str().into())],
            ZeroAmount => vec![],
            SupplyCapExceeded { cap, supply, amount } => {
                vec![("cap", s(cap)), ("supply", s(supply)), ("amount", s(amount))]
            }
            Overflow { what } => vec![("what", s(what))],
            InsufficientBalance { class, needed, available } => {
                vec![("class", s(class)), ("needed", s(needed)), ("available", s(available))]
            }
            InsufficientFrozen { class, amount, frozen } => {
                vec![("class", s(class)), ("amount", s(amount)), ("frozen", s(frozen))]
            }
            UnknownRight { class, index, count } => vec![("class", s(class)), ("index", s(index)), ("count", s(count))],
            SelfTransfer => vec![],
            UnknownRecord { record } => vec![("record", s(record))],
            RecordTerminated { record } => vec![("record", s(record))],
            RecordEncumbered { record, encumbrances } => {
                vec![("record", s(record)), ("encumbrances", list(encumbrances))]
            }
            RecordInEscrow { record, escrow } => vec![("record", s(record)), ("escrow", s(escrow))],
            NotHolder { record, holder, signer } => {
                vec![("record", s(record)), ("holder", s(holder)), ("signer", s(signer))]
            }
            UnknownEncumbrance { record, encumbrance } => vec![("record", s(record)), ("encumbrance", s(encumbrance))],
            UnknownEscrow { escrow } => vec![("escrow", s(escrow))],
            EscrowState { escrow, status, expected } => {
                vec![("escrow", s(escrow)), ("status", status.as_str().into()), ("expected", s(expected))]
            }
            DeadlineNotReached { escrow, deadline, height } => {
                vec![("escrow", s(escrow)), ("deadline", s(deadline)), ("height", s(height))]
            }
            DeadlineInPast { deadline, height } => vec![("deadline", s(deadline)), ("height", s(height))],
            UnknownMiningNotification { id } => vec![("id", s(id))],
            UnknownActivityNotification { id } => vec![("id", s(id))],
            NotificationState { id, status, expected } => {
                vec![("id", s(id)), ("status", s(status)), ("expected", s(expected))]
            }
            InvalidNotificationChain { reason, previous, miner, next } => {
                let mut v = vec![("reason", s(reason))];
                v.extend(previous.map(|p| ("previous", p.to_string())));
                v.extend(miner.map(|m| ("miner", m.to_string())));
                v.extend(next.map(|n| ("next", n.to_string())));
                v
            }
            InvalidDate { date } => vec![("date", date.clone())],
            InvalidValidatorSet { reason, key } => {
                let mut v = vec![("reason", s(reason))];
                v.extend(key.map(|k| ("key", k.to_string())));
                v
            }
            MiningNoticeRequired { party } => vec![("party", s(party))],
            ParamOutOfRange { param, min, max, got } => {
                vec![("param", s(param)), ("min", s(min)), ("max", s(max)), ("got", s(got))]
            }
            ArbiterNotIndependent { arbiter_party, payer_party, payee_party } => vec![
                ("arbiter_party", s(arbiter_party)),
                ("payer_party", s(payer_party)),
                ("payee_party", s(payee_party)),
            ],
            TermsHashZero => vec![],
            TermsNotPublished { hash } => vec![("hash", s(hash))],
            TermsAlreadyPublished { hash, by, height } => {
                vec![("hash", s(hash)), ("by", s(by)), ("height", s(height))]
            }
            RestrictionNotNamed { op, class } => vec![("op", s(op)), ("class", s(class))],
            UnknownRestriction { restriction } => vec![("restriction", s(restriction))],
            RestrictionLifted { restriction, height } => vec![("restriction", s(restriction)), ("height", s(height))],
            RegulatorRestriction { restriction, imposed_by, party } => {
                vec![("restriction", s(restriction)), ("imposed_by", s(imposed_by)), ("party", s(party))]
            }
            ClassSupplyOutstanding { class, supply } => vec![("class", s(class)), ("supply", s(supply))],
            // Never a receipt (a fault of this node).
            Internal(_) => vec![],
        };
        a.shrink_to_fit();
        a
    }

    /// The failed outcome this error gives a receipt: code and arguments.
    pub fn outcome(&self) -> tamga_types::TxOutcome {
        tamga_types::TxOutcome::failed(self.code(), self.args())
    }

    /// The invalid-validator-set error of a [`tamga_types::ValidatorSet`]
    /// the update would produce.
    pub fn validator_set(e: &CertificateError) -> ExecError {
        let (reason, key) = match e {
            CertificateError::EmptyValidatorSet => ("empty", None),
            CertificateError::DuplicateValidator(k) => ("duplicate_validator", Some(*k)),
            CertificateError::DuplicateP2pKey(k) => ("duplicate_p2p_key", Some(*k)),
            CertificateError::ZeroPower(k) => ("zero_power", Some(*k)),
            CertificateError::PowerOverflow => ("power_overflow", None),
            CertificateError::TooManyValidators { .. } => ("too_many_validators", None),
            _ => ("invalid", None),
        };
        ExecError::InvalidValidatorSet { reason, key }
    }
}

/// Pairs each variant's pattern with its examples; the generated exhaustive
/// `match` (no wildcard) stops the build when a variant has no entry, so
/// [`ExecError::examples`] always covers every variant.
macro_rules! exec_examples {
    ($($pat:pat => [$($ex:expr),+ $(,)?]),+ $(,)?) => {
        impl ExecError {
            /// At least one instance of every variant (and of every reason a
            /// variant carries, with and without its optional fields), for the
            /// tests that every code has a message in every language and that
            /// every message names only the code's arguments.
            #[doc(hidden)]
            pub fn examples() -> Vec<ExecError> {
                let all = vec![$($($ex),+),+];
                for e in &all {
                    // Exhaustive: a new variant must be listed above.
                    match e { $($pat => {}),+ }
                }
                all
            }

            /// Whether every example matches the pattern it is listed under.
            #[doc(hidden)]
            pub fn examples_are_honest() -> bool {
                true $($(&& matches!($ex, $pat))+)+
            }
        }
    };
}

const K: PublicKey = PublicKey([1; 32]);

exec_examples! {
    ExecError::UnknownSigner { .. } => [ExecError::UnknownSigner { key: K }],
    ExecError::NonceMismatch { .. } => [ExecError::NonceMismatch { key: K, expected: 1, got: 2 }],
    ExecError::AccountRevoked { .. } => [ExecError::AccountRevoked { key: K, height: 3 }],
    ExecError::PartyInactive { .. } => [ExecError::PartyInactive { party: PartyId(1), status: PartyStatus::Suspended }],
    ExecError::ValidatorKeyCannotSign { .. } => [ExecError::ValidatorKeyCannotSign { key: K }],
    ExecError::NotRegulator { .. } => [ExecError::NotRegulator { op: "freeze", party: PartyId(1) }],
    ExecError::ScopeMissing { .. } => [
        ExecError::ScopeMissing { party: PartyId(1), required: Scope::Mining, has: vec![Scope::Assets] },
        ExecError::ScopeMissing { party: PartyId(1), required: Scope::Mining, has: vec![] },
    ],
    ExecError::NotIssuer { .. } => [ExecError::NotIssuer { op: "create_class", party: PartyId(1) }],
    ExecError::Unauthorized { .. } => [
        ExecError::Unauthorized { op: "release_escrow", party: PartyId(1), expected: "payer", owner: Some(PartyId(2)) },
        ExecError::Unauthorized { op: "dispute_escrow", party: PartyId(1), expected: "payer_or_payee", owner: None },
    ],
    ExecError::EmptyField { .. } => [ExecError::EmptyField { field: "legal_basis" }],
    ExecError::InvalidField { .. } => [
        ExecError::InvalidField { field: "max_block_txs", expected: "1..=10000".into(), got: "0".into() },
    ],
    ExecError::WeakKey { .. } => [ExecError::WeakKey { key: K }],
    ExecError::KeyAlreadyRegistered { .. } => [ExecError::KeyAlreadyRegistered { key: K }],
    ExecError::DuplicateIdentifier { .. } => [ExecError::DuplicateIdentifier { commitment: Hash::ZERO, party: PartyId(1) }],
    ExecError::DisplayNameNotAllowed => [ExecError::DisplayNameNotAllowed],
    ExecError::UnknownParty { .. } => [ExecError::UnknownParty { party: PartyId(1) }],
    ExecError::UnknownAccount { .. } => [ExecError::UnknownAccount { key: K }],
    ExecError::AccountInactive { .. } => [ExecError::AccountInactive { key: K }],
    ExecError::DifferentParty { .. } => [ExecError::DifferentParty { from_party: PartyId(1), to_party: PartyId(2) }],
    ExecError::UnknownClass { .. } => [ExecError::UnknownClass { class: ClassId(1) }],
    ExecError::ClassNotActive { .. } => [ExecError::ClassNotActive { class: ClassId(1), status: ClassStatus::Paused }],
    ExecError::InvalidSymbol { .. } => [ExecError::InvalidSymbol { symbol: "x".into() }],
    ExecError::DuplicateSymbol { .. } => [ExecError::DuplicateSymbol { symbol: "X".into(), class: ClassId(1) }],
    ExecError::InvalidDecimals { .. } => [ExecError::InvalidDecimals { got: 19 }],
    ExecError::NoRights => [ExecError::NoRights],
    ExecError::InadmissibleRight { .. } => [ExecError::InadmissibleRight { index: 0, kind: RightKind::Share }],
    ExecError::ZeroAmount => [ExecError::ZeroAmount],
    ExecError::SupplyCapExceeded { .. } => [ExecError::SupplyCapExceeded { cap: 1, supply: 1, amount: 1 }],
    ExecError::Overflow { .. } => [ExecError::Overflow { what: "supply" }],
    ExecError::InsufficientBalance { .. } => [ExecError::InsufficientBalance { class: ClassId(1), needed: 2, available: 1 }],
    ExecError::InsufficientFrozen { .. } => [ExecError::InsufficientFrozen { class: ClassId(1), amount: 2, frozen: 1 }],
    ExecError::UnknownRight { .. } => [ExecError::UnknownRight { class: ClassId(1), index: 3, count: 1 }],
    ExecError::SelfTransfer => [ExecError::SelfTransfer],
    ExecError::UnknownRecord { .. } => [ExecError::UnknownRecord { record: RecordId(1) }],
    ExecError::RecordTerminated { .. } => [ExecError::RecordTerminated { record: RecordId(1) }],
    ExecError::RecordEncumbered { .. } => [
        ExecError::RecordEncumbered { record: RecordId(1), encumbrances: vec![EncumbranceId(1), EncumbranceId(2)] },
    ],
    ExecError::RecordInEscrow { .. } => [ExecError::RecordInEscrow { record: RecordId(1), escrow: EscrowId(1) }],
    ExecError::NotHolder { .. } => [ExecError::NotHolder { record: RecordId(1), holder: K, signer: K }],
    ExecError::UnknownEncumbrance { .. } => [
        ExecError::UnknownEncumbrance { record: RecordId(1), encumbrance: EncumbranceId(1) },
    ],
    ExecError::UnknownEscrow { .. } => [ExecError::UnknownEscrow { escrow: EscrowId(1) }],
    ExecError::EscrowState { .. } => [
        ExecError::EscrowState { escrow: EscrowId(1), status: EscrowStatus::Open, expected: "disputed" },
    ],
    ExecError::DeadlineNotReached { .. } => [ExecError::DeadlineNotReached { escrow: EscrowId(1), deadline: 2, height: 1 }],
    ExecError::DeadlineInPast { .. } => [ExecError::DeadlineInPast { deadline: 1, height: 2 }],
    ExecError::UnknownMiningNotification { .. } => [ExecError::UnknownMiningNotification { id: MiningNotificationId(1) }],
    ExecError::UnknownActivityNotification { .. } => [
        ExecError::UnknownActivityNotification { id: ActivityNotificationId(1) },
    ],
    ExecError::NotificationState { .. } => [ExecError::NotificationState { id: 1, status: "accepted", expected: "submitted" }],
    ExecError::InvalidNotificationChain { .. } => [
        ExecError::InvalidNotificationChain { reason: "start_has_previous", previous: None, miner: None, next: None },
        ExecError::InvalidNotificationChain {
            reason: "previous_of_other_miner",
            previous: Some(MiningNotificationId(1)),
            miner: Some(PartyId(2)),
            next: None,
        },
        ExecError::InvalidNotificationChain {
            reason: "previous_already_followed",
            previous: Some(MiningNotificationId(1)),
            miner: None,
            next: Some(MiningNotificationId(2)),
        },
    ],
    ExecError::InvalidDate { .. } => [ExecError::InvalidDate { date: "2026-02-30".into() }],
    ExecError::InvalidValidatorSet { .. } => [
        ExecError::InvalidValidatorSet { reason: "not_a_validator", key: Some(K) },
        ExecError::InvalidValidatorSet { reason: "empty", key: None },
        ExecError::InvalidValidatorSet { reason: "duplicate_p2p_key", key: Some(K) },
        ExecError::InvalidValidatorSet { reason: "weak_p2p_key", key: Some(K) },
    ],
    ExecError::MiningNoticeRequired { .. } => [ExecError::MiningNoticeRequired { party: PartyId(1) }],
    ExecError::ParamOutOfRange { .. } => [ExecError::ParamOutOfRange { param: "min_validators", min: 1, max: 256, got: 0 }],
    ExecError::ArbiterNotIndependent { .. } => [ExecError::ArbiterNotIndependent {
        arbiter_party: PartyId(1),
        payer_party: PartyId(1),
        payee_party: PartyId(2),
    }],
    ExecError::TermsHashZero => [ExecError::TermsHashZero],
    ExecError::TermsNotPublished { .. } => [ExecError::TermsNotPublished { hash: Hash::ZERO }],
    ExecError::TermsAlreadyPublished { .. } => [ExecError::TermsAlreadyPublished { hash: Hash::ZERO, by: PartyId(1), height: 1 }],
    ExecError::RestrictionNotNamed { .. } => [ExecError::RestrictionNotNamed { op: "unfreeze", class: ClassId(1) }],
    ExecError::UnknownRestriction { .. } => [ExecError::UnknownRestriction { restriction: RestrictionId(1) }],
    ExecError::RestrictionLifted { .. } => [ExecError::RestrictionLifted { restriction: RestrictionId(1), height: 2 }],
    ExecError::RegulatorRestriction { .. } => [ExecError::RegulatorRestriction {
        restriction: RestrictionId(1),
        imposed_by: PartyId(1),
        party: PartyId(2),
    }],
    ExecError::ClassSupplyOutstanding { .. } => [ExecError::ClassSupplyOutstanding { class: ClassId(1), supply: 5 }],
    ExecError::Internal(_) => [ExecError::Internal(Box::new(StateError::Missing { what: "params" }))],
}

impl From<StateError> for ExecError {
    fn from(e: StateError) -> Self {
        ExecError::Internal(Box::new(e))
    }
}

/// Why a key may not sign a transaction against a given state: the envelope
/// rules on the signer (SPEC §8, §1.3, §1.9, §3). At the start of a block
/// such a transaction makes the block invalid ([`BlockInvalid::SignerRefused`]);
/// after an earlier transaction of the same block it is a failed receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)]
pub enum SignerRefused {
    /// SPEC §1.3: the key is not a registered account.
    #[error("signer {key} is not a registered account")]
    Unknown { key: PublicKey },
    /// SPEC §1.9: validator keys sign blocks and votes only.
    #[error("key {key} is a validator key and cannot sign transactions (SPEC §1.9)")]
    ValidatorKey { key: PublicKey },
    /// SPEC §3: the account key is revoked.
    #[error("account {key} was revoked at height {height}")]
    Revoked { key: PublicKey, height: Height },
    /// SPEC §3/§4: the account's party is suspended or revoked.
    #[error("party {party} of signer {key} is not active (status {})", .status.as_str())]
    PartyInactive { key: PublicKey, party: PartyId, status: PartyStatus },
    /// The account names a party that does not exist.
    #[error("party {party} of signer {key} does not exist")]
    UnknownParty { key: PublicKey, party: PartyId },
}

impl SignerRefused {
    /// Stable machine-readable code: the code of the failed receipt the same
    /// refusal gives inside a block ([`ExecError::code`]).
    pub fn code(&self) -> &'static str {
        self.to_exec().code()
    }

    /// The signer refused.
    pub fn key(&self) -> PublicKey {
        match self {
            SignerRefused::Unknown { key }
            | SignerRefused::ValidatorKey { key }
            | SignerRefused::Revoked { key, .. }
            | SignerRefused::PartyInactive { key, .. }
            | SignerRefused::UnknownParty { key, .. } => *key,
        }
    }

    /// The execution error of a failed receipt (its code and arguments are
    /// part of the receipts root, so they are the ones receipts always carried).
    pub fn to_exec(&self) -> ExecError {
        match *self {
            SignerRefused::Unknown { key } => ExecError::UnknownSigner { key },
            SignerRefused::ValidatorKey { key } => ExecError::ValidatorKeyCannotSign { key },
            SignerRefused::Revoked { key, height } => ExecError::AccountRevoked { key, height },
            SignerRefused::PartyInactive { party, status, .. } => ExecError::PartyInactive { party, status },
            SignerRefused::UnknownParty { party, .. } => ExecError::UnknownParty { party },
        }
    }
}

/// Whether a key may sign a transaction against a given state, and its next
/// nonce if it may (SPEC §8 envelope).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// An active account of an active party.
    Active {
        /// The account's next nonce.
        next_nonce: u64,
    },
    /// The key may not sign.
    Refused(SignerRefused),
}

/// Why a whole block is refused (no receipts; consensus must not vote for it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)]
pub enum BlockInvalid {
    /// Height must be last + 1.
    #[error("block height {got} is not the next height {expected}")]
    WrongHeight { expected: Height, got: Height },
    /// Time must increase.
    #[error("block time {got} ms must be greater than parent time {parent} ms")]
    TimeNotIncreasing { parent: u64, got: u64 },
    /// The proposer is not in the validator set for this height.
    #[error("proposer {proposer} is not a validator at height {height}")]
    UnknownProposer { proposer: PublicKey, height: Height },
    /// Too many transactions (params.max_block_txs).
    #[error("block has {got} transactions, at most {max} allowed")]
    TooManyTxs { max: u32, got: usize },
    /// Wrong chain id in a transaction.
    #[error("transaction {index} ({tx}) has chain id {got:?}, expected {expected:?}")]
    WrongChainId { index: usize, tx: Hash, expected: String, got: String },
    /// A transaction larger than admission allows (SPEC §8 stateless size check).
    #[error("transaction {index} ({tx}) is {size} bytes, at most {max} allowed")]
    TxTooLarge { index: usize, tx: Hash, size: usize, max: usize },
    /// Bad signature.
    #[error("transaction {index} ({tx}) has an invalid signature")]
    BadSignature { index: usize, tx: Hash },
    /// Same transaction twice (in the block or already committed).
    #[error("transaction {tx} at index {index} is a duplicate (in this block or already committed)")]
    DuplicateTx { index: usize, tx: Hash },
    /// Evidence is not a proof of equivocation by a validator (SPEC §9).
    #[error("evidence {index} is invalid: {why}")]
    BadEvidence { index: usize, why: EvidenceInvalid },
    /// Evidence already recorded.
    #[error("evidence {id} is already recorded")]
    DuplicateEvidence { id: Hash },
    /// SPEC §8: at the start of the block, the signer may not sign (unknown,
    /// validator key, revoked, party inactive). A transaction refused only
    /// because of an earlier transaction of the same block is a failed
    /// receipt instead.
    #[error("transaction {index} ({tx}) is refused at the start of the block: {refused}")]
    SignerRefused { index: usize, tx: Hash, refused: SignerRefused },
    /// SPEC §8: a signer's nonces in a block run from its next nonce at the
    /// start of the block, one per transaction, in block order.
    #[error("transaction {index} ({tx}) of {signer} has nonce {got}, expected {expected} at its place in the block")]
    NonceOutOfSequence { index: usize, tx: Hash, signer: PublicKey, expected: u64, got: u64 },
    /// Storage failure while executing (node fault, not the block's).
    #[error("storage error while executing: {0}")]
    Storage(Box<StateError>),
}

/// Why a block's evidence entry is refused (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceInvalid {
    /// The two messages do not prove an equivocation (not conflicting,
    /// different signers, heights, rounds or kinds, or a bad signature).
    #[error(transparent)]
    Proof(#[from] tamga_types::EvidenceError),
    /// The offender was not a validator at the height of the messages.
    #[error("{validator} was not a validator at height {height}")]
    NotAValidator {
        /// The signer of the two messages.
        validator: PublicKey,
        /// Their height.
        height: Height,
    },
    /// The messages are for a height above the block's.
    #[error("the messages are for height {height}, above the block's height {block_height}")]
    FromTheFuture {
        /// Their height.
        height: Height,
        /// The block's height.
        block_height: Height,
    },
}

impl BlockInvalid {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        use BlockInvalid::*;
        match self {
            WrongHeight { .. } => "WRONG_HEIGHT",
            TimeNotIncreasing { .. } => "TIME_NOT_INCREASING",
            UnknownProposer { .. } => "UNKNOWN_PROPOSER",
            TooManyTxs { .. } => "TOO_MANY_TXS",
            WrongChainId { .. } => "WRONG_CHAIN_ID",
            TxTooLarge { .. } => "TX_TOO_LARGE",
            BadSignature { .. } => "BAD_SIGNATURE",
            DuplicateTx { .. } => "DUPLICATE_TX",
            BadEvidence { .. } => "BAD_EVIDENCE",
            DuplicateEvidence { .. } => "DUPLICATE_EVIDENCE",
            SignerRefused { refused, .. } => refused.code(),
            NonceOutOfSequence { .. } => "NONCE_OUT_OF_SEQUENCE",
            Storage(_) => "STORAGE",
        }
    }

    /// Whether this is a fault of the node's storage rather than of the block:
    /// the block may well be valid, so no vote may be cast against it on this
    /// ground (retry, then stop).
    pub fn is_fault(&self) -> bool {
        matches!(self, BlockInvalid::Storage(_))
    }

    /// The index of the offending transaction, for block-level refusals that name one.
    pub fn tx_index(&self) -> Option<usize> {
        use BlockInvalid::*;
        match self {
            WrongChainId { index, .. }
            | TxTooLarge { index, .. }
            | BadSignature { index, .. }
            | DuplicateTx { index, .. }
            | SignerRefused { index, .. }
            | NonceOutOfSequence { index, .. } => Some(*index),
            _ => None,
        }
    }
}

impl From<StateError> for BlockInvalid {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Block(b) => b,
            e => BlockInvalid::Storage(Box::new(e)),
        }
    }
}

/// A failure inside the Jellyfish Merkle tree library (its errors are
/// `anyhow` values; storage errors raised under it are unwrapped into their
/// own [`StateError`] variant instead, see [`StateError::from_jmt`]).
#[derive(Debug, Clone)]
pub struct JmtError(Arc<anyhow::Error>);

impl std::fmt::Display for JmtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for JmtError {}

impl PartialEq for JmtError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for JmtError {}

/// Why [`crate::Ledger::commit`] refused a block: it is not exactly the block
/// that was executed, or does not extend the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)]
pub enum CommitMismatch {
    /// Heights disagree.
    #[error("height: last {last}, executed {executed}, block {block}")]
    Height { last: Height, executed: Height, block: Height },
    /// The header's state root is not the executed one.
    #[error("state root: header {header}, executed {executed}")]
    StateRoot { header: Hash, executed: Hash },
    /// The header's receipts root is not the executed one.
    #[error("receipts root: header {header}, executed {executed}")]
    ReceiptsRoot { header: Hash, executed: Hash },
    /// Transactions, time or proposer differ from the executed block.
    #[error("the block is not the one that was executed")]
    Body,
    /// Transaction or evidence roots differ.
    #[error("roots: header tx {header_tx} / evidence {header_evidence}, executed tx {executed_tx} / evidence {executed_evidence}")]
    Roots { header_tx: Hash, header_evidence: Hash, executed_tx: Hash, executed_evidence: Hash },
    /// Chain id or parent hash.
    #[error("chain id or parent hash")]
    ChainOrParent,
    /// The evidence does not hash to the header's evidence root.
    #[error("evidence root does not match the block's evidence")]
    EvidenceRoot,
    /// Validator-set hashes.
    #[error("validators hashes")]
    ValidatorsHashes,
}

/// Storage, genesis and commit errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)]
pub enum StateError {
    /// RocksDB failure.
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
    /// A column family the store opens with is missing.
    #[error("rocksdb: column family {name} is missing")]
    MissingColumnFamily { name: &'static str },
    /// Stored bytes did not decode (corruption or format change).
    #[error("corrupt stored value under {what}: {why}")]
    Corrupt { what: &'static str, why: String },
    /// An entry the committed state always holds is absent (corruption).
    #[error("the stored state lacks {what}")]
    Missing { what: &'static str },
    /// A query-index key does not end in the id it must carry (corruption).
    #[error("malformed {what} index key")]
    BadIndexKey { what: &'static str },
    /// An account's nonce cannot grow past `u64::MAX`.
    #[error("the nonce of {key} cannot grow past {}", u64::MAX)]
    NonceOverflow { key: PublicKey },
    /// Jellyfish Merkle tree failure.
    #[error("merkle tree ({op}): {source}")]
    Jmt { op: &'static str, source: JmtError },
    /// A storage fault injected by [`crate::Ledger::inject_read_faults`]
    /// (feature `fault-injection`, tests only); never raised otherwise.
    #[error("injected storage fault while reading {cf}")]
    InjectedFault { cf: &'static str },
    /// A failed batch write injected by [`crate::Ledger::inject_write_faults`]
    /// (feature `fault-injection`, tests only; a full disk); never raised otherwise.
    #[error("injected storage fault while writing a batch (no space left on device)")]
    InjectedWriteFault,
    /// Genesis not applied yet.
    #[error("genesis has not been applied")]
    NoGenesis,
    /// A different genesis is already applied.
    #[error("a different genesis is already applied: stored {stored}, given {given}")]
    GenesisMismatch { stored: Hash, given: Hash },
    /// Genesis content is invalid.
    #[error("invalid genesis: {0}")]
    InvalidGenesis(String),
    /// Commit of a block that does not match its execution or the chain.
    #[error("cannot commit block: {0}")]
    CommitMismatch(Box<CommitMismatch>),
    /// The block itself is invalid.
    #[error(transparent)]
    Block(#[from] BlockInvalid),
    /// The commit certificate does not verify (SPEC §9).
    #[error("certificate of block {height}: {source}")]
    Certificate { height: Height, source: CertificateError },
    /// A state proof was asked at a height whose state-tree version has been
    /// pruned (`[storage] retain_state_versions`); proofs are served from
    /// `oldest` on.
    #[error("the state tree at height {height} has been pruned; the oldest height with state proofs is {oldest}")]
    StatePruned { height: Height, oldest: Height },
}

impl From<CommitMismatch> for StateError {
    fn from(e: CommitMismatch) -> Self {
        StateError::CommitMismatch(Box::new(e))
    }
}

impl StateError {
    /// Whether this is a fault of the node's storage (read or write failure,
    /// corruption, a missing entry), not a property of the block or input
    /// being processed: retry, and stop if it persists; never vote on it.
    pub fn is_fault(&self) -> bool {
        match self {
            StateError::Db(_)
            | StateError::MissingColumnFamily { .. }
            | StateError::Corrupt { .. }
            | StateError::Missing { .. }
            | StateError::BadIndexKey { .. }
            | StateError::Jmt { .. }
            | StateError::InjectedFault { .. }
            | StateError::InjectedWriteFault
            | StateError::NoGenesis => true,
            StateError::Block(b) => b.is_fault(),
            StateError::NonceOverflow { .. }
            | StateError::GenesisMismatch { .. }
            | StateError::InvalidGenesis(_)
            | StateError::CommitMismatch(_)
            | StateError::Certificate { .. }
            | StateError::StatePruned { .. } => false,
        }
    }

    /// A JMT library error: a storage error raised by the store under the
    /// tree comes back as itself, anything else as [`StateError::Jmt`].
    pub fn from_jmt(op: &'static str) -> impl Fn(anyhow::Error) -> StateError {
        move |e| match e.downcast::<StateError>() {
            Ok(inner) => inner,
            Err(e) => StateError::Jmt { op, source: JmtError(Arc::new(e)) },
        }
    }
}

/// Result alias for storage-level operations.
pub type Result<T, E = StateError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn well_formed(code: &str) -> bool {
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    }

    /// SPEC §1.11: codes are machine-readable, stable and distinct.
    #[test]
    fn exec_codes_are_distinct_and_screaming_snake() {
        assert!(ExecError::examples_are_honest());
        // One example per variant; distinct variants have distinct codes.
        let mut seen = HashSet::new();
        let all: Vec<ExecError> =
            ExecError::examples().into_iter().filter(|e| seen.insert(std::mem::discriminant(e))).collect();
        let codes: HashSet<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len(), "codes must be distinct");
        // A variant's examples all carry its code.
        for e in ExecError::examples() {
            let first = all.iter().find(|f| std::mem::discriminant(*f) == std::mem::discriminant(&e));
            assert_eq!(first.map(|f| f.code()), Some(e.code()));
        }
        assert!(codes.iter().all(|c| well_formed(c)));
        assert!(all.iter().all(|e| !e.to_string().is_empty()));
    }

    #[test]
    fn block_codes_are_distinct_and_screaming_snake() {
        let k = PublicKey([1; 32]);
        let all = [
            BlockInvalid::WrongHeight { expected: 1, got: 2 },
            BlockInvalid::TimeNotIncreasing { parent: 2, got: 1 },
            BlockInvalid::UnknownProposer { proposer: k, height: 1 },
            BlockInvalid::TooManyTxs { max: 1, got: 2 },
            BlockInvalid::WrongChainId { index: 0, tx: Hash::ZERO, expected: "a".into(), got: "b".into() },
            BlockInvalid::TxTooLarge { index: 0, tx: Hash::ZERO, size: 2, max: 1 },
            BlockInvalid::BadSignature { index: 0, tx: Hash::ZERO },
            BlockInvalid::DuplicateTx { index: 0, tx: Hash::ZERO },
            BlockInvalid::BadEvidence { index: 0, why: EvidenceInvalid::FromTheFuture { height: 2, block_height: 1 } },
            BlockInvalid::DuplicateEvidence { id: Hash::ZERO },
            BlockInvalid::SignerRefused {
                index: 0,
                tx: Hash::ZERO,
                refused: SignerRefused::Revoked { key: k, height: 1 },
            },
            BlockInvalid::NonceOutOfSequence { index: 0, tx: Hash::ZERO, signer: k, expected: 1, got: 2 },
            BlockInvalid::Storage(Box::new(StateError::Missing { what: "params" })),
        ];
        let codes: HashSet<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| well_formed(c)));
    }
}
