//! The state entries (borsh in storage, serde for queries). Each struct is one
//! JMT leaf under the key given in `tamga_state::keys`.

use crate::{
    Activity, ActivityNotificationId, ActivityPhase, CertificateRef, ClassId, ClassStatus, Date, EncumbranceId,
    EncumbranceKind, EscrowAsset, EscrowId, Hash, Height, MiningNotificationId, MiningNotificationKind, MiningSite,
    NetworkType, PartyId, PartyKind, PartyStatus, PublicKey, RecordId, RecordObject, RestrictionId, RevocationReason,
    Right, Scope, TerminationReason, TimestampMs,
};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Network facts fixed at genesis (SPEC §1.11).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ChainInfo {
    /// Chain id.
    pub chain_id: String,
    /// Genesis time.
    pub genesis_time_ms: TimestampMs,
    /// Hash of the genesis value.
    pub genesis_hash: Hash,
    /// Hash of the internal regulation document.
    pub regulation_hash: Hash,
    /// Network type.
    pub network_type: NetworkType,
}

/// Next ids of every sequentially numbered object.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Counters {
    pub party: u64,
    pub class: u64,
    pub record: u64,
    pub encumbrance: u64,
    pub escrow: u64,
    pub mining: u64,
    pub activity: u64,
    pub restriction: u64,
}

/// A registered party (SPEC §3) with its roles (SPEC §2).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct PartyState {
    /// Id.
    pub id: PartyId,
    /// Individual or legal entity.
    pub kind: PartyKind,
    /// `H(salt ‖ IIN/BIN)`.
    pub id_commitment: Hash,
    /// Display name (legal entities only).
    pub display_name: Option<String>,
    /// Status.
    pub status: PartyStatus,
    /// Registration height (0 = genesis).
    pub registered_height: Height,
    /// Registering regulator party (None at genesis).
    pub registered_by: Option<PartyId>,
    /// Regulator scopes (non-empty: a regulator).
    pub regulator_scopes: Vec<Scope>,
    /// Issuer role (accepted issuance start, not terminated).
    pub issuer: bool,
    /// Has an accepted, not terminated mining notification (SPEC §9 `require_mining_notice`).
    pub mining_active: bool,
    /// Account keys, in registration order (revoked ones included).
    pub accounts: Vec<PublicKey>,
}

impl PartyState {
    /// True if a regulator.
    pub fn is_regulator(&self) -> bool {
        !self.regulator_scopes.is_empty()
    }
}

/// Account status (SPEC §3).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum AccountStatus {
    /// Usable.
    Active,
    /// Revoked from `height` on.
    Revoked {
        /// Revocation height.
        height: Height,
        /// Ground (art. 59 p.1).
        reason: RevocationReason,
        /// Party that revoked it.
        by: PartyId,
    },
}

/// An account (SPEC §3).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct AccountState {
    /// Key.
    pub key: PublicKey,
    /// Owning party.
    pub party: PartyId,
    /// Status.
    pub status: AccountStatus,
    /// PKI certificate reference.
    pub certificate: Option<CertificateRef>,
    /// Next expected nonce.
    pub nonce: u64,
    /// Height the account was added.
    pub created_height: Height,
}

/// A secured token class (SPEC §4).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ClassState {
    /// Id.
    pub id: ClassId,
    /// Issuer party.
    pub issuer: PartyId,
    /// Symbol.
    pub symbol: String,
    /// Name.
    pub name: String,
    /// Decimals.
    pub decimals: u8,
    /// Cap.
    pub supply_cap: Option<u128>,
    /// Outstanding supply.
    pub supply: u128,
    /// Rights certified.
    pub rights: Vec<Right>,
    /// Backing document hash.
    pub document_hash: Hash,
    /// Backing document URI.
    pub document_uri: String,
    /// Redemption terms.
    pub redemption_terms: String,
    /// Status.
    pub status: ClassStatus,
    /// Creation height.
    pub created_height: Height,
}

/// A holding of one class by one account (SPEC §4).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Holding {
    /// Total balance (frozen included).
    pub amount: u128,
    /// The sum of the standing freezes of an amount ([`Restriction`]). A
    /// forced transfer can take frozen units, so it may exceed `amount`; the
    /// freezes stand until lifted by name (SPEC §4).
    pub frozen: u128,
    /// Standing freezes of the whole holding: while any stands nothing is
    /// free, later credits included (a flag, not a snapshot; DC art. 20 p.4).
    pub whole_freezes: u32,
}

