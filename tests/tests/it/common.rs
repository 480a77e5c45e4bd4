//! Shared scenario steps.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use tamga_client::{sign_payload, BlockAt, Client};

use tamga_tests::{say, Load, LoadOptions, LoadReport, Net, NetOptions};
use tamga_types::{
    identifier_commitment, BoundedVec, Date, EnergySource, Height, MiningNotificationId, MiningNotificationKind,
    MiningSite, ParameterChange, PartyId, PartyKind, Payload, Receipt, Region, SigningKey, Text, TxOutcome,
    ValidatorUpdate,
};

/// A bootstrapped 4-validator net.
pub async fn four() -> Net {
    let opts = NetOptions::default();
    say(format!("seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    Net::start(opts).await.expect("the net starts and bootstraps")
}

/// Starts the load over every participant at `rate` tx/s.
pub async fn load(net: &Net, rate: u32) -> Load {
    let from = net.max_height().await;
    Load::start(
        net.clients(),
        &net.chain_id(),
        net.testnet.participants.clone(),
        from,
        LoadOptions { rate, ..LoadOptions::default() },
    )
    .await
    .expect("the load starts")
}

/// Sleeps `d`, failing early if a node process exits on its own.
pub async fn run_for(net: &mut Net, d: Duration) {
    let end = tokio::time::Instant::now() + d;
    while tokio::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(500)).await;
        net.check_all_alive().expect("no node crashes");
    }
}

/// The load's invariants: nothing refused, no failed receipt, everything admitted committed.
pub fn assert_clean(r: &LoadReport) {
    assert!(r.refused.is_empty(), "transactions refused: {:?}", r.refused);
    assert!(r.failed.is_empty(), "failed receipts: {:?}", r.failed.iter().take(5).collect::<Vec<_>>());
    assert_eq!(r.uncommitted, 0, "admitted transactions never committed");
}

// ---- signed transactions and the mining-notice steps of validator admission (SPEC §9) ----

/// Awaits `$call` (a future of `Result<_, ClientError>`) again, for up to
/// 10 s, while the node answers with back-pressure (429/503) or not at all:
/// the harness is an honest client that a node's per-address limits may
/// slow down, not refuse.
#[macro_export]
macro_rules! patiently {
    ($call:expr) => {{
        let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match $call.await {
                Err(e) if e.is_transient() && std::time::Instant::now() < end => {
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await
                }
                r => break r,
            }
        }
    }};
}

/// For each height of `from..=to`, the validator indices whose precommit is
/// in the certificate some live node stored for it (a certificate holds the
/// precommits its node had when it decided, so the union is what was
/// signed), or `None` when no node served the block. The nodes of `first`
/// are asked first (their own certificates carry their own precommits), the
/// others only while one of `want` is missing.
pub async fn signers(
    net: &Net,
    from: Height,
    to: Height,
    first: &[usize],
    want: &[u16],
) -> BTreeMap<Height, Option<BTreeSet<u16>>> {
    let mut order: Vec<usize> = first.iter().copied().filter(|i| net.live().contains(i)).collect();
    order.extend(net.live().into_iter().filter(|i| !first.contains(i)));
    let mut out = BTreeMap::new();
    for h in from..=to {
        let mut set: Option<BTreeSet<u16>> = None;
        for &i in &order {
            if let Ok(b) = patiently!(net.client(i).block(BlockAt::Height(h))) {
                set.get_or_insert_with(BTreeSet::new).extend(b.certificate.signatures.iter().map(|(k, _)| *k));
            }
            if set.as_ref().is_some_and(|s| want.iter().all(|w| s.contains(w))) {
                break;
            }
        }
        out.insert(h, set);
    }
    out
}

/// Heights of `from..=to` whose certificate, on some live node, carries
/// validator `index`'s precommit (`victim`'s own certificates asked first).
pub async fn precommitted_in(net: &Net, victim: usize, index: u16, from: Height, to: Height) -> usize {
    signers(net, from, to, &[victim], &[index])
        .await
        .values()
        .filter(|s| s.as_ref().is_some_and(|s| s.contains(&index)))
        .count()
}

/// Signs `payload` with `key` at its next nonce, submits it through `client`
/// and returns the receipt, failing unless it committed and succeeded.
/// `scenario` prefixes the progress line.
pub async fn send(scenario: &str, client: &Client, chain_id: &str, key: &SigningKey, payload: Payload) -> Receipt {
    let what = payload.kind_name();
    let nonce = patiently!(client.next_nonce(&key.public())).expect("next nonce");
    let tx = sign_payload(key, chain_id, nonce, payload, None).expect("transaction builds");
    let hash = patiently!(client.submit(&tx)).unwrap_or_else(|e| panic!("{what} refused at admission: {e}"));
    let view = client.wait_for_receipt(&hash, Duration::from_secs(30)).await.expect("receipt");
    if let TxOutcome::Failed { code, args } = &view.receipt.outcome {
        panic!("{what} failed at height {}: {code} {args:?}", view.receipt.height);
    }
    say(format!("{scenario}: {what} committed at height {}", view.receipt.height));
    view.receipt
}

