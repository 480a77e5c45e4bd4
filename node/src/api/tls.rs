//! TLS on the HTTP API (`[api.tls]`, `docs/operations.md` "TLS on the
//! API"): rustls on ring, no OpenSSL.
//!
//! * The node's certificate chain and key (`cert_file`, `key_file`, PEM) and
//!   the optional client CA (`client_ca_file`) are read with a size bound
//!   ([`MAX_PEM_BYTES`]) and checked before they serve: the key must match
//!   the certificate, and the certificate must be within its validity. A
//!   problem is an error naming the setting and the file.
//! * ALPN offers `h2` and `http/1.1`; the server picks the connection's
//!   protocol from what the handshake settled ([`super::server`]).
//! * With `client_ca_file`, a client may present a certificate issued by
//!   that CA; one that does not verify (another CA, expired) fails the
//!   handshake. Presenting none is allowed at the TLS level: the routes that
//!   need a signed request then refuse the request
//!   (`CLIENT_CERT_REQUIRED`, [`super::access`]), the open ones serve it.
//! * [`Reloadable`] keeps the current configuration; [`Reloadable::watch`]
//!   reloads it on SIGHUP and when a file's size or modification time
//!   changes. A failed reload keeps the configuration that serves and logs
//!   the error with the file at fault.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

/// Largest PEM file read (a certificate chain, a key, a CA bundle).
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// ALPN protocol ids, preferred first.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// The files of `[api.tls]`, resolved against the node's home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// `api.tls.cert_file`: the node's certificate chain, leaf first.
    pub cert: PathBuf,
    /// `api.tls.key_file`: its private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// `api.tls.client_ca_file`: CA certificates that client certificates must chain to.
    pub client_ca: Option<PathBuf>,
}

