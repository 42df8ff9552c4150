//! Thumbnail and watermark benchmarks on the shared inputs in `../../../shared/bench/`.
//!
//! `cargo bench -p miaojing-storage --bench thumbnail` runs criterion. With `MIAOJING_BENCH_MEDIAN=1`
//! it instead times each case like the sharp script does (2 warm-up runs, then the median of
//! `MIAOJING_BENCH_RUNS`, default 20) and prints one `median_ms <case> <value>` line per case; the
//! script `e2e/bench/thumbnails.sh` uses that mode.

use std::path::PathBuf;
use std::time::Instant;

use criterion::{black_box, Criterion};
use image::{DynamicImage, RgbImage};
use miaojing_storage::media;

const INPUTS: [&str; 2] = ["gradient-noise-2048x2048.png", "photo-like-4000x3000.jpg"];

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench")
}

fn load_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let dir = shared_dir();
    INPUTS
        .iter()
        .filter_map(|name| match std::fs::read(dir.join(name)) {
            Ok(bytes) => Some((*name, bytes)),
            Err(e) => {
                eprintln!("skipping {name}: cannot read {} ({e})", dir.join(name).display());
                None
            }
        })
        .collect()
}

fn watermark_input() -> DynamicImage {
    let img = RgbImage::from_fn(2048, 2048, |x, y| {
        let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 7;
        image::Rgb([(x / 8) as u8, (y / 8) as u8, (n & 0xff) as u8])
    });
    DynamicImage::ImageRgb8(img)
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let runs: usize = std::env::var("MIAOJING_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    for _ in 0..2 {
        f();
    }
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2.0
    }
}

fn median_mode() {
    for (name, bytes) in load_inputs() {
        let ms = median_ms(|| {
            black_box(media::thumbnail(&bytes, None).expect("thumbnail"));
        });
        println!("median_ms {name} {ms:.1}");
    }
    let base = watermark_input();
    let ms = median_ms(|| {
        let mut img = base.clone();
        media::watermark_image(&mut img).expect("watermark");
        black_box(img);
    });
    println!("median_ms watermark-2048x2048 {ms:.1}");
}

fn criterion_mode() {
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let inputs = load_inputs();
    if inputs.is_empty() {
        eprintln!("no shared benchmark inputs found in {}; only the watermark is measured", shared_dir().display());
    }
    for (name, bytes) in &inputs {
        c.bench_function(&format!("thumbnail {name}"), |b| b.iter(|| media::thumbnail(black_box(bytes), None).expect("thumbnail")));
    }
    let base = watermark_input();
    c.bench_function("watermark 2048x2048 (in memory)", |b| {
        b.iter_batched(
            || base.clone(),
            |mut img| {
                media::watermark_image(&mut img).expect("watermark");
                img
            },
            criterion::BatchSize::LargeInput,
        )
    });
    c.final_summary();
}

fn main() {
    if std::env::var_os("MIAOJING_BENCH_MEDIAN").is_some() {
        median_mode();
    } else {
        criterion_mode();
    }
}
