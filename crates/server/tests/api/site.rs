//! Site configuration, announcements, statistics and logs.
use chrono::{Duration, Utc};
use futures_util::future::join_all;
use miaojing_api_types::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(
    housekeeping_purges_old_rows,
    site_config_defaults_and_updates,
    registration_settings_take_effect,
    announcements_window_and_crud,
    visits_count_every_hit,
    logs_record_logins_and_filter
);

async fn site_config_defaults_and_updates(app: TestApp) {
    let (_, v) = app.get("/api/site-config", None).await;
    assert_eq!(v["siteName"], "妙境");
    assert_eq!(v["logRetentionDays"], 30);
    assert!(v["termsOfService"].as_str().unwrap().len() > 50, "built-in policy text");
    let admin = app.admin_token().await;
    let (s, v) =
        app.put("/api/site-config", json!({ "siteName": "我的妙境", "redeemCodeMallUrl": "https://shop.example.com" }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["siteName"], "我的妙境");
    assert_error(
        &app.put("/api/site-config", json!({ "redeemCodeMallUrl": "javascript:alert(1)" }), Some(&admin)).await,
        400,
        ErrorCode::InvalidUrl,
    );
    assert_error(&app.put("/api/site-config", json!({ "logRetentionDays": 91 }), Some(&admin)).await, 400, ErrorCode::OutOfRange);
    assert_error(
        &app.put("/api/site-config", json!({ "siteName": "x", "bogusField": 1 }), Some(&admin)).await,
        400,
        ErrorCode::InvalidField,
    );
    let (_, v) = app.get("/api/site-config", None).await;
    assert_eq!(v["siteName"], "我的妙境", "refused updates changed nothing");
    assert_eq!(v["redeemCodeMallUrl"], "https://shop.example.com");
    // Blank policy text falls back to the default.
    app.put("/api/site-config", json!({ "aboutUs": "  " }), Some(&admin)).await;
    assert!(app.get("/api/site-config", None).await.1["aboutUs"].as_str().unwrap().contains("妙境"));
}

async fn registration_settings_take_effect(app: TestApp) {
    let admin = app.admin_token().await;
    app.put(
        "/api/site-config",
        json!({ "registrationGiftCredits": 3, "inviterRewardCredits": 7, "inviteeRewardCredits": 0 }),
        Some(&admin),
    )
    .await;
    let (inviter_token, inviter) = app.register("x1@example.com", "xavier").await;
    assert_eq!(inviter["credits_balance"], 3);
    let (_, invitee) = app.register_with(json!({ "email": "x2@example.com", "nickname": "xena", "password": "passw0rd-ok", "acceptedTerms": true, "inviteCode": inviter["invite_code"] })).await;
    assert_eq!(invitee["credits_balance"], 3);
    assert_eq!(app.balance(&inviter_token).await, 10);
    app.put("/api/site-config", json!({ "registrationEnabled": false }), Some(&admin)).await;
    assert_error(
        &app.post("/api/auth/register", json!({ "email": "x3@example.com", "password": "passw0rd-ok", "acceptedTerms": true }), None).await,
        403,
        ErrorCode::RegistrationClosed,
    );
}

async fn announcements_window_and_crud(app: TestApp) {
    let admin = app.admin_token().await;
    let now = Utc::now();
    let mk = |title: &str, start: i64, end: i64, enabled: bool| json!({ "title": title, "content": "**hi**", "startDate": (now + Duration::days(start)).to_rfc3339(), "endDate": (now + Duration::days(end)).to_rfc3339(), "enabled": enabled, "popup": true });
    let (s, cur) = app.post("/api/announcements", mk("current", -1, 1, true), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{cur}");
    app.post("/api/announcements", mk("future", 1, 2, true), Some(&admin)).await;
    app.post("/api/announcements", mk("past", -3, -2, true), Some(&admin)).await;
    app.post("/api/announcements", mk("off", -1, 1, false), Some(&admin)).await;
    let (_, public) = app.get("/api/announcements", None).await;
    let titles: Vec<_> = public.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_string()).collect();
    assert_eq!(titles, vec!["current"]);
    assert_eq!(public[0]["popup"], true);
    assert_eq!(public[0]["enabled"], true);
    let (_, all) = app.get("/api/announcements?scope=all", Some(&admin)).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    assert_error(&app.post("/api/announcements", json!({ "title": "x" }), Some(&admin)).await, 400, ErrorCode::MissingFields);
    assert_error(&app.post("/api/announcements", mk("bad", 2, 1, true), Some(&admin)).await, 400, ErrorCode::InvalidWindow);
    let id = cur["id"].as_str().unwrap();
    let (s, _) = app.put("/api/announcements", json!({ "id": id, "enabled": false }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.get("/api/announcements", None).await.1.as_array().unwrap().len(), 0);
    assert_error(
        &app.put("/api/announcements", json!({ "id": uuid::Uuid::new_v4(), "enabled": true }), Some(&admin)).await,
        404,
        ErrorCode::AnnouncementNotFound,
    );
    assert_eq!(app.delete(&format!("/api/announcements?id={id}"), Some(&admin)).await.0, StatusCode::OK);
    assert_error(&app.delete(&format!("/api/announcements?id={id}"), Some(&admin)).await, 404, ErrorCode::AnnouncementNotFound);
}

async fn visits_count_every_hit(app: TestApp) {
    let hits = (0..20).map(|_| app.post("/api/site-stats", json!({}), None));
    join_all(hits).await;
    let (_, v) = app.get("/api/site-stats", None).await;
    assert_eq!(v["totalVisits"], 20);
}

async fn logs_record_logins_and_filter(app: TestApp) {
    app.register("y@example.com", "yolanda").await;
    app.login("yolanda", "passw0rd-ok").await;
    app.login("yolanda", "wrong-pass1").await;
    let admin = app.admin_token().await;
    let (s, v) = app.get("/api/admin/logs?type=auth&keyword=user_login_success", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1);
    assert_eq!(v["logs"][0]["user_name"], "yolanda");
    let (_, v) = app.get("/api/admin/logs?type=security&level=warning&user=yolanda", Some(&admin)).await;
    assert_eq!(v["total"], 1, "the failed login: {v}");
    assert_error(&app.get("/api/admin/logs?type=bogus", Some(&admin)).await, 400, ErrorCode::InvalidLogType);
    assert_error(&app.get("/api/admin/logs?level=loud", Some(&admin)).await, 400, ErrorCode::InvalidLogLevel);
    let (s, v) = app.put("/api/admin/logs", json!({ "retentionDays": 7 }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["settings"]["retentionDays"], 7);
    assert_eq!(app.get("/api/site-config", None).await.1["logRetentionDays"], 7);
    assert_error(&app.put("/api/admin/logs", json!({ "retentionDays": 0 }), Some(&admin)).await, 400, ErrorCode::OutOfRange);
}

async fn housekeeping_purges_old_rows(app: TestApp) {
    let now = Utc::now();
    app.store.hit("login_ip:1.2.3.4", now - Duration::hours(3)).await.unwrap();
    app.store.hit("login_ip:1.2.3.4", now).await.unwrap();
    let mut old = miaojing_domain::log::LogEntry::new("system", "info", "old", "old");
    old.created_at = now - Duration::days(40);
    app.store.insert_log(old).await.unwrap();
    app.store.insert_log(miaojing_domain::log::LogEntry::new("system", "info", "new", "new")).await.unwrap();
    let (windows, logs) = miaojing_server::maintenance::run_once(&app.state).await.unwrap();
    assert_eq!((windows, logs), (1, 1));
    // The current window still counts.
    assert_eq!(app.store.hit("login_ip:1.2.3.4", now).await.unwrap(), 2);
}
