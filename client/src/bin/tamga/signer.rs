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
    File(Box<SigningKey>),
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
            Signer::File(k) => Arc::new(SigningKey::clone(k)),
            Signer::Token(t) => t.clone(),
        }
    }
}

/// The signer the options name: `--key`, else the token of `--pkcs11-*`.
pub fn signer(cli: &Cli) -> Result<Signer> {
    let Some(options) = token_options(cli)? else {
        let path = cli.key.as_ref().with_context(|| i18n::t("key.needed", &[]))?;
        let prompt = i18n::t("passphrase.prompt", &[&path.display()]);
        return Ok(Signer::File(Box::new(read_key_file_with(path, || keys::passphrase(cli, &prompt))?)));
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from([&["tamga"], args, &["status"]].concat()).expect("parses")
    }

    fn refusal(args: &[&str]) -> (String, u8, String) {
        let e = token_options(&cli(args)).expect_err("refused");
        let (code, exit, _) = crate::classify(&e);
        (code, exit, e.to_string())
    }

    #[test]
    fn a_key_file_and_a_token_together_are_refused_naming_both() {
        let (code, exit, msg) = refusal(&[
            "--key",
            "/k/officer.key",
            "--pkcs11-module",
            "/m.so",
            "--pkcs11-key",
            "o",
            "--pkcs11-token",
            "t",
        ]);
        assert_eq!((code.as_str(), exit), ("SIGNER_CONFLICT", 2));
        assert!(
            msg.starts_with("--key and --pkcs11-module: expected one signer, got both (--key /k/officer.key"),
            "{msg}"
        );
    }

    #[test]
    fn an_incomplete_token_is_refused_naming_the_missing_option() {
        let (code, _, msg) = refusal(&["--pkcs11-module", "/m.so", "--pkcs11-token", "t"]);
        assert_eq!(code, "USAGE");
        assert!(msg.starts_with("--pkcs11-key: expected the label of the key on the token, got none"), "{msg}");
        let (_, _, msg) = refusal(&["--pkcs11-key", "o", "--pkcs11-token", "t"]);
        assert!(msg.starts_with("--pkcs11-module: expected the path"), "{msg}");
        let (_, _, msg) = refusal(&["--pkcs11-module", "/m.so", "--pkcs11-key", "o"]);
        assert!(msg.starts_with("--pkcs11-token or --pkcs11-slot: expected the token"), "{msg}");
        // A token by label and by slot at once: the parser refuses.
        let both = ["tamga", "--pkcs11-token", "t", "--pkcs11-slot", "1", "status"];
        assert!(Cli::try_parse_from(both).is_err());
    }

    #[test]
    fn without_token_options_the_key_file_signs() {
        assert!(token_options(&cli(&["--key", "/k/a.key"])).expect("no token").is_none());
        let o = token_options(&cli(&[
            "--pkcs11-module",
            "/m.so",
            "--pkcs11-key",
            "o",
            "--pkcs11-slot",
            "3",
            "--pkcs11-pin-file",
            "/p",
        ]))
        .expect("complete")
        .expect("a token");
        assert_eq!(o.token, TokenRef::Slot(3));
        assert_eq!(o.pin, PinSource::File("/p".into()));
        assert_eq!((o.module.to_str(), o.key_label.as_str()), (Some("/m.so"), "o"));
    }
}
