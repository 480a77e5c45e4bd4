//! Transaction payloads: one variant per operation of SPEC §3–§7 and §9.
//!
//! Payloads say *what* the signer asks for. *Whether* it is allowed (roles,
//! statuses, balances, encumbrances) is decided at execution by `tamga-state`
//! against the committed state (SPEC §8: a transaction that fails there still
//! commits, with a failed receipt). Field bounds here are format limits only.
//!
//! The variant order is part of the wire format: append, never reorder.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{limits, BoundedVec, ShortText, TermsText, Text};
use crate::crypto::PublicKey;
use crate::hash::Hash;
use crate::ids::*;

/// Kind of party (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A natural person (identified by IIN).
    Individual,
    /// A legal entity (identified by BIN).
    LegalEntity,
}

/// Status of a party (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyStatus {
    /// May transact.
    Active,
    /// Temporarily barred by a regulator.
    Suspended,
    /// Permanently barred.
    Revoked,
}

/// Reference to a national PKI certificate (SPEC §3).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CertificateRef {
    /// The certification centre that issued it.
    pub issuer: ShortText,
    /// Its serial number.
    pub serial: ShortText,
}

/// Grounds for revoking an account key: Digital Code art. 59 p.1 (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// At the holder's request.
    HolderRequest,
    /// False information was given.
    FalseInformation,
    /// Death of the holder.
    Death,
    /// Change of name.
    ChangeOfName,
    /// Reorganisation or liquidation of a legal entity.
    ReorganisationOrLiquidation,
    /// A court decision.
    CourtDecision,
}

/// What a token's right is to (SPEC §4; Law art. 33-1 p.2 and p.4).
///
/// Only `Goods` and `Services` are admissible. The other variants exist so
/// that an attempt to tokenise a financial instrument or a right in a legal
/// entity is *named* and rejected with a specific reason, not silently
/// mis-described.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    /// A right to goods of the issuer.
    Goods,
    /// A right to services of the issuer.
    Services,
    /// A share in a legal entity (inadmissible, art. 33-1 p.4).
    Share,
    /// A bond or other debt security (inadmissible).
    Bond,
    /// A voting right in a legal entity (inadmissible).
    Vote,
    /// A right to dividends (inadmissible).
    Dividend,
    /// Any other financial instrument (inadmissible).
    FinancialInstrument,
}

impl RightKind {
    /// True if a secured digital asset may certify this right.
    pub fn is_admissible(self) -> bool {
        matches!(self, RightKind::Goods | RightKind::Services)
    }
}

/// One right a token certifies.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Right {
    /// Goods or services.
    pub kind: RightKind,
    /// What exactly the holder may claim.
    pub description: Text,
}

/// Status of a token class (SPEC §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassStatus {
    /// Circulates.
    Active,
    /// Transfers and mints suspended.
    Paused,
    /// Closed for good.
    Closed,
}

/// Kind of object a record certifies rights to (SPEC §5; DC art. 21 p.2(2)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// A thing.
    Thing,
    /// Goods.
    Goods,
    /// Raw resources.
    RawResource,
    /// A claim.
    Claim,
    /// A digital object.
    DigitalObject,
    /// Anything else.
    Other,
}

/// The object of a right-certifying record.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RecordObject {
    /// Kind of object.
    pub kind: ObjectKind,
    /// Human description.
    pub description: Text,
    /// External reference (cadastre number, contract number…).
    pub external_ref: Option<ShortText>,
    /// Hash of the underlying document, if any.
    pub document_hash: Option<Hash>,
}

/// Kind of encumbrance (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncumbranceKind {
    /// Pledge granted by the holder.
    Pledge,
    /// Lien granted by the holder.
    Lien,
    /// Arrest imposed by a regulator (court or authority).
    Arrest,
    /// Other encumbrance granted by the holder.
    Other,
}

