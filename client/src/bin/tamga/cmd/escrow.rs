//! `tamga escrow`: escrows (Digital Code art. 67), and the payloads of their
//! operations. `publish-terms --file` and `create --terms-file` read the terms
//! file when the payload is built ([`read_terms`]); every other builder is pure.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use tamga_types::limits::MAX_TERMS;
use tamga_types::{ClassId, EscrowAsset, EscrowId, Hash, Height, PartyId, Payload, PublicKey, RecordId, TermsText};

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
        /// SHA-256 of the human-readable terms (hex), published on the chain
        /// first (`escrow publish-terms`; SPEC §7).
        #[arg(long, required_unless_present = "terms_file", conflicts_with = "terms_file")]
        terms_hash: Option<Hash>,
        /// The terms' text file instead of --terms-hash: its SHA-256 is
        /// named (the same text must be published with `escrow publish-terms`).
        #[arg(long, value_name = "FILE")]
        terms_file: Option<PathBuf>,
        /// Height after which the payer may be refunded.
        #[arg(long)]
        deadline_height: Height,
    },
    /// Publish the human-readable terms of escrows on the chain, stored under
    /// their SHA-256, which `escrow create --terms-hash` names (SPEC §7,
    /// Digital Code art. 67). At most 8 KiB of UTF-8 text.
    PublishTerms {
        /// The terms' text file (UTF-8, at most 8192 bytes).
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the terms published under HASH, checked against the hash (a
    /// mismatch is an error); with the global --out FILE, write them to FILE.
    Terms {
        /// SHA-256 of the terms (an escrow's `terms_hash`).
        hash: Hash,
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
        EscrowCmd::List { .. } | EscrowCmd::Show { .. } | EscrowCmd::Terms { .. } => return None,
        EscrowCmd::PublishTerms { file } => Op::fixed(move || Ok(Payload::PublishTerms { text: read_terms(file)? })),
        EscrowCmd::Create { payee, arbiter, class, amount: a, record, terms_hash, terms_file, deadline_height } => {
            let build = move |d: Option<u8>| {
                let asset = match (class, a, record) {
                    (Some(class), Some(a), None) => EscrowAsset::Tokens { class: *class, amount: amount(a, d)? },
                    (None, None, Some(record)) => EscrowAsset::Record { record: *record },
                    _ => return Err("give either --class with --amount, or --record".into()),
                };
                let terms_hash = match (terms_hash, terms_file) {
                    (Some(h), None) => *h,
                    (None, Some(f)) => Hash::sha256(read_terms(f)?.as_str().as_bytes()),
                    _ => return Err("give either --terms-hash or --terms-file".into()),
                };
                Ok(Payload::CreateEscrow {
                    payee: *payee,
                    arbiter: *arbiter,
                    asset,
                    terms_hash,
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

/// The escrow terms in `file`: UTF-8 text of at most [`MAX_TERMS`] bytes
/// (SPEC §7), the limit the ledger applies to `PublishTerms`.
pub fn read_terms(file: &Path) -> Result<TermsText, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read the terms file {}: {e}", file.display()))?;
    if bytes.len() > MAX_TERMS {
        return Err(format!(
            "the terms file {} is {} bytes: escrow terms are at most {MAX_TERMS} bytes",
            file.display(),
            bytes.len()
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "the terms file {} is not UTF-8 text: invalid byte at offset {}",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    TermsText::new(text).map_err(|e| {
        format!("the terms file {} is {} bytes: escrow terms are at most {} bytes", file.display(), e.len, e.max)
    })
}
