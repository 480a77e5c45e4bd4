//! `[security.sinks]` of `config.toml`: where security events are pushed
//! (docs/operations.md, "Pushing security events").

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

/// `[security.sinks]`: the outbox bounds and retry policy shared by the
/// sinks, and the sinks (none by default).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SinksConfig {
    /// Most records waiting in one sink's outbox; past it the oldest are
    /// dropped and a `sink_overflow` event is recorded.
    pub max_events: usize,
    /// Most records per delivery (one webhook request, one syslog write).
    pub batch: usize,
    /// First wait after a failed delivery, ms; doubled after each failure.
    pub retry_initial_ms: u64,
    /// Longest wait between tries, ms.
    pub retry_max_ms: u64,
    /// `[security.sinks.webhook]`: an HTTP POST of signed JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookConfig>,
    /// `[security.sinks.syslog]`: RFC 5424 over TCP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syslog: Option<SyslogConfig>,
}

impl Default for SinksConfig {
    fn default() -> Self {
        SinksConfig {
            max_events: 100_000,
            batch: 100,
            retry_initial_ms: 500,
            retry_max_ms: 60_000,
            webhook: None,
            syslog: None,
        }
    }
}

/// `[security.sinks.webhook]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// `http://host:port/path` the batches are posted to.
    pub url: String,
    /// Time for one request (connect, send, answer), ms.
    pub timeout_ms: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig { url: String::new(), timeout_ms: 10_000 }
    }
}

/// `[security.sinks.syslog]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyslogConfig {
    /// `host:port` of the receiver (TCP).
    pub address: String,
    /// RFC 5424 facility by name: `kern`, `user`, `daemon`, `auth`,
    /// `syslog`, `authpriv`, `local0` … `local7`.
    pub facility: String,
    /// HOSTNAME of the messages; by default the host's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// APP-NAME of the messages.
    pub app_name: String,
    /// SD-ID of the structured-data element (`name@<private enterprise number>`).
    pub sd_id: String,
    /// Longest message, bytes (RFC 5424 §6.1: receivers take 480 at least, 2048 should).
    pub max_message_bytes: usize,
    /// Time to connect, ms.
    pub connect_timeout_ms: u64,
    /// A batch counts as delivered when the connection is still open this long after it was written, ms.
    pub settle_ms: u64,
}

impl Default for SyslogConfig {
    fn default() -> Self {
        SyslogConfig {
            address: String::new(),
            facility: "auth".to_owned(),
            hostname: None,
            app_name: "tamgad".to_owned(),
            sd_id: "tamga@32473".to_owned(),
            max_message_bytes: 8192,
            connect_timeout_ms: 5_000,
            settle_ms: 500,
        }
    }
}

/// RFC 5424 §6.2.1 facility codes by name.
const FACILITIES: &[(&str, u8)] = &[
    ("kern", 0),
    ("user", 1),
    ("daemon", 3),
    ("auth", 4),
    ("syslog", 5),
    ("authpriv", 10),
    ("local0", 16),
    ("local1", 17),
    ("local2", 18),
    ("local3", 19),
    ("local4", 20),
    ("local5", 21),
    ("local6", 22),
    ("local7", 23),
];

impl SyslogConfig {
    /// The facility's code, if the name is known.
    pub fn facility_code(&self) -> Option<u8> {
        FACILITIES.iter().find(|(n, _)| *n == self.facility).map(|(_, c)| *c)
    }
}

fn bad<T: std::fmt::Display + ?Sized>(field: &'static str, problem: &'static str, got: &T) -> Result<(), ConfigError> {
    Err(ConfigError::Invalid { field, problem, got: got.to_string() })
}

fn range(field: &'static str, v: u64, lo: u64, hi: u64, problem: &'static str) -> Result<(), ConfigError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        bad(field, problem, &v)
    }
}

