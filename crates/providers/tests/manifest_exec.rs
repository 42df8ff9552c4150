//! The Manifest executor and smart import over real HTTP against mock-upstream.
mod common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use common::*;
use miaojing_mock_upstream::{Action, MockHandle, Rule, Settings};
use miaojing_providers::{import, ChannelConfig, GenerationRequest, InputImage, MediaItem, Mode, ReferenceUploader, Submitted};
use parking_lot::Mutex;
use serde_json::{json, Value};

/// Imports `bundle` and returns the channel of profile `i` with the test key.
fn channel(bundle: &Value, i: usize) -> ChannelConfig {
    let out = import::parse(&bundle.to_string()).unwrap();
    let c = &out.channels[i];
    // What the server does: store the Manifest file, read it back, build the channel.
    let stored = c.stored_manifest(&out.source, "2026-01-01T00:00:00Z");
    let manifest = miaojing_providers::Manifest::from_stored(&stored).unwrap();
    ChannelConfig::new(c.protocol, c.api_url.clone(), KEY, c.upstream_model.clone(), c.media_type).with_manifest(manifest)
}

fn image_bundle(mock: &MockHandle) -> Value {
    json!({
        "customProviders": [{
            "id": "relay", "name": "Relay",
            "submit": {
                "path": "/v1/images/generations",
                "body": {
                    "model": "$profile.model", "prompt": "$prompt", "size": "$params.size", "n": "$params.n",
                    "output_format": "$params.output_format", "quality": "$params.quality",
                    "extra": {"images": "$inputImages.urls", "note": "literal"}
                },
                "result": {"b64JsonPaths": ["data.*.b64_json"], "imageUrlPaths": ["data.*.url"]}
            },
            "editSubmit": {
                "path": "v1/images/edits", "contentType": "multipart",
                "body": {"model": "$profile.model", "prompt": "$prompt", "size": "$params.size", "tags": ["a", "b"]},
                "files": [{"field": "image[]", "source": "inputImages", "array": true}, {"field": "mask", "source": "mask"}],
                "result": {"b64JsonPaths": ["data.*.b64_json"]}
            }
        }],
        "profiles": [{"name": "Relay Image", "provider": "relay", "baseUrl": mock.base_url(), "model": "gpt-image-2",
                      "capabilities": {"aspectRatios": ["1:1", {"value": "16:9", "label": "Wide"}], "supportsQuality": false}}]
    })
}

/// What the server stores reads back as the imported Manifest, through the server's reader and
/// through serde alike (the channel resolver reads stored rows with [`Manifest::from_stored`]).
#[tokio::test]
async fn a_stored_manifest_reads_back_as_imported() {
    let mock = mock().await;
    let out = import::parse(&image_bundle(&mock).to_string()).unwrap();
    let c = &out.channels[0];
    let stored = c.stored_manifest(&out.source, "2026-01-01T00:00:00Z");
    assert_eq!(miaojing_providers::Manifest::from_stored(&stored).unwrap(), c.manifest);
    assert_eq!(serde_json::from_value::<miaojing_providers::Manifest>(stored).unwrap(), c.manifest);
}

#[tokio::test]
async fn sync_submit_renders_whole_value_templates_and_drops_empties() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = channel(&image_bundle(&mock), 0);
    let mut req = GenerationRequest::new(Mode::Text2Img, "a manifest moon");
    req.size = Some("96x64".into());
    req.n = 2;
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    assert_eq!(out.images.len(), 2);
    let MediaItem::Inline { bytes, mime } = &out.images[0] else { panic!() };
    assert_eq!((mime.as_str(), png_size(bytes)), ("image/png", (96, 64)));
    let body = on(&mock, "/v1/images/generations")[0].body.clone().unwrap();
    assert_eq!(body, json!({"model": "gpt-image-2", "prompt": "a manifest moon", "size": "96x64", "n": 2, "extra": {"note": "literal"}}));
}

#[tokio::test]
async fn edit_submit_sends_multipart_files_and_repeated_fields() {
    let mock = mock().await;
    let client = client(&mock);
    let ch = channel(&image_bundle(&mock), 0);
    let mut req = GenerationRequest::new(Mode::Img2Img, "ink style");
    req.images = vec![InputImage::from_bytes(png(30, 20), "image/png"), InputImage::from_bytes(png(10, 10), "image/png")];
    req.mask = Some(InputImage::from_bytes(png(30, 20), "image/png"));
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    assert_eq!(out.images.len(), 1);
    let sent = &on(&mock, "/v1/images/edits")[0];
    assert_eq!((sent.image_count, sent.has_mask), (2, true));
    assert_eq!(sent.image_sizes, vec![[30, 20], [10, 10]]);
    assert_eq!(sent.fields.get("model").map(String::as_str), Some("gpt-image-2"));
    assert!(sent.fields.contains_key("tags"));
    assert!(!sent.fields.contains_key("size"), "an empty size is dropped");
}

