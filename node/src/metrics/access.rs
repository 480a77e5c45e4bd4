//! Who may read `GET /metrics` (`[metrics]` of `config.toml`).
//!
//! The metrics tell an attacker how a validator is doing (heights, rounds,
//! peers, refusals, queue depths), so they are not for everyone who can
//! reach the API port: a scrape is served when the client's address is in
//! one of the `allow` networks (default: loopback only), or when it carries
//! `Authorization: Bearer <token>` with the token of `bearer_token_file`.
//! Anyone else gets 403 `METRICS_FORBIDDEN`, in the asked language.
//!
//! The address is the TCP peer's: behind a reverse proxy it is the proxy's,
//! so allow the proxy's address there, or use the token.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_LANGUAGE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::i18n::{args, negotiate};
use crate::api::ApiError;
use crate::config::ConfigError;

/// The path this rule guards.
pub const PATH: &str = "/metrics";

/// `[metrics]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Networks (CIDR, e.g. `10.0.0.0/8`; a bare address is one host) whose
    /// clients may read `/metrics`. Default: loopback only.
    pub allow: Vec<String>,
    /// A file holding a bearer token (one line, at least 32 characters,
    /// mode 0600); a request with `Authorization: Bearer <token>` may read
    /// `/metrics` from any address. Empty: no token. A relative path is
    /// under the home directory.
    pub bearer_token_file: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { allow: vec!["127.0.0.0/8".into(), "::1/128".into()], bearer_token_file: String::new() }
    }
}

/// Shortest accepted bearer token, characters.
pub const MIN_TOKEN_LEN: usize = 32;

/// A network: address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let (ip, prefix) = match s.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = ip.trim().parse().map_err(|e| format!("{ip:?} is not an IP address: {e}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("prefix length {p:?} of {s:?} is not a number from 0 to {max}"))?,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl Cidr {
    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        (a[full] & mask) == (b[full] & mask)
    }
}

/// Why the `[metrics]` rule cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum MetricsAccessError {
    /// The token file cannot be read.
    #[error("metrics.bearer_token_file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The token is too short.
    #[error("metrics.bearer_token_file {path}: the token has {got} characters, at least {MIN_TOKEN_LEN} are needed")]
    ShortToken {
        /// The file.
        path: String,
        /// Its length.
        got: usize,
    },
    /// The token file is readable by others.
    #[error("metrics.bearer_token_file {path} has mode {mode:o}: a secret must not be readable by group or others; run `chmod 600 {path}`")]
    Readable {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// A network does not parse (checked by [`MetricsConfig::validate`] first).
    #[error("metrics.allow: {0}")]
    Allow(String),
}

/// The rule in force.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    allow: Vec<Cidr>,
    /// SHA-256 of the token: compared digest to digest, so the comparison's
    /// timing says nothing about the token.
    token_digest: Option<[u8; 32]>,
}

impl MetricsConfig {
    /// Range checks.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for a in &self.allow {
            if a.parse::<Cidr>().is_err() {
                return Err(ConfigError::Invalid {
                    field: "metrics.allow",
                    problem: "networks such as \"127.0.0.0/8\", \"10.0.0.0/8\" or \"::1/128\"",
                    got: a.clone(),
                });
            }
        }
        Ok(())
    }

    /// The rule for a node whose home is `home` (reads the token file).
    pub fn access(&self, home: &Path) -> Result<MetricsAccess, MetricsAccessError> {
        let allow = self.allow.iter().map(|a| a.parse::<Cidr>()).collect::<Result<Vec<_>, _>>();
        let allow = allow.map_err(MetricsAccessError::Allow)?;
        let token_digest = if self.bearer_token_file.trim().is_empty() {
            None
        } else {
            let path = home.join(self.bearer_token_file.trim());
            let p = path.display().to_string();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let meta =
                    std::fs::metadata(&path).map_err(|source| MetricsAccessError::Read { path: p.clone(), source })?;
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(MetricsAccessError::Readable { path: p, mode });
                }
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|source| MetricsAccessError::Read { path: p.clone(), source })?;
            let token = text.trim();
            if token.chars().count() < MIN_TOKEN_LEN {
                return Err(MetricsAccessError::ShortToken { path: p, got: token.chars().count() });
            }
            Some(Sha256::digest(token.as_bytes()).into())
        };
        Ok(MetricsAccess { allow, token_digest })
    }

    /// The `[metrics]` section as `tamgad init` writes it.
    pub fn to_documented_toml(&self) -> String {
        let allow: Vec<String> = self.allow.iter().map(|a| format!("{a:?}")).collect();
        format!(
            r#"
[metrics]
# Who may read GET /metrics: clients whose address is in one of these networks
# (CIDR; default loopback only), or any client sending
# "Authorization: Bearer <token>" with the token in bearer_token_file (one line,
# at least 32 characters, mode 0600; relative to the home; "" for none).
# Others get 403 METRICS_FORBIDDEN. Behind a reverse proxy the address is the proxy's.
allow = [{allow}]
bearer_token_file = {token:?}
"#,
            allow = allow.join(", "),
            token = self.bearer_token_file,
        )
    }
}

impl MetricsAccess {
    /// Whether a client at `peer` presenting `authorization` may read the metrics.
    pub fn allows(&self, peer: Option<IpAddr>, authorization: Option<&str>) -> bool {
        if peer.is_some_and(|ip| self.allow.iter().any(|n| n.contains(ip))) {
            return true;
        }
        let (Some(want), Some(auth)) = (self.token_digest, authorization) else { return false };
        let Some(token) = auth.strip_prefix("Bearer ") else { return false };
        let got: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        got == want
    }