/// A TLS file or setting that cannot serve; each names the setting and the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file cannot be read.
    #[error("config field `{setting}`: cannot read {path}: {source}")]
    Read {
        /// `api.tls.cert_file`, `api.tls.key_file` or `api.tls.client_ca_file`.
        setting: &'static str,
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_PEM_BYTES`].
    #[error("config field `{setting}`: {path} is {got} bytes, at most {max} expected")]
    TooLarge {
        /// The setting.
        setting: &'static str,
        /// The file.
        path: PathBuf,
        /// Its size.
        got: u64,
        /// [`MAX_PEM_BYTES`].
        max: u64,
    },
    /// Not PEM, or no item of the expected kind in it.
    #[error("config field `{setting}`: {path}: expected {expected} in PEM, {problem}")]
    Pem {
        /// The setting.
        setting: &'static str,
        /// The file.
        path: PathBuf,
        /// What the file should hold.
        expected: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The certificate is not valid now (expired or not yet valid), or not X.509.
    #[error("config field `api.tls.cert_file`: {path}: {problem}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What is wrong (with the validity period).
        problem: String,
    },
    /// rustls refused the pair (a key that does not match the certificate,
    /// an unsupported key type).
    #[error("config fields `api.tls.cert_file` and `api.tls.key_file`: {cert} with {key}: {source}")]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        source: rustls::Error,
    },
    /// The client CA file holds a certificate rustls cannot use as a trust anchor.
    #[error("config field `api.tls.client_ca_file`: {path}: {problem}")]
    ClientCa {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// Reads `path` (setting `setting`), at most [`MAX_PEM_BYTES`].
fn read_bounded(setting: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    use std::io::Read;
    let read_err = |source| TlsError::Read { setting, path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        let got = std::fs::metadata(path).map(|m| m.len()).unwrap_or(bytes.len() as u64);
        return Err(TlsError::TooLarge { setting, path: path.to_owned(), got, max: MAX_PEM_BYTES });
    }
    Ok(bytes)
}

/// Every certificate of a PEM file (at least one).
fn read_certs(setting: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read_bounded(setting, path)?;
    let pem =
        |problem: String| TlsError::Pem { setting, path: path.to_owned(), expected: "CERTIFICATE blocks", problem };
    let certs =
        CertificateDer::pem_slice_iter(&bytes).collect::<Result<Vec<_>, _>>().map_err(|e| pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(pem("found none".to_owned()));
    }
    Ok(certs)
}

/// The private key of a PEM file.
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let setting = "api.tls.key_file";
    let bytes = read_bounded(setting, path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::Pem {
        setting,
        path: path.to_owned(),
        expected: "a PRIVATE KEY block (PKCS#8, PKCS#1 or SEC1)",
        problem: e.to_string(),
    })
}

/// Refuses a leaf certificate outside its validity period at `now`.
fn check_validity(path: &Path, der: &CertificateDer<'_>, now: SystemTime) -> Result<(), TlsError> {
    let bad = |problem: String| TlsError::Certificate { path: path.to_owned(), problem };
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
        .map_err(|e| bad(format!("the first certificate is not X.509 DER: {e}")))?;
    let secs = now.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let v = cert.validity();
    if secs < v.not_before.timestamp() {
        return Err(bad(format!("the certificate is not valid before {} (not yet valid)", v.not_before)));
    }
    if secs > v.not_after.timestamp() {
        return Err(bad(format!("the certificate expired at {}", v.not_after)));
    }
    Ok(())
}

/// A loaded configuration and the leaf certificate it serves.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The rustls configuration.
    pub config: Arc<ServerConfig>,
    /// The node's certificate (the first of `cert_file`).
    pub leaf: CertificateDer<'static>,
}

/// The SHA-256 fingerprint of a certificate, lower-case hex.
pub fn fingerprint(der: &CertificateDer<'_>) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(der.as_ref()))
}

/// The rustls configuration of `files`, checked at `now`.
pub fn load(files: &TlsFiles, now: SystemTime) -> Result<Loaded, TlsError> {
    let certs = read_certs("api.tls.cert_file", &files.cert)?;
    check_validity(&files.cert, &certs[0], now)?;
    let leaf = certs[0].clone();
    let key = read_key(&files.key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Pair { cert: files.cert.clone(), key: files.key.clone(), source: e })?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for c in read_certs("api.tls.client_ca_file", ca)? {
                roots
                    .add(c)
                    .map_err(|e| TlsError::ClientCa { path: ca.clone(), problem: format!("not a usable CA: {e}") })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| TlsError::ClientCa { path: ca.clone(), problem: e.to_string() })?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| TlsError::Pair {
        cert: files.cert.clone(),
        key: files.key.clone(),
        source: e,
    })?;
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(Loaded { config: Arc::new(config), leaf })
}

/// The subject of a client certificate as an RFC 4514-like string
/// (`CN=alice, O=Bank`); `None` when it is not X.509.
pub fn subject_of(der: &CertificateDer<'_>) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    Some(cert.subject().to_string())
}

/// The client certificate a connection presented (verified against
/// `api.tls.client_ca_file` during the handshake); a request extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    /// Its subject ([`subject_of`]).
    pub subject: String,
}

/// How a connection reached the API; a request extension set by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Plain HTTP (loopback, or `api.allow_plaintext`).
    Plain,
    /// TLS.
    Tls {
        /// Whether `api.tls.client_ca_file` is set: the routes that need a
        /// signed request then need a client certificate too.
        client_auth: bool,
        /// The certificate the client presented, if any.
        client: Option<ClientCert>,
    },
}

impl Transport {
    /// Whether a route that needs a signed request must refuse this
    /// connection for lack of a client certificate.
    pub fn lacks_required_cert(&self) -> bool {
        matches!(self, Transport::Tls { client_auth: true, client: None })
    }

    /// The verified client certificate, if any.
    pub fn client(&self) -> Option<&ClientCert> {
        match self {
            Transport::Tls { client, .. } => client.as_ref(),
            Transport::Plain => None,
        }
    }
}

/// What a file looked like when last loaded: size and modification time.
type Stamp = Vec<Option<(u64, SystemTime)>>;

fn stamp(files: &TlsFiles) -> Stamp {
    let paths = [Some(&files.cert), Some(&files.key), files.client_ca.as_ref()];
    paths
        .into_iter()
        .flatten()
        .map(|p| std::fs::metadata(p).ok().and_then(|m| Some((m.len(), m.modified().ok()?))))
        .collect()
}

/// The serving TLS configuration, replaced in place on a successful reload.
pub struct Reloadable {
    files: TlsFiles,
    current: RwLock<Loaded>,
    seen: Mutex<Stamp>,
}

impl std::fmt::Debug for Reloadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloadable").field("files", &self.files).finish_non_exhaustive()
    }
}

impl Reloadable {
    /// Loads `files`; the error names the setting at fault.
    pub fn new(files: TlsFiles) -> Result<Arc<Reloadable>, TlsError> {
        let seen = stamp(&files);
        let loaded = load(&files, SystemTime::now())?;
        Ok(Arc::new(Reloadable { files, current: RwLock::new(loaded), seen: Mutex::new(seen) }))
    }

    /// The files.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// Whether client certificates are verified (`client_ca_file` set).
    pub fn client_auth(&self) -> bool {
        self.files.client_ca.is_some()
    }

    /// The configuration new connections get.
    pub fn config(&self) -> Arc<ServerConfig> {
        self.current().config
    }

    /// What serves now.
    pub fn current(&self) -> Loaded {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the files again; on success new connections get the new
    /// configuration (open ones keep theirs), on failure the old one stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let seen = stamp(&self.files);
        if let Ok(mut s) = self.seen.lock() {
            *s = seen;
        }
        let loaded = load(&self.files, SystemTime::now())?;
        match self.current.write() {
            Ok(mut c) => *c = loaded,
            Err(poisoned) => *poisoned.into_inner() = loaded,
        }
        Ok(())
    }

    /// Whether a file changed (size or modification time) since the last load.
    pub fn changed_on_disk(&self) -> bool {
        let now = stamp(&self.files);
        self.seen.lock().map(|s| *s != now).unwrap_or(true)
    }

    /// [`Reloadable::reload`], logged: info with the files on success,
    /// error with the file at fault (the old certificate keeps serving).
    pub fn reload_logged(&self, why: &'static str) -> bool {
        match self.reload() {
            Ok(()) => {
                tracing::info!(
                    target: "tamga::api",
                    why,
                    cert = %self.files.cert.display(),
                    key = %self.files.key.display(),
                    client_ca = ?self.files.client_ca,
                    sha256 = %fingerprint(&self.current().leaf),
                    "API TLS certificate reloaded"
                );
                true
            }
            Err(e) => {
                tracing::error!(target: "tamga::api", why, error = %e, "API TLS reload failed; the previous certificate keeps serving");
                false
            }
        }
    }

    /// Reloads on SIGHUP, and every `check` when a file changed on disk
    /// (`check` zero: on SIGHUP only). Runs until the task is dropped.
    pub async fn watch(self: Arc<Self>, check: Duration) {
        #[cfg(unix)]
        let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(target: "tamga::api", error = %e, "no SIGHUP handler: the API certificate reloads only when its files change");
                None
            }
        };
        let mut tick = (!check.is_zero()).then(|| tokio::time::interval(check));
        loop {
            let hangup = async {
                #[cfg(unix)]
                if let Some(h) = hup.as_mut() {
                    h.recv().await;
                    return;
                }
                std::future::pending::<()>().await
            };
            let ticked = async {
                match tick.as_mut() {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = hangup => {
                    self.reload_logged("hangup signal");
                }
                _ = ticked => {
                    if self.changed_on_disk() {
                        self.reload_logged("file changed");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A CA and a leaf it signed for 127.0.0.1, as PEM: (ca, cert, key).
    pub(crate) fn issue(cn: &str) -> (String, String, String) {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "test CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        leaf.distinguished_name.push(rcgen::DnType::CommonName, cn);
        let cert = leaf.signed_by(&key, &ca_cert, &ca_key).unwrap();
        (ca_cert.pem(), cert.pem(), key.serialize_pem())
    }

    fn files(dir: &Path) -> TlsFiles {
        TlsFiles { cert: dir.join("node.pem"), key: dir.join("node.key"), client_ca: Some(dir.join("ca.pem")) }
    }

    fn write(dir: &Path, (ca, cert, key): &(String, String, String)) {
        std::fs::write(dir.join("ca.pem"), ca).unwrap();
        std::fs::write(dir.join("node.pem"), cert).unwrap();
        std::fs::write(dir.join("node.key"), key).unwrap();
    }

    fn leaf(r: &Reloadable) -> String {
        fingerprint(&r.current().leaf)
    }

    #[test]
    fn a_good_pair_loads_and_offers_h2_and_http1() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &issue("node0"));
        let loaded = load(&files(dir.path()), SystemTime::now()).unwrap();
        assert_eq!(loaded.config.alpn_protocols, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn bad_files_are_refused_naming_the_setting_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path());
        let e = load(&f, SystemTime::now()).unwrap_err().to_string();
        assert!(e.contains("api.tls.cert_file") && e.contains("node.pem"), "{e}");
        write(dir.path(), &issue("node0"));
        std::fs::write(&f.key, "not a key").unwrap();
        let e = load(&f, SystemTime::now()).unwrap_err().to_string();
        assert!(e.contains("api.tls.key_file") && e.contains("node.key"), "{e}");
        // A key of another certificate.
        std::fs::write(&f.key, issue("other").2).unwrap();
        let e = load(&f, SystemTime::now()).unwrap_err().to_string();
        assert!(e.contains("api.tls.key_file") && e.contains("api.tls.cert_file"), "{e}");
        write(dir.path(), &issue("node0"));
        std::fs::write(f.client_ca.as_ref().unwrap(), "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
        let e = load(&f, SystemTime::now()).unwrap_err().to_string();
        assert!(e.contains("api.tls.client_ca_file") && e.contains("ca.pem"), "{e}");
        std::fs::write(&f.cert, vec![b'a'; MAX_PEM_BYTES as usize + 1]).unwrap();
        let e = load(&f, SystemTime::now()).unwrap_err().to_string();
        assert!(e.contains("api.tls.cert_file") && e.contains("at most 1048576"), "{e}");
    }

    #[test]
    fn an_expired_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &issue("node0"));
        // rcgen's default validity ends in 4096.
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(70_000_000_000);
        let e = load(&files(dir.path()), far).unwrap_err().to_string();
        assert!(e.contains("api.tls.cert_file") && e.contains("expired"), "{e}");
    }

    #[test]
    fn a_failed_reload_keeps_the_serving_certificate_and_a_good_one_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &issue("node0"));
        let r = Reloadable::new(files(dir.path())).unwrap();
        let before = leaf(&r);
        assert!(!r.changed_on_disk());
        std::fs::write(dir.path().join("node.pem"), "garbage").unwrap();
        assert!(r.changed_on_disk());
        let e = r.reload().unwrap_err().to_string();
        assert!(e.contains("api.tls.cert_file") && e.contains("node.pem"), "{e}");
        assert!(!r.reload_logged("test"));
        assert_eq!(leaf(&r), before, "the old certificate keeps serving");
        assert!(!r.changed_on_disk(), "a failed reload is not retried until the files change again");
        write(dir.path(), &issue("node0-renewed"));
        assert!(r.reload_logged("test"));
        assert_ne!(leaf(&r), before, "the new certificate serves");
    }

    #[test]
    fn the_subject_of_a_certificate_is_read() {
        let (_, cert, _) = issue("alice");
        let der = CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        assert_eq!(subject_of(&der).as_deref(), Some("CN=alice"));
        assert_eq!(subject_of(&CertificateDer::from(vec![1, 2, 3])), None);
    }
}
