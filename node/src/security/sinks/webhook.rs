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
    /// The transport of `cfg`, signing with `key`.
    pub fn new(cfg: &WebhookConfig, key: SigningKey) -> Result<Webhook, SinkError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(cfg.timeout_ms))
            .connect_timeout(Duration::from_millis(cfg.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| SinkError::Http { url: cfg.url.clone(), source })?;
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
    use std::sync::Arc;

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
}
