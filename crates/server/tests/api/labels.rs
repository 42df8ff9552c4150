//! Implicit AI-content labels (GB 45438-2025) read back from the bytes the server actually hands
//! out: the display copy (`/api/local-storage/…`), its thumbnail, the raw and the watermarked
//! download, the published gallery copy, and imported works stored without a label.
use bytes::Bytes;
use miaojing_domain::user::UserPatch;
use miaojing_mock_upstream::MockHandle;
use miaojing_storage::media::{read_label, Label, MediaFormat};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use reqwest::StatusCode;
use serde_json::json;

use crate::generation::{finished, start, submit, system_api};
use crate::helpers::TestApp;

with_upstream!(every_served_image_carries_the_label, imported_works_are_labelled_when_served);

async fn get_bytes(app: &TestApp, path: &str, token: Option<&str>) -> Bytes {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.bytes().await.unwrap()
}

fn download_path(url: &str) -> String {
    format!("/api/download?url={}", utf8_percent_encode(url, NON_ALPHANUMERIC))
}

/// The label in `bytes`, which must be an image of `format` that still decodes.
#[track_caller]
fn label_in(bytes: &[u8], format: MediaFormat, what: &str) -> Label {
    assert_eq!(MediaFormat::sniff(bytes), Some(format), "{what}: format");
    image::load_from_memory(bytes).unwrap_or_else(|e| panic!("{what}: decodes: {e}"));
    let label = read_label(bytes).unwrap_or_else(|| panic!("{what}: carries the AI label"));
    assert!(label.is_ai_generated(), "{what}: {label:?}");
    assert_eq!(label.content_producer, "MiaoJing", "{what}");
    label
}

async fn every_served_image_carries_the_label(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 1})).await;
    let (alice, user) = app.register("label-owner@example.com", "labelowner").await;
    // The owner may download raw files (the "no watermark" entitlement).
    let alice_id = uuid::Uuid::parse_str(user["id"].as_str().unwrap()).unwrap();
    app.store.update_user(alice_id, UserPatch { watermark_disabled: Some(true), ..Default::default() }).await.unwrap();
    let admin = app.admin_token().await;

    for (requested, format) in [("png", MediaFormat::Png), ("jpeg", MediaFormat::Jpeg), ("webp", MediaFormat::WebP)] {
        let (s, v) = submit(
            &app,
            &alice,
            "image",
            json!({"prompt": format!("a {requested} lighthouse"), "model": "Paint", "outputFormat": requested}),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{v}");
        let job_id = v["jobId"].as_str().unwrap().to_string();
        let job = finished(&app, &alice, &job_id).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let url = job["result"]["images"][0].as_str().unwrap().to_string();
        let expect = |what: &str, bytes: &[u8], format: MediaFormat| {
            let label = label_in(bytes, format, &format!("{requested} {what}"));
            assert_eq!(label.produce_id, job_id, "{requested} {what}: the job id");
            assert_eq!(label.model.as_deref(), Some("Paint"), "{requested} {what}: the model");
        };

        // The display copy (watermarked) and its thumbnail (always WebP).
        let shown = get_bytes(&app, &url, None).await;
        expect("display copy", &shown, format);
        let thumb = job["result"]["thumbnails"][&url].as_str().expect("a thumbnail").to_string();
        expect("thumbnail", &get_bytes(&app, &thumb, None).await, MediaFormat::WebP);

        // Downloads: raw for the entitled owner and for admins, watermarked for everyone else.
        let raw = get_bytes(&app, &download_path(&url), Some(&alice)).await;
        expect("raw download", &raw, format);
        assert_ne!(raw, shown, "{requested}: the raw download is not the watermarked render");
        assert_eq!(get_bytes(&app, &download_path(&url), Some(&admin)).await, raw, "{requested}: admins get the same raw file");
        let plain = get_bytes(&app, &download_path(&url), None).await;
        assert_eq!(plain, shown, "{requested}: visitors download the watermarked render");

        // Published: the gallery's copy and thumbnail carry the label too.
        let work_id = job["result"]["workIds"][0].as_str().unwrap().to_string();
        let (s, v) = app.post("/api/gallery/publish", json!({"workId": work_id}), Some(&alice)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, page) = app.get("/api/gallery?limit=60", None).await;
        let item =
            page["works"].as_array().unwrap().iter().find(|w| w["id"] == work_id.as_str()).expect("the work is in the gallery").clone();
        let gallery_url = item["url"].as_str().unwrap();
        expect("gallery copy", &get_bytes(&app, gallery_url, None).await, format);
        expect("gallery thumbnail", &get_bytes(&app, item["thumbnailUrl"].as_str().unwrap(), None).await, MediaFormat::WebP);
        expect("gallery raw download", &get_bytes(&app, &download_path(gallery_url), Some(&admin)).await, format);
    }
}

fn encode(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(200, 120, |x, y| image::Rgb([(x % 256) as u8, (y * 2 % 256) as u8, 77]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

async fn imported_works_are_labelled_when_served(app: TestApp, _mock: MockHandle) {
    let admin = app.admin_token().await;
    for (name, format, media) in [
        ("imp-1.png", image::ImageFormat::Png, MediaFormat::Png),
        ("imp-2.jpg", image::ImageFormat::Jpeg, MediaFormat::Jpeg),
        ("imp-3.webp", image::ImageFormat::WebP, MediaFormat::WebP),
    ] {
        // A work brought in from elsewhere, stored without a label.
        let key = format!("imported/works/results/images/{name}");
        let original = encode(format);
        app.state.storage.put(&key, Bytes::from(original.clone())).await.unwrap();
        let url = format!("/api/local-storage/{key}");
        let id = name.rsplit_once('.').unwrap().0;

        let shown = label_in(&get_bytes(&app, &url, None).await, media, &format!("{name} display copy"));
        assert_eq!((shown.produce_id.as_str(), shown.model.as_deref()), (id, None));
        let raw = get_bytes(&app, &download_path(&url), Some(&admin)).await;
        assert_eq!(label_in(&raw, media, &format!("{name} raw download")).produce_id, id);
        let (before, after) = (image::load_from_memory(&original).unwrap(), image::load_from_memory(&raw).unwrap());
        assert_eq!(before.to_rgba8(), after.to_rgba8(), "{name}: only metadata was added");
        // The stored file itself now carries it: a second download is the same file.
        assert_eq!(get_bytes(&app, &download_path(&url), Some(&admin)).await, raw);
    }
    // Reference uploads are not AI media: served as stored, without a label.
    app.state.storage.put("works/references/ref.png", Bytes::from(encode(image::ImageFormat::Png))).await.unwrap();
    let reference = get_bytes(&app, "/api/local-storage/works/references/ref.png", None).await;
    assert_eq!(read_label(&reference), None);
}
