//! An account key on a hardware token, used through the token's PKCS#11
//! module (PKCS#11 v3.0: a `CKK_EC_EDWARDS` key pair, `CKM_EDDSA` without
//! parameters = pure Ed25519, RFC 8032 §5.1): an issuer's or a regulator's
//! officer signs with a key that never leaves the token (Digital Code
//! art. 51: the means of signing stay in the signer's sole control).
//!
//! The approach is the node's `pkcs11` consensus signer's (`tamga-node`,
//! `signer::pkcs11`), kept here rather than shared because the node does not
//! depend on the client crate and `tamga-types` does no I/O: find the token
//! by label or slot, log in with the user PIN, find the private key by
//! `CKA_LABEL` (exactly one), read its public half from the public key
//! object of the same label, and verify every signature the token returns
//! under that public key before it is used ([`Pkcs11Key::sign`]).
//!
//! Every error names the command-line option it concerns (`--pkcs11-module`,
//! `--pkcs11-token`, `--pkcs11-slot`, `--pkcs11-key`, `--pkcs11-pin-file`,
//! `TAMGA_PKCS11_PIN`), what was expected and what was found.

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
use tamga_types::{PublicKey, SignError, Signature};
use zeroize::Zeroizing;

use crate::signer::AccountSigner;

/// The environment variable the CLI reads the user PIN from when no
/// `--pkcs11-pin-file` is given.
pub const PIN_ENV: &str = "TAMGA_PKCS11_PIN";

/// How the token is found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenRef {
    /// By slot id (`--pkcs11-slot`).
    Slot(u64),
    /// By token label (`--pkcs11-token`).
    Label(String),
}

/// Where the user PIN comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinSource {
    /// A file readable by its owner only (`--pkcs11-pin-file`); its first
    /// line, surrounding whitespace ignored.
    File(PathBuf),
    /// The environment variable [`PIN_ENV`].
    Env,
    /// Typed at a prompt.
    Typed(Zeroizing<String>),
}

impl PinSource {
    /// The option a wrong PIN is reported against.
    fn option(&self) -> String {
        match self {
            PinSource::File(p) => format!("--pkcs11-pin-file {}", p.display()),
            PinSource::Env => PIN_ENV.to_owned(),
            PinSource::Typed(_) => "the PIN typed at the prompt".to_owned(),
        }
    }

    /// Reads the PIN.
    pub fn read(&self) -> Result<Zeroizing<String>, Pkcs11Error> {
        match self {
            PinSource::File(path) => {
                let bad = |detail: String| Pkcs11Error::PinFile { path: path.clone(), detail };
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?.permissions().mode() & 0o777;
                    if mode & 0o077 != 0 {
                        return Err(bad(format!("expected mode 0600 (owner only), got {mode:04o}")));
                    }
                }
                let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?);
                let pin = text.lines().next().unwrap_or("").trim();
                if pin.is_empty() {
                    return Err(bad("expected the PIN on the first line, got an empty line".into()));
                }
                Ok(Zeroizing::new(pin.to_owned()))
            }
            PinSource::Env => match std::env::var(PIN_ENV) {
                Ok(v) if !v.is_empty() => Ok(Zeroizing::new(v)),
                _ => Err(Pkcs11Error::PinEnv),
            },
            PinSource::Typed(pin) => Ok(pin.clone()),
        }
    }
}

/// Everything needed to reach the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pkcs11Options {
    /// The PKCS#11 module (`--pkcs11-module`).
    pub module: PathBuf,
    /// The token.
    pub token: TokenRef,
    /// `CKA_LABEL` of the private and public key objects (`--pkcs11-key`).
    pub key_label: String,
    /// The user PIN.
    pub pin: PinSource,
}

