//! The `--home` directory of a node:
//!
//! ```text
//! HOME/config.toml        settings (config.rs), written by `tamgad init`
//! HOME/node.key           ed25519 seed, 64 hex characters, mode 0600: the
//!                         consensus key of `[signer] kind = "file"`
//! HOME/p2p.key            ed25519 seed, 64 hex characters, mode 0600: the
//!                         libp2p identity, under whose peer id peers admit
//!                         the node (SPEC §9: recorded as the validator's
//!                         `p2p_key`); never the consensus key's file, so the
//!                         consensus key may live in an HSM or a remote signer
//! HOME/genesis.json       the network's genesis file
//! HOME/data/ledger/       RocksDB: state, blocks, certificates, receipts
//! HOME/data/safety.bin    consensus safety state (borsh), replaced atomically
//!                         with fsync before any vote leaves the node
//! HOME/data/restored.json left by `tamgad backup restore`: the next start
//!                         catches up before signing (backup.rs)
//! HOME/data/identity.key the sink identity key (hex seed, 0600) that signs
//!                         pushed security events, never the consensus key;
//!                         its public key in identity.pub (security/sinks)
//! HOME/data/sinks/<sink>/ the outbox of a security event sink (security/sinks)
//! HOME/admin/tamgad.sock  operator socket while the node runs (0700 dir, 0600 socket)
//! HOME/security/events.jsonl  security events, one JSON object a line,
//!                         rotated to events.jsonl.1 … (security.rs)
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tamga_types::SigningKey;

/// Paths inside a home directory.
#[derive(Clone, Debug)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// The layout under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Home { root: root.into() }
    }
    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `config.toml`.
    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    /// `node.key`.
    pub fn key(&self) -> PathBuf {
        self.root.join("node.key")
    }
    /// `p2p.key`: the libp2p identity key.
    pub fn p2p_key(&self) -> PathBuf {
        self.root.join("p2p.key")
    }
    /// `genesis.json`.
    pub fn genesis(&self) -> PathBuf {
        self.root.join("genesis.json")
    }
    /// `data/ledger`.
    pub fn ledger(&self) -> PathBuf {
        self.root.join("data").join("ledger")
    }
    /// `data/safety.bin`.
    pub fn safety(&self) -> PathBuf {
        self.root.join("data").join("safety.bin")
    }
    /// `security/`: the security event log (`events.jsonl` and its rotations).
    pub fn security(&self) -> PathBuf {
        self.root.join("security")
    }
    /// `tamgad.pid`: the process id of the node while it runs (for
    /// supervisors and `tamga bench`, which reads CPU and peak RSS from /proc).
    pub fn pid_file(&self) -> PathBuf {
        self.root.join("tamgad.pid")
    }
    /// `admin/tamgad.sock`: the operator socket (`crate::backup`).
    pub fn admin_socket(&self) -> PathBuf {
        self.root.join("admin").join("tamgad.sock")
    }
    /// `data/restored.json`: written by a restore, removed once the node has caught up.
    pub fn restored_marker(&self) -> PathBuf {
        self.root.join("data").join("restored.json")
    }
}

/// Writes `bytes` to `path` durably and atomically: a temporary file is
/// written and fsynced, renamed over `path`, and the directory fsynced, so a
/// crash leaves either the old or the new content.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    {
        let mut f = create_fresh(&tmp)?;
        f.write_all(bytes)?;
        set_mode(&f, mode)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Creates `path` as a new file, readable and writable by the owner only
/// (mode 0600 given to `open(2)` with `O_CREAT | O_EXCL`, so the file never
/// exists with wider permissions and a planted file or symbolic link at
/// `path` is never written through). A file left at `path` by an earlier
/// crash is removed first (the link itself, never its target).
pub fn create_fresh(path: &Path) -> std::io::Result<File> {
    let open = || {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(path)
    };
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            open()
        }
        other => other,
    }
}

