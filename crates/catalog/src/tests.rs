//! The catalogue service over a real SQLite store in a temporary directory.
use std::sync::Arc;

use miaojing_api_types::providers::{PricingInput, StylePresetInput, SystemApiInput, UpstreamProbe, UserApiKeyInput, UserApiKeySave};
use miaojing_domain::testkit::new_user;
use miaojing_domain::Store;
use miaojing_providers::secrets::SecretBox;
use miaojing_store_sqlite::SqliteStore;
use serde_json::json;
use uuid::Uuid;

use crate::CatalogService;

async fn service(dir: &tempfile::TempDir) -> CatalogService {
    CatalogService::new(store(dir).await, SecretBox::new("test-secret"))
}

async fn store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    Arc::new(SqliteStore::connect(dir.path().join("catalog.db").to_str().unwrap()).await.unwrap())
}

fn system_api(v: serde_json::Value) -> SystemApiInput {
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn system_apis_keep_their_key_and_a_probe_without_one_fails_without_calling() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = service(&dir).await;
    let created = catalog
        .create_system_api(system_api(
            json!({"name": "Draw", "modelName": "m1", "apiUrl": "https://up.example/v1", "apiKey": "sk-secret-1234"}),
        ))
        .await
        .unwrap();
    assert_ne!(created.api_key_encrypted, "sk-secret-1234", "the key is stored encrypted");
    let updated = catalog.update_system_api(system_api(json!({"id": created.id, "name": "Draw 2", "modelName": "m1"}))).await.unwrap();
    assert_eq!(updated.api_key_encrypted, created.api_key_encrypted, "an update without a key keeps it");
    let missing = catalog.update_system_api(system_api(json!({"id": Uuid::new_v4(), "name": "x", "modelName": "y"}))).await;
    assert_eq!(missing.unwrap_err().code, "system_api_not_found");
    let price = PricingInput { billing_mode: "bogus".into(), ..Default::default() };
    assert_eq!(catalog.set_pricing(created.id, price).await.unwrap_err().code, "invalid_billing_mode");
    let price = PricingInput { billing_mode: "free".into(), price_note: Some("gift".into()), ..Default::default() };
    assert_eq!(catalog.set_pricing(created.id, price).await.unwrap().price_note, "gift");

    let seen = catalog
        .probe(created.id, |_, key| async move {
            if key == "sk-secret-1234" {
                Ok(())
            } else {
                Err(key)
            }
        })
        .await
        .unwrap();
    assert!(seen.health.last_probe_at.is_some());
    let keyless = catalog.create_system_api(system_api(json!({"name": "Film", "modelName": "m2"}))).await.unwrap();
    let probed = catalog.probe(keyless.id, |_, _| async { panic!("no key, no call") }).await.unwrap();
    assert_eq!(probed.health.last_error.as_deref(), Some("未填写 API Key"));
    assert_eq!(catalog.channel_health().await.unwrap().len(), 2);
    catalog.delete_system_api(Some(keyless.id)).await.unwrap();
    assert_eq!(catalog.delete_system_api(Some(keyless.id)).await.unwrap_err().code, "system_api_not_found");
    assert_eq!(catalog.delete_system_api(None).await.unwrap_err().code, "id_required");
}

#[tokio::test]
async fn templates_refresh_installed_rows_and_add_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = service(&dir).await;
    let installed = catalog
        .create_system_api(system_api(json!({"name": "T", "modelName": "tpl", "modelGroup": "agnes", "apiKey": "kept-key-1"})))
        .await
        .unwrap();
    let mut again = installed.clone();
    again.id = Uuid::new_v4();
    again.api_key_encrypted = String::new();
    again.capabilities = json!({"sizes": ["1024x1024"]});
    let mut new = again.clone();
    new.id = Uuid::new_v4();
    new.model_name = "tpl-2".into();
    let rows = catalog.install_templates(vec![again, new], chrono::Utc::now()).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, installed.id, "the installed row is refreshed, not replaced");
    assert_eq!(rows[0].api_key_encrypted, installed.api_key_encrypted, "its key stays");
    assert_eq!(rows[0].capabilities, json!({"sizes": ["1024x1024"]}));
    assert_eq!(catalog.system_apis(true).await.unwrap().len(), 2);
}

