//! Video serving and thumbnails through `Storage`: watermarked H.264 renders with the AI label,
//! made once and cached, from local disk and from a real S3-compatible server (moto_server,
//! started by `deploy/test-services.sh`), and video thumbnails with the stale-placeholder retry.
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use ffmpeg_next as ffmpeg;
use miaojing_storage::backfill::stale_thumbnail_key_for;
use miaojing_storage::media::video::{extract_frame, read_mp4_label};
use miaojing_storage::{Mode, ObjectConfig, Storage, StorageConfig};

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../mock-upstream/fixtures/sample.mp4")).unwrap()
}

/// The codec name of the first video stream of `path`.
fn video_codec(path: &Path) -> String {
    ffmpeg::init().unwrap();
    let ictx = ffmpeg::format::input(&path).unwrap();
    let stream = ictx.streams().best(ffmpeg::media::Type::Video).unwrap();
    let params = stream.parameters();
    params.id().name().to_string()
}

/// Checks the render of `source` at `cache`: different bytes, H.264, a decodable frame of the
/// same size, and the AI label naming the file's id.
fn assert_watermarked_render(dir: &Path, cache: &str, source: &[u8], id: &str) -> PathBuf {
    assert!(cache.starts_with("watermarked/videos/") && cache.ends_with(".mp4"), "{cache}");
    let path = dir.join(cache);
    let out = std::fs::read(&path).unwrap();
    assert_ne!(out, source, "the render differs from the original");
    assert_eq!(video_codec(&path), "h264");
    let frame = extract_frame(&path).unwrap();
    assert_eq!(frame.image.dimensions(), (320, 240));
    let label = read_mp4_label(&path).unwrap().expect("the render carries the AI label");
    assert!(label.is_ai_generated());
    assert_eq!(label.produce_id, id);
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_videos_are_watermarked_once_with_the_label() {
    let dir = tempfile::tempdir().unwrap();
    let s = Storage::local_only(dir.path()).unwrap();
    let src = fixture();
    s.put("generated/videos/clip-1.mp4", Bytes::from(src.clone())).await.unwrap();
    // Concurrent requests share one render.
    let (a, b) = tokio::join!(s.watermarked("generated/videos/clip-1.mp4"), s.watermarked("generated/videos/clip-1.mp4"));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    let path = assert_watermarked_render(dir.path(), &a, &src, "clip-1");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(s.watermarked("generated/videos/clip-1.mp4").await.unwrap(), a);
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime, "a cached render is not redone");
    let renders = s.local().list("watermarked/videos/").await.unwrap();
    assert_eq!(renders.len(), 1, "one render, no leftover temporary files: {renders:?}");
    // A corrupt video is an error, and leaves nothing in the cache.
    s.put("generated/videos/bad.mp4", Bytes::from_static(b"not a video at all")).await.unwrap();
    assert!(s.watermarked("generated/videos/bad.mp4").await.is_err());
    assert!(s.watermarked("generated/videos/missing.mp4").await.unwrap_err().is_not_found());
    assert_eq!(s.local().list("watermarked/videos/").await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_thumbnails_by_ensure_and_backfill_with_placeholder_retry() {
    let dir = tempfile::tempdir().unwrap();
    let s = Storage::local_only(dir.path()).unwrap();
    let src = fixture();
    s.put("generated/videos/a.mp4", Bytes::from(src.clone())).await.unwrap();
    let thumb = s.ensure_thumbnail("generated/videos/a.mp4").await.unwrap();
    assert_eq!(thumb, "thumbnails/generated/videos/a-m1280q86.webp");
    let img = image::load_from_memory(&s.local().read(&thumb).await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (320, 240));

    s.put("gallery/videos/b.mov", Bytes::from(src.clone())).await.unwrap();
    s.put("gallery/videos/broken.webm", Bytes::from_static(b"\x1a\x45\xdf\xa3 truncated")).await.unwrap();
    let r = s.backfill_thumbnails().await.unwrap();
    assert_eq!((r.checked, r.made, r.failed), (3, 1, 1), "{r:?}");
    assert!(s.local().head("thumbnails/gallery/videos/b-m1280q86.webp").await.unwrap().is_some());
    // The corrupt video has a placeholder under its stale key and no real thumbnail.
    let stale = stale_thumbnail_key_for("gallery/videos/broken.webm");
    assert_eq!(stale, "thumbnails/gallery/videos/broken-m1280q86-stale.webp");
    let placeholder = image::load_from_memory(&s.local().read(&stale).await.unwrap()).unwrap();
    assert_eq!((placeholder.width(), placeholder.height()), (1280, 720));
    assert!(s.local().head("thumbnails/gallery/videos/broken-m1280q86.webp").await.unwrap().is_none());
    assert_eq!(s.ensure_thumbnail("gallery/videos/broken.webm").await.unwrap(), stale);
    // Later passes retry it; once the file is readable the real thumbnail replaces the placeholder.
    assert_eq!(s.backfill_thumbnails().await.unwrap().failed, 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    s.put("gallery/videos/broken.webm", Bytes::from(src)).await.unwrap();
    let r = s.backfill_thumbnails().await.unwrap();
    assert_eq!((r.made, r.failed), (1, 0), "{r:?}");
    assert!(s.local().head("thumbnails/gallery/videos/broken-m1280q86.webp").await.unwrap().is_some());
    assert!(s.local().head(&stale).await.unwrap().is_none(), "the placeholder is removed");
    assert_eq!(s.backfill_thumbnails().await.unwrap().made, 0, "nothing left to do");
}

fn endpoint() -> String {
    std::env::var("MIAOJING_TEST_S3_ENDPOINT")
        .expect("MIAOJING_TEST_S3_ENDPOINT is not set: run `source deploy/test-services.sh && mj_start_test_services` first")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_backed_videos_are_spooled_then_watermarked_and_thumbnailed() {
    let bucket = format!("mj-video-{}", uuid::Uuid::new_v4().simple());
    let r = reqwest::Client::new().put(format!("{}/{bucket}", endpoint())).send().await.unwrap();
    assert!(r.status().is_success());
    let dir = tempfile::tempdir().unwrap();
    let object = ObjectConfig {
        bucket,
        region: "us-east-1".into(),
        endpoint: Some(endpoint()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        force_path_style: true,
        prefix: Some("site".into()),
    };
    let s = Storage::open(StorageConfig { mode: Mode::Object, local_dir: dir.path().to_path_buf(), object: Some(object) }).unwrap();
    let src = fixture();
    s.put("generated/videos/obj-7.mp4", Bytes::from(src.clone())).await.unwrap();
    assert!(!dir.path().join("generated/videos/obj-7.mp4").exists(), "the original lives in the bucket");
    let cache = s.watermarked("generated/videos/obj-7.mp4").await.unwrap();
    assert_watermarked_render(dir.path(), &cache, &src, "obj-7");
    let r = s.backfill_thumbnails().await.unwrap();
    assert_eq!((r.checked, r.made, r.failed), (1, 1, 0), "{r:?}");
    assert!(dir.path().join("thumbnails/generated/videos/obj-7-m1280q86.webp").is_file());
    // Spooled copies are removed after use.
    let spool = dir.path().join(".spool");
    assert_eq!(std::fs::read_dir(&spool).map(|d| d.count()).unwrap_or(0), 0, "no spooled copy is left behind");
}
