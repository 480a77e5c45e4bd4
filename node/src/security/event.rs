//! The vocabulary of security events: what a supervisor or regulator must
//! see, one typed variant per kind, and how each kind is treated by the log
//! ([`Class`]): kept forever-readable, recorded one by one, or rate-limited
//! per source and summarised.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use serde::{Deserialize, Serialize};
use tamga_types::{Block, Evidence, Hash, Height, PublicKey, Receipt, TxOutcome, ValidatorSet};

/// Execution error codes that mean a regulator-only or scope-bound action
/// was refused (`tamga_state::ExecError::code`, SPEC §2).
pub const REGULATOR_SCOPE_CODES: &[&str] = &["NOT_REGULATOR", "SCOPE_MISSING"];

/// Where a badly signed message came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `POST /v1/txs`.
    Api,
    /// The signature of an API request (`x-tamga-signature`).
    ApiRequest,
    /// The transaction gossip topic.
    Gossip,
    /// The consensus topic (a proposal or a vote).
    Consensus,
}

/// Who reported an equivocation to this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// This node's consensus engine saw both conflicting messages.
    Detected,
    /// A peer gossiped verified evidence.
    Gossip,
}

/// One security event. Serialised with `kind` = the variant name in snake_case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecurityEvent {
    /// A transaction or consensus message whose signature does not verify.
    BadSignature {
        /// Where it came from.
        origin: Origin,
        /// The peer that sent it (gossip, consensus) or the API caller
        /// (`account:<hex>` / `anonymous@ip:port`), when known.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        from: Option<String>,
        /// The claimed signer.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        signer: Option<PublicKey>,
        /// Hash of the transaction (transactions only).
        #[serde(skip_serializing_if = "Option::is_none", default)]
        tx_hash: Option<Hash>,
        /// What failed.
        reason: String,
    },
    /// An inbound connection closed because the peer is neither a validator
    /// of the current or next set nor a configured observer (SPEC §9).
    PeerRefused {
        /// Its libp2p peer id, when the handshake got that far.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        peer: Option<String>,
        /// Its address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// A validator signed two conflicting votes (SPEC §9).
    Equivocation {
        /// The validator.
        validator: PublicKey,
        /// Height of the votes.
        height: Height,
        /// Round of the votes.
        round: u32,
        /// `prevote` or `precommit`.
        vote: String,
        /// Evidence id (the chain records it once, by this id).
        evidence: Hash,
        /// Detected here or received from a peer.
        source: EvidenceSource,
    },
    /// A proposer signed two different proposals for one height and round.
    ConflictingProposals {
        /// The proposer.
        proposer: PublicKey,
        /// Height.
        height: Height,
        /// Round.
        round: u32,
    },
    /// The node started with this configuration.
    ConfigLoaded {
        /// The file.
        path: String,
        /// SHA-256 of its bytes, hex (`sha256sum config.toml`).
        sha256: String,
        /// Hash of the genesis the node runs.
        genesis_hash: Hash,
        /// The node software version.
        version: String,
    },
    /// The validator set certifying blocks changes from `height` on.
    ValidatorSetChanged {
        /// First height certified by the new set.
        height: Height,
        /// Hash of the new set.
        validators_hash: Hash,
        /// Its size.
        validators: usize,
        /// Its total power.
        total_power: u64,
        /// Keys that joined.
        added: Vec<PublicKey>,
        /// Keys that left.
        removed: Vec<PublicKey>,
    },
    /// A committed transaction revoked an account key (SPEC §3).
    KeyRevoked {
        /// Block height.
        height: Height,
        /// The revoking transaction.
        tx_hash: Hash,
        /// The revoked key.
        key: String,
        /// The reason recorded.
        reason: String,
        /// The party that revoked it.
        by: String,
    },
    /// A committed transaction was refused because its signer is not a
    /// regulator or lacks the scope (SPEC §2).
    RegulatorScopeRejected {
        /// Block height.
        height: Height,
        /// The refused transaction.
        tx_hash: Hash,
        /// Its signer.
        signer: PublicKey,
        /// The operation (`Payload::kind_name`).
        operation: String,
        /// `NOT_REGULATOR` or `SCOPE_MISSING`.
        code: String,
        /// The refusal's message, rendered in English from the receipt's code and arguments.
        message: String,
    },
    /// Validators whose operator lost its standing (SPEC §9.4: no accepted
    /// mining notification, suspended or revoked) stay in the set because
    /// fewer than `min_validators` would remain: they keep confirming blocks
    /// against the rule until a regulator acts (a `validators_kept` receipt
    /// event).
    ValidatorsKept {
        /// Block height of the transaction (0: the genesis check).
        height: Height,
        /// The transaction whose receipt carries the event.
        tx_hash: Hash,
        /// `no_mining_notice`, `operator_suspended` or `operator_revoked`.
        reason: String,
        /// The operator parties of the validators kept.
        operators: Vec<u64>,
        /// Validators that would have left.
        kept: u64,
        /// Validators that would have remained.
        would_remain: u64,
        /// The chain's `min_validators`.
        min_validators: u64,
    },
    /// Validators leave the set because their operator has no accepted
    /// mining notification (SPEC §9.4; a `validators_left` receipt event
    /// with reason `no_mining_notice`).
    ValidatorsLeftWithoutNotice {
        /// Block height of the transaction (0: the genesis check).
        height: Height,
        /// The transaction whose receipt carries the event.
        tx_hash: Hash,
        /// The operator parties of the validators leaving.
        operators: Vec<u64>,
        /// Validators leaving.
        validators: u64,
        /// Validators remaining.
        remaining: u64,
        /// First height certified without them.
        effective_height: Height,
    },
    /// `tamgad journal verify` (or the node) found the journal broken.
    JournalVerificationFailed {
        /// The journal file or directory checked.
        path: String,
        /// The position (entry or byte offset) of the first failure, if known.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        position: Option<u64>,
        /// What failed.
        reason: String,
    },
    /// The consensus safety state could not be persisted: the node does not
    /// vote until a write succeeds (STYLE principle 3, SPEC §9).
    SafetyPersistFailed {
        /// The safety-state file.
        path: String,
        /// Writes failed in a row so far.
        attempts: u64,
        /// The last error.
        reason: String,
    },
    /// The node's storage kept failing while it validated or built a block;
    /// it stopped rather than vote on a block it could not read (SPEC §9).
    StorageFault {
        /// Height.
        height: Height,
        /// Round.
        round: u32,
        /// What the node was doing.
        during: String,
        /// The last failure.
        error: String,
    },
    /// The validator's own signer refused to sign one of its votes or
    /// proposals because it conflicts with what the signer already signed
    /// (`tamga-signer`'s double-sign guard): the validator's safety state was
    /// lost or rolled back, or it is misbehaving. Nothing was sent (SPEC §9).
    SignerRefused {
        /// The signer (`remote`).
        signer: String,
        /// Height of the refused request.
        height: Height,
        /// Round of the refused request.
        round: u32,
        /// `proposal`, `prevote` or `precommit`.
        step: String,
        /// The guard's account (what it signed last, what was asked).
        detail: String,
    },
    /// A sink's outbox was full: its oldest undelivered records were
    /// dropped to make room (`[security.sinks] max_events`). Recorded at most
    /// once per rate-limit interval and sink, with the drops since the last
    /// report; the records stay in `events.jsonl` and the API's rings.
    SinkOverflow {
        /// The sink (`webhook`, `syslog`).
        sink: String,
        /// Records dropped.
        dropped: u64,
        /// The seq of the first of them.
        first_seq: u64,
        /// The seq of the last of them.
        last_seq: u64,
        /// The outbox bound.
        max_events: u64,
    },
    /// Events of a rate-limited kind ([`Class::PerSource`]) that one source
    /// caused in one interval beyond what was recorded one by one: their
    /// count, so the sum of recorded events and summaries is what happened.
    Aggregated {
        /// The kind of the summarised events (`bad_signature`, `peer_refused`).
        of_kind: String,
        /// Their source ([`SecurityEvent::source`]): `ip:1.2.3.4`,
        /// `ip:2001:db8:1:2::/64`, `peer:<id>`, `account:<hex>`, or `other`
        /// for sources beyond the tracked number.
        source: String,
        /// Events summarised (not recorded one by one).
        count: u64,
        /// Time of the first and the last of them, ms since the epoch.
        first_ms: u64,
        /// See `first_ms`.
        last_ms: u64,
        /// The interval the limits apply to, ms.
        interval_ms: u64,
    },
}

