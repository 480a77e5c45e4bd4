//! The monitoring shipped in `ops/` (docs/monitoring.md): Prometheus alert
//! rules with their promtool unit tests, and a Grafana dashboard.
//!
//! `promtool_checks_and_tests_the_alert_rules` (no net): `promtool check
//! rules` accepts `ops/prometheus/tamga-rules.yml` and `promtool test rules`
//! passes `ops/prometheus/tests/*.yml`, and every alert of the rules has a unit
//! test there.
//!
//! `dashboard_is_json_and_its_queries_parse` (no net): `ops/grafana/tamga.json`
//! is a dashboard whose every query promtool parses as PromQL.
//!
//! `rules_and_dashboard_name_only_exported_metrics` (a 1-validator net): every
//! `tamga_*` metric the rules and the dashboard name is in the `/metrics` of a
//! running `tamgad`, so renaming a metric breaks this test instead of silently
//! disabling an alert. Metrics of other processes are in [`NOT_TAMGAD`].
//!
//! promtool comes from the Debian package `prometheus` (scripts/prereqs.sh
//! installs it for the test command); `PROMTOOL` names another binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use tamga_tests::{say, Net, NetOptions};

/// Metrics the rules or the dashboard use that `tamgad` does not export, each
/// with the process that does. Every name here must be used (checked), so the
/// list cannot rot.
const NOT_TAMGAD: &[(&str, &str)] = &[
    // tamga-indexer's own /metrics (docs/indexer.md).
    ("tamga_indexer_lag_blocks", "tamga-indexer"),
    // The security-event sinks' outboxes: exported per sink (label `sink`)
    // only once [security.sinks] configures one, so absent from a plain node.
    ("tamga_security_sink_backlog", "tamgad with [security.sinks]"),
    ("tamga_security_sink_dropped_total", "tamgad with [security.sinks]"),
    // Prometheus's node_exporter on the node's host.
    ("node_filesystem_avail_bytes", "node_exporter"),
    ("node_filesystem_size_bytes", "node_exporter"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate is inside the repository").to_path_buf()
}

fn rules_file() -> PathBuf {
    repo().join("ops/prometheus/tamga-rules.yml")
}

fn dashboard_file() -> PathBuf {
    repo().join("ops/grafana/tamga.json")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The promtool binary: `PROMTOOL`, else `promtool` on the PATH; a missing
/// one fails the test with how to install it.
fn promtool() -> PathBuf {
    let bin = std::env::var_os("PROMTOOL").map_or_else(|| PathBuf::from("promtool"), PathBuf::from);
    match Command::new(&bin).arg("--version").output() {
        Ok(out) if out.status.success() => bin,
        Ok(out) => {
            panic!("{} --version exited with {}: {}", bin.display(), out.status, String::from_utf8_lossy(&out.stderr))
        }
        Err(e) => panic!(
            "promtool ({}) cannot run: {e}. Install it with `sudo apt-get install prometheus` (Debian/Ubuntu; \
             scripts/prereqs.sh does it when run as root by scripts/test.sh), or set PROMTOOL to its path",
            bin.display()
        ),
    }
}

/// Runs promtool with `args` in the repository root; panics with its output
/// unless it succeeds.
fn run_promtool(args: &[&str]) -> String {
    let bin = promtool();
    let out = Command::new(&bin)
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("run {} {args:?}: {e}", bin.display()));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "promtool {args:?} failed ({}):\n{text}", out.status);
    text
}

/// `(name, expr)` of every rule of the rules file: the value after `alert:`
/// and the one-line expression after `expr:` (the file keeps each on one line,
/// which this checks).
fn alert_rules() -> Vec<(String, String)> {
    let text = read(&rules_file());
    let mut rules = Vec::new();
    let mut name: Option<String> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(n) = t.strip_prefix("- alert:") {
            name = Some(n.trim().to_owned());
        } else if let Some(e) = t.strip_prefix("expr:") {
            let e = e.trim();
            assert!(!e.is_empty() && !e.starts_with('|') && !e.starts_with('>'), "keep each expr on one line: {line}");
            let n = name.take().unwrap_or_else(|| panic!("expr without an alert before it: {line}"));
            rules.push((n, e.to_owned()));
        }
    }
    assert!(!rules.is_empty(), "no alert rules found in {}", rules_file().display());
    rules
}

/// Every query (`expr`) of the dashboard's panels.
fn dashboard_exprs() -> Vec<String> {
    let path = dashboard_file();
    let v: Value = serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{} is JSON: {e}", path.display()));
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("expr", Value::String(s)) => out.push(s.clone()),
                        _ => walk(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let panels = v.get("panels").and_then(Value::as_array).expect("the dashboard has panels");
    let mut out = Vec::new();
    for p in panels {
        walk(p, &mut out);
    }
    out
}

/// The metric names in a PromQL expression that belong to Tamga or
/// node_exporter (`tamga_…`, `node_…`): identifiers outside quoted strings.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut in_string: Option<char> = None;
    let mut word = String::new();
    let flush = |word: &mut String, names: &mut BTreeSet<String>| {
        if word.starts_with("tamga_") || word.starts_with("node_") {
            names.insert(word.clone());
        }
        word.clear();
    };
    for c in expr.chars() {
        match in_string {
            Some(q) if c == q => in_string = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => {
                flush(&mut word, &mut names);
                in_string = Some(c);
            }
            None if c.is_ascii_alphanumeric() || c == '_' || c == ':' => word.push(c),
            None => flush(&mut word, &mut names),
        }
    }
    flush(&mut word, &mut names);
    names
}