fn video_bundle(mock: &MockHandle, poll: Value) -> Value {
    json!({
        "customProviders": [{
            "name": "Video Relay",
            "submit": {
                "path": "v1/video/generations",
                "body": {"model": "$profile.model", "prompt": "$prompt", "image": "$inputImages.urls.0", "duration": "$params.duration"},
                "taskIdPath": "data.task_id|task_id",
                "result": {"videoUrlPaths": ["video_url"]}
            },
            "poll": poll
        }],
        "profiles": [{"name": "Relay Video", "baseUrl": mock.base_url(), "model": "mock-video-1", "apiMode": "videos",
                      "capabilities": {"durations": ["5", {"value": "10", "label": "10 s"}], "supportsDuration": true}}]
    })
}

fn standard_poll() -> Value {
    json!({
        "path": "v1/video/generations/{task_id}",
        "query": {"id": "{task_id}", "model": "$profile.model", "empty": "$params.none"},
        "intervalSeconds": 1,
        "statusPath": "status",
        "successValues": ["succeeded"],
        "failureValues": ["FAILED", "error"],
        "errorPath": "error.message",
        "result": {"videoUrlPaths": ["output.*.url|video_url"]}
    })
}

#[tokio::test]
async fn async_task_polls_with_task_id_in_path_and_query() {
    let mock = mock().await;
    mock.set_settings(Settings { video_queued_ms: 50, video_running_ms: 100, ..Settings::default() });
    let client = client(&mock);
    let ch = channel(&video_bundle(&mock, standard_poll()), 0);
    let mut req = GenerationRequest::new(Mode::Text2Video, "a manifest river");
    req.duration = Some(5);
    let Submitted::Pending(task) = client.submit(&ch, &req).await.unwrap() else { panic!("task expected") };
    assert_eq!(task.poll_interval, Duration::from_secs(1));
    let out = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    let MediaItem::Url(url) = &out.videos[0] else { panic!() };
    assert_eq!(client.download(url).await.unwrap().1, "video/mp4");
    let polls: Vec<_> = mock.requests().into_iter().filter(|r| r.path.starts_with("/v1/video/generations/")).collect();
    let last = polls.last().unwrap();
    let id = last.path.rsplit('/').next().unwrap();
    assert_eq!(last.query, format!("id={id}&model=mock-video-1"), "task id in the query, empty values dropped");
    let submitted = on(&mock, "/v1/video/generations")[0].body.clone().unwrap();
    assert_eq!(submitted, json!({"model": "mock-video-1", "prompt": "a manifest river", "duration": 5}));
}

#[tokio::test]
async fn failure_values_and_error_paths() {
    let mock = mock().await;
    mock.set_settings(Settings { video_queued_ms: 10, video_running_ms: 10, ..Settings::default() });
    let client = client(&mock);
    let ch = channel(&video_bundle(&mock, standard_poll()), 0);
    mock.add_rule(Rule::new(Action::FailTask { message: Some("nsfw".into()) }).on_path("/v1/video/generations").times(1));
    let e = client.generate(&ch, &GenerationRequest::new(Mode::Text2Video, "x"), Duration::from_secs(10)).await.unwrap_err();
    assert_eq!((e.code.as_ref(), e.message.as_str()), ("upstream_task_failed", "上游任务失败：nsfw"));
}

#[tokio::test]
async fn a_task_id_without_poll_config_is_refused_and_missing_ids_are_bad_responses() {
    let mock = mock().await;
    let client = client(&mock);
    let mut no_poll = video_bundle(&mock, Value::Null);
    no_poll["profiles"][0]["baseUrl"] = json!(mock.url("/v1/video/generations"));
    no_poll["customProviders"][0]["submit"]["path"] = json!("v1/video/generations");
    let ch = channel(&no_poll, 0);
    let e = client.submit(&ch, &GenerationRequest::new(Mode::Text2Video, "x")).await.unwrap_err();
    assert_eq!(e.code, "invalid_manifest");
    let mut wrong_id = video_bundle(&mock, standard_poll());
    wrong_id["customProviders"][0]["submit"]["taskIdPath"] = json!("data.nothing");
    let e = client.submit(&channel(&wrong_id, 0), &GenerationRequest::new(Mode::Text2Video, "x")).await.unwrap_err();
    assert_eq!(e.code, "upstream_bad_response");
}

