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
    /// The 12-digit IIN (individual) or BIN (legal entity), checked before
    /// hashing: its check digit, and that its structure fits --kind (Digital
    /// Code art. 45); only its salted commitment leaves this machine.
    #[arg(long, conflicts_with = "id_commitment")]
    pub iin_bin: Option<String>,
    /// The commitment's salt: 32 random bytes (64 hex characters); a shorter
    /// one is refused. Without it a salt is generated here from the operating
    /// system's random source and shown (and saved with --salt-out). Keep it
    /// off the ledger, in the party's custody; destroying every copy makes the
    /// commitment unlinkable to the person (SPEC §3; Digital Code art. 41).
    #[arg(long, requires = "iin_bin")]
    pub salt: Option<String>,
    /// Save a generated salt to FILE (64 hex characters, mode 0600, never overwritten).
    #[arg(long, requires = "iin_bin", conflicts_with = "salt", value_name = "FILE")]
    pub salt_out: Option<std::path::PathBuf>,
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
        PartyCmd::Register(a) => register_op(a),
        PartyCmd::Status { party, status, legal_basis } => Op::fixed(move || set_status(*party, *status, legal_basis)),
        PartyCmd::AddAccount { party, new_key, cert: c } => Op::fixed(move || add_account(*party, *new_key, c)),
        PartyCmd::RevokeAccount { account, reason } => {
            Op::fixed(move || Ok(Payload::RevokeAccount { key: *account, reason: *reason }))
        }
    })
}

/// Bytes in an identifier salt (SPEC §3).
pub const SALT_LEN: usize = 32;

/// A salt this machine generated for a registration, for the user's custody.
#[derive(Clone, Debug)]
pub struct GeneratedSalt {
    /// The 32 random bytes.
    pub bytes: [u8; SALT_LEN],
    /// Where to save it (--salt-out).
    pub out: Option<std::path::PathBuf>,
}

/// `party register` / `regulator register-party`: a salt is generated once,
/// when the command becomes an [`Op`], if one is needed and none was given.
pub(super) fn register_op(a: &RegisterArgs) -> Op<'_> {
    let generated = match (&a.iin_bin, &a.salt, &a.id_commitment) {
        (Some(_), None, None) => Some(generate_salt().map(|bytes| GeneratedSalt { bytes, out: a.salt_out.clone() })),
        _ => None,
    };
    let salt = generated.as_ref().and_then(|g| g.as_ref().ok().map(|g| g.bytes));
    let failed = generated.as_ref().and_then(|g| g.as_ref().err().cloned());
    let op = Op::fixed(move || match &failed {
        Some(e) => Err(e.clone()),
        None => register(a, salt),
    });
    match generated {
        Some(Ok(g)) => op.with_generated_salt(g),
        _ => op,
    }
}

/// 32 bytes from the operating system's CSPRNG.
pub fn generate_salt() -> Result<[u8; SALT_LEN], String> {
    use rand_core::RngCore;
    let mut salt = [0u8; SALT_LEN];
    rand_core::OsRng.try_fill_bytes(&mut salt).map_err(|e| crate::i18n::t("salt.random_failed", &[&e]))?;
    Ok(salt)
}

/// `--salt HEX`: exactly 32 bytes.
pub fn parse_salt(s: &str) -> Result<[u8; SALT_LEN], String> {
    let bytes = hex::decode(s.trim()).map_err(|e| crate::i18n::t("salt.not_hex", &[&e]))?;
    <[u8; SALT_LEN]>::try_from(bytes.as_slice())
        .map_err(|_| crate::i18n::t("salt.length", &[&SALT_LEN, &(SALT_LEN * 2), &bytes.len()]))
}

/// The payload; `generated` is the salt [`register_op`] made when none was given.
pub(super) fn register(a: &RegisterArgs, generated: Option<[u8; SALT_LEN]>) -> Result<Payload, String> {
    let id_commitment = match (&a.iin_bin, &a.salt, &a.id_commitment) {
        (_, _, Some(c)) => *c,
        (Some(iin), salt, None) => {
            let salt = match (salt, generated) {
                (Some(s), _) => parse_salt(s)?,
                (None, Some(g)) => g,
                (None, None) => return Err(crate::i18n::t("salt.missing", &[])),
            };
            // The ledger sees only the commitment, so the client checks that
            // an individual gives an IIN and a legal entity a BIN (Digital
            // Code art. 45), and the check digit (SPEC §3), before signing.
            tamga_types::check_identifier_for(a.kind, iin).map_err(|e| crate::i18n::identifier_error(&e))?;
            tamga_types::identifier_commitment(&salt, iin).map_err(|e| crate::i18n::identifier_error(&e))?
        }
        _ => return Err(crate::i18n::t("register.identifier_missing", &[])),
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
