//! Exports of register views (SPEC §6, §11): every register list
//! route takes `format=csv|json` and then answers the same filtered rows as
//! a download (`Content-Disposition: attachment`), so a regulator's script
//! or spreadsheet gets exactly what the console shows.
//!
//! * CSV (RFC 4180): a header row, `,` separators, CRLF line ends, a field
//!   quoted when it holds `,`, `"`, CR or LF (quotes doubled). Amounts and
//!   ids are exact decimal integers (`u128` never goes through a float);
//!   enums are their snake_case API names; optional values are empty; lists
//!   are joined with `;`.
//! * CSV injection (OWASP "CSV Injection"): a cell that begins with `=`,
//!   `+`, `-`, `@`, a tab or a carriage return would be run as a formula by
//!   a spreadsheet that opens the file, and free-text cells (names, reasons,
//!   terms, URIs) are written by parties. Such a cell is prefixed with `'`
//!   (which spreadsheets read as "text") and then quoted, so it opens as the
//!   text it is. Amounts, ids, heights and sizes are unsigned integers in the
//!   ledger (`u128`/`u64`), so they never begin with `-` or `+` and are never
//!   changed; keys and hashes are hex, enums snake_case names. A script that
//!   needs the ledger's exact text of a free-text cell strips one leading
//!   `'` from a cell whose next character is one of those six, or reads
//!   `format=json`, which is never escaped.
//! * JSON: the rows as a JSON array of the API's own objects (for the
//!   paged mining register, every matching item rather than one page).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tamga_types::model::{
    ActivityNotification, ClassState, EscrowState, EvidenceRecord, MiningNotification, PartyState, ReviewStatus,
};
use tamga_types::views::{HolderView, RegionTotal};
use tamga_types::EscrowAsset;

use super::error::{ApiError, ApiResult};
use super::query::{one_of, Params};

/// The name of the export parameter, accepted by every register list route.
pub const PARAM: &str = "format";

/// Most rows one export answers; a larger view is refused with
/// `EXPORT_TOO_LARGE` (narrow the filter, or page with `after`/`limit`).
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// What `format=` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `text/csv` with a header row.
    Csv,
    /// A JSON array, as a download.
    Json,
}

/// The `format` parameter of a list route; `None` when absent (the plain
/// JSON answer, not a download).
pub fn format(q: &Params) -> ApiResult<Option<Format>> {
    q.get(PARAM, |s| one_of(s, &[("csv", Format::Csv), ("json", Format::Json)]))
}

/// One exported register row: the CSV header and the cells of a row.
pub trait Row: Serialize {
    /// Column names, in order.
    const HEADER: &'static [&'static str];
    /// The cells, as many as [`Row::HEADER`].
    fn cells(&self) -> Vec<String>;
}

/// The download of `rows` as `format`, named `<name>.csv` / `<name>.json`.
pub fn download<T: Row>(name: &str, format: Format, rows: &[T]) -> ApiResult<Response> {
    if rows.len() > MAX_EXPORT_ROWS {
        return Err(too_large(rows.len()));
    }
    let (body, mime, ext) = match format {
        Format::Csv => (csv(rows).into_bytes(), "text/csv; charset=utf-8; header=present", "csv"),
        Format::Json => (
            serde_json::to_vec(rows).map_err(|e| ApiError::internal(format!("encoding the export: {e}")))?,
            "application/json",
            "json",
        ),
    };
    attachment(name, ext, mime, body)
}

/// The JSON download of rows already rendered as the API serves them (for a
/// view whose rows the read policy reshapes, e.g. withheld site addresses).
pub fn download_json(name: &str, rows: &[serde_json::Value]) -> ApiResult<Response> {
    if rows.len() > MAX_EXPORT_ROWS {
        return Err(too_large(rows.len()));
    }
    let body = serde_json::to_vec(rows).map_err(|e| ApiError::internal(format!("encoding the export: {e}")))?;
    attachment(name, "json", "application/json", body)
}

fn attachment(name: &str, ext: &str, mime: &'static str, body: Vec<u8>) -> ApiResult<Response> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\""))
        .map_err(|e| ApiError::internal(format!("export file name {name:?}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// The view is bigger than one export may be.
pub fn too_large(rows: usize) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "EXPORT_TOO_LARGE",
        format!(
            "the view has {rows} rows, more than the {MAX_EXPORT_ROWS} one export holds; narrow the filter or \
             export page by page with after and limit"
        ),
    )
}

/// The plain answer, or the download when `format` asks for one.
pub fn answer<T: Row>(name: &str, format: Option<Format>, rows: Vec<T>) -> ApiResult<Response> {
    match format {
        None => Ok(Json(rows).into_response()),
        Some(f) => download(name, f, &rows),
    }
}

/// RFC 4180 text of `rows` with a header row.
pub fn csv<T: Row>(rows: &[T]) -> String {
    let mut out = String::new();
    line(&mut out, T::HEADER.iter().copied());
    for r in rows {
        let cells = r.cells();
        debug_assert_eq!(cells.len(), T::HEADER.len(), "row width matches its header");
        line(&mut out, cells.iter().map(String::as_str));
    }
    out
}

fn line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, c);
    }
    out.push_str("\r\n");
}

