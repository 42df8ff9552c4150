//! What a job costs and what cancelling one does upstream (issue 15): results capped at the
//! requested count, one number for the charge, the job's cost and the ledger row, the new
//! balance on the finished job, and cancels that reach the upstream's task API. Then demo mode:
//! a fresh server offers offline demo models for every mode, and the console switch removes them.
use miaojing_api_types::ErrorCode;
use std::time::Duration;

use miaojing_domain::job::CallFilter;
use miaojing_domain::PageRequest;
use miaojing_mock_upstream::{Action, MockHandle, Rule, Settings};
use miaojing_server::demo::{DEMO_IMAGE, DEMO_TEXT, DEMO_VIDEO};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::generation::{finished, start, submit, system_api};
use crate::helpers::{assert_error, spawn_with, Backend, TestApp};

crate::with_upstream!(
    results_are_capped_and_every_record_carries_the_charge,
    free_jobs_carry_the_balance_too,
    cancelling_a_video_job_cancels_the_upstream_task,
);

/// The caller's ledger, newest first.
async fn ledger(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, v) = app.get("/api/credit-transactions?limit=100", Some(token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["records"].as_array().unwrap().clone()
}

async fn results_are_capped_and_every_record_carries_the_charge(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 2})).await;
    // An upstream that answers nine images whatever was asked for.
    mock.add_rule(Rule::new(Action::ImageCount { count: 9 }).on_path("/v1/images/generations"));
    let (t, user) = app.register("cap@example.com", "capped").await;
    let before = app.balance(&t).await;
    let (s, v) = submit(&app, &t, "image", json!({"prompt": "one lighthouse", "model": "Paint", "count": 1})).await;
    assert_eq!((s, v["creditsHeld"].as_i64()), (StatusCode::ACCEPTED, Some(2)), "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let sent = mock.requests().into_iter().filter(|r| r.path == "/v1/images/generations").count();
    assert_eq!(sent, 1);

    let images = job["result"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "only the requested image is kept: {job}");
    assert_eq!(job["result"]["thumbnailUrls"].as_array().unwrap().len(), 1);
    assert_eq!(job["result"]["workIds"].as_array().unwrap().len(), 1);
    let after = app.balance(&t).await;
    assert_eq!(after, before - 2, "charged the price of one image");
    assert_eq!(job["result"]["creditsCost"], 2, "the job's cost is the charge");
    assert_eq!(job["result"]["creditsBalance"], after, "the finished job carries the new balance");

    let newest = &ledger(&app, &t).await[0];
    assert_eq!((newest["type"].as_str(), newest["amount"].as_i64()), (Some("consume"), Some(-2)), "{newest}");
    assert_eq!(newest["balanceAfter"], after);
    assert_eq!(job["result"]["creditDescription"], newest["description"]);

    let (_, hist) = app.get("/api/creation-history", Some(&t)).await;
    let rows = hist["records"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "one work: {hist}");
    assert_eq!(rows[0]["creditsCost"], 2);
    let user_id: Uuid = user["id"].as_str().unwrap().parse().unwrap();
    let calls = app
        .store
        .list_model_calls(&CallFilter { user_id: Some(user_id), ..CallFilter::default() }, PageRequest { page: 1, size: 10 })
        .await
        .unwrap();
    assert_eq!(calls.items.iter().map(|c| (c.credits_cost, c.result_count)).collect::<Vec<_>>(), vec![(2, 1)]);
}

async fn free_jobs_carry_the_balance_too(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Sketch", "modelName": "gpt-image-1", "billingMode": "free"})).await;
    let (t, _) = app.register("free@example.com", "freebie").await;
    let (_, v) = submit(&app, &t, "image", json!({"prompt": "a free sketch", "model": "Sketch", "count": 2})).await;
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["creditsCost"], 0);
    assert_eq!(job["result"]["creditsBalance"], app.balance(&t).await);
    assert!(job["result"].get("creditDescription").is_none(), "no ledger line for a free job: {job}");
}

/// Waits until the mock has received cancels for exactly `tasks` (panics after 10 s).
async fn cancels_reach(mock: &MockHandle, tasks: &[&str]) {
    let mut want: Vec<String> = tasks.iter().map(|t| t.to_string()).collect();
    want.sort();
    for _ in 0..200 {
        if mock.cancelled_tasks() == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mock.cancelled_tasks(), want, "the upstream received the cancels");
}

