//! Where the validator's consensus key lives: `[signer]` of `config.toml`.
//!
//! * `kind = "file"`: the hex seed in `key_file` (default `node.key`), which
//!   must be readable by its owner only (mode 0600);
//! * `kind = "pkcs11"`: an Ed25519 key object in a hardware security module
//!   reached through its PKCS#11 module (`CKM_EDDSA`, PKCS#11 v3.0 §2.3.6),
//!   found by token (slot id or token label) and key label, logged in with a
//!   user PIN read from a file or an environment variable
//!   ([`pkcs11::Pkcs11Signer`]);
//! * `kind = "remote"`: the key is held by `tamga-signer` at `addr`, reached
//!   over Noise XX with pinned static keys (the signer's `signer_identity`,
//!   the node's own `identity_key_file`), which keeps its own double-sign
//!   guard ([`remote::RemoteConsensusSigner`]).
//!
//! Whichever it is, the engine signs through [`tamga_types::ConsensusSigner`]; a
//! signer that cannot be opened stops the node at start with an error naming
//! the setting, and one that fails later costs the validator that step only
//! (`tamga_signer_failures_total`).

pub mod pkcs11;
pub mod remote;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tamga_types::{ConsensusSigner, Signer};

use crate::config::ConfigError;
use crate::home::{read_key, KeyFileError};

pub use pkcs11::{PinSource, Pkcs11Error, Pkcs11Settings, Pkcs11Signer};
pub use remote::RemoteConsensusSigner;

use crate::remote_signer::{IdentityKey, IdentityPublic, RemoteSignerConfig};

/// `signer.connect_timeout_ms` and `signer.request_timeout_ms`: accepted range.
pub const REMOTE_TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u64> = 10..=60_000;
/// `signer.reconnect_max_ms`: accepted range.
pub const REMOTE_RECONNECT_RANGE_MS: std::ops::RangeInclusive<u64> = 100..=600_000;

/// Which signer holds the consensus key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignerKind {
    /// A key file in the home (`key_file`).
    #[default]
    File,
    /// A PKCS#11 token.
    Pkcs11,
    /// A `tamga-signer` process.
    Remote,
}

impl std::fmt::Display for SignerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignerKind::File => "file",
            SignerKind::Pkcs11 => "pkcs11",
            SignerKind::Remote => "remote",
        })
    }
}

/// `[signer]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignerConfig {
    /// `"file"`, `"pkcs11"` or `"remote"`.
    pub kind: SignerKind,
    /// `kind = "file"`: the key file, relative to the home (mode 0600).
    pub key_file: String,
    /// `kind = "pkcs11"`: path of the PKCS#11 module (a shared library).
    pub module: String,
    /// `kind = "pkcs11"`: the slot id of the token (or `token_label`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<u64>,
    /// `kind = "pkcs11"`: the token's label (or `slot`).
    pub token_label: String,
    /// `kind = "pkcs11"`: `CKA_LABEL` of the Ed25519 private key (and of its public key).
    pub key_label: String,
    /// `kind = "pkcs11"`: a file holding the user PIN (mode 0600), relative to the home.
    pub pin_file: String,
    /// `kind = "pkcs11"`: the name of an environment variable holding the user PIN.
    pub pin_env: String,
    /// `kind = "remote"`: `host:port` of `tamga-signer`.
    pub addr: String,
    /// `kind = "remote"`: the signer's Noise static public key (64 hex
    /// characters, printed by `tamga-signer keygen-identity` / `show`), pinned.
    pub signer_identity: String,
    /// `kind = "remote"`: the node's own Noise static key file (mode 0600),
    /// relative to the home; its public key is listed in the signer's
    /// `allowed_validators`.
    pub identity_key_file: String,
    /// `kind = "remote"`: the consensus public key the signer must hold (64
    /// hex characters); checked at every connection and against every
    /// signature.
    pub public_key: String,
    /// `kind = "remote"`: TCP connect, and the Noise handshake, each bounded
    /// by this, ms (default 2000; 10 to 60000).
    pub connect_timeout_ms: u64,
    /// `kind = "remote"`: one request's write and answer, ms (default 2000;
    /// 10 to 60000).
    pub request_timeout_ms: u64,
    /// `kind = "remote"`: the longest wait between connection attempts while
    /// the signer is unreachable, ms (default 5000; 100 to 600000). Requests
    /// in between fail at once (the validator misses those steps).
    pub reconnect_max_ms: u64,
}