/// Grounds for terminating a record: Digital Code art. 44 p.4 (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationReason {
    /// Performed / redeemed.
    Redeemed,
    /// Expired.
    Expired,
    /// The object was lost.
    ObjectLost,
    /// A court decision.
    CourtDecision,
    /// Another legally significant fact.
    Other,
}

/// What an escrow locks (SPEC §7).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscrowAsset {
    /// An amount of a token class.
    Tokens {
        /// The class.
        class: ClassId,
        /// Base units.
        amount: u128,
    },
    /// A right-certifying record.
    Record {
        /// The record.
        record: RecordId,
    },
}

/// A region of Kazakhstan or a city of republican significance (SPEC §6).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Region {
    Astana,
    AlmatyCity,
    Shymkent,
    Abai,
    Akmola,
    Aktobe,
    Almaty,
    Atyrau,
    EastKazakhstan,
    Jambyl,
    Jetisu,
    Karaganda,
    Kostanay,
    Kyzylorda,
    Mangystau,
    NorthKazakhstan,
    Pavlodar,
    Turkistan,
    Ulytau,
    WestKazakhstan,
}

impl Region {
    /// Every region, in declaration order.
    pub const ALL: [Region; 20] = [
        Region::Astana,
        Region::AlmatyCity,
        Region::Shymkent,
        Region::Abai,
        Region::Akmola,
        Region::Aktobe,
        Region::Almaty,
        Region::Atyrau,
        Region::EastKazakhstan,
        Region::Jambyl,
        Region::Jetisu,
        Region::Karaganda,
        Region::Kostanay,
        Region::Kyzylorda,
        Region::Mangystau,
        Region::NorthKazakhstan,
        Region::Pavlodar,
        Region::Turkistan,
        Region::Ulytau,
        Region::WestKazakhstan,
    ];

    /// The snake_case name used in JSON, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Astana => "astana",
            Region::AlmatyCity => "almaty_city",
            Region::Shymkent => "shymkent",
            Region::Abai => "abai",
            Region::Akmola => "akmola",
            Region::Aktobe => "aktobe",
            Region::Almaty => "almaty",
            Region::Atyrau => "atyrau",
            Region::EastKazakhstan => "east_kazakhstan",
            Region::Jambyl => "jambyl",
            Region::Jetisu => "jetisu",
            Region::Karaganda => "karaganda",
            Region::Kostanay => "kostanay",
            Region::Kyzylorda => "kyzylorda",
            Region::Mangystau => "mangystau",
            Region::NorthKazakhstan => "north_kazakhstan",
            Region::Pavlodar => "pavlodar",
            Region::Turkistan => "turkistan",
            Region::Ulytau => "ulytau",
            Region::WestKazakhstan => "west_kazakhstan",
        }
    }
}

/// Energy source of a mining site (SPEC §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum EnergySource {
    Grid,
    OwnGeneration,
    Renewable,
    AssociatedGas,
    Other,
}

/// Kind of mining notification (SPEC §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MiningNotificationKind {
    /// Start of mining activity.
    Start,
    /// A change of a started activity (new version).
    Change,
    /// Termination of the activity.
    Termination,
}

/// A calendar date (proleptic Gregorian), validated at execution.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31 (checked against the month).
    pub day: u8,
}

impl Date {
    /// True if the date exists in the calendar (years 1970–9999).
    pub fn is_valid(&self) -> bool {
        if !(1970..=9999).contains(&self.year) || !(1..=12).contains(&self.month) || self.day == 0 {
            return false;
        }
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        self.day <= days
    }

    /// Sort key `yyyymmdd`.
    pub fn ordinal(&self) -> u32 {
        self.year as u32 * 10_000 + self.month as u32 * 100 + self.day as u32
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid date {s:?}: expected YYYY-MM-DD");
        let mut it = s.split('-');
        let (y, m, d) = (it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?);
        if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let date = Date {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
            day: d.parse().map_err(|_| bad())?,
        };
        if !date.is_valid() {
            return Err(format!("invalid date {s:?}: no such calendar day"));
        }
        Ok(date)
    }
}

