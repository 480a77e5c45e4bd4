//! The Kazakh and Russian translations of the documents a state body's staff
//! needs (`docs/kk/`, `docs/ru/`) keep every section of the English document
//! they translate, in the same order and at the same level, and every command
//! unchanged (Law on Informatization art. 44 p.2: a system integrated with a
//! state body's keeps its documentation in Kazakh and Russian). No net,
//! milliseconds.
//!
//! The marker scheme, for whoever edits or re-syncs a translation:
//!
//! * Line 1 of a translation is `<!-- en-source: PATH main@COMMIT -->`: the
//!   English file it translates and the 40-hex commit of `main` it was
//!   translated from. `git diff COMMIT main -- PATH` is what it has not yet
//!   followed; after re-syncing, write the new commit there.
//! * Every heading of a translation ends with `<a id="SLUG"></a>`, SLUG being
//!   the GitHub anchor of the English heading it translates (lower case,
//!   everything but letters, digits, `-`, `_` and spaces dropped, spaces made
//!   `-`, `-1`, `-2` … added to repeats). So `operations.md#api-limits` leads
//!   to the same section in every language.
//! * `TRANSLATIONS` says which English sections each translation covers.
//!
//! The checks: the translation's headings are, in order, exactly the English
//! headings in scope, with the same levels. In each section (a heading to the
//! next heading) the translation has the English section's fenced code blocks,
//! in order, with the same info string and the same lines, except that in
//! `sh` and `toml` blocks a comment (from a `#` outside quotes at the start of
//! a line or after a blank) may be translated; and it has every inline code
//! span of the English section (paths, commands, keys, codes, test names), as
//! many times as the English has it.

use std::path::{Path, PathBuf};

/// Which English headings a translation covers.
#[derive(Clone, Copy, Debug)]
enum Scope {
    /// The whole document.
    All,
    /// The headings before the one with this slug.
    Before(&'static str),
    /// These headings, each (level 2 and deeper) with the headings under it.
    Sections(&'static [&'static str]),
}

/// (language, English file, translated file name in `docs/LANG/`, scope).
const TRANSLATIONS: &[(&str, &str, &str, Scope)] = &[
    ("ru", "README.md", "README.md", README_SCOPE),
    ("ru", "docs/operations.md", "operations.md", Scope::All),
    ("ru", "docs/api.md", "api.md", API_SCOPE),
    ("ru", "docs/compliance.md", "compliance.md", Scope::All),
    ("kk", "README.md", "README.md", README_SCOPE),
    ("kk", "docs/operations.md", "operations.md", Scope::All),
    ("kk", "docs/api.md", "api.md", API_SCOPE),
    ("kk", "docs/compliance.md", "compliance.md", Scope::All),
];

/// The README's title and introduction, and the sections a state body's
/// staff works through: quick start, walkthrough, regulator console.
const README_SCOPE: Scope = Scope::Sections(&["tamga", "quick-start", "walkthrough", "regulator-console"]);

/// The API's overview: conventions, errors, languages, signed requests; the
/// per-route reference from "Transactions" on stays English.
const API_SCOPE: Scope = Scope::Before("transactions");

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A heading: its level (1 for `#`), its text and its slug.
#[derive(Clone, Debug, PartialEq)]
struct Heading {
    level: usize,
    text: String,
    slug: String,
}

/// A fenced code block: its info string and its lines.
#[derive(Clone, Debug, PartialEq)]
struct Block {
    info: String,
    lines: Vec<String>,
}

/// A section: the heading (none for the text before the first one), the code
/// blocks and the other text up to the next heading.
#[derive(Clone, Debug, Default)]
struct Section {
    heading: Option<Heading>,
    blocks: Vec<Block>,
    text: String,
}

