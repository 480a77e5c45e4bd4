//! The catalogs are whole, and the help speaks the language asked.

use std::collections::BTreeSet;
use std::ffi::OsString;

use clap::CommandFactory;

use super::*;
use crate::args::Cli;

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].parse::<usize>().is_ok() => {
                out.insert(after[..close].to_owned());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

#[test]
fn rule11_every_message_has_kk_ru_en_with_the_same_placeholders() {
    let keys = |l: Lang| l.catalog().iter().map(|(k, _)| *k).collect::<BTreeSet<_>>();
    let en = keys(Lang::En);
    for l in [Lang::Kk, Lang::Ru] {
        let other = keys(l);
        let missing: Vec<_> = en.difference(&other).collect();
        assert!(missing.is_empty(), "{l:?} lacks {missing:?}");
        let extra: Vec<_> = other.difference(&en).collect();
        assert!(extra.is_empty(), "{l:?} has keys English lacks: {extra:?}");
        for k in &en {
            assert_eq!(placeholders(template(Lang::En, k)), placeholders(template(l, k)), "{l:?} {k}");
        }
    }
    for l in Lang::ALL {
        let mut seen = BTreeSet::new();
        for (k, _) in l.catalog() {
            assert!(seen.insert(k), "{l:?}: {k} twice");
        }
    }
}

#[test]
fn rule11_every_command_and_argument_has_kk_and_ru_help() {
    let keys = help::keys(&Cli::command());
    assert!(keys.len() > 100, "the walk sees the tree: {}", keys.len());
    for l in [Lang::Kk, Lang::Ru] {
        let table = help::table(l).expect("a table");
        let missing: Vec<String> = keys
            .iter()
            .filter(|(_, text)| help::lookup(table, text).is_none_or(|t| t.trim().is_empty()))
            .map(|(place, text)| format!("{place}: {text}"))
            .collect();
        assert!(missing.is_empty(), "{l:?} help lacks {} texts: {missing:#?}", missing.len());
        let known: BTreeSet<&str> = keys.iter().map(|(_, t)| t.as_str()).collect();
        let stale: Vec<&str> = table.iter().map(|(k, _)| *k).filter(|k| !known.contains(k)).collect();
        assert!(stale.is_empty(), "{l:?} help translates texts no command or argument has: {stale:#?}");
        let mut seen = BTreeSet::new();
        for (k, _) in table.iter() {
            assert!(seen.insert(k), "{l:?}: {k} twice");
        }
    }
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

#[test]
fn rule11_language_from_flag_then_locale() {
    let none = |_: &str| None;
    assert_eq!(detect(&os(&["tamga", "--lang", "ru", "status"]), none), Lang::Ru);
    assert_eq!(detect(&os(&["tamga", "status", "--lang=kk"]), none), Lang::Kk);
    assert_eq!(detect(&os(&["tamga", "status"]), none), Lang::En);
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    };
    assert_eq!(detect(&os(&["tamga"]), env(&[("LANG", "ru_RU.UTF-8")])), Lang::Ru);
    assert_eq!(detect(&os(&["tamga"]), env(&[("LANG", "kk_KZ")])), Lang::Kk);
    assert_eq!(detect(&os(&["tamga"]), env(&[("LANG", "ru_RU.UTF-8"), ("LC_MESSAGES", "kk_KZ.UTF-8")])), Lang::Kk);
    assert_eq!(detect(&os(&["tamga"]), env(&[("LANG", "kk_KZ"), ("LC_ALL", "C")])), Lang::En, "LC_ALL wins");
    assert_eq!(detect(&os(&["tamga"]), env(&[("LANG", "de_DE.UTF-8")])), Lang::En);
    assert_eq!(detect(&os(&["tamga", "--lang", "en"]), env(&[("LANG", "ru_RU.UTF-8")])), Lang::En, "the flag wins");
    assert_eq!(detect(&os(&["tamga"]), env(&[("TAMGA_LANG", "kk"), ("LANG", "ru_RU.UTF-8")])), Lang::Kk);
}

/// The help output of `args`, parsed as `main` parses them.
fn help_of(args: &[&str]) -> String {
    let lang = detect(&os(args), |_| None);
    let e = help::localize(Cli::command(), lang).try_get_matches_from(args).expect_err("--help stops the parse");
    assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
    e.render().to_string()
}

#[test]
fn rule11_help_is_translated() {
    let ru = help_of(&["tamga", "--lang", "ru", "--help"]);
    assert!(
        ru.contains(help::lookup(help::table(Lang::Ru).unwrap(), "Base URL of the node's HTTP API").unwrap()),
        "{ru}"
    );
    assert!(ru.contains("Использование:"), "{ru}");
    assert!(ru.contains("Команды:") && !ru.contains("Команды::"), "{ru}");
    assert!(!ru.contains("Base URL of the node's HTTP API"), "no English left: {ru}");

    let kk = help_of(&["tamga", "--lang", "kk", "token", "transfer", "--help"]);
    let want = help::lookup(help::table(Lang::Kk).unwrap(), "Receiving address (64 hex)").unwrap();
    assert!(kk.contains(want), "{kk}");
    assert!(kk.contains("Қолданылуы:"), "{kk}");
    assert!(!kk.contains("Receiving address"), "no English left: {kk}");

    let en = help_of(&["tamga", "token", "transfer", "--help"]);
    assert!(en.contains("Receiving address"), "{en}");
}

#[test]
fn templates_fill_positionally() {
    assert_eq!(fill("a {1} b {0} {2}", &[&1, &"x"]), "a x b 1 {2}");
    assert_eq!(fill("{x} {0}", &[&7]), "{x} 7");
}
