//! Deterministic development and load-test networks.
//!
//! [`generate`] builds, from a `u64` seed, a valid genesis with N validators,
//! a dev regulator (scopes `assets` and `mining`), a dev issuer, a dev miner
//! (operator of every validator) and P participants, together with all their
//! private keys. The same options always give the same genesis (and genesis
//! hash); every key seed is `SHA-256("TAMGA/TESTNET/v1" ‖ 0x00 ‖ seed (u64 LE) ‖
//! role ‖ 0x00 ‖ index (u32 LE))` with role one of `validator`, `p2p`,
//! `regulator`, `issuer`, `miner`, `participant`, `salt` ([`derive_seed`]).
//! Each validator's node has a p2p identity key of its own (role `p2p`),
//! recorded beside its consensus key in the genesis (SPEC §9).
//!
//! Party ids: 1 regulator, 2 issuer, 3 miner, 4.. participants.
//!
//! Genesis grants no roles that the ledger can grant itself: the issuer
//! becomes an Issuer and the miner gets its accepted mining notification
//! through ordinary signed transactions, [`bootstrap_transactions`], which
//! also create a token class and mint to every participant. They are the
//! genesis's **genesis transactions** ([`Genesis::transactions`]), executed
//! at height 0, so every node of a fresh network starts usable, with no
//! setup step after the nodes start. The params turn `require_mining_notice`
//! on (SPEC §9: on in the devnet genesis).
//!
//! [`Testnet::write`] lays the network out on disk (see the crate docs);
//! [`Testnet::read`] reads it back and checks it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tamga_types::identity::with_check_digit;
use tamga_types::{
    identifier_commitment, Activity, ActivityNotificationId, ActivityPhase, ChainId, ClassId, EnergySource, Genesis,
    GenesisParty, GenesisValidator, Hash, MiningNotificationId, MiningNotificationKind, MiningSite, NetworkType,
    Params, PartyId, PartyKind, Payload, Region, Right, RightKind, Scope, SignedTransaction, SigningKey, Transaction,
};

use crate::error::{GenesisErrors, LoadError};
use crate::time::date_of;

mod files;
pub use files::{participant_key_file, read_key_file, write_key_file, Manifest, ManifestRole, ManifestValidator};

/// Party id of the dev regulator.
pub const REGULATOR_PARTY: PartyId = PartyId(1);
/// Party id of the dev issuer.
pub const ISSUER_PARTY: PartyId = PartyId(2);
/// Party id of the dev miner, operator of every validator.
pub const MINER_PARTY: PartyId = PartyId(3);
/// Party id of the first participant; participant `i` is `FIRST_PARTICIPANT_PARTY + i`.
pub const FIRST_PARTICIPANT_PARTY: PartyId = PartyId(4);
/// The token class the bootstrap transactions create (the first class of the chain).
pub const BOOTSTRAP_CLASS: ClassId = ClassId(1);
/// Symbol of the bootstrap class.
pub const BOOTSTRAP_SYMBOL: &str = "DEVGRAIN";
/// Decimals of the bootstrap class (1 DEVGRAIN = 1,000 base units).
pub const BOOTSTRAP_DECIMALS: u8 = 3;
/// The issuer's activity notification in the bootstrap (the chain's first).
pub const BOOTSTRAP_ACTIVITY_NOTIFICATION: ActivityNotificationId = ActivityNotificationId(1);
/// The miner's mining notification in the bootstrap (the chain's first).
pub const BOOTSTRAP_MINING_NOTIFICATION: MiningNotificationId = MiningNotificationId(1);

const SEED_DOMAIN: &[u8] = b"TAMGA/TESTNET/v1";

