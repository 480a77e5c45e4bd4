//! The security log: records, rings, files, rotation, aggregation, subscribers.

use std::fs;

use tamga_types::{Block, Receipt, TxOutcome};

use super::*;
use tamga_types::SigningKey;

fn node() -> PublicKey {
    SigningKey::from_seed([3; 32]).public()
}

fn bad_sig(i: u64) -> SecurityEvent {
    SecurityEvent::BadSignature {
        origin: Origin::Gossip,
        from: Some(format!("peer-{i}")),
        signer: Some(node()),
        tx_hash: None,
        reason: "signature does not verify".into(),
    }
}

fn rotated(dir: &Path, n: u32) -> PathBuf {
    RotatingFile::rotated(dir, FILE_NAME, n)
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

#[test]
fn writes_one_json_line_per_event_with_kind_seq_time_and_node() {
    let dir = tempfile::tempdir().unwrap();
    let m = Metrics::new();
    let opts = SecurityLogOptions { dir: Some(dir.path().to_owned()), ..Default::default() };
    let log = SecurityLog::open(node(), opts, &m).unwrap();
    log.record(bad_sig(1));
    log.record(SecurityEvent::journal_verification_failed("journal/000001.log", Some(42), "hash chain broken"));
    let got = lines(&dir.path().join(FILE_NAME));
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["kind"], "bad_signature");
    assert_eq!(got[0]["seq"], 1);
    assert_eq!(got[0]["origin"], "gossip");
    assert_eq!(got[0]["from"], "peer-1");
    assert_eq!(got[0]["node"], node().to_hex());
    assert!(got[0]["time_ms"].as_u64().unwrap() > 1_700_000_000_000);
    assert!(got[0].get("tx_hash").is_none(), "absent options are left out");
    assert_eq!(got[1]["kind"], "journal_verification_failed");
    assert_eq!(got[1]["seq"], 2);
    assert_eq!(got[1]["position"], 42);
    // Each line parses back into the typed record.
    let text = fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
    let first: SecurityRecord = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first.event, bad_sig(1));
    let metrics = m.encode();
    assert!(metrics.contains("tamga_security_events_total{kind=\"bad_signature\"} 1"), "{metrics}");
}

#[test]
fn sequence_continues_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let m = Metrics::new();
    let opts = SecurityLogOptions { dir: Some(dir.path().to_owned()), ..Default::default() };
    let log = SecurityLog::open(node(), opts.clone(), &m).unwrap();
    for i in 0..3 {
        log.record(bad_sig(i));
    }
    drop(log);
    let log = SecurityLog::open(node(), opts, &m).unwrap();
    assert_eq!(log.record(bad_sig(9)).unwrap().seq, 4);
    assert_eq!(lines(&dir.path().join(FILE_NAME)).len(), 4);
}

#[test]
fn rotates_at_the_size_bound_and_keeps_a_bounded_number_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let m = Metrics::new();
    let line_len =
        serde_json::to_string(&SecurityRecord { seq: 10, time_ms: now_ms(), node: node(), event: bad_sig(1) })
            .unwrap()
            .len() as u64
            + 1;
    // Room for 3 lines per file, 2 rotated files kept.
    let opts = SecurityLogOptions {
        dir: Some(dir.path().to_owned()),
        max_file_bytes: line_len * 3 + 2,
        keep_files: 2,
        ..Default::default()
    };
    let log = SecurityLog::open(node(), opts.clone(), &m).unwrap();
    for i in 0..20 {
        log.record(bad_sig(i % 10));
    }
    let current = lines(&dir.path().join(FILE_NAME));
    let one = lines(&rotated(dir.path(), 1));
    let two = lines(&rotated(dir.path(), 2));
    assert!(!rotated(dir.path(), 3).exists(), "only keep_files rotated files");
    for f in [&current, &one, &two] {
        assert!(!f.is_empty() && f.len() <= 3, "{} lines", f.len());
    }
    for name in [FILE_NAME.to_owned(), format!("{FILE_NAME}.1"), format!("{FILE_NAME}.2")] {
        assert!(fs::metadata(dir.path().join(name)).unwrap().len() <= opts.max_file_bytes);
    }
    // Newest last, consecutive across the rotation.
    let seqs: Vec<u64> = two.iter().chain(&one).chain(&current).map(|v| v["seq"].as_u64().unwrap()).collect();
    assert_eq!(*seqs.last().unwrap(), 20);
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    // A reopened log continues from the current file.
    drop(log);
    let log = SecurityLog::open(node(), opts, &m).unwrap();
    assert_eq!(log.record(bad_sig(0)).unwrap().seq, 21);
}

