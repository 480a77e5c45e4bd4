//! SPEC §7 conditional transfers (Digital Code art. 67): the payer locks
//! tokens (moved out of its holding into the escrow) or a record; release by
//! the payer, refund after the deadline, dispute by payer or payee, decision
//! by the arbiter party, who is neither the payer's nor the payee's party.
//! The human-readable terms are on the chain ([`publish_terms`]) under their
//! SHA-256, which the escrow names: anyone can read them back and check them
//! against the hash.

use tamga_types::{EscrowAsset, EscrowId, Hash, Height, PublicKey};

use crate::model::EscrowTerms;

use super::{records, tokens, Exec, R};
use crate::error::ExecError;
use crate::keys::{self, index};
use crate::model::{EscrowState, EscrowStatus, Holding};

fn escrow(ex: &Exec<'_, '_>, id: EscrowId) -> R<EscrowState> {
    ex.get(&keys::id(keys::state::ESCROW, id.0))?.ok_or(ExecError::UnknownEscrow { escrow: id })
}

fn put_escrow(ex: &mut Exec<'_, '_>, e: &EscrowState) {
    ex.put(keys::id(keys::state::ESCROW, e.id.0), e);
}

fn require_status(e: &EscrowState, s: EscrowStatus, expected: &'static str) -> R<()> {
    if e.status != s {
        return Err(ExecError::EscrowState { escrow: e.id, status: e.status, expected });
    }
    Ok(())
}

/// SPEC §7: the payer locks an asset for a payee under hashed terms with an arbiter.
pub(crate) fn create(
    ex: &mut Exec<'_, '_>,
    payee: PublicKey,
    arbiter: PublicKey,
    asset: &EscrowAsset,
    terms_hash: Hash,
    deadline: Height,
) -> R<()> {
    if payee == ex.signer {
        return Err(ExecError::SelfTransfer);
    }
    let (_, pp) = ex.eligible(&payee)?;
    let (_, ap) = ex.eligible(&arbiter)?;
    // DC art. 67 p.3: a person decides disputes, and not one of the two sides.
    if ap.id == ex.party.id || ap.id == pp.id {
        return Err(ExecError::ArbiterNotIndependent {
            arbiter_party: ap.id,
            payer_party: ex.party.id,
            payee_party: pp.id,
        });
    }
    // DC art. 67: the condition is reproducible in human-readable form.
    if terms_hash == Hash::ZERO {
        return Err(ExecError::TermsHashZero);
    }
    if ex.get::<EscrowTerms>(&keys::terms(&terms_hash))?.is_none() {
        return Err(ExecError::TermsNotPublished { hash: terms_hash });
    }
    if deadline <= ex.height {
        return Err(ExecError::DeadlineInPast { deadline, height: ex.height });
    }
    let id = EscrowId(ex.next_id(|c| &mut c.escrow)?);
    let payer = ex.signer;
    match asset {
        EscrowAsset::Tokens { class, amount } => {
            let c = tokens::class(ex, *class)?;
            if c.status != tamga_types::ClassStatus::Active {
                return Err(ExecError::ClassNotActive { class: *class, status: c.status });
            }
            if *amount == 0 {
                return Err(ExecError::ZeroAmount);
            }
            tokens::debit_free(ex, *class, &payer, *amount)?;
        }
        EscrowAsset::Record { record } => {
            let mut r = records::record(ex, *record)?;
            records::require_active(&r)?;
            if r.holder != payer {
                return Err(ExecError::NotHolder { record: *record, holder: r.holder, signer: payer });
            }
            records::require_unlocked(&r)?;
            r.escrow = Some(id);
            records::history(ex, &mut r, "record_escrowed", vec![("escrow", id.to_string())])?;
            records::put_record(ex, &r);
        }
    }
    let e = EscrowState {
        id,
        payer,
        payer_party: ex.party.id,
        payee,
        payee_party: pp.id,
        arbiter_party: ap.id,
        asset: asset.clone(),
        terms_hash,
        deadline_height: deadline,
        status: EscrowStatus::Open,
        created_height: ex.height,
        dispute_reason: None,
        resolution: None,
        closed_height: None,
    };
    put_escrow(ex, &e);
    for p in [e.payer_party, e.payee_party, e.arbiter_party] {
        ex.idx_put(keys::idx_id_id(index::PARTY_ESCROW, p.0, id.0), vec![]);
    }
    ex.emit("escrow_created", vec![("escrow", id.to_string()), ("payer", payer.to_hex()), ("payee", payee.to_hex())]);
    Ok(())
}

