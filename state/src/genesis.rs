//! Genesis application (SPEC §1.11, §2, §9): height 0, parties `1..=n`,
//! regulators with scopes, issuers with an accepted issuance notification,
//! validators with their operators, parameters, regulation hash, network type.
//! Genesis creates no token value (SPEC §1.2).

use std::collections::HashSet;

use tamga_types::{
    Activity, ActivityNotificationId, ActivityPhase, Date, Genesis, Params, PartyId, PartyKind, PartyStatus, Receipt,
    Validator, ValidatorSet,
};

use crate::error::{ExecError, Result, StateError};
use crate::exec::governance::drop_validators_without_notice;
use crate::exec::Exec;
use crate::keys::{self, meta};
use crate::model::{AccountState, AccountStatus, ActivityNotification, ChainInfo, Counters, PartyState, ReviewStatus};
use crate::store::{enc, Space, View};

/// Civil date (UTC) of a millisecond timestamp (Howard Hinnant's algorithm).
pub(crate) fn date_of(ms: u64) -> Date {
    let z = (ms / 86_400_000) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date { year: y.clamp(0, 9999) as u16, month: m, day: d }
}

fn invalid(s: String) -> StateError {
    StateError::InvalidGenesis(s)
}

/// Validates `g` and writes its state into `view` (state and index spaces).
pub(crate) fn apply(view: &mut View<'_>, g: &Genesis) -> Result<ValidatorSet> {
    if g.chain_id.is_empty() || g.chain_id.len() > tamga_types::limits::MAX_CHAIN_ID {
        return Err(invalid(format!("chain_id must be 1-{} bytes", tamga_types::limits::MAX_CHAIN_ID)));
    }
    // The ranges a regulator's SetParameter accepts (a block limit of 0 would
    // leave no room even for the regulator's fix), and SPEC §1.11's network type.
    let max_txs = tamga_types::limits::MAX_BLOCK_TXS;
    if g.params.max_block_txs == 0 || g.params.max_block_txs as usize > max_txs {
        return Err(invalid(format!("params.max_block_txs must be 1..={max_txs}")));
    }
    if g.params.validator_change_delay == 0 {
        return Err(invalid("params.validator_change_delay must be at least 1".into()));
    }
    let max_set = tamga_types::limits::MAX_VALIDATORS;
    if g.params.min_validators == 0 || g.params.min_validators as usize > max_set {
        return Err(invalid(format!(
            "params.min_validators: expected 1..={max_set}, got {} (SPEC §9.4)",
            g.params.min_validators
        )));
    }
    if g.network_type != tamga_types::NetworkType::CentrallyDistributed {
        return Err(invalid("network_type must be centrally_distributed (SPEC §1.11)".into()));
    }
    let n = g.parties.len() as u64;
    let set = ValidatorSet::new(
        g.validators
            .iter()
            .map(|v| Validator { key: v.key, power: v.power, operator: v.operator, p2p_key: v.p2p_key })
            .collect(),
    )
    .map_err(|e| invalid(format!("validators: {e}")))?;
    for v in set.validators.iter() {
        if v.operator.0 == 0 || v.operator.0 > n {
            return Err(invalid(format!(
                "validator {} names operator party {} (parties are 1..={n})",
                v.key, v.operator
            )));
        }
    }
    let mut keys_seen = HashSet::new();
    let mut idents = HashSet::new();
    let mut counters = Counters { party: n, ..Counters::default() };
    for (i, gp) in g.parties.iter().enumerate() {
        let id = PartyId(i as u64 + 1);
        if gp.display_name.is_some() && gp.kind != PartyKind::LegalEntity {
            return Err(invalid(format!("party {id}: display_name is allowed for legal entities only")));
        }
        if gp.accounts.is_empty() {
            return Err(invalid(format!("party {id}: accounts must not be empty")));
        }
        if !idents.insert(gp.id_commitment) {
            return Err(invalid(format!("party {id}: identifier commitment is not unique")));
        }
        for k in &gp.accounts {
            if k.is_weak() {
                return Err(invalid(format!("party {id}: key {k} is weak")));
            }
            if set.index_of(k).is_some() {
                return Err(invalid(format!("party {id}: key {k} is a validator key (SPEC §1.9)")));
            }
            if !keys_seen.insert(*k) {
                return Err(invalid(format!("party {id}: key {k} is listed twice")));
            }
            let acc = AccountState {
                key: *k,
                party: id,
                status: AccountStatus::Active,
                certificate: None,
                nonce: 0,
                created_height: 0,
            };
            view.put(Space::State, keys::account(k), enc(&acc));
        }
        let mut scopes = gp.regulator_scopes.clone();
        scopes.sort();
        scopes.dedup();
        let p = PartyState {
            id,
            kind: gp.kind,
            id_commitment: gp.id_commitment,
            display_name: gp.display_name.clone(),
            status: PartyStatus::Active,
            registered_height: 0,
            registered_by: None,
            regulator_scopes: scopes,
            issuer: gp.issuer,
            mining_active: false,
            accounts: gp.accounts.clone(),
        };
        view.put(Space::State, keys::id(keys::state::PARTY, id.0), enc(&p));
        view.put(Space::State, keys::ident(&gp.id_commitment), enc(&id));
        if gp.issuer {
            counters.activity += 1;
            let nid = ActivityNotificationId(counters.activity);
            let note = ActivityNotification {
                id: nid,
                party: id,
                activity: Activity::Issuance,
                phase: ActivityPhase::Start,
                date: date_of(g.genesis_time_ms),
                status: ReviewStatus::Accepted { by: PartyId(0), height: 0 },
                submitted_height: 0,
                history_len: 0,
            };
            view.put(Space::State, keys::id(keys::state::ACTIVITY, nid.0), enc(&note));
        }
    }
    let chain = ChainInfo {
        chain_id: g.chain_id.clone(),
        genesis_time_ms: g.genesis_time_ms,
        genesis_hash: g.hash(),
        regulation_hash: g.regulation_hash,
        network_type: g.network_type,
    };
    view.put(Space::State, keys::meta(meta::CHAIN), enc(&chain));
    view.put(Space::State, keys::meta(meta::PARAMS), enc(&g.params));
    view.put(Space::State, keys::meta(meta::COUNTERS), enc(&counters));
    view.put(Space::State, keys::meta(meta::HEIGHT), enc(&0u64));
    for v in set.validators.iter() {
        view.put(Space::State, keys::consensus_key(&v.key), enc(&0u64));
    }
    view.put(Space::State, keys::valset(0), enc(&set));
    view.put(Space::State, keys::meta(meta::VALSET_LATEST), enc(&(0u64, set.clone())));
    view.commit_tx();
    Ok(set)
}