/// First characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection").
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV field: prefixed with `'` when it would start a formula, quoted
/// when it holds `,`, `"`, CR or LF or was prefixed.
fn field(out: &mut String, s: &str) {
    let formula = s.starts_with(FORMULA_STARTS);
    if formula || s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The API name of a value: a JSON string as is, anything else as its JSON
/// text (enums are snake_case strings; keys and hashes hex).
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<unencodable: {e}>"),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// `(status, reviewed_by, reviewed_height, reject_reason)` of a review.
fn review(s: &ReviewStatus) -> [String; 4] {
    match s {
        ReviewStatus::Submitted => [s.name().into(), String::new(), String::new(), String::new()],
        ReviewStatus::Accepted { by, height } => [s.name().into(), by.to_string(), height.to_string(), String::new()],
        ReviewStatus::Rejected { by, height, reason } => {
            [s.name().into(), by.to_string(), height.to_string(), reason.clone()]
        }
    }
}

impl Row for MiningNotification {
    const HEADER: &'static [&'static str] = &[
        "id",
        "miner",
        "kind",
        "version",
        "previous",
        "superseded_by",
        "status",
        "reviewed_by",
        "reviewed_height",
        "reject_reason",
        "closed",
        "region",
        "address",
        "capacity_kw",
        "units",
        "hashrate_ths",
        "energy",
        "pool",
        "start_date",
        "submitted_height",
        "submitted_time_ms",
    ];
    fn cells(&self) -> Vec<String> {
        let [status, by, at, reason] = review(&self.status);
        vec![
            self.id.to_string(),
            self.miner.to_string(),
            name(&self.kind),
            self.version.to_string(),
            opt(self.previous),
            opt(self.superseded_by),
            status,
            by,
            at,
            reason,
            self.closed.to_string(),
            self.site.region.as_str().to_owned(),
            name(&self.site.address),
            self.site.capacity_kw.to_string(),
            self.site.units.to_string(),
            self.site.hashrate_ths.to_string(),
            name(&self.site.energy),
            self.site.pool.as_ref().map(name).unwrap_or_default(),
            self.site.start_date.to_string(),
            self.submitted_height.to_string(),
            self.submitted_time_ms.to_string(),
        ]
    }
}

impl Row for RegionTotal {
    const HEADER: &'static [&'static str] = &["region", "sites", "capacity_kw", "units"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.region.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            self.sites.to_string(),
            self.capacity_kw.to_string(),
            self.units.to_string(),
        ]
    }
}

impl Row for ActivityNotification {
    const HEADER: &'static [&'static str] = &[
        "id",
        "party",
        "activity",
        "phase",
        "date",
        "status",
        "reviewed_by",
        "reviewed_height",
        "reject_reason",
        "submitted_height",
    ];
    fn cells(&self) -> Vec<String> {
        let [status, by, at, reason] = review(&self.status);
        vec![
            self.id.to_string(),
            self.party.to_string(),
            name(&self.activity),
            name(&self.phase),
            self.date.to_string(),
            status,
            by,
            at,
            reason,
            self.submitted_height.to_string(),
        ]
    }
}

impl Row for PartyState {
    const HEADER: &'static [&'static str] = &[
        "id",
        "kind",
        "display_name",
        "status",
        "regulator_scopes",
        "issuer",
        "mining_active",
        "accounts",
        "registered_height",
        "registered_by",
        "id_commitment",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            name(&self.kind),
            self.display_name.clone().unwrap_or_default(),
            name(&self.status),
            self.regulator_scopes.iter().map(name).collect::<Vec<_>>().join(";"),
            self.issuer.to_string(),
            self.mining_active.to_string(),
            self.accounts.iter().map(name).collect::<Vec<_>>().join(";"),
            self.registered_height.to_string(),
            opt(self.registered_by),
            name(&self.id_commitment),
        ]
    }
}

