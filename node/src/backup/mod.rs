//! Backups and restore of a node's ledger (procedure in
//! `docs/operations.md`). This module holds the format and
//! create/verify/restore; `admin` the operator socket, `schedule` the
//! scheduled backups, `command` the `tamgad backup` command line.
//!
//! A backup is a directory:
//!
//! ```text
//! OUT/ledger/       RocksDB checkpoint of HOME/data/ledger (consistent: whole blocks only)
//! OUT/safety.bin    copy of HOME/data/safety.bin at that moment, if the node had one
//! OUT/backup.json   manifest, written last, after the copy verified: format, tamgad
//!                   version, time, node key, safety mark, and the verification report
//! ```
//!
//! * **Create.** A running node holds the RocksDB lock, so `tamgad backup
//!   create` asks it, over its operator socket `HOME/admin/tamgad.sock`, to
//!   make the checkpoint itself ([`serve_admin`]); a stopped node's database
//!   is opened directly. Either way the copy is verified
//!   ([`tamga_state::verify_backup`]) before the manifest is written, and a
//!   failed attempt leaves nothing behind.
//! * **Operator socket.** A Unix socket in a directory of mode 0700, itself
//!   0600, that also checks the peer's uid (`SO_PEERCRED`): only the node's
//!   own user (or root) can ask for a backup. It listens on no network
//!   interface, needs no port, no token and no TLS, and cannot be reached
//!   from another machine, which is why it is preferred to an HTTP admin route.
//! * **Verify.** [`verify`] re-checks the ledger copy from scratch and that the
//!   manifest and the safety copy agree with it.
//! * **Restore.** [`restore`] refuses while the node runs (pid file, operator
//!   socket, database lock), refuses to replace an existing ledger without
//!   `--force`, refuses a backup of another genesis, and never replaces a newer
//!   consensus safety state with an older one: the safety state records the
//!   votes this validator signed, and going back would let it sign a
//!   conflicting vote (SPEC §9 equivocation evidence). It leaves
//!   `HOME/data/restored.json`, which makes the next start catch up from its
//!   peers before it signs anything (see `driver.rs`).
//! * **Schedule.** With `[backup] enabled`, the node makes a backup every
//!   `interval_secs` into `[backup] dir`; each is verified as part of its
//!   creation, and the older ones are deleted only once the new one has
//!   verified ("keep each until the next is verified").

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tamga_consensus::{SafetyState, Step};
use tamga_state::{verify_backup, BackupReport, Ledger};
use tamga_types::Height;
use tracing::{error, info, info_span, warn, Instrument};

use crate::config::BackupConfig;
use crate::home::{write_atomic, Home};
use crate::metrics::Metrics;

/// The manifest's file name.
pub const MANIFEST: &str = "backup.json";
/// The ledger checkpoint's directory name.
pub const LEDGER_DIR: &str = "ledger";
/// The safety state copy's file name.
pub const SAFETY_FILE: &str = "safety.bin";
/// Manifest format version.
pub const FORMAT: u32 = 1;
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
const MAX_REQUEST_BYTES: u64 = 4096;
/// Scheduled backups are `backup-<unix ms>-h<height>` in `[backup] dir`.
const SCHEDULED_PREFIX: &str = "backup-";
const INCOMPLETE_PREFIX: &str = ".incomplete-";

