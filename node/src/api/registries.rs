//! Accounts and registries (SPEC §3–§7): parties, classes and holders,
//! records with history, escrows, mining and activity notifications,
//! evidence. Lists are JSON arrays in id order; mining notifications are
//! paged (`{"items", "next_after"}`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tamga_contract::wire::AccountView;
use tamga_types::model::{ActivityNotification, MiningNotification};
use tamga_types::views::{MiningFilter, Page};
use tamga_types::{
    Activity, ActivityPhase, ClassId, Date, EscrowId, MiningNotificationId, MiningNotificationKind, PartyId, RecordId,
    Region,
};

use super::access::{may_see_site_address, redact_sites, Reader};
use super::download as export;
use super::error::{ApiError, ApiResult};
use super::i18n::{args, Why};
use super::query::{one_of, path_hash, path_id, path_key, uint, Params};
use super::{read, ApiContext};

type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn json<T: Serialize>(v: T) -> Response {
    Json(v).into_response()
}

fn account_missing(key: &tamga_types::PublicKey) -> ApiError {
    ApiError::not_found_t("ACCOUNT_NOT_FOUND", args!["key" => key.to_string()])
}

/// `GET /v1/accounts/{key}`.
pub async fn account(State(ctx): State<ApiContext>, Path(key): Path<String>) -> ApiResult<Response> {
    let key = path_key(&key)?;
    let a = read(&ctx, move |l| {
        let account = l.account(&key)?.ok_or_else(|| account_missing(&key))?;
        Ok(AccountView { next_nonce: account.nonce, balances: l.balances(&key)?, account })
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

/// `GET /v1/parties[?format=csv|json]`.
pub async fn parties(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &[export::PARAM])?;
    let format = export::format(&q)?;
    export::answer("parties", format, read(&ctx, |l| Ok(l.parties()?)).await?)
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

/// `GET /v1/classes[?issuer=][&format=csv|json]`.
pub async fn classes(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["issuer", export::PARAM])?;
    let issuer = q.get("issuer", uint)?.map(PartyId);
    let format = export::format(&q)?;
    let c = read(&ctx, move |l| {
        Ok(match issuer {
            Some(p) => l.classes_by_issuer(p)?,
            None => l.classes()?,
        })
    })
    .await?;
    export::answer("classes", format, c)
}

fn class_missing(id: ClassId) -> ApiError {
    ApiError::not_found_t("CLASS_NOT_FOUND", args!["id" => id.to_string()])
}

/// `GET /v1/classes/{id}`.
pub async fn class(State(ctx): State<ApiContext>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = ClassId(path_id("id", &id)?);
    Ok(json(read(&ctx, move |l| l.class(id)?.ok_or_else(|| class_missing(id))).await?))
}

/// `GET /v1/classes/{id}/holders[?format=csv|json]`.
pub async fn holders(State(ctx): State<ApiContext>, Path(id): Path<String>, q: Q) -> ApiResult<Response> {
    let id = ClassId(path_id("id", &id)?);
    let q = Params::new(q, &[export::PARAM])?;
    let format = export::format(&q)?;
    let h = read(&ctx, move |l| {
        l.class(id)?.ok_or_else(|| class_missing(id))?;
        Ok(l.holders(id)?)
    })
    .await?;
    export::answer(&format!("class-{id}-holders"), format, h)
}

/// `GET /v1/classes/{id}/restrictions[?holder=KEY]`: every freeze and pause
/// of the class, standing or lifted, or one holding's history of them: its
/// freezes and the class's pauses (SPEC §4, DC art. 20 p.4).
pub async fn restrictions(State(ctx): State<ApiContext>, Path(id): Path<String>, q: Q) -> ApiResult<Response> {
    let id = ClassId(path_id("id", &id)?);
    let q = Params::new(q, &["holder"])?;
    let holder = q.get("holder", |s| {
        tamga_types::PublicKey::from_hex(s).map_err(|e| Why::new("why.hex", args!["detail" => e.to_string()]))
    })?;
    let r = read(&ctx, move |l| {
        l.class(id)?.ok_or_else(|| class_missing(id))?;
        Ok(match holder {
            Some(k) => l.restrictions_of_holding(id, &k)?,
            None => l.restrictions_of_class(id)?,
        })
    })
    .await?;
    Ok(json(r))
}

/// `GET /v1/terms/{hash}`: escrow terms published on the chain under their
/// SHA-256 (SPEC §7, DC art. 67); the client checks the text against the hash.
pub async fn terms(State(ctx): State<ApiContext>, Path(hash): Path<String>) -> ApiResult<Response> {
    let hash = path_hash(&hash)?;
    let t = read(&ctx, move |l| {
        l.escrow_terms(&hash)?.ok_or_else(|| ApiError::not_found_t("TERMS_NOT_FOUND", args!["hash" => hash.to_hex()]))
    })
    .await?;
    Ok(json(t))
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

/// `GET /v1/escrows[?party=][&format=csv|json]`.
pub async fn escrows(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["party", export::PARAM])?;
    let party = q.get("party", uint)?.map(PartyId);
    let format = export::format(&q)?;
    let e = read(&ctx, move |l| {
        Ok(match party {
            Some(p) => l.escrows_by_party(p)?,
            None => l.escrows()?,
        })
    })
    .await?;
    export::answer("escrows", format, e)
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

/// A region by its stable code or its name in Kazakh, Russian or English
/// (`Павлодарская область`, `Павлодар облысы`, `Pavlodar Region`; the table
/// is `tamga_types::region_names`). A name that fits none lists every code; an
/// ambiguous one (`Алматы`: the city and the region) lists the candidates.
fn region(s: &str) -> Result<Region, Why> {
    Region::from_name(s).map_err(|e| Why::new("why.one_of", args!["allowed" => e.expected().join(", ")]))
}

/// `from` ≤ `to` when both are given.
fn date_range(from: Option<Date>, to: Option<Date>) -> ApiResult<()> {
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ApiError::bad_t(
                "BAD_PARAM.range",
                "to",
                args!["from" => from.to_string(), "to" => to.to_string()],
            ));
        }
    }
    Ok(())
}

