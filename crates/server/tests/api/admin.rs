//! Admin routes: the 401/403 matrix, user management, disabling and demotion.
use miaojing_api_types::ErrorCode;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(
    every_admin_route_needs_an_admin,
    disabled_user_is_locked_out_at_once,
    demoted_admin_loses_access_at_once,
    admin_guards_against_lockout,
    admin_lists_searches_and_pages_users,
    admin_credit_adjustments_go_through_the_ledger,
    admin_deletes_a_user,
    dashboard_counts_what_happened,
    admin_invitation_list_searches,
);

/// Every admin-only operation, taken from the generated OpenAPI document so a new admin
/// route is covered without editing this test.
fn admin_operations() -> Vec<(Method, String)> {
    let spec: serde_json::Value = serde_json::from_str(&miaojing_server::openapi::spec_json()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let admin_only = path.starts_with("/api/admin/")
                || (path == "/api/site-config" && m == Method::PUT)
                || (path == "/api/announcements" && m != Method::GET)
                || path == "/api/email/send-notification";
            if admin_only {
                // Path parameters get a well-formed id, so the check is about the caller.
                let concrete = path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "00000000-0000-0000-0000-000000000000" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                ops.push((m, concrete));
            }
        }
    }
    assert!(ops.len() >= 15, "found {} admin operations", ops.len());
    ops
}

async fn every_admin_route_needs_an_admin(app: TestApp) {
    let (user, _) = app.register("m@example.com", "mallory").await;
    let admin = app.admin_token().await;
    for (method, path) in admin_operations() {
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
        let res = app.call(method.clone(), &path, body.clone(), None).await;
        assert_error(&res, 401, ErrorCode::Unauthenticated);
        let res = app.call(method.clone(), &path, body.clone(), Some(&user)).await;
        // The role is checked before the body is read: 403 whatever the body holds.
        assert_error(&res, 403, ErrorCode::AdminRequired);
        let garbage =
            app.client.request(method.clone(), format!("{}{}", app.base, path)).bearer_auth(&user).body("{not json").send().await.unwrap();
        assert_eq!(garbage.status(), StatusCode::FORBIDDEN, "{method} {path} with a broken body");
        let (s, v) = app.call(method.clone(), &path, body, Some(&admin)).await;
        assert!(s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN && s.as_u16() < 500, "{method} {path} as admin: {s} {v}");
    }
    // The admin list of announcements is admin-only too.
    assert_error(&app.get("/api/announcements?scope=all", Some(&user)).await, 403, ErrorCode::AdminRequired);
}

async fn disabled_user_is_locked_out_at_once(app: TestApp) {
    let (token, user) = app.register("n@example.com", "niaj").await;
    let admin = app.admin_token().await;
    let (s, v) = app.put("/api/admin/users", json!({ "userId": user["id"], "isActive": false }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["is_active"], false);
    assert_eq!(app.get("/api/profile", Some(&token)).await.0, StatusCode::UNAUTHORIZED);
    assert_error(&app.login("niaj", "passw0rd-ok").await, 403, ErrorCode::AccountDisabled);
    app.put("/api/admin/users", json!({ "userId": user["id"], "isActive": true }), Some(&admin)).await;
    assert_eq!(app.get("/api/profile", Some(&token)).await.0, StatusCode::UNAUTHORIZED, "disabling ended the old sessions for good");
    assert_eq!(app.login("niaj", "passw0rd-ok").await.0, StatusCode::OK);
}

async fn demoted_admin_loses_access_at_once(app: TestApp) {
    let first = app.admin_token().await;
    let second = app.admin_token().await;
    let (_, me) = app.get("/api/profile", Some(&second)).await;
    assert_eq!(app.get("/api/admin/users", Some(&second)).await.0, StatusCode::OK);
    let (s, v) = app.put("/api/admin/users", json!({ "userId": me["profile"]["id"], "role": "user" }), Some(&first)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_error(&app.get("/api/admin/users", Some(&second)).await, 403, ErrorCode::AdminRequired);
    assert_eq!(app.get("/api/profile", Some(&second)).await.0, StatusCode::OK, "still signed in as a user");
}

async fn admin_guards_against_lockout(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, me) = app.get("/api/profile", Some(&admin)).await;
    let id = me["profile"]["id"].clone();
    assert_error(
        &app.put("/api/admin/users", json!({ "userId": id, "isActive": false }), Some(&admin)).await,
        403,
        ErrorCode::CannotModifySelf,
    );
    assert_error(
        &app.put("/api/admin/users", json!({ "userId": id, "role": "user" }), Some(&admin)).await,
        403,
        ErrorCode::CannotModifySelf,
    );
    assert_error(
        &app.delete(&format!("/api/admin/users?userId={}", id.as_str().unwrap()), Some(&admin)).await,
        403,
        ErrorCode::CannotDeleteSelf,
    );
    assert_error(&app.put("/api/admin/users", json!({ "role": "user" }), Some(&admin)).await, 400, ErrorCode::MissingUserId);
    assert_error(
        &app.put("/api/admin/users", json!({ "userId": uuid::Uuid::new_v4(), "role": "user" }), Some(&admin)).await,
        404,
        ErrorCode::UserNotFound,
    );
    assert_error(&app.put("/api/admin/users", json!({ "userId": id, "role": "root" }), Some(&admin)).await, 400, ErrorCode::InvalidRole);
}

async fn admin_lists_searches_and_pages_users(app: TestApp) {
    let admin = app.admin_token().await;
    for i in 0..12 {
        app.register(&format!("user{i:02}@list.test"), &format!("lister{i:02}")).await;
    }
    let (s, v) = app.get("/api/admin/users?search=list.test&page=2&pageSize=5", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 12);
    assert_eq!(v["totalPages"], 3);
    assert_eq!(v["users"].as_array().unwrap().len(), 5);
    let (_, v) = app.get("/api/admin/users?q=LISTER07", Some(&admin)).await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["users"][0]["email"], "user07@list.test");
    let (_, v) = app.get("/api/admin/users?search=%25", Some(&admin)).await;
    assert_eq!(v["total"], 0, "a literal % matches nothing: {v}");
}

