//! The runner against real stores (SQLite file, PostgreSQL) and a real upstream
//! (mock-upstream): results stored, money settled once, crashes recovered, cancels released.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use chrono::Utc;
use miaojing_domain::job::{Job, JobStatus, JobWakeup, Mode, NewJob, Outcome};
use miaojing_domain::ledger::{Grant, LedgerKind};
use miaojing_domain::user::{NewUser, Role, Tier};
use miaojing_domain::work::NewWork;
use miaojing_domain::Store;
use miaojing_jobs::{Aborts, EventBus, JobExecutor, JobQueue, LocalWakeup, Runner, RunnerConfig, Step};
use miaojing_mock_upstream::{MockConfig, MockHandle};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::Notify;
use uuid::Uuid;

/// Generates through mock-upstream and stores the bytes under `root`. Prompts containing
/// `hang` wait until `release` is notified (an upstream that takes its time).
struct MockExecutor {
    mock_base: String,
    http: reqwest::Client,
    root: PathBuf,
    starts: Mutex<HashMap<Uuid, usize>>,
    release: Notify,
}

impl MockExecutor {
    fn new(mock: &MockHandle, root: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            mock_base: mock.base_url().to_string(),
            http: reqwest::Client::new(),
            root,
            starts: Mutex::new(HashMap::new()),
            release: Notify::new(),
        })
    }

    fn starts_of(&self, id: Uuid) -> usize {
        self.starts.lock().get(&id).copied().unwrap_or(0)
    }

    fn work(job: &Job, key: String, bytes: usize) -> NewWork {
        NewWork {
            id: Uuid::new_v4(),
            user_id: job.user_id,
            job_id: Some(job.id),
            mode: job.mode,
            prompt: job.params["prompt"].as_str().unwrap_or_default().to_string(),
            negative_prompt: String::new(),
            params: json!({"bytes": bytes}),
            original_key: key,
            thumbnail_key: None,
            width: Some(1024),
            height: Some(1024),
            duration_secs: None,
            model: job.model.clone(),
            credits_cost: job.estimated_cost,
            created_at: Utc::now(),
        }
    }

    async fn save(&self, job: &Job, bytes: &[u8], ext: &str) -> NewWork {
        let key = format!("works/{}.{ext}", job.id);
        let path = self.root.join(&key);
        tokio::fs::create_dir_all(path.parent().unwrap()).await.unwrap();
        tokio::fs::write(&path, bytes).await.unwrap();
        Self::work(job, key, bytes.len())
    }

    fn succeeded(job: &Job, works: Vec<NewWork>) -> Step {
        let result = json!(works.iter().map(|w| json!({"workId": w.id, "key": w.original_key})).collect::<Vec<_>>());
        Step::Done(Outcome::Succeeded { actual_cost: job.estimated_cost, result, works })
    }
}