/// How the log treats a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Facts a supervisor must always be able to read: also written to
    /// `critical.jsonl` and a ring of their own, which floods never touch.
    Critical,
    /// Caused by committed transactions (bounded by the chain's throughput):
    /// recorded one by one.
    Attributed,
    /// Caused by anyone who can reach a port: rate-limited per source, the
    /// excess summarised as [`SecurityEvent::Aggregated`].
    PerSource,
}

impl SecurityEvent {
    /// The `kind` name.
    pub fn kind(&self) -> &'static str {
        match self {
            SecurityEvent::BadSignature { .. } => "bad_signature",
            SecurityEvent::PeerRefused { .. } => "peer_refused",
            SecurityEvent::Equivocation { .. } => "equivocation",
            SecurityEvent::ConflictingProposals { .. } => "conflicting_proposals",
            SecurityEvent::ConfigLoaded { .. } => "config_loaded",
            SecurityEvent::ValidatorSetChanged { .. } => "validator_set_changed",
            SecurityEvent::KeyRevoked { .. } => "key_revoked",
            SecurityEvent::RegulatorScopeRejected { .. } => "regulator_scope_rejected",
            SecurityEvent::ValidatorsKept { .. } => "validators_kept",
            SecurityEvent::ValidatorsLeftWithoutNotice { .. } => "validators_left_without_notice",
            SecurityEvent::JournalVerificationFailed { .. } => "journal_verification_failed",
            SecurityEvent::SafetyPersistFailed { .. } => "safety_persist_failed",
            SecurityEvent::StorageFault { .. } => "storage_fault",
            SecurityEvent::SignerRefused { .. } => "signer_refused",
            SecurityEvent::SinkOverflow { .. } => "sink_overflow",
            SecurityEvent::Aggregated { .. } => "aggregated",
        }
    }

    /// How the log treats this kind.
    pub fn class(&self) -> Class {
        match self {
            SecurityEvent::ConfigLoaded { .. }
            | SecurityEvent::ValidatorSetChanged { .. }
            | SecurityEvent::ValidatorsKept { .. }
            | SecurityEvent::ValidatorsLeftWithoutNotice { .. }
            | SecurityEvent::Equivocation { .. }
            | SecurityEvent::ConflictingProposals { .. }
            | SecurityEvent::JournalVerificationFailed { .. }
            | SecurityEvent::SafetyPersistFailed { .. }
            | SecurityEvent::StorageFault { .. }
            | SecurityEvent::SignerRefused { .. }
            | SecurityEvent::SinkOverflow { .. } => Class::Critical,
            SecurityEvent::KeyRevoked { .. }
            | SecurityEvent::RegulatorScopeRejected { .. }
            | SecurityEvent::Aggregated { .. } => Class::Attributed,
            SecurityEvent::BadSignature { .. } | SecurityEvent::PeerRefused { .. } => Class::PerSource,
        }
    }

    /// The kinds of [`Class::Critical`].
    pub const CRITICAL_KINDS: &'static [&'static str] = &[
        "config_loaded",
        "validator_set_changed",
        "validators_kept",
        "validators_left_without_notice",
        "equivocation",
        "conflicting_proposals",
        "journal_verification_failed",
        "safety_persist_failed",
        "storage_fault",
        "signer_refused",
        "sink_overflow",
    ];

    /// Who caused a [`Class::PerSource`] event, as the rate limits count
    /// it: a client's IP address (its port changes with every connection;
    /// IPv6 by /64, the block one host usually holds), a libp2p peer id, or
    /// a signed caller's account. `None` for other classes.
    pub fn source(&self) -> Option<String> {
        match self {
            SecurityEvent::BadSignature { from, .. } => Some(match from.as_deref() {
                None => "unknown".to_owned(),
                Some(f) => match f.strip_prefix("anonymous@") {
                    Some(addr) => addr
                        .parse::<SocketAddr>()
                        .map(|a| ip_source(a.ip()))
                        .unwrap_or_else(|_| format!("anonymous:{}", bounded(addr))),
                    None if f.starts_with("account:") => bounded(f),
                    None => format!("peer:{}", bounded(f)),
                },
            }),
            SecurityEvent::PeerRefused { peer: Some(p), .. } => Some(format!("peer:{}", bounded(p))),
            SecurityEvent::PeerRefused { peer: None, addr, .. } => {
                Some(multiaddr_ip(addr).map(ip_source).unwrap_or_else(|| format!("addr:{}", bounded(addr))))
            }
            _ => None,
        }
    }

    /// Every kind, for query validation and documentation.
    pub const KINDS: &'static [&'static str] = &[
        "bad_signature",
        "peer_refused",
        "equivocation",
        "conflicting_proposals",
        "config_loaded",
        "validator_set_changed",
        "key_revoked",
        "regulator_scope_rejected",
        "validators_kept",
        "validators_left_without_notice",
        "journal_verification_failed",
        "safety_persist_failed",
        "storage_fault",
        "signer_refused",
        "sink_overflow",
        "aggregated",
    ];

    /// Misbehaviour or failure (logged at warn) rather than an administrative fact (info).
    pub fn is_alarm(&self) -> bool {
        !matches!(
            self,
            SecurityEvent::ConfigLoaded { .. }
                | SecurityEvent::ValidatorSetChanged { .. }
                | SecurityEvent::ValidatorsLeftWithoutNotice { .. }
                | SecurityEvent::KeyRevoked { .. }
        )
    }

    /// A journal verification failure (for `tamgad journal verify` and the node).
    pub fn journal_verification_failed(
        path: impl Into<String>,
        position: Option<u64>,
        reason: impl Into<String>,
    ) -> SecurityEvent {
        SecurityEvent::JournalVerificationFailed { path: path.into(), position, reason: reason.into() }
    }

    /// The equivocation event of verified evidence.
    pub fn equivocation(ev: &Evidence, source: EvidenceSource) -> SecurityEvent {
        SecurityEvent::Equivocation {
            validator: ev.validator(),
            height: ev.height(),
            round: ev.round(),
            vote: ev.message_kind().to_owned(),
            evidence: ev.id(),
            source,
        }
    }

    /// The change from `old` to `new`, which certifies blocks from `height`.
    pub fn validator_set_changed(height: Height, old: &ValidatorSet, new: &ValidatorSet) -> SecurityEvent {
        let added = new.validators.iter().filter(|v| old.index_of(&v.key).is_none()).map(|v| v.key).collect();
        let removed = old.validators.iter().filter(|v| new.index_of(&v.key).is_none()).map(|v| v.key).collect();
        SecurityEvent::ValidatorSetChanged {
            height,
            validators_hash: new.hash(),
            validators: new.len(),
            total_power: new.total_power(),
            added,
            removed,
        }
    }

    /// The config file event: SHA-256 of the bytes the node read.
    pub fn config_loaded(path: &Path, bytes: &[u8], genesis_hash: Hash) -> SecurityEvent {
        use sha2::Digest;
        SecurityEvent::ConfigLoaded {
            path: path.display().to_string(),
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
            genesis_hash,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The events a committed block's receipts carry: key revocations
    /// (`account_revoked` receipt events), validators kept against or
    /// leaving by the admission rule (SPEC §9.4, [`Self::from_admission`])
    /// and regulator-scope refusals (failed receipts with a code of
    /// [`REGULATOR_SCOPE_CODES`]).
    pub fn from_receipts(block: &Block, receipts: &[Receipt]) -> Vec<SecurityEvent> {
        let mut out = Vec::new();
        for r in receipts {
            match &r.outcome {
                TxOutcome::Success => {
                    for e in r.events.iter().filter(|e| e.kind == "account_revoked") {
                        let get = |k: &str| e.get(k).unwrap_or_default().to_owned();
                        out.push(SecurityEvent::KeyRevoked {
                            height: r.height,
                            tx_hash: r.tx_hash,
                            key: get("key"),
                            reason: get("reason"),
                            by: get("by"),
                        });
                    }
                    out.extend(Self::from_admission(r));
                }
                TxOutcome::Failed { code, args } if REGULATOR_SCOPE_CODES.contains(&code.as_str()) => {
                    let Some(tx) = block.txs.get(r.index as usize) else { continue };
                    out.push(SecurityEvent::RegulatorScopeRejected {
                        height: r.height,
                        tx_hash: r.tx_hash,
                        signer: tx.tx.signer,
                        operation: tx.tx.payload.kind_name().to_owned(),
                        code: code.clone(),
                        // The journal is this node's, in English (the receipt has no message).
                        message: tamga_contract::messages::render(code, args, tamga_contract::messages::Lang::En),
                    });
                }
                TxOutcome::Failed { .. } => {}
            }
        }
        out
    }
}

impl SecurityEvent {
    /// SPEC §9.4: the regulators' view of one receipt's admission events:
    /// `validators_kept` (any reason) and `validators_left` with reason
    /// `no_mining_notice`. Also applied to the genesis receipts, which carry
    /// the check made after the genesis transactions.
    pub fn from_admission(r: &Receipt) -> Vec<SecurityEvent> {
        let mut out = Vec::new();
        for e in &r.events {
            let num = |k: &str| e.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or_default();
            let operators = || -> Vec<u64> {
                e.get("operators").unwrap_or_default().split(',').filter_map(|p| p.parse().ok()).collect()
            };
            match e.kind.as_str() {
                "validators_kept" => out.push(SecurityEvent::ValidatorsKept {
                    height: r.height,
                    tx_hash: r.tx_hash,
                    reason: e.get("reason").unwrap_or_default().to_owned(),
                    operators: operators(),
                    kept: num("kept"),
                    would_remain: num("would_remain"),
                    min_validators: num("min_validators"),
                }),
                "validators_left" if e.get("reason") == Some("no_mining_notice") => {
                    out.push(SecurityEvent::ValidatorsLeftWithoutNotice {
                        height: r.height,
                        tx_hash: r.tx_hash,
                        operators: operators(),
                        validators: num("validators"),
                        remaining: num("remaining"),
                        effective_height: num("effective_height"),
                    })
                }
                _ => {}
            }
        }
        out
    }
}

/// A source key no longer than 128 bytes (sources come from the network).
fn bounded(s: &str) -> String {
    let mut end = s.len().min(128);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// `ip:1.2.3.4`, or the /64 of an IPv6 address (`ip:2001:db8:1:2::/64`);
/// an IPv4-mapped IPv6 address counts as its IPv4 address.
pub fn ip_source(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("ip:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let s = v6.segments();
                format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The IP address of a multiaddr such as `/ip4/10.0.0.9/tcp/1`.
fn multiaddr_ip(addr: &str) -> Option<IpAddr> {
    let mut parts = addr.split('/').skip(1);
    match (parts.next()?, parts.next()?) {
        ("ip4" | "ip6", ip) => ip.parse().ok(),
        _ => None,
    }
}