/// The details a mining notification carries (SPEC §6).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct MiningSite {
    /// Region of the site.
    pub region: Region,
    /// Street address of the site (restricted field, SPEC §6 / issue 8).
    /// An API answer that withholds it has `"address": null`, read back as
    /// empty text.
    #[serde(deserialize_with = "address_or_withheld")]
    pub address: Text,
    /// Installed power capacity, kW.
    pub capacity_kw: u64,
    /// Number of equipment units.
    pub units: u32,
    /// Hashrate, TH/s.
    pub hashrate_ths: u64,
    /// Energy source.
    pub energy: EnergySource,
    /// Mining pool, if any.
    pub pool: Option<ShortText>,
    /// Date the activity starts (or started).
    pub start_date: Date,
}

/// A site address, or `null` where an API answer withholds it (empty text).
fn address_or_withheld<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
    match <Option<Text> as Deserialize>::deserialize(d)? {
        Some(t) => Ok(t),
        None => Text::new(String::new()).map_err(serde::de::Error::custom),
    }
}

/// Digital-asset activity subject to notification (Law art. 33-1 p.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Issuance of secured digital assets (grants the Issuer role once accepted).
    Issuance,
    /// Organising trading in digital assets.
    TradingOrganisation,
    /// Exchange services.
    Exchange,
}

/// Start or end of an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityPhase {
    /// The activity starts.
    Start,
    /// The activity ends.
    Termination,
}

/// A regulator's scope (SPEC §2).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Register of digital-asset activity notifications (Law art. 7 sub-p. 59-2).
    Assets,
    /// Mining information (Law art. 7-1 sub-p. 20-2).
    Mining,
}

/// A change to one validator's entry (SPEC §9).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ValidatorUpdate {
    /// The validator's consensus key.
    pub key: PublicKey,
    /// New voting power; 0 removes the validator.
    pub power: u64,
    /// The registered party that operates it.
    pub operator: PartyId,
    /// The ed25519 key of its node's libp2p identity, under whose peer id
    /// peers admit it (SPEC §9). `None` keeps the key recorded for a
    /// validator already in the set, and records the consensus key itself
    /// for a new one (a node whose consensus key is its p2p identity).
    pub p2p_key: Option<PublicKey>,
}

/// A chain parameter and its new value (SPEC §9).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterChange {
    /// Maximum transactions per block.
    MaxBlockTxs(u32),
    /// Blocks between a validator-set change's commit and its effect.
    ValidatorChangeDelay(u64),
    /// Whether validators need an accepted mining notice (SPEC §9).
    RequireMiningNotice(bool),
    /// The fewest validators left when validators leave on their own
    /// account (SPEC §9.4), `1..=`[`limits::MAX_VALIDATORS`].
    MinValidators(u32),
}