async fn admin_credit_adjustments_go_through_the_ledger(app: TestApp) {
    let (token, user) = app.register("o@example.com", "olivia").await;
    let admin = app.admin_token().await;
    let (s, v) =
        app.post("/api/admin/users/credits", json!({ "userId": user["id"], "amount": 25, "reason": "活动奖励" }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["credits_balance"], 35);
    assert_error(
        &app.post("/api/admin/users/credits", json!({ "userId": user["id"], "amount": -100, "reason": "扣除" }), Some(&admin)).await,
        402,
        ErrorCode::InsufficientCredits,
    );
    assert_error(
        &app.post("/api/admin/users/credits", json!({ "userId": user["id"], "amount": -5, "reason": "" }), Some(&admin)).await,
        400,
        ErrorCode::ReasonRequired,
    );
    assert_eq!(app.balance(&token).await, 35, "refusals changed nothing");
    let (_, v) = app.post("/api/admin/users/credits", json!({ "userId": user["id"], "amount": -35, "reason": "清零" }), Some(&admin)).await;
    assert_eq!(v["user"]["credits_balance"], 0);
    let (_, ledger) = app.get(&format!("/api/admin/users/credit-transactions?userId={}", user["id"].as_str().unwrap()), Some(&admin)).await;
    let rows = ledger["records"].as_array().unwrap();
    assert_eq!(rows[0]["type"], "admin");
    assert_eq!(rows[0]["amount"], -35);
    assert_eq!(rows[0]["balanceAfter"], 0);
    assert!(rows[0]["description"].as_str().unwrap().contains("清零"));
    let (_, logs) = app.get("/api/admin/logs?type=admin&keyword=credit", Some(&admin)).await;
    assert!(logs["total"].as_i64().unwrap() >= 2, "{logs}");
}

async fn admin_deletes_a_user(app: TestApp) {
    let (token, user) = app.register("p@example.com", "peggy").await;
    let admin = app.admin_token().await;
    let id = user["id"].as_str().unwrap();
    let (s, v) = app.delete(&format!("/api/admin/users?userId={id}"), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["deletedUserId"], id);
    assert_eq!(app.get("/api/profile", Some(&token)).await.0, StatusCode::UNAUTHORIZED);
    assert_error(&app.delete(&format!("/api/admin/users?userId={id}"), Some(&admin)).await, 404, ErrorCode::UserNotFound);
    assert_error(&app.delete("/api/admin/users?userId=not-a-uuid", Some(&admin)).await, 400, ErrorCode::InvalidQuery);
    app.register("p@example.com", "peggy").await;
}

async fn dashboard_counts_what_happened(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, inviter) = app.register("da@example.com", "dashann").await;
    let (_, user) = app.register_with(json!({ "email": "db@example.com", "nickname": "dashbob", "password": "passw0rd-ok", "acceptedTerms": true, "inviteCode": inviter["invite_code"] })).await;
    app.put("/api/admin/users", json!({ "userId": user["id"], "isActive": false }), Some(&admin)).await;
    app.post("/api/admin/users/credits", json!({ "userId": inviter["id"], "amount": -20, "reason": "test" }), Some(&admin)).await;
    app.post("/api/site-stats", json!({}), None).await;
    let (s, v) = app.get("/api/admin/dashboard", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["users"]["total"], 3);
    assert_eq!(v["users"]["disabled"], 1);
    assert_eq!(v["users"]["admins"], 1);
    assert_eq!(v["users"]["created7d"], 3);
    assert_eq!(v["credits"]["issued"], 10 + 10 + 50 + 50, "gifts and invitation rewards: {v}");
    assert_eq!(v["credits"]["spent"], 20);
    assert_eq!(v["platform"]["totalVisits"], 1);
    assert_eq!(v["system"]["databaseHealth"], true);
    assert!(v["system"]["logsTotal"].as_i64().unwrap() >= 3, "{v}");
    let (_, v) = app.get("/api/admin/stats", Some(&admin)).await;
    assert_eq!(v["totalUsers"], 2);
    assert_eq!(v["totalVisits"], 1);
}

async fn admin_invitation_list_searches(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, inviter) = app.register("ia@example.com", "invann").await;
    for i in 0..3 {
        app.register_with(json!({ "email": format!("ib{i}@example.com"), "nickname": format!("invitee{i}"), "password": "passw0rd-ok", "acceptedTerms": true, "inviteCode": inviter["invite_code"] })).await;
    }
    let (s, v) = app.get("/api/admin/invitations?pageSize=2", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 3);
    assert_eq!(v["totalPages"], 2);
    assert_eq!(v["referrals"].as_array().unwrap().len(), 2);
    assert_eq!(v["referrals"][0]["inviterEmail"], "ia@example.com");
    let (_, v) = app.get("/api/admin/invitations?search=ib1@", Some(&admin)).await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["referrals"][0]["inviteeEmail"], "ib1@example.com");
}
