//! Platform overhead of one upstream image call, network and storage excluded: ordering the
//! failover candidates, building the request body, and parsing the upstream's answer carrying a
//! 1024×1024 base64 PNG (the real answer of mock-upstream, fetched once before measuring).
//!
//! Run: `cargo bench -p miaojing-providers --bench overhead` (goal: median ≤ 2 ms).
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use miaojing_providers::adapters::openai;
use miaojing_providers::failover::{order_candidates, OrderKey, PollingMode};
use miaojing_providers::{ChannelConfig, GenerationRequest, MediaType, Mode, Protocol};

/// The exact bytes mock-upstream answers to a 1024×1024 b64_json generation.
fn upstream_answer(body: &serde_json::Value) -> Vec<u8> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mock = miaojing_mock_upstream::start(Default::default()).await;
        let resp = reqwest::Client::new().post(mock.url("/v1/images/generations")).bearer_auth("sk-bench").json(body).send().await.unwrap();
        assert!(resp.status().is_success());
        resp.bytes().await.unwrap().to_vec()
    })
}

/// The same answer shape carrying an incompressible 1024×1024 PNG (worst case, ~3 MiB).
fn noisy_answer() -> Vec<u8> {
    use base64::Engine;
    let mut state = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(1024, 1024, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(png.into_inner());
    format!(r#"{{"created":1,"data":[{{"b64_json":"{b64}","revised_prompt":"x"}}],"output_format":"png","size":"1024x1024","usage":{{"input_tokens":9,"output_tokens":272,"total_tokens":281}}}}"#).into_bytes()
}

struct Row {
    sort_order: i64,
    polling_order: i64,
    created_at: DateTime<Utc>,
    channel: ChannelConfig,
}

fn bench(c: &mut Criterion) {
    let channel =
        ChannelConfig::new(Protocol::OpenAiCompatible, "https://relay.example.com/v1", "sk-bench-key", "gpt-image-2", MediaType::Image);
    let mut req = GenerationRequest::new(Mode::Text2Img, "a quiet harbour at dawn, film grain, 35mm");
    req.size = Some("1024x1024".into());
    req.output_format = Some("png".into());
    req.quality = Some("high".into());
    let answer = upstream_answer(&openai::generation_body(&channel, &req));
    let rows: Vec<Row> = (0..8)
        .map(|i| Row {
            sort_order: (i * 7) % 5,
            polling_order: i % 3,
            created_at: DateTime::from_timestamp(1_700_000_000 + i, 0).unwrap(),
            channel: channel.clone(),
        })
        .collect();
    eprintln!("upstream answer: {} bytes", answer.len());
    let noisy = noisy_answer();
    eprintln!("noisy answer: {} bytes", noisy.len());

    let mut group = c.benchmark_group("image_call_overhead");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("order_candidates", |b| {
        b.iter_batched_ref(
            || rows.iter().map(|r| (r.sort_order, r.polling_order, r.created_at, r.channel.clone())).collect::<Vec<_>>(),
            |rows| order_candidates(rows, PollingMode::Sequential, |r| OrderKey { sort_order: r.0, polling_order: r.1, created_at: r.2 }),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("build_request", |b| {
        b.iter(|| serde_json::to_vec(&openai::generation_body(black_box(&channel), black_box(&req))).unwrap())
    });
    group.bench_function("parse_1024px_b64_png_answer", |b| {
        b.iter(|| openai::parse_images_answer("application/json", black_box(&answer), "image/png").unwrap())
    });
    group.bench_function("parse_1024px_noise_png_answer", |b| {
        b.iter(|| openai::parse_images_answer("application/json", black_box(&noisy), "image/png").unwrap())
    });
    group.bench_function("total", |b| {
        b.iter(|| {
            let mut cands: Vec<(i64, i64, DateTime<Utc>, &ChannelConfig)> =
                rows.iter().map(|r| (r.sort_order, r.polling_order, r.created_at, &r.channel)).collect();
            order_candidates(&mut cands, PollingMode::Sequential, |r| OrderKey { sort_order: r.0, polling_order: r.1, created_at: r.2 });
            let body = serde_json::to_vec(&openai::generation_body(cands[0].3, &req)).unwrap();
            let out = openai::parse_images_answer("application/json", black_box(&answer), "image/png").unwrap();
            (body, out)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