impl Holding {
    /// Free (spendable) part: nothing under a whole-holding freeze, else the
    /// balance less the frozen amounts.
    pub fn free(&self) -> u128 {
        if self.whole_freezes > 0 {
            return 0;
        }
        self.amount.saturating_sub(self.frozen)
    }

    /// True when the holding has no balance and no standing freeze (it is then
    /// not stored).
    pub fn is_empty(&self) -> bool {
        self.amount == 0 && self.frozen == 0 && self.whole_freezes == 0
    }
}

/// What a restriction restricts (SPEC §4).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionTarget {
    /// A freeze of one holding.
    Holding {
        /// The class.
        class: ClassId,
        /// The holder's account (moved with a recovery).
        holder: PublicKey,
        /// The amount frozen; `None` freezes the whole holding, later credits included.
        amount: Option<u128>,
    },
    /// A pause of a class.
    Class {
        /// The class.
        class: ClassId,
    },
}

impl RestrictionTarget {
    /// The class concerned.
    pub fn class(&self) -> ClassId {
        match self {
            RestrictionTarget::Holding { class, .. } | RestrictionTarget::Class { class } => *class,
        }
    }
}

/// In which capacity a party imposed or lifted a restriction (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// The class's issuer.
    Issuer,
    /// A regulator.
    Regulator,
}

/// The lifting of a restriction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RestrictionLift {
    /// The party that lifted it.
    pub by: PartyId,
    /// As issuer or as regulator.
    pub authority: Authority,
    /// Legal basis of the lifting.
    pub legal_basis: String,
    /// Height.
    pub height: Height,
    /// The lifting transaction.
    pub tx: Hash,
}

/// A freeze or a pause: a record of its own (SPEC §4, DC art. 20 p.4).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Restriction {
    /// Id, named by the lifting.
    pub id: RestrictionId,
    /// The holding or class restricted.
    pub target: RestrictionTarget,
    /// The party that imposed it.
    pub imposed_by: PartyId,
    /// As issuer or as regulator (an issuer cannot lift a regulator's).
    pub authority: Authority,
    /// Legal basis.
    pub legal_basis: String,
    /// Height imposed.
    pub height: Height,
    /// The imposing transaction.
    pub tx: Hash,
    /// The lifting, once lifted.
    pub lifted: Option<RestrictionLift>,
}

/// Human-readable escrow terms stored on the chain under their SHA-256
/// (SPEC §7, DC art. 67).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct EscrowTerms {
    /// `SHA-256(text)`.
    pub hash: Hash,
    /// The text.
    pub text: String,
    /// The party that published it.
    pub published_by: PartyId,
    /// Height.
    pub height: Height,
}

/// An encumbrance (SPEC §5).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Encumbrance {
    /// Id.
    pub id: EncumbranceId,
    /// Kind.
    pub kind: EncumbranceKind,
    /// Beneficiary party.
    pub beneficiary: PartyId,
    /// Legal basis.
    pub legal_basis: String,
    /// Creation height.
    pub created_height: Height,
    /// Party that imposed it (holder for pledge/lien/other, regulator for arrest).
    pub imposed_by: PartyId,
}

/// Status of a record.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum RecordStatus {
    /// Stands.
    Active,
    /// Terminated.
    Terminated {
        /// Ground.
        reason: TerminationReason,
        /// Height.
        height: Height,
    },
}

/// A right-certifying record (SPEC §5).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RecordState {
    /// Id.
    pub id: RecordId,
    /// Certifying party.
    pub certifier: PartyId,
    /// Holder party.
    pub holder_party: PartyId,
    /// Holder account.
    pub holder: PublicKey,
    /// Object.
    pub object: RecordObject,
    /// Status.
    pub status: RecordStatus,
    /// Standing encumbrances.
    pub encumbrances: Vec<Encumbrance>,
    /// Escrow locking it, if any.
    pub escrow: Option<EscrowId>,
    /// Creation height.
    pub created_height: Height,
    /// Number of history entries.
    pub history_len: u64,
}

/// What one issuer party has issued, counted in the state tree (state key
/// `'W' ‖ party`), so that an issuer export proves it lists every class and
/// every record (SPEC §12, `docs/export-format.md` §5). Classes and records
/// are never deleted, so the counts only grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct IssuerIndex {
    /// Classes whose `issuer` is the party.
    pub classes: u64,
    /// Records whose `certifier` is the party.
    pub records: u64,
}