impl Default for SignerConfig {
    fn default() -> Self {
        SignerConfig {
            kind: SignerKind::File,
            key_file: "node.key".into(),
            module: String::new(),
            slot: None,
            token_label: String::new(),
            key_label: String::new(),
            pin_file: String::new(),
            pin_env: String::new(),
            addr: String::new(),
            signer_identity: String::new(),
            identity_key_file: String::new(),
            public_key: String::new(),
            connect_timeout_ms: 2_000,
            request_timeout_ms: 2_000,
            reconnect_max_ms: 5_000,
        }
    }
}

/// The signer could not be opened: the node does not start.
#[derive(Debug, thiserror::Error)]
pub enum SignerSetupError {
    /// `kind = "file"`: the key file is missing, malformed or readable by others.
    #[error("signer.key_file: {0}")]
    KeyFile(#[from] KeyFileError),
    /// `kind = "pkcs11"`: the module, token, key or PIN.
    #[error(transparent)]
    Pkcs11(#[from] Pkcs11Error),
    /// `[signer]` itself is inconsistent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `kind = "remote"`: the node's Noise key file is missing, malformed or
    /// readable by others.
    #[error("signer.identity_key_file: {0}")]
    IdentityKeyFile(KeyFileError),
}

impl SignerConfig {
    /// Checks that the settings of the chosen kind are complete and unambiguous.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field, problem, got: String| Err(ConfigError::Invalid { field, problem, got });
        match self.kind {
            SignerKind::File => {
                if self.key_file.is_empty() {
                    return bad("signer.key_file", "a key file path (kind = \"file\")", String::new());
                }
            }
            SignerKind::Pkcs11 => {
                if self.module.is_empty() {
                    return bad("signer.module", "the path of the PKCS#11 module (kind = \"pkcs11\")", String::new());
                }
                match (self.slot, self.token_label.is_empty()) {
                    (None, true) => {
                        return bad(
                            "signer.slot",
                            "a slot id or a signer.token_label (kind = \"pkcs11\")",
                            "none".into(),
                        )
                    }
                    (Some(s), false) => {
                        return bad(
                            "signer.slot",
                            "either a slot id or a signer.token_label, not both",
                            format!("slot {s} and token_label {:?}", self.token_label),
                        )
                    }
                    _ => {}
                }
                if self.key_label.is_empty() {
                    return bad("signer.key_label", "the CKA_LABEL of the key (kind = \"pkcs11\")", String::new());
                }
                match (self.pin_file.is_empty(), self.pin_env.is_empty()) {
                    (true, true) => {
                        return bad("signer.pin_file", "a PIN file or a signer.pin_env variable name", "none".into())
                    }
                    (false, false) => {
                        return bad(
                            "signer.pin_file",
                            "either a PIN file or signer.pin_env, not both",
                            format!("pin_file {:?} and pin_env {:?}", self.pin_file, self.pin_env),
                        )
                    }
                    _ => {}
                }
            }
            SignerKind::Remote => {
                self.remote_checked()?;
            }
        }
        Ok(())
    }

    /// The `kind = "remote"` settings that need no file: the address, the
    /// pinned keys and the bounds.
    fn remote_checked(&self) -> Result<(IdentityPublic, tamga_types::PublicKey), ConfigError> {
        let bad = |field, problem, got: String| Err(ConfigError::Invalid { field, problem, got });
        let port_ok = self
            .addr
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p != 0));
        if !port_ok {
            return bad("signer.addr", "host:port of tamga-signer (kind = \"remote\")", format!("{:?}", self.addr));
        }
        let Ok(pinned) = self.signer_identity.parse::<IdentityPublic>() else {
            return bad(
                "signer.signer_identity",
                "the signer's Noise public key, 64 hex characters (tamga-signer show)",
                format!("{:?}", self.signer_identity),
            );
        };
        if self.identity_key_file.is_empty() {
            return bad(
                "signer.identity_key_file",
                "the node's Noise key file (kind = \"remote\"; tamga-signer keygen-identity)",
                String::new(),
            );
        }
        let Ok(key) = tamga_types::PublicKey::from_hex(self.public_key.trim()) else {
            return bad(
                "signer.public_key",
                "the consensus public key the signer holds, 64 hex characters",
                format!("{:?}", self.public_key),
            );
        };
        for (field, v) in [
            ("signer.connect_timeout_ms", self.connect_timeout_ms),
            ("signer.request_timeout_ms", self.request_timeout_ms),
        ] {
            if !REMOTE_TIMEOUT_RANGE_MS.contains(&v) {
                return bad(field, "between 10 and 60000 ms", v.to_string());
            }
        }
        if !REMOTE_RECONNECT_RANGE_MS.contains(&self.reconnect_max_ms) {
            return bad("signer.reconnect_max_ms", "between 100 and 600000 ms", self.reconnect_max_ms.to_string());
        }
        Ok((pinned, key))
    }

    /// The remote signer's client settings; the node's Noise key is read from
    /// `identity_key_file` (resolved against `home`).
    pub fn remote_settings(&self, home: &Path) -> Result<RemoteSignerConfig, SignerSetupError> {
        let (signer_identity, consensus_key) = self.remote_checked()?;
        let identity =
            IdentityKey::read(&resolve(home, &self.identity_key_file)).map_err(SignerSetupError::IdentityKeyFile)?;
        Ok(RemoteSignerConfig {
            addr: self.addr.clone(),
            identity,
            signer_identity,
            consensus_key,
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            max_frame_bytes: remote::MAX_FRAME_BYTES,
        })
    }

    /// The PKCS#11 settings, paths resolved against `home`.
    pub fn pkcs11_settings(&self, home: &Path) -> Result<Pkcs11Settings, ConfigError> {
        self.validate()?;
        let pin = if self.pin_env.is_empty() {
            PinSource::File(resolve(home, &self.pin_file))
        } else {
            PinSource::Env(self.pin_env.clone())
        };
        let token = match self.slot {
            Some(id) => pkcs11::TokenRef::Slot(id),
            None => pkcs11::TokenRef::Label(self.token_label.clone()),
        };
        Ok(Pkcs11Settings { module: PathBuf::from(&self.module), token, key_label: self.key_label.clone(), pin })
    }

    /// Opens the configured signer: reads the key file, or loads the module,
    /// logs in and finds the key. Every failure names the setting at fault.
    pub fn open(&self, home: &Path) -> Result<Signer, SignerSetupError> {
        self.validate()?;
        match self.kind {
            SignerKind::File => Ok(Signer::from(read_key(&resolve(home, &self.key_file))?)),
            SignerKind::Pkcs11 => {
                let s: Arc<dyn ConsensusSigner> = Arc::new(Pkcs11Signer::open(&self.pkcs11_settings(home)?)?);
                Ok(Signer::new(s))
            }
            SignerKind::Remote => {
                let s: Arc<dyn ConsensusSigner> = Arc::new(RemoteConsensusSigner::new(
                    self.remote_settings(home)?,
                    Duration::from_millis(self.reconnect_max_ms),
                ));
                Ok(Signer::new(s))
            }
        }
    }

    /// The `[signer]` section of the documented `config.toml`.
    pub fn to_documented_toml(&self) -> String {
        let mut t = format!(
            r#"
[signer]
# Where the consensus key lives (docs/operations.md, "Validator keys: file and
# PKCS#11", "Remote signer"): "file" (key_file, relative to the home, mode
# 0600), "pkcs11" (an Ed25519 key in an HSM, signed with CKM_EDDSA) or
# "remote" (tamga-signer, over Noise with pinned keys).
kind = "{kind}"
key_file = {key_file:?}
# kind = "pkcs11": the module, the token (slot = <id> or token_label), the
# key's CKA_LABEL, and the user PIN: pin_file (mode 0600) or pin_env (the
# name of an environment variable).
module = {module:?}
token_label = {token_label:?}
key_label = {key_label:?}
pin_file = {pin_file:?}
pin_env = {pin_env:?}
# kind = "remote": tamga-signer's host:port, its pinned Noise public key, this
# node's Noise key file (mode 0600), the consensus public key the signer
# holds, and the bounds (ms): connect and handshake, one request, the longest
# wait between connection attempts while the signer is down.
addr = {addr:?}
signer_identity = {signer_identity:?}
identity_key_file = {identity_key_file:?}
public_key = {public_key:?}
connect_timeout_ms = {connect_timeout_ms}
request_timeout_ms = {request_timeout_ms}
reconnect_max_ms = {reconnect_max_ms}
"#,
            kind = self.kind,
            key_file = self.key_file,
            module = self.module,
            token_label = self.token_label,
            key_label = self.key_label,
            pin_file = self.pin_file,
            pin_env = self.pin_env,
            addr = self.addr,
            signer_identity = self.signer_identity,
            identity_key_file = self.identity_key_file,
            public_key = self.public_key,
            connect_timeout_ms = self.connect_timeout_ms,
            request_timeout_ms = self.request_timeout_ms,
            reconnect_max_ms = self.reconnect_max_ms,
        );
        if let Some(slot) = self.slot {
            t.push_str(&format!("slot = {slot}\n"));
        }
        t
    }
}

fn resolve(home: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        home.join(p)
    }
}

#[cfg(test)]
mod tests;
