//! `GET /v1/issuers/{id}/export` (SPEC §12, Law art. 33 p.4): every class,
//! holding, record (with encumbrances) and history entry of an issuer, with
//! proofs, as the JSON Lines of `docs/export-format.md`.
//!
//! The ledger walks one RocksDB snapshot on the blocking pool
//! ([`tamga_state::Ledger::export_issuer`]) and hands each item over a
//! bounded channel ([`CHANNEL_LINES`] lines) to the response body, so an
//! export of any size is streamed with back-pressure: memory per export is
//! the channel plus what the ledger walk keeps (see its docs). At most
//! [`MAX_CONCURRENT_EXPORTS`] run at once; more get 503 `EXPORT_BUSY`. A
//! refusal (unknown party, not an issuer, no block yet) is an ordinary error
//! answer; a failure after the first line cuts the stream before its `end`
//! line, which every reader detects.
//!
//! Only for a request signed by an account of the issuer's own party or by
//! a regulator (SPEC §12: the issuer's register is the issuer's and its
//! supervisor's); anyone else gets 403 `EXPORT_FORBIDDEN` before the ledger
//! is asked anything, so a refusal does not even say whether the party exists.

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tamga_contract::export::{
    write_line, BlockLine, ExportCounts, ExportHeader, ExportLine, HistoryLine, HoldersLine, HoldingLine, IndexLine,
    Proven, EXPORT_FORMAT, EXPORT_VERSION,
};
use tamga_state::{ExportError, ExportItem, ExportSummary, ProvenEntry, TxPlace};
use tamga_types::codec;
use tamga_types::PartyId;
use tokio::sync::{mpsc, Semaphore};

use super::error::{ApiError, ApiResult};
use super::i18n::args;
use super::query::{path_id, Params};
use super::{ApiContext, Caller};

/// Exports running at once on one node.
pub const MAX_CONCURRENT_EXPORTS: usize = 4;
/// Lines buffered between the ledger walk and the connection.
pub const CHANNEL_LINES: usize = 256;

static EXPORTS: Semaphore = Semaphore::const_new(MAX_CONCURRENT_EXPORTS);

fn proven<T>(e: ProvenEntry<T>) -> Proven<T> {
    Proven { key: hex::encode(&e.key), value: hex::encode(&e.value), proof: hex::encode(&e.proof), state: e.state }
}

/// The line of one ledger item.
fn line_of(item: ExportItem) -> ExportLine {
    match item {
        ExportItem::Start(s) => ExportLine::Header(ExportHeader {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            chain_id: s.chain.chain_id,
            genesis_hash: s.chain.genesis_hash,
            issuer: s.issuer,
            height: s.height,
            state_root: s.state_root,
        }),
        ExportItem::Block { header, certificate, next_validators } => ExportLine::Block(BlockLine {
            height: header.height,
            hash: header.hash(),
            header: hex::encode(codec::encode(&header)),
            certificate: hex::encode(codec::encode(&certificate)),
            next_validators: next_validators.map(|s| hex::encode(codec::encode(&s))),
        }),
        ExportItem::Party(p) => ExportLine::Party(proven(*p)),
        ExportItem::IssuerIndex(ix) => ExportLine::IssuerIndex(IndexLine {
            key: hex::encode(&ix.key),
            value: ix.value.as_ref().map(hex::encode),
            proof: hex::encode(&ix.proof),
            state: ix.state,
        }),
        ExportItem::Holders { class, entry } => ExportLine::Holders(HoldersLine { class, entry: proven(*entry) }),
        ExportItem::Account(a) => ExportLine::Account(proven(*a)),
        ExportItem::Class(c) => ExportLine::Class(proven(*c)),
        ExportItem::Holding { class, account, party, entry } => {
            ExportLine::Holding(HoldingLine { class, account, party, entry: proven(*entry) })
        }
        ExportItem::Record(r) => ExportLine::Record(proven(*r)),
        ExportItem::History { record, seq, entry, tx, place } => {
            let (inclusion, genesis_index) = match place {
                TxPlace::Genesis { index } => (None, Some(index)),
                TxPlace::Block(p) => (Some(p), None),
            };
            let Proven { key, value, proof, state: entry } = proven(*entry);
            ExportLine::History(HistoryLine {
                record,
                seq,
                entry,
                key,
                value,
                proof,
                tx: hex::encode(tx.encode()),
                inclusion,
                genesis_index,
            })
        }
    }
}

