//! Gallery moderation, read from what the server actually serves: taking a work down
//! unpublishes it (its gallery copy answers 404, the owner's history keeps it); the explicit
//! admin delete removes the row and makes every URL of it answer 404; bulk unpublish; titles.
//! The take-down case runs on both backends with local disk and with object storage.
use bytes::Bytes;
use chrono::Utc;
use miaojing_api_types::ErrorCode;
use miaojing_domain::job::Mode;
use miaojing_domain::work::{NewWork, Publication};
use miaojing_storage::media::{Effort, Label};
use miaojing_storage::policy::watermark_cache_key;
use miaojing_works::{Backfilled, BACKFILL_DONE_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_error, Backend, TestApp};
use crate::on_both_backends;
use crate::storage::object_app_on;
use crate::works::user;

on_both_backends!(
    takedown_unpublishes_and_delete_removes_every_url,
    admins_unpublish_up_to_100_at_once,
    owners_unpublish_their_own_work,
    publishing_takes_a_bounded_title_found_by_search,
    works_published_before_gallery_copies_get_one,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takedown_and_delete_with_object_storage_on_sqlite() {
    takedown_unpublishes_and_delete_removes_every_url(object_app_on(Backend::Sqlite, miaojing_storage::Mode::Object).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takedown_and_delete_with_object_storage_on_postgres() {
    takedown_unpublishes_and_delete_removes_every_url(object_app_on(Backend::Postgres, miaojing_storage::Mode::Object).await).await
}

fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(96, 64, |x, y| image::Rgb([(x * 3) as u8 ^ seed, (y * 5) as u8, seed]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A finished image work stored as the job runner stores it (original + thumbnail).
async fn stored_work(app: &TestApp, owner: Uuid, prompt: &str) -> Uuid {
    let id = Uuid::new_v4();
    let key = format!("generated/images/{}-{}.png", Utc::now().timestamp_millis(), &id.simple().to_string()[..12]);
    let derived = app
        .state
        .storage
        .put_image(&key, Bytes::from(png(id.as_bytes()[0])), Some(&Label::ai_generated(id.to_string())), Effort::Fast)
        .await
        .expect("stored");
    assert!(derived.thumbnail_key.is_some(), "the thumbnail is made with the original");
    let work = NewWork {
        id,
        user_id: owner,
        job_id: None,
        mode: Mode::Text2Img,
        prompt: prompt.into(),
        negative_prompt: String::new(),
        params: json!({}),
        original_key: key,
        thumbnail_key: derived.thumbnail_key,
        width: Some(96),
        height: Some(64),
        duration_secs: None,
        model: "flux".into(),
        credits_cost: 2,
        created_at: Utc::now(),
    };
    app.store.insert_work(work).await.expect("work stored");
    id
}

/// The status of a GET of `url` (a path of this server), anonymous.
async fn status(app: &TestApp, url: &str) -> u16 {
    app.client.get(format!("{}{url}", app.base)).send().await.unwrap().status().as_u16()
}

fn key_of(url: &str) -> String {
    url.strip_prefix("/api/local-storage/").unwrap_or_else(|| panic!("a stored file's URL: {url}")).to_string()
}

async fn publish(app: &TestApp, token: &str, id: Uuid, title: Option<&str>) -> Value {
    let (s, v) = app.post("/api/gallery/publish", json!({ "workId": id, "title": title }), Some(token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// The caller's history record of `id`, if listed.
async fn history_record(app: &TestApp, token: &str, id: Uuid) -> Option<Value> {
    let (s, h) = app.get("/api/creation-history?limit=100", Some(token)).await;
    assert_eq!(s, StatusCode::OK, "{h}");
    h["records"].as_array().unwrap().iter().find(|r| r["id"] == id.to_string()).cloned()
}

async fn anonymous_gallery(app: &TestApp) -> Vec<Value> {
    let (s, g) = app.get("/api/gallery", None).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    g["works"].as_array().unwrap().clone()
}

/// Whether `key` is still held anywhere (local disk or the bucket).
async fn held(app: &TestApp, key: &str) -> bool {
    let local = app.state.storage.local().head(key).await.unwrap().is_some();
    let object = match app.state.storage.object() {
        Some(o) => o.head(key).await.unwrap().is_some(),
        None => false,
    };
    local || object
}

async fn takedown_unpublishes_and_delete_removes_every_url(app: TestApp) {
    let (token, owner) = user(&app, "creator").await;
    let admin = app.admin_token().await;
    let id = stored_work(&app, owner, "a lighthouse in fog").await;
    let v = publish(&app, &token, id, Some("Fog Light")).await;
    assert_eq!((v["published"].as_bool(), v["title"].as_str()), (Some(true), Some("Fog Light")), "{v}");

    // The gallery shows the gallery copy (not the owner's original), and it is served.
    let listed = anonymous_gallery(&app).await;
    assert_eq!(listed.len(), 1);
    let (copy_url, copy_thumb) = (listed[0]["url"].as_str().unwrap().to_string(), listed[0]["thumbnailUrl"].as_str().unwrap().to_string());
    assert_eq!(v["resultUrl"], copy_url.as_str());
    assert!(copy_url.starts_with("/api/local-storage/gallery/images/"), "{copy_url}");
    let original = history_record(&app, &token, id).await.expect("in the history");
    let (orig_url, orig_thumb) = (original["url"].as_str().unwrap().to_string(), original["thumbnailUrl"].as_str().unwrap().to_string());
    assert_ne!(orig_url, copy_url);
    for url in [&copy_url, &copy_thumb, &orig_url, &orig_thumb] {
        assert_eq!(status(&app, url).await, 200, "{url} is served while published");
    }
    assert_eq!(status(&app, &copy_thumb).await, 200, "served from the in-memory cache the second time");
    let copy_render = format!("/api/local-storage/{}", watermark_cache_key(&key_of(&copy_url)));
    assert_eq!(status(&app, &copy_render).await, 200, "the watermarked render has a URL too");
    if app.state.storage.object().is_some() {
        assert!(app.state.storage.object().unwrap().head(&key_of(&copy_url)).await.unwrap().is_some(), "the copy is in the bucket");
    }

    // (a) The default take-down unpublishes: out of the gallery at once, the gallery copy
    // and everything derived from it answer 404, the owner's history and original stay.
    assert_error(&app.delete(&format!("/api/admin/gallery/works/{id}"), Some(&token)).await, 403, ErrorCode::AdminRequired);
    let (s, v) = app.delete(&format!("/api/admin/gallery/works/{id}"), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["removed"].as_u64(), v["ids"].clone()), (Some(1), json!([id])), "{v}");
    assert!(anonymous_gallery(&app).await.is_empty(), "the cached anonymous page is dropped at once");
    assert_eq!(app.get("/api/admin/gallery/works", Some(&admin)).await.1["total"], 0);
    for url in [&copy_url, &copy_thumb, &copy_render] {
        assert_eq!(status(&app, url).await, 404, "{url} is no longer served");
    }
    let dl = format!("/api/download?url={}", urlencode(&copy_url));
    assert_eq!(status(&app, &dl).await, 404, "nor downloadable");
    assert!(!held(&app, &key_of(&copy_url)).await && !held(&app, &key_of(&copy_thumb)).await, "the copy's files are removed");
    let kept = history_record(&app, &token, id).await.expect("the owner's history keeps the work");
    assert_eq!((kept["published"].as_bool(), kept["url"].as_str()), (Some(false), Some(orig_url.as_str())));
    for url in [&orig_url, &orig_thumb] {
        assert_eq!(status(&app, url).await, 200, "the owner's {url} stays");
    }
    let (s, v) = app.delete(&format!("/api/admin/gallery/works/{id}"), Some(&admin)).await;
    assert_eq!((s, v["removed"].as_u64()), (StatusCode::OK, Some(0)), "taking down a private work changes nothing: {v}");
    let logs = app.get("/api/admin/logs?type=admin", Some(&admin)).await.1.to_string();
    assert!(logs.contains("admin_gallery_work_unpublished") && !logs.contains("lighthouse in fog"), "{logs}");

    // Published again, it gets a fresh copy; (b) the explicit delete removes the row and
    // makes every URL of it answer 404.
    let v = publish(&app, &token, id, None).await;
    assert_eq!(v["title"], "Fog Light", "the title is kept");
    let listed = anonymous_gallery(&app).await;
    let (copy_url, copy_thumb) = (listed[0]["url"].as_str().unwrap().to_string(), listed[0]["thumbnailUrl"].as_str().unwrap().to_string());
    let orig_render = format!("/api/local-storage/{}", watermark_cache_key(&key_of(&orig_url)));
    let thumb_render = format!("/api/local-storage/{}", watermark_cache_key(&key_of(&orig_thumb)));
    let every = [&orig_url, &orig_thumb, &copy_url, &copy_thumb, &orig_render, &thumb_render];
    for url in every {
        assert_eq!(status(&app, url).await, 200, "{url} is served before the delete");
    }
    assert_error(&app.delete(&format!("/api/admin/works/{id}"), Some(&token)).await, 403, ErrorCode::AdminRequired);
    let (s, v) = app.delete(&format!("/api/admin/works/{id}"), Some(&admin)).await;
    assert_eq!((s, v["deleted"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    for url in every {
        assert_eq!(status(&app, url).await, 404, "{url} answers 404 after the delete");
        assert!(!held(&app, &key_of(url)).await, "{url}: the file is removed");
    }
    assert!(anonymous_gallery(&app).await.is_empty());
    assert!(history_record(&app, &token, id).await.is_none(), "the row is gone");
    assert!(app.store.work_by_id(id).await.unwrap().is_none());
    assert!(app.state.storage.local().list("watermarked/").await.unwrap().is_empty(), "no render is left");
    assert_error(&app.delete(&format!("/api/admin/works/{id}"), Some(&admin)).await, 404, ErrorCode::WorkNotFound);
    assert_error(&app.delete(&format!("/api/admin/gallery/works/{id}"), Some(&admin)).await, 404, ErrorCode::WorkNotFound);
    assert!(app.get("/api/admin/logs?type=admin", Some(&admin)).await.1.to_string().contains("admin_work_deleted"));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn admins_unpublish_up_to_100_at_once(app: TestApp) {
    let (token, owner) = user(&app, "bulk").await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = stored_work(&app, owner, &format!("bulk {i}")).await;
        publish(&app, &token, id, None).await;
        ids.push(id);
    }
    let keep = stored_work(&app, owner, "stays public").await;
    publish(&app, &token, keep, None).await;
    let copies: Vec<String> = anonymous_gallery(&app)
        .await
        .iter()
        .filter(|w| w["id"] != keep.to_string())
        .map(|w| w["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(copies.len(), 3);

    let call = |path: String, body: Option<Value>, who: Option<String>| {
        let app = &app;
        async move { app.call(reqwest::Method::DELETE, &path, body, who.as_deref()).await }
    };
    assert_error(&call("/api/gallery".into(), Some(json!({ "ids": ids })), None).await, 401, ErrorCode::Unauthenticated);
    assert_error(&call("/api/gallery".into(), Some(json!({ "ids": ids })), Some(token.clone())).await, 403, ErrorCode::AdminRequired);
    assert_error(&call("/api/gallery".into(), None, Some(admin.clone())).await, 400, ErrorCode::IdsRequired);
    assert_error(&call("/api/gallery".into(), Some(json!({ "ids": "all" })), Some(admin.clone())).await, 400, ErrorCode::InvalidIds);
    let many: Vec<Uuid> = (0..101).map(|_| Uuid::new_v4()).collect();
    assert_error(&call("/api/gallery".into(), Some(json!({ "ids": many })), Some(admin.clone())).await, 400, ErrorCode::TooManyIds);
    assert_eq!(anonymous_gallery(&app).await.len(), 4, "refused calls change nothing");

    // `?id=` and the body merge; duplicates and unknown ids are harmless.
    let body = json!({ "ids": [ids[1], ids[2], ids[0], Uuid::new_v4()] });
    let (s, v) = call(format!("/api/gallery?id={}", ids[0]), Some(body), Some(admin.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["removed"], 3, "{v}");
    let mut got: Vec<String> = v["ids"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_string()).collect();
    let mut want: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let left = anonymous_gallery(&app).await;
    assert_eq!(left.iter().map(|w| w["id"].as_str().unwrap().to_string()).collect::<Vec<_>>(), vec![keep.to_string()]);
    for url in &copies {
        assert_eq!(status(&app, url).await, 404, "{url}");
    }
    for id in &ids {
        let r = history_record(&app, &token, *id).await.expect("kept in the owner's history");
        assert_eq!(r["published"], false);
        assert_eq!(status(&app, r["url"].as_str().unwrap()).await, 200);
    }
    let (s, v) = call(format!("/api/gallery?id={}", ids[0]), None, Some(admin.clone())).await;
    assert_eq!((s, v["removed"].as_u64()), (StatusCode::OK, Some(0)), "{v}");
}

async fn owners_unpublish_their_own_work(app: TestApp) {
    let (token, owner) = user(&app, "owner").await;
    let (other, _) = user(&app, "other").await;
    let id = stored_work(&app, owner, "my own").await;
    let v = publish(&app, &token, id, Some("Mine")).await;
    let copy = v["resultUrl"].as_str().unwrap().to_string();
    assert_eq!(status(&app, &copy).await, 200);
    assert_error(
        &app.post("/api/gallery/publish", json!({ "workId": id, "publish": false }), Some(&other)).await,
        404,
        ErrorCode::WorkNotFound,
    );
    assert_eq!(anonymous_gallery(&app).await.len(), 1, "someone else cannot unpublish it");
    let (s, v) = app.post("/api/gallery/publish", json!({ "workId": id, "publish": false }), Some(&token)).await;
    assert_eq!((s, v["published"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
    assert!(anonymous_gallery(&app).await.is_empty());
    assert_eq!(status(&app, &copy).await, 404, "the gallery copy is no longer served");
    let r = history_record(&app, &token, id).await.expect("kept");
    assert_eq!((r["published"].as_bool(), r["title"].as_str()), (Some(false), Some("Mine")));
    assert_eq!(status(&app, r["url"].as_str().unwrap()).await, 200);
    assert_eq!(v["resultUrl"], r["url"], "unpublishing answers with the original");
}

async fn publishing_takes_a_bounded_title_found_by_search(app: TestApp) {
    let (token, owner) = user(&app, "titled").await;
    let admin = app.admin_token().await;
    let id = stored_work(&app, owner, "prompt words only").await;
    let other = stored_work(&app, owner, "another prompt").await;
    let long = "题".repeat(81);
    assert_error(
        &app.post("/api/gallery/publish", json!({ "workId": id, "title": long }), Some(&token)).await,
        400,
        ErrorCode::InvalidTitle,
    );
    assert_error(
        &app.post("/api/gallery/publish", json!({ "workId": id, "title": "two\nlines" }), Some(&token)).await,
        400,
        ErrorCode::InvalidTitle,
    );
    assert_error(&app.post("/api/gallery/publish", json!({ "workId": id, "title": 5 }), Some(&token)).await, 400, ErrorCode::InvalidField);
    assert!(anonymous_gallery(&app).await.is_empty(), "a refused title publishes nothing");
    assert!(!held(&app, &format!("gallery/images/{id}.png")).await, "and copies nothing");

    let exact = "湖".repeat(80);
    let v = publish(&app, &token, id, Some(&format!("  {exact}  "))).await;
    assert_eq!(v["title"], exact.as_str(), "trimmed, 80 characters allowed");
    let v = publish(&app, &token, id, Some("Quiet Lake")).await;
    assert_eq!(v["title"], "Quiet Lake", "publishing again changes the title");
    publish(&app, &token, other, None).await;

    let (_, g) = app.get("/api/gallery?q=quiet%20LAKE", None).await;
    assert_eq!(g["works"].as_array().unwrap().len(), 1, "{g}");
    assert_eq!((g["works"][0]["id"].as_str(), g["works"][0]["title"].as_str()), (Some(id.to_string().as_str()), Some("Quiet Lake")));
    let (_, g) = app.get("/api/gallery?search=another", None).await;
    assert_eq!((g["works"][0]["id"].as_str(), g["works"][0]["title"].as_str()), (Some(other.to_string().as_str()), Some("")), "{g}");
    let (_, a) = app.get("/api/admin/gallery/works?q=quiet", Some(&admin)).await;
    assert_eq!((a["total"].as_i64(), a["works"][0]["title"].as_str()), (Some(1), Some("Quiet Lake")), "{a}");
    assert_eq!(history_record(&app, &token, id).await.unwrap()["title"], "Quiet Lake");
    let v = publish(&app, &token, id, Some("   ")).await;
    assert_eq!(v["title"], "", "a blank title clears it");
}

/// A work published before gallery copies existed (its row has no copy, the gallery showed its
/// original) gets a copy from the start-up backfill: the gallery then shows the copy, and
/// taking the work down makes that copy answer 404 while the owner keeps the original. The
/// backfill runs once, and never publishes a work again.
async fn works_published_before_gallery_copies_get_one(app: TestApp) {
    // The start-up pass found an empty gallery and recorded itself; pretend it never ran.
    for _ in 0..200 {
        if app.store.get_setting(BACKFILL_DONE_KEY).await.unwrap().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.store.get_setting(BACKFILL_DONE_KEY).await.unwrap(), Some(json!({ "done": true })), "the start-up pass ran");
    app.store.put_setting(BACKFILL_DONE_KEY, &json!({ "done": false })).await.unwrap();
    let (token, owner) = user(&app, "veteran").await;
    let legacy = stored_work(&app, owner, "an old harbour").await;
    let private = stored_work(&app, owner, "never shown").await;
    app.store.publish_work(owner, legacy, &Publication::default(), Utc::now()).await.unwrap().expect("published the old way");
    let before = anonymous_gallery(&app).await;
    let original_url = history_record(&app, &token, legacy).await.unwrap()["url"].as_str().unwrap().to_string();
    assert_eq!(before[0]["url"], original_url.as_str(), "the old way shows the original");

    assert_eq!(app.state.works.backfill_gallery_copies().await.unwrap(), Backfilled { copied: 1, failed: 0 });
    let copy_url = format!("/api/local-storage/gallery/images/{legacy}.png");
    let after = anonymous_gallery(&app).await;
    assert_eq!((after.len(), after[0]["url"].as_str()), (1, Some(copy_url.as_str())), "the gallery shows the copy at once");
    let thumb = after[0]["thumbnailUrl"].as_str().unwrap().to_string();
    assert!(thumb.contains("gallery/images/"), "the copy has its own thumbnail: {thumb}");
    for url in [&copy_url, &thumb] {
        assert_eq!(status(&app, url).await, 200, "{url} is served");
    }
    assert!(!held(&app, &format!("gallery/images/{private}.png")).await, "private works get no copy");
    assert_eq!(app.state.works.backfill_gallery_copies().await.unwrap(), Backfilled::default(), "it runs once");

    let (s, v) = app.post("/api/gallery/publish", json!({ "workId": legacy, "publish": false }), Some(&token)).await;
    assert_eq!((s, v["published"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
    for url in [&copy_url, &thumb] {
        assert_eq!(status(&app, url).await, 404, "{url} is gone with the take-down");
    }
    assert_eq!(status(&app, &original_url).await, 200, "the owner's original stays");
    let w = app.store.work_by_id(legacy).await.unwrap().unwrap();
    assert!(!w.is_public && w.gallery_key.is_none());
}