/// Every operation a transaction can carry.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Payload {
    // ---- §3 identity and keys ----
    /// Regulator registers a party with its first account(s).
    RegisterParty {
        /// Individual or legal entity.
        kind: PartyKind,
        /// `H(salt ‖ IIN/BIN)`, SPEC §1.6; see [`crate::identifier_commitment`].
        id_commitment: Hash,
        /// Display name (legal entities only).
        display_name: Option<ShortText>,
        /// Account keys bound to the party, with optional PKI certificate refs.
        accounts: BoundedVec<(PublicKey, Option<CertificateRef>), { limits::MAX_LIST }>,
    },
    /// Regulator changes a party's status, naming the legal basis (SPEC §1.10).
    SetPartyStatus {
        /// The party.
        party: PartyId,
        /// New status.
        status: PartyStatus,
        /// Legal basis.
        legal_basis: Text,
    },
    /// A party adds a key to itself (signed by one of its active keys), or a
    /// regulator adds one to any party.
    AddAccount {
        /// The party to add to.
        party: PartyId,
        /// The new key.
        key: PublicKey,
        /// Optional PKI certificate reference (regulator only).
        certificate: Option<CertificateRef>,
    },
    /// A party revokes one of its keys, or a regulator revokes any key (SPEC §3).
    RevokeAccount {
        /// The key to revoke.
        key: PublicKey,
        /// Ground from Digital Code art. 59 p.1.
        reason: RevocationReason,
    },
    // ---- §4 tokens ----
    /// Issuer creates a secured token class.
    CreateClass {
        /// Ticker, 1–12 upper-case letters or digits.
        symbol: ShortText,
        /// Human name.
        name: ShortText,
        /// Decimal places (0–18).
        decimals: u8,
        /// Optional supply cap in base units.
        supply_cap: Option<u128>,
        /// The rights a token certifies (non-empty; goods or services only).
        rights: BoundedVec<Right, { limits::MAX_LIST }>,
        /// Hash of the backing document.
        document_hash: Hash,
        /// Where the backing document is published.
        document_uri: Text,
        /// Redemption terms.
        redemption_terms: Text,
    },
    /// Issuer mints to an eligible holder, within the cap.
    Mint {
        /// The class (the signer must be its issuer).
        class: ClassId,
        /// Receiving account.
        to: PublicKey,
        /// Base units.
        amount: u128,
    },
    /// Holder transfers tokens.
    Transfer {
        /// The class.
        class: ClassId,
        /// Receiving account.
        to: PublicKey,
        /// Base units.
        amount: u128,
    },
    /// Holder redeems tokens to the issuer, claiming one of the class's rights.
    Redeem {
        /// The class.
        class: ClassId,
        /// Base units.
        amount: u128,
        /// Index into the class's `rights`.
        right: u32,
    },
    /// Issuer or regulator freezes a holding (all of it, or an amount): a
    /// restriction record of its own, lifted by [`Payload::LiftRestriction`].
    Freeze {
        /// The class.
        class: ClassId,
        /// The holder's account.
        holder: PublicKey,
        /// Amount to freeze; `None` freezes the whole holding, later credits included.
        amount: Option<u128>,
        /// Legal basis.
        legal_basis: Text,
    },
    /// Retired: a freeze is lifted by naming its record
    /// ([`Payload::LiftRestriction`], SPEC §4). Kept so the variant indices
    /// stay; execution refuses it with `RESTRICTION_NOT_NAMED`.
    Unfreeze {
        /// The class.
        class: ClassId,
        /// The holder's account.
        holder: PublicKey,
        /// Amount to unfreeze; `None` unfreezes everything.
        amount: Option<u128>,
        /// Legal basis.
        legal_basis: Text,
    },
    /// Issuer or regulator pauses a class: a restriction record of its own,
    /// lifted by [`Payload::LiftRestriction`]. `paused: false` is retired
    /// (refused with `RESTRICTION_NOT_NAMED`: a pause is lifted by naming it).
    SetClassPaused {
        /// The class.
        class: ClassId,
        /// True to pause; false is refused.
        paused: bool,
        /// Legal basis or reason.
        legal_basis: Text,
    },
    /// Regulator moves tokens between accounts, with legal basis (SPEC §4).
    ForcedTransfer {
        /// The class.
        class: ClassId,
        /// Source account.
        from: PublicKey,
        /// Receiving account.
        to: PublicKey,
        /// Base units.
        amount: u128,
        /// Legal basis.
        legal_basis: Text,
    },
    /// Regulator moves all holdings and records of a lost key to another
    /// account of the same party (SPEC §4).
    RecoverAccount {
        /// The lost account.
        from: PublicKey,
        /// The party's other account.
        to: PublicKey,
        /// Legal basis.
        legal_basis: Text,
    },
    // ---- §5 records ----
    /// Issuer or regulator certifies a right to a holder (emergence).
    IssueRecord {
        /// The holder's account.
        holder: PublicKey,
        /// The object.
        object: RecordObject,
    },
    /// Holder transfers a record.
    TransferRecord {
        /// The record.
        record: RecordId,
        /// The new holder's account.
        to: PublicKey,
    },
    /// Holder grants a pledge/lien/other; a regulator imposes an arrest.
    Encumber {
        /// The record.
        record: RecordId,
        /// Kind.
        kind: EncumbranceKind,
        /// Beneficiary's account (its party becomes the beneficiary).
        beneficiary: PublicKey,
        /// Legal basis.
        legal_basis: Text,
    },
    /// Beneficiary (or for an arrest, a regulator) releases an encumbrance.
    Release {
        /// The record.
        record: RecordId,
        /// The encumbrance.
        encumbrance: EncumbranceId,
    },
    /// Certifying party or holder terminates a record.
    TerminateRecord {
        /// The record.
        record: RecordId,
        /// Ground (DC art. 44 p.4).
        reason: TerminationReason,
    },
    // ---- §7 escrow ----
    /// Payer locks tokens or a record for a payee.
    CreateEscrow {
        /// Payee account.
        payee: PublicKey,
        /// Arbiter account (its party decides disputes).
        arbiter: PublicKey,
        /// What is locked.
        asset: EscrowAsset,
        /// SHA-256 of the human-readable terms (DC art. 67), published on the
        /// chain first with [`Payload::PublishTerms`]; never zero.
        terms_hash: Hash,
        /// Height after which the payer may be refunded.
        deadline_height: Height,
    },
    /// Payer confirms: the asset goes to the payee.
    ReleaseEscrow {
        /// The escrow.
        escrow: EscrowId,
    },
    /// After the deadline (and with no open dispute) the asset returns to the payer.
    RefundEscrow {
        /// The escrow.
        escrow: EscrowId,
    },
    /// Payer or payee disputes the escrow.
    DisputeEscrow {
        /// The escrow.
        escrow: EscrowId,
        /// Why.
        reason: Text,
    },
    /// The arbiter decides a disputed escrow (DC art. 67 p.3).
    ResolveEscrow {
        /// The escrow.
        escrow: EscrowId,
        /// True: to the payee; false: back to the payer.
        to_payee: bool,
        /// The decision's reasoning.
        reason: Text,
    },
    // ---- §6 registries ----
    /// Miner submits a start, change or termination notification.
    SubmitMiningNotification {
        /// Start, change or termination.
        kind: MiningNotificationKind,
        /// For change/termination: the notification it follows.
        previous: Option<MiningNotificationId>,
        /// The site.
        site: MiningSite,
    },
    /// A `mining` regulator accepts or rejects a mining notification.
    ReviewMiningNotification {
        /// The notification.
        notification: MiningNotificationId,
        /// Accept or reject.
        accept: bool,
        /// Reason (required on rejection).
        reason: Option<Text>,
    },
    /// A party notifies the start or end of a digital-asset activity.
    SubmitActivityNotification {
        /// Which activity.
        activity: Activity,
        /// Start or termination.
        phase: ActivityPhase,
        /// Effective date.
        date: Date,
    },
    /// An `assets` regulator accepts or rejects an activity notification.
    ReviewActivityNotification {
        /// The notification.
        notification: ActivityNotificationId,
        /// Accept or reject.
        accept: bool,
        /// Reason (required on rejection).
        reason: Option<Text>,
    },
    // ---- §9 governance ----
    /// Regulator changes the validator set, effective `validator_change_delay` blocks later.
    UpdateValidators {
        /// The changes.
        updates: BoundedVec<ValidatorUpdate, { limits::MAX_LIST }>,
    },
    /// Regulator changes a chain parameter.
    SetParameter {
        /// The change.
        change: ParameterChange,
    },
    // ---- appended: §4 restrictions and closing, §7 terms ----
    /// Lifts one freeze or pause, named by its record (SPEC §4, DC art. 20
    /// p.4): the issuer lifts its own, a regulator lifts any.
    LiftRestriction {
        /// The freeze or pause.
        restriction: RestrictionId,
        /// Legal basis of the lifting.
        legal_basis: Text,
    },
    /// The issuer, or a regulator with a legal basis, closes a class whose
    /// supply is zero (SPEC §4); a closed class accepts nothing but queries.
    CloseClass {
        /// The class.
        class: ClassId,
        /// Legal basis (a regulator) or reason (the issuer).
        legal_basis: Text,
    },
    /// Publishes the human-readable terms of escrows on the chain (SPEC §7,
    /// DC art. 67): stored under their SHA-256, which `CreateEscrow` names.
    PublishTerms {
        /// The terms, at most [`limits::MAX_TERMS`] bytes.
        text: TermsText,
    },
}

