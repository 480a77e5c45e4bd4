//! The systemd unit shipped in `deploy/systemd/tamgad.service`
//! (docs/deployment.md).
//!
//! `systemd_unit_verifies_and_is_hardened` (no net): `systemd-analyze verify`
//! accepts the unit with no warning (an unknown or misspelt key is a
//! warning), its `ExecStart` pointed at the built `tamgad`; `systemd-analyze
//! security --offline` rates its exposure at 2.0 or less; and the settings
//! docs/deployment.md promises are there: a dedicated user, `Restart=on-failure`,
//! `NoNewPrivileges`, `ProtectSystem=strict` with the home (the `--home` of
//! `ExecStart`) in `ReadWritePaths`, `PrivateTmp`, `LimitNOFILE` and an empty
//! `CapabilityBoundingSet`.
//!
//! `containerfile_is_two_stages_non_root_with_a_health_check` (no net) reads
//! `deploy/Containerfile`; `deployment_guide_is_the_tests_script` (no net)
//! and `four_hosts_from_the_guide` (four network namespaces, root) run
//! docs/deployment.md as its introduction describes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tamga_tests::net::{tamgad_path, NODE_OPEN_FILES};
use tamga_tests::{say, Netns};

fn unit_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the repository")
        .join("deploy/systemd/tamgad.service")
}

/// The value of `key=` in the unit (the last one, as systemd takes it for
/// single-valued keys); `None` when absent.
fn setting<'a>(unit: &'a str, key: &str) -> Option<&'a str> {
    unit.lines().filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('=')).next_back().map(str::trim)
}

fn systemd_analyze(args: &[&str]) -> (bool, String) {
    let out = Command::new("systemd-analyze").args(args).output().unwrap_or_else(|e| {
        panic!("systemd-analyze cannot run: {e}. Install it with `sudo apt-get install systemd` (Debian/Ubuntu)")
    });
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn systemd_unit_verifies_and_is_hardened() {
    let path = unit_file();
    let unit = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));

    let exec = setting(&unit, "ExecStart").expect("ExecStart is set");
    let mut words = exec.split_whitespace();
    let bin = words.next().expect("ExecStart names a binary");
    let args: Vec<&str> = words.collect();
    assert_eq!(args.first(), Some(&"start"), "ExecStart runs `tamgad start`: {exec}");
    let home = args.windows(2).find(|w| w[0] == "--home").map(|w| w[1]).expect("ExecStart passes --home");
    let help = Command::new(tamgad_path().expect("tamgad")).args(["start", "--help"]).output().expect("tamgad runs");
    assert!(String::from_utf8_lossy(&help.stdout).contains("--home"), "tamgad start takes --home");

    let want = [
        ("User", "tamga"),
        ("Group", "tamga"),
        ("Restart", "on-failure"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", home),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
    ];
    for (key, value) in want {
        assert_eq!(setting(&unit, key), Some(value), "{key}= in {}", path.display());
    }
    let nofile: u64 = setting(&unit, "LimitNOFILE")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("LimitNOFILE= is a number in {}", path.display()));
    assert!(nofile >= 65_536, "LimitNOFILE={nofile}: the API and p2p limits need room");

    // `verify` checks that the binary exists: point it at the built one.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let tamgad = tamgad_path().expect("tamgad");
    let local = dir.path().join("tamgad.service");
    std::fs::write(&local, unit.replace(bin, tamgad.to_str().expect("a UTF-8 path"))).expect("write the unit");
    let local = local.to_str().expect("a UTF-8 path");
    let (ok, text) = systemd_analyze(&["verify", local]);
    assert!(ok && text.trim().is_empty(), "systemd-analyze verify {local}:\n{text}");

    // The exposure score, 0 (locked down) to 10 (none); --threshold is in tenths.
    let (ok, text) = systemd_analyze(&["security", "--offline=yes", "--threshold=20", local]);
    let overall = text.lines().find(|l| l.contains("Overall exposure level")).unwrap_or("(no score)");
    say(format!("deployment: {}", overall.trim()));
    assert!(ok, "systemd-analyze security rates the unit above 2.0:\n{text}");
}

