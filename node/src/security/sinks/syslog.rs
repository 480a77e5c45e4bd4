//! The syslog sink: each record as one RFC 5424 message, framed by octet
//! counting (RFC 6587 §3.4.1: `MSG-LEN SP SYSLOG-MSG`) on a TCP connection,
//! or with `[security.sinks.syslog.tls]` on a TLS connection (RFC 5425 §4.3:
//! the same `MSG-LEN SP SYSLOG-MSG` frames inside TLS; the receiver's
//! certificate checked against `ca_file` or the system's trust store and
//! the name `server_name` or the host of `address`, RFC 5425 §5.2).
//!
//! ```text
//! <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID seq="…" node="…" kind="…" field="…" …] BOM{json}
//! ```
//!
//! * PRI = facility × 8 + severity (RFC 5424 §6.2.1): severity 2 (critical)
//!   for the critical kinds that are alarms, 4 (warning) for other alarms,
//!   5 (notice) for administrative facts.
//! * TIMESTAMP: the record's `time_ms`, UTC, millisecond precision.
//! * MSGID: the record's `kind`.
//! * STRUCTURED-DATA: one element (`sd_id`, by default `tamga@32473`, the
//!   enterprise number RFC 5612 reserves for documentation: set your own)
//!   whose parameters are `seq`, `node`, `kind` and the event's fields;
//!   values are escaped as RFC 5424 §6.3.3 requires (`"`, `\` and `]` get a
//!   backslash), arrays and objects are given as compact JSON.
//! * MSG: a UTF-8 BOM and the record's JSON line (the line of events.jsonl).
//!
//! A message is at most `max_message_bytes`: past it the event's fields
//! leave the structured data (seq, node and kind stay) and the MSG is cut.
//!
//! TCP acknowledges nothing to the sender's application, so a batch counts
//! as delivered when it is written and the connection is still open
//! `settle_ms` later (a receiver that closes or dies in between shows as an
//! end of stream or a reset on the connection's read side, which a syslog
//! receiver never writes to); otherwise the batch is sent again on a new
//! connection. The receiver drops a seq it has seen (at least once).

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use super::config::SyslogConfig;
use super::deliver::Transport;
use super::outbox::Entry;
use super::SinkError;
use crate::security::{Class, SecurityEvent};

/// RFC 5424 §6.3.3: the characters escaped in a PARAM-VALUE.
pub fn escape_param_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// RFC 5424 §6: PRINTUSASCII without `=`, SP, `]` and `"`, 1 to 32 characters.
fn sd_name(name: &str) -> String {
    let s: String = name.chars().filter(|c| c.is_ascii_graphic() && !matches!(c, '=' | ']' | '"')).take(32).collect();
    if s.is_empty() {
        "_".to_owned()
    } else {
        s
    }
}