/// Gives the open file `f` its final permission bits (before it is renamed
/// into place): only ever after the content is written to a 0600 file.
fn set_mode(f: &File, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if mode != 0o600 {
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (f, mode);
    Ok(())
}

/// Why a key file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Cannot read.
    #[error("cannot read key file {path}: {source}")]
    Read {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Not 64 hex characters.
    #[error("key file {path}: expected 64 hex characters (an ed25519 seed), got {got} characters")]
    Format {
        /// Path.
        path: String,
        /// Length found.
        got: usize,
    },
    /// Group or others may read it (or write it): the key is no longer secret.
    #[error(
        "key file {path} has mode {mode:o}: a node key must be readable by its owner only; run `chmod 600 {path}`"
    )]
    Readable {
        /// Path.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
}

/// Refuses a key file that group or others may access (`chmod 600` fixes it).
pub fn check_key_mode(path: &Path) -> Result<(), KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = path.display().to_string();
        let meta = fs::metadata(path).map_err(|source| KeyFileError::Read { path: p.clone(), source })?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Readable { path: p, mode });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Reads a hex seed key file, refusing one that group or others may read.
pub fn read_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    check_key_mode(path)?;
    let p = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|source| KeyFileError::Read { path: p.clone(), source })?;
    let t = text.trim();
    let mut seed = [0u8; 32];
    hex::decode_to_slice(t, &mut seed).map_err(|_| KeyFileError::Format { path: p, got: t.len() })?;
    Ok(SigningKey::from_seed(seed))
}

/// Writes a key file (mode 0600).
pub fn write_key(path: &Path, key: &SigningKey) -> std::io::Result<()> {
    write_atomic(path, format!("{}\n", hex::encode(key.to_seed())).as_bytes(), 0o600)
}

/// The libp2p identity of a p2p key: the same ed25519 key, so that a peer id
/// names the `p2p_key` recorded for a validator and admission can check the
/// validator set (SPEC §9).
pub fn libp2p_keypair(key: &SigningKey) -> libp2p::identity::Keypair {
    let mut seed = key.to_seed();
    // `ed25519_from_bytes` only fails on a wrong length; 32 bytes is right.
    match libp2p::identity::Keypair::ed25519_from_bytes(&mut seed) {
        Ok(k) => k,
        Err(_) => unreachable!("a 32-byte seed is a valid ed25519 secret key"),
    }
}

/// The peer id of a p2p key (a validator's recorded `p2p_key`, an observer's key).
pub fn peer_id_of(key: &tamga_types::PublicKey) -> Option<libp2p::PeerId> {
    let pk = libp2p::identity::ed25519::PublicKey::try_from_bytes(&key.0).ok()?;
    Some(libp2p::PeerId::from_public_key(&libp2p::identity::PublicKey::from(pk)))
}

/// Why a home has no usable p2p identity.
#[derive(Debug, thiserror::Error)]
pub enum P2pKeyError {
    /// `HOME/p2p.key` does not exist (a home made before nodes had a p2p
    /// key of their own). It is never made on start: peers admit the node
    /// only under the key recorded for it, which the operator chooses.
    #[error(
        "no p2p identity key {path}: a node's libp2p identity is a key of its own (docs/operations.md, \
         \"P2P identity key\"). Run `tamgad p2p-key --home {home} --from-node-key` to keep node.key's key as the \
         p2p identity (what a genesis or validator update without a p2p_key records), or \
         `tamgad p2p-key --home {home}` for a new key and have it recorded as the validator's p2p_key"
    )]
    Missing {
        /// The missing file.
        path: String,
        /// The home.
        home: String,
    },
    /// The file is there but cannot be used.
    #[error(transparent)]
    File(#[from] KeyFileError),
}

