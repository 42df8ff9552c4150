//! Generation pipeline figures (issue 5), measured end to end on the real app and the real
//! mock upstream, both in this process, on SQLite or PostgreSQL:
//!
//! - dispatch latency: a job's `startedAt − createdAt` on an idle queue (median);
//! - platform overhead of a 1024² image job: `finishedAt − startedAt` minus the median time
//!   the mock upstream takes to answer the same request called directly;
//! - throughput: image jobs per second for a burst submitted at once (zero-latency upstream);
//! - polling: with 1,000 async video tasks in flight, how many were polled at least once in
//!   every 5 s interval of a 15 s window.
//!
//! Usage: `cargo bench -p miaojing-server --bench pipeline -- [sqlite|postgres] [jobs]`
//! (PostgreSQL needs `MIAOJING_TEST_PG_URL`; see deploy/test-services.sh).
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use miaojing_domain::Store;
use miaojing_mock_upstream::{MockConfig, MockHandle, Settings};
use miaojing_server::config::Config;
use miaojing_server::Application;
use serde_json::{json, Value};

struct Bench {
    base: String,
    client: reqwest::Client,
    user: String,
    mock: MockHandle,
}

impl Bench {
    async fn post(&self, path: &str, body: Value, token: &str) -> Value {
        let res = self.client.post(format!("{}{path}", self.base)).bearer_auth(token).json(&body).send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {v}");
        v
    }

    /// The job as its owner sees it. A pooled connection the server closed as idle is retried.
    async fn job(&self, id: &str) -> Value {
        let url = format!("{}/api/generation-jobs/{id}", self.base);
        let mut last = None;
        for _ in 0..3 {
            match self.client.get(&url).bearer_auth(&self.user).send().await {
                Ok(res) => return res.json().await.unwrap(),
                Err(e) if e.is_request() => last = Some(e),
                Err(e) => panic!("GET {url}: {e}"),
            }
        }
        panic!("GET {url}: the connection kept failing: {last:?}")
    }

    async fn submit(&self, kind: &str, payload: Value) -> String {
        let v = self.post("/api/generation-jobs", json!({"type": kind, "payload": payload}), &self.user).await;
        v["jobId"].as_str().unwrap().to_string()
    }

    /// Polls until the job ends; panics unless it succeeded.
    async fn finished(&self, id: &str) -> Value {
        loop {
            let v = self.job(id).await;
            match v["status"].as_str() {
                Some("succeeded") => return v,
                Some("failed" | "cancelled") => panic!("job failed: {v}"),
                _ => tokio::time::sleep(Duration::from_millis(2)).await,
            }
        }
    }
}

/// The caller's stream of job events (`GET /api/generation-jobs/events`): how a client waits
/// for its jobs without loading the server it measures.
struct Events {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

impl Events {
    async fn open(b: &Bench) -> Self {
        let res = b.client.get(format!("{}/api/generation-jobs/events", b.base)).bearer_auth(&b.user).send().await.unwrap();
        assert!(res.status().is_success(), "opening the job events: {}", res.status());
        Self { stream: Box::pin(res.bytes_stream()), buf: String::new() }
    }