/// The token key cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum Pkcs11Error {
    /// `--pkcs11-module` names no file.
    #[error("--pkcs11-module: expected the path of a PKCS#11 library, got {path}: no such file")]
    ModuleNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but is not a loadable PKCS#11 library, or the
    /// library refused to initialise.
    #[error("--pkcs11-module: expected a PKCS#11 library (exporting C_GetFunctionList), got {path}: {detail}")]
    ModuleLoad {
        /// The path given.
        path: PathBuf,
        /// The loader's or the module's message.
        detail: String,
    },
    /// No token in the slot given.
    #[error("--pkcs11-slot: expected a slot with a token, got slot {slot} (slots with a token: {available:?})")]
    SlotNotFound {
        /// The slot id given.
        slot: u64,
        /// The slots that have a token.
        available: Vec<u64>,
    },
    /// No token has the label given.
    #[error("--pkcs11-token: expected the label of a token present, got {label:?} (tokens present: {available:?})")]
    TokenNotFound {
        /// The label given.
        label: String,
        /// The labels of the tokens present.
        available: Vec<String>,
    },
    /// The PIN file cannot be read, is readable by others or is empty.
    #[error("--pkcs11-pin-file {path}: {detail}")]
    PinFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The PIN variable is unset or empty.
    #[error(
        "{PIN_ENV}: expected the token's user PIN, got an unset or empty variable (or give --pkcs11-pin-file FILE)"
    )]
    PinEnv,
    /// The token refused the PIN.
    #[error(
        "{option}: the token refused the user PIN (expected the user PIN of token {token}, got CKR_PIN_INCORRECT)"
    )]
    WrongPin {
        /// Where the PIN came from.
        option: String,
        /// The token's label.
        token: String,
    },
    /// The token locked the user PIN after too many wrong tries.
    #[error("{option}: the user PIN of token {token} is locked (CKR_PIN_LOCKED); its security officer must reset it")]
    PinLocked {
        /// Where the PIN came from.
        option: String,
        /// The token's label.
        token: String,
    },
    /// No private key with the label.
    #[error("--pkcs11-key: expected the label of a private key on token {token}, got {label:?} (private keys on the token: {available:?})")]
    KeyNotFound {
        /// The label given.
        label: String,
        /// The token's label.
        token: String,
        /// The labels of the private keys the token holds.
        available: Vec<String>,
    },
    /// More than one private key with the label: which one signs would be arbitrary.
    #[error("--pkcs11-key: expected one private key labelled {label:?}, got {count}; labels must be unique")]
    KeyAmbiguous {
        /// The label given.
        label: String,
        /// How many.
        count: usize,
    },
    /// The key is not an Ed25519 (`CKK_EC_EDWARDS`) key, or its public half
    /// is missing or not 32 bytes.
    #[error("--pkcs11-key: expected an Ed25519 key pair labelled {label:?}, got {detail}")]
    NotEd25519 {
        /// The label given.
        label: String,
        /// What was found.
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

impl Pkcs11Error {
    /// A stable machine-readable code (the CLI's `--json` `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Pkcs11Error::ModuleNotFound { .. } | Pkcs11Error::ModuleLoad { .. } => "PKCS11_MODULE",
            Pkcs11Error::SlotNotFound { .. } | Pkcs11Error::TokenNotFound { .. } => "PKCS11_TOKEN",
            Pkcs11Error::PinFile { .. } | Pkcs11Error::PinEnv => "PKCS11_PIN",
            Pkcs11Error::WrongPin { .. } => "PKCS11_WRONG_PIN",
            Pkcs11Error::PinLocked { .. } => "PKCS11_PIN_LOCKED",
            Pkcs11Error::KeyNotFound { .. } | Pkcs11Error::KeyAmbiguous { .. } | Pkcs11Error::NotEd25519 { .. } => {
                "PKCS11_KEY"
            }
            Pkcs11Error::Call { .. } => "PKCS11",
        }
    }
}

fn call(op: &'static str) -> impl FnOnce(CkError) -> Pkcs11Error {
    move |source| Pkcs11Error::Call { op, source }
}

/// One initialised context per module per process: `C_Finalize` (run when
/// the last clone of a context is dropped) would end every other session of
/// the same module, so contexts are kept for the life of the process.
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

/// An Ed25519 account key on a PKCS#11 token, logged in.
pub struct Pkcs11Key {
    session: Mutex<Session>,
    key: ObjectHandle,
    public: PublicKey,
    token: String,
    label: String,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pkcs11Key(token={:?}, key={:?}, public={})", self.token, self.label, self.public)
    }
}

