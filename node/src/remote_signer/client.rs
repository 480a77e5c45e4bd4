//! The validator's side of the remote signer: blocking calls with a connect
//! timeout and a request timeout, one channel kept open and re-opened after
//! the signer restarts.
//!
//! Every signature that comes back is verified against the configured
//! consensus key before it is returned, and after each (re)connection the
//! signer's key is checked against it: a signer holding another key is an
//! error, not a source of signatures.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Mutex;
use std::time::Duration;

use tamga_types::block::VoteData;
use tamga_types::codec;
use tamga_types::crypto::{PublicKey, Signature};
use tamga_types::evidence::ProposalData;

use super::transport::{Channel, IdentityKey, IdentityPublic, TransportError};
use super::{Refusal, Request, Response};

/// How the validator reaches its signer.
#[derive(Clone, Debug)]
pub struct RemoteSignerConfig {
    /// `host:port` of `tamga-signer`.
    pub addr: String,
    /// The validator's own Noise static key (listed in the signer's
    /// `allowed_validators`).
    pub identity: IdentityKey,
    /// The signer's Noise static public key (pinned).
    pub signer_identity: IdentityPublic,
    /// The consensus public key the signer must hold.
    pub consensus_key: PublicKey,
    /// TCP connect plus handshake, each bounded by this.
    pub connect_timeout: Duration,
    /// One request's write and answer.
    pub request_timeout: Duration,
    /// Largest frame accepted from the signer (the signer's own limit
    /// applies to what it accepts).
    pub max_frame_bytes: usize,
}

/// Why no signature came back.
#[derive(Debug, thiserror::Error)]
pub enum RemoteSignerError {
    /// The signer's address does not resolve.
    #[error("remote signer address {addr:?} does not resolve: {reason}")]
    Address {
        /// The configured address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// No TCP connection within the connect timeout.
    #[error("remote signer {addr} unreachable within {timeout_ms} ms: {source}")]
    Unreachable {
        /// The address tried.
        addr: SocketAddr,
        /// The connect timeout.
        timeout_ms: u128,
        /// Cause.
        source: std::io::Error,
    },
    /// The Noise handshake failed (wrong pinned key on either side,
    /// timeout, or the signer closed the connection).
    #[error("remote signer {addr}: handshake failed: {source}")]
    Handshake {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        source: TransportError,
    },
    /// The request or its answer was lost (timeout or closed channel).
    #[error("remote signer {addr}: request failed: {source}")]
    Channel {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        source: TransportError,
    },
    /// The signer refused to sign.
    #[error("remote signer refused: {0}")]
    Refused(Refusal),
    /// The signer holds another consensus key than the configured one.
    #[error("remote signer holds consensus key {got}, the validator is configured for {expected}")]
    KeyMismatch {
        /// Configured.
        expected: PublicKey,
        /// The signer's.
        got: PublicKey,
    },
    /// The returned signature does not verify under the consensus key.
    #[error("remote signer returned a signature that does not verify under {key}")]
    BadSignature {
        /// The consensus key.
        key: PublicKey,
    },
    /// The answer is not the one the request calls for, or does not decode.
    #[error("remote signer: unexpected answer: {reason}")]
    Protocol {
        /// What was wrong.
        reason: String,
    },
}

impl RemoteSignerError {
    /// True for errors a later attempt may not have (the signer is down or
    /// restarting); false for refusals and misconfiguration.
    pub fn is_transient(&self) -> bool {
        matches!(self, RemoteSignerError::Unreachable { .. } | RemoteSignerError::Channel { .. })
    }
}

/// A connection to `tamga-signer`.
#[derive(Debug)]
pub struct RemoteSigner {
    cfg: RemoteSignerConfig,
    channel: Mutex<Option<(SocketAddr, Channel)>>,
}

impl RemoteSigner {
    /// A client; it connects at its first request (and again after any
    /// failure), so the signer may start after the validator.
    pub fn new(cfg: RemoteSignerConfig) -> RemoteSigner {
        RemoteSigner { cfg, channel: Mutex::new(None) }
    }

    /// The consensus public key (the configured one, which the signer's is
    /// checked against at every connection).
    pub fn public_key(&self) -> PublicKey {
        self.cfg.consensus_key
    }

    /// Signs a vote, or says why not.
    pub fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, RemoteSignerError> {
        let sig = self.signature(Request::SignVote { chain_id: chain_id.to_owned(), data: data.clone() })?;
        self.verified(&data.signing_message(chain_id), sig)
    }

