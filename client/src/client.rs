//! [`Client`]: one async method per route of the node's HTTP API.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use tamga_types::codec::{self, limits};
use tamga_types::model::{
    ActivityNotification, ChainInfo, ClassState, EscrowState, EscrowTerms, EvidenceRecord, MiningNotification,
    PartyState, RecordState, Restriction,
};
use tamga_types::request::Audience;
use tamga_types::views::{HolderView, MiningFilter, NodeStatus, Page, PartyView, RecordView, RegionTotal, TxView};
use tamga_types::{
    CertifiedBlock, ClassId, EscrowId, Hash, Height, MiningNotificationId, Params, PartyId, PublicKey, Receipt,
    RecordId, SignedTransaction, SigningKey,
};

use crate::error::{ApiError, ClientError, TermsError};
use crate::wire::{
    AccountView, BundleAnswer, Health, ProofAnswer, RawBlockAnswer, ReceiptsAnswer, SecurityPage, StateProof,
    SubmitAnswer, SubmitBatchAnswer, SubmitBody, TxAnswer, ValidatorsView, TX_COMMITTED, TX_PENDING,
};

/// Which block to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockAt {
    /// The last committed block.
    Latest,
    /// The block at this height (the first block is 1).
    Height(Height),
}

impl std::str::FromStr for BlockAt {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "latest" {
            return Ok(BlockAt::Latest);
        }
        s.parse().map(BlockAt::Height).map_err(|_| format!("invalid block {s:?}: expected a height or `latest`"))
    }
}

/// What a node knows about a transaction hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// Committed, with its receipt (final: SPEC §9).
    Committed(Box<TxView>),
    /// Admitted and waiting in this node's mempool.
    Pending,
    /// Neither committed nor in this node's mempool.
    Unknown,
}

/// TLS files of a client: the CA to trust instead of the system's store,
/// and a client certificate for nodes that ask for one (`api.tls.client_ca_file`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// CA certificates (PEM) to trust; `None`: the system's trust store.
    pub ca: Option<std::path::PathBuf>,
    /// Client certificate chain (PEM); needs `client_key`.
    pub client_cert: Option<std::path::PathBuf>,
    /// Its private key (PEM); needs `client_cert`.
    pub client_key: Option<std::path::PathBuf>,
}

/// Largest TLS file the client reads.
pub const MAX_TLS_FILE_BYTES: u64 = 1024 * 1024;

impl TlsOptions {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &TlsOptions::default()
    }

    fn read(option: &'static str, path: &std::path::Path) -> Result<Vec<u8>, ClientError> {
        use std::io::Read;
        let bad = |reason: String| ClientError::TlsFile { option, path: path.display().to_string(), reason };
        let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
        let mut bytes = Vec::new();
        file.take(MAX_TLS_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| bad(e.to_string()))?;
        if bytes.len() as u64 > MAX_TLS_FILE_BYTES {
            return Err(bad(format!("larger than {MAX_TLS_FILE_BYTES} bytes")));
        }
        Ok(bytes)
    }

    /// `builder` with these options applied.
    fn apply(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ClientError> {
        if let Some(ca) = &self.ca {
            let pem = Self::read("--ca", ca)?;
            let bad = |reason: String| ClientError::TlsFile { option: "--ca", path: ca.display().to_string(), reason };
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no CERTIFICATE block in it".to_owned()));
            }
            // Like `curl --cacert`: this CA instead of the system's store.
            builder = builder.tls_built_in_root_certs(false);
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        match (&self.client_cert, &self.client_key) {
            (None, None) => {}
            (Some(cert), None) => {
                return Err(ClientError::TlsFile {
                    option: "--client-cert",
                    path: cert.display().to_string(),
                    reason: "needs --client-key too".to_owned(),
                })
            }
            (None, Some(key)) => {
                return Err(ClientError::TlsFile {
                    option: "--client-key",
                    path: key.display().to_string(),
                    reason: "needs --client-cert too".to_owned(),
                })
            }
            (Some(cert), Some(key)) => {
                let mut pem = Self::read("--client-cert", cert)?;
                pem.push(b'\n');
                pem.extend(Self::read("--client-key", key)?);
                let identity = reqwest::Identity::from_pem(&pem).map_err(|e| ClientError::TlsFile {
                    option: "--client-cert",
                    path: format!("{} with {}", cert.display(), key.display()),
                    reason: e.to_string(),
                })?;
                builder = builder.identity(identity);
            }
        }
        Ok(builder)
    }
}

