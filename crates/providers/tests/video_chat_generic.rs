//! Async video, chat (reverse prompt, suggestion), generic JSON, models and connection tests
//! over real HTTP against mock-upstream.
mod common;

use std::time::Duration;

use common::*;
use miaojing_mock_upstream::{Action, Rule, Settings};
use miaojing_providers::{
    ChannelConfig, GenerationRequest, InputImage, Language, MediaItem, MediaType, Mode, PollOutcome, Protocol, ReverseMode,
    ReversePromptRequest, Submitted, SuggestRequest,
};

fn fast(mock: &miaojing_mock_upstream::MockHandle) {
    mock.set_settings(Settings { video_queued_ms: 50, video_running_ms: 150, ..Settings::default() });
}

#[tokio::test]
async fn text_to_video_submits_polls_and_returns_a_real_mp4() {
    let mock = mock().await;
    fast(&mock);
    let client = client(&mock);
    let ch = openai(&mock, "mock-video-1", MediaType::Video);
    let mut req = GenerationRequest::new(Mode::Text2Video, "waves at dusk");
    req.duration = Some(5);
    req.aspect_ratio = Some("16:9".into());
    let Submitted::Pending(task) = client.submit(&ch, &req).await.unwrap() else { panic!("video is a task") };
    assert!(task.upstream_task_id.starts_with("video_"));
    assert!(matches!(client.poll(&ch, &task).await.unwrap(), PollOutcome::Running { .. }));
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    let MediaItem::Url(url) = &out.videos[0] else { panic!() };
    let (bytes, mime) = client.download(url).await.unwrap();
    assert_eq!(mime, "video/mp4");
    assert!(bytes.len() > 1000);
    let body = on(&mock, "/v1/video/generations")[0].body.clone().unwrap();
    assert_eq!((body["duration"].as_u64(), body["aspect_ratio"].as_str()), (Some(5), Some("16:9")));
}

#[tokio::test]
async fn image_to_video_sends_the_first_frame() {
    let mock = mock().await;
    fast(&mock);
    let client = client(&mock);
    let mut req = GenerationRequest::new(Mode::Img2Video, "");
    req.images = vec![InputImage::from_bytes(png(40, 30), "image/png")];
    let out = client.generate(&openai(&mock, "mock-video-1", MediaType::Video), &req, Duration::from_secs(10)).await.unwrap();
    assert_eq!(out.videos.len(), 1);
    let body = on(&mock, "/v1/video/generations")[0].body.clone().unwrap();
    assert!(body["image"].as_str().unwrap().starts_with("data:image/png;base64,"));
}

#[tokio::test]
async fn failed_tasks_transient_polls_and_deadlines() {
    let mock = mock().await;
    fast(&mock);
    let client = client(&mock);
    let ch = openai(&mock, "mock-video-1", MediaType::Video);
    let req = GenerationRequest::new(Mode::Text2Video, "storm");
    mock.add_rule(
        Rule::new(Action::FailTask { message: Some(format!("content flagged ({KEY})")) }).on_path("/v1/video/generations").times(1),
    );
    let e = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap_err();
    assert_eq!((e.status(), e.code.as_ref()), (422, "upstream_task_failed"));
    assert!(e.message.contains("content flagged"));
    assert_no_key(&e);
    // Two 503s while polling are ridden out.
    mock.add_rule(Rule::new(Action::status(503)).on_path("/v1/video/generations/*").times(2));
    assert_eq!(client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap().videos.len(), 1);
    // A task that never ends within the budget.
    mock.set_settings(Settings { video_queued_ms: 60_000, ..Settings::default() });
    let e = client.generate(&ch, &req, Duration::from_millis(400)).await.unwrap_err();
    assert_eq!((e.status(), e.code.as_ref()), (504, "upstream_poll_timeout"));
}

fn chat(mock: &miaojing_mock_upstream::MockHandle) -> ChannelConfig {
    openai(mock, "gpt-5.5", MediaType::Text)
}

#[tokio::test]
async fn reverse_prompt_in_every_mode_and_language_streamed_or_not() {
    let mock = mock().await;
    let client = client(&mock);
    for (mode, language, stream) in [
        (ReverseMode::General, Language::Zh, false),
        (ReverseMode::Structured, Language::En, true),
        (ReverseMode::Pixel, Language::En, false),
    ] {
        let req = ReversePromptRequest { image: InputImage::from_bytes(png(50, 20), "image/png"), mode, language, stream };
        let r = client.reverse_prompt(&chat(&mock), &req).await.unwrap();
        assert!(r.general_prompt.contains("50x20 png image"), "{r:?}");
        assert_eq!(r.general_prompt, r.structured_prompt);
    }
    let sent = on(&mock, "/v1/chat/completions");
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].image_sizes, vec![[50, 20]]);
    let ask = |i: usize| sent[i].body.as_ref().unwrap()["messages"][1]["content"][0]["text"].as_str().unwrap().to_string();
    assert_eq!(ask(0), "请反推这张图片的通用提示词。");
    assert!(ask(1).contains("structured") && ask(2).contains("pixel-level"));
    assert_eq!(sent[1].body.as_ref().unwrap()["stream"], true);
}

