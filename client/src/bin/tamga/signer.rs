//! Which key signs: a key file (`--key`) or an Ed25519 key on a hardware
//! token through its PKCS#11 module (`--pkcs11-module`, `--pkcs11-key`,
//! `--pkcs11-token` or `--pkcs11-slot`, the PIN from `--pkcs11-pin-file`,
//! `TAMGA_PKCS11_PIN` or a prompt). One of the two, never both: a command
//! given both is refused before anything is read or signed.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{Context, Result};
use tamga_client::keyfile::read_key_file_with;
use tamga_client::pkcs11::{PinSource, Pkcs11Key, Pkcs11Options, TokenRef, PIN_ENV};
use tamga_client::AccountSigner;
use tamga_types::{PublicKey, SigningKey};
use zeroize::Zeroizing;

use crate::args::Cli;
use crate::{coded, i18n, keys};

/// The account key a command signs with.
#[derive(Clone, Debug)]
pub enum Signer {
    /// A key file's key, in memory.
    File(SigningKey),
    /// A key on a hardware token; it signs only after the content was shown
    /// and confirmed.
    Token(Arc<Pkcs11Key>),
}

impl Signer {
    /// The account (its public key).
    pub fn public(&self) -> PublicKey {
        match self {
            Signer::File(k) => k.public(),
            Signer::Token(t) => t.public(),
        }
    }

    /// The signer as the client signs requests with it.
    pub fn account(&self) -> Arc<dyn AccountSigner> {
        match self {
            Signer::File(k) => Arc::new(k.clone()),
            Signer::Token(t) => t.clone(),
        }
    }
}

/// The signer the options name: `--key`, else the token of `--pkcs11-*`.
pub fn signer(cli: &Cli) -> Result<Signer> {
    let Some(options) = token_options(cli)? else {
        let path = cli.key.as_ref().with_context(|| i18n::t("key.needed", &[]))?;
        let prompt = i18n::t("passphrase.prompt", &[&path.display()]);
        return Ok(Signer::File(read_key_file_with(path, || keys::passphrase(cli, &prompt))?));
    };
    Ok(Signer::Token(Arc::new(Pkcs11Key::open(&options)?)))
}

/// The token of `--pkcs11-*`, if any is given; refuses an incomplete set and
/// a token together with `--key`.
pub fn token_options(cli: &Cli) -> Result<Option<Pkcs11Options>> {
    let any_token = cli.pkcs11_module.is_some()
        || cli.pkcs11_key.is_some()
        || cli.pkcs11_token.is_some()
        || cli.pkcs11_slot.is_some()
        || cli.pkcs11_pin_file.is_some();
    if !any_token {
        return Ok(None);
    }
    if let Some(key) = &cli.key {
        return Err(coded("SIGNER_CONFLICT", 2, i18n::t("signer.both", &[&key.display()])));
    }
    let module = cli.pkcs11_module.clone().ok_or_else(|| coded("USAGE", 2, i18n::t("pkcs11.module_needed", &[])))?;
    let key_label = cli.pkcs11_key.clone().ok_or_else(|| coded("USAGE", 2, i18n::t("pkcs11.key_needed", &[])))?;
    let token = match (&cli.pkcs11_token, cli.pkcs11_slot) {
        (Some(label), None) => TokenRef::Label(label.clone()),
        (None, Some(slot)) => TokenRef::Slot(slot),
        // clap refuses both.
        _ => return Err(coded("USAGE", 2, i18n::t("pkcs11.token_needed", &[]))),
    };
    let pin = match &cli.pkcs11_pin_file {
        Some(f) => PinSource::File(f.clone()),
        None if std::env::var_os(PIN_ENV).is_some() => PinSource::Env,
        None if std::io::stdin().is_terminal() => {
            let prompt = i18n::t("pkcs11.pin_prompt", &[&token_name(&token)]);
            let pin = rpassword::prompt_password(prompt).context("reading the token PIN")?;
            PinSource::Typed(Zeroizing::new(pin))
        }
        None => return Err(coded("PKCS11_PIN", 1, i18n::t("pkcs11.pin_needed", &[&PIN_ENV]))),
    };
    Ok(Some(Pkcs11Options { module, token, key_label, pin }))
}

fn token_name(t: &TokenRef) -> String {
    match t {
        TokenRef::Label(l) => format!("{l:?}"),
        TokenRef::Slot(s) => format!("in slot {s}"),
    }
}