/// A typed client of one node's HTTP API (`docs/api.md`). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    poll: Duration,
    /// Signs every request ([`Client::with_signer`]).
    signer: Option<Arc<RequestSigner>>,
    /// `Accept-Language` of every request ([`Client::with_language`]).
    language: Option<reqwest::header::HeaderValue>,
}

/// The key that signs a client's requests and the node they are addressed
/// to ([`tamga_types::request`]: a signature names the chain and the node,
/// so no other node accepts it).
#[derive(Debug)]
struct RequestSigner {
    key: Arc<dyn crate::AccountSigner>,
    /// The node's chain id and key: given, or read once from `GET /v1/status`.
    audience: tokio::sync::OnceCell<Audience>,
    /// The last time signed, ms: each request gets a later one, so two
    /// identical requests are never the same signed request (the node
    /// refuses a replay).
    last_ms: AtomicU64,
}

impl RequestSigner {
    /// The time to sign a request with: the clock, or 1 ms after the last.
    fn next_time(&self) -> u64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let prev = self.last_ms.fetch_max(now, Ordering::SeqCst);
        if prev < now {
            return now;
        }
        self.last_ms.fetch_add(1, Ordering::SeqCst) + 1
    }
}

impl Client {
    /// A client of the node at `base_url` (`http://host:port`, no path), with
    /// a 30 s request timeout.
    pub fn new(base_url: impl Into<String>) -> Result<Client, ClientError> {
        Self::with_timeout(base_url, Duration::from_secs(30))
    }

    /// Like [`Client::new`] with another per-request timeout.
    pub fn with_timeout(base_url: impl Into<String>, timeout: Duration) -> Result<Client, ClientError> {
        Self::with_tls(base_url, timeout, &TlsOptions::default())
    }

    /// Like [`Client::with_timeout`], trusting `tls.ca` (instead of the
    /// system's store) and presenting `tls.client_cert` when set.
    pub fn with_tls(base_url: impl Into<String>, timeout: Duration, tls: &TlsOptions) -> Result<Client, ClientError> {
        let url = base_url.into();
        let base = url.trim_end_matches('/').to_owned();
        let bad = |reason: &str| ClientError::InvalidUrl { url: url.clone(), reason: reason.to_owned() };
        let rest = base.strip_prefix("http://").or_else(|| base.strip_prefix("https://"));
        match rest {
            None => return Err(bad("must start with http:// or https://")),
            Some("") => return Err(bad("no host")),
            Some(r) if r.contains('/') => return Err(bad("must not have a path (the client adds /v1/…)")),
            Some(_) => {}
        }
        let builder = tls.apply(reqwest::Client::builder().timeout(timeout))?;
        let http = builder.build().map_err(|e| bad(&e.to_string()))?;
        Ok(Client { base, http, poll: Duration::from_millis(250), signer: None, language: None })
    }

    /// Asks the node for its answers, error bodies included, in `tag` (`kk`,
    /// `ru`, `en`; sent as `Accept-Language`, docs/api.md). A tag that is not
    /// a valid header value is not sent.
    pub fn with_language(mut self, tag: &str) -> Client {
        self.language = reqwest::header::HeaderValue::from_str(tag).ok();
        self
    }

    /// Sets the polling interval of [`Client::wait_for_receipt`] (default 250 ms).
    pub fn with_poll_interval(mut self, poll: Duration) -> Client {
        self.poll = poll;
        self
    }

    /// Signs every request with `key` ([`tamga_types::request`]), so the
    /// node's access journal names the account and a regulator's key is
    /// served restricted fields. The key must be an active account's.
    /// Signatures are addressed to the node: its chain id and key are read
    /// from `GET /v1/status` (unsigned) before the first signed request,
    /// once.
    pub fn with_signer(self, key: SigningKey) -> Client {
        self.with_account_signer(Arc::new(key))
    }

