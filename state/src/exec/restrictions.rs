//! SPEC §4 restrictions (Digital Code art. 20 p.4: only as the law provides
//! and only as far as necessary) and the closing of a class.
//!
//! Every freeze of a holding and every pause of a class is a record of its
//! own ([`Restriction`]): its id, the party that imposed it and in which
//! capacity (the class's issuer or a regulator), its legal basis, and for a
//! freeze the amount or the whole holding. It is lifted by naming it, and
//! the lifting is written into the same record, so the record is the
//! holding's (or class's) history of restrictions. An issuer cannot lift
//! what a regulator imposed. A whole-holding freeze is a flag on the holding
//! ([`Holding::whole_freezes`]) that also covers later credits.

use tamga_types::{ClassId, ClassStatus, PublicKey, RestrictionId};

use super::{tokens, Exec, R};
use crate::error::{ExecError, StateError};
use crate::keys::{self, index};
use crate::model::{Authority, ClassState, Restriction, RestrictionLift, RestrictionTarget};
use crate::store::Space;

fn restriction(ex: &Exec<'_, '_>, id: RestrictionId) -> R<Restriction> {
    ex.get(&keys::id(keys::state::RESTRICTION, id.0))?.ok_or(ExecError::UnknownRestriction { restriction: id })
}

fn put_restriction(ex: &mut Exec<'_, '_>, r: &Restriction) {
    ex.put(keys::id(keys::state::RESTRICTION, r.id.0), r);
}

/// The number of standing pauses of a class.
fn pauses(ex: &Exec<'_, '_>, class: ClassId) -> R<u32> {
    Ok(ex.get(&keys::id(keys::state::CLASS_PAUSES, class.0))?.unwrap_or(0))
}

fn put_pauses(ex: &mut Exec<'_, '_>, class: ClassId, n: u32) {
    let k = keys::id(keys::state::CLASS_PAUSES, class.0);
    if n == 0 {
        ex.del(k);
    } else {
        ex.put(k, &n);
    }
}

/// A closed class accepts nothing but queries (SPEC §4).
fn require_open(c: &ClassState) -> R<()> {
    if c.status == ClassStatus::Closed {
        return Err(ExecError::ClassNotActive { class: c.id, status: c.status });
    }
    Ok(())
}

/// The signer's capacity over class `c`: a regulator, or the class's issuer
/// while it holds the Issuer role.
fn authority(ex: &Exec<'_, '_>, op: &'static str, c: &ClassState) -> R<Authority> {
    tokens::require_issuer_or_regulator(ex, op, c)?;
    Ok(if ex.party.is_regulator() { Authority::Regulator } else { Authority::Issuer })
}

/// Writes a new restriction record and its indexes; returns its id.
fn record(
    ex: &mut Exec<'_, '_>,
    target: RestrictionTarget,
    imposed_by: tamga_types::PartyId,
    authority: Authority,
    basis: &str,
) -> R<RestrictionId> {
    let id = RestrictionId(ex.next_id(|c| &mut c.restriction)?);
    let class = target.class();
    if let RestrictionTarget::Holding { holder, .. } = &target {
        ex.idx_put(keys::idx_key_id(index::HOLDER_RESTRICTION, holder, id.0), vec![]);
    }
    ex.idx_put(keys::idx_id_id(index::CLASS_RESTRICTION, class.0, id.0), vec![]);
    let r = Restriction {
        id,
        target,
        imposed_by,
        authority,
        legal_basis: basis.to_owned(),
        height: ex.height,
        tx: ex.tx_hash,
        lifted: None,
    };
    put_restriction(ex, &r);
    Ok(id)
}

