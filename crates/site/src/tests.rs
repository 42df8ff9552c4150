//! The site service over a real SQLite store in a temporary directory.
use std::sync::Arc;

use miaojing_api_types::site::{AnnouncementInput, SiteConfigUpdate};
use miaojing_domain::log::LogFilter;
use miaojing_domain::testkit::new_user;
use miaojing_domain::user::{NewUser, Role, User};
use miaojing_domain::{PageRequest, Store};
use miaojing_providers::secrets::SecretBox;
use miaojing_storage::upload::SiteAssetKind;
use miaojing_storage::Storage;
use miaojing_store_sqlite::SqliteStore;
use uuid::Uuid;

use crate::SiteService;

async fn service(dir: &tempfile::TempDir) -> (SiteService, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect(dir.path().join("site.db").to_str().unwrap()).await.unwrap());
    let storage = Storage::local_only(dir.path().join("files")).unwrap();
    (SiteService::new(store.clone(), SecretBox::new("test-secret"), storage), store)
}

/// A new account of `role` in `store`.
async fn user(store: &Arc<dyn Store>, role: Role) -> User {
    let name = format!("u{}", &Uuid::new_v4().simple().to_string()[..10]);
    store.create_user(NewUser { role, ..new_user(&name) }, Vec::new(), None).await.unwrap()
}

fn input(title: &str, content: &str) -> AnnouncementInput {
    AnnouncementInput { title: Some(title.into()), content: Some(content.into()), ..Default::default() }
}

#[tokio::test]
async fn only_admins_list_every_announcement_and_bad_input_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (site, store) = service(&dir).await;
    let admin = user(&store, Role::Admin).await;
    let member = user(&store, Role::User).await;
    assert_eq!(site.create_announcement(&admin, input(" ", "x")).await.unwrap_err().code, "invalid_title");
    let missing = AnnouncementInput { title: Some("t".into()), ..Default::default() };
    assert_eq!(site.create_announcement(&admin, missing).await.unwrap_err().code, "missing_fields");
    let hidden = AnnouncementInput { enabled: Some(false), ..input("Later", "body") };
    let id = site.create_announcement(&admin, hidden).await.unwrap();
    assert!(site.announcements(Some(&member), false).await.unwrap().is_empty(), "a disabled one is not visible");
    assert_eq!(site.announcements(Some(&member), true).await.unwrap_err().code, "admin_required");
    assert_eq!(site.announcements(None, true).await.unwrap_err().code, "admin_required");
    assert_eq!(site.announcements(Some(&admin), true).await.unwrap().len(), 1);
    let patch = AnnouncementInput { id: Some(id), enabled: Some(true), ..Default::default() };
    assert!(site.update_announcement(patch).await.unwrap().is_active);
    assert_eq!(site.announcements(None, false).await.unwrap().len(), 1);
    site.delete_announcement(Some(id)).await.unwrap();
    assert_eq!(site.delete_announcement(Some(id)).await.unwrap_err().code, "announcement_not_found");
    assert_eq!(site.delete_announcement(None).await.unwrap_err().code, "missing_id");
}

#[tokio::test]
async fn admin_changes_are_logged_and_the_retention_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (site, store) = service(&dir).await;
    let admin = user(&store, Role::Admin).await;
    let update = SiteConfigUpdate { site_name: Some("Shop".into()), log_retention_days: Some(7), ..Default::default() };
    assert_eq!(site.update_by_admin(&admin, update).await.unwrap().site_name, "Shop");
    let (logs, retention) = site.logs(&LogFilter::default(), PageRequest { page: 1, size: 20 }).await.unwrap();
    assert_eq!(retention, 7);
    assert_eq!(logs.items[0].action, "site_config_updated");
    assert_eq!(logs.items[0].metadata["fields"], serde_json::json!(["siteName", "logRetentionDays"]));
    let bad = LogFilter { kind: Some("nonsense".into()), ..Default::default() };
    assert!(site.logs(&bad, PageRequest { page: 1, size: 20 }).await.is_err());
    assert_eq!(site.set_log_retention_by_admin(&admin, None).await.unwrap_err().code, "missing_retention");
    assert_eq!(site.set_log_retention_by_admin(&admin, Some(91)).await.unwrap_err().code, "out_of_range");
    assert_eq!(site.set_log_retention_by_admin(&admin, Some(30)).await.unwrap().0, 30);
    assert_eq!(site.config().await.unwrap().log_retention_days, 30);
}

#[tokio::test]
async fn a_refused_asset_changes_nothing_and_visits_count() {
    let dir = tempfile::tempdir().unwrap();
    let (site, store) = service(&dir).await;
    let admin = user(&store, Role::Admin).await;
    assert!(site.save_asset(&admin, SiteAssetKind::Logo, b"not an image".to_vec()).await.is_err());
    assert_eq!(site.config().await.unwrap().logo_url, None);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>"#.to_vec();
    let saved = site.save_asset(&admin, SiteAssetKind::Favicon, svg).await.unwrap();
    assert_eq!(site.config().await.unwrap().favicon_url.as_deref(), Some(saved.url.as_str()));
    assert_eq!(saved.site_config.favicon_url, Some(saved.url));
    assert_eq!(site.count_visit().await.unwrap(), site.visits().await.unwrap());
    let (visits, non_admins) = site.admin_stats().await.unwrap();
    assert_eq!((visits, non_admins), (1, 0));
}
