//! `format=csv|json` on the register list routes (issue 8): the download
//! holds exactly the rows of the filtered view, CSV with a header row and
//! exact integers; the latest-blocks list; activity-notification filters.

use serde_json::{json, Value};

use super::*;

/// A download: status, content type, disposition and body.
async fn download(n: &Node, uri: &str) -> (StatusCode, String, String, String) {
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let resp = router(n.ctx.clone()).oneshot(req).await.unwrap();
    let h = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (ct, cd) = (h("content-type"), h("content-disposition"));
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, ct, cd, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Rows of a CSV body split on CRLF (the fixtures hold no quoted newlines).
fn rows(csv: &str) -> Vec<Vec<String>> {
    assert!(csv.ends_with("\r\n"), "CRLF line ends: {csv:?}");
    csv.trim_end_matches("\r\n").split("\r\n").map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

#[tokio::test]
async fn mining_export_holds_the_filtered_rows() {
    let mut n = Node::scenario();
    let miner = n.c.miner.clone();
    let r = n.block(vec![sign(
        &miner,
        1,
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Start,
            previous: None,
            site: site(Region::Abai),
        },
    )]);
    assert_ok(&r);
    let (s, ct, cd, body) = download(&n, "/v1/mining-notifications?format=csv").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert_eq!(cd, "attachment; filename=\"mining-notifications.csv\"");
    let all = rows(&body);
    assert_eq!(all[0][..4], ["id", "miner", "kind", "version"]);
    assert_eq!(all.len(), 3, "header + 2 notifications: {body}");

    let (_, _, _, body) = download(&n, "/v1/mining-notifications?region=abai&format=csv").await;
    let abai = rows(&body);
    assert_eq!(abai.len(), 2, "{body}");
    let col = |name: &str| abai[0].iter().position(|c| c == name).unwrap();
    assert_eq!(abai[1][col("id")], "2");
    assert_eq!(abai[1][col("region")], "abai");
    assert_eq!(abai[1][col("status")], "submitted");
    assert_eq!(abai[1][col("capacity_kw")], "5000");
    assert_eq!(abai[1][col("start_date")], "2026-01-15");

    let (s, ct, cd, body) = download(&n, "/v1/mining-notifications?status=accepted&format=json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/json");
    assert_eq!(cd, "attachment; filename=\"mining-notifications.json\"");
    let v: Value = serde_json::from_str(&body).unwrap();
    let (_, page) = n.get("/v1/mining-notifications?status=accepted").await;
    assert_eq!(v, page["items"], "the JSON export is the items of the view");

    // One page when paging is asked for.
    let (_, _, _, body) = download(&n, "/v1/mining-notifications?limit=1&format=csv").await;
    assert_eq!(rows(&body).len(), 2);
    let (_, _, _, body) = download(&n, "/v1/mining-notifications?region=mars&format=csv").await;
    assert!(body.contains("\"field\":\"region\""), "filters are still checked: {body}");
}

#[tokio::test]
async fn every_register_list_exports() {
    let n = Node::scenario();
    for (uri, file, header) in [
        ("/v1/parties", "parties", "id,kind,display_name,status"),
        ("/v1/classes?issuer=3", "classes", "id,issuer,symbol,name,decimals,supply"),
        ("/v1/classes/1/holders", "class-1-holders", "account,party,amount,frozen"),
        ("/v1/escrows", "escrows", "id,payer,payer_party"),
        ("/v1/mining-notifications/totals", "mining-totals", "region,sites,capacity_kw,units"),
        ("/v1/activity-notifications", "activity-notifications", "id,party,activity,phase,date,status"),
        ("/v1/evidence", "evidence", "id,validator"),
        ("/v1/blocks", "blocks", "height,hash,time_ms,proposer"),
    ] {
        let sep = if uri.contains('?') { '&' } else { '?' };
        let (s, ct, cd, body) = download(&n, &format!("{uri}{sep}format=csv")).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {body}");
        assert!(ct.starts_with("text/csv"), "{uri}: {ct}");
        assert_eq!(cd, format!("attachment; filename=\"{file}.csv\""), "{uri}");
        assert!(body.starts_with(header), "{uri}: {body}");
        // As many data rows as the JSON view has items.
        let (_, v) = n.get(uri).await;
        let items = v.as_array().map_or(0, Vec::len);
        assert_eq!(rows(&body).len(), items + 1, "{uri}: {body}");
        let (s, _, _, body) = download(&n, &format!("{uri}{sep}format=json")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), v, "{uri}: JSON export = the view");
    }
    // Exact amounts: alice holds 75.00 - 10.00 escrowed = 6500 base units.
    let (_, _, _, body) = download(&n, "/v1/classes/1/holders?format=csv").await;
    assert!(body.contains(&format!("{},4,6500,0\r\n", n.c.alice.public().to_hex())), "{body}");

    let (s, v) = n.get("/v1/parties?format=xml").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"));
    assert_eq!(v["field"], "format");
    assert!(v["message"].as_str().unwrap().contains("csv, json"), "{v}");
    let (s, v) = n.get("/v1/parties?format=csv&format=json").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"));
}