    /// Like [`Client::with_signer`] with a key wherever it lives (a key in
    /// memory, a hardware token: [`crate::AccountSigner`]). A request whose
    /// signature the signer does not give, or gives under another key, is
    /// not sent ([`ClientError::Sign`]).
    pub fn with_account_signer(mut self, key: Arc<dyn crate::AccountSigner>) -> Client {
        let signer = RequestSigner { key, audience: tokio::sync::OnceCell::new(), last_ms: AtomicU64::new(0) };
        self.signer = Some(Arc::new(signer));
        self
    }

    /// Like [`Client::with_signer`] for a node whose chain id and key are
    /// known (`node_key` as `GET /v1/status` shows it): nothing is fetched.
    pub fn with_signer_for(mut self, key: SigningKey, audience: Audience) -> Client {
        let signer = RequestSigner {
            key: Arc::new(key),
            audience: tokio::sync::OnceCell::new_with(Some(audience)),
            last_ms: AtomicU64::new(0),
        };
        self.signer = Some(Arc::new(signer));
        self
    }

    /// The chain id and node key signed requests are addressed to (read
    /// from the node once).
    async fn audience(&self, signer: &RequestSigner) -> Result<Audience, ClientError> {
        let a = signer
            .audience
            .get_or_try_init(|| async {
                let url = self.url("/v1/status");
                let resp = self.http.get(&url).send().await;
                let resp = resp.map_err(|source| ClientError::Transport { url: url.clone(), source })?;
                let status = resp.status().as_u16();
                let body = resp.bytes().await.map_err(|source| ClientError::Transport { url: url.clone(), source })?;
                let s: NodeStatus = Self::decode(&url, status, &body)?;
                Ok::<_, ClientError>(Audience { chain_id: s.chain_id, node_key: s.node_key })
            })
            .await?;
        Ok(a.clone())
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, req: reqwest::RequestBuilder, url: &str) -> Result<(u16, Vec<u8>), ClientError> {
        let transport = |source| ClientError::Transport { url: url.to_owned(), source };
        let req = self.build(req, url).await?;
        let resp = self.http.execute(req).await.map_err(transport)?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|source| ClientError::Transport { url: url.to_owned(), source })?;
        Ok((status, body.to_vec()))
    }

    /// The request, signed when the client has a signer.
    async fn build(&self, req: reqwest::RequestBuilder, url: &str) -> Result<reqwest::Request, ClientError> {
        let transport = |source| ClientError::Transport { url: url.to_owned(), source };
        let mut req = req.build().map_err(transport)?;
        if let Some(lang) = &self.language {
            req.headers_mut().insert(reqwest::header::ACCEPT_LANGUAGE, lang.clone());
        }
        if let Some(signer) = &self.signer {
            let audience = self.audience(signer).await?;
            let pq = match req.url().query() {
                Some(q) => format!("{}?{q}", req.url().path()),
                None => req.url().path().to_owned(),
            };
            let body = req.body().and_then(|b| b.as_bytes()).unwrap_or(&[]);
            let now = signer.next_time();
            let method = req.method().as_str();
            let msg = tamga_types::request::signing_bytes(&audience, method, &pq, now, body);
            let key = signer.key.public();
            let sig =
                signer.key.sign_message(&msg).map_err(|source| ClientError::Sign { url: url.to_owned(), source })?;
            // A token that signs with another key: nothing is sent.
            key.verify(&msg, &sig).map_err(|_| ClientError::Sign {
                url: url.to_owned(),
                source: tamga_types::SignError::BadSignature { signer: "account", key },
            })?;
            let headers = [
                (tamga_types::request::HEADER_VERSION, tamga_types::request::VERSION.to_owned()),
                (tamga_types::request::HEADER_KEY, key.to_hex()),
                (tamga_types::request::HEADER_TIME, now.to_string()),
                (tamga_types::request::HEADER_SIGNATURE, sig.to_hex()),
            ];
            for (name, value) in headers {
                let value = reqwest::header::HeaderValue::from_str(&value).map_err(|e| ClientError::Decode {
                    url: url.to_owned(),
                    reason: format!("request signature header {name}: {e}"),
                })?;
                req.headers_mut().insert(name, value);
            }
        }
        Ok(req)
    }

    fn decode<T: DeserializeOwned>(url: &str, status: u16, body: &[u8]) -> Result<T, ClientError> {
        if !(200..300).contains(&status) {
            return Err(ClientError::Api(api_error(status, body)));
        }
        serde_json::from_slice(body).map_err(|e| ClientError::Decode { url: url.to_owned(), reason: e.to_string() })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, ClientError> {
        let url = self.url(path);
        let (status, body) = self.send(self.http.get(&url).query(query), &url).await?;
        Self::decode(&url, status, &body)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ClientError> {
        let url = self.url(path);
        let (status, resp) = self.send(self.http.post(&url).json(body), &url).await?;
        Self::decode(&url, status, &resp)
    }

    // ---- node and chain ----

    /// `GET /v1/status`.
    pub async fn status(&self) -> Result<NodeStatus, ClientError> {
        self.get("/v1/status", &[]).await
    }

    /// `GET /health`.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get("/health", &[]).await
    }

    /// `GET /metrics`: the Prometheus/OpenMetrics text.
    pub async fn metrics(&self) -> Result<String, ClientError> {
        let url = self.url("/metrics");
        let (status, body) = self.send(self.http.get(&url), &url).await?;
        if !(200..300).contains(&status) {
            return Err(ClientError::Api(api_error(status, &body)));
        }
        String::from_utf8(body).map_err(|e| ClientError::Decode { url, reason: e.to_string() })
    }

    /// `GET /v1/chain`: chain id, genesis hash, regulation hash, network type (SPEC §1.11).
    pub async fn chain(&self) -> Result<ChainInfo, ClientError> {
        self.get("/v1/chain", &[]).await
    }

    /// `GET /v1/params`.
    pub async fn params(&self) -> Result<Params, ClientError> {
        self.get("/v1/params", &[]).await
    }

    /// `GET /v1/validators[?height=]`: the set certifying the block at
    /// `height` (default: the next block).
    pub async fn validators(&self, height: Option<Height>) -> Result<ValidatorsView, ClientError> {
        let q: Vec<(&str, String)> = height.map(|h| ("height", h.to_string())).into_iter().collect();
        self.get("/v1/validators", &q).await
    }

    /// `GET /v1/blocks/{height}?encoding=borsh`: the block with its commit
    /// certificate, decoded from its canonical bytes and checked against the
    /// hash the node names.
    pub async fn block(&self, at: BlockAt) -> Result<CertifiedBlock, ClientError> {
        let path = match at {
            BlockAt::Latest => "/v1/blocks/latest".to_owned(),
            BlockAt::Height(h) => format!("/v1/blocks/{h}"),
        };
        let url = self.url(&path);
        let a: RawBlockAnswer = self.get(&path, &[("encoding", "borsh".to_owned())]).await?;
        let bad = |reason: String| ClientError::Decode { url: url.clone(), reason };
        let bytes = hex::decode(&a.raw).map_err(|e| bad(format!("raw: {e}")))?;
        let max = limits::MAX_BLOCK_BYTES + 64 * 1024;
        let cb: CertifiedBlock = codec::decode("certified block", &bytes, max).map_err(|e| bad(e.to_string()))?;
        if cb.block.hash() != a.hash || cb.block.header.height != a.height {
            return Err(bad(format!("block bytes do not match the announced height {} / hash {}", a.height, a.hash)));
        }
        Ok(cb)
    }

    /// `GET /v1/blocks/{height}/receipts`.
    pub async fn block_receipts(&self, height: Height) -> Result<Vec<Receipt>, ClientError> {
        let a: ReceiptsAnswer = self.get(&format!("/v1/blocks/{height}/receipts"), &[]).await?;
        Ok(a.receipts)
    }

    // ---- transactions ----

    /// `POST /v1/txs` with one transaction: its id once admitted to the mempool.
    pub async fn submit(&self, tx: &SignedTransaction) -> Result<Hash, ClientError> {
        self.submit_raw(&tx.encode()).await
    }

    /// `POST /v1/txs` with already encoded bytes.
    pub async fn submit_raw(&self, bytes: &[u8]) -> Result<Hash, ClientError> {
        let a: SubmitAnswer = self.post("/v1/txs", &SubmitBody { tx: Some(hex::encode(bytes)), txs: None }).await?;
        Ok(a.hash)
    }

    /// `POST /v1/txs` with a batch (at most [`crate::MAX_BATCH`]): one result per
    /// transaction, in order. The outer error is for the request as a whole.
    pub async fn submit_batch(&self, txs: &[SignedTransaction]) -> Result<Vec<Result<Hash, ApiError>>, ClientError> {
        let hexes: Vec<String> = txs.iter().map(|t| hex::encode(t.encode())).collect();
        let a: SubmitBatchAnswer = self.post("/v1/txs", &SubmitBody { tx: None, txs: Some(hexes) }).await?;
        if a.results.len() != txs.len() {
            return Err(ClientError::Decode {
                url: self.url("/v1/txs"),
                reason: format!("{} results for {} transactions", a.results.len(), txs.len()),
            });
        }
        Ok(a.results
            .into_iter()
            .map(|r| match (r.hash, r.error) {
                (_, Some(e)) => Err(e),
                (Some(h), None) => Ok(h),
                (None, None) => Err(ApiError {
                    status: 0,
                    code: "NO_RESULT".into(),
                    message: "the node gave neither a hash nor an error".into(),
                    field: None,
                }),
            })
            .collect())
    }

    /// `GET /v1/txs/{hash}`: committed (decoded from the canonical bytes and
    /// checked against `hash`), pending, or unknown.
    pub async fn tx(&self, hash: &Hash) -> Result<TxStatus, ClientError> {
        let path = format!("/v1/txs/{hash}");
        let url = self.url(&path);
        let a: TxAnswer = match self.get(&path, &[]).await {
            Err(ClientError::Api(e)) if e.code == "TX_NOT_FOUND" => return Ok(TxStatus::Unknown),
            r => r?,
        };
        let bad = |reason: String| ClientError::Decode { url: url.clone(), reason };
        if a.hash != *hash {
            return Err(bad(format!("answer is about {}", a.hash)));
        }
        match a.status.as_str() {
            TX_PENDING => Ok(TxStatus::Pending),
            TX_COMMITTED => {
                let raw = a.raw.ok_or_else(|| bad("committed answer without `raw`".into()))?;
                let bytes = hex::decode(&raw).map_err(|e| bad(format!("raw: {e}")))?;
                let tx = SignedTransaction::decode(&bytes).map_err(|e| bad(e.to_string()))?;
                if tx.hash() != *hash {
                    return Err(bad(format!("raw bytes hash to {}", tx.hash())));
                }
                let receipt = a.receipt.ok_or_else(|| bad("committed answer without `receipt`".into()))?;
                Ok(TxStatus::Committed(Box::new(TxView { tx, receipt })))
            }
            other => Err(bad(format!("unknown status {other:?}"))),
        }
    }

    /// Polls [`Client::tx`] until the transaction is committed or `timeout`
    /// passes ([`ClientError::Timeout`]). Transient errors while polling are
    /// retried; a failed receipt is returned as `Ok` (check
    /// [`Receipt::is_success`]).
    pub async fn wait_for_receipt(&self, hash: &Hash, timeout: Duration) -> Result<TxView, ClientError> {
        let start = Instant::now();
        let mut last_seen = "unknown";
        loop {
            match self.tx(hash).await {
                Ok(TxStatus::Committed(v)) => return Ok(*v),
                Ok(TxStatus::Pending) => last_seen = "pending",
                Ok(TxStatus::Unknown) => last_seen = "unknown",
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(ClientError::Timeout { hash: *hash, waited, last_seen });
            }
            tokio::time::sleep(self.poll.min(timeout - waited)).await;
        }
    }

    // ---- accounts ----

    /// `GET /v1/accounts/{key}`: the account, its next nonce and balances.
    pub async fn account(&self, key: &PublicKey) -> Result<AccountView, ClientError> {
        self.get(&format!("/v1/accounts/{key}"), &[]).await
    }

    /// The nonce `key`'s next transaction must carry: committed state; 0 for
    /// a key the chain does not know.
    pub async fn next_nonce(&self, key: &PublicKey) -> Result<u64, ClientError> {
        match self.account(key).await {
            Ok(a) => Ok(a.next_nonce),
            Err(ClientError::Api(e)) if e.code == "ACCOUNT_NOT_FOUND" => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// `GET /v1/accounts/{key}/records`: records held by the account.
    pub async fn account_records(&self, key: &PublicKey) -> Result<Vec<RecordState>, ClientError> {
        self.get(&format!("/v1/accounts/{key}/records"), &[]).await
    }

    // ---- registries ----

    /// `GET /v1/parties`.
    pub async fn parties(&self) -> Result<Vec<PartyState>, ClientError> {
        self.get("/v1/parties", &[]).await
    }

    /// `GET /v1/parties/{id}`: the party with its accounts and roles.
    pub async fn party(&self, id: PartyId) -> Result<PartyView, ClientError> {
        self.get(&format!("/v1/parties/{id}"), &[]).await
    }

    /// `GET /v1/classes[?issuer=]`.
    pub async fn classes(&self, issuer: Option<PartyId>) -> Result<Vec<ClassState>, ClientError> {
        let q: Vec<(&str, String)> = issuer.map(|p| ("issuer", p.to_string())).into_iter().collect();
        self.get("/v1/classes", &q).await
    }

    /// `GET /v1/classes/{id}`.
    pub async fn class(&self, id: ClassId) -> Result<ClassState, ClientError> {
        self.get(&format!("/v1/classes/{id}"), &[]).await
    }

    /// `GET /v1/classes/{id}/holders`.
    pub async fn holders(&self, id: ClassId) -> Result<Vec<HolderView>, ClientError> {
        self.get(&format!("/v1/classes/{id}/holders"), &[]).await
    }

    /// `GET /v1/records/{id}`: the record with its full history (SPEC §5).
    pub async fn record(&self, id: RecordId) -> Result<RecordView, ClientError> {
        self.get(&format!("/v1/records/{id}"), &[]).await
    }

    /// `GET /v1/escrows[?party=]`.
    pub async fn escrows(&self, party: Option<PartyId>) -> Result<Vec<EscrowState>, ClientError> {
        let q: Vec<(&str, String)> = party.map(|p| ("party", p.to_string())).into_iter().collect();
        self.get("/v1/escrows", &q).await
    }

    /// `GET /v1/security/events?after=&limit=`: a page of the node's security
    /// events (regulators only: use [`Client::with_signer`] with a regulator's key).
    pub async fn security_events(&self, after: u64, limit: usize) -> Result<SecurityPage, ClientError> {
        self.get("/v1/security/events", &[("after", after.to_string()), ("limit", limit.to_string())]).await
    }

    /// `GET /v1/escrows/{id}`.
    pub async fn escrow(&self, id: EscrowId) -> Result<EscrowState, ClientError> {
        self.get(&format!("/v1/escrows/{id}"), &[]).await
    }

    /// `GET /v1/terms/{hash}`: escrow terms published on the chain (SPEC §7),
    /// checked here against `hash` ([`TermsError::Mismatch`] otherwise), so
    /// the text returned is the one the escrow names.
    pub async fn escrow_terms(&self, hash: &Hash) -> Result<EscrowTerms, TermsError> {
        let t: EscrowTerms = self.get(&format!("/v1/terms/{}", hash.to_hex()), &[]).await?;
        let got = Hash::sha256(t.text.as_bytes());
        if got != *hash {
            return Err(TermsError::Mismatch { expected: *hash, got });
        }
        Ok(t)
    }

    /// `GET /v1/classes/{id}/restrictions[?holder=]`: the freezes and pauses of
    /// a class, or one holding's, standing or lifted (SPEC §4).
    pub async fn restrictions(
        &self,
        class: ClassId,
        holder: Option<&PublicKey>,
    ) -> Result<Vec<Restriction>, ClientError> {
        let q: Vec<(&str, String)> = holder.map(|k| ("holder", k.to_hex())).into_iter().collect();
        self.get(&format!("/v1/classes/{class}/restrictions"), &q).await
    }

    /// `GET /v1/mining-notifications` with `filter` as query parameters.
    pub async fn mining_notifications(&self, filter: &MiningFilter) -> Result<Page<MiningNotification>, ClientError> {
        self.get("/v1/mining-notifications", &mining_query(filter)).await
    }

    /// `GET /v1/mining-notifications/{id}`.
    pub async fn mining_notification(&self, id: MiningNotificationId) -> Result<MiningNotification, ClientError> {
        self.get(&format!("/v1/mining-notifications/{id}"), &[]).await
    }

    /// `GET /v1/mining-notifications/totals`: capacity and units of active sites by region.
    pub async fn mining_totals(&self) -> Result<Vec<RegionTotal>, ClientError> {
        self.get("/v1/mining-notifications/totals", &[]).await
    }

    /// `GET /v1/activity-notifications[?party=]`.
    pub async fn activity_notifications(
        &self,
        party: Option<PartyId>,
    ) -> Result<Vec<ActivityNotification>, ClientError> {
        let q: Vec<(&str, String)> = party.map(|p| ("party", p.to_string())).into_iter().collect();
        self.get("/v1/activity-notifications", &q).await
    }

    /// `GET /v1/evidence`: recorded equivocations (SPEC §9).
    pub async fn evidence(&self) -> Result<Vec<EvidenceRecord>, ClientError> {
        self.get("/v1/evidence", &[]).await
    }

    /// `GET /v1/proofs/state?key=&height=`: a state entry under its logical
    /// key with a JMT proof against the state root at `height` (default: the
    /// last committed height).
    pub async fn state_proof(&self, logical_key: &[u8], height: Option<Height>) -> Result<StateProof, ClientError> {
        let mut q = vec![("key", hex::encode(logical_key))];
        if let Some(h) = height {
            q.push(("height", h.to_string()));
        }
        let url = self.url("/v1/proofs/state");
        let a: ProofAnswer = self.get("/v1/proofs/state", &q).await?;
        let bad = |reason: String| ClientError::Decode { url: url.clone(), reason };
        let value = a.value.map(|v| hex::decode(v).map_err(|e| bad(format!("value: {e}")))).transpose()?;
        let proof = hex::decode(&a.proof).map_err(|e| bad(format!("proof: {e}")))?;
        Ok(StateProof { height: a.height, root: a.root, value, proof })
    }
}

impl Client {
    /// `GET /v1/txs/{hash}/bundle`: the receipt bundle of a committed
    /// transaction (`docs/receipt-format.md`), decoded and checked to be
    /// about `hash`. Not verified: call [`crate::bundle::verify_bundle`].
    pub async fn receipt_bundle(&self, hash: &Hash) -> Result<crate::bundle::ReceiptBundle, ClientError> {
        let path = format!("/v1/txs/{hash}/bundle");
        let url = self.url(&path);
        let a: BundleAnswer = self.get(&path, &[]).await?;
        let bad = |reason: String| ClientError::Decode { url: url.clone(), reason };
        let bytes = hex::decode(&a.raw).map_err(|e| bad(format!("raw: {e}")))?;
        let b = crate::bundle::ReceiptBundle::decode(&bytes).map_err(|e| bad(e.to_string()))?;
        if b.tx.hash() != *hash {
            return Err(bad(format!("the bundle is for transaction {}, not {hash}", b.tx.hash())));
        }
        Ok(b)
    }
}

impl Client {
    /// `GET /v1/events?{query}`: opens the event stream (`docs/api.md`),
    /// signed when the client has a signer (an account's own feed,
    /// `account=KEY`, needs it where reads are closed), resuming after
    /// `last_event_id`. The stream is not bound by the client's request
    /// timeout: [`crate::events::EventStream::next`] bounds the silence instead.
    pub async fn events(
        &self,
        query: &[(&str, String)],
        last_event_id: Option<&str>,
    ) -> Result<crate::events::EventStream, ClientError> {
        let url = self.url("/v1/events");
        let transport = |source| ClientError::Transport { url: url.clone(), source };
        // A year: the stream lives as long as the caller reads it.
        let mut req = self.http.get(&url).query(query).timeout(Duration::from_secs(365 * 24 * 3600));
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let req = self.build(req, &url).await?;
        let resp = self.http.execute(req).await.map_err(transport)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.bytes().await.map_err(transport)?;
            return Err(ClientError::Api(api_error(status, &body)));
        }
        Ok(crate::events::EventStream { url, resp, parser: crate::events::SseParser::default() })
    }

    /// `GET /v1/issuers/{id}/export`: streams the issuer export
    /// (`docs/export-format.md`) into `out` as it arrives, calling `progress`
    /// with the bytes received so far; returns the byte count. `timeout`
    /// bounds the whole transfer (an export can outlast the client's
    /// per-request timeout). Not verified: call [`crate::export::verify_export`].
    pub async fn export_issuer(
        &self,
        issuer: PartyId,
        out: &mut impl std::io::Write,
        timeout: Duration,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, ClientError> {
        let url = self.url(&format!("/v1/issuers/{issuer}/export"));
        let transport = |source| ClientError::Transport { url: url.clone(), source };
        // Served only to the issuer's accounts and regulators (SPEC §12): signed.
        let req = self.build(self.http.get(&url).timeout(timeout), &url).await?;
        let mut resp = self.http.execute(req).await.map_err(transport)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.bytes().await.map_err(transport)?;
            return Err(ClientError::Api(api_error(status, &body)));
        }
        let mut total = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            out.write_all(&chunk)
                .map_err(|e| ClientError::Decode { url: url.clone(), reason: format!("writing the export: {e}") })?;
            total += chunk.len() as u64;
            progress(total);
        }
        Ok(total)
    }
}

