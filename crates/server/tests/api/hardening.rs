//! Bad input, limits, headers, health, metrics and SPA serving.
use miaojing_api_types::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_with, Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    bad_input_is_a_json_4xx_and_writes_nothing,
    security_and_cache_headers,
    health_and_metrics,
    unknown_api_routes_are_json_404,
    bad_input_names_the_field_never_a_rust_type,
    head_answers_like_get_without_a_body,
    profile_code_without_mail_is_a_documented_409,
    metrics_without_a_token_only_answer_direct_loopback_requests,
    whole_numbers_written_as_floats_are_integers,
    addresses_are_held_to_the_documented_rule,
    nul_characters_never_reach_the_store,
);

async fn user_count(app: &TestApp) -> i64 {
    app.store.list_users(None, miaojing_domain::PageRequest { page: 1, size: 1 }).await.unwrap().total
}

async fn bad_input_is_a_json_4xx_and_writes_nothing(app: TestApp) {
    let (token, _) = app.register("u@example.com", "ursula").await;
    let before = user_count(&app).await;
    let raw = |path: &str, body: Vec<u8>, ct: &str| {
        let req = app.client.post(format!("{}{}", app.base, path)).header("content-type", ct.to_string()).bearer_auth(&token).body(body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let v: serde_json::Value = res.json().await.expect("a JSON error body");
            (status, v)
        }
    };
    assert_error(&raw("/api/auth/register", b"{\"email\": ".to_vec(), "application/json").await, 400, ErrorCode::InvalidJson);
    assert_error(&raw("/api/auth/register", b"not json at all".to_vec(), "application/json").await, 400, ErrorCode::InvalidJson);
    assert_error(
        &raw("/api/auth/register", br#"{"email": 5, "password": [], "acceptedTerms": "yes"}"#.to_vec(), "application/json").await,
        400,
        ErrorCode::InvalidField,
    );
    assert_error(
        &raw("/api/redeem-codes/redeem", br#"{"code": {"$ne": null}}"#.to_vec(), "application/json").await,
        400,
        ErrorCode::InvalidField,
    );
    assert_error(
        &raw("/api/auth/login", b"account=a".to_vec(), "application/x-www-form-urlencoded").await,
        415,
        ErrorCode::UnsupportedMediaType,
    );
    let big = format!("{{\"email\":\"x@y.io\",\"password\":\"{}\"}}", "a".repeat(1_100_000));
    assert_error(&raw("/api/auth/register", big.into_bytes(), "application/json").await, 413, ErrorCode::PayloadTooLarge);
    let long = "长".repeat(10_000);
    for body in [
        json!({ "email": format!("{long}@x.io"), "nickname": "v1", "password": "passw0rd-ok", "acceptedTerms": true }),
        json!({ "email": "v@x.io", "nickname": long, "password": "passw0rd-ok", "acceptedTerms": true }),
        json!({ "email": "v@x.io", "nickname": "v2", "password": format!("a1{long}"), "acceptedTerms": true }),
        json!({ "email": "v@x.io", "nickname": "v3", "phone": long, "password": "passw0rd-ok", "acceptedTerms": true }),
        json!({ "email": "v@x.io'; DROP TABLE users; --", "nickname": "v4", "password": "passw0rd-ok", "acceptedTerms": true }),
        json!({ "email": "v@x.io", "nickname": "x' OR '1'='1", "password": "passw0rd-ok", "acceptedTerms": true }),
    ] {
        let (s, v) = app.post("/api/auth/register", body, None).await;
        assert!(s.is_client_error(), "{s} {v}");
        assert!(v["code"].is_string() && v["error"].is_string(), "{v}");
    }
    for body in [
        json!({ "displayNickname": long }),
        json!({ "avatarUrl": format!("https://x.io/{}", "a".repeat(300_000)) }),
        json!({ "username": "a' OR 1=1 --" }),
    ] {
        let (s, v) = app.put("/api/profile", body, Some(&token)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    }
    // Injection-shaped strings are plain data: they log in nobody and match nothing.
    assert_eq!(app.login("' OR '1'='1", "' OR '1'='1").await.0, StatusCode::UNAUTHORIZED);
    assert_error(
        &app.post("/api/redeem-codes/redeem", json!({ "code": "' OR 1=1 --ABCDEFGH" }), Some(&token)).await,
        404,
        ErrorCode::CodeNotFound,
    );
    assert_error(&app.get("/api/credit-transactions?page=abc", Some(&token)).await, 400, ErrorCode::InvalidQuery);
    assert_eq!(user_count(&app).await, before, "no account was created");
    let (_, p) = app.get("/api/profile", Some(&token)).await;
    assert_eq!(p["profile"]["username"], "ursula");
    assert_eq!(p["profile"]["credits_balance"], 10);
}

async fn security_and_cache_headers(app: TestApp) {
    let res = app.client.get(format!("{}/api/site-config", app.base)).send().await.unwrap();
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'self'"));
    assert_eq!(h["x-frame-options"], "SAMEORIGIN");
    assert!(h.contains_key("x-request-id"));
    let res = app.client.get(format!("{}/api/profile", app.base)).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    assert!(res.headers().contains_key("content-security-policy"), "on pages too");
}

async fn health_and_metrics(app: TestApp) {
    let (s, v) = app.get("/api/health", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["checks"]["database"]["ok"], true);
    assert_eq!(v["checks"]["storage"]["ok"], true);
    assert!(["sqlite", "postgres"].contains(&v["checks"]["database"]["kind"].as_str().unwrap()));
    app.get("/api/site-config", None).await;
    let text = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("miaojing_http_requests_total{route=\"/api/site-config\",method=\"GET\",status=\"200\"}"), "{text}");
    assert!(text.contains("miaojing_http_request_duration_seconds_bucket"));
    assert!(text.contains("miaojing_db_pool_max"));
    // Storage that stops working turns health red.
    std::fs::remove_dir_all(&app.config.storage_dir).unwrap();
    std::fs::write(&app.config.storage_dir, b"not a dir").unwrap();
    let (s, v) = app.get("/api/health", None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["checks"]["storage"]["ok"], false);
}

async fn unknown_api_routes_are_json_404(app: TestApp) {
    assert_error(&app.get("/api/nope", None).await, 404, ErrorCode::RouteNotFound);
    assert_error(&app.post("/api/nope/deeper", json!({}), None).await, 404, ErrorCode::RouteNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_rate_limit_answers_429_with_retry_after() {
    let app = spawn_with(Backend::Sqlite, |c| {
        c.rate_limits.login_ip = miaojing_auth::rate_limit::Limit::new(3, 3600);
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.login("someone", "whatever1").await.0, StatusCode::UNAUTHORIZED);
    }
    let res = app
        .client
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "account": "someone", "password": "whatever1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], ErrorCode::RateLimited.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_rate_limit_per_account_holds_across_addresses() {
    let app = spawn_with(Backend::Sqlite, |c| {
        c.rate_limits.login_account = miaojing_auth::rate_limit::Limit::new(2, 3600);
        c.trust_proxy = true;
    })
    .await;
    let attempt = |ip: &str, account: &str| {
        let req = app
            .client
            .post(format!("{}/api/auth/login", app.base))
            .header("x-forwarded-for", ip)
            .json(&json!({ "account": account, "password": "guess-1234" }));
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(attempt("203.0.113.1", "Victim").await, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("203.0.113.2", "victim").await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        attempt("203.0.113.3", "VICTIM").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a third address does not reset the per-account count"
    );
    assert_eq!(attempt("203.0.113.3", "someone-else").await, StatusCode::UNAUTHORIZED, "other accounts are unaffected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_counters_are_shared_through_the_store() {
    // Two app instances on one PostgreSQL database share the counter.
    let first = spawn_with(Backend::Postgres, |c| c.rate_limits.register_ip = miaojing_auth::rate_limit::Limit::new(2, 3600)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = crate::helpers::test_config(dir.path());
    cfg.rate_limits.register_ip = miaojing_auth::rate_limit::Limit::new(2, 3600);
    let second = miaojing_server::Application::build_with_store(cfg, first.store.clone()).await.unwrap();
    let second_base = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let body = |i: u32| json!({ "email": format!("w{i}@example.com"), "nickname": format!("walter{i}"), "password": "passw0rd-ok", "acceptedTerms": true });
    assert_eq!(first.post("/api/auth/register", body(1), None).await.0, StatusCode::OK);
    let res = first.client.post(format!("{second_base}/api/auth/register")).json(&body(2)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = first.client.post(format!("{second_base}/api/auth/register")).json(&body(3)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spa_is_served_with_history_fallback() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>spa-index</title>").unwrap();
    std::fs::write(dist.path().join("account.html"), "<!doctype html><title>spa-account</title>").unwrap();
    std::fs::write(dist.path().join("console.html"), "<!doctype html><title>spa-console</title>").unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef.js"), "console.log('app')").unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef.js.gz"), b"\x1f\x8b fake gzip").unwrap();
    let root = dist.path().to_path_buf();
    let app = spawn_with(Backend::Sqlite, |c| c.static_dir = Some(root)).await;
    // Each area's own bundle page; the user app's page for everything else.
    for (path, page) in [
        ("/", "spa-index"),
        ("/create?type=image-to-image", "spa-index"),
        ("/gallery", "spa-index"),
        ("/terms", "spa-index"),
        ("/profiles", "spa-index"),
        ("/profile", "spa-account"),
        ("/profile?tab=credits", "spa-account"),
        ("/auth/login?redirect=%2Fcreate", "spa-account"),
        ("/auth/register", "spa-account"),
        ("/auth/reset", "spa-account"),
        ("/console", "spa-console"),
        ("/console/dashboard", "spa-console"),
    ] {
        let res = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["cache-control"], "no-cache");
        assert!(res.text().await.unwrap().contains(page), "{path}: {page}");
    }
    let res = app.client.get(format!("{}/app-0123456789abcdef.js", app.base)).header("accept-encoding", "identity").send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(res.headers()["content-type"].to_str().unwrap().contains("javascript"));
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let res = raw.get(format!("{}/app-0123456789abcdef.js", app.base)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip", "the precompressed file is served");
    assert!(res.headers().get("content-disposition").is_none(), "served inline");
    for path in ["/../secrets/jwt_secret", "/%2e%2e/secrets/jwt_secret", "/..%2fsecrets%2fjwt_secret"] {
        let body = app.client.get(format!("{}{path}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(!body.contains("test-jwt-secret"), "{path}");
    }
}

/// Sends a GET with the path exactly as given (HTTP clients would normalise dot segments).
async fn raw_get(base: &str, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_files_are_served_with_validators_ranges_and_no_traversal() {
    let app = spawn_with(Backend::Sqlite, |_| {}).await;
    let storage = &app.config.storage_dir;
    std::fs::create_dir_all(storage.join("generated/2026")).unwrap();
    std::fs::create_dir_all(storage.join("thumbnails")).unwrap();
    std::fs::write(storage.join("generated/2026/a b.png"), b"\x89PNG\r\n\x1a\nfake-png-bytes").unwrap();
    std::fs::write(storage.join("thumbnails/x-m1280q86.webp"), b"RIFF0000WEBP").unwrap();
    std::fs::write(app.config.data_dir.join("outside.txt"), b"TOP-SECRET-OUTSIDE").unwrap();

    let url = format!("{}/api/local-storage/generated/2026/a%20b.png", app.base);
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["cache-control"], "public, max-age=0, must-revalidate");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert!(res.headers().contains_key("last-modified"));
    assert!(res.headers().get("content-disposition").is_none());
    let res = app.client.get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = app.client.get(&url).header("range", "bytes=0-3").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()["content-range"], "bytes 0-3/22");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"\x89PNG");
    let res = app.client.get(format!("{}/api/local-storage/thumbnails/x-m1280q86.webp", app.base)).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_error(&app.get("/api/local-storage/generated/missing.png", None).await, 404, ErrorCode::FileNotFound);
    assert_error(&app.get("/api/local-storage/generated", None).await, 404, ErrorCode::FileNotFound);
    // A name longer than any file system takes is a bad key, not an unavailable store.
    let long = format!("/api/local-storage/generated/{}.png", "n".repeat(300));
    assert_error(&app.get(&long, None).await, 400, ErrorCode::InvalidKey);
    assert_error(&app.get(&format!("/api/download?url={}", long.replace('/', "%2F")), None).await, 400, ErrorCode::InvalidKey);

    for path in [
        "/api/local-storage/../outside.txt",
        "/api/local-storage/%2e%2e/outside.txt",
        "/api/local-storage/%2E%2E%2Foutside.txt",
        "/api/local-storage/generated/..%2f..%2foutside.txt",
        "/api/local-storage/%252e%252e/outside.txt",
        "/api/local-storage/..%5coutside.txt",
        "/api/local-storage//etc/passwd",
        "/api/local-storage/%2fetc%2fpasswd",
        "/api/local-storage/generated/%00.png",
    ] {
        let (status, body) = raw_get(&app.base, path).await;
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("TOP-SECRET") && !body.contains("root:"), "{path} leaked a file");
    }
}

async fn bad_input_names_the_field_never_a_rust_type(app: TestApp) {
    let admin = app.admin_token().await;
    let (token, _) = app.register("f@example.com", "fiona").await;
    let internal = ["struct", "AdminUserUpdate", "RegisterRequest", "CreateJobRequest", "u32", "i64", "Uuid", "line 1"];
    let check = |res: (StatusCode, serde_json::Value), code: ErrorCode, words: &[&str]| {
        assert_error(&res, 400, code);
        let msg = res.1["error"].as_str().unwrap().to_string();
        for w in words {
            assert!(msg.contains(w), "{msg:?} should mention {w:?}");
        }
        for w in internal {
            assert!(!msg.contains(w), "{msg:?} names an internal type ({w})");
        }
    };
    let raw = |method: reqwest::Method, path: &str, body: &str, token: &str| {
        let req = app
            .client
            .request(method, format!("{}{}", app.base, path))
            .header("content-type", "application/json")
            .bearer_auth(token)
            .body(body.to_string());
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<serde_json::Value>().await.unwrap())
        }
    };
    check(
        raw(reqwest::Method::PUT, "/api/admin/users", "\"x\"", &admin).await,
        ErrorCode::InvalidField,
        &["请求体", "JSON 对象", "字符串"],
    );
    check(raw(reqwest::Method::PUT, "/api/admin/users", "true", &admin).await, ErrorCode::InvalidField, &["请求体", "JSON 对象", "布尔值"]);
    check(raw(reqwest::Method::PUT, "/api/admin/users", "{\"userId\": 5}", &admin).await, ErrorCode::InvalidField, &["userId", "UUID"]);
    check(
        app.post("/api/auth/register", json!({ "email": 5, "password": "passw0rd-ok", "acceptedTerms": true }), None).await,
        ErrorCode::InvalidField,
        &["email", "字符串", "整数 5"],
    );
    check(
        app.post("/api/generation-jobs", json!({ "type": "image", "payload": { "prompt": "a cat", "count": "three" } }), Some(&token))
            .await,
        ErrorCode::InvalidField,
        &["payload.count", "非负整数"],
    );
    check(
        app.post("/api/generation-jobs", json!({ "type": "image", "payload": { "images": ["a", 7] } }), Some(&token)).await,
        ErrorCode::InvalidField,
        &["payload.images[1]", "字符串"],
    );
    check(app.get("/api/credit-transactions?page=abc&pageSize=5", Some(&token)).await, ErrorCode::InvalidQuery, &["page", "整数"]);
    check(app.get("/api/generation-jobs/not-a-uuid", Some(&token)).await, ErrorCode::InvalidPath, &["id", "UUID"]);
}

async fn head_answers_like_get_without_a_body(app: TestApp) {
    let (token, _) = app.register("h@example.com", "hannah").await;
    // (Bodies with a timestamp, like /api/health, differ in length between two calls.)
    for (path, auth) in [("/api/site-config", None), ("/api/profile", Some(token.as_str())), ("/api/style-presets", None)] {
        let get = |m: reqwest::Method| {
            let mut req = app.client.request(m, format!("{}{path}", app.base));
            if let Some(t) = auth {
                req = req.bearer_auth(t);
            }
            req.send()
        };
        let g = get(reqwest::Method::GET).await.unwrap();
        let (g_status, g_type) = (g.status(), g.headers()["content-type"].clone());
        let g_body = g.bytes().await.unwrap();
        let h = get(reqwest::Method::HEAD).await.unwrap();
        assert_eq!(h.status(), g_status, "HEAD {path}");
        assert_eq!(h.headers()["content-type"], g_type, "HEAD {path}");
        assert_eq!(h.headers()["content-length"].to_str().unwrap(), g_body.len().to_string(), "HEAD {path}: the length GET sends");
        assert!(h.bytes().await.unwrap().is_empty(), "HEAD {path}: no body");
    }
    let h = app.client.head(format!("{}/api/profile", app.base)).send().await.unwrap();
    assert_eq!(h.status(), StatusCode::UNAUTHORIZED, "the same checks as GET");
    let h = app.client.head(format!("{}/api/nope", app.base)).send().await.unwrap();
    assert_eq!(h.status(), StatusCode::NOT_FOUND);
    let h = app.client.head(format!("{}/gallery/deep/link", app.base)).send().await.unwrap();
    assert_eq!(h.status(), StatusCode::OK, "pages too");
}

async fn profile_code_without_mail_is_a_documented_409(app: TestApp) {
    let (token, _) = app.register("p@example.com", "paula").await;
    let res = app.post("/api/email/send-profile-code", json!({ "email": "new-address@example.com" }), Some(&token)).await;
    assert_error(&res, 409, ErrorCode::EmailDisabled);
    assert!(res.1["error"].as_str().unwrap().contains("邮件服务"), "{}", res.1);
    let (_, doc) = app.get("/api/openapi.json", None).await;
    let answers = &doc["paths"]["/api/email/send-profile-code"]["post"]["responses"];
    assert!(answers["409"]["description"].as_str().unwrap().contains("email_disabled"), "{answers}");
    assert!(answers.get("503").is_none_or(|r| !r["description"].as_str().unwrap_or("").contains("email")));
}

async fn metrics_without_a_token_only_answer_direct_loopback_requests(app: TestApp) {
    let res = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a scraper on this machine");
    for (h, v) in [("x-forwarded-for", "198.51.100.7"), ("x-real-ip", "198.51.100.7"), ("forwarded", "for=198.51.100.7")] {
        let res = app.client.get(format!("{}/metrics", app.base)).header(h, v).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{h}: passed on by a proxy");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], ErrorCode::MetricsForbidden.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_configured_token() {
    let app = spawn_with(Backend::Sqlite, |c| c.metrics_token = Some("scrape-token-123".into())).await;
    let get = |token: Option<&str>| {
        let mut req = app.client.get(format!("{}/metrics", app.base)).header("x-forwarded-for", "203.0.113.9");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    for bad in [None, Some("wrong"), Some("scrape-token-1234")] {
        let res = get(bad).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad:?}");
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], ErrorCode::MetricsTokenRequired.as_str());
    }
    let res = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "with a token set, loopback needs it too");
    let res = get(Some("scrape-token-123")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("miaojing_http_requests_total"));
}

/// Wrong passwords count against the account whichever of its names was typed.
async fn login_limit_counts_the_account_not_its_spelling(backend: Backend) {
    let app = spawn_with(backend, |c| c.rate_limits.login_account = miaojing_auth::rate_limit::Limit::new(3, 3600)).await;
    app.register_with(json!({ "email": "Lim@Example.com", "nickname": "limiter", "phone": "13800138000", "password": "passw0rd-ok", "acceptedTerms": true }))
        .await;
    for name in ["lim@example.com", "LIM@EXAMPLE.COM", "limiter"] {
        assert_eq!(app.login(name, "wrong-pass-1").await.0, StatusCode::UNAUTHORIZED, "{name}");
    }
    for name in ["limiter", "lim@example.com", "13800138000"] {
        assert_error(&app.login(name, "wrong-pass-1").await, 429, ErrorCode::RateLimited);
        assert_error(&app.login(name, "passw0rd-ok").await, 429, ErrorCode::RateLimited);
    }
    // Unknown names are limited by their spelling, answering exactly like an account.
    for _ in 0..3 {
        assert_error(&app.login("nobody-here", "wrong-pass-1").await, 401, ErrorCode::InvalidCredentials);
    }
    assert_error(&app.login("nobody-here", "wrong-pass-1").await, 429, ErrorCode::RateLimited);
    assert_error(&app.login("someone-else", "wrong-pass-1").await, 401, ErrorCode::InvalidCredentials);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limit_counts_the_account_not_its_spelling_sqlite() {
    login_limit_counts_the_account_not_its_spelling(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limit_counts_the_account_not_its_spelling_postgres() {
    login_limit_counts_the_account_not_its_spelling(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_on_static_files_and_stored_files() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>spa-index</title>").unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef.js"), "console.log('app')").unwrap();
    let root = dist.path().to_path_buf();
    let app = spawn_with(Backend::Sqlite, |c| c.static_dir = Some(root)).await;
    std::fs::create_dir_all(app.config.storage_dir.join("generated")).unwrap();
    std::fs::write(app.config.storage_dir.join("generated/x.png"), b"\x89PNG\r\n\x1a\nfake-png-bytes").unwrap();
    for (path, len, ty) in [
        ("/", 39, "text/html"),
        ("/create", 39, "text/html"),
        ("/app-0123456789abcdef.js", 18, "javascript"),
        ("/api/local-storage/generated/x.png", 22, "image/png"),
    ] {
        let res = app.client.head(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().contains(ty), "{path}");
        assert_eq!(res.headers()["content-length"].to_str().unwrap(), len.to_string(), "{path}");
        assert!(res.bytes().await.unwrap().is_empty(), "{path}");
    }
}

/// The real binary, started on a fresh data dir with its output on a pipe.
fn start_binary(data: &std::path::Path, port: u16, env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_miaojing"));
    cmd.args(["serve", "--port", &port.to_string(), "--data-dir", data.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the binary starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Boolean settings in any usual spelling, plain-text logs on a pipe, and a quick stop with an
/// event stream open (the stream ends, the process exits).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_reads_boolean_spellings_logs_plainly_and_stops_with_a_stream_open() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start_binary(
        data.path(),
        port,
        &[("MIAOJING_DEMO", "1"), ("MIAOJING_TRUST_PROXY", "Yes"), ("OBJECT_STORAGE_FORCE_PATH_STYLE", "off")],
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..300 {
        if client.get(format!("{base}/api/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server answers with MIAOJING_DEMO=1 and MIAOJING_TRUST_PROXY=Yes");
    let res = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({ "email": "s@example.com", "nickname": "sam", "password": "passw0rd-ok", "acceptedTerms": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    let token = v["session"]["access_token"].as_str().unwrap().to_string();
    let models: serde_json::Value =
        client.get(format!("{base}/api/model-config")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(models.to_string().contains("demo"), "demo mode is on: {models}");
    let mut stream = client.get(format!("{base}/api/generation-jobs/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let first = stream.chunk().await.unwrap().expect("the stream says it is connected");
    assert!(String::from_utf8_lossy(&first).contains("connected"));

    let started = std::time::Instant::now();
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(15), async { while let Ok(Some(_)) = stream.chunk().await {} }).await;
    assert!(ended.is_ok(), "the event stream ended when the server stopped");
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the server did not exit within 15 s of SIGTERM");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "clean exit: {status:?}");
    let out = child.wait_with_output().unwrap();
    let logs = [out.stdout, out.stderr].concat();
    assert!(String::from_utf8_lossy(&logs).contains("MiaoJing is listening"), "{}", String::from_utf8_lossy(&logs));
    assert!(!logs.contains(&0x1b), "no terminal colour codes in logs written to a pipe:\n{}", String::from_utf8_lossy(&logs));
}

#[test]
fn binary_refuses_an_unknown_boolean_spelling_with_the_accepted_ones() {
    let data = tempfile::tempdir().unwrap();
    let child = start_binary(data.path(), free_port(), &[("MIAOJING_DEMO", "maybe")]);
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("maybe") && text.contains("1/0") && text.contains("yes/no") && text.contains("on/off"), "{text}");
}

/// JSON Schema's integers include `3.0` and `2e1`: a client whose JSON library writes floats
/// is understood, and what is stored is the integer.
async fn whole_numbers_written_as_floats_are_integers(app: TestApp) {
    let admin = app.admin_token().await;
    let create = |raw: &'static str| {
        let req = app.client.post(format!("{}/api/admin/style-presets", app.base)).bearer_auth(&admin);
        async move {
            let res = req.header("content-type", "application/json").body(raw).send().await.unwrap();
            (res.status(), res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s, v) = create(r#"{"label": "Ink", "prompt": "ink wash", "sortOrder": 3.0}"#).await;
    assert_eq!((s, &v["preset"]["sortOrder"]), (StatusCode::OK, &json!(3)), "{v}");
    let (s, v) = create(r#"{"label": "Ink 2", "prompt": "ink wash", "sortOrder": 2e1}"#).await;
    assert_eq!((s, &v["preset"]["sortOrder"]), (StatusCode::OK, &json!(20)), "{v}");
    // A fraction is still not an integer, and says which field.
    let (s, v) = create(r#"{"label": "Ink 3", "prompt": "ink wash", "sortOrder": 2.5}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("sortOrder"), "{v}");
}

/// Sign-up takes only the addresses `docs/openapi.json` declares (and every answer that shows an
/// address passes the document's `format: email`).
async fn addresses_are_held_to_the_documented_rule(app: TestApp) {
    let body = |email: &str| json!({ "email": email, "password": "secret-pass-1", "acceptedTerms": true });
    let before = user_count(&app).await;
    for bad in ["ħê@¿ð.zù.com", "a@b.c{", "o'brien@example.com", "a..b@example.com", "a@-b.example.com", "a@example.c7"] {
        assert_error(&app.post("/api/auth/register", body(bad), None).await, 400, ErrorCode::InvalidEmail);
    }
    let long_local = format!("{}@example.com", "l".repeat(65));
    assert_error(&app.post("/api/auth/register", body(&long_local), None).await, 400, ErrorCode::InvalidEmail);
    assert_eq!(user_count(&app).await, before, "nobody was signed up");
    let (s, v) = app.post("/api/auth/register", body("First.Last+tag@Mail.Example.COM"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["email"], "first.last+tag@mail.example.com");
}

/// PostgreSQL refuses NUL in text (a 500 the fuzzer found through a search); both stores now
/// answer alike: searches and JSON text leave NUL (and searches every control character) out.
async fn nul_characters_never_reach_the_store(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app.get("/api/admin/users?search=%2F%C2%9F%00&page=5&pageSize=3532425", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app.get("/api/gallery?q=%00", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app.post("/api/admin/style-presets", json!({ "label": "N\u{0}UL", "prompt": "a\u{0}b" }), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["preset"]["label"].as_str(), v["preset"]["prompt"].as_str()), (Some("NUL"), Some("ab")), "{v}");
    let (_, list) = app.get("/api/admin/style-presets", Some(&admin)).await;
    assert!(
        list["presets"].as_array().unwrap().iter().any(|p| p["label"] == "NUL" && p["prompt"] == "ab"),
        "stored without the NUL: {list}"
    );
}
