//! Genesis assembly for a network of several organisations (the genesis
//! ceremony of `docs/deployment.md`).
//!
//! Each organisation writes an [`OrgFile`] from its own node home: its party
//! (the identifier commitment, never the IIN/BIN itself, SPEC §1.6; its
//! account keys; its roles) and the validator entries of its nodes, each
//! entry naming the organisation's party id as `operator`. The coordinator
//! collects the files and [`assemble`]s them with the network's chain id,
//! genesis time and regulation hash (SPEC §1.11) into one genesis file.
//!
//! The party ids are agreed before the ceremony (party *n* is the *n*-th in
//! the genesis, SPEC §3), so the files may arrive in any order: they are
//! placed by their `party.id`, which must run 1, 2, … without a gap or a
//! repeat, and every validator entry's `operator` must be its own file's
//! party id. The validator entries are copied as written, so whatever an
//! entry holds reaches the genesis unchanged. The result is checked with
//! every rule of [`crate::validate()`] before it is returned.

use serde::{Deserialize, Serialize};
use tamga_types::{NetworkType, Params};

use crate::error::GenesisErrors;
use crate::file::{GenesisFile, PartyEntry, ValidatorEntry};

/// One organisation's contribution to a genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgFile {
    /// The organisation as a genesis party; `id` is required here.
    pub party: PartyEntry,
    /// Its validators (possibly none: a party that runs only an observer).
    #[serde(default)]
    pub validators: Vec<ValidatorEntry>,
}

impl OrgFile {
    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| unreachable!("plain data serialises: {e}"));
        s.push('\n');
        s
    }

    /// Parses an organisation file (shape only; [`assemble`] checks the rest).
    pub fn from_json(text: &str) -> Result<OrgFile, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// What the coordinator sets for the whole network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ceremony {
    /// `chain_id` of the genesis.
    pub chain_id: String,
    /// `genesis_time`, RFC 3339.
    pub genesis_time: String,
    /// `regulation_hash`: hex SHA-256 of the internal regulation document.
    pub regulation_hash: String,
    /// Chain parameters.
    pub params: Params,
}

/// Why organisation files do not assemble into a genesis.
#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    /// No organisation file was given.
    #[error("no organisation file: a genesis needs at least one party")]
    Empty,
    /// An organisation file's party carries no `id`.
    #[error(
        "organisation file {file}: party.id is missing (expected the party id agreed for the ceremony, 1 to {count})"
    )]
    MissingPartyId {
        /// Position of the file among those given (from 0).
        file: usize,
        /// How many files were given.
        count: usize,
    },
    /// The party ids do not run 1, 2, … without a gap or a repeat.
    #[error("party ids {got:?}: expected each of 1 to {count} exactly once (party n is the n-th in the genesis)")]
    PartyIds {
        /// The ids of the files, in the order given.
        got: Vec<u64>,
        /// How many files were given.
        count: usize,
    },
    /// A validator entry names another party as its operator.
    #[error("organisation file of party {party}: validators[{index}].operator is {got}, expected {party} (an organisation's validators are operated by it)")]
    OperatorMismatch {
        /// The file's party id.
        party: u64,
        /// Position of the entry in the file's `validators`.
        index: usize,
        /// The operator the entry names.
        got: u64,
    },
    /// The assembled genesis breaks a genesis rule.
    #[error(transparent)]
    Invalid(#[from] GenesisErrors),
}

