//! The works service over a real SQLite store and local storage in a temporary directory.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::Utc;
use miaojing_api_types::works::PublishRequest;
use miaojing_domain::job::Mode;
use miaojing_domain::log::LogFilter;
use miaojing_domain::testkit::new_user;
use miaojing_domain::user::{NewUser, Role, User};
use miaojing_domain::work::NewWork;
use miaojing_domain::{PageRequest, Store};
use miaojing_providers::secrets::SecretBox;
use miaojing_site::SiteService;
use miaojing_storage::Storage;
use miaojing_store_sqlite::SqliteStore;
use uuid::Uuid;

use crate::{gallery_query, HistoryRequest, WorksService};

/// A stand-in for the HTTP layer's caches that counts what it is told.
#[derive(Default)]
struct Counted {
    gallery: AtomicUsize,
    files: AtomicUsize,
}

impl crate::WorkCaches for Counted {
    fn gallery_changed(&self) {
        self.gallery.fetch_add(1, Ordering::SeqCst);
    }
    fn files_removed(&self, keys: &[String]) {
        self.files.fetch_add(keys.len(), Ordering::SeqCst);
    }
}

struct Fixture {
    works: WorksService,
    store: Arc<dyn Store>,
    storage: Storage,
    caches: Arc<Counted>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect(dir.path().join("works.db").to_str().unwrap()).await.unwrap());
    let storage = Storage::local_only(dir.path().join("files")).unwrap();
    let site = SiteService::new(store.clone(), SecretBox::new("test-secret"), storage.clone());
    let caches = Arc::new(Counted::default());
    let works = WorksService::new(store.clone(), storage.clone(), site, caches.clone());
    Fixture { works, store, storage, caches, _dir: dir }
}

/// A new account of `role` in `store`.
async fn user(store: &Arc<dyn Store>, role: Role) -> User {
    let name = format!("u{}", &Uuid::new_v4().simple().to_string()[..10]);
    store.create_user(NewUser { role, ..new_user(&name) }, Vec::new(), None).await.unwrap()
}

/// A work of `owner` whose original is a stored file.
async fn work(f: &Fixture, owner: &User) -> Uuid {
    let id = Uuid::new_v4();
    let key = format!("generated/images/{id}.txt");
    f.storage.put(&key, bytes::Bytes::from_static(b"pixels")).await.unwrap();
    let new = NewWork {
        id,
        user_id: owner.id,
        job_id: None,
        mode: Mode::Text2Img,
        prompt: "a cat".into(),
        negative_prompt: String::new(),
        params: serde_json::json!({}),
        original_key: key,
        thumbnail_key: None,
        width: None,
        height: None,
        duration_secs: None,
        model: "m".into(),
        credits_cost: 1,
        created_at: Utc::now(),
    };
    f.store.insert_work(new).await.unwrap().id
}

fn publish(id: Uuid, on: bool) -> PublishRequest {
    PublishRequest { work_id: Some(id), publish: Some(on), title: Some("Cat".into()) }
}

