//! `--help` in Kazakh and Russian: the English texts of the clap derive,
//! replaced at run time from a table per language.
//!
//! The tables are keyed by the English text itself (as gettext keys by its
//! msgid): a text that occurs under several commands (`Class id.`, the
//! global flags clap copies into every subcommand) is translated once, and
//! a changed English text has no translation until one is written — the
//! completeness test ([`keys`] walks the command tree: every command's
//! about and long about, every argument's help and long help) then names
//! the command path and argument id that lack one, instead of a stale
//! translation being shown.

use clap::Command;

use super::Lang;

/// Every English text of the command tree, each with the first place it
/// occurs (`tamga token transfer` for a command, `tamga token
/// transfer:amount` for an argument): the tables' checklist.
#[cfg(test)]
pub fn keys(cmd: &Command) -> Vec<(String, String)> {
    let mut cmd = cmd.clone();
    cmd.build();
    let mut out = Vec::new();
    walk_keys(&cmd, "tamga", &mut out);
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|(_, text)| seen.insert(text.clone()));
    out
}

#[cfg(test)]
fn walk_keys(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
    for text in [cmd.get_about(), cmd.get_long_about()].into_iter().flatten() {
        out.push((path.to_owned(), text.to_string()));
    }
    for a in cmd.get_arguments() {
        for text in [a.get_help(), a.get_long_help()].into_iter().flatten() {
            out.push((format!("{path}:{}", a.get_id()), text.to_string()));
        }
    }
    for sub in cmd.get_subcommands() {
        if is_generated_help(cmd, sub) {
            // Its subcommands mirror its siblings, for completion only.
            if let Some(about) = sub.get_about() {
                out.push((format!("{path} help"), about.to_string()));
            }
            continue;
        }
        walk_keys(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

fn is_generated_help(parent: &Command, sub: &Command) -> bool {
    sub.get_name() == "help" && !parent.is_disable_help_subcommand_set()
}

/// The help table of `lang` (`None` for English, whose texts are the derive's).
pub fn table(lang: Lang) -> Option<&'static [(&'static str, &'static str)]> {
    match lang {
        Lang::Kk => Some(super::kk::HELP),
        Lang::Ru => Some(super::ru::HELP),
        Lang::En => None,
    }
}

/// The translation of the English `text`, if the table has it.
pub fn lookup(table: &[(&'static str, &'static str)], text: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == text).map(|(_, v)| *v)
}

/// `cmd` (the CLI's root) with every about and help text, the section
/// headings and the usage heading in `lang`. English is returned unchanged.
/// A text missing from the table stays English (a test keeps the tables whole).
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let Some(table) = table(lang) else { return cmd };
    let mut cmd = cmd;
    // Built first: the global flags are copied into every subcommand and
    // `--help`, `--version` and the `help` subcommand exist, so each is
    // translated where it is shown; parsing does not build again.
    cmd.build();
    localize_one(cmd, false, table, lang)
}

fn localize_one(mut cmd: Command, generated_help: bool, table: &[(&'static str, &'static str)], lang: Lang) -> Command {
    let tr = |s: Option<&clap::builder::StyledStr>| s.and_then(|s| lookup(table, &s.to_string()));
    if let Some(about) = tr(cmd.get_about()) {
        cmd = cmd.about(about);
    }
    if let Some(long) = tr(cmd.get_long_about()) {
        cmd = cmd.long_about(long);
    }
    let t = |k: &str| super::find(lang, k).unwrap_or_default();
    cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            t("help.usage")
        ))
        .subcommand_help_heading(t("help.commands"));
    if generated_help {
        return cmd;
    }
    let ids: Vec<(String, bool)> =
        cmd.get_arguments().map(|a| (a.get_id().as_str().to_owned(), a.is_positional())).collect();
    for (id, positional) in ids {
        let heading = if positional { t("help.arguments") } else { t("help.options") };
        cmd = cmd.mut_arg(id, |mut a| {
            if let Some(h) = tr(a.get_help()) {
                a = a.help(h);
            }
            if let Some(h) = tr(a.get_long_help()) {
                a = a.long_help(h);
            }
            if a.get_help_heading().is_none() {
                a = a.help_heading(heading);
            }
            a
        });
    }
    let subs: Vec<(String, bool)> =
        cmd.get_subcommands().map(|s| (s.get_name().to_owned(), is_generated_help(&cmd, s))).collect();
    for (name, generated) in subs {
        cmd = cmd.mut_subcommand(&name, |s| localize_one(s, generated, table, lang));
    }
    cmd
}