    /// The allowed networks, for messages.
    pub fn allow_list(&self) -> String {
        if self.allow.is_empty() {
            return "none".to_owned();
        }
        self.allow.iter().map(Cidr::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// Middleware: answers `GET /metrics` only as [`MetricsAccess`] allows,
/// passes every other request through.
pub async fn guard(State(rule): State<Arc<MetricsAccess>>, req: Request, next: Next) -> Response {
    if req.uri().path() != PATH {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let auth = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    if rule.allows(peer, auth) {
        return next.run(req).await;
    }
    let lang = negotiate(req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let who = peer.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
    let e = ApiError::t(
        StatusCode::FORBIDDEN,
        "METRICS_FORBIDDEN",
        "METRICS_FORBIDDEN",
        args!["who" => who, "allow" => rule.allow_list()],
    );
    // Rendered here in the asked language: this layer may sit outside the
    // API's own localisation.
    let mut resp = (e.status, axum::Json(e.localized(lang))).into_response();
    resp.headers_mut().insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    resp
}

/// `router` with `/metrics` behind `rule`.
pub fn protect(router: Router, rule: MetricsAccess) -> Router {
    router.layer(axum::middleware::from_fn_with_state(Arc::new(rule), guard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_match_by_prefix() {
        assert!(cidr("127.0.0.0/8").contains("127.9.9.9".parse().unwrap()));
        assert!(!cidr("127.0.0.0/8").contains("128.0.0.1".parse().unwrap()));
        assert!(cidr("10.1.2.0/23").contains("10.1.3.200".parse().unwrap()));
        assert!(!cidr("10.1.2.0/23").contains("10.1.4.1".parse().unwrap()));
        assert!(cidr("::1/128").contains("::1".parse().unwrap()));
        assert!(!cidr("::1/128").contains("::2".parse().unwrap()));
        assert!(cidr("127.0.0.1").contains("::ffff:127.0.0.1".parse().unwrap()), "v4-mapped counts as v4");
        assert!(cidr("0.0.0.0/0").contains("203.0.113.5".parse().unwrap()));
        assert!(!cidr("0.0.0.0/0").contains("2001:db8::1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope/8", "::/129", "1.2.3.4/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn config_checks_networks_and_the_token_file() {
        let mut c = MetricsConfig::default();
        c.validate().unwrap();
        c.allow.push("10.0.0.0/40".into());
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("metrics.allow") && e.contains("10.0.0.0/40"), "{e}");

        let home = tempfile::tempdir().unwrap();
        let c = MetricsConfig { bearer_token_file: "metrics.token".into(), ..MetricsConfig::default() };
        assert!(matches!(c.access(home.path()), Err(MetricsAccessError::Read { .. })));
        let path = home.path().join("metrics.token");
        let write = |text: &str, mode: u32| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        write("short\n", 0o600);
        assert!(matches!(c.access(home.path()), Err(MetricsAccessError::ShortToken { got: 5, .. })));
        let token = "t".repeat(40);
        write(&format!("{token}\n"), 0o644);
        let e = c.access(home.path()).unwrap_err().to_string();
        assert!(e.contains("644") && e.contains("chmod 600"), "{e}");
        write(&format!("{token}\n"), 0o600);
        let rule = c.access(home.path()).unwrap();
        let far: IpAddr = "203.0.113.5".parse().unwrap();
        assert!(rule.allows(Some("127.0.0.1".parse().unwrap()), None));
        assert!(!rule.allows(Some(far), None));
        assert!(rule.allows(Some(far), Some(&format!("Bearer {token}"))));
        assert!(!rule.allows(Some(far), Some(&format!("Bearer {token}x"))));
        assert!(!rule.allows(Some(far), Some(&format!("Basic {token}"))));
        assert!(!rule.allows(None, None), "an unknown address is not loopback");
    }

    async fn get_metrics(app: &Router, peer: &str, headers: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut req = axum::http::Request::builder().uri(PATH);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(Body::empty()).unwrap();
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        let resp = app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let lang = resp.headers().get(CONTENT_LANGUAGE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        (status, lang, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn metrics_are_served_to_allowed_addresses_only_and_refusals_are_localized() {
        let rule = MetricsConfig::default().access(Path::new("/nonexistent")).unwrap();
        let app = protect(
            Router::new().route(PATH, get(|| async { "tamga_height 7" })).route("/health", get(|| async { "ok" })),
            rule,
        );
        let (s, _, body) = get_metrics(&app, "127.0.0.1:5000", &[]).await;
        assert_eq!((s, body.as_str()), (StatusCode::OK, "tamga_height 7"));
        let (s, _, _) = get_metrics(&app, "[::1]:5000", &[]).await;
        assert_eq!(s, StatusCode::OK);
        let (s, lang, body) = get_metrics(&app, "198.51.100.7:5000", &[]).await;
        assert_eq!((s, lang.as_str()), (StatusCode::FORBIDDEN, "en"));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], "METRICS_FORBIDDEN");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("198.51.100.7") && msg.contains("127.0.0.0/8"), "{msg}");
        let (s, lang, body) = get_metrics(&app, "198.51.100.7:5000", &[("accept-language", "kk")]).await;
        assert_eq!((s, lang.as_str()), (StatusCode::FORBIDDEN, "kk"));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], "METRICS_FORBIDDEN");
        assert_ne!(v["message"].as_str().unwrap(), msg, "a Kazakh message");
        // Other routes are not this rule's business.
        let req = axum::http::Request::builder().uri("/health").body(Body::empty()).unwrap();
        assert_eq!(app.clone().oneshot(req).await.unwrap().status(), StatusCode::OK);
    }
}
