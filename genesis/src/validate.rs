//! The genesis rules. [`validate`] checks a [`Genesis`] value and returns
//! **every** problem, each naming its field path, so that an operator fixes a
//! file in one pass.
//!
//! Rules (the SPEC section each one serves):
//! * `chain_id`: 1 to [`limits::MAX_CHAIN_ID`] bytes of `[A-Za-z0-9._-]`
//!   (it is bound into every signature, §8, and typed on command lines);
//! * `genesis_time`: not 0; `network_type`: `centrally_distributed` (§1.11);
//!   `regulation_hash`: not all zeros (§1.11);
//! * `params.max_block_txs` in `1..=MAX_BLOCK_TXS`,
//!   `params.validator_change_delay` at least 1, `params.min_validators` in
//!   `1..=MAX_VALIDATORS` (the ranges a regulator's `SetParameter` enforces, §9);
//! * with `params.require_mining_notice` on, at least one genesis
//!   transaction: only a transaction can give a validator operator its
//!   accepted mining notification (§9.4);
//! * parties: at least one, at least one with regulator scopes (§2), scopes
//!   not repeated; display names only for legal entities, 1–[`limits::MAX_SHORT`]
//!   non-blank bytes (§3); identifier commitments unique; 1 to
//!   [`limits::MAX_LIST`] accounts per party; no weak account key
//!   ([`PublicKey::is_weak`]); no key bound twice (§3); no account key that is
//!   also a validator key (§1.9);
//! * validators: 1 to [`limits::MAX_VALIDATORS`], distinct keys, no weak key,
//!   power at least 1, total power fits in u64, operator is an existing party
//!   (§2, §9: "operated by a registered party"), p2p address (when given) a
//!   supported multiaddr, and no two validators on one address;
//! * transactions (genesis transactions, executed at height 0): each signed
//!   for this `chain_id` with a valid signature (§8), by an account key of a
//!   genesis party, at most [`limits::MAX_TX_BYTES`] encoded, none repeated.
//!   Whether each one *succeeds* is decided by executing it
//!   (`tamga-state`), which refuses a genesis where one fails.
//!
//! SPEC §2 asks only that a validator's operator be a *registered* party, so no
//! party kind or role is required of it here. With `require_mining_notice` on,
//! the state machine checks each operator's accepted mining notification
//! after the genesis transactions have run; validators without one leave the
//! set at the first change height, or stay with a `validators_kept` event
//! when fewer than `min_validators` would remain (SPEC §9.4, `tamga-state`).

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use tamga_types::{limits, Genesis, Hash, NetworkType, PartyKind, PublicKey};

use crate::error::{GenesisError, GenesisErrors};

/// Checks every rule of the module docs; `Err` lists all problems found.
pub fn validate(g: &Genesis) -> Result<(), GenesisErrors> {
    let mut errs = Vec::new();
    check_chain_id("chain_id", &g.chain_id, &mut errs);
    if g.genesis_time_ms == 0 {
        errs.push(GenesisError::GenesisTimeZero { path: "genesis_time".into() });
    }
    if g.regulation_hash == Hash::ZERO {
        errs.push(GenesisError::RegulationHashZero { path: "regulation_hash".into() });
    }
    if g.network_type != NetworkType::CentrallyDistributed {
        errs.push(GenesisError::UnsupportedNetworkType { path: "network_type".into(), got: g.network_type });
    }
    let max_txs = limits::MAX_BLOCK_TXS as u64;
    if !(1..=max_txs).contains(&u64::from(g.params.max_block_txs)) {
        errs.push(GenesisError::ParamOutOfRange {
            path: "params.max_block_txs".into(),
            value: u64::from(g.params.max_block_txs),
            min: 1,
            max: max_txs,
        });
    }
    if g.params.validator_change_delay == 0 {
        errs.push(GenesisError::ParamOutOfRange {
            path: "params.validator_change_delay".into(),
            value: 0,
            min: 1,
            max: u64::MAX,
        });
    }
    let max_validators = limits::MAX_VALIDATORS as u64;
    if !(1..=max_validators).contains(&u64::from(g.params.min_validators)) {
        errs.push(GenesisError::ParamOutOfRange {
            path: "params.min_validators".into(),
            value: u64::from(g.params.min_validators),
            min: 1,
            max: max_validators,
        });
    }
    if g.params.require_mining_notice && g.transactions.is_empty() {
        errs.push(GenesisError::MiningNoticesMissing { path: "transactions".into() });
    }
    let validator_keys = check_validators(g, &mut errs);
    check_parties(g, &validator_keys, &mut errs);
    check_transactions(g, &mut errs);
    GenesisErrors::check(errs)
}

