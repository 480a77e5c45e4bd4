//! From command-line arguments to payloads (pure: no I/O, unit-tested).
//!
//! A command that carries a token amount names the class whose decimals it
//! needs ([`Op::amount_class`]); the caller fetches them (unless
//! `--base-units`) and passes them to [`Op::payload`].

use tamga_client::amount::{parse_amount, parse_base_units};
use tamga_types::{
    BoundedString, BoundedVec, CertificateRef, ClassId, EscrowAsset, Hash, MiningSite, ParameterChange, PartyId,
    Payload, PublicKey, RecordObject, Right, RightKind, ValidatorUpdate,
};

use crate::args::{
    ActivityCmd, ClassCmd, Command, Decision, EscrowCmd, FreezeArgs, MiningCmd, ParamName, ParamsCmd, Party2, PartyCmd,
    RecordCmd, ValidatorsCmd,
};

/// A transaction command, borrowed from the parsed command line.
#[derive(Debug)]
pub enum Op<'a> {
    /// A top-level transaction command (mint, transfer, …).
    Top(&'a Command),
    /// `party …`.
    Party(&'a PartyCmd),
    /// `class …`.
    Class(&'a ClassCmd),
    /// `record …`.
    Record(&'a RecordCmd),
    /// `escrow …`.
    Escrow(&'a EscrowCmd),
    /// `mining submit|review`.
    Mining(&'a MiningCmd),
    /// `activity submit|review`.
    Activity(&'a ActivityCmd),
    /// `validators update`.
    Validators(&'a ValidatorsCmd),
    /// `params set`.
    Params(&'a ParamsCmd),
}

fn text<const N: usize>(field: &str, s: &str) -> Result<BoundedString<N>, String> {
    BoundedString::new(s).map_err(|e| format!("--{field} is {} bytes, at most {} allowed", e.len, e.max))
}

fn amount(s: &str, decimals: Option<u8>) -> Result<u128, String> {
    match decimals {
        Some(d) => parse_amount(s, d),
        None => parse_base_units(s),
    }
    .map_err(|e| e.to_string())
}

fn cert(s: &str) -> Result<CertificateRef, String> {
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

fn right(s: &str) -> Result<Right, String> {
    let (kind, description) =
        s.split_once(':').ok_or_else(|| format!("right {s:?}: expected goods:DESCRIPTION or services:DESCRIPTION"))?;
    let kind: RightKind = crate::args::snake(kind).map_err(|e| format!("right {s:?}: {e}"))?;
    Ok(Right { kind, description: text("right", description)? })
}

fn validator_update(s: &str) -> Result<ValidatorUpdate, String> {
    let bad = || format!("validator update {s:?}: expected KEY:POWER:PARTY");
    let mut it = s.split(':');
    let (k, p, o) = (it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?);
    if it.next().is_some() {
        return Err(bad());
    }
    Ok(ValidatorUpdate {
        key: PublicKey::from_hex(k).map_err(|e| format!("validator key {k:?}: {e}"))?,
        power: p.parse().map_err(|_| format!("validator power {p:?}: expected an unsigned integer"))?,
        operator: PartyId(o.parse().map_err(|_| format!("operator party {o:?}: expected a party id"))?),
    })
}

fn review_reason(decision: Decision, reason: &Option<String>) -> Result<Option<tamga_types::Text>, String> {
    match (decision, reason) {
        (Decision::Reject, None) => Err("--reason is required to reject".into()),
        (_, r) => r.as_deref().map(|r| text("reason", r)).transpose(),
    }
}

fn freeze(
    a: &FreezeArgs,
    decimals: Option<u8>,
) -> Result<(ClassId, PublicKey, Option<u128>, tamga_types::Text), String> {
    let amt = a.amount.as_deref().map(|s| amount(s, decimals)).transpose()?;
    Ok((a.class, a.holder, amt, text("legal-basis", &a.legal_basis)?))
}

impl<'a> Op<'a> {
    /// The transaction command in `cmd`, if it is one (queries are not).
    pub fn of(cmd: &'a Command) -> Option<Op<'a>> {
        use crate::args::{ClassArgs, EscrowArgs, ParamsArgs, PartyArgs, RecordArgs, ValidatorsArgs};
        Some(match cmd {
            Command::Mint { .. }
            | Command::Transfer { .. }
            | Command::Redeem { .. }
            | Command::Freeze(_)
            | Command::Unfreeze(_)
            | Command::ForcedTransfer { .. }
            | Command::RecoverAccount { .. } => Op::Top(cmd),
            Command::Party(PartyArgs { cmd: Some(c), .. }) => Op::Party(c),
            Command::Class(ClassArgs { cmd: Some(c), .. }) => Op::Class(c),
            Command::Record(RecordArgs { cmd: Some(c), .. }) => Op::Record(c),
            Command::Escrow(EscrowArgs { cmd: Some(c), .. }) => Op::Escrow(c),
            Command::Mining(c @ (MiningCmd::Submit(_) | MiningCmd::Review { .. })) => Op::Mining(c),
            Command::Activity(c @ (ActivityCmd::Submit { .. } | ActivityCmd::Review { .. })) => Op::Activity(c),
            Command::Validators(ValidatorsArgs { cmd: Some(c), .. }) => Op::Validators(c),
            Command::Params(ParamsArgs { cmd: Some(c) }) => Op::Params(c),
            _ => return None,
        })
    }

    /// The class whose decimals the command's amount is expressed in, if any.
    pub fn amount_class(&self) -> Option<ClassId> {
        match self {
            Op::Top(Command::Mint { class, .. })
            | Op::Top(Command::Transfer { class, .. })
            | Op::Top(Command::Redeem { class, .. })
            | Op::Top(Command::ForcedTransfer { class, .. }) => Some(*class),
            Op::Top(Command::Freeze(a)) | Op::Top(Command::Unfreeze(a)) => a.amount.as_ref().map(|_| a.class),
            Op::Escrow(EscrowCmd::Create { class: Some(c), .. }) => Some(*c),
            _ => None,
        }
    }

    /// The payload. `decimals`: the decimals of [`Op::amount_class`] (or of
    /// the class being created), `None` when amounts are base units.
    pub fn payload(&self, decimals: Option<u8>) -> Result<Payload, String> {
        Ok(match self {
            Op::Top(c) => match c {
                Command::Mint { class, to, amount: a } => {
                    Payload::Mint { class: *class, to: *to, amount: amount(a, decimals)? }
                }
                Command::Transfer { class, to, amount: a } => {
                    Payload::Transfer { class: *class, to: *to, amount: amount(a, decimals)? }
                }
                Command::Redeem { class, amount: a, right } => {
                    Payload::Redeem { class: *class, amount: amount(a, decimals)?, right: *right }
                }
                Command::Freeze(a) => {
                    let (class, holder, amount, legal_basis) = freeze(a, decimals)?;
                    Payload::Freeze { class, holder, amount, legal_basis }
                }
                Command::Unfreeze(a) => {
                    let (class, holder, amount, legal_basis) = freeze(a, decimals)?;
                    Payload::Unfreeze { class, holder, amount, legal_basis }
                }
                Command::ForcedTransfer { class, from, to, amount: a, legal_basis } => Payload::ForcedTransfer {
                    class: *class,
                    from: *from,
                    to: *to,
                    amount: amount(a, decimals)?,
                    legal_basis: text("legal-basis", legal_basis)?,
                },
                Command::RecoverAccount { from, to, legal_basis } => {
                    Payload::RecoverAccount { from: *from, to: *to, legal_basis: text("legal-basis", legal_basis)? }
                }
                other => return Err(format!("{other:?} is not a transaction command")),
            },
            Op::Party(c) => match c {
                PartyCmd::Register { kind, iin_bin, salt, id_commitment, name, accounts } => {
                    let id_commitment = match (iin_bin, salt, id_commitment) {
                        (_, _, Some(c)) => *c,
                        (Some(iin), Some(salt), None) => {
                            let salt = Hash::from_hex(salt).map_err(|e| format!("--salt: {e}"))?;
                            tamga_types::identifier_commitment(&salt.0, iin).map_err(|e| e.to_string())?
                        }
                        _ => return Err("give --iin-bin with --salt, or --id-commitment".into()),
                    };
                    let accounts = accounts.iter().map(|a| account_entry(a)).collect::<Result<Vec<_>, _>>()?;
                    Payload::RegisterParty {
                        kind: *kind,
                        id_commitment,
                        display_name: name.as_deref().map(|n| text("name", n)).transpose()?,
                        accounts: BoundedVec::new(accounts)
                            .map_err(|e| format!("{} accounts, at most {}", e.len, e.max))?,
                    }
                }
                PartyCmd::Status { party, status, legal_basis } => Payload::SetPartyStatus {
                    party: *party,
                    status: *status,
                    legal_basis: text("legal-basis", legal_basis)?,
                },
                PartyCmd::AddAccount { party, new_key, cert: c } => Payload::AddAccount {
                    party: *party,
                    key: *new_key,
                    certificate: c.as_deref().map(cert).transpose()?,
                },
                PartyCmd::RevokeAccount { account, reason } => {
                    Payload::RevokeAccount { key: *account, reason: *reason }
                }
            },
            Op::Class(c) => match c {
                ClassCmd::Create {
                    symbol,
                    name,
                    decimals: d,
                    cap,
                    rights,
                    document_hash,
                    document_uri,
                    redemption_terms,
                } => {
                    // The cap is in the new class's own decimals.
                    let cap_decimals = decimals.map(|_| *d);
                    let rights = rights.iter().map(|r| right(r)).collect::<Result<Vec<_>, _>>()?;
                    Payload::CreateClass {
                        symbol: text("symbol", symbol)?,
                        name: text("name", name)?,
                        decimals: *d,
                        supply_cap: cap.as_deref().map(|c| amount(c, cap_decimals)).transpose()?,
                        rights: BoundedVec::new(rights).map_err(|e| format!("{} rights, at most {}", e.len, e.max))?,
                        document_hash: *document_hash,
                        document_uri: text("document-uri", document_uri)?,
                        redemption_terms: text("redemption-terms", redemption_terms)?,
                    }
                }
                ClassCmd::Pause { class, legal_basis } => Payload::SetClassPaused {
                    class: *class,
                    paused: true,
                    legal_basis: text("legal-basis", legal_basis)?,
                },
                ClassCmd::Unpause { class, legal_basis } => Payload::SetClassPaused {
                    class: *class,
                    paused: false,
                    legal_basis: text("legal-basis", legal_basis)?,
                },
            },
            Op::Record(c) => match c {
                RecordCmd::Issue { holder, kind, description, external_ref, document_hash } => Payload::IssueRecord {
                    holder: *holder,
                    object: RecordObject {
                        kind: *kind,
                        description: text("description", description)?,
                        external_ref: external_ref.as_deref().map(|r| text("external-ref", r)).transpose()?,
                        document_hash: *document_hash,
                    },
                },
                RecordCmd::Transfer { record, to } => Payload::TransferRecord { record: *record, to: *to },
                RecordCmd::Encumber { record, kind, beneficiary, legal_basis } => Payload::Encumber {
                    record: *record,
                    kind: *kind,
                    beneficiary: *beneficiary,
                    legal_basis: text("legal-basis", legal_basis)?,
                },
                RecordCmd::Release { record, encumbrance } => {
                    Payload::Release { record: *record, encumbrance: *encumbrance }
                }
                RecordCmd::Terminate { record, reason } => {
                    Payload::TerminateRecord { record: *record, reason: *reason }
                }
            },
            Op::Escrow(c) => match c {
                EscrowCmd::Create { payee, arbiter, class, amount: a, record, terms_hash, deadline_height } => {
                    let asset = match (class, a, record) {
                        (Some(class), Some(a), None) => {
                            EscrowAsset::Tokens { class: *class, amount: amount(a, decimals)? }
                        }
                        (None, None, Some(record)) => EscrowAsset::Record { record: *record },
                        _ => return Err("give either --class with --amount, or --record".into()),
                    };
                    Payload::CreateEscrow {
                        payee: *payee,
                        arbiter: *arbiter,
                        asset,
                        terms_hash: *terms_hash,
                        deadline_height: *deadline_height,
                    }
                }
                EscrowCmd::Release { escrow } => Payload::ReleaseEscrow { escrow: *escrow },
                EscrowCmd::Refund { escrow } => Payload::RefundEscrow { escrow: *escrow },
                EscrowCmd::Dispute { escrow, reason } => {
                    Payload::DisputeEscrow { escrow: *escrow, reason: text("reason", reason)? }
                }
                EscrowCmd::Resolve { escrow, to, reason } => Payload::ResolveEscrow {
                    escrow: *escrow,
                    to_payee: *to == Party2::Payee,
                    reason: text("reason", reason)?,
                },
            },
            Op::Mining(c) => match c {
                MiningCmd::Submit(a) => Payload::SubmitMiningNotification {
                    kind: a.kind,
                    previous: a.previous,
                    site: MiningSite {
                        region: a.region,
                        address: text("address", &a.address)?,
                        capacity_kw: a.capacity_kw,
                        units: a.units,
                        hashrate_ths: a.hashrate_ths,
                        energy: a.energy,
                        pool: a.pool.as_deref().map(|p| text("pool", p)).transpose()?,
                        start_date: a.start_date,
                    },
                },
                MiningCmd::Review { id, decision, reason } => Payload::ReviewMiningNotification {
                    notification: *id,
                    accept: *decision == Decision::Accept,
                    reason: review_reason(*decision, reason)?,
                },
                other => return Err(format!("{other:?} is not a transaction command")),
            },
            Op::Activity(c) => match c {
                ActivityCmd::Submit { activity, phase, date } => {
                    Payload::SubmitActivityNotification { activity: *activity, phase: *phase, date: *date }
                }
                ActivityCmd::Review { id, decision, reason } => Payload::ReviewActivityNotification {
                    notification: *id,
                    accept: *decision == Decision::Accept,
                    reason: review_reason(*decision, reason)?,
                },
                other => return Err(format!("{other:?} is not a transaction command")),
            },
            Op::Validators(ValidatorsCmd::Update { updates }) => {
                let u = updates.iter().map(|s| validator_update(s)).collect::<Result<Vec<_>, _>>()?;
                Payload::UpdateValidators {
                    updates: BoundedVec::new(u).map_err(|e| format!("{} updates, at most {}", e.len, e.max))?,
                }
            }
            Op::Params(ParamsCmd::Set { name, value }) => {
                let int =
                    |v: &str| v.parse::<u64>().map_err(|_| format!("{name:?} needs an unsigned integer, got {v:?}"));
                let change = match name {
                    ParamName::MaxBlockTxs => ParameterChange::MaxBlockTxs(
                        u32::try_from(int(value)?).map_err(|_| format!("max-block-txs {value} does not fit u32"))?,
                    ),
                    ParamName::ValidatorChangeDelay => ParameterChange::ValidatorChangeDelay(int(value)?),
                    ParamName::RequireMiningNotice => ParameterChange::RequireMiningNotice(
                        value
                            .parse()
                            .map_err(|_| format!("require-mining-notice needs true or false, got {value:?}"))?,
                    ),
                };
                Payload::SetParameter { change }
            }
        })
    }
}
