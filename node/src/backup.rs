//! Backups and restore of a node's ledger (issue 10; procedure in
//! `docs/operations.md`).
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
use tamga_types::{Block, Height};
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
    let s: SafetyState<Block> = crate::safety::decode(&bytes).map_err(|e| bad(e.to_string()))?;
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

/// A request on the operator socket (one JSON line).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum AdminRequest {
    /// Make a backup into `out` (an absolute path that does not exist).
    Backup {
        /// Target directory.
        out: PathBuf,
    },
}

/// The answer (one JSON line).
#[derive(Debug, Serialize, Deserialize)]
pub struct AdminReply {
    /// Success.
    pub ok: bool,
    /// The failure, when not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The new backup's manifest, when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Manifest>,
}

/// Binds the operator socket `HOME/admin/tamgad.sock` (directory 0700,
/// socket 0600) and serves it in the background. The caller must hold the
/// ledger open (its lock), so a socket file left by a crashed node is stale
/// and replaced.
#[cfg(unix)]
pub fn serve_admin(service: Arc<BackupService>) -> Result<(), BackupError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let path = service.home.admin_socket();
    let dir = path.parent().unwrap_or(service.home.root()).to_path_buf();
    if !dir.exists() {
        mkdir_private(&dir)?;
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io("chmod", &dir))?;
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io("remove", &path)(e)),
        _ => {}
    }
    let listener = tokio::net::UnixListener::bind(&path).map_err(io("bind", &path))?;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).map_err(io("chmod", &path))?;
    let owner = fs::metadata(&path).map_err(io("stat", &path))?.uid();
    info!(target: "tamga::backup", socket = %path.display(), "operator socket listening");
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let service = service.clone();
                    tokio::spawn(async move {
                        if let Err(e) = handle_admin(stream, owner, service).await {
                            warn!(target: "tamga::backup", error = %e, "operator socket connection");
                        }
                    });
                }
                Err(e) => {
                    warn!(target: "tamga::backup", error = %e, "operator socket accept");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    });
    Ok(())
}

#[cfg(unix)]
async fn handle_admin(stream: tokio::net::UnixStream, owner: u32, service: Arc<BackupService>) -> std::io::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let uid = stream.peer_cred()?.uid();
    let (r, mut w) = stream.into_split();
    let reply = if uid != owner && uid != 0 {
        AdminReply { ok: false, error: Some(format!("uid {uid} may not use this socket")), manifest: None }
    } else {
        let mut line = String::new();
        let mut reader = tokio::io::BufReader::new(r.take(MAX_REQUEST_BYTES));
        let read = tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line)).await;
        match read {
            Err(_) => AdminReply { ok: false, error: Some("no request within 10 s".into()), manifest: None },
            Ok(Err(e)) => {
                AdminReply { ok: false, error: Some(format!("cannot read the request: {e}")), manifest: None }
            }
            Ok(Ok(_)) if !line.ends_with('\n') => AdminReply {
                ok: false,
                error: Some(format!("a request is one JSON line of at most {MAX_REQUEST_BYTES} bytes")),
                manifest: None,
            },
            Ok(Ok(_)) => match serde_json::from_str::<AdminRequest>(&line) {
                Err(e) => AdminReply { ok: false, error: Some(format!("bad request: {e}")), manifest: None },
                Ok(AdminRequest::Backup { out }) if !out.is_absolute() => AdminReply {
                    ok: false,
                    error: Some(format!("out must be an absolute path, got {}", out.display())),
                    manifest: None,
                },
                Ok(AdminRequest::Backup { out }) => {
                    let span = info_span!(target: "tamga::backup", "admin_backup", out = %out.display());
                    match service.backup(out).instrument(span).await {
                        Ok(m) => AdminReply { ok: true, error: None, manifest: Some(m) },
                        Err(e) => AdminReply { ok: false, error: Some(e.to_string()), manifest: None },
                    }
                }
            },
        }
    };
    let mut text = serde_json::to_string(&reply).unwrap_or_default();
    text.push('\n');
    w.write_all(text.as_bytes()).await?;
    w.shutdown().await
}

