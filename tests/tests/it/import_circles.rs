//! No two modules of a workspace crate use each other, directly or through a
//! chain of others: each crate's modules form layers, and a shared item lives
//! below every module that uses it.
//!
//! The check reads the source, not the compiler's view. Each crate root
//! (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`) is
//! followed through its `mod NAME;` declarations (`#[path]` included) to one
//! node per source file. An edge `A → B` is a path in file `A` that names an
//! item of file `B`: `crate::…`, `super::…`, `self::…`, a child module's name
//! (`child::f()`), and every leaf of a `use` tree. A path is resolved through
//! the modules it names, then through the names the reached module imports
//! (`use` and `pub use`), so `crate::Foo` re-exported by `lib.rs` from `a.rs`
//! is an edge to `a.rs`. Inline modules (`mod tests { … }`) belong to their
//! file; comments and string literals are skipped.
//!
//! The one allowed pattern: a module may use its ancestors (`super::X`, an item
//! the crate root defines). A child is part of its parent — Rust gives it the
//! parent's private items for that — so a parent that uses its child and a
//! child that uses its parent are one unit, not a circle. Every other cycle
//! fails the test, naming each edge with the file, line and path that make it,
//! unless each of its edges is in [`KNOWN`]: the circles the workspace had when
//! this check came, listed so that none can grow or be added; an entry goes
//! when its circle is broken.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Edges of the circles this check found when it came (`from → to`, with the
/// path that makes the edge). A circle made only of these does not fail the
/// test; remove the entries of a circle once it is broken.
const KNOWN: &[(&str, &str)] = &[
    ("node/src/api/events.rs", "node/src/api/limits.rs"), // super::limits::ApiLimits
    ("node/src/api/limits.rs", "node/src/api/events.rs"), // super::events::MAX_SUBSCRIBERS
    ("node/src/api/mod.rs", "node/src/api/openapi.rs"),   // openapi::serve
    ("node/src/api/mod.rs", "node/src/api/proofs.rs"),    // proofs::bundle
    ("node/src/api/mod.rs", "node/src/api/security.rs"),  // security::events
    ("node/src/api/mod.rs", "node/src/security.rs"),      // crate::security::SecurityLog
    ("node/src/api/openapi.rs", "node/src/api/security.rs"), // super::security::MAX_LIMIT
    ("node/src/api/proofs.rs", "node/src/api/tests/mod.rs"), // super::super::tests::code
    ("node/src/api/security.rs", "node/src/security.rs"), // crate::security::Bounds
    ("node/src/api/tests/mod.rs", "node/src/security.rs"), // crate::security::SecurityLog::in_memory
    ("node/src/config.rs", "node/src/api/mod.rs"),        // crate::api::BODY_LIMIT
    ("node/src/config.rs", "node/src/metrics/access.rs"), // crate::metrics::access::MetricsConfig
    ("node/src/config.rs", "node/src/network.rs"),        // crate::network::SYNC_MAX_BLOCKS
    ("node/src/config.rs", "node/src/security/config.rs"), // crate::security::SecurityConfig
    ("node/src/metrics/access.rs", "node/src/config.rs"), // crate::config::ConfigError
    ("node/src/network.rs", "node/src/security.rs"),      // crate::security::SecurityLog
    ("node/src/security.rs", "node/src/security/config.rs"), // config::SecurityConfig
    ("node/src/security/config.rs", "node/src/config.rs"), // crate::config::ConfigError
    ("node/src/byzantine.rs", "node/src/driver.rs"),      // crate::driver::Transport
    ("node/src/driver.rs", "node/src/byzantine.rs"),      // crate::byzantine::Byzantine
    ("node/src/backup.rs", "node/src/devnet.rs"),         // crate::devnet::write_testnet
    ("node/src/backup.rs", "node/src/node.rs"),           // crate::node::load_genesis
    ("node/src/devnet.rs", "node/src/node.rs"),           // crate::node::shutdown_signal
    ("node/src/node.rs", "node/src/backup.rs"),           // crate::backup::BackupService::new
    ("tests/src/net.rs", "tests/src/netns.rs"),           // crate::netns::Netns
    ("tests/src/netns.rs", "tests/src/net.rs"),           // crate::net::say
    ("types/src/block.rs", "types/src/evidence.rs"),      // crate::evidence::Evidence
    ("types/src/evidence.rs", "types/src/block.rs"),      // crate::block::CertificateError
    // Circles that came with the signer seam (types: Vote::sign_with in
    // block.rs, VoteData/ProposalData in signer.rs), the security-event
    // sinks (metrics.rs ↔ security/sinks), the [signer] and sinks settings
    // (their ConfigError from config.rs) and the one admission path
    // (admission.rs ↔ api, network, metrics, security): to be broken by
    // moving the shared items below both.
    ("node/src/admission.rs", "node/src/metrics.rs"),
    ("node/src/admission.rs", "node/src/security.rs"),
    ("node/src/api/events.rs", "node/src/metrics.rs"),
    ("node/src/api/journal.rs", "node/src/journal.rs"),
    ("node/src/api/mod.rs", "node/src/admission.rs"),
    ("node/src/api/mod.rs", "node/src/api/events.rs"),
    ("node/src/api/mod.rs", "node/src/api/journal.rs"),
    ("node/src/api/mod.rs", "node/src/api/limits.rs"),
    ("node/src/api/mod.rs", "node/src/api/server.rs"),
    ("node/src/api/mod.rs", "node/src/journal.rs"),
    ("node/src/api/mod.rs", "node/src/metrics.rs"),
    ("node/src/api/openapi.rs", "node/src/api/events.rs"),
    ("node/src/api/security.rs", "node/src/api/events.rs"),
    ("node/src/api/server.rs", "node/src/api/limits.rs"),
    ("node/src/api/server.rs", "node/src/metrics.rs"),
    ("node/src/api/tests/mod.rs", "node/src/admission.rs"),
    ("node/src/api/tests/mod.rs", "node/src/api/events.rs"),
    ("node/src/api/tests/mod.rs", "node/src/api/limits.rs"),
    ("node/src/api/tests/mod.rs", "node/src/metrics.rs"),
    ("node/src/api/tests/mod.rs", "node/src/proposal.rs"),
    ("node/src/config.rs", "node/src/api/limits.rs"),
    ("node/src/config.rs", "node/src/journal.rs"),
    ("node/src/config.rs", "node/src/signer/mod.rs"),
    ("node/src/journal.rs", "node/src/metrics.rs"),
    ("node/src/metrics.rs", "node/src/security/sinks/mod.rs"),
    ("node/src/network.rs", "node/src/admission.rs"),
    ("node/src/network.rs", "node/src/metrics.rs"),
    ("node/src/proposal.rs", "node/src/api/tests/mod.rs"),
    ("node/src/security.rs", "node/src/metrics.rs"),
    ("node/src/security.rs", "node/src/security/sinks/mod.rs"),
    ("node/src/security/config.rs", "node/src/security/sinks/config.rs"),
    ("node/src/security/sinks/config.rs", "node/src/config.rs"),
    ("node/src/security/sinks/mod.rs", "node/src/security/sinks/config.rs"),
    ("node/src/security/sinks/mod.rs", "node/src/security/sinks/syslog.rs"),
    ("node/src/security/sinks/mod.rs", "node/src/security/sinks/webhook.rs"),
    ("node/src/security/sinks/syslog.rs", "node/src/security/sinks/config.rs"),
    ("node/src/security/sinks/webhook.rs", "node/src/security/sinks/config.rs"),
    ("node/src/signer/mod.rs", "node/src/config.rs"),
    ("types/src/block.rs", "types/src/signer.rs"),
    ("types/src/signer.rs", "types/src/block.rs"),
    ("types/src/signer.rs", "types/src/evidence.rs"),
    ("node/src/api/mod.rs", "node/src/api/console/mod.rs"), // console::ConsoleSettings
    ("node/src/api/console/mod.rs", "node/src/config.rs"),  // crate::config::ConfigError
    ("node/src/api/openapi.rs", "node/src/api/console/mod.rs"), // crate::api::console::ASSETS
    ("node/src/config.rs", "node/src/api/console/mod.rs"),  // crate::api::console::ConsoleConfig
    ("node/src/security/sinks/mod.rs", "node/src/security/sinks/tls.rs"), // tls::SinkTlsError
    ("node/src/security/sinks/syslog.rs", "node/src/security/sinks/tls.rs"), // crate::security::sinks::tls::tests::acceptor
    ("node/src/security/sinks/tls.rs", "node/src/security/sinks/config.rs"), // super::config::SinkTlsConfig
    ("node/src/security/sinks/webhook.rs", "node/src/security/sinks/tls.rs"), // crate::security::sinks::tls::tests::acceptor
    ("node/src/signer/mod.rs", "node/src/signer/remote.rs"),                  // remote::RemoteConsensusSigner
    ("node/src/signer/remote.rs", "node/src/config.rs"),                      // crate::config::ConfigError
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Rust source with comments, string and character literals blanked (newlines kept).
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !prev_is_ident(&b, i) {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), else a lifetime.
            let end = if next == Some('\\') {
                (i + 2..b.len()).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    for _ in i..=e {
                        out.push(' ');
                    }
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// One source file of a crate: its module path and what it declares and names.
#[derive(Debug, Default)]
struct Module {
    file: PathBuf,
    /// Module path from the crate root (`["api", "error"]`).
    path: Vec<String>,
    /// Child modules in their own files: name → module index.
    children: BTreeMap<String, usize>,
    /// Names brought in by `use` (private or `pub`): name → the path as written, with its base.
    imports: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Paths in this file: (line, base module path, path segments as written).
    paths: Vec<(usize, Vec<String>, Vec<String>)>,
}

/// A token: an identifier, `::`, or one punctuation character; with its line.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) {
            let s = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            out.push((b[s..i].iter().collect(), line));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push(("::".into(), line));
            i += 2;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree starting at token `i` (after `use`) into (leaf path, bound name) pairs.
fn use_tree(t: &[(String, usize)], i: &mut usize, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    let mut path = prefix.to_vec();
    while *i < t.len() {
        let tok = t[*i].0.as_str();
        match tok {
            "::" => *i += 1,
            "{" => {
                *i += 1;
                loop {
                    use_tree(t, i, &path, out);
                    match t.get(*i).map(|x| x.0.as_str()) {
                        Some(",") => *i += 1,
                        Some("}") => {
                            *i += 1;
                            break;
                        }
                        _ => break,
                    }
                    if t.get(*i).map(|x| x.0.as_str()) == Some("}") {
                        *i += 1;
                        break;
                    }
                }
                return;
            }
            "*" => {
                *i += 1;
                out.push((path.clone(), "*".into()));
                return;
            }
            "as" => {
                *i += 1;
                let alias = t.get(*i).map(|x| x.0.clone()).unwrap_or_default();
                *i += 1;
                out.push((path.clone(), alias));
                return;
            }
            "," | "}" | ";" => {
                let name = path.last().cloned().unwrap_or_default();
                out.push((path, name));
                return;
            }
            _ if tok.chars().all(is_ident) => {
                path.push(tok.to_owned());
                *i += 1;
            }
            _ => return,
        }
    }
}

struct Crate {
    modules: Vec<Module>,
}

impl Crate {
    fn load(root_file: &Path) -> Crate {
        let mut c = Crate { modules: Vec::new() };
        c.add(root_file.to_path_buf(), Vec::new(), true);
        c
    }

    /// Adds the module in `file` and, recursively, its children; its index.
    fn add(&mut self, file: PathBuf, path: Vec<String>, owns_dir: bool) -> usize {
        let idx = self.modules.len();
        self.modules.push(Module { file: file.clone(), path: path.clone(), ..Module::default() });
        let src = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let t = tokens(&code_only(&src));
        // The directory of this module's children.
        let dir = if owns_dir {
            file.parent().expect("a file has a directory").to_path_buf()
        } else {
            file.with_extension("")
        };
        let file_dir = file.parent().expect("a file has a directory").to_path_buf();
        // Inline module stack: (name, brace depth at which it opened).
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        let mut i = 0;
        let mut path_attr: Option<String> = None;
        while i < t.len() {
            let tok = t[i].0.as_str();
            let here: Vec<String> = path.iter().cloned().chain(inline.iter().map(|(n, _)| n.clone())).collect();
            match tok {
                "{" => depth += 1,
                "}" => {
                    depth = depth.saturating_sub(1);
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                }
                "#" if t.get(i + 2).map(|x| x.0.as_str()) == Some("path") => {
                    // #[path = "…"]: the literal is blanked, so read it from the raw line.
                    let line = t[i].1;
                    let raw = src.lines().nth(line - 1).unwrap_or("");
                    path_attr = raw.split('"').nth(1).map(str::to_owned);
                }
                "mod" if t.get(i + 1).is_some_and(|x| x.0.chars().all(is_ident)) => {
                    let name = t[i + 1].0.clone();
                    match t.get(i + 2).map(|x| x.0.as_str()) {
                        Some(";") if inline.is_empty() => {
                            let (child, child_owns) = match path_attr.take() {
                                Some(p) => (file_dir.join(p), true),
                                None => {
                                    let flat = dir.join(format!("{name}.rs"));
                                    if flat.exists() {
                                        (flat, false)
                                    } else {
                                        (dir.join(&name).join("mod.rs"), true)
                                    }
                                }
                            };
                            let mut cp = path.clone();
                            cp.push(name.clone());
                            let ci = self.add(child, cp, child_owns);
                            self.modules[idx].children.insert(name, ci);
                            i += 3;
                            continue;
                        }
                        Some("{") => {
                            inline.push((name, depth));
                            depth += 1;
                            i += 3;
                            continue;
                        }
                        _ => {}
                    }
                }
                "use" => {
                    let mut j = i + 1;
                    let mut leaves = Vec::new();
                    use_tree(&t, &mut j, &[], &mut leaves);
                    for (p, name) in leaves {
                        self.modules[idx].paths.push((t[i].1, here.clone(), p.clone()));
                        if name != "*" && name != "self" && !name.is_empty() {
                            self.modules[idx].imports.insert(name, (here.clone(), p));
                        }
                    }
                    i = j;
                    continue;
                }
                _ if tok.chars().all(is_ident) && t.get(i + 1).map(|x| x.0.as_str()) == Some("::") => {
                    let after_sep = i > 0 && t[i - 1].0 == "::";
                    if !after_sep {
                        let mut p = vec![tok.to_owned()];
                        let mut j = i + 1;
                        while t.get(j).map(|x| x.0.as_str()) == Some("::")
                            && t.get(j + 1).is_some_and(|x| x.0.chars().all(is_ident))
                        {
                            p.push(t[j + 1].0.clone());
                            j += 2;
                        }
                        self.modules[idx].paths.push((t[i].1, here, p));
                        i = j;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        idx
    }

    /// The module whose path is `p` (a file module), if any.
    fn by_path(&self, p: &[String]) -> Option<usize> {
        self.modules.iter().position(|m| m.path == p)
    }

    /// The file module that holds module path `p` (an inline module is in its file).
    fn file_of(&self, p: &[String]) -> usize {
        (0..=p.len()).rev().find_map(|n| self.by_path(&p[..n])).expect("the crate root holds everything")
    }

    /// The absolute path a written path means at module path `here`, or `None` for an external crate.
    fn absolute(&self, here: &[String], written: &[String]) -> Option<Vec<String>> {
        let first = written.first()?.as_str();
        let (mut base, rest): (Vec<String>, &[String]) = match first {
            "crate" | "$crate" => (Vec::new(), &written[1..]),
            "self" => (here.to_vec(), &written[1..]),
            "super" => {
                let mut b = here.to_vec();
                let mut k = 0;
                while written.get(k).map(String::as_str) == Some("super") {
                    b.pop();
                    k += 1;
                }
                (b, &written[k..])
            }
            _ => {
                // A name of this module: a child module, or a name it imports.
                let m = &self.modules[self.file_of(here)];
                let at_file_level = m.path == here;
                if at_file_level && m.children.contains_key(first) {
                    (here.to_vec(), written)
                } else if at_file_level && m.imports.contains_key(first) {
                    let (ibase, ipath) = &m.imports[first];
                    if ipath.as_slice() == written {
                        return None; // the import itself: its leaf names another crate
                    }
                    let mut abs = self.absolute(ibase, ipath)?;
                    abs.extend(written[1..].iter().cloned());
                    return Some(abs);
                } else {
                    return None;
                }
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The file module an absolute path's item lives in, following imports (bounded).
    fn target(&self, abs: &[String], hops: usize) -> usize {
        // Walk down the file modules the path names.
        let mut n = 0;
        while n < abs.len() && self.by_path(&abs[..=n]).is_some() {
            n += 1;
        }
        let at = self.by_path(&abs[..n]).expect("the root is a module");
        if hops < 8 {
            if let Some(name) = abs.get(n) {
                if let Some((ibase, ipath)) = self.modules[at].imports.get(name) {
                    if let Some(mut src) = self.absolute(ibase, ipath) {
                        src.extend(abs[n + 1..].iter().cloned());
                        if src != abs {
                            return self.target(&src, hops + 1);
                        }
                    }
                }
            }
        }
        at
    }

    /// Edges between files, each with one piece of evidence; a module's use of its ancestors is left out.
    fn edges(&self) -> BTreeMap<(usize, usize), String> {
        let mut out = BTreeMap::new();
        for (from, m) in self.modules.iter().enumerate() {
            for (line, here, written) in &m.paths {
                let Some(abs) = self.absolute(here, written) else { continue };
                let to = self.target(&abs, 0);
                let ancestor = m.path.starts_with(&self.modules[to].path);
                if to != from && !ancestor {
                    out.entry((from, to))
                        .or_insert_with(|| format!("{}:{line}: {}", m.file.display(), written.join("::")));
                }
            }
        }
        out
    }
}

/// The cycles: strongly connected components of more than one file (Tarjan).
fn components(n: usize, edges: &BTreeMap<(usize, usize), String>) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges.keys() {
        adj[a].push(b);
    }
    struct T<'a> {
        adj: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T<'_>, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in &t.adj[v] {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                t.out.push(comp);
            }
        }
    }
    let mut t =
        T { adj: &adj, index: vec![None; n], low: vec![0; n], on: vec![false; n], stack: vec![], next: 0, out: vec![] };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    t.out
}

/// Every crate root of the workspace's members.
fn crate_roots() -> Vec<PathBuf> {
    let root = repo_root();
    let mut out = Vec::new();
    let Ok(members) = std::fs::read_dir(&root) else { return out };
    for m in members.flatten() {
        let src = m.path().join("src");
        if !m.path().join("Cargo.toml").exists() || !src.is_dir() {
            continue;
        }
        for f in ["lib.rs", "main.rs"] {
            if src.join(f).exists() {
                out.push(src.join(f));
            }
        }
        if let Ok(bins) = std::fs::read_dir(src.join("bin")) {
            for b in bins.flatten() {
                let p = b.path();
                if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                } else if p.join("main.rs").exists() {
                    out.push(p.join("main.rs"));
                }
            }
        }
    }
    out.sort();
    out
}

/// The circles of one crate, each as its files and the edges between them;
/// `known` leaves out a circle whose every edge it lists (paths relative to `base`).
fn circles_except(root_file: &Path, base: &Path, known: &[(&str, &str)]) -> Vec<String> {
    let c = Crate::load(root_file);
    let edges = c.edges();
    let rel = |i: usize| {
        let f = &c.modules[i].file;
        f.strip_prefix(base).unwrap_or(f).display().to_string().replace('\\', "/")
    };
    components(c.modules.len(), &edges)
        .into_iter()
        .filter_map(|comp| {
            let set: BTreeSet<usize> = comp.iter().copied().collect();
            let inside: Vec<_> = edges.iter().filter(|((a, b), _)| set.contains(a) && set.contains(b)).collect();
            let listed = |a: usize, b: usize| known.iter().any(|(f, t)| *f == rel(a) && *t == rel(b));
            if inside.iter().all(|((a, b), _)| listed(*a, *b)) {
                return None;
            }
            Some(inside.iter().map(|((a, b), why)| format!("\n    {} → {}   ({why})", rel(*a), rel(*b))).collect())
        })
        .collect()
}

fn circles(root_file: &Path) -> Vec<String> {
    circles_except(root_file, Path::new(""), &[])
}

#[test]
fn no_module_import_circles() {
    let roots = crate_roots();
    assert!(roots.len() >= 7, "expected every workspace crate's root, found {roots:?}");
    let mut found = Vec::new();
    let base = repo_root().canonicalize().expect("the repository root");
    for r in &roots {
        let r = r.canonicalize().expect("a crate root");
        for c in circles_except(&r, &base, KNOWN) {
            found.push(format!("{}:{c}", r.display()));
        }
    }
    assert!(
        found.is_empty(),
        "modules that use each other (move the shared item below both, or into a module above both):\n{}",
        found.join("\n")
    );
}

/// The checker finds what it must: a circle through a re-export, through a
/// `use` group and through an inline path; not a child using its parent, nor
/// an inline test module using its file.
#[test]
fn the_checker_finds_circles_and_allows_parents() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    w("lib.rs", "mod a;\nmod b;\nmod p;\npub use b::Bee;\n/* use crate::a::X; */\n");
    w("a.rs", "use crate::Bee; // crate::b re-exported\npub struct A;\n");
    w("b.rs", "pub struct Bee;\nfn f() { let s = \"crate::a::A\"; }\nmod tests { use super::*; }\n");
    w("p/mod.rs", "mod c;\nuse c::C;\npub struct P;\n");
    w("p/c.rs", "use super::P;\npub struct C;\n");
    let lib = dir.path().join("lib.rs");
    assert!(
        circles(&lib).is_empty(),
        "a string or a comment is not a use; a parent and its child are one: {:?}",
        circles(&lib)
    );
    w("b.rs", "use crate::{p, a::{self, A}};\npub struct Bee;\n");
    let found = circles(&lib);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("a.rs → ") && found[0].contains("b.rs → "), "{}", found[0]);
    // A circle whose every edge is listed is let through; one edge short, it is not.
    let both = [("a.rs", "b.rs"), ("b.rs", "a.rs")];
    assert!(circles_except(&lib, dir.path(), &both).is_empty());
    assert_eq!(circles_except(&lib, dir.path(), &both[..1]).len(), 1);
    w("b.rs", "pub struct Bee;\nfn f() -> usize { crate::a::A; 0 }\n");
    assert_eq!(circles(&lib).len(), 1, "an inline path is a use");
}