/// SPEC §4 / §1.10: the class's issuer or a regulator freezes a holding, with
/// a legal basis: an amount of what is not yet frozen, or the whole holding
/// (`amount: None`), later credits included.
pub(crate) fn freeze(
    ex: &mut Exec<'_, '_>,
    id: ClassId,
    holder: PublicKey,
    amount: Option<u128>,
    basis: &str,
) -> R<()> {
    let c = tokens::class(ex, id)?;
    let authority = authority(ex, "freeze", &c)?;
    require_open(&c)?;
    Exec::require_text("legal_basis", basis)?;
    ex.account(&holder)?;
    let mut h = tokens::holding(ex, id, &holder)?;
    match amount {
        Some(0) => return Err(ExecError::ZeroAmount),
        None => h.whole_freezes = h.whole_freezes.checked_add(1).ok_or(ExecError::Overflow { what: "freezes" })?,
        Some(a) => {
            let unfrozen = h.amount.saturating_sub(h.frozen);
            if a > unfrozen {
                return Err(ExecError::InsufficientBalance { class: id, needed: a, available: unfrozen });
            }
            h.frozen = h.frozen.checked_add(a).ok_or(ExecError::Overflow { what: "frozen" })?;
        }
    }
    tokens::put_holding(ex, id, &holder, &h)?;
    let party = ex.party.id;
    let rid = record(ex, RestrictionTarget::Holding { class: id, holder, amount }, party, authority, basis)?;
    ex.emit(
        "frozen",
        vec![
            ("restriction", rid.to_string()),
            ("class", id.to_string()),
            ("holder", holder.to_hex()),
            ("amount", amount.map_or_else(|| "whole".to_owned(), |a| a.to_string())),
            ("legal_basis", basis.to_owned()),
        ],
    );
    Ok(())
}

/// Pauses class `c` under a new restriction record (no authority check: the
/// callers check it).
pub(crate) fn impose_pause(
    ex: &mut Exec<'_, '_>,
    mut c: ClassState,
    imposed_by: tamga_types::PartyId,
    authority: Authority,
    basis: &str,
) -> R<RestrictionId> {
    let n = pauses(ex, c.id)?.checked_add(1).ok_or(ExecError::Overflow { what: "pauses" })?;
    put_pauses(ex, c.id, n);
    c.status = ClassStatus::Paused;
    tokens::put_class(ex, &c);
    let rid = record(ex, RestrictionTarget::Class { class: c.id }, imposed_by, authority, basis)?;
    ex.emit(
        "class_paused",
        vec![("restriction", rid.to_string()), ("class", c.id.to_string()), ("legal_basis", basis.to_owned())],
    );
    Ok(rid)
}

/// SPEC §4: the class's issuer or a regulator pauses a class, with a legal
/// basis. Resuming names the pause ([`lift`]); `paused: false` names none.
pub(crate) fn set_paused(ex: &mut Exec<'_, '_>, id: ClassId, paused: bool, basis: &str) -> R<()> {
    let c = tokens::class(ex, id)?;
    let authority = authority(ex, "set_class_paused", &c)?;
    require_open(&c)?;
    if !paused {
        return Err(ExecError::RestrictionNotNamed { op: "set_class_paused (paused: false)", class: id });
    }
    Exec::require_text("legal_basis", basis)?;
    let party = ex.party.id;
    impose_pause(ex, c, party, authority, basis)?;
    Ok(())
}

/// The retired `Unfreeze`: a freeze is lifted by naming it (SPEC §4).
pub(crate) fn unfreeze_unnamed(class: ClassId) -> R<()> {
    Err(ExecError::RestrictionNotNamed { op: "unfreeze", class })
}

