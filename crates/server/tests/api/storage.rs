//! Storage routes: watermarked display, downloads per role and by token, reference uploads,
//! and object-backed serving against a real S3-compatible server (moto_server).
use bytes::Bytes;
use miaojing_api_types::ErrorCode;
use miaojing_domain::user::UserPatch;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_with, Backend, TestApp};
use crate::on_both_backends;

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 160]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, reqwest::header::HeaderMap, Bytes) {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.headers().clone(), res.bytes().await.unwrap())
}

async fn put(app: &TestApp, key: &str, bytes: Vec<u8>) {
    app.state.storage.put(key, Bytes::from(bytes)).await.unwrap();
}

async fn generated_images_are_shown_watermarked_and_downloaded_per_role(app: TestApp) {
    // Stored as a generation result is: with its AI label (so the raw download is this very file).
    let original = miaojing_storage::media::embed_label(&png(320, 240), &miaojing_storage::media::Label::ai_generated("w")).unwrap();
    put(&app, "generated/images/w.png", original.clone()).await;
    put(&app, "works/references/r.png", original.clone()).await;

    // Display: always watermarked, rendered once and cached under watermarked/.
    let (s, h, shown) = fetch(&app, "/api/local-storage/generated/images/w.png", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "image/png");
    assert_ne!(shown.as_ref(), original.as_slice(), "the display copy is watermarked");
    assert_eq!(image::load_from_memory(&shown).unwrap().width(), 320);
    let cached = app.state.storage.local().list("watermarked/").await.unwrap();
    assert_eq!(cached.len(), 1);
    let (_, _, again) = fetch(&app, "/api/local-storage/generated/images/w.png", None).await;
    assert_eq!(again, shown);
    let (_, _, reference) = fetch(&app, "/api/local-storage/works/references/r.png", None).await;
    assert_eq!(reference.as_ref(), original.as_slice(), "references are not watermarked");

    let q = "/api/download?url=%2Fapi%2Flocal-storage%2Fgenerated%2Fimages%2Fw.png&filename=my%20work";
    let (user, uv) = app.register("dl-user@example.com", "dluser").await;
    let (vip, vv) = app.register("dl-vip@example.com", "dlvip").await;
    let vip_id = uuid::Uuid::parse_str(vv["id"].as_str().unwrap()).unwrap();
    app.store.update_user(vip_id, UserPatch { watermark_disabled: Some(true), ..Default::default() }).await.unwrap();
    let admin = app.admin_token().await;
    let _ = uv;
    for (who, token, raw) in [
        ("anonymous", None, false),
        ("member", Some(user.as_str()), false),
        ("allowed", Some(vip.as_str()), true),
        ("admin", Some(admin.as_str()), true),
    ] {
        let (s, h, body) = fetch(&app, q, token).await;
        assert_eq!(s, StatusCode::OK, "{who}");
        assert_eq!(body.as_ref() == original.as_slice(), raw, "{who}: raw bytes only with the permission");
        if !raw {
            assert_eq!(body, shown, "{who} gets the watermarked render");
        }
        let cd = h["content-disposition"].to_str().unwrap();
        assert!(cd.starts_with("attachment; filename=\"my work.png\""), "{who}: {cd}");
        assert_eq!(h["cache-control"], "private, no-cache");
    }
    let (_, h, _) = fetch(&app, &format!("{q}&disposition=inline"), None).await;
    assert!(h["content-disposition"].to_str().unwrap().starts_with("inline;"));

    // Download tokens for anchor links.
    let (s, t) = app.post("/api/download/token", json!({}), Some(&vip)).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let token = t["token"].as_str().unwrap().to_string();
    let (s, _, body) = fetch(&app, &format!("{q}&downloadToken={token}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_ref(), original.as_slice(), "the token carries the permission");
    let mut forged = token.clone();
    forged.replace_range(0..1, if forged.starts_with('a') { "b" } else { "a" });
    assert_error(&app.get(&format!("{q}&downloadToken={forged}"), None).await, 401, ErrorCode::Unauthenticated);
    let expired = app.state.downloads.issue(vip_id, chrono::Utc::now() - chrono::Duration::minutes(10)).0;
    assert_error(&app.get(&format!("{q}&downloadToken={expired}"), None).await, 401, ErrorCode::Unauthenticated);
    let res = app.client.get(format!("{}{q}&downloadToken={token}", app.base)).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_error(&app.post("/api/download/token", json!({}), None).await, 401, ErrorCode::Unauthenticated);
    // A disabled account's token no longer grants anything.
    app.store.update_user(vip_id, UserPatch { is_active: Some(false), ..Default::default() }).await.unwrap();
    let (_, _, body) = fetch(&app, &format!("{q}&downloadToken={token}"), None).await;
    assert_eq!(body, shown);

    // Bad URLs.
    assert_error(&app.get("/api/download", None).await, 400, ErrorCode::MissingUrl);
    assert_error(&app.get("/api/download?url=https%3A%2F%2Fexample.com%2Fa.png", None).await, 400, ErrorCode::UnsupportedUrl);
    assert_error(&app.get("/api/download?url=%2Fapi%2Flocal-storage%2F..%2Fsecret", None).await, 400, ErrorCode::InvalidKey);
    // The query is decoded once, then the URL path once: `%252e%252e` becomes `..`.
    assert_error(&app.get("/api/download?url=%2Fapi%2Flocal-storage%2F%252e%252e%2Fx", None).await, 400, ErrorCode::InvalidKey);
    assert_error(
        &app.get("/api/download?url=%2Fapi%2Flocal-storage%2Fgenerated%2Fimages%2Fnone.png", None).await,
        404,
        ErrorCode::FileNotFound,
    );
}

async fn reference_images_upload_with_limits(app: TestApp) {
    let (token, _) = app.register("up@example.com", "uploader").await;
    let img = png(64, 48);
    let form = || reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(img.clone()).file_name("photo.exe"));
    let post = |form: reqwest::multipart::Form, token: Option<&str>| {
        let mut r = app.client.post(format!("{}/api/uploads/reference-images", app.base)).multipart(form);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let res = post(form(), None).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = post(form(), Some(&token)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["contentType"], "image/png", "sniffed from the bytes, not the name");
    assert_eq!((v["width"].as_u64(), v["height"].as_u64()), (Some(64), Some(48)));
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with("/api/local-storage/works/references/") && url.ends_with(".png"), "{url}");
    let (s, _, back) = fetch(&app, url, None).await;
    assert_eq!((s, back.as_ref()), (StatusCode::OK, img.as_slice()));

    use base64::Engine;
    let data_url = format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(&img));
    let (s, v) = app.post("/api/uploads/reference-images", json!({ "dataUrl": data_url }), Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contentType"], "image/png");

    // A header claiming 50000x50000 pixels: refused before decoding.
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bomb.extend_from_slice(&50_000u32.to_be_bytes());
    bomb.extend_from_slice(&50_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&bomb[12..29]);
    bomb.extend_from_slice(&crc.to_be_bytes());
    for name in [b"IDAT", b"IEND"] {
        bomb.extend_from_slice(&0u32.to_be_bytes());
        bomb.extend_from_slice(name);
        bomb.extend_from_slice(&crc32(name).to_be_bytes());
    }
    let res = post(reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bomb)), Some(&token)).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], ErrorCode::ImageTooLarge.as_str());
    let res = post(
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"<html>hi</html>".to_vec()).file_name("a.png")),
        Some(&token),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], ErrorCode::UnsupportedMediaType.as_str());
    let big = vec![0u8; 21 * 1024 * 1024];
    let res = post(reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(big)), Some(&token)).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = post(reqwest::multipart::Form::new().text("other", "x"), Some(&token)).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_error(
        &app.post("/api/uploads/reference-images", json!({ "dataUrl": "data:text/plain,hi" }), Some(&token)).await,
        400,
        ErrorCode::InvalidDataUrl,
    );
    let listed = app.state.storage.local().list("works/references/").await.unwrap();
    assert_eq!(listed.len(), 2, "refused uploads store nothing");
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn sample_mp4() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mock-upstream/fixtures/sample.mp4")).unwrap()
}

