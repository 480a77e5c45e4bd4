//! `tamga party`: the party register (SPEC §3), and the payloads of its operations.

use clap::{Args, Subcommand};
use tamga_types::{BoundedVec, CertificateRef, Hash, PartyId, PartyStatus, Payload, PublicKey};

use super::{snake, text, Op};

/// `party <id>` or a party subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct PartyArgs {
    /// Party id to show.
    pub id: Option<PartyId>,
    /// A party operation.
    #[command(subcommand)]
    pub cmd: Option<PartyCmd>,
}

/// Party operations.
#[derive(Debug, Subcommand)]
pub enum PartyCmd {
    /// All parties.
    List,
    /// One party with its accounts and roles.
    Show {
        /// Party id.
        id: PartyId,
    },
    /// Register a party with its accounts (regulator).
    Register(RegisterArgs),
    /// Change a party's status (regulator): `active`, `suspended`, `revoked`.
    Status {
        /// Party id.
        party: PartyId,
        /// New status.
        #[arg(value_parser = snake::<tamga_types::PartyStatus>)]
        status: tamga_types::PartyStatus,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Add an account key to a party (the party itself, or a regulator).
    AddAccount {
        /// Party id.
        party: PartyId,
        /// The new key.
        #[arg(value_name = "KEY")]
        new_key: PublicKey,
        /// PKI certificate `ISSUER:SERIAL` (regulator only).
        #[arg(long)]
        cert: Option<String>,
    },
    /// Revoke an account key. Reasons (Digital Code art. 59 p.1): holder-request,
    /// false-information, death, change-of-name, reorganisation-or-liquidation, court-decision.
    RevokeAccount {
        /// The key to revoke.
        #[arg(value_name = "KEY")]
        account: PublicKey,
        /// Ground for revocation.
        #[arg(long, value_parser = snake::<tamga_types::RevocationReason>)]
        reason: tamga_types::RevocationReason,
    },
}

/// `party register` / `regulator register-party`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// `individual` or `legal-entity`.
    #[arg(long, value_parser = snake::<tamga_types::PartyKind>)]
    pub kind: tamga_types::PartyKind,
    /// The 12-digit IIN/BIN (check digit verified before hashing); only its salted commitment leaves this machine.
    #[arg(long, requires = "salt", conflicts_with = "id_commitment")]
    pub iin_bin: Option<String>,
    /// 32-byte salt (hex) for the commitment; keep it off-chain (Digital Code art. 41:
    /// the ledger never holds the identifier itself).
    #[arg(long, requires = "iin_bin")]
    pub salt: Option<String>,
    /// A precomputed commitment H(salt ‖ IIN/BIN), instead of --iin-bin/--salt.
    #[arg(long)]
    pub id_commitment: Option<Hash>,
    /// Display name (legal entities only).
    #[arg(long)]
    pub name: Option<String>,
    /// Account key, optionally with a PKI certificate: `KEY` or `KEY:ISSUER:SERIAL`. Repeat for several.
    #[arg(long = "account", required = true, value_name = "KEY[:ISSUER:SERIAL]")]
    pub accounts: Vec<String>,
}

/// The transaction of a `party` command, if it is one (a query is not).
pub fn op(c: &PartyCmd) -> Option<Op<'_>> {
    Some(match c {
        PartyCmd::List | PartyCmd::Show { .. } => return None,
        PartyCmd::Register(a) => Op::fixed(move || register(a)),
        PartyCmd::Status { party, status, legal_basis } => Op::fixed(move || set_status(*party, *status, legal_basis)),
        PartyCmd::AddAccount { party, new_key, cert: c } => Op::fixed(move || add_account(*party, *new_key, c)),
        PartyCmd::RevokeAccount { account, reason } => {
            Op::fixed(move || Ok(Payload::RevokeAccount { key: *account, reason: *reason }))
        }
    })
}

pub(super) fn register(a: &RegisterArgs) -> Result<Payload, String> {
    let id_commitment = match (&a.iin_bin, &a.salt, &a.id_commitment) {
        (_, _, Some(c)) => *c,
        (Some(iin), Some(salt), None) => {
            let salt = Hash::from_hex(salt).map_err(|e| format!("--salt: {e}"))?;
            // Verifies the IIN/BIN check digit before hashing (SPEC §3).
            tamga_types::identifier_commitment(&salt.0, iin).map_err(|e| e.to_string())?
        }
        _ => return Err("give --iin-bin with --salt, or --id-commitment".into()),
    };
    let accounts = a.accounts.iter().map(|a| account_entry(a)).collect::<Result<Vec<_>, _>>()?;
    Ok(Payload::RegisterParty {
        kind: a.kind,
        id_commitment,
        display_name: a.name.as_deref().map(|n| text("name", n)).transpose()?,
        accounts: BoundedVec::new(accounts).map_err(|e| format!("{} accounts, at most {}", e.len, e.max))?,
    })
}

/// `SetPartyStatus` (`party status`, `regulator set-party-status`).
pub(super) fn set_status(party: PartyId, status: PartyStatus, legal_basis: &str) -> Result<Payload, String> {
    Ok(Payload::SetPartyStatus { party, status, legal_basis: text("legal-basis", legal_basis)? })
}

/// `AddAccount` (`party add-account`, `regulator add-account`).
pub(super) fn add_account(party: PartyId, key: PublicKey, c: &Option<String>) -> Result<Payload, String> {
    Ok(Payload::AddAccount { party, key, certificate: c.as_deref().map(cert).transpose()? })
}

pub(super) fn cert(s: &str) -> Result<CertificateRef, String> {
    let (issuer, serial) = s.split_once(':').ok_or_else(|| format!("certificate {s:?}: expected ISSUER:SERIAL"))?;
    if issuer.is_empty() || serial.is_empty() {
        return Err(format!("certificate {s:?}: issuer and serial must not be empty"));
    }
    Ok(CertificateRef { issuer: text("cert", issuer)?, serial: text("cert", serial)? })
}

fn account_entry(s: &str) -> Result<(PublicKey, Option<CertificateRef>), String> {
    let (key, rest) = match s.split_once(':') {
        Some((k, r)) => (k, Some(r)),
        None => (s, None),
    };
    let key = PublicKey::from_hex(key).map_err(|e| format!("account {key:?}: {e}"))?;
    Ok((key, rest.map(cert).transpose()?))
}
