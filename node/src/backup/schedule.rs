//! Scheduled backups (`[backup] enabled`): one every `interval_secs` into
//! `[backup] dir`, the older ones deleted only once the new one verified.

use super::*;

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
