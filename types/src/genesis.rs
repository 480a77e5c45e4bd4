//! The genesis value: the initial state every node starts from (SPEC §1.11, §2, §9).
//!
//! This is plain data. The `tamga-genesis` crate reads and writes it as JSON
//! and validates it with field-named errors; `tamga-state` applies it. Parties
//! get ids `1..=n` in list order. Genesis creates **no** token value (SPEC §1.2):
//! balances only ever come from an issuer's mint.
//!
//! A genesis may carry **genesis transactions** (as Cosmos SDK's `gentxs`):
//! ordinary signed transactions of the genesis parties, executed in order at
//! height 0 by the same rules as any block's, each of which must succeed. A
//! development network uses them to start with an accepted issuer, a token
//! class and funded participants; the value still comes from the issuer's own
//! signed mint, so SPEC §1.2 holds.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::hash::Hash;
use crate::ids::{PartyId, TimestampMs};
use crate::payload::{PartyKind, Scope};
use crate::tx::SignedTransaction;

/// Chain parameters, changeable by regulator transaction (SPEC §9).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Maximum transactions per block.
    #[serde(default = "Params::default_max_block_txs")]
    pub max_block_txs: u32,
    /// Blocks between committing a validator-set change and its taking effect.
    #[serde(default = "Params::default_validator_change_delay")]
    pub validator_change_delay: u64,
    /// Validators need an accepted mining notification of their operator (SPEC §9).
    #[serde(default)]
    pub require_mining_notice: bool,
    /// The fewest validators a set may keep when validators leave on their
    /// own account (an operator without an accepted mining notification, or
    /// suspended or revoked): below it they stay (SPEC §9.4). Default 4, the
    /// n = 3f + 1 of f = 1; `1..=`[`crate::limits::MAX_VALIDATORS`].
    #[serde(default = "Params::default_min_validators")]
    pub min_validators: u32,
}

impl Params {
    fn default_max_block_txs() -> u32 {
        10_000
    }
    fn default_validator_change_delay() -> u64 {
        2
    }
    /// SPEC §9.1: n = 3f + 1 with f = 1.
    pub const DEFAULT_MIN_VALIDATORS: u32 = 4;
    fn default_min_validators() -> u32 {
        Self::DEFAULT_MIN_VALIDATORS
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_block_txs: Self::default_max_block_txs(),
            validator_change_delay: Self::default_validator_change_delay(),
            require_mining_notice: false,
            min_validators: Self::default_min_validators(),
        }
    }
}

/// Type of distributed system (Digital Code art. 26 p.3, SPEC §1.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkType {
    /// Regulators admit validators (Tamga's type).
    CentrallyDistributed,
    /// Open membership (not supported by Tamga; declared for completeness).
    Decentralized,
}

/// A party registered at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisParty {
    /// Individual or legal entity.
    pub kind: PartyKind,
    /// `H(salt ‖ IIN/BIN)`.
    pub id_commitment: Hash,
    /// Display name (legal entities only).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Account keys.
    pub accounts: Vec<PublicKey>,
    /// Non-empty for a regulator: its scopes.
    #[serde(default)]
    pub regulator_scopes: Vec<Scope>,
    /// True if the party starts with an accepted issuance notification (Issuer role).
    #[serde(default)]
    pub issuer: bool,
}

/// A validator at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// Consensus key.
    pub key: PublicKey,
    /// Voting power.
    pub power: u64,
    /// Operator party (id = 1-based position in `parties`).
    pub operator: PartyId,
    /// libp2p multiaddress where it listens (informational for peers).
    #[serde(default)]
    pub p2p_address: Option<String>,
    /// The ed25519 key of its node's libp2p identity: peers admit it under
    /// this key's peer id (SPEC §9). The genesis file may omit it; it then
    /// records the consensus key (`tamga-genesis` fills it in).
    pub p2p_key: PublicKey,
}

/// The genesis value.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Network identifier, bound into every signature.
    pub chain_id: String,
    /// Genesis time, ms since the epoch; the first block's time must be later.
    pub genesis_time_ms: TimestampMs,
    /// Hash of the network's internal regulation document (DC art. 26 p.2).
    pub regulation_hash: Hash,
    /// Network type (DC art. 26 p.3).
    pub network_type: NetworkType,
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// Parties (ids 1..=n in order).
    pub parties: Vec<GenesisParty>,
    /// Initial validator set.
    pub validators: Vec<GenesisValidator>,
    /// Genesis transactions, executed in order at height 0 after the parties
    /// and validators are in place; every one must succeed (module docs).
    /// In JSON each is the hex of its borsh encoding (`docs/wire-format.md`),
    /// the exact bytes that were signed over.
    #[serde(default, with = "hex_txs")]
    pub transactions: Vec<SignedTransaction>,
}

/// Serde form of genesis transactions: hex strings of their borsh encoding
/// (a JSON rendering of payloads could not round-trip every `u128`).
mod hex_txs {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    use crate::tx::SignedTransaction;

    pub fn serialize<S: Serializer>(txs: &[SignedTransaction], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(txs.iter().map(|t| hex::encode(t.encode())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SignedTransaction>, D::Error> {
        let list = Vec::<String>::deserialize(d)?;
        list.iter()
            .enumerate()
            .map(|(i, h)| {
                let bytes = hex::decode(h).map_err(|e| D::Error::custom(format!("transactions[{i}]: not hex: {e}")))?;
                SignedTransaction::decode(&bytes).map_err(|e| D::Error::custom(format!("transactions[{i}]: {e}")))
            })
            .collect()
    }
}

impl Genesis {
    /// Hash of the canonical (borsh) encoding: identifies the network's starting point.
    pub fn hash(&self) -> Hash {
        Hash::digest(b"TAMGA/GENESIS/v1", &crate::codec::encode(self))
    }
}