#[test]
fn ring_is_bounded_and_pages_by_sequence() {
    let m = Metrics::new();
    let opts = SecurityLogOptions { ring: 5, ..Default::default() };
    let log = SecurityLog::open(node(), opts, &m).unwrap();
    let mut rx = log.subscribe();
    for i in 0..12 {
        log.record(bad_sig(i));
    }
    log.record(SecurityEvent::PeerRefused { peer: None, addr: "/ip4/10.0.0.9/tcp/1".into(), reason: "x".into() });
    assert_eq!(log.bounds(), Bounds { oldest: Some(9), complete_from: Some(9), last: 13 });
    let all: Vec<u64> = log.page(0, 100, None).iter().map(|r| r.seq).collect();
    assert_eq!(all, vec![9, 10, 11, 12, 13]);
    let page: Vec<u64> = log.page(10, 2, None).iter().map(|r| r.seq).collect();
    assert_eq!(page, vec![11, 12]);
    let kinds = vec!["peer_refused".to_owned()];
    let refused: Vec<u64> = log.page(0, 100, Some(&kinds)).iter().map(|r| r.seq).collect();
    assert_eq!(refused, vec![13]);
    assert!(log.page(13, 10, None).is_empty());
    assert_eq!(rx.try_recv().unwrap().seq, 1, "subscribers get every record in order");
}

/// A forged request signature from `anonymous@ip:port`.
fn forged_from(ip: &str, port: u64) -> SecurityEvent {
    SecurityEvent::BadSignature {
        origin: Origin::ApiRequest,
        from: Some(format!("anonymous@{ip}:{port}")),
        signer: Some(node()),
        tx_hash: None,
        reason: "signature does not verify".into(),
    }
}

fn criticals() -> Vec<SecurityEvent> {
    vec![
        SecurityEvent::config_loaded(Path::new("config.toml"), b"[api]", Hash::ZERO),
        SecurityEvent::ValidatorSetChanged {
            height: 9,
            validators_hash: Hash::ZERO,
            validators: 4,
            total_power: 40,
            added: vec![node()],
            removed: vec![],
        },
        SecurityEvent::ConflictingProposals { proposer: node(), height: 12, round: 0 },
        SecurityEvent::journal_verification_failed("journal", Some(7), "entry 7: hash mismatch"),
        SecurityEvent::SafetyPersistFailed { path: "data/safety.bin".into(), attempts: 3, reason: "EMFILE".into() },
    ]
}

fn family_sizes(dir: &Path, name: &str, keep: u32) -> Vec<u64> {
    assert!(!RotatingFile::rotated(dir, name, keep + 1).exists(), "{name}: only {keep} rotated files");
    let mut sizes = vec![fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0)];
    sizes.extend((1..=keep).map(|k| fs::metadata(RotatingFile::rotated(dir, name, k)).map(|m| m.len()).unwrap_or(0)));
    sizes
}

