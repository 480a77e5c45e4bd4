//! The client side of TLS towards a monitoring centre (rustls on ring, the
//! provider the API's TLS uses): one [`rustls::ClientConfig`] per sink,
//! built at the start from `[security.sinks.<sink>.tls]`. The syslog sink
//! runs its handshake itself (RFC 5425: TLS, then the same octet-counted
//! frames as over TCP); the webhook hands the configuration to its HTTP
//! client for `https://` URLs.
//!
//! * Trust: the CA certificates of `ca_file` only, or the system's trust
//!   store when none is given. A receiver whose certificate chains to
//!   another CA fails the handshake: the delivery fails, the batch stays in
//!   the outbox and is retried after the back-off.
//! * A client certificate (`client_cert_file` with `client_key_file`) for a
//!   receiver that authenticates its senders.
//! * Every file is read once, at most [`MAX_PEM_BYTES`]; a file that cannot
//!   be read or holds no usable PEM stops the start with an error naming
//!   the setting and the path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use super::config::SinkTlsConfig;

/// Largest PEM file read (a CA bundle, a certificate chain, a key).
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// A TLS setting of a sink that cannot be used; each names the setting.
#[derive(Debug, thiserror::Error)]
pub enum SinkTlsError {
    /// The file cannot be read.
    #[error("config field `{setting}`: cannot read {path}: {source}")]
    Read {
        /// The setting, e.g. `security.sinks.syslog.tls.ca_file`.
        setting: String,
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_PEM_BYTES`].
    #[error("config field `{setting}`: {path} is over {max} bytes")]
    TooLarge {
        /// The setting.
        setting: String,
        /// The file.
        path: PathBuf,
        /// [`MAX_PEM_BYTES`].
        max: u64,
    },
    /// Not PEM, or no item of the expected kind in it, or an item rustls refuses.
    #[error("config field `{setting}`: {path}: expected {expected}, {problem}")]
    Pem {
        /// The setting.
        setting: String,
        /// The file.
        path: PathBuf,
        /// What the file should hold.
        expected: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// No `ca_file` and the system's trust store holds no certificate.
    #[error("config field `{setting}`: not set, and the system's trust store holds no CA certificate ({problem})")]
    NoRoots {
        /// `security.sinks.<sink>.tls.ca_file`.
        setting: String,
        /// What loading the store reported.
        problem: String,
    },
    /// The crypto provider offers no safe protocol version (a build fault).
    #[error("`{section}`: the TLS provider refused the protocol versions: {source}")]
    Provider {
        /// `security.sinks.<sink>.tls`.
        section: String,
        /// rustls's reason.
        source: Box<rustls::Error>,
    },
    /// rustls refused the client certificate with its key.
    #[error("config fields `{section}.client_cert_file` and `{section}.client_key_file`: {cert} with {key}: {source}")]
    ClientPair {
        /// `security.sinks.<sink>.tls`.
        section: String,
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        source: Box<rustls::Error>,
    },
}

fn read_bounded(setting: &str, path: &Path) -> Result<Vec<u8>, SinkTlsError> {
    use std::io::Read;
    let read_err = |source| SinkTlsError::Read { setting: setting.to_owned(), path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(SinkTlsError::TooLarge { setting: setting.to_owned(), path: path.to_owned(), max: MAX_PEM_BYTES });
    }
    Ok(bytes)
}

fn read_certs(setting: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, SinkTlsError> {
    let bytes = read_bounded(setting, path)?;
    let pem = |problem: String| SinkTlsError::Pem {
        setting: setting.to_owned(),
        path: path.to_owned(),
        expected: "CERTIFICATE blocks in PEM",
        problem,
    };
    let certs =
        CertificateDer::pem_slice_iter(&bytes).collect::<Result<Vec<_>, _>>().map_err(|e| pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(pem("found none".to_owned()));
    }
    Ok(certs)
}

/// The rustls client configuration of `[<section>.tls]` (`section`:
/// `security.sinks.syslog` or `security.sinks.webhook`), its paths
/// resolved against `home`.
pub fn client_config(section: &str, cfg: &SinkTlsConfig, home: &Path) -> Result<Arc<ClientConfig>, SinkTlsError> {
    let ca_setting = format!("{section}.tls.ca_file");
    let mut roots = RootCertStore::empty();
    match &cfg.ca_file {
        Some(ca) => {
            let path = home.join(ca);
            for cert in read_certs(&ca_setting, &path)? {
                roots.add(cert).map_err(|e| SinkTlsError::Pem {
                    setting: ca_setting.clone(),
                    path: path.clone(),
                    expected: "CA certificates usable as trust anchors",
                    problem: e.to_string(),
                })?;
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(native.certs);
            if added == 0 {
                let problem =
                    native.errors.first().map_or_else(|| "no certificate found".to_owned(), |e| e.to_string());
                return Err(SinkTlsError::NoRoots { setting: ca_setting, problem });
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| SinkTlsError::Provider { section: format!("{section}.tls"), source: Box::new(source) })?
        .with_root_certificates(roots);
    let config = match (&cfg.client_cert_file, &cfg.client_key_file) {
        (Some(cert), Some(key)) => {
            let (cert, key) = (home.join(cert), home.join(key));
            let chain = read_certs(&format!("{section}.tls.client_cert_file"), &cert)?;
            let key_setting = format!("{section}.tls.client_key_file");
            let bytes = read_bounded(&key_setting, &key)?;
            let der = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| SinkTlsError::Pem {
                setting: key_setting,
                path: key.clone(),
                expected: "a PRIVATE KEY block in PEM",
                problem: e.to_string(),
            })?;
            builder.with_client_auth_cert(chain, der).map_err(|source| SinkTlsError::ClientPair {
                section: format!("{section}.tls"),
                cert,
                key,
                source: Box::new(source),
            })?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A CA and a server certificate it signed for 127.0.0.1, as PEM:
    /// (ca, cert, key).
    pub(crate) fn ca_and_leaf(name: &str) -> (String, String, String) {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, format!("{name} CA"));
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        let cert = leaf.signed_by(&key, &ca_cert, &ca_key).unwrap();
        (ca_cert.pem(), cert.pem(), key.serialize_pem())
    }

    /// A TLS server side serving `cert` with `key` (PEM).
    pub(crate) fn acceptor(cert: &str, key: &str) -> tokio_rustls::TlsAcceptor {
        let certs = CertificateDer::pem_slice_iter(cert.as_bytes()).collect::<Result<Vec<_>, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }

    #[test]
    fn a_missing_or_empty_ca_file_and_a_lone_client_key_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = SinkTlsConfig { ca_file: Some("nope/ca.pem".into()), ..Default::default() };
        let e = client_config("security.sinks.syslog", &cfg, dir.path()).unwrap_err().to_string();
        assert!(e.contains("security.sinks.syslog.tls.ca_file") && e.contains("nope/ca.pem"), "{e}");
        std::fs::write(dir.path().join("empty.pem"), "not pem").unwrap();
        let cfg = SinkTlsConfig { ca_file: Some("empty.pem".into()), ..Default::default() };
        let e = client_config("security.sinks.webhook", &cfg, dir.path()).unwrap_err().to_string();
        assert!(e.contains("security.sinks.webhook.tls.ca_file") && e.contains("found none"), "{e}");
        let (ca, cert, _) = ca_and_leaf("a");
        let (_, _, other_key) = ca_and_leaf("b");
        std::fs::write(dir.path().join("ca.pem"), ca).unwrap();
        std::fs::write(dir.path().join("c.pem"), cert).unwrap();
        std::fs::write(dir.path().join("k.pem"), other_key).unwrap();
        let cfg = SinkTlsConfig {
            ca_file: Some("ca.pem".into()),
            client_cert_file: Some("c.pem".into()),
            client_key_file: Some("k.pem".into()),
            ..Default::default()
        };
        let e = client_config("security.sinks.syslog", &cfg, dir.path()).unwrap_err().to_string();
        assert!(e.contains("client_cert_file") && e.contains("c.pem") && e.contains("k.pem"), "{e}");
        let cfg = SinkTlsConfig { ca_file: Some("ca.pem".into()), ..Default::default() };
        client_config("security.sinks.syslog", &cfg, dir.path()).unwrap();
    }
}
