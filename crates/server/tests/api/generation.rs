//! Generation jobs end to end against the real mock-upstream: submission with holds,
//! the runner, storage of results, charging, failover, cancels, and the prompt helpers.
use miaojing_api_types::ErrorCode;
use std::time::Duration;

use miaojing_mock_upstream::{Action, MockConfig, MockHandle, Rule};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_with, Backend, TestApp};

/// `mod <case> { sqlite, postgres }` for `async fn <case>(TestApp, MockHandle)`: the app
/// allow-lists a fresh mock upstream (`start` must be in scope where it is used).
#[macro_export]
macro_rules! with_upstream {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (app, mock) = super::start($crate::helpers::Backend::Sqlite).await;
                super::$case(app, mock).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let (app, mock) = super::start($crate::helpers::Backend::Postgres).await;
                super::$case(app, mock).await
            }
        }
    )*};
}

with_upstream!(
    text_to_image_is_stored_charged_and_private,
    upstream_failure_releases_the_hold,
    cancel_mid_flight_releases_the_hold,
    parallel_submissions_accept_only_what_is_affordable,
    user_key_jobs_are_free,
    failover_charges_the_serving_candidate,
    async_video_job_polls_to_completion,
    prompt_helpers_answer_for_free,
    bad_submissions_are_refused,
    agnes_templates_install_and_generate,
    progress_streams_to_the_owner_only,
    layout_composition_switch_shapes_image_prompts,
    dashboard_counts_jobs_works_and_calls,
    admin_deletes_only_finished_jobs,
    broken_manifest_is_an_error_the_admin_sees,
    a_job_runs_on_the_rows_it_was_resolved_with,
);

pub(crate) async fn start(backend: Backend) -> (TestApp, MockHandle) {
    let mock = miaojing_mock_upstream::start(MockConfig::default()).await;
    let allow = mock.addr().to_string();
    (spawn_with(backend, move |c| c.outbound_allowlist = allow).await, mock)
}

