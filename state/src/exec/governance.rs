//! SPEC §9 governance by regulators: validator-set changes (effective
//! `validator_change_delay` blocks later, never empty) and chain parameters;
//! SPEC §9.4 validator admission: validators whose operator lacks an
//! accepted mining notification, or is suspended or revoked, leave the set
//! while at least `min_validators` remain.

use std::collections::BTreeSet;

use tamga_types::{ParameterChange, PartyId, PartyStatus, Validator, ValidatorSet, ValidatorUpdate};

use super::{Exec, R};
use crate::error::{ExecError, StateError};
use crate::keys::{self, meta};
use crate::model::AccountState;

/// SPEC §9: a regulator changes the validator set; the change applies to the
/// latest scheduled set and takes effect at `height + max(delay, 1)` (never
/// earlier than an already scheduled change).
pub(crate) fn update_validators(ex: &mut Exec<'_, '_>, updates: &[ValidatorUpdate]) -> R<()> {
    ex.require_regulator("update_validators")?;
    if updates.is_empty() {
        return Err(ExecError::EmptyField { field: "updates" });
    }
    let params = ex.params()?;
    let (latest_eff, latest): (u64, ValidatorSet) =
        ex.get(&keys::meta(meta::VALSET_LATEST))?.ok_or(StateError::Missing { what: "the latest validator set" })?;
    let mut set: Vec<Validator> = latest.validators.to_vec();
    for u in updates {
        if u.power == 0 {
            let before = set.len();
            set.retain(|v| v.key != u.key);
            if set.len() == before {
                return Err(ExecError::InvalidValidatorSet { reason: "not_a_validator", key: Some(u.key) });
            }
            continue;
        }
        if u.key.is_weak() {
            return Err(ExecError::WeakKey { key: u.key });
        }
        // SPEC §1.9: a consensus key must never be an account key.
        if ex.get::<AccountState>(&keys::account(&u.key))?.is_some() {
            return Err(ExecError::InvalidValidatorSet { reason: "account_key", key: Some(u.key) });
            // SPEC §1.9
        }
        let op = ex.party(u.operator)?;
        if op.status != PartyStatus::Active {
            return Err(ExecError::PartyInactive { party: op.id, status: op.status });
        }
        if params.require_mining_notice && !op.mining_active {
            return Err(ExecError::MiningNoticeRequired { party: op.id });
        }
        // SPEC §9: peers admit the validator's node under its recorded p2p
        // identity; an update without one keeps the recorded key, and a new
        // validator without one is admitted under its consensus key.
        let recorded = set.iter().find(|v| v.key == u.key).map(|v| v.p2p_key);
        let p2p_key = u.p2p_key.or(recorded).unwrap_or(u.key);
        if p2p_key.is_weak() {
            return Err(ExecError::InvalidValidatorSet { reason: "weak_p2p_key", key: Some(p2p_key) });
        }
        set.retain(|v| v.key != u.key);
        set.push(Validator { key: u.key, power: u.power, operator: u.operator, p2p_key });
        if ex.get::<u64>(&keys::consensus_key(&u.key))?.is_none() {
            let height = ex.height;
            ex.put(keys::consensus_key(&u.key), &height);
        }
    }
    let new = ValidatorSet::new(set).map_err(|e| ExecError::validator_set(&e))?;
    schedule(ex, &params, latest_eff, new);
    Ok(())
}

/// Schedules `new` as the latest validator set, effective at
/// `height + max(delay, 1)` and never before an already scheduled change;
/// returns the effective height.
fn schedule(ex: &mut Exec<'_, '_>, params: &tamga_types::Params, latest_eff: u64, new: ValidatorSet) -> u64 {
    let delay = params.validator_change_delay.max(1);
    let eff = ex.height.saturating_add(delay).max(latest_eff);
    ex.put(keys::valset(eff), &new);
    ex.put(keys::meta(meta::VALSET_LATEST), &(eff, new.clone()));
    ex.emit(
        "validators_updated",
        vec![
            ("effective_height", eff.to_string()),
            ("validators_hash", new.hash().to_hex()),
            ("count", new.len().to_string()),
        ],
    );
    eff
}

/// Why validators leave the set without a regulator's `UpdateValidators`
/// (SPEC §9.4): the `reason` attribute of `validators_left` and
/// `validators_kept`, a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeaveReason {
    /// `require_mining_notice` is on and the operator has no accepted,
    /// not terminated mining notification.
    NoMiningNotice,
    /// A regulator suspended the operator party (SPEC §9.3: an operator is active).
    OperatorSuspended,
    /// A regulator revoked the operator party.
    OperatorRevoked,
}

impl LeaveReason {
    /// The stable code carried by the events.
    pub(crate) fn code(self) -> &'static str {
        match self {
            LeaveReason::NoMiningNotice => "no_mining_notice",
            LeaveReason::OperatorSuspended => "operator_suspended",
            LeaveReason::OperatorRevoked => "operator_revoked",
        }
    }
}

