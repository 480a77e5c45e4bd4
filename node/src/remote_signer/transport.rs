//! The channel between a validator and `tamga-signer`: Noise
//! `Noise_XX_25519_ChaChaPoly_SHA256` over TCP, with both static keys pinned
//! (the validator pins the signer's key, the signer pins the validators'
//! keys), length-prefixed frames with a maximum size, and a timeout on every
//! read and write.
//!
//! A frame is `u32` big-endian length ‖ Noise message. A length above the
//! configured maximum (or above Noise's 65 535 bytes) ends the connection
//! before anything is allocated. The payload of a transport message is one
//! borsh value decoded with [`tamga_types::codec::decode`] (bounded).
//!
//! XX order: `-> e`, `<- e, ee, s, es`, `-> s, se`. The validator learns the
//! signer's static key from the second message and checks it against its pin
//! before it reveals its own; the signer checks the validator's static key
//! against its list after the third message and closes the connection of a
//! key it does not know.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use snow::resolvers::{CryptoResolver, RingResolver};
use x25519_dalek::{x25519, X25519_BASEPOINT_BYTES};

/// The Noise protocol name of the channel.
pub const NOISE_PARAMS: &str = "Noise_XX_25519_ChaChaPoly_SHA256";

/// Bound to the Noise handshake transcript, so that a handshake made for
/// another protocol (or another version of this one) fails.
const PROLOGUE: &[u8] = b"TAMGA/REMOTE-SIGNER/v1";

/// The largest Noise message (the Noise specification, §3).
pub const NOISE_MAX_MESSAGE: usize = 65_535;

/// Bytes Noise adds to a transport payload (the ChaChaPoly tag).
const TAG_LEN: usize = 16;

/// A static X25519 key of one end of the channel (its identity on it).
#[derive(Clone)]
pub struct IdentityKey {
    secret: [u8; 32],
}

impl IdentityKey {
    /// A fresh random key.
    pub fn generate() -> IdentityKey {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        IdentityKey { secret }
    }

    /// The key from its 32 secret bytes.
    pub fn from_secret(secret: [u8; 32]) -> IdentityKey {
        IdentityKey { secret }
    }

    /// Its public half, the value the other end pins.
    pub fn public(&self) -> IdentityPublic {
        IdentityPublic(x25519(self.secret, X25519_BASEPOINT_BYTES))
    }

    /// Reads a key file: 64 hex characters, mode 0600 (like `node.key`).
    pub fn read(path: &Path) -> Result<IdentityKey, crate::home::KeyFileError> {
        crate::home::check_key_mode(path)?;
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| crate::home::KeyFileError::Read { path: p.clone(), source })?;
        let t = text.trim();
        let mut secret = [0u8; 32];
        hex::decode_to_slice(t, &mut secret)
            .map_err(|_| crate::home::KeyFileError::Format { path: p, got: t.len() })?;
        Ok(IdentityKey { secret })
    }

    /// Writes a key file (mode 0600, atomically).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        crate::home::write_atomic(path, format!("{}\n", hex::encode(self.secret)).as_bytes(), 0o600)
    }
}

impl Drop for IdentityKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl std::fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentityKey({})", self.public())
    }
}

/// The public half of an [`IdentityKey`]: 64 hex characters in config files.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdentityPublic(pub [u8; 32]);

impl std::fmt::Display for IdentityPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for IdentityPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentityPublic({self})")
    }
}

impl std::str::FromStr for IdentityPublic {
    type Err = hex::FromHexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut b = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut b)?;
        Ok(IdentityPublic(b))
    }
}

/// Why the channel failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A socket read or write failed (including its timeout).
    #[error("{stage}: {source}")]
    Io {
        /// What was under way.
        stage: &'static str,
        /// Cause.
        source: std::io::Error,
    },
    /// The peer announced a frame above the limit.
    #[error("{stage}: frame of {got} bytes refused (max_frame_bytes = {max})")]
    FrameTooLarge {
        /// What was under way.
        stage: &'static str,
        /// The limit.
        max: usize,
        /// The announced length.
        got: usize,
    },
    /// Noise refused a message (bad handshake, bad tag: a peer without the key).
    #[error("{stage}: noise: {source}")]
    Noise {
        /// What was under way.
        stage: &'static str,
        /// Cause.
        source: snow::Error,
    },
    /// The peer's static key is not the pinned one (or not in the list).
    #[error("peer static key {got} is not pinned (expected {expected})")]
    UnpinnedPeer {
        /// The pinned key(s), hex.
        expected: String,
        /// The key the peer proved.
        got: IdentityPublic,
    },
}