/// 100,000 forged request signatures (half from one address, half from
/// 500 others, every one from a new port) over 200 s, with the critical
/// events of a run in between: every critical event stays readable in
/// `critical.jsonl` and from the rings, every file stays within its
/// bound, and the events recorded one by one plus the summaries' counts
/// are exactly 100,000.
#[test]
fn a_flood_of_forged_signatures_keeps_every_critical_event_and_the_files_bounded() {
    const FLOOD: u64 = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let m = Metrics::new();
    let opts = SecurityLogOptions {
        dir: Some(dir.path().to_owned()),
        max_file_bytes: 64 * 1024,
        keep_files: 2,
        critical_max_file_bytes: 64 * 1024,
        critical_keep_files: 2,
        ring: 256,
        critical_ring: 64,
        flood: FloodLimits { interval_ms: 10_000, per_source: 5, global: 100, max_sources: 64 },
        ..Default::default()
    };
    let log = SecurityLog::open(node(), opts.clone(), &m).unwrap();
    let mut rx = log.subscribe();
    let mut seen: Vec<Arc<SecurityRecord>> = Vec::new();
    let mut drain = |rx: &mut broadcast::Receiver<Arc<SecurityRecord>>| {
        while let Ok(r) = rx.try_recv() {
            seen.push(r);
        }
    };
    let t0 = 1_800_000_000_000;
    let crit = criticals();
    let every = FLOOD / crit.len() as u64;
    for i in 0..FLOOD {
        let now = t0 + i * 2;
        if i % every == 0 {
            assert!(
                log.record_at(crit[(i / every) as usize].clone(), now).is_some(),
                "critical events are never limited"
            );
        }
        let ip = if i % 2 == 0 { "192.0.2.1".to_owned() } else { format!("10.0.{}.{}", (i / 2) % 2, (i / 4) % 250) };
        log.record_at(forged_from(&ip, 1024 + i % 60_000), now);
        drain(&mut rx);
    }
    log.summarise_now();
    drain(&mut rx);

    // The sum: one by one plus summarised is every event.
    let one_by_one = seen.iter().filter(|r| r.event.kind() == "bad_signature").count() as u64;
    let summarised: u64 = seen
        .iter()
        .filter_map(|r| match &r.event {
            SecurityEvent::Aggregated { of_kind, count, .. } if of_kind == "bad_signature" => Some(*count),
            _ => None,
        })
        .sum();
    assert_eq!(one_by_one + summarised, FLOOD, "{one_by_one} recorded + {summarised} summarised");
    // The flood became a few records: per 10 s at most 100 one by one and 65 summaries.
    let intervals = (FLOOD * 2).div_ceil(10_000) + 1;
    assert!(seen.len() as u64 <= intervals * 165 + 5, "{} records", seen.len());
    assert!(one_by_one <= intervals * 100, "{one_by_one}");
    // Ports do not make new sources: the heavy address is one source.
    let heavy: u64 = seen
        .iter()
        .filter_map(|r| match &r.event {
            SecurityEvent::Aggregated { source, count, .. } if source == "ip:192.0.2.1" => Some(*count),
            _ => None,
        })
        .sum();
    assert!(heavy > FLOOD / 2 - intervals * 5 - 1, "{heavy}");
    let text = m.encode();
    assert!(
        text.contains(&format!("tamga_security_events_aggregated_total{{kind=\"bad_signature\"}} {summarised}")),
        "{text}"
    );
    assert!(text.contains(&format!("tamga_security_events_total{{kind=\"bad_signature\"}} {one_by_one}")), "{text}");

    // Every file within its bound; the main family lost the oldest lines.
    for size in family_sizes(dir.path(), FILE_NAME, opts.keep_files) {
        assert!(size <= opts.max_file_bytes, "{size}");
    }
    for size in family_sizes(dir.path(), CRITICAL_FILE_NAME, opts.critical_keep_files) {
        assert!(size <= opts.critical_max_file_bytes, "{size}");
    }
    let main: Vec<serde_json::Value> = [rotated(dir.path(), 2), rotated(dir.path(), 1), dir.path().join(FILE_NAME)]
        .iter()
        .flat_map(|p| lines(p))
        .collect();
    assert!(main.iter().all(|l| l["kind"] != "config_loaded"), "the flood rotated config_loaded out of events.jsonl");
    // … but critical.jsonl holds every critical event, in order.
    let critical = lines(&dir.path().join(CRITICAL_FILE_NAME));
    let kinds: Vec<&str> = critical.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, crit.iter().map(SecurityEvent::kind).collect::<Vec<_>>());
    assert_eq!(critical[0]["seq"], 1);
    // … and so does the feed, although the main ring holds only the latest 256.
    let b = log.bounds();
    assert_eq!(b.oldest, Some(1));
    assert!(b.complete_from.unwrap() > 1000, "{b:?}");
    let kinds: Vec<String> = SecurityEvent::CRITICAL_KINDS.iter().map(|k| (*k).to_owned()).collect();
    let feed = log.page(0, 1000, Some(&kinds));
    let got: Vec<SecurityEvent> = feed.iter().map(|r| r.event.clone()).collect();
    assert_eq!(got, crit);
    let all = log.page(0, 10, None);
    assert_eq!(all[0].event.kind(), "config_loaded", "the unfiltered page starts with the kept critical records");
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));

    // Reopened, the sequence continues after the last record of either file.
    let last = b.last;
    drop(log);
    let log = SecurityLog::open(node(), opts, &m).unwrap();
    assert_eq!(log.record(crit[0].clone()).unwrap().seq, last + 1);
}

