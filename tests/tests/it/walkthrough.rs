//! The README walkthrough, run through the real `tamga` binary
//! against a real 4-validator net: register parties (with an IIN check digit
//! refused), accept an issuer (a class refused before), create a class, mint,
//! transfer, issue a record, pledge it, see its transfer refused, release,
//! transfer; a miner notifies, the regulator accepts and lists.
//!
//! [`STEPS`] holds each command exactly as README.md's `## Walkthrough`
//! section writes it, its expected exit status and a check of the JSON it
//! prints. `readme_walkthrough_is_the_tests` (no net, milliseconds) and the
//! scenario itself first compare [`STEPS`] with the README, word for word and
//! in order: change both together.
//!
//! The README runs against `scripts/devnet.sh` (`NODE=http://127.0.0.1:8080`,
//! `K=.devnet/keys`); here `$NODE` is node 0 of the net and `$K` its `keys/`.
//! Lines `NAME=$(tamga … | jq -r .FIELD)` set `$NAME` to that field of the
//! command's JSON (the test does what jq would). Every step prints the exact
//! command it ran, with the variables expanded, so a failure can be replayed
//! by hand against the kept net directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde_json::Value;
use tamga_tests::{say, ConsensusConfig, Net, NetOptions};

/// Funded participants of the net: parties 4 … 3 + P (the devnet has 1000,
/// so the README's new parties are 1004 and 1005; here 14 and 15).
const PARTICIPANTS: u64 = 10;

/// One walkthrough command with its expected result.
struct Step {
    /// The command, word for word as in README.md.
    cmd: &'static str,
    /// Expected exit status of `tamga`.
    exit: i32,
    /// Checks the JSON the command printed on stdout.
    check: fn(&Value, &Walk),
}

