//! The language middleware on every route (SPEC §11; Law on Informatization
//! art. 44 p.2): the answer's language negotiated from `Accept-Language`
//! ([`super::i18n`]), an error answer's message rewritten into it
//! ([`super::error`]).

use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_LENGTH, VARY};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::error::ApiError;
use super::i18n::negotiate;

/// The middleware on every route: negotiates the language, hands it to the
/// handlers (request extension [`Lang`]), rewrites an error answer's
/// `message` into that language (an [`ApiError`] leaves itself in the
/// response extensions for this) and sets `Content-Language`.
pub async fn localize(mut req: Request, next: Next) -> Response {
    let lang = negotiate(req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(lang);
    let mut resp = next.run(req).await;
    if let Some(e) = resp.extensions_mut().remove::<ApiError>() {
        if let Ok(body) = serde_json::to_vec(&e.localized(lang)) {
            resp.headers_mut().remove(CONTENT_LENGTH);
            *resp.body_mut() = axum::body::Body::from(body);
        }
    }
    let headers = resp.headers_mut();
    headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    headers.append(VARY, HeaderValue::from_static("accept-language"));
    resp
}
