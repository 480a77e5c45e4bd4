//! [`PgCluster`]: a throwaway PostgreSQL cluster for the indexer scenarios.
//!
//! `initdb` writes a cluster into a temporary directory, `pg_ctl` starts it
//! on a free loopback port (its Unix socket in the same directory) and stops
//! it (`-m immediate`) when the value drops. Nothing outside the directory
//! is touched; no system service is used.
//!
//! PostgreSQL refuses to run as root (`initdb: cannot be run as root`).
//! Under root the directory is handed to the `postgres` OS user (created by
//! the Debian package `postgresql`, which `scripts/prereqs.sh` installs) and
//! every PostgreSQL command runs through `runuser -u postgres --`. The
//! binaries are taken from `TAMGA_PG_BIN` (a directory), else the newest
//! `/usr/lib/postgresql/*/bin`, else `PATH`.
//!
//! The cluster trusts local connections (`--auth=trust`) and runs with
//! `fsync=off`: it is a test fixture, thrown away with its directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};

/// A running throwaway cluster (module docs).
pub struct PgCluster {
    dir: Option<tempfile::TempDir>,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The database superuser the cluster is created with.
pub const SUPERUSER: &str = "tamga";

fn pg_bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(d) = std::env::var("TAMGA_PG_BIN") {
        return Ok(PathBuf::from(d));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let out = Command::new("sh").args(["-c", "command -v initdb"]).output().context("sh")?;
    let p = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    match Path::new(&p).parent() {
        Some(d) if out.status.success() && !p.is_empty() => Ok(d.to_path_buf()),
        _ => bail!("PostgreSQL is not installed (no initdb): run scripts/prereqs.sh as root or set TAMGA_PG_BIN"),
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl PgCluster {
    /// Creates and starts a cluster (module docs).
    pub async fn start() -> anyhow::Result<PgCluster> {
        let bin = pg_bin_dir()?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("tamga-pg-").tempdir().context("cannot create a temp dir")?;
        if as_postgres {
            let st = Command::new("chown").args(["-R", "postgres:"]).arg(dir.path()).status().context("chown")?;
            if !st.success() {
                bail!(
                    "cannot hand {} to the postgres user (is the postgresql package installed?)",
                    dir.path().display()
                );
            }
        }
        let port = free_port()?;
        let pg = PgCluster { dir: Some(dir), bin, port, as_postgres };
        let data = pg.data();
        pg.run(
            "initdb",
            &["-D", &data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
        )?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            pg.path().display()
        );
        let log = format!("{}/postgres.log", pg.path().display());
        pg.run("pg_ctl", &["-D", &data, "-o", &opts, "-l", &log, "-w", "-t", "60", "start"])?;
        Ok(pg)
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or(Path::new("/nonexistent"))
    }

    fn data(&self) -> String {
        format!("{}/data", self.path().display())
    }

    fn run(&self, tool: &str, args: &[&str]) -> anyhow::Result<Output> {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).output().with_context(|| format!("cannot run {}", exe.display()))?;
        if !out.status.success() {
            bail!(
                "{tool} {} failed: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(out)
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `db` (which [`PgCluster::create_db`] made).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{db}", self.port)
    }

    /// Connects to database `db`.
    pub async fn connect(&self, db: &str) -> anyhow::Result<tokio_postgres::Client> {
        let (client, conn) = tokio_postgres::connect(&self.url(db), tokio_postgres::NoTls)
            .await
            .with_context(|| format!("connecting to {}", self.url(db)))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    /// Creates database `db` and returns its URL.
    pub async fn create_db(&self, db: &str) -> anyhow::Result<String> {
        if !db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(anyhow!("database name {db:?}: letters, digits and _ only"));
        }
        let c = self.connect("postgres").await?;
        c.batch_execute(&format!("CREATE DATABASE {db}")).await.with_context(|| format!("CREATE DATABASE {db}"))?;
        Ok(self.url(db))
    }

    /// Stops the cluster now (also done on drop).
    pub fn stop(&mut self) {
        if self.dir.is_some() {
            let data = self.data();
            let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "-t", "30", "stop"]);
            std::thread::sleep(Duration::from_millis(50));
            self.dir = None;
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
    }
}