/// Assembles organisation files into a genesis file (see the module docs).
pub fn assemble(ceremony: &Ceremony, orgs: Vec<OrgFile>) -> Result<GenesisFile, AssembleError> {
    if orgs.is_empty() {
        return Err(AssembleError::Empty);
    }
    let count = orgs.len();
    let mut ids = Vec::with_capacity(count);
    for (file, org) in orgs.iter().enumerate() {
        ids.push(org.party.id.ok_or(AssembleError::MissingPartyId { file, count })?);
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    if !sorted.iter().zip(1u64..).all(|(&id, want)| id == want) {
        return Err(AssembleError::PartyIds { got: ids, count });
    }
    let mut orgs: Vec<(u64, OrgFile)> = ids.into_iter().zip(orgs).collect();
    orgs.sort_by_key(|(id, _)| *id);
    let mut parties = Vec::with_capacity(count);
    let mut validators = Vec::new();
    for (id, org) in orgs {
        if let Some((index, v)) = org.validators.iter().enumerate().find(|(_, v)| v.operator != id) {
            return Err(AssembleError::OperatorMismatch { party: id, index, got: v.operator });
        }
        parties.push(org.party);
        validators.extend(org.validators);
    }
    let file = GenesisFile {
        chain_id: ceremony.chain_id.clone(),
        genesis_time: ceremony.genesis_time.clone(),
        regulation_hash: ceremony.regulation_hash.clone(),
        network_type: NetworkType::CentrallyDistributed,
        params: ceremony.params.clone(),
        parties,
        validators,
        transactions: Vec::new(),
    };
    file.into_valid_genesis()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use tamga_types::{identifier_commitment, SigningKey};

    use super::*;
    use crate::error::GenesisError;

    fn ceremony() -> Ceremony {
        Ceremony {
            chain_id: "tamga-four".into(),
            genesis_time: "2026-01-01T00:00:00Z".into(),
            regulation_hash: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881".into(),
            params: Params::default(),
        }
    }

    /// Organisation `id` (1 is the regulator, 2 an issuer) with one validator.
    fn org(id: u64) -> OrgFile {
        let account = SigningKey::from_seed([id as u8; 32]).public();
        let node = SigningKey::from_seed([100 + id as u8; 32]).public();
        let bin = (0..100u64)
            .find_map(|t| tamga_types::identity::with_check_digit(&format!("{:011}", 24_034_000_000 + id * 100 + t)))
            .expect("a BIN with a check digit");
        let commitment = identifier_commitment(&[id as u8; 32], &bin).expect("valid BIN");
        OrgFile {
            party: PartyEntry {
                id: Some(id),
                kind: tamga_types::PartyKind::LegalEntity,
                display_name: Some(format!("Organisation {id}")),
                id_commitment: Some(commitment.to_hex()),
                identifier: None,
                accounts: vec![account.to_hex()],
                regulator_scopes: if id == 1 { vec!["assets".into(), "mining".into()] } else { vec![] },
                issuer: id == 2,
            },
            validators: vec![ValidatorEntry {
                key: node.to_hex(),
                power: 10,
                operator: id,
                p2p_address: Some(format!("/ip4/10.0.0.{id}/tcp/26656")),
                p2p_key: None,
            }],
        }
    }

    #[test]
    fn four_organisations_in_any_order_assemble_into_a_valid_genesis() {
        let orgs = vec![org(3), org(1), org(4), org(2)];
        let file = assemble(&ceremony(), orgs.clone()).expect("assembles");
        let g = file.into_valid_genesis().expect("valid");
        assert_eq!(g.parties.len(), 4);
        assert_eq!(g.validators.len(), 4);
        // Placed by party id; validator entries copied as written.
        for (i, v) in file.validators.iter().enumerate() {
            let want = orgs.iter().find(|o| o.party.id == Some(i as u64 + 1)).expect("org");
            assert_eq!(v, &want.validators[0]);
            assert_eq!(file.parties[i], want.party);
        }
        // The organisation file reads back as written.
        let text = orgs[0].to_json();
        assert_eq!(OrgFile::from_json(&text).expect("parses"), orgs[0]);
    }

    #[test]
    fn gaps_repeats_missing_ids_and_foreign_operators_are_refused() {
        let c = ceremony();
        assert!(matches!(assemble(&c, vec![]), Err(AssembleError::Empty)));
        match assemble(&c, vec![org(1), org(3)]) {
            Err(AssembleError::PartyIds { got, count }) => assert_eq!((got, count), (vec![1, 3], 2)),
            other => panic!("a gap: {other:?}"),
        }
        match assemble(&c, vec![org(1), org(1)]) {
            Err(AssembleError::PartyIds { got, .. }) => assert_eq!(got, vec![1, 1]),
            other => panic!("a repeat: {other:?}"),
        }
        let mut no_id = org(2);
        no_id.party.id = None;
        match assemble(&c, vec![org(1), no_id]) {
            Err(AssembleError::MissingPartyId { file, count }) => assert_eq!((file, count), (1, 2)),
            other => panic!("no id: {other:?}"),
        }
        let mut foreign = org(2);
        foreign.validators[0].operator = 1;
        match assemble(&c, vec![org(1), foreign]) {
            Err(AssembleError::OperatorMismatch { party, index, got }) => assert_eq!((party, index, got), (2, 0, 1)),
            other => panic!("a foreign operator: {other:?}"),
        }
    }

    #[test]
    fn the_genesis_rules_apply_to_the_assembled_file() {
        // Two organisations reusing one validator key; a bad chain id.
        let mut c = ceremony();
        c.chain_id = "bad chain id".into();
        let mut two = org(2);
        two.validators[0].key = org(1).validators[0].key.clone();
        match assemble(&c, vec![org(1), two]) {
            Err(AssembleError::Invalid(GenesisErrors(errs))) => {
                assert!(errs.iter().any(|e| e.to_string().contains("chain_id")), "{errs:?}");
                assert!(errs.iter().any(|e| matches!(e, GenesisError::DuplicateValidatorKey { .. })), "{errs:?}");
            }
            other => panic!("invalid genesis: {other:?}"),
        }
    }
}