/// Reads the p2p identity key of `home` ([`Home::p2p_key`]), refusing a
/// missing one with the command that makes it.
pub fn read_p2p_key(home: &Home) -> Result<SigningKey, P2pKeyError> {
    let path = home.p2p_key();
    if !path.exists() {
        return Err(P2pKeyError::Missing { path: path.display().to_string(), home: home.root().display().to_string() });
    }
    Ok(read_key(&path)?)
}

/// Reads and validates `genesis.json` (a home's [`Home::genesis`]).
pub fn load_genesis(path: &Path) -> anyhow::Result<tamga_types::Genesis> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    tamga_genesis::parse(&text).with_context(|| format!("invalid genesis file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_roundtrip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.key");
        let k = SigningKey::from_seed([7; 32]);
        write_key(&p, &k).unwrap();
        assert_eq!(read_key(&p).unwrap().public(), k.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        fs::write(&p, "abc").unwrap();
        assert!(read_key(&p).unwrap_err().to_string().contains("64 hex"));
    }

    #[test]
    #[cfg(unix)]
    fn a_key_readable_by_others_is_refused_naming_file_mode_and_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("node.key");
        write_key(&p, &SigningKey::from_seed([7; 32])).unwrap();
        for mode in [0o640, 0o604, 0o644, 0o660, 0o666] {
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
            let e = read_key(&p).unwrap_err();
            assert!(matches!(e, KeyFileError::Readable { mode: m, .. } if m == mode), "{e}");
            let msg = e.to_string();
            assert!(msg.contains(&p.display().to_string()), "{msg}");
            assert!(msg.contains(&format!("{mode:o}")) && msg.contains("chmod 600"), "{msg}");
        }
        for mode in [0o600, 0o400] {
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
            read_key(&p).unwrap();
        }
    }

    #[test]
    #[cfg(unix)]
    fn temporary_files_are_created_fresh_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join("x.tmp");
        // A stale file from a crash, with wide permissions: replaced, not reused.
        fs::write(&tmp, "stale").unwrap();
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o666)).unwrap();
        let f = create_fresh(&tmp).unwrap();
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(f.metadata().unwrap().len(), 0);
        drop(f);
        // A symbolic link planted at the temporary name is removed, its target untouched.
        let target = dir.path().join("target");
        fs::write(&target, "keep").unwrap();
        fs::remove_file(&tmp).unwrap();
        std::os::unix::fs::symlink(&target, &tmp).unwrap();
        let mut f = create_fresh(&tmp).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        assert!(!fs::symlink_metadata(&tmp).unwrap().file_type().is_symlink());
        // write_atomic: the final mode is the one asked for, the temporary file is gone.
        let out = dir.path().join("config.toml");
        write_atomic(&out, b"a = 1", 0o644).unwrap();
        assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o644);
        let key = dir.path().join("node.key");
        write_atomic(&key, b"secret", 0o600).unwrap();
        assert_eq!(fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(!dir.path().join("config.tmp").exists() && !dir.path().join("node.tmp").exists());
    }

    #[test]
    fn a_missing_p2p_key_is_refused_naming_the_file_and_the_commands_that_make_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let e = read_p2p_key(&home).unwrap_err();
        assert!(matches!(e, P2pKeyError::Missing { .. }), "{e}");
        let msg = e.to_string();
        assert!(msg.contains(&home.p2p_key().display().to_string()), "{msg}");
        assert!(msg.contains("tamgad p2p-key --home") && msg.contains("--from-node-key"), "{msg}");
        let k = SigningKey::from_seed([3; 32]);
        write_key(&home.p2p_key(), &k).unwrap();
        assert_eq!(read_p2p_key(&home).unwrap().public(), k.public());
    }

    #[test]
    fn peer_id_matches_the_libp2p_identity() {
        let k = SigningKey::from_seed([9; 32]);
        let kp = libp2p_keypair(&k);
        assert_eq!(Some(kp.public().to_peer_id()), peer_id_of(&k.public()));
    }
}
