//! The language middleware on every route (SPEC §11; Law on Informatization
//! art. 44 p.2): the answer's language negotiated from `Accept-Language`
//! ([`super::i18n`]), an error answer's message rewritten into it
//! ([`super::error`]), and the message of a failed receipt rendered in it
//! from the receipt's code and arguments ([`render_outcomes`]; the receipt
//! itself carries no message, `docs/wire-format.md` §10).

use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_LENGTH, VARY};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::i18n::{negotiate, Lang};

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

/// Adds `message` to every failed receipt outcome in `v` (an object under
/// an `outcome` key with `"status": "failed"`, its `code` and `args`): the
/// message rendered in `lang` from the catalogue every edge shares
/// (`tamga_contract::messages`). `code` and `args` stay as they are: clients
/// branch on them, people read `message`.
pub fn render_outcomes(v: &mut Value, lang: Lang) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(o)) = m.get_mut("outcome") {
                if let Some(message) = failed_message(o, lang) {
                    o.insert("message".into(), Value::String(message));
                }
            }
            m.values_mut().for_each(|x| render_outcomes(x, lang));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| render_outcomes(x, lang)),
        _ => {}
    }
}

fn failed_message(o: &serde_json::Map<String, Value>, lang: Lang) -> Option<String> {
    if o.get("status")?.as_str()? != "failed" {
        return None;
    }
    let code = o.get("code")?.as_str()?;
    let args: Vec<(String, String)> = o
        .get("args")?
        .as_array()?
        .iter()
        .filter_map(|pair| match pair.as_array()?.as_slice() {
            [Value::String(k), Value::String(v)] => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect();
    Some(tamga_contract::messages::render(code, &args, lang.into()))
}

/// `answer` as JSON with its failed outcomes' messages in `lang`.
pub fn with_messages<T: Serialize>(answer: &T, lang: Lang) -> ApiResult<Value> {
    let mut v = serde_json::to_value(answer).map_err(|e| ApiError::internal(format!("encoding the answer: {e}")))?;
    render_outcomes(&mut v, lang);
    Ok(v)
}
