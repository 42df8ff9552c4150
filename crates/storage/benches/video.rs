//! Video benchmarks on the repository's fixture `crates/mock-upstream/fixtures/sample.mp4`
//! (320×240, 1 s, 24 fps, H.264): the visible watermark re-encoded with libx264, the poster-frame
//! thumbnail, and the metadata-only label remux.
//!
//! `cargo bench -p miaojing-storage --bench video` runs criterion; the median per case is
//! `median.point_estimate` (ns) in `target/criterion/<case>/new/estimates.json`.

use std::path::{Path, PathBuf};

use criterion::{black_box, Criterion};
use miaojing_storage::media::{video, Label};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mock-upstream/fixtures/sample.mp4")
}

fn main() {
    let input = fixture();
    let dir = std::env::temp_dir().join(format!("mj-video-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let out = dir.join("out.mp4");
    let label = Label::ai_generated("bench");
    let mut c = Criterion::default().configure_from_args().sample_size(20);
    c.bench_function("video_watermark_fixture_320x240_1s", |b| {
        b.iter(|| video::watermark_video(black_box(&input), &out, Some(&label)).expect("watermark"))
    });
    c.bench_function("video_thumbnail_fixture", |b| b.iter(|| video::thumbnail(black_box(&input), None).expect("thumbnail")));
    c.bench_function("video_label_remux_fixture", |b| b.iter(|| video::label_mp4(black_box(&input), &out, &label).expect("label")));
    c.final_summary();
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}