impl Payload {
    /// A stable snake_case name of the operation, for logs, metrics and receipts.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Payload::RegisterParty { .. } => "register_party",
            Payload::SetPartyStatus { .. } => "set_party_status",
            Payload::AddAccount { .. } => "add_account",
            Payload::RevokeAccount { .. } => "revoke_account",
            Payload::CreateClass { .. } => "create_class",
            Payload::Mint { .. } => "mint",
            Payload::Transfer { .. } => "transfer",
            Payload::Redeem { .. } => "redeem",
            Payload::Freeze { .. } => "freeze",
            Payload::Unfreeze { .. } => "unfreeze",
            Payload::SetClassPaused { .. } => "set_class_paused",
            Payload::ForcedTransfer { .. } => "forced_transfer",
            Payload::RecoverAccount { .. } => "recover_account",
            Payload::IssueRecord { .. } => "issue_record",
            Payload::TransferRecord { .. } => "transfer_record",
            Payload::Encumber { .. } => "encumber",
            Payload::Release { .. } => "release",
            Payload::TerminateRecord { .. } => "terminate_record",
            Payload::CreateEscrow { .. } => "create_escrow",
            Payload::ReleaseEscrow { .. } => "release_escrow",
            Payload::RefundEscrow { .. } => "refund_escrow",
            Payload::DisputeEscrow { .. } => "dispute_escrow",
            Payload::ResolveEscrow { .. } => "resolve_escrow",
            Payload::SubmitMiningNotification { .. } => "submit_mining_notification",
            Payload::ReviewMiningNotification { .. } => "review_mining_notification",
            Payload::SubmitActivityNotification { .. } => "submit_activity_notification",
            Payload::ReviewActivityNotification { .. } => "review_activity_notification",
            Payload::UpdateValidators { .. } => "update_validators",
            Payload::SetParameter { .. } => "set_parameter",
            Payload::LiftRestriction { .. } => "lift_restriction",
            Payload::CloseClass { .. } => "close_class",
            Payload::PublishTerms { .. } => "publish_terms",
        }
    }
}

