//! E-mail settings and codes, against a real SMTP sink (aiosmtpd writing a Maildir, started by
//! `deploy/test.sh`; its address and Maildir come from `MIAOJING_TEST_SMTP` / `MIAOJING_TEST_MAILDIR`).
use base64::Engine;
use miaojing_api_types::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(
    smtp_password_is_encrypted_and_never_returned,
    test_send_reaches_the_sink,
    registration_with_a_required_code,
    wrong_attempts_lock_the_code_for_real,
    code_requests_are_throttled,
    password_reset_flow,
    profile_email_binding,
    mail_failure_is_a_clear_error,
    admin_notification_is_delivered,
    codes_to_a_new_address_use_the_requested_language,
    an_accounts_mail_uses_the_accounts_language,
);

fn sink() -> (String, u16, std::path::PathBuf) {
    let addr = std::env::var("MIAOJING_TEST_SMTP")
        .expect("MIAOJING_TEST_SMTP is not set: run the tests through deploy/test.sh, which starts the SMTP sink");
    let dir = std::env::var("MIAOJING_TEST_MAILDIR").expect("MIAOJING_TEST_MAILDIR is not set: run the tests through deploy/test.sh");
    let (host, port) = addr.rsplit_once(':').expect("host:port");
    (host.to_string(), port.parse().expect("port"), dir.into())
}

/// Decoded text of every message delivered to `to`, oldest first.
fn messages_to(to: &str) -> Vec<String> {
    let (_, _, dir) = sink();
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        for e in entries.flatten() {
            let raw = std::fs::read_to_string(e.path()).unwrap_or_default();
            let headers = raw.split("\r\n\r\n").next().unwrap_or("").replace("\r\n", "\n");
            if !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.to_ascii_lowercase().contains(&to.to_ascii_lowercase()))
            {
                continue;
            }
            let mut text = raw.clone();
            // Decode base64 parts (lettre encodes non-ASCII bodies that way).
            for block in raw.replace("\r\n", "\n").split("\n\n") {
                let candidate: String = block.lines().map(str::trim).take_while(|l| !l.starts_with("--")).collect();
                if candidate.len() >= 16 {
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&candidate) {
                        text.push('\n');
                        text.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
            }
            let modified = e.metadata().and_then(|m| m.modified()).ok();
            found.push((modified, text));
        }
    }
    found.sort_by_key(|(m, _)| *m);
    found.into_iter().map(|(_, t)| t).collect()
}

