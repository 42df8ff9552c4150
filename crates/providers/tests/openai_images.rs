//! OpenAI-compatible images over real HTTP against mock-upstream.
mod common;

use std::time::Duration;

use common::*;
use miaojing_mock_upstream::{Action, Rule};
use miaojing_providers::{GenerationRequest, InputImage, MediaItem, MediaType, Mode, Submitted};
use serde_json::json;

fn t2i(prompt: &str) -> GenerationRequest {
    let mut r = GenerationRequest::new(Mode::Text2Img, prompt);
    r.size = Some("320x240".into());
    r
}

#[tokio::test]
async fn text_to_image_b64_results_are_real_images_of_the_requested_size() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = openai(&mock, "gpt-image-1", MediaType::Image);
    let mut req = t2i("a red fox in snow");
    req.n = 2;
    req.output_format = Some("png".into());
    req.quality = Some("high".into());
    let Submitted::Done(out) = client.submit(&ch, &req).await.unwrap() else { panic!("images are synchronous") };
    assert_eq!(out.images.len(), 2);
    for item in &out.images {
        let MediaItem::Inline { bytes, mime } = item else { panic!("b64 expected, got {item:?}") };
        assert_eq!(mime, "image/png");
        assert_eq!(png_size(bytes), (320, 240));
    }
    assert!(out.usage.is_some_and(|u| u.output_tokens > 0));
    let sent = &on(&mock, "/v1/images/generations")[0];
    let body = sent.body.as_ref().unwrap();
    assert_eq!(body["model"], "gpt-image-1");
    assert_eq!(body["n"], 2);
    assert_eq!(body["quality"], "high");
    assert_eq!(body["size"], "320x240");
}

#[tokio::test]
async fn url_results_and_aspect_ratio_sizes() {
    let mock = mock().await;
    let client = client(&mock);
    let mut ch = openai(&mock, "gpt-image-2", MediaType::Image);
    ch.extra_body.insert("response_format".into(), json!("url"));
    let mut req = GenerationRequest::new(Mode::Text2Img, "a lighthouse");
    req.aspect_ratio = Some("16:9".into());
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    let MediaItem::Url(url) = &out.images[0] else { panic!("url expected") };
    let (bytes, mime) = client.download(url).await.unwrap();
    assert_eq!(mime, "image/png");
    assert_eq!(png_size(&bytes), (1920, 1088), "1920x1080 rounded up to a multiple of 16 for relays");
}

#[tokio::test]
async fn streamed_answers_are_parsed() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = openai(&mock, "gpt-image-1", MediaType::Image);
    let mut req = t2i("streamed koi");
    req.stream = true;
    req.n = 2;
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    assert_eq!(out.images.len(), 2);
    assert_eq!(on(&mock, "/v1/images/generations")[0].body.as_ref().unwrap()["stream"], true);
}

#[tokio::test]
async fn image_to_image_sends_every_reference_as_a_multipart_file() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = openai(&mock, "gpt-image-1", MediaType::Image);
    let mut req = GenerationRequest::new(Mode::Img2Img, "make it watercolour");
    req.images = vec![InputImage::from_bytes(png(64, 48), "image/png"), InputImage::from_bytes(png(32, 32), "image/png")];
    req.mask = Some(InputImage::from_bytes(png(64, 48), "image/png"));
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    let MediaItem::Inline { bytes, .. } = &out.images[0] else { panic!() };
    assert_eq!(png_size(bytes), (64, 48), "edits default to the first image's size");
    let sent = &on(&mock, "/v1/images/edits")[0];
    assert_eq!(sent.image_count, 2);
    assert_eq!(sent.image_sizes, vec![[64, 48], [32, 32]]);
    assert!(sent.has_mask);
    assert_eq!(sent.fields.get("prompt").map(String::as_str), Some("make it watercolour"));
}

#[tokio::test]
async fn reference_images_given_by_url_are_downloaded_through_the_guard() {
    let mock = mock().await;
    let client = client(&mock);
    let mut url_ch = openai(&mock, "gpt-image-1", MediaType::Image);
    url_ch.extra_body.insert("response_format".into(), json!("url"));
    let made = client.generate(&url_ch, &t2i("source picture"), Duration::from_secs(10)).await.unwrap();
    let MediaItem::Url(url) = &made.images[0] else { panic!() };
    let mut req = GenerationRequest::new(Mode::Img2Img, "variation");
    req.images = vec![InputImage::from_url(url.clone())];
    client.generate(&openai(&mock, "gpt-image-1", MediaType::Image), &req, Duration::from_secs(10)).await.unwrap();
    assert_eq!(on(&mock, "/v1/images/edits")[0].image_sizes, vec![[320, 240]]);
}

