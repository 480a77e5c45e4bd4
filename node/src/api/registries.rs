//! Accounts and registries (SPEC §3–§7): parties, classes and holders,
//! records with history, escrows, mining and activity notifications,
//! evidence. Lists are JSON arrays in id order; mining notifications are
//! paged (`{"items", "next_after"}`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tamga_types::model::{AccountState, MiningNotification};
use tamga_types::views::{BalanceView, MiningFilter};
use tamga_types::{ClassId, Date, EscrowId, MiningNotificationId, MiningNotificationKind, PartyId, RecordId, Region};

use super::access::{may_see_site_address, redact_sites, Reader};
use super::error::{ApiError, ApiResult};
use super::i18n::{args, Why};
use super::query::{one_of, path_id, path_key, uint, Params};
use super::{read, ApiContext};

type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn json<T: Serialize>(v: T) -> Response {
    Json(v).into_response()
}

fn no_params(q: Q) -> ApiResult<()> {
    Params::new(q, &[]).map(|_| ())
}

#[derive(Serialize)]
struct AccountAnswer {
    account: AccountState,
    next_nonce: u64,
    balances: Vec<BalanceView>,
}

fn account_missing(key: &tamga_types::PublicKey) -> ApiError {
    ApiError::not_found_t("ACCOUNT_NOT_FOUND", args!["key" => key.to_string()])
}

/// `GET /v1/accounts/{key}`.
pub async fn account(State(ctx): State<ApiContext>, Path(key): Path<String>) -> ApiResult<Response> {
    let key = path_key(&key)?;
    let a = read(&ctx, move |l| {
        let account = l.account(&key)?.ok_or_else(|| account_missing(&key))?;
        Ok(AccountAnswer { next_nonce: account.nonce, balances: l.balances(&key)?, account })
    })
    .await?;
    Ok(json(a))
}

/// `GET /v1/accounts/{key}/records`.
pub async fn account_records(State(ctx): State<ApiContext>, Path(key): Path<String>) -> ApiResult<Response> {
    let key = path_key(&key)?;
    let r = read(&ctx, move |l| {
        l.account(&key)?.ok_or_else(|| account_missing(&key))?;
        Ok(l.records_by_holder(&key)?)
    })
    .await?;
    Ok(json(r))
}

/// `GET /v1/parties`.
pub async fn parties(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    no_params(q)?;
    Ok(json(read(&ctx, |l| Ok(l.parties()?)).await?))
}

/// `GET /v1/parties/{id}`.
pub async fn party(State(ctx): State<ApiContext>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = PartyId(path_id("id", &id)?);
    let p = read(&ctx, move |l| {
        l.party(id)?.ok_or_else(|| ApiError::not_found_t("PARTY_NOT_FOUND", args!["id" => id.to_string()]))
    })
    .await?;
    Ok(json(p))
}

/// `GET /v1/classes[?issuer=]`.
pub async fn classes(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["issuer"])?;
    let issuer = q.get("issuer", uint)?.map(PartyId);
    let c = read(&ctx, move |l| {
        Ok(match issuer {
            Some(p) => l.classes_by_issuer(p)?,
            None => l.classes()?,
        })
    })
    .await?;
    Ok(json(c))
}

fn class_missing(id: ClassId) -> ApiError {
    ApiError::not_found_t("CLASS_NOT_FOUND", args!["id" => id.to_string()])
}

/// `GET /v1/classes/{id}`.
pub async fn class(State(ctx): State<ApiContext>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = ClassId(path_id("id", &id)?);
    Ok(json(read(&ctx, move |l| l.class(id)?.ok_or_else(|| class_missing(id))).await?))
}

/// `GET /v1/classes/{id}/holders`.
pub async fn holders(State(ctx): State<ApiContext>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = ClassId(path_id("id", &id)?);
    let h = read(&ctx, move |l| {
        l.class(id)?.ok_or_else(|| class_missing(id))?;
        Ok(l.holders(id)?)
    })
    .await?;
    Ok(json(h))
}

/// `GET /v1/records/{id}`: the record with its full history (SPEC §5).
pub async fn record(State(ctx): State<ApiContext>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = RecordId(path_id("id", &id)?);
    let r = read(&ctx, move |l| {
        l.record(id)?.ok_or_else(|| ApiError::not_found_t("RECORD_NOT_FOUND", args!["id" => id.to_string()]))
    })
    .await?;
    Ok(json(r))
}

/// `GET /v1/escrows[?party=]`.
pub async fn escrows(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["party"])?;
    let party = q.get("party", uint)?.map(PartyId);
    let e = read(&ctx, move |l| {
        Ok(match party {
            Some(p) => l.escrows_by_party(p)?,
            None => l.escrows()?,
        })
    })
    .await?;
    Ok(json(e))
}

