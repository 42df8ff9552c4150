//! Smart import of Manifest bundles: user keys and admin system APIs, all or nothing, with
//! stored Manifests and capabilities; Manifest-backed keys probed against mock-upstream.
use miaojing_api_types::ErrorCode;
use miaojing_mock_upstream::{MockConfig, MockHandle};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_error, spawn_with, Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    user_bundle_import_stores_manifests_and_capabilities,
    single_provider_import,
    incomplete_configs_rejected_and_nothing_written,
    admin_import_creates_system_rows,
    imported_key_lists_and_tests_against_mock_upstream,
);

const BUNDLE_KEY: &str = "sk-bundle-SECRET-5566778899";

fn bundle(base_url: &str) -> Value {
    json!({
        "customProviders": [
            {
                "id": "relay", "name": "Relay",
                "apiKey": BUNDLE_KEY,
                "submit": {
                    "path": "/v1/images/generations",
                    "body": {"model": "$profile.model", "prompt": "$prompt", "size": "$params.size"},
                    "result": {"b64JsonPaths": ["data.*.b64_json"]}
                }
            },
            {
                "id": "vid", "name": "Video Relay",
                "submit": {"path": "v1/video/generations", "body": {"model": "$profile.model", "prompt": "$prompt"}, "taskIdPath": "task_id"},
                "poll": {"path": "v1/video/generations/{task_id}", "statusPath": "status", "successValues": ["succeeded"],
                         "result": {"videoUrlPaths": ["video_url"]}}
            }
        ],
        "profiles": [
            {"name": "Relay Image", "provider": "relay", "baseUrl": base_url, "model": "gpt-image-2", "apiKey": BUNDLE_KEY,
             "capabilities": {"aspectRatios": ["1:1", {"value": "16:9", "label": "Wide"}], "qualities": ["high"], "supportsQuality": true}},
            {"name": "Relay Video", "provider": "vid", "baseUrl": base_url, "model": "mock-video-1", "apiMode": "videos",
             "capabilities": {"durations": ["5", "10"], "supportsDuration": true}}
        ]
    })
}

