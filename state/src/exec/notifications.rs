//! SPEC §6 registries: mining notifications (art. 33-1 p.9) reviewed by a
//! `mining` regulator, and digital-asset activity notifications (art. 33-1
//! p.10) reviewed by an `assets` regulator, which grant or withdraw the Issuer role.

use tamga_types::{
    Activity, ActivityNotificationId, ActivityPhase, ClassId, ClassStatus, Date, MiningNotificationId,
    MiningNotificationKind, MiningSite, PartyId, Scope,
};

use super::records::append_history;
use super::{restrictions, tokens, Exec, R};
use crate::error::{ExecError, StateError};
use crate::keys::{self, index};
use crate::model::{ActivityNotification, Authority, MiningNotification, ReviewStatus};
use crate::store::Space;

fn check_date(d: &Date) -> R<()> {
    if !d.is_valid() {
        return Err(ExecError::InvalidDate { date: format!("{:04}-{:02}-{:02}", d.year, d.month, d.day) });
    }
    Ok(())
}

fn mining(ex: &Exec<'_, '_>, id: MiningNotificationId) -> R<MiningNotification> {
    ex.get(&keys::id(keys::state::MINING, id.0))?.ok_or(ExecError::UnknownMiningNotification { id })
}

fn put_mining(ex: &mut Exec<'_, '_>, n: &MiningNotification) {
    ex.put(keys::id(keys::state::MINING, n.id.0), n);
}