#[tokio::test]
async fn activity_notifications_filter() {
    let n = Node::scenario();
    for (q, ids) in [
        ("", vec![1, 2]),
        ("activity=exchange", vec![2]),
        ("activity=issuance&status=accepted", vec![1]),
        ("status=submitted", vec![2]),
        ("phase=termination", vec![]),
        ("from=2026-02-01&to=2026-02-01", vec![2]),
        ("party=3&phase=start", vec![1, 2]),
    ] {
        let (s, v) = n.get(&format!("/v1/activity-notifications?{q}")).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        let got: Vec<u64> = v.as_array().unwrap().iter().map(|a| a["id"].as_u64().unwrap()).collect();
        assert_eq!(got, ids, "{q}: {v}");
    }
    for (q, field) in
        [("activity=mining", "activity"), ("phase=stop", "phase"), ("from=2026-03-01&to=2026-01-01", "to")]
    {
        let (s, v) = n.get(&format!("/v1/activity-notifications?{q}")).await;
        assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"), "{q}");
        assert_eq!(v["field"], field, "{q}");
    }
}

#[tokio::test]
async fn latest_blocks_newest_first_with_certificates() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/blocks").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let heights: Vec<u64> = v.as_array().unwrap().iter().map(|b| b["height"].as_u64().unwrap()).collect();
    assert_eq!(heights, [4, 3, 2, 1]);
    let b = &v[0];
    assert_eq!(b["signatures"], 4);
    assert_eq!((b["signed_power"].clone(), b["total_power"].clone()), (json!(40), json!(40)));
    assert_eq!(b["tx_count"], 1);
    let (_, full) = n.get("/v1/blocks/4").await;
    assert_eq!(b["hash"], full["hash"]);
    let (_, v) = n.get("/v1/blocks?before=3&limit=1").await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["height"], 2);
    let (_, v) = n.get("/v1/blocks?before=1").await;
    assert_eq!(v, json!([]));
    let (s, v) = n.get("/v1/blocks?limit=101").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"));
    assert_eq!(v["field"], "limit");
}

/// The read policy holds for downloads too: a site address withheld from a
/// reader in the page is an empty cell in the CSV and `null` in the JSON
/// download; the mining regulator's signed download has it.
#[tokio::test]
async fn mining_downloads_withhold_site_addresses_like_the_page() {
    let n = Node::scenario();
    let now = crate::now_ms();
    let address_cells = |body: &str| {
        let all = rows(body);
        let col = all[0].iter().position(|c| c == "address").expect("an address column");
        all[1..].iter().map(|r| r[col].clone()).collect::<Vec<_>>()
    };
    let uri = "/v1/mining-notifications?format=csv";
    let (s, _, _, body) = download(&n, uri).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let anonymous = address_cells(&body);
    assert!(!anonymous.is_empty() && anonymous.iter().all(String::is_empty), "{body}");
    let (s, bytes) = n.call_signed(&n.c.reg, now, "GET", uri, None).await;
    assert_eq!(s, StatusCode::OK);
    let body = String::from_utf8(bytes).unwrap();
    let regulator = address_cells(&body);
    assert!(regulator.iter().all(|a| !a.is_empty()), "the mining regulator sees the addresses: {body}");

    let (_, _, _, body) = download(&n, "/v1/mining-notifications?format=json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    for item in v.as_array().unwrap() {
        assert_eq!(
            (item["site"]["address"].clone(), item["site"]["address_redacted"].clone()),
            (Value::Null, json!(true))
        );
    }
}