/// Hands the locked asset to `to` and closes the escrow.
fn settle(ex: &mut Exec<'_, '_>, mut e: EscrowState, to_payee: bool, status: EscrowStatus) -> R<()> {
    let to = if to_payee { e.payee } else { e.payer };
    if to_payee {
        // SPEC §4 eligibility at execution: a release is a transfer to the payee,
        // whose account and party must still be active, in a class that is
        // active (not paused, which an issuer's terminated issuance also does,
        // and not closed). A refund returns the payer's own asset and is
        // always possible.
        ex.eligible(&e.payee)?;
        if let EscrowAsset::Tokens { class, .. } = &e.asset {
            tokens::require_active(&tokens::class(ex, *class)?)?;
        }
    }
    match &e.asset {
        EscrowAsset::Tokens { class, amount } => {
            let mut h: Holding = tokens::holding(ex, *class, &to)?;
            h.amount = h.amount.checked_add(*amount).ok_or(ExecError::Overflow { what: "balance" })?;
            tokens::put_holding(ex, *class, &to, &h)?;
        }
        EscrowAsset::Record { record } => {
            let mut r = records::record(ex, *record)?;
            // SPEC §5: while an encumbrance (an arrest imposed during the escrow)
            // stands, the record cannot change hands; a refund leaves it in place.
            if to != r.holder && !r.encumbrances.is_empty() {
                return Err(ExecError::RecordEncumbered {
                    record: r.id,
                    encumbrances: r.encumbrances.iter().map(|e| e.id).collect(),
                });
            }
            r.escrow = None;
            if to != r.holder {
                let party = if to_payee { e.payee_party } else { e.payer_party };
                records::set_holder(ex, &mut r, to, party);
            }
            records::history(
                ex,
                &mut r,
                "record_escrow_settled",
                vec![("escrow", e.id.to_string()), ("to", to.to_hex())],
            )?;
            records::put_record(ex, &r);
        }
    }
    e.status = status;
    e.closed_height = Some(ex.height);
    put_escrow(ex, &e);
    ex.emit(
        "escrow_settled",
        vec![("escrow", e.id.to_string()), ("status", status.as_str().to_owned()), ("to", to.to_hex())],
    );
    Ok(())
}

/// SPEC §7: the payer confirms; the asset goes to the payee.
pub(crate) fn release(ex: &mut Exec<'_, '_>, id: EscrowId) -> R<()> {
    let e = escrow(ex, id)?;
    if e.payer_party != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "release_escrow",
            party: ex.party.id,
            expected: "payer",
            owner: Some(e.payer_party),
        });
    }
    require_status(&e, EscrowStatus::Open, "open")?;
    settle(ex, e, true, EscrowStatus::Released)
}

/// SPEC §7: after the deadline (and with no dispute) the payer is refunded.
pub(crate) fn refund(ex: &mut Exec<'_, '_>, id: EscrowId) -> R<()> {
    let e = escrow(ex, id)?;
    if e.payer_party != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "refund_escrow",
            party: ex.party.id,
            expected: "payer",
            owner: Some(e.payer_party),
        });
    }
    require_status(&e, EscrowStatus::Open, "open")?;
    if ex.height <= e.deadline_height {
        return Err(ExecError::DeadlineNotReached { escrow: id, deadline: e.deadline_height, height: ex.height });
    }
    settle(ex, e, false, EscrowStatus::Refunded)
}

/// SPEC §7: payer or payee disputes an open escrow.
pub(crate) fn dispute(ex: &mut Exec<'_, '_>, id: EscrowId, reason: &str) -> R<()> {
    let mut e = escrow(ex, id)?;
    if e.payer_party != ex.party.id && e.payee_party != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "dispute_escrow",
            party: ex.party.id,
            expected: "payer_or_payee",
            owner: None,
        });
    }
    Exec::require_text("reason", reason)?;
    require_status(&e, EscrowStatus::Open, "open")?;
    e.status = EscrowStatus::Disputed;
    e.dispute_reason = Some(reason.to_owned());
    put_escrow(ex, &e);
    ex.emit("escrow_disputed", vec![("escrow", id.to_string()), ("by", ex.party.id.to_string())]);
    Ok(())
}

/// SPEC §7 (DC art. 67 p.3): the arbiter party decides a disputed escrow.
pub(crate) fn resolve(ex: &mut Exec<'_, '_>, id: EscrowId, to_payee: bool, reason: &str) -> R<()> {
    let mut e = escrow(ex, id)?;
    if e.arbiter_party != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "resolve_escrow",
            party: ex.party.id,
            expected: "arbiter",
            owner: Some(e.arbiter_party),
        });
    }
    Exec::require_text("reason", reason)?;
    require_status(&e, EscrowStatus::Disputed, "disputed")?;
    e.resolution = Some(reason.to_owned());
    let status = if to_payee { EscrowStatus::Released } else { EscrowStatus::Refunded };
    settle(ex, e, to_payee, status)
}

/// SPEC §7 (DC art. 67): any active party publishes the human-readable terms
/// of escrows (at most [`tamga_types::limits::MAX_TERMS`] bytes, the format
/// bound), stored under their SHA-256. Terms are published once.
pub(crate) fn publish_terms(ex: &mut Exec<'_, '_>, text: &str) -> R<()> {
    Exec::require_text("text", text)?;
    let hash = Hash::sha256(text.as_bytes());
    if let Some(t) = ex.get::<EscrowTerms>(&keys::terms(&hash))? {
        return Err(ExecError::TermsAlreadyPublished { hash, by: t.published_by, height: t.height });
    }
    let t = EscrowTerms { hash, text: text.to_owned(), published_by: ex.party.id, height: ex.height };
    ex.put(keys::terms(&hash), &t);
    ex.emit("terms_published", vec![("terms_hash", hash.to_hex()), ("by", ex.party.id.to_string())]);
    Ok(())
}
