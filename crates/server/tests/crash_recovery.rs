//! Crash recovery of the real `miaojing` binary: `kill -9` while one job waits on an async
//! upstream task and another is inside a synchronous upstream call, restart on the same data,
//! and both jobs finish — the paid video create call is never sent twice, each job is charged
//! exactly once and no hold stays open. Runs on SQLite and on PostgreSQL.
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use miaojing_mock_upstream::{Action, MockConfig, MockHandle, Rule, Settings};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ADMIN_EMAIL: &str = "root@example.com";
const ADMIN_PASSWORD: &str = "crash-admin-pass1";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One run of the binary; killed with SIGKILL when dropped.
struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(data: &Path, database_url: &str, mock: &MockHandle) -> Self {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_miaojing"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", port.to_string())
            .env("MIAOJING_DATA_DIR", data)
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MIAOJING_OUTBOUND_ALLOWLIST", mock.addr().to_string())
            .env("MIAOJING_JOB_LEASE_SECS", "3")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if !database_url.is_empty() {
            cmd.env("DATABASE_URL", database_url);
        }
        let child = cmd.spawn().expect("the miaojing binary starts");
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), client: reqwest::Client::new() };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if server.client.get(format!("{}/api/health", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server never became healthy");
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Value {
        let (s, v) = self.call(reqwest::Method::POST, path, Some(body), token).await;
        assert!(s.is_success(), "POST {path}: {s} {v}");
        v
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let (s, v) = self.call(reqwest::Method::GET, path, None, Some(token)).await;
        assert!(s.is_success(), "GET {path}: {s} {v}");
        v
    }

    async fn kill9(mut self) {
        self.child.kill().expect("SIGKILL delivered");
        self.child.wait().unwrap();
    }
}

fn creates(mock: &MockHandle, path: &str) -> usize {
    mock.requests().iter().filter(|r| r.method == "POST" && r.path == path).count()
}

async fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn crash_and_recover(database_url: String) {
    let settings = Settings { video_queued_ms: 500, video_running_ms: 5_000, ..Settings::default() };
    let mock = miaojing_mock_upstream::start(MockConfig { settings, ..MockConfig::default() }).await;
    // The first image call hangs long enough to be cut off by the crash.
    mock.add_rule(Rule::new(Action::Delay { ms: 20_000 }).on_path("/v1/images/generations").times(1));
    let data = tempfile::tempdir().unwrap();

    let first = Server::start(data.path(), &database_url, &mock).await;
    let login = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "adminOnly": true});
    let admin = first.post("/api/auth/login", login.clone(), None).await["session"]["access_token"].as_str().unwrap().to_string();
    let api = |name: &str, model: &str, extra: Value| {
        let mut b = json!({"name": name, "modelName": model, "apiUrl": format!("{}/v1", mock.base_url()), "apiKey": "sk-crash-1"});
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };
    first.post("/api/admin/system-apis", api("Paint", "gpt-image-1", json!({"creditsPerUse": 3})), Some(&admin)).await;
    let video = json!({"type": "video", "billingMode": "duration", "durationPricePerSecond": 2});
    first.post("/api/admin/system-apis", api("Wave", "mock-video-1", video), Some(&admin)).await;
    let reg = json!({"email": "crash@example.com", "nickname": "crash", "password": "passw0rd-ok", "acceptedTerms": true});
    let user = first.post("/api/auth/register", reg, None).await;
    let token = user["session"]["access_token"].as_str().unwrap().to_string();
    let user_id: uuid::Uuid = user["user"]["id"].as_str().unwrap().parse().unwrap();
    let before = first.get("/api/profile", &token).await["profile"]["credits_balance"].as_i64().unwrap();

    let submit = |kind: &str, payload: Value| json!({"type": kind, "payload": payload});
    let v = first
        .post("/api/generation-jobs", submit("video", json!({"prompt": "a tide", "model": "Wave", "duration": 3})), Some(&token))
        .await;
    let video_job = v["jobId"].as_str().unwrap().to_string();
    let v = first.post("/api/generation-jobs", submit("image", json!({"prompt": "a kite", "model": "Paint"})), Some(&token)).await;
    let image_job = v["jobId"].as_str().unwrap().to_string();

    wait_for("both create calls", || creates(&mock, "/v1/video/generations") == 1 && creates(&mock, "/v1/images/generations") == 1).await;
    // Let the video task id reach the store, then crash mid-flight.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let running = first.get(&format!("/api/generation-jobs/{video_job}"), &token).await;
    assert_eq!(running["status"], "running", "{running}");
    first.kill9().await;

    let second = Server::start(data.path(), &database_url, &mock).await;
    let token = second.post("/api/auth/login", json!({"email": "crash@example.com", "password": "passw0rd-ok"}), None).await["session"]
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut done = Vec::new();
    for id in [&video_job, &image_job] {
        loop {
            let job = second.get(&format!("/api/generation-jobs/{id}"), &token).await;
            if ["succeeded", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
                done.push(job);
                break;
            }
            assert!(Instant::now() < deadline, "job {id} never finished after the restart: {job}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert!(done.iter().all(|j| j["status"] == "succeeded"), "{done:?}");
    assert_eq!(creates(&mock, "/v1/video/generations"), 1, "the paid video create call is never sent again");
    assert_eq!(creates(&mock, "/v1/images/generations"), 2, "the image job that never got an answer is re-queued");
    let after = second.get("/api/profile", &token).await["profile"]["credits_balance"].as_i64().unwrap();
    assert_eq!(after, before - 3 - 6, "each job charged exactly once");
    let url = if database_url.is_empty() { format!("sqlite://{}", data.path().join("miaojing.db").display()) } else { database_url };
    let store = miaojing_server::startup::open_store(&url, 1).await.unwrap();
    assert_eq!(store.open_holds_total(user_id).await.unwrap(), 0, "no hold left open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_mid_job_recovers_on_sqlite() {
    crash_and_recover(String::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_mid_job_recovers_on_postgres() {
    crash_and_recover(miaojing_store_postgres::testing::fresh_database_url().await).await;
}