    /// Waits for the event that job `id` has ended.
    async fn ended(&mut self, id: &str) {
        loop {
            while let Some(i) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..i + 2).collect();
                let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) else { continue };
                let v: Value = serde_json::from_str(data).unwrap();
                if v["jobId"] == id && matches!(v["status"].as_str(), Some("succeeded" | "failed" | "cancelled")) {
                    return;
                }
            }
            let next = tokio::time::timeout(Duration::from_secs(30), self.stream.next()).await;
            let chunk = next.expect("no job event within 30 s").expect("the event stream ended").unwrap();
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn at(v: &Value, field: &str) -> DateTime<Utc> {
    v[field].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{field} missing: {v}"))
}

fn ms(d: chrono::Duration) -> f64 {
    d.num_microseconds().unwrap() as f64 / 1000.0
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

fn pct(xs: &[f64], p: f64) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[((xs.len() as f64 - 1.0) * p).round() as usize]
}

async fn setup(backend: &str) -> (Bench, tempfile::TempDir) {
    let settings = Settings { video_queued_ms: 0, video_running_ms: 60_000, ..Settings::default() };
    let mock = miaojing_mock_upstream::start(MockConfig { settings, max_recorded: 200_000, workers: 2, ..MockConfig::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(dir.path());
    config.outbound_allowlist = mock.addr().to_string();
    config.worker_slots = 16;
    config.workers = 2;
    config.db_max_connections = 16;
    let store: Arc<dyn Store> = match backend {
        "postgres" => {
            let url = miaojing_store_postgres::testing::fresh_database_url().await;
            miaojing_server::startup::open_store(&url, 16).await.unwrap()
        }
        _ => {
            config.database_url = format!("sqlite://{}", dir.path().join("bench.db").display());
            miaojing_server::startup::open_store(&config.database_url, 16).await.unwrap()
        }
    };
    let app = Application::build_with_store(config, store).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let mut bench = Bench { base, client, user: String::new(), mock };

    state.auth.create_admin("bench-admin@example.com", "adminpass1", Some("benchadmin")).await.unwrap();
    let login = json!({"email": "bench-admin@example.com", "password": "adminpass1", "adminOnly": true});
    let admin = bench.post("/api/auth/login", login, "").await["session"]["access_token"].as_str().unwrap().to_string();
    let api = |name: &str, model: &str, extra: Value| {
        let mut b = json!({"name": name, "modelName": model, "apiUrl": format!("{}/v1", bench.mock.base_url()), "apiKey": "sk-bench"});
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };
    bench.post("/api/admin/system-apis", api("Paint", "gpt-image-1", json!({"creditsPerUse": 1})), &admin).await;
    bench.post("/api/admin/system-apis", api("Wave", "mock-video-1", json!({"type": "video", "billingMode": "free"})), &admin).await;
    let reg = json!({"email": "bench@example.com", "nickname": "bench", "password": "passw0rd-ok", "acceptedTerms": true});
    let user = bench.post("/api/auth/register", reg, "").await;
    bench.user = user["session"]["access_token"].as_str().unwrap().to_string();
    let adjust = json!({"userId": user["user"]["id"], "amount": 1_000_000, "reason": "benchmark"});
    bench.post("/api/admin/users/credits", adjust, &admin).await;
    (bench, dir)
}

/// Dispatch latency and overhead, one job at a time on an idle queue. The client waits on the
/// event stream, as the web app does, rather than polling the server it measures.
async fn sequential(b: &Bench, jobs: usize) {
    let mut dispatch = Vec::new();
    let mut total = Vec::new();
    let mut events = Events::open(b).await;
    for i in 0..jobs {
        let id = b.submit("image", json!({"prompt": format!("sequential {i}"), "model": "Paint", "size": "1024x1024"})).await;
        events.ended(&id).await;
        let v = b.finished(&id).await;
        dispatch.push(ms(at(&v, "started_at") - at(&v, "created_at")));
        total.push(ms(at(&v, "finished_at") - at(&v, "started_at")));
    }
    // The same upstream call made directly: what the upstream alone costs.
    let mut upstream = Vec::new();
    for i in 0..jobs {
        let t = Instant::now();
        let res = b
            .client
            .post(b.mock.url("/v1/images/generations"))
            .bearer_auth("sk-bench")
            .json(&json!({"model": "gpt-image-1", "prompt": format!("direct {i}"), "size": "1024x1024", "n": 1}))
            .send()
            .await
            .unwrap();
        let _ = res.bytes().await.unwrap();
        upstream.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (d, t, u) = (median(dispatch.clone()), median(total), median(upstream));
    println!("dispatch latency (submission → running), {jobs} jobs: median {d:.2} ms, p90 {:.2} ms", pct(&dispatch, 0.9));
    println!("1024² image job, running → succeeded: median {t:.1} ms; upstream alone: median {u:.1} ms");
    println!("platform overhead per 1024² image job (store original + thumbnail, settle): median {:.1} ms", t - u);
}

/// A burst of small image jobs submitted at once; jobs per second until the last one ends.
async fn throughput(b: &Bench, jobs: usize) {
    let start = Instant::now();
    let ids: Vec<String> = futures_util::stream::iter(0..jobs)
        .map(|i| b.submit("image", json!({"prompt": format!("burst {i}"), "model": "Paint", "size": "256x256"})))
        .buffer_unordered(32)
        .collect()
        .await;
    let submitted = start.elapsed();
    futures_util::stream::iter(ids.iter()).for_each_concurrent(32, |id| async move { drop(b.finished(id).await) }).await;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "throughput: {jobs} image jobs (256², zero-latency upstream) in {secs:.2} s = {:.1} jobs/s (submitted in {:.2} s)",
        jobs as f64 / secs,
        submitted.as_secs_f64()
    );
}

/// 1,000 async video tasks in flight: share polled at least once in each 5 s interval.
async fn polling(b: &Bench, tasks: usize) {
    let before = b.mock.requests().iter().filter(|r| r.method == "POST" && r.path == "/v1/video/generations").count();
    futures_util::stream::iter(0..tasks)
        .map(|i| b.submit("video", json!({"prompt": format!("tide {i}"), "model": "Wave", "duration": 3})))
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    let started = Instant::now();
    loop {
        let n = b.mock.requests().iter().filter(|r| r.method == "POST" && r.path == "/v1/video/generations").count() - before;
        if n >= tasks {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "only {n} of {tasks} video tasks reached the upstream");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("{tasks} video tasks submitted upstream in {:.1} s", started.elapsed().as_secs_f64());
    // Let every task get its first poll scheduled, then watch three 5 s intervals.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let window_start = Utc::now();
    tokio::time::sleep(Duration::from_secs(15)).await;
    let mut seen: HashMap<String, [bool; 3]> = HashMap::new();
    for r in b.mock.requests() {
        let Some(task) = r.path.strip_prefix("/v1/video/generations/") else { continue };
        let Ok(t) = r.time.parse::<DateTime<Utc>>() else { continue };
        let slot = (t - window_start).num_milliseconds();
        if (0..15_000).contains(&slot) {
            seen.entry(task.to_string()).or_default()[(slot / 5_000) as usize] = true;
        }
    }
    let every = seen.values().filter(|s| s.iter().all(|x| *x)).count();
    let polls: usize = b
        .mock
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/video/generations/"))
        .filter(|r| r.time.parse::<DateTime<Utc>>().is_ok_and(|t| (t - window_start).num_milliseconds() >= 0))
        .count();
    println!("polling: {every} of {tasks} in-flight video tasks polled in every 5 s interval of 15 s ({polls} polls in the window)");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let backend = args.first().map(String::as_str).unwrap_or("sqlite").to_string();
    let jobs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(500);
    // Server-side warnings (lease losses, pool timeouts, upstream errors) explain a slow run.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    miaojing_server::telemetry::init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (bench, _dir) = setup(&backend).await;
        println!("== pipeline on {backend} ({} CPUs) ==", std::thread::available_parallelism().map_or(1, |n| n.get()));
        sequential(&bench, 40).await;
        throughput(&bench, jobs).await;
        polling(&bench, 1000).await;
    });
}