/// The GitHub anchor of a heading's text.
fn slug(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The marker a translated heading ends with: (text without it, slug).
fn marker(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_suffix("\"></a>")?;
    let at = rest.rfind("<a id=\"")?;
    Some((rest[..at].trim_end(), &rest[at + "<a id=\"".len()..]))
}

/// `(level, text)` of an ATX heading line.
fn heading_line(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let text = line[level..].strip_prefix(' ')?;
    (1..=6).contains(&level).then(|| (level, text.trim()))
}

/// The inline code spans of a section's text, a line break inside one read
/// as a blank.
fn spans_of(text: &str) -> Vec<String> {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    text.split('`').skip(1).step_by(2).map(words).filter(|s| !s.is_empty()).collect()
}

/// Splits a document into sections. `translated`: headings carry a marker,
/// whose slug names them; otherwise the slug is made from the text (with
/// `-1`, `-2` … for repeats, as GitHub does). A translated heading without a
/// marker is an error.
fn sections(text: &str, translated: bool) -> Result<Vec<Section>, String> {
    let mut out = vec![Section::default()];
    let mut seen: Vec<String> = Vec::new();
    let mut fence: Option<(String, Block)> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some((mark, block)) = &mut fence {
            if trimmed.starts_with(mark.as_str()) && trimmed.trim_end() == mark.as_str() {
                let (_, block) = fence.take().expect("inside a fence");
                out.last_mut().expect("one section at least").blocks.push(block);
            } else {
                block.lines.push(line.to_owned());
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let mark: String = trimmed.chars().take_while(|c| *c == trimmed.as_bytes()[0] as char).collect();
            let info = trimmed[mark.len()..].trim().to_owned();
            fence = Some((mark, Block { info, lines: Vec::new() }));
            continue;
        }
        if let Some((level, text)) = heading_line(line) {
            let heading = if translated {
                let (text, slug) = marker(text).ok_or_else(|| {
                    format!(
                        "line {}: heading `{line}` has no `<a id=\"SLUG\"></a>` marker naming its English heading",
                        n + 1
                    )
                })?;
                Heading { level, text: text.to_owned(), slug: slug.to_owned() }
            } else {
                let base = slug(text);
                let repeats = seen.iter().filter(|s| **s == base).count();
                seen.push(base.clone());
                let slug = if repeats == 0 { base } else { format!("{base}-{repeats}") };
                Heading { level, text: text.to_owned(), slug }
            };
            out.push(Section { heading: Some(heading), ..Section::default() });
            continue;
        }
        let text = &mut out.last_mut().expect("one section at least").text;
        text.push_str(line);
        text.push('\n');
    }
    if fence.is_some() {
        return Err("a code block is not closed".to_owned());
    }
    Ok(out)
}

/// The English sections in scope, in order.
fn in_scope(sections: Vec<Section>, scope: Scope) -> Vec<Section> {
    let mut out = Vec::new();
    let mut under: Option<usize> = None;
    let mut before = true;
    for s in sections {
        let Some(h) = &s.heading else { continue };
        let keep = match scope {
            Scope::All => true,
            Scope::Before(end) => {
                before &= h.slug != end;
                before
            }
            Scope::Sections(list) => {
                if list.contains(&h.slug.as_str()) {
                    under = (h.level >= 2).then_some(h.level);
                    true
                } else if under.is_some_and(|l| h.level > l) {
                    true
                } else {
                    under = None;
                    false
                }
            }
        };
        if keep {
            out.push(s);
        }
    }
    out
}

/// A line of a code block as the comparison sees it: in `sh` and `toml`
/// blocks without its comment (which a translation may translate) and
/// trailing blanks; otherwise as written.
fn command(info: &str, line: &str) -> String {
    if !matches!(info, "sh" | "bash" | "toml") {
        return line.to_owned();
    }
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return line[..i].trim_end().to_owned(),
            None => {}
        }
        prev = c;
    }
    line.trim_end().to_owned()
}

/// The commands of a block: its lines without comments, blank lines dropped.
fn commands(block: &Block) -> (String, Vec<String>) {
    let lines = block.lines.iter().map(|l| command(&block.info, l)).filter(|l| !l.trim().is_empty()).collect();
    (block.info.clone(), lines)
}

