//! Creation history, the public gallery, likes and admin moderation (works seeded through the
//! store, as the job runner writes them).
use chrono::{DateTime, Duration, Utc};
use miaojing_api_types::ErrorCode;
use miaojing_domain::job::{Mode, ModelCallRecord, NewJob};
use miaojing_domain::work::NewWork;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(
    history_is_scoped_paged_and_light,
    history_delete_needs_an_id_or_all,
    users_never_touch_others_private_works,
    gallery_filters_and_searches,
    gallery_pages_are_stable_while_works_arrive,
    popular_sort_follows_real_likes,
    publish_copies_into_the_gallery_and_unpublishes,
    likes_are_idempotent,
    anonymous_pages_follow_writes_at_once,
    bad_input_is_a_clear_error,
    admin_moderation_lists_and_takes_down,
    prompt_edit_mails_the_author_first,
    prompt_edit_fails_closed_without_mail,
);

/// A user: (token, id).
pub(crate) async fn user(app: &TestApp, name: &str) -> (String, Uuid) {
    let n = &Uuid::new_v4().simple().to_string()[..8];
    let (token, u) = app.register(&format!("{name}-{n}@example.com"), &format!("{name}{n}")).await;
    (token, u["id"].as_str().and_then(|s| Uuid::try_parse(s).ok()).expect("user id"))
}

/// Stores a work as the runner would, optionally published.
async fn seed(app: &TestApp, owner: Uuid, mode: Mode, prompt: &str, model: &str, at: DateTime<Utc>, public: bool) -> Uuid {
    let id = Uuid::new_v4();
    let work = NewWork {
        id,
        user_id: owner,
        job_id: None,
        mode,
        prompt: prompt.into(),
        negative_prompt: String::new(),
        params: json!({ "size": "1024x1024" }),
        original_key: format!("works/{owner}/{id}.png"),
        thumbnail_key: Some(format!("thumbs/{owner}/{id}.webp")),
        width: Some(1024),
        height: Some(1024),
        duration_secs: None,
        model: model.into(),
        credits_cost: 5,
        created_at: at,
    };
    // Files behind the keys, so publishing can copy them.
    app.state.storage.put(&work.original_key, bytes::Bytes::from_static(b"not decoded here")).await.expect("original stored");
    app.store.insert_work(work).await.expect("work stored");
    if public {
        let p = miaojing_domain::work::Publication::default();
        app.store.publish_work(owner, id, &p, at).await.expect("published").expect("owned");
    }
    id
}

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list].as_array().unwrap_or_else(|| panic!("{list} in {v}")).iter().map(|w| w["id"].as_str().unwrap().to_string()).collect()
}

async fn history_is_scoped_paged_and_light(app: TestApp) {
    let (token, me) = user(&app, "hist").await;
    let t0 = Utc::now() - Duration::hours(1);
    let mut images = Vec::new();
    for i in 0..5 {
        images.push(seed(&app, me, Mode::Text2Img, &format!("cat {i}"), "flux", t0 + Duration::seconds(i), false).await);
    }
    let video = seed(&app, me, Mode::Text2Video, "a wave", "veo", t0 + Duration::seconds(10), false).await;

    let (s, all) = app.get("/api/creation-history", Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(ids(&all, "records")[0], video.to_string(), "newest first");
    assert_eq!(all["records"].as_array().unwrap().len(), 6);
    let first = &all["records"][0];
    assert_eq!(first["type"], "video");
    assert!(first["thumbnailUrl"].as_str().unwrap().starts_with("/api/local-storage/thumbs/"), "{first}");
    assert!(first["url"].as_str().unwrap().starts_with("/api/local-storage/works/"));
    assert!(!all.to_string().contains("data:"), "no data URLs");
    assert!(all["nextCursor"].is_null());

    // Mode scope, limit and cursor walk the images newest first without overlap.
    let mut seen = Vec::new();
    let mut path = "/api/creation-history?mode=text2img&limit=2".to_string();
    loop {
        let (s, page) = app.get(&path, Some(&token)).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page["records"].as_array().unwrap().iter().all(|r| r["mode"] == "text2img"));
        seen.extend(ids(&page, "records"));
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("/api/creation-history?mode=text2img&limit=2&cursor={c}"),
            None => break,
        }
    }
    let expected: Vec<String> = images.iter().rev().map(Uuid::to_string).collect();
    assert_eq!(seen, expected);
    assert_error(&app.get("/api/creation-history", None).await, 401, ErrorCode::Unauthenticated);
}

