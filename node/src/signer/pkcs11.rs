//! The `pkcs11` signer: an Ed25519 key object in a hardware security module,
//! used through the module's PKCS#11 interface (PKCS#11 v3.0: `CKK_EC_EDWARDS`
//! keys, `CKM_EDDSA` without parameters = pure Ed25519, RFC 8032 §5.1). The
//! private key never leaves the token; the node holds a logged-in session and
//! the key's object handle.
//!
//! Every signature the token returns is verified against the public key read
//! from the token at start before it is handed to the engine: a device that
//! signs with another key or returns garbage costs a step, never a bad vote.
//! A lost session (token removed, module restarted) is reopened and logged in
//! again once per request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use tamga_types::{ConsensusSigner, ProposalData, PublicKey, SignError, Signature, VoteData};
use zeroize::Zeroizing;

/// How the token is found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenRef {
    /// By slot id (`signer.slot`).
    Slot(u64),
    /// By token label (`signer.token_label`).
    Label(String),
}

/// Where the user PIN comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinSource {
    /// A file (mode 0600) holding the PIN (`signer.pin_file`); surrounding
    /// whitespace is ignored.
    File(PathBuf),
    /// An environment variable holding the PIN (`signer.pin_env`).
    Env(String),
}

impl PinSource {
    /// The setting a wrong PIN is reported against.
    fn setting(&self) -> &'static str {
        match self {
            PinSource::File(_) => "signer.pin_file",
            PinSource::Env(_) => "signer.pin_env",
        }
    }

    /// Reads the PIN.
    pub fn read(&self) -> Result<Zeroizing<String>, Pkcs11Error> {
        match self {
            PinSource::File(path) => {
                crate::home::check_key_mode(path)
                    .map_err(|e| Pkcs11Error::PinFile { path: path.clone(), detail: e.to_string() })?;
                let text = Zeroizing::new(
                    std::fs::read_to_string(path)
                        .map_err(|e| Pkcs11Error::PinFile { path: path.clone(), detail: e.to_string() })?,
                );
                Ok(Zeroizing::new(text.trim().to_owned()))
            }
            PinSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Zeroizing::new(v)),
                _ => Err(Pkcs11Error::PinEnv { var: var.clone() }),
            },
        }
    }
}

/// Everything needed to reach the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pkcs11Settings {
    /// The PKCS#11 module (`signer.module`).
    pub module: PathBuf,
    /// The token.
    pub token: TokenRef,
    /// `CKA_LABEL` of the private and public key objects (`signer.key_label`).
    pub key_label: String,
    /// The user PIN.
    pub pin: PinSource,
}

/// The PKCS#11 signer cannot be opened, or a call to the module failed.
#[derive(Debug, thiserror::Error)]
pub enum Pkcs11Error {
    /// `signer.module` names no file.
    #[error("signer.module: no PKCS#11 module at {path}")]
    ModuleNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The module exists but cannot be loaded or initialised.
    #[error("signer.module: cannot load the PKCS#11 module {path}: {detail}")]
    ModuleLoad {
        /// The path given.
        path: PathBuf,
        /// The loader's or the module's message.
        detail: String,
    },
    /// No token in the slot given.
    #[error("signer.slot: no token in slot {slot} (slots with a token: {available:?})")]
    SlotNotFound {
        /// The slot id given.
        slot: u64,
        /// The slots that have a token.
        available: Vec<u64>,
    },
    /// No token has the label given.
    #[error("signer.token_label: no token labelled {label:?} (tokens present: {available:?})")]
    TokenNotFound {
        /// The label given.
        label: String,
        /// The labels of the tokens present.
        available: Vec<String>,
    },
    /// The PIN file cannot be read or is readable by others.
    #[error("signer.pin_file: {path}: {detail}")]
    PinFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The PIN variable is unset or empty.
    #[error("signer.pin_env: the environment variable {var} is not set (or empty)")]
    PinEnv {
        /// The variable's name.
        var: String,
    },
    /// The token refused the PIN.
    #[error("{setting}: the token refused the user PIN (CKR_PIN_INCORRECT)")]
    WrongPin {
        /// `signer.pin_file` or `signer.pin_env`.
        setting: &'static str,
    },
    /// The token locked the user PIN after too many wrong tries.
    #[error("{setting}: the token's user PIN is locked (CKR_PIN_LOCKED); the security officer must reset it")]
    PinLocked {
        /// `signer.pin_file` or `signer.pin_env`.
        setting: &'static str,
    },
    /// No private key with the label.
    #[error("signer.key_label: no private key labelled {label:?} on the token")]
    KeyNotFound {
        /// The label given.
        label: String,
    },
    /// More than one private key with the label: which one signs would be arbitrary.
    #[error("signer.key_label: {count} private keys are labelled {label:?}; labels must be unique")]
    KeyAmbiguous {
        /// The label given.
        label: String,
        /// How many.
        count: usize,
    },
    /// The key is not an Ed25519 (`CKK_EC_EDWARDS`) key, or its public half
    /// is missing or not 32 bytes.
    #[error("signer.key_label: the key labelled {label:?} is not a usable Ed25519 key: {detail}")]
    NotEd25519 {
        /// The label given.
        label: String,
        /// What is wrong.
        detail: String,
    },
    /// A PKCS#11 call failed.
    #[error("PKCS#11 {op} failed: {source}")]
    Call {
        /// What was attempted.
        op: &'static str,
        /// The module's answer.
        source: CkError,
    },
}