/// Implements `as_str()` (the stable snake_case name, the same as the JSON
/// spelling) and `ALL` for enums whose values appear in receipts: event
/// attributes and failure arguments carry these names, never a `Debug`
/// rendering, so the consensus bytes do not change with a Rust identifier
/// (`docs/wire-format.md`, Events).
macro_rules! stable_names {
    ($($ty:ident { $($v:ident => $s:literal),* $(,)? })*) => { $(
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),*];

            /// The stable snake_case name (the JSON spelling).
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $s),* }
            }
        }
    )* };
}
pub(crate) use stable_names;

stable_names! {
    PartyKind { Individual => "individual", LegalEntity => "legal_entity" }
    PartyStatus { Active => "active", Suspended => "suspended", Revoked => "revoked" }
    RevocationReason {
        HolderRequest => "holder_request",
        FalseInformation => "false_information",
        Death => "death",
        ChangeOfName => "change_of_name",
        ReorganisationOrLiquidation => "reorganisation_or_liquidation",
        CourtDecision => "court_decision",
    }
    RightKind {
        Goods => "goods",
        Services => "services",
        Share => "share",
        Bond => "bond",
        Vote => "vote",
        Dividend => "dividend",
        FinancialInstrument => "financial_instrument",
    }
    ClassStatus { Active => "active", Paused => "paused", Closed => "closed" }
    ObjectKind {
        Thing => "thing",
        Goods => "goods",
        RawResource => "raw_resource",
        Claim => "claim",
        DigitalObject => "digital_object",
        Other => "other",
    }
    EncumbranceKind { Pledge => "pledge", Lien => "lien", Arrest => "arrest", Other => "other" }
    TerminationReason {
        Redeemed => "redeemed",
        Expired => "expired",
        ObjectLost => "object_lost",
        CourtDecision => "court_decision",
        Other => "other",
    }
    EnergySource {
        Grid => "grid",
        OwnGeneration => "own_generation",
        Renewable => "renewable",
        AssociatedGas => "associated_gas",
        Other => "other",
    }
    MiningNotificationKind { Start => "start", Change => "change", Termination => "termination" }
    Activity { Issuance => "issuance", TradingOrganisation => "trading_organisation", Exchange => "exchange" }
    ActivityPhase { Start => "start", Termination => "termination" }
    Scope { Assets => "assets", Mining => "mining" }
}