/// `GET /v1/escrows/{id}`.
pub async fn escrow(State(ctx): State<ApiContext>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = EscrowId(path_id("id", &id)?);
    let e = read(&ctx, move |l| {
        l.escrow(id)?.ok_or_else(|| ApiError::not_found_t("ESCROW_NOT_FOUND", args!["id" => id.to_string()]))
    })
    .await?;
    Ok(json(e))
}

/// Most mining notifications per page.
pub const MAX_PAGE: usize = 1000;

const STATUSES: [(&str, &str); 3] = [("submitted", "submitted"), ("accepted", "accepted"), ("rejected", "rejected")];
const KINDS: [(&str, MiningNotificationKind); 3] = [
    ("start", MiningNotificationKind::Start),
    ("change", MiningNotificationKind::Change),
    ("termination", MiningNotificationKind::Termination),
];

fn date(s: &str) -> Result<Date, Why> {
    s.parse::<Date>().map_err(|_| {
        // `Date::from_str` refuses a shape other than YYYY-MM-DD, or a day
        // the calendar lacks (2026-02-30).
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        Why::plain(if shaped { "why.date_day" } else { "why.date_format" })
    })
}

/// The filter of `GET /v1/mining-notifications`, every bad value refused by name.
pub fn mining_filter(q: Q) -> ApiResult<MiningFilter> {
    let q = Params::new(q, &["miner", "status", "region", "kind", "from", "to", "after", "limit"])?;
    let f = MiningFilter {
        miner: q.get("miner", uint)?.map(PartyId),
        status: q.get("status", |s| one_of(s, &STATUSES))?.map(str::to_owned),
        region: q.get("region", |s| {
            Region::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
                let names: Vec<&str> = Region::ALL.iter().map(|r| r.as_str()).collect();
                Why::new("why.one_of", args!["allowed" => names.join(", ")])
            })
        })?,
        kind: q.get("kind", |s| one_of(s, &KINDS))?,
        from: q.get("from", date)?,
        to: q.get("to", date)?,
        after: q.get("after", uint)?.map(MiningNotificationId),
        limit: q.get("limit", |s| {
            uint::<usize>(s).and_then(|n| {
                if (1..=MAX_PAGE).contains(&n) {
                    Ok(n)
                } else {
                    Err(Why::new("why.range", args!["min" => "1", "max" => MAX_PAGE.to_string()]))
                }
            })
        })?,
    };
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if from > to {
            return Err(ApiError::bad_t(
                "BAD_PARAM.range",
                "to",
                args!["from" => from.to_string(), "to" => to.to_string()],
            ));
        }
    }
    Ok(f)
}

/// A notification as JSON, its site address withheld from `reader` unless
/// the read policy lets it see it (`api::access`).
fn notification_json(ctx: &ApiContext, reader: &Reader, n: &MiningNotification) -> ApiResult<serde_json::Value> {
    let mut v = serde_json::to_value(n).map_err(|e| ApiError::internal(format!("encoding notification: {e}")))?;
    if !may_see_site_address(ctx.read_policy, reader, Some(n.miner)) {
        redact_sites(&mut v);
    }
    Ok(v)
}

/// `GET /v1/mining-notifications?miner&status&region&kind&from&to&after&limit`.
pub async fn mining_notifications(State(ctx): State<ApiContext>, reader: Reader, q: Q) -> ApiResult<Response> {
    let f = mining_filter(q)?;
    let page = read(&ctx, move |l| Ok(l.mining_notifications(&f)?)).await?;
    let items = page.items.iter().map(|n| notification_json(&ctx, &reader, n)).collect::<ApiResult<Vec<_>>>()?;
    Ok(json(serde_json::json!({ "items": items, "next_after": page.next_after })))
}

/// `GET /v1/mining-notifications/{id}`.
pub async fn mining_notification(
    State(ctx): State<ApiContext>,
    reader: Reader,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = MiningNotificationId(path_id("id", &id)?);
    let n = read(&ctx, move |l| {
        l.mining_notification(id)?
            .ok_or_else(|| ApiError::not_found_t("MINING_NOTIFICATION_NOT_FOUND", args!["id" => id.to_string()]))
    })
    .await?;
    Ok(json(notification_json(&ctx, &reader, &n)?))
}

/// `GET /v1/mining-notifications/totals`.
pub async fn mining_totals(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    no_params(q)?;
    Ok(json(read(&ctx, |l| Ok(l.mining_totals_by_region()?)).await?))
}

/// `GET /v1/activity-notifications[?party=]`.
pub async fn activity_notifications(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["party"])?;
    let party = q.get("party", uint)?.map(PartyId);
    Ok(json(read(&ctx, move |l| Ok(l.activity_notifications(party)?)).await?))
}

/// `GET /v1/evidence`.
pub async fn evidence(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    no_params(q)?;
    Ok(json(read(&ctx, |l| Ok(l.evidence()?)).await?))
}
