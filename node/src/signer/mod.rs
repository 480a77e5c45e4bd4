//! Where the validator's consensus key lives: `[signer]` of `config.toml`.
//!
//! * `kind = "file"`: the hex seed in `key_file` (default `node.key`), which
//!   must be readable by its owner only (mode 0600);
//! * `kind = "pkcs11"`: an Ed25519 key object in a hardware security module
//!   reached through its PKCS#11 module (`CKM_EDDSA`, PKCS#11 v3.0 §2.3.6),
//!   found by token (slot id or token label) and key label, logged in with a
//!   user PIN read from a file or an environment variable
//!   ([`pkcs11::Pkcs11Signer`]).
//!
//! Either way the engine signs through [`tamga_types::ConsensusSigner`]; a
//! signer that cannot be opened stops the node at start with an error naming
//! the setting, and one that fails later costs the validator that step only
//! (`tamga_signer_failures_total`).

pub mod pkcs11;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tamga_types::{ConsensusSigner, Signer};

use crate::config::ConfigError;
use crate::home::{read_key, KeyFileError};

pub use pkcs11::{PinSource, Pkcs11Error, Pkcs11Settings, Pkcs11Signer};

/// Which signer holds the consensus key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignerKind {
    /// A key file in the home (`key_file`).
    #[default]
    File,
    /// A PKCS#11 token.
    Pkcs11,
}

impl std::fmt::Display for SignerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignerKind::File => "file",
            SignerKind::Pkcs11 => "pkcs11",
        })
    }
}

/// `[signer]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignerConfig {
    /// `"file"` or `"pkcs11"`.
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
        }
        Ok(())
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
        }
    }

    /// The `[signer]` section of the documented `config.toml`.
    pub fn to_documented_toml(&self) -> String {
        let mut t = format!(
            r#"
[signer]
# Where the consensus key lives (docs/operations.md, "Validator keys: file and
# PKCS#11"): "file" (key_file, relative to the home, mode 0600) or "pkcs11"
# (an Ed25519 key in an HSM, signed with CKM_EDDSA).
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
"#,
            kind = self.kind,
            key_file = self.key_file,
            module = self.module,
            token_label = self.token_label,
            key_label = self.key_label,
            pin_file = self.pin_file,
            pin_env = self.pin_env,
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