/// Everything the translation lacks or changed, against the English in scope.
fn compare(english: &str, scope: Scope, translation: &str) -> Vec<String> {
    let en = match sections(english, false) {
        Ok(s) => in_scope(s, scope),
        Err(e) => return vec![format!("English: {e}")],
    };
    let tr = match sections(translation, true) {
        Ok(s) => s,
        Err(e) => return vec![format!("translation: {e}")],
    };
    let mut problems = Vec::new();
    if let Some(first) = tr.first() {
        if !first.blocks.is_empty() {
            problems.push("a code block before the first heading".to_owned());
        }
    }
    let tr: Vec<Section> = tr.into_iter().filter(|s| s.heading.is_some()).collect();
    let want: Vec<(usize, &str)> =
        en.iter().filter_map(|s| s.heading.as_ref()).map(|h| (h.level, h.slug.as_str())).collect();
    let have: Vec<(usize, &str)> =
        tr.iter().filter_map(|s| s.heading.as_ref()).map(|h| (h.level, h.slug.as_str())).collect();
    if want != have {
        for (level, slug) in &want {
            match have.iter().filter(|(_, s)| s == slug).count() {
                0 => {
                    problems.push(format!("no translated heading for `{}` ({slug}, level {level})", text_of(&en, slug)))
                }
                1 => {}
                n => problems.push(format!("{n} translated headings for `{slug}`")),
            }
        }
        for (_, slug) in &have {
            if !want.iter().any(|(_, s)| s == slug) {
                problems.push(format!("translated heading `{slug}` names no English heading in scope"));
            }
        }
        if problems.is_empty() {
            problems
                .push(format!("headings differ in order or level:\n  English     {want:?}\n  translation {have:?}"));
        }
        return problems;
    }
    for (e, t) in en.iter().zip(&tr) {
        let slug = e.heading.as_ref().map_or("", |h| h.slug.as_str());
        let want: Vec<_> = e.blocks.iter().map(commands).collect();
        let have: Vec<_> = t.blocks.iter().map(commands).collect();
        if want != have {
            problems.push(format!(
                "section `{slug}`: code blocks differ from the English (comments aside):\n  English     {want:?}\n  translation {have:?}"
            ));
        }
        let (want, have) = (spans_of(&e.text), spans_of(&t.text));
        let mut checked: Vec<&String> = Vec::new();
        for span in &want {
            if checked.contains(&span) {
                continue;
            }
            checked.push(span);
            let (w, h) = (want.iter().filter(|s| *s == span).count(), have.iter().filter(|s| *s == span).count());
            if h < w {
                let times = if w == 1 { String::new() } else { format!(" ({w} times; the translation has it {h})") };
                problems.push(format!("section `{slug}`: lacks the English `{span}`{times}"));
            }
        }
    }
    problems
}

fn text_of<'a>(sections: &'a [Section], slug: &str) -> &'a str {
    sections.iter().filter_map(|s| s.heading.as_ref()).find(|h| h.slug == slug).map_or("", |h| h.text.as_str())
}

/// What is wrong with line 1 of a translation of `english`.
fn source_line(text: &str, english: &str) -> Option<String> {
    let first = text.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("<!-- en-source: ").and_then(|r| r.strip_suffix(" -->")) else {
        return Some(format!("line 1 is `{first}`, expected `<!-- en-source: {english} main@COMMIT -->`"));
    };
    let (path, commit) = rest.split_once(" main@").unwrap_or((rest, ""));
    if path != english {
        return Some(format!("line 1 names `{path}`, expected `{english}`"));
    }
    let commit_ok = commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
    (!commit_ok).then(|| format!("line 1 names commit `{commit}`, expected 40 lower-case hex digits"))
}

