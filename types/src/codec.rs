//! The bounded borsh codec: every decode of untrusted bytes is limited before
//! anything is allocated.
//!
//! * [`decode`] refuses input longer than the caller's limit and input with
//!   trailing bytes.
//! * [`BoundedString`] and [`BoundedVec`] carry their maximum length in the
//!   type; their decoder reads the 4-byte length prefix, rejects it if it is
//!   over the maximum, and only then allocates. Borsh's own `Vec` decoder
//!   already caps pre-allocation, but the explicit bound also makes the limit
//!   part of the *format* (documented in `docs/wire-format.md`).

use std::fmt;
use std::io::{self, Read};
use std::ops::Deref;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Hard limits of the wire format. Changing one is a format change.
pub mod limits {
    /// Maximum encoded size of one signed transaction, in bytes.
    pub const MAX_TX_BYTES: usize = 16 * 1024;
    /// Maximum memo length, in bytes (UTF-8).
    pub const MAX_MEMO: usize = 256;
    /// Maximum chain id length, in bytes.
    pub const MAX_CHAIN_ID: usize = 64;
    /// Short strings: symbols, names, regions, reasons.
    pub const MAX_SHORT: usize = 128;
    /// Long strings: descriptions, addresses, URIs, legal bases.
    pub const MAX_TEXT: usize = 1024;
    /// Escrow terms text stored on the chain (SPEC §7, DC art. 67), in bytes
    /// (UTF-8): about four pages of contract text, and with the rest of a
    /// `PublishTerms` transaction well within [`MAX_TX_BYTES`].
    pub const MAX_TERMS: usize = 8 * 1024;
    /// Maximum number of items in small lists (rights, accounts, validator updates).
    pub const MAX_LIST: usize = 64;
    /// Maximum transactions in one block.
    pub const MAX_BLOCK_TXS: usize = 20_000;
    /// Maximum encoded size of one block, in bytes.
    pub const MAX_BLOCK_BYTES: usize = 64 * 1024 * 1024;
    /// Maximum validators in a set.
    pub const MAX_VALIDATORS: usize = 256;
    /// Maximum evidence items in one block.
    pub const MAX_EVIDENCE: usize = 64;
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input is longer than the limit for this kind of object.
    #[error("{what}: input is {got} bytes, at most {max} allowed")]
    TooLarge {
        /// What was being decoded.
        what: &'static str,
        /// Maximum allowed.
        max: usize,
        /// Actual length.
        got: usize,
    },
    /// The bytes are not a valid encoding (truncated, bad tag, over a field bound…).
    #[error("{what}: malformed encoding: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// A valid value was followed by extra bytes.
    #[error("{what}: {extra} trailing bytes after the value")]
    TrailingBytes {
        /// What was being decoded.
        what: &'static str,
        /// How many bytes were left.
        extra: usize,
    },
}

/// Decodes exactly one `T` from `bytes`, refusing more than `max` bytes and
/// any trailing data.
pub fn decode<T: BorshDeserialize>(what: &'static str, bytes: &[u8], max: usize) -> Result<T, DecodeError> {
    if bytes.len() > max {
        return Err(DecodeError::TooLarge { what, max, got: bytes.len() });
    }
    let mut rest = bytes;
    let v = T::deserialize(&mut rest).map_err(|e| DecodeError::Malformed { what, reason: e.to_string() })?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes { what, extra: rest.len() });
    }
    Ok(v)
}

/// Encodes a value with borsh. Infallible for Tamga's types (they write to memory).
pub fn encode<T: BorshSerialize>(v: &T) -> Vec<u8> {
    borsh::to_vec(v).unwrap_or_else(|e| unreachable!("borsh to Vec cannot fail: {e}"))
}

fn read_len<R: Read>(r: &mut R, max: usize, what: &str) -> io::Result<usize> {
    let len = u32::deserialize_reader(r)? as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} length {len} exceeds the maximum {max}"),
        ));
    }
    Ok(len)
}

/// Why a value does not fit its bounded type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{len} exceeds the maximum length {max}")]
pub struct TooLong {
    /// Maximum allowed.
    pub max: usize,
    /// Actual length.
    pub len: usize,
}

/// A UTF-8 string of at most `N` bytes. Encoded like borsh `String`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BoundedString<const N: usize>(String);