fn call(op: &'static str) -> impl FnOnce(CkError) -> Pkcs11Error {
    move |source| Pkcs11Error::Call { op, source }
}

/// One initialised context per module per process: `C_Finalize` (run when a
/// context is dropped) would end every other session of the same module, so
/// contexts are kept for the life of the process.
fn context(module: &Path) -> Result<Pkcs11, Pkcs11Error> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    if !module.is_file() {
        return Err(Pkcs11Error::ModuleNotFound { path: module.to_path_buf() });
    }
    let mut map = CONTEXTS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = map.get(module) {
        return Ok(c.clone());
    }
    let load = |detail: String| Pkcs11Error::ModuleLoad { path: module.to_path_buf(), detail };
    let ctx = Pkcs11::new(module).map_err(|e| load(e.to_string()))?;
    match ctx.initialize(CInitializeArgs::OsThreads) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(load(e.to_string())),
    }
    map.insert(module.to_path_buf(), ctx.clone());
    Ok(ctx)
}

/// A logged-in session on the token with the key's handle.
struct Open {
    session: Session,
    key: ObjectHandle,
}

/// An Ed25519 key on a PKCS#11 token.
pub struct Pkcs11Key {
    ctx: Pkcs11,
    slot: Slot,
    settings: Pkcs11Settings,
    public: PublicKey,
    open: Mutex<Option<Open>>,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pkcs11Key(module={}, key={:?}, public={})",
            self.settings.module.display(),
            self.settings.key_label,
            self.public
        )
    }
}

impl Pkcs11Key {
    /// Loads the module, finds the token, logs in and finds the key.
    pub fn open(settings: &Pkcs11Settings) -> Result<Pkcs11Key, Pkcs11Error> {
        let ctx = context(&settings.module)?;
        let slot = find_slot(&ctx, &settings.token)?;
        let (open, public) = login_and_find(&ctx, slot, settings)?;
        Ok(Pkcs11Key { ctx, slot, settings: settings.clone(), public, open: Mutex::new(Some(open)) })
    }

    /// The key's public half, read from the token.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// Signs `msg` with pure Ed25519 on the token; the signature is checked
    /// against [`Pkcs11Key::public`] before it is returned.
    pub fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        let mut guard = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let mut result = match guard.as_ref() {
            Some(o) => sign_raw(o, msg),
            None => Err(SignError::Unavailable { signer: "pkcs11", detail: "no session".into() }),
        };
        if matches!(result, Err(SignError::Unavailable { .. })) {
            // The session is gone (token removed, module restarted): open a
            // new one and try once more.
            *guard = None;
            let (open, public) = login_and_find(&self.ctx, self.slot, &self.settings)
                .map_err(|e| SignError::Unavailable { signer: "pkcs11", detail: e.to_string() })?;
            if public != self.public {
                return Err(SignError::BadSignature { signer: "pkcs11", key: self.public });
            }
            result = sign_raw(&open, msg);
            *guard = Some(open);
        }
        let sig = result?;
        self.public.verify(msg, &sig).map_err(|_| SignError::BadSignature { signer: "pkcs11", key: self.public })?;
        Ok(sig)
    }
}

fn sign_raw(open: &Open, msg: &[u8]) -> Result<Signature, SignError> {
    let mech = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
    let bytes = open.session.sign(&mech, open.key, msg).map_err(|e| match &e {
        CkError::Pkcs11(
            RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::UserNotLoggedIn
            | RvError::DeviceError,
            _,
        ) => SignError::Unavailable { signer: "pkcs11", detail: e.to_string() },
        _ => SignError::Other { signer: "pkcs11", detail: e.to_string() },
    })?;
    let sig: [u8; 64] = bytes.as_slice().try_into().map_err(|_| SignError::Other {
        signer: "pkcs11",
        detail: format!("CKM_EDDSA returned {} bytes, expected 64", bytes.len()),
    })?;
    Ok(Signature(sig))
}

