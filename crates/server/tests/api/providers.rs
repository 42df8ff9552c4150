//! Models and keys: model-config, user API keys, admin system APIs, catalogue, style presets,
//! channel health, demo mode.
use miaojing_api_types::ErrorCode;
use miaojing_domain::user::{Tier, UserPatch};
use miaojing_mock_upstream::{MockConfig, MockHandle};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_error, spawn_with, Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    routes_need_sign_in_and_admin,
    model_config_filters_by_tier_and_collapses_names,
    user_keys_masked_and_isolated,
    user_key_validation_changes_nothing,
    system_api_crud_pricing_and_validation,
    catalogue_and_style_presets,
    fetch_models_and_probe_against_mock_upstream,
);

const PLAIN_KEY: &str = "sk-live-SECRET-0123456789-abcdefwxyz";
const ADMIN_KEY: &str = "sk-platform-TOPSECRET-9876543210";

/// No response body may contain a plaintext key.
#[track_caller]
fn assert_no_secret(v: &Value) {
    let raw = v.to_string();
    for secret in [PLAIN_KEY, ADMIN_KEY, "TOPSECRET", "SECRET-0123"] {
        assert!(!raw.contains(secret), "plaintext key in response: {raw}");
    }
}

async fn set_tier(app: &TestApp, user: &Value, tier: Tier) {
    let id: Uuid = user["id"].as_str().unwrap().parse().unwrap();
    let patch = UserPatch { membership_tier: Some(tier), ..Default::default() };
    app.store.update_user(id, patch).await.unwrap();
}