/// Hashes and ciphers from ring (as libp2p's Noise), Curve25519 from
/// x25519-dalek.
struct Resolver;

impl CryptoResolver for Resolver {
    fn resolve_rng(&self) -> Option<Box<dyn snow::types::Random>> {
        RingResolver.resolve_rng()
    }
    fn resolve_dh(&self, choice: &snow::params::DHChoice) -> Option<Box<dyn snow::types::Dh>> {
        match choice {
            snow::params::DHChoice::Curve25519 => Some(Box::new(Dh25519 { secret: [0; 32], public: [0; 32] })),
            _ => None,
        }
    }
    fn resolve_hash(&self, choice: &snow::params::HashChoice) -> Option<Box<dyn snow::types::Hash>> {
        RingResolver.resolve_hash(choice)
    }
    fn resolve_cipher(&self, choice: &snow::params::CipherChoice) -> Option<Box<dyn snow::types::Cipher>> {
        RingResolver.resolve_cipher(choice)
    }
}

struct Dh25519 {
    secret: [u8; 32],
    public: [u8; 32],
}

impl Drop for Dh25519 {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl snow::types::Dh for Dh25519 {
    fn name(&self) -> &'static str {
        "25519"
    }
    fn pub_len(&self) -> usize {
        32
    }
    fn priv_len(&self) -> usize {
        32
    }
    fn set(&mut self, privkey: &[u8]) {
        self.secret.copy_from_slice(&privkey[..32]);
        self.public = x25519(self.secret, X25519_BASEPOINT_BYTES);
    }
    fn generate(&mut self, rng: &mut dyn snow::types::Random) -> Result<(), snow::Error> {
        rng.try_fill_bytes(&mut self.secret)?;
        self.public = x25519(self.secret, X25519_BASEPOINT_BYTES);
        Ok(())
    }
    fn pubkey(&self) -> &[u8] {
        &self.public
    }
    fn privkey(&self) -> &[u8] {
        &self.secret
    }
    fn dh(&self, pubkey: &[u8], out: &mut [u8]) -> Result<(), snow::Error> {
        let mut p = [0u8; 32];
        p.copy_from_slice(&pubkey[..32]);
        let shared = x25519(self.secret, p);
        out[..32].copy_from_slice(&shared);
        Ok(())
    }
}

fn builder(key: &IdentityKey) -> Result<snow::Builder<'_>, TransportError> {
    let params: snow::params::NoiseParams =
        NOISE_PARAMS.parse().map_err(|source| TransportError::Noise { stage: "noise parameters", source })?;
    snow::Builder::with_resolver(params, Box::new(Resolver))
        .prologue(PROLOGUE)
        .and_then(|b| b.local_private_key(&key.secret))
        .map_err(|source| TransportError::Noise { stage: "noise setup", source })
}

/// An established channel: the socket and the Noise transport state.
pub struct Channel {
    stream: TcpStream,
    noise: snow::TransportState,
    max_frame: usize,
    remote: IdentityPublic,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel").field("remote", &self.remote).finish_non_exhaustive()
    }
}

fn write_frame(stream: &mut TcpStream, stage: &'static str, msg: &[u8]) -> Result<(), TransportError> {
    let len = u32::try_from(msg.len()).unwrap_or(u32::MAX);
    let mut buf = Vec::with_capacity(4 + msg.len());
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(msg);
    stream.write_all(&buf).and_then(|()| stream.flush()).map_err(|source| TransportError::Io { stage, source })
}

fn read_frame(stream: &mut TcpStream, stage: &'static str, max: usize) -> Result<Vec<u8>, TransportError> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).map_err(|source| TransportError::Io { stage, source })?;
    let len = u32::from_be_bytes(len) as usize;
    let max = max.min(NOISE_MAX_MESSAGE);
    if len > max {
        return Err(TransportError::FrameTooLarge { stage, max, got: len });
    }
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).map_err(|source| TransportError::Io { stage, source })?;
    Ok(buf)
}

fn set_timeouts(stream: &TcpStream, t: Duration) -> Result<(), TransportError> {
    let io = |source| TransportError::Io { stage: "socket timeouts", source };
    stream.set_read_timeout(Some(t)).map_err(io)?;
    stream.set_write_timeout(Some(t)).map_err(io)?;
    Ok(())
}

