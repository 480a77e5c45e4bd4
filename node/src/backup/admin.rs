//! The operator socket `HOME/admin/tamgad.sock`: a running node makes a
//! backup when its own user asks (one JSON line each way), and
//! `tamgad backup create` asks it.

use super::*;

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