fn check_transactions(g: &Genesis, errs: &mut Vec<GenesisError>) {
    let accounts: HashSet<PublicKey> = g.parties.iter().flat_map(|p| p.accounts.iter().copied()).collect();
    let mut seen: HashMap<Hash, String> = HashMap::new();
    for (i, tx) in g.transactions.iter().enumerate() {
        let path = format!("transactions[{i}]");
        let size = tx.encode().len();
        if size > limits::MAX_TX_BYTES {
            errs.push(GenesisError::TransactionRejected {
                path: path.clone(),
                reason: format!("encoded size {size} bytes exceeds the limit of {} bytes", limits::MAX_TX_BYTES),
            });
        }
        if let Err(e) = tx.verify(&g.chain_id) {
            errs.push(GenesisError::TransactionRejected { path: path.clone(), reason: e.to_string() });
        }
        if !accounts.contains(&tx.tx.signer) {
            errs.push(GenesisError::UnknownSigner { path: path.clone(), signer: tx.tx.signer });
        }
        match seen.get(&tx.hash()) {
            Some(first) => errs.push(GenesisError::DuplicateTransaction { path, first: first.clone() }),
            None => {
                seen.insert(tx.hash(), path);
            }
        }
    }
}

fn check_chain_id(path: &str, id: &str, errs: &mut Vec<GenesisError>) {
    if id.is_empty() {
        errs.push(GenesisError::ChainIdEmpty { path: path.into(), max: limits::MAX_CHAIN_ID });
    } else if id.len() > limits::MAX_CHAIN_ID {
        errs.push(GenesisError::ChainIdTooLong { path: path.into(), len: id.len(), max: limits::MAX_CHAIN_ID });
    }
    if let Some(bad) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        errs.push(GenesisError::ChainIdChars { path: path.into(), value: id.to_owned(), bad });
    }
}