impl ParameterChange {
    /// The parameter's stable name (the JSON spelling of the variant).
    pub fn name(&self) -> &'static str {
        match self {
            ParameterChange::MaxBlockTxs(_) => "max_block_txs",
            ParameterChange::ValidatorChangeDelay(_) => "validator_change_delay",
            ParameterChange::RequireMiningNotice(_) => "require_mining_notice",
            ParameterChange::MinValidators(_) => "min_validators",
        }
    }

    /// The new value in its canonical form: a decimal integer, or `true` / `false`.
    pub fn value(&self) -> String {
        match self {
            ParameterChange::MaxBlockTxs(n) => n.to_string(),
            ParameterChange::ValidatorChangeDelay(n) => n.to_string(),
            ParameterChange::RequireMiningNotice(b) => b.to_string(),
            ParameterChange::MinValidators(n) => n.to_string(),
        }
    }
}

#[cfg(test)]
mod stable_name_tests {
    use super::*;

    fn json_name<T: Serialize>(v: T) -> String {
        match serde_json::to_value(v) {
            Ok(serde_json::Value::String(s)) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    /// The names receipts carry are the JSON spellings, and distinct.
    #[test]
    fn stable_names_are_the_json_spellings() {
        macro_rules! check {
            ($($ty:ident),*) => { $(
                let names: std::collections::HashSet<&str> = $ty::ALL.iter().map(|v| v.as_str()).collect();
                assert_eq!(names.len(), $ty::ALL.len(), stringify!($ty));
                for v in $ty::ALL {
                    assert_eq!(v.as_str(), json_name(v), stringify!($ty));
                }
            )* };
        }
        check!(
            PartyKind,
            PartyStatus,
            RevocationReason,
            RightKind,
            ClassStatus,
            ObjectKind,
            EncumbranceKind,
            TerminationReason,
            EnergySource,
            MiningNotificationKind,
            Activity,
            ActivityPhase,
            Scope
        );
        for c in [
            ParameterChange::MaxBlockTxs(7),
            ParameterChange::ValidatorChangeDelay(2),
            ParameterChange::RequireMiningNotice(true),
        ] {
            let v = serde_json::to_value(&c).expect("json");
            assert_eq!(v.as_object().and_then(|o| o.keys().next()).map(String::as_str), Some(c.name()));
        }
    }
}