/// The value of attribute `attr` of the first `kind` event of `r`.
pub fn event<'a>(r: &'a Receipt, kind: &str, attr: &str) -> &'a str {
    r.events
        .iter()
        .find(|e| e.kind == kind)
        .and_then(|e| e.get(attr))
        .unwrap_or_else(|| panic!("no {kind}.{attr} in the events of {}: {:?}", r.tx_hash, r.events))
}

/// A mining site in Pavlodar region.
pub fn site() -> MiningSite {
    MiningSite {
        region: Region::Pavlodar,
        address: Text::new("Industrial zone 4, Ekibastuz").expect("short text"),
        capacity_kw: 2_000,
        units: 300,
        hashrate_ths: 30_000,
        energy: EnergySource::Grid,
        pool: None,
        start_date: Date { year: 2026, month: 3, day: 1 },
    }
}

/// A second miner party whose operator key is `operator`, after its start of
/// mining has been accepted by the regulator, operating validator `v` (same
/// key and power) from the returned height on.
pub struct Operator {
    /// The miner party.
    pub party: PartyId,
    /// Its accepted start notification.
    pub start: MiningNotificationId,
    /// The height from which it operates validator `v`.
    pub effective: Height,
}

/// The regulator registers a miner party with the one account `operator`;
/// the party notifies the start of mining and the regulator accepts; the
/// regulator then makes it the operator of validator `v`. Every step is a
/// real signed transaction through node 0.
pub async fn operate_validator(scenario: &str, net: &Net, v: usize, operator: &SigningKey) -> Operator {
    let c = net.client(0).clone();
    let chain_id = net.chain_id();
    let regulator = net.testnet.regulator.clone();
    let key = net.testnet.validators[v].key.public();
    let power = net.testnet.genesis.validators.iter().find(|g| g.key == key).expect("validator in genesis").power;
    let commitment = identifier_commitment(&[7; 32], "240340012341").expect("valid BIN");
    let r = send(
        scenario,
        &c,
        &chain_id,
        &regulator,
        Payload::RegisterParty {
            kind: PartyKind::LegalEntity,
            id_commitment: commitment,
            display_name: None,
            accounts: BoundedVec::new(vec![(operator.public(), None)]).expect("one account"),
        },
    )
    .await;
    let party = PartyId(event(&r, "party_registered", "party").parse().expect("party id"));
    let r = send(
        scenario,
        &c,
        &chain_id,
        operator,
        Payload::SubmitMiningNotification { kind: MiningNotificationKind::Start, previous: None, site: site() },
    )
    .await;
    let start = MiningNotificationId(event(&r, "mining_notification_submitted", "notification").parse().expect("id"));
    send(
        scenario,
        &c,
        &chain_id,
        &regulator,
        Payload::ReviewMiningNotification { notification: start, accept: true, reason: None },
    )
    .await;
    let r = send(
        scenario,
        &c,
        &chain_id,
        &regulator,
        Payload::UpdateValidators {
            updates: BoundedVec::new(vec![ValidatorUpdate { key, power, operator: party, p2p_key: None }])
                .expect("one update"),
        },
    )
    .await;
    assert_eq!(event(&r, "validators_updated", "count"), "4");
    let effective = event(&r, "validators_updated", "effective_height").parse().expect("height");
    Operator { party, start, effective }
}

/// `operator` notifies the termination of its mining started by `start`;
/// the regulator accepts it. Returns the review's receipt, which schedules
/// the validator set without the operator's validators. On the 4-validator
/// devnet the regulator first lowers `min_validators` to 3 (SPEC §9.4: by
/// default validators leave only while 4 remain, and would stay here).
pub async fn end_mining(scenario: &str, net: &Net, operator: &SigningKey, start: MiningNotificationId) -> Receipt {
    let c = net.client(0).clone();
    let chain_id = net.chain_id();
    send(
        scenario,
        &c,
        &chain_id,
        &net.testnet.regulator,
        Payload::SetParameter { change: ParameterChange::MinValidators(3) },
    )
    .await;
    send(
        scenario,
        &c,
        &chain_id,
        operator,
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Termination,
            previous: Some(start),
            site: site(),
        },
    )
    .await;
    let term = MiningNotificationId(start.0 + 1);
    send(
        scenario,
        &c,
        &chain_id,
        &net.testnet.regulator,
        Payload::ReviewMiningNotification { notification: term, accept: true, reason: None },
    )
    .await
}
