//! `tamga regulator`: every regulator operation in one place, each building
//! the payload of its domain.

use clap::{Args, Subcommand};
use tamga_types::{
    ActivityNotificationId, ClassId, EncumbranceId, EncumbranceKind, MiningNotificationId, PartyId, Payload, PublicKey,
    RecordId, ValidatorUpdate,
};

use super::governance::{set_param, update_validators, validator_update, ParamName};
use super::parties::{add_account, register_op, set_status, RegisterArgs};
use super::records::encumber;
use super::tokens::{close_op, freeze_op, lift_op, pause, CloseArgs, FreezeFlags, LiftArgs};
use super::{amount, snake, text, Op};

/// Which register a notification id belongs to.
#[derive(Debug, Args)]
pub struct NotificationRef {
    /// Notification id (a mining notification unless --activity).
    pub id: u64,
    /// The id is a digital-asset activity notification's (`assets` scope).
    #[arg(long)]
    pub activity: bool,
}

/// Regulator operations. Each needs a regulator's key; acts against a person
/// name a legal basis (Digital Code art. 20 p.4: restrictions only as far as necessary).
#[derive(Debug, Subcommand)]
pub enum RegulatorCmd {
    /// Accept a notification (`mining` scope; with --activity, `assets` scope).
    AcceptNotification(NotificationRef),
    /// Reject a notification, with a reason.
    RejectNotification {
        /// The notification.
        #[command(flatten)]
        note: NotificationRef,
        /// Reason.
        #[arg(long)]
        reason: String,
    },
    /// Register a party with its accounts; the receipt names the new `party_id`.
    RegisterParty(RegisterArgs),
    /// Change a party's status: active, suspended, revoked.
    SetPartyStatus {
        /// Party id.
        party: PartyId,
        /// New status.
        #[arg(value_parser = snake::<tamga_types::PartyStatus>)]
        status: tamga_types::PartyStatus,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Add an account key to a party, optionally with a PKI certificate.
    AddAccount {
        /// Party id.
        party: PartyId,
        /// The new key.
        #[arg(value_name = "ADDRESS")]
        account: PublicKey,
        /// PKI certificate `ISSUER:SERIAL`.
        #[arg(long)]
        cert: Option<String>,
    },
    /// Revoke any account key. Reasons (Digital Code art. 59 p.1): holder-request,
    /// false-information, death, change-of-name, reorganisation-or-liquidation, court-decision.
    RevokeKey {
        /// The key to revoke.
        #[arg(value_name = "ADDRESS")]
        account: PublicKey,
        /// Ground for revocation.
        #[arg(long, value_parser = snake::<tamga_types::RevocationReason>)]
        reason: tamga_types::RevocationReason,
    },
    /// Freeze a holding, all of it or an amount; the receipt names the new
    /// `restriction_id`, which `regulator lift` takes.
    Freeze(FreezeFlags),
    /// Pause a class; the receipt names the new `restriction_id`, which
    /// `regulator lift` takes.
    PauseClass {
        /// Class id.
        class: ClassId,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Lift any freeze or pause, the issuer's or a regulator's, named by its
    /// restriction id (SPEC §4, Digital Code art. 20 p.4).
    Lift(LiftArgs),
    /// Close a class whose supply is zero, with a legal basis (SPEC §4).
    CloseClass(CloseArgs),
    /// Move tokens between accounts with a legal basis.
    ForcedTransfer {
        /// Class id.
        #[arg(long)]
        class: ClassId,
        /// Source address.
        #[arg(long, value_name = "ADDRESS")]
        from: PublicKey,
        /// Receiving address.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
        /// Amount (display units unless --base-units).
        #[arg(long)]
        amount: String,
        /// Legal basis (court decision, article…).
        #[arg(long)]
        legal_basis: String,
    },
    /// Move all holdings and records of a lost key to another account of the same party.
    RecoverAccount {
        /// The lost account.
        #[arg(long, value_name = "ADDRESS")]
        from: PublicKey,
        /// The party's other account.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Arrest a record (an encumbrance only a regulator releases).
    Arrest {
        /// Record id.
        record: RecordId,
        /// Beneficiary's address [default: the signing --key].
        #[arg(long, value_name = "ADDRESS")]
        beneficiary: Option<PublicKey>,
        /// Legal basis (court decision…).
        #[arg(long)]
        legal_basis: String,
    },
    /// Release an arrest.
    ReleaseArrest {
        /// Record id.
        record: RecordId,
        /// The arrest's encumbrance id.
        #[arg(long, value_name = "EID")]
        encumbrance: EncumbranceId,
    },
    /// Change the validator set, effective `validator_change_delay` blocks after commit.
    UpdateValidators {
        /// `KEY:POWER:OPERATOR_PARTY[:P2P_KEY]`; power 0 removes the validator;
        /// `P2P_KEY` is the node's p2p identity (`tamgad show-key`), omitted it
        /// keeps the recorded one (the consensus key for a new validator). Repeat for several.
        #[arg(long = "set", required = true, value_name = "KEY:POWER:PARTY[:P2P_KEY]")]
        updates: Vec<String>,
    },
    /// Add a validator (or change its power).
    AddValidator {
        /// The validator's consensus key.
        #[arg(value_name = "KEY")]
        validator: PublicKey,
        /// Voting power (at least 1).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        power: u64,
        /// The operator party.
        #[arg(long)]
        operator: PartyId,
        /// The node's p2p identity key (`tamgad show-key` prints it), under
        /// whose peer id peers admit it. Without it a new
        /// validator is admitted under its consensus key, and an existing
        /// one keeps its recorded p2p key.
        #[arg(long, value_name = "KEY")]
        p2p_key: Option<PublicKey>,
    },
    /// Remove a validator.
    RemoveValidator {
        /// The validator's consensus key.
        #[arg(value_name = "KEY")]
        validator: PublicKey,
        /// The operator party.
        #[arg(long)]
        operator: PartyId,
    },
    /// Set a chain parameter: `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`.
    SetParam {
        /// Parameter name.
        #[arg(value_enum)]
        name: ParamName,
        /// New value.
        value: String,
    },
}

/// The transaction of a `regulator` command (every one is).
pub fn op(c: &RegulatorCmd) -> Op<'_> {
    match c {
        RegulatorCmd::AcceptNotification(n) => Op::fixed(move || review(n.id, n.activity, true, None)),
        RegulatorCmd::RejectNotification { note, reason } => {
            Op::fixed(move || review(note.id, note.activity, false, Some(reason)))
        }
        RegulatorCmd::RegisterParty(a) => register_op(a),
        RegulatorCmd::SetPartyStatus { party, status, legal_basis } => {
            Op::fixed(move || set_status(*party, *status, legal_basis))
        }
        RegulatorCmd::AddAccount { party, account, cert: c } => Op::fixed(move || add_account(*party, *account, c)),
        RegulatorCmd::RevokeKey { account, reason } => {
            Op::fixed(move || Ok(Payload::RevokeAccount { key: *account, reason: *reason }))
        }
        RegulatorCmd::Freeze(a) => freeze_op(a),
        RegulatorCmd::PauseClass { class, legal_basis } => Op::fixed(move || pause(*class, legal_basis)),
        RegulatorCmd::Lift(a) => lift_op(a),
        RegulatorCmd::CloseClass(a) => close_op(a),
        RegulatorCmd::ForcedTransfer { class, from, to, amount: a, legal_basis } => Op::amount_in(*class, move |d| {
            Ok(Payload::ForcedTransfer {
                class: *class,
                from: *from,
                to: *to,
                amount: amount(a, d)?,
                legal_basis: text("legal-basis", legal_basis)?,
            })
        }),
        RegulatorCmd::RecoverAccount { from, to, legal_basis } => Op::fixed(move || {
            Ok(Payload::RecoverAccount { from: *from, to: *to, legal_basis: text("legal-basis", legal_basis)? })
        }),
        RegulatorCmd::Arrest { record, beneficiary, legal_basis } => Op::new(move |ctx| {
            let b = beneficiary.or(ctx.signer).ok_or("give --beneficiary ADDRESS")?;
            encumber(*record, EncumbranceKind::Arrest, b, Some(legal_basis))
        }),
        RegulatorCmd::ReleaseArrest { record, encumbrance } => {
            Op::fixed(move || Ok(Payload::Release { record: *record, encumbrance: *encumbrance }))
        }
        RegulatorCmd::UpdateValidators { updates } => Op::fixed(move || {
            update_validators(updates.iter().map(|s| validator_update(s)).collect::<Result<Vec<_>, _>>()?)
        }),
        RegulatorCmd::AddValidator { validator, power, operator, p2p_key } => Op::fixed(move || {
            update_validators(vec![ValidatorUpdate {
                key: *validator,
                power: *power,
                operator: *operator,
                p2p_key: *p2p_key,
            }])
        }),
        RegulatorCmd::RemoveValidator { validator, operator } => Op::fixed(move || {
            update_validators(vec![ValidatorUpdate { key: *validator, power: 0, operator: *operator, p2p_key: None }])
        }),
        RegulatorCmd::SetParam { name, value } => Op::fixed(move || set_param(*name, value)),
    }
}

fn review(id: u64, activity: bool, accept: bool, reason: Option<&str>) -> Result<Payload, String> {
    if !accept && reason.is_none() {
        return Err("--reason is required to reject".into());
    }
    let reason = reason.map(|r| text("reason", r)).transpose()?;
    Ok(if activity {
        Payload::ReviewActivityNotification { notification: ActivityNotificationId(id), accept, reason }
    } else {
        Payload::ReviewMiningNotification { notification: MiningNotificationId(id), accept, reason }
    })
}
