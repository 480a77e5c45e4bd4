//! The regulator console (SPEC §6, §11): a single page served by
//! `tamgad` at `/console`, its assets embedded in the binary so it works
//! offline from the node alone (no CDN, no external origin). It reads the
//! node's own API (`/v1/...`) and follows `/v1/events` live.
//!
//! Every answer carries a strict Content-Security-Policy: scripts, styles,
//! images and connections only from the node itself, no inline script or
//! style, no framing.
//!
//! The page builds and signs transactions in the browser (`wire.js`, after
//! `docs/wire-format.md`) with the officer's own key file (`keyfile.js`),
//! using third-party ES modules vendored byte for byte from npm under
//! `assets/vendor/` (versions and file hashes in `vendor/MANIFEST.json`,
//! served as `/console/vendor.json`,
//! checked by the unit tests). Key loading is refused unless
//! `[console] allow_key_loading` is set and the API is served over TLS or on
//! loopback ([`ConsoleConfig`]); `/console/settings.json` tells the page.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::ApiContext;
use crate::config::ConfigError;

/// `[console]`: the regulator console's key handling (`docs/console.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Let an officer open a key file in the console served by this node
    /// and sign there. Off by default: turn it on only on the regulator's
    /// own node, and only with `[api.tls]` or a loopback `api.listen`.
    pub allow_key_loading: bool,
    /// A loaded key is wiped from the page after this many seconds without
    /// a click or key press.
    pub key_idle_timeout_s: u64,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig { allow_key_loading: false, key_idle_timeout_s: 600 }
    }
}

impl ConsoleConfig {
    /// Shortest idle timeout accepted, seconds.
    pub const MIN_IDLE_S: u64 = 30;
    /// Longest idle timeout accepted, seconds (one working day).
    pub const MAX_IDLE_S: u64 = 8 * 3600;

    /// Checks the bounds, and that key loading is only allowed where the
    /// page reaches the node over TLS or loopback (`tls` is whether
    /// `[api.tls]` is set, `listen` the API's address).
    pub fn validate(&self, tls: bool, listen: std::net::SocketAddr) -> Result<(), ConfigError> {
        if !(Self::MIN_IDLE_S..=Self::MAX_IDLE_S).contains(&self.key_idle_timeout_s) {
            return Err(ConfigError::Invalid {
                field: "console.key_idle_timeout_s",
                problem: "between 30 and 28800 seconds",
                got: self.key_idle_timeout_s.to_string(),
            });
        }
        if self.allow_key_loading && !tls && !listen.ip().is_loopback() {
            return Err(ConfigError::Invalid {
                field: "console.allow_key_loading",
                problem: "true only with [api.tls] or a loopback api.listen (a key must never cross plain HTTP)",
                got: format!("true with api.listen = {listen} and no [api.tls]"),
            });
        }
        Ok(())
    }

    /// The `[console]` section `tamgad init` writes.
    pub fn to_documented_toml(&self) -> String {
        format!(
            r#"
[console]
# Let an officer open their key file in the console served by this node and
# sign decisions there (the seed stays in the page's memory, never sent).
# Only on the regulator's own node; needs [api.tls] or a loopback api.listen.
allow_key_loading = {allow}
# A loaded key is wiped after this many seconds without activity (30..=28800).
key_idle_timeout_s = {idle}
"#,
            allow = self.allow_key_loading,
            idle = self.key_idle_timeout_s,
        )
    }
}

/// What `/console/settings.json` tells the page (see [`ConsoleConfig`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleSettings {
    /// Key loading is allowed on this node (config validated: TLS or loopback).
    pub allow_key_loading: bool,
    /// Seconds of inactivity before a loaded key is wiped.
    pub key_idle_timeout_s: u64,
}

impl Default for ConsoleSettings {
    /// Those of the default `[console]`.
    fn default() -> Self {
        (&ConsoleConfig::default()).into()
    }
}

impl From<&ConsoleConfig> for ConsoleSettings {
    fn from(c: &ConsoleConfig) -> Self {
        ConsoleSettings { allow_key_loading: c.allow_key_loading, key_idle_timeout_s: c.key_idle_timeout_s }
    }
}

/// The Content-Security-Policy of every console answer.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; \
                       frame-ancestors 'none'";

