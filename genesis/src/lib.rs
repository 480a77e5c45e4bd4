//! # tamga-genesis
//!
//! The genesis **file**: how a Tamga network's starting point is written
//! down, checked and, for development, generated.
//!
//! The genesis *value* is [`tamga_types::Genesis`] (chain id, time,
//! regulation hash, network type, parameters, parties, validators); the state
//! machine (`tamga-state`) applies it at height 0 and every node must start
//! from the same one ([`Genesis::hash`](tamga_types::Genesis::hash)). This
//! crate sits before that in the data flow:
//!
//! ```text
//! genesis.json --parse--> GenesisFile --to_genesis--> Genesis --validate--> node / tamga-state
//!                                                        ^
//!        testnet::generate(options) ---------------------+--> Testnet::write(dir)
//! ```
//!
//! * [`file`](mod@file): the JSON format ([`GenesisFile`]) and the conversion both ways;
//!   [`load`] / [`parse`] read, convert and validate in one call.
//! * [`validate()`]: every rule a genesis must satisfy, reporting **all**
//!   problems at once as [`GenesisError`]s that name the field path, what is
//!   wrong and what is expected (rules and their SPEC sections in [the `validate` module](mod@validate)).
//! * [`testnet`]: deterministic devnets from a seed, their on-disk layout and
//!   the bootstrap transactions, carried as genesis transactions, that make
//!   them usable from the first block.
//!
//! Invariants: a [`Genesis`](tamga_types::Genesis) that passes [`validate()`] is
//! accepted by `tamga-state`'s genesis application (which re-checks a subset
//! and stops at the first problem); `Genesis → GenesisFile → JSON →
//! GenesisFile → Genesis` is the identity; [`testnet::generate`] is a pure
//! function of its options.
//!
//! ## The file format
//!
//! UTF-8 JSON; unknown fields are refused everywhere. A full example:
//!
//! ```json
//! {
//!   "chain_id": "tamga-example",
//!   "genesis_time": "2026-01-01T05:00:00+05:00",
//!   "regulation_hash": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
//!   "network_type": "centrally_distributed",
//!   "params": {
//!     "max_block_txs": 10000,
//!     "validator_change_delay": 2,
//!     "require_mining_notice": false,
//!     "min_validators": 4
//!   },
//!   "parties": [
//!     {
//!       "id": 1,
//!       "kind": "legal_entity",
//!       "display_name": "Example Regulator",
//!       "id_commitment": "906c75e79c4da587b9a351acf0c798be7ad253caaa6ded55e5e8bcb0ab62b213",
//!       "accounts": ["8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"],
//!       "regulator_scopes": ["assets", "mining"]
//!     },
//!     {
//!       "id": 2,
//!       "kind": "legal_entity",
//!       "display_name": "Qazaq Grain LLP",
//!       "identifier": {
//!         "iin_bin": "900101300126",
//!         "salt": "0808080808080808080808080808080808080808080808080808080808080808"
//!       },
//!       "accounts": [
//!         "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394",
//!         "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1"
//!       ],
//!       "issuer": true
//!     },
//!     {
//!       "kind": "individual",
//!       "id_commitment": "3b7e4c1d2a9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170600",
//!       "accounts": ["ca93ac1705187071d67b83c7ff0efe8108e8ec4530575d7726879333dbdabe7c"]
//!     }
//!   ],
//!   "validators": [
//!     {
//!       "key": "43a72e714401762df66b68c26dfbdf2682aaec9f2474eca4613e424a0fbafd3c",
//!       "power": 10,
//!       "operator": 2,
//!       "p2p_address": "/ip4/127.0.0.1/tcp/26656",
//!       "p2p_key": "acdb0e29743f0ccb8686d0a104cb96e05abefec1538765e7595869f7dc8c49aa"
//!     },
//!     {
//!       "key": "66be7e332c7a453332bd9d0a7f7db055f5c5ef1a06ada66d98b39fb6810c473a",
//!       "power": 10,
//!       "operator": 2,
//!       "p2p_address": "/ip4/127.0.0.1/tcp/26657"
//!     },
//!     {
//!       "key": "0b513ad9b4924015ca0902ed079044d3ac5dbec2306f06948c10da8eb6e39f2d",
//!       "power": 10,
//!       "operator": 1,
//!       "p2p_address": "/dns/validator-3.tamga.example/tcp/26656"
//!     }
//!   ]
//! }
//! ```
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `chain_id` | string | 1–64 bytes of `[A-Za-z0-9._-]`; bound into every signature |
//! | `genesis_time` | string | RFC 3339 with `Z` or `±HH:MM`, at most ms precision; the first block must be later. Written back as UTC `Z` |
//! | `regulation_hash` | hex, 32 bytes | SHA-256 of the internal regulation document, as `sha256sum` prints it (SPEC §1.11) |
//! | `network_type` | `"centrally_distributed"` | the only type Tamga runs (SPEC §1.11); `"decentralized"` parses but fails validation |
//! | `params` | object, optional | `max_block_txs` (1–20000, default 10000), `validator_change_delay` (≥ 1, default 2), `require_mining_notice` (default false), `min_validators` (1–256, default 4: the fewest validators that may remain when validators leave for lack of a mining notice or a suspended operator, SPEC §9.4); omitted fields take their defaults |
//! | `parties[]` | list | party *n* (from 1) gets id *n*; at least one must have `regulator_scopes` |
//! | `parties[].id` | integer, optional | readability aid; if present must equal the position |
//! | `parties[].kind` | `"individual"` \| `"legal_entity"` | SPEC §3 |
//! | `parties[].display_name` | string, optional | legal entities only, 1–128 bytes |
//! | `parties[].id_commitment` | hex, 32 bytes | `H(salt ‖ IIN/BIN)` ([`tamga_types::identifier_commitment`]); unique |
//! | `parties[].identifier` | `{iin_bin, salt}` | **dev tooling only**, instead of `id_commitment`: the commitment is derived at load (the IIN/BIN is checked) and the file written back holds only the commitment. Never put a real IIN/BIN in a genesis: it is public and immutable (SPEC §1.6) |
//! | `parties[].accounts` | list of hex keys | 1–64 ed25519 keys; no key twice in the whole file, none weak, none a validator key (SPEC §1.9) |
//! | `parties[].regulator_scopes` | list, optional | `"assets"`, `"mining"` (SPEC §2), each at most once |
//! | `parties[].issuer` | bool, optional | starts with an accepted issuance notification: the Issuer role (SPEC §2, §6) |
//! | `validators[]` | list | 1–256 validators, distinct keys |
//! | `validators[].key` | hex key | consensus key; signs proposals and votes only |
//! | `validators[].power` | integer | ≥ 1; the sum must fit in u64 |
//! | `validators[].operator` | integer | id of the operating party (SPEC §2: a registered party) |
//! | `validators[].p2p_address` | string, optional | libp2p multiaddr `/ip4\|ip6\|dns\|dns4\|dns6/<host>/tcp/<port>[/p2p/<peer id>]` ([`check_multiaddr`]); distinct |
//! | `validators[].p2p_key` | hex key, optional | ed25519 key of the node's libp2p identity (`HOME/p2p.key`, `tamgad show-key` prints it): peers admit the validator under its peer id (SPEC §9), so the consensus key may stay in an HSM or a remote signer. Not weak; no two validators share one. Omitted (files written before the field existed), the consensus key is the p2p identity, and the file written back names it. Written back always |
//! | `transactions` | list of hex strings, optional | **genesis transactions**: each the hex of a signed transaction's borsh encoding (`docs/wire-format.md`), signed for this `chain_id` by an account of a genesis party; executed in order at height 0 by the ordinary rules, and each must succeed, or the node refuses the genesis. A devnet uses them to start with an accepted issuer, a class and funded participants (the value still comes from the issuer's signed mints, SPEC §1.2) |
//!
//! Hex is lower- or upper-case, with an optional `0x` prefix on input; output
//! is lower-case without prefix.
//!
//! ## Testnet directory layout
//!
//! [`Testnet::write`] (refuses to overwrite any file):
//!
//! ```text
//! DIR/genesis.json              the genesis file above (written with id_commitment, never identifier)
//! DIR/regulation.md             the dev regulation text; SHA-256 = regulation_hash
//! DIR/testnet.json              testnet::Manifest: seed, chain id, genesis hash, validator
//!                               p2p/API addresses, role party ids, key file paths
//! DIR/keys/validator-{i}.key    validator i's consensus key seed, i = 0..N-1      mode 0600
//! DIR/keys/validator-{i}.p2p.key  its node's p2p identity key seed (`p2p_key`)    mode 0600
//! DIR/keys/regulator.key        account key seed of party 1 (regulator)           mode 0600
//! DIR/keys/issuer.key           account key seed of party 2 (issuer)              mode 0600
//! DIR/keys/miner.key            account key seed of party 3 (miner, operator)     mode 0600
//! DIR/keys/user-0000.key …      participant i's account key seed (party 4 + i)   mode 0600
//! ```
//!
//! A `.key` file is the 32-byte ed25519 secret seed as 64 lower-case hex
//! characters and a newline ([`testnet::write_key_file`], [`testnet::read_key_file`]).
//! Node configuration files are not written here (the node crate does that,
//! from `testnet.json`).

pub mod assemble;
pub mod error;
pub mod file;
mod scope;
pub mod testnet;
pub mod time;
pub mod validate;

pub use assemble::{assemble, AssembleError, Ceremony, OrgFile};
pub use error::{GenesisError, GenesisErrors, LoadError};
pub use file::{load, parse, DevIdentifier, GenesisFile, PartyEntry, ValidatorEntry};
pub use testnet::{
    bootstrap_transactions, generate, random_seed, Testnet, TestnetError, TestnetOptions, TestnetValidator,
};
pub use validate::{check_multiaddr, validate};
