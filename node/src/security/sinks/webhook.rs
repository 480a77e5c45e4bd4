//! The webhook sink: a batch of records as one HTTP `POST` of JSON, signed
//! with the node's sink identity key.
//!
//! ```text
//! POST <url>
//! content-type: application/json
//! x-tamga-identity: <hex ed25519 public key of HOME/data/identity.key>
//! x-tamga-signature: <hex ed25519 signature>
//! x-tamga-seq: <first seq>-<last seq>
//!
//! {"events":[<record>,…]}        records in seq order, each the line of events.jsonl
//! ```
//!
//! The signature is over the 32 bytes
//! `SHA-256("TAMGA/SECURITY-EVENTS/v1" ‖ 0x00 ‖ body)` ([`signed_digest`]),
//! the body exactly as received. The identity key signs nothing else; the
//! consensus key (blocks and votes only) never signs a webhook. A 2xx
//! answer acknowledges the whole batch; anything else, or no answer within
//! `timeout_ms`, and the batch is sent again after the back-off.
//!
//! An `https://` URL goes over TLS with the client configuration of
//! `[security.sinks.webhook.tls]` ([`super::tls`]); a certificate the
//! configuration does not trust fails the request like a centre that is
//! down: the batch waits in the outbox and is retried.

use std::sync::Arc;
use std::time::Duration;

use tamga_types::{Hash, SigningKey};

use super::config::WebhookConfig;
use super::deliver::Transport;
use super::outbox::Entry;
use super::SinkError;

/// The domain tag of a webhook body's signature.
pub const DOMAIN: &[u8] = b"TAMGA/SECURITY-EVENTS/v1";

/// The identity key's public key header.
pub const IDENTITY_HEADER: &str = "x-tamga-identity";
/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-tamga-signature";
/// The seq range header (`first-last`), for the receiver's logs.
pub const SEQ_HEADER: &str = "x-tamga-seq";

/// The 32 bytes the identity key signs for `body`.
pub fn signed_digest(body: &[u8]) -> Hash {
    Hash::digest(DOMAIN, body)
}

/// The body of a batch: `{"events":[…]}` with the stored lines as they are.
pub fn body(batch: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(batch.iter().map(|e| e.line.len() + 1).sum::<usize>() + 16);
    out.extend_from_slice(b"{\"events\":[");
    for (i, e) in batch.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e.line.as_bytes());
    }
    out.extend_from_slice(b"]}");
    out
}

/// The webhook transport.
pub struct Webhook {
    url: String,
    client: reqwest::Client,
    key: SigningKey,
}

impl Webhook {
    /// The transport of `cfg`, signing with `key`; `tls` is the client
    /// configuration of an `https://` URL ([`super::tls::client_config`]).
    pub fn new(
        cfg: &WebhookConfig,
        key: SigningKey,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Webhook, SinkError> {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_millis(cfg.timeout_ms))
            .connect_timeout(Duration::from_millis(cfg.timeout_ms))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(config) = tls {
            // The connection and the handshake within handshake_timeout_ms
            // (reqwest's connect timeout covers both), the whole request
            // within timeout_ms.
            let handshake = cfg.tls.as_ref().map_or(10_000, |t| t.handshake_timeout_ms).min(cfg.timeout_ms);
            builder = builder
                .connect_timeout(Duration::from_millis(handshake))
                .https_only(true)
                .use_preconfigured_tls((*config).clone());
        }
        let client = builder.build().map_err(|source| SinkError::Http { url: cfg.url.clone(), source })?;
        Ok(Webhook { url: cfg.url.clone(), client, key })
    }
}

