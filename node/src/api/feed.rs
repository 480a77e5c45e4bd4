//! Which committed events concern which account: the per-account feed of
//! `GET /v1/events?account=KEY` (Law on Informatization art. 36 p.6: the
//! holder is informed of every consequence others or the ledger bring on
//! its holding; SPEC §4, §5, §7, §9).
//!
//! The decision is made once, here, from the committed events' attributes
//! (`docs/wire-format.md` §10) and, where an event names an object rather
//! than an account, from that object's record in the committed state:
//!
//! | event kind | concerns account `K` (party `P`) when | role |
//! | --- | --- | --- |
//! | `frozen` | `holder` = K | `holder` |
//! | `restriction_lifted` | the named restriction is a freeze of K's holding, or a pause of a class K holds | `holder`, `class_holder` |
//! | `class_paused`, `class_closed` | K holds units of `class` | `class_holder` |
//! | `minted` | `to` = K | `to` |
//! | `transfer`, `forced_transfer`, `account_recovered`, `record_transferred`, `record_recovered` | `from` = K or `to` = K | `from`, `to` |
//! | `redeemed` | `holder` = K | `holder` |
//! | `record_issued` | `holder` = K | `holder` |
//! | `record_encumbered`, `record_released`, `record_terminated`, `record_escrowed`, `record_escrow_settled` | K holds the named `record` | `record_holder` |
//! | `escrow_created` | `payer` = K or `payee` = K | `payer`, `payee` |
//! | `escrow_settled`, `escrow_disputed` | K is the payer or the payee of the named `escrow` | `payer`, `payee` |
//! | `account_added`, `account_revoked` | `key` = K | `key` |
//! | `party_status_changed` | `party` = P | `party` |
//! | `validators_kept` | `operator` = P | `operator` |
//! | `mining_notification_reviewed` | the named `notification` is P's | `party` |
//! | `validators_updated` | a validator operated by P is in the set before `effective_height` and not in the set from it (P's validators leave the set) | `operator` |
//!
//! Every other kind (class creation, terms, submitted notifications, the
//! review of an activity notification, parameters) concerns no account's
//! feed. Where the decision reads the state (the `record`, `escrow`,
//! `restriction` or notification an event names, a holding of the class),
//! it reads the state as committed at the event's height (the versioned
//! state tree, SPEC §10), so a feed served late or replayed decides as a
//! live one: a record later moved by a recovery stays its holder's of then.
//! The validator sets are read by their effective heights.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tamga_state::keys::{self, state};
use tamga_state::{Ledger, StateError};
use tamga_types::model::{EscrowState, Holding, MiningNotification, RecordState, Restriction, RestrictionTarget};
use tamga_types::{ClassId, Event, Hash, Height, PartyId, PublicKey, Receipt};

/// The account a feed follows, and its party.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The account.
    pub key: PublicKey,
    /// Its party (an account never changes party).
    pub party: PartyId,
}

/// One event of an account's feed: the receipt event with where it was
/// committed and why it concerns the account.
#[derive(Serialize)]
pub struct AccountEvent<'a> {
    /// The account the feed follows.
    pub account: &'a PublicKey,
    /// Block height.
    pub height: Height,
    /// The transaction that caused it.
    pub tx_hash: &'a Hash,
    /// The transaction's position in its block.
    pub index: u32,
    /// Block time.
    pub block_time_ms: u64,
    /// The receipt event, exactly as the receipt carries it.
    pub event: &'a Event,
    /// How it concerns the account (the table above).
    pub role: &'static str,
}

fn key_is(e: &Event, attr: &str, k: &PublicKey) -> bool {
    e.get(attr).and_then(|v| PublicKey::from_hex(v).ok()).is_some_and(|v| v == *k)
}

fn party_is(e: &Event, attr: &str, p: PartyId) -> bool {
    e.get(attr).and_then(|v| v.parse::<u64>().ok()).is_some_and(|v| v == p.0)
}

fn id_of(e: &Event, attr: &str) -> Option<u64> {
    e.get(attr).and_then(|v| v.parse::<u64>().ok())
}