fn end_of(s: &ExportSummary) -> ExportLine {
    ExportLine::End(ExportCounts {
        blocks: s.blocks,
        accounts: s.accounts,
        classes: s.classes,
        holdings: s.holdings,
        records: s.records,
        history: s.history,
    })
}

fn encode(line: &ExportLine) -> Bytes {
    let mut buf = Vec::with_capacity(512);
    // Writing into a Vec fails only if serialisation fails, which the line types never do.
    let _ = write_line(&mut buf, line);
    Bytes::from(buf)
}

fn refusal(e: ExportError) -> ApiError {
    match e {
        ExportError::UnknownParty { party } => ApiError::not_found("PARTY_NOT_FOUND", format!("no party {party}")),
        ExportError::NotIssuer { .. } => ApiError::new(StatusCode::CONFLICT, "NOT_AN_ISSUER", e.to_string()),
        ExportError::NoCommittedBlock => ApiError::new(StatusCode::CONFLICT, "NO_COMMITTED_BLOCK", e.to_string()),
        ExportError::State(s) => ApiError::from(s),
        ExportError::Abandoned(why) => ApiError::internal(why),
    }
}

/// SPEC §12: an issuer's export is for that issuer's accounts and for regulators.
fn may_export(caller: &Caller, issuer: PartyId) -> ApiResult<()> {
    let args = |extra: Option<(&str, &str)>| {
        let mut a = args!["issuer" => issuer.to_string()];
        if let Some((who, party)) = extra {
            a.extend(args!["who" => who, "party" => party]);
        }
        a
    };
    match &caller.signer {
        None => Err(ApiError::t(StatusCode::FORBIDDEN, "EXPORT_FORBIDDEN", "EXPORT_FORBIDDEN.unsigned", args(None))),
        Some(s) if s.party == issuer || caller.is_regulator() => Ok(()),
        Some(s) => Err(ApiError::t(
            StatusCode::FORBIDDEN,
            "EXPORT_FORBIDDEN",
            "EXPORT_FORBIDDEN.party",
            args(Some((&caller.who(), &s.party.to_string()))),
        )),
    }
}

/// What the ledger walk sends: a line, or the error that stopped it.
type Msg = Result<Bytes, ExportError>;

/// `GET /v1/issuers/{id}/export`.
pub async fn issuer(
    State(ctx): State<ApiContext>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    Params::new(q, &[])?;
    let id = PartyId(path_id("id", &id)?);
    may_export(&caller, id)?;
    let permit = EXPORTS.try_acquire().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "EXPORT_BUSY",
            format!("{MAX_CONCURRENT_EXPORTS} exports are already running on this node; retry later"),
        )
    })?;
    let (tx, mut rx) = mpsc::channel::<Msg>(CHANNEL_LINES);
    let ledger = ctx.ledger.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let result = ledger.export_issuer(id, |item| {
            tx.blocking_send(Ok(encode(&line_of(item)))).map_err(|_| "the connection closed".to_owned())
        });
        let last = match result {
            Ok(summary) => Ok(encode(&end_of(&summary))),
            Err(e) => {
                if !matches!(e, ExportError::UnknownParty { .. } | ExportError::NotIssuer { .. }) {
                    tracing::warn!(target: "tamga::api", issuer = id.0, error = %e, "issuer export stopped");
                }
                Err(e)
            }
        };
        let _ = tx.blocking_send(last);
    });
    // The first message tells a refusal (nothing was sent yet) from a stream.
    let first = match rx.recv().await {
        Some(Ok(bytes)) => bytes,
        Some(Err(e)) => return Err(refusal(e)),
        None => return Err(ApiError::internal("the export task ended without an answer")),
    };
    let rest = futures::stream::unfold(rx, |mut rx| async move {
        let msg = rx.recv().await?;
        Some((msg.map_err(|e| std::io::Error::other(e.to_string())), rx))
    });
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(first) });
    let stream = futures::StreamExt::chain(body, rest);
    let mut resp = Body::from_stream(stream).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/x-ndjson"));
    Ok(resp)
}
