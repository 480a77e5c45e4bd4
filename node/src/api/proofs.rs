//! `GET /v1/txs/{hash}/bundle`: the receipt bundle of a committed transaction
//! (SPEC §1.8, §10; `docs/receipt-format.md`), assembled from the ledger:
//! the transaction and receipt, the block header and commit certificate, the
//! Merkle path to `tx_root`, every validator-set change from genesis up to
//! the block, and the JMT proof of the signer's account entry at that height.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tamga_contract::bundle::{
    AccountProof, BlockCommitment, Commitment, ReceiptBundle, ValidatorChange, BUNDLE_VERSION,
};
use tamga_contract::wire::BundleAnswer;
use tamga_state::Ledger;
use tamga_types::codec::BoundedVec;
use tamga_types::{Hash, Height};

use super::access::{carries_site, may_see_site_address, Reader};
use super::error::{ApiError, ApiResult};
use super::i18n::args;
use super::query::path_hash;
use super::{read, ApiContext};

/// `GET /v1/txs/{hash}/bundle`.
pub async fn bundle(State(ctx): State<ApiContext>, reader: Reader, Path(hash): Path<String>) -> ApiResult<Response> {
    let hash = path_hash(&hash)?;
    let policy = ctx.read_policy;
    let b = read(&ctx, move |l| {
        let b = assemble(l, &hash)?;
        // A bundle is the signed bytes: a restricted field cannot be cut out of it.
        if carries_site(&b.tx) {
            let miner = l.account(&b.tx.tx.signer)?.map(|a| a.party);
            if !may_see_site_address(policy, &reader, miner) {
                return Err(ApiError::t(
                    axum::http::StatusCode::FORBIDDEN,
                    "RESTRICTED_FIELD",
                    "RESTRICTED_FIELD.bundle",
                    args!["hash" => hash.to_string()],
                ));
            }
        }
        Ok(b)
    })
    .await?;
    let raw = b.encode();
    let answer = BundleAnswer { hash, height: b.receipt.height, bytes: raw.len(), raw: hex::encode(raw) };
    Ok(Json(answer).into_response())
}

/// Builds the bundle of the committed transaction `hash`.
pub(crate) fn assemble(l: &Ledger, hash: &Hash) -> ApiResult<ReceiptBundle> {
    let v = l
        .transaction(hash)?
        .ok_or_else(|| ApiError::not_found_t("TX_NOT_FOUND.not_committed", args!["hash" => hash.to_string()]))?;
    let genesis_hash = l.chain_info()?.genesis_hash;
    let r = &v.receipt;
    let commitment = if r.height == 0 {
        Commitment::Genesis { index: r.index }
    } else {
        let h = r.height;
        let missing = || ApiError::internal(format!("block or certificate {h} missing from the store"));
        let block = l.block(h)?.ok_or_else(missing)?;
        let certificate = l.certificate(h)?.ok_or_else(missing)?;
        // Kept at commit while pruning is on, so it outlives the tree version.
        let (value, proof) = l.signer_account_proof(&v.tx.tx.signer, h)?;
        let proof = borsh::to_vec(&proof).map_err(|e| ApiError::internal(format!("encoding the proof: {e}")))?;
        let too_big = |_| ApiError::internal("the account entry or its proof exceeds the bundle's limit");
        let account = AccountProof {
            value: value.map(BoundedVec::new).transpose().map_err(too_big)?,
            proof: BoundedVec::new(proof).map_err(too_big)?,
        };
        let changes = validator_changes(l, h)?;
        let receipts = l.receipts(h)?;
        let c = BlockCommitment::new(&block, certificate, &receipts, r.index as usize, changes, account)
            .ok_or_else(|| ApiError::internal(format!("cannot build the proofs of {hash} in block {h}")))?;
        Commitment::Block(Box::new(c))
    };
    Ok(ReceiptBundle { version: BUNDLE_VERSION, genesis_hash, tx: v.tx, receipt: v.receipt, commitment })
}