#[async_trait]
impl JobExecutor for MockExecutor {
    async fn start(&self, job: &Job) -> Step {
        *self.starts.lock().entry(job.id).or_default() += 1;
        let prompt = job.params["prompt"].as_str().unwrap_or_default().to_string();
        if prompt.contains("hang") {
            self.release.notified().await;
        }
        if matches!(job.mode, Mode::Text2Video) {
            let r = self
                .http
                .post(format!("{}/v1/video/generations", self.mock_base))
                .bearer_auth("sk-test")
                .json(&json!({"model": "mock-video-1", "prompt": prompt}))
                .send()
                .await;
            let body: Value = match r {
                Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
                _ => return Step::Done(Outcome::failed("upstream_error", "视频任务提交失败")),
            };
            let task_id = body["id"].as_str().unwrap_or_default().to_string();
            return Step::Pending { task_id, poll_after: Duration::from_millis(100) };
        }
        let r = self
            .http
            .post(format!("{}/v1/images/generations", self.mock_base))
            .bearer_auth("sk-test")
            .json(&json!({"model": "gpt-image-1", "prompt": prompt, "n": 1, "size": "64x64", "response_format": "b64_json"}))
            .send()
            .await;
        let body: Value = match r {
            Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
            Ok(r) => return Step::Done(Outcome::failed("upstream_error", format!("上游返回 {}", r.status()))),
            Err(e) => return Step::Done(Outcome::failed("upstream_error", e.to_string())),
        };
        let Some(b64) = body["data"][0]["b64_json"].as_str() else {
            return Step::Done(Outcome::failed("upstream_invalid", "上游没有返回图片"));
        };
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) else {
            return Step::Done(Outcome::failed("upstream_invalid", "图片数据无效"));
        };
        let w = self.save(job, &bytes, "png").await;
        Self::succeeded(job, vec![w])
    }

    async fn poll(&self, job: &Job, task_id: &str) -> Step {
        let again = Step::Again { poll_after: Duration::from_millis(100) };
        let Ok(r) = self.http.get(format!("{}/v1/video/generations/{task_id}", self.mock_base)).bearer_auth("sk-test").send().await else {
            return again;
        };
        let Ok(body) = r.json::<Value>().await else { return again };
        match body["status"].as_str() {
            Some("succeeded") => {
                let url = body["video_url"].as_str().unwrap_or_default();
                let Ok(bytes) = self.http.get(url).send().await.and_then(|r| r.error_for_status()) else { return again };
                let bytes = bytes.bytes().await.unwrap_or_default();
                let w = self.save(job, &bytes, "mp4").await;
                Self::succeeded(job, vec![w])
            }
            Some("failed") => Step::Done(Outcome::failed("upstream_error", "视频生成失败")),
            _ => again,
        }
    }
}

struct Harness {
    store: Arc<dyn Store>,
    exec: Arc<MockExecutor>,
    mock: MockHandle,
    _dir: tempfile::TempDir,
}

async fn harness(store: Arc<dyn Store>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mock = miaojing_mock_upstream::start(MockConfig::default()).await;
    let exec = MockExecutor::new(&mock, dir.path().to_path_buf());
    Harness { store, exec, mock, _dir: dir }
}

async fn sqlite_store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    Arc::new(miaojing_store_sqlite::SqliteStore::connect(dir.path().join("jobs.db").to_str().unwrap()).await.unwrap())
}

async fn user_with(store: &Arc<dyn Store>, credits: i64) -> Uuid {
    let id = Uuid::new_v4();
    let tag = id.simple().to_string()[..8].to_string();
    let user = NewUser {
        id,
        username: format!("u{tag}"),
        email: format!("{tag}@example.com"),
        phone: None,
        display_nickname: tag.clone(),
        avatar_url: None,
        role: Role::User,
        membership_tier: Tier::Free,
        invite_code: format!("I{tag}"),
        referred_by: None,
        email_verified: true,
        preferred_language: Default::default(),
        password_hash: "x".into(),
        created_at: Utc::now(),
    };
    let grant = Grant { user_id: id, amount: credits, kind: LedgerKind::Gift, description: "gift".into() };
    store.create_user(user, vec![grant], None).await.unwrap();
    id
}

fn job(user_id: Uuid, mode: Mode, prompt: &str, cost: i64) -> NewJob {
    let now = Utc::now();
    NewJob {
        id: Uuid::new_v4(),
        user_id,
        mode,
        model: "Mock".into(),
        channel: "mock".into(),
        params: json!({"prompt": prompt}),
        client_request_id: None,
        estimated_cost: cost,
        deadline_at: now + chrono::Duration::minutes(10),
        created_at: now,
    }
}

/// A runner and the event bus it publishes on (give the same bus to the queue).
fn runner(h: &Harness, wakeup: Arc<dyn JobWakeup>, id: &str, slots: usize, lease_ms: u64) -> (Arc<Runner>, Aborts, EventBus) {
    let aborts = Aborts::default();
    let events = EventBus::default();
    let mut cfg = RunnerConfig::new(id);
    cfg.slots = slots;
    cfg.lease = Duration::from_millis(lease_ms);
    cfg.idle_tick = Duration::from_millis(200);
    cfg.poll_tick = Duration::from_millis(50);
    let exec: Arc<dyn JobExecutor> = h.exec.clone();
    (Runner::new(Arc::clone(&h.store), exec, wakeup, events.clone(), aborts.clone(), cfg), aborts, events)
}

