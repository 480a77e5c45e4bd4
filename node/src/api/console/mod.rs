//! The regulator console (SPEC §6, §11): a single page served by
//! `tamgad` at `/console`, its assets embedded in the binary so it works
//! offline from the node alone (no CDN, no external origin). It reads the
//! node's own API (`/v1/...`) and follows `/v1/events` live.
//!
//! Every answer carries a strict Content-Security-Policy: scripts, styles,
//! images and connections only from the node itself, no inline script or
//! style, no framing.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

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

/// Every asset, `index.html` first.
pub const ASSETS: [Asset; 7] = [
    Asset { name: "index.html", mime: "text/html; charset=utf-8", body: include_bytes!("assets/index.html") },
    Asset { name: "app.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("assets/app.js") },
    Asset { name: "style.css", mime: "text/css; charset=utf-8", body: include_bytes!("assets/style.css") },
    Asset { name: "en.json", mime: "application/json", body: include_bytes!("assets/i18n/en.json") },
    Asset { name: "ru.json", mime: "application/json", body: include_bytes!("assets/i18n/ru.json") },
    Asset { name: "kk.json", mime: "application/json", body: include_bytes!("assets/i18n/kk.json") },
    Asset { name: "favicon.svg", mime: "image/svg+xml", body: include_bytes!("assets/favicon.svg") },
];

/// The languages of the console (SPEC §11): Kazakh, Russian, English.
#[cfg(test)]
pub const LANGUAGES: [&str; 3] = ["kk", "ru", "en"];

fn serve(a: &Asset) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(a.mime)),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        a.body,
    )
        .into_response()
}

/// `GET /console`: the page.
pub async fn index() -> Response {
    serve(&ASSETS[0])
}

/// `GET /console/{path}`: an asset by name; `/console/` is the page too.
pub async fn asset(Path(path): Path<String>) -> Response {
    let name = if path.is_empty() { "index.html" } else { path.as_str() };
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => serve(a),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "ASSET_NOT_FOUND",
            format!(
                "no console asset {name:?}; the console has: {}",
                ASSETS.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
            ),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests;