/// The job's upstream task id (as the mock knows it), once the runner has submitted it.
async fn upstream_task(app: &TestApp, id: &str) -> String {
    let id: Uuid = id.parse().unwrap();
    for _ in 0..300 {
        if let Some(task) = app.store.job_by_id(id).await.unwrap().and_then(|j| j.upstream_task_id) {
            return task.rsplit(':').next().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} never reached the upstream");
}

async fn cancelling_a_video_job_cancels_the_upstream_task(app: TestApp, mock: MockHandle) {
    // Tasks that would run for a minute: the cancel comes first.
    mock.set_settings(Settings { video_queued_ms: 60_000, video_running_ms: 60_000, ..Settings::default() });
    let body =
        json!({"name": "Wave", "modelName": "mock-video-1", "type": "video", "billingMode": "duration", "durationPricePerSecond": 2});
    system_api(&app, &mock, body).await;
    let (t, user) = app.register("cv@example.com", "cancelvid").await;
    let user_id: Uuid = user["id"].as_str().unwrap().parse().unwrap();
    let before = app.balance(&t).await;

    // The owner cancels.
    let (s, v) = submit(&app, &t, "video", json!({"prompt": "a wave that never breaks", "model": "Wave", "duration": 3})).await;
    assert_eq!((s, v["creditsHeld"].as_i64()), (StatusCode::ACCEPTED, Some(6)), "{v}");
    let id = v["jobId"].as_str().unwrap().to_string();
    let task = upstream_task(&app, &id).await;
    assert!(mock.cancelled_tasks().is_empty());
    let (s, v) = app.call(Method::PATCH, &format!("/api/generation-jobs/{id}"), Some(json!({"action": "cancel"})), Some(&t)).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{v}");
    cancels_reach(&mock, &[&task]).await;
    let cancel_path = format!("/v1/video/generations/{task}/cancel");
    let sent: Vec<_> = mock.requests().into_iter().filter(|r| r.path == cancel_path).collect();
    assert_eq!((sent.len(), sent[0].status), (1, Some(200)));
    assert_eq!(app.store.open_holds_total(user_id).await.unwrap(), 0, "the hold is released");
    assert_eq!(app.balance(&t).await, before, "nothing charged");

    // An admin cancels another one.
    let admin = app.admin_token().await;
    let (_, v) = submit(&app, &t, "video", json!({"prompt": "a second endless wave", "model": "Wave", "duration": 2})).await;
    let id = v["jobId"].as_str().unwrap().to_string();
    let second = upstream_task(&app, &id).await;
    let (s, v) = app.post(&format!("/api/admin/generation-jobs/{id}/cancel"), json!({}), Some(&admin)).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{v}");
    cancels_reach(&mock, &[&task, &second]).await;
    assert_eq!(app.store.open_holds_total(user_id).await.unwrap(), 0);
    assert_eq!(app.balance(&t).await, before);
    // The runner polls no more: the jobs stay cancelled.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, v) = app.get(&format!("/api/generation-jobs/{id}"), Some(&t)).await;
    assert_eq!(v["status"], "cancelled");
}

/// `mod <case> { sqlite, postgres }` for `async fn <case>(TestApp)` on a server started as
/// `miaojing serve` starts: demo models when no model exists yet.
macro_rules! fresh_server {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(super::fresh($crate::helpers::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$case(super::fresh($crate::helpers::Backend::Postgres).await).await
            }
        }
    )*};
}

fresh_server!(
    a_fresh_server_creates_in_every_mode_with_demo_models,
    the_switch_turns_the_demo_models_off_and_on,
    a_real_model_leaves_the_demo_models_to_the_switch,
);

async fn fresh(backend: Backend) -> TestApp {
    spawn_with(backend, |c| c.demo_when_empty = true).await
}

