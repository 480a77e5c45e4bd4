//! Every `SPEC §N` cited in the repository resolves in `docs/spec.md`, and
//! nothing points at a specification outside the repository; text users read
//! (`--help`, the console) cites the law, not issues or sections (no net,
//! milliseconds).
//!
//! A citation is `SPEC` followed by a list of sections: `SPEC §9`,
//! `SPEC §1.9`, `SPEC §2, §3–§6, §9`, also across a line break or a Markdown
//! link (`[SPEC §11](spec.md#…)`, `[SPEC](spec.md)\n§1.8`). `§N` resolves to a
//! `## §N …` heading, `§1.M` to item `M.` of §1, `§N.M` to a `### §N.M …`
//! heading.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Extensions of the files whose citations are checked.
const EXTENSIONS: &[&str] = &["rs", "md", "toml", "sh", "js", "html", "json", "yml", "yaml"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every checked file under `dir`, skipping build output, VCS and hidden directories.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                files(&path, out);
            }
        } else if path.extension().and_then(|x| x.to_str()).is_some_and(|x| EXTENSIONS.contains(&x)) {
            out.push(path);
        }
    }
}

/// The sections `docs/spec.md` defines (`"9"`, `"1.9"`, `"8.5"`).
fn defined_sections(spec: &str) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut section = String::new();
    for line in spec.lines() {
        if let Some(rest) = line.strip_prefix("## §").or_else(|| line.strip_prefix("### §")) {
            let id: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            if line.starts_with("## ") {
                section = id.clone();
            }
            set.insert(id);
        } else if section == "1" {
            let item: String = line.chars().take_while(char::is_ascii_digit).collect();
            if !item.is_empty() && line[item.len()..].starts_with(". ") {
                set.insert(format!("1.{item}"));
            }
        }
    }
    set
}

/// The sections cited after each `SPEC` in `text`.
fn citations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("SPEC") {
        let mut rest = &text[at + "SPEC".len()..];
        // A Markdown link around the word: `[SPEC](spec.md)` or `[SPEC §9](…)`.
        if let Some(r) = rest.strip_prefix("](") {
            rest = r.find(')').map_or("", |i| &r[i + 1..]);
        }
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || "/!*#,–-".contains(c));
            rest = rest.strip_prefix("and ").unwrap_or(rest);
            let Some(r) = rest.strip_prefix('§') else { break };
            let id: String = r.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let id = id.trim_end_matches('.').to_owned();
            if id.is_empty() {
                break;
            }
            rest = &r[id.len()..];
            out.push(id);
        }
    }
    out
}

#[test]
fn every_spec_citation_resolves_in_docs_spec_md() {
    let root = repo_root();
    let spec = std::fs::read_to_string(root.join("docs/spec.md")).expect("docs/spec.md exists");
    let defined = defined_sections(&spec);
    for n in 1..=12 {
        assert!(defined.contains(&n.to_string()), "docs/spec.md lacks `## §{n}`");
    }
    for m in 1..=11 {
        assert!(defined.contains(&format!("1.{m}")), "docs/spec.md lacks item {m}. of §1");
    }
    let outside = [concat!("..", "/shared"), concat!("shared/", "SPEC"), concat!("shared/", "LEGAL")];
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let mut unresolved = Vec::new();
    let mut cited = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let shown = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        for o in outside {
            assert!(!text.contains(o), "{shown} refers to {o}: the specification is docs/spec.md");
        }
        for id in citations(&text) {
            cited += 1;
            if !defined.contains(&id) {
                unresolved.push(format!("{shown}: SPEC §{id}"));
            }
        }
    }
    assert!(cited > 100, "only {cited} citations found: is the walk broken?");
    assert!(unresolved.is_empty(), "citations that docs/spec.md does not define: {unresolved:#?}");
}

/// The parser reads lists, ranges, links and line breaks, and nothing after them.
#[test]
fn spec_citations_are_parsed_like_a_reader_reads_them() {
    let text = "a (SPEC §2, §3–§6 and §9) b\n// SPEC §1.9.\n[SPEC §11](spec.md#11) [SPEC](spec.md)\n§1.8, §10; DC §4 (SPEC\n//! §12)";
    assert_eq!(citations(text), ["2", "3", "6", "9", "1.9", "11", "1.8", "10", "12"]);
    let spec = "## §1 P\n1. **a**\n11. **b**\n## §8 T\n### §8.5 Admission\n1. not §1\n";
    let d: Vec<String> = defined_sections(spec).into_iter().collect();
    assert_eq!(d, ["1", "1.1", "1.11", "8", "8.5"]);
}

/// Where `text` cites an issue number (`issue 7`, `Issue #7`) or a section of
/// the specification (`SPEC`, `§`): neither means anything to a user.
fn internal_reference(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let issue = lower.match_indices("issue").any(|(i, _)| {
        lower[i + "issue".len()..].trim_start_matches([' ', '#']).starts_with(|c: char| c.is_ascii_digit())
    });
    if issue {
        Some("an issue number")
    } else if text.contains("SPEC") || text.contains('§') {
        Some("a section of the specification")
    } else {
        None
    }
}

/// What users read — the `--help` of `tamga` and `tamgad` (their clap doc
/// comments) and the console's texts in every language — cites the law where
/// a rule comes from law, never an issue number or an internal section.
#[test]
fn user_facing_text_cites_no_issue_or_spec_section() {
    let root = repo_root();
    let help = ["client/src/bin/tamga/args.rs", "client/src/bin/tamga/bench.rs", "node/src/main.rs"];
    let mut found = Vec::new();
    for f in help {
        let text = std::fs::read_to_string(root.join(f)).expect("a clap source file");
        for (n, line) in text.lines().enumerate() {
            let Some(doc) = line.trim_start().strip_prefix("///") else { continue };
            if let Some(what) = internal_reference(doc) {
                found.push(format!("{f}:{}: {what}: {}", n + 1, doc.trim()));
            }
        }
    }
    let i18n = root.join("node/src/api/console/assets/i18n");
    for e in std::fs::read_dir(&i18n).expect("the console's translations").flatten() {
        let text = std::fs::read_to_string(e.path()).expect("a translation file");
        let shown = e.file_name().to_string_lossy().into_owned();
        for (n, line) in text.lines().enumerate() {
            if let Some(what) = internal_reference(line) {
                found.push(format!("i18n/{shown}:{}: {what}: {}", n + 1, line.trim()));
            }
        }
    }
    assert_eq!(internal_reference("the issuer 7"), None);
    assert_eq!(internal_reference("(issue 7)"), Some("an issue number"));
    assert!(found.is_empty(), "user-facing text cites internal references: {found:#?}");
}