impl Pkcs11Key {
    /// Loads the module, finds the token, logs in and finds the key.
    pub fn open(o: &Pkcs11Options) -> Result<Pkcs11Key, Pkcs11Error> {
        let ctx = context(&o.module)?;
        let (slot, token) = find_slot(&ctx, &o.token)?;
        let session = ctx.open_ro_session(slot).map_err(call("C_OpenSession"))?;
        let pin = o.pin.read()?;
        let auth = AuthPin::new(pin.as_str().to_owned());
        match session.login(UserType::User, Some(&auth)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _)) => {
                return Err(Pkcs11Error::WrongPin { option: o.pin.option(), token })
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => {
                return Err(Pkcs11Error::PinLocked { option: o.pin.option(), token })
            }
            Err(e) => return Err(Pkcs11Error::Call { op: "C_Login", source: e }),
        }
        let (key, public) = find_key(&session, &o.key_label, &token)?;
        Ok(Pkcs11Key { session: Mutex::new(session), key, public, token, label: o.key_label.clone() })
    }

    /// Signs `msg` with pure Ed25519 on the token; the signature is verified
    /// under [`AccountSigner::public`] before it is returned.
    pub fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        let mech = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = session.sign(&mech, self.key, msg).map_err(|e| match &e {
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
        let sig = Signature(sig);
        self.public.verify(msg, &sig).map_err(|_| SignError::BadSignature { signer: "pkcs11", key: self.public })?;
        Ok(sig)
    }
}

impl AccountSigner for Pkcs11Key {
    fn public(&self) -> PublicKey {
        self.public
    }

    fn sign_message(&self, msg: &[u8]) -> Result<Signature, SignError> {
        self.sign(msg)
    }
}

/// The slot of `token` and the token's label.
fn find_slot(ctx: &Pkcs11, token: &TokenRef) -> Result<(Slot, String), Pkcs11Error> {
    let slots = ctx.get_slots_with_token().map_err(call("C_GetSlotList"))?;
    let label_of = |s: Slot| -> Result<String, Pkcs11Error> {
        Ok(ctx.get_token_info(s).map_err(call("C_GetTokenInfo"))?.label().trim_end().to_owned())
    };
    match token {
        TokenRef::Slot(id) => match slots.iter().find(|s| s.id() == *id) {
            Some(s) => Ok((*s, label_of(*s)?)),
            None => Err(Pkcs11Error::SlotNotFound { slot: *id, available: slots.iter().map(|s| s.id()).collect() }),
        },
        TokenRef::Label(label) => {
            let mut available = Vec::new();
            for s in &slots {
                let l = label_of(*s)?;
                if l == *label {
                    return Ok((*s, l));
                }
                available.push(l);
            }
            Err(Pkcs11Error::TokenNotFound { label: label.clone(), available })
        }
    }
}

