//! Every source file and test the documents name exists: a reference
//! `` `crate/src/file.rs` `` (a path from the repository root) names a file or
//! a module directory, and `` `crate/src/file.rs::name` `` names a function,
//! module or type defined in that file or in the module directory beside it.
//! The compliance map (`docs/compliance.md`) ties each legal rule to the tests
//! that show it: a test renamed or moved without its row is a rule shown by
//! nothing (no net, milliseconds).

use std::path::{Path, PathBuf};

/// The top-level folders a repository-root path starts with.
const ROOTS: &[&str] = &["types/", "consensus/", "state/", "genesis/", "contract/", "node/", "client/", "tests/"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The documents checked: `docs/*.md`, their translations `docs/{kk,ru}/*.md`
/// and the top-level README.
fn documents() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = vec![root.join("README.md")];
    for dir in ["docs", "docs/kk", "docs/ru"] {
        let Ok(docs) = std::fs::read_dir(root.join(dir)) else { continue };
        out.extend(docs.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "md")));
    }
    out.sort();
    out
}

/// The `` `path.rs` `` and `` `path.rs::a::b` `` references of `text` whose
/// path starts at the repository root: (path, item names).
fn references(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for span in text.split('`').skip(1).step_by(2) {
        let (path, items) = match span.find(".rs") {
            Some(i) => (&span[..i + 3], &span[i + 3..]),
            None => continue,
        };
        let path_ok = path.chars().all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c));
        if !path_ok || !ROOTS.iter().any(|r| path.starts_with(r)) {
            continue;
        }
        let items = match items.strip_prefix("::") {
            Some(rest) if rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') => {
                rest.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect()
            }
            Some(_) => continue,
            None if items.is_empty() => Vec::new(),
            None => continue,
        };
        out.push((path.to_owned(), items));
    }
    out
}

/// Whether `source` defines `name` (a function, module, type or constant).
fn defines(source: &str, name: &str) -> bool {
    ["fn ", "mod ", "struct ", "enum ", "trait ", "type ", "const ", "static ", "macro_rules! "].iter().any(|kw| {
        source.match_indices(&format!("{kw}{name}")).any(|(i, m)| {
            let after = source[i + m.len()..].chars().next();
            !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// What is wrong with the reference, if anything.
fn check(root: &Path, path: &str, items: &[String]) -> Option<String> {
    let file = root.join(path);
    // `node/src/backup.rs` may be `node/src/backup/mod.rs` today.
    let dir = root.join(path.trim_end_matches(".rs"));
    let mut files = Vec::new();
    if file.is_file() {
        files.push(file);
    }
    sources(&dir, &mut files);
    if files.is_empty() {
        return Some(format!("no file {path} (nor a module directory {})", dir.display()));
    }
    let name = items.last()?;
    let found = files.iter().any(|f| std::fs::read_to_string(f).is_ok_and(|s| defines(&s, name)));
    (!found).then(|| format!("{path} defines no `{name}`"))
}

#[test]
fn every_file_and_test_the_documents_name_exists() {
    let root = repo_root();
    let mut broken = Vec::new();
    let mut seen = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("document is readable");
        for (path, items) in references(&text) {
            seen += 1;
            if let Some(why) = check(&root, &path, &items) {
                broken.push(format!(
                    "{}: `{path}{}`: {why}",
                    doc.display(),
                    items.iter().map(|i| format!("::{i}")).collect::<String>()
                ));
            }
        }
    }
    assert!(seen > 100, "only {seen} references found: the parser no longer reads the documents");
    assert!(broken.is_empty(), "{} broken references:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn references_are_read_as_written() {
    let text = "see `state/tests/it/tokens.rs::pause_rules` and `node/src/api/` and `src/sim.rs` and \
                `client/src/keyfile.rs` and `x.rs::a b`";
    assert_eq!(
        references(text),
        vec![
            ("state/tests/it/tokens.rs".to_owned(), vec!["pause_rules".to_owned()]),
            ("client/src/keyfile.rs".to_owned(), vec![]),
        ]
    );
    assert!(defines("fn pause_rules() {}", "pause_rules"));
    assert!(!defines("fn pause_rules_more() {}", "pause_rules"));
    let root = repo_root();
    assert!(check(&root, "state/tests/it/tokens.rs", &["pause_rules".to_owned()]).is_none());
    assert!(check(&root, "state/tests/it/tokens.rs", &["no_such_test".to_owned()]).is_some());
    assert!(check(&root, "client/src/no_such_file.rs", &[]).is_some());
}