async fn history_delete_needs_an_id_or_all(app: TestApp) {
    let (token, me) = user(&app, "del").await;
    let now = Utc::now();
    let a = seed(&app, me, Mode::Text2Img, "a", "flux", now, false).await;
    seed(&app, me, Mode::Text2Img, "b", "flux", now, false).await;
    seed(&app, me, Mode::Img2Img, "c", "flux", now, true).await;

    assert_error(&app.delete("/api/creation-history", Some(&token)).await, 400, ErrorCode::IdRequired);
    assert_error(&app.delete("/api/creation-history?all=false", Some(&token)).await, 400, ErrorCode::IdRequired);
    assert_eq!(app.get("/api/creation-history", Some(&token)).await.1["records"].as_array().unwrap().len(), 3, "nothing deleted");

    let (s, v) = app.delete(&format!("/api/creation-history?id={a}"), Some(&token)).await;
    assert_eq!((s, v["deleted"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    assert!(app.store.work_by_id(a).await.unwrap().is_none());
    assert_error(&app.delete(&format!("/api/creation-history?id={a}"), Some(&token)).await, 404, ErrorCode::WorkNotFound);

    let (s, v) = app.delete("/api/creation-history?all=true", Some(&token)).await;
    assert_eq!((s, v["deleted"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    assert_eq!(app.get("/api/creation-history", Some(&token)).await.1["records"], json!([]));
    assert_eq!(app.get("/api/gallery", None).await.1["works"], json!([]), "a deleted public work leaves the gallery");
}

async fn users_never_touch_others_private_works(app: TestApp) {
    let (alice, alice_id) = user(&app, "alice").await;
    let (bob, _) = user(&app, "bob").await;
    let private = seed(&app, alice_id, Mode::Text2Img, "secret garden", "flux", Utc::now(), false).await;
    let public = seed(&app, alice_id, Mode::Text2Img, "open field", "flux", Utc::now(), true).await;

    assert_eq!(app.get("/api/creation-history", Some(&bob)).await.1["records"], json!([]));
    assert_error(&app.delete(&format!("/api/creation-history?id={private}"), Some(&bob)).await, 404, ErrorCode::WorkNotFound);
    assert_error(&app.delete(&format!("/api/creation-history?id={public}"), Some(&bob)).await, 404, ErrorCode::WorkNotFound);
    let (s, v) = app.delete("/api/creation-history?all=true", Some(&bob)).await;
    assert_eq!((s, v["deleted"].as_u64()), (StatusCode::OK, Some(0)));
    assert_error(&app.post("/api/gallery/publish", json!({ "workId": private }), Some(&bob)).await, 404, ErrorCode::WorkNotFound);
    assert_error(
        &app.post("/api/gallery/publish", json!({ "workId": public, "publish": false }), Some(&bob)).await,
        404,
        ErrorCode::WorkNotFound,
    );
    assert_error(&app.post(&format!("/api/gallery/{private}/like"), json!({}), Some(&bob)).await, 404, ErrorCode::WorkNotFound);

    let (_, g) = app.get("/api/gallery?q=secret", Some(&bob)).await;
    assert_eq!(g["works"], json!([]), "private works never appear: {g}");
    assert_eq!(ids(&app.get("/api/gallery", Some(&bob)).await.1, "works"), vec![public.to_string()]);
    assert_eq!(app.get("/api/creation-history", Some(&alice)).await.1["records"].as_array().unwrap().len(), 2, "alice keeps both");
}

async fn gallery_filters_and_searches(app: TestApp) {
    let (_, painter) = user(&app, "painter").await;
    let n = &Uuid::new_v4().simple().to_string()[..6];
    let (_, u) = app.register_with(json!({ "email": format!("lin-{n}@example.com"), "nickname": format!("Lin{n}"), "password": "passw0rd-ok", "acceptedTerms": true })).await;
    let lin = Uuid::try_parse(u["id"].as_str().unwrap()).unwrap();
    let t = Utc::now() - Duration::minutes(5);
    let cat = seed(&app, painter, Mode::Text2Img, "A Sleeping Cat on a sofa", "flux-dev", t, true).await;
    let edit = seed(&app, painter, Mode::Img2Img, "a dog", "sdxl-turbo", t + Duration::seconds(1), true).await;
    let wave = seed(&app, lin, Mode::Text2Video, "ocean wave", "veo-3", t + Duration::seconds(2), true).await;
    seed(&app, painter, Mode::Text2Img, "hidden cat", "flux-dev", t + Duration::seconds(3), false).await;

    let get = |q: &str| {
        let p = format!("/api/gallery{q}");
        let app = &app;
        async move {
            let (s, v) = app.get(&p, None).await;
            assert_eq!(s, StatusCode::OK, "{p}: {v}");
            v
        }
    };
    assert_eq!(ids(&get("").await, "works"), vec![wave.to_string(), edit.to_string(), cat.to_string()]);
    assert_eq!(ids(&get("?category=text2img").await, "works"), vec![cat.to_string()]);
    assert_eq!(ids(&get("?category=image").await, "works"), vec![edit.to_string(), cat.to_string()]);
    assert_eq!(ids(&get("?category=video").await, "works"), vec![wave.to_string()]);
    assert_eq!(ids(&get("?q=sleeping%20CAT").await, "works"), vec![cat.to_string()], "prompt, ignoring case");
    assert_eq!(ids(&get("?search=SDXL").await, "works"), vec![edit.to_string()], "model");
    assert_eq!(ids(&get(&format!("?q=lin{n}")).await, "works"), vec![wave.to_string()], "author");
    assert_eq!(get("?q=100%25_").await["works"], json!([]), "LIKE wildcards are literal");
    let w = &get("?category=video").await["works"][0];
    assert!(w["publisherNickname"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!((w["likes"].as_i64(), w["liked"].as_bool()), (Some(0), Some(false)));
    assert!(w.get("authorEmail").is_none_or(Value::is_null), "no e-mail in the public gallery: {w}");
}

async fn gallery_pages_are_stable_while_works_arrive(app: TestApp) {
    let (_, owner) = user(&app, "stable").await;
    let t0 = Utc::now() - Duration::hours(2);
    let mut expected = Vec::new();
    // Equal publication times force the id tiebreak.
    for i in 0..25 {
        expected.push(seed(&app, owner, Mode::Text2Img, &format!("w{i}"), "flux", t0 + Duration::seconds(i / 2), true).await);
    }
    for sort in ["latest", "popular"] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/gallery?sort={sort}&limit=4&cursor={c}"),
                None => format!("/api/gallery?sort={sort}&limit=4"),
            };
            let (s, page) = app.get(&path, None).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            seen.extend(ids(&page, "works"));
            // New works keep arriving between pages; they sort before the cursor.
            seed(&app, owner, Mode::Text2Img, "late arrival", "flux", Utc::now(), true).await;
            pages += 1;
            assert_eq!(page["hasMore"].as_bool().unwrap(), page["nextCursor"].is_string());
            match page["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let uniq: std::collections::HashSet<&String> = seen.iter().collect();
        assert_eq!(uniq.len(), seen.len(), "{sort}: no duplicates");
        let mut sorted_expected: Vec<(DateTime<Utc>, String)> = Vec::new();
        for id in &expected {
            let w = app.store.work_by_id(*id).await.unwrap().unwrap();
            sorted_expected.push((w.published_at.unwrap(), id.to_string()));
        }
        sorted_expected.sort_by(|a, b| b.cmp(a));
        let exp: Vec<String> = sorted_expected.into_iter().map(|(_, id)| id).collect();
        let ours: Vec<String> = seen.iter().filter(|id| exp.contains(id)).cloned().collect();
        assert_eq!(ours, exp, "{sort}: every seeded work once, in order, no gaps");
        assert!(pages >= 7, "{sort}: {pages} pages");
    }
}

async fn popular_sort_follows_real_likes(app: TestApp) {
    let (_, owner) = user(&app, "pop").await;
    let mut fans = Vec::new();
    for i in 0..3 {
        fans.push(user(&app, &format!("fan{i}")).await.0);
    }
    let t = Utc::now() - Duration::minutes(10);
    let old = seed(&app, owner, Mode::Text2Img, "old", "flux", t, true).await;
    let mid = seed(&app, owner, Mode::Text2Img, "mid", "flux", t + Duration::seconds(1), true).await;
    let new = seed(&app, owner, Mode::Text2Img, "new", "flux", t + Duration::seconds(2), true).await;
    for f in &fans {
        assert_eq!(app.post(&format!("/api/gallery/{old}/like"), json!({}), Some(f)).await.0, StatusCode::OK);
    }
    app.post(&format!("/api/gallery/{mid}/like"), json!({}), Some(&fans[0])).await;
    let (_, v) = app.get("/api/gallery?sort=popular", None).await;
    assert_eq!(ids(&v, "works"), vec![old.to_string(), mid.to_string(), new.to_string()]);
    assert_eq!(v["works"][0]["likes"], 3);
    let (_, v) = app.get("/api/gallery?sort=popular&limit=1", None).await;
    let (_, v2) = app.get(&format!("/api/gallery?sort=popular&limit=1&cursor={}", v["nextCursor"].as_str().unwrap()), None).await;
    assert_eq!(ids(&v2, "works"), vec![mid.to_string()]);
    assert_eq!(ids(&app.get("/api/gallery?sort=latest", None).await.1, "works"), vec![new.to_string(), mid.to_string(), old.to_string()]);
}

async fn publish_copies_into_the_gallery_and_unpublishes(app: TestApp) {
    let (token, me) = user(&app, "pub").await;
    let id = seed(&app, me, Mode::Text2Img, "sunrise", "flux", Utc::now(), false).await;
    let before = app.store.work_by_id(id).await.unwrap().unwrap();
    assert_eq!(app.get("/api/gallery", None).await.1["works"], json!([]));

    let (s, v) = app.post("/api/gallery/publish", json!({ "workId": id }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["published"], true);
    assert_eq!(v["resultUrl"], format!("/api/local-storage/gallery/images/{id}.png"), "the gallery copy");
    let after = app.store.work_by_id(id).await.unwrap().unwrap();
    assert_eq!((&after.original_key, &after.thumbnail_key), (&before.original_key, &before.thumbnail_key), "the history row is unchanged");
    let (_, g) = app.get("/api/gallery", None).await;
    assert_eq!(ids(&g, "works"), vec![id.to_string()]);
    assert_eq!(g["works"][0]["url"], format!("/api/local-storage/gallery/images/{id}.png"));
    let (_, h) = app.get("/api/creation-history", Some(&token)).await;
    assert_eq!(h["records"][0]["published"], true);
    assert_eq!(h["records"][0]["url"], format!("/api/local-storage/works/{me}/{id}.png"), "the history shows the original");

    let (s, v) = app.post("/api/gallery/publish", json!({ "workId": id, "publish": false }), Some(&token)).await;
    assert_eq!((s, &v["published"]), (StatusCode::OK, &json!(false)), "{v}");
    assert_eq!(app.get("/api/gallery", None).await.1["works"], json!([]));
    assert!(app.store.work_by_id(id).await.unwrap().is_some(), "unpublishing keeps the work");
    assert_error(&app.post("/api/gallery/publish", json!({}), Some(&token)).await, 400, ErrorCode::WorkIdRequired);
    assert_error(&app.post("/api/gallery/publish", json!({ "workId": Uuid::new_v4() }), Some(&token)).await, 404, ErrorCode::WorkNotFound);
    assert_error(&app.post("/api/gallery/publish", json!({ "workId": id }), None).await, 401, ErrorCode::Unauthenticated);
}

async fn likes_are_idempotent(app: TestApp) {
    let (_, owner) = user(&app, "liked").await;
    let (a, _) = user(&app, "la").await;
    let (b, _) = user(&app, "lb").await;
    let id = seed(&app, owner, Mode::Text2Img, "like me", "flux", Utc::now(), true).await;
    let like = format!("/api/gallery/{id}/like");
    for _ in 0..3 {
        let (s, v) = app.post(&like, json!({}), Some(&a)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["liked"].as_bool(), v["likes"].as_i64()), (Some(true), Some(1)), "{v}");
    }
    let (_, v) = app.post(&like, json!({}), Some(&b)).await;
    assert_eq!(v["likes"], 2);
    let (_, g) = app.get("/api/gallery", Some(&a)).await;
    assert_eq!((g["works"][0]["likes"].as_i64(), g["works"][0]["liked"].as_bool()), (Some(2), Some(true)));
    let (_, g) = app.get("/api/gallery", None).await;
    assert_eq!((g["works"][0]["likes"].as_i64(), g["works"][0]["liked"].as_bool()), (Some(2), Some(false)));
    for _ in 0..2 {
        let (s, v) = app.delete(&like, Some(&a)).await;
        assert_eq!((s, v["liked"].as_bool(), v["likes"].as_i64()), (StatusCode::OK, Some(false), Some(1)), "{v}");
    }
    let (_, g) = app.get("/api/gallery", Some(&a)).await;
    assert_eq!((g["works"][0]["likes"].as_i64(), g["works"][0]["liked"].as_bool()), (Some(1), Some(false)));
    assert_error(&app.post(&like, json!({}), None).await, 401, ErrorCode::Unauthenticated);
    assert_error(&app.delete(&like, None).await, 401, ErrorCode::Unauthenticated);
    assert_error(&app.post(&format!("/api/gallery/{}/like", Uuid::new_v4()), json!({}), Some(&a)).await, 404, ErrorCode::WorkNotFound);
    assert_eq!(app.store.work_by_id(id).await.unwrap().unwrap().like_count, 1, "stored count matches");
}

/// Anonymous gallery pages are served from memory; every write that changes them is seen at once.
async fn anonymous_pages_follow_writes_at_once(app: TestApp) {
    let (author, owner) = user(&app, "cached").await;
    let (fan, _) = user(&app, "fan").await;
    let id = seed(&app, owner, Mode::Text2Img, "lighthouse", "flux", Utc::now(), false).await;
    assert_eq!(anon(&app).await["works"], json!([]));
    app.post("/api/gallery/publish", json!({ "workId": id }), Some(&author)).await;
    assert_eq!(ids(&anon(&app).await, "works"), vec![id.to_string()], "publishing shows at once");
    app.post(&format!("/api/gallery/{id}/like"), json!({}), Some(&fan)).await;
    assert_eq!(anon(&app).await["works"][0]["likes"], 1, "a like shows at once");
    let (s, v) = app.put("/api/profile", json!({ "nickname": "Keeper" }), Some(&author)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(anon(&app).await["works"][0]["publisherNickname"], "Keeper", "a new nickname shows at once");
    app.delete(&format!("/api/gallery/{id}/like"), Some(&fan)).await;
    assert_eq!(anon(&app).await["works"][0]["likes"], 0);
    app.post("/api/gallery/publish", json!({ "workId": id, "publish": false }), Some(&author)).await;
    assert_eq!(anon(&app).await["works"], json!([]), "unpublishing hides at once");
}

/// The first gallery page as a visitor who is not signed in sees it.
async fn anon(app: &TestApp) -> Value {
    app.get("/api/gallery?limit=18", None).await.1
}

async fn bad_input_is_a_clear_error(app: TestApp) {
    let (token, me) = user(&app, "bad").await;
    seed(&app, me, Mode::Text2Img, "x", "flux", Utc::now(), true).await;
    let admin = app.admin_token().await;
    for (path, code) in [
        ("/api/gallery?cursor=garbage", "invalid_cursor"),
        ("/api/gallery?cursor=1.2.notauuid", "invalid_cursor"),
        ("/api/gallery?cursor=1.99999999999999999999999.00000000000000000000000000000000", "invalid_cursor"),
        ("/api/gallery?sort=random", "invalid_sort"),
        ("/api/gallery?category=painting", "invalid_mode"),
        ("/api/gallery?limit=abc", "invalid_query"),
        ("/api/creation-history?cursor=%00%01", "invalid_cursor"),
        ("/api/creation-history?mode=nope", "invalid_mode"),
    ] {
        let res = app.get(path, Some(&token)).await;
        assert_eq!(res.0, StatusCode::BAD_REQUEST, "{path}: {}", res.1);
        assert_eq!(res.1["code"], code, "{path}: {}", res.1);
    }
    // Huge and negative limits are clamped, not errors.
    for path in ["/api/gallery?limit=100000000", "/api/gallery?limit=-5", "/api/creation-history?limit=9223372036854775807"] {
        let (s, v) = app.get(path, Some(&token)).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
    }
    // A cursor far in the past or future is just an empty or full page.
    let (s, _) = app.get("/api/gallery?cursor=0.-9223372036854775808.00000000000000000000000000000000", None).await;
    assert_eq!(s, StatusCode::OK);
    for (res, what) in [
        (app.post("/api/gallery/not-a-uuid/like", json!({}), Some(&token)).await, "like"),
        (app.delete("/api/gallery/not-a-uuid/like", Some(&token)).await, "unlike"),
        (app.delete("/api/creation-history?id=not-a-uuid", Some(&token)).await, "history delete"),
        (app.post("/api/gallery/publish", json!({ "workId": "nope" }), Some(&token)).await, "publish"),
        (app.delete("/api/admin/gallery/works/nope", Some(&admin)).await, "admin take-down"),
        (app.delete("/api/admin/works/nope", Some(&admin)).await, "admin delete"),
        (app.delete("/api/gallery?id=nope", Some(&admin)).await, "bulk unpublish"),
        (app.post("/api/admin/generation-jobs/nope/cancel", json!({}), Some(&admin)).await, "cancel"),
        (app.get("/api/admin/model-call-records?user=nope", Some(&admin)).await, "calls"),
        (app.get("/api/admin/model-call-records?startTime=yesterday", Some(&admin)).await, "calls time"),
        (app.get("/api/admin/generation-jobs?status=weird", Some(&admin)).await, "jobs status"),
        (app.delete("/api/admin/generation-jobs?status=running", Some(&admin)).await, "cleanup running"),
        (app.delete("/api/admin/generation-jobs?olderThanDays=99999", Some(&admin)).await, "cleanup days"),
        (app.put("/api/admin/gallery/prompt", json!({ "workId": "x" }), Some(&admin)).await, "prompt"),
    ] {
        assert_eq!(res.0, StatusCode::BAD_REQUEST, "{what}: {}", res.1);
        assert!(res.1["code"].as_str().is_some_and(|c| !c.is_empty()) && res.1["error"].is_string(), "{what}: {}", res.1);
    }
}

async fn admin_moderation_lists_and_takes_down(app: TestApp) {
    let (user_token, owner) = user(&app, "mod").await;
    let admin = app.admin_token().await;
    let t = Utc::now() - Duration::minutes(30);
    let mut works = Vec::new();
    for i in 0..5 {
        let mode = if i == 4 { Mode::Text2Video } else { Mode::Text2Img };
        works.push(seed(&app, owner, mode, &format!("mod prompt {i}"), "flux", t + Duration::seconds(i), true).await);
    }
    seed(&app, owner, Mode::Text2Img, "private one", "flux", t, false).await;
    assert_error(&app.get("/api/admin/gallery/works", Some(&user_token)).await, 403, ErrorCode::AdminRequired);
    assert_error(&app.delete(&format!("/api/admin/gallery/works/{}", works[0]), Some(&user_token)).await, 403, ErrorCode::AdminRequired);

    let (s, p1) = app.get("/api/admin/gallery/works?page=1&pageSize=2", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{p1}");
    assert_eq!((p1["total"].as_i64(), p1["totalPages"].as_i64()), (Some(5), Some(3)), "only public works: {p1}");
    assert_eq!(ids(&p1, "works"), vec![works[4].to_string(), works[3].to_string()]);
    assert!(p1["works"][0]["authorEmail"].as_str().is_some_and(|e| e.contains('@')), "{p1}");
    let (_, p3) = app.get("/api/admin/gallery/works?page=3&pageSize=2", Some(&admin)).await;
    assert_eq!(ids(&p3, "works"), vec![works[0].to_string()]);
    let (_, v) = app.get("/api/admin/gallery/works?type=video", Some(&admin)).await;
    assert_eq!(ids(&v, "works"), vec![works[4].to_string()]);
    let (_, v) = app.get("/api/admin/gallery/works?q=prompt%202", Some(&admin)).await;
    assert_eq!(ids(&v, "works"), vec![works[2].to_string()]);
    let (s, _) = app.get("/api/admin/gallery/works?page=-3&pageSize=100000", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);

    // Taking a work down unpublishes it; it stays in its owner's history.
    let (s, v) = app.delete(&format!("/api/admin/gallery/works/{}", works[2]), Some(&admin)).await;
    assert_eq!((s, v["removed"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    let kept = app.store.work_by_id(works[2]).await.unwrap().expect("kept");
    assert!(!kept.is_public);
    let (_, h) = app.get("/api/creation-history?limit=100", Some(&user_token)).await;
    assert!(ids(&h, "records").contains(&works[2].to_string()), "still in the owner's history");
    assert_eq!(app.get("/api/admin/gallery/works", Some(&admin)).await.1["total"], 4);
    // The explicit delete removes the row.
    let (s, v) = app.delete(&format!("/api/admin/works/{}", works[3]), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(app.store.work_by_id(works[3]).await.unwrap().is_none());
    assert_error(&app.delete(&format!("/api/admin/works/{}", works[3]), Some(&admin)).await, 404, ErrorCode::WorkNotFound);
    assert_eq!(app.get("/api/admin/gallery/works", Some(&admin)).await.1["total"], 3);
    let (_, logs) = app.get("/api/admin/logs?type=admin", Some(&admin)).await;
    let text = logs.to_string();
    assert!(text.contains("admin_gallery_work_unpublished") && text.contains("admin_work_deleted"), "{logs}");
    assert!(!text.contains("mod prompt 2") && !text.contains("mod prompt 3"), "no prompt text in logs");
}

fn sink() -> Option<(String, u16, std::path::PathBuf)> {
    let addr = std::env::var("MIAOJING_TEST_SMTP").ok()?;
    let dir = std::env::var("MIAOJING_TEST_MAILDIR").expect("MIAOJING_TEST_MAILDIR with MIAOJING_TEST_SMTP");
    let (host, port) = addr.rsplit_once(':').expect("host:port");
    Some((host.to_string(), port.parse().expect("port"), dir.into()))
}

/// Decoded messages to `to` in the sink (headers + base64-decoded parts).
fn mails_to(dir: &std::path::Path, to: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        for e in entries.flatten() {
            let raw = std::fs::read_to_string(e.path()).unwrap_or_default().replace("\r\n", "\n");
            let headers = raw.split("\n\n").next().unwrap_or("").to_ascii_lowercase();
            if !headers.lines().any(|l| l.starts_with("to:") && l.contains(&to.to_ascii_lowercase())) {
                continue;
            }
            let mut text = raw.clone();
            for block in raw.split("\n\n") {
                let candidate: String = block.lines().map(str::trim).take_while(|l| !l.starts_with("--")).collect();
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&candidate) {
                    text.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
            out.push(text);
        }
    }
    out
}

async fn author_and_work(app: &TestApp) -> (String, Uuid) {
    let n = &Uuid::new_v4().simple().to_string()[..10];
    let email = format!("author-{n}@mail.test");
    let (_, u) = app.register(&email, &format!("au{n}")).await;
    let owner = Uuid::try_parse(u["id"].as_str().unwrap()).unwrap();
    (email, seed(app, owner, Mode::Text2Img, "original secret prompt text", "flux", Utc::now(), true).await)
}

fn edit(work: Uuid, prompt: &str) -> Value {
    json!({ "workId": work, "prompt": prompt, "emailSubject": "作品提示词调整", "emailBody": "您好，\n\n我们调整了您公开作品的提示词。", "reasonKey": "remove_private_info" })
}

async fn prompt_edit_mails_the_author_first(app: TestApp) {
    let Some((host, port, dir)) = sink() else {
        panic!("MIAOJING_TEST_SMTP is not set: run the tests through deploy/test.sh, which starts the SMTP sink");
    };
    let admin = app.admin_token().await;
    let (s, v) = app
        .put(
            "/api/admin/email-settings",
            json!({ "enabled": true, "smtpHost": host, "smtpPort": port, "smtpSecure": false, "fromEmail": "noreply@miaojing.test" }),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (email, work) = author_and_work(&app).await;
    let (user_token, _) = user(&app, "nosy").await;
    assert_error(&app.put("/api/admin/gallery/prompt", edit(work, "x"), Some(&user_token)).await, 403, ErrorCode::AdminRequired);

    let (s, v) = app.put("/api/admin/gallery/prompt", edit(work, "a calm lake"), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["prompt"], "a calm lake");
    let mails = mails_to(&dir, &email);
    assert_eq!(mails.len(), 1, "one notice to the author");
    assert!(mails[0].contains("我们调整了您公开作品的提示词"), "body delivered");
    assert_eq!(app.store.work_by_id(work).await.unwrap().unwrap().prompt, "a calm lake");
    let (_, g) = app.get("/api/gallery", None).await;
    assert_eq!(g["works"][0]["prompt"], "a calm lake");

    // Unchanged, empty, missing mail text: refused before any mail.
    assert_error(&app.put("/api/admin/gallery/prompt", edit(work, "a calm lake"), Some(&admin)).await, 400, ErrorCode::PromptUnchanged);
    assert_error(&app.put("/api/admin/gallery/prompt", edit(work, "   "), Some(&admin)).await, 400, ErrorCode::PromptRequired);
    let mut no_body = edit(work, "other");
    no_body["emailBody"] = json!("");
    assert_error(&app.put("/api/admin/gallery/prompt", no_body, Some(&admin)).await, 400, ErrorCode::BodyRequired);
    assert_error(&app.put("/api/admin/gallery/prompt", edit(Uuid::new_v4(), "other"), Some(&admin)).await, 404, ErrorCode::WorkNotFound);
    assert_eq!(mails_to(&dir, &email).len(), 1, "no mail for refused edits");

    let (_, logs) = app.get("/api/admin/logs?type=admin", Some(&admin)).await;
    let text = logs.to_string();
    assert!(text.contains("admin_gallery_prompt_update") && text.contains("remove_private_info"), "{logs}");
    assert!(!text.contains("original secret prompt text") && !text.contains("a calm lake"), "no prompt text in logs: {logs}");
}

async fn prompt_edit_fails_closed_without_mail(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, work) = author_and_work(&app).await;
    // Mail disabled: nothing saved.
    assert_error(&app.put("/api/admin/gallery/prompt", edit(work, "changed"), Some(&admin)).await, 409, ErrorCode::EmailDisabled);
    // Mail enabled but nothing listens: nothing saved.
    app.put(
        "/api/admin/email-settings",
        json!({ "enabled": true, "smtpHost": "127.0.0.1", "smtpPort": 9, "smtpSecure": false, "fromEmail": "noreply@miaojing.test" }),
        Some(&admin),
    )
    .await;
    assert_error(&app.put("/api/admin/gallery/prompt", edit(work, "changed"), Some(&admin)).await, 502, ErrorCode::EmailSendFailed);
    assert_eq!(app.store.work_by_id(work).await.unwrap().unwrap().prompt, "original secret prompt text");
    let (_, logs) = app.get("/api/admin/logs?type=admin", Some(&admin)).await;
    assert!(!logs.to_string().contains("admin_gallery_prompt_update"), "no update logged: {logs}");
}

async fn job(app: &TestApp, owner: Uuid, model: &str, at: DateTime<Utc>) -> Uuid {
    let id = Uuid::new_v4();
    let new = NewJob {
        id,
        user_id: owner,
        mode: Mode::Text2Img,
        model: model.into(),
        channel: "mock".into(),
        params: json!({ "prompt": "p" }),
        client_request_id: None,
        estimated_cost: 0,
        deadline_at: at + Duration::hours(1),
        created_at: at,
    };
    app.store.submit_job(new).await.expect("job stored");
    id
}

/// Jobs are seeded straight into the store, so this instance runs no worker that could pick them up.
mod admin_jobs_and_model_calls_without_workers {
    use crate::helpers::{spawn_with, Backend};
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::admin_jobs_and_model_calls(spawn_with(Backend::Sqlite, |c| c.worker_slots = 0).await).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::admin_jobs_and_model_calls(spawn_with(Backend::Postgres, |c| c.worker_slots = 0).await).await
    }
}

async fn admin_jobs_and_model_calls(app: TestApp) {
    let (user_token, owner) = user(&app, "jobs").await;
    let admin = app.admin_token().await;
    assert_error(&app.get("/api/admin/generation-jobs", Some(&user_token)).await, 403, ErrorCode::AdminRequired);
    assert_error(&app.get("/api/admin/model-call-records", Some(&user_token)).await, 403, ErrorCode::AdminRequired);
    let t = Utc::now() - Duration::days(10);
    let a = job(&app, owner, "flux", t).await;
    let b = job(&app, owner, "sdxl", t + Duration::seconds(1)).await;
    let c = job(&app, owner, "veo", t + Duration::seconds(2)).await;

    let (s, v) = app.get("/api/admin/generation-jobs?pageSize=2", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["total"].as_i64(), v["totalPages"].as_i64()), (Some(3), Some(2)), "{v}");
    assert_eq!(ids(&v, "jobs"), vec![c.to_string(), b.to_string()]);
    assert!(v["jobs"][0]["user_email"].as_str().or(v["jobs"][0]["userEmail"].as_str()).is_some_and(|e| e.contains('@')), "{v}");

    let (s, v) = app.post(&format!("/api/admin/generation-jobs/{a}/cancel"), json!({}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    assert_error(&app.post(&format!("/api/admin/generation-jobs/{a}/cancel"), json!({}), Some(&admin)).await, 409, ErrorCode::JobFinished);
    assert_error(
        &app.post(&format!("/api/admin/generation-jobs/{}/cancel", Uuid::new_v4()), json!({}), Some(&admin)).await,
        404,
        ErrorCode::JobNotFound,
    );
    assert_eq!(ids(&app.get("/api/admin/generation-jobs?status=cancelled", Some(&admin)).await.1, "jobs"), vec![a.to_string()]);
    assert_eq!(app.get("/api/admin/generation-jobs?status=queued", Some(&admin)).await.1["total"], 2);
    assert_eq!(app.get(&format!("/api/admin/generation-jobs?user={owner}"), Some(&admin)).await.1["total"], 3);
    assert_eq!(app.get("/api/admin/generation-jobs?user=nobody-matches-this", Some(&admin)).await.1["total"], 0);

    // Cleanup removes old finished jobs only.
    let (s, v) = app.delete("/api/admin/generation-jobs?status=cancelled&olderThanDays=30", Some(&admin)).await;
    assert_eq!((s, v["deleted"].as_u64()), (StatusCode::OK, Some(0)), "{v}");
    let (s, v) = app.delete("/api/admin/generation-jobs?status=cancelled&olderThanDays=0", Some(&admin)).await;
    assert_eq!((s, v["deleted"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    assert!(app.store.job_by_id(a).await.unwrap().is_none());
    assert!(app.store.job_by_id(b).await.unwrap().is_some(), "queued jobs stay");

    for (i, (status, model)) in [("succeeded", "flux-pro"), ("failed", "sdxl"), ("succeeded", "veo-3")].into_iter().enumerate() {
        let at = Utc::now() - Duration::minutes(10 - i as i64);
        app.store
            .insert_model_call(ModelCallRecord {
                id: Uuid::new_v4(),
                user_id: Some(owner),
                job_id: None,
                source: "generation-job".into(),
                operation: "text2img".into(),
                model: model.into(),
                channel: "mock".into(),
                status: status.into(),
                credits_cost: 3,
                result_count: 1,
                duration_ms: 1200,
                error: (status == "failed").then(|| "upstream 500".into()),
                metadata: json!({}),
                created_at: at,
                started_at: Some(at),
                finished_at: Some(at),
            })
            .await
            .expect("call stored");
    }
    let (s, v) = app.get("/api/admin/model-call-records", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The three jobs above were recorded at submission, plus the three seeded calls.
    assert_eq!(v["total"], 6);
    let calls = v["records"].as_array().unwrap();
    let model_of = |r: &Value| r["model_name"].as_str().or(r["modelName"].as_str()).unwrap_or_default().to_string();
    assert_eq!(model_of(&calls[0]), "veo-3", "newest first: {v}");
    assert_eq!(app.get("/api/admin/model-call-records?status=failed", Some(&admin)).await.1["total"], 1);
    // The seeded failure and the job whose record the earlier checks ended as failed.
    assert_eq!(app.get("/api/admin/model-call-records?keyword=flux", Some(&admin)).await.1["total"], 2);
    assert_eq!(
        app.get(&format!("/api/admin/model-call-records?user={owner}&pageSize=2"), Some(&admin)).await.1["records"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(app.get(&format!("/api/admin/model-call-records?user={}", Uuid::new_v4()), Some(&admin)).await.1["total"], 0);
    assert_error(&app.get("/api/admin/model-call-records?source=bogus", Some(&admin)).await, 400, ErrorCode::InvalidSource);
}