/// The private key labelled `label` (exactly one, Ed25519) and the public
/// key of the public key object with the same label.
fn find_key(session: &Session, label: &str, token: &str) -> Result<(ObjectHandle, PublicKey), Pkcs11Error> {
    let l = label.as_bytes().to_vec();
    let keys = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Label(l.clone())])
        .map_err(call("C_FindObjects"))?;
    let key = match keys.as_slice() {
        [] => {
            let all =
                session.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)]).map_err(call("C_FindObjects"))?;
            let mut available = Vec::new();
            // Bounded: a token holds a handful of keys; list at most 32.
            for k in all.into_iter().take(32) {
                let attrs = session.get_attributes(k, &[AttributeType::Label]).map_err(call("C_GetAttributeValue"))?;
                for a in attrs {
                    if let Attribute::Label(b) = a {
                        available.push(String::from_utf8_lossy(&b).into_owned());
                    }
                }
            }
            return Err(Pkcs11Error::KeyNotFound { label: label.to_owned(), token: token.to_owned(), available });
        }
        [k] => *k,
        more => return Err(Pkcs11Error::KeyAmbiguous { label: label.to_owned(), count: more.len() }),
    };
    let not_ed = |detail: String| Pkcs11Error::NotEd25519 { label: label.to_owned(), detail };
    let kt = session.get_attributes(key, &[AttributeType::KeyType]).map_err(call("C_GetAttributeValue"))?;
    if !kt.iter().any(|a| matches!(a, Attribute::KeyType(t) if *t == KeyType::EC_EDWARDS)) {
        return Err(not_ed(format!("a private key of type {kt:?} (expected CKK_EC_EDWARDS)")));
    }
    let pubs = session
        .find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Label(l)])
        .map_err(call("C_FindObjects"))?;
    let [pubkey] = pubs.as_slice() else {
        return Err(not_ed(format!("{} public key objects with this label (expected 1)", pubs.len())));
    };
    let attrs = session.get_attributes(*pubkey, &[AttributeType::EcPoint]).map_err(call("C_GetAttributeValue"))?;
    let point = attrs
        .into_iter()
        .find_map(|a| if let Attribute::EcPoint(p) = a { Some(p) } else { None })
        .ok_or_else(|| not_ed("a public key without CKA_EC_POINT".into()))?;
    let public = ec_point_to_key(&point)
        .ok_or_else(|| not_ed(format!("a CKA_EC_POINT of {} bytes (expected 32)", point.len())))?;
    Ok((key, public))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_points_wrapped_or_bare_are_read_and_others_refused() {
        let mut wrapped = vec![0x04, 0x20];
        wrapped.extend_from_slice(&[7; 32]);
        assert_eq!(ec_point_to_key(&wrapped), Some(PublicKey([7; 32])));
        assert_eq!(ec_point_to_key(&[7; 32]), Some(PublicKey([7; 32])));
        assert_eq!(ec_point_to_key(&[0x04, 0x41, 1, 2]), None);
        assert_eq!(ec_point_to_key(&[7; 31]), None);
    }

    use cryptoki::mechanism::Mechanism;

    #[test]
    fn a_module_that_is_not_there_or_not_a_library_is_named() {
        let o = |module: PathBuf| Pkcs11Options {
            module,
            token: TokenRef::Label("t".into()),
            key_label: "k".into(),
            pin: PinSource::Env,
        };
        let missing = PathBuf::from("/nonexistent/libnothing.so");
        let e = Pkcs11Key::open(&o(missing.clone())).unwrap_err();
        assert!(matches!(&e, Pkcs11Error::ModuleNotFound { path } if *path == missing), "{e}");
        assert!(e.to_string().starts_with("--pkcs11-module: "), "{e}");
        // A file that exists but is no shared library.
        let e = Pkcs11Key::open(&o(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))).unwrap_err();
        assert!(matches!(e, Pkcs11Error::ModuleLoad { .. }), "{e}");
        assert_eq!(e.code(), "PKCS11_MODULE");
        assert!(e.to_string().contains("expected a PKCS#11 library"), "{e}");
    }

    const PIN: &str = "16180339";
    const TOKEN: &str = "tamga-cli-unit";
    /// Logged into only by the wrong-PIN case: login state is per token and
    /// process, so a token another test is logged into would answer
    /// `CKR_USER_ALREADY_LOGGED_IN` instead of checking the PIN.
    const TOKEN_B: &str = "tamga-cli-unit-b";
    const KEY: &str = "officer";

    fn softhsm_module() -> PathBuf {
        ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .expect("SoftHSM2 is installed (scripts/prereqs.sh)")
    }

    /// One SoftHSM2 token directory for this test process, with two tokens
    /// holding an Ed25519 key pair generated on the token (non-extractable),
    /// set up before any test loads the module.
    fn tokens() -> &'static Path {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        DIR.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let tokens = dir.path().join("tokens");
            std::fs::create_dir(&tokens).unwrap();
            let conf = dir.path().join("softhsm2.conf");
            let text =
                format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display());
            std::fs::write(&conf, text).unwrap();
            std::env::set_var("SOFTHSM2_CONF", &conf);
            for token in [TOKEN, TOKEN_B] {
                let out = std::process::Command::new("softhsm2-util")
                    .args(["--init-token", "--free", "--label", token, "--pin", PIN, "--so-pin", "14142135"])
                    .output()
                    .expect("softhsm2-util runs (scripts/prereqs.sh installs softhsm2)");
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            }
            // After every token exists: the module reads the token
            // directory when it is initialised.
            generate(TOKEN);
            generate(TOKEN_B);
            dir
        })
        .path()
    }

    fn generate(token: &str) {
        let ctx = context(&softhsm_module()).unwrap();
        let (slot, _) = find_slot(&ctx, &TokenRef::Label(token.into())).unwrap();
        let session = ctx.open_rw_session(slot).unwrap();
        session.login(UserType::User, Some(&AuthPin::new(PIN.into()))).unwrap();
        let ed25519 = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
        let l = KEY.as_bytes().to_vec();
        session
            .generate_key_pair(
                &Mechanism::EccEdwardsKeyPairGen,
                &[
                    Attribute::Token(true),
                    Attribute::Verify(true),
                    Attribute::EcParams(ed25519),
                    Attribute::Label(l.clone()),
                ],
                &[
                    Attribute::Token(true),
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Sign(true),
                    Attribute::Label(l),
                ],
            )
            .unwrap();
        session.logout().unwrap();
    }

    fn pin_file(dir: &Path, pin: &str) -> PathBuf {
        let p = dir.join(format!("pin-{pin}"));
        std::fs::write(&p, format!("{pin}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        p
    }

    fn options(dir: &Path) -> Pkcs11Options {
        tokens();
        Pkcs11Options {
            module: softhsm_module(),
            token: TokenRef::Label(TOKEN.into()),
            key_label: KEY.into(),
            pin: PinSource::File(pin_file(dir, PIN)),
        }
    }

    #[test]
    fn a_token_key_signs_a_transaction_that_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let key = Pkcs11Key::open(&options(dir.path())).unwrap();
        let p = tamga_types::Payload::ReleaseEscrow { escrow: tamga_types::EscrowId(1) };
        let tx = crate::sign_transaction(&key, "tamga-test", 3, p, Some("officer")).unwrap();
        assert_eq!(tx.tx.signer, key.public());
        tx.verify("tamga-test").unwrap();
        // Pure Ed25519 is deterministic: the same message, the same signature.
        assert_eq!(key.sign(b"m").unwrap(), key.sign(b"m").unwrap());
    }

    #[test]
    fn bad_token_input_names_the_option_expected_and_actual() {
        let dir = tempfile::tempdir().unwrap();
        let good = options(dir.path());
        let err = |o: &Pkcs11Options| Pkcs11Key::open(o).unwrap_err();

        let mut o = good.clone();
        o.token = TokenRef::Label(TOKEN_B.into());
        o.pin = PinSource::File(pin_file(dir.path(), "00000000"));
        let e = err(&o);
        assert_eq!(e.code(), "PKCS11_WRONG_PIN");
        assert!(e.to_string().starts_with("--pkcs11-pin-file ") && e.to_string().contains("CKR_PIN_INCORRECT"), "{e}");

        let mut o = good.clone();
        o.key_label = "no-such-key".into();
        let e = err(&o).to_string();
        assert!(
            e.starts_with(
                "--pkcs11-key: expected the label of a private key on token tamga-cli-unit, got \"no-such-key\""
            ),
            "{e}"
        );
        assert!(e.contains(&format!("[\"{KEY}\"]")), "lists the keys present: {e}");

        let mut o = good.clone();
        o.token = TokenRef::Label("no-such-token".into());
        let e = err(&o).to_string();
        assert!(e.starts_with("--pkcs11-token: expected the label of a token present, got \"no-such-token\""), "{e}");
        assert!(e.contains(TOKEN), "lists the tokens present: {e}");

        let mut o = good.clone();
        o.token = TokenRef::Slot(4_000_000_000);
        let e = err(&o).to_string();
        assert!(e.starts_with("--pkcs11-slot: expected a slot with a token, got slot 4000000000"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_pin_file_others_may_read_or_an_empty_one_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("tamga-pin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("pin");
        std::fs::write(&f, "1234\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = PinSource::File(f.clone()).read().unwrap_err();
        assert!(e.to_string().contains("expected mode 0600 (owner only), got 0644"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(PinSource::File(f.clone()).read().unwrap().as_str(), "1234");
        std::fs::write(&f, "\n").unwrap();
        assert!(matches!(PinSource::File(f).read(), Err(Pkcs11Error::PinFile { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
