//! mock-upstream over real HTTP: every endpoint, auth, each injected failure, URL expiry, video
//! task progression, SSE framing, request recording and the admin API.

use std::time::{Duration, Instant};

use base64::Engine;
use miaojing_mock_upstream::{start, Action, MockConfig, MockHandle, Rule, Settings};
use serde_json::{json, Value};

const KEY: &str = "sk-test-123";

async fn mock() -> MockHandle {
    start(MockConfig { settings: Settings { video_queued_ms: 400, video_running_ms: 800, ..Settings::default() }, ..MockConfig::default() })
        .await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

async fn post_json(m: &MockHandle, path: &str, body: Value) -> reqwest::Response {
    client().post(m.url(path)).bearer_auth(KEY).json(&body).send().await.unwrap()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn png_data_url(w: u32, h: u32) -> String {
    format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png(w, h)))
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 200, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn generate(m: &MockHandle, body: Value) -> Value {
    let resp = post_json(m, "/v1/images/generations", body).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn generations_return_real_images_of_the_requested_size_and_format() {
    let m = mock().await;
    for (fmt, expected) in [("png", image::ImageFormat::Png), ("jpeg", image::ImageFormat::Jpeg), ("webp", image::ImageFormat::WebP)] {
        let v = generate(&m, json!({"model": "gpt-image-1", "prompt": "a red fox", "size": "96x64", "n": 2, "output_format": fmt})).await;
        let data = v["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(v["output_format"], fmt);
        assert_eq!(v["size"], "96x64");
        for item in data {
            let bytes = b64(item["b64_json"].as_str().unwrap());
            assert_eq!(image::guess_format(&bytes).unwrap(), expected);
            let img = image::load_from_memory(&bytes).unwrap();
            assert_eq!((img.width(), img.height()), (96, 64));
        }
        assert_ne!(data[0]["b64_json"], data[1]["b64_json"], "n images differ");
    }
}

#[tokio::test]
async fn generations_are_deterministic_from_the_prompt() {
    let m = mock().await;
    let body = |p: &str| json!({"prompt": p, "size": "32x32"});
    let a = generate(&m, body("a lighthouse")).await;
    let b = generate(&m, body("a lighthouse")).await;
    let c = generate(&m, body("a forest")).await;
    assert_eq!(a["data"][0]["b64_json"], b["data"][0]["b64_json"]);
    assert_ne!(a["data"][0]["b64_json"], c["data"][0]["b64_json"]);
    // No size means 1024x1024.
    let d = generate(&m, json!({"prompt": "default size"})).await;
    let img = image::load_from_memory(&b64(d["data"][0]["b64_json"].as_str().unwrap())).unwrap();
    assert_eq!((img.width(), img.height()), (1024, 1024));
}

#[tokio::test]
async fn generations_validate_their_input() {
    let m = mock().await;
    for body in [
        json!({"size": "64x64"}),
        json!({"prompt": "x", "size": "huge"}),
        json!({"prompt": "x", "size": "9000x10"}),
        json!({"prompt": "x", "n": 11}),
        json!({"prompt": "x", "output_format": "gif"}),
        json!({"prompt": "x", "response_format": "file"}),
    ] {
        let resp = post_json(&m, "/v1/images/generations", body.clone()).await;
        assert_eq!(resp.status(), 400, "{body}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"]["type"], "invalid_request_error");
        assert!(v["error"]["message"].as_str().unwrap().len() > 5);
    }
    let resp = client().post(m.url("/v1/images/generations")).bearer_auth(KEY).body("not json").send().await.unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn generations_can_stream_image_events() {
    let m = mock().await;
    let resp = post_json(&m, "/v1/images/generations", json!({"prompt": "streamed", "size": "40x20", "stream": true})).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("event: image_generation.completed\ndata: "));
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let v: Value = serde_json::from_str(data).unwrap();
    assert_eq!(v["type"], "image_generation.completed");
    let img = image::load_from_memory(&b64(v["b64_json"].as_str().unwrap())).unwrap();
    assert_eq!((img.width(), img.height()), (40, 20));
}

#[tokio::test]
async fn url_mode_serves_files_from_the_mock() {
    let m = mock().await;
    let v = generate(&m, json!({"prompt": "url mode", "size": "50x30", "response_format": "url", "output_format": "jpeg"})).await;
    let url = v["data"][0]["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/files/", m.base_url())), "{url}");
    assert!(url.ends_with(".jpeg"));
    let resp = client().get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let img = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (50, 30));
    // Fetching again works when no expiry is configured.
    assert_eq!(client().get(url).send().await.unwrap().status(), 200);
    assert_eq!(client().get(m.url("/files/nope.png")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn urls_expire_after_the_first_fetch_by_rule() {
    let m = mock().await;
    m.add_rule(
        Rule::new(Action::ExpireUrls { after_seconds: None, after_fetches: Some(1), status: 410 })
            .on_path("/v1/images/generations")
            .times(1),
    );
    let v = generate(&m, json!({"prompt": "once", "size": "16x16", "response_format": "url"})).await;
    let url = v["data"][0]["url"].as_str().unwrap();
    assert_eq!(client().get(url).send().await.unwrap().status(), 200);
    assert_eq!(client().get(url).send().await.unwrap().status(), 410);
    // The rule was used up: the next request's URLs do not expire.
    let v = generate(&m, json!({"prompt": "twice", "size": "16x16", "response_format": "url"})).await;
    let url = v["data"][0]["url"].as_str().unwrap();
    assert_eq!(client().get(url).send().await.unwrap().status(), 200);
    assert_eq!(client().get(url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn urls_expire_after_a_time_set_in_settings() {
    let m = mock().await;
    m.set_settings(Settings { url_ttl_ms: Some(1000), expired_status: 403, ..m.settings() });
    let v = generate(&m, json!({"prompt": "ttl", "size": "16x16", "response_format": "url"})).await;
    let url = v["data"][0]["url"].as_str().unwrap().to_string();
    assert_eq!(client().get(&url).send().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let resp = client().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("AccessDenied"));
}

#[tokio::test]
async fn forbidden_urls_answer_403_from_the_start() {
    let m = mock().await;
    m.add_rule(Rule::new(Action::forbid_urls()).times(1));
    let v = generate(&m, json!({"prompt": "forbidden", "size": "16x16", "response_format": "url"})).await;
    assert_eq!(client().get(v["data"][0]["url"].as_str().unwrap()).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn missing_or_wrong_keys_get_openai_401s() {
    let m = mock().await;
    let resp = client().post(m.url("/v1/images/generations")).json(&json!({"prompt": "x"})).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert!(v["error"]["message"].as_str().unwrap().contains("API key"));
    for key in ["pk-nope", "sk-"] {
        let resp = client().get(m.url("/v1/models")).bearer_auth(key).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{key}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"]["code"], "invalid_api_key");
    }
    // Configured keys: only those are accepted.
    let strict = start(MockConfig { api_keys: Some(vec!["only-this".into()]), ..MockConfig::default() }).await;
    assert_eq!(client().get(strict.url("/v1/models")).bearer_auth(KEY).send().await.unwrap().status(), 401);
    assert_eq!(client().get(strict.url("/v1/models")).bearer_auth("only-this").send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn models_are_listed_in_openai_shape() {
    let m = mock().await;
    let v: Value = client().get(m.url("/v1/models")).bearer_auth(KEY).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["object"], "list");
    let ids: Vec<&str> = v["data"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"gpt-image-1") && ids.contains(&"mock-video-1"));
    assert!(v["data"].as_array().unwrap().iter().all(|d| d["object"] == "model" && d["owned_by"].is_string()));
}

fn edit_form(images: &[(&str, Vec<u8>)], fields: &[(&str, &str)], mask: bool) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in images {
        form =
            form.part(name.to_string(), reqwest::multipart::Part::bytes(bytes.clone()).file_name("ref.png").mime_str("image/png").unwrap());
    }
    if mask {
        form = form.part("mask", reqwest::multipart::Part::bytes(png(8, 8)).file_name("mask.png"));
    }
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

#[tokio::test]
async fn edits_accept_several_images_and_record_them() {
    let m = mock().await;
    let form = edit_form(
        &[("image", png(30, 20)), ("image", png(12, 12))],
        &[("model", "gpt-image-1"), ("prompt", "merge them"), ("size", "48x32"), ("n", "2"), ("output_format", "webp")],
        true,
    );
    let resp = client().post(m.url("/v1/images/edits")).bearer_auth(KEY).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    let bytes = b64(v["data"][0]["b64_json"].as_str().unwrap());
    assert_eq!(image::guess_format(&bytes).unwrap(), image::ImageFormat::WebP);
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (48, 32));
    let rec = m.requests().into_iter().find(|r| r.path == "/v1/images/edits").unwrap();
    assert_eq!(rec.image_count, 2);
    assert_eq!(rec.image_sizes, vec![[30, 20], [12, 12]]);
    assert!(rec.has_mask);
    assert_eq!(rec.prompt.as_deref(), Some("merge them"));
    assert_eq!(rec.model.as_deref(), Some("gpt-image-1"));
    assert_eq!(rec.fields["size"], "48x32");
    assert_eq!(rec.status, Some(200));
}

#[tokio::test]
async fn edits_default_to_the_first_image_size_and_accept_image_array_fields() {
    let m = mock().await;
    let form = edit_form(&[("image[]", png(24, 18)), ("image[]", png(5, 5))], &[("prompt", "keep size")], false);
    let resp = client().post(m.url("/v1/images/edits")).bearer_auth(KEY).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let img = image::load_from_memory(&b64(v["data"][0]["b64_json"].as_str().unwrap())).unwrap();
    assert_eq!((img.width(), img.height()), (24, 18));
    assert_eq!(m.requests().last().unwrap().image_count, 2);
    // No image at all is a 400.
    let form = edit_form(&[], &[("prompt", "nothing")], false);
    let resp = client().post(m.url("/v1/images/edits")).bearer_auth(KEY).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 400);
}

fn vision_body(stream: bool) -> Value {
    json!({
        "model": "gpt-5.5",
        "stream": stream,
        "messages": [
            {"role": "system", "content": "You write prompts."},
            {"role": "user", "content": [
                {"type": "text", "text": "Describe this picture"},
                {"type": "image_url", "image_url": {"url": png_data_url(600, 300)}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
            ]}
        ]
    })
}

#[tokio::test]
async fn chat_completions_describe_input_images() {
    let m = mock().await;
    let resp = post_json(&m, "/v1/chat/completions", vision_body(false)).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "gpt-5.5");
    assert_eq!(v["choices"][0]["message"]["role"], "assistant");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    let content = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(content.starts_with("A picture described as a 600x300 png image; an image at https://example.com/cat.jpg."), "{content}");
    assert!(content.contains("Describe this picture"));
    assert!(v["usage"]["total_tokens"].as_u64().unwrap() > 0);
    let rec = m.requests().pop().unwrap();
    assert_eq!(rec.image_count, 2);
    assert_eq!(rec.image_sizes, vec![[600, 300]]);
    // The recorded body keeps its shape but shortens the data URL.
    let url = rec.body.unwrap()["messages"][1]["content"][1]["image_url"]["url"].as_str().unwrap().to_string();
    assert!(url.len() < 200 && url.contains("chars)"));

    let v: Value = post_json(
        &m,
        "/v1/chat/completions",
        json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "a cat on a roof"}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(v["choices"][0]["message"]["content"].as_str().unwrap().contains("a cat on a roof"));
    assert_eq!(post_json(&m, "/v1/chat/completions", json!({"model": "x"})).await.status(), 400);
}

#[tokio::test]
async fn chat_completions_stream_as_sse() {
    let m = mock().await;
    let full: Value = post_json(&m, "/v1/chat/completions", vision_body(false)).await.json().await.unwrap();
    let mut body = vision_body(true);
    body["stream_options"] = json!({"include_usage": true});
    let resp = post_json(&m, "/v1/chat/completions", body).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let text = resp.text().await.unwrap();
    assert!(text.ends_with("data: [DONE]\n\n"));
    let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert!(events.iter().all(|e| e.starts_with("data: ")), "{text}");
    let mut content = String::new();
    let mut finish = None;
    let mut usage = None;
    for e in &events[..events.len() - 1] {
        let v: Value = serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(v["object"], "chat.completion.chunk");
        if let Some(c) = v["choices"].get(0) {
            content.push_str(c["delta"]["content"].as_str().unwrap_or(""));
            if c["finish_reason"].is_string() {
                finish = Some(c["finish_reason"].clone());
            }
        }
        if v["usage"].is_object() {
            usage = Some(v["usage"].clone());
        }
    }
    assert_eq!(content, full["choices"][0]["message"]["content"].as_str().unwrap());
    assert_eq!(finish, Some(json!("stop")));
    assert!(usage.is_some());
}

async fn poll(m: &MockHandle, id: &str) -> Value {
    let resp = client().get(m.url(&format!("/v1/video/generations/{id}"))).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn video_tasks_progress_to_a_real_mp4() {
    let m = mock().await;
    // Stages long enough that a poll every 50 ms sees each one even on a loaded machine.
    m.set_settings(Settings { video_queued_ms: 1_000, video_running_ms: 3_000, ..m.settings() });
    let resp = post_json(&m, "/v1/video/generations", json!({"model": "mock-video-1", "prompt": "waves", "duration": 5})).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "queued");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["task_id"], v["id"]);
    let mut seen = Vec::new();
    let started = Instant::now();
    let done = loop {
        let v = poll(&m, &id).await;
        let status = v["status"].as_str().unwrap().to_string();
        if status == "running" {
            let p = v["progress"].as_u64().unwrap();
            assert!((1..100).contains(&p), "{p}");
        }
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "succeeded" {
            break v;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "stuck: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(seen, ["queued", "running", "succeeded"]);
    assert_eq!(done["progress"], 100);
    let url = done["video_url"].as_str().unwrap();
    assert_eq!(done["output"][0]["url"], url);
    let resp = client().get(url).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "video/mp4");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[4..8], b"ftyp");
    assert!(bytes.len() < 50_000);
    // Later polls return the same URL.
    assert_eq!(poll(&m, &id).await["video_url"], url);
}

#[tokio::test]
async fn video_tasks_can_be_made_to_fail_and_unknown_ids_are_404() {
    let m = mock().await;
    m.set_settings(Settings { video_queued_ms: 50, video_running_ms: 50, ..m.settings() });
    m.add_rule(Rule::new(Action::FailTask { message: Some("content policy".into()) }).on_path("/v1/video/generations").times(1));
    let v: Value = post_json(&m, "/v1/video/generations", json!({"prompt": "bad"})).await.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let v = poll(&m, v["id"].as_str().unwrap()).await;
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error"]["message"], "content policy");
    assert!(v.get("video_url").is_none());
    let resp = client().get(m.url("/v1/video/generations/video_missing")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(post_json(&m, "/v1/video/generations", json!({"model": "x"})).await.status(), 400);
}

#[tokio::test]
async fn each_injected_status_applies_once_then_clears() {
    let m = mock().await;
    for status in [400u16, 401, 429, 500, 502, 503, 504] {
        m.add_rule(Rule::new(Action::status(status)).on_path("/v1/images/generations").times(1));
        let resp = post_json(&m, "/v1/images/generations", json!({"prompt": "x", "size": "8x8"})).await;
        assert_eq!(resp.status().as_u16(), status);
        if status == 429 {
            assert_eq!(resp.headers()["retry-after"], "1");
        }
        let v: Value = resp.json().await.unwrap();
        assert!(v["error"]["message"].is_string(), "{status}: {v}");
        assert_eq!(post_json(&m, "/v1/images/generations", json!({"prompt": "x", "size": "8x8"})).await.status(), 200);
    }
    assert!(m.rules().is_empty());
    m.add_rule(Rule::new(Action::rate_limited(7)).on_path("/v1/chat/*"));
    let resp = post_json(&m, "/v1/chat/completions", json!({"messages": [{"role": "user", "content": "hi"}]})).await;
    assert_eq!((resp.status().as_u16(), resp.headers()["retry-after"].to_str().unwrap()), (429, "7"));
    // A custom body is sent verbatim.
    m.clear_rules();
    m.add_rule(
        Rule::new(Action::Status { status: 400, retry_after: None, message: None, body: Some("stream is not supported".into()) }).times(1),
    );
    let resp = post_json(&m, "/v1/images/generations", json!({"prompt": "x", "stream": true})).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.text().await.unwrap(), "stream is not supported");
}

#[tokio::test]
async fn rules_can_target_one_model() {
    let m = mock().await;
    m.add_rule(Rule::new(Action::status(503)).for_model("broken-model"));
    let body = |model: &str| json!({"model": model, "prompt": "x", "size": "8x8"});
    assert_eq!(post_json(&m, "/v1/images/generations", body("broken-model")).await.status(), 503);
    assert_eq!(post_json(&m, "/v1/images/generations", body("broken-model")).await.status(), 503);
    assert_eq!(post_json(&m, "/v1/images/generations", body("gpt-image-1")).await.status(), 200);
}

#[tokio::test]
async fn idle_then_524_slow_responses_and_garbage() {
    let m = mock().await;
    m.add_rule(Rule::new(Action::idle(0.6)).on_path("/v1/images/generations").times(1));
    let t = Instant::now();
    let resp = post_json(&m, "/v1/images/generations", json!({"prompt": "x", "stream": true})).await;
    assert!(t.elapsed() >= Duration::from_millis(600));
    assert_eq!(resp.status(), 524);
    assert_eq!(resp.text().await.unwrap(), "error code: 524");

    // Idling sends no headers: a client with a short timeout sees nothing at all.
    m.add_rule(Rule::new(Action::idle(2.0)).times(1));
    let quick = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let err = quick.get(m.url("/v1/models")).bearer_auth(KEY).send().await.unwrap_err();
    assert!(err.is_timeout());

    m.clear_rules();
    m.add_rule(Rule::new(Action::Delay { ms: 400 }).times(1));
    let t = Instant::now();
    let resp = post_json(&m, "/v1/images/generations", json!({"prompt": "slow", "size": "8x8"})).await;
    assert!(t.elapsed() >= Duration::from_millis(400));
    assert_eq!(resp.status(), 200);

    m.add_rule(Rule::new(Action::Garbage).times(1));
    let resp = post_json(&m, "/v1/images/generations", json!({"prompt": "x"})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert!(serde_json::from_slice::<Value>(&resp.bytes().await.unwrap()).is_err());
}

#[tokio::test]
async fn requests_are_recorded_without_the_key() {
    let m = mock().await;
    let resp = client()
        .post(m.url("/v1/images/generations?trace=1"))
        .bearer_auth(KEY)
        .header("x-custom", "yes")
        .json(&json!({"model": "gpt-image-2", "prompt": "recorded prompt", "size": "8x8"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let reqs = m.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!((r.method.as_str(), r.path.as_str(), r.query.as_str()), ("POST", "/v1/images/generations", "trace=1"));
    assert_eq!(r.model.as_deref(), Some("gpt-image-2"));
    assert_eq!(r.prompt.as_deref(), Some("recorded prompt"));
    assert_eq!(r.headers["authorization"], "<redacted>");
    assert_eq!(r.headers["x-custom"], "yes");
    assert_eq!(r.body.as_ref().unwrap()["size"], "8x8");
    assert_eq!(r.status, Some(200));
    assert!(chrono_like(&r.time), "{}", r.time);
    assert!(!serde_json::to_string(&reqs).unwrap().contains(KEY));
    m.clear_requests();
    assert!(m.requests().is_empty());
}

fn chrono_like(t: &str) -> bool {
    t.len() >= 20 && t.ends_with('Z') && t.as_bytes()[4] == b'-' && t.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn admin_api_drives_rules_requests_and_settings() {
    let m = mock().await;
    let c = client();
    let v: Value = c
        .post(m.url("/__mock/rules"))
        .json(&json!([
            {"path": "/v1/models", "times": 1, "action": {"type": "status", "status": 502}},
            {"model": "m-429", "action": {"type": "status", "status": 429, "retry_after": 3}}
        ]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["ids"].as_array().unwrap().len(), 2);
    let rules: Value = c.get(m.url("/__mock/rules")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rules["rules"].as_array().unwrap().len(), 2);
    assert_eq!(c.get(m.url("/v1/models")).bearer_auth(KEY).send().await.unwrap().status(), 502);
    assert_eq!(c.get(m.url("/v1/models")).bearer_auth(KEY).send().await.unwrap().status(), 200);
    let resp = post_json(&m, "/v1/images/generations", json!({"model": "m-429", "prompt": "x"})).await;
    assert_eq!((resp.status().as_u16(), resp.headers()["retry-after"].to_str().unwrap()), (429, "3"));
    let v: Value = c.delete(m.url("/__mock/rules")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["cleared"], 1);
    assert_eq!(c.post(m.url("/__mock/rules")).json(&json!({"action": {"type": "nope"}})).send().await.unwrap().status(), 400);

    let v: Value = c.get(m.url("/__mock/requests")).send().await.unwrap().json().await.unwrap();
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3, "admin calls are not recorded");
    assert_eq!(reqs[2]["model"], "m-429");
    assert_eq!(reqs[2]["status"], 429);
    assert_eq!(reqs[0]["headers"]["authorization"], "<redacted>");
    let v: Value = c.get(m.url("/__mock/requests?path=/v1/models")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["requests"].as_array().unwrap().len(), 2);
    let v: Value = c.delete(m.url("/__mock/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["cleared"], 3);

    let v: Value = c.put(m.url("/__mock/settings")).json(&json!({"url_max_fetches": 1})).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["url_max_fetches"], 1);
    assert_eq!(v["video_queued_ms"], 400, "other settings are kept");
    assert_eq!(m.settings().url_max_fetches, Some(1));
    let v: Value = c.get(m.url("/__mock/settings")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["url_max_fetches"], 1);
    assert_eq!(c.get(m.url("/__mock/health")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn unknown_paths_are_openai_404s_and_stop_closes_the_port() {
    let m = mock().await;
    let resp = client().get(m.url("/v1/nothing")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let v: Value = resp.json().await.unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("/v1/nothing"));
    let url = m.url("/v1/models");
    m.stop().await;
    assert!(client().get(url).send().await.is_err());
}

#[tokio::test]
async fn the_binary_serves_and_is_driven_over_the_admin_api() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_miaojing-mock-upstream"))
        .args(["--host", "127.0.0.1", "--port", "0", "--workers", "1"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await.unwrap().unwrap().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let c = client();
    c.post(format!("{base}/__mock/rules")).json(&json!({"times": 1, "action": {"type": "status", "status": 500}})).send().await.unwrap();
    assert_eq!(c.get(format!("{base}/v1/models")).bearer_auth(KEY).send().await.unwrap().status(), 500);
    assert_eq!(c.get(format!("{base}/v1/models")).bearer_auth(KEY).send().await.unwrap().status(), 200);
    let v: Value = c.get(format!("{base}/__mock/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["requests"].as_array().unwrap().len(), 2);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn video_tasks_can_be_cancelled_and_the_cancels_read_back() {
    let m = mock().await;
    m.set_settings(Settings { video_queued_ms: 60_000, video_running_ms: 60_000, ..m.settings() });
    let v: Value = post_json(&m, "/v1/video/generations", json!({"prompt": "a long take"})).await.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let resp = post_json(&m, &format!("/v1/video/generations/{id}/cancel"), json!({})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "cancelled");
    assert_eq!(poll(&m, &id).await["status"], "cancelled");
    // Again: the same answer; the record and the admin API name the task once.
    assert_eq!(post_json(&m, &format!("/v1/video/generations/{id}/cancel"), json!({})).await.status(), 200);
    assert_eq!(m.cancelled_tasks(), vec![id.clone()]);
    let listed: Value = client().get(m.url("/__mock/cancels")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed, json!({"cancelled": [id]}));
    assert_eq!(post_json(&m, "/v1/video/generations/video_missing/cancel", json!({})).await.status(), 404);
    // A finished task cannot be cancelled.
    m.set_settings(Settings { video_queued_ms: 0, video_running_ms: 0, ..m.settings() });
    let done: Value = post_json(&m, "/v1/video/generations", json!({"prompt": "quick"})).await.json().await.unwrap();
    let resp = post_json(&m, &format!("/v1/video/generations/{}/cancel", done["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(resp.status(), 409);
}

#[tokio::test]
async fn an_image_count_rule_ignores_the_requested_n() {
    let m = mock().await;
    m.add_rule(Rule::new(Action::ImageCount { count: 9 }).on_path("/v1/images/generations").times(1));
    let v = generate(&m, json!({"prompt": "too many", "n": 1, "size": "64x64"})).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 9);
    let v = generate(&m, json!({"prompt": "as asked", "n": 2, "size": "64x64"})).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 2, "the rule applied once");
}