/// Returns the validator keys with their paths (first occurrence).
fn check_validators(g: &Genesis, errs: &mut Vec<GenesisError>) -> HashMap<PublicKey, String> {
    let mut keys: HashMap<PublicKey, String> = HashMap::new();
    let mut addrs: HashMap<&str, String> = HashMap::new();
    let mut p2p_keys: HashMap<PublicKey, String> = HashMap::new();
    if g.validators.is_empty() {
        errs.push(GenesisError::NoValidators { path: "validators".into(), max: limits::MAX_VALIDATORS });
    }
    if g.validators.len() > limits::MAX_VALIDATORS {
        errs.push(GenesisError::TooManyValidators {
            path: "validators".into(),
            got: g.validators.len(),
            max: limits::MAX_VALIDATORS,
        });
    }
    let n = g.parties.len() as u64;
    let mut total: Option<u64> = Some(0);
    for (i, v) in g.validators.iter().enumerate() {
        let at = format!("validators[{i}]");
        if v.key.is_weak() {
            errs.push(GenesisError::WeakKey { path: format!("{at}.key"), key: v.key });
        }
        match keys.get(&v.key) {
            Some(first) => errs.push(GenesisError::DuplicateValidatorKey {
                path: format!("{at}.key"),
                key: v.key,
                first: first.clone(),
            }),
            None => {
                keys.insert(v.key, format!("{at}.key"));
            }
        }
        if v.power == 0 {
            errs.push(GenesisError::ZeroPower { path: format!("{at}.power") });
        }
        let before = total;
        total = total.and_then(|t| t.checked_add(v.power));
        if before.is_some() && total.is_none() {
            errs.push(GenesisError::PowerOverflow { path: format!("{at}.power") });
        }
        if v.operator.0 == 0 || v.operator.0 > n {
            errs.push(GenesisError::UnknownOperator {
                path: format!("{at}.operator"),
                operator: v.operator,
                parties: n,
            });
        }
        // SPEC §9: peers admit a validator under the peer id of its p2p key,
        // so the key must be a usable point and name one validator only.
        let p2p_path = format!("{at}.p2p_key");
        if v.p2p_key.is_weak() {
            errs.push(GenesisError::WeakKey { path: p2p_path, key: v.p2p_key });
        } else if let Some(first) = p2p_keys.get(&v.p2p_key) {
            errs.push(GenesisError::DuplicateP2pKey { path: p2p_path, key: v.p2p_key, first: first.clone() });
        } else {
            p2p_keys.insert(v.p2p_key, p2p_path);
        }
        if let Some(addr) = &v.p2p_address {
            let path = format!("{at}.p2p_address");
            if let Err(reason) = check_multiaddr(addr) {
                errs.push(GenesisError::InvalidP2pAddress { path, value: addr.clone(), reason });
            } else if let Some(first) = addrs.get(addr.as_str()) {
                errs.push(GenesisError::DuplicateP2pAddress { path, value: addr.clone(), first: first.clone() });
            } else {
                addrs.insert(addr, path);
            }
        }
    }
    keys
}

fn check_parties(g: &Genesis, validator_keys: &HashMap<PublicKey, String>, errs: &mut Vec<GenesisError>) {
    if g.parties.is_empty() {
        errs.push(GenesisError::NoParties { path: "parties".into() });
    } else if g.parties.iter().all(|p| p.regulator_scopes.is_empty()) {
        errs.push(GenesisError::NoRegulator { path: "parties".into() });
    }
    let mut accounts: HashMap<PublicKey, String> = HashMap::new();
    let mut commitments: HashMap<Hash, String> = HashMap::new();
    for (i, p) in g.parties.iter().enumerate() {
        let at = format!("parties[{i}]");
        for (j, s) in p.regulator_scopes.iter().enumerate() {
            if p.regulator_scopes[..j].contains(s) {
                errs.push(GenesisError::DuplicateScope {
                    path: format!("{at}.regulator_scopes[{j}]"),
                    scope: crate::scope::scope_name(*s).to_owned(),
                });
            }
        }
        if let Some(name) = &p.display_name {
            let path = format!("{at}.display_name");
            if p.kind != PartyKind::LegalEntity {
                errs.push(GenesisError::DisplayNameNotAllowed { path });
            } else if name.trim().is_empty() || name.len() > limits::MAX_SHORT {
                errs.push(GenesisError::DisplayNameLength {
                    path,
                    len: name.len(),
                    blank: name.trim().is_empty(),
                    max: limits::MAX_SHORT,
                });
            }
        }
        match commitments.get(&p.id_commitment) {
            Some(first) => errs.push(GenesisError::DuplicateIdCommitment {
                path: format!("{at}.id_commitment"),
                first: first.clone(),
            }),
            None => {
                commitments.insert(p.id_commitment, format!("{at}.id_commitment"));
            }
        }
        if p.accounts.is_empty() {
            errs.push(GenesisError::NoAccounts { path: format!("{at}.accounts"), max: limits::MAX_LIST });
        } else if p.accounts.len() > limits::MAX_LIST {
            errs.push(GenesisError::TooManyAccounts {
                path: format!("{at}.accounts"),
                got: p.accounts.len(),
                max: limits::MAX_LIST,
            });
        }
        for (j, k) in p.accounts.iter().enumerate() {
            let path = format!("{at}.accounts[{j}]");
            if k.is_weak() {
                errs.push(GenesisError::WeakKey { path: path.clone(), key: *k });
            }
            if let Some(v) = validator_keys.get(k) {
                errs.push(GenesisError::ValidatorKeyAsAccount { path: path.clone(), key: *k, validator: v.clone() });
            }
            match accounts.get(k) {
                Some(first) => errs.push(GenesisError::DuplicateAccountKey { path, key: *k, first: first.clone() }),
                None => {
                    accounts.insert(*k, path);
                }
            }
        }
    }
}