/// One embedded asset.
pub struct Asset {
    /// Name under `/console/`.
    pub name: &'static str,
    /// Content type.
    pub mime: &'static str,
    /// Bytes.
    pub body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every asset, `index.html` first; the vendored modules keep their
/// package's file names under `vendor/<package>/`.
pub const ASSETS: [Asset; 26] = [
    Asset { name: "index.html", mime: "text/html; charset=utf-8", body: include_bytes!("assets/index.html") },
    Asset { name: "app.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("assets/app.js") },
    Asset { name: "style.css", mime: "text/css; charset=utf-8", body: include_bytes!("assets/style.css") },
    Asset { name: "en.json", mime: "application/json", body: include_bytes!("assets/i18n/en.json") },
    Asset { name: "ru.json", mime: "application/json", body: include_bytes!("assets/i18n/ru.json") },
    Asset { name: "kk.json", mime: "application/json", body: include_bytes!("assets/i18n/kk.json") },
    Asset { name: "favicon.svg", mime: "image/svg+xml", body: include_bytes!("assets/favicon.svg") },
    Asset { name: "wire.js", mime: JS, body: include_bytes!("assets/wire.js") },
    Asset { name: "keyfile.js", mime: JS, body: include_bytes!("assets/keyfile.js") },
    Asset { name: "session.js", mime: JS, body: include_bytes!("assets/session.js") },
    Asset { name: "vendor.json", mime: "application/json", body: include_bytes!("assets/vendor/MANIFEST.json") },
    Asset {
        name: "vendor/noble-ed25519/index.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-ed25519/index.js"),
    },
    Asset {
        name: "vendor/noble-ed25519/LICENSE",
        mime: "text/plain; charset=utf-8",
        body: include_bytes!("assets/vendor/noble-ed25519/LICENSE"),
    },
    Asset { name: "vendor/noble-hashes/sha2.js", mime: JS, body: include_bytes!("assets/vendor/noble-hashes/sha2.js") },
    Asset { name: "vendor/noble-hashes/_md.js", mime: JS, body: include_bytes!("assets/vendor/noble-hashes/_md.js") },
    Asset { name: "vendor/noble-hashes/_u64.js", mime: JS, body: include_bytes!("assets/vendor/noble-hashes/_u64.js") },
    Asset {
        name: "vendor/noble-hashes/utils.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-hashes/utils.js"),
    },
    Asset {
        name: "vendor/noble-hashes/argon2.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-hashes/argon2.js"),
    },
    Asset {
        name: "vendor/noble-hashes/blake2.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-hashes/blake2.js"),
    },
    Asset {
        name: "vendor/noble-hashes/_blake.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-hashes/_blake.js"),
    },
    Asset {
        name: "vendor/noble-hashes/LICENSE",
        mime: "text/plain; charset=utf-8",
        body: include_bytes!("assets/vendor/noble-hashes/LICENSE"),
    },
    Asset {
        name: "vendor/noble-ciphers/chacha.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-ciphers/chacha.js"),
    },
    Asset {
        name: "vendor/noble-ciphers/_arx.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-ciphers/_arx.js"),
    },
    Asset {
        name: "vendor/noble-ciphers/_poly1305.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-ciphers/_poly1305.js"),
    },
    Asset {
        name: "vendor/noble-ciphers/utils.js",
        mime: JS,
        body: include_bytes!("assets/vendor/noble-ciphers/utils.js"),
    },
    Asset {
        name: "vendor/noble-ciphers/LICENSE",
        mime: "text/plain; charset=utf-8",
        body: include_bytes!("assets/vendor/noble-ciphers/LICENSE"),
    },
];

/// The languages of the console (SPEC §11): Kazakh, Russian, English.
#[cfg(test)]
pub const LANGUAGES: [&str; 3] = ["kk", "ru", "en"];

fn serve(mime: &'static str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /console`: the page.
pub async fn index() -> Response {
    serve(ASSETS[0].mime, ASSETS[0].body)
}

/// `GET /console/{path}`: an asset by name; `/console/` is the page too;
/// `settings.json` is this node's [`ConsoleSettings`].
pub async fn asset(State(ctx): State<ApiContext>, Path(path): Path<String>) -> Response {
    if path == "settings.json" {
        // A struct of a bool and an integer always serialises.
        return serve("application/json", serde_json::to_vec(&ctx.console).unwrap_or_default());
    }
    if path.contains('/') {
        // The vendored modules have their own route (and its documented
        // content types); an encoded slash does not reach them from here.
        return not_found(&path);
    }
    lookup(&path)
}

/// `GET /console/vendor/{package}/{file}`: a vendored module or licence.
pub async fn vendored(Path((package, file)): Path<(String, String)>) -> Response {
    lookup(&format!("vendor/{package}/{file}"))
}

fn lookup(path: &str) -> Response {
    let name = if path.is_empty() { "index.html" } else { path };
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => serve(a.mime, a.body),
        None => not_found(name),
    }
}

/// `ASSET_NOT_FOUND` for `name`, listing the assets there are.
fn not_found(name: &str) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ASSET_NOT_FOUND",
        format!(
            "no console asset {name:?}; the console has: {}",
            ASSETS.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests;
