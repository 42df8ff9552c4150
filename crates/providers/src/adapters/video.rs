//! OpenAI-style asynchronous video: `POST <root>/video/generations` → task id →
//! `GET <root>/video/generations/{id}` until `succeeded` (result URL) or `failed`;
//! `POST <root>/video/generations/{id}/cancel` stops a task.
use std::time::Duration;

use miaojing_domain::Result;
use serde_json::{json, Map, Value};

use super::ProviderClient;
use crate::channel::{ChannelConfig, GenerationOutput, GenerationRequest, MediaItem, PollOutcome, Submitted, TaskHandle};
use crate::extract;
use crate::http;
use crate::manifest::paths;
use crate::upstream_error as ue;

/// Wait between polls of a video task.
pub const POLL_INTERVAL: Duration = Duration::from_secs(3);

fn endpoint(ch: &ChannelConfig) -> String {
    let base = ch.base_url.trim().trim_end_matches('/');
    if base.ends_with("/video/generations") || base.ends_with("/videos") {
        base.to_string()
    } else {
        http::join(&http::api_root(base), "video/generations")
    }
}

/// The submit body: model, prompt, optional first-frame image (URL or data URL) and video options.
pub async fn submit_body(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<Value> {
    let mut body = Map::new();
    body.insert("model".into(), json!(ch.upstream_model));
    body.insert("prompt".into(), json!(req.prompt));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            body.insert(k.into(), v);
        }
    };
    put("negative_prompt", req.negative_prompt.clone().filter(|s| !s.is_empty()).map(Value::from));
    put("aspect_ratio", req.aspect_ratio.clone().filter(|s| s != "original").map(Value::from));
    put("resolution", req.resolution.clone().map(Value::from));
    put("duration", req.duration.map(Value::from));
    put("fps", req.fps.map(Value::from));
    put("camera_movement", req.camera_movement.clone().map(Value::from));
    put("style", req.style.clone().map(Value::from));
    if let Some(img) = req.images.first() {
        body.insert("image".into(), json!(client.image_url(img).await?));
    }
    for (k, v) in &ch.extra_body {
        body.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(body))
}

/// Submits a video task.
pub async fn submit(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<Submitted> {
    let body = submit_body(client, ch, req).await?;
    let parsed = http::post_json(&client.http, &endpoint(ch), &ch.api_key, &body).await?;
    match read_state(&parsed.value, &ch.api_key)? {
        PollOutcome::Done(out) => Ok(Submitted::Done(out)),
        PollOutcome::Running { .. } => {
            let id = paths::get(&parsed.value, "task_id|id|data.task_id|data.id")
                .and_then(crate::manifest::scalar_string)
                .ok_or_else(|| ue::bad_response("video submit answered without a task id"))?;
            Ok(Submitted::Pending(TaskHandle { upstream_task_id: id, poll_interval: POLL_INTERVAL }))
        }
    }
}

/// Polls a video task.
pub async fn poll(client: &ProviderClient, ch: &ChannelConfig, task: &TaskHandle) -> Result<PollOutcome> {
    let url = format!("{}/{}", endpoint(ch), urlencode(&task.upstream_task_id));
    let parsed = http::get_json(&client.http, &url, &ch.api_key).await?;
    read_state(&parsed.value, &ch.api_key)
}

/// Cancels a video task: `POST <root>/video/generations/{id}/cancel`.
pub async fn cancel(client: &ProviderClient, ch: &ChannelConfig, task: &TaskHandle) -> Result<()> {
    let url = format!("{}/{}/cancel", endpoint(ch), urlencode(&task.upstream_task_id));
    http::post_json(&client.http, &url, &ch.api_key, &json!({})).await?;
    Ok(())
}

/// Percent-encodes a path segment.
pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

/// Reads a task document: failed → error; succeeded with a URL → done; otherwise running.
fn read_state(v: &Value, key: &str) -> Result<PollOutcome> {
    let status = paths::get(v, "status|data.status|state").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    if matches!(status.as_str(), "failed" | "failure" | "error" | "cancelled" | "canceled") {
        let msg = paths::get(v, "error.message|error|data.error.message|message|fail_reason").and_then(Value::as_str).map(str::to_string);
        return Err(ue::task_failed(msg, key));
    }
    let mut out = GenerationOutput::default();
    for url in paths::all(v, "video_url|output.*.url|data.video_url|data.output.*.url|url") {
        if let Some(u) = url.as_str() {
            let item = MediaItem::Url(u.to_string());
            if !out.videos.contains(&item) {
                out.videos.push(item);
            }
        }
    }
    if out.videos.is_empty() && matches!(status.as_str(), "succeeded" | "success" | "completed" | "done") {
        out.videos = extract::scan_media(v, &[])?.videos;
        if out.videos.is_empty() {
            return Err(ue::no_result());
        }
    }
    if !out.videos.is_empty() {
        return Ok(PollOutcome::Done(out));
    }
    let progress = paths::get(v, "progress|data.progress").and_then(Value::as_f64).map(|p| p.clamp(0.0, 100.0) as u8);
    Ok(PollOutcome::Running { progress, status: (!status.is_empty()).then_some(status) })
}
