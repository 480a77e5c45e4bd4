//! `tamga token`: secured token classes and holdings (Law on Informatization
//! art. 33-1 p.2), and the payloads of their operations.

use clap::{Args, Subcommand};
use tamga_types::{BoundedVec, ClassId, Hash, PartyId, Payload, PublicKey, RestrictionId, Right, RightKind};

use super::{amount, snake, text, Op};

/// Token classes and holdings (Law on Informatization art. 33-1 p.2).
///
/// AMOUNTS: `--amount N` is in the class's display units, the class's
/// `decimals` fetched from the node: in a class with 3 decimals (the devnet's
/// DEVGRAIN) `--amount 5` is 5000 base units and `--amount 0.25` is 250. A
/// plain integer therefore means whole tokens. With --base-units the amount is
/// the raw integer the ledger stores (`--base-units --amount 5` is 5 base
/// units). Balances and receipts always show base units.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// All token classes: id, symbol, issuer, supply (base units), decimals, …
    List {
        /// Only the classes of this issuer party.
        #[arg(long)]
        issuer: Option<PartyId>,
    },
    /// One class.
    Show {
        /// Class id.
        id: ClassId,
    },
    /// Holders of a class.
    Holders {
        /// Class id.
        id: ClassId,
    },
    /// Create a secured token class (issuer).
    Create(CreateClassArgs),
    /// Issuer mints tokens to an eligible holder.
    ///
    /// `--amount` is in display units (whole tokens; a class with 3 decimals
    /// turns `--amount 5` into 5000 base units) unless --base-units.
    Mint(TokenMove),
    /// Transfer tokens from the --key account.
    ///
    /// `--amount` is in display units (whole tokens; a class with 3 decimals
    /// turns `--amount 5` into 5000 base units) unless --base-units.
    Transfer(TokenMove),
    /// Redeem tokens to the issuer, claiming one of the class's rights.
    Redeem {
        /// Class id.
        #[arg(long)]
        class: ClassId,
        /// Amount (display units unless --base-units).
        #[arg(long)]
        amount: String,
        /// Index of the claimed right in the class's `rights` list.
        #[arg(long, default_value_t = 0)]
        right: u32,
    },
    /// Freeze a holding, all of it or an amount (issuer or regulator); the
    /// receipt names the new `restriction_id`, which `token lift` takes.
    Freeze(FreezeFlags),
    /// Pause a class (issuer or regulator); the receipt names the new
    /// `restriction_id`, which `token lift` takes.
    Pause {
        /// Class id.
        class: ClassId,
        /// Legal basis or reason.
        #[arg(long)]
        legal_basis: String,
    },
    /// Lift one freeze or pause, named by its restriction id (SPEC §4, Digital
    /// Code art. 20 p.4). The issuer lifts its own; a regulator's restriction
    /// only a regulator lifts (`tamga regulator lift`).
    Lift(LiftArgs),
    /// Close a class whose supply is zero (issuer; SPEC §4): a closed class
    /// accepts nothing but queries.
    Close(CloseArgs),
    /// The freezes and pauses of a class, standing or lifted (SPEC §4), or
    /// only one holder's.
    Restrictions {
        /// Class id.
        class: ClassId,
        /// Only this holder's freezes (and the class's pauses are left out).
        #[arg(long, value_name = "KEY")]
        holder: Option<PublicKey>,
    },
}

/// `RESTRICTION_ID --legal-basis TEXT` of `token lift` and `regulator lift`.
#[derive(Debug, Args)]
pub struct LiftArgs {
    /// The freeze's or pause's restriction id (from its receipt, or `tamga token restrictions CLASS`).
    #[arg(value_name = "RESTRICTION_ID")]
    pub restriction: RestrictionId,
    /// Legal basis of the lifting (court decision, article…).
    #[arg(long)]
    pub legal_basis: String,
}

/// `CLASS --legal-basis TEXT` of `token close` and `regulator close-class`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// Class id (its supply must be zero).
    pub class: ClassId,
    /// Legal basis (a regulator) or reason (the issuer).
    #[arg(long)]
    pub legal_basis: String,
}

/// `token mint|transfer --class ID --to ADDRESS --amount N`.
#[derive(Debug, Args)]
pub struct TokenMove {
    /// Class id.
    #[arg(long)]
    pub class: ClassId,
    /// Receiving address (64 hex).
    #[arg(long, value_name = "ADDRESS")]
    pub to: PublicKey,
    /// Amount: display units of the class (`5` = 5 whole tokens) unless --base-units.
    #[arg(long, value_name = "N")]
    pub amount: String,
}

/// `token create` / `class create`.
#[derive(Debug, Args)]
pub struct CreateClassArgs {
    /// Ticker, 1–12 upper-case letters or digits.
    #[arg(long)]
    pub symbol: String,
    /// Human name.
    #[arg(long)]
    pub name: String,
    /// Decimal places (0–18).
    #[arg(long)]
    pub decimals: u8,
    /// Supply cap (display units with --decimals unless --base-units).
    #[arg(long)]
    pub cap: Option<String>,
    /// A right the token certifies: `goods:DESCRIPTION` or `services:DESCRIPTION`. Repeat for several.
    #[arg(long = "right", required = true, value_name = "KIND:DESCRIPTION")]
    pub rights: Vec<String>,
    /// SHA-256 of the backing document (hex).
    #[arg(long)]
    pub document_hash: Hash,
    /// Where the backing document is published.
    #[arg(long)]
    pub document_uri: String,
    /// Redemption terms.
    #[arg(long)]
    pub redemption_terms: String,
}