#[test]
fn sources_are_addresses_without_ports_and_ipv6_by_64() {
    let src = |from: &str| forged_from_str(from).source().unwrap();
    assert_eq!(src("anonymous@1.2.3.4:5555"), "ip:1.2.3.4");
    assert_eq!(src("anonymous@[2001:db8:1:2:aa::1]:80"), "ip:2001:db8:1:2::/64");
    assert_eq!(src("anonymous@[::ffff:1.2.3.4]:80"), "ip:1.2.3.4");
    assert_eq!(src("anonymous@unknown"), "anonymous:unknown");
    assert_eq!(src("account:abcd"), "account:abcd");
    assert_eq!(src("12D3KooWpeer"), "peer:12D3KooWpeer");
    let refused = |peer: Option<&str>, addr: &str| SecurityEvent::PeerRefused {
        peer: peer.map(str::to_owned),
        addr: addr.into(),
        reason: "x".into(),
    };
    assert_eq!(refused(None, "/ip4/10.0.0.9/tcp/1").source().unwrap(), "ip:10.0.0.9");
    assert_eq!(refused(Some("12D3KooWx"), "/ip4/10.0.0.9/tcp/1").source().unwrap(), "peer:12D3KooWx");
    assert_eq!(criticals()[0].source(), None);
    assert!(criticals().iter().all(|e| e.class() == Class::Critical));
    assert_eq!(forged_from_str(&"x".repeat(1000)).source().unwrap().len(), "peer:".len() + 128, "bounded");
}

fn forged_from_str(from: &str) -> SecurityEvent {
    SecurityEvent::BadSignature {
        origin: Origin::ApiRequest,
        from: Some(from.to_owned()),
        signer: None,
        tx_hash: None,
        reason: "x".into(),
    }
}

#[test]
fn receipts_yield_revocations_and_scope_refusals() {
    use tamga_types::{BlockHeader, BoundedVec, ChainId, Event, Payload, RevocationReason, Transaction};
    let key = SigningKey::from_seed([5; 32]);
    let tx = |nonce| {
        Transaction {
            chain_id: ChainId::new("t").unwrap(),
            signer: key.public(),
            nonce,
            payload: Payload::RevokeAccount { key: key.public(), reason: RevocationReason::HolderRequest },
            memo: None,
        }
        .sign(&key)
    };
    let txs = vec![tx(0), tx(1), tx(2)];
    // Any header: only the transactions matter here.
    let header = BlockHeader {
        chain_id: ChainId::new("t").unwrap(),
        height: 7,
        round: 0,
        time_ms: 1,
        parent_hash: Hash::ZERO,
        proposer: key.public(),
        tx_root: Hash::ZERO,
        evidence_root: Hash::ZERO,
        state_root: Hash::ZERO,
        receipts_root: Hash::ZERO,
        validators_hash: Hash::ZERO,
        next_validators_hash: Hash::ZERO,
    };
    let block = Block { header, txs: BoundedVec::new(txs.clone()).unwrap(), evidence: Default::default() };
    let receipt = |index: u32, outcome, events| Receipt {
        tx_hash: txs[index as usize].hash(),
        height: 7,
        index,
        block_time_ms: 1,
        outcome,
        events,
    };
    let receipts = vec![
        receipt(
            0,
            TxOutcome::Success,
            vec![Event::new(
                "account_revoked",
                [("key", "ab".to_owned()), ("reason", "court_decision".into()), ("by", "1".into())],
            )],
        ),
        receipt(
            1,
            TxOutcome::failed(
                "SCOPE_MISSING",
                [("party", "2".to_owned()), ("required", "mining".into()), ("has", "assets".into())],
            ),
            vec![],
        ),
        receipt(2, TxOutcome::failed("INSUFFICIENT_BALANCE", [("class", "1".to_owned())]), vec![]),
    ];
    let got = SecurityEvent::from_receipts(&block, &receipts);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(&got[0], SecurityEvent::KeyRevoked { key, reason, by, height: 7, .. }
        if key == "ab" && reason == "court_decision" && by == "1"));
    assert!(matches!(&got[1], SecurityEvent::RegulatorScopeRejected { code, operation, signer, message, .. }
        if code == "SCOPE_MISSING" && operation == "revoke_account" && *signer == key.public()
            && message == "regulator party 2 lacks the mining scope (has: assets)"));
}

