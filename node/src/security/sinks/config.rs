//! `[security.sinks]` of `config.toml`: where security events are pushed
//! (docs/operations.md, "Pushing security events").

use std::path::PathBuf;

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
    /// `[security.sinks.syslog]`: RFC 5424 over TCP, or over TLS (RFC 5425).
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
    /// `http://host:port/path` or `https://host:port/path` the batches are posted to.
    pub url: String,
    /// Time for one request (connect, send, answer), ms.
    pub timeout_ms: u64,
    /// `[security.sinks.webhook.tls]`: whom an `https://` URL trusts and
    /// the certificate it presents; without it, the system's trust store
    /// and no client certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<SinkTlsConfig>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig { url: String::new(), timeout_ms: 10_000, tls: None }
    }
}

/// `[security.sinks.webhook.tls]` and `[security.sinks.syslog.tls]`: the
/// client side of a TLS connection to the centre (rustls on ring). Paths
/// are relative to the node's home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SinkTlsConfig {
    /// CA certificates (PEM) the receiver's certificate must chain to,
    /// instead of the system's trust store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// The node's client certificate chain (PEM), for a receiver that asks
    /// for one; needs `client_key_file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key_file: Option<PathBuf>,
    /// Syslog only: the name the receiver's certificate must carry; by
    /// default the host of `address` (the webhook checks its URL's host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Time for the TCP connection and the TLS handshake, ms.
    pub handshake_timeout_ms: u64,
}

impl Default for SinkTlsConfig {
    fn default() -> Self {
        SinkTlsConfig {
            ca_file: None,
            client_cert_file: None,
            client_key_file: None,
            server_name: None,
            handshake_timeout_ms: 10_000,
        }
    }
}

