//! Storage against real backends: local disk and a real S3-compatible server (moto_server,
//! started by `deploy/test-services.sh`; these tests fail without `MIAOJING_TEST_S3_ENDPOINT`).
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use miaojing_storage::derive::Derived;
use miaojing_storage::media::{embed_label, read_label, Effort, Label};
use miaojing_storage::sync::{sync_to_object, FileOutcome, SyncOptions};
use miaojing_storage::{Location, Mode, ObjectConfig, Storage, StorageConfig};

fn endpoint() -> String {
    std::env::var("MIAOJING_TEST_S3_ENDPOINT")
        .expect("MIAOJING_TEST_S3_ENDPOINT is not set: run `source deploy/test-services.sh && mj_start_test_services` first")
}

fn object_config(bucket: &str) -> ObjectConfig {
    ObjectConfig {
        bucket: bucket.into(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        force_path_style: true,
        prefix: Some("site".into()),
    }
}

fn bucket_name() -> String {
    format!("mj-{}", uuid::Uuid::new_v4().simple())
}

async fn create_bucket(bucket: &str) {
    let r = reqwest::Client::new().put(format!("{}/{bucket}", endpoint())).send().await.unwrap();
    assert!(r.status().is_success(), "creating bucket {bucket}: {}", r.status());
}

async fn open(mode: Mode, bucket: &str) -> (Storage, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let object = (mode != Mode::Local).then(|| object_config(bucket));
    (Storage::open(StorageConfig { mode, local_dir: dir.path().to_path_buf(), object }).unwrap(), dir)
}

async fn body(read: miaojing_storage::Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = read.body;
    while let Some(c) = b.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

async fn round_trip(mode: Mode) {
    let bucket = bucket_name();
    if mode != Mode::Local {
        create_bucket(&bucket).await;
    }
    let (s, dir) = open(mode, &bucket).await;
    let small = b"hello storage".to_vec();
    s.put("generated/images/a b.png", Bytes::from(small.clone())).await.unwrap();
    let meta = s.head("generated/images/a b.png").await.unwrap().unwrap();
    assert_eq!(meta.size, small.len() as u64);
    assert_eq!(meta.location, if mode == Mode::Local { Location::Local } else { Location::Object });
    assert_eq!(body(s.get("generated/images/a b.png", None).await.unwrap()).await, small);
    assert_eq!(body(s.get("generated/images/a b.png", Some(6..13)).await.unwrap()).await, b"storage");
    // A streamed body larger than one multipart part.
    let big = pattern(9 * 1024 * 1024 + 123);
    let chunks: Vec<std::io::Result<Bytes>> = big.chunks(64 * 1024).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    assert_eq!(s.put_stream("generated/videos/v.mp4", futures_util::stream::iter(chunks)).await.unwrap(), big.len() as u64);
    assert_eq!(s.read("generated/videos/v.mp4", 64 << 20).await.unwrap(), big);
    let tail = body(s.get("generated/videos/v.mp4", Some(9 * 1024 * 1024..9 * 1024 * 1024 + 123)).await.unwrap()).await;
    assert_eq!(tail, &big[9 * 1024 * 1024..]);
    assert!(s.read("generated/videos/v.mp4", 1024).await.is_err(), "the read limit holds");
    assert!(s.head("generated/images/missing.png").await.unwrap().is_none());
    assert!(s.get("generated/images/missing.png", None).await.err().unwrap().is_not_found());
    // Derived files always stay local.
    s.put_local("thumbnails/generated/images/a-m1280q86.webp", b"thumb").await.unwrap();
    assert_eq!(s.head("thumbnails/generated/images/a-m1280q86.webp").await.unwrap().unwrap().location, Location::Local);
    // Where the bytes are, per mode.
    let on_disk = dir.path().join("generated/images/a b.png").exists();
    assert_eq!(on_disk, mode != Mode::Object);
    if let Some(o) = s.object() {
        assert!(o.head("generated/images/a b.png").await.unwrap().is_some());
        assert!(o.head("thumbnails/generated/images/a-m1280q86.webp").await.unwrap().is_none());
    }
    assert!(s.probe(Duration::from_secs(5)).await.is_ok());
    assert!(s.put("../escape", Bytes::new()).await.is_err());
}

#[tokio::test]
async fn round_trip_local() {
    round_trip(Mode::Local).await;
}

#[tokio::test]
async fn round_trip_object() {
    round_trip(Mode::Object).await;
}

#[tokio::test]
async fn round_trip_dual() {
    round_trip(Mode::Dual).await;
}

#[tokio::test]
async fn dual_survives_the_object_side_being_down_and_mirrors_later() {
    // The bucket does not exist yet: every object request fails.
    let bucket = bucket_name();
    let (s, _dir) = open(Mode::Dual, &bucket).await;
    let health = s.probe(Duration::from_secs(5)).await;
    assert!(health.local.is_ok() && health.object.as_ref().unwrap().is_err() && !health.is_ok());
    s.put("generated/images/x.png", Bytes::from_static(b"xx")).await.expect("the user's write succeeds");
    let chunks = vec![Ok(Bytes::from_static(b"stream"))];
    s.put_stream("gallery/images/y.png", futures_util::stream::iter(chunks)).await.unwrap();
    assert_eq!(s.pending_mirrors(), ["gallery/images/y.png", "generated/images/x.png"]);
    // Reads fall back to the local copy.
    let r = s.get("generated/images/x.png", None).await.unwrap();
    assert_eq!(r.meta.location, Location::Local);
    assert_eq!(body(r).await, b"xx");
    assert_eq!(s.retry_mirrors().await, (0, 2), "still down");
    // The object side comes up; the background task catches up.
    create_bucket(&bucket).await;
    let task = s.spawn_mirror_retry(Duration::from_millis(50));
    for _ in 0..100 {
        if s.pending_mirrors().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    task.abort();
    assert!(s.pending_mirrors().is_empty());
    let o = s.object().unwrap();
    assert_eq!(o.head("generated/images/x.png").await.unwrap().unwrap().size, 2);
    assert_eq!(s.head("gallery/images/y.png").await.unwrap().unwrap().location, Location::Object);
    assert!(s.probe(Duration::from_secs(5)).await.is_ok());
}

#[tokio::test]
async fn signed_urls_work_and_tampering_is_refused() {
    let bucket = bucket_name();
    create_bucket(&bucket).await;
    let (s, _dir) = open(Mode::Object, &bucket).await;
    s.put("gallery/images/s.png", Bytes::from_static(b"signed bytes")).await.unwrap();
    let url = s.signed_url("gallery/images/s.png", Duration::from_secs(300)).await.unwrap().unwrap();
    assert!(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=300"), "{url}");
    assert!(url.contains("/site/gallery/images/s.png"), "the prefix is part of the object key: {url}");
    let http = reqwest::Client::new();
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap(), &b"signed bytes"[..]);
    // (moto_server does not check signatures, so forgery is not tested here.)
    assert!(s.signed_url("gallery/images/none.png", Duration::from_secs(60)).await.unwrap().is_none());
    let (local, _d) = open(Mode::Local, "").await;
    assert!(local.signed_url("gallery/images/s.png", Duration::from_secs(60)).await.unwrap().is_none());
}

#[tokio::test]
async fn sync_copies_what_differs_verifies_and_never_deletes() {
    let bucket = bucket_name();
    create_bucket(&bucket).await;
    let (s, _dir) = open(Mode::Local, &bucket).await;
    let o = miaojing_storage::object::ObjectSide::new(object_config(&bucket)).unwrap();
    for (k, v) in [("generated/images/1.png", "one"), ("generated/images/2.png", "two"), ("works/references/3.jpg", "three")] {
        s.put(k, Bytes::from(v)).await.unwrap();
    }
    s.put_local("thumbnails/generated/images/1-m1280q86.webp", b"t").await.unwrap();
    o.put("generated/images/1.png", Bytes::from("one")).await.unwrap(); // already there
    o.put("generated/images/2.png", Bytes::from("TWO")).await.unwrap(); // differs
    o.put("remote-only/keep.txt", Bytes::from("keep")).await.unwrap();
    let mut seen = Vec::new();
    let dry = sync_to_object(s.local(), &o, SyncOptions { dry_run: true, verify_only: false }, |i, n, k, out| {
        seen.push((i, n, k.to_string(), out))
    })
    .await
    .unwrap();
    assert_eq!((dry.files, dry.matched, dry.missing, dry.copied), (3, 1, 2, 0));
    assert_eq!(seen[0], (1, 3, "generated/images/1.png".to_string(), FileOutcome::Matched));
    assert_eq!(o.head("generated/images/2.png").await.unwrap().unwrap().size, 3, "a dry run copies nothing");
    let run = sync_to_object(s.local(), &o, SyncOptions::default(), |_, _, _, _| {}).await.unwrap();
    assert_eq!((run.matched, run.copied, run.failed, run.bytes_copied), (1, 2, 0, 8));
    assert_eq!(body_of(&o, "generated/images/2.png").await, b"two");
    let verify = sync_to_object(s.local(), &o, SyncOptions { dry_run: false, verify_only: true }, |_, _, _, _| {}).await.unwrap();
    assert_eq!((verify.matched, verify.missing), (3, 0));
    assert!(o.head("remote-only/keep.txt").await.unwrap().is_some(), "nothing is deleted");
    assert!(o.head("thumbnails/generated/images/1-m1280q86.webp").await.unwrap().is_none(), "derived files stay local");
}

async fn body_of(o: &miaojing_storage::object::ObjectSide, key: &str) -> Vec<u8> {
    let (_, mut b) = o.get(key, None).await.unwrap();
    let mut out = Vec::new();
    while let Some(c) = b.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

/// A PNG of `w`×`h` with some structure (so the thumbnail is not trivially small).
fn test_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, ((x ^ y) & 0xff) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn new_image_with_thumbnail(mode: Mode) {
    let bucket = bucket_name();
    if mode != Mode::Local {
        create_bucket(&bucket).await;
    }
    let (s, _dir) = open(mode, &bucket).await;
    let png = test_png(1600, 900);
    let key = "generated/images/new.png";
    let label = Label::ai_generated("job-1").with_model("gpt-image-1");
    let derived = s.put_image(key, Bytes::from(png.clone()), Some(&label), Effort::Fast).await.unwrap();
    assert_eq!(derived.size, Some((1600, 900)));
    let thumb = derived.thumbnail_key.expect("a thumbnail");
    assert_eq!(thumb, "thumbnails/generated/images/new-m1280q86.webp");
    let stored = s.read(key, 1 << 30).await.unwrap();
    assert_eq!(stored, embed_label(&png, &label).unwrap(), "the original is stored with the label, byte for byte otherwise");
    let thumb_bytes = s.local().read(&thumb).await.unwrap();
    assert_eq!(read_label(&thumb_bytes), Some(label.clone()), "the thumbnail carries the original's label");
    let t = image::load_from_memory(&thumb_bytes).unwrap();
    assert_eq!((t.width(), t.height()), (1280, 720));
    // Written after the original, so it counts as current: the backfill leaves it alone.
    let before = s.local().head(&thumb).await.unwrap().unwrap().modified;
    assert_eq!(s.ensure_thumbnail(key).await.unwrap(), thumb);
    assert_eq!(s.local().head(&thumb).await.unwrap().unwrap().modified, before);

    // Bytes that are no image are still stored; only the derived parts are missing.
    let junk = Bytes::from_static(b"\x89PNG\r\n\x1a\n but not really");
    let derived = s.put_image("generated/images/junk.png", junk.clone(), Some(&label), Effort::Fast).await.unwrap();
    assert_eq!(derived, Derived::default());
    assert_eq!(s.read("generated/images/junk.png", 1 << 20).await.unwrap(), junk.to_vec());
    // A stored image read back gives the same as one derived on the way in.
    let again = s.derive_image(key, Some(&label), Effort::Fast).await;
    assert_eq!((again.size, again.thumbnail_key.as_deref()), (Some((1600, 900)), Some(thumb.as_str())));
    assert_eq!(s.read(key, 1 << 30).await.unwrap(), stored, "an original already labelled is not written again");
    // A result streamed in unlabelled gets the label written into the stored original.
    s.put("generated/images/streamed.png", Bytes::from(png.clone())).await.unwrap();
    let streamed = s.derive_image("generated/images/streamed.png", Some(&label), Effort::Fast).await;
    assert!(streamed.thumbnail_key.is_some());
    assert_eq!(read_label(&s.read("generated/images/streamed.png", 1 << 30).await.unwrap()), Some(label));
    // An invalid key stores nothing.
    assert!(s.put_image("../escape.png", Bytes::from(png), None, Effort::Fast).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_images_get_their_thumbnail_local() {
    new_image_with_thumbnail(Mode::Local).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_images_get_their_thumbnail_object() {
    new_image_with_thumbnail(Mode::Object).await;
}