struct Uploads(Mutex<Vec<usize>>);

#[async_trait]
impl ReferenceUploader for Uploads {
    async fn upload(&self, bytes: Bytes, mime: &str) -> miaojing_domain::Result<String> {
        assert_eq!(mime, "image/png");
        self.0.lock().push(bytes.len());
        Ok(format!("https://cdn.example.com/refs/{}.png", bytes.len()))
    }
}

#[tokio::test]
async fn data_urls_become_storage_urls_when_the_provider_needs_urls() {
    let mock = mock().await;
    mock.set_settings(Settings { video_queued_ms: 10, video_running_ms: 10, ..Settings::default() });
    let uploads = Arc::new(Uploads(Mutex::new(Vec::new())));
    let client = client(&mock).with_uploader(uploads.clone());
    let ch = channel(&video_bundle(&mock, standard_poll()), 0);
    let mut req = GenerationRequest::new(Mode::Img2Video, "animate");
    let bytes = png(20, 20);
    req.images = vec![InputImage::from_bytes(bytes.clone(), "image/png")];
    client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    assert_eq!(*uploads.0.lock(), vec![bytes.len()]);
    let sent = on(&mock, "/v1/video/generations")[0].body.clone().unwrap();
    assert_eq!(sent["image"], json!(format!("https://cdn.example.com/refs/{}.png", bytes.len())));
}

#[tokio::test]
async fn absolute_paths_star_and_alternative_result_paths() {
    let mock = mock().await;
    let client = client(&mock);
    let bundle = json!({
        "name": "Absolute",
        "submit": {
            "path": mock.url("/v1/images/generations"),
            "body": {"model": "$profile.model", "prompt": "$prompt", "response_format": "url", "size": "40x40"},
            "result": {"imageUrlPaths": ["nothing.*.url|data.*.url"]}
        },
        "model": "gpt-image-1"
    });
    let out = import::parse(&bundle.to_string()).unwrap();
    assert_eq!(out.channels[0].api_url, mock.url("/v1/images/generations"));
    let ch = channel(&bundle, 0);
    let mut req = GenerationRequest::new(Mode::Text2Img, "abs");
    req.n = 1;
    let got = client.generate(&ch, &req, Duration::from_secs(10)).await.unwrap();
    assert!(matches!(&got.images[0], MediaItem::Url(u) if u.contains("/files/")));
}

#[test]
fn smart_import_normalises_bundles_and_single_providers() {
    let text = format!(
        "```json\n{}\n```",
        json!({
            "customProviders": [
                {"id": "a", "name": "A", "submit": {"path": "v1/images/generations", "method": "post"}},
                {"name": "B Relay", "submit": {"path": "/v1/videos"}, "poll": {"path": "v1/videos/{task_id}", "intervalSeconds": 99}}
            ],
            "profiles": [
                {"name": "Img", "provider": "a", "baseUrl": "https://relay.example.com/", "model": "m1",
                 "capabilities": {"resolutions": ["1K", {"value": "2K", "label": "2K HD"}], "outputFormats": ["png"], "supportsResolution": true}},
                {"name": "Vid", "provider": "B Relay", "baseUrl": "https://b.example.com/api", "apiMode": "video", "apiKey": "sk-imported"}
            ]
        })
    );
    let out = import::parse(&text).unwrap();
    assert_eq!(out.channels.len(), 2);
    let img = &out.channels[0];
    assert_eq!((img.display_name.as_str(), img.supplier_name.as_str(), img.upstream_model.as_str()), ("Img", "A", "m1"));
    assert_eq!(img.api_url, "https://relay.example.com/v1/images/generations");
    assert_eq!(img.manifest.provider.submit.method, "POST");
    assert_eq!(img.capabilities.resolutions[1].label, "2K HD");
    assert_eq!(img.capabilities.supports_resolution, Some(true));
    let vid = &out.channels[1];
    assert_eq!(vid.media_type, miaojing_providers::MediaType::Video);
    assert_eq!(vid.api_url, "https://b.example.com/api", "with a poll endpoint the base URL stays");
    assert_eq!(vid.upstream_model, "gpt-image-2", "default model");
    assert_eq!(vid.api_key.as_deref(), Some("sk-imported"));
    assert_eq!(vid.manifest.provider.id, "custom-b-relay");
    assert_eq!(vid.manifest.provider.poll.as_ref().unwrap().interval_seconds, 30);
    let stored = vid.stored_manifest(&out.source, "now");
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["source"]["profiles"][1]["name"], "Vid");

    let single = import::parse(r#"{"name": "Solo", "submit": {"path": "gen"}, "baseUrl": "https://solo.example.com/v1"}"#).unwrap();
    assert_eq!(single.channels[0].api_url, "https://solo.example.com/v1/gen");
    assert_eq!(single.channels[0].display_name, "Solo");
}

