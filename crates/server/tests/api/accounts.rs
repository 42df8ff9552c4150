//! Registration, login, sessions, profile.
use base64::Engine;
use chrono::{Duration, Utc};
use miaojing_api_types::ErrorCode;
use miaojing_auth::TokenKeys;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(
    register_gives_gift_and_signs_in,
    register_rules_refuse_bad_input_and_create_nothing,
    invitation_rewards_both_sides_once,
    unknown_invite_code_creates_nothing,
    login_by_username_email_or_phone,
    logout_and_password_change_revoke_sessions,
    tampered_and_expired_tokens_are_refused,
    profile_update_rules,
    watermark_switch_needs_membership,
    theme_is_saved,
    admin_exists_reports_admins,
    bcrypt_hashes_from_the_original_log_in_and_are_upgraded,
);

async fn register_gives_gift_and_signs_in(app: TestApp) {
    let (token, user) = app.register("Alice@Example.com ", "alice").await;
    assert_eq!(user["email"], "alice@example.com");
    assert_eq!(user["credits_balance"], 10);
    assert_eq!(user["membership_tier"], "free");
    assert_eq!(user["role"], "user");
    assert!(user["avatar_url"].as_str().unwrap().starts_with("data:image/svg+xml"));
    assert_ne!(user["display_nickname"], "alice", "a generated display nickname");
    let (s, v) = app.get("/api/profile", Some(&token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["profile"]["username"], "alice");
    let (_, ledger) = app.get("/api/credit-transactions", Some(&token)).await;
    let records = ledger["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "exactly one gift row: {ledger}");
    assert_eq!(records[0]["type"], "gift");
    assert_eq!(records[0]["amount"], 10);
    assert_eq!(records[0]["balanceAfter"], 10);
}

async fn register_rules_refuse_bad_input_and_create_nothing(app: TestApp) {
    let base = json!({ "email": "bob@example.com", "nickname": "bob", "password": "passw0rd-ok", "acceptedTerms": true });
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    assert_error(&app.post("/api/auth/register", with("acceptedTerms", json!(false)), None).await, 400, ErrorCode::TermsNotAccepted);
    for pw in ["short1", "lettersonly", "12345678"] {
        assert_error(&app.post("/api/auth/register", with("password", json!(pw)), None).await, 400, ErrorCode::WeakPassword);
    }
    assert_error(&app.post("/api/auth/register", with("email", json!("not-an-email")), None).await, 400, ErrorCode::InvalidEmail);
    assert_error(&app.post("/api/auth/register", with("nickname", json!("<b>x</b>")), None).await, 400, ErrorCode::InvalidUsername);
    assert_eq!(app.login("bob@example.com", "passw0rd-ok").await.0, StatusCode::UNAUTHORIZED, "nothing was created");
    app.register("bob@example.com", "bob").await;
    assert_error(&app.post("/api/auth/register", with("nickname", json!("bob2")), None).await, 409, ErrorCode::EmailTaken);
    let same_name = json!({ "email": "bob2@example.com", "nickname": "BOB", "password": "passw0rd-ok", "acceptedTerms": true });
    assert_error(&app.post("/api/auth/register", same_name, None).await, 409, ErrorCode::UsernameTaken);
}

async fn invitation_rewards_both_sides_once(app: TestApp) {
    let (inviter_token, inviter) = app.register("inviter@example.com", "inviter").await;
    let code = inviter["invite_code"].as_str().unwrap().to_string();
    let (invitee_token, invitee) = app
        .register_with(json!({ "email": "invitee@example.com", "nickname": "invitee", "password": "passw0rd-ok", "acceptedTerms": true, "inviteCode": code.to_lowercase() }))
        .await;
    assert_eq!(invitee["credits_balance"], 60, "gift 10 + invitee reward 50");
    assert_eq!(app.balance(&inviter_token).await, 60, "gift 10 + inviter reward 50");
    let (_, mine) = app.get("/api/invitations/me", Some(&inviter_token)).await;
    assert_eq!(mine["inviteCode"], code);
    assert_eq!(mine["referralCount"], 1);
    assert_eq!(mine["referrals"][0]["inviteeEmail"], "invitee@example.com");
    let (_, ledger) = app.get("/api/credit-transactions", Some(&invitee_token)).await;
    let kinds: Vec<_> = ledger["records"].as_array().unwrap().iter().map(|r| r["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "invite").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "gift").count(), 1);
}

async fn unknown_invite_code_creates_nothing(app: TestApp) {
    let body = json!({ "email": "c@example.com", "nickname": "carol", "password": "passw0rd-ok", "acceptedTerms": true, "inviteCode": "MJNOPE12345" });
    assert_error(&app.post("/api/auth/register", body, None).await, 400, ErrorCode::InviteInvalid);
    assert_eq!(app.login("carol", "passw0rd-ok").await.0, StatusCode::UNAUTHORIZED);
    // A disabled inviter's code is refused too.
    let (_, inviter) = app.register("d@example.com", "dave").await;
    let admin = app.admin_token().await;
    let (s, _) = app.put("/api/admin/users", json!({ "userId": inviter["id"], "isActive": false }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    let body = json!({ "email": "e@example.com", "nickname": "erin", "password": "passw0rd-ok", "acceptedTerms": true, "inviteCode": inviter["invite_code"] });
    assert_error(&app.post("/api/auth/register", body, None).await, 400, ErrorCode::InviteInvalid);
}

async fn login_by_username_email_or_phone(app: TestApp) {
    app.register_with(json!({ "email": "f@example.com", "nickname": "Frank", "phone": "+86 13800000001", "password": "passw0rd-ok", "acceptedTerms": true })).await;
    for id in ["Frank", "frank", "F@EXAMPLE.com", "+86 13800000001"] {
        let (s, v) = app.login(id, "passw0rd-ok").await;
        assert_eq!(s, StatusCode::OK, "{id}: {v}");
        assert_eq!(v["user"]["username"], "Frank");
        let token = v["session"]["access_token"].as_str().unwrap();
        assert_eq!(token.split('.').count(), 3, "a JWT");
    }
    assert_error(&app.login("frank", "wrong-pass1").await, 401, ErrorCode::InvalidCredentials);
    assert_error(&app.login("nobody", "passw0rd-ok").await, 401, ErrorCode::InvalidCredentials);
    assert_error(&app.post("/api/auth/login", json!({ "account": "frank" }), None).await, 400, ErrorCode::MissingCredentials);
    assert_error(
        &app.post("/api/auth/login", json!({ "account": "frank", "password": "passw0rd-ok", "adminOnly": true }), None).await,
        403,
        ErrorCode::AdminOnly,
    );
}

async fn logout_and_password_change_revoke_sessions(app: TestApp) {
    let (t1, _) = app.register("g@example.com", "grace").await;
    let t2 = app.login("grace", "passw0rd-ok").await.1["session"]["access_token"].as_str().unwrap().to_string();
    let t3 = app.login("grace", "passw0rd-ok").await.1["session"]["access_token"].as_str().unwrap().to_string();
    let (s, _) = app.post("/api/auth/logout", json!({}), Some(&t1)).await;
    assert_eq!(s, StatusCode::OK);
    assert_error(&app.get("/api/profile", Some(&t1)).await, 401, ErrorCode::Unauthenticated);
    assert_eq!(app.get("/api/profile", Some(&t2)).await.0, StatusCode::OK);
    // Changing the password ends the other sessions but keeps this one.
    assert_error(
        &app.put("/api/profile", json!({ "newPassword": "newpass123" }), Some(&t2)).await,
        400,
        ErrorCode::CurrentPasswordRequired,
    );
    assert_error(
        &app.put("/api/profile", json!({ "newPassword": "newpass123", "currentPassword": "nope-1234" }), Some(&t2)).await,
        400,
        ErrorCode::WrongCurrentPassword,
    );
    assert_eq!(app.login("grace", "passw0rd-ok").await.0, StatusCode::OK, "old password still works after refusals");
    let (s, v) = app.put("/api/profile", json!({ "newPassword": "newpass123", "currentPassword": "passw0rd-ok" }), Some(&t2)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(app.get("/api/profile", Some(&t2)).await.0, StatusCode::OK);
    assert_eq!(app.get("/api/profile", Some(&t3)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("grace", "passw0rd-ok").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("grace", "newpass123").await.0, StatusCode::OK);
}

async fn tampered_and_expired_tokens_are_refused(app: TestApp) {
    let (token, user) = app.register("h@example.com", "heidi").await;
    let parts: Vec<&str> = token.split('.').collect();
    // Payload naming another role, same signature.
    let mut claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 7 * 24 * 3600);
    claims["role"] = json!("admin");
    let forged = format!("{}.{}.{}", parts[0], base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    let mut sig = parts[2].to_string();
    sig.replace_range(0..2, if sig.starts_with("AA") { "BB" } else { "AA" });
    let bad_sig = format!("{}.{}.{}", parts[0], parts[1], sig);
    let other_key = TokenKeys::new("not-the-server-secret")
        .issue(
            uuid::Uuid::parse_str(user["id"].as_str().unwrap()).unwrap(),
            uuid::Uuid::new_v4(),
            "admin",
            Utc::now(),
            Utc::now() + Duration::days(1),
        )
        .unwrap();
    for t in [forged.as_str(), bad_sig.as_str(), other_key.as_str(), "garbage", ""] {
        assert_eq!(app.get("/api/profile", Some(t)).await.0, StatusCode::UNAUTHORIZED, "{t}");
    }
    // Signed with the right key and naming a real session, but expired.
    let sid = uuid::Uuid::parse_str(claims["sid"].as_str().unwrap()).unwrap();
    let uid = uuid::Uuid::parse_str(user["id"].as_str().unwrap()).unwrap();
    let keys = TokenKeys::new(&app.config.jwt_secret);
    let expired = keys.issue(uid, sid, "user", Utc::now() - Duration::days(8), Utc::now() - Duration::seconds(10)).unwrap();
    assert_error(&app.get("/api/profile", Some(&expired)).await, 401, ErrorCode::Unauthenticated);
    let fresh = keys.issue(uid, sid, "user", Utc::now(), Utc::now() + Duration::hours(1)).unwrap();
    assert_eq!(app.get("/api/profile", Some(&fresh)).await.0, StatusCode::OK, "control: a valid token for that session works");
    assert_eq!(app.get("/api/profile", None).await.0, StatusCode::UNAUTHORIZED);
}

async fn profile_update_rules(app: TestApp) {
    let (token, _) = app.register("i@example.com", "ivan").await;
    app.register("j@example.com", "judy").await;
    let (s, v) =
        app.put("/api/profile", json!({ "displayNickname": "伊万", "phone": "13900000000", "username": "ivan2" }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["profile"]["display_nickname"], "伊万");
    assert_eq!(v["profile"]["nickname"], "伊万");
    assert_eq!(v["profile"]["username"], "ivan2");
    assert_error(&app.put("/api/profile", json!({ "username": "JUDY" }), Some(&token)).await, 409, ErrorCode::UsernameTaken);
    assert_error(&app.put("/api/profile", json!({ "email": "j@example.com" }), Some(&token)).await, 409, ErrorCode::EmailTaken);
    // A bad field in the same request changes nothing at all.
    assert_error(
        &app.put("/api/profile", json!({ "displayNickname": "ok", "avatarUrl": "javascript:alert(1)" }), Some(&token)).await,
        400,
        ErrorCode::InvalidAvatar,
    );
    assert_eq!(app.get("/api/profile", Some(&token)).await.1["profile"]["display_nickname"], "伊万");
    let (_, v) = app.put("/api/profile", json!({ "email": "ivan@example.org" }), Some(&token)).await;
    assert_eq!(v["profile"]["email"], "ivan@example.org");
    assert_eq!(v["profile"]["email_verified"], false, "a new address is unverified");
    let (_, v) = app.put("/api/profile", json!({ "phone": "" }), Some(&token)).await;
    assert!(v["profile"]["phone"].is_null());
}

async fn watermark_switch_needs_membership(app: TestApp) {
    let (token, user) = app.register("k@example.com", "karl").await;
    assert_error(&app.put("/api/profile", json!({ "watermarkDisabled": true }), Some(&token)).await, 403, ErrorCode::WatermarkNotAllowed);
    let admin = app.admin_token().await;
    let until = (Utc::now() + Duration::days(30)).to_rfc3339();
    let (s, v) = app
        .put("/api/admin/users", json!({ "userId": user["id"], "membershipTier": "pro", "membershipExpiresAt": until }), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app.put("/api/profile", json!({ "watermarkDisabled": true }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["profile"]["watermark_disabled"], true);
    assert_eq!(v["profile"]["role"], "vip");
    // An expired membership reads as free everywhere.
    let past = (Utc::now() - Duration::days(1)).to_rfc3339();
    app.put("/api/admin/users", json!({ "userId": user["id"], "membershipExpiresAt": past }), Some(&admin)).await;
    let (_, v) = app.get("/api/profile", Some(&token)).await;
    assert_eq!(v["profile"]["membership_tier"], "free");
    assert_eq!(v["profile"]["role"], "user");
}

async fn theme_is_saved(app: TestApp) {
    let (token, user) = app.register("l@example.com", "lena").await;
    assert_eq!(user["preferred_theme"], "dark");
    let (_, v) = app.put("/api/profile/theme", json!({ "theme": "light" }), Some(&token)).await;
    assert_eq!(v["preferred_theme"], "light");
    let (_, v) = app.put("/api/profile/theme", json!({ "theme": "neon" }), Some(&token)).await;
    assert_eq!(v["preferred_theme"], "dark");
}

async fn admin_exists_reports_admins(app: TestApp) {
    let (_, v) = app.get("/api/auth/admin-exists", None).await;
    assert_eq!(v["exists"], false);
    app.admin_token().await;
    let (_, v) = app.get("/api/auth/admin-exists", None).await;
    assert_eq!(v["exists"], true);
}

async fn bcrypt_hashes_from_the_original_log_in_and_are_upgraded(app: TestApp) {
    let (_, user) = app.register("legacy@example.com", "legacy").await;
    let id = uuid::Uuid::parse_str(user["id"].as_str().unwrap()).unwrap();
    // pgcrypto's crypt(pw, gen_salt('bf')) wrote `$2a$06$…` hashes.
    let legacy = bcrypt::hash_with_result("oldpass123", 6).unwrap().format_for_version(bcrypt::Version::TwoA);
    let patch = miaojing_domain::user::UserPatch { password_hash: Some(legacy), ..Default::default() };
    app.store.update_user(id, patch).await.unwrap();
    assert_eq!(app.login("legacy", "wrongpass1").await.0, StatusCode::UNAUTHORIZED);
    let (s, v) = app.login("legacy", "oldpass123").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let stored = app.store.user_by_id(id).await.unwrap().unwrap().password_hash.unwrap();
    assert!(stored.starts_with("$argon2id$"), "re-hashed on login: {stored}");
    assert_eq!(app.login("legacy", "oldpass123").await.0, StatusCode::OK, "still the same password");
}