impl Row for ClassState {
    const HEADER: &'static [&'static str] = &[
        "id",
        "issuer",
        "symbol",
        "name",
        "decimals",
        "supply",
        "supply_cap",
        "status",
        "rights",
        "document_hash",
        "document_uri",
        "redemption_terms",
        "created_height",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.issuer.to_string(),
            self.symbol.clone(),
            self.name.clone(),
            self.decimals.to_string(),
            self.supply.to_string(),
            opt(self.supply_cap),
            name(&self.status),
            self.rights
                .iter()
                .map(|r| format!("{}:{}", name(&r.kind), name(&r.description)))
                .collect::<Vec<_>>()
                .join(";"),
            name(&self.document_hash),
            self.document_uri.clone(),
            self.redemption_terms.clone(),
            self.created_height.to_string(),
        ]
    }
}

impl Row for HolderView {
    const HEADER: &'static [&'static str] = &["account", "party", "amount", "frozen"];
    fn cells(&self) -> Vec<String> {
        vec![name(&self.account), opt(self.party), self.amount.to_string(), self.frozen.to_string()]
    }
}

impl Row for EscrowState {
    const HEADER: &'static [&'static str] = &[
        "id",
        "payer",
        "payer_party",
        "payee",
        "payee_party",
        "arbiter_party",
        "asset",
        "class",
        "amount",
        "record",
        "terms_hash",
        "deadline_height",
        "status",
        "created_height",
        "closed_height",
        "dispute_reason",
        "resolution",
    ];
    fn cells(&self) -> Vec<String> {
        let (asset, class, amount, record) = match &self.asset {
            EscrowAsset::Tokens { class, amount } => ("tokens", class.to_string(), amount.to_string(), String::new()),
            EscrowAsset::Record { record } => ("record", String::new(), String::new(), record.to_string()),
        };
        vec![
            self.id.to_string(),
            name(&self.payer),
            self.payer_party.to_string(),
            name(&self.payee),
            self.payee_party.to_string(),
            self.arbiter_party.to_string(),
            asset.to_owned(),
            class,
            amount,
            record,
            name(&self.terms_hash),
            self.deadline_height.to_string(),
            name(&self.status),
            self.created_height.to_string(),
            opt(self.closed_height),
            self.dispute_reason.clone().unwrap_or_default(),
            self.resolution.clone().unwrap_or_default(),
        ]
    }
}

impl Row for EvidenceRecord {
    const HEADER: &'static [&'static str] = &["id", "validator", "vote_height", "vote_round", "recorded_height"];
    fn cells(&self) -> Vec<String> {
        vec![
            name(&self.id),
            name(&self.validator),
            self.vote_height.to_string(),
            self.vote_round.to_string(),
            self.recorded_height.to_string(),
        ]
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use tamga_types::views::HolderView;
    use tamga_types::{PartyId, PublicKey};

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut s = String::new();
        for f in ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""] {
            field(&mut s, f);
            s.push('|');
        }
        assert_eq!(s, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"||");
    }

    #[test]
    fn cells_that_would_start_a_formula_are_escaped() {
        let mut s = String::new();
        for f in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rx", "a=b", "plain-text", "42"]
        {
            field(&mut s, f);
            s.push('|');
        }
        assert_eq!(
            s,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"|\"'+1\"|\"'-2+3\"|\"'@SUM(A1)\"|\"'\tcmd\"|\"'\rx\"|a=b|plain-text|42|"
        );
        // A party's free text in a register row is escaped; the amounts are untouched.
        let class = ClassState {
            id: tamga_types::ClassId(1),
            issuer: PartyId(3),
            symbol: "OATS".into(),
            name: "=cmd|' /C calc'!A0".into(),
            decimals: 0,
            supply: 12,
            supply_cap: None,
            status: tamga_types::ClassStatus::Active,
            rights: Vec::new(),
            document_hash: tamga_types::Hash::ZERO,
            document_uri: "@evil".into(),
            redemption_terms: "-".into(),
            created_height: 1,
        };
        let text = csv(&[class]);
        let row = text.split("\r\n").nth(1).unwrap_or_default();
        assert!(row.starts_with("1,3,OATS,\"'=cmd|' /C calc'!A0\",0,12,,"), "{row}");
        assert!(row.contains(",\"'@evil\",\"'-\",1"), "{row}");
    }

    #[test]
    fn amounts_stay_exact_integers() {
        let h = HolderView {
            account: PublicKey([7; 32]),
            party: Some(PartyId(4)),
            amount: u128::MAX,
            frozen: (1u128 << 90) + 1,
        };
        let text = csv(&[h]);
        let mut lines = text.split("\r\n");
        assert_eq!(lines.next(), Some("account,party,amount,frozen"));
        let row = lines.next().unwrap_or_default();
        assert!(row.ends_with(",4,340282366920938463463374607431768211455,1237940039285380274899124225"), "{row}");
        assert_eq!(lines.next(), Some(""), "CRLF after the last row");
    }
}