/// Waits until every job is finished (panics after 30 s).
async fn wait_finished(store: &Arc<dyn Store>, ids: &[Uuid]) -> Vec<Job> {
    for _ in 0..600 {
        let mut all = vec![];
        for id in ids {
            all.push(store.job_by_id(*id).await.unwrap().unwrap());
        }
        if all.iter().all(|j| j.status.is_terminal()) {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("jobs did not finish in time");
}

async fn wait_status(store: &Arc<dyn Store>, id: Uuid, pred: impl Fn(&Job) -> bool) -> Job {
    for _ in 0..600 {
        let j = store.job_by_id(id).await.unwrap().unwrap();
        if pred(&j) {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {id} never reached the expected state");
}

async fn balance(store: &Arc<dyn Store>, id: Uuid) -> i64 {
    store.user_by_id(id).await.unwrap().unwrap().credits_balance
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_jobs_stores_results_and_charges() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(sqlite_store(&dir).await).await;
    let wake: Arc<dyn JobWakeup> = Arc::new(LocalWakeup::default());
    let (r, aborts, events) = runner(&h, Arc::clone(&wake), "solo", 2, 5_000);
    let handle = r.spawn();
    let queue = JobQueue::new(Arc::clone(&h.store), wake, events, aborts);
    let user = user_with(&h.store, 100).await;
    let mut events = queue.events().subscribe(user);
    let mut ids = vec![];
    for i in 0..5 {
        ids.push(queue.submit(job(user, Mode::Text2Img, &format!("cat {i}"), 10)).await.unwrap().0.id);
    }
    let video = queue.submit(job(user, Mode::Text2Video, "a wave", 20)).await.unwrap().0;
    ids.push(video.id);
    let done = wait_finished(&h.store, &ids).await;
    assert!(done.iter().all(|j| j.status == JobStatus::Succeeded), "{done:?}");
    assert_eq!(balance(&h.store, user).await, 30);
    assert_eq!(h.store.open_holds_total(user).await.unwrap(), 0);
    let works = h.store.user_works(user, None, None, 50).await.unwrap();
    assert_eq!(works.len(), 6);
    for w in &works {
        let bytes = std::fs::read(h._dir.path().join(&w.original_key)).expect("the original is stored");
        assert!(!bytes.is_empty());
    }
    let v = h.store.job_by_id(video.id).await.unwrap().unwrap();
    assert!(v.upstream_task_id.is_some(), "the async task id was recorded");
    assert!(ids.iter().all(|id| h.exec.starts_of(*id) == 1));
    let rec = h.store.model_call_for_job(video.id).await.unwrap().unwrap();
    assert_eq!((rec.status.as_str(), rec.credits_cost), ("succeeded", 20));
    let mut statuses = vec![];
    while let Ok(ev) = events.try_recv() {
        statuses.push(ev.status);
    }
    assert!(statuses.contains(&JobStatus::Running) && statuses.contains(&JobStatus::Succeeded), "{statuses:?}");
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failure_releases_the_hold() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(sqlite_store(&dir).await).await;
    h.mock.add_rule(miaojing_mock_upstream::Rule {
        id: String::new(),
        path: Some("/v1/images/generations".into()),
        model: None,
        times: None,
        action: miaojing_mock_upstream::Action::Status { status: 500, retry_after: None, message: None, body: None },
    });
    let wake: Arc<dyn JobWakeup> = Arc::new(LocalWakeup::default());
    let (r, aborts, events) = runner(&h, Arc::clone(&wake), "solo", 2, 5_000);
    let handle = r.spawn();
    let queue = JobQueue::new(Arc::clone(&h.store), wake, events, aborts);
    let user = user_with(&h.store, 50).await;
    let j = queue.submit(job(user, Mode::Text2Img, "cat", 30)).await.unwrap().0;
    let done = wait_finished(&h.store, &[j.id]).await;
    assert_eq!((done[0].status, done[0].error_code.as_deref()), (JobStatus::Failed, Some("upstream_error")));
    assert_eq!(balance(&h.store, user).await, 50);
    assert_eq!(h.store.hold_by_id(j.hold_id.unwrap()).await.unwrap().unwrap().status, "released");
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_mid_flight_aborts_and_releases() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(sqlite_store(&dir).await).await;
    let wake: Arc<dyn JobWakeup> = Arc::new(LocalWakeup::default());
    let (r, aborts, events) = runner(&h, Arc::clone(&wake), "solo", 1, 5_000);
    let handle = r.spawn();
    let queue = JobQueue::new(Arc::clone(&h.store), wake, events, aborts);
    let user = user_with(&h.store, 50).await;
    let j = queue.submit(job(user, Mode::Text2Img, "hang forever", 30)).await.unwrap().0;
    wait_status(&h.store, j.id, |j| j.status == JobStatus::Running).await;
    let other = user_with(&h.store, 0).await;
    assert_eq!(queue.cancel(Some(other), j.id).await.unwrap_err().code, "job_not_found", "not another user's job");
    let c = queue.cancel(Some(user), j.id).await.unwrap();
    assert_eq!(c.status, JobStatus::Cancelled);
    h.exec.release.notify_waiters();
    // The slot is free again: the next job runs although the first one never returned.
    let next = queue.submit(job(user, Mode::Text2Img, "cat", 10)).await.unwrap().0;
    let done = wait_finished(&h.store, &[next.id]).await;
    assert_eq!(done[0].status, JobStatus::Succeeded);
    assert_eq!(balance(&h.store, user).await, 40, "only the second job was charged");
    assert_eq!(h.store.hold_by_id(j.hold_id.unwrap()).await.unwrap().unwrap().status, "released");
    assert_eq!(h.store.user_works(user, None, None, 10).await.unwrap().len(), 1);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_recovery_requeues_or_resumes_polling() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(sqlite_store(&dir).await).await;
    h.mock.set_settings(miaojing_mock_upstream::Settings { video_running_ms: 3_000, ..Default::default() });
    let wake: Arc<dyn JobWakeup> = Arc::new(LocalWakeup::default());
    let (a, aborts, events) = runner(&h, Arc::clone(&wake), "a", 4, 600);
    let ha = a.spawn();
    let queue = JobQueue::new(Arc::clone(&h.store), Arc::clone(&wake), events, aborts);
    let user = user_with(&h.store, 100).await;
    let stuck = queue.submit(job(user, Mode::Text2Img, "hang then cat", 10)).await.unwrap().0;
    let video = queue.submit(job(user, Mode::Text2Video, "a wave", 20)).await.unwrap().0;
    wait_status(&h.store, stuck.id, |j| j.status == JobStatus::Running).await;
    wait_status(&h.store, video.id, |j| j.upstream_task_id.is_some()).await;
    ha.kill(); // kill -9: no cleanup, leases left behind
    h.mock.clear_requests();

    let (b, _, _) = runner(&h, Arc::clone(&wake), "b", 4, 600);
    let hb = b.spawn();
    let released = h.exec.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        released.release.notify_waiters();
    });
    let done = wait_finished(&h.store, &[stuck.id, video.id]).await;
    assert!(done.iter().all(|j| j.status == JobStatus::Succeeded), "{done:?}");
    let s = &done[0];
    assert_eq!(s.attempt, 2, "the job that never reached upstream was re-queued and run again");
    assert_eq!(h.exec.starts_of(stuck.id), 2);
    assert_eq!(h.exec.starts_of(video.id), 1, "the paid create call was not sent again");
    let resubmits = h.mock.requests().iter().filter(|r| r.method == "POST" && r.path == "/v1/video/generations").count();
    assert_eq!(resubmits, 0);
    assert_eq!(balance(&h.store, user).await, 70);
    assert_eq!(h.store.open_holds_total(user).await.unwrap(), 0);
    hb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_on_one_postgres_never_run_twice_nor_double_charge() {
    let pg = miaojing_store_postgres::testing::fresh_database().await;
    let pool = pg.pool().clone();
    let h = harness(Arc::new(pg)).await;
    // Two instances: each its own LISTEN connection and runner.
    let wake_a: Arc<dyn JobWakeup> = Arc::new(miaojing_store_postgres::PgWakeup::start(&pool).await.unwrap());
    let wake_b: Arc<dyn JobWakeup> = Arc::new(miaojing_store_postgres::PgWakeup::start(&pool).await.unwrap());
    let (a, aborts, events) = runner(&h, Arc::clone(&wake_a), "instance-a", 3, 5_000);
    let (b, _, _) = runner(&h, Arc::clone(&wake_b), "instance-b", 3, 5_000);
    let (ha, hb) = (a.spawn(), b.spawn());
    let queue = JobQueue::new(Arc::clone(&h.store), wake_a, events, aborts);
    let user = user_with(&h.store, 100).await;
    let mut ids = vec![];
    for i in 0..30 {
        let mode = if i % 10 == 0 { Mode::Text2Video } else { Mode::Text2Img };
        ids.push(queue.submit(job(user, mode, &format!("cat {i}"), 2)).await.unwrap().0.id);
    }
    let done = wait_finished(&h.store, &ids).await;
    assert!(done.iter().all(|j| j.status == JobStatus::Succeeded), "{done:?}");
    assert!(ids.iter().all(|id| h.exec.starts_of(*id) == 1), "no job ran twice");
    let owners: std::collections::BTreeSet<i32> = done.iter().map(|j| j.attempt).collect();
    assert_eq!(owners, [1].into_iter().collect(), "each job was claimed once");
    assert_eq!(balance(&h.store, user).await, 40, "30 jobs x 2 credits, charged once each");
    let ledger = h.store.ledger_page(user, miaojing_domain::PageRequest { page: 1, size: 100 }).await.unwrap();
    assert_eq!(ledger.items.iter().filter(|e| e.kind == LedgerKind::Consume).count(), 30);
    assert_eq!(h.store.user_works(user, None, None, 100).await.unwrap().len(), 30);
    ha.stop().await;
    hb.stop().await;
}

/// A burst with short leases: lease renewals run while starts are being claimed, yet every
/// start is kept, no job is left running and none runs twice.
async fn burst_with_short_leases_loses_no_start(store: Arc<dyn Store>, wake: Arc<dyn JobWakeup>) {
    let h = harness(store).await;
    let (r, aborts, events) = runner(&h, Arc::clone(&wake), "busy", 16, 900);
    let handle = r.spawn();
    let queue = JobQueue::new(Arc::clone(&h.store), wake, events, aborts);
    let user = user_with(&h.store, 1_000).await;
    let mut ids = vec![];
    for i in 0..200 {
        ids.push(queue.submit(job(user, Mode::Text2Img, &format!("burst {i}"), 1)).await.unwrap().0.id);
    }
    let done = wait_finished(&h.store, &ids).await;
    assert!(done.iter().all(|j| j.status == JobStatus::Succeeded), "{:?}", done.iter().find(|j| j.status != JobStatus::Succeeded));
    assert!(ids.iter().all(|id| h.exec.starts_of(*id) == 1), "no job ran twice");
    assert_eq!(balance(&h.store, user).await, 800);
    assert_eq!(h.store.open_holds_total(user).await.unwrap(), 0);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_burst_with_short_leases_loses_no_start() {
    let dir = tempfile::tempdir().unwrap();
    burst_with_short_leases_loses_no_start(sqlite_store(&dir).await, Arc::new(LocalWakeup::default())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_burst_with_short_leases_loses_no_start() {
    let pg = miaojing_store_postgres::testing::fresh_database().await;
    let wake: Arc<dyn JobWakeup> = Arc::new(miaojing_store_postgres::PgWakeup::start(pg.pool()).await.unwrap());
    burst_with_short_leases_loses_no_start(Arc::new(pg), wake).await;
}