impl SinksConfig {
    /// Range and form checks; each error names the setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        range("security.sinks.max_events", self.max_events as u64, 1, 10_000_000, "between 1 and 10000000")?;
        range("security.sinks.batch", self.batch as u64, 1, 10_000, "between 1 and 10000")?;
        range("security.sinks.retry_initial_ms", self.retry_initial_ms, 10, 600_000, "between 10 and 600000 ms")?;
        range(
            "security.sinks.retry_max_ms",
            self.retry_max_ms,
            self.retry_initial_ms,
            3_600_000,
            "at least security.sinks.retry_initial_ms and at most 3600000 ms",
        )?;
        if let Some(w) = &self.webhook {
            let rest = w.url.strip_prefix("http://");
            if w.url.starts_with("https://") {
                return bad(
                    "security.sinks.webhook.url",
                    "an http:// URL (this build has no TLS client: put a TLS-terminating proxy in front of the centre)",
                    &w.url,
                );
            }
            match rest.and_then(|r| r.split('/').next()) {
                Some(host) if !host.is_empty() && reqwest::Url::parse(&w.url).is_ok() => {}
                _ => return bad("security.sinks.webhook.url", "an http://host[:port]/path URL", &w.url),
            }
            range("security.sinks.webhook.timeout_ms", w.timeout_ms, 100, 600_000, "between 100 and 600000 ms")?;
        }
        if let Some(s) = &self.syslog {
            match s.address.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {}
                _ => return bad("security.sinks.syslog.address", "host:port", &s.address),
            }
            if s.facility_code().is_none() {
                return bad(
                    "security.sinks.syslog.facility",
                    "one of kern, user, daemon, auth, syslog, authpriv, local0 … local7",
                    &s.facility,
                );
            }
            if let Some(h) = &s.hostname {
                if h.is_empty() || h.len() > 255 || !h.chars().all(|c| c.is_ascii_graphic()) {
                    return bad("security.sinks.syslog.hostname", "1 to 255 printable ASCII characters, no spaces", h);
                }
            }
            if s.app_name.is_empty() || s.app_name.len() > 48 || !s.app_name.chars().all(|c| c.is_ascii_graphic()) {
                return bad(
                    "security.sinks.syslog.app_name",
                    "1 to 48 printable ASCII characters, no spaces",
                    &s.app_name,
                );
            }
            let sd_ok = s.sd_id.len() <= 32
                && s.sd_id.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '=' | ']' | '"'))
                && s.sd_id.split_once('@').is_some_and(|(n, pen)| {
                    !n.is_empty() && !pen.is_empty() && pen.split('.').all(|p| p.parse::<u32>().is_ok())
                });
            if !sd_ok {
                return bad(
                    "security.sinks.syslog.sd_id",
                    "name@<enterprise number>, at most 32 printable ASCII characters without = ] \" or space",
                    &s.sd_id,
                );
            }
            range(
                "security.sinks.syslog.max_message_bytes",
                s.max_message_bytes as u64,
                480,
                1_048_576,
                "between 480 and 1048576",
            )?;
            range(
                "security.sinks.syslog.connect_timeout_ms",
                s.connect_timeout_ms,
                100,
                600_000,
                "between 100 and 600000 ms",
            )?;
            range("security.sinks.syslog.settle_ms", s.settle_ms, 0, 60_000, "between 0 and 60000 ms")?;
        }
        Ok(())
    }

    /// The `[security.sinks]` section as `tamgad init` writes it.
    pub fn to_documented_toml(&self) -> String {
        format!(
            r#"
[security.sinks]
# Security events pushed to a monitoring centre (docs/operations.md, "Pushing
# security events"). Each sink has a durable outbox under data/sinks/<sink>/:
# at most max_events records wait there; past it the oldest are dropped and a
# sink_overflow event is recorded. Deliveries carry up to batch records and
# are retried after retry_initial_ms, doubling up to retry_max_ms.
max_events = {me}
batch = {b}
retry_initial_ms = {ri}
retry_max_ms = {rm}
# A webhook: signed JSON posted to an http:// URL.
# [security.sinks.webhook]
# url = "http://monitoring.example:8080/tamga/events"
# timeout_ms = 10000
# Syslog: RFC 5424 over TCP, octet-counting framing (RFC 6587).
# [security.sinks.syslog]
# address = "siem.example:6514"
# facility = "auth"
# sd_id = "tamga@32473"
# max_message_bytes = 8192
# settle_ms = 500
"#,
            me = self.max_events,
            b = self.batch,
            ri = self.retry_initial_ms,
            rm = self.retry_max_ms,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(c: &SinksConfig) -> String {
        c.validate().unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_valid_and_each_bad_setting_is_named() {
        SinksConfig::default().validate().unwrap();
        let mut c = SinksConfig { max_events: 0, ..Default::default() };
        assert!(err(&c).contains("security.sinks.max_events"), "{}", err(&c));
        c = SinksConfig { retry_max_ms: 100, ..Default::default() };
        assert!(err(&c).contains("security.sinks.retry_max_ms") && err(&c).contains("100"), "{}", err(&c));
        c = SinksConfig {
            webhook: Some(WebhookConfig { url: "https://c.example/x".into(), ..Default::default() }),
            ..Default::default()
        };
        assert!(
            err(&c).contains("security.sinks.webhook.url") && err(&c).contains("https://c.example/x"),
            "{}",
            err(&c)
        );
        c.webhook = Some(WebhookConfig { url: "ftp://x".into(), ..Default::default() });
        assert!(err(&c).contains("security.sinks.webhook.url"), "{}", err(&c));
        c.webhook = Some(WebhookConfig { url: "http://127.0.0.1:9/e".into(), ..Default::default() });
        c.validate().unwrap();
        c.syslog = Some(SyslogConfig { address: "nohost".into(), ..Default::default() });
        assert!(err(&c).contains("security.sinks.syslog.address") && err(&c).contains("nohost"), "{}", err(&c));
        c.syslog =
            Some(SyslogConfig { address: "127.0.0.1:514".into(), facility: "mail2".into(), ..Default::default() });
        assert!(err(&c).contains("security.sinks.syslog.facility") && err(&c).contains("mail2"), "{}", err(&c));
        c.syslog = Some(SyslogConfig { address: "127.0.0.1:514".into(), sd_id: "tamga".into(), ..Default::default() });
        assert!(err(&c).contains("security.sinks.syslog.sd_id"), "{}", err(&c));
        c.syslog = Some(SyslogConfig { address: "127.0.0.1:514".into(), max_message_bytes: 100, ..Default::default() });
        assert!(err(&c).contains("security.sinks.syslog.max_message_bytes"), "{}", err(&c));
        c.syslog = Some(SyslogConfig { address: "127.0.0.1:514".into(), ..Default::default() });
        c.validate().unwrap();
    }

    #[test]
    fn the_section_parses_from_toml_and_unknown_keys_are_refused() {
        let c: SinksConfig = toml::from_str(
            "max_events = 10\n[webhook]\nurl = \"http://127.0.0.1:1/e\"\n[syslog]\naddress = \"127.0.0.1:2\"\nfacility = \"local3\"\n",
        )
        .unwrap();
        assert_eq!(c.max_events, 10);
        assert_eq!(c.webhook.as_ref().unwrap().timeout_ms, 10_000);
        assert_eq!(c.syslog.as_ref().unwrap().facility_code(), Some(19));
        c.validate().unwrap();
        let e = toml::from_str::<SinksConfig>("[webhook]\nurl = \"http://x/\"\nsecret = 1\n").unwrap_err();
        assert!(e.to_string().contains("secret"), "{e}");
    }
}