async fn failure(action: Action) -> miaojing_domain::Error {
    let mock = mock().await;
    let client = client(&mock);
    mock.add_rule(Rule::new(action).on_path("/v1/images/generations"));
    let err = client.generate(&openai(&mock, "gpt-image-1", MediaType::Image), &t2i("x"), Duration::from_secs(10)).await.unwrap_err();
    assert_no_key(&err);
    err
}

#[tokio::test]
async fn injected_failures_map_to_stable_codes_without_the_key() {
    let cases = [
        (Action::status(400), 422, "upstream_rejected"),
        (Action::status(401), 502, "upstream_auth_failed"),
        (Action::status(500), 502, "upstream_error"),
        (Action::status(502), 502, "upstream_unavailable"),
        (Action::status(503), 502, "upstream_unavailable"),
        (Action::status(504), 504, "upstream_timeout"),
        (Action::idle(0.2), 504, "upstream_idle_timeout"),
        (Action::Garbage, 502, "upstream_bad_response"),
    ];
    for (action, status, code) in cases {
        let e = failure(action.clone()).await;
        assert_eq!((e.status(), e.code.as_ref()), (status, code), "{action:?}: {e}");
    }
    let limited = failure(Action::rate_limited(17)).await;
    assert_eq!((limited.status(), limited.code.as_ref(), limited.retry_after), (429, "upstream_rate_limited", Some(17)));
}

#[tokio::test]
async fn upstream_messages_are_shown_but_keys_and_urls_are_scrubbed() {
    let leaky = format!("Invalid prompt for key {KEY} see http://10.0.0.5:8080/internal/debug");
    let e = failure(Action::Status { status: 400, retry_after: None, message: Some(leaky), body: None }).await;
    assert!(e.message.starts_with("上游拒绝了请求：Invalid prompt for key"), "{}", e.message);
    assert!(!e.message.contains("10.0.0.5"), "{}", e.message);
}

#[tokio::test]
async fn a_wrong_key_is_refused_without_echoing_it() {
    let mock = miaojing_mock_upstream::start(miaojing_mock_upstream::MockConfig {
        api_keys: Some(vec!["sk-the-right-one".into()]),
        ..Default::default()
    })
    .await;
    let err =
        client(&mock).generate(&openai(&mock, "gpt-image-1", MediaType::Image), &t2i("x"), Duration::from_secs(10)).await.unwrap_err();
    assert_eq!(err.code, "upstream_auth_failed");
    assert_no_key(&err);
}

#[tokio::test]
async fn expired_and_forbidden_result_urls() {
    let mock = mock().await;
    let client = client(&mock);
    let mut ch = openai(&mock, "gpt-image-1", MediaType::Image);
    ch.extra_body.insert("response_format".into(), json!("url"));
    mock.add_rule(Rule::new(Action::forbid_urls()).on_path("/v1/images/generations").times(1));
    mock.add_rule(
        Rule::new(Action::ExpireUrls { after_seconds: None, after_fetches: Some(1), status: 410 })
            .on_path("/v1/images/generations")
            .times(1),
    );
    let forbidden = client.generate(&ch, &t2i("a"), Duration::from_secs(10)).await.unwrap();
    let MediaItem::Url(u) = &forbidden.images[0] else { panic!() };
    assert_eq!(client.download(u).await.unwrap_err().code, "upstream_result_expired");
    let once = client.generate(&ch, &t2i("b"), Duration::from_secs(10)).await.unwrap();
    let MediaItem::Url(u) = &once.images[0] else { panic!() };
    client.download(u).await.unwrap();
    let e = client.download(u).await.unwrap_err();
    assert_eq!((e.status(), e.code.as_ref()), (502, "upstream_result_expired"));
}

#[tokio::test]
async fn missing_key_url_or_model_are_validation_errors_before_any_call() {
    let mock = mock().await;
    let client = client(&mock);
    let mut ch = openai(&mock, "gpt-image-1", MediaType::Image);
    ch.api_key = String::new();
    assert_eq!(client.submit(&ch, &t2i("x")).await.unwrap_err().code, "missing_api_key");
    let mut ch = openai(&mock, "", MediaType::Image);
    assert_eq!(client.submit(&ch, &t2i("x")).await.unwrap_err().code, "missing_model_name");
    ch.upstream_model = "m".into();
    ch.base_url = " ".into();
    assert_eq!(client.submit(&ch, &t2i("x")).await.unwrap_err().code, "missing_api_url");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn private_addresses_are_refused_by_the_guard() {
    let mock = mock().await;
    // Allowed for the mock's port only: another loopback port is refused.
    let client = client(&mock);
    let mut ch = openai(&mock, "gpt-image-1", MediaType::Image);
    ch.base_url = "http://127.0.0.1:9/v1".into();
    let e = client.submit(&ch, &t2i("x")).await.unwrap_err();
    assert_eq!(e.code, "blocked_destination");
    assert_no_key(&e);
}