#[tokio::test]
async fn user_keys_belong_to_their_owner() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let catalog = CatalogService::new(store.clone(), SecretBox::new("test-secret"));
    let owner = store.create_user(new_user("owner"), Vec::new(), None).await.unwrap().id;
    let other = store.create_user(new_user("other"), Vec::new(), None).await.unwrap().id;
    let item =
        |key: &str| UserApiKeyInput { api_key: Some(key.into()), api_url: Some("https://up.example/v1".into()), ..Default::default() };
    assert_eq!(catalog.save_user_keys(owner, UserApiKeySave::Many { keys: vec![] }).await.unwrap_err().code, "invalid_batch");
    assert!(catalog.save_user_keys(owner, UserApiKeySave::One(item(""))).await.is_err(), "a new key needs a key");
    let saved = catalog.save_user_keys(owner, UserApiKeySave::One(item("sk-mine-5678"))).await.unwrap();
    let id = saved[0].id;
    let foreign = UserApiKeyInput { id: Some(id), ..item("x") };
    assert_eq!(catalog.save_user_keys(other, UserApiKeySave::One(foreign)).await.unwrap_err().code, "key_not_found");
    assert!(catalog.user_keys(other).await.unwrap().is_empty());
    let probe = UpstreamProbe { key_id: Some(id), model_name: Some("m".into()), ..Default::default() };
    let creds = catalog.probe_credentials(owner, &probe).await.unwrap();
    assert_eq!((creds.api_key.as_str(), creds.api_url.as_str(), creds.model.as_str()), ("sk-mine-5678", "https://up.example/v1", "m"));
    assert_eq!(catalog.probe_credentials(other, &probe).await.unwrap_err().code, "key_not_found");
    let empty = UpstreamProbe::default();
    assert_eq!(catalog.probe_credentials(owner, &empty).await.unwrap_err().code, "probe_incomplete");
    assert_eq!(catalog.delete_user_key(other, Some(id)).await.unwrap_err().code, "key_not_found");
    catalog.delete_user_key(owner, Some(id)).await.unwrap();
    assert!(catalog.user_keys(owner).await.unwrap().is_empty());
}

#[tokio::test]
async fn style_presets_are_checked_and_found_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = service(&dir).await;
    let input = |label: &str| StylePresetInput { label: Some(label.into()), prompt: Some("soft light".into()), ..Default::default() };
    assert_eq!(catalog.create_style_preset(input("")).await.unwrap_err().code, "label_required");
    let p = catalog.create_style_preset(input("Soft")).await.unwrap();
    let renamed = catalog.update_style_preset(StylePresetInput { id: Some(p.id), ..input("Softer") }).await.unwrap();
    assert_eq!(renamed.label, "Softer");
    let gone = StylePresetInput { id: Some(Uuid::new_v4()), ..input("x") };
    assert_eq!(catalog.update_style_preset(gone).await.unwrap_err().code, "style_preset_not_found");
    assert_eq!(catalog.style_presets(true).await.unwrap().len(), 1);
    catalog.delete_style_preset(Some(p.id)).await.unwrap();
    assert_eq!(catalog.delete_style_preset(Some(p.id)).await.unwrap_err().code, "style_preset_not_found");
}

#[tokio::test]
async fn the_demo_switch_offers_and_retires_the_demo_models_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let catalog = CatalogService::new(store.clone(), SecretBox::new("test-secret"));
    let admin = store.create_user(new_user("admin"), Vec::new(), None).await.unwrap();
    let demo_rows = |rows: Vec<miaojing_domain::provider::SystemApi>| {
        let mut names: Vec<String> = rows.into_iter().filter(|a| a.model_group == crate::demo::DEMO_GROUP).map(|a| a.name).collect();
        names.sort();
        names
    };
    assert!(!catalog.demo_models_enabled().await.unwrap(), "unset reads as off");

    catalog.switch_demo_models(true, Some("http://127.0.0.1:9"), &admin).await.unwrap();
    assert!(catalog.demo_models_enabled().await.unwrap());
    let offered = demo_rows(store.list_system_apis(false).await.unwrap());
    let mut wanted = [crate::demo::DEMO_IMAGE, crate::demo::DEMO_VIDEO, crate::demo::DEMO_TEXT].map(String::from).to_vec();
    wanted.sort();
    assert_eq!(offered, wanted);
    let all = store.list_system_apis(true).await.unwrap();
    assert!(all.iter().filter(|a| a.model_group == crate::demo::DEMO_GROUP).all(|a| a.api_url == "http://127.0.0.1:9/v1"));

    catalog.switch_demo_models(false, Some("http://127.0.0.1:9"), &admin).await.unwrap();
    assert!(!catalog.demo_models_enabled().await.unwrap());
    assert!(demo_rows(store.list_system_apis(false).await.unwrap()).is_empty(), "off takes them out at once");
    assert_eq!(demo_rows(store.list_system_apis(true).await.unwrap()).len(), 3, "kept for a later switch-on");

    // On without a running upstream: stored, offered from the next start.
    catalog.switch_demo_models(true, None, &admin).await.unwrap();
    assert!(catalog.demo_models_enabled().await.unwrap());
    assert!(demo_rows(store.list_system_apis(false).await.unwrap()).is_empty());

    let logs = store.list_logs(&Default::default(), miaojing_domain::PageRequest { page: 1, size: 10 }).await.unwrap();
    let actions: Vec<&str> = logs.items.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "demo_models_enabled").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "demo_models_disabled").count(), 1, "{actions:?}");
}