/// Checks a libp2p multiaddr of the shapes a Tamga node dials:
/// `/ip4/<a.b.c.d>/tcp/<port>`, `/ip6/<addr>/tcp/<port>` or
/// `/dns|dns4|dns6/<host>/tcp/<port>`, optionally followed by
/// `/p2p/<base58 peer id>`. Port 1–65535. Other transports (udp, quic,
/// websockets) are refused: the node speaks TCP with noise and yamux.
pub fn check_multiaddr(s: &str) -> Result<(), String> {
    let Some(rest) = s.strip_prefix('/') else {
        return Err("a multiaddr starts with '/'".into());
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let (proto, host, tcp, port, tail) = match parts.as_slice() {
        [p, h, t, port, tail @ ..] => (*p, *h, *t, *port, tail),
        _ => return Err("expected /<ip4|ip6|dns|dns4|dns6>/<host>/tcp/<port>".into()),
    };
    match proto {
        "ip4" => {
            host.parse::<Ipv4Addr>().map_err(|_| format!("{host:?} is not an IPv4 address"))?;
        }
        "ip6" => {
            host.parse::<Ipv6Addr>().map_err(|_| format!("{host:?} is not an IPv6 address"))?;
        }
        "dns" | "dns4" | "dns6" => {
            let ok = !host.is_empty()
                && host.len() <= 253
                && host.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                });
            if !ok {
                return Err(format!("{host:?} is not a DNS host name"));
            }
        }
        other => return Err(format!("unsupported network protocol {other:?}; expected ip4, ip6, dns, dns4 or dns6")),
    }
    if tcp != "tcp" {
        return Err(format!("unsupported transport {tcp:?}; expected tcp"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => {}
        _ => return Err(format!("{port:?} is not a TCP port in 1..=65535")),
    }
    match tail {
        [] => Ok(()),
        ["p2p", id] => {
            const B58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
            if id.is_empty() || !id.chars().all(|c| B58.contains(c)) {
                return Err(format!("{id:?} is not a base58 peer id"));
            }
            Ok(())
        }
        _ => Err(format!("unexpected trailing components /{}; expected at most /p2p/<peer id>", tail.join("/"))),
    }
}

#[cfg(test)]
mod tests {
    use tamga_types::{GenesisParty, GenesisValidator, Params, PartyId, Scope, SigningKey};

    use super::*;
    use crate::error::GenesisError as E;

    fn pk(n: u8) -> PublicKey {
        SigningKey::from_seed([n; 32]).public()
    }

    fn party(kind: PartyKind, commit: u8, accounts: Vec<PublicKey>) -> GenesisParty {
        GenesisParty {
            kind,
            id_commitment: Hash([commit; 32]),
            display_name: None,
            accounts,
            regulator_scopes: vec![],
            issuer: false,
        }
    }

    fn validator(n: u8, port: u16) -> GenesisValidator {
        GenesisValidator {
            key: pk(n),
            power: 10,
            operator: PartyId(2),
            p2p_address: Some(format!("/ip4/127.0.0.1/tcp/{port}")),
            p2p_key: pk(n),
        }
    }

    /// A small valid genesis: regulator (1), operator (2), participant (3), 3 validators.
    fn base() -> Genesis {
        let mut reg = party(PartyKind::LegalEntity, 1, vec![pk(1)]);
        reg.regulator_scopes = vec![Scope::Assets, Scope::Mining];
        reg.display_name = Some("Regulator".into());
        Genesis {
            chain_id: "tamga-test_1.0".into(),
            genesis_time_ms: 1_767_225_600_000,
            regulation_hash: Hash([9; 32]),
            network_type: NetworkType::CentrallyDistributed,
            params: Params::default(),
            parties: vec![
                reg,
                party(PartyKind::LegalEntity, 2, vec![pk(2)]),
                party(PartyKind::Individual, 3, vec![pk(3), pk(4)]),
            ],
            validators: vec![validator(100, 26656), validator(101, 26657), validator(102, 26658)],
            transactions: vec![],
        }
    }

    fn gentx(g: &Genesis, seed: u8, nonce: u64) -> tamga_types::SignedTransaction {
        let key = SigningKey::from_seed([seed; 32]);
        tamga_types::Transaction {
            chain_id: tamga_types::BoundedString::new(&g.chain_id).unwrap(),
            signer: key.public(),
            nonce,
            payload: tamga_types::Payload::SubmitActivityNotification {
                activity: tamga_types::Activity::Issuance,
                phase: tamga_types::ActivityPhase::Start,
                date: tamga_types::Date { year: 2026, month: 1, day: 1 },
            },
            memo: None,
        }
        .sign(&key)
    }

    #[test]
    fn genesis_transactions_are_checked() {
        let mut g = base();
        g.transactions.push(gentx(&g, 2, 0));
        assert_eq!(errors(&g), vec![]);
        // Wrong chain id, a signer outside the parties, a bad signature, a repeat.
        let mut other = base();
        other.chain_id = "other".into();
        g.transactions.push(gentx(&other, 2, 1));
        g.transactions.push(gentx(&g, 77, 0));
        let mut forged = gentx(&g, 3, 0);
        forged.tx.nonce = 9;
        g.transactions.push(forged);
        g.transactions.push(gentx(&g, 2, 0));
        let e = errors(&g);
        let paths: Vec<&str> = e.iter().map(GenesisError::path).collect();
        assert_eq!(paths, vec!["transactions[1]", "transactions[2]", "transactions[3]", "transactions[4]"], "{e:?}");
        assert!(matches!(&e[0], E::TransactionRejected { reason, .. } if reason.contains("chain")), "{e:?}");
        assert!(matches!(&e[1], E::UnknownSigner { signer, .. } if *signer == pk(77)), "{e:?}");
        assert!(matches!(&e[2], E::TransactionRejected { .. }), "{e:?}");
        assert!(matches!(&e[3], E::DuplicateTransaction { first, .. } if first == "transactions[0]"), "{e:?}");
    }

    fn errors(g: &Genesis) -> Vec<GenesisError> {
        match validate(g) {
            Ok(()) => vec![],
            Err(e) => e.0,
        }
    }

    #[test]
    fn base_is_valid() {
        assert_eq!(errors(&base()), vec![]);
    }

    #[test]
    fn chain_id_rules() {
        let mut g = base();
        g.chain_id = String::new();
        assert_eq!(errors(&g), vec![E::ChainIdEmpty { path: "chain_id".into(), max: 64 }]);
        g.chain_id = "a".repeat(65);
        assert_eq!(errors(&g), vec![E::ChainIdTooLong { path: "chain_id".into(), len: 65, max: 64 }]);
        g.chain_id = "tamga devnet".into();
        assert_eq!(
            errors(&g),
            vec![E::ChainIdChars { path: "chain_id".into(), value: "tamga devnet".into(), bad: ' ' }]
        );
        g.chain_id = "тамга".into();
        assert_eq!(errors(&g), vec![E::ChainIdChars { path: "chain_id".into(), value: "тамга".into(), bad: 'т' }]);
    }

    #[test]
    fn time_regulation_network_rules() {
        let mut g = base();
        g.genesis_time_ms = 0;
        g.regulation_hash = Hash::ZERO;
        g.network_type = NetworkType::Decentralized;
        assert_eq!(
            errors(&g),
            vec![
                E::GenesisTimeZero { path: "genesis_time".into() },
                E::RegulationHashZero { path: "regulation_hash".into() },
                E::UnsupportedNetworkType { path: "network_type".into(), got: NetworkType::Decentralized },
            ]
        );
    }

    #[test]
    fn params_ranges() {
        let mut g = base();
        g.params.max_block_txs = 0;
        g.params.validator_change_delay = 0;
        assert_eq!(
            errors(&g),
            vec![
                E::ParamOutOfRange { path: "params.max_block_txs".into(), value: 0, min: 1, max: 20_000 },
                E::ParamOutOfRange { path: "params.validator_change_delay".into(), value: 0, min: 1, max: u64::MAX },
            ]
        );
        g.params = Params { max_block_txs: 20_001, ..Params::default() };
        assert_eq!(
            errors(&g),
            vec![E::ParamOutOfRange { path: "params.max_block_txs".into(), value: 20_001, min: 1, max: 20_000 }]
        );
        g.params.max_block_txs = 20_000;
        assert_eq!(errors(&g), vec![]);
        // SPEC §9.4: the fewest validators that may remain, 1..=256.
        for bad in [0, 257] {
            g.params.min_validators = bad;
            assert_eq!(
                errors(&g),
                vec![E::ParamOutOfRange { path: "params.min_validators".into(), value: bad.into(), min: 1, max: 256 }]
            );
        }
        g.params.min_validators = 256;
        assert_eq!(errors(&g), vec![]);
    }

    /// SPEC §9.4: with the rule on, only genesis transactions can carry the
    /// operators' mining notices, so a genesis without any is refused.
    #[test]
    fn rule3_mining_notice_needs_genesis_transactions() {
        let mut g = base();
        g.params.require_mining_notice = true;
        assert_eq!(errors(&g), vec![E::MiningNoticesMissing { path: "transactions".into() }]);
    }

    #[test]
    fn no_parties_means_no_operator_either() {
        let mut g = base();
        g.parties.clear();
        let unknown = |i: usize| E::UnknownOperator {
            path: format!("validators[{i}].operator"),
            operator: PartyId(2),
            parties: 0,
        };
        assert_eq!(errors(&g), vec![unknown(0), unknown(1), unknown(2), E::NoParties { path: "parties".into() }]);
    }

    #[test]
    fn needs_a_regulator_and_unique_scopes() {
        let mut g = base();
        g.parties[0].regulator_scopes.clear();
        assert_eq!(errors(&g), vec![E::NoRegulator { path: "parties".into() }]);
        g.parties[0].regulator_scopes = vec![Scope::Mining, Scope::Assets, Scope::Mining];
        assert_eq!(
            errors(&g),
            vec![E::DuplicateScope { path: "parties[0].regulator_scopes[2]".into(), scope: "mining".into() }]
        );
    }

    #[test]
    fn display_name_rules() {
        let mut g = base();
        g.parties[2].display_name = Some("Aigerim".into());
        g.parties[1].display_name = Some("  ".into());
        assert_eq!(
            errors(&g),
            vec![
                E::DisplayNameLength { path: "parties[1].display_name".into(), len: 2, blank: true, max: 128 },
                E::DisplayNameNotAllowed { path: "parties[2].display_name".into() },
            ]
        );
        g.parties[2].display_name = None;
        g.parties[1].display_name = Some("x".repeat(129));
        assert_eq!(
            errors(&g),
            vec![E::DisplayNameLength { path: "parties[1].display_name".into(), len: 129, blank: false, max: 128 }]
        );
    }

    #[test]
    fn identifier_commitments_unique() {
        let mut g = base();
        g.parties[2].id_commitment = g.parties[0].id_commitment;
        assert_eq!(
            errors(&g),
            vec![E::DuplicateIdCommitment {
                path: "parties[2].id_commitment".into(),
                first: "parties[0].id_commitment".into()
            }]
        );
    }

    #[test]
    fn account_counts() {
        let mut g = base();
        g.parties[1].accounts.clear();
        g.parties[2].accounts = (0..65u8).map(|i| pk(i.wrapping_add(150))).collect();
        assert_eq!(
            errors(&g),
            vec![
                E::NoAccounts { path: "parties[1].accounts".into(), max: 64 },
                E::TooManyAccounts { path: "parties[2].accounts".into(), got: 65, max: 64 },
            ]
        );
    }

    #[test]
    fn weak_keys_refused_for_accounts_and_validators() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = PublicKey(identity);
        // y = p + 1: a non-canonical encoding of the identity that ZIP-215 accepts.
        let mut non_canonical = [0xff; 32];
        non_canonical[0] = 0xee;
        non_canonical[31] = 0x7f;
        let non_canonical = PublicKey(non_canonical);
        let mut g = base();
        g.parties[2].accounts[1] = weak;
        g.parties[1].accounts[0] = non_canonical;
        g.validators[1].key = PublicKey([0; 32]);
        assert_eq!(
            errors(&g),
            vec![
                E::WeakKey { path: "validators[1].key".into(), key: PublicKey([0; 32]) },
                E::WeakKey { path: "parties[1].accounts[0]".into(), key: non_canonical },
                E::WeakKey { path: "parties[2].accounts[1]".into(), key: weak },
            ]
        );
    }

    #[test]
    fn account_keys_unique_across_and_within_parties() {
        let mut g = base();
        g.parties[2].accounts[1] = pk(1);
        g.parties[1].accounts.push(pk(2));
        assert_eq!(
            errors(&g),
            vec![
                E::DuplicateAccountKey {
                    path: "parties[1].accounts[1]".into(),
                    key: pk(2),
                    first: "parties[1].accounts[0]".into()
                },
                E::DuplicateAccountKey {
                    path: "parties[2].accounts[1]".into(),
                    key: pk(1),
                    first: "parties[0].accounts[0]".into()
                },
            ]
        );
    }

    #[test]
    fn validator_key_cannot_be_an_account() {
        let mut g = base();
        g.parties[2].accounts[0] = pk(101);
        assert_eq!(
            errors(&g),
            vec![E::ValidatorKeyAsAccount {
                path: "parties[2].accounts[0]".into(),
                key: pk(101),
                validator: "validators[1].key".into()
            }]
        );
    }

    #[test]
    fn validator_count_limits() {
        let mut g = base();
        g.validators.clear();
        assert_eq!(errors(&g), vec![E::NoValidators { path: "validators".into(), max: 256 }]);
        g.validators = (0..257u32)
            .map(|i| GenesisValidator {
                key: SigningKey::from_seed(Hash::digest(b"v", &i.to_le_bytes()).0).public(),
                power: 1,
                operator: PartyId(2),
                p2p_address: None,
                p2p_key: SigningKey::from_seed(Hash::digest(b"v", &i.to_le_bytes()).0).public(),
            })
            .collect();
        assert_eq!(errors(&g), vec![E::TooManyValidators { path: "validators".into(), got: 257, max: 256 }]);
        g.validators.pop();
        assert_eq!(errors(&g), vec![]);
    }

    #[test]
    fn validator_keys_distinct_power_positive_and_bounded() {
        let mut g = base();
        g.validators[2].key = pk(100);
        g.validators[1].power = 0;
        assert_eq!(
            errors(&g),
            vec![
                E::ZeroPower { path: "validators[1].power".into() },
                E::DuplicateValidatorKey {
                    path: "validators[2].key".into(),
                    key: pk(100),
                    first: "validators[0].key".into()
                },
            ]
        );
        let mut g = base();
        g.validators[0].power = u64::MAX - 5;
        assert_eq!(errors(&g), vec![E::PowerOverflow { path: "validators[1].power".into() }]);
        g.validators[0].power = u64::MAX - 20;
        assert_eq!(errors(&g), vec![]);
    }

    #[test]
    fn operator_must_exist() {
        let mut g = base();
        g.validators[0].operator = PartyId(0);
        g.validators[2].operator = PartyId(4);
        assert_eq!(
            errors(&g),
            vec![
                E::UnknownOperator { path: "validators[0].operator".into(), operator: PartyId(0), parties: 3 },
                E::UnknownOperator { path: "validators[2].operator".into(), operator: PartyId(4), parties: 3 },
            ]
        );
        g.validators[2].operator = PartyId(3);
        g.validators[0].operator = PartyId(1);
        assert_eq!(errors(&g), vec![]);
    }

    #[test]
    fn p2p_addresses() {
        let mut g = base();
        g.validators[0].p2p_address = Some("127.0.0.1:26656".into());
        g.validators[2].p2p_address = Some("/ip4/127.0.0.1/tcp/26657".into());
        assert_eq!(
            errors(&g),
            vec![
                E::InvalidP2pAddress {
                    path: "validators[0].p2p_address".into(),
                    value: "127.0.0.1:26656".into(),
                    reason: "a multiaddr starts with '/'".into()
                },
                E::DuplicateP2pAddress {
                    path: "validators[2].p2p_address".into(),
                    value: "/ip4/127.0.0.1/tcp/26657".into(),
                    first: "validators[1].p2p_address".into()
                },
            ]
        );
        g.validators[0].p2p_address = None;
        g.validators[2].p2p_address = None;
        assert_eq!(errors(&g), vec![]);
    }

    #[test]
    fn multiaddr_shapes() {
        for ok in [
            "/ip4/127.0.0.1/tcp/26656",
            "/ip6/::1/tcp/1",
            "/dns/node-1.tamga.example/tcp/65535",
            "/dns4/localhost/tcp/26656/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
        ] {
            assert_eq!(check_multiaddr(ok), Ok(()), "{ok}");
        }
        let bad = |s: &str| check_multiaddr(s).unwrap_err();
        assert_eq!(bad("/ip4/127.0.0.1/udp/1"), "unsupported transport \"udp\"; expected tcp");
        assert_eq!(bad("/ip4/127.0.0.1/tcp/0"), "\"0\" is not a TCP port in 1..=65535");
        assert_eq!(bad("/ip4/127.0.0.1/tcp/65536"), "\"65536\" is not a TCP port in 1..=65535");
        assert_eq!(bad("/ip4/127.0.0.1/tcp/+1"), "\"+1\" is not a TCP port in 1..=65535");
        assert_eq!(bad("/ip4/256.0.0.1/tcp/1"), "\"256.0.0.1\" is not an IPv4 address");
        assert_eq!(bad("/ip6/127.0.0.1/tcp/1"), "\"127.0.0.1\" is not an IPv6 address");
        assert_eq!(bad("/dns/-bad-/tcp/1"), "\"-bad-\" is not a DNS host name");
        assert_eq!(bad("/unix/x/tcp/1"), "unsupported network protocol \"unix\"; expected ip4, ip6, dns, dns4 or dns6");
        assert_eq!(bad("/ip4/127.0.0.1"), "expected /<ip4|ip6|dns|dns4|dns6>/<host>/tcp/<port>");
        assert_eq!(bad("/ip4/127.0.0.1/tcp/1/p2p/0OIl"), "\"0OIl\" is not a base58 peer id");
        assert_eq!(
            bad("/ip4/127.0.0.1/tcp/1/ws"),
            "unexpected trailing components /ws; expected at most /p2p/<peer id>"
        );
    }

    #[test]
    fn all_problems_reported_at_once() {
        let mut g = base();
        g.chain_id = String::new();
        g.validators[0].power = 0;
        g.parties[2].accounts[0] = pk(1);
        g.parties[0].regulator_scopes = vec![Scope::Assets, Scope::Assets];
        let e = validate(&g).unwrap_err();
        let paths: Vec<&str> = e.errors().iter().map(GenesisError::path).collect();
        assert_eq!(
            paths,
            vec!["chain_id", "validators[0].power", "parties[0].regulator_scopes[1]", "parties[2].accounts[0]"]
        );
        let text = e.to_string();
        assert!(text.starts_with("invalid genesis: 4 problem(s)\n  - chain_id: chain id is empty"), "{text}");
        assert!(text.contains("validators[0].power: voting power is 0; expected at least 1"), "{text}");
    }
}