fn text(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

async fn import(app: &TestApp, token: &str, config: &Value) -> (StatusCode, Value) {
    app.post("/api/user-api-keys/smart-import", json!({"configText": text(config)}), Some(token)).await
}

async fn user_bundle_import_stores_manifests_and_capabilities(app: TestApp) {
    assert_error(&app.post("/api/user-api-keys/smart-import", json!({"configText": "{}"}), None).await, 401, ErrorCode::Unauthenticated);
    let (t, me) = app.register("importer@example.com", "importer").await;
    let (s, v) = import(&app, &t, &bundle("https://relay.example.com")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v.to_string().contains(BUNDLE_KEY), "key in response: {v}");
    assert_eq!(v["success"], true);
    assert_eq!(v["message"], "已导入 2 个 API 配置，请编辑后填写 API Key");
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let image = keys.iter().find(|k| k["modelName"] == "gpt-image-2").unwrap();
    assert_eq!(image["protocol"], "manifest");
    assert_eq!(image["type"], "image");
    assert_eq!(image["apiUrl"], "https://relay.example.com/v1/images/generations");
    assert_eq!(image["apiKey"], "");
    assert_eq!(image["apiKeyPreview"], "***8899", "the bundle's key is stored, masked");
    assert_eq!(image["supplierName"], "Relay");
    let video = keys.iter().find(|k| k["modelName"] == "mock-video-1").unwrap();
    assert_eq!(video["type"], "video");
    assert_eq!(video["apiKeyPreview"], "待填写");
    assert_eq!(video["apiUrl"], "https://relay.example.com", "a polled provider keeps the base URL");

    // The rows hold their own Manifest (with the bundle as source, keys scrubbed) and encrypted key.
    let owner: Uuid = me["id"].as_str().unwrap().parse().unwrap();
    let stored = app.store.list_user_api_keys(owner).await.unwrap();
    assert_eq!(stored.len(), 2);
    for k in &stored {
        let m = k.manifest.as_ref().expect("manifest stored");
        assert_eq!(m["version"], 1);
        assert_eq!(m["source"]["profiles"].as_array().unwrap().len(), 2);
        assert!(!m.to_string().contains(BUNDLE_KEY), "key in stored manifest");
        assert_eq!(m["profile"]["model"], k.model_name.as_str());
    }
    let img = stored.iter().find(|k| k.model_name == "gpt-image-2").unwrap();
    assert!(!img.api_key_encrypted.is_empty() && !img.api_key_encrypted.contains(BUNDLE_KEY));
    assert_eq!(app.state.secrets.decrypt(&img.api_key_encrypted).unwrap(), BUNDLE_KEY);

    // model-config and the key list return the capabilities; never the key.
    let (s, v) = app.get("/api/model-config", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!v.to_string().contains(BUNDLE_KEY));
    let uk = v["userKeys"].as_array().unwrap();
    let img = uk.iter().find(|k| k["modelName"] == "gpt-image-2").unwrap();
    assert_eq!(img["capabilities"]["aspectRatios"], json!([{"value": "1:1", "label": "1:1"}, {"value": "16:9", "label": "Wide"}]));
    assert_eq!(img["capabilities"]["supportsQuality"], true);
    let vid = uk.iter().find(|k| k["modelName"] == "mock-video-1").unwrap();
    assert_eq!(vid["capabilities"]["durations"].as_array().unwrap().len(), 2);
    let (_, v) = app.get("/api/user-api-keys", Some(&t)).await;
    assert_eq!(v["keys"].as_array().unwrap().len(), 2);
    assert!(!v.to_string().contains(BUNDLE_KEY));

    // Another user sees none of them and cannot use or delete them.
    let (bob, _) = app.register("bob-import@example.com", "bobimport").await;
    let (_, v) = app.get("/api/user-api-keys", Some(&bob)).await;
    assert_eq!(v["keys"], json!([]));
    let (_, v) = app.get("/api/model-config", Some(&bob)).await;
    assert_eq!(v["userKeys"], json!([]));
    let id = image_id(keys);
    assert_error(&app.post("/api/auth/test-api", json!({"keyId": id}), Some(&bob)).await, 404, ErrorCode::KeyNotFound);
    assert_eq!(app.delete(&format!("/api/user-api-keys?id={id}"), Some(&bob)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.store.list_user_api_keys(owner).await.unwrap().len(), 2);
}

fn image_id(keys: &[Value]) -> String {
    keys.iter().find(|k| k["modelName"] == "gpt-image-2").unwrap()["id"].as_str().unwrap().to_string()
}

async fn single_provider_import(app: TestApp) {
    let (t, _) = app.register("single@example.com", "single").await;
    let provider = json!({
        "name": "Solo",
        "submit": {"path": "https://solo.example.com/api/draw", "body": {"prompt": "$prompt"}, "result": {"imageUrlPaths": ["url"]}},
        "model": "solo-1",
        "capabilities": {"resolutions": ["1K", "2K"], "outputFormats": ["png"]}
    });
    // Fenced like a chat answer.
    let fenced = format!("```json\n{}\n```", text(&provider));
    let (s, v) = app.post("/api/user-api-keys/smart-import", json!({"configText": fenced}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["apiUrl"], "https://solo.example.com/api/draw");
    assert_eq!(keys[0]["modelName"], "solo-1");
    assert_eq!(keys[0]["protocol"], "manifest");
    assert_eq!(keys[0]["capabilities"]["resolutions"][1]["value"], "2K");
    assert_eq!(keys[0]["apiKeyPreview"], "待填写");
}

async fn incomplete_configs_rejected_and_nothing_written(app: TestApp) {
    let (t, me) = app.register("bad-import@example.com", "badimport").await;
    let admin = app.admin_token().await;
    // The second profile has no base URL and a relative submit path: the whole import fails.
    let mut partial = bundle("https://relay.example.com");
    partial["profiles"][1]["baseUrl"] = json!("");
    let (s, v) = import(&app, &t, &partial).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], ErrorCode::InvalidImportConfig.as_str());
    assert!(v["error"].as_str().unwrap().starts_with("Relay Video 缺少中转 API 请求地址"), "{v}");
    let (s, v) = app.post("/api/admin/system-apis/smart-import", json!({"configText": text(&partial)}), Some(&admin)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    for (body, needle) in [
        (json!({"configText": ""}), "配置内容为空或过大"),
        (json!({}), "配置内容为空或过大"),
        (json!({"configText": "[1, 2]"}), "顶层必须是对象"),
        (json!({"configText": "{not json"}), "配置 JSON 解析失败"),
        (json!({"configText": "{\"customProviders\": []}"}), "customProviders 不能为空"),
        (json!({"configText": "{\"customProviders\": [{\"name\": \"NoSubmit\"}]}"}), "缺少 submit"),
        (json!({"configText": "x".repeat(256 * 1024 + 1)}), "配置内容为空或过大"),
    ] {
        let (s, v) = app.post("/api/user-api-keys/smart-import", body, Some(&t)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["error"].as_str().unwrap().contains(needle), "{needle}: {v}");
    }
    let owner: Uuid = me["id"].as_str().unwrap().parse().unwrap();
    assert!(app.store.list_user_api_keys(owner).await.unwrap().is_empty(), "nothing written");
    assert!(app.store.list_system_apis(true).await.unwrap().is_empty(), "nothing written");
}

async fn admin_import_creates_system_rows(app: TestApp) {
    let (user, _) = app.register("plain-import@example.com", "plainimport").await;
    let config = json!({"configText": text(&bundle("https://relay.example.com"))});
    assert_error(&app.post("/api/admin/system-apis/smart-import", config.clone(), None).await, 401, ErrorCode::Unauthenticated);
    assert_eq!(app.post("/api/admin/system-apis/smart-import", config.clone(), Some(&user)).await.0, StatusCode::FORBIDDEN);
    assert!(app.store.list_system_apis(true).await.unwrap().is_empty());

    let admin = app.admin_token().await;
    let mut body = config.clone();
    body["creditsPerUse"] = json!(7);
    let (s, v) = app.post("/api/admin/system-apis/smart-import", body, Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v.to_string().contains(BUNDLE_KEY));
    assert_eq!(v["message"], "已导入 2 个系统 API 配置，请编辑后填写 API Key 和定价");
    let apis = v["apis"].as_array().unwrap();
    assert_eq!(apis.len(), 2);
    let img = apis.iter().find(|a| a["name"] == "Relay Image").unwrap();
    assert_eq!(img["protocol"], "manifest");
    assert_eq!(img["billingMode"], "fixed");
    assert_eq!(img["creditsPerUse"], 7);
    assert_eq!(img["isActive"], true);
    assert_eq!(img["apiKeyPreview"], "***8899");
    assert_eq!(img["capabilities"]["qualities"][0]["value"], "high");
    let stored = app.store.list_system_apis(true).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|a| a.manifest.as_ref().is_some_and(|m| m["version"] == 1 && !m.to_string().contains(BUNDLE_KEY))));

    // Users see the platform model with its capabilities; bad tiers are refused with nothing written.
    let (_, v) = app.get("/api/model-config", Some(&user)).await;
    let m = v["systemApis"].as_array().unwrap().iter().find(|a| a["name"] == "Relay Image").cloned().unwrap();
    assert_eq!(m["capabilities"]["aspectRatios"][1]["label"], "Wide");
    assert!(!v.to_string().contains(BUNDLE_KEY));
    let mut bad = config;
    bad["allowedMembershipTiers"] = json!(["platinum-ultra"]);
    assert_eq!(app.post("/api/admin/system-apis/smart-import", bad, Some(&admin)).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.store.list_system_apis(true).await.unwrap().len(), 2);
}

