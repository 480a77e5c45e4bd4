//! The replay cache of signed requests ([`tamga_types::request`]).
//!
//! A signed request is accepted only within `request_window_ms` of the
//! node's clock; within that window the cache remembers the replay id of
//! every signed request the node accepted, and refuses the same id again
//! (401 `REQUEST_REPLAYED`). An entry can be forgotten once its time has
//! left the window: the request would be refused as expired anyway.
//!
//! The cache holds at most `replay_cache_entries` ids. Only requests by an
//! active account of the chain reach it (the node checks the account
//! before it records the id), so only registered accounts can fill it;
//! when it is full of ids still inside the window, a new signed request is
//! refused (503 `REPLAY_CACHE_FULL`, retry) rather than served unchecked.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

/// Why [`ReplayCache::insert`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The same request was accepted before, within the window.
    #[error("this signed request was already served")]
    Replayed,
    /// The cache is full of ids still within the window.
    #[error("the replay cache holds {0} requests still within the window")]
    Full(usize),
}

#[derive(Debug, Default)]
struct Entries {
    ids: HashSet<[u8; 32]>,
    /// (expiry ms, id), oldest first.
    by_expiry: BTreeSet<(u64, [u8; 32])>,
}

/// Replay ids of accepted signed requests, each until its time leaves the window.
#[derive(Debug)]
pub struct ReplayCache {
    max: usize,
    entries: Mutex<Entries>,
}

impl ReplayCache {
    /// A cache of at most `max` ids.
    pub fn new(max: usize) -> ReplayCache {
        ReplayCache { max: max.max(1), entries: Mutex::new(Entries::default()) }
    }

    /// Records `id`, which may be refused as a replay until `expires_ms`;
    /// entries expired at `now_ms` are dropped first.
    pub fn insert(&self, id: [u8; 32], expires_ms: u64, now_ms: u64) -> Result<(), ReplayError> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if e.ids.contains(&id) {
            return Err(ReplayError::Replayed);
        }
        while let Some(&(exp, old)) = e.by_expiry.first() {
            if exp >= now_ms {
                break;
            }
            e.by_expiry.pop_first();
            e.ids.remove(&old);
        }
        if e.ids.len() >= self.max {
            return Err(ReplayError::Full(self.max));
        }
        e.ids.insert(id);
        e.by_expiry.insert((expires_ms, id));
        Ok(())
    }

    /// Ids held now.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).ids.len()
    }

    /// Whether the cache holds no id.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most ids held.
    pub fn capacity(&self) -> usize {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seen_id_is_refused_until_it_expires() {
        let c = ReplayCache::new(8);
        c.insert([1; 32], 1_000, 0).unwrap();
        assert_eq!(c.insert([1; 32], 1_000, 500), Err(ReplayError::Replayed));
        c.insert([2; 32], 1_200, 500).unwrap();
        // Past its expiry the first id is forgotten (the window refuses it now).
        c.insert([3; 32], 2_000, 1_001).unwrap();
        assert_eq!(c.len(), 2);
        c.insert([1; 32], 2_000, 1_001).unwrap();
    }

    #[test]
    fn a_full_cache_refuses_rather_than_forgets() {
        let c = ReplayCache::new(2);
        c.insert([1; 32], 1_000, 0).unwrap();
        c.insert([2; 32], 1_000, 0).unwrap();
        assert_eq!(c.insert([3; 32], 1_000, 10), Err(ReplayError::Full(2)));
        assert_eq!(c.insert([1; 32], 1_000, 10), Err(ReplayError::Replayed));
        c.insert([3; 32], 3_000, 1_001).unwrap();
        assert_eq!(c.len(), 1);
    }
}
