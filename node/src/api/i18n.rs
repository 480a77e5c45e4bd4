//! Languages of the API (SPEC §11: state systems offer Kazakh and Russian,
//! the Kazakh no less complete than the Russian; Law on Informatization
//! art. 44 p.2).
//!
//! * The answer's language is negotiated from `Accept-Language` (RFC 9110
//!   §12.5.4: q-values, `*`, region subtags such as `kk-KZ`); the node speaks
//!   `kk`, `ru` and `en`, English when nothing acceptable is asked. Every
//!   answer says which in `Content-Language` (and `Vary: Accept-Language`).
//! * Messages are templates in three catalogues, `i18n/{en,ru,kk}.json`,
//!   keyed by *message key*: the error code (`BLOCK_NOT_FOUND`), or the code
//!   and a variant (`BAD_PARAM.range`) where one code has several phrasings,
//!   or `why.*` for the reason a parameter is refused. A template names its
//!   details as `{placeholder}`s filled from the error's [`Args`] (ids,
//!   values, limits, lists), so a localized message is as specific as the
//!   English one. An argument may itself be a message ([`Arg::Msg`]),
//!   rendered in the same language.
//! * `code` and `field` never change with the language: clients branch on
//!   them, people read `message`.
//! * A test (`api::tests::i18n`) fails when a key used by the code is missing
//!   from a catalogue, when the catalogues' placeholders differ, or when the
//!   Kazakh catalogue has fewer keys than the Russian one.
//!
//! Diagnostic details produced by lower layers (a hex decoder's complaint,
//! a storage error) travel as the `{detail}` placeholder as those layers
//! word them (English).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;

/// A language the API speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English: the default.
    #[default]
    En,
    /// Russian.
    Ru,
    /// Kazakh (Cyrillic alphabet).
    Kk,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Kk];

    /// The BCP 47 tag (`Content-Language`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
        }
    }

    /// The language of a BCP 47 tag by its primary subtag (`kk-KZ` → kk).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        Lang::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("i18n/en.json"),
            Lang::Ru => include_str!("i18n/ru.json"),
            Lang::Kk => include_str!("i18n/kk.json"),
        }
    }
}

/// The language to answer in, from an `Accept-Language` value: the
/// supported language with the highest q-value (`q=0` refuses one); on a
/// tie the one listed first; `*` stands for English. Malformed entries are
/// skipped, never refused: a bad header must not make an error unreadable.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    let Some(header) = accept_language else { return Lang::default() };
    let mut best: Option<(u16, Lang)> = None;
    // At most 32 entries are looked at: the header is untrusted.
    for entry in header.split(',').take(32) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let mut q = 1000u16;
        for p in parts {
            if let Some(v) = p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")) {
                q = parse_q(v).unwrap_or(0);
            }
        }
        let lang = if tag == "*" { Some(Lang::default()) } else { Lang::from_tag(tag) };
        if let Some(lang) = lang {
            if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths.
fn parse_q(v: &str) -> Option<u16> {
    let v = v.trim();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = match int {
        "0" => 0u16,
        "1" => 1000,
        _ => return None,
    };
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    let q = whole + frac_value;
    (q <= 1000).then_some(q)
}

impl From<Lang> for tamga_contract::messages::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::En => tamga_contract::messages::Lang::En,
            Lang::Ru => tamga_contract::messages::Lang::Ru,
            Lang::Kk => tamga_contract::messages::Lang::Kk,
        }
    }
}

/// The negotiated language of a request, as a handler argument.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        if let Some(l) = parts.extensions.get::<Lang>() {
            return Ok(*l);
        }
        Ok(negotiate(parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())))
    }
}

/// A detail of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A value shown as is (an id, a number, a list of names, a quoted input).
    Text(String),
    /// A message of its own, rendered in the same language.
    Msg(&'static str, Args),
}

/// Named details of a message, filling the template's `{placeholders}`.
pub type Args = Vec<(&'static str, Arg)>;

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

/// Why a parameter value is refused: a `why.*` message with its details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    /// Message key (`why.uint`).
    pub key: &'static str,
    /// Its details.
    pub args: Args,
}

impl Why {
    /// A reason with details.
    pub fn new(key: &'static str, args: Args) -> Why {
        Why { key, args }
    }