#[test]
fn smart_import_rejections_say_what_is_missing() {
    let cases: [(&str, &str); 9] = [
        ("", "配置内容为空或过大"),
        ("not json", "配置 JSON 解析失败"),
        ("[1, 2]", "配置 JSON 顶层必须是对象"),
        (r#"{"customProviders": []}"#, "customProviders 不能为空"),
        (r#"{"customProviders": [{"name": "P"}]}"#, "P 缺少 submit 配置"),
        (r#"{"customProviders": [{"name": "P", "submit": {"method": "POST"}}]}"#, "P submit 缺少 path"),
        (r#"{"customProviders": [{"name": "P", "submit": {"path": "x", "body": [1]}}]}"#, "必须是对象"),
        (
            r#"{"customProviders": [{"name": "P", "submit": {"path": "v1/x"}}], "profiles": [{"name": "NoUrl"}]}"#,
            "NoUrl 缺少中转 API 请求地址",
        ),
        (r#"{"name": "P", "submit": {"path": "v1/x"}, "baseUrl": "ftp://files.example.com"}"#, "API 请求地址无效"),
    ];
    for (text, expected) in cases {
        let e = import::parse(text).unwrap_err();
        assert_eq!(e.status(), 400);
        assert!(e.message.contains(expected), "{text:?}: {}", e.message);
    }
    let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(import::MAX_CONFIG_CHARS));
    assert!(import::parse(&huge).unwrap_err().message.contains("过大"));
}

#[test]
fn stored_manifests_must_be_version_one_with_a_submit() {
    for bad in [json!({}), json!({"version": 2, "provider": {"submit": {"path": "x"}}}), json!({"version": 1, "provider": {"name": "n"}})] {
        assert_eq!(miaojing_providers::Manifest::from_stored(&bad).unwrap_err().code, "invalid_manifest");
    }
}

#[tokio::test]
async fn data_url_templates_carry_every_reference_inline() {
    let mock = mock().await;
    mock.set_settings(Settings { video_queued_ms: 10, video_running_ms: 10, ..Settings::default() });
    let client = client(&mock);
    let mut bundle = video_bundle(&mock, standard_poll());
    bundle["customProviders"][0]["submit"]["body"] =
        json!({"model": "$profile.model", "prompt": "$prompt", "images": "$inputImages.dataUrls"});
    let mut req = GenerationRequest::new(Mode::Img2Video, "two frames");
    req.images = vec![InputImage::from_bytes(png(20, 20), "image/png"), InputImage::from_bytes(png(30, 30), "image/png")];
    client.generate(&channel(&bundle, 0), &req, Duration::from_secs(10)).await.unwrap();
    let sent = on(&mock, "/v1/video/generations")[0].body.clone().unwrap();
    let images = sent["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert!(images.iter().all(|i| i.as_str().unwrap().starts_with("data:image/png;base64,")));
}

#[tokio::test]
async fn a_cancel_step_stops_the_task_and_profiles_without_one_send_nothing() {
    let mock = mock().await;
    mock.set_settings(Settings { video_queued_ms: 60_000, video_running_ms: 60_000, ..Settings::default() });
    let client = client(&mock);
    let mut bundle = video_bundle(&mock, standard_poll());
    bundle["customProviders"][0]["cancel"] = json!({"path": "v1/video/generations/{task_id}/cancel", "body": {"reason": "user"}});
    let ch = channel(&bundle, 0);
    let req = GenerationRequest::new(Mode::Text2Video, "a cancelled river");
    let Submitted::Pending(task) = client.submit(&ch, &req).await.unwrap() else { panic!("task expected") };
    assert!(client.cancel(&ch, &task).await.unwrap(), "the cancel step was sent");
    assert_eq!(mock.cancelled_tasks(), vec![task.upstream_task_id.clone()]);
    let sent = &on(&mock, &format!("/v1/video/generations/{}/cancel", task.upstream_task_id))[0];
    assert_eq!((sent.method.as_str(), sent.body.clone()), ("POST", Some(json!({"reason": "user"}))));

    let plain = channel(&video_bundle(&mock, standard_poll()), 0);
    let Submitted::Pending(other) = client.submit(&plain, &req).await.unwrap() else { panic!("task expected") };
    assert!(!client.cancel(&plain, &other).await.unwrap(), "no cancel step: nothing is sent");
    assert_eq!(mock.cancelled_tasks().len(), 1);
}