/// A backup, restore or operator-socket failure.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists.
    #[error("{path} already exists: a backup is written to a new directory")]
    Exists {
        /// Path.
        path: String,
    },
    /// A file operation failed.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The ledger could not be opened or checkpointed.
    #[error("ledger: {0}")]
    Ledger(String),
    /// The ledger copy is not a usable ledger.
    #[error("the ledger copy {path} failed verification: {source}")]
    Verify {
        /// The ledger directory.
        path: String,
        /// What failed.
        source: tamga_state::BackupError,
    },
    /// The manifest is missing or invalid.
    #[error("{path}: {why}")]
    Manifest {
        /// Manifest path.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// The manifest disagrees with what the backup holds.
    #[error("backup.json says {field} is {manifest}, the backup holds {found}")]
    ManifestMismatch {
        /// Field.
        field: &'static str,
        /// Value in the manifest.
        manifest: String,
        /// Value found.
        found: String,
    },
    /// A safety state file cannot be read or decoded.
    #[error("consensus safety state {path}: {why}")]
    Safety {
        /// File.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// The node runs.
    #[error("the node in {home} is running ({how}); stop it first")]
    Running {
        /// Home.
        home: String,
        /// How it was detected.
        how: String,
    },
    /// The home already holds a ledger.
    #[error("{path} already holds a ledger; pass --force to replace it with the backup")]
    NotEmpty {
        /// Ledger directory.
        path: String,
    },
    /// The backup is of another network.
    #[error("the backup is of genesis {backup}, the home's genesis.json is {home}: another network")]
    GenesisMismatch {
        /// Genesis hash in the backup.
        backup: String,
        /// Genesis hash of the home.
        home: String,
    },
    /// One backup at a time.
    #[error("a backup is already being made by this node")]
    Busy,
    /// The operator socket failed.
    #[error("operator socket {path}: {why}")]
    Admin {
        /// Socket path.
        path: String,
        /// What failed.
        why: String,
    },
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BackupError + 'a {
    move |source| BackupError::Io { what, path: path.display().to_string(), source }
}

use crate::now_ms;

/// Where a safety state stands: later means more signed. Compared in field
/// order (height, round, step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SafetyMark {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: u32,
    /// Step: 0 propose, 1 prevote, 2 precommit, 3 commit.
    pub step: u8,
}

/// Reads and decodes a safety state file: `None` when there is none.
pub fn read_safety(path: &Path) -> Result<Option<(SafetyMark, Vec<u8>)>, BackupError> {
    let bad = |why: String| BackupError::Safety { path: path.display().to_string(), why };
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(e.to_string())),
    };
    // Any version the driver reads (`crate::safety`), and nothing it refuses.
    let s: SafetyState = crate::safety::decode(&bytes).map_err(|e| bad(e.to_string()))?;
    let step = match s.step {
        Step::Propose => 0,
        Step::Prevote => 1,
        Step::Precommit => 2,
        Step::Commit => 3,
    };
    Ok(Some((SafetyMark { height: s.height, round: s.round, step }, bytes)))
}

/// `OUT/backup.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// Version of the tamgad that wrote it.
    pub tamgad_version: String,
    /// Creation time, ms since the Unix epoch.
    pub created_unix_ms: u64,
    /// Public key (hex) of the node backed up.
    pub node_key: String,
    /// The copied safety state, if the node had one.
    pub safety: Option<SafetyMark>,
    /// The verification report of the ledger copy.
    pub ledger: BackupReport,
}

fn mkdir_private(path: &Path) -> Result<(), BackupError> {
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(path).map_err(io("create", path))
}

fn sync_dir(path: &Path) -> Result<(), BackupError> {
    fs::File::open(path).and_then(|f| f.sync_all()).map_err(io("sync", path))
}

/// Makes a backup of the open `ledger` of `home` into `out` (which must not
/// exist): checkpoint, safety copy, verification, manifest. On failure
/// nothing is left at `out`.
pub fn create(ledger: &Ledger, home: &Home, node_key: &str, out: &Path) -> Result<Manifest, BackupError> {
    let _span = info_span!(target: "tamga::backup", "backup_create", out = %out.display()).entered();
    if out.exists() {
        return Err(BackupError::Exists { path: out.display().to_string() });
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io("create", parent))?;
    }
    mkdir_private(out)?;
    let r = create_in(ledger, home, node_key, out);
    if r.is_err() {
        let _ = fs::remove_dir_all(out);
    }
    r
}