/// Asks the node running in `home` for a backup into `out` (absolute).
/// `Ok(None)` when no node answers on the operator socket.
#[cfg(unix)]
pub fn request_backup(home: &Home, out: &Path) -> Result<Option<Manifest>, BackupError> {
    let path = home.admin_socket();
    let admin = |why: String| BackupError::Admin { path: path.display().to_string(), why };
    let mut stream = match std::os::unix::net::UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {
            return Ok(None)
        }
        Err(e) => return Err(admin(e.to_string())),
    };
    let mut req = serde_json::to_string(&AdminRequest::Backup { out: out.to_path_buf() }).unwrap_or_default();
    req.push('\n');
    stream.write_all(req.as_bytes()).map_err(|e| admin(e.to_string()))?;
    let mut line = String::new();
    BufReader::new(stream.take(4 * MAX_MANIFEST_BYTES)).read_line(&mut line).map_err(|e| admin(e.to_string()))?;
    let reply: AdminReply =
        serde_json::from_str(&line).map_err(|e| admin(format!("unreadable reply ({e}): {line:?}")))?;
    match (reply.ok, reply.manifest) {
        (true, Some(m)) => Ok(Some(m)),
        _ => Err(admin(reply.error.unwrap_or_else(|| "the node refused without a reason".into()))),
    }
}

/// `[backup] dir` resolved against the home.
pub fn schedule_dir(home: &Home, cfg: &BackupConfig) -> PathBuf {
    if cfg.dir.is_absolute() {
        cfg.dir.clone()
    } else {
        home.root().join(&cfg.dir)
    }
}

/// Runs the scheduled backups of `[backup]` until the process ends.
pub fn spawn_scheduler(service: Arc<BackupService>, cfg: &BackupConfig) {
    let dir = schedule_dir(&service.home, cfg);
    let every = Duration::from_secs(cfg.interval_secs);
    info!(target: "tamga::backup", dir = %dir.display(), interval_secs = cfg.interval_secs, "scheduled backups on");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = scheduled_backup(&service, &dir).await;
        }
    });
}

/// One scheduled backup into `dir`: written as `.incomplete-<ms>`, renamed to
/// `backup-<ms>-h<height>` once created and verified, and only then are the
/// older `backup-*` deleted. A failed one is removed and the older kept.
pub async fn scheduled_backup(service: &Arc<BackupService>, dir: &Path) -> Result<PathBuf, BackupError> {
    let span = info_span!(target: "tamga::backup", "scheduled_backup", dir = %dir.display());
    async {
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(io("create", dir))?;
        }
        for entry in fs::read_dir(dir).map_err(io("read", dir))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(INCOMPLETE_PREFIX) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let ms = now_ms();
        let tmp = dir.join(format!("{INCOMPLETE_PREFIX}{ms}"));
        let manifest = service.backup(tmp.clone()).await?;
        let name = format!("{SCHEDULED_PREFIX}{ms:013}-h{:010}", manifest.ledger.height);
        let done = dir.join(&name);
        fs::rename(&tmp, &done).map_err(io("rename", &tmp))?;
        sync_dir(dir)?;
        for entry in fs::read_dir(dir).map_err(io("read", dir))?.flatten() {
            let n = entry.file_name().to_string_lossy().to_string();
            if n.starts_with(SCHEDULED_PREFIX) && n < name {
                match fs::remove_dir_all(entry.path()) {
                    Ok(()) => info!(target: "tamga::backup", removed = %n, "older backup removed (the new one verified)"),
                    Err(e) => warn!(target: "tamga::backup", path = %n, error = %e, "cannot remove an older backup"),
                }
            }
        }
        info!(target: "tamga::backup", backup = %done.display(), height = manifest.ledger.height, "scheduled backup done");
        Ok(done)
    }
    .instrument(span)
    .await
}

