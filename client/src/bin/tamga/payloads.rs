//! From command-line arguments to payloads (pure: no I/O, unit-tested).
//!
//! [`Op::of`] maps every transaction command to a builder. Some need facts from the node first, which
//! the caller fetches and passes in a [`Ctx`]: the decimals of the class an
//! amount is expressed in ([`Op::amount_class`], unless `--base-units`), and
//! for a mining change or termination the previous notification's site
//! ([`Op::previous_mining`]), whose fields the command does not repeat.

use tamga_client::amount::{parse_amount, parse_base_units};
use tamga_types::{
    ActivityNotificationId, BoundedString, BoundedVec, CertificateRef, ClassId, EncumbranceKind, EscrowAsset, Hash,
    MiningNotificationId, MiningNotificationKind, MiningSite, ParameterChange, PartyId, Payload, PublicKey,
    RecordObject, Right, RightKind, ValidatorUpdate,
};

use crate::args::{
    Command, CreateClassArgs, EscrowCmd, NotifyActivityCmd, NotifyCmd, NotifyMiningCmd, ParamName, ParamsCmd, Party2,
    PartyCmd, RecordCmd, RegisterArgs, RegulatorCmd, SiteArgs, SiteChangeArgs, TokenCmd, ValidatorsCmd,
};

/// What a builder may need from outside the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ctx<'c> {
    /// Decimals of [`Op::amount_class`] (or of the class being created);
    /// `None` when amounts are base units.
    pub decimals: Option<u8>,
    /// The signing account (a regulator's arrest names it as beneficiary by default).
    pub signer: Option<PublicKey>,
    /// The site of [`Op::previous_mining`].
    pub previous_site: Option<&'c MiningSite>,
}

type Build<'a> = Box<dyn Fn(&Ctx<'_>) -> Result<Payload, String> + 'a>;

/// A transaction command, ready to become a payload.
pub struct Op<'a> {
    amount_class: Option<ClassId>,
    previous_mining: Option<MiningNotificationId>,
    build: Build<'a>,
}

impl std::fmt::Debug for Op<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op")
            .field("amount_class", &self.amount_class)
            .field("previous_mining", &self.previous_mining)
            .finish_non_exhaustive()
    }
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

fn register(a: &RegisterArgs) -> Result<Payload, String> {
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

fn site(a: &SiteArgs) -> Result<MiningSite, String> {
    Ok(MiningSite {
        region: a.region,
        address: text("address", &a.address)?,
        capacity_kw: a.capacity_kw,
        units: a.units,
        hashrate_ths: a.hashrate_ths,
        energy: a.energy,
        pool: a.pool.as_deref().map(|p| text("pool", p)).transpose()?,
        start_date: a.start_date,
    })
}

/// The previous site with the fields the command gives replaced.
fn changed_site(a: &SiteChangeArgs, previous: Option<&MiningSite>) -> Result<MiningSite, String> {
    let need = |what: &str| format!("--{what} is needed: the site of notification {} is not at hand", a.previous);
    let p = previous;
    Ok(MiningSite {
        region: a.region.or(p.map(|p| p.region)).ok_or_else(|| need("region"))?,
        address: match (&a.address, p) {
            (Some(s), _) => text("address", s)?,
            (None, Some(p)) => p.address.clone(),
            (None, None) => return Err(need("address")),
        },
        capacity_kw: a.capacity_kw.or(p.map(|p| p.capacity_kw)).ok_or_else(|| need("capacity-kw"))?,
        units: a.units.or(p.map(|p| p.units)).ok_or_else(|| need("units"))?,
        hashrate_ths: a.hashrate_ths.or(p.map(|p| p.hashrate_ths)).ok_or_else(|| need("hashrate-ths"))?,
        energy: a.energy.or(p.map(|p| p.energy)).ok_or_else(|| need("energy"))?,
        pool: match (&a.pool, p) {
            (Some(s), _) => Some(text("pool", s)?),
            (None, Some(p)) => p.pool.clone(),
            (None, None) => None,
        },
        start_date: a.start_date.or(p.map(|p| p.start_date)).ok_or_else(|| need("start-date"))?,
    })
}

fn update_validators(updates: Vec<ValidatorUpdate>) -> Result<Payload, String> {
    Ok(Payload::UpdateValidators {
        updates: BoundedVec::new(updates).map_err(|e| format!("{} updates, at most {}", e.len, e.max))?,
    })
}

fn set_param(name: ParamName, value: &str) -> Result<Payload, String> {
    let int = |v: &str| v.parse::<u64>().map_err(|_| format!("{name:?} needs an unsigned integer, got {v:?}"));
    let change = match name {
        ParamName::MaxBlockTxs => ParameterChange::MaxBlockTxs(
            u32::try_from(int(value)?).map_err(|_| format!("max-block-txs {value} does not fit u32"))?,
        ),
        ParamName::ValidatorChangeDelay => ParameterChange::ValidatorChangeDelay(int(value)?),
        ParamName::RequireMiningNotice => ParameterChange::RequireMiningNotice(
            value.parse().map_err(|_| format!("require-mining-notice needs true or false, got {value:?}"))?,
        ),
    };
    Ok(Payload::SetParameter { change })
}

fn encumber(
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
        (None, k) => format!("{} granted by the holder", crate::args::kebab(&k)),
    };
    Ok(Payload::Encumber { record, kind, beneficiary, legal_basis: text("legal-basis", &basis)? })
}