fn create_in(ledger: &Ledger, home: &Home, node_key: &str, out: &Path) -> Result<Manifest, BackupError> {
    let started = Instant::now();
    let dir = out.join(LEDGER_DIR);
    ledger
        .checkpoint(&dir)
        .map_err(|e| BackupError::Ledger(format!("cannot checkpoint into {}: {e}", dir.display())))?;
    // After the checkpoint: the safety state is then at least one height above the copy.
    let safety = match read_safety(&home.safety())? {
        Some((mark, bytes)) => {
            let p = out.join(SAFETY_FILE);
            write_atomic(&p, &bytes, 0o600).map_err(io("write", &p))?;
            Some(mark)
        }
        None => None,
    };
    let report =
        verify_backup(&dir).map_err(|source| BackupError::Verify { path: dir.display().to_string(), source })?;
    let manifest = Manifest {
        format: FORMAT,
        tamgad_version: env!("CARGO_PKG_VERSION").into(),
        created_unix_ms: now_ms(),
        node_key: node_key.into(),
        safety,
        ledger: report,
    };
    let p = out.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    write_atomic(&p, text.as_bytes(), 0o600).map_err(io("write", &p))?;
    info!(
        target: "tamga::backup",
        out = %out.display(),
        height = manifest.ledger.height,
        root = %manifest.ledger.state_root,
        secs = started.elapsed().as_secs_f64(),
        "backup created and verified"
    );
    Ok(manifest)
}

/// Reads `DIR/backup.json` (bounded).
pub fn read_manifest(dir: &Path) -> Result<Manifest, BackupError> {
    let p = dir.join(MANIFEST);
    let bad = |why: String| BackupError::Manifest { path: p.display().to_string(), why };
    if !dir.is_dir() {
        return Err(bad(format!("{} is not a directory", dir.display())));
    }
    let f = match fs::File::open(&p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad("missing: not a backup, or one whose creation did not finish".into()))
        }
        Err(e) => return Err(bad(e.to_string())),
    };
    let mut text = String::new();
    f.take(MAX_MANIFEST_BYTES + 1).read_to_string(&mut text).map_err(|e| bad(e.to_string()))?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(bad(format!("larger than {MAX_MANIFEST_BYTES} bytes")));
    }
    let m: Manifest = serde_json::from_str(&text).map_err(|e| bad(format!("not a backup manifest: {e}")))?;
    if m.format != FORMAT {
        return Err(bad(format!("format {}, this tamgad reads format {FORMAT}", m.format)));
    }
    Ok(m)
}

/// Verifies the backup in `dir`: the ledger copy from scratch, and that the
/// manifest and the safety copy agree with what is there.
pub fn verify(dir: &Path) -> Result<Manifest, BackupError> {
    let _span = info_span!(target: "tamga::backup", "backup_verify", dir = %dir.display()).entered();
    let m = read_manifest(dir)?;
    let ledger = dir.join(LEDGER_DIR);
    let found =
        verify_backup(&ledger).map_err(|source| BackupError::Verify { path: ledger.display().to_string(), source })?;
    let diff = |field, a: String, b: String| {
        if a == b {
            Ok(())
        } else {
            Err(BackupError::ManifestMismatch { field, manifest: a, found: b })
        }
    };
    let l = &m.ledger;
    diff("chain_id", l.chain_id.clone(), found.chain_id.clone())?;
    diff("genesis_hash", l.genesis_hash.to_string(), found.genesis_hash.to_string())?;
    diff("height", l.height.to_string(), found.height.to_string())?;
    diff("block_hash", l.block_hash.to_string(), found.block_hash.to_string())?;
    diff("state_root", l.state_root.to_string(), found.state_root.to_string())?;
    diff("entries", format!("{:?}", l.entries), format!("{:?}", found.entries))?;
    let safety = read_safety(&dir.join(SAFETY_FILE))?.map(|(m, _)| m);
    diff("safety", format!("{:?}", m.safety), format!("{safety:?}"))?;
    Ok(m)
}

/// How `restore` settled the safety state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SafetyOutcome {
    /// The home's own safety state is as new or newer: kept as it was.
    KeptExisting,
    /// The home had none, or an older one: the backup's was installed.
    InstalledFromBackup,
    /// Neither had one.
    None,
}