/// SPEC §9.4 at genesis: once the genesis transactions have run (they carry
/// the operators' mining notifications), with `require_mining_notice` on,
/// the validators whose operator has no accepted notification leave the set
/// at the first change height, `0 + max(validator_change_delay, 1)` — the
/// height any change committed at height 0 takes effect, so the genesis set
/// itself certifies the first blocks, as the genesis file says — or, when
/// fewer than `min_validators` would remain, they stay. The check runs as the
/// tail of the last genesis transaction: its events (`validators_updated`
/// and `validators_left`, or `validators_kept`) are appended to that
/// transaction's receipt. Parameters are read from the state, so a genesis
/// transaction's `SetParameter` counts. Without genesis transactions no
/// operator can have a notification, and such a genesis is refused.
pub(crate) fn check_validator_admission(view: &mut View<'_>, g: &Genesis, receipts: &mut [Receipt]) -> Result<()> {
    let params: Params = view
        .get(Space::State, &keys::meta(meta::PARAMS))?
        .map(|b| crate::store::dec("params", &b))
        .transpose()?
        .ok_or(StateError::Missing { what: "the chain parameters" })?;
    if !params.require_mining_notice {
        return Ok(());
    }
    let (Some(last), Some(last_tx)) = (receipts.last_mut(), g.transactions.last()) else {
        return Err(invalid(
            "params.require_mining_notice is on and there are no genesis transactions; expected transactions that \
             give each validator operator an accepted mining notification (SPEC §9.4)"
                .into(),
        ));
    };
    let signer = last_tx.tx.signer;
    let party: PartyState = view
        .get(Space::State, &keys::account(&signer))?
        .map(|b| crate::store::dec::<AccountState>("account", &b))
        .transpose()?
        .and_then(|a| view.get(Space::State, &keys::id(keys::state::PARTY, a.party.0)).transpose())
        .transpose()?
        .map(|b| crate::store::dec("party", &b))
        .transpose()?
        .ok_or(StateError::Missing { what: "the last genesis transaction's party" })?;
    let mut ex =
        Exec { view, height: 0, time_ms: last.block_time_ms, tx_hash: last.tx_hash, signer, party, events: Vec::new() };
    match drop_validators_without_notice(&mut ex) {
        Ok(()) => {}
        Err(ExecError::Internal(e)) => return Err(*e),
        Err(e) => return Err(invalid(format!("validator admission after the genesis transactions: {e}"))),
    }
    let events = std::mem::take(&mut ex.events);
    view.commit_tx();
    last.events.extend(events);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(date_of(0), Date { year: 1970, month: 1, day: 1 });
        // 2024-02-29T12:00:00Z
        assert_eq!(date_of(1_709_208_000_000), Date { year: 2024, month: 2, day: 29 });
        assert_eq!(date_of(1_735_689_600_000), Date { year: 2025, month: 1, day: 1 });
    }
}