/// What to generate. `Default` gives a 4-validator, 1000-participant devnet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestnetOptions {
    /// Seed of every key and salt.
    pub seed: u64,
    /// Chain id. Default `tamga-devnet`.
    pub chain_id: String,
    /// Genesis time, ms since the epoch. Default 2026-01-01T00:00:00Z.
    pub genesis_time_ms: u64,
    /// Number of validators. Default 4.
    pub validators: usize,
    /// Voting power of each validator. Default 10.
    pub validator_power: u64,
    /// Number of participant parties (one account each). Default 1000.
    pub participants: usize,
    /// Validator `i` listens for peers on `/ip4/127.0.0.1/tcp/{base_p2p_port + i}`. Default 26656.
    pub base_p2p_port: u16,
    /// Validator `i` serves the HTTP API on `127.0.0.1:{base_api_port + i}`. Default 8080.
    pub base_api_port: u16,
    /// Base units minted to each participant by the bootstrap. Default 1 000 000.
    pub mint_amount: u128,
}

impl Default for TestnetOptions {
    fn default() -> Self {
        TestnetOptions {
            seed: 0,
            chain_id: "tamga-devnet".into(),
            genesis_time_ms: 1_767_225_600_000,
            validators: 4,
            validator_power: 10,
            participants: 1000,
            base_p2p_port: 26656,
            base_api_port: 8080,
            mint_amount: 1_000_000,
        }
    }
}

/// One generated validator.
#[derive(Clone, Debug)]
pub struct TestnetValidator {
    /// Consensus key.
    pub key: SigningKey,
    /// The node's libp2p identity key (`HOME/p2p.key`), recorded in the
    /// genesis as the validator's `p2p_key`.
    pub p2p_key: SigningKey,
    /// libp2p listen multiaddr, `/ip4/127.0.0.1/tcp/{port}`.
    pub p2p_address: String,
    /// HTTP API listen address, `127.0.0.1:{port}`.
    pub api_address: String,
}

/// A generated network: the genesis and every private key.
#[derive(Clone, Debug)]
pub struct Testnet {
    /// The seed it was generated from.
    pub seed: u64,
    /// The (validated) genesis.
    pub genesis: Genesis,
    /// Text of the dev internal regulation; `genesis.regulation_hash` is its SHA-256.
    pub regulation: String,
    /// Validators, in genesis order.
    pub validators: Vec<TestnetValidator>,
    /// Account key of the regulator (party 1).
    pub regulator: SigningKey,
    /// Account key of the issuer (party 2).
    pub issuer: SigningKey,
    /// Account key of the miner (party 3).
    pub miner: SigningKey,
    /// Account keys of the participants (party `4 + i`).
    pub participants: Vec<SigningKey>,
    /// Base units the bootstrap mints to each participant.
    pub mint_amount: u128,
}

