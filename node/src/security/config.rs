//! `[security]` of `config.toml`: the bounds of the security event log
//! (docs/operations.md, "Security record").

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::sinks::SinksConfig;
use super::{FloodLimits, SecurityLogOptions};
use crate::config::ConfigError;

/// `[security]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// `security/events.jsonl` (every recorded event) is rotated at this size, bytes.
    pub max_file_bytes: u64,
    /// Rotated `events.jsonl.N` files kept.
    pub keep_files: u32,
    /// `security/critical.jsonl` (critical kinds only; floods never write to it) is rotated at this size, bytes.
    pub critical_max_file_bytes: u64,
    /// Rotated `critical.jsonl.N` files kept.
    pub critical_keep_files: u32,
    /// Latest events kept in memory for `GET /v1/security/events`.
    pub ring: usize,
    /// Latest critical events kept in memory besides them.
    pub critical_ring: usize,
    /// Most concurrent `stream=true` subscribers.
    pub max_subscribers: usize,
    /// Interval of the per-source rate limits, ms.
    pub interval_ms: u64,
    /// Events of one kind from one source recorded one by one per interval.
    pub per_source: u32,
    /// Per-source events recorded one by one per interval, all sources together.
    pub global: u32,
    /// Sources tracked per interval; further sources are summarised as `other`.
    pub max_sources: usize,
    /// `[security.sinks]`: where events are pushed (`super::sinks`).
    pub sinks: SinksConfig,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        let d = SecurityLogOptions::default();
        SecurityConfig {
            max_file_bytes: d.max_file_bytes,
            keep_files: d.keep_files,
            critical_max_file_bytes: d.critical_max_file_bytes,
            critical_keep_files: d.critical_keep_files,
            ring: d.ring,
            critical_ring: d.critical_ring,
            max_subscribers: d.max_subscribers,
            interval_ms: d.flood.interval_ms,
            per_source: d.flood.per_source,
            global: d.flood.global,
            max_sources: d.flood.max_sources,
            sinks: SinksConfig::default(),
        }
    }
}

impl SecurityConfig {
    /// The log's options, files in `dir`.
    pub fn options(&self, dir: PathBuf) -> SecurityLogOptions {
        SecurityLogOptions {
            dir: Some(dir),
            max_file_bytes: self.max_file_bytes,
            keep_files: self.keep_files,
            critical_max_file_bytes: self.critical_max_file_bytes,
            critical_keep_files: self.critical_keep_files,
            ring: self.ring,
            critical_ring: self.critical_ring,
            max_subscribers: self.max_subscribers,
            flood: FloodLimits {
                interval_ms: self.interval_ms,
                per_source: self.per_source,
                global: self.global,
                max_sources: self.max_sources,
            },
            ..SecurityLogOptions::default()
        }
    }

    /// Range checks.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field, problem, got: &dyn std::fmt::Display| {
            Err(ConfigError::Invalid { field, problem, got: got.to_string() })
        };
        if self.max_file_bytes < 64 * 1024 {
            return bad("security.max_file_bytes", "at least 65536", &self.max_file_bytes);
        }
        if self.critical_max_file_bytes < 64 * 1024 {
            return bad("security.critical_max_file_bytes", "at least 65536", &self.critical_max_file_bytes);
        }
        if self.keep_files > 1000 {
            return bad("security.keep_files", "at most 1000", &self.keep_files);
        }
        if !(1..=1000).contains(&self.critical_keep_files) {
            return bad("security.critical_keep_files", "between 1 and 1000", &self.critical_keep_files);
        }
        if !(1..=1_000_000).contains(&self.ring) {
            return bad("security.ring", "between 1 and 1000000", &self.ring);
        }
        if !(1..=100_000).contains(&self.critical_ring) {
            return bad("security.critical_ring", "between 1 and 100000", &self.critical_ring);
        }
        if !(1..=1024).contains(&self.max_subscribers) {
            return bad("security.max_subscribers", "between 1 and 1024", &self.max_subscribers);
        }
        if !(100..=3_600_000).contains(&self.interval_ms) {
            return bad("security.interval_ms", "between 100 and 3600000 ms", &self.interval_ms);
        }
        if !(1..=100_000).contains(&self.global) {
            return bad("security.global", "between 1 and 100000", &self.global);
        }
        if self.per_source > self.global {
            return bad("security.per_source", "at most security.global", &self.per_source);
        }
        if !(1..=100_000).contains(&self.max_sources) {
            return bad("security.max_sources", "between 1 and 100000", &self.max_sources);
        }
        self.sinks.validate()
    }

    /// The `[security]` section as `tamgad init` writes it.
    pub fn to_documented_toml(&self) -> String {
        let mut text = format!(
            r#"
[security]
# Security events (docs/operations.md, "Security record"). Every recorded event
# goes to security/events.jsonl, rotated at max_file_bytes with keep_files
# older files; the critical kinds (config_loaded, validator_set_changed,
# equivocation, conflicting_proposals, journal_verification_failed,
# safety_persist_failed) also go to security/critical.jsonl, which floods never
# write to, rotated at critical_max_file_bytes with critical_keep_files kept.
max_file_bytes = {mfb}
keep_files = {kf}
critical_max_file_bytes = {cmfb}
critical_keep_files = {ckf}
# Events kept in memory for GET /v1/security/events, critical ones besides them,
# and the most concurrent stream=true subscribers.
ring = {ring}
critical_ring = {cring}
max_subscribers = {subs}
# Rate limits of events anyone can cause (bad_signature, peer_refused), per
# interval_ms: per_source events of a kind from one source (IP address, IPv6 /64,
# peer) and global from all sources are recorded one by one; the rest are counted
# and written as one `aggregated` event per source and kind when the interval
# ends. At most max_sources sources are tracked; further ones count as "other".
interval_ms = {iv}
per_source = {ps}
global = {gl}
max_sources = {ms}
"#,
            mfb = self.max_file_bytes,
            kf = self.keep_files,
            cmfb = self.critical_max_file_bytes,
            ckf = self.critical_keep_files,
            ring = self.ring,
            cring = self.critical_ring,
            subs = self.max_subscribers,
            iv = self.interval_ms,
            ps = self.per_source,
            gl = self.global,
            ms = self.max_sources,
        );
        text.push_str(&self.sinks.to_documented_toml());
        text
    }
}
