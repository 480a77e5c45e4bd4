//! The regulator console (SPEC §11) in a real browser against a real
//! 4-validator net: headless Chromium driven through chromedriver
//! (W3C WebDriver over HTTP with the workspace's `reqwest`: a crate such as
//! fantoccini unifies features that rebuild RocksDB for the whole workspace).
//!
//! A miner submits a mining notification through the real `tamga` CLI; the
//! console at `/console` lists it; a region filter narrows the register to
//! it; switching to Kazakh changes the labels (to the words of `kk.json`);
//! the CSV export link downloads exactly the filtered rows; the regulator
//! accepts the notification through the CLI and, without a reload, the live
//! feed shows the block that committed it and the register shows it
//! accepted. Screenshots of the main views are written to
//! `<target dir>/console-screenshots/` (the path is printed).
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`, `chromium-driver`;
//! `scripts/prereqs.sh` installs them for the test command). `CHROMEDRIVER`
//! and `CHROMIUM` override the paths. Without them the test FAILS, saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde_json::{json, Value};
use tamga_tests::{say, ConsensusConfig, Net, NetOptions};

use super::walkthrough::{tamga_command, tamga_path};

/// How long any one thing may take to appear in the page.
pub(super) const WAIT: Duration = Duration::from_secs(20);

/// `name` on PATH, or in the usual Debian places.
pub(super) fn which(env: &str, names: &[&str]) -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/lib/chromium")]) {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!(
        "{} not found (set {env}). The console browser test needs Chromium and chromedriver: on Debian/Ubuntu run \
         `sudo apt-get install chromium chromium-driver` (scripts/prereqs.sh does it for the test command as root)",
        names.join(" or ")
    )
}

/// A chromedriver process on a free port, killed on drop.
pub(super) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) async fn start_driver(exe: &Path, log: &Path) -> anyhow::Result<Driver> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(exe)
        .arg(format!("--port={port}"))
        .arg(format!("--log-path={}", log.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let http = reqwest::Client::new();
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await {
            if r.status().is_success() {
                return Ok(driver);
            }
        }
        if Instant::now() > end {
            bail!("chromedriver did not answer on {} within 20 s (log: {})", driver.url, log.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A WebDriver session (W3C protocol) on a local chromedriver.
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Client {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.with_context(|| format!("WebDriver {method} {path}"))?;
        let status = resp.status();
        let v: Value = resp.json().await.with_context(|| format!("WebDriver {method} {path}: not JSON"))?;
        if !status.is_success() {
            bail!("WebDriver {method} {path}: {status} {}", v["value"]);
        }
        Ok(v["value"].clone())
    }
    pub(super) async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await.map(|_| ())
    }
    pub(super) async fn execute(&self, script: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": [] }))).await
    }
    pub(super) async fn find(&self, css: &str) -> anyhow::Result<String> {
        let v = self
            .call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })))
            .await?;
        v[ELEMENT].as_str().map(str::to_owned).ok_or_else(|| anyhow!("no element {css}: {v}"))
    }
    pub(super) async fn click(&self, css: &str) -> anyhow::Result<()> {
        let id = self.find(css).await?;
        self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await.map(|_| ())
    }
    /// Chooses `value` in the `<select>` at `css`, as a user clicking the option.
    pub(super) async fn select(&self, css: &str, value: &str) -> anyhow::Result<()> {
        self.click(&format!("{css} option[value=\"{value}\"]")).await
    }
    pub(super) async fn text(&self, css: &str) -> anyhow::Result<String> {
        let id = self.find(css).await?;
        let v = self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }
    async fn prop(&self, css: &str, name: &str) -> anyhow::Result<String> {
        let id = self.find(css).await?;
        let v = self.call(reqwest::Method::GET, &format!("/element/{id}/property/{name}"), None).await?;
        v.as_str().map(str::to_owned).ok_or_else(|| anyhow!("{css} has no property {name}"))
    }
    /// Types `text` into the element at `css` (a file input takes a path).
    pub(super) async fn send_keys(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let id = self.find(css).await?;
        self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({ "text": text })))
            .await
            .map(|_| ())
    }
    pub(super) async fn screenshot(&self) -> anyhow::Result<Vec<u8>> {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        base64(v.as_str().unwrap_or_default())
    }
    pub(super) async fn close(&self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
    }
}

/// Standard base64 (the screenshot), padding allowed.
fn base64(s: &str) -> anyhow::Result<Vec<u8>> {
    let val = |c: u8| -> anyhow::Result<u32> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => bail!("not base64: byte {c}"),
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'=' && !b.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * i);
        }
        let take = chunk.len().saturating_sub(1);
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    Ok(out)
}

pub(super) async fn browser(driver: &Driver, chromium: &Path, downloads: &Path) -> anyhow::Result<Client> {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1000", "--lang=en-US", "--no-first-run", "--no-default-browser-check",
            ],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
                "intl.accept_languages": "en-US,en",
            },
        },
    });
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/session", driver.url))
        .json(&json!({ "capabilities": { "alwaysMatch": caps } }))
        .send()
        .await
        .context("cannot reach chromedriver")?;
    let v: Value = resp.json().await.context("chromedriver: not JSON")?;
    let id = v["value"]["sessionId"]
        .as_str()
        .ok_or_else(|| anyhow!("cannot open a Chromium session through chromedriver: {}", v["value"]))?;
    Ok(Client { base: format!("{}/session/{id}", driver.url), http })
}

/// Evaluates `expr` in the page until it is truthy; returns its value.
pub(super) async fn until(c: &Client, what: &str, expr: &str) -> Value {
    let script = format!("try {{ return ({expr}); }} catch (e) {{ return null; }}");
    let end = Instant::now() + WAIT;
    loop {
        let v = c.execute(&script).await.unwrap_or(Value::Null);
        let truthy = match &v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(_) => true,
        };
        if truthy {
            return v;
        }
        if Instant::now() > end {
            let main = c.execute("return document.getElementById('main').innerText").await.unwrap_or_default();
            panic!("timed out after {WAIT:?} waiting for {what} ({expr}); the page shows: {main}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The ids in the first column of a table.
async fn ids(c: &Client, table: &str) -> Vec<String> {
    let v = c
        .execute(&format!(
            "return Array.from(document.querySelectorAll('#{table} tbody tr th')).map(th => th.innerText.trim())"
        ))
        .await
        .expect("the page answers");
    serde_json::from_value(v).expect("a list of strings")
}

pub(super) struct Shots {
    pub(super) dir: PathBuf,
}

impl Shots {
    pub(super) async fn take(&self, c: &Client, name: &str) {
        let png = c.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG");
        let p = self.dir.join(format!("{name}.png"));
        std::fs::write(&p, png).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
        say(format!("console: screenshot {}", p.display()));
    }
}

/// `<target dir>/console-screenshots`, next to the test executable's profile dir.
pub(super) fn shots_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable");
    // target/<profile>/deps/it-<hash>
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    target.join("console-screenshots")
}

/// Runs the CLI; returns its JSON output.
pub(super) fn tamga(exe: &Path, args: &[&str]) -> Value {
    say(format!("console: tamga {}", args.join(" ")));
    let out = tamga_command(exe).args(args).output().expect("tamga runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "tamga {args:?}: {}\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("tamga {args:?}: not JSON ({e}): {stdout}"))
}

/// Parses RFC 4180 text (quoted fields may hold commas, quotes and newlines).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub(super) fn catalogue(lang: &str) -> BTreeMap<String, String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../node/src/api/console/assets/i18n/{lang}.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).expect("a catalogue")
}

#[test]
fn csv_parser_reads_quoted_fields() {
    assert_eq!(
        parse_csv("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n"),
        [vec!["a", "b"], vec!["x, \"y\"", "two\nlines"]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_in_a_browser() {
    // The browser first: without one the test fails at once, saying what to install.
    let chromedriver = which("CHROMEDRIVER", &["chromedriver"]).unwrap_or_else(|e| panic!("{e:#}"));
    let chromium = which("CHROMIUM", &["chromium", "chromium-browser", "chrome"]).unwrap_or_else(|e| panic!("{e:#}"));
    let tamga_exe = tamga_path().expect("the tamga binary");
    let opts = NetOptions {
        participants: 10,
        consensus: ConsensusConfig {
            timeout_propose_ms: 1000,
            timeout_prevote_ms: 500,
            timeout_precommit_ms: 500,
            timeout_delta_ms: 250,
            empty_block_wait_ms: 500,
        },
        ..NetOptions::default()
    };
    say(format!("console: seed {}, {} + {}", opts.seed, chromedriver.display(), chromium.display()));
    let net = Net::start(opts).await.expect("the net starts");
    let node = net.client(0).base_url().trim_end_matches('/').to_owned();
    let keys = net.dir().join("keys");
    let key = |name: &str| keys.join(name).display().to_string();

    // 1. A miner notifies a Kostanay site through the CLI.
    let r = tamga(
        &tamga_exe,
        &[
            "--node",
            &node,
            "--key",
            &key("miner.key"),
            "--yes",
            "notify",
            "mining",
            "start",
            "--region",
            "kostanay",
            "--address",
            "Rudny, Promzona 7",
            "--capacity-kw",
            "7000",
            "--units",
            "210",
            "--hashrate-ths",
            "90000",
            "--energy",
            "renewable",
            "--start-date",
            "2025-06-01",
            "--json",
        ],
    );
    assert_eq!(r["status"], "success", "{r}");
    let id = r["notification_id"].as_u64().expect("a notification id");

    let shots = Shots { dir: shots_dir() };
    std::fs::create_dir_all(&shots.dir).expect("the screenshot dir");
    let downloads = net.dir().join("downloads");
    std::fs::create_dir_all(&downloads).expect("the download dir");
    let driver = start_driver(&chromedriver, &net.dir().join("chromedriver.log")).await.expect("chromedriver starts");
    let c = browser(&driver, &chromium, &downloads).await.expect("a browser session");
    let result = scenario(&c, &node, &tamga_exe, &key, id, &shots, &downloads).await;
    c.close().await;
    drop(driver);
    if let Err(e) = result {
        panic!("console scenario: {e:#}");
    }
    say(format!("console: screenshots in {}", shots.dir.display()));
}

#[allow(clippy::too_many_arguments)]
async fn scenario(
    c: &Client,
    node: &str,
    tamga_exe: &Path,
    key: &dyn Fn(&str) -> String,
    id: u64,
    shots: &Shots,
    downloads: &Path,
) -> anyhow::Result<()> {
    let en = catalogue("en");
    let kk = catalogue("kk");

    // 2. The register lists it (English, from the browser's language).
    c.goto(&format!("{node}/console#/mining")).await?;
    until(c, "the console to start", "document.body.dataset.ready === 'true'").await;
    until(c, "the mining register", &format!("document.querySelector('#mining-table a[href=\"#/mining/{id}\"]')"))
        .await;
    let all = ids(c, "mining-table").await;
    say(format!("console: register lists {all:?}"));
    assert!(all.len() >= 2 && all.contains(&format!("#{id}")), "the genesis notification and #{id}: {all:?}");
    let title = c.text("#view-title").await?;
    assert_eq!(title, en["mining.title"]);
    assert_eq!(c.execute("return document.documentElement.lang").await?, "en");
    shots.take(c, "mining-register").await;

    // 3. A filter narrows it: region = Kostanay.
    c.select("#f-region", "kostanay").await?;
    c.click("#mining-filter-apply").await?;
    until(
        c,
        "the filtered view",
        "location.hash.includes('region=kostanay') && document.body.querySelector('#mining-table')",
    )
    .await;
    until(c, "one row", "document.querySelectorAll('#mining-table tbody tr').length === 1").await;
    let narrowed = ids(c, "mining-table").await;
    assert_eq!(narrowed, [format!("#{id}")], "only the Kostanay site");
    let region_cell = c.text("#mining-table tbody tr td:nth-child(5)").await?;
    assert_eq!(region_cell, en["region.kostanay"]);

    // 4. The CSV export of the filtered view: exactly its rows.
    let href = c.prop("#export-csv", "href").await?;
    assert!(href.contains("region=kostanay") && href.contains("format=csv"), "{href}");
    let resp = reqwest::get(&href).await?;
    assert_eq!(resp.status(), 200, "{href}");
    let disposition = resp.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(disposition, "attachment; filename=\"mining-notifications.csv\"");
    let fetched = resp.text().await?;
    c.click("#export-csv").await?;
    let file = downloads.join("mining-notifications.csv");
    let end = Instant::now() + WAIT;
    while !file.is_file() {
        if Instant::now() > end {
            bail!("the browser did not download {} within {WAIT:?}", file.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let downloaded = std::fs::read_to_string(&file)?;
    assert_eq!(downloaded, fetched, "the download is the API's export");
    let rows = parse_csv(&downloaded);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    assert_eq!(rows.len(), 2, "header + the one filtered row: {downloaded}");
    assert_eq!(rows[1][col("id")], id.to_string());
    assert_eq!(rows[1][col("region")], "kostanay");
    assert_eq!(rows[1][col("capacity_kw")], "7000");
    assert_eq!(rows[1][col("address")], "Rudny, Promzona 7", "a quoted field");
    say(format!("console: CSV export {} bytes, rows {:?}", downloaded.len(), rows.len() - 1));

    // 5. Kazakh: every label of the page changes to kk.json's.
    c.execute("window.__noReload = 1").await?;
    c.select("#lang-select", "kk").await?;
    until(
        c,
        "Kazakh labels",
        &format!("document.getElementById('view-title').textContent === {}", json!(kk["mining.title"])),
    )
    .await;
    assert_eq!(c.execute("return document.documentElement.lang").await?, "kk");
    let nav = c.text("#nav a[data-view=mining]").await?;
    assert_eq!(nav, kk["nav.mining"]);
    assert_ne!(kk["nav.mining"], en["nav.mining"]);
    let apply = c.text("#mining-filter-apply").await?;
    assert_eq!(apply, kk["filter.apply"]);
    let region_cell = c.text("#mining-table tbody tr td:nth-child(5)").await?;
    assert_eq!(region_cell, kk["region.kostanay"]);
    let stored = c.execute("return localStorage.getItem('tamga.console.lang')").await?;
    assert_eq!(stored, "kk", "the choice is kept");
    shots.take(c, "mining-register-kk").await;

    // 6. Live: the regulator accepts through the CLI; without a reload the
    //    feed shows the block that committed it and the register updates.
    let r = tamga(
        tamga_exe,
        &[
            "--node",
            node,
            "--key",
            &key("regulator.key"),
            "--yes",
            "regulator",
            "accept-notification",
            &id.to_string(),
            "--json",
        ],
    );
    assert_eq!(r["status"], "success", "{r}");
    let height = r["height"].as_u64().context("the receipt's height")?;
    until(
        c,
        "the block in the live feed",
        &format!("document.querySelector('#feed li.feed-block[data-height=\"{height}\"]')"),
    )
    .await;
    until(c, "the accepted status", "document.querySelector('#mining-table .badge.accepted')").await;
    let feed = c.text("#feed").await?;
    assert!(feed.contains(&kk["event.mining_notification_reviewed"]), "the feed names the review: {feed}");
    assert_eq!(c.execute("return window.__noReload").await?, 1, "no page reload");
    say(format!("console: live feed shows block {height}"));

    // 7. The other main views, for the screenshots (and that they render).
    c.select("#lang-select", "en").await?;
    for (hash, ready, name) in [
        ("#/mining", "#mining-table", "mining"),
        (&format!("#/mining/{id}") as &str, "#mining-history", "mining-detail"),
        ("#/totals", "#totals-table", "totals"),
        ("#/activity", "#activity-table", "activity"),
        ("#/parties", "#parties-table", "parties"),
        ("#/classes/1", "#holders-table", "class"),
        ("#/blocks", "#blocks-table", "blocks"),
    ] {
        c.execute(&format!("location.hash = {}", json!(hash))).await?;
        let view = json!(hash.trim_start_matches("#/"));
        let main = "document.getElementById('main')";
        until(
            c,
            name,
            &format!("{main}.dataset.view === {view} && {main}.getAttribute('aria-busy') === 'false' && {main}.querySelector('{ready}')"),
        )
        .await;
        shots.take(c, &format!("console-{name}")).await;
    }
    let totals = c.find("#totals-table").await;
    assert!(totals.is_err(), "the blocks view replaced the totals");
    let blocks = ids(c, "blocks-table").await;
    assert!(!blocks.is_empty(), "latest blocks listed");
    Ok(())
}
