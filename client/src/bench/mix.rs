//! The workload mix: `--mix transfers=80,records=10,notifications=10`.
//!
//! Weights are non-negative integers (not necessarily summing to 100); a
//! kind left out has weight 0. The sequence of kinds is a smooth weighted
//! round robin, so any window of the load has about the asked proportions and
//! the same options always give the same sequence:
//!
//! * `transfers`: token transfers of the devnet's class between users (SPEC §4);
//! * `records`: transfers of a record a user holds to another user (SPEC §5);
//!   the records are issued to the users by the issuer in the setup, before
//!   the clock starts, one per record transfer of the run;
//! * `notifications`: alternately a mining start notification (by a user,
//!   every tenth by the devnet's miner) and an activity start notification by
//!   a user (SPEC §6).
//!
//! [`Mix::MIXED`] (`--mix` without a value) is the stated mixed workload:
//! 80 % transfers, 10 % record transfers, 10 % notifications (5 % mining,
//! 5 % activity).

use std::fmt;
use std::str::FromStr;

/// The operation of one benchmark transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A token transfer between users.
    Transfer,
    /// The issuer certifies a record to a user (setup only: never in a mix).
    RecordIssue,
    /// A user transfers a record it holds.
    RecordTransfer,
    /// A mining start notification.
    MiningNotice,
    /// An activity start notification.
    ActivityNotice,
}

impl Kind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Transfer => "transfer",
            Kind::RecordIssue => "record_issue",
            Kind::RecordTransfer => "record_transfer",
            Kind::MiningNotice => "mining_notification",
            Kind::ActivityNotice => "activity_notification",
        }
    }
}

/// Relative weights of the three workload families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mix {
    /// Token transfers.
    pub transfers: u32,
    /// Record issues and transfers.
    pub records: u32,
    /// Mining and activity notifications.
    pub notifications: u32,
}

impl Mix {
    /// The mixed workload `--mix` runs when given no value.
    pub const MIXED: Mix = Mix { transfers: 80, records: 10, notifications: 10 };
}

impl Default for Mix {
    /// Transfers only.
    fn default() -> Self {
        Mix { transfers: 1, records: 0, notifications: 0 }
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transfers={},records={},notifications={}", self.transfers, self.records, self.notifications)
    }
}

impl FromStr for Mix {
    type Err = String;
    fn from_str(s: &str) -> Result<Mix, String> {
        let mut mix = Mix { transfers: 0, records: 0, notifications: 0 };
        let mut seen = [false; 3];
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("mix item {part:?} is not NAME=WEIGHT (e.g. transfers=80)"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("mix weight {weight:?} of {name:?} is not a non-negative integer"))?;
            let slot = match name.trim() {
                "transfers" | "transfer" => 0,
                "records" | "record" => 1,
                "notifications" | "notification" => 2,
                other => {
                    return Err(format!("unknown mix item {other:?}: expected transfers, records or notifications"))
                }
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(format!("mix item {name:?} is given twice"));
            }
            *[&mut mix.transfers, &mut mix.records, &mut mix.notifications][slot] = weight;
        }
        if mix.total() == 0 {
            return Err(format!("mix {s:?} has no positive weight"));
        }
        Ok(mix)
    }
}

impl Mix {
    fn total(&self) -> u64 {
        u64::from(self.transfers) + u64::from(self.records) + u64::from(self.notifications)
    }

    /// The kinds of `n` transactions, in submission order.
    pub fn sequence(&self, n: usize) -> Vec<Kind> {
        let weights = [i64::from(self.transfers), i64::from(self.records), i64::from(self.notifications)];
        let total: i64 = weights.iter().sum();
        let mut current = [0i64; 3];
        let mut notice_toggle = false;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            // Smooth weighted round robin (as nginx balances upstreams).
            for (c, w) in current.iter_mut().zip(weights) {
                *c += w;
            }
            let mut best = 0;
            for i in 1..3 {
                if current[i] > current[best] {
                    best = i;
                }
            }
            current[best] -= total;
            out.push(match best {
                0 => Kind::Transfer,
                1 => Kind::RecordTransfer,
                _ => {
                    let flip = notice_toggle;
                    notice_toggle = !flip;
                    if flip {
                        Kind::ActivityNotice
                    } else {
                        Kind::MiningNotice
                    }
                }
            });
        }
        out
    }

    /// True if the mix has record transfers (the issuer key and a setup of records are needed).
    pub fn has_records(&self) -> bool {
        self.records > 0
    }

    /// True if the mix has notifications (the miner key is used).
    pub fn has_notifications(&self) -> bool {
        self.notifications > 0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn parses_and_refuses() {
        let m: Mix = "transfers=80,records=10,notifications=10".parse().unwrap();
        assert_eq!(m, Mix { transfers: 80, records: 10, notifications: 10 });
        assert_eq!(m.to_string().parse::<Mix>().unwrap(), m);
        let m: Mix = " records = 1 , transfer=3 ".parse().unwrap();
        assert_eq!(m, Mix { transfers: 3, records: 1, notifications: 0 });
        assert_eq!("notifications=5".parse::<Mix>().unwrap().transfers, 0);
        for bad in ["", "transfers", "transfers=x", "transfers=-1", "swaps=3", "transfers=1,transfers=2", "records=0"] {
            assert!(bad.parse::<Mix>().is_err(), "{bad:?}");
        }
        assert!("swaps=3".parse::<Mix>().unwrap_err().contains("swaps"));
        assert_eq!(Mix::default().sequence(4), vec![Kind::Transfer; 4]);
    }

    #[test]
    fn sequence_keeps_proportions_in_every_window() {
        let m: Mix = "transfers=80,records=10,notifications=10".parse().unwrap();
        let seq = m.sequence(1000);
        let mut counts = BTreeMap::new();
        for k in &seq {
            *counts.entry(*k).or_insert(0) += 1;
        }
        assert_eq!(counts[&Kind::Transfer], 800);
        assert_eq!(counts[&Kind::RecordTransfer], 100);
        assert!(!counts.contains_key(&Kind::RecordIssue), "record issues are setup, never load");
        assert_eq!(counts[&Kind::MiningNotice], 50);
        assert_eq!(counts[&Kind::ActivityNotice], 50);
        // Every window of 10 has 8 transfers.
        for w in seq.chunks(10) {
            assert_eq!(w.iter().filter(|k| **k == Kind::Transfer).count(), 8);
        }
        assert_eq!(m.sequence(1000), seq, "deterministic");
        assert_eq!(m, Mix::MIXED, "the stated mixed workload");
    }

    #[test]
    fn odd_weights_keep_their_shares() {
        let m: Mix = "transfers=3,records=2,notifications=1".parse().unwrap();
        let seq = m.sequence(600);
        let count = |k: Kind| seq.iter().filter(|x| **x == k).count();
        assert_eq!(count(Kind::Transfer), 300);
        assert_eq!(count(Kind::RecordTransfer), 200);
        assert_eq!(count(Kind::MiningNotice) + count(Kind::ActivityNotice), 100);
        assert_eq!(count(Kind::MiningNotice), 50, "notifications alternate mining and activity");
        // Every window of 6 has the exact proportions.
        for w in seq.chunks(6) {
            assert_eq!(w.iter().filter(|k| **k == Kind::Transfer).count(), 3);
            assert_eq!(w.iter().filter(|k| **k == Kind::RecordTransfer).count(), 2);
        }
        let only: Mix = "notifications=1".parse().unwrap();
        assert_eq!(
            only.sequence(4),
            [Kind::MiningNotice, Kind::ActivityNotice, Kind::MiningNotice, Kind::ActivityNotice]
        );
    }
}
