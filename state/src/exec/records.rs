//! SPEC §5 right-certifying records: issue, transfer, encumber, release,
//! terminate, with a full per-record history.

use tamga_types::{EncumbranceId, EncumbranceKind, PartyId, PublicKey, RecordId, RecordObject, TerminationReason};

use super::{Exec, R};
use crate::error::ExecError;
use crate::keys::{self, index};
use crate::model::{Encumbrance, HistoryEntry, IssuerIndex, RecordState, RecordStatus};

pub(crate) fn record(ex: &Exec<'_, '_>, id: RecordId) -> R<RecordState> {
    ex.get(&keys::id(keys::state::RECORD, id.0))?.ok_or(ExecError::UnknownRecord { record: id })
}

pub(crate) fn put_record(ex: &mut Exec<'_, '_>, r: &RecordState) {
    ex.put(keys::id(keys::state::RECORD, r.id.0), r);
}

/// Appends a fact to the history of a record or a notification `id` under the
/// state family `prefix` (keys::history), at position `*len`, and counts it:
/// the entries are JMT leaves and `*len` is proven with the entity, so the
/// whole history is provable (SPEC §5 height, time, tx hash, signer; §12).
pub(crate) fn append_history(
    ex: &mut Exec<'_, '_>,
    prefix: u8,
    id: u64,
    len: &mut u64,
    event: &str,
    details: &[(&'static str, String)],
) -> R<()> {
    let e = HistoryEntry {
        height: ex.height,
        time_ms: ex.time_ms,
        tx_hash: ex.tx_hash,
        signer: ex.signer,
        event: event.to_owned(),
        details: details.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
    };
    ex.put(keys::history(prefix, id, *len), &e);
    *len = len.checked_add(1).ok_or(ExecError::Overflow { what: "history" })?;
    Ok(())
}

/// Appends a fact to the record's history (SPEC §5) and emits it as an event.
pub(crate) fn history(
    ex: &mut Exec<'_, '_>,
    r: &mut RecordState,
    event: &str,
    details: Vec<(&'static str, String)>,
) -> R<()> {
    append_history(ex, keys::state::RECORD_HISTORY, r.id.0, &mut r.history_len, event, &details)?;
    let mut attrs = vec![("record", r.id.to_string())];
    attrs.extend(details);
    ex.emit(event, attrs);
    Ok(())
}

/// Counts one more class or record of `issuer` in its [`IssuerIndex`] (SPEC §12).
pub(crate) fn count_issued(ex: &mut Exec<'_, '_>, issuer: PartyId, f: impl Fn(&mut IssuerIndex) -> &mut u64) -> R<()> {
    let key = keys::id(keys::state::ISSUER_INDEX, issuer.0);
    let mut ix: IssuerIndex = ex.get(&key)?.unwrap_or_default();
    let slot = f(&mut ix);
    *slot = slot.checked_add(1).ok_or(ExecError::Overflow { what: "issuer index" })?;
    ex.put(key, &ix);
    Ok(())
}

pub(crate) fn move_holder_index(ex: &mut Exec<'_, '_>, id: RecordId, from: &PublicKey, to: &PublicKey) {
    ex.idx_del(keys::idx_key_id(index::HOLDER_RECORD, from, id.0));
    ex.idx_put(keys::idx_key_id(index::HOLDER_RECORD, to, id.0), vec![]);
}

pub(crate) fn require_active(r: &RecordState) -> R<()> {
    if r.status != RecordStatus::Active {
        return Err(ExecError::RecordTerminated { record: r.id });
    }
    Ok(())
}

/// SPEC §5: a standing encumbrance or escrow locks the record.
pub(crate) fn require_unlocked(r: &RecordState) -> R<()> {
    if !r.encumbrances.is_empty() {
        return Err(ExecError::RecordEncumbered {
            record: r.id,
            encumbrances: r.encumbrances.iter().map(|e| e.id).collect(),
        });
    }
    if let Some(escrow) = r.escrow {
        return Err(ExecError::RecordInEscrow { record: r.id, escrow });
    }
    Ok(())
}

/// SPEC §5: an issuer or a regulator certifies a right to an eligible holder.
pub(crate) fn issue(ex: &mut Exec<'_, '_>, holder: PublicKey, object: &RecordObject) -> R<()> {
    if !ex.party.issuer && !ex.party.is_regulator() {
        return Err(ExecError::NotIssuer { op: "issue_record", party: ex.party.id });
    }
    Exec::require_text("object.description", &object.description)?;
    let (_, hp) = ex.eligible(&holder)?;
    let id = RecordId(ex.next_id(|c| &mut c.record)?);
    let mut r = RecordState {
        id,
        certifier: ex.party.id,
        holder_party: hp.id,
        holder,
        object: object.clone(),
        status: RecordStatus::Active,
        encumbrances: vec![],
        escrow: None,
        created_height: ex.height,
        history_len: 0,
    };
    ex.idx_put(keys::idx_key_id(index::HOLDER_RECORD, &holder, id.0), vec![]);
    count_issued(ex, ex.party.id, |ix| &mut ix.records)?;
    history(ex, &mut r, "record_issued", vec![("certifier", ex.party.id.to_string()), ("holder", holder.to_hex())])?;
    put_record(ex, &r);
    Ok(())
}

/// SPEC §5: only the holder transfers, only an unencumbered record, to an eligible party.
pub(crate) fn transfer(ex: &mut Exec<'_, '_>, id: RecordId, to: PublicKey) -> R<()> {
    let mut r = record(ex, id)?;
    require_active(&r)?;
    if r.holder != ex.signer {
        return Err(ExecError::NotHolder { record: id, holder: r.holder, signer: ex.signer });
    }
    require_unlocked(&r)?;
    if to == ex.signer {
        return Err(ExecError::SelfTransfer);
    }
    let (_, tp) = ex.eligible(&to)?;
    let from = r.holder;
    set_holder(ex, &mut r, to, tp.id);
    history(ex, &mut r, "record_transferred", vec![("from", from.to_hex()), ("to", to.to_hex())])?;
    put_record(ex, &r);
    Ok(())
}

pub(crate) fn set_holder(ex: &mut Exec<'_, '_>, r: &mut RecordState, to: PublicKey, party: tamga_types::PartyId) {
    let from = r.holder;
    move_holder_index(ex, r.id, &from, &to);
    r.holder = to;
    r.holder_party = party;
}

/// SPEC §5: the holder grants a pledge/lien/other; only a regulator imposes an arrest.
pub(crate) fn encumber(
    ex: &mut Exec<'_, '_>,
    id: RecordId,
    kind: EncumbranceKind,
    beneficiary: PublicKey,
    basis: &str,
) -> R<()> {
    let mut r = record(ex, id)?;
    require_active(&r)?;
    Exec::require_text("legal_basis", basis)?;
    if kind == EncumbranceKind::Arrest {
        ex.require_regulator("encumber (arrest)")?;
    } else {
        if r.holder != ex.signer {
            return Err(ExecError::NotHolder { record: id, holder: r.holder, signer: ex.signer });
        }
        // SPEC §5/§7: the holder cannot pledge what it has locked for a payee;
        // an arrest (a restriction by a regulator, SPEC §1.10) still applies.
        if let Some(escrow) = r.escrow {
            return Err(ExecError::RecordInEscrow { record: id, escrow });
        }
    }
    let (_, bp) = ex.eligible(&beneficiary)?;
    let eid = EncumbranceId(ex.next_id(|c| &mut c.encumbrance)?);
    r.encumbrances.push(Encumbrance {
        id: eid,
        kind,
        beneficiary: bp.id,
        legal_basis: basis.to_owned(),
        created_height: ex.height,
        imposed_by: ex.party.id,
    });
    history(
        ex,
        &mut r,
        "record_encumbered",
        vec![
            ("encumbrance", eid.to_string()),
            ("kind", kind.as_str().to_owned()),
            ("beneficiary", bp.id.to_string()),
            ("legal_basis", basis.to_owned()),
        ],
    )?;
    put_record(ex, &r);
    Ok(())
}

/// SPEC §5: the beneficiary releases; an arrest is released by a regulator.
pub(crate) fn release(ex: &mut Exec<'_, '_>, id: RecordId, eid: EncumbranceId) -> R<()> {
    let mut r = record(ex, id)?;
    let pos = r
        .encumbrances
        .iter()
        .position(|e| e.id == eid)
        .ok_or(ExecError::UnknownEncumbrance { record: id, encumbrance: eid })?;
    let e = r.encumbrances[pos].clone();
    if e.kind == EncumbranceKind::Arrest {
        ex.require_regulator("release (arrest)")?;
    } else if e.beneficiary != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "release",
            party: ex.party.id,
            expected: "beneficiary",
            owner: Some(e.beneficiary),
        });
    }
    r.encumbrances.remove(pos);
    history(ex, &mut r, "record_released", vec![("encumbrance", eid.to_string())])?;
    put_record(ex, &r);
    Ok(())
}

/// SPEC §5: the certifying party or the holder terminates an unencumbered record.
pub(crate) fn terminate(ex: &mut Exec<'_, '_>, id: RecordId, reason: TerminationReason) -> R<()> {
    let mut r = record(ex, id)?;
    require_active(&r)?;
    if r.certifier != ex.party.id && r.holder != ex.signer {
        return Err(ExecError::Unauthorized {
            op: "terminate_record",
            party: ex.party.id,
            expected: "certifier_or_holder",
            owner: None,
        });
    }
    require_unlocked(&r)?;
    r.status = RecordStatus::Terminated { reason, height: ex.height };
    history(ex, &mut r, "record_terminated", vec![("reason", reason.as_str().to_owned())])?;
    put_record(ex, &r);
    Ok(())
}
