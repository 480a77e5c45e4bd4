//! Identifiers of ledger objects. Each kind is numbered sequentially from 1 by
//! the state machine in commit order, so every node assigns the same ids.

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default,
                 BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl $name {
            /// The big-endian bytes, used in storage keys so that ids sort numerically.
            pub fn to_be_bytes(self) -> [u8; 8] {
                self.0.to_be_bytes()
            }
        }
    };
}

id!(
    /// A registered party (SPEC §3).
    PartyId
);
id!(
    /// A secured token class (SPEC §4).
    ClassId
);
id!(
    /// A right-certifying record (SPEC §5).
    RecordId
);
id!(
    /// An encumbrance on a record (SPEC §5).
    EncumbranceId
);
id!(
    /// An escrow (SPEC §7).
    EscrowId
);
id!(
    /// A freeze of a holding or a pause of a class (SPEC §4, DC art. 20 p.4).
    RestrictionId
);
id!(
    /// A mining notification (SPEC §6).
    MiningNotificationId
);
id!(
    /// A digital-asset activity notification (SPEC §6).
    ActivityNotificationId
);

/// Block height. Genesis state is height 0; the first block is height 1.
pub type Height = u64;
/// Consensus round number within a height.
pub type Round = u32;
/// Milliseconds since the Unix epoch (UTC).
pub type TimestampMs = u64;