/// `tamgad backup …`.
#[derive(clap::Subcommand, Debug)]
pub enum BackupCommand {
    /// Back up the ledger of HOME into OUT (a new directory). A running node
    /// makes the checkpoint itself, asked over HOME/admin/tamgad.sock; a
    /// stopped node's database is opened directly. The copy is verified
    /// before the command succeeds.
    Create {
        /// Node home.
        #[arg(long)]
        home: PathBuf,
        /// Target directory (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a backup: open its ledger read-only, check every table, the last
    /// block, its certificate, and that the state hashes to the header's root.
    Verify {
        /// Backup directory.
        path: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore a verified backup into HOME (the node must be stopped). Never
    /// replaces a newer consensus safety state with the backup's.
    Restore {
        /// Backup directory.
        path: PathBuf,
        /// Node home.
        #[arg(long)]
        home: PathBuf,
        /// Replace an existing ledger.
        #[arg(long)]
        force: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn absolute(p: &Path) -> Result<PathBuf, BackupError> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(io("read the current directory for", p))?;
    Ok(cwd.join(p))
}

fn print_manifest(what: &str, dir: &Path, m: &Manifest) {
    let l = &m.ledger;
    println!("{what} {}", dir.display());
    println!("  chain        {} (genesis {})", l.chain_id, l.genesis_hash);
    println!("  height       {} (block {})", l.height, l.block_hash);
    println!("  state root   {}", l.state_root);
    println!("  entries      {} in {} bytes", l.entries.values().sum::<u64>(), l.bytes);
    match &m.safety {
        Some(s) => println!("  safety       height {} round {} step {}", s.height, s.round, s.step),
        None => println!("  safety       none"),
    }
}

impl BackupCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            BackupCommand::Create { home, out, json } => {
                let home = Home::new(home);
                let out = absolute(&out)?;
                #[cfg(unix)]
                let online = request_backup(&home, &out)?;
                #[cfg(not(unix))]
                let online = None;
                let m = match online {
                    Some(m) => m,
                    None => {
                        if let Some(how) = running(&home) {
                            return Err(BackupError::Running {
                                home: home.root().display().to_string(),
                                how: format!("{how}, but its operator socket does not answer"),
                            }
                            .into());
                        }
                        if !home.ledger().join("CURRENT").exists() {
                            anyhow::bail!("{} holds no ledger", home.ledger().display());
                        }
                        let key = crate::home::read_key(&home.key())?.public().to_hex();
                        let ledger = Ledger::open(&home.ledger()).map_err(|e| BackupError::Ledger(e.to_string()))?;
                        create(&ledger, &home, &key, &out)?
                    }
                };
                if json {
                    println!("{}", serde_json::to_string_pretty(&m)?);
                } else {
                    print_manifest("backup created and verified:", &out, &m);
                }
                Ok(())
            }
            BackupCommand::Verify { path, json } => {
                let m = verify(&path)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&m)?);
                } else {
                    print_manifest("backup verified:", &path, &m);
                }
                Ok(())
            }
            BackupCommand::Restore { path, home, force, json } => {
                let home = Home::new(home);
                let r = restore(&path, &home, force)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    print_manifest("restored", &path, &r.manifest);
                    println!(
                        "  into         {}{}",
                        home.ledger().display(),
                        if r.replaced { " (replaced)" } else { "" }
                    );
                    println!("  safety state {:?}", r.safety);
                    println!("  the next start catches up from its peers before signing anything");
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::codec;

    /// A one-validator home with its genesis applied; the ledger is returned open.
    fn home_with_ledger(dir: &Path) -> (Home, Ledger) {
        let opts = tamga_genesis::TestnetOptions { validators: 1, participants: 2, ..Default::default() };
        crate::devnet::write_testnet(dir, &opts).unwrap();
        let home = crate::devnet::node_home(dir, 0);
        let ledger = Ledger::open(&home.ledger()).unwrap();
        ledger.init_genesis(&crate::home::load_genesis(&home.genesis()).unwrap()).unwrap();
        (home, ledger)
    }

    fn write_safety(home: &Home, height: Height, round: u32) {
        let s: SafetyState<Block> = SafetyState {
            height,
            round,
            step: Step::Prevote,
            locked: None,
            valid: None,
            pol_votes: Vec::new(),
            signed_votes: Vec::new(),
            signed_proposals: Vec::new(),
        };
        write_atomic(&home.safety(), &codec::encode(&s), 0o600).unwrap();
    }

    fn safety_height(home: &Home) -> Option<Height> {
        read_safety(&home.safety()).unwrap().map(|(m, _)| m.height)
    }

    #[test]
    fn create_verify_and_the_refusals_of_restore() {
        let dir = tempfile::tempdir().unwrap();
        let (home, ledger) = home_with_ledger(dir.path());
        write_safety(&home, 3, 0);
        let out = dir.path().join("b1");
        let m = create(&ledger, &home, "k", &out).unwrap();
        assert_eq!((m.ledger.height, m.safety.map(|s| s.height)), (0, Some(3)));
        assert_eq!(verify(&out).unwrap(), m);
        assert!(matches!(create(&ledger, &home, "k", &out), Err(BackupError::Exists { .. })));

        // The node "runs": its database is locked.
        let e = restore(&out, &home, true).unwrap_err();
        assert!(matches!(&e, BackupError::Running { how, .. } if how.contains("locked")), "{e}");
        drop(ledger);
        // An existing ledger is replaced only with --force.
        let e = restore(&out, &home, false).unwrap_err();
        assert!(matches!(e, BackupError::NotEmpty { .. }), "{e}");
        // A newer safety state is kept...
        write_safety(&home, 7, 2);
        let r = restore(&out, &home, true).unwrap();
        assert_eq!((r.replaced, r.safety), (true, SafetyOutcome::KeptExisting));
        assert_eq!(safety_height(&home), Some(7));
        assert!(home.restored_marker().exists());
        assert_eq!(Ledger::open(&home.ledger()).unwrap().state_root().unwrap(), m.ledger.state_root);
        // ...an older one is replaced by the backup's, a missing one installed.
        write_safety(&home, 1, 0);
        assert_eq!(restore(&out, &home, true).unwrap().safety, SafetyOutcome::InstalledFromBackup);
        assert_eq!(safety_height(&home), Some(3));
        std::fs::remove_dir_all(home.root().join("data")).unwrap();
        let r = restore(&out, &home, false).unwrap();
        assert_eq!((r.replaced, r.safety), (false, SafetyOutcome::InstalledFromBackup));
        assert_eq!(safety_height(&home), Some(3));
        // An unreadable safety state stops the restore before anything changes.
        std::fs::write(home.safety(), b"garbage").unwrap();
        let e = restore(&out, &home, true).unwrap_err();
        assert!(matches!(e, BackupError::Safety { .. }), "{e}");
        assert_eq!(std::fs::read(home.safety()).unwrap(), b"garbage");
    }

    #[test]
    fn verify_refuses_a_manifest_that_disagrees_or_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let (home, ledger) = home_with_ledger(dir.path());
        let out = dir.path().join("b");
        create(&ledger, &home, "k", &out).unwrap();
        let p = out.join(MANIFEST);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("\"height\": 0", "\"height\": 9")).unwrap();
        let e = verify(&out).unwrap_err();
        assert!(matches!(e, BackupError::ManifestMismatch { field: "height", .. }), "{e}");
        std::fs::remove_file(&p).unwrap();
        let e = verify(&out).unwrap_err().to_string();
        assert!(e.contains("did not finish"), "{e}");
        // A copy of another network is refused by restore.
        let other = tempfile::tempdir().unwrap();
        let opts = tamga_genesis::TestnetOptions {
            validators: 1,
            seed: 99,
            chain_id: "other-net".into(),
            ..Default::default()
        };
        crate::devnet::write_testnet(other.path(), &opts).unwrap();
        std::fs::write(&p, text).unwrap();
        let e = restore(&out, &crate::devnet::node_home(other.path(), 0), false).unwrap_err();
        assert!(matches!(e, BackupError::GenesisMismatch { .. }), "{e}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn scheduled_backups_keep_each_until_the_next_is_verified() {
        let dir = tempfile::tempdir().unwrap();
        let (home, ledger) = home_with_ledger(dir.path());
        let metrics = Arc::new(Metrics::new());
        let service = Arc::new(BackupService::new(Arc::new(ledger), home.clone(), "k".into(), metrics.clone()));
        let bdir = dir.path().join("backups");
        let list = || {
            let mut v: Vec<String> =
                fs::read_dir(&bdir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
            v.sort();
            v
        };
        let first = scheduled_backup(&service, &bdir).await.unwrap();
        assert_eq!(list(), vec![first.file_name().unwrap().to_string_lossy().to_string()]);
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = scheduled_backup(&service, &bdir).await.unwrap();
        assert_eq!(list(), vec![second.file_name().unwrap().to_string_lossy().to_string()], "the older one is gone");
        verify(&second).unwrap();
        // A failing backup (unreadable safety state) leaves the last good one alone.
        fs::write(home.safety(), b"garbage").unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(scheduled_backup(&service, &bdir).await.is_err());
        assert_eq!(list(), vec![second.file_name().unwrap().to_string_lossy().to_string()]);
        let text = metrics.encode();
        assert!(text.contains("tamga_backup_failures_total 1"), "{text}");
        assert!(text.contains("tamga_backup_last_height 0"), "{text}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_operator_socket_makes_a_backup_and_refuses_bad_requests() {
        let dir = tempfile::tempdir().unwrap();
        let (home, ledger) = home_with_ledger(dir.path());
        let service =
            Arc::new(BackupService::new(Arc::new(ledger), home.clone(), "k".into(), Arc::new(Metrics::new())));
        serve_admin(service).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&home.admin_socket()), 0o600);
            assert_eq!(mode(home.admin_socket().parent().unwrap()), 0o700);
        }
        let out = dir.path().join("online");
        let h = home.clone();
        let o = out.clone();
        let m = tokio::task::spawn_blocking(move || request_backup(&h, &o)).await.unwrap().unwrap().unwrap();
        assert_eq!(verify(&out).unwrap(), m);
        let h = home.clone();
        let e = tokio::task::spawn_blocking(move || request_backup(&h, Path::new("relative")))
            .await
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(e.contains("absolute"), "{e}");
        let h = home.clone();
        let e = tokio::task::spawn_blocking(move || request_backup(&h, &out)).await.unwrap().unwrap_err().to_string();
        assert!(e.contains("already exists"), "{e}");
        assert!(running(&home).is_some(), "the answering socket shows the node runs");
    }
}