/// Appends a fact to a mining notification's history (`U ‖ id ‖ seq`, SPEC §6).
fn mining_history(
    ex: &mut Exec<'_, '_>,
    n: &mut MiningNotification,
    event: &str,
    details: &[(&'static str, String)],
) -> R<()> {
    append_history(ex, keys::state::MINING_HISTORY, n.id.0, &mut n.history_len, event, details)
}

/// Appends a fact to an activity notification's history (`L ‖ id ‖ seq`, SPEC §6).
fn activity_history(
    ex: &mut Exec<'_, '_>,
    n: &mut ActivityNotification,
    event: &str,
    details: &[(&'static str, String)],
) -> R<()> {
    append_history(ex, keys::state::ACTIVITY_HISTORY, n.id.0, &mut n.history_len, event, details)
}

/// The history details of a review.
fn review_details(status: &ReviewStatus) -> Vec<(&'static str, String)> {
    match status {
        ReviewStatus::Submitted => vec![],
        ReviewStatus::Accepted { by, .. } => vec![("accepted", "true".into()), ("by", by.to_string())],
        ReviewStatus::Rejected { by, reason, .. } => {
            vec![("accepted", "false".into()), ("by", by.to_string()), ("reason", reason.clone())]
        }
    }
}

/// SPEC §6: a start opens a chain; a change or termination follows the miner's own latest notification.
pub(crate) fn submit_mining(
    ex: &mut Exec<'_, '_>,
    kind: MiningNotificationKind,
    previous: Option<MiningNotificationId>,
    site: &MiningSite,
) -> R<()> {
    check_date(&site.start_date)?;
    Exec::require_text("site.address", &site.address)?;
    let version = match (kind, previous) {
        (MiningNotificationKind::Start, None) => 1,
        (MiningNotificationKind::Start, Some(_)) => {
            return Err(chain("start_has_previous", None, None, None));
        }
        (_, None) => {
            return Err(chain("previous_missing", None, None, None));
        }
        (_, Some(prev_id)) => {
            let prev = mining(ex, prev_id)?;
            if prev.miner != ex.party.id {
                return Err(chain("previous_of_other_miner", Some(prev_id), Some(prev.miner), None));
            }
            if let Some(next) = prev.superseded_by {
                return Err(chain("previous_already_followed", Some(prev_id), None, Some(next)));
            }
            if prev.closed {
                return Err(chain("activity_terminated", Some(prev_id), None, None));
            }
            if prev.kind == MiningNotificationKind::Termination && prev.status == ReviewStatus::Submitted {
                return Err(chain("termination_pending", Some(prev_id), None, None));
            }
            prev.version.checked_add(1).ok_or(ExecError::Overflow { what: "version" })?
        }
    };
    let id = MiningNotificationId(ex.next_id(|c| &mut c.mining)?);
    if let Some(prev_id) = previous {
        let mut prev = mining(ex, prev_id)?;
        prev.superseded_by = Some(id);
        mining_history(ex, &mut prev, "mining_notification_superseded", &[("by", id.to_string())])?;
        put_mining(ex, &prev);
    }
    let mut n = MiningNotification {
        id,
        miner: ex.party.id,
        kind,
        previous,
        superseded_by: None,
        version,
        site: site.clone(),
        status: ReviewStatus::Submitted,
        closed: false,
        submitted_height: ex.height,
        submitted_time_ms: ex.time_ms,
        history_len: 0,
    };
    let details = [
        ("miner", ex.party.id.to_string()),
        ("version", version.to_string()),
        ("previous", previous.map(|p| p.to_string()).unwrap_or_default()),
    ];
    mining_history(ex, &mut n, "mining_notification_submitted", &details)?;
    put_mining(ex, &n);
    ex.idx_put(keys::idx_id_id(index::MINER_NOTIFICATION, ex.party.id.0, id.0), vec![]);
    ex.emit(
        "mining_notification_submitted",
        vec![("notification", id.to_string()), ("miner", ex.party.id.to_string()), ("kind", kind.as_str().to_owned())],
    );
    Ok(())
}

fn review_outcome(ex: &Exec<'_, '_>, accept: bool, reason: Option<&str>) -> R<ReviewStatus> {
    if accept {
        return Ok(ReviewStatus::Accepted { by: ex.party.id, height: ex.height });
    }
    let reason = reason.unwrap_or("");
    Exec::require_text("reason", reason)?;
    Ok(ReviewStatus::Rejected { by: ex.party.id, height: ex.height, reason: reason.to_owned() })
}

/// SPEC §6: only a `mining`-scoped regulator reviews mining notifications.
pub(crate) fn review_mining(
    ex: &mut Exec<'_, '_>,
    id: MiningNotificationId,
    accept: bool,
    reason: Option<&str>,
) -> R<()> {
    ex.require_scope("review_mining_notification", Scope::Mining)?;
    let mut n = mining(ex, id)?;
    if n.status != ReviewStatus::Submitted {
        return Err(ExecError::NotificationState { id: id.0, status: n.status.name(), expected: "submitted" });
    }
    n.status = review_outcome(ex, accept, reason)?;
    let details = review_details(&n.status);
    mining_history(ex, &mut n, "mining_notification_reviewed", &details)?;
    if accept && n.kind == MiningNotificationKind::Termination {
        // SPEC §6: "a termination closes it" — the whole chain, every version.
        let closed_by = [("termination", id.to_string())];
        n.closed = true;
        mining_history(ex, &mut n, "mining_notification_closed", &closed_by)?;
        let mut prev = n.previous;
        while let Some(pid) = prev {
            let mut p = mining(ex, pid)?;
            p.closed = true;
            mining_history(ex, &mut p, "mining_notification_closed", &closed_by)?;
            prev = p.previous;
            put_mining(ex, &p);
        }
    }
    put_mining(ex, &n);
    if accept {
        // SPEC §9: the miner is active while ANY of its chains (sites) has an
        // accepted notification and is not closed; terminating one site does
        // not end the others.
        let mut miner = ex.party(n.miner)?;
        let was_active = miner.mining_active;
        miner.mining_active = false;
        let ids = ex.view.scan(Space::Index, &keys::prefix_id(index::MINER_NOTIFICATION, miner.id.0))?;
        for (k, _) in ids {
            let id = keys::trailing_u64(&k).ok_or(StateError::BadIndexKey { what: "notification" })?;
            let m = mining(ex, MiningNotificationId(id))?;
            if matches!(m.status, ReviewStatus::Accepted { .. })
                && !m.closed
                && m.kind != MiningNotificationKind::Termination
            {
                miner.mining_active = true;
                break;
            }
        }
        ex.put_party(&miner);
        if was_active && !miner.mining_active {
            super::governance::drop_validators_of(ex, miner.id)?;
        }
    }
    ex.emit(
        "mining_notification_reviewed",
        vec![("notification", id.to_string()), ("accepted", accept.to_string()), ("by", ex.party.id.to_string())],
    );
    Ok(())
}

/// SPEC §6: a party notifies the start or termination of an activity.
pub(crate) fn submit_activity(ex: &mut Exec<'_, '_>, activity: Activity, phase: ActivityPhase, date: Date) -> R<()> {
    check_date(&date)?;
    let id = ActivityNotificationId(ex.next_id(|c| &mut c.activity)?);
    let mut n = ActivityNotification {
        id,
        party: ex.party.id,
        activity,
        phase,
        date,
        status: ReviewStatus::Submitted,
        submitted_height: ex.height,
        history_len: 0,
    };
    activity_history(ex, &mut n, "activity_notification_submitted", &[("party", ex.party.id.to_string())])?;
    ex.put(keys::id(keys::state::ACTIVITY, id.0), &n);
    ex.emit(
        "activity_notification_submitted",
        vec![
            ("notification", id.to_string()),
            ("party", ex.party.id.to_string()),
            ("activity", activity.as_str().to_owned()),
            ("phase", phase.as_str().to_owned()),
        ],
    );
    Ok(())
}

/// SPEC §6: an `assets` regulator reviews; an accepted issuance start grants the
/// Issuer role, an accepted termination withdraws it and pauses the issuer's classes.
pub(crate) fn review_activity(
    ex: &mut Exec<'_, '_>,
    id: ActivityNotificationId,
    accept: bool,
    reason: Option<&str>,
) -> R<()> {
    ex.require_scope("review_activity_notification", Scope::Assets)?;
    let key = keys::id(keys::state::ACTIVITY, id.0);
    let mut n: ActivityNotification = ex.get(&key)?.ok_or(ExecError::UnknownActivityNotification { id })?;
    if n.status != ReviewStatus::Submitted {
        return Err(ExecError::NotificationState { id: id.0, status: n.status.name(), expected: "submitted" });
    }
    n.status = review_outcome(ex, accept, reason)?;
    let details = review_details(&n.status);
    activity_history(ex, &mut n, "activity_notification_reviewed", &details)?;
    ex.put(key, &n);
    if accept && n.activity == Activity::Issuance {
        let mut p = ex.party(n.party)?;
        match n.phase {
            ActivityPhase::Start => p.issuer = true,
            ActivityPhase::Termination => {
                p.issuer = false;
                let classes = ex.view.scan(Space::Index, &keys::prefix_id(index::ISSUER_CLASS, p.id.0))?;
                for (k, _) in classes {
                    let cid = ClassId(keys::trailing_u64(&k).ok_or(StateError::BadIndexKey { what: "class" })?);
                    let c = tokens::class(ex, cid)?;
                    // SPEC §4, §6: a pause of its own, imposed by the
                    // reviewing regulator, so the issuer cannot lift it.
                    if c.status == ClassStatus::Active {
                        let (by, basis) = (
                            ex.party.id,
                            format!("Law art. 33-1 p.10: issuance terminated (activity notification {id})"),
                        );
                        restrictions::impose_pause(ex, c, by, Authority::Regulator, &basis)?;
                    }
                }
            }
        }
        // The party state may have been re-read by the signer's own context; keep the signer copy in sync.
        if p.id == ex.party.id {
            ex.party = p.clone();
        }
        ex.put_party(&p);
    }
    ex.emit(
        "activity_notification_reviewed",
        vec![("notification", id.to_string()), ("accepted", accept.to_string()), ("by", ex.party.id.to_string())],
    );
    Ok(())
}

/// SPEC §6: a broken notification chain, by its stable reason code.
fn chain(
    reason: &'static str,
    previous: Option<MiningNotificationId>,
    miner: Option<PartyId>,
    next: Option<MiningNotificationId>,
) -> ExecError {
    ExecError::InvalidNotificationChain { reason, previous, miner, next }
}