async fn add_system_api(app: &TestApp, admin: &str, body: Value) -> Value {
    let (s, v) = app.post("/api/admin/system-apis", body, Some(admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_no_secret(&v);
    v["api"].clone()
}

async fn routes_need_sign_in_and_admin(app: TestApp) {
    for path in ["/api/model-config", "/api/user-api-keys"] {
        assert_error(&app.get(path, None).await, 401, ErrorCode::Unauthenticated);
    }
    assert_error(&app.post("/api/auth/fetch-models", json!({}), None).await, 401, ErrorCode::Unauthenticated);
    assert_error(&app.post("/api/auth/test-api", json!({}), None).await, 401, ErrorCode::Unauthenticated);
    let (user, _) = app.register("gate@example.com", "gate").await;
    for path in [
        "/api/admin/system-apis",
        "/api/admin/providers",
        "/api/admin/model-recommendations",
        "/api/admin/style-presets",
        "/api/admin/system-apis/health",
    ] {
        assert_error(&app.get(path, None).await, 401, ErrorCode::Unauthenticated);
        assert_error(&app.get(path, Some(&user)).await, 403, ErrorCode::AdminRequired);
    }
    assert_error(
        &app.post("/api/admin/system-apis", json!({"name": "x", "modelName": "y"}), Some(&user)).await,
        403,
        ErrorCode::AdminRequired,
    );
    // Style presets are public and seeded once at start-up.
    let (s, v) = app.get("/api/style-presets", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["presets"].as_array().unwrap().iter().any(|p| p["label"] == "写实照片"));
}

async fn model_config_filters_by_tier_and_collapses_names(app: TestApp) {
    let admin = app.admin_token().await;
    let everyone = json!({"name": "Image One", "modelName": "gpt-image-2", "apiUrl": "https://a.example/v1", "apiKey": ADMIN_KEY,
        "capabilities": {"aspectRatios": ["1:1"]}, "creditsPerUse": 7});
    add_system_api(&app, &admin, everyone.clone()).await;
    // A second channel under the same display name: failover candidate, not a second entry.
    let mut backup = everyone.clone();
    backup["modelName"] = json!("gpt-image-2-backup");
    add_system_api(&app, &admin, backup).await;
    add_system_api(
        &app,
        &admin,
        json!({"name": "Pro Video", "modelName": "v", "type": "video", "allowedMembershipTiers": ["pro", "ultra"],
        "billingMode": "duration", "durationPricePerSecond": 4, "videoUsageModes": ["text-to-video"]}),
    )
    .await;
    add_system_api(&app, &admin, json!({"name": "Hidden", "modelName": "h", "isDefault": false})).await;
    add_system_api(&app, &admin, json!({"name": "Off", "modelName": "o", "isActive": false})).await;

    let (free, free_user) = app.register("free@example.com", "freeuser").await;
    let (s, v) = app.get("/api/model-config", Some(&free)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_no_secret(&v);
    let names: Vec<&str> = v["systemApis"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Image One"], "one entry per display name; tier, default and active filters");
    let one = &v["systemApis"][0];
    assert_eq!(one["modelName"], "gpt-image-2", "the first channel by sort order");
    assert_eq!(one["capabilities"]["aspectRatios"][0], "1:1");
    assert_eq!((one["billingMode"].as_str(), one["creditsPerUse"].as_i64()), (Some("fixed"), Some(7)));
    assert!(one.get("apiUrl").is_none() && one.get("apiKeyPreview").is_none(), "users see neither URL nor key preview");

    set_tier(&app, &free_user, Tier::Pro).await;
    let (_, v) = app.get("/api/model-config", Some(&free)).await;
    let video = v["systemApis"].as_array().unwrap().iter().find(|a| a["name"] == "Pro Video").expect("pro sees the video model").clone();
    assert_eq!((video["billingMode"].as_str(), video["durationPricePerSecond"].as_i64()), (Some("duration"), Some(4)));
    assert_eq!(video["videoUsageModes"], json!(["text-to-video"]));
    assert_eq!(v["systemApis"].as_array().unwrap().len(), 2);
    assert_eq!(v["userKeys"], json!([]));
}

async fn user_keys_masked_and_isolated(app: TestApp) {
    let (alice, _) = app.register("alice@example.com", "alice").await;
    let (bob, _) = app.register("bob@example.com", "bob").await;
    let (s, v) = app
        .post(
            "/api/user-api-keys",
            json!({"apiKey": PLAIN_KEY, "provider": "OpenAI", "apiUrl": "https://api.example.com/v1", "modelName": "gpt-image-2"}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_no_secret(&v);
    let key = v["keys"][0].clone();
    assert_eq!((key["apiKey"].as_str(), key["apiKeyPreview"].as_str()), (Some(""), Some("***wxyz")));
    assert_eq!(key["supplierName"], "OpenAI");
    let id = key["id"].as_str().unwrap().to_string();
    // Stored encrypted.
    let stored = app.store.list_user_api_keys(key_owner(&app, "alice@example.com").await).await.unwrap();
    assert!(!stored[0].api_key_encrypted.contains(PLAIN_KEY));
    assert_eq!(app.state.secrets.decrypt(&stored[0].api_key_encrypted).unwrap(), PLAIN_KEY);

    let (_, v) = app.get("/api/user-api-keys", Some(&alice)).await;
    assert_no_secret(&v);
    assert_eq!(v["keys"].as_array().unwrap().len(), 1);
    let (_, v) = app.get("/api/model-config", Some(&alice)).await;
    assert_no_secret(&v);
    assert_eq!(v["userKeys"][0]["id"], id.as_str());

    // Bob sees nothing, and cannot change or delete Alice's key.
    let (_, v) = app.get("/api/user-api-keys", Some(&bob)).await;
    assert_eq!(v["keys"], json!([]));
    let (_, v) = app.get("/api/model-config", Some(&bob)).await;
    assert_eq!(v["userKeys"], json!([]));
    assert_error(
        &app.put("/api/user-api-keys", json!({"id": id, "apiKey": "sk-evil-0000"}), Some(&bob)).await,
        404,
        ErrorCode::KeyNotFound,
    );
    assert_error(&app.delete(&format!("/api/user-api-keys?id={id}"), Some(&bob)).await, 404, ErrorCode::KeyNotFound);
    assert_error(&app.post("/api/auth/test-api", json!({"keyId": id}), Some(&bob)).await, 404, ErrorCode::KeyNotFound);

    // The owner updates without resending the key: the key is kept.
    let (s, v) = app.put("/api/user-api-keys", json!({"keys": [{"id": id, "note": "main", "type": "video"}]}), Some(&alice)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, catalog) = app.get("/api/model-config", Some(&alice)).await;
    assert_eq!(catalog["userKeys"][0]["note"], "main", "the catalogue shows a key change at once: {catalog}");
    assert_eq!(
        (v["keys"][0]["note"].as_str(), v["keys"][0]["type"].as_str(), v["keys"][0]["apiKeyPreview"].as_str()),
        (Some("main"), Some("video"), Some("***wxyz"))
    );
    let (s, _) = app.delete(&format!("/api/user-api-keys?id={id}"), Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = app.get("/api/user-api-keys", Some(&alice)).await;
    assert_eq!(v["keys"], json!([]));
}

async fn key_owner(app: &TestApp, email: &str) -> Uuid {
    app.store.user_by_email(email).await.unwrap().unwrap().id
}

async fn user_key_validation_changes_nothing(app: TestApp) {
    let (t, _) = app.register("val@example.com", "val").await;
    assert_error(&app.post("/api/user-api-keys", json!({"provider": "x"}), Some(&t)).await, 400, ErrorCode::ApiKeyRequired);
    assert_error(
        &app.post("/api/user-api-keys", json!({"apiKey": "sk-1", "apiUrl": "ftp://x"}), Some(&t)).await,
        400,
        ErrorCode::InvalidApiUrl,
    );
    assert_error(
        &app.post("/api/user-api-keys", json!({"apiKey": "sk-1", "type": "audio"}), Some(&t)).await,
        400,
        ErrorCode::InvalidMediaType,
    );
    assert_error(&app.post("/api/user-api-keys", json!({"keys": []}), Some(&t)).await, 400, ErrorCode::InvalidBatch);
    // One bad item in a batch: nothing saved.
    let batch = json!({"keys": [{"apiKey": "sk-good-1234"}, {"apiKey": "sk-2", "apiUrl": "nope"}]});
    assert_error(&app.post("/api/user-api-keys", batch, Some(&t)).await, 400, ErrorCode::InvalidApiUrl);
    assert_error(&app.delete("/api/user-api-keys", Some(&t)).await, 400, ErrorCode::IdRequired);
    assert_eq!(app.get("/api/user-api-keys", Some(&t)).await.1["keys"], json!([]));
    assert_error(
        &app.post("/api/auth/fetch-models", json!({"apiUrl": "https://a.example"}), Some(&t)).await,
        400,
        ErrorCode::ProbeIncomplete,
    );
}

async fn system_api_crud_pricing_and_validation(app: TestApp) {
    let admin = app.admin_token().await;
    assert_error(&app.post("/api/admin/system-apis", json!({"name": "x"}), Some(&admin)).await, 400, ErrorCode::NameRequired);
    assert_error(
        &app.post("/api/admin/system-apis", json!({"name": "x", "modelName": "m", "billingMode": "ratio"}), Some(&admin)).await,
        400,
        ErrorCode::InvalidBillingMode,
    );
    assert_error(
        &app.post("/api/admin/system-apis", json!({"name": "x", "modelName": "m", "creditsPerUse": -1}), Some(&admin)).await,
        400,
        ErrorCode::InvalidPrice,
    );
    assert_error(
        &app.post("/api/admin/system-apis", json!({"name": "x", "modelName": "m", "allowedMembershipTiers": ["gold"]}), Some(&admin)).await,
        400,
        ErrorCode::InvalidTier,
    );
    assert_error(
        &app.post("/api/admin/system-apis", json!({"name": "x", "modelName": "m", "pollingMode": "fast"}), Some(&admin)).await,
        400,
        ErrorCode::InvalidPollingMode,
    );
    assert_eq!(app.get("/api/admin/system-apis", Some(&admin)).await.1["apis"], json!([]), "refusals stored nothing");

    let api = add_system_api(
        &app,
        &admin,
        json!({"name": "Img", "modelName": "m1", "apiKey": ADMIN_KEY, "allowedMembershipTiers": ["basic", "max"]}),
    )
    .await;
    assert_eq!((api["apiKey"].as_str(), api["apiKeyPreview"].as_str()), (Some(""), Some("***3210")));
    assert_eq!(api["allowedMembershipTiers"], json!(["pro", "max"]));
    assert_eq!(api["sortOrder"], 1);
    let id = api["id"].as_str().unwrap().to_string();
    let stored = app.store.system_api(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(app.state.secrets.decrypt(&stored.api_key_encrypted).unwrap(), ADMIN_KEY);

    // PUT keeps the key unless a new one (not the mask) is sent; clearApiKey empties it.
    let (s, v) =
        app.put("/api/admin/system-apis", json!({"id": id, "name": "Img", "modelName": "m2", "apiKey": "********"}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_no_secret(&v);
    assert_eq!((v["api"]["modelName"].as_str(), v["api"]["apiKeyPreview"].as_str()), (Some("m2"), Some("***3210")));
    assert_eq!(v["api"]["allowedMembershipTiers"].as_array().unwrap().len(), 4, "full overwrite: omitted tiers mean all");
    let (_, v) =
        app.put("/api/admin/system-apis", json!({"id": id, "name": "Img", "modelName": "m2", "clearApiKey": true}), Some(&admin)).await;
    assert_eq!(v["api"]["apiKeyPreview"], "");
    assert_error(
        &app.put("/api/admin/system-apis", json!({"id": Uuid::new_v4(), "name": "a", "modelName": "b"}), Some(&admin)).await,
        404,
        ErrorCode::SystemApiNotFound,
    );
    assert_error(
        &app.put("/api/admin/system-apis", json!({"name": "a", "modelName": "b"}), Some(&admin)).await,
        400,
        ErrorCode::IdRequired,
    );

    // Pricing alone.
    let (s, v) = app
        .put(
            &format!("/api/admin/system-apis/{id}/pricing"),
            json!({"billingMode": "token", "inputPricePer1m": 3, "outputPricePer1m": 9}),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["api"]["billingMode"].as_str(), v["api"]["inputPricePer1m"].as_i64(), v["api"]["outputPricePer1m"].as_i64()),
        (Some("token"), Some(3), Some(9))
    );
    assert_eq!(v["api"]["modelName"], "m2", "pricing leaves the rest alone");
    assert_error(
        &app.put(&format!("/api/admin/system-apis/{id}/pricing"), json!({"billingMode": "free!"}), Some(&admin)).await,
        400,
        ErrorCode::InvalidBillingMode,
    );

    // Inactive rows are listed unless asked not to.
    add_system_api(&app, &admin, json!({"name": "Off", "modelName": "o", "isActive": false})).await;
    assert_eq!(app.get("/api/admin/system-apis", Some(&admin)).await.1["apis"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/admin/system-apis?includeInactive=false", Some(&admin)).await.1["apis"].as_array().unwrap().len(), 1);

    let (s, v) = app.get("/api/admin/system-apis/health", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["channels"].as_array().unwrap().len(), 2);
    assert_eq!(v["channels"][0]["frozen"], false);

    assert_error(&app.delete("/api/admin/system-apis", Some(&admin)).await, 400, ErrorCode::IdRequired);
    assert_eq!(app.delete(&format!("/api/admin/system-apis?id={id}"), Some(&admin)).await.0, StatusCode::OK);
    assert_error(&app.delete(&format!("/api/admin/system-apis?id={id}"), Some(&admin)).await, 404, ErrorCode::SystemApiNotFound);
}

async fn catalogue_and_style_presets(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app
        .post("/api/admin/providers", json!({"name": "New API", "defaultApiUrl": "https://n.example/v1", "sortOrder": 5}), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pid = v["provider"]["id"].as_str().unwrap().to_string();
    assert_error(&app.post("/api/admin/providers", json!({"name": "New API"}), Some(&admin)).await, 409, ErrorCode::ProviderNameTaken);
    assert_error(&app.post("/api/admin/providers", json!({"name": " "}), Some(&admin)).await, 400, ErrorCode::NameRequired);
    let (s, v) = app.post("/api/admin/model-recommendations", json!({"modelName": "gpt-image-2", "providerId": pid}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recommendation"]["displayName"], "gpt-image-2");
    let rid = v["recommendation"]["id"].as_str().unwrap().to_string();
    assert_error(
        &app.post("/api/admin/model-recommendations", json!({"modelName": "x", "providerId": Uuid::new_v4()}), Some(&admin)).await,
        404,
        ErrorCode::NotFound,
    );
    assert_error(&app.post("/api/admin/model-recommendations", json!({}), Some(&admin)).await, 400, ErrorCode::ModelNameRequired);

    let (user, _) = app.register("cat@example.com", "catuser").await;
    let (_, v) = app.get("/api/model-config", Some(&user)).await;
    assert_eq!(v["providers"][0]["name"], "New API");
    assert_eq!(v["recommendations"][0]["providerId"], pid.as_str());

    let (s, v) = app.put("/api/admin/providers", json!({"id": pid, "name": "New API", "isActive": false}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = app.get("/api/model-config", Some(&user)).await;
    assert_eq!(v["providers"], json!([]), "inactive providers are not offered");
    assert_eq!(app.delete(&format!("/api/admin/providers?id={pid}"), Some(&admin)).await.0, StatusCode::OK);
    let (_, v) = app.get("/api/admin/model-recommendations", Some(&admin)).await;
    assert_eq!(v["recommendations"][0]["providerId"], Value::Null);
    assert_eq!(app.delete(&format!("/api/admin/model-recommendations?id={rid}"), Some(&admin)).await.0, StatusCode::OK);

    let (s, v) = app.post("/api/admin/style-presets", json!({"label": "胶片", "prompt": "Apply a film look"}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let sid = v["preset"]["id"].as_str().unwrap().to_string();
    assert_error(
        &app.post("/api/admin/style-presets", json!({"label": "胶片", "prompt": "again"}), Some(&admin)).await,
        409,
        ErrorCode::StyleLabelTaken,
    );
    assert_error(&app.post("/api/admin/style-presets", json!({"label": "空"}), Some(&admin)).await, 400, ErrorCode::LabelRequired);
    let (s, _) = app
        .put(
            "/api/admin/style-presets",
            json!({"id": sid, "label": "胶片", "prompt": "Apply a film look", "isActive": false}),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = app.get("/api/style-presets", None).await;
    assert!(!v["presets"].as_array().unwrap().iter().any(|p| p["label"] == "胶片"), "inactive presets hidden");
    assert_eq!(app.delete(&format!("/api/admin/style-presets?id={sid}"), Some(&admin)).await.0, StatusCode::OK);
}

async fn mock() -> MockHandle {
    miaojing_mock_upstream::start(MockConfig::default()).await
}

async fn fetch_models_and_probe_against_mock_upstream(app: TestApp) {
    let upstream = mock().await;
    let app = respawn_allowing(app, &upstream).await;
    let (t, _) = app.register("probe@example.com", "probe").await;
    let api_url = format!("{}/v1/images/generations", upstream.base_url());
    let (s, v) = app.post("/api/auth/fetch-models", json!({"apiUrl": api_url, "apiKey": "sk-probe-1", "provider": "mock"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["success"], true, "{v}");
    assert!(v["models"].as_array().unwrap().iter().any(|m| m["id"] == "gpt-image-2" && m["provider"] == "mock"));
    // A refused key: 200 with success false and the upstream status, never the key.
    let (_, v) = app.post("/api/auth/test-api", json!({"apiUrl": api_url, "apiKey": "bad-key"}), Some(&t)).await;
    assert_eq!(v["success"], false, "{v}");
    assert_eq!(v["statusCode"], 401);
    assert!(!v.to_string().contains("bad-key"));
    // A stored key by id.
    let (_, v) = app.post("/api/user-api-keys", json!({"apiKey": "sk-stored-42", "apiUrl": api_url}), Some(&t)).await;
    let id = v["keys"][0]["id"].as_str().unwrap().to_string();
    let (_, v) = app.post("/api/auth/test-api", json!({"keyId": id, "modelName": "gpt-image-2"}), Some(&t)).await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["message"], "连接成功，模型 gpt-image-2 可用");
    // Loopback without the allow-list entry is refused.
    let other = mock().await;
    let blocked = format!("{}/v1", other.base_url());
    assert_error(
        &app.post("/api/auth/fetch-models", json!({"apiUrl": blocked, "apiKey": "sk-1"}), Some(&t)).await,
        400,
        ErrorCode::BlockedDestination,
    );

    // Admin probe of a channel records its health.
    let admin = app.admin_token().await;
    let api = add_system_api(
        &app,
        &admin,
        json!({"name": "Probe", "modelName": "gpt-image-2", "apiUrl": format!("{}/v1", upstream.base_url()), "apiKey": "sk-chan-1"}),
    )
    .await;
    let (s, v) = app.post(&format!("/api/admin/system-apis/{}/probe", api["id"].as_str().unwrap()), json!({}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["frozen"], false);
    assert!(v["lastProbeAt"].is_string());
    assert_eq!(v["lastError"], Value::Null);
}

/// The same backend again, with the mock upstream's address allow-listed.
async fn respawn_allowing(app: TestApp, upstream: &MockHandle) -> TestApp {
    let backend = if app.store.backend() == "postgres" { Backend::Postgres } else { Backend::Sqlite };
    let allow = upstream.addr().to_string();
    spawn_with(backend, move |c| c.outbound_allowlist = allow).await
}

mod demo_mode {
    use super::*;

    async fn run(backend: Backend) {
        let app = spawn_with(backend, |c| c.demo = true).await;
        let (t, _) = app.register("demo@example.com", "demouser").await;
        let (_, v) = app.get("/api/model-config", Some(&t)).await;
        let names: Vec<String> = v["systemApis"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(names.len(), 3, "{v}");
        assert!(names.iter().all(|n| n.contains("demo")), "{names:?}");
        let types: Vec<&str> = v["systemApis"].as_array().unwrap().iter().map(|a| a["type"].as_str().unwrap()).collect();
        assert!(types.contains(&"image") && types.contains(&"video") && types.contains(&"text"), "{types:?}");
        // Registering again (a restart) adds nothing and points at the new mock.
        let mock = app.state.demo.as_ref().expect("demo mock running");
        miaojing_server::demo::register_models(app.store.as_ref(), &app.state.secrets, mock.base_url()).await.unwrap();
        assert_eq!(app.store.list_system_apis(true).await.unwrap().len(), 3);
        // The demo channel answers through the guarded client.
        let admin = app.admin_token().await;
        let id = app.store.list_system_apis(true).await.unwrap()[0].id;
        let (_, v) = app.post(&format!("/api/admin/system-apis/{id}/probe"), json!({}), Some(&admin)).await;
        assert_eq!(v["lastError"], Value::Null, "{v}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await
    }
}