fn pause(class: ClassId, paused: bool, legal_basis: &str) -> Result<Payload, String> {
    Ok(Payload::SetClassPaused { class, paused, legal_basis: text("legal-basis", legal_basis)? })
}

fn freeze_payload(
    freeze: bool,
    class: ClassId,
    holder: PublicKey,
    amt: Option<&str>,
    legal_basis: &str,
    decimals: Option<u8>,
) -> Result<Payload, String> {
    let amount = amt.map(|s| amount(s, decimals)).transpose()?;
    let legal_basis = text("legal-basis", legal_basis)?;
    Ok(if freeze {
        Payload::Freeze { class, holder, amount, legal_basis }
    } else {
        Payload::Unfreeze { class, holder, amount, legal_basis }
    })
}

impl<'a> Op<'a> {
    fn new(f: impl Fn(&Ctx<'_>) -> Result<Payload, String> + 'a) -> Op<'a> {
        Op { amount_class: None, previous_mining: None, build: Box::new(f) }
    }

    /// A payload that needs nothing from the node.
    fn fixed(f: impl Fn() -> Result<Payload, String> + 'a) -> Op<'a> {
        Op::new(move |_| f())
    }

    /// A payload with an amount in `class`'s units.
    fn amount_in(class: ClassId, f: impl Fn(Option<u8>) -> Result<Payload, String> + 'a) -> Op<'a> {
        Op { amount_class: Some(class), previous_mining: None, build: Box::new(move |c| f(c.decimals)) }
    }

    /// The transaction command in `cmd`, if it is one (queries are not).
    pub fn of(cmd: &'a Command) -> Option<Op<'a>> {
        use crate::args::{EscrowArgs, ParamsArgs, PartyArgs, RecordArgs, ValidatorsArgs};
        Some(match cmd {
            Command::Party(PartyArgs { cmd: Some(c), .. }) => Op::party(c)?,
            Command::Token(c) => Op::token(c)?,
            Command::Record(RecordArgs { cmd: Some(c), .. }) => Op::record(c)?,
            Command::Escrow(EscrowArgs { cmd: Some(c), .. }) => Op::escrow(c)?,
            Command::Notify(NotifyCmd::Mining(c)) => Op::notify_mining(c)?,
            Command::Notify(NotifyCmd::Activity(c)) => match c {
                NotifyActivityCmd::Start { activity, date } => Op::fixed(move || {
                    Ok(Payload::SubmitActivityNotification {
                        activity: *activity,
                        phase: tamga_types::ActivityPhase::Start,
                        date: *date,
                    })
                }),
                NotifyActivityCmd::Terminate { activity, date } => Op::fixed(move || {
                    Ok(Payload::SubmitActivityNotification {
                        activity: *activity,
                        phase: tamga_types::ActivityPhase::Termination,
                        date: *date,
                    })
                }),
                NotifyActivityCmd::List { .. } => return None,
            },
            Command::Regulator(c) => Op::regulator(c),
            Command::Validators(ValidatorsArgs { cmd: Some(ValidatorsCmd::Update { updates }), .. }) => {
                Op::fixed(move || {
                    update_validators(updates.iter().map(|s| validator_update(s)).collect::<Result<Vec<_>, _>>()?)
                })
            }
            Command::Params(ParamsArgs { cmd: Some(ParamsCmd::Set { name, value }) }) => {
                Op::fixed(move || set_param(*name, value))
            }
            _ => return None,
        })
    }

    fn party(c: &'a PartyCmd) -> Option<Op<'a>> {
        Some(match c {
            PartyCmd::List | PartyCmd::Show { .. } => return None,
            PartyCmd::Register(a) => Op::fixed(move || register(a)),
            PartyCmd::Status { party, status, legal_basis } => Op::fixed(move || {
                Ok(Payload::SetPartyStatus {
                    party: *party,
                    status: *status,
                    legal_basis: text("legal-basis", legal_basis)?,
                })
            }),
            PartyCmd::AddAccount { party, new_key, cert: c } => Op::fixed(move || {
                Ok(Payload::AddAccount {
                    party: *party,
                    key: *new_key,
                    certificate: c.as_deref().map(cert).transpose()?,
                })
            }),
            PartyCmd::RevokeAccount { account, reason } => {
                Op::fixed(move || Ok(Payload::RevokeAccount { key: *account, reason: *reason }))
            }
        })
    }

    fn token(c: &'a TokenCmd) -> Option<Op<'a>> {
        Some(match c {
            TokenCmd::List { .. } | TokenCmd::Show { .. } | TokenCmd::Holders { .. } => return None,
            TokenCmd::Create(a) => Op::new(move |c| create_class(a, c.decimals)),
            TokenCmd::Mint(m) => Op::amount_in(m.class, move |d| {
                Ok(Payload::Mint { class: m.class, to: m.to, amount: amount(&m.amount, d)? })
            }),
            TokenCmd::Transfer(m) => Op::amount_in(m.class, move |d| {
                Ok(Payload::Transfer { class: m.class, to: m.to, amount: amount(&m.amount, d)? })
            }),
            TokenCmd::Redeem { class, amount: a, right } => Op::amount_in(*class, move |d| {
                Ok(Payload::Redeem { class: *class, amount: amount(a, d)?, right: *right })
            }),
            TokenCmd::Freeze(a) | TokenCmd::Unfreeze(a) => Op::freeze(matches!(c, TokenCmd::Freeze(_)), a),
            TokenCmd::Pause { class, legal_basis } => Op::fixed(move || pause(*class, true, legal_basis)),
            TokenCmd::Unpause { class, legal_basis } => Op::fixed(move || pause(*class, false, legal_basis)),
        })
    }

    fn freeze(f: bool, a: &'a crate::args::FreezeFlags) -> Op<'a> {
        let build = move |d| freeze_payload(f, a.class, a.holder, a.amount.as_deref(), &a.legal_basis, d);
        match a.amount {
            Some(_) => Op::amount_in(a.class, build),
            None => Op::new(move |c| build(c.decimals)),
        }
    }

    fn record(c: &'a RecordCmd) -> Option<Op<'a>> {
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

    fn escrow(c: &'a EscrowCmd) -> Option<Op<'a>> {
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

    fn notify_mining(c: &'a NotifyMiningCmd) -> Option<Op<'a>> {
        Some(match c {
            NotifyMiningCmd::Start(a) => Op::fixed(move || {
                Ok(Payload::SubmitMiningNotification {
                    kind: MiningNotificationKind::Start,
                    previous: None,
                    site: site(a)?,
                })
            }),
            NotifyMiningCmd::Change(a) | NotifyMiningCmd::Terminate(a) => {
                let kind = match c {
                    NotifyMiningCmd::Change(_) => MiningNotificationKind::Change,
                    _ => MiningNotificationKind::Termination,
                };
                Op {
                    amount_class: None,
                    previous_mining: Some(a.previous),
                    build: Box::new(move |ctx| {
                        Ok(Payload::SubmitMiningNotification {
                            kind,
                            previous: Some(a.previous),
                            site: changed_site(a, ctx.previous_site)?,
                        })
                    }),
                }
            }
            NotifyMiningCmd::List(_) | NotifyMiningCmd::Show { .. } | NotifyMiningCmd::Totals => return None,
        })
    }

    fn regulator(c: &'a RegulatorCmd) -> Op<'a> {
        match c {
            RegulatorCmd::AcceptNotification(n) => Op::fixed(move || review(n.id, n.activity, true, None)),
            RegulatorCmd::RejectNotification { note, reason } => {
                Op::fixed(move || review(note.id, note.activity, false, Some(reason)))
            }
            RegulatorCmd::RegisterParty(a) => Op::fixed(move || register(a)),
            RegulatorCmd::SetPartyStatus { party, status, legal_basis } => Op::fixed(move || {
                Ok(Payload::SetPartyStatus {
                    party: *party,
                    status: *status,
                    legal_basis: text("legal-basis", legal_basis)?,
                })
            }),
            RegulatorCmd::AddAccount { party, account, cert: c } => Op::fixed(move || {
                Ok(Payload::AddAccount {
                    party: *party,
                    key: *account,
                    certificate: c.as_deref().map(cert).transpose()?,
                })
            }),
            RegulatorCmd::RevokeKey { account, reason } => {
                Op::fixed(move || Ok(Payload::RevokeAccount { key: *account, reason: *reason }))
            }
            RegulatorCmd::Freeze(a) => Op::freeze(true, a),
            RegulatorCmd::Unfreeze(a) => Op::freeze(false, a),
            RegulatorCmd::PauseClass { class, legal_basis } => Op::fixed(move || pause(*class, true, legal_basis)),
            RegulatorCmd::UnpauseClass { class, legal_basis } => Op::fixed(move || pause(*class, false, legal_basis)),
            RegulatorCmd::ForcedTransfer { class, from, to, amount: a, legal_basis } => {
                Op::amount_in(*class, move |d| {
                    Ok(Payload::ForcedTransfer {
                        class: *class,
                        from: *from,
                        to: *to,
                        amount: amount(a, d)?,
                        legal_basis: text("legal-basis", legal_basis)?,
                    })
                })
            }
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
            RegulatorCmd::AddValidator { validator, power, operator } => Op::fixed(move || {
                update_validators(vec![ValidatorUpdate { key: *validator, power: *power, operator: *operator }])
            }),
            RegulatorCmd::RemoveValidator { validator, operator } => Op::fixed(move || {
                update_validators(vec![ValidatorUpdate { key: *validator, power: 0, operator: *operator }])
            }),
            RegulatorCmd::SetParam { name, value } => Op::fixed(move || set_param(*name, value)),
        }
    }

    /// The class whose decimals the command's amount is expressed in, if any.
    pub fn amount_class(&self) -> Option<ClassId> {
        self.amount_class
    }

    /// The mining notification whose site a change or termination builds on.
    pub fn previous_mining(&self) -> Option<MiningNotificationId> {
        self.previous_mining
    }

    /// The payload, with `decimals` of [`Op::amount_class`] (or of the class
    /// being created), `None` when amounts are base units.
    #[cfg(test)]
    pub fn payload(&self, decimals: Option<u8>) -> Result<Payload, String> {
        self.payload_with(&Ctx { decimals, ..Ctx::default() })
    }

    /// The payload, given what was fetched.
    pub fn payload_with(&self, ctx: &Ctx<'_>) -> Result<Payload, String> {
        (self.build)(ctx)
    }
}
