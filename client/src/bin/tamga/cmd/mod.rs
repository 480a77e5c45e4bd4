//! The command tree below the top level, one file per domain: each domain's
//! arguments beside the builder that turns them into a payload (pure: no
//! I/O, unit-tested).
//!
//! [`crate::args::Command::op`] maps every transaction command to an [`Op`].
//! Some need facts from the node first, which the caller fetches and passes
//! in a [`Ctx`]: the decimals of the class an amount is expressed in
//! ([`Op::amount_class`], unless `--base-units`), and for a mining change or
//! termination the previous notification's site ([`Op::previous_mining`]),
//! whose fields the command does not repeat.

pub mod escrow;
pub mod governance;
pub mod keys;
pub mod notify;
pub mod parties;
pub mod queries;
pub mod records;
pub mod regulator;
pub mod tokens;
pub mod watch;

use tamga_client::amount::{parse_amount, parse_base_units};
use tamga_types::{BoundedString, ClassId, MiningNotificationId, MiningSite, Payload, PublicKey};

/// What a builder may need from outside the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ctx<'c> {
    /// Decimals of [`Op::amount_class`] (or of the class being created);
    /// `None` when amounts are base units.
    pub decimals: Option<u8>,
    /// The signing account (a regulator's arrest names it as beneficiary by default).
    pub signer: Option<PublicKey>,
    /// The site of [`Op::previous_mining`].
    pub previous_site: Option<&'c MiningSite>,
}

type Build<'a> = Box<dyn Fn(&Ctx<'_>) -> Result<Payload, String> + 'a>;

/// A transaction command, ready to become a payload.
pub struct Op<'a> {
    amount_class: Option<ClassId>,
    previous_mining: Option<MiningNotificationId>,
    build: Build<'a>,
    /// An identifier salt generated for this command, to be kept by the user.
    generated_salt: Option<parties::GeneratedSalt>,
}

impl std::fmt::Debug for Op<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op")
            .field("amount_class", &self.amount_class)
            .field("previous_mining", &self.previous_mining)
            .field("generated_salt", &self.generated_salt.is_some())
            .finish_non_exhaustive()
    }
}

fn text<const N: usize>(field: &str, s: &str) -> Result<BoundedString<N>, String> {
    BoundedString::new(s).map_err(|e| format!("--{field} is {} bytes, at most {} allowed", e.len, e.max))
}

fn amount(s: &str, decimals: Option<u8>) -> Result<u128, String> {
    match decimals {
        Some(d) => parse_amount(s, d),
        None => parse_base_units(s),
    }
    .map_err(|e| e.to_string())
}

/// The kebab-case name of a serde snake_case enum value (`raw-resource`).
pub fn kebab<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s.replace('_', "-"),
        _ => "?".into(),
    }
}

/// Parses a kebab- or snake-case name into a serde snake_case enum, with the
/// enum's own list of allowed values in the error.
pub fn snake<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    let v = serde_json::Value::String(s.trim().replace('-', "_"));
    serde_json::from_value(v).map_err(|e| e.to_string().replace('_', "-"))
}

impl<'a> Op<'a> {
    fn new(f: impl Fn(&Ctx<'_>) -> Result<Payload, String> + 'a) -> Op<'a> {
        Op { amount_class: None, previous_mining: None, build: Box::new(f), generated_salt: None }
    }

    /// A payload that needs nothing from the node.
    fn fixed(f: impl Fn() -> Result<Payload, String> + 'a) -> Op<'a> {
        Op::new(move |_| f())
    }

    /// A payload with an amount in `class`'s units.
    fn amount_in(class: ClassId, f: impl Fn(Option<u8>) -> Result<Payload, String> + 'a) -> Op<'a> {
        Op {
            amount_class: Some(class),
            previous_mining: None,
            build: Box::new(move |c| f(c.decimals)),
            generated_salt: None,
        }
    }

    /// The same, with the salt it generated (`party register` without `--salt`).
    fn with_generated_salt(mut self, salt: parties::GeneratedSalt) -> Op<'a> {
        self.generated_salt = Some(salt);
        self
    }

    /// The identifier salt generated for this command, if any: the caller
    /// shows and saves it before signing (SPEC §3: the salt is the user's).
    pub fn generated_salt(&self) -> Option<&parties::GeneratedSalt> {
        self.generated_salt.as_ref()
    }

    /// The class whose decimals the command's amount is expressed in, if any.
    pub fn amount_class(&self) -> Option<ClassId> {
        self.amount_class
    }

    /// The mining notification whose site a change or termination builds on.
    pub fn previous_mining(&self) -> Option<MiningNotificationId> {
        self.previous_mining
    }

    /// The payload, with `decimals` of [`Op::amount_class`] (or of the class
    /// being created), `None` when amounts are base units.
    #[cfg(test)]
    pub fn payload(&self, decimals: Option<u8>) -> Result<Payload, String> {
        self.payload_with(&Ctx { decimals, ..Ctx::default() })
    }

    /// The payload, given what was fetched.
    pub fn payload_with(&self, ctx: &Ctx<'_>) -> Result<Payload, String> {
        (self.build)(ctx)
    }
}