/// SPEC §9.4: the validators of the latest scheduled set whose operator is
/// in `operators` leave it together at the next change height — but only
/// while at least `min_validators` remain. Otherwise they all stay and a
/// `validators_kept` event records it, so that the triggering transaction
/// (a suspension, a termination, the rule being turned on) always commits:
/// a set below n = 3f + 1 could no longer tolerate a faulty validator, and
/// an empty one could not even commit the fix.
fn leave(ex: &mut Exec<'_, '_>, operators: &BTreeSet<PartyId>, reason: LeaveReason) -> R<()> {
    let params = ex.params()?;
    let (latest_eff, latest): (u64, ValidatorSet) =
        ex.get(&keys::meta(meta::VALSET_LATEST))?.ok_or(StateError::Missing { what: "the latest validator set" })?;
    let (going, staying): (Vec<Validator>, Vec<Validator>) =
        latest.validators.iter().cloned().partition(|v| operators.contains(&v.operator));
    if going.is_empty() {
        return Ok(());
    }
    // The operators that actually run a leaving validator, ascending.
    let ops: BTreeSet<PartyId> = going.iter().map(|v| v.operator).collect();
    let ops = ops.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join(",");
    let (min, leaving, remaining) = (params.min_validators, going.len(), staying.len());
    let new = if remaining < min as usize { None } else { ValidatorSet::new(staying).ok() };
    // A subset of a valid set is valid once non-empty (min_validators ≥ 1);
    // should that ever fail, the set stays rather than the transaction fail.
    let Some(new) = new else {
        ex.emit(
            "validators_kept",
            vec![
                ("reason", reason.code().to_owned()),
                ("operators", ops),
                ("kept", leaving.to_string()),
                ("would_remain", remaining.to_string()),
                ("min_validators", min.to_string()),
            ],
        );
        return Ok(());
    };
    let eff = schedule(ex, &params, latest_eff, new);
    ex.emit(
        "validators_left",
        vec![
            ("reason", reason.code().to_owned()),
            ("operators", ops),
            ("validators", leaving.to_string()),
            ("remaining", remaining.to_string()),
            ("effective_height", eff.to_string()),
        ],
    );
    Ok(())
}

/// SPEC §9.4: with `require_mining_notice`, a validator stays in the active
/// set only while its operator has an accepted mining notification. Called
/// when `operator` loses its last one: its validators leave at the next
/// change height, within the `min_validators` bound ([`leave`]).
pub(crate) fn drop_validators_of(ex: &mut Exec<'_, '_>, operator: PartyId) -> R<()> {
    if !ex.params()?.require_mining_notice {
        return Ok(());
    }
    leave(ex, &BTreeSet::from([operator]), LeaveReason::NoMiningNotice)
}

/// SPEC §9.3–§9.4: an operator must be an active party, so when a regulator
/// suspends or revokes a party its validators leave at the next change
/// height, within the `min_validators` bound ([`leave`]); the status change
/// itself always commits. Reactivating the party does not bring them back:
/// the regulator re-admits them with `UpdateValidators`.
pub(crate) fn party_status_changed(ex: &mut Exec<'_, '_>, party: PartyId, status: PartyStatus) -> R<()> {
    let reason = match status {
        PartyStatus::Active => return Ok(()),
        PartyStatus::Suspended => LeaveReason::OperatorSuspended,
        PartyStatus::Revoked => LeaveReason::OperatorRevoked,
    };
    leave(ex, &BTreeSet::from([party]), reason)
}

/// SPEC §9.4: while `require_mining_notice` is on, the validators of every
/// operator without an accepted, not terminated mining notification leave at
/// the next change height, within the `min_validators` bound ([`leave`]).
/// Run when the rule is turned on and, at genesis, after the genesis
/// transactions (which carry the notices).
pub(crate) fn drop_validators_without_notice(ex: &mut Exec<'_, '_>) -> R<()> {
    if !ex.params()?.require_mining_notice {
        return Ok(());
    }
    let (_, latest): (u64, ValidatorSet) =
        ex.get(&keys::meta(meta::VALSET_LATEST))?.ok_or(StateError::Missing { what: "the latest validator set" })?;
    let operators: BTreeSet<PartyId> = latest.validators.iter().map(|v| v.operator).collect();
    let mut lacking = BTreeSet::new();
    for op in operators {
        if !ex.party(op)?.mining_active {
            lacking.insert(op);
        }
    }
    if lacking.is_empty() {
        return Ok(());
    }
    leave(ex, &lacking, LeaveReason::NoMiningNotice)
}

/// SPEC §9: a regulator changes a chain parameter.
pub(crate) fn set_parameter(ex: &mut Exec<'_, '_>, change: &ParameterChange) -> R<()> {
    ex.require_regulator("set_parameter")?;
    let mut p = ex.params()?;
    match change {
        ParameterChange::MaxBlockTxs(n) => {
            if *n == 0 || *n as usize > tamga_types::limits::MAX_BLOCK_TXS {
                return Err(ExecError::InvalidField {
                    field: "max_block_txs",
                    expected: format!("1..={}", tamga_types::limits::MAX_BLOCK_TXS),
                    got: n.to_string(),
                });
            }
            p.max_block_txs = *n;
        }
        ParameterChange::ValidatorChangeDelay(d) => {
            if *d == 0 {
                return Err(ExecError::InvalidField {
                    field: "validator_change_delay",
                    expected: ">=1".into(),
                    got: d.to_string(),
                });
            }
            p.validator_change_delay = *d;
        }
        ParameterChange::RequireMiningNotice(b) => p.require_mining_notice = *b,
        ParameterChange::MinValidators(n) => {
            let max = tamga_types::limits::MAX_VALIDATORS as u64;
            if *n == 0 || u64::from(*n) > max {
                return Err(ExecError::ParamOutOfRange { param: "min_validators", min: 1, max, got: u64::from(*n) });
            }
            p.min_validators = *n;
        }
    }
    ex.put(keys::meta(meta::PARAMS), &p);
    ex.emit("parameter_changed", vec![("parameter", change.name().to_owned()), ("value", change.value())]);
    // SPEC §9.4: turning the rule on applies it to the validators already in
    // the set; the parameter change commits whatever the check decides.
    if *change == ParameterChange::RequireMiningNotice(true) {
        drop_validators_without_notice(ex)?;
    }
    Ok(())
}