/// The walkthrough, in the README's order (see the module docs).
const STEPS: &[Step] = &[
    // 1. Keys: two new parties, and two devnet participants as the bank and the buyer.
    Step {
        cmd: "ALICE=$(tamga keys new alice --dir $K --plain --json | jq -r .address)",
        exit: 0,
        check: |r, w| assert_eq!(r["file"].as_str(), Some(w.path("$K/alice.key").as_str())),
    },
    Step {
        cmd: "STEPPE=$(tamga keys new steppe --dir $K --plain --json | jq -r .address)",
        exit: 0,
        check: |r, _| assert_eq!(r["format"], "plain"),
    },
    Step { cmd: "BANK=$(tamga keys show $K/user-0000.key --json | jq -r .address)", exit: 0, check: |_, _| {} },
    Step { cmd: "BUYER=$(tamga keys show $K/user-0001.key --json | jq -r .address)", exit: 0, check: |_, _| {} },
    // 2. The regulator registers an individual and a legal entity; a wrong
    //    IIN check digit is refused before anything is signed.
    Step {
        cmd: "tamga --node $NODE --key $K/regulator.key --yes party register --kind individual \
              --iin-bin 900515401231 --salt 3b0f5c2a9d4e6f718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 \
              --account $ALICE --json",
        exit: 2,
        check: |r, _| {
            assert_eq!(r["code"], "INVALID_ARGUMENT");
            let m = r["message"].as_str().unwrap_or("");
            assert_eq!(m, "IIN/BIN 900515401231 has check digit 1, expected 0");
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/regulator.key --yes party register --kind individual \
              --iin-bin 900515401230 --salt 3b0f5c2a9d4e6f718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 \
              --account $ALICE --json",
        exit: 0,
        check: |r, _| {
            success(r, "register_party");
            assert_eq!(r["party_id"], PARTICIPANTS + 4);
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/regulator.key --yes party register --kind legal-entity \
              --iin-bin 240340012341 --salt 3b0f5c2a9d4e6f718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 \
              --name \"Steppe Grain LLP\" --account $STEPPE --json",
        exit: 0,
        check: |r, _| {
            success(r, "register_party");
            assert_eq!(r["party_id"], PARTICIPANTS + 5);
        },
    },
    // 3. Steppe Grain is not an issuer yet: its class is refused (a failed
    //    receipt). It notifies issuance; the regulator accepts: Issuer role.
    Step {
        cmd: "tamga --node $NODE --key $K/steppe.key --yes token create --symbol WHEAT --name \"Milling wheat\" \
              --decimals 3 --right \"goods:1 kg of milling wheat, delivered at the Kostanay elevator\" \
              --document-hash 9f2b6e0c4d8a1f3e5b7c9d0a2e4f6b8c1d3e5f7a9b0c2d4e6f8a0b1c3d5e7f90 \
              --document-uri https://steppe-grain.example/wheat-terms.pdf \
              --redemption-terms \"delivery within 10 days of the request\" --json",
        exit: 3,
        check: |r, _| {
            failed(r, "NOT_ISSUER");
            assert_eq!(r["operation"], "create_class");
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/steppe.key --yes notify activity start --activity issuance \
              --date 2025-01-15 --json",
        exit: 0,
        check: |r, _| {
            success(r, "submit_activity_notification");
            assert_eq!(r["notification_id"], 2);
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/regulator.key --yes regulator accept-notification 2 --activity --json",
        exit: 0,
        check: |r, _| success(r, "review_activity_notification"),
    },
    // 4. Now the class, a mint to Alice, and a transfer of 250.5 to the buyer.
    Step {
        cmd: "tamga --node $NODE --key $K/steppe.key --yes token create --symbol WHEAT --name \"Milling wheat\" \
              --decimals 3 --right \"goods:1 kg of milling wheat, delivered at the Kostanay elevator\" \
              --document-hash 9f2b6e0c4d8a1f3e5b7c9d0a2e4f6b8c1d3e5f7a9b0c2d4e6f8a0b1c3d5e7f90 \
              --document-uri https://steppe-grain.example/wheat-terms.pdf \
              --redemption-terms \"delivery within 10 days of the request\" --json",
        exit: 0,
        check: |r, _| {
            success(r, "create_class");
            assert_eq!(r["class_id"], 2);
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/steppe.key --yes token mint --class 2 --to $ALICE --amount 1000 --json",
        exit: 0,
        check: |r, _| success(r, "mint"),
    },
    Step {
        cmd: "tamga --node $NODE --key $K/alice.key --yes token transfer --class 2 --to $BUYER --amount 250.5 --json",
        exit: 0,
        check: |r, _| success(r, "transfer"),
    },
    Step {
        cmd: "tamga --node $NODE balance $ALICE --json",
        exit: 0,
        check: |r, _| assert_eq!(class_balance(r, 2), ("WHEAT".to_owned(), 749_500)),
    },
    Step {
        cmd: "tamga --node $NODE balance $BUYER --json",
        exit: 0,
        check: |r, _| assert_eq!(class_balance(r, 2), ("WHEAT".to_owned(), 250_500)),
    },
    // 5. A record of Alice's grain, pledged to the bank: it cannot move until
    //    the bank releases it.
    Step {
        cmd: "tamga --node $NODE --key $K/steppe.key --yes record issue --to $ALICE --kind goods \
              --description \"20 t of milling wheat, Kostanay elevator, bin 7\" --json",
        exit: 0,
        check: |r, _| {
            success(r, "issue_record");
            assert_eq!(r["record_id"], 1);
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/alice.key --yes record encumber 1 --kind pledge --beneficiary $BANK --json",
        exit: 0,
        check: |r, _| {
            success(r, "encumber");
            assert_eq!(r["encumbrance_id"], 1);
        },
    },
    Step {
        cmd: "tamga --node $NODE record show 1 --json",
        exit: 0,
        check: |r, w| {
            assert_eq!(r["holder"].as_str(), Some(w.var("ALICE")));
            assert_eq!(r["status"], "active");
            let e = r["encumbrances"].as_array().expect("encumbrances");
            assert_eq!(e.len(), 1, "one encumbrance: {e:?}");
            assert_eq!(e[0]["id"], 1);
            assert_eq!(e[0]["kind"], "pledge");
            // The bank is devnet participant user-0000: party 4.
            assert_eq!(e[0]["beneficiary"], 4);
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/alice.key --yes record transfer 1 --to $BUYER --json",
        exit: 3,
        check: |r, _| failed(r, "RECORD_ENCUMBERED"),
    },
    Step {
        cmd: "tamga --node $NODE --key $K/user-0000.key --yes record release 1 --encumbrance 1 --json",
        exit: 0,
        check: |r, _| success(r, "release"),
    },
    Step {
        cmd: "tamga --node $NODE --key $K/alice.key --yes record transfer 1 --to $BUYER --json",
        exit: 0,
        check: |r, _| success(r, "transfer_record"),
    },
    Step {
        cmd: "tamga --node $NODE record show 1 --json",
        exit: 0,
        check: |r, w| {
            assert_eq!(r["holder"].as_str(), Some(w.var("BUYER")));
            assert_eq!(r["status"], "active");
            assert_eq!(r["encumbrances"].as_array().map(Vec::len), Some(0), "no encumbrance left");
            let history = r["history"].as_array().expect("history");
            let events: Vec<&str> = history.iter().filter_map(|h| h["event"].as_str()).collect();
            // The refused transfer left no trace.
            assert_eq!(events, ["record_issued", "record_encumbered", "record_released", "record_transferred"]);
            assert_eq!(history[3]["details"]["to"].as_str(), Some(w.var("BUYER")));
            assert_eq!(history[3]["signer"].as_str(), Some(w.var("ALICE")));
        },
    },
    // 6. The dev miner notifies a new site; the regulator (mining scope)
    //    accepts it and lists the accepted notifications.
    Step {
        cmd: "tamga --node $NODE --key $K/miner.key --yes notify mining start --region pavlodar \
              --address \"Ekibastuz, industrial zone 4\" --capacity-kw 12000 --units 3400 --hashrate-ths 400000 \
              --energy grid --start-date 2025-03-01 --json",
        exit: 0,
        check: |r, _| {
            success(r, "submit_mining_notification");
            assert_eq!(r["notification_id"], 2);
        },
    },
    Step {
        cmd: "tamga --node $NODE --key $K/regulator.key --yes regulator accept-notification 2 --json",
        exit: 0,
        check: |r, _| success(r, "review_mining_notification"),
    },
    Step {
        cmd: "tamga --node $NODE notify mining list --status accepted --json",
        exit: 0,
        check: |r, _| {
            let list = r.as_array().expect("a JSON array");
            let ids: Vec<&Value> = list.iter().map(|n| &n["id"]).collect();
            assert_eq!(ids, [&Value::from(1), &Value::from(2)], "the genesis miner's and the new one: {list:?}");
            assert!(list.iter().all(|n| n["status"] == "accepted"), "{list:?}");
            assert_eq!(list[1]["site"]["region"], "pavlodar", "{:?}", list[1]);
            assert_eq!(list[1]["miner"], 3, "the dev miner is party 3: {:?}", list[1]);
            assert_eq!(list[1]["review"]["by"], 1, "accepted by the regulator, party 1: {:?}", list[1]);
        },
    },
];

/// `r` is a successful receipt of `operation`.
fn success(r: &Value, operation: &str) {
    assert_eq!(r["status"], "success", "receipt: {r}");
    assert_eq!(r["operation"], operation, "receipt: {r}");
    assert!(r["height"].as_u64().is_some_and(|h| h > 0), "committed at a height: {r}");
    assert!(r["tx_hash"].as_str().is_some_and(|h| h.len() == 64), "tx_hash: {r}");
}

/// `r` is a committed failed receipt with `code`.
fn failed(r: &Value, code: &str) {
    assert_eq!(r["status"], "failed", "receipt: {r}");
    assert_eq!(r["code"], code, "receipt: {r}");
    assert!(r["height"].as_u64().is_some_and(|h| h > 0), "committed at a height: {r}");
}

/// The symbol and amount (base units) of class `class` in a `balance --json` array.
fn class_balance(r: &Value, class: u64) -> (String, u128) {
    let b = r.as_array().expect("a JSON array").iter().find(|b| b["class"] == class).expect("a balance of the class");
    let amount = match &b["amount"] {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    (b["symbol"].as_str().unwrap_or("").to_owned(), amount.expect("an amount"))
}

/// The walkthrough's state: the `tamga` binary and the shell variables.
struct Walk {
    tamga: PathBuf,
    vars: HashMap<String, String>,
}

impl Walk {
    /// The value of `$name` (set by the net or an earlier step).
    fn var(&self, name: &str) -> &str {
        self.vars.get(name).map(String::as_str).unwrap_or_else(|| panic!("${name} is not set"))
    }

    /// `word` with its variables expanded.
    fn path(&self, word: &str) -> String {
        words(word, Some(&self.vars)).expect("a word").concat()
    }

    /// Runs step `n` and checks its exit status and output.
    fn run(&mut self, n: usize, step: &Step) {
        let (capture, cmd) = split_capture(step.cmd);
        let argv = words(cmd, Some(&self.vars)).unwrap_or_else(|e| panic!("step {n}: {e}"));
        assert_eq!(argv.first().map(String::as_str), Some("tamga"), "step {n} runs tamga");
        say(format!("walkthrough step {n}: {}", argv.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")));
        let t = Instant::now();
        let out = tamga_command(&self.tamga).args(&argv[1..]).output().expect("tamga runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap_or(-1);
        let brief: String = stdout.trim().chars().take(240).collect();
        say(format!("  → exit {code} in {:.1} s: {brief}", t.elapsed().as_secs_f64()));
        assert_eq!(code, step.exit, "step {n}: exit status\nstdout: {stdout}\nstderr: {stderr}");
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("step {n}: stdout is not one JSON document ({e})\nstdout: {stdout}"));
        (step.check)(&json, self);
        if let Some((name, field)) = capture {
            let value = json[field].as_str().unwrap_or_else(|| panic!("step {n}: no string {field:?} in {json}"));
            self.vars.insert(name.to_owned(), value.to_owned());
        }
    }
}

/// `NAME=$(CMD | jq -r .FIELD)` → (Some((NAME, FIELD)), CMD); any other line → (None, line).
fn split_capture(line: &str) -> (Option<(&str, &str)>, &str) {
    let parsed = line.split_once("=$(").and_then(|(name, rest)| {
        let inner = rest.trim_end().strip_suffix(')')?;
        let (cmd, field) = inner.split_once(" | jq -r .")?;
        let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_');
        is_name.then_some((name, field.trim(), cmd))
    });
    match parsed {
        Some((name, field, cmd)) => (Some((name, field)), cmd),
        None => (None, line),
    }
}

/// Splits `line` into words like a POSIX shell, for what the walkthrough
/// uses: blanks separate words, `'…'` is literal, `"…"` groups and expands,
/// `$NAME` expands (with `vars`; `None` keeps it as written).
fn words(line: &str, vars: Option<&HashMap<String, String>>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => out.extend(cur.take()),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.get_or_insert_with(String::new);
            }
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '$') => {
                let mut name = String::new();
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphanumeric() || **n == '_') {
                    name.push(n);
                    chars.next();
                }
                let w = cur.get_or_insert_with(String::new);
                match vars {
                    None => {
                        w.push('$');
                        w.push_str(&name);
                    }
                    Some(v) => w.push_str(v.get(&name).ok_or_else(|| format!("${name} is not set"))?),
                }
            }
            (_, c) => cur.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(q) = quote {
        return Err(format!("unclosed {q} in {line}"));
    }
    out.extend(cur);
    Ok(out)
}

/// `w` quoted for a shell when it needs it (step logs that can be pasted).
fn quote(w: &str) -> String {
    if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@".contains(c)) {
        w.to_owned()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// The commands of README.md's `## Walkthrough` section: the lines of its
/// `sh` blocks that run `tamga` (directly or as `NAME=$(tamga …)`), with
/// `\` continuations joined and `#` comments dropped.
fn readme_commands(readme: &str) -> Vec<String> {
    let section =
        readme.split("\n## ").find(|s| s.starts_with("Walkthrough")).expect("README.md has a `## Walkthrough` section");
    let mut cmds = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in section.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = strip_comment(t);
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(code);
        let full = std::mem::take(&mut pending);
        let full = full.trim();
        if full.starts_with("tamga ") || split_capture(full).0.is_some() {
            cmds.push(full.to_owned());
        }
    }
    cmds
}

/// `line` up to a `#` that starts a word outside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => return line[..i].trim_end(),
            _ => {}
        }
        prev = c;
    }
    line
}

/// Fails unless [`STEPS`] and README.md's walkthrough are the same commands
/// in the same order (compared word by word, variables unexpanded).
fn assert_readme_matches() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let readme_cmds = readme_commands(&readme);
    for (i, step) in STEPS.iter().enumerate() {
        let ours = words(step.cmd, None).expect("a test command parses");
        let theirs = readme_cmds.get(i).map(|c| words(c, None).expect("a README command parses"));
        assert_eq!(
            theirs.as_ref(),
            Some(&ours),
            "walkthrough step {} differs between README.md and tests/tests/it/walkthrough.rs: keep them in sync",
            i + 1
        );
    }
    assert_eq!(
        readme_cmds.len(),
        STEPS.len(),
        "README.md's walkthrough has commands the test does not run: {:?}",
        &readme_cmds[STEPS.len().min(readme_cmds.len())..]
    );
}

/// The `tamga` CLI at `exe` with the environment defaults it reads
/// (`TAMGA_NODE`, `TAMGA_KEY`, `TAMGA_CHAIN_ID`) removed, so a step runs
/// with exactly the flags it names.
pub(crate) fn tamga_command(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env_remove("TAMGA_NODE").env_remove("TAMGA_KEY").env_remove("TAMGA_CHAIN_ID");
    cmd
}

/// The `tamga` executable: `TAMGA_BIN`, else built with cargo like the
/// harness builds `tamgad` (`tamga_tests::net::tamgad_path`): same profile and
/// target directory as this test executable.
pub(crate) fn tamga_path() -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var("TAMGA_BIN") {
        return Ok(PathBuf::from(p));
    }
    // target/<profile>/deps/it-<hash>
    let exe = std::env::current_exe()?;
    let profile_dir =
        exe.parent().and_then(Path::parent).ok_or_else(|| anyhow!("no profile dir above {}", exe.display()))?;
    let target_dir = profile_dir.parent().ok_or_else(|| anyhow!("no target dir above {}", profile_dir.display()))?;
    let profile = match profile_dir.file_name().and_then(|s| s.to_str()) {
        Some("debug") => "dev",
        Some(p) => p,
        None => bail!("unexpected profile dir {}", profile_dir.display()),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    say(format!("building tamga (profile {profile}, target dir {})", target_dir.display()));
    let status = Command::new(cargo)
        .args(["build", "-p", "tamga-client", "--bin", "tamga", "--profile", profile, "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .context("cannot run cargo to build tamga")?;
    if !status.success() {
        bail!("cargo build of tamga failed: {status}");
    }
    Ok(profile_dir.join("tamga"))
}

/// The README's walkthrough and [`STEPS`] are the same commands (no net).
#[test]
fn readme_walkthrough_is_the_tests() {
    assert_readme_matches();
}

/// The extraction keeps only the walkthrough's `tamga` lines, joined and
/// without comments; words keep quoted blanks and `#` inside quotes.
#[test]
fn readme_commands_are_extracted_like_a_shell_reads_them() {
    let readme = "# T\n\n```sh\ntamga status\n```\n\n## Walkthrough\n\nText `tamga x`.\n\n```sh\n\
                  export PATH=\"$PWD/target/release:$PATH\"   # setup, not a step\n\
                  A=$(tamga keys show $K/a.key --json | jq -r .address)\n\
                  tamga --node $NODE token create --name \"Wheat #1\" \\\n  --right 'goods:x y' --json   # exit 0\n\
                  # a comment line\n```\n\n```text\ntamga not-a-step\n```\n\n## Next\n\n```sh\ntamga later\n```\n";
    let cmds = readme_commands(readme);
    assert_eq!(
        cmds,
        [
            "A=$(tamga keys show $K/a.key --json | jq -r .address)",
            "tamga --node $NODE token create --name \"Wheat #1\"  --right 'goods:x y' --json"
        ]
    );
    assert_eq!(split_capture(&cmds[0]), (Some(("A", "address")), "tamga keys show $K/a.key --json"));
    let vars = HashMap::from([("NODE".to_owned(), "http://n".to_owned())]);
    assert_eq!(
        words(&cmds[1], Some(&vars)).expect("words"),
        ["tamga", "--node", "http://n", "token", "create", "--name", "Wheat #1", "--right", "goods:x y", "--json"]
    );
    assert!(words("tamga $UNSET", Some(&vars)).is_err());
}

/// The README walkthrough through the real `tamga` binary against a 4-validator net.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_walkthrough_through_the_cli() {
    assert_readme_matches();
    let tamga = tamga_path().expect("the tamga binary");
    let opts = NetOptions {
        participants: PARTICIPANTS as usize,
        consensus: ConsensusConfig {
            timeout_propose_ms: 1000,
            timeout_prevote_ms: 500,
            timeout_precommit_ms: 500,
            timeout_delta_ms: 250,
            empty_block_wait_ms: 200,
        },
        ..NetOptions::default()
    };
    say(format!("walkthrough: seed {} (TAMGA_IT_SEED replays it), tamga {}", opts.seed, tamga.display()));
    let net = Net::start(opts).await.expect("the net starts");
    let node = net.client(0).base_url().to_owned();
    let keys = net.dir().join("keys");
    let mut walk =
        Walk { tamga, vars: HashMap::from([("NODE".to_owned(), node), ("K".to_owned(), keys.display().to_string())]) };
    let t = Instant::now();
    for (i, step) in STEPS.iter().enumerate() {
        walk.run(i + 1, step);
    }
    say(format!("walkthrough: {} steps in {:.1} s", STEPS.len(), t.elapsed().as_secs_f64()));
    net.assert_consistent(None, Duration::from_secs(20)).await.expect("every node agrees");
}