/// SPEC §4: lifts the named freeze or pause. A regulator lifts any; the
/// class's issuer (holding the role) lifts only what an issuer imposed.
pub(crate) fn lift(ex: &mut Exec<'_, '_>, id: RestrictionId, basis: &str) -> R<()> {
    let mut r = restriction(ex, id)?;
    let mut c = tokens::class(ex, r.target.class())?;
    let authority = authority(ex, "lift_restriction", &c)?;
    if r.authority == Authority::Regulator && authority != Authority::Regulator {
        return Err(ExecError::RegulatorRestriction { restriction: id, imposed_by: r.imposed_by, party: ex.party.id });
    }
    if let Some(l) = &r.lifted {
        return Err(ExecError::RestrictionLifted { restriction: id, height: l.height });
    }
    require_open(&c)?;
    Exec::require_text("legal_basis", basis)?;
    match &r.target {
        RestrictionTarget::Holding { class, holder, amount } => {
            let mut h = tokens::holding(ex, *class, holder)?;
            match amount {
                None => {
                    h.whole_freezes = h
                        .whole_freezes
                        .checked_sub(1)
                        .ok_or(StateError::Missing { what: "the whole-holding freeze a standing restriction counts" })?
                }
                Some(a) => {
                    h.frozen = h
                        .frozen
                        .checked_sub(*a)
                        .ok_or(StateError::Missing { what: "the frozen amount a standing restriction counts" })?
                }
            }
            tokens::put_holding(ex, *class, holder, &h)?;
        }
        RestrictionTarget::Class { class } => {
            let n = pauses(ex, *class)?
                .checked_sub(1)
                .ok_or(StateError::Missing { what: "the pause a standing restriction counts" })?;
            put_pauses(ex, *class, n);
            if n == 0 {
                c.status = ClassStatus::Active;
                tokens::put_class(ex, &c);
            }
        }
    }
    r.lifted = Some(RestrictionLift {
        by: ex.party.id,
        authority,
        legal_basis: basis.to_owned(),
        height: ex.height,
        tx: ex.tx_hash,
    });
    put_restriction(ex, &r);
    ex.emit(
        "restriction_lifted",
        vec![("restriction", id.to_string()), ("class", c.id.to_string()), ("legal_basis", basis.to_owned())],
    );
    Ok(())
}

/// SPEC §4: a recovery moves the freezes of the lost account's holdings to
/// the recovered account, with the holdings.
pub(crate) fn move_holder(ex: &mut Exec<'_, '_>, from: &PublicKey, to: &PublicKey) -> R<()> {
    let found = ex.view.scan(Space::Index, &keys::prefix_key(index::HOLDER_RESTRICTION, from))?;
    for (k, _) in found {
        let rid = RestrictionId(keys::trailing_u64(&k).ok_or(StateError::BadIndexKey { what: "restriction" })?);
        let mut r = restriction(ex, rid)?;
        if let RestrictionTarget::Holding { holder, .. } = &mut r.target {
            *holder = *to;
        }
        put_restriction(ex, &r);
        ex.idx_del(k);
        ex.idx_put(keys::idx_key_id(index::HOLDER_RESTRICTION, to, rid.0), vec![]);
    }
    Ok(())
}

/// SPEC §4: the class's issuer (with or without the Issuer role: closing
/// winds down), or a regulator, closes a class whose supply is zero, giving
/// a legal basis or reason. A closed class accepts nothing but queries.
pub(crate) fn close(ex: &mut Exec<'_, '_>, id: ClassId, basis: &str) -> R<()> {
    let mut c = tokens::class(ex, id)?;
    if !ex.party.is_regulator() && c.issuer != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "close_class",
            party: ex.party.id,
            expected: "class_issuer_or_regulator",
            owner: Some(c.issuer),
        });
    }
    require_open(&c)?;
    Exec::require_text("legal_basis", basis)?;
    if c.supply != 0 {
        return Err(ExecError::ClassSupplyOutstanding { class: id, supply: c.supply });
    }
    c.status = ClassStatus::Closed;
    tokens::put_class(ex, &c);
    let authority = if ex.party.is_regulator() { "regulator" } else { "issuer" };
    ex.emit(
        "class_closed",
        vec![
            ("class", id.to_string()),
            ("by", ex.party.id.to_string()),
            ("authority", authority.to_owned()),
            ("legal_basis", basis.to_owned()),
        ],
    );
    Ok(())
}