/// What [`restore`] did.
#[derive(Clone, Debug, Serialize)]
pub struct Restored {
    /// The backup's manifest.
    pub manifest: Manifest,
    /// Whether an existing ledger was replaced (`--force`).
    pub replaced: bool,
    /// The safety state decision.
    pub safety: SafetyOutcome,
}

/// `HOME/data/restored.json`: left by [`restore`]; while it exists, the
/// node catches up from its peers before signing anything.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RestoredMarker {
    /// Height of the restored ledger.
    pub height: Height,
    /// The backup restored.
    pub from: String,
    /// When, ms since the Unix epoch.
    pub at_unix_ms: u64,
}

/// Why the node in `home` is believed to run, if it is.
pub fn running(home: &Home) -> Option<String> {
    if let Ok(text) = fs::read_to_string(home.pid_file()) {
        if let Ok(pid) = text.trim().parse::<u32>() {
            if pid != std::process::id() && Path::new("/proc").join(pid.to_string()).exists() {
                return Some(format!("process {pid} from {}", home.pid_file().display()));
            }
        }
    }
    #[cfg(unix)]
    if std::os::unix::net::UnixStream::connect(home.admin_socket()).is_ok() {
        return Some(format!("{} answers", home.admin_socket().display()));
    }
    if home.ledger().join("CURRENT").exists() {
        if let Err(e) = Ledger::open(&home.ledger()) {
            if e.to_string().to_lowercase().contains("lock") {
                return Some(format!("{} is locked", home.ledger().display()));
            }
        }
    }
    None
}

/// Restores the backup in `dir` into `home`; see the module docs for every
/// refusal. The ledger is copied into `data/ledger.restoring` and renamed into
/// place, so an interrupted restore leaves the old ledger or the new one.
pub fn restore(dir: &Path, home: &Home, force: bool) -> Result<Restored, BackupError> {
    let _span = info_span!(target: "tamga::backup", "backup_restore", dir = %dir.display()).entered();
    let home_s = home.root().display().to_string();
    if let Some(how) = running(home) {
        return Err(BackupError::Running { home: home_s, how });
    }
    let manifest = verify(dir)?;
    if home.genesis().exists() {
        let g = crate::home::load_genesis(&home.genesis())
            .map_err(|e| BackupError::Manifest { path: home.genesis().display().to_string(), why: format!("{e:#}") })?;
        if g.hash() != manifest.ledger.genesis_hash {
            return Err(BackupError::GenesisMismatch {
                backup: manifest.ledger.genesis_hash.to_string(),
                home: g.hash().to_string(),
            });
        }
    }
    let target = home.ledger();
    let occupied = target.exists() && fs::read_dir(&target).map_err(io("read", &target))?.next().is_some();
    if occupied && !force {
        return Err(BackupError::NotEmpty { path: target.display().to_string() });
    }
    // Decide about the safety state before anything changes: an unreadable
    // one cannot be judged older, so the restore stops.
    let existing = read_safety(&home.safety())?;
    let backup_safety = read_safety(&dir.join(SAFETY_FILE))?;
    let install = match (&existing, &backup_safety) {
        (Some((mine, _)), Some((theirs, bytes))) if theirs > mine => Some(bytes.clone()),
        (None, Some((_, bytes))) => Some(bytes.clone()),
        _ => None,
    };
    let data = target.parent().unwrap_or(home.root()).to_path_buf();
    fs::create_dir_all(&data).map_err(io("create", &data))?;
    let staging = data.join("ledger.restoring");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io("remove", &staging))?;
    }
    fs::create_dir(&staging).map_err(io("create", &staging))?;
    let src = dir.join(LEDGER_DIR);
    for entry in fs::read_dir(&src).map_err(io("read", &src))? {
        let entry = entry.map_err(io("read", &src))?;
        let from = entry.path();
        if !entry.file_type().map_err(io("stat", &from))?.is_file() {
            return Err(BackupError::Manifest {
                path: from.display().to_string(),
                why: "a ledger copy holds files only".into(),
            });
        }
        let to = staging.join(entry.file_name());
        fs::copy(&from, &to).map_err(io("copy", &from))?;
        fs::File::open(&to).and_then(|f| f.sync_all()).map_err(io("sync", &to))?;
    }
    sync_dir(&staging)?;
    let old = data.join("ledger.replaced");
    if occupied {
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io("remove", &old))?;
        }
        fs::rename(&target, &old).map_err(io("move aside", &target))?;
    }
    fs::rename(&staging, &target).map_err(io("move into place", &staging))?;
    sync_dir(&data)?;
    if occupied {
        fs::remove_dir_all(&old).map_err(io("remove", &old))?;
    }
    {
        let l = Ledger::open(&target).map_err(|e| BackupError::Ledger(e.to_string()))?;
        let (h, root) = (
            l.height().map_err(|e| BackupError::Ledger(e.to_string()))?,
            l.state_root().map_err(|e| BackupError::Ledger(e.to_string()))?,
        );
        if h != manifest.ledger.height || root != manifest.ledger.state_root {
            return Err(BackupError::ManifestMismatch {
                field: "restored height and root",
                manifest: format!("{} {}", manifest.ledger.height, manifest.ledger.state_root),
                found: format!("{h} {root}"),
            });
        }
    }
    let safety = match (install, existing.is_some(), backup_safety.is_some()) {
        (Some(bytes), _, _) => {
            write_atomic(&home.safety(), &bytes, 0o600).map_err(io("write", &home.safety()))?;
            SafetyOutcome::InstalledFromBackup
        }
        (None, true, _) => SafetyOutcome::KeptExisting,
        (None, false, _) => SafetyOutcome::None,
    };
    let marker =
        RestoredMarker { height: manifest.ledger.height, from: dir.display().to_string(), at_unix_ms: now_ms() };
    let text = serde_json::to_string_pretty(&marker).unwrap_or_default();
    write_atomic(&home.restored_marker(), text.as_bytes(), 0o600).map_err(io("write", &home.restored_marker()))?;
    info!(target: "tamga::backup", height = manifest.ledger.height, replaced = occupied, ?safety, "backup restored");
    Ok(Restored { manifest, replaced: occupied, safety })
}