/// The first of `attrs` naming `k`.
fn named(e: &Event, attrs: &[&'static str], k: &PublicKey) -> Option<&'static str> {
    attrs.iter().copied().find(|a| key_is(e, a, k))
}

/// Largest state value decoded here (a record with its encumbrances is the largest).
const MAX_ENTRY: usize = 1 << 20;

/// The state entry under `key` as committed at `height`.
fn at<T: borsh::BorshDeserialize>(
    l: &Ledger,
    what: &'static str,
    key: &[u8],
    height: Height,
) -> Result<Option<T>, StateError> {
    let (bytes, _) = l.get_with_proof(key, height)?;
    bytes
        .map(|b| tamga_types::codec::decode(what, &b, MAX_ENTRY))
        .transpose()
        .map_err(|e| StateError::Corrupt { what, why: e.to_string() })
}

fn holds(l: &Ledger, class: ClassId, k: &PublicKey, height: Height) -> Result<bool, StateError> {
    let h: Option<Holding> = at(l, "holding", &keys::holding(class.0, k), height)?;
    Ok(h.is_some_and(|h| h.amount > 0 || h.frozen > 0 || h.whole_freezes > 0))
}

fn class_of(e: &Event) -> Option<ClassId> {
    id_of(e, "class").map(ClassId)
}

/// Whether event `e`, committed at `height`, concerns `s`, and as what
/// ([`AccountEvent::role`]).
pub fn concerns(l: &Ledger, s: &Subject, e: &Event, height: Height) -> Result<Option<&'static str>, StateError> {
    let k = &s.key;
    Ok(match e.kind.as_str() {
        "frozen" | "redeemed" | "record_issued" => named(e, &["holder"], k),
        "minted" => named(e, &["to"], k),
        "transfer" | "forced_transfer" | "account_recovered" | "record_transferred" | "record_recovered" => {
            named(e, &["from", "to"], k)
        }
        "escrow_created" => named(e, &["payer", "payee"], k),
        "account_added" | "account_revoked" => named(e, &["key"], k),
        "party_status_changed" => party_is(e, "party", s.party).then_some("party"),
        "validators_kept" => party_is(e, "operator", s.party).then_some("operator"),
        "mining_notification_reviewed" => {
            let Some(id) = id_of(e, "notification") else { return Ok(None) };
            let m: Option<MiningNotification> = at(l, "mining notification", &keys::id(state::MINING, id), height)?;
            m.is_some_and(|m| m.miner == s.party).then_some("party")
        }
        "class_paused" | "class_closed" => match class_of(e) {
            Some(c) if holds(l, c, k, height)? => Some("class_holder"),
            _ => None,
        },
        "restriction_lifted" => {
            let Some(id) = id_of(e, "restriction") else { return Ok(None) };
            let r: Option<Restriction> = at(l, "restriction", &keys::id(state::RESTRICTION, id), height)?;
            match r.map(|r| r.target) {
                Some(RestrictionTarget::Holding { holder, .. }) if holder == *k => Some("holder"),
                Some(RestrictionTarget::Class { class }) if holds(l, class, k, height)? => Some("class_holder"),
                _ => None,
            }
        }
        "record_encumbered" | "record_released" | "record_terminated" | "record_escrowed" | "record_escrow_settled" => {
            let Some(id) = id_of(e, "record") else { return Ok(None) };
            let r: Option<RecordState> = at(l, "record", &keys::id(state::RECORD, id), height)?;
            r.is_some_and(|r| r.holder == *k).then_some("record_holder")
        }
        "escrow_settled" | "escrow_disputed" => {
            let Some(id) = id_of(e, "escrow") else { return Ok(None) };
            let esc: Option<EscrowState> = at(l, "escrow", &keys::id(state::ESCROW, id), height)?;
            match esc {
                Some(x) if x.payer == *k => Some("payer"),
                Some(x) if x.payee == *k => Some("payee"),
                _ => None,
            }
        }
        "validators_updated" => {
            let Some(eff) = id_of(e, "effective_height").filter(|h| *h > 1) else { return Ok(None) };
            let after = l.validators_at(eff)?;
            let left = l
                .validators_at(eff - 1)?
                .validators
                .iter()
                .any(|v| v.operator == s.party && after.index_of(&v.key).is_none());
            left.then_some("operator")
        }
        _ => None,
    })
}

/// The events of receipt `r` that concern `s`, with their roles, in order.
pub fn of_receipt<'r>(l: &Ledger, s: &Subject, r: &'r Receipt) -> Result<Vec<(&'r Event, &'static str)>, StateError> {
    let mut out = Vec::new();
    for e in &r.events {
        if let Some(role) = concerns(l, s, e, r.height)? {
            out.push((e, role));
        }
    }
    Ok(out)
}

/// Open account feeds per account: at most `max` for one account
/// (`[api] sse_max_subscribers_per_account`). The map holds only accounts
/// with a feed open, so its size is bounded by the subscribers in all.
#[derive(Debug)]
pub struct PerAccount {
    max: usize,
    open: Mutex<HashMap<PublicKey, usize>>,
}

/// One open feed of an account, given back on drop.
#[derive(Debug)]
pub struct AccountSlot {
    from: Arc<PerAccount>,
    key: PublicKey,
}

impl PerAccount {
    /// At most `max` feeds per account.
    pub fn new(max: usize) -> Arc<PerAccount> {
        Arc::new(PerAccount { max, open: Mutex::new(HashMap::new()) })
    }

    /// The bound.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Opens a feed of `key`; `None` when `max` are open already.
    pub fn try_take(self: &Arc<Self>, key: PublicKey) -> Option<AccountSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(key).or_insert(0);
        if *n >= self.max {
            if *n == 0 {
                open.remove(&key);
            }
            return None;
        }
        *n += 1;
        Some(AccountSlot { from: self.clone(), key })
    }

    /// Feeds of `key` open now.
    pub fn count(&self, key: &PublicKey) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).get(key).copied().unwrap_or(0)
    }
}

impl Drop for AccountSlot {
    fn drop(&mut self) {
        let mut open = self.from.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_account_bound_counts_and_gives_back() {
        let k = tamga_types::SigningKey::from_seed([7; 32]).public();
        let other = tamga_types::SigningKey::from_seed([8; 32]).public();
        let p = PerAccount::new(2);
        let a = p.try_take(k).expect("first");
        let b = p.try_take(k).expect("second");
        assert!(p.try_take(k).is_none(), "a third feed of one account is refused");
        assert!(p.try_take(other).is_some(), "another account has its own bound");
        drop(a);
        assert_eq!(p.count(&k), 1);
        let _c = p.try_take(k).expect("a slot given back is free again");
        drop(b);
        assert_eq!(p.count(&other), 0, "dropped slots leave no entry");
        let none = PerAccount::new(0);
        assert!(none.try_take(k).is_none());
        assert!(none.open.lock().unwrap().is_empty(), "a refusal leaves no entry");
    }
}
