//! TLS on the in-process server over real TCP (`api::server`, `api::tls`):
//! the handshake timeout, ALPN, the HTTP/2 bound on a connection without
//! requests, and client certificates on the routes that need a signed
//! request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::api::limits::{ApiLimits, Guards, PerClient};
use crate::api::server::TlsServing;
use crate::api::tls::{Reloadable, TlsFiles};
use crate::api::{EventHub, Server};

/// PEM of a CA, a server certificate for 127.0.0.1 and a client certificate it issued.
struct Pki {
    dir: tempfile::TempDir,
    client_cert: String,
    client_key: String,
}

fn new_pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issue = |cn: &str, sans: Vec<String>| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(sans).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        (p.signed_by(&key, &ca_cert, &ca_key).unwrap().pem(), key.serialize_pem())
    };
    let (server_cert, server_key) = issue("node", vec!["127.0.0.1".into()]);
    let (client_cert, client_key) = issue("auditor", vec![]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.path().join("node.pem"), server_cert).unwrap();
    std::fs::write(dir.path().join("node.key"), server_key).unwrap();
    Pki { dir, client_cert, client_key }
}

/// Serves `n` over TLS with `limits`, client certificates verified against the CA.
async fn serve_tls(n: &mut Node, limits: ApiLimits, pki: &Pki, handshake: Duration) -> (SocketAddr, Arc<PerClient>) {
    n.ctx.events = EventHub::with_limits(&limits);
    n.ctx.guards = Guards::new(limits);
    let d = pki.dir.path();
    let files = TlsFiles { cert: d.join("node.pem"), key: d.join("node.key"), client_ca: Some(d.join("ca.pem")) };
    let tls = TlsServing {
        config: Reloadable::new(files).unwrap(),
        handshake_timeout: handshake,
        http2_max_concurrent_streams: 4,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(listener, n.ctx.clone()).with_tls(tls);
    let addr = server.local_addr().unwrap();
    let conns = server.connections();
    tokio::spawn(server.run());
    (addr, conns)
}

/// A TLS client trusting the test CA, offering `alpn`, with the client certificate if `with_cert`.
async fn connect(
    addr: SocketAddr,
    pki: &Pki,
    alpn: &[&[u8]],
    with_cert: bool,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    try_connect(addr, pki, pki, alpn, with_cert).await.unwrap()
}

/// Like [`connect`], trusting `trust`'s CA and presenting `id`'s client certificate.
async fn try_connect(
    addr: SocketAddr,
    trust: &Pki,
    id: &Pki,
    alpn: &[&[u8]],
    with_cert: bool,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let pki = id;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(trust.dir.path().join("ca.pem")).unwrap()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let mut config = if with_cert {
        let certs = vec![CertificateDer::from_pem_slice(pki.client_cert.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(pki.client_key.as_bytes()).unwrap();
        builder.with_client_auth_cert(certs, key).unwrap()
    } else {
        builder.with_no_client_auth()
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
}

/// One HTTP/1.1 GET over `s` (connection closed after): status and body.
async fn get(s: &mut tokio_rustls::client::TlsStream<TcpStream>, path: &str) -> (u16, serde_json::Value) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: node\r\nAccept-Language: kk\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    // A chunked body: the JSON is the line that starts with `{`.
    let json = body.lines().find(|l| l.starts_with('{')).unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(serde_json::Value::Null))
}

async fn closed_within<S: tokio::io::AsyncRead + Unpin>(s: &mut S, max: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    loop {
        let left = max.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

fn quick() -> ApiLimits {
    ApiLimits {
        header_read_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_millis(1_000),
        sse_keep_alive: Duration::from_millis(200),
        ..ApiLimits::default()
    }
}

#[tokio::test]
async fn a_silent_client_is_closed_after_the_handshake_timeout() {
    let pki = new_pki();
    let mut n = Node::scenario();
    let (addr, conns) = serve_tls(&mut n, quick(), &pki, Duration::from_millis(300)).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(3)).await, "a handshake that never starts is cut");
    let start = Instant::now();
    while conns.count() != 0 {
        assert!(start.elapsed() < Duration::from_secs(2), "the connection is given back");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn client_certificates_guard_the_signed_request_routes() {
    let pki = new_pki();
    let mut n = Node::scenario();
    let (addr, _) = serve_tls(&mut n, quick(), &pki, Duration::from_secs(5)).await;
    let mut s = connect(addr, &pki, &[b"http/1.1"], false).await;
    let (status, v) = get(&mut s, "/v1/parties").await;
    assert_eq!((status, v["code"].as_str()), (401, Some("CLIENT_CERT_REQUIRED")), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| m.contains("/v1/parties") && m.contains("сертификат")), "{v}");
    let mut s = connect(addr, &pki, &[b"http/1.1"], false).await;
    assert_eq!(get(&mut s, "/health").await.0, 200, "open routes need no certificate");
    let mut s = connect(addr, &pki, &[b"http/1.1"], true).await;
    let (status, v) = get(&mut s, "/v1/parties").await;
    assert_eq!(status, 200, "{v}");
    // A client certificate of another CA fails the handshake: no answer at all.
    let stranger = new_pki();
    match try_connect(addr, &pki, &stranger, &[b"http/1.1"], true).await {
        Err(_) => {}
        // TLS 1.3: the client finishes before the server checks its certificate.
        Ok(mut s) => assert_eq!(get(&mut s, "/health").await.0, 0, "a foreign client certificate is refused"),
    }
}

#[tokio::test]
async fn alpn_picks_http2_and_an_http2_connection_without_requests_is_closed() {
    let pki = new_pki();
    let mut n = Node::scenario();
    let (addr, _) = serve_tls(&mut n, quick(), &pki, Duration::from_secs(5)).await;
    let s = connect(addr, &pki, &[b"h2", b"http/1.1"], false).await;
    assert_eq!(s.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let mut s = s;
    // The server's preface (SETTINGS) arrives; no request follows: closed
    // after header_read_timeout (500 ms), well before idle_timeout matters.
    assert!(closed_within(&mut s, Duration::from_secs(3)).await, "an HTTP/2 connection without requests is cut");
    let s = connect(addr, &pki, &[b"http/1.1"], false).await;
    assert_eq!(s.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
}