/// Adds a platform model (admin route); returns its id.
pub(crate) async fn system_api(app: &TestApp, mock: &MockHandle, body: Value) -> String {
    let admin = app.admin_token().await;
    let mut b = json!({"apiUrl": format!("{}/v1", mock.base_url()), "apiKey": "sk-platform-1", "provider": "mock"});
    b.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    let (s, v) = app.post("/api/admin/system-apis", b, Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["api"]["id"].as_str().unwrap().to_string()
}

pub(crate) async fn submit(app: &TestApp, token: &str, kind: &str, payload: Value) -> (StatusCode, Value) {
    app.post("/api/generation-jobs", json!({"type": kind, "payload": payload}), Some(token)).await
}

/// Waits for a job to reach a finished state (panics after 30 s).
pub(crate) async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..300 {
        let (s, v) = app.get(&format!("/api/generation-jobs/{id}"), Some(token)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if ["succeeded", "failed", "cancelled"].contains(&v["status"].as_str().unwrap()) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} did not finish");
}

async fn status_of(app: &TestApp, token: &str, id: &str, want: &str) {
    for _ in 0..300 {
        let (_, v) = app.get(&format!("/api/generation-jobs/{id}"), Some(token)).await;
        if v["status"] == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} never became {want}");
}

async fn fetch(app: &TestApp, url: &str) -> (StatusCode, usize) {
    let r = app.client.get(format!("{}{}", app.base, url)).send().await.unwrap();
    let s = r.status();
    (s, r.bytes().await.unwrap().len())
}

async fn text_to_image_is_stored_charged_and_private(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 3})).await;
    let (alice, _) = app.register("alice@example.com", "alice").await;
    let before = app.balance(&alice).await;
    let (s, v) =
        submit(&app, &alice, "image", json!({"prompt": "a red fox in snow", "model": "Paint", "count": 2, "clientRequestId": "r-1"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!((v["status"].as_str(), v["creditsHeld"].as_i64()), (Some("queued"), Some(6)));
    assert!(v["estimateSeconds"].as_u64().unwrap() > 0 && v["eta"]["source"] == "default");
    let id = v["jobId"].as_str().unwrap().to_string();
    // The same client request id returns the same job, no second hold.
    let (s, again) =
        submit(&app, &alice, "image", json!({"prompt": "a red fox in snow", "model": "Paint", "count": 2, "clientRequestId": "r-1"})).await;
    assert_eq!((s, again["jobId"].as_str(), again["deduplicated"].as_bool()), (StatusCode::OK, Some(id.as_str()), Some(true)));

    let job = finished(&app, &alice, &id).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["creditsCost"], 6);
    assert_eq!(job["payload"], json!({"clientRequestId": "r-1"}));
    assert!(job.get("api_url").is_none() && !job.to_string().contains(&mock.base_url().to_string()), "no upstream URL: {job}");
    assert_eq!(app.balance(&alice).await, before - 6, "charged exactly the price");
    let images = job["result"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    for url in images {
        let url = url.as_str().unwrap();
        assert!(url.starts_with("/api/local-storage/generated/images/"), "{url}");
        let (s, n) = fetch(&app, url).await;
        assert!(s.is_success() && n > 0, "original served: {s}");
        let thumb = job["result"]["thumbnails"][url].as_str().expect("a thumbnail per image");
        let (s, n) = fetch(&app, thumb).await;
        assert!(s.is_success() && n > 0, "thumbnail served: {s}");
        assert!(job["result"]["dimensions"][url]["width"].as_u64().unwrap() > 0);
    }
    let (_, hist) = app.get("/api/creation-history", Some(&alice)).await;
    let rows = hist["records"].as_array().or(hist["items"].as_array()).or(hist["history"].as_array()).cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2, "{hist}");
    assert_eq!(rows.iter().map(|r| r["creditsCost"].as_i64().unwrap()).sum::<i64>(), 6);

    let (_, list) = app.get("/api/generation-jobs", Some(&alice)).await;
    assert_eq!(list["jobs"][0]["jobId"], id.as_str());
    // The next estimate comes from this model's finished job (clamped to at least 20 s).
    let (_, next) = submit(&app, &alice, "image", json!({"prompt": "a grey fox", "model": "Paint"})).await;
    assert_eq!((next["eta"]["source"].as_str(), next["eta"]["sampleCount"].as_u64()), (Some("history"), Some(1)), "{next}");
    assert_eq!((next["estimateSeconds"].as_u64(), next["eta"]["windowDays"].as_u64()), (Some(20), Some(1)), "{next}");
    finished(&app, &alice, next["jobId"].as_str().unwrap()).await;
    // A result of this site is a valid reference: its stored bytes go to the upstream edit.
    let admin = app.admin_token().await;
    let me = app.store.user_by_email("alice@example.com").await.unwrap().unwrap();
    let (s, _) = app.post("/api/admin/users/credits", json!({"userId": me.id, "amount": 50, "reason": "test"}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = submit(&app, &alice, "image", json!({"prompt": "the fox at night", "model": "Paint", "images": [images[0]]})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let edited = finished(&app, &alice, v["jobId"].as_str().unwrap()).await;
    assert_eq!((edited["status"].as_str(), edited["mode"].as_str()), (Some("succeeded"), Some("img2img")), "{edited}");
    let edit = mock.requests().into_iter().find(|r| r.path == "/v1/images/edits").expect("an edit call");
    assert_eq!(edit.image_count, 1);
    let missing = json!({"prompt": "gone", "model": "Paint", "images": ["/api/local-storage/generated/images/missing.png"]});
    let (_, v) = submit(&app, &alice, "image", missing).await;
    let gone = finished(&app, &alice, v["jobId"].as_str().unwrap()).await;
    assert_eq!((gone["status"].as_str(), gone["error_code"].as_str()), (Some("failed"), Some("reference_missing")), "{gone}");
    // Another user neither sees nor cancels it.
    let (bob, _) = app.register("bob@example.com", "bob").await;
    assert_error(&app.get(&format!("/api/generation-jobs/{id}"), Some(&bob)).await, 404, ErrorCode::JobNotFound);
    assert_error(
        &app.call(Method::PATCH, &format!("/api/generation-jobs/{id}"), Some(json!({"action": "cancel"})), Some(&bob)).await,
        404,
        ErrorCode::JobNotFound,
    );
    let (_, list) = app.get("/api/generation-jobs", Some(&bob)).await;
    assert_eq!(list["jobs"], json!([]));
    assert_error(&app.get(&format!("/api/generation-jobs/{id}"), None).await, 401, ErrorCode::Unauthenticated);
}

async fn upstream_failure_releases_the_hold(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 9})).await;
    mock.add_rule(
        Rule::new(Action::Status { status: 400, retry_after: None, message: Some("prompt rejected by policy".into()), body: None })
            .on_path("/v1/images/generations"),
    );
    let (t, _) = app.register("f@example.com", "failer").await;
    let before = app.balance(&t).await;
    let (s, v) = submit(&app, &t, "image", json!({"prompt": "a cat", "model": "Paint"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert!(!job["error"].as_str().unwrap_or_default().is_empty(), "a clear error: {job}");
    assert_eq!(job["result"], Value::Null);
    assert_eq!(app.balance(&t).await, before);
    let user = app.store.user_by_email("f@example.com").await.unwrap().unwrap();
    assert_eq!(app.store.open_holds_total(user.id).await.unwrap(), 0, "hold released");
    // The platform log keeps the failure for admins.
    let admin = app.admin_token().await;
    let (_, logs) = app.get("/api/admin/logs?type=generation&level=warning", Some(&admin)).await;
    let entry = &logs["logs"][0];
    assert_eq!((entry["action"].as_str(), entry["target_id"].as_str()), (Some("generation_failed"), job["jobId"].as_str()), "{logs}");
    assert_eq!(entry["metadata"]["model"], "Paint", "{entry}");
}

async fn cancel_mid_flight_releases_the_hold(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Slow", "modelName": "gpt-image-1", "creditsPerUse": 5})).await;
    mock.add_rule(Rule::new(Action::Delay { ms: 20_000 }).on_path("/v1/images/generations"));
    let (t, _) = app.register("c@example.com", "canceller").await;
    let before = app.balance(&t).await;
    let (_, v) = submit(&app, &t, "image", json!({"prompt": "a slow cat", "model": "Slow"})).await;
    let id = v["jobId"].as_str().unwrap().to_string();
    status_of(&app, &t, &id, "running").await;
    let (s, v) = app.call(Method::PATCH, &format!("/api/generation-jobs/{id}"), Some(json!({"action": "cancel"})), Some(&t)).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{v}");
    assert_error(
        &app.call(Method::PATCH, &format!("/api/generation-jobs/{id}"), Some(json!({"action": "retry"})), Some(&t)).await,
        400,
        ErrorCode::UnsupportedJobAction,
    );
    assert_eq!(app.balance(&t).await, before);
    let user = app.store.user_by_email("c@example.com").await.unwrap().unwrap();
    assert_eq!(app.store.open_holds_total(user.id).await.unwrap(), 0);
    // Cancelling again returns the finished job unchanged.
    let (s, v) = app.call(Method::PATCH, &format!("/api/generation-jobs/{id}"), Some(json!({"action": "cancel"})), Some(&t)).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("cancelled")));
}

async fn parallel_submissions_accept_only_what_is_affordable(app: TestApp, mock: MockHandle) {
    let (t, _) = app.register("p@example.com", "parallel").await;
    let balance = app.balance(&t).await;
    assert!(balance > 0, "new users start with credits");
    let price = balance / 3 + 1; // two are affordable, the third is not
    system_api(&app, &mock, json!({"name": "Hold", "modelName": "gpt-image-1", "creditsPerUse": price})).await;
    mock.add_rule(Rule::new(Action::Delay { ms: 3_000 }).on_path("/v1/images/generations"));
    let calls = (0..6).map(|i| {
        let (app, t) = (&app, &t);
        async move { submit(app, t, "image", json!({"prompt": format!("cat number {i}"), "model": "Hold"})).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let accepted = results.iter().filter(|(s, _)| *s == StatusCode::ACCEPTED).count();
    let refused: Vec<&Value> = results.iter().filter(|(s, _)| *s == StatusCode::PAYMENT_REQUIRED).map(|(_, v)| v).collect();
    assert_eq!((accepted, refused.len()), ((balance / price) as usize, 6 - (balance / price) as usize), "{results:?}");
    assert!(
        refused.iter().all(|v| v["code"] == ErrorCode::InsufficientCredits.as_str() && v["error"].as_str().unwrap().contains("积分不足")),
        "{refused:?}"
    );
}

async fn user_key_jobs_are_free(app: TestApp, mock: MockHandle) {
    let (t, _) = app.register("k@example.com", "keyowner").await;
    let before = app.balance(&t).await;
    let (s, v) = app
        .post(
            "/api/user-api-keys",
            json!({"apiKey": "sk-user-own-1", "provider": "Mine", "apiUrl": format!("{}/v1", mock.base_url()), "modelName": "gpt-image-1"}),
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, keys) = app.get("/api/user-api-keys", Some(&t)).await;
    let key_id = keys["keys"][0]["id"].as_str().unwrap().to_string();
    let payload = json!({"prompt": "my own cat", "quality": "high", "outputFormat": "jpg", "customApiConfig": {"customApiKeyId": key_id}});
    let (s, v) = submit(&app, &t, "image", payload).await;
    assert_eq!((s, v["creditsHeld"].as_i64()), (StatusCode::ACCEPTED, Some(0)), "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let sent = mock.requests().into_iter().find(|r| r.path == "/v1/images/generations").unwrap().body.unwrap();
    assert_eq!((sent["quality"].as_str(), sent["output_format"].as_str()), (Some("high"), Some("jpeg")), "{sent}");
    assert_eq!(job["result"]["creditsCost"], 0);
    assert_eq!(app.balance(&t).await, before);
    // Another user cannot use the key.
    let (other, _) = app.register("o@example.com", "other").await;
    assert_error(
        &submit(&app, &other, "image", json!({"prompt": "their cat", "customApiConfig": {"customApiKeyId": key_id}})).await,
        400,
        ErrorCode::CustomApiUnavailable,
    );
}

async fn failover_charges_the_serving_candidate(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Dual", "modelName": "broken-model", "creditsPerUse": 8, "sortOrder": 1})).await;
    system_api(&app, &mock, json!({"name": "Dual", "modelName": "gpt-image-1", "creditsPerUse": 3, "sortOrder": 2})).await;
    mock.add_rule(Rule::new(Action::status(500)).on_path("/v1/images/generations").for_model("broken-model"));
    let (t, _) = app.register("d@example.com", "dual").await;
    let before = app.balance(&t).await;
    let (s, v) = submit(&app, &t, "image", json!({"prompt": "a failover cat", "model": "Dual"})).await;
    assert_eq!((s, v["creditsHeld"].as_i64()), (StatusCode::ACCEPTED, Some(8)), "the hold covers the dearest candidate: {v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["creditsCost"], 3);
    assert_eq!(app.balance(&t).await, before - 3, "charged the serving candidate's price");
    let models: Vec<String> =
        mock.requests().iter().filter(|r| r.path == "/v1/images/generations").filter_map(|r| r.model.clone()).collect();
    assert!(models.contains(&"broken-model".to_string()) && models.contains(&"gpt-image-1".to_string()), "{models:?}");
}

async fn async_video_job_polls_to_completion(app: TestApp, mock: MockHandle) {
    system_api(
        &app,
        &mock,
        json!({"name": "Wave", "modelName": "mock-video-1", "type": "video", "billingMode": "duration", "durationPricePerSecond": 2}),
    )
    .await;
    let (t, _) = app.register("v@example.com", "video").await;
    let before = app.balance(&t).await;
    let (s, v) =
        submit(&app, &t, "video", json!({"prompt": "a wave breaking", "model": "Wave", "duration": 3, "cameraMovement": "orbit"})).await;
    assert_eq!((s, v["creditsHeld"].as_i64()), (StatusCode::ACCEPTED, Some(6)), "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let video = job["result"]["videos"][0].as_str().unwrap();
    assert!(video.starts_with("/api/local-storage/generated/videos/"), "{video}");
    let (s, n) = fetch(&app, video).await;
    assert!(s.is_success() && n > 0, "{s}");
    let thumb = job["result"]["thumbnails"][video].as_str().expect("a thumbnail of the video");
    assert!(thumb.ends_with("-m1280q86.webp"), "a real frame, not the placeholder: {thumb}");
    let (s, n) = fetch(&app, thumb).await;
    assert!(s.is_success() && n > 0, "thumbnail served: {s}");
    assert_eq!(app.balance(&t).await, before - 6, "per second × duration");
    let creates: Vec<_> = mock.requests().into_iter().filter(|r| r.method == "POST" && r.path == "/v1/video/generations").collect();
    assert_eq!(creates.len(), 1, "the paid create call is sent once");
    assert_eq!(creates[0].body.as_ref().unwrap()["camera_movement"], "orbit", "the camera movement is sent");
}

async fn prompt_helpers_answer_for_free(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Vision", "modelName": "gpt-5.5", "type": "text", "creditsPerUse": 50})).await;
    let (t, _) = app.register("r@example.com", "reverser").await;
    let before = app.balance(&t).await;
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let (s, v) = app.post("/api/generate/reverse-prompt", json!({"image": png, "language": "en"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v["generalPrompt"].as_str().unwrap().is_empty() || !v["structuredPrompt"].as_str().unwrap().is_empty(), "{v}");
    assert!(v["referenceImage"].as_str().unwrap().starts_with("/api/local-storage/reverse-prompt/"));
    let (s, v) = app.post("/api/generate/suggest-prompt", json!({"prompt": "a cat on a roof"}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v["prompt"].as_str().unwrap().is_empty(), "{v}");
    assert_eq!(app.balance(&t).await, before, "never charged");
    assert_error(&app.post("/api/generate/suggest-prompt", json!({"prompt": " "}), Some(&t)).await, 400, ErrorCode::PromptRequired);
    assert_error(&app.post("/api/generate/reverse-prompt", json!({}), Some(&t)).await, 400, ErrorCode::ImageRequired);
    assert_error(&app.post("/api/generate/suggest-prompt", json!({"prompt": "x"}), None).await, 401, ErrorCode::Unauthenticated);
}

async fn bad_submissions_are_refused(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 1})).await;
    let (t, _) = app.register("b@example.com", "badinput").await;
    assert_error(&submit(&app, &t, "audio", json!({"prompt": "a cat"})).await, 400, ErrorCode::UnsupportedJobType);
    assert_error(&app.post("/api/generation-jobs", json!({"type": "image"}), Some(&t)).await, 400, ErrorCode::MissingPayload);
    assert_error(&submit(&app, &t, "image", json!({"prompt": "a cat", "model": "Paint", "count": 50})).await, 400, ErrorCode::InvalidCount);
    assert_error(&submit(&app, &t, "image", json!({"prompt": "", "model": "Paint"})).await, 400, ErrorCode::PromptRequired);
    assert_error(&submit(&app, &t, "image", json!({"prompt": "a cat", "model": "Nope"})).await, 400, ErrorCode::ModelUnavailable);
    assert_error(
        &submit(&app, &t, "image", json!({"prompt": "a cat", "model": "Paint", "outputFormat": "bmp"})).await,
        400,
        ErrorCode::InvalidOutputFormat,
    );
    assert_eq!(submit(&app, &t, "image", json!({"prompt": "a cat", "model": "Paint"})).await.0, StatusCode::ACCEPTED);
    assert_error(
        &app.post("/api/generation-jobs", json!({"type": "image", "payload": {"prompt": "a cat"}}), None).await,
        401,
        ErrorCode::Unauthenticated,
    );
    let (_, list) = app.get("/api/generation-jobs", Some(&t)).await;
    assert_eq!(list["jobs"].as_array().unwrap().len(), 1, "only the valid submission made a job");
}

async fn agnes_templates_install_and_generate(app: TestApp, mock: MockHandle) {
    let admin = app.admin_token().await;
    let (alice, _) = app.register("agnes@example.com", "agnes").await;
    let path = "/api/admin/system-apis/agnes-capabilities";
    assert_error(&app.get(path, Some(&alice)).await, 403, ErrorCode::AdminRequired);
    let (s, cat) = app.get(path, Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{cat}");
    let count = |k: &str| cat[k].as_array().unwrap().len();
    assert_eq!((count("imageTemplates"), count("videoTemplates"), count("textTemplates")), (2, 1, 2));
    assert_eq!(cat["videoTemplates"][0]["capabilities"]["durations"].as_array().unwrap().len(), 3);

    // Nothing selected: refused, nothing written.
    assert_error(&app.post(path, json!({}), Some(&admin)).await, 400, ErrorCode::NoTemplateSelected);
    let (_, list) = app.get("/api/admin/system-apis", Some(&admin)).await;
    assert_eq!(list["apis"], json!([]));

    let (s, v) = app.post(path, json!({"syncImageModels": true, "syncTextModels": true}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rows = v["importedApis"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{v}");
    assert!(rows.iter().all(|r| r["provider"] == "Agnes AI" && r["isActive"] == false && r["billingMode"] == "free"), "{v}");
    assert!(v["message"].as_str().unwrap().contains('4'));
    // Inactive templates are not offered to users.
    let (_, models) = app.get("/api/model-config", Some(&alice)).await;
    assert!(!models.to_string().contains("Agnes"), "{models}");

    // The admin points the first image template at a relay (here the mock), adds a key and enables it.
    let row = rows.iter().find(|r| r["modelName"] == "agnes-image-2.1-flash").unwrap().clone();
    let mut edit = row.clone();
    let obj = edit.as_object_mut().unwrap();
    obj.insert("apiUrl".into(), json!(format!("{}/v1/images/generations", mock.base_url())));
    obj.insert("apiKey".into(), json!("sk-agnes-123456"));
    obj.insert("isActive".into(), json!(true));
    let (s, v) = app.put("/api/admin/system-apis", edit, Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let before = app.balance(&alice).await;
    let (s, v) = submit(&app, &alice, "image", json!({"prompt": "a paper crane", "model": row["name"], "resolution": "1152x768"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &alice, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(app.balance(&alice).await, before, "built-in templates are free");
    let sent = mock.requests().into_iter().find(|r| r.path == "/v1/images/generations").expect("the relay was called");
    let body = sent.body.unwrap();
    assert_eq!(
        (body["model"].as_str(), body["size"].as_str(), body["extra_body"]["response_format"].as_str()),
        (Some("agnes-image-2.1-flash"), Some("1152x768"), Some("url")),
        "{body}"
    );

    // Installing again refreshes instead of duplicating, and keeps the key, URL and switch.
    let (s, v) = app.post(path, json!({"syncImageModels": true}), Some(&admin)).await;
    assert_eq!((s, v["importedApis"].as_array().unwrap().len()), (StatusCode::OK, 2), "{v}");
    let (_, list) = app.get("/api/admin/system-apis", Some(&admin)).await;
    let apis = list["apis"].as_array().unwrap();
    assert_eq!(apis.len(), 4, "{list}");
    let kept = apis.iter().find(|a| a["id"] == row["id"]).unwrap();
    assert_eq!(
        (kept["isActive"].as_bool(), kept["apiKeyPreview"].as_str().map(|p| p.ends_with("3456"))),
        (Some(true), Some(true)),
        "{kept}"
    );
    assert!(kept["apiUrl"].as_str().unwrap().starts_with(&mock.base_url().to_string()));
    assert!(!list.to_string().contains("sk-agnes-123456"), "the key never appears");
}

/// Reads SSE chunks until `done` holds for the text so far (panics after 20 s).
async fn read_until(res: &mut reqwest::Response, text: &mut String, done: impl Fn(&str) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(text) {
        let chunk = tokio::time::timeout_at(deadline, res.chunk()).await.expect("event in time").unwrap().expect("stream open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
}

async fn progress_streams_to_the_owner_only(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 1})).await;
    let (alice, _) = app.register("sse@example.com", "sse").await;
    let (bob, _) = app.register("sse2@example.com", "sse2").await;
    let url = format!("{}/api/generation-jobs/events", app.base);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let open = |token: String| {
        let req = app.client.get(&url).bearer_auth(token);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.headers()["content-type"], "text/event-stream");
            res
        }
    };
    let (mut mine, mut theirs) = (open(alice.clone()).await, open(bob.clone()).await);
    let (mut text, mut other) = (String::new(), String::new());
    read_until(&mut mine, &mut text, |t| t.contains(": connected")).await;
    read_until(&mut theirs, &mut other, |t| t.contains(": connected")).await;

    let (s, v) = submit(&app, &alice, "image", json!({"prompt": "a lantern", "model": "Paint"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["jobId"].as_str().unwrap().to_string();
    let event = |status: &str| format!("\"jobId\":\"{id}\",\"status\":\"{status}\"");
    read_until(&mut mine, &mut text, |t| t.contains(&event("succeeded"))).await;
    assert!(text.contains("event: job\ndata: {"), "{text}");
    assert!(text.contains(&event("running")), "progress before the result: {text}");
    // The other user's stream carries nothing about it.
    let quiet = tokio::time::timeout(Duration::from_millis(300), theirs.chunk()).await;
    if let Ok(Ok(Some(chunk))) = quiet {
        other.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!other.contains(&id), "{other}");
}

async fn layout_composition_switch_shapes_image_prompts(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 1})).await;
    system_api(&app, &mock, json!({"name": "Wave", "modelName": "mock-video-1", "type": "video", "billingMode": "free"})).await;
    let (t, _) = app.register("layout@example.com", "layout").await;
    let run = |kind: &'static str, model: &'static str, prompt: &'static str| {
        let (app, t) = (&app, t.clone());
        async move {
            let (s, v) = submit(app, &t, kind, json!({"prompt": prompt, "model": model})).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{v}");
            let job = finished(app, &t, v["jobId"].as_str().unwrap()).await;
            assert_eq!(job["status"], "succeeded", "{job}");
        }
    };
    let sent = |path: &str, marker: &str| {
        mock.requests().iter().filter(|r| r.path == path).find_map(|r| {
            let p = r.prompt.clone().or_else(|| r.body.as_ref().and_then(|b| b["prompt"].as_str().map(str::to_string)))?;
            p.starts_with(marker).then_some(p)
        })
    };
    run("image", "Paint", "plain lighthouse").await;
    assert!(!sent("/v1/images/generations", "plain lighthouse").unwrap().contains("layout-"), "off by default");

    let admin = app.admin_token().await;
    let (s, v) = app.put("/api/site-config", json!({"imageCompositionSkillEnabled": true}), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    run("image", "Paint", "guided lighthouse").await;
    let prompt = sent("/v1/images/generations", "guided lighthouse").unwrap();
    assert!(prompt.contains("[版式构图参考 layout-") && prompt.contains("不要添加文字"), "{prompt}");
    run("video", "Wave", "guided tide").await;
    assert!(!sent("/v1/video/generations", "guided tide").unwrap().contains("layout-"), "videos are left alone");
    // History keeps the user's own prompt.
    let (_, hist) = app.get("/api/creation-history", Some(&t)).await;
    assert!(!hist.to_string().contains("layout-"), "{hist}");
}

/// The job states of a dashboard answer, as (status, count) pairs in queue order.
fn job_states(d: &Value) -> Vec<(String, i64)> {
    d["jobs"].as_array().unwrap().iter().map(|j| (j["status"].as_str().unwrap().to_string(), j["count"].as_i64().unwrap())).collect()
}

async fn dashboard_counts_jobs_works_and_calls(app: TestApp, mock: MockHandle) {
    let admin = app.admin_token().await;
    let (s, before) = app.get("/api/admin/dashboard", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{before}");
    let zero: Vec<(String, i64)> = ["queued", "running", "succeeded", "failed", "cancelled"].iter().map(|s| (s.to_string(), 0)).collect();
    assert_eq!(job_states(&before), zero);
    assert_eq!((before["works"]["total"].as_i64(), before["modelCalls"]["total"].as_i64()), (Some(0), Some(0)), "{before}");
    assert_eq!(before["modelCalls"]["windowDays"], 7);

    system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 3})).await;
    let (t, u) = app.register("dash@example.com", "dasher").await;
    let (_, v) = submit(&app, &t, "image", json!({"prompt": "a quiet harbour", "model": "Paint"})).await;
    assert_eq!(finished(&app, &t, v["jobId"].as_str().unwrap()).await["status"], "succeeded");
    mock.add_rule(
        Rule::new(Action::Status { status: 400, retry_after: None, message: Some("rejected".into()), body: None })
            .on_path("/v1/images/generations")
            .times(1),
    );
    let (_, v) = submit(&app, &t, "image", json!({"prompt": "a loud harbour", "model": "Paint"})).await;
    assert_eq!(finished(&app, &t, v["jobId"].as_str().unwrap()).await["status"], "failed");

    let (_, d) = app.get("/api/admin/dashboard", Some(&admin)).await;
    let states = job_states(&d);
    assert_eq!(states.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![0, 0, 1, 1, 0], "{d}");
    assert_eq!((d["works"]["total"].as_i64(), d["works"]["public"].as_i64()), (Some(1), Some(0)), "{d}");
    let calls = &d["modelCalls"];
    assert_eq!((calls["total"].as_i64(), calls["failed"].as_i64(), calls["errorRate"].as_f64()), (Some(2), Some(1), Some(0.5)), "{d}");
    assert_eq!(calls["models"][0]["model"], "Paint", "{d}");
    assert_eq!((calls["models"][0]["calls"].as_i64(), calls["models"][0]["credits"].as_i64()), (Some(2), Some(3)), "{d}");
    assert_eq!(d["credits"]["spent"].as_i64().unwrap() - before["credits"]["spent"].as_i64().unwrap(), 3, "{d}");
    assert!(d["recentLogs"].as_array().unwrap().iter().any(|l| l["action"] == "generation_failed"), "{d}");

    // Published, the work counts as public; the admin sees it among the user's works, and a
    // private one too.
    let (_, hist) = app.get("/api/creation-history", Some(&t)).await;
    let work = hist["records"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = app.get(&format!("/api/admin/users/works?userId={}&limit=1", u["id"].as_str().unwrap()), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["records"][0]["id"].as_str(), v["records"][0]["published"].as_bool()), (Some(work.as_str()), Some(false)), "{v}");
    assert!(v["nextCursor"].is_null(), "one work, one page: {v}");
    let (s, _) = app.post("/api/gallery/publish", json!({"workId": work, "publish": true}), Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, d) = app.get("/api/admin/dashboard", Some(&admin)).await;
    assert_eq!(d["works"]["public"], 1, "{d}");
    assert_error(&app.get("/api/admin/users/works", Some(&admin)).await, 400, ErrorCode::MissingUserId);
    assert_error(
        &app.get(&format!("/api/admin/users/works?userId={}", uuid::Uuid::new_v4()), Some(&admin)).await,
        404,
        ErrorCode::UserNotFound,
    );
    assert_error(
        &app.get(&format!("/api/admin/users/works?userId={}", u["id"].as_str().unwrap()), Some(&t)).await,
        403,
        ErrorCode::AdminRequired,
    );
}

async fn admin_deletes_only_finished_jobs(app: TestApp, mock: MockHandle) {
    system_api(&app, &mock, json!({"name": "Slow", "modelName": "gpt-image-1", "creditsPerUse": 5})).await;
    mock.add_rule(Rule::new(Action::Delay { ms: 20_000 }).on_path("/v1/images/generations"));
    let admin = app.admin_token().await;
    let (t, _) = app.register("del@example.com", "deleter").await;
    let before = app.balance(&t).await;
    let (_, v) = submit(&app, &t, "image", json!({"prompt": "a slow heron", "model": "Slow"})).await;
    let id = v["jobId"].as_str().unwrap().to_string();
    status_of(&app, &t, &id, "running").await;
    assert_error(&app.delete(&format!("/api/admin/generation-jobs/{id}"), Some(&admin)).await, 409, ErrorCode::JobActive);
    status_of(&app, &t, &id, "running").await;
    let (s, v) = app.post(&format!("/api/admin/generation-jobs/{id}/cancel"), json!({}), Some(&admin)).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{v}");
    let (s, v) = app.delete(&format!("/api/admin/generation-jobs/{id}"), Some(&admin)).await;
    assert_eq!((s, v["deleted"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    assert_error(&app.get(&format!("/api/generation-jobs/{id}"), Some(&t)).await, 404, ErrorCode::JobNotFound);
    assert_eq!(app.balance(&t).await, before, "the hold was released by the cancel");
    assert_error(&app.delete(&format!("/api/admin/generation-jobs/{id}"), Some(&admin)).await, 404, ErrorCode::JobNotFound);
    let (s, v) = app.delete("/api/admin/generation-jobs/not-a-uuid", Some(&admin)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (_, calls) = app.get("/api/admin/model-call-records", Some(&admin)).await;
    assert_eq!(calls["total"], 1, "the call record outlives the job: {calls}");
    let (_, logs) = app.get("/api/admin/logs?type=admin", Some(&admin)).await;
    assert_eq!(logs["logs"][0]["action"], "generation_job_deleted", "{logs}");
}

/// Stores `manifest` on a system API row as a Manifest-backed row (what a hand-edited or
/// migrated row may hold; the admin routes only write Manifests they have read).
async fn break_manifest(app: &TestApp, id: &str, manifest: Value) {
    let mut api = app.store.system_api(id.parse().unwrap()).await.unwrap().expect("row");
    api.protocol = miaojing_domain::provider::Protocol::Manifest;
    api.manifest = Some(manifest);
    app.store.update_system_api(api).await.unwrap().expect("row updated");
}

async fn broken_manifest_is_an_error_the_admin_sees(app: TestApp, mock: MockHandle) {
    let paint = system_api(&app, &mock, json!({"name": "Relay", "modelName": "gpt-image-1", "creditsPerUse": 2})).await;
    let lens = system_api(&app, &mock, json!({"name": "Lens", "modelName": "gpt-5.5", "type": "text"})).await;
    break_manifest(&app, &paint, json!({"version": 1, "provider": "not a provider"})).await;
    break_manifest(&app, &lens, Value::Null).await;
    let (t, _) = app.register("manifest@example.com", "brokenmanifest").await;
    let before = app.balance(&t).await;

    // A job on the row fails with the Manifest's error; nothing reaches the upstream.
    let (s, v) = submit(&app, &t, "image", json!({"prompt": "a paper lantern", "model": "Relay"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!((job["status"].as_str(), job["error_code"].as_str()), (Some("failed"), Some("invalid_manifest")), "{job}");
    assert!(job["error"].as_str().unwrap().contains("配置文件"), "a clear message: {job}");
    assert_eq!(app.balance(&t).await, before, "nothing charged");
    // The synchronous helpers answer the same error instead of calling the row as OpenAI.
    assert_error(
        &app.post("/api/generate/suggest-prompt", json!({"prompt": "a cat on a roof"}), Some(&t)).await,
        400,
        ErrorCode::InvalidManifest,
    );
    let paths: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.is_empty(), "no call went out as if the rows were OpenAI-compatible: {paths:?}");

    // The admin sees it: in the job list, in the channel's health and in the platform log.
    let admin = app.admin_token().await;
    let (_, jobs) = app.get("/api/admin/generation-jobs", Some(&admin)).await;
    let row = jobs["jobs"].as_array().unwrap().iter().find(|j| j["id"] == job["jobId"]).expect("the job is listed").clone();
    assert_eq!((row["status"].as_str(), row["error"].as_str()), (Some("failed"), job["error"].as_str()), "{row}");
    let (_, health) = app.get("/api/admin/system-apis/health", Some(&admin)).await;
    let channel = health["channels"].as_array().unwrap().iter().find(|c| c["channelId"] == paint.as_str()).expect("listed").clone();
    assert_eq!((channel["lastError"].as_str(), channel["errorsInWindow"].as_i64()), (Some("invalid_manifest"), Some(1)), "{channel}");
    let (_, logs) = app.get("/api/admin/logs?type=generation&level=warning", Some(&admin)).await;
    let entry = &logs["logs"][0];
    assert_eq!((entry["action"].as_str(), entry["target_id"].as_str()), (Some("generation_failed"), job["jobId"].as_str()), "{logs}");
    assert_eq!(entry["metadata"]["errorCode"], "invalid_manifest", "{entry}");

    // A user's own key with an unreadable Manifest fails the same way.
    let (s, v) = app
        .post(
            "/api/user-api-keys",
            json!({"apiKey": "sk-user-own-2", "provider": "Mine", "apiUrl": format!("{}/v1", mock.base_url()), "modelName": "gpt-image-1"}),
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let user = app.store.user_by_email("manifest@example.com").await.unwrap().unwrap();
    let mut key = app.store.list_user_api_keys(user.id).await.unwrap().remove(0);
    key.id = uuid::Uuid::new_v4();
    key.protocol = miaojing_domain::provider::Protocol::Manifest;
    key.manifest = Some(json!({"version": 2}));
    app.store.insert_user_api_keys(vec![key.clone()]).await.unwrap();
    let (s, v) = submit(&app, &t, "image", json!({"prompt": "my own lantern", "customApiConfig": {"customApiKeyId": key.id}})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!((job["status"].as_str(), job["error_code"].as_str()), (Some("failed"), Some("invalid_manifest")), "{job}");
    let generations: Vec<String> = mock.requests().into_iter().map(|r| r.path).filter(|p| p.contains("/images/")).collect();
    assert!(generations.is_empty(), "the key's channel was not called as OpenAI-compatible: {generations:?}");
}

/// A job of `user` on the platform model `name`, as submission makes it (not stored).
fn image_job(user: uuid::Uuid, name: &str) -> miaojing_domain::job::Job {
    use miaojing_server::generation::spec::{check, Source};
    let payload = miaojing_api_types::generation::GenerationPayload { prompt: Some("a carried kite".into()), ..Default::default() };
    let (mode, spec) = check(miaojing_domain::job::JobKind::Image, payload, Source::System { name: name.into() }).unwrap();
    let now = chrono::Utc::now();
    miaojing_domain::job::Job {
        id: uuid::Uuid::new_v4(),
        user_id: user,
        mode,
        model: name.into(),
        channel: "mock".into(),
        params: serde_json::to_value(&spec).unwrap(),
        client_request_id: None,
        status: miaojing_domain::job::JobStatus::Running,
        attempt: 1,
        lease_owner: None,
        lease_expires_at: None,
        heartbeat_at: None,
        upstream_task_id: None,
        next_poll_at: None,
        deadline_at: now + chrono::Duration::minutes(30),
        hold_id: None,
        estimated_cost: 10,
        actual_cost: None,
        error_code: None,
        error_message: None,
        result: Value::Null,
        created_at: now,
        started_at: Some(now),
        finished_at: None,
        updated_at: now,
    }
}

async fn a_job_runs_on_the_rows_it_was_resolved_with(app: TestApp, mock: MockHandle) {
    use miaojing_domain::job::Outcome;
    use miaojing_jobs::{JobExecutor, Step};
    use miaojing_server::generation::carry::{Carried, Resolved};
    use std::sync::Arc;

    // Start: the rows resolved at submission are used as they were, without a second look-up.
    let paint = system_api(&app, &mock, json!({"name": "Paint", "modelName": "gpt-image-1", "creditsPerUse": 2})).await;
    let row = app.store.system_api(paint.parse().unwrap()).await.unwrap().unwrap();
    break_manifest(&app, &paint, Value::Null).await;
    let (_, user) = app.register("carry@example.com", "carrier").await;
    let user = user["id"].as_str().unwrap().parse().unwrap();
    let carried = Arc::new(Carried::default());
    let st = &app.state;
    let exec = miaojing_server::generation::ProviderExecutor::new(
        app.store.clone(),
        st.secrets.clone(),
        st.outbound.clone(),
        st.storage.clone(),
        carried.clone(),
    );
    let job = image_job(user, "Paint");
    carried.keep_model(job.id, Resolved::System(vec![row]));
    match exec.start(&job).await {
        Step::Done(Outcome::Succeeded { actual_cost, works, .. }) => assert_eq!((actual_cost, works.len()), (2, 1)),
        other => panic!("the carried row served the job: {other:?}"),
    }
    assert!(carried.is_empty(), "nothing is kept for a job that ended");
    // Without them (another instance or a restart), the job's spec is resolved again: the
    // stored row is the broken one now.
    match exec.start(&image_job(user, "Paint")).await {
        Step::Done(Outcome::Failed { code, .. }) => assert_eq!(code, "invalid_manifest"),
        other => panic!("the stored row was read again: {other:?}"),
    }

    // Polls: the channel that accepted an upstream task serves its polls, whatever becomes of
    // its row meanwhile.
    mock.set_settings(miaojing_mock_upstream::Settings { video_running_ms: 2_500, ..mock.settings() });
    let wave = system_api(&app, &mock, json!({"name": "Wave", "modelName": "mock-video-1", "type": "video", "billingMode": "free"})).await;
    let (t, _) = app.register("carry2@example.com", "carrier2").await;
    let (s, v) = submit(&app, &t, "video", json!({"prompt": "a slow tide", "model": "Wave", "duration": 3})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let created = || mock.requests().iter().any(|r| r.method == "POST" && r.path == "/v1/video/generations");
    for _ in 0..200 {
        if created() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(created(), "the task was submitted");
    break_manifest(&app, &wave, Value::Null).await;
    let job = finished(&app, &t, v["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let polls = mock.requests().iter().filter(|r| r.method == "GET" && r.path.starts_with("/v1/video/generations/")).count();
    assert!(polls >= 1, "the task was polled after its row changed");
}
