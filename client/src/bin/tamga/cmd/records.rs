//! `tamga record`: right-certifying records (Digital Code art. 21 p.2(2)),
//! and the payloads of their operations.

use clap::{Args, Subcommand};
use tamga_types::{EncumbranceId, EncumbranceKind, Hash, Payload, PublicKey, RecordId, RecordObject};

use super::{kebab, snake, text, Op};

/// `record <id>` or a record subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct RecordArgs {
    /// Record id to show (with history).
    pub id: Option<RecordId>,
    /// A record operation.
    #[command(subcommand)]
    pub cmd: Option<RecordCmd>,
}

/// Record operations (Digital Code art. 21 p.2(2)).
#[derive(Debug, Subcommand)]
pub enum RecordCmd {
    /// A record with its encumbrances and full history.
    Show {
        /// Record id.
        id: RecordId,
    },
    /// The records an account holds [default: the --key account].
    List {
        /// Holder's address.
        #[arg(long, value_name = "ADDRESS")]
        holder: Option<PublicKey>,
    },
    /// Certify a right to a holder (issuer or regulator); the receipt names the new `record_id`.
    Issue {
        /// The holder's address.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
        /// Object kind: thing, goods, raw-resource, claim, digital-object, other.
        #[arg(long, value_parser = snake::<tamga_types::ObjectKind>)]
        kind: tamga_types::ObjectKind,
        /// Description of the object.
        #[arg(long)]
        description: String,
        /// External reference (cadastre number, contract number…).
        #[arg(long)]
        external_ref: Option<String>,
        /// Hash of the underlying document (hex).
        #[arg(long)]
        document_hash: Option<Hash>,
    },
    /// Transfer a record to another account (holder).
    Transfer {
        /// Record id.
        record: RecordId,
        /// New holder's address.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
    },
    /// Encumber a record (holder): pledge, lien or other; the receipt names the new `encumbrance_id`.
    ///
    /// An arrest is a regulator's act: `tamga regulator arrest`.
    Encumber {
        /// Record id.
        record: RecordId,
        /// pledge, lien, other (arrest: regulator).
        #[arg(long, value_parser = snake::<tamga_types::EncumbranceKind>)]
        kind: tamga_types::EncumbranceKind,
        /// Beneficiary's address (its party becomes the beneficiary).
        #[arg(long, value_name = "ADDRESS")]
        beneficiary: PublicKey,
        /// Legal basis (the agreement) [default: "<kind> granted by the holder"; required for an arrest].
        #[arg(long)]
        legal_basis: Option<String>,
    },
    /// Release an encumbrance (beneficiary; a regulator for an arrest).
    Release {
        /// Record id.
        record: RecordId,
        /// Encumbrance id.
        #[arg(long, value_name = "EID")]
        encumbrance: EncumbranceId,
    },
    /// Terminate a record (certifier or holder). Reasons: redeemed, expired, object-lost, court-decision, other.
    Terminate {
        /// Record id.
        record: RecordId,
        /// Ground (Digital Code art. 44 p.4).
        #[arg(long, value_parser = snake::<tamga_types::TerminationReason>)]
        reason: tamga_types::TerminationReason,
    },
}

/// The transaction of a `record` command, if it is one (a query is not).
pub fn op(c: &RecordCmd) -> Option<Op<'_>> {
    Some(match c {
        RecordCmd::Show { .. } | RecordCmd::List { .. } => return None,
        RecordCmd::Issue { to, kind, description, external_ref, document_hash } => Op::fixed(move || {
            Ok(Payload::IssueRecord {
                holder: *to,
                object: RecordObject {
                    kind: *kind,
                    description: text("description", description)?,
                    external_ref: external_ref.as_deref().map(|r| text("external-ref", r)).transpose()?,
                    document_hash: *document_hash,
                },
            })
        }),
        RecordCmd::Transfer { record, to } => {
            Op::fixed(move || Ok(Payload::TransferRecord { record: *record, to: *to }))
        }
        RecordCmd::Encumber { record, kind, beneficiary, legal_basis } => {
            Op::fixed(move || encumber(*record, *kind, *beneficiary, legal_basis.as_deref()))
        }
        RecordCmd::Release { record, encumbrance } => {
            Op::fixed(move || Ok(Payload::Release { record: *record, encumbrance: *encumbrance }))
        }
        RecordCmd::Terminate { record, reason } => {
            Op::fixed(move || Ok(Payload::TerminateRecord { record: *record, reason: *reason }))
        }
    })
}

pub(super) fn encumber(
    record: tamga_types::RecordId,
    kind: EncumbranceKind,
    beneficiary: PublicKey,
    legal_basis: Option<&str>,
) -> Result<Payload, String> {
    let basis = match (legal_basis, kind) {
        (Some(b), _) => b.to_owned(),
        (None, EncumbranceKind::Arrest) => {
            return Err("an arrest needs --legal-basis (use `tamga regulator arrest`)".into())
        }
        (None, k) => format!("{} granted by the holder", kebab(&k)),
    };
    Ok(Payload::Encumber { record, kind, beneficiary, legal_basis: text("legal-basis", &basis)? })
}