impl<const N: usize> BoundedString<N> {
    /// Wraps `s` if it is at most `N` bytes.
    pub fn new(s: impl Into<String>) -> Result<Self, TooLong> {
        let s = s.into();
        if s.len() > N {
            return Err(TooLong { max: N, len: s.len() });
        }
        Ok(Self(s))
    }
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Unwraps the string.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const N: usize> Deref for BoundedString<N> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const N: usize> fmt::Debug for BoundedString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const N: usize> fmt::Display for BoundedString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const N: usize> TryFrom<&str> for BoundedString<N> {
    type Error = TooLong;
    fn try_from(s: &str) -> Result<Self, TooLong> {
        Self::new(s)
    }
}

impl<const N: usize> BorshSerialize for BoundedString<N> {
    fn serialize<W: io::Write>(&self, w: &mut W) -> io::Result<()> {
        BorshSerialize::serialize(&self.0, w)
    }
}

impl<const N: usize> BorshDeserialize for BoundedString<N> {
    fn deserialize_reader<R: Read>(r: &mut R) -> io::Result<Self> {
        let len = read_len(r, N, "string")?;
        let mut buf = vec![0u8; len];
        r.read_exact(&mut buf)?;
        String::from_utf8(buf)
            .map(Self)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "string is not valid UTF-8"))
    }
}

impl<const N: usize> Serialize for BoundedString<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const N: usize> Deserialize<'de> for BoundedString<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

/// A list of at most `N` items. Encoded like borsh `Vec<T>`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BoundedVec<T, const N: usize>(Vec<T>);

impl<T, const N: usize> Default for BoundedVec<T, N> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T, const N: usize> BoundedVec<T, N> {
    /// Wraps `v` if it has at most `N` items.
    pub fn new(v: Vec<T>) -> Result<Self, TooLong> {
        if v.len() > N {
            return Err(TooLong { max: N, len: v.len() });
        }
        Ok(Self(v))
    }
    /// Unwraps the list.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }
}

impl<T, const N: usize> Deref for BoundedVec<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for BoundedVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<T: BorshSerialize, const N: usize> BorshSerialize for BoundedVec<T, N> {
    fn serialize<W: io::Write>(&self, w: &mut W) -> io::Result<()> {
        BorshSerialize::serialize(&self.0, w)
    }
}

impl<T: BorshDeserialize, const N: usize> BorshDeserialize for BoundedVec<T, N> {
    fn deserialize_reader<R: Read>(r: &mut R) -> io::Result<Self> {
        let len = read_len(r, N, "list")?;
        let mut v = Vec::with_capacity(len.min(1024));
        for _ in 0..len {
            v.push(T::deserialize_reader(r)?);
        }
        Ok(Self(v))
    }
}

impl<T: Serialize, const N: usize> Serialize for BoundedVec<T, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for BoundedVec<T, N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = <Vec<T> as Deserialize>::deserialize(d)?;
        Self::new(v).map_err(serde::de::Error::custom)
    }
}

/// Short bounded string ([`limits::MAX_SHORT`]).
pub type ShortText = BoundedString<{ limits::MAX_SHORT }>;
/// Long bounded string ([`limits::MAX_TEXT`]).
pub type Text = BoundedString<{ limits::MAX_TEXT }>;
/// Escrow terms text ([`limits::MAX_TERMS`]).
pub type TermsText = BoundedString<{ limits::MAX_TERMS }>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_string_rejects_long_prefix_before_allocating() {
        // Length prefix claims 4 GiB: must fail on the prefix, not allocate.
        let bytes = [0xff, 0xff, 0xff, 0xff];
        let err = decode::<BoundedString<8>>("s", &bytes, 100).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed { .. }), "{err}");
        assert!(err.to_string().contains("exceeds the maximum 8"), "{err}");
    }

    #[test]
    fn bounded_vec_limit() {
        let v: BoundedVec<u8, 2> = BoundedVec::new(vec![1, 2]).expect("fits");
        let bytes = encode(&v);
        assert_eq!(decode::<BoundedVec<u8, 2>>("v", &bytes, 100), Ok(v));
        assert!(decode::<BoundedVec<u8, 1>>("v", &bytes, 100).is_err());
        assert_eq!(BoundedVec::<u8, 1>::new(vec![1, 2]), Err(TooLong { max: 1, len: 2 }));
    }

    #[test]
    fn decode_rejects_oversize_and_trailing() {
        let bytes = encode(&7u32);
        assert_eq!(decode::<u32>("n", &bytes, 3), Err(DecodeError::TooLarge { what: "n", max: 3, got: 4 }));
        let mut more = bytes.clone();
        more.push(0);
        assert_eq!(decode::<u32>("n", &more, 10), Err(DecodeError::TrailingBytes { what: "n", extra: 1 }));
    }

    #[test]
    fn bad_utf8_rejected() {
        let bytes = [2, 0, 0, 0, 0xff, 0xfe];
        assert!(decode::<BoundedString<8>>("s", &bytes, 100).is_err());
    }
}