impl SinkTlsConfig {
    /// Form checks of `[<section>.tls]` (`section` is `security.sinks.syslog` or `…webhook`).
    fn validate(&self, section: &'static str) -> Result<(), ConfigError> {
        let (ca, cert, key, name, hs) = match section {
            "security.sinks.syslog" => (
                "security.sinks.syslog.tls.ca_file",
                "security.sinks.syslog.tls.client_cert_file",
                "security.sinks.syslog.tls.client_key_file",
                "security.sinks.syslog.tls.server_name",
                "security.sinks.syslog.tls.handshake_timeout_ms",
            ),
            _ => (
                "security.sinks.webhook.tls.ca_file",
                "security.sinks.webhook.tls.client_cert_file",
                "security.sinks.webhook.tls.client_key_file",
                "security.sinks.webhook.tls.server_name",
                "security.sinks.webhook.tls.handshake_timeout_ms",
            ),
        };
        if self.ca_file.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
            return bad(ca, "a PEM file of CA certificates", &"\"\"");
        }
        match (&self.client_cert_file, &self.client_key_file) {
            (Some(_), None) => return bad(key, "a PEM key file (client_cert_file is set)", &"none"),
            (None, Some(_)) => return bad(cert, "a PEM certificate file (client_key_file is set)", &"none"),
            (Some(c), _) if c.as_os_str().is_empty() => return bad(cert, "a PEM certificate file", &"\"\""),
            (_, Some(k)) if k.as_os_str().is_empty() => return bad(key, "a PEM key file", &"\"\""),
            _ => {}
        }
        if let Some(n) = &self.server_name {
            if section != "security.sinks.syslog" {
                return bad(name, "no server_name: the webhook checks the host of its URL", n);
            }
            if rustls::pki_types::ServerName::try_from(n.as_str()).is_err() {
                return bad(name, "a DNS name or an IP address", n);
            }
        }
        range(hs, self.handshake_timeout_ms, 100, 600_000, "between 100 and 600000 ms")
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
    /// `[security.sinks.syslog.tls]`: when present, the messages go over
    /// TLS (RFC 5425, the same octet-counting frames) instead of plain TCP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<SinkTlsConfig>,
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
            tls: None,
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
            let https = w.url.starts_with("https://");
            let rest = w.url.strip_prefix("http://").or_else(|| w.url.strip_prefix("https://"));
            match rest.and_then(|r| r.split('/').next()) {
                Some(host) if !host.is_empty() && reqwest::Url::parse(&w.url).is_ok() => {}
                _ => return bad("security.sinks.webhook.url", "an http:// or https://host[:port]/path URL", &w.url),
            }
            range("security.sinks.webhook.timeout_ms", w.timeout_ms, 100, 600_000, "between 100 and 600000 ms")?;
            if let Some(t) = &w.tls {
                if !https {
                    return bad(
                        "security.sinks.webhook.url",
                        "an https:// URL ([security.sinks.webhook.tls] is set)",
                        &w.url,
                    );
                }
                t.validate("security.sinks.webhook")?;
            }
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
            if let Some(t) = &s.tls {
                t.validate("security.sinks.syslog")?;
            }
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
# A webhook: signed JSON posted to an http:// or https:// URL.
# [security.sinks.webhook]
# url = "https://monitoring.example:8443/tamga/events"
# timeout_ms = 10000
# [security.sinks.webhook.tls]          # optional; paths relative to the home
# ca_file = "tls/centre-ca.pem"         # default: the system's trust store
# client_cert_file = "tls/sink.pem"     # with client_key_file, if the centre asks
# client_key_file = "tls/sink.key"
# handshake_timeout_ms = 10000
# Syslog: RFC 5424 over TCP, octet-counting framing (RFC 6587); with a
# [security.sinks.syslog.tls] table, over TLS (RFC 5425).
# [security.sinks.syslog]
# address = "siem.example:6514"
# facility = "auth"
# sd_id = "tamga@32473"
# max_message_bytes = 8192
# settle_ms = 500
# [security.sinks.syslog.tls]
# ca_file = "tls/siem-ca.pem"
# handshake_timeout_ms = 10000
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
        c.validate().unwrap();
        // TLS settings on an http:// URL, a client certificate without its key,
        // a server_name (syslog only), a handshake timeout out of range.
        let tls = SinkTlsConfig { ca_file: Some("ca.pem".into()), ..Default::default() };
        c.webhook =
            Some(WebhookConfig { url: "http://c.example/x".into(), tls: Some(tls.clone()), ..Default::default() });
        assert!(
            err(&c).contains("security.sinks.webhook.url") && err(&c).contains("http://c.example/x"),
            "{}",
            err(&c)
        );
        let https =
            |t: SinkTlsConfig| WebhookConfig { url: "https://c.example/x".into(), tls: Some(t), ..Default::default() };
        c.webhook = Some(https(SinkTlsConfig { client_cert_file: Some("c.pem".into()), ..tls.clone() }));
        assert!(err(&c).contains("security.sinks.webhook.tls.client_key_file"), "{}", err(&c));
        c.webhook = Some(https(SinkTlsConfig { server_name: Some("c.example".into()), ..tls.clone() }));
        assert!(err(&c).contains("security.sinks.webhook.tls.server_name"), "{}", err(&c));
        c.webhook = Some(https(SinkTlsConfig { handshake_timeout_ms: 5, ..tls.clone() }));
        assert!(
            err(&c).contains("security.sinks.webhook.tls.handshake_timeout_ms") && err(&c).contains('5'),
            "{}",
            err(&c)
        );
        c.webhook = Some(https(tls.clone()));
        c.validate().unwrap();
        c.syslog = Some(SyslogConfig {
            address: "127.0.0.1:6514".into(),
            tls: Some(SinkTlsConfig { server_name: Some("bad name!".into()), ..tls.clone() }),
            ..Default::default()
        });
        assert!(
            err(&c).contains("security.sinks.syslog.tls.server_name") && err(&c).contains("bad name!"),
            "{}",
            err(&c)
        );
        c.syslog = None;
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