fn find_slot(ctx: &Pkcs11, token: &TokenRef) -> Result<Slot, Pkcs11Error> {
    let slots = ctx.get_slots_with_token().map_err(call("C_GetSlotList"))?;
    match token {
        TokenRef::Slot(id) => slots
            .iter()
            .find(|s| s.id() == *id)
            .copied()
            .ok_or_else(|| Pkcs11Error::SlotNotFound { slot: *id, available: slots.iter().map(|s| s.id()).collect() }),
        TokenRef::Label(label) => {
            let mut available = Vec::new();
            for s in &slots {
                let info = ctx.get_token_info(*s).map_err(call("C_GetTokenInfo"))?;
                let l = info.label().trim_end().to_owned();
                if l == *label {
                    return Ok(*s);
                }
                available.push(l);
            }
            Err(Pkcs11Error::TokenNotFound { label: label.clone(), available })
        }
    }
}

fn login_and_find(ctx: &Pkcs11, slot: Slot, s: &Pkcs11Settings) -> Result<(Open, PublicKey), Pkcs11Error> {
    let session = ctx.open_ro_session(slot).map_err(call("C_OpenSession"))?;
    let pin = s.pin.read()?;
    let auth = AuthPin::new(pin.as_str().to_owned());
    match session.login(UserType::User, Some(&auth)) {
        // Another session of this process already logged the token in.
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _)) => {
            return Err(Pkcs11Error::WrongPin { setting: s.pin.setting() })
        }
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => return Err(Pkcs11Error::PinLocked { setting: s.pin.setting() }),
        Err(e) => return Err(Pkcs11Error::Call { op: "C_Login", source: e }),
    }
    let label = s.key_label.as_bytes().to_vec();
    let keys = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Label(label.clone())])
        .map_err(call("C_FindObjects"))?;
    let key = match keys.as_slice() {
        [] => return Err(Pkcs11Error::KeyNotFound { label: s.key_label.clone() }),
        [k] => *k,
        more => return Err(Pkcs11Error::KeyAmbiguous { label: s.key_label.clone(), count: more.len() }),
    };
    let not_ed = |detail: String| Pkcs11Error::NotEd25519 { label: s.key_label.clone(), detail };
    let kt = session.get_attributes(key, &[AttributeType::KeyType]).map_err(call("C_GetAttributeValue"))?;
    if !kt.iter().any(|a| matches!(a, Attribute::KeyType(t) if *t == KeyType::EC_EDWARDS)) {
        return Err(not_ed(format!("key type {kt:?}, expected CKK_EC_EDWARDS")));
    }
    let pubs = session
        .find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Label(label)])
        .map_err(call("C_FindObjects"))?;
    let [pubkey] = pubs.as_slice() else {
        return Err(not_ed(format!("{} public key objects with this label, expected 1", pubs.len())));
    };
    let attrs = session.get_attributes(*pubkey, &[AttributeType::EcPoint]).map_err(call("C_GetAttributeValue"))?;
    let point = attrs
        .into_iter()
        .find_map(|a| if let Attribute::EcPoint(p) = a { Some(p) } else { None })
        .ok_or_else(|| not_ed("the public key has no CKA_EC_POINT".into()))?;
    let public = ec_point_to_key(&point).ok_or_else(|| not_ed(format!("CKA_EC_POINT of {} bytes", point.len())))?;
    Ok((Open { session, key }, public))
}

/// `CKA_EC_POINT` of an Edwards key: the 32 bytes, DER-wrapped in an OCTET
/// STRING (`04 20 ‖ key`, PKCS#11 v3.0 §2.3.5) or, with some modules, bare.
fn ec_point_to_key(point: &[u8]) -> Option<PublicKey> {
    let raw = match point {
        [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
        raw if raw.len() == 32 => raw,
        _ => return None,
    };
    let mut k = [0u8; 32];
    k.copy_from_slice(raw);
    Some(PublicKey(k))
}

/// The validator's consensus key on a PKCS#11 token.
#[derive(Debug)]
pub struct Pkcs11Signer(Pkcs11Key);

impl Pkcs11Signer {
    /// Opens the token and finds the key (see [`Pkcs11Key::open`]).
    pub fn open(settings: &Pkcs11Settings) -> Result<Pkcs11Signer, Pkcs11Error> {
        Pkcs11Key::open(settings).map(Pkcs11Signer)
    }
}

impl ConsensusSigner for Pkcs11Signer {
    fn public_key(&self) -> PublicKey {
        self.0.public()
    }

    fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, SignError> {
        self.0.sign(&data.signing_message(chain_id))
    }

    fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, SignError> {
        self.0.sign(&data.signing_message(chain_id))
    }
}

/// The process's context of `module` (tests that set up tokens through it).
#[cfg(test)]
pub(crate) fn tests_context(module: &Path) -> Pkcs11 {
    context(module).expect("the PKCS#11 module loads")
}