impl Transport for Webhook {
    async fn send(&mut self, batch: &[Entry]) -> Result<(), SinkError> {
        let body = body(batch);
        let sig = self.key.sign(&signed_digest(&body).0);
        let (first, last) = (batch.first().map_or(0, |e| e.seq), batch.last().map_or(0, |e| e.seq));
        let resp = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header(IDENTITY_HEADER, self.key.public().to_hex())
            .header(SIGNATURE_HEADER, sig.to_hex())
            .header(SEQ_HEADER, format!("{first}-{last}"))
            .body(body)
            .send()
            .await
            .map_err(|source| SinkError::Http { url: self.url.clone(), source })?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SinkError::Status { url: self.url.clone(), status: status.as_u16() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_the_lines_and_the_signature_verifies_under_the_domain_tag() {
        let batch = vec![
            Entry { seq: 4, line: Arc::from(r#"{"seq":4,"kind":"a"}"#) },
            Entry { seq: 5, line: Arc::from(r#"{"seq":5,"kind":"b"}"#) },
        ];
        let b = body(&batch);
        assert_eq!(b, br#"{"events":[{"seq":4,"kind":"a"},{"seq":5,"kind":"b"}]}"#);
        let key = SigningKey::from_seed([9; 32]);
        let sig = key.sign(&signed_digest(&b).0);
        // What a receiver does: SHA-256(tag ‖ 0 ‖ body), then ed25519.
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"TAMGA/SECURITY-EVENTS/v1\0");
        h.update(&b);
        let digest: [u8; 32] = h.finalize().into();
        assert_eq!(digest, signed_digest(&b).0);
        key.public().verify(&digest, &sig).unwrap();
        // Another body, or the same body under no tag, does not verify.
        assert!(key.public().verify(&signed_digest(b"{}").0, &sig).is_err());
        assert!(key.public().verify(&b, &sig).is_err());
    }

    /// An HTTPS receiver that answers 200 to every request, counting the bodies.
    async fn https_receiver(cert: &str, key: &str) -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let acceptor = crate::security::sinks::tls::tests::acceptor(cert, key);
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let bodies = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = bodies.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                let (acceptor, count) = (acceptor.clone(), count.clone());
                tokio::spawn(async move {
                    let Ok(mut s) = acceptor.accept(s).await else { return };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(n) = s.read(&mut chunk).await else { return };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse().unwrap());
                        if buf.len() < end + 4 + len {
                            continue;
                        }
                        buf.drain(..end + 4 + len);
                        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, bodies)
    }

    #[tokio::test]
    async fn https_to_a_trusted_ca_delivers_and_a_certificate_of_another_ca_fails_naming_the_url() {
        use crate::security::sinks::config::SinkTlsConfig;
        use crate::security::sinks::tls::{client_config, tests::ca_and_leaf};
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = ca_and_leaf("centre");
        let (other_ca, _, _) = ca_and_leaf("other");
        std::fs::write(dir.path().join("ca.pem"), ca).unwrap();
        std::fs::write(dir.path().join("other.pem"), other_ca).unwrap();
        let (addr, bodies) = https_receiver(&cert, &key).await;
        let batch = vec![Entry { seq: 1, line: Arc::from(r#"{"seq":1,"kind":"a"}"#) }];
        let hook = |ca: &str| {
            let tls = SinkTlsConfig { ca_file: Some(ca.into()), ..Default::default() };
            let cfg = WebhookConfig { url: format!("https://{addr}/e"), timeout_ms: 3_000, tls: Some(tls.clone()) };
            crate::security::sinks::SinksConfig { webhook: Some(cfg.clone()), ..Default::default() }
                .validate()
                .unwrap();
            let client = client_config("security.sinks.webhook", &tls, dir.path()).unwrap();
            Webhook::new(&cfg, SigningKey::from_seed([3; 32]), Some(client)).unwrap()
        };
        hook("ca.pem").send(&batch).await.unwrap();
        assert_eq!(bodies.load(std::sync::atomic::Ordering::SeqCst), 1);
        let e = hook("other.pem").send(&batch).await.unwrap_err().to_string();
        assert!(e.contains(&format!("webhook https://{addr}/e")) && e.contains("UnknownIssuer"), "{e}");
        assert_eq!(bodies.load(std::sync::atomic::Ordering::SeqCst), 1, "nothing delivered to an untrusted receiver");
    }
}