impl Channel {
    /// The validator's side: runs the XX handshake as initiator within
    /// `timeout` and checks the signer's static key against `pinned`.
    pub fn initiate(
        mut stream: TcpStream,
        key: &IdentityKey,
        pinned: &IdentityPublic,
        timeout: Duration,
        max_frame: usize,
    ) -> Result<Channel, TransportError> {
        set_timeouts(&stream, timeout)?;
        let _ = stream.set_nodelay(true);
        let mut hs =
            builder(key)?.build_initiator().map_err(|source| TransportError::Noise { stage: "noise setup", source })?;
        let mut buf = vec![0u8; NOISE_MAX_MESSAGE];
        let n =
            hs.write_message(&[], &mut buf).map_err(|source| TransportError::Noise { stage: "handshake 1", source })?;
        write_frame(&mut stream, "handshake 1", &buf[..n])?;
        let m2 = read_frame(&mut stream, "handshake 2", max_frame)?;
        hs.read_message(&m2, &mut buf).map_err(|source| TransportError::Noise { stage: "handshake 2", source })?;
        let remote = remote_static(hs.get_remote_static());
        if remote != *pinned {
            return Err(TransportError::UnpinnedPeer { expected: pinned.to_string(), got: remote });
        }
        let n =
            hs.write_message(&[], &mut buf).map_err(|source| TransportError::Noise { stage: "handshake 3", source })?;
        write_frame(&mut stream, "handshake 3", &buf[..n])?;
        let noise =
            hs.into_transport_mode().map_err(|source| TransportError::Noise { stage: "handshake end", source })?;
        Ok(Channel { stream, noise, max_frame, remote })
    }

    /// The signer's side: runs the XX handshake as responder within
    /// `timeout` and accepts only a static key in `allowed`.
    pub fn respond(
        mut stream: TcpStream,
        key: &IdentityKey,
        allowed: &[IdentityPublic],
        timeout: Duration,
        max_frame: usize,
    ) -> Result<Channel, TransportError> {
        set_timeouts(&stream, timeout)?;
        let _ = stream.set_nodelay(true);
        let mut hs =
            builder(key)?.build_responder().map_err(|source| TransportError::Noise { stage: "noise setup", source })?;
        let mut buf = vec![0u8; NOISE_MAX_MESSAGE];
        let m1 = read_frame(&mut stream, "handshake 1", max_frame)?;
        hs.read_message(&m1, &mut buf).map_err(|source| TransportError::Noise { stage: "handshake 1", source })?;
        let n =
            hs.write_message(&[], &mut buf).map_err(|source| TransportError::Noise { stage: "handshake 2", source })?;
        write_frame(&mut stream, "handshake 2", &buf[..n])?;
        let m3 = read_frame(&mut stream, "handshake 3", max_frame)?;
        hs.read_message(&m3, &mut buf).map_err(|source| TransportError::Noise { stage: "handshake 3", source })?;
        let remote = remote_static(hs.get_remote_static());
        if !allowed.contains(&remote) {
            let expected = allowed.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ");
            return Err(TransportError::UnpinnedPeer { expected, got: remote });
        }
        let noise =
            hs.into_transport_mode().map_err(|source| TransportError::Noise { stage: "handshake end", source })?;
        Ok(Channel { stream, noise, max_frame, remote })
    }

    /// The peer's proven static key.
    pub fn remote(&self) -> IdentityPublic {
        self.remote
    }

    /// Sets the timeout of the next reads and writes (the idle timeout on
    /// the signer, the request timeout on the validator).
    pub fn set_timeout(&self, t: Duration) -> Result<(), TransportError> {
        set_timeouts(&self.stream, t)
    }

    /// Encrypts and sends one payload.
    pub fn send(&mut self, payload: &[u8]) -> Result<(), TransportError> {
        let max = self.max_frame.min(NOISE_MAX_MESSAGE);
        if payload.len() + TAG_LEN > max {
            return Err(TransportError::FrameTooLarge { stage: "send", max, got: payload.len() + TAG_LEN });
        }
        let mut buf = vec![0u8; payload.len() + TAG_LEN];
        let n = self
            .noise
            .write_message(payload, &mut buf)
            .map_err(|source| TransportError::Noise { stage: "send", source })?;
        write_frame(&mut self.stream, "send", &buf[..n])
    }

    /// Receives and decrypts one payload.
    pub fn recv(&mut self) -> Result<Vec<u8>, TransportError> {
        let frame = read_frame(&mut self.stream, "receive", self.max_frame)?;
        let mut buf = vec![0u8; frame.len()];
        let n = self
            .noise
            .read_message(&frame, &mut buf)
            .map_err(|source| TransportError::Noise { stage: "receive", source })?;
        buf.truncate(n);
        Ok(buf)
    }
}

fn remote_static(s: Option<&[u8]>) -> IdentityPublic {
    let mut b = [0u8; 32];
    if let Some(s) = s {
        if s.len() == 32 {
            b.copy_from_slice(s);
        }
    }
    IdentityPublic(b)
}