/// One fact in the history of a record or a notification (SPEC §5, §6).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Height.
    pub height: Height,
    /// Block time.
    pub time_ms: TimestampMs,
    /// Transaction.
    pub tx_hash: Hash,
    /// Signer.
    pub signer: PublicKey,
    /// Event kind (`record_issued`, `record_transferred`, …).
    pub event: String,
    /// Details.
    pub details: Vec<(String, String)>,
}

/// Escrow status (SPEC §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscrowStatus {
    /// Asset locked.
    Open,
    /// Disputed, waiting for the arbiter.
    Disputed,
    /// Went to the payee.
    Released,
    /// Went back to the payer.
    Refunded,
}

/// An escrow (SPEC §7).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct EscrowState {
    /// Id.
    pub id: EscrowId,
    /// Payer account.
    pub payer: PublicKey,
    /// Payer party.
    pub payer_party: PartyId,
    /// Payee account.
    pub payee: PublicKey,
    /// Payee party.
    pub payee_party: PartyId,
    /// Arbiter party.
    pub arbiter_party: PartyId,
    /// Locked asset.
    pub asset: EscrowAsset,
    /// Terms hash.
    pub terms_hash: Hash,
    /// Refund possible after this height.
    pub deadline_height: Height,
    /// Status.
    pub status: EscrowStatus,
    /// Creation height.
    pub created_height: Height,
    /// Dispute reason, if disputed.
    pub dispute_reason: Option<String>,
    /// Resolution reason, if resolved by the arbiter.
    pub resolution: Option<String>,
    /// Height it closed.
    pub closed_height: Option<Height>,
}

/// Review status of a notification (SPEC §6).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum ReviewStatus {
    /// Waiting for a regulator.
    Submitted,
    /// Accepted.
    Accepted {
        /// Reviewer party.
        by: PartyId,
        /// Height.
        height: Height,
    },
    /// Rejected.
    Rejected {
        /// Reviewer party.
        by: PartyId,
        /// Height.
        height: Height,
        /// Reason.
        reason: String,
    },
}

impl ReviewStatus {
    /// snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            ReviewStatus::Submitted => "submitted",
            ReviewStatus::Accepted { .. } => "accepted",
            ReviewStatus::Rejected { .. } => "rejected",
        }
    }
}

/// A mining notification (SPEC §6).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct MiningNotification {
    /// Id.
    pub id: MiningNotificationId,
    /// Miner party.
    pub miner: PartyId,
    /// Kind.
    pub kind: MiningNotificationKind,
    /// Previous version.
    pub previous: Option<MiningNotificationId>,
    /// Next version, once one is submitted.
    pub superseded_by: Option<MiningNotificationId>,
    /// Version (1 for a start).
    pub version: u32,
    /// Site.
    pub site: MiningSite,
    /// Review status.
    pub status: ReviewStatus,
    /// True once a termination of this chain was accepted.
    pub closed: bool,
    /// Submission height.
    pub submitted_height: Height,
    /// Submission time.
    pub submitted_time_ms: TimestampMs,
    /// Number of entries in its history (state key `'U' ‖ id ‖ seq`, SPEC §6).
    pub history_len: u64,
}

/// A digital-asset activity notification (SPEC §6).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ActivityNotification {
    /// Id.
    pub id: ActivityNotificationId,
    /// Notifying party.
    pub party: PartyId,
    /// Activity.
    pub activity: Activity,
    /// Start or termination.
    pub phase: ActivityPhase,
    /// Effective date.
    pub date: Date,
    /// Review status.
    pub status: ReviewStatus,
    /// Submission height.
    pub submitted_height: Height,
    /// Number of entries in its history (state key `'L' ‖ id ‖ seq`, SPEC §6);
    /// 0 for the notification a genesis issuer is given (no transaction).
    pub history_len: u64,
}

/// Recorded equivocation evidence (SPEC §9).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Evidence id.
    pub id: Hash,
    /// The offending validator.
    pub validator: PublicKey,
    /// Height of the conflicting votes or proposals.
    pub vote_height: Height,
    /// Round of the conflicting votes or proposals.
    pub vote_round: u32,
    /// Height at which it was recorded.
    pub recorded_height: Height,
    /// The evidence itself.
    pub evidence: crate::Evidence,
}

crate::payload::stable_names! {
    EscrowStatus { Open => "open", Disputed => "disputed", Released => "released", Refunded => "refunded" }
}