/// `--class --holder [--amount] --legal-basis` of `token freeze` and `regulator freeze`.
#[derive(Debug, Args)]
pub struct FreezeFlags {
    /// Class id.
    #[arg(long)]
    pub class: ClassId,
    /// The holder's address.
    #[arg(long, value_name = "ADDRESS")]
    pub holder: PublicKey,
    /// Amount (display units unless --base-units) [default: the whole holding].
    #[arg(long)]
    pub amount: Option<String>,
    /// Legal basis (court decision, article…).
    #[arg(long)]
    pub legal_basis: String,
}

/// The transaction of a `token` command, if it is one (a query is not).
pub fn op(c: &TokenCmd) -> Option<Op<'_>> {
    Some(match c {
        TokenCmd::List { .. } | TokenCmd::Show { .. } | TokenCmd::Holders { .. } | TokenCmd::Restrictions { .. } => {
            return None
        }
        TokenCmd::Create(a) => Op::new(move |c| create_class(a, c.decimals)),
        TokenCmd::Mint(m) => Op::amount_in(m.class, move |d| {
            Ok(Payload::Mint { class: m.class, to: m.to, amount: amount(&m.amount, d)? })
        }),
        TokenCmd::Transfer(m) => Op::amount_in(m.class, move |d| {
            Ok(Payload::Transfer { class: m.class, to: m.to, amount: amount(&m.amount, d)? })
        }),
        TokenCmd::Redeem { class, amount: a, right } => {
            Op::amount_in(*class, move |d| Ok(Payload::Redeem { class: *class, amount: amount(a, d)?, right: *right }))
        }
        TokenCmd::Freeze(a) => freeze_op(a),
        TokenCmd::Pause { class, legal_basis } => Op::fixed(move || pause(*class, legal_basis)),
        TokenCmd::Lift(a) => lift_op(a),
        TokenCmd::Close(a) => close_op(a),
    })
}

/// A freeze, in the class's units when an amount is given.
pub(super) fn freeze_op(a: &FreezeFlags) -> Op<'_> {
    let build = move |d| freeze_payload(a.class, a.holder, a.amount.as_deref(), &a.legal_basis, d);
    match a.amount {
        Some(_) => Op::amount_in(a.class, build),
        None => Op::new(move |c| build(c.decimals)),
    }
}

fn create_class(a: &CreateClassArgs, decimals: Option<u8>) -> Result<Payload, String> {
    // The cap is in the new class's own decimals.
    let cap_decimals = decimals.map(|_| a.decimals);
    let rights = a.rights.iter().map(|r| right(r)).collect::<Result<Vec<_>, _>>()?;
    Ok(Payload::CreateClass {
        symbol: text("symbol", &a.symbol)?,
        name: text("name", &a.name)?,
        decimals: a.decimals,
        supply_cap: a.cap.as_deref().map(|c| amount(c, cap_decimals)).transpose()?,
        rights: BoundedVec::new(rights).map_err(|e| format!("{} rights, at most {}", e.len, e.max))?,
        document_hash: a.document_hash,
        document_uri: text("document-uri", &a.document_uri)?,
        redemption_terms: text("redemption-terms", &a.redemption_terms)?,
    })
}

fn right(s: &str) -> Result<Right, String> {
    let (kind, description) =
        s.split_once(':').ok_or_else(|| format!("right {s:?}: expected goods:DESCRIPTION or services:DESCRIPTION"))?;
    let kind: RightKind = snake(kind).map_err(|e| format!("right {s:?}: {e}"))?;
    Ok(Right { kind, description: text("right", description)? })
}

/// A pause (SPEC §4); lifting it is [`lift_op`] (`SetClassPaused { paused:
/// false }` is refused by the ledger).
pub(super) fn pause(class: ClassId, legal_basis: &str) -> Result<Payload, String> {
    Ok(Payload::SetClassPaused { class, paused: true, legal_basis: text("legal-basis", legal_basis)? })
}

/// Lifting one restriction by its id (SPEC §4, Digital Code art. 20 p.4).
pub(super) fn lift_op(a: &LiftArgs) -> Op<'_> {
    Op::fixed(move || {
        Ok(Payload::LiftRestriction { restriction: a.restriction, legal_basis: text("legal-basis", &a.legal_basis)? })
    })
}

/// Closing a class of zero supply (SPEC §4).
pub(super) fn close_op(a: &CloseArgs) -> Op<'_> {
    Op::fixed(move || Ok(Payload::CloseClass { class: a.class, legal_basis: text("legal-basis", &a.legal_basis)? }))
}

fn freeze_payload(
    class: ClassId,
    holder: PublicKey,
    amt: Option<&str>,
    legal_basis: &str,
    decimals: Option<u8>,
) -> Result<Payload, String> {
    let amount = amt.map(|s| amount(s, decimals)).transpose()?;
    Ok(Payload::Freeze { class, holder, amount, legal_basis: text("legal-basis", legal_basis)? })
}