/// The sample names of an OpenMetrics/Prometheus text exposition.
fn exported_names(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn promtool_checks_and_tests_the_alert_rules() {
    let out = run_promtool(&["check", "rules", "ops/prometheus/tamga-rules.yml"]);
    say(out.trim());
    let tests_dir = repo().join("ops/prometheus/tests");
    let mut tests: Vec<String> = std::fs::read_dir(&tests_dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", tests_dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| format!("ops/prometheus/tests/{}", p.file_name().expect("a file name").to_string_lossy()))
        .collect();
    tests.sort();
    assert!(!tests.is_empty(), "no promtool tests in {}", tests_dir.display());
    let mut args = vec!["test", "rules"];
    args.extend(tests.iter().map(String::as_str));
    let out = run_promtool(&args);
    say(out.trim());
    // Each alert has unit tests: a firing case and a case where it does not
    // fire (an `exp_alerts: []` for that alert name).
    let test_text: String = tests.iter().map(|t| read(&repo().join(t))).collect::<Vec<_>>().join("\n");
    for (name, _) in alert_rules() {
        let evals: Vec<&str> =
            test_text.split("alertname: ").skip(1).filter(|s| s.starts_with(&format!("{name}\n"))).collect();
        assert!(
            evals.iter().any(|s| s.lines().nth(1).is_some_and(|l| l.trim() == "exp_alerts: []")),
            "alert {name} has no not-firing test (an eval with `exp_alerts: []`)"
        );
        assert!(
            evals.iter().any(|s| s.lines().nth(1).is_some_and(|l| l.trim() == "exp_alerts:")),
            "alert {name} has no firing test (an eval with expected alerts)"
        );
    }
}

#[test]
fn dashboard_is_json_and_its_queries_parse() {
    let exprs = dashboard_exprs();
    assert!(exprs.len() >= 10, "the dashboard has {} queries", exprs.len());
    // promtool parses each query as a recording rule, with Grafana's
    // variables given plain values.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut yml = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, e) in exprs.iter().enumerate() {
        let e = e.replace("$__rate_interval", "5m").replace("$job", ".*").replace("$instance", ".*");
        assert!(!e.contains('$'), "an unknown Grafana variable in {e}");
        let quoted = serde_json::to_string(&e).expect("a string encodes");
        yml.push_str(&format!("      - record: dashboard:query_{i}\n        expr: {quoted}\n"));
    }
    let file = dir.path().join("dashboard-queries.yml");
    std::fs::write(&file, yml).expect("write the queries");
    let out = run_promtool(&["check", "rules", file.to_str().expect("a UTF-8 path")]);
    say(out.trim());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_and_dashboard_name_only_exported_metrics() {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (_, e) in alert_rules() {
        used.extend(metric_names(&e));
    }
    for e in dashboard_exprs() {
        used.extend(metric_names(&e));
    }
    for (name, _) in NOT_TAMGAD {
        assert!(used.contains(*name), "{name} is allowed in NOT_TAMGAD but no rule or panel uses it: remove it");
    }
    let opts = NetOptions { validators: 1, participants: 1, ..NetOptions::default() };
    say(format!("alerts: seed {} (TAMGA_IT_SEED replays it)", opts.seed));
    let net = Net::start(opts).await.expect("the net starts");
    net.wait_height(0, 2, Duration::from_secs(30)).await.expect("the validator commits");
    let text = net.client(0).metrics().await.expect("GET /metrics");
    let exported = exported_names(&text);
    assert!(exported.contains("tamga_height"), "the exposition has tamga_height:\n{text}");
    let missing: Vec<&String> =
        used.iter().filter(|n| !exported.contains(*n) && !NOT_TAMGAD.iter().any(|(a, _)| a == n)).collect();
    assert!(
        missing.is_empty(),
        "the rules or the dashboard use metrics tamgad does not export: {missing:?}\nexported: {exported:?}"
    );
    say(format!("alerts: {} metric names used, all exported or allowed", used.len()));
}

#[test]
fn metric_names_skip_strings_and_labels() {
    let names = metric_names(
        r#"sum by (kind) (rate(tamga_security_events_total{job="tamga_x",instance=~"$i"}[5m])) / node_filesystem_size_bytes"#,
    );
    let want: BTreeSet<String> =
        ["tamga_security_events_total", "node_filesystem_size_bytes"].into_iter().map(str::to_owned).collect();
    assert_eq!(names, want);
    let exported = exported_names("# TYPE tamga_height gauge\ntamga_height 7\ntamga_x_total{a=\"b\"} 1\n");
    assert_eq!(exported, ["tamga_height", "tamga_x_total"].into_iter().map(str::to_owned).collect());
}