#[test]
fn every_translation_keeps_the_sections_and_commands_of_its_english_source() {
    let root = repo_root();
    let mut problems = Vec::new();
    for (lang, english, name, scope) in TRANSLATIONS {
        let path = root.join("docs").join(lang).join(name);
        let en = std::fs::read_to_string(root.join(english)).expect("English document is readable");
        let Ok(tr) = std::fs::read_to_string(&path) else {
            problems.push(format!("{}: missing", path.display()));
            continue;
        };
        let found: Vec<String> = source_line(&tr, english).into_iter().chain(compare(&en, *scope, &tr)).collect();
        problems.extend(found.into_iter().map(|p| format!("docs/{lang}/{name}: {p}")));
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_checker_finds_a_missing_section_a_changed_command_and_a_lost_code_span() {
    let en = "# Title\n\nIntro `tamga status`.\n\n## Quick start\n\n```sh\nscripts/devnet.sh   # run it\n```\n\n\
              ### Node commands\n\nUse `tamgad start`.\n\n## Walkthrough\n\n```sh\n# a comment\ntamga keys new a\n```\n\n\
              ## Quick start\n\nA repeat.\n\n## Development\n\nNot translated.\n";
    let scope = Scope::Sections(&["title", "quick-start", "walkthrough", "quick-start-1"]);
    let good = "<!-- en-source: README.md main@0123456789abcdef0123456789abcdef01234567 -->\n\
                # Заголовок <a id=\"title\"></a>\n\nВведение `tamga status`.\n\n\
                ## Быстрый старт <a id=\"quick-start\"></a>\n\n```sh\nscripts/devnet.sh   # запустить\n```\n\n\
                ### Команды узла <a id=\"node-commands\"></a>\n\n`tamgad start`.\n\n\
                ## Пошаговый пример <a id=\"walkthrough\"></a>\n\n```sh\n# комментарий\ntamga keys new a\n```\n\n\
                ## Быстрый старт снова <a id=\"quick-start-1\"></a>\n\nПовтор.\n";
    assert_eq!(compare(en, scope, good), Vec::<String>::new());
    assert_eq!(source_line(good, "README.md"), None);
    assert!(source_line(good, "docs/api.md").is_some());
    assert!(source_line("# no source line", "README.md").is_some());

    let missing = good.replace("### Команды узла <a id=\"node-commands\"></a>\n\n`tamgad start`.\n\n", "");
    let found = compare(en, scope, &missing);
    assert!(found.iter().any(|p| p.contains("no translated heading for `Node commands`")), "{found:?}");

    let reordered = good
        .replace("## Быстрый старт снова <a id=\"quick-start-1\"></a>", "## Снова <a id=\"walkthrough\"></a>")
        .replacen("## Пошаговый пример <a id=\"walkthrough\"></a>", "## Пример <a id=\"quick-start-1\"></a>", 1);
    assert!(!compare(en, scope, &reordered).is_empty());

    let unmarked = good.replace("### Команды узла <a id=\"node-commands\"></a>", "### Команды узла");
    assert!(compare(en, scope, &unmarked)[0].contains("has no `<a id=\"SLUG\"></a>` marker"));

    let level = good.replace("### Команды узла", "## Команды узла");
    assert!(compare(en, scope, &level)[0].contains("order or level"));

    let drifted = good.replace("tamga keys new a\n", "tamga keys new b\n");
    let found = compare(en, scope, &drifted);
    assert!(found.iter().any(|p| p.contains("section `walkthrough`: code blocks differ")), "{found:?}");

    let lost = good.replace("`tamgad start`", "tamgad start");
    assert_eq!(compare(en, scope, &lost), vec!["section `node-commands`: lacks the English `tamgad start`".to_owned()]);

    let twice = "# T\n\nRun `a`, then `a` again.\n";
    let once = "# Т <a id=\"t\"></a>\n\nЗапустите `a`, затем ещё раз.\n";
    assert_eq!(
        compare(twice, Scope::All, once),
        vec!["section `t`: lacks the English `a` (2 times; the translation has it 1)".to_owned()]
    );

    let extra = format!("{good}\n## Разработка <a id=\"development\"></a>\n");
    assert!(compare(en, scope, &extra).iter().any(|p| p.contains("`development` names no English heading")));
}

#[test]
fn slugs_and_comments_are_read_as_github_and_the_shell_do() {
    assert_eq!(slug("Signed requests (SPEC §12)"), "signed-requests-spec-12");
    assert_eq!(slug("The consensus safety state (`data/safety.bin`)"), "the-consensus-safety-state-datasafetybin");
    assert_eq!(slug("`/metrics` access"), "metrics-access");
    assert_eq!(slug("Compliance map: provision → feature → test"), "compliance-map-provision--feature--test");
    assert_eq!(command("sh", "export PATH=\"$PWD/x:$PATH\"   # tamga"), "export PATH=\"$PWD/x:$PATH\"");
    assert_eq!(command("sh", "# exit 0: \"party_id\":1005"), "");
    assert_eq!(command("sh", "tamga --address \"Zone #4\" x"), "tamga --address \"Zone #4\" x");
    assert_eq!(command("toml", "dir = \"/mnt\"   # under the home"), "dir = \"/mnt\"");
    assert_eq!(command("text", "a   # b"), "a   # b");
    assert_eq!(marker("Быстрый старт <a id=\"quick-start\"></a>"), Some(("Быстрый старт", "quick-start")));
}