/// The newest code mailed to `to` (a line of 4–10 digits).
async fn latest_code(to: &str) -> String {
    for _ in 0..50 {
        if let Some(code) = messages_to(to).last().and_then(|t| {
            t.lines().map(str::trim).rfind(|l| (4..=10).contains(&l.len()) && l.chars().all(|c| c.is_ascii_digit())).map(String::from)
        }) {
            return code;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no code was delivered to {to}");
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}@mail.test", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

async fn configure_smtp(app: &TestApp, admin: &str) {
    let (host, port, _) = sink();
    let (s, v) = app
        .put("/api/admin/email-settings", json!({ "enabled": true, "smtpHost": host, "smtpPort": port, "smtpSecure": false, "fromEmail": "noreply@miaojing.test", "fromName": "妙境" }), Some(admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn smtp_password_is_encrypted_and_never_returned(app: TestApp) {
    let admin = app.admin_token().await;
    let secret = "smtp-S3cret-value-9876";
    let (s, v) = app
        .put("/api/admin/email-settings", json!({ "smtpHost": "smtp.example.com", "smtpUser": "u", "smtpPassword": secret }), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["settings"]["smtpPasswordPreview"], "***9876");
    let (_, got) = app.get("/api/admin/email-settings", Some(&admin)).await;
    assert!(!got.to_string().contains(secret) && !v.to_string().contains(secret));
    let stored = app.store.get_setting("email_settings").await.unwrap().unwrap().to_string();
    assert!(!stored.contains(secret), "encrypted at rest: {stored}");
    // The masked placeholder does not overwrite it; an explicit clear does.
    app.put("/api/admin/email-settings", json!({ "smtpPassword": "********" }), Some(&admin)).await;
    assert_eq!(app.get("/api/admin/email-settings", Some(&admin)).await.1["settings"]["smtpPasswordPreview"], "***9876");
    app.put("/api/admin/email-settings", json!({ "clearSmtpPassword": true }), Some(&admin)).await;
    assert_eq!(app.get("/api/admin/email-settings", Some(&admin)).await.1["settings"]["smtpPasswordPreview"], "");
    assert_error(&app.put("/api/admin/email-settings", json!({ "smtpPort": 70000 }), Some(&admin)).await, 400, ErrorCode::OutOfRange);
    assert_error(&app.put("/api/admin/email-settings", json!({ "fromEmail": "nope" }), Some(&admin)).await, 400, ErrorCode::InvalidEmail);
}

async fn test_send_reaches_the_sink(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let to = unique("test-send");
    let (s, v) = app.post("/api/admin/email-settings", json!({ "to": to }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let msgs = messages_to(&to);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].contains("邮箱配置测试"), "decoded subject or body");
}

async fn registration_with_a_required_code(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    app.put("/api/site-config", json!({ "emailVerificationRequired": true }), Some(&admin)).await;
    let email = unique("reg");
    let body = |code: Option<&str>| json!({ "email": email, "nickname": format!("u{}", &email[4..12]), "password": "passw0rd-ok", "acceptedTerms": true, "emailCode": code });
    assert_error(&app.post("/api/auth/register", body(None), None).await, 400, ErrorCode::CodeRequired);
    let (s, v) = app.post("/api/email/send-register-code", json!({ "email": email }), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cooldown"], 60);
    let code = latest_code(&email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_error(&app.post("/api/auth/register", body(Some(wrong)), None).await, 400, ErrorCode::CodeIncorrect);
    let (s, v) = app.post("/api/auth/register", body(Some(&code)), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["email_verified"], true);
    // A used code does not work again, and a registered address gets no new register code.
    assert_error(&app.post("/api/email/send-register-code", json!({ "email": email }), None).await, 409, ErrorCode::EmailTaken);
}

async fn wrong_attempts_lock_the_code_for_real(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    app.put("/api/site-config", json!({ "emailVerificationRequired": true }), Some(&admin)).await;
    let email = unique("lock");
    app.post("/api/email/send-register-code", json!({ "email": email }), None).await;
    let code = latest_code(&email).await;
    let wrong = if code == "999999" { "888888" } else { "999999" };
    let body = |c: &str| json!({ "email": email, "password": "passw0rd-ok", "acceptedTerms": true, "emailCode": c });
    for _ in 0..4 {
        assert_error(&app.post("/api/auth/register", body(wrong), None).await, 400, ErrorCode::CodeIncorrect);
    }
    let fifth = app.post("/api/auth/register", body(wrong), None).await;
    assert_eq!(fifth.0, StatusCode::TOO_MANY_REQUESTS, "{}", fifth.1);
    // Even the right code is refused now, and no new code can be requested.
    assert_error(&app.post("/api/auth/register", body(&code), None).await, 429, ErrorCode::CodeLocked);
    assert_error(&app.post("/api/email/send-register-code", json!({ "email": email }), None).await, 429, ErrorCode::CodeLocked);
}

async fn code_requests_are_throttled(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let email = unique("cool");
    assert_eq!(app.post("/api/email/send-register-code", json!({ "email": email }), None).await.0, StatusCode::OK);
    let again =
        app.client.post(format!("{}/api/email/send-register-code", app.base)).json(&json!({ "email": email })).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(again.headers().get("retry-after").is_some());
    let v: serde_json::Value = again.json().await.unwrap();
    assert_eq!(v["code"], ErrorCode::CodeCooldown.as_str());
    assert_eq!(messages_to(&email).len(), 1);
}

async fn password_reset_flow(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let email = unique("reset");
    let (old_token, _) = app.register(&email, &format!("r{}", &email[6..14])).await;
    let known = app.post("/api/email/send-reset-code", json!({ "email": email }), None).await;
    let unknown = app.post("/api/email/send-reset-code", json!({ "email": unique("ghost") }), None).await;
    assert_eq!(known.0, StatusCode::OK);
    assert_eq!(known, unknown, "same answer for known and unknown addresses");
    let code = latest_code(&email).await;
    assert_error(
        &app.post("/api/email/reset-password", json!({ "email": email, "code": code, "newPassword": "weak" }), None).await,
        400,
        ErrorCode::WeakPassword,
    );
    let (s, v) = app.post("/api/email/reset-password", json!({ "email": email, "code": code, "newPassword": "brandnew99" }), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(app.login(&email, "passw0rd-ok").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&email, "brandnew99").await.0, StatusCode::OK);
    assert_eq!(app.get("/api/profile", Some(&old_token)).await.0, StatusCode::UNAUTHORIZED, "old sessions ended");
    assert_error(
        &app.post("/api/email/reset-password", json!({ "email": email, "code": code, "newPassword": "another99" }), None).await,
        400,
        ErrorCode::CodeInvalid,
    );
}

async fn profile_email_binding(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let (token, _) = app.register(&unique("bind"), "binder").await;
    let new_email = unique("bound");
    assert_error(&app.post("/api/email/send-profile-code", json!({ "email": new_email }), None).await, 401, ErrorCode::Unauthenticated);
    let (s, v) = app.post("/api/email/send-profile-code", json!({ "email": new_email }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let code = latest_code(&new_email).await;
    let (s, v) = app.post("/api/email/verify-profile", json!({ "email": new_email, "code": code }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["profile"]["email"], new_email);
    assert_eq!(v["profile"]["email_verified"], true);
    assert!(v["profile"]["email_bound_at"].is_string());
}

async fn mail_failure_is_a_clear_error(app: TestApp) {
    let admin = app.admin_token().await;
    // Nothing listens on port 9 of loopback.
    app.put(
        "/api/admin/email-settings",
        json!({ "enabled": true, "smtpHost": "127.0.0.1", "smtpPort": 9, "smtpSecure": false, "fromEmail": "noreply@miaojing.test" }),
        Some(&admin),
    )
    .await;
    let email = unique("down");
    assert_error(&app.post("/api/email/send-register-code", json!({ "email": email }), None).await, 502, ErrorCode::EmailSendFailed);
    app.put("/api/admin/email-settings", json!({ "enabled": false }), Some(&admin)).await;
    assert_error(&app.post("/api/email/send-register-code", json!({ "email": unique("off") }), None).await, 409, ErrorCode::EmailDisabled);
}

async fn admin_notification_is_delivered(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let to = unique("notice");
    let body = json!({ "to": to, "type": "announcement", "title": "维护通知", "body": "今晚 <b>22:00</b> 维护。\n\n请提前保存作品。", "buttonText": "查看", "buttonUrl": "https://example.com/notice" });
    let (s, v) = app.post("/api/email/send-notification", body, Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let msgs = messages_to(&to);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].contains("请提前保存作品") && msgs[0].contains("&lt;b&gt;22:00&lt;/b&gt;"), "escaped HTML body");
    assert!(msgs[0].contains("https://example.com/notice"));
    assert_error(
        &app.post("/api/email/send-notification", json!({ "to": to, "title": "", "body": "x" }), Some(&admin)).await,
        400,
        ErrorCode::InvalidNotification,
    );
    assert_error(
        &app.post(
            "/api/email/send-notification",
            json!({ "to": to, "title": "t", "body": "x", "buttonUrl": "javascript:alert(1)" }),
            Some(&admin),
        )
        .await,
        400,
        ErrorCode::InvalidButtonUrl,
    );
}

/// The one message delivered to `to` (waits for it).
async fn only_message_to(to: &str) -> String {
    for _ in 0..50 {
        let msgs = messages_to(to);
        if !msgs.is_empty() {
            assert_eq!(msgs.len(), 1, "one message to {to}");
            return msgs.into_iter().next().unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no message was delivered to {to}");
}

fn assert_english(mail: &str, what: &str) {
    assert!(mail.contains(what), "English text {what:?} in:\n{mail}");
    assert!(mail.contains("Please do not reply"), "English footer in:\n{mail}");
    for zh in ["验证码", "请勿直接回复", "测试邮件"] {
        assert!(!mail.contains(zh), "no Chinese template text ({zh}) in:\n{mail}");
    }
}

fn assert_chinese(mail: &str, what: &str) {
    assert!(mail.contains(what), "Chinese text {what:?} in:\n{mail}");
    assert!(mail.contains("请勿直接回复") && !mail.contains("Please do not reply"), "Chinese footer in:\n{mail}");
}

/// No account yet: the language the request names, else its Accept-Language, else Chinese.
async fn codes_to_a_new_address_use_the_requested_language(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let asked = unique("lang-body");
    let (s, v) = app.post("/api/email/send-register-code", json!({ "email": asked, "language": "en" }), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_english(&only_message_to(&asked).await, "Your sign-up code");
    let by_header = unique("lang-header");
    let res = app
        .client
        .post(format!("{}/api/email/send-register-code", app.base))
        .header("Accept-Language", "fr-FR, en-GB;q=0.8")
        .json(&json!({ "email": by_header }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_english(&only_message_to(&by_header).await, "Your sign-up code");
    let plain = unique("lang-none");
    assert_eq!(app.post("/api/email/send-register-code", json!({ "email": plain }), None).await.0, StatusCode::OK);
    assert_chinese(&only_message_to(&plain).await, "注册验证码");
    assert_error(
        &app.post("/api/email/send-register-code", json!({ "email": unique("lang-bad"), "language": "fr" }), None).await,
        400,
        ErrorCode::InvalidLanguage,
    );
}

/// An account registered in English gets English mail, whatever the request says, until its
/// profile setting changes; a plain registration is Chinese.
async fn an_accounts_mail_uses_the_accounts_language(app: TestApp) {
    let admin = app.admin_token().await;
    configure_smtp(&app, &admin).await;
    let email = unique("english");
    let (token, reg) =
        app.register_with(json!({ "email": email, "password": "passw0rd-ok", "acceptedTerms": true, "language": "en" })).await;
    assert_eq!(reg["preferred_language"], "en");
    assert_eq!(app.get("/api/profile", Some(&token)).await.1["profile"]["preferred_language"], "en");
    let (s, v) = app.post("/api/email/send-reset-code", json!({ "email": email, "language": "zh" }), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let reset = only_message_to(&email).await;
    assert_english(&reset, "Your password reset code");
    assert!(reset.contains("valid for"), "{reset}");

    // The admin's notice and the SMTP test follow the recipient's account too.
    let (s, v) = app
        .post(
            "/api/email/send-notification",
            json!({ "to": email, "title": "Maintenance", "body": "Tonight at 22:00.", "buttonUrl": "https://example.com/n" }),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let notice = messages_to(&email).pop().unwrap();
    assert!(notice.contains("View details: https://example.com/n") && notice.contains("Please do not reply"), "{notice}");
    assert!(!notice.contains("请勿直接回复") && !notice.contains("查看详情"), "{notice}");
    assert_eq!(app.post("/api/admin/email-settings", json!({ "to": email }), Some(&admin)).await.0, StatusCode::OK);
    let test_mail = messages_to(&email).pop().unwrap();
    assert!(test_mail.contains("E-mail settings test") && !test_mail.contains("邮箱配置测试"), "{test_mail}");

    // The profile setting changes it; an unknown language is refused and changes nothing.
    assert_error(&app.put("/api/profile", json!({ "preferredLanguage": "fr" }), Some(&token)).await, 400, ErrorCode::InvalidLanguage);
    let (s, v) = app.put("/api/profile", json!({ "preferredLanguage": "zh" }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["profile"]["preferred_language"], "zh");
    let new_email = unique("english-bound");
    let (s, v) = app.post("/api/email/send-profile-code", json!({ "email": new_email, "language": "en" }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_chinese(&only_message_to(&new_email).await, "邮箱验证码");

    // A plain registration is Chinese.
    let (_, plain_user) = app.register(&unique("plain"), "plainlang").await;
    assert_eq!(plain_user["preferred_language"], "zh");
}
