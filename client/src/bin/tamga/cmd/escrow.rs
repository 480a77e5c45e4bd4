//! `tamga escrow`: escrows (Digital Code art. 67), and the payloads of their operations.

use clap::{Args, Subcommand, ValueEnum};
use tamga_types::{ClassId, EscrowAsset, EscrowId, Hash, Height, PartyId, Payload, PublicKey, RecordId};

use super::{amount, text, Op};

/// `escrow <id>` or an escrow subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct EscrowArgs {
    /// Escrow id to show.
    pub id: Option<EscrowId>,
    /// An escrow operation.
    #[command(subcommand)]
    pub cmd: Option<EscrowCmd>,
}

/// Escrow operations (Digital Code art. 67).
#[derive(Debug, Subcommand)]
pub enum EscrowCmd {
    /// All escrows.
    List {
        /// Only escrows where this party is payer, payee or arbiter.
        #[arg(long)]
        party: Option<PartyId>,
    },
    /// One escrow.
    Show {
        /// Escrow id.
        id: EscrowId,
    },
    /// Lock tokens (`--class` and `--amount`) or a record (`--record`) for a payee (payer).
    Create {
        /// Payee account.
        #[arg(long)]
        payee: PublicKey,
        /// Arbiter account (its party decides disputes).
        #[arg(long)]
        arbiter: PublicKey,
        /// Class of the locked tokens.
        #[arg(long, requires = "amount", conflicts_with = "record")]
        class: Option<ClassId>,
        /// Amount of tokens (display units unless --base-units).
        #[arg(long, requires = "class")]
        amount: Option<String>,
        /// The locked record.
        #[arg(long, required_unless_present = "class")]
        record: Option<RecordId>,
        /// Hash of the human-readable terms (hex).
        #[arg(long)]
        terms_hash: Hash,
        /// Height after which the payer may be refunded.
        #[arg(long)]
        deadline_height: Height,
    },
    /// Confirm: the asset goes to the payee (payer).
    Release {
        /// Escrow id.
        escrow: EscrowId,
    },
    /// Take the asset back after the deadline (payer).
    Refund {
        /// Escrow id.
        escrow: EscrowId,
    },
    /// Dispute (payer or payee).
    Dispute {
        /// Escrow id.
        escrow: EscrowId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Decide a dispute (arbiter).
    Resolve {
        /// Escrow id.
        escrow: EscrowId,
        /// Who gets the asset.
        #[arg(long, value_enum)]
        to: Party2,
        /// The decision's reasoning.
        #[arg(long)]
        reason: String,
    },
}

/// A side of an escrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Party2 {
    /// The payee.
    Payee,
    /// The payer.
    Payer,
}

/// The transaction of an `escrow` command, if it is one (a query is not).
pub fn op(c: &EscrowCmd) -> Option<Op<'_>> {
    Some(match c {
        EscrowCmd::List { .. } | EscrowCmd::Show { .. } => return None,
        EscrowCmd::Create { payee, arbiter, class, amount: a, record, terms_hash, deadline_height } => {
            let build = move |d: Option<u8>| {
                let asset = match (class, a, record) {
                    (Some(class), Some(a), None) => EscrowAsset::Tokens { class: *class, amount: amount(a, d)? },
                    (None, None, Some(record)) => EscrowAsset::Record { record: *record },
                    _ => return Err("give either --class with --amount, or --record".into()),
                };
                Ok(Payload::CreateEscrow {
                    payee: *payee,
                    arbiter: *arbiter,
                    asset,
                    terms_hash: *terms_hash,
                    deadline_height: *deadline_height,
                })
            };
            match class {
                Some(c) => Op::amount_in(*c, build),
                None => Op::new(move |c| build(c.decimals)),
            }
        }
        EscrowCmd::Release { escrow } => Op::fixed(move || Ok(Payload::ReleaseEscrow { escrow: *escrow })),
        EscrowCmd::Refund { escrow } => Op::fixed(move || Ok(Payload::RefundEscrow { escrow: *escrow })),
        EscrowCmd::Dispute { escrow, reason } => {
            Op::fixed(move || Ok(Payload::DisputeEscrow { escrow: *escrow, reason: text("reason", reason)? }))
        }
        EscrowCmd::Resolve { escrow, to, reason } => Op::fixed(move || {
            Ok(Payload::ResolveEscrow {
                escrow: *escrow,
                to_payee: *to == Party2::Payee,
                reason: text("reason", reason)?,
            })
        }),
    })
}