/// Makes backups for a running node: the operator socket's and the
/// schedule's, one at a time, with metrics.
pub struct BackupService {
    ledger: Arc<Ledger>,
    home: Home,
    node_key: String,
    metrics: Arc<Metrics>,
    busy: tokio::sync::Mutex<()>,
}

impl BackupService {
    /// A service over the node's ledger.
    pub fn new(ledger: Arc<Ledger>, home: Home, node_key: String, metrics: Arc<Metrics>) -> Self {
        BackupService { ledger, home, node_key, metrics, busy: tokio::sync::Mutex::new(()) }
    }

    /// Makes and verifies one backup into `out` (on a blocking thread).
    pub async fn backup(self: &Arc<Self>, out: PathBuf) -> Result<Manifest, BackupError> {
        let _busy = self.busy.try_lock().map_err(|_| BackupError::Busy)?;
        let me = self.clone();
        let started = Instant::now();
        let r = tokio::task::spawn_blocking(move || create(&me.ledger, &me.home, &me.node_key, &out))
            .await
            .unwrap_or_else(|e| Err(BackupError::Ledger(format!("backup task failed: {e}"))));
        let m = &self.metrics;
        match &r {
            Ok(manifest) => {
                m.backup_last_height.set(manifest.ledger.height as i64);
                m.backup_last_success_seconds.set((manifest.created_unix_ms / 1000) as i64);
                m.backup_seconds.observe(started.elapsed().as_secs_f64());
            }
            Err(e) => {
                m.backup_failures.inc();
                error!(target: "tamga::backup", error = %e, "backup failed");
            }
        }
        r
    }
}

mod admin;
mod command;
mod schedule;
#[cfg(test)]
mod tests;

pub use admin::{request_backup, serve_admin, AdminReply, AdminRequest};
pub use command::BackupCommand;
pub use schedule::{schedule_dir, scheduled_backup, spawn_scheduler};