/// Names of the platform models offered to `token`.
async fn offered(app: &TestApp, token: &str) -> Vec<String> {
    let (s, v) = app.get("/api/model-config", Some(token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut names: Vec<String> = v["systemApis"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

fn demo_names() -> Vec<String> {
    let mut names = vec![DEMO_IMAGE.to_string(), DEMO_TEXT.to_string(), DEMO_VIDEO.to_string()];
    names.sort();
    names
}

const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

async fn a_fresh_server_creates_in_every_mode_with_demo_models(app: TestApp) {
    let (t, _) = app.register("new@example.com", "newcomer").await;
    assert_eq!(offered(&app, &t).await, demo_names(), "clearly labelled demo models");
    assert!(demo_names().iter().all(|n| n.contains("demo")));

    let (s, v) = submit(&app, &t, "image", json!({"prompt": "a demo lighthouse", "model": DEMO_IMAGE})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["images"].as_array().unwrap().len(), 1);

    let (s, v) = submit(&app, &t, "image", json!({"prompt": "the same, redrawn", "model": DEMO_IMAGE, "images": [PNG]})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(finished(&app, &t, v["jobId"].as_str().unwrap()).await["status"], "succeeded", "image to image");

    // Reverse prompt and prompt suggestion answer from the demo text model, deterministically.
    let reverse = || app.post("/api/generate/reverse-prompt", json!({"image": PNG, "language": "en"}), Some(&t));
    let (s, first) = reverse().await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let text = format!("{}{}", first["generalPrompt"].as_str().unwrap_or(""), first["structuredPrompt"].as_str().unwrap_or(""));
    assert!(text.contains("1x1"), "the demo model describes the image it was sent: {first}");
    let (_, again) = reverse().await;
    assert_eq!((&again["generalPrompt"], &again["structuredPrompt"]), (&first["generalPrompt"], &first["structuredPrompt"]));
    let (s, v) = app.post("/api/generate/suggest-prompt", json!({"prompt": "a cat on a roof"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["prompt"].as_str().unwrap().contains("a cat on a roof"), "{v}");

    let admin = app.admin_token().await;
    let (s, v) = app.get("/api/admin/demo-models", Some(&admin)).await;
    assert_eq!((s, v), (StatusCode::OK, json!({"enabled": true, "running": true, "offered": true})));
}

async fn the_switch_turns_the_demo_models_off_and_on(app: TestApp) {
    let admin = app.admin_token().await;
    let (t, _) = app.register("sw@example.com", "switcher").await;
    assert_eq!(offered(&app, &t).await, demo_names());

    let (s, v) = app.put("/api/admin/demo-models", json!({"enabled": false}), Some(&admin)).await;
    assert_eq!((s, v), (StatusCode::OK, json!({"enabled": false, "running": true, "offered": false})));
    assert!(offered(&app, &t).await.is_empty(), "no demo model is offered once switched off");
    assert_error(
        &submit(&app, &t, "image", json!({"prompt": "a lighthouse", "model": DEMO_IMAGE})).await,
        400,
        ErrorCode::ModelUnavailable,
    );
    assert_error(&app.post("/api/generate/reverse-prompt", json!({"image": PNG}), Some(&t)).await, 400, ErrorCode::TextModelUnavailable);
    let (_, v) = app.get("/api/admin/demo-models", Some(&admin)).await;
    assert_eq!(v["enabled"], false);

    let (s, v) = app.put("/api/admin/demo-models", json!({"enabled": true}), Some(&admin)).await;
    assert_eq!((s, v["offered"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    assert_eq!(offered(&app, &t).await, demo_names());
    let (s, v) = app.post("/api/generate/suggest-prompt", json!({"prompt": "a dog"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    assert_error(&app.put("/api/admin/demo-models", json!({"enabled": false}), Some(&t)).await, 403, ErrorCode::AdminRequired);
    assert_error(&app.get("/api/admin/demo-models", None).await, 401, ErrorCode::Unauthenticated);
}

/// Decision 31: adding a real model does not remove the demo models (the switch does), but a
/// server whose first start finds a model configured starts without them.
async fn a_real_model_leaves_the_demo_models_to_the_switch(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app
        .post(
            "/api/admin/system-apis",
            json!({"name": "Real Paint", "modelName": "gpt-image-1", "apiUrl": "https://api.example.com/v1", "apiKey": "sk-real-1"}),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (t, _) = app.register("mix@example.com", "mixer").await;
    let mut want = demo_names();
    want.push("Real Paint".into());
    want.sort();
    assert_eq!(offered(&app, &t).await, want, "still offered next to the real model until switched off");
    app.put("/api/admin/demo-models", json!({"enabled": false}), Some(&admin)).await;
    assert_eq!(offered(&app, &t).await, vec!["Real Paint".to_string()]);

    // Another server started on a database that already has a model and no stored switch.
    let other = miaojing_server::Application::build_with_store(app.config.clone(), app.store.clone()).await.unwrap();
    assert!(other.state.demo.is_none(), "the switch, once off, stays off");
    app.store.put_setting(miaojing_server::demo::SWITCH_KEY, &Value::Null).await.unwrap();
    let other = miaojing_server::Application::build_with_store(app.config.clone(), app.store.clone()).await.unwrap();
    assert!(other.state.demo.is_none(), "a first start that finds a model runs no demo");
    assert_eq!(miaojing_server::demo::switch(app.store.as_ref()).await.unwrap(), Some(false), "and stores that decision");
}