    /// A reason without details.
    pub fn plain(key: &'static str) -> Why {
        Why { key, args: Vec::new() }
    }

    /// The reason in English (logs, tests).
    pub fn english(&self) -> String {
        render(Lang::En, self.key, &self.args).unwrap_or_else(|| self.key.to_owned())
    }
}

impl From<Why> for Arg {
    fn from(w: Why) -> Arg {
        Arg::Msg(w.key, w.args)
    }
}

/// Builds [`Args`]: `args!["id" => id.to_string(), "why" => why]`.
macro_rules! args {
    ($($k:literal => $v:expr),* $(,)?) => {
        vec![$(($k, $crate::api::i18n::Arg::from($v))),*]
    };
}
pub(crate) use args;

/// The catalogue of `lang`: message key → template.
pub fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    static CATALOGUES: OnceLock<[HashMap<String, String>; 3]> = OnceLock::new();
    let all = CATALOGUES.get_or_init(|| {
        Lang::ALL.map(|l| {
            serde_json::from_str(l.source()).unwrap_or_else(|e| {
                // The catalogues are compiled in and checked by a test; a
                // broken one degrades to the English wording of each error.
                tracing::error!(target: "tamga::api", lang = l.tag(), error = %e, "message catalogue does not parse");
                HashMap::new()
            })
        })
    });
    match lang {
        Lang::En => &all[0],
        Lang::Ru => &all[1],
        Lang::Kk => &all[2],
    }
}

/// The placeholders of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// Renders message `key` in `lang` with `args`; `None` when the catalogue
/// lacks the key or an argument the template names.
pub fn render(lang: Lang, key: &str, args: &Args) -> Option<String> {
    let template = catalogue(lang).get(key)?;
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        match args.iter().find(|(k, _)| *k == name).map(|(_, v)| v)? {
            Arg::Text(s) => out.push_str(s),
            Arg::Msg(k, a) => out.push_str(&render(lang, k, a)?),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_q_values_and_defaults_to_english() {
        for (header, want) in [
            (None, Lang::En),
            (Some(""), Lang::En),
            (Some("kk"), Lang::Kk),
            (Some("kk-KZ,ru;q=0.9,en;q=0.8"), Lang::Kk),
            (Some("ru-RU, kk;q=0.5"), Lang::Ru),
            (Some("de, ru;q=0.1"), Lang::Ru),
            (Some("de, fr"), Lang::En),
            (Some("en;q=0.2, kk;q=0.7"), Lang::Kk),
            (Some("kk;q=0, ru"), Lang::Ru),
            (Some("ru;q=0.5, kk;q=0.5"), Lang::Ru),
            (Some("*"), Lang::En),
            (Some("KK"), Lang::Kk),
            (Some("kk;q=garbage, ru;q=0.3"), Lang::Ru),
            (Some("kk;q=1.5"), Lang::En),
            (Some(",,;;q=,"), Lang::En),
        ] {
            assert_eq!(negotiate(header), want, "{header:?}");
        }
    }

    #[test]
    fn rendering_fills_placeholders_and_nested_messages() {
        let why = Why::new("why.range", args!["min" => "1", "max" => "1000"]);
        let a: Args = args!["param" => "limit", "value" => "\"0\"", "why" => why];
        assert_eq!(render(Lang::En, "BAD_PARAM", &a).unwrap(), "invalid limit \"0\": expected 1..=1000");
        let ru = render(Lang::Ru, "BAD_PARAM", &a).unwrap();
        assert!(ru.contains("limit") && ru.contains("1..=1000") && ru.contains("ожидается"), "{ru}");
        let kk = render(Lang::Kk, "BAD_PARAM", &a).unwrap();
        assert!(kk.contains("limit") && kk.contains("1..=1000"), "{kk}");
        // A missing argument or key renders nothing rather than a half message.
        assert_eq!(render(Lang::Kk, "BAD_PARAM", &args!["param" => "limit"]), None);
        assert_eq!(render(Lang::Kk, "NO_SUCH_KEY", &Vec::new()), None);
        assert_eq!(placeholders("a {x} b {y}"), ["x", "y"]);
    }
}