/// Every header below `below` after which the validator set changes, with
/// the new set: the chain a verifier follows from the genesis set.
/// Linear in the height (one validator-set lookup per height).
fn validator_changes(l: &Ledger, below: Height) -> ApiResult<Vec<ValidatorChange>> {
    let mut out = Vec::new();
    let mut current = l.validators_at(1)?.hash();
    for h in 1..below {
        let next = l.validators_at(h + 1)?;
        let next_hash = next.hash();
        if next_hash == current {
            continue;
        }
        let missing = || ApiError::internal(format!("block or certificate {h} missing from the store"));
        let header = l.block(h)?.ok_or_else(missing)?.header;
        let certificate = l.certificate(h)?.ok_or_else(missing)?;
        out.push(ValidatorChange { header, certificate, next_validators: next });
        current = next_hash;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use tamga_contract::bundle::{account_state_key, verify_bundle, verify_state_proof, ReceiptBundle, SignerParty};
    use tamga_types::codec::{self, BoundedVec};
    use tamga_types::model::AccountState;
    use tamga_types::{ClassId, PartyId, Payload, ValidatorUpdate};

    use super::super::tests::{code, genesis, sign, Node};

    /// A bundle of a transaction committed after a validator-set change
    /// verifies offline against the genesis alone, through the router.
    #[tokio::test]
    async fn bundles_survive_a_validator_set_change_and_verify_offline() {
        let mut n = Node::scenario();
        let v0 = n.ledger.validators_at(1).unwrap().validators[0].clone();
        let reg = n.c.reg.clone();
        let update = ValidatorUpdate { key: v0.key, power: v0.power + 5, operator: v0.operator, p2p_key: None };
        let r =
            n.block(vec![sign(&reg, 1, Payload::UpdateValidators { updates: BoundedVec::new(vec![update]).unwrap() })]);
        assert!(r[0].is_success(), "{:?}", r[0].outcome);
        n.block(vec![]);
        n.block(vec![]);
        let alice = n.c.alice.clone();
        let bob = n.c.bob.public();
        let tx = sign(&alice, 2, Payload::Transfer { class: ClassId(1), to: bob, amount: 1 });
        let r = n.block(vec![tx.clone()]);
        assert!(r[0].is_success(), "{:?}", r[0].outcome);

        let (s, v) = n.get(&format!("/v1/txs/{}/bundle", tx.hash())).await;
        assert_eq!(s, 200, "{v}");
        let raw = hex::decode(v["raw"].as_str().unwrap()).unwrap();
        let bundle = ReceiptBundle::decode(&raw).unwrap();
        let got = verify_bundle(&bundle, &genesis()).unwrap();
        assert_eq!(got.validator_changes, 1);
        assert_eq!(got.height, r[0].height);
        assert!(
            matches!(got.signer_party, SignerParty::StateProof { party: PartyId(4), .. }),
            "{:?}",
            got.signer_party
        );
        // A bundle of a block before the change carries no change.
        let first = n.ledger.block(1).unwrap().unwrap().txs[0].hash();
        let (_, v) = n.get(&format!("/v1/txs/{first}/bundle")).await;
        let b = ReceiptBundle::decode(&hex::decode(v["raw"].as_str().unwrap()).unwrap()).unwrap();
        assert_eq!(verify_bundle(&b, &genesis()).unwrap().validator_changes, 0);

        // The open verification service: the bundle, then the bare transaction.
        let (s, v) = n.post("/v1/verify", serde_json::json!({ "bundle": hex::encode(&raw) })).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!((v["valid"].as_bool(), v["matches_this_node"].as_bool()), (Some(true), Some(true)), "{v}");
        let (s, v) = n.post("/v1/verify", serde_json::json!({ "tx": hex::encode(tx.encode()) })).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["signature_valid"], true, "{v}");
        assert_eq!(v["account"]["party"], 4, "{v}");
        assert_eq!(v["committed"]["height"], r[0].height, "{v}");
        assert!(v["rendering"].as_str().unwrap().contains("transfer"), "{v}");
        // A tampered transaction: a verdict, not an error.
        let mut bad = tx.clone();
        bad.signature.0[5] ^= 1;
        let (s, v) = n.post("/v1/verify", serde_json::json!({ "tx": hex::encode(bad.encode()) })).await;
        assert_eq!(
            (s.as_u16(), v["valid"].as_bool(), v["error"]["code"].as_str()),
            (200, Some(false), Some("BAD_SIGNATURE"))
        );
        // A tampered bundle.
        let mut broken = raw.clone();
        let at = broken.len() - 40;
        broken[at] ^= 1;
        let (s, v) = n.post("/v1/verify", serde_json::json!({ "bundle": hex::encode(&broken) })).await;
        assert!(s == 400 || v["valid"] == false, "{s} {v}");
        let (s, v) = n.post("/v1/verify", serde_json::json!({ "tx": "zz" })).await;
        assert_eq!((s.as_u16(), code(&v)), (400, "BAD_HEX"));
        let (s, v) = n.get(&format!("/v1/txs/{}/bundle", "00".repeat(32))).await;
        assert_eq!((s.as_u16(), code(&v)), (404, "TX_NOT_FOUND"));
    }

    /// With pruning on, a state proof below the oldest kept height is
    /// refused with 410 `STATE_PRUNED` naming both heights, a kept height
    /// still proves, and the bundle of a transaction of a pruned height
    /// still verifies offline.
    #[tokio::test]
    async fn pruned_proofs_are_refused_and_old_bundles_still_verify() {
        let mut n = Node::scenario();
        n.ledger.set_pruning(2, tamga_state::Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK).unwrap();
        let first = n.ledger.block(1).unwrap().unwrap().txs[0].hash();
        for _ in 0..4 {
            n.block(vec![]);
        }
        let last = n.ledger.height().unwrap();
        let oldest = n.ledger.oldest_state_version().unwrap();
        assert_eq!(oldest, last - 1);
        let key = hex::encode(account_state_key(&n.c.alice.public()));
        let (s, v) = n.get(&format!("/v1/proofs/state?key={key}&height=1")).await;
        assert_eq!((s.as_u16(), code(&v), v["field"].as_str()), (410, "STATE_PRUNED", Some("height")), "{v}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("height 1 ") && msg.contains(&format!("from height {oldest} on")), "{msg}");
        let (s, v) = n.get(&format!("/v1/proofs/state?key={key}&height={oldest}")).await;
        assert_eq!(s, 200, "{v}");
        let root = n.ledger.block(oldest).unwrap().unwrap().header.state_root;
        let value = hex::decode(v["value"].as_str().unwrap()).unwrap();
        let proof = hex::decode(v["proof"].as_str().unwrap()).unwrap();
        assert_eq!(verify_state_proof(&hex::decode(&key).unwrap(), Some(&value), &proof, &root), Ok(()));
        let (s, v) = n.get(&format!("/v1/txs/{first}/bundle")).await;
        assert_eq!(s, 200, "{v}");
        let b = ReceiptBundle::decode(&hex::decode(v["raw"].as_str().unwrap()).unwrap()).unwrap();
        assert!(b.receipt.height < oldest);
        assert_eq!(verify_bundle(&b, &genesis()).unwrap().height, 1);
    }

    /// A state proof from `GET /v1/proofs/state` verifies against the
    /// certified header's state root, and a proof for a wrong value fails.
    #[tokio::test]
    async fn state_proof_for_a_wrong_value_fails() {
        let n = Node::scenario();
        let key = account_state_key(&n.c.alice.public());
        let height = n.ledger.height().unwrap();
        let (s, v) = n.get(&format!("/v1/proofs/state?key={}&height={height}", hex::encode(&key))).await;
        assert_eq!(s, 200, "{v}");
        let root = n.ledger.block(height).unwrap().unwrap().header.state_root;
        let value = hex::decode(v["value"].as_str().unwrap()).unwrap();
        let proof = hex::decode(v["proof"].as_str().unwrap()).unwrap();
        assert_eq!(verify_state_proof(&key, Some(&value), &proof, &root), Ok(()));
        let mut acc: AccountState = codec::decode("account", &value, 4096).unwrap();
        acc.party = PartyId(5);
        assert!(verify_state_proof(&key, Some(&codec::encode(&acc)), &proof, &root).is_err());
        assert!(verify_state_proof(&key, None, &proof, &root).is_err());
    }
}
