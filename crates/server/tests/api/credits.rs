//! Redeem codes and memberships through the API.
use chrono::{Duration, Utc};
use futures_util::future::join_all;
use miaojing_api_types::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(
    redeem_accepts_every_typed_form,
    concurrent_redemption_has_one_winner,
    revoked_expired_and_used_codes_are_refused_distinctly,
    membership_codes_extend_and_never_downgrade,
    admin_lists_filters_and_exports_codes,
    batch_creation_validates,
);

async fn batch(app: &TestApp, admin: &str, body: serde_json::Value) -> Vec<serde_json::Value> {
    let (s, v) = app.post("/api/admin/redeem-codes", body, Some(admin)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["codes"].as_array().unwrap().clone()
}

async fn redeem_accepts_every_typed_form(app: TestApp) {
    let admin = app.admin_token().await;
    let (token, _) = app.register("q@example.com", "quinn").await;
    let codes = batch(&app, &admin, json!({ "count": 3, "codeType": "credits", "creditsAmount": 15 })).await;
    let shown: Vec<String> = codes.iter().map(|c| c["code"].as_str().unwrap().to_string()).collect();
    assert!(shown.iter().all(|c| c.starts_with("MJ-") && c.len() == 17), "{shown:?}");
    let forms = [shown[0].clone(), shown[1].replace('-', "").to_lowercase(), shown[2].trim_start_matches("MJ-").replace('-', " ")];
    let mut balance = 10;
    for f in forms {
        let (s, v) = app.post("/api/redeem-codes/redeem", json!({ "code": f }), Some(&token)).await;
        assert_eq!(s, StatusCode::OK, "{f}: {v}");
        balance += 15;
        assert_eq!(v["creditsBalance"], balance);
        assert_eq!(v["codeType"], "credits");
    }
    let (_, ledger) = app.get("/api/credit-transactions", Some(&token)).await;
    assert_eq!(ledger["records"].as_array().unwrap().iter().filter(|r| r["type"] == "redeem").count(), 3);
    assert_error(
        &app.post("/api/redeem-codes/redeem", json!({ "code": "MJ-2222-3333-4444" }), Some(&token)).await,
        404,
        ErrorCode::CodeNotFound,
    );
    assert_error(&app.post("/api/redeem-codes/redeem", json!({ "code": "x" }), Some(&token)).await, 400, ErrorCode::InvalidCodeFormat);
    assert_error(&app.post("/api/redeem-codes/redeem", json!({ "code": shown[0] }), None).await, 401, ErrorCode::Unauthenticated);
}

async fn concurrent_redemption_has_one_winner(app: TestApp) {
    let admin = app.admin_token().await;
    let code = batch(&app, &admin, json!({ "creditsAmount": 7 })).await[0]["code"].as_str().unwrap().to_string();
    let mut tokens = Vec::new();
    for i in 0..5 {
        tokens.push(app.register(&format!("race{i}@example.com"), &format!("racer{i}")).await.0);
    }
    let attempts = (0..50).map(|i| {
        let token = tokens[i % tokens.len()].clone();
        let code = code.clone();
        let app = &app;
        async move { app.post("/api/redeem-codes/redeem", json!({ "code": code }), Some(&token)).await }
    });
    let results = join_all(attempts).await;
    let wins = results.iter().filter(|r| r.0 == StatusCode::OK).count();
    assert_eq!(wins, 1, "{:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    assert!(
        results
            .iter()
            .filter(|r| r.0 != StatusCode::OK)
            .all(|r| r.0 == StatusCode::CONFLICT && r.1["code"] == ErrorCode::CodeUsed.as_str()),
        "losers see code_used"
    );
    let mut total = 0;
    for t in &tokens {
        total += app.balance(t).await;
    }
    assert_eq!(total, 5 * 10 + 7, "credited exactly once");
}

async fn revoked_expired_and_used_codes_are_refused_distinctly(app: TestApp) {
    let admin = app.admin_token().await;
    let (token, _) = app.register("r@example.com", "rupert").await;
    let codes = batch(&app, &admin, json!({ "count": 2, "creditsAmount": 5 })).await;
    let (s, v) = app.put("/api/admin/redeem-codes", json!({ "id": codes[0]["id"], "isActive": false }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["code"]["status"], "revoked");
    assert_error(
        &app.post("/api/redeem-codes/redeem", json!({ "code": codes[0]["code"] }), Some(&token)).await,
        409,
        ErrorCode::CodeRevoked,
    );
    app.post("/api/redeem-codes/redeem", json!({ "code": codes[1]["code"] }), Some(&token)).await;
    assert_error(&app.post("/api/redeem-codes/redeem", json!({ "code": codes[1]["code"] }), Some(&token)).await, 409, ErrorCode::CodeUsed);
    // Expiry of the code itself.
    let soon = (Utc::now() + Duration::seconds(2)).to_rfc3339();
    let exp = batch(&app, &admin, json!({ "creditsAmount": 5, "expiresAt": soon })).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_error(&app.post("/api/redeem-codes/redeem", json!({ "code": exp[0]["code"] }), Some(&token)).await, 409, ErrorCode::CodeExpired);
    assert_eq!(app.balance(&token).await, 15);
    // Only unused codes can be deleted.
    assert_error(
        &app.delete(&format!("/api/admin/redeem-codes?id={}", codes[1]["id"].as_str().unwrap()), Some(&admin)).await,
        409,
        ErrorCode::CodeNotDeletable,
    );
    let (s, _) = app.delete(&format!("/api/admin/redeem-codes?id={}", codes[0]["id"].as_str().unwrap()), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
}

async fn membership_codes_extend_and_never_downgrade(app: TestApp) {
    let admin = app.admin_token().await;
    let (token, _) = app.register("s@example.com", "sybil").await;
    let max30 = batch(&app, &admin, json!({ "count": 2, "codeType": "membership", "membershipTier": "max", "membershipDurationValue": 30, "membershipDurationUnit": "day" })).await;
    let pro = batch(
        &app,
        &admin,
        json!({ "codeType": "membership", "membershipTier": "pro", "membershipDurationValue": 1, "membershipDurationUnit": "month" }),
    )
    .await;
    let (s, first) = app.post("/api/redeem-codes/redeem", json!({ "code": max30[0]["code"] }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["membershipTier"], "max");
    let end1 = chrono::DateTime::parse_from_rfc3339(first["membershipExpiresAt"].as_str().unwrap()).unwrap();
    let (_, second) = app.post("/api/redeem-codes/redeem", json!({ "code": max30[1]["code"] }), Some(&token)).await;
    let end2 = chrono::DateTime::parse_from_rfc3339(second["membershipExpiresAt"].as_str().unwrap()).unwrap();
    assert_eq!((end2 - end1).num_days(), 30, "same tier extends from the current end");
    assert_error(
        &app.post("/api/redeem-codes/redeem", json!({ "code": pro[0]["code"] }), Some(&token)).await,
        409,
        ErrorCode::MembershipDowngrade,
    );
    let (_, v) = app.get("/api/profile", Some(&token)).await;
    assert_eq!(v["profile"]["membership_tier"], "max");
    assert_eq!(v["profile"]["role"], "vip");
    assert_eq!(v["profile"]["credits_balance"], 10, "membership codes do not touch credits");
}

async fn admin_lists_filters_and_exports_codes(app: TestApp) {
    let admin = app.admin_token().await;
    let (token, _) = app.register("t@example.com", "trent").await;
    let a = batch(&app, &admin, json!({ "count": 3, "creditsAmount": 1, "note": "spring, \"promo\"" })).await;
    batch(&app, &admin, json!({ "count": 2, "creditsAmount": 2 })).await;
    app.post("/api/redeem-codes/redeem", json!({ "code": a[0]["code"] }), Some(&token)).await;
    let (_, v) = app.get("/api/admin/redeem-codes?status=used", Some(&admin)).await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["codes"][0]["usedByEmail"], "t@example.com");
    let (_, v) = app.get("/api/admin/redeem-codes?status=unused", Some(&admin)).await;
    assert_eq!(v["total"], 4);
    let (_, v) = app.get(&format!("/api/admin/redeem-codes?batchId={}", a[0]["batchId"].as_str().unwrap()), Some(&admin)).await;
    assert_eq!(v["total"], 3);
    let (_, v) = app.get(&format!("/api/admin/redeem-codes?search={}", a[1]["code"].as_str().unwrap()), Some(&admin)).await;
    assert_eq!(v["total"], 1, "search by the displayed code: {v}");
    assert_error(&app.get("/api/admin/redeem-codes?status=bogus", Some(&admin)).await, 400, ErrorCode::InvalidStatus);
    let res = app
        .client
        .get(format!("{}/api/admin/redeem-codes/export?batchId={}", app.base, a[0]["batchId"].as_str().unwrap()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let csv = res.text().await.unwrap();
    assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 4, "header + 3 rows:\n{csv}");
    assert!(csv.contains("\"spring, \"\"promo\"\"\""), "quoted note:\n{csv}");
    assert!(csv.contains(",used,"));
}

async fn batch_creation_validates(app: TestApp) {
    let admin = app.admin_token().await;
    for (body, code) in [
        (json!({ "count": 0, "creditsAmount": 1 }), ErrorCode::InvalidCount),
        (json!({ "count": 501, "creditsAmount": 1 }), ErrorCode::InvalidCount),
        (json!({ "creditsAmount": 0 }), ErrorCode::InvalidAmount),
        (
            json!({ "codeType": "membership", "membershipTier": "gold", "membershipDurationValue": 1, "membershipDurationUnit": "day" }),
            ErrorCode::InvalidTier,
        ),
        (
            json!({ "codeType": "membership", "membershipTier": "pro", "membershipDurationValue": 1, "membershipDurationUnit": "week" }),
            ErrorCode::InvalidDurationUnit,
        ),
        (json!({ "creditsAmount": 5, "expiresAt": "2001-01-01T00:00:00Z" }), ErrorCode::InvalidExpiry),
    ] {
        assert_error(&app.post("/api/admin/redeem-codes", body, Some(&admin)).await, 400, code);
    }
    let (_, v) = app.get("/api/admin/redeem-codes", Some(&admin)).await;
    assert_eq!(v["total"], 0, "nothing was created");
}
