//! Query-string and path parsing with errors that name the parameter and
//! the values it accepts. Unknown and repeated parameters are refused rather
//! than ignored, so a typo (`?regoin=`) never silently widens a result.

use std::str::FromStr;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;

use super::error::{ApiError, ApiResult};
use super::i18n::{args, Why};

/// Parsed query parameters of one request.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Checks that only `allowed` parameters appear, each at most once.
    pub fn new(q: Result<Query<Vec<(String, String)>>, QueryRejection>, allowed: &[&str]) -> ApiResult<Params> {
        let Query(pairs) = q.map_err(|e| ApiError::bad_t("BAD_QUERY", "query", args!["detail" => e.body_text()]))?;
        for (i, (k, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(if allowed.is_empty() {
                    ApiError::bad_t("UNKNOWN_PARAM.none", k.clone(), args!["param" => format!("{k:?}")])
                } else {
                    ApiError::bad_t(
                        "UNKNOWN_PARAM",
                        k.clone(),
                        args!["param" => format!("{k:?}"), "allowed" => allowed.join(", ")],
                    )
                });
            }
            if pairs[..i].iter().any(|(p, _)| p == k) {
                return Err(ApiError::bad_t("BAD_PARAM.twice", k.clone(), args!["param" => format!("{k:?}")]));
            }
        }
        Ok(Params { pairs })
    }

    /// The raw value of `name`.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `name` parsed by `parse`; its reason becomes a `BAD_PARAM` naming
    /// the parameter.
    pub fn get<T>(&self, name: &str, parse: impl FnOnce(&str) -> Result<T, Why>) -> ApiResult<Option<T>> {
        self.raw(name)
            .map(|v| {
                parse(v).map_err(|why| {
                    ApiError::bad_t(
                        "BAD_PARAM",
                        name,
                        args!["param" => name, "value" => format!("{v:?}"), "why" => why],
                    )
                })
            })
            .transpose()
    }
}

/// Parses an unsigned integer (ids, heights, limits).
pub fn uint<T: FromStr>(s: &str) -> Result<T, Why> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Why::plain("why.uint"));
    }
    s.parse().map_err(|_| Why::plain("why.uint_range"))
}

/// Parses one of a fixed list of names.
pub fn one_of<'a, T: Copy>(s: &str, allowed: &'a [(&'a str, T)]) -> Result<T, Why> {
    allowed.iter().find(|(n, _)| *n == s).map(|(_, v)| *v).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
        Why::new("why.one_of", args!["allowed" => names.join(", ")])
    })
}

/// A path segment holding an id (`/v1/parties/{id}`).
pub fn path_id<T: FromStr>(what: &str, s: &str) -> ApiResult<T> {
    uint(s).map_err(|why| {
        ApiError::bad_t("BAD_ID", what, args!["param" => what, "value" => format!("{s:?}"), "why" => why])
    })
}

/// A path segment holding an account key.
pub fn path_key(s: &str) -> ApiResult<tamga_types::PublicKey> {
    tamga_types::PublicKey::from_hex(s)
        .map_err(|e| ApiError::bad_t("BAD_KEY", "key", args!["value" => format!("{s:?}"), "detail" => e.to_string()]))
}

/// A path segment holding a hash.
pub fn path_hash(s: &str) -> ApiResult<tamga_types::Hash> {
    tamga_types::Hash::from_hex(s)
        .map_err(|e| ApiError::bad_t("BAD_HASH", "hash", args!["value" => format!("{s:?}"), "detail" => e.to_string()]))
}