/// The query parameters of a mining filter, as `docs/api.md` names them.
pub fn mining_query(f: &MiningFilter) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    if let Some(m) = f.miner {
        q.push(("miner", m.to_string()));
    }
    if let Some(s) = &f.status {
        q.push(("status", s.clone()));
    }
    if let Some(r) = f.region {
        q.push(("region", r.as_str().to_owned()));
    }
    if let Some(k) = f.kind {
        let k = match k {
            tamga_types::MiningNotificationKind::Start => "start",
            tamga_types::MiningNotificationKind::Change => "change",
            tamga_types::MiningNotificationKind::Termination => "termination",
        };
        q.push(("kind", k.to_owned()));
    }
    if let Some(d) = f.from {
        q.push(("from", d.to_string()));
    }
    if let Some(d) = f.to {
        q.push(("to", d.to_string()));
    }
    if let Some(a) = f.after {
        q.push(("after", a.to_string()));
    }
    if let Some(l) = f.limit {
        q.push(("limit", l.to_string()));
    }
    q
}

/// Decodes an error body; a body that is not the API's error JSON (a proxy's
/// HTML page, say) still gives an error with the HTTP status and the text.
fn api_error(status: u16, body: &[u8]) -> ApiError {
    match serde_json::from_slice::<ApiError>(body) {
        Ok(mut e) => {
            e.status = status;
            e
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text: String = text.chars().take(512).collect();
            ApiError { status, code: format!("HTTP_{status}"), message: text, field: None }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::{Date, MiningNotificationKind, Region};

    #[test]
    fn base_url_validation() {
        assert!(Client::new("http://127.0.0.1:8080").is_ok());
        assert_eq!(Client::new("http://127.0.0.1:8080/").unwrap().base_url(), "http://127.0.0.1:8080");
        for bad in ["127.0.0.1:8080", "ftp://x", "http://", "http://h:1/v1"] {
            assert!(matches!(Client::new(bad), Err(ClientError::InvalidUrl { .. })), "{bad}");
        }
    }

    #[test]
    fn block_at_parses() {
        assert_eq!("latest".parse::<BlockAt>(), Ok(BlockAt::Latest));
        assert_eq!("12".parse::<BlockAt>(), Ok(BlockAt::Height(12)));
        assert!("-1".parse::<BlockAt>().is_err());
        assert!("head".parse::<BlockAt>().is_err());
    }

    #[test]
    fn mining_filter_to_query() {
        let f = MiningFilter {
            miner: Some(PartyId(3)),
            status: Some("accepted".into()),
            region: Some(Region::EastKazakhstan),
            kind: Some(MiningNotificationKind::Termination),
            from: Some(Date { year: 2026, month: 1, day: 2 }),
            to: None,
            after: Some(MiningNotificationId(9)),
            limit: Some(50),
        };
        let q = mining_query(&f);
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            s,
            [
                "miner=3",
                "status=accepted",
                "region=east_kazakhstan",
                "kind=termination",
                "from=2026-01-02",
                "after=9",
                "limit=50"
            ]
        );
        assert!(mining_query(&MiningFilter::default()).is_empty());
    }

    #[test]
    fn non_json_error_bodies_keep_status_and_text() {
        let e = api_error(502, b"<html>bad gateway</html>");
        assert_eq!(e.code, "HTTP_502");
        assert!(e.is_transient());
        assert!(e.message.contains("bad gateway"));
        let e = api_error(409, br#"{"code":"STALE_NONCE","message":"m","field":"tx"}"#);
        assert_eq!((e.status, e.code.as_str(), e.field.as_deref()), (409, "STALE_NONCE", Some("tx")));
    }
}