#[tokio::test]
async fn prompt_suggestions_and_chat_failures() {
    let mock = mock().await;
    let client = client(&mock);
    for stream in [false, true] {
        let req = SuggestRequest {
            prompt: "a cat".into(),
            system_prefix: None,
            target_model: Some("gpt-image-2".into()),
            target_media: MediaType::Image,
            stream,
        };
        let s = client.suggest_prompt(&chat(&mock), &req).await.unwrap();
        assert!(s.prompt.starts_with("Prompt suggestion for \"a cat\""), "{s:?}");
        assert!(s.prompt.ends_with("balanced composition."), "the streamed pieces are joined: {s:?}");
    }
    mock.add_rule(Rule::new(Action::rate_limited(3)).on_path("/v1/chat/completions").times(1));
    let req = SuggestRequest {
        prompt: "x".into(),
        system_prefix: Some("be brief".into()),
        target_model: None,
        target_media: MediaType::Video,
        stream: false,
    };
    let e = client.suggest_prompt(&chat(&mock), &req).await.unwrap_err();
    assert_eq!((e.code.as_ref(), e.retry_after), ("upstream_rate_limited", Some(3)));
    mock.add_rule(Rule::new(Action::idle(0.2)).on_path("/v1/chat/completions").times(1));
    assert_eq!(client.suggest_prompt(&chat(&mock), &req).await.unwrap_err().code, "upstream_idle_timeout");
}

#[tokio::test]
async fn generic_json_template_posts_to_the_configured_url() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = ChannelConfig::new(Protocol::GenericJson, mock.url("/v1/images/generations"), KEY, "gpt-image-1", MediaType::Image);
    let mut req = GenerationRequest::new(Mode::Text2Img, "a generic kite");
    req.size = Some("128x96".into());
    req.negative_prompt = Some("blurry".into());
    req.guidance_scale = Some(9.5);
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    let MediaItem::Inline { bytes, .. } = &out.images[0] else { panic!() };
    assert_eq!(png_size(bytes), (128, 96));
    let body = on(&mock, "/v1/images/generations")[0].body.clone().unwrap();
    assert_eq!((body["negative_prompt"].as_str(), body["guidance_scale"].as_f64()), (Some("blurry"), Some(9.5)));
    assert_eq!(body["response_format"], "b64_json");
    mock.add_rule(Rule::new(Action::Garbage).on_path("/v1/images/generations").times(1));
    assert_eq!(client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap_err().code, "upstream_bad_response");
}

#[tokio::test]
async fn models_and_connection_tests() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = openai(&mock, "gpt-image-2", MediaType::Image);
    let models = client.list_models(&ch).await.unwrap();
    assert!(models.iter().any(|m| m.id == "mock-video-1"));
    let report = client.test_connection(&ch).await.unwrap();
    assert!(report.model_listed && report.model_count == models.len());
    let other = openai(&mock, "not-there", MediaType::Image);
    assert!(!client.test_connection(&other).await.unwrap().model_listed);
    mock.add_rule(Rule::new(Action::status(401)).on_path("/v1/models").times(1));
    let e = client.test_connection(&ch).await.unwrap_err();
    assert_eq!(e.code, "upstream_auth_failed");
    assert_no_key(&e);
}

#[tokio::test]
async fn a_video_task_is_cancelled_upstream() {
    let mock = mock().await;
    mock.set_settings(Settings { video_queued_ms: 60_000, video_running_ms: 60_000, ..Settings::default() });
    let client = client(&mock);
    let ch = openai(&mock, "mock-video-1", MediaType::Video);
    let req = GenerationRequest::new(Mode::Text2Video, "a slow tide");
    let Submitted::Pending(task) = client.submit(&ch, &req).await.unwrap() else { panic!("video is a task") };
    assert!(client.cancel(&ch, &task).await.unwrap(), "the OpenAI-compatible task API has a cancel");
    assert_eq!(mock.cancelled_tasks(), vec![task.upstream_task_id.clone()]);
    assert_eq!(on(&mock, &format!("/v1/video/generations/{}/cancel", task.upstream_task_id))[0].status, Some(200));
    // The task now reads as cancelled: polling it is a task failure, not a result.
    assert_eq!(client.poll(&ch, &task).await.unwrap_err().code, "upstream_task_failed");
    // Synchronous protocols have nothing to cancel.
    let generic = ChannelConfig::new(Protocol::GenericJson, mock.url("/v1/images/generations"), KEY, "gpt-image-1", MediaType::Image);
    assert!(!client.cancel(&generic, &task).await.unwrap());
}
