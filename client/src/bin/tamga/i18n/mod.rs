//! The command line's languages: Kazakh, Russian and English (Law on
//! Informatization art. 44 p.2: a system integrated with a state body's
//! keeps its interface in Kazakh and Russian).
//!
//! * The language is `--lang kk|ru|en` (or `TAMGA_LANG`), else the locale
//!   (`LC_ALL`, then `LC_MESSAGES`, then `LANG`, as POSIX orders them:
//!   `ru_RU.UTF-8` is Russian, `kk_KZ` Kazakh), else English. It is chosen
//!   once, before the arguments are parsed ([`detect`]), so that `--help`
//!   and the parser's own refusals already speak it.
//! * Messages the CLI itself prints (prompts, refusals, the signing notice,
//!   verification reports) are templates in one catalog per language
//!   ([`en`], [`ru`], [`kk`]), keyed by a stable message key, with
//!   positional placeholders `{0}`, `{1}`, … ([`t`]). A unit test fails when
//!   a key lacks a language or the languages' placeholders differ.
//! * Help: clap's derive texts are the English; [`help::localize`] walks the
//!   command tree and replaces every command's about and every argument's
//!   help from the Kazakh or Russian help table ([`help`]), keyed by the
//!   command path and the argument id. A unit test walks the tree and fails
//!   when any command or argument lacks a text in either language.
//! * The node's answers (its error bodies) are asked for in the same
//!   language with `Accept-Language`; the node renders them (docs/api.md).
//!
//! Why a module and not a crate: the CLI needs static tables checked at test
//! time, positional templates and nothing else (no plural rules, no runtime
//! loading), and the node's own catalogs are JSON files for the same reason;
//! Fluent (`fluent-bundle`) or `rust-i18n` would add a runtime parser or a
//! build-time macro for no gain here.

mod en;
pub mod help;
mod kk;
mod ru;

use std::ffi::OsString;
use std::fmt::Display;
use std::sync::OnceLock;

/// A language of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Lang {
    /// Kazakh (Cyrillic alphabet).
    Kk,
    /// Russian.
    Ru,
    /// English: the default.
    #[default]
    En,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// The BCP 47 tag, as sent in `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language of a tag or a locale name by its first subtag:
    /// `ru`, `ru-RU`, `ru_RU.UTF-8`, `kk_KZ@cyrillic`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_', '.', '@']).next().unwrap_or("");
        Lang::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }

    fn catalog(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::Kk => kk::MESSAGES,
            Lang::Ru => ru::MESSAGES,
            Lang::En => en::MESSAGES,
        }
    }
}

static LANG: OnceLock<Lang> = OnceLock::new();

/// Sets the process's language (once; later calls are ignored).
pub fn set(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The process's language ([`set`]; English until then).
pub fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// The language asked for: `--lang X` / `--lang=X` among `args`, else
/// `TAMGA_LANG`, else the first set of `LC_ALL`, `LC_MESSAGES`, `LANG`
/// (POSIX precedence; `C` and `POSIX` are English), else English. `env`
/// reads a variable (the process environment in `main`, a table in tests).
/// An unknown `--lang` value is left for the parser to refuse.
pub fn detect(args: &[OsString], env: impl Fn(&str) -> Option<String>) -> Lang {
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(l) = value.and_then(Lang::from_tag) {
            return l;
        }
    }
    if let Some(l) = env("TAMGA_LANG").as_deref().and_then(Lang::from_tag) {
        return l;
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        match env(var) {
            Some(v) if !v.is_empty() => return Lang::from_tag(&v).unwrap_or_default(),
            _ => {}
        }
    }
    Lang::default()
}

/// The template of `key` in `lang`: the English one when the language lacks
/// it (a test keeps that from happening), the key itself when no catalog has it.
pub fn template(lang: Lang, key: &str) -> &str {
    find(lang, key).unwrap_or(key)
}

/// The template of `key` in `lang`, else in English, if a catalog has it.
pub fn find(lang: Lang, key: &str) -> Option<&'static str> {
    let of = |l: Lang| l.catalog().iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    of(lang).or_else(|| of(Lang::En))
}

/// Fills `{0}`, `{1}`, … of `template` with `args`.
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| after[..close].parse::<usize>().ok().map(|i| (close, i))) {
            Some((close, i)) if i < args.len() => {
                out.push_str(&args[i].to_string());
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The message `key` in the process's language, with `args` filled in.
pub fn t(key: &str, args: &[&dyn Display]) -> String {
    tl(lang(), key, args)
}

/// The message `key` in `lang`, with `args` filled in.
pub fn tl(lang: Lang, key: &str, args: &[&dyn Display]) -> String {
    fill(template(lang, key), args)
}

/// An identifier refusal (SPEC §3, Digital Code art. 45), naming the field,
/// the expected and the actual value in the process's language.
pub fn identifier_error(e: &tamga_types::identity::IdentifierError) -> String {
    use tamga_types::identity::{IdentifierError as E, IdentifierKind};
    let kind = |k: &IdentifierKind| match k {
        IdentifierKind::Iin => t("ident.iin", &[]),
        IdentifierKind::Bin => t("ident.bin", &[]),
    };
    match e {
        E::Format(v) => t("ident.format", &[v]),
        E::CheckDigit { value, expected, got } => t("ident.check_digit", &[value, expected, got]),
        E::Unassignable(v) => t("ident.unassignable", &[v]),
        // `expected` is the English of `ident.expected.<position>`.
        E::Structure { value, position, got, .. } => {
            t("ident.structure", &[value, position, got, &t(&format!("ident.expected.{position}"), &[])])
        }
        E::KindMismatch { value, party, expected, got, digit5 } => {
            let party = match party {
                tamga_types::PartyKind::Individual => t("ident.party.individual", &[]),
                tamga_types::PartyKind::LegalEntity => t("ident.party.legal_entity", &[]),
            };
            t("ident.kind_mismatch", &[value, &kind(got), digit5, &party, &kind(expected)])
        }
    }
}

#[cfg(test)]
mod tests;