/// SPEC §9.4: a receipt's `validators_kept` (any reason) and
/// `validators_left` with reason `no_mining_notice` become the regulators'
/// security events, kept in the critical ring; a leave for a suspended
/// operator does not (the regulator acted itself).
#[test]
fn rule3_admission_events_become_security_events() {
    use tamga_types::Event;
    let receipt = Receipt {
        tx_hash: Hash::digest(b"t", b"x"),
        height: 9,
        index: 0,
        block_time_ms: 1,
        outcome: TxOutcome::Success,
        events: vec![
            Event::new(
                "validators_kept",
                [
                    ("reason", "no_mining_notice".to_owned()),
                    ("operators", "5,6".into()),
                    ("kept", "2".into()),
                    ("would_remain", "3".into()),
                    ("min_validators", "4".into()),
                ],
            ),
            Event::new(
                "validators_left",
                [
                    ("reason", "no_mining_notice".to_owned()),
                    ("operators", "7".into()),
                    ("validators", "1".into()),
                    ("remaining", "4".into()),
                    ("effective_height", "11".into()),
                ],
            ),
            Event::new(
                "validators_left",
                [
                    ("reason", "operator_suspended".to_owned()),
                    ("operators", "8".into()),
                    ("validators", "1".into()),
                    ("remaining", "4".into()),
                    ("effective_height", "11".into()),
                ],
            ),
        ],
    };
    let got = SecurityEvent::from_admission(&receipt);
    assert_eq!(
        got,
        vec![
            SecurityEvent::ValidatorsKept {
                height: 9,
                tx_hash: receipt.tx_hash,
                reason: "no_mining_notice".into(),
                operators: vec![5, 6],
                kept: 2,
                would_remain: 3,
                min_validators: 4,
            },
            SecurityEvent::ValidatorsLeftWithoutNotice {
                height: 9,
                tx_hash: receipt.tx_hash,
                operators: vec![7],
                validators: 1,
                remaining: 4,
                effective_height: 11,
            },
        ]
    );
    assert_eq!(got[0].kind(), "validators_kept");
    assert_eq!(got[1].kind(), "validators_left_without_notice");
    for e in &got {
        assert_eq!(e.class(), Class::Critical);
        assert!(SecurityEvent::KINDS.contains(&e.kind()) && SecurityEvent::CRITICAL_KINDS.contains(&e.kind()));
    }
    assert!(got[0].is_alarm(), "validators kept against the rule is an alarm");
    assert!(!got[1].is_alarm());
    let json = serde_json::to_value(&got[0]).unwrap();
    assert_eq!(json["kind"], "validators_kept");
    assert_eq!(json["operators"], serde_json::json!([5, 6]));
    // A committed block's receipts yield the same events.
    let block = Block {
        header: tamga_types::BlockHeader {
            chain_id: tamga_types::ChainId::new("t").unwrap(),
            height: 9,
            round: 0,
            time_ms: 1,
            parent_hash: Hash::ZERO,
            proposer: SigningKey::from_seed([5; 32]).public(),
            tx_root: Hash::ZERO,
            evidence_root: Hash::ZERO,
            state_root: Hash::ZERO,
            receipts_root: Hash::ZERO,
            validators_hash: Hash::ZERO,
            next_validators_hash: Hash::ZERO,
        },
        txs: Default::default(),
        evidence: Default::default(),
    };
    assert_eq!(SecurityEvent::from_receipts(&block, &[receipt]), got);
}