// ---------------------------------------------------------------------------
// The container build file `deploy/Containerfile` (docs/deployment.md,
// "Containers"), checked statically: CI may have no container daemon.

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate is inside the repository").join(rel)
}

/// The instructions of a Containerfile: continuation lines joined, comments
/// and blank lines dropped, each as (INSTRUCTION, arguments).
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if cur.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(t);
                let (word, rest) = cur.split_once(char::is_whitespace).unwrap_or((&cur, ""));
                out.push((word.to_ascii_uppercase(), rest.trim().to_owned()));
                cur.clear();
            }
        }
    }
    out
}

/// Two stages (a Rust builder building the three release binaries, a
/// Debian slim runtime); the runtime copies only those binaries from the
/// builder, runs as a named non-root user, has a HEALTHCHECK that asks the
/// node's API, a volume for the home, the p2p port exposed, and starts
/// `tamgad start --home` on that volume.
#[test]
fn containerfile_is_two_stages_non_root_with_a_health_check() {
    let path = repo_file("deploy/Containerfile");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let ins = instructions(&text);
    let froms: Vec<usize> = ins.iter().enumerate().filter(|(_, (i, _))| i == "FROM").map(|(n, _)| n).collect();
    assert_eq!(froms.len(), 2, "a builder and a runtime stage: {ins:?}");
    let (builder, runtime) = (&ins[froms[0]..froms[1]], &ins[froms[1]..]);
    let from_b = &builder[0].1;
    assert!(from_b.contains("rust:") && from_b.ends_with(" AS builder"), "builder stage FROM a Rust image: {from_b}");
    let from_r = &runtime[0].1;
    assert!(from_r.contains("debian:") && from_r.contains("-slim"), "runtime stage FROM Debian slim: {from_r}");
    let build = builder.iter().filter(|(i, _)| i == "RUN").map(|(_, a)| a.as_str()).collect::<Vec<_>>().join(" ");
    assert!(build.contains("cargo build --release --locked"), "the builder builds release binaries: {build}");
    for bin in ["tamgad", "tamga", "tamga-signer"] {
        assert!(build.contains(&format!("--bin {bin} ")) || build.ends_with(&format!("--bin {bin}")), "builds {bin}");
    }
    // The builder's toolchain is at least the workspace's rust-version.
    let manifest = std::fs::read_to_string(repo_file("Cargo.toml")).expect("Cargo.toml");
    let msrv = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = \"")?.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    let minor = |v: &str| {
        let m = v.split('.').nth(1)?;
        m[..m.find(|c: char| !c.is_ascii_digit()).unwrap_or(m.len())].parse::<u32>().ok()
    };
    let image = from_b.split("rust:").nth(1).expect("rust image tag");
    assert!(
        minor(image).is_some() && minor(image) >= minor(msrv),
        "builder image {image} older than rust-version {msrv}"
    );

    // The runtime: only the binaries come from the builder; nothing else is copied.
    let copies: Vec<&str> =
        runtime.iter().filter(|(i, _)| i == "COPY" || i == "ADD").map(|(_, a)| a.as_str()).collect();
    assert_eq!(copies.len(), 1, "one COPY in the runtime stage: {copies:?}");
    let words: Vec<&str> = copies[0].split_whitespace().collect();
    assert_eq!(words.first(), Some(&"--from=builder"), "copied from the builder: {}", copies[0]);
    let (dest, sources) = words[1..].split_last().expect("sources and a destination");
    let names: Vec<&str> = sources.iter().map(|s| s.rsplit('/').next().unwrap_or(s)).collect();
    assert_eq!(names, ["tamgad", "tamga", "tamga-signer"], "only the binaries: {}", copies[0]);
    assert_eq!(*dest, "/usr/local/bin/");
    assert!(!runtime.iter().any(|(i, a)| i == "RUN" && a.contains("cargo")), "no toolchain in the runtime");

    let user = runtime.iter().rev().find(|(i, _)| i == "USER").map(|(_, a)| a.as_str()).expect("USER in the runtime");
    let name = user.split(':').next().unwrap_or(user);
    assert!(!name.is_empty() && name != "root" && name != "0", "the runtime runs as a non-root user: USER {user}");
    let useradd = runtime.iter().find(|(i, a)| i == "RUN" && a.contains("useradd")).expect("the user is created");
    assert!(useradd.1.contains("--system") && useradd.1.contains(name), "a system user {name}: {}", useradd.1);

    let health = runtime.iter().find(|(i, _)| i == "HEALTHCHECK").map(|(_, a)| a.as_str()).expect("HEALTHCHECK");
    assert!(health.contains("CMD") && health.contains("\"tamga\"") && health.contains("\"status\""), "{health}");
    let env = runtime.iter().filter(|(i, _)| i == "ENV").map(|(_, a)| a.as_str()).collect::<Vec<_>>().join(" ");
    assert!(env.contains("TAMGA_NODE=http://127.0.0.1:8080"), "the health check asks the node's loopback API: {env}");

    let volume = runtime.iter().find(|(i, _)| i == "VOLUME").map(|(_, a)| a.as_str()).expect("VOLUME");
    assert!(volume.contains("/var/lib/tamga"), "the home is a volume: {volume}");
    let expose = runtime.iter().find(|(i, _)| i == "EXPOSE").map(|(_, a)| a.as_str()).expect("EXPOSE");
    assert!(expose.split_whitespace().any(|p| p == "26656"), "the p2p port is exposed: {expose}");
    let cmd = runtime.iter().rev().find(|(i, _)| i == "CMD").map(|(_, a)| a.as_str()).expect("CMD");
    let entry = runtime.iter().rev().find(|(i, _)| i == "ENTRYPOINT").map(|(_, a)| a.as_str()).expect("ENTRYPOINT");
    assert_eq!(entry, "[\"tamgad\"]");
    assert_eq!(cmd, "[\"start\", \"--home\", \"/var/lib/tamga\"]");

    // The build context leaves out build outputs and keys.
    let ignore = std::fs::read_to_string(repo_file("deploy/Containerfile.dockerignore")).expect("ignore file");
    for p in ["target", ".devnet", "**/*.key"] {
        assert!(ignore.lines().any(|l| l.trim() == p), "{p} is outside the build context");
    }
    match Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).output() {
        Ok(o) if o.status.success() => say(format!(
            "deployment: a docker daemon ({}) is reachable; `docker build -f deploy/Containerfile .` is not run by the tests",
            String::from_utf8_lossy(&o.stdout).trim()
        )),
        _ => say("deployment: no reachable docker daemon; the Containerfile is checked statically only"),
    }
}