/// A served video is the watermarked render: other bytes than `original`, an H.264 (`avc1`)
/// MP4 that decodes at the original size, carrying the AI label with the file's id.
fn assert_watermarked_mp4(served: &[u8], original: &[u8], id: &str) {
    assert_ne!(served, original, "the served video is watermarked");
    assert!(served.windows(4).any(|w| w == b"avc1"), "H.264 sample entry");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("served.mp4");
    std::fs::write(&path, served).unwrap();
    let frame = miaojing_storage::media::video::extract_frame(&path).expect("the served video decodes");
    assert_eq!(frame.image.dimensions(), (320, 240));
    let label = miaojing_storage::media::video::read_mp4_label(&path).unwrap().expect("AI label in the MP4 metadata");
    assert!(label.is_ai_generated());
    assert_eq!(label.produce_id, id);
}

async fn generated_videos_are_served_watermarked_cached_and_seekable(app: TestApp) {
    let original = sample_mp4();
    put(&app, "generated/videos/vid-1.mp4", original.clone()).await;
    let path = "/api/local-storage/generated/videos/vid-1.mp4";
    // Two viewers at once share one render.
    let (first, second) = tokio::join!(fetch(&app, path, None), fetch(&app, path, None));
    let (s, h, shown) = first;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "video/mp4");
    assert_eq!(second.2, shown);
    assert_watermarked_mp4(&shown, &original, "vid-1");
    let cached = app.state.storage.local().list("watermarked/videos/").await.unwrap();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let (cache_key, cache_meta) = cached[0].clone();
    assert_eq!(app.state.storage.local().read(&cache_key).await.unwrap(), shown.as_ref());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (_, _, again) = fetch(&app, path, None).await;
    assert_eq!(again, shown);
    assert_eq!(app.state.storage.local().head(&cache_key).await.unwrap().unwrap().modified, cache_meta.modified, "not re-rendered");

    // Seeking: byte ranges of the cached render.
    let res = app.client.get(format!("{}{path}", app.base)).header("range", "bytes=100-1099").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()["content-range"], format!("bytes 100-1099/{}", shown.len()).as_str());
    assert_eq!(res.bytes().await.unwrap().as_ref(), &shown[100..1100]);

    // Downloads: raw for admins, the render for everyone else.
    let q = "/api/download?url=%2Fapi%2Flocal-storage%2Fgenerated%2Fvideos%2Fvid-1.mp4";
    let (member, _) = app.register("vid-user@example.com", "viduser").await;
    let admin = app.admin_token().await;
    let (s, h, body) = fetch(&app, q, Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_ref(), original.as_slice(), "admins download the original");
    assert!(h["content-disposition"].to_str().unwrap().contains("filename=\"vid-1.mp4\""));
    for token in [None, Some(member.as_str())] {
        let (s, _, body) = fetch(&app, q, token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body, shown, "others download the watermarked render");
    }

    // Thumbnails of videos are real frames, served (watermarked) like image thumbnails.
    let thumb = app.state.storage.ensure_thumbnail("generated/videos/vid-1.mp4").await.unwrap();
    assert_eq!(thumb, "thumbnails/generated/videos/vid-1-m1280q86.webp");
    let (s, h, body) = fetch(&app, &format!("/api/local-storage/{thumb}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "image/webp");
    let (_, w, h) = miaojing_storage::media::dimensions(&body).unwrap();
    assert_eq!((w, h), (320, 240));

    // A file that is not a video cannot be rendered: 404, never the raw file.
    put(&app, "generated/videos/fake.mp4", b"not a video".to_vec()).await;
    assert_error(&app.get("/api/local-storage/generated/videos/fake.mp4", None).await, 404, ErrorCode::FileNotFound);
}

on_both_backends!(
    generated_images_are_shown_watermarked_and_downloaded_per_role,
    reference_images_upload_with_limits,
    generated_videos_are_served_watermarked_cached_and_seekable
);

async fn object_app(mode: miaojing_storage::Mode) -> TestApp {
    object_app_on(Backend::Sqlite, mode).await
}

/// An app on `backend` whose storage is a fresh bucket of the test S3 server in `mode`.
pub async fn object_app_on(backend: Backend, mode: miaojing_storage::Mode) -> TestApp {
    let endpoint = std::env::var("MIAOJING_TEST_S3_ENDPOINT")
        .expect("MIAOJING_TEST_S3_ENDPOINT is not set: run `source deploy/test-services.sh && mj_start_test_services` first");
    let bucket = format!("mj-api-{}", uuid::Uuid::new_v4().simple());
    assert!(reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.unwrap().status().is_success());
    spawn_with(backend, move |c| {
        c.storage_mode = mode;
        c.object_storage = Some(miaojing_storage::ObjectConfig {
            bucket,
            region: "us-east-1".into(),
            endpoint: Some(endpoint),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
            force_path_style: true,
            prefix: None,
        });
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_backed_files_serve_ranges_and_conditionals() {
    let app = object_app(miaojing_storage::Mode::Object).await;
    // A file that is not watermarked is streamed from the bucket as it is.
    let video: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    put(&app, "uploads/videos/v.mp4", video.clone()).await;
    assert!(!app.config.storage_dir.join("uploads/videos/v.mp4").exists(), "object mode keeps originals off the disk");
    let path = "/api/local-storage/uploads/videos/v.mp4";
    let (s, h, body) = fetch(&app, path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "video/mp4");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(body.as_ref(), video.as_slice());
    let etag = h["etag"].to_str().unwrap().to_string();
    let lm = h["last-modified"].to_str().unwrap().to_string();
    let get = |hname: &'static str, v: String| app.client.get(format!("{}{path}", app.base)).header(hname, v).send();
    assert_eq!(get("if-none-match", etag.clone()).await.unwrap().status(), StatusCode::NOT_MODIFIED);
    assert_eq!(get("if-modified-since", lm).await.unwrap().status(), StatusCode::NOT_MODIFIED);
    assert_eq!(get("if-none-match", "\"other\"".into()).await.unwrap().status(), StatusCode::OK);
    let res = get("range", "bytes=1000-1999".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()["content-range"], "bytes 1000-1999/100000");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &video[1000..2000]);
    let res = get("range", "bytes=-10".into()).await.unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), &video[99_990..]);
    let res = get("range", "bytes=200000-".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(res.headers()["content-range"], "bytes */100000");
    // Watermarked renders of object-backed images are made from the object and cached locally.
    let img = png(200, 200);
    put(&app, "gallery/images/g.png", img.clone()).await;
    let (s, _, shown) = fetch(&app, "/api/local-storage/gallery/images/g.png", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(shown.as_ref(), img.as_slice());
    assert_eq!(app.state.storage.local().list("watermarked/").await.unwrap().len(), 1);
    assert_eq!(miaojing_storage::media::read_label(&shown).unwrap().produce_id, "g", "the render carries the AI label");
    // The raw download of an object-backed image stored without a label gets it written in.
    let admin = app.admin_token().await;
    let (s, _, raw) = fetch(&app, "/api/download?url=/api/local-storage/gallery/images/g.png", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(miaojing_storage::media::read_label(&raw).unwrap().produce_id, "g");
    assert_eq!(app.state.storage.read("gallery/images/g.png", 1 << 20).await.unwrap(), raw.to_vec(), "the object itself now carries it");
    // Downloads of object-backed files carry the attachment name.
    let (s, h, body) = fetch(&app, "/api/download?url=/api/local-storage/uploads/videos/v.mp4&filename=clip", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-disposition"].to_str().unwrap().contains("filename=\"clip.mp4\""));
    assert_eq!(body.len(), video.len());
    assert_error(&app.get("/api/local-storage/generated/videos/none.mp4", None).await, 404, ErrorCode::FileNotFound);
    // Generated videos in the bucket are spooled, watermarked and served from the local cache.
    let clip = sample_mp4();
    put(&app, "generated/videos/o.mp4", clip.clone()).await;
    let (s, h, shown) = fetch(&app, "/api/local-storage/generated/videos/o.mp4", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "video/mp4");
    assert_watermarked_mp4(&shown, &clip, "o");
    assert_eq!(app.state.storage.local().list("watermarked/videos/").await.unwrap().len(), 1);
    let (s, v) = app.get("/api/health", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["checks"]["storage"]["kind"], "object");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_an_unreachable_bucket() {
    let app = spawn_with(Backend::Sqlite, |c| {
        c.storage_mode = miaojing_storage::Mode::Dual;
        c.object_storage = Some(miaojing_storage::ObjectConfig {
            bucket: "no-such-bucket-here".into(),
            region: "us-east-1".into(),
            endpoint: Some(std::env::var("MIAOJING_TEST_S3_ENDPOINT").expect("MIAOJING_TEST_S3_ENDPOINT is not set")),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
            force_path_style: true,
            prefix: None,
        });
    })
    .await;
    let (s, v) = app.get("/api/health", None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["checks"]["storage"]["kind"], "dual");
    assert!(v["checks"]["storage"]["message"].as_str().unwrap().contains("object storage"));
    // The user's writes still succeed on the local side.
    put(&app, "generated/images/d.png", png(10, 10)).await;
    assert_eq!(app.state.storage.pending_mirrors(), ["generated/images/d.png"]);
}
