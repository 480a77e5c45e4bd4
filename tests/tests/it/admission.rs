//! Validator admission by mining notice (SPEC §9), on a
//! real 4-validator net. The devnet genesis turns `require_mining_notice` on
//! and lets one miner party operate every validator. Here a second miner
//! party is registered, notifies the start of mining, is accepted, and
//! becomes the operator of validator 3 (same key and power). When it then
//! notifies the termination and the regulator accepts it, validator 3 leaves
//! the active set at the change height on every node, and the other three
//! keep committing.
//!
//! Every step is a real signed transaction sent through the client library,
//! and every receipt is checked. Node 0's security events (SPEC §12)
//! record the set change and node 3, now refused, redialling.

use std::time::{Duration, Instant};

use tamga_tests::{say, Net, NetOptions};
use tamga_types::{Height, SigningKey};

use crate::common::{end_mining, event, operate_validator, Operator};

/// Heights the three remaining validators must commit after the change.
const AFTER: Height = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validator_leaves_when_its_operator_stops_mining() {
    let opts = NetOptions { participants: 8, ..NetOptions::default() };
    say(format!("admission: seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    let mut net = Net::start(opts).await.expect("the net starts");
    let started = Instant::now();
    let chain_id = net.chain_id();
    let c = net.client(0).clone();
    let regulator = net.testnet.regulator.clone();
    let v3 = net.testnet.validators[3].key.public();
    let genesis_v3 = net.testnet.genesis.validators.iter().find(|v| v.key == v3).expect("validator 3 in genesis");
    assert!(c.params().await.expect("params").require_mining_notice, "the devnet genesis requires a mining notice");

    // 1.–3. A second miner party, registered by the regulator, notifies the
    //    start of mining, is accepted, and becomes the operator of validator 3
    //    (same key and power).
    let operator = SigningKey::generate();
    let Operator { party, start, effective: eff } = operate_validator("admission", &net, 3, &operator).await;
    net.wait_all_height(eff, Duration::from_secs(20)).await.expect("every node reaches the operator change");
    for i in 0..4 {
        let set = net.client(i).validators(Some(eff)).await.expect("validators").validators;
        let v = set.validators.iter().find(|v| v.key == v3).expect("validator 3 still active");
        assert_eq!(v.operator, party, "node{i}: validator 3 is operated by party {party} from height {eff}");
    }

    // 4. The operator terminates its mining; once the regulator accepts, its
    //    validator is scheduled out of the set (the regulator first lowers
    //    `min_validators` to 3, SPEC §9.4, see `end_mining`).
    let r = end_mining("admission", &net, &operator, start).await;
    let change: Height = event(&r, "validators_updated", "effective_height").parse().expect("height");
    assert_eq!(event(&r, "validators_updated", "count"), "3", "the receipt schedules a set of three");
    assert_eq!(event(&r, "validators_left", "reason"), "no_mining_notice");
    assert_eq!(event(&r, "validators_left", "remaining"), "3");
    assert!(change > r.height, "the change takes effect after the review's block");
    let party_view = c.party(party).await.expect("party");
    assert!(!party_view.party.mining_active, "the party no longer mines: {party_view:?}");
    say(format!("admission: validator 3 leaves at height {change}"));

    // 5. At the change height, every node's set lacks validator 3 (node 3
    //    included: it has the scheduled set in its state).
    let survivors = [0usize, 1, 2];
    for &i in &survivors {
        net.wait_height(i, change, Duration::from_secs(20)).await.expect("the survivors reach the change height");
    }
    for i in 0..4 {
        let before = net.client(i).validators(Some(change - 1)).await.expect("validators").validators;
        assert!(before.index_of(&v3).is_some(), "node{i}: validator 3 is active at height {}", change - 1);
        let after = net.client(i).validators(Some(change)).await.expect("validators");
        assert_eq!(after.validators.len(), 3, "node{i}: three validators at height {change}");
        assert!(after.validators.index_of(&v3).is_none(), "node{i}: validator 3 gone at height {change}");
        assert_eq!(after.total_power, 3 * genesis_v3.power);
    }
    // The block before the change announces the new set; the change height is
    // certified without validator 3.
    let announce = c.block(tamga_client::BlockAt::Height(change - 1)).await.expect("block").block.header;
    assert_ne!(announce.validators_hash, announce.next_validators_hash, "block {} announces the change", change - 1);
    let at = c.block(tamga_client::BlockAt::Height(change)).await.expect("block");
    let set = c.validators(Some(change)).await.expect("validators").validators;
    assert_eq!(at.block.header.validators_hash, set.hash());
    at.certificate.verify_commit(&chain_id, &set, &at.block.header).expect("certified by the three");

    // 6. The net keeps committing with the other three; node 3, no longer a
    //    validator nor an observer, is refused by them and stops following.
    for &i in &survivors {
        net.wait_height(i, change + AFTER, Duration::from_secs(30))
            .await
            .expect("the three remaining validators keep committing");
    }
    let status = net.status(3).await.expect("node3 status");
    assert!(!status.validator, "node3 knows it is no longer a validator: {status:?}");
    say(format!("admission: node3 stopped at height {} (change {change})", status.height));
    // Security events: node 0 recorded the change (validator 3 removed) and,
    // as node 3 keeps redialling, a refused peer; it serves them to the
    // regulator only, and its HOME/security/events.jsonl holds the same lines.
    let reg_client = c.clone().with_signer(regulator.clone());
    let deadline = Instant::now() + Duration::from_secs(15);
    let page = loop {
        let page = reg_client.security_events(0, 1000).await.expect("the regulator reads node0's security events");
        if page.events.iter().any(|e| e["kind"] == "peer_refused") || Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let kinds: Vec<&str> = page.events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"config_loaded"), "{kinds:?}");
    assert!(kinds.contains(&"peer_refused"), "node3 redials and is refused: {kinds:?}");
    assert!(kinds.contains(&"validators_left_without_notice"), "SPEC §9.4 for the regulators: {kinds:?}");
    let change_event = page
        .events
        .iter()
        .find(|e| e["kind"] == "validator_set_changed" && e["height"] == change)
        .unwrap_or_else(|| panic!("no validator_set_changed at {change}: {:?}", page.events));
    assert_eq!(change_event["removed"], serde_json::json!([v3.to_hex()]));
    assert_eq!(change_event["validators"], 3);
    let anonymous = c.security_events(0, 10).await.expect_err("anonymous callers are refused");
    assert_eq!(anonymous.api().map(|e| e.code.as_str()), Some("REGULATOR_ONLY"));
    let file = std::fs::read_to_string(net.dir().join("node0/security/events.jsonl")).expect("node0's security log");
    assert!(file.lines().count() >= page.events.len(), "every record is a line of the file");
    assert!(file.contains("\"kind\":\"validator_set_changed\""));
    net.terminate(3).await.expect("node3 stops cleanly");

    // 7. Safety: the three hold the same certified blocks, receipts and roots,
    //    each certificate checked against the set of its height.
    let cons = net.assert_consistent(None, Duration::from_secs(20)).await.expect("consistent");
    assert_eq!(cons.nodes, survivors.to_vec());
    assert!(cons.common_height >= change + AFTER);
    say(format!("admission: done in {:.1?}", started.elapsed()));
}