/// The filter of `GET /v1/mining-notifications`, every bad value refused by name.
fn mining_filter_of(q: &Params) -> ApiResult<MiningFilter> {
    let f = MiningFilter {
        miner: q.get("miner", uint)?.map(PartyId),
        status: q.get("status", |s| one_of(s, &STATUSES))?.map(str::to_owned),
        region: q.get("region", region)?,
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
    date_range(f.from, f.to)?;
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

/// `GET /v1/mining-notifications?miner&status&region&kind&from&to&after&limit[&format=csv|json]`.
///
/// With `format` the answer is a download of every matching notification
/// (all pages, at most [`export::MAX_EXPORT_ROWS`]) unless `after` or
/// `limit` ask for one page. Site addresses the read policy withholds from
/// this reader are empty cells in the CSV and `null` (with
/// `address_redacted`) in the JSON, as in the page.
pub async fn mining_notifications(State(ctx): State<ApiContext>, reader: Reader, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["miner", "status", "region", "kind", "from", "to", "after", "limit", export::PARAM])?;
    let f = mining_filter_of(&q)?;
    let Some(format) = export::format(&q)? else {
        let page = read(&ctx, move |l| Ok(l.mining_notifications(&f)?)).await?;
        let items = page.items.iter().map(|n| notification_json(&ctx, &reader, n)).collect::<ApiResult<Vec<_>>>()?;
        return Ok(json(serde_json::json!({ "items": items, "next_after": page.next_after })));
    };
    let one_page = f.after.is_some() || f.limit.is_some();
    let mut rows = read(&ctx, move |l| {
        if one_page {
            return Ok(l.mining_notifications(&f)?.items);
        }
        let mut rows = Vec::new();
        let mut page = MiningFilter { limit: Some(MAX_PAGE), ..f };
        loop {
            let Page { items, next_after } = l.mining_notifications(&page)?;
            rows.extend(items);
            if rows.len() > export::MAX_EXPORT_ROWS {
                return Err(export::too_large(rows.len()));
            }
            match next_after {
                Some(a) => page.after = Some(MiningNotificationId(a)),
                None => return Ok(rows),
            }
        }
    })
    .await?;
    if matches!(format, export::Format::Json) {
        let items = rows.iter().map(|n| notification_json(&ctx, &reader, n)).collect::<ApiResult<Vec<_>>>()?;
        return export::download_json("mining-notifications", &items);
    }
    for n in rows.iter_mut() {
        if !may_see_site_address(ctx.read_policy, &reader, Some(n.miner)) {
            n.site.address = tamga_types::Text::default();
        }
    }
    export::download("mining-notifications", format, &rows)
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

/// `GET /v1/mining-notifications/totals[?format=csv|json]`.
pub async fn mining_totals(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &[export::PARAM])?;
    let format = export::format(&q)?;
    export::answer("mining-totals", format, read(&ctx, |l| Ok(l.mining_totals_by_region()?)).await?)
}

const ACTIVITIES: [(&str, Activity); 3] = [
    ("issuance", Activity::Issuance),
    ("trading_organisation", Activity::TradingOrganisation),
    ("exchange", Activity::Exchange),
];
const PHASES: [(&str, ActivityPhase); 2] =
    [("start", ActivityPhase::Start), ("termination", ActivityPhase::Termination)];

/// Filter of the activity-notification register (SPEC §6).
#[derive(Clone, Debug, Default)]
struct ActivityFilter {
    party: Option<PartyId>,
    status: Option<&'static str>,
    activity: Option<Activity>,
    phase: Option<ActivityPhase>,
    from: Option<Date>,
    to: Option<Date>,
}

impl ActivityFilter {
    fn of(q: &Params) -> ApiResult<ActivityFilter> {
        let f = ActivityFilter {
            party: q.get("party", uint)?.map(PartyId),
            status: q.get("status", |s| one_of(s, &STATUSES))?,
            activity: q.get("activity", |s| one_of(s, &ACTIVITIES))?,
            phase: q.get("phase", |s| one_of(s, &PHASES))?,
            from: q.get("from", date)?,
            to: q.get("to", date)?,
        };
        date_range(f.from, f.to)?;
        Ok(f)
    }

    fn matches(&self, n: &ActivityNotification) -> bool {
        self.status.is_none_or(|s| n.status.name() == s)
            && self.activity.is_none_or(|a| n.activity == a)
            && self.phase.is_none_or(|p| n.phase == p)
            && self.from.is_none_or(|d| n.date >= d)
            && self.to.is_none_or(|d| n.date <= d)
    }
}

/// `GET /v1/activity-notifications[?party&status&activity&phase&from&to][&format=csv|json]`.
pub async fn activity_notifications(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &["party", "status", "activity", "phase", "from", "to", export::PARAM])?;
    let f = ActivityFilter::of(&q)?;
    let format = export::format(&q)?;
    let rows = read(&ctx, move |l| {
        let mut all = l.activity_notifications(f.party)?;
        all.retain(|n| f.matches(n));
        Ok(all)
    })
    .await?;
    export::answer("activity-notifications", format, rows)
}

/// `GET /v1/evidence[?format=csv|json]`.
pub async fn evidence(State(ctx): State<ApiContext>, q: Q) -> ApiResult<Response> {
    let q = Params::new(q, &[export::PARAM])?;
    let format = export::format(&q)?;
    export::answer("evidence", format, read(&ctx, |l| Ok(l.evidence()?)).await?)
}