    /// Signs a proposal, or says why not.
    pub fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, RemoteSignerError> {
        let sig = self.signature(Request::SignProposal { chain_id: chain_id.to_owned(), data: data.clone() })?;
        self.verified(&data.signing_message(chain_id), sig)
    }

    fn verified(&self, msg: &[u8], sig: Signature) -> Result<Signature, RemoteSignerError> {
        self.cfg
            .consensus_key
            .verify(msg, &sig)
            .map_err(|_| RemoteSignerError::BadSignature { key: self.cfg.consensus_key })?;
        Ok(sig)
    }

    fn signature(&self, req: Request) -> Result<Signature, RemoteSignerError> {
        match self.call(&req)? {
            Response::Signed(sig) => Ok(sig),
            Response::Refused(r) => Err(RemoteSignerError::Refused(r)),
            other => Err(RemoteSignerError::Protocol { reason: format!("expected a signature, got {other:?}") }),
        }
    }

    /// One request and its answer. A channel that fails before an answer
    /// is dropped; if it was an old one (the signer may have restarted
    /// since), the request is sent once more on a fresh channel. Sending a
    /// request twice is safe: the signer signs the same message again, and
    /// nothing else.
    fn call(&self, req: &Request) -> Result<Response, RemoteSignerError> {
        let mut slot = match self.channel.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let bytes = codec::encode(req);
        for attempt in 0..2 {
            let fresh = slot.is_none();
            if fresh {
                *slot = Some(self.connect()?);
            }
            let Some((addr, ch)) = slot.as_mut() else { continue };
            let addr = *addr;
            let answer = ch.send(&bytes).and_then(|()| ch.recv());
            match answer {
                Ok(b) => {
                    let resp = codec::decode::<Response>("remote signer response", &b, self.cfg.max_frame_bytes)
                        .map_err(|e| RemoteSignerError::Protocol { reason: e.to_string() });
                    if resp.is_err() {
                        *slot = None;
                    }
                    return resp;
                }
                Err(source) => {
                    *slot = None;
                    if fresh || attempt > 0 {
                        return Err(RemoteSignerError::Channel { addr, source });
                    }
                    tracing::info!(target: "tamga::remote_signer", %addr, error = %source, "channel to the signer lost; reconnecting");
                }
            }
        }
        Err(RemoteSignerError::Protocol { reason: "no answer after reconnecting".into() })
    }

    fn connect(&self) -> Result<(SocketAddr, Channel), RemoteSignerError> {
        let addrs: Vec<SocketAddr> = self
            .cfg
            .addr
            .to_socket_addrs()
            .map_err(|e| RemoteSignerError::Address { addr: self.cfg.addr.clone(), reason: e.to_string() })?
            .collect();
        let Some(addr) = addrs.first().copied() else {
            return Err(RemoteSignerError::Address { addr: self.cfg.addr.clone(), reason: "no addresses".into() });
        };
        let stream = TcpStream::connect_timeout(&addr, self.cfg.connect_timeout).map_err(|source| {
            RemoteSignerError::Unreachable { addr, timeout_ms: self.cfg.connect_timeout.as_millis(), source }
        })?;
        let mut ch = Channel::initiate(
            stream,
            &self.cfg.identity,
            &self.cfg.signer_identity,
            self.cfg.connect_timeout,
            self.cfg.max_frame_bytes,
        )
        .map_err(|source| RemoteSignerError::Handshake { addr, source })?;
        ch.set_timeout(self.cfg.request_timeout).map_err(|source| RemoteSignerError::Channel { addr, source })?;
        // The signer must hold the configured consensus key.
        ch.send(&codec::encode(&Request::PublicKey))
            .and_then(|()| ch.recv())
            .map_err(|source| RemoteSignerError::Handshake { addr, source })
            .and_then(|b| {
                codec::decode::<Response>("remote signer response", &b, self.cfg.max_frame_bytes)
                    .map_err(|e| RemoteSignerError::Protocol { reason: e.to_string() })
            })
            .and_then(|r| match r {
                Response::PublicKey(k) if k == self.cfg.consensus_key => Ok(()),
                Response::PublicKey(got) => {
                    Err(RemoteSignerError::KeyMismatch { expected: self.cfg.consensus_key, got })
                }
                other => Err(RemoteSignerError::Protocol { reason: format!("expected a public key, got {other:?}") }),
            })?;
        tracing::info!(target: "tamga::remote_signer", %addr, "connected to the remote signer");
        Ok((addr, ch))
    }
}