/// Why a testnet could not be generated, written or read.
#[derive(Debug, thiserror::Error)]
pub enum TestnetError {
    /// An option is unusable.
    #[error("options.{field}: {reason}")]
    Options {
        /// The option.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The generated genesis breaks a rule.
    #[error(transparent)]
    Genesis(#[from] GenesisErrors),
    /// `genesis.json` could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file's content is wrong or disagrees with the genesis.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// A seed from the operating system's random source, for a testnet whose
/// operator named none: a seed known to everyone (such as 0) would make
/// every such testnet's keys public. Print it, so the run can be
/// reproduced with `--seed`.
pub fn random_seed() -> u64 {
    rand_core::RngCore::next_u64(&mut rand_core::OsRng)
}

/// The 32-byte key seed of `(seed, role, index)` (see the module docs).
pub fn derive_seed(seed: u64, role: &str, index: u32) -> [u8; 32] {
    Hash::digest_parts(SEED_DOMAIN, &[&seed.to_le_bytes(), role.as_bytes(), &[0], &index.to_le_bytes()]).0
}

fn key(seed: u64, role: &str, index: u32) -> SigningKey {
    SigningKey::from_seed(derive_seed(seed, role, index))
}

/// A valid 12-digit dev IIN/BIN for `party`, unique per party: the first
/// assignable prefix among `1 ‖ party·100 + t` (11 digits, t < 100).
fn dev_identifier(party: u64) -> Option<String> {
    (0..100u64).find_map(|t| with_check_digit(&format!("{:011}", 10_000_000_000u64 + party * 100 + t)))
}

fn regulation_text(chain_id: &str) -> String {
    format!(
        "# Internal regulation of the {chain_id} development network\n\n\
         This network is for development and load testing only. It is a centrally-distributed\n\
         system (Digital Code art. 26 p.3): the dev regulator admits validators. Its keys are\n\
         derived from a public seed and protect nothing; no right recorded here is real.\n"
    )
}

fn opt_err(field: &'static str, reason: impl Into<String>) -> TestnetError {
    TestnetError::Options { field, reason: reason.into() }
}

/// Generates the network described by `o` and validates its genesis.
pub fn generate(o: &TestnetOptions) -> Result<Testnet, TestnetError> {
    let n = o.validators;
    let last = |base: u16| u32::from(base) + n.saturating_sub(1) as u32;
    if o.base_p2p_port == 0 || last(o.base_p2p_port) > u32::from(u16::MAX) {
        return Err(opt_err("base_p2p_port", format!("ports {}+0..{n} must lie in 1..=65535", o.base_p2p_port)));
    }
    if o.base_api_port == 0 || last(o.base_api_port) > u32::from(u16::MAX) {
        return Err(opt_err("base_api_port", format!("ports {}+0..{n} must lie in 1..=65535", o.base_api_port)));
    }
    let (p0, a0) = (u32::from(o.base_p2p_port), u32::from(o.base_api_port));
    if n > 0 && p0 <= last(o.base_api_port) && a0 <= last(o.base_p2p_port) {
        return Err(opt_err("base_api_port", "the API port range overlaps the p2p port range"));
    }
    if o.mint_amount == 0 {
        return Err(opt_err("mint_amount", "must be at least 1 (a mint of 0 fails)"));
    }
    if o.mint_amount.checked_mul(o.participants as u128).is_none() {
        return Err(opt_err("mint_amount", "mint_amount × participants overflows u128"));
    }
    let participants_n = u32::try_from(o.participants).map_err(|_| opt_err("participants", "at most 4294967295"))?;
    let validators_n = u32::try_from(n).map_err(|_| opt_err("validators", "at most 4294967295"))?;

    let validators: Vec<TestnetValidator> = (0..validators_n)
        .map(|i| TestnetValidator {
            key: key(o.seed, "validator", i),
            p2p_key: key(o.seed, "p2p", i),
            p2p_address: format!("/ip4/127.0.0.1/tcp/{}", u32::from(o.base_p2p_port) + i),
            api_address: format!("127.0.0.1:{}", u32::from(o.base_api_port) + i),
        })
        .collect();
    let regulator = key(o.seed, "regulator", 0);
    let issuer = key(o.seed, "issuer", 0);
    let miner = key(o.seed, "miner", 0);
    let participants: Vec<SigningKey> = (0..participants_n).map(|i| key(o.seed, "participant", i)).collect();

    let commitment = |party: u64| -> Result<Hash, TestnetError> {
        let salt = derive_seed(o.seed, "salt", party as u32);
        let id = dev_identifier(party).ok_or_else(|| opt_err("participants", "no dev identifier for a party"))?;
        identifier_commitment(&salt, &id).map_err(|e| opt_err("participants", e.to_string()))
    };
    let entity =
        |party: PartyId, name: &str, k: &SigningKey, scopes: Vec<Scope>| -> Result<GenesisParty, TestnetError> {
            Ok(GenesisParty {
                kind: PartyKind::LegalEntity,
                id_commitment: commitment(party.0)?,
                display_name: Some(name.to_owned()),
                accounts: vec![k.public()],
                regulator_scopes: scopes,
                issuer: false,
            })
        };
    let mut parties = vec![
        entity(REGULATOR_PARTY, "Dev Regulator", &regulator, vec![Scope::Assets, Scope::Mining])?,
        entity(ISSUER_PARTY, "Dev Issuer", &issuer, vec![])?,
        entity(MINER_PARTY, "Dev Miner", &miner, vec![])?,
    ];
    for (i, k) in participants.iter().enumerate() {
        parties.push(GenesisParty {
            kind: PartyKind::Individual,
            id_commitment: commitment(FIRST_PARTICIPANT_PARTY.0 + i as u64)?,
            display_name: None,
            accounts: vec![k.public()],
            regulator_scopes: vec![],
            issuer: false,
        });
    }
    let regulation = regulation_text(&o.chain_id);
    let genesis = Genesis {
        chain_id: o.chain_id.clone(),
        genesis_time_ms: o.genesis_time_ms,
        regulation_hash: Hash(Sha256::digest(regulation.as_bytes()).into()),
        network_type: NetworkType::CentrallyDistributed,
        params: Params { require_mining_notice: true, ..Params::default() },
        parties,
        validators: validators
            .iter()
            .map(|v| GenesisValidator {
                key: v.key.public(),
                power: o.validator_power,
                operator: MINER_PARTY,
                p2p_address: Some(v.p2p_address.clone()),
                p2p_key: v.p2p_key.public(),
            })
            .collect(),
        transactions: vec![],
    };
    let mut t = Testnet {
        seed: o.seed,
        genesis,
        regulation,
        validators,
        regulator,
        issuer,
        miner,
        participants,
        mint_amount: o.mint_amount,
    };
    t.genesis.transactions = bootstrap_transactions(&t)?;
    crate::validate(&t.genesis)?;
    Ok(t)
}

fn text<const N: usize>(s: &str) -> Result<tamga_types::BoundedString<N>, TestnetError> {
    tamga_types::BoundedString::new(s).map_err(|e| opt_err("chain_id", format!("{s:?}: {e}")))
}

/// The transactions that turn a fresh testnet into a usable one, in
/// submission order, signed, with each account's nonces from 0:
///
/// | # | signer | nonce | payload |
/// |---|--------|-------|---------|
/// | 0 | issuer | 0 | `SubmitActivityNotification { Issuance, Start, date of genesis }` → notification 1 |
/// | 1 | regulator | 0 | `ReviewActivityNotification { 1, accept }`: party 2 becomes an Issuer (SPEC §6) |
/// | 2 | miner | 0 | `SubmitMiningNotification { Start, site }` → notification 1 (SPEC §6, §9) |
/// | 3 | regulator | 1 | `ReviewMiningNotification { 1, accept }`: party 3 is `mining_active` |
/// | 4 | issuer | 1 | `CreateClass { DEVGRAIN, goods }` → class 1 |
/// | 5.. | issuer | 2.. | `Mint { class 1, participant i, mint_amount }` for every participant |
///
/// They succeed only in this order on the testnet's own genesis (the ids
/// above are the chain's first ones); they fit one block when
/// `participants + 5 ≤ params.max_block_txs`, or may be submitted in order
/// over several blocks.
pub fn bootstrap_transactions(t: &Testnet) -> Result<Vec<SignedTransaction>, TestnetError> {
    let chain_id: ChainId = text(&t.genesis.chain_id)?;
    let sign = |k: &SigningKey, nonce: u64, payload: Payload| {
        Transaction { chain_id: chain_id.clone(), signer: k.public(), nonce, payload, memo: None }.sign(k)
    };
    let date = date_of(t.genesis.genesis_time_ms);
    let mut txs = vec![
        sign(
            &t.issuer,
            0,
            Payload::SubmitActivityNotification { activity: Activity::Issuance, phase: ActivityPhase::Start, date },
        ),
        sign(
            &t.regulator,
            0,
            Payload::ReviewActivityNotification {
                notification: BOOTSTRAP_ACTIVITY_NOTIFICATION,
                accept: true,
                reason: None,
            },
        ),
        sign(
            &t.miner,
            0,
            Payload::SubmitMiningNotification {
                kind: MiningNotificationKind::Start,
                previous: None,
                site: MiningSite {
                    region: Region::Astana,
                    address: text("Dev validator hall, 127.0.0.1")?,
                    capacity_kw: 1,
                    units: t.validators.len() as u32,
                    hashrate_ths: 0,
                    energy: EnergySource::Grid,
                    pool: None,
                    start_date: date,
                },
            },
        ),
        sign(
            &t.regulator,
            1,
            Payload::ReviewMiningNotification {
                notification: BOOTSTRAP_MINING_NOTIFICATION,
                accept: true,
                reason: None,
            },
        ),
        sign(
            &t.issuer,
            1,
            Payload::CreateClass {
                symbol: text(BOOTSTRAP_SYMBOL)?,
                name: text("Dev grain receipt")?,
                decimals: BOOTSTRAP_DECIMALS,
                supply_cap: None,
                rights: tamga_types::BoundedVec::new(vec![Right {
                    kind: RightKind::Goods,
                    description: text("Delivery of one gram of wheat per base unit from the Dev Issuer's store")?,
                }])
                .map_err(|e| opt_err("participants", e.to_string()))?,
                document_hash: Hash(Sha256::digest(b"Dev grain receipt backing document").into()),
                document_uri: text("https://example.invalid/tamga/devgrain.pdf")?,
                redemption_terms: text("Redeemable at the Dev Issuer's store on any working day")?,
            },
        ),
    ];
    for (i, p) in t.participants.iter().enumerate() {
        txs.push(sign(
            &t.issuer,
            2 + i as u64,
            Payload::Mint { class: BOOTSTRAP_CLASS, to: p.public(), amount: t.mint_amount },
        ));
    }
    Ok(txs)
}

#[cfg(test)]
mod tests {
    use tamga_types::PublicKey;

    use super::*;

    fn small(seed: u64) -> TestnetOptions {
        TestnetOptions { seed, participants: 20, ..TestnetOptions::default() }
    }

    #[test]
    fn random_seeds_differ_and_a_printed_seed_reproduces_the_testnet() {
        let seeds: std::collections::BTreeSet<u64> = (0..8).map(|_| random_seed()).collect();
        assert_eq!(seeds.len(), 8, "eight draws of 64 random bits are distinct: {seeds:?}");
        let seed = random_seed();
        let (a, b) = (generate(&small(seed)).unwrap(), generate(&small(seed)).unwrap());
        assert_eq!(a.genesis.hash(), b.genesis.hash());
        assert_ne!(a.genesis.hash(), generate(&small(seed ^ 1)).unwrap().genesis.hash());
    }

    #[test]
    fn default_generates_a_valid_devnet() {
        let t = generate(&TestnetOptions::default()).expect("valid");
        assert_eq!(crate::validate(&t.genesis), Ok(()));
        let g = &t.genesis;
        assert_eq!(g.validators.len(), 4);
        assert_eq!(g.parties.len(), 3 + 1000);
        assert_eq!(t.participants.len(), 1000);
        assert_eq!(g.parties[0].regulator_scopes, vec![Scope::Assets, Scope::Mining]);
        assert_eq!(g.parties[0].accounts, vec![t.regulator.public()]);
        assert_eq!(g.parties[1].accounts, vec![t.issuer.public()]);
        assert_eq!(g.parties[2].accounts, vec![t.miner.public()]);
        assert_eq!(g.parties[3].accounts, vec![t.participants[0].public()]);
        assert!(g.parties.iter().all(|p| !p.issuer), "the issuer role comes from the bootstrap");
        assert!(g.params.require_mining_notice, "SPEC §9: on in the devnet genesis");
        assert_eq!(g.validators[3].p2p_address.as_deref(), Some("/ip4/127.0.0.1/tcp/26659"));
        assert_eq!(t.validators[3].api_address, "127.0.0.1:8083");
        assert!(g.validators.iter().all(|v| v.operator == MINER_PARTY && v.power == 10));
        assert_eq!(g.regulation_hash, Hash(Sha256::digest(t.regulation.as_bytes()).into()));
        assert_eq!(crate::time::format_rfc3339(g.genesis_time_ms), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn same_seed_same_genesis_other_seed_other_genesis() {
        let a = generate(&small(7)).expect("valid");
        let b = generate(&small(7)).expect("valid");
        let c = generate(&small(8)).expect("valid");
        assert_eq!(a.genesis, b.genesis);
        assert_eq!(a.genesis.hash(), b.genesis.hash());
        assert_eq!(a.issuer.to_seed(), b.issuer.to_seed());
        assert_ne!(a.genesis.hash(), c.genesis.hash());
        assert_ne!(a.validators[0].key.public(), c.validators[0].key.public());
        assert_ne!(a.genesis.parties[5].id_commitment, c.genesis.parties[5].id_commitment);
        let tx_hashes = |t: &Testnet| -> Vec<Hash> {
            bootstrap_transactions(t).expect("bootstrap").iter().map(SignedTransaction::hash).collect()
        };
        assert_eq!(tx_hashes(&a), tx_hashes(&b));
    }

    #[test]
    fn key_seeds_are_separated_by_seed_role_and_index() {
        let s = derive_seed(1, "validator", 0);
        assert_ne!(s, derive_seed(2, "validator", 0));
        assert_ne!(s, derive_seed(1, "participant", 0));
        assert_ne!(s, derive_seed(1, "validator", 1));
        let expected = Hash::digest_parts(b"TAMGA/TESTNET/v1", &[&1u64.to_le_bytes(), b"validator", &[0], &[0; 4]]);
        assert_eq!(s, expected.0);
    }

    #[test]
    fn bad_options_refused() {
        let e = |o: TestnetOptions| generate(&o).unwrap_err().to_string();
        let d = TestnetOptions::default;
        assert_eq!(
            e(TestnetOptions { mint_amount: 0, ..d() }),
            "options.mint_amount: must be at least 1 (a mint of 0 fails)"
        );
        assert_eq!(
            e(TestnetOptions { base_p2p_port: 65534, ..d() }),
            "options.base_p2p_port: ports 65534+0..4 must lie in 1..=65535"
        );
        assert_eq!(
            e(TestnetOptions { base_api_port: 26658, ..d() }),
            "options.base_api_port: the API port range overlaps the p2p port range"
        );
        let GenesisErrors(errs) = match generate(&TestnetOptions { validators: 0, chain_id: "a b".into(), ..d() }) {
            Err(TestnetError::Genesis(g)) => g,
            other => panic!("expected genesis errors, got {other:?}"),
        };
        let paths: Vec<&str> = errs.iter().map(crate::GenesisError::path).collect();
        assert_eq!(paths, vec!["chain_id", "validators"]);
    }

    #[test]
    fn bootstrap_shape() {
        let t = generate(&small(1)).expect("valid");
        let txs = bootstrap_transactions(&t).expect("bootstrap");
        assert_eq!(txs.len(), 5 + 20);
        let who: Vec<(PublicKey, u64)> = txs.iter().map(|s| (s.tx.signer, s.tx.nonce)).collect();
        let (r, i, m) = (t.regulator.public(), t.issuer.public(), t.miner.public());
        assert_eq!(&who[..6], &[(i, 0), (r, 0), (m, 0), (r, 1), (i, 1), (i, 2)]);
        assert_eq!(who[24], (i, 21));
        for s in &txs {
            s.verify(&t.genesis.chain_id).expect("signed for this chain");
        }
        assert!(matches!(
            &txs[5].tx.payload,
            Payload::Mint { class, to, amount } if *class == BOOTSTRAP_CLASS && *to == t.participants[0].public() && *amount == 1_000_000
        ));
    }
}
