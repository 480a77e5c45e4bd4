//! SPEC §9 governance by regulators: validator-set changes (effective
//! `validator_change_delay` blocks later, never empty) and chain parameters.

use tamga_types::{ParameterChange, PartyStatus, Validator, ValidatorSet, ValidatorUpdate};

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
        set.retain(|v| v.key != u.key);
        set.push(Validator { key: u.key, power: u.power, operator: u.operator });
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
/// `height + max(delay, 1)` and never before an already scheduled change.
fn schedule(ex: &mut Exec<'_, '_>, params: &tamga_types::Params, latest_eff: u64, new: ValidatorSet) {
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
}

/// SPEC §9: with `require_mining_notice`, a validator stays in the active set
/// only while its operator has an accepted mining notification. Called when
/// `operator` loses its last one: its validators leave the set after the
/// usual delay — unless that would leave no validator at all, in which case
/// the set is kept (a chain without validators cannot even commit the fix)
/// and a `validators_kept` event says so.
pub(crate) fn drop_validators_of(ex: &mut Exec<'_, '_>, operator: tamga_types::PartyId) -> R<()> {
    let params = ex.params()?;
    if !params.require_mining_notice {
        return Ok(());
    }
    let (latest_eff, latest): (u64, ValidatorSet) =
        ex.get(&keys::meta(meta::VALSET_LATEST))?.ok_or(StateError::Missing { what: "the latest validator set" })?;
    let kept: Vec<Validator> = latest.validators.iter().filter(|v| v.operator != operator).cloned().collect();
    if kept.len() == latest.len() {
        return Ok(());
    }
    match ValidatorSet::new(kept) {
        Ok(new) => schedule(ex, &params, latest_eff, new),
        Err(_) => ex.emit(
            "validators_kept",
            vec![("operator", operator.to_string()), ("why", "removing them would empty the validator set".into())],
        ),
    }
    Ok(())
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
    }
    ex.put(keys::meta(meta::PARAMS), &p);
    ex.emit("parameter_changed", vec![("parameter", change.name().to_owned()), ("value", change.value())]);
    Ok(())
}