// ---------------------------------------------------------------------------
// docs/deployment.md, run on four hosts.

/// A row of the guide's host table.
#[derive(Debug, Clone)]
struct HostRow {
    /// `A` … `D`.
    host: String,
    /// `a.tamga.example` …
    name: String,
    organisation: String,
    party_id: u64,
    /// The guide's address, `10.0.0.N`.
    address: String,
    bin: String,
    /// The role flags without their backticks.
    flags: String,
}

/// Where a block runs.
#[derive(Debug, Clone, PartialEq)]
enum On {
    Each,
    Host(String),
}

/// A `sh` block marked `# run on: …`.
#[derive(Debug, Clone)]
struct Block {
    on: On,
    text: String,
}

/// The shell variables the guide's commands take from the table.
const VARIABLES: [&str; 5] = ["HOST_IP", "PARTY_ID", "ORG_NAME", "ORG_BIN", "ROLE_FLAGS"];

fn guide() -> String {
    let path = repo_file("docs/deployment.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every fenced `sh` block, in order.
fn sh_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_end()) {
            (None, "```sh") => cur = Some(String::new()),
            (Some(_), "```") => out.extend(cur.take()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

fn runnable(md: &str) -> Vec<Block> {
    sh_blocks(md)
        .into_iter()
        .filter_map(|b| {
            let first = b.lines().next()?.trim().strip_prefix("# run on:")?.trim().to_owned();
            let on = match first.as_str() {
                "each host" => On::Each,
                h => On::Host(h.strip_prefix("host ").unwrap_or_else(|| panic!("`# run on: {h}`")).to_owned()),
            };
            Some(Block { on, text: b })
        })
        .collect()
}

fn host_table(md: &str) -> Vec<HostRow> {
    md.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').map(str::trim).collect();
            if cells.len() != 7 || cells[0].len() != 1 || !cells[0].chars().all(|c| c.is_ascii_uppercase()) {
                return None;
            }
            Some(HostRow {
                host: cells[0].into(),
                name: cells[1].into(),
                organisation: cells[2].into(),
                party_id: cells[3].parse().ok()?,
                address: cells[4].into(),
                bin: cells[5].into(),
                flags: cells[6].trim_matches('`').into(),
            })
        })
        .collect()
}

/// The guide's table, its variables block and its runnable blocks are
/// what [`four_hosts_from_the_guide`] relies on (no net, milliseconds).
#[test]
fn deployment_guide_is_the_tests_script() {
    let md = guide();
    let hosts = host_table(&md);
    assert_eq!(hosts.len(), 4, "four hosts in the table: {hosts:?}");
    for (i, h) in hosts.iter().enumerate() {
        assert_eq!(h.party_id, i as u64 + 1, "{h:?}");
        assert_eq!(h.address, format!("10.0.0.{}", i + 1), "{h:?}");
        assert_eq!(h.name, format!("{}.tamga.example", h.host.to_ascii_lowercase()), "{h:?}");
        tamga_types::validate_iin_bin(&h.bin).unwrap_or_else(|e| panic!("{h:?}: {e}"));
    }
    // The block that shows the variables sets exactly those the test sets.
    let values = sh_blocks(&md).into_iter().find(|b| b.starts_with("HOST_IP=")).expect("the variables block");
    let names: Vec<&str> = values.lines().filter_map(|l| l.split_once('=').map(|(n, _)| n)).collect();
    assert_eq!(names, VARIABLES, "{values}");
    let blocks = runnable(&md);
    let all: String = blocks.iter().map(|b| b.text.as_str()).collect();
    for needle in [
        "tamgad init --home",
        "tamgad genesis org",
        "tamgad genesis assemble",
        "systemctl enable --now tamgad",
        "token transfer",
    ] {
        assert!(all.contains(needle), "a runnable block runs `{needle}`");
    }
    for b in &blocks {
        if let On::Host(h) = &b.on {
            assert!(hosts.iter().any(|r| &r.host == h), "`# run on: host {h}`: no such host in the table");
        }
    }
}

/// The test's stand-ins for `sudo`, `scp` and `systemctl` (see the guide's
/// introduction): `sudo -u USER CMD` runs CMD; `scp FILE… NAME:` copies into
/// host NAME's directory; `systemctl` records its arguments in the current
/// directory's `systemctl.log`.
const SHIMS: [(&str, &str); 3] = [
    ("sudo", "#!/bin/sh\nif [ \"$1\" = -u ]; then shift 2; fi\nexec \"$@\"\n"),
    (
        "scp",
        "#!/bin/sh\nfor last; do :; done\nhost=${last%%:*}; rel=${last#*:}\nn=$#; i=1\n\
         to=\"$DEPLOY_HOSTS/$host/work/$rel\"\n\
         for f; do if [ $i -lt $n ] && ! [ \"$f\" -ef \"$to/${f##*/}\" ]; then cp \"$f\" \"$to\" || exit 1; fi; i=$((i+1)); done\n",
    ),
    ("systemctl", "#!/bin/sh\necho \"$*\" >> systemctl.log\n"),
];

/// One host of the test: its namespace index, table row, directories.
struct Host {
    i: usize,
    row: HostRow,
    /// Stands for `/var/lib/tamga`.
    home: PathBuf,
    /// The current directory of its commands (an administrator's directory).
    work: PathBuf,
    ip: String,
}

/// The started nodes; killed when dropped (also on a panic). Declared
/// after the [`Netns`], so dropped before it.
#[derive(Default)]
struct Nodes(Vec<(usize, std::process::Child)>);

impl Drop for Nodes {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Runs `tamga ARGS` in host `h`'s namespace; its JSON output.
fn tamga_json(ns: &Netns, h: &Host, bin: &Path, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let out = ns
        .command(h.i, &bin.join("tamga"))
        .env_remove("TAMGA_NODE")
        .env_remove("TAMGA_KEY")
        .env_remove("TAMGA_CHAIN_ID")
        .args(args)
        .arg("--json")
        .current_dir(&h.work)
        .output()?;
    if !out.status.success() {
        anyhow::bail!(
            "tamga {args:?} on host {}: {}{}",
            h.row.host,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn wait_height(ns: &Netns, h: &Host, bin: &Path, height: u64, timeout: Duration) -> u64 {
    let t0 = Instant::now();
    loop {
        let got = tamga_json(ns, h, bin, &["status"]).ok().and_then(|s| s["height"].as_u64());
        if let Some(g) = got.filter(|&g| g >= height) {
            return g;
        }
        assert!(t0.elapsed() < timeout, "host {} not at height {height} within {timeout:?} (at {got:?})", h.row.host);
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Four hosts, four network namespaces (each its own address, veth pairs
/// to a bridge), brought up with nothing but the guide's `# run on:`
/// blocks, in the guide's order, with the substitutions its introduction
/// lists: each organisation inits its node and writes its organisation file,
/// host A assembles the genesis from the four, each installs it and starts
/// the systemd unit's `ExecStart` (open-file limit 1,024, like every
/// multi-node test); the net commits blocks, and the transfer host B submits
/// through its own API commits, with the same receipt, on every host.
/// Needs root (network namespaces), `openssl` and `jq`, as the guide does.
#[test]
fn four_hosts_from_the_guide() {
    let md = guide();
    let rows = host_table(&md);
    let blocks = runnable(&md);
    let ns = Netns::create(rows.len()).expect("network namespaces (needs root and iproute2)");
    let mut nodes = Nodes::default();
    let dir = tempfile::Builder::new().prefix("tamga-deploy-").tempdir().expect("a temporary directory");
    let root = dir.path();
    // The binaries on PATH, with the shims before them.
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let tamgad = tamgad_path().expect("tamgad");
    let tamga = crate::walkthrough::tamga_path().expect("tamga");
    std::os::unix::fs::symlink(&tamgad, bin.join("tamgad")).expect("link tamgad");
    std::os::unix::fs::symlink(&tamga, bin.join("tamga")).expect("link tamga");
    for (name, text) in SHIMS {
        let p = bin.join(name);
        std::fs::write(&p, text).expect("shim");
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let hosts: Vec<Host> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let base = root.join(&row.name);
            let (home, work) = (base.join("home"), base.join("work"));
            std::fs::create_dir_all(&work).expect("work dir");
            Host { i, row: row.clone(), home, work, ip: ns.ip(i).to_string() }
        })
        .collect();
    // The coordinator's regulation document.
    std::fs::write(hosts[0].work.join("regulation.pdf"), b"Internal regulation of the test network\n")
        .expect("regulation");
    let unit = std::fs::read_to_string(repo_file("deploy/systemd/tamgad.service")).expect("the unit");
    let exec_start = setting(&unit, "ExecStart").expect("ExecStart").to_owned();

    let substitute = |text: &str, h: &Host| {
        let mut t = text.replace("/var/lib/tamga", h.home.to_str().expect("UTF-8 path"));
        for o in &hosts {
            t = t.replace(&o.row.address, &o.ip);
        }
        t
    };
    for (n, b) in blocks.iter().enumerate() {
        let on: Vec<&Host> =
            hosts.iter().filter(|h| b.on == On::Each || b.on == On::Host(h.row.host.clone())).collect();
        let mut started = Vec::new();
        for h in on {
            let script = substitute(&b.text, h);
            say(format!("deployment: block {n} on host {} ({}):\n{script}", h.row.host, h.ip));
            let out = ns
                .command(h.i, Path::new("sh"))
                .args(["-eu", "-c", &script])
                .current_dir(&h.work)
                .env("PATH", &path)
                .env("HOST_IP", &h.ip)
                .env("PARTY_ID", h.row.party_id.to_string())
                .env("ORG_NAME", &h.row.organisation)
                .env("ORG_BIN", &h.row.bin)
                .env("ROLE_FLAGS", &h.row.flags)
                .env("TAMGA_PASSPHRASE", "a passphrase of the test's own")
                .env("DEPLOY_HOSTS", root)
                .env_remove("TAMGA_NODE")
                .env_remove("TAMGA_KEY")
                .env_remove("TAMGA_CHAIN_ID")
                .output()
                .expect("sh runs");
            let (so, se) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            if !out.status.success() {
                // What the failed command wrote into its files (a receipt, an error body).
                let mut files = String::new();
                for e in std::fs::read_dir(&h.work).into_iter().flatten().flatten() {
                    if e.path().extension().is_some_and(|x| x == "json") {
                        let text: String =
                            std::fs::read_to_string(e.path()).unwrap_or_default().chars().take(2000).collect();
                        files.push_str(&format!("{}:\n{text}\n", e.path().display()));
                    }
                }
                panic!(
                    "block {n} failed on host {}:\n{script}\nstdout:\n{so}\nstderr:\n{se}\nfiles:\n{files}",
                    h.row.host
                );
            }
            say(format!("{so}{se}"));
            // `systemctl enable --now tamgad`: the unit's ExecStart, in the namespace.
            let log = std::fs::read_to_string(h.work.join("systemctl.log")).unwrap_or_default();
            if log.lines().any(|l| l.trim() == "enable --now tamgad") && !nodes.0.iter().any(|(i, _)| *i == h.i) {
                let line = substitute(&exec_start, h);
                let mut words = line.split_whitespace();
                let _unit_bin = words.next();
                let args: Vec<&str> = words.collect();
                let logf = std::fs::File::create(h.work.join("tamgad.log")).expect("log file");
                let child = ns
                    .command(h.i, Path::new("sh"))
                    .arg("-c")
                    .arg(format!("ulimit -n {NODE_OPEN_FILES} && exec \"$0\" \"$@\""))
                    .arg(&tamgad)
                    .args(&args)
                    .stdout(logf.try_clone().expect("log"))
                    .stderr(logf)
                    .spawn()
                    .expect("tamgad starts");
                say(format!("deployment: host {}: {} {}", h.row.host, tamgad.display(), args.join(" ")));
                nodes.0.push((h.i, child));
                started.push(h.i);
            }
        }
        if !started.is_empty() && nodes.0.len() == hosts.len() {
            // The net commits: every host past height 3.
            for h in &hosts {
                let got = wait_height(&ns, h, &bin, 3, Duration::from_secs(60));
                say(format!("deployment: host {} at height {got}", h.row.host));
            }
        }
    }
    assert_eq!(nodes.0.len(), hosts.len(), "every host started its node");

    // The transfer host B submitted, on every host's ledger.
    let b = hosts.iter().find(|h| h.row.host == "B").expect("host B");
    let receipt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.work.join("transfer.json")).expect("transfer.json"))
            .expect("JSON");
    assert_eq!(receipt["status"], "success", "{receipt}");
    assert_eq!(receipt["operation"], "transfer", "{receipt}");
    let hash = receipt["tx_hash"].as_str().expect("tx_hash").to_owned();
    let height = receipt["height"].as_u64().expect("height");
    // Reads of transactions and blocks are for signed requests only (the
    // default `api.public_read = false`); `GET /v1/status` is public. Every
    // host past the transfer's height, at one same height, holds the same
    // block and the same state root: the state holding the transfer.
    let t0 = Instant::now();
    let agreed = loop {
        let st: Vec<serde_json::Value> =
            hosts.iter().map(|h| tamga_json(&ns, h, &bin, &["status"]).unwrap_or_else(|e| panic!("{e:#}"))).collect();
        let at = |s: &serde_json::Value| (s["height"].as_u64(), s["last_block_hash"].clone(), s["state_root"].clone());
        let first = at(&st[0]);
        if first.0.is_some_and(|h0| h0 >= height) && st.iter().all(|s| at(s).0 == first.0) {
            for (h, s) in hosts.iter().zip(&st) {
                assert_eq!(
                    at(s),
                    first,
                    "host {} and host A at the same height hold different blocks or states",
                    h.row.host
                );
            }
            break first;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "the hosts never stood at one height above {height}: {st:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    say(format!("deployment: all four hosts at height {:?}, block {}, state root {}", agreed.0, agreed.1, agreed.2));
    say(format!("deployment: transfer {hash} committed at height {height} on all four hosts"));
    drop(nodes);
    drop(ns);
}