async fn mock() -> MockHandle {
    miaojing_mock_upstream::start(MockConfig::default()).await
}

async fn imported_key_lists_and_tests_against_mock_upstream(app: TestApp) {
    let upstream = mock().await;
    let backend = if app.store.backend() == "postgres" { Backend::Postgres } else { Backend::Sqlite };
    let allow = upstream.addr().to_string();
    let app = spawn_with(backend, move |c| c.outbound_allowlist = allow).await;
    let (t, _) = app.register("manifest-probe@example.com", "manifestprobe").await;
    let (s, v) = import(&app, &t, &bundle(upstream.base_url())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let keys = v["keys"].as_array().unwrap().clone();
    let id = image_id(&keys);
    let (s, v) = app.post("/api/auth/fetch-models", json!({"keyId": id, "provider": "Relay"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["success"], true, "{v}");
    assert!(v["models"].as_array().unwrap().iter().any(|m| m["id"] == "gpt-image-2"));
    let (_, v) = app.post("/api/auth/test-api", json!({"keyId": id}), Some(&t)).await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["message"], "连接成功，模型 gpt-image-2 可用");
    let seen = upstream.requests();
    let models_call = seen.iter().rev().find(|r| r.path.ends_with("/models")).expect("a /models call");
    assert_eq!(models_call.path, "/v1/models");
    // The keyless video row asks for its key instead of calling out.
    let vid = keys.iter().find(|k| k["modelName"] == "mock-video-1").unwrap()["id"].as_str().unwrap().to_string();
    assert_error(&app.post("/api/auth/test-api", json!({"keyId": vid}), Some(&t)).await, 400, ErrorCode::ProbeIncomplete);
    // After filling in a wrong key the upstream's refusal is reported, not the key.
    let (s, _) = app.put("/api/user-api-keys", json!({"id": vid, "apiKey": "bad-key"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = app.post("/api/auth/test-api", json!({"keyId": vid}), Some(&t)).await;
    assert_eq!(v["success"], false, "{v}");
    assert_eq!(v["statusCode"], 401);
    assert!(!v.to_string().contains("bad-key"));
}