/// A header field (HOSTNAME, APP-NAME, MSGID): PRINTUSASCII, at most `max`
/// characters, `-` (NILVALUE) when empty.
pub fn header_field(v: &str, max: usize) -> String {
    let s: String = v.chars().filter(|c| c.is_ascii_graphic()).take(max).collect();
    if s.is_empty() {
        "-".to_owned()
    } else {
        s
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of `ms` since the epoch (RFC 5424 §6.2.3, RFC 3339).
pub fn timestamp(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days to civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// RFC 5424 severity of a record.
fn severity(event: Option<&SecurityEvent>) -> u8 {
    match event {
        Some(e) if e.is_alarm() && e.class() == Class::Critical => 2,
        Some(e) if e.is_alarm() => 4,
        Some(_) => 5,
        None => 4,
    }
}

/// What is the same in every message of a sink.
#[derive(Clone, Debug)]
pub struct Format {
    /// RFC 5424 facility code (0-23).
    pub facility: u8,
    /// HOSTNAME.
    pub hostname: String,
    /// APP-NAME.
    pub app_name: String,
    /// PROCID.
    pub procid: String,
    /// SD-ID of the element.
    pub sd_id: String,
    /// Longest message, bytes (frame prefix not counted).
    pub max_message_bytes: usize,
}

impl Format {
    /// The format of `cfg` on this host and process.
    pub fn of(cfg: &SyslogConfig) -> Format {
        let hostname = match &cfg.hostname {
            Some(h) => h.clone(),
            None => std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_owned(),
        };
        Format {
            facility: cfg.facility_code().unwrap_or(4),
            hostname: header_field(&hostname, 255),
            app_name: header_field(&cfg.app_name, 48),
            procid: std::process::id().to_string(),
            sd_id: sd_name(&cfg.sd_id),
            max_message_bytes: cfg.max_message_bytes,
        }
    }

    /// The RFC 5424 message of one record's JSON line.
    pub fn message(&self, line: &str) -> String {
        let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let event: Option<SecurityEvent> = serde_json::from_value(v.clone()).ok();
        let get = |k: &str| v.get(k).map(value_text).unwrap_or_default();
        let kind = get("kind");
        let pri = u16::from(self.facility) * 8 + u16::from(severity(event.as_ref()));
        let time = v.get("time_ms").and_then(Value::as_u64).map_or_else(|| "-".to_owned(), timestamp);
        let header =
            format!("<{pri}>1 {time} {} {} {} {} ", self.hostname, self.app_name, self.procid, header_field(&kind, 32));
        let mut sd_head = format!("[{}", self.sd_id);
        for k in ["seq", "node", "kind"] {
            sd_head.push_str(&format!(" {k}=\"{}\"", escape_param_value(&get(k))));
        }
        let mut fields = String::new();
        if let Value::Object(map) = &v {
            for (k, val) in map {
                if matches!(k.as_str(), "seq" | "node" | "kind" | "time_ms") || val.is_null() {
                    continue;
                }
                fields.push_str(&format!(" {}=\"{}\"", sd_name(k), escape_param_value(&value_text(val))));
            }
        }
        let budget = self.max_message_bytes;
        let mut msg = header;
        if msg.len() + sd_head.len() + fields.len() < budget {
            msg.push_str(&sd_head);
            msg.push_str(&fields);
        } else {
            msg.push_str(&sd_head);
        }
        msg.push(']');
        msg.push(' ');
        msg.push('\u{feff}');
        msg.push_str(line);
        if msg.len() > budget {
            let mut end = budget;
            while !msg.is_char_boundary(end) {
                end -= 1;
            }
            msg.truncate(end);
        }
        msg
    }
}

/// A value as a PARAM-VALUE text (before escaping).
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`.
pub fn frame(msg: &str) -> Vec<u8> {
    let mut out = format!("{} ", msg.len()).into_bytes();
    out.extend_from_slice(msg.as_bytes());
    out
}

struct Conn {
    write: Box<dyn AsyncWrite + Send + Sync + Unpin>,
    /// Resolves (with an error) when the read side sees the end of the stream or a reset.
    closed: oneshot::Receiver<()>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// TLS towards the receiver (RFC 5425).
struct Tls {
    connector: tokio_rustls::TlsConnector,
    name: ServerName<'static>,
    handshake_timeout: Duration,
}

/// The syslog transport: one TCP or TLS connection, made again after a failure.
pub struct Syslog {
    address: String,
    format: Format,
    connect_timeout: Duration,
    settle: Duration,
    tls: Option<Tls>,
    conn: Option<Conn>,
}

/// The name a receiver's certificate must carry: `server_name`, or the host
/// of `host:port` (brackets of an IPv6 literal removed).
fn server_name(cfg: &SyslogConfig) -> Result<ServerName<'static>, SinkError> {
    let host = match cfg.tls.as_ref().and_then(|t| t.server_name.clone()) {
        Some(n) => n,
        None => {
            let host = cfg.address.rsplit_once(':').map_or(cfg.address.as_str(), |(h, _)| h);
            host.trim_start_matches('[').trim_end_matches(']').to_owned()
        }
    };
    ServerName::try_from(host.clone()).map_err(|_| SinkError::ServerName { addr: cfg.address.clone(), name: host })
}

impl Syslog {
    /// The transport of `cfg`; `tls` is the client configuration of
    /// `[security.sinks.syslog.tls]` ([`super::tls::client_config`]), when set.
    pub fn new(cfg: &SyslogConfig, tls: Option<Arc<rustls::ClientConfig>>) -> Result<Syslog, SinkError> {
        let tls = match (tls, &cfg.tls) {
            (Some(config), Some(t)) => Some(Tls {
                connector: tokio_rustls::TlsConnector::from(config),
                name: server_name(cfg)?,
                handshake_timeout: Duration::from_millis(t.handshake_timeout_ms),
            }),
            _ => None,
        };
        Ok(Syslog {
            address: cfg.address.clone(),
            format: Format::of(cfg),
            connect_timeout: Duration::from_millis(cfg.connect_timeout_ms),
            settle: Duration::from_millis(cfg.settle_ms),
            tls,
            conn: None,
        })
    }

    async fn connect(&self) -> Result<Conn, SinkError> {
        let addr = self.address.clone();
        let stream = match tokio::time::timeout(self.connect_timeout, TcpStream::connect(&addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(source)) => return Err(SinkError::Connect { addr, source }),
            Err(_) => {
                return Err(SinkError::Connect { addr, source: std::io::ErrorKind::TimedOut.into() });
            }
        };
        let _ = stream.set_nodelay(true);
        let Some(tls) = &self.tls else {
            let (read, write) = stream.into_split();
            return Ok(Conn::watch(read, Box::new(write)));
        };
        // A receiver that speaks plain TCP, or none at all, on a TLS
        // setting: the handshake fails or times out.
        let tls_stream =
            match tokio::time::timeout(tls.handshake_timeout, tls.connector.connect(tls.name.clone(), stream)).await {
                Ok(Ok(s)) => s,
                Ok(Err(source)) => return Err(SinkError::Tls { addr, source }),
                Err(_) => {
                    return Err(SinkError::HandshakeTimeout { addr, ms: tls.handshake_timeout.as_millis() as u64 });
                }
            };
        let (read, write) = tokio::io::split(tls_stream);
        Ok(Conn::watch(read, Box::new(write)))
    }
}

impl Conn {
    /// A connection whose read side is watched for its end.
    fn watch<R: AsyncRead + Send + Unpin + 'static>(
        mut read: R,
        write: Box<dyn AsyncWrite + Send + Sync + Unpin>,
    ) -> Conn {
        let (tx, closed) = oneshot::channel::<()>();
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 512];
            // A syslog receiver sends nothing (over TLS, only the
            // protocol's own records): read only to see the end.
            while let Ok(n) = read.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
            drop(tx);
        });
        Conn { write, closed, reader }
    }
}

impl Transport for Syslog {
    async fn send(&mut self, batch: &[Entry]) -> Result<(), SinkError> {
        // A connection the receiver closed since the last batch: a new one
        // before writing, rather than a batch written into the void.
        if let Some(c) = self.conn.as_mut() {
            if !matches!(c.closed.try_recv(), Err(oneshot::error::TryRecvError::Empty)) {
                self.conn = None;
            }
        }
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => self.connect().await?,
        };
        let mut bytes = Vec::new();
        for e in batch {
            bytes.extend_from_slice(&frame(&self.format.message(&e.line)));
        }
        let addr = self.address.clone();
        conn.write.write_all(&bytes).await.map_err(|source| SinkError::Write { addr: addr.clone(), source })?;
        conn.write.flush().await.map_err(|source| SinkError::Write { addr: addr.clone(), source })?;
        tokio::select! {
            _ = tokio::time::sleep(self.settle) => {}
            _ = &mut conn.closed => return Err(SinkError::Closed { addr }),
        }
        self.conn = Some(conn);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format() -> Format {
        Format {
            facility: 4,
            hostname: "node-1".into(),
            app_name: "tamgad".into(),
            procid: "77".into(),
            sd_id: "tamga@32473".into(),
            max_message_bytes: 8192,
        }
    }

    const NODE: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    #[test]
    fn param_values_escape_quote_backslash_and_bracket() {
        assert_eq!(escape_param_value(r#"a"b\c]d[e"#), r#"a\"b\\c\]d[e"#);
        assert_eq!(escape_param_value("plain ✓"), "plain ✓");
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(timestamp(1_796_677_805_009), "2026-12-07T21:10:05.009Z");
    }

    #[test]
    fn a_record_becomes_one_rfc5424_message_with_escaped_structured_data() {
        let line = format!(
            r#"{{"seq":7,"time_ms":1796677805009,"node":"{NODE}","kind":"peer_refused","peer":"12D3\"x]","addr":"/ip4/10.0.0.9/tcp/1","reason":"not a validator \\ observer"}}"#
        );
        let msg = format().message(&line);
        // facility 4 (auth) × 8 + severity 4 (warning) = 36
        let expected = format!(
            "<36>1 2026-12-07T21:10:05.009Z node-1 tamgad 77 peer_refused [tamga@32473 seq=\"7\" node=\"{NODE}\" kind=\"peer_refused\" addr=\"/ip4/10.0.0.9/tcp/1\" peer=\"12D3\\\"x\\]\" reason=\"not a validator \\\\ observer\"] \u{feff}{line}"
        );
        assert_eq!(msg, expected);
        let framed = frame(&msg);
        let (len, rest) = std::str::from_utf8(&framed).unwrap().split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), rest.len());
        assert!(msg.chars().count() < msg.len(), "the BOM is 3 octets: MSG-LEN counts octets, not characters");
    }

    #[test]
    fn administrative_facts_are_notices_and_critical_alarms_are_critical() {
        let f = format();
        let cfg = format!(
            r#"{{"seq":1,"time_ms":0,"node":"{NODE}","kind":"config_loaded","path":"c","sha256":"00","genesis_hash":"{NODE}","version":"1"}}"#
        );
        assert!(f.message(&cfg).starts_with("<37>1 "), "{}", f.message(&cfg));
        let fault = format!(
            r#"{{"seq":2,"time_ms":0,"node":"{NODE}","kind":"storage_fault","height":3,"round":0,"during":"x","error":"y"}}"#
        );
        assert!(f.message(&fault).starts_with("<34>1 "), "{}", f.message(&fault));
    }

    #[test]
    fn an_oversized_record_keeps_seq_node_and_kind_and_fits_the_bound() {
        let mut f = format();
        f.max_message_bytes = 480;
        let line = format!(
            r#"{{"seq":9,"time_ms":0,"node":"{NODE}","kind":"peer_refused","addr":"a","reason":"{}"}}"#,
            "r".repeat(2_000)
        );
        let msg = f.message(&line);
        assert!(msg.len() <= 480, "{}", msg.len());
        assert!(
            msg.contains(&format!("[tamga@32473 seq=\"9\" node=\"{NODE}\" kind=\"peer_refused\"] \u{feff}{{")),
            "{msg}"
        );
    }

    /// A TLS syslog receiver on 127.0.0.1 serving `cert`/`key`: returns its
    /// address and the octet-counted frames it read, per connection.
    impl SyslogConfig {
        fn validate_alone(&self) {
            crate::security::sinks::SinksConfig { syslog: Some(self.clone()), ..Default::default() }
                .validate()
                .unwrap();
        }
    }

    async fn tls_receiver(
        cert: &str,
        key: &str,
    ) -> (std::net::SocketAddr, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let acceptor = crate::security::sinks::tls::tests::acceptor(cert, key);
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let Ok(mut s) = acceptor.accept(s).await else { return };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while let Ok(n) = s.read(&mut chunk).await {
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        while let Some(sp) = buf.iter().position(|b| *b == b' ') {
                            let len: usize = std::str::from_utf8(&buf[..sp]).unwrap().parse().unwrap();
                            if buf.len() < sp + 1 + len {
                                break;
                            }
                            let _ = tx.send(String::from_utf8(buf[sp + 1..sp + 1 + len].to_vec()).unwrap());
                            buf.drain(..sp + 1 + len);
                        }
                    }
                });
            }
        });
        (addr, rx)
    }

    fn tls_cfg(
        addr: std::net::SocketAddr,
        dir: &std::path::Path,
        ca: &str,
    ) -> (SyslogConfig, Arc<rustls::ClientConfig>) {
        std::fs::write(dir.join("ca.pem"), ca).unwrap();
        let t = crate::security::sinks::config::SinkTlsConfig {
            ca_file: Some("ca.pem".into()),
            handshake_timeout_ms: 500,
            ..Default::default()
        };
        let cfg = SyslogConfig { address: addr.to_string(), settle_ms: 50, tls: Some(t.clone()), ..Default::default() };
        cfg.validate_alone();
        let client = crate::security::sinks::tls::client_config("security.sinks.syslog", &t, dir).unwrap();
        (cfg, client)
    }

    fn entries(seqs: std::ops::RangeInclusive<u64>) -> Vec<Entry> {
        seqs.map(|s| Entry {
            seq: s,
            line: Arc::from(format!(r#"{{"seq":{s},"time_ms":0,"node":"{NODE}","kind":"bad_signature"}}"#).as_str()),
        })
        .collect()
    }

    #[tokio::test]
    async fn over_tls_the_frames_arrive_in_order_and_another_ca_or_plain_tcp_fails_the_delivery() {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = crate::security::sinks::tls::tests::ca_and_leaf("centre");
        let (addr, mut rx) = tls_receiver(&cert, &key).await;
        let (cfg, client) = tls_cfg(addr, dir.path(), &ca);
        let mut t = Syslog::new(&cfg, Some(client)).unwrap();
        t.send(&entries(1..=3)).await.unwrap();
        t.send(&entries(4..=4)).await.unwrap();
        for s in 1..=4 {
            let m = rx.recv().await.unwrap();
            assert!(m.contains(&format!("[tamga@32473 seq=\"{s}\"")), "{m}");
        }

        // The receiver's certificate from another CA: the handshake fails, naming the address.
        let (other_ca, _, _) = crate::security::sinks::tls::tests::ca_and_leaf("other");
        let (cfg, client) = tls_cfg(addr, dir.path(), &other_ca);
        let e = Syslog::new(&cfg, Some(client)).unwrap().send(&entries(5..=5)).await.unwrap_err().to_string();
        assert!(e.contains(&format!("syslog {addr}: TLS handshake failed")) && e.contains("UnknownIssuer"), "{e}");
        assert!(rx.try_recv().is_err(), "nothing reached the receiver");

        // A plain TCP receiver (it reads and never answers) on a TLS setting: the handshake times out.
        let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain_addr = plain.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = plain.accept().await {
                held.push(s);
            }
        });
        let (cfg, client) = tls_cfg(plain_addr, dir.path(), &ca);
        let e = Syslog::new(&cfg, Some(client)).unwrap().send(&entries(5..=5)).await.unwrap_err().to_string();
        assert!(e.contains(&format!("syslog {plain_addr}: no TLS handshake within 500 ms")), "{e}");
    }
}