#[tokio::test]
async fn publishing_copies_into_the_gallery_and_unpublishing_removes_the_copy() {
    let f = fixture().await;
    let owner = user(&f.store, Role::User).await;
    let other = user(&f.store, Role::User).await;
    let id = work(&f, &owner).await;
    assert_eq!(f.works.publish(other.id, publish(id, true)).await.unwrap_err().code, "work_not_found");
    let w = f.works.publish(owner.id, publish(id, true)).await.unwrap();
    let copy = w.gallery_key.clone().expect("a gallery copy");
    assert!(f.storage.local().head(&copy).await.unwrap().is_some());
    assert_eq!(f.caches.gallery.load(Ordering::SeqCst), 1, "the cached gallery pages are dropped");
    let page = f.works.gallery(&gallery_query(None, None, None, None, None, None).unwrap()).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.has_more());
    assert_eq!(f.works.like(other.id, id).await.unwrap(), 1);
    assert_eq!(f.works.like(other.id, id).await.unwrap(), 1, "likes are idempotent");
    assert_eq!(f.works.unlike(other.id, id).await.unwrap(), 0);
    let w = f.works.publish(owner.id, publish(id, false)).await.unwrap();
    assert!(!w.is_public);
    assert!(f.storage.local().head(&copy).await.unwrap().is_none(), "the copy is gone");
    assert!(f.caches.files.load(Ordering::SeqCst) >= 1, "the removed files are forgotten");
    assert!(f.storage.local().head(&w.original_key).await.unwrap().is_some(), "the original stays");
    assert_eq!(f.works.history(owner.id, &HistoryRequest::default()).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn history_is_paged_and_deleted_only_by_its_owner() {
    let f = fixture().await;
    let owner = user(&f.store, Role::User).await;
    let other = user(&f.store, Role::User).await;
    let ids = [work(&f, &owner).await, work(&f, &owner).await, work(&f, &owner).await];
    let first = f.works.history(owner.id, &HistoryRequest { limit: Some(2), ..Default::default() }).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let rest = HistoryRequest { limit: Some(2), cursor: first.next_cursor.clone(), ..Default::default() };
    let second = f.works.history(owner.id, &rest).await.unwrap();
    assert_eq!(second.items.len(), 1);
    assert!(second.next_cursor.is_none());
    let bad = HistoryRequest { mode: Some("sculpture".into()), ..Default::default() };
    assert!(f.works.history(owner.id, &bad).await.is_err());
    assert_eq!(f.works.user_history(None, &HistoryRequest::default()).await.unwrap_err().code, "missing_user_id");
    assert_eq!(f.works.user_history(Some(Uuid::new_v4()), &bad).await.unwrap_err().code, "user_not_found", "the user is checked first");
    assert_eq!(f.works.delete_history(other.id, Some(ids[0]), None).await.unwrap_err().code, "work_not_found");
    assert_eq!(f.works.delete_history(owner.id, None, None).await.unwrap_err().code, "id_required");
    assert_eq!(f.works.delete_history(owner.id, Some(ids[0]), None).await.unwrap(), 1);
    assert_eq!(f.works.delete_history(owner.id, None, Some(true)).await.unwrap(), 2);
    assert!(f.works.history(owner.id, &HistoryRequest::default()).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn moderation_is_logged_and_checks_its_input() {
    let f = fixture().await;
    let admin = user(&f.store, Role::Admin).await;
    let owner = user(&f.store, Role::User).await;
    let id = work(&f, &owner).await;
    f.works.publish(owner.id, publish(id, true)).await.unwrap();
    assert_eq!(f.works.take_down(&admin, Uuid::new_v4()).await.unwrap_err().code, "work_not_found");
    assert_eq!(f.works.take_down(&admin, id).await.unwrap().len(), 1);
    assert!(f.works.take_down(&admin, id).await.unwrap().is_empty(), "a private work is skipped");
    let logs = f.store.list_logs(&LogFilter::default(), PageRequest { page: 1, size: 10 }).await.unwrap();
    assert_eq!(logs.items.iter().filter(|l| l.action == "admin_gallery_work_unpublished").count(), 1);
    let edit = |prompt: &str| miaojing_api_types::works::PromptEdit {
        work_id: Some(id),
        prompt: prompt.into(),
        email_subject: "s".into(),
        email_body: "b".into(),
        reason_key: "custom".into(),
    };
    assert_eq!(f.works.edit_prompt(&admin, edit(" ")).await.unwrap_err().code, "prompt_required");
    assert_eq!(f.works.edit_prompt(&admin, edit("new")).await.unwrap_err().code, "work_not_found", "only public works");
    let w = f.works.delete_by_admin(&admin, id).await.unwrap();
    assert!(f.storage.local().head(&w.original_key).await.unwrap().is_none(), "every file goes");
    assert_eq!(f.works.delete_by_admin(&admin, id).await.unwrap_err().code, "work_not_found");
}
