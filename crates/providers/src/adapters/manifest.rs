//! The Manifest executor: `submit` (or `editSubmit` when reference images exist), then `poll`
//! by task id until the status says success with media, failure, or the caller's deadline.
use miaojing_domain::ErrorCode;
use std::time::Duration;

use miaojing_domain::{Error, Result};
use reqwest::header::CONTENT_TYPE;
use reqwest::multipart::Form;
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::ProviderClient;
use crate::channel::{ChannelConfig, GenerationOutput, GenerationRequest, MediaItem, PollOutcome, Submitted, TaskHandle};
use crate::extract;
use crate::http::{self, Parsed};
use crate::manifest::{paths, scalar_string, template, ContentType, Endpoint, FileSource, Manifest, ResultPaths};
use crate::upstream_error as ue;

fn manifest_of(ch: &ChannelConfig) -> Result<&Manifest> {
    ch.manifest
        .as_ref()
        .ok_or_else(|| Error::validation(ErrorCode::InvalidManifest, "选中的模型已关联智能 API 配置文件，但配置文件不存在或格式无效"))
}

fn uses(endpoint: &Endpoint, needle: &str) -> bool {
    let body = Value::Object(endpoint.body.clone());
    let query = Value::Object(endpoint.query.clone());
    body.to_string().contains(needle) || query.to_string().contains(needle)
}

/// Frame rate assumed for `$params.num_frames` when the request names none.
const DEFAULT_FPS: u32 = 24;

/// The template context: `profile.model`, `prompt`, `params.*`, `inputImages.{urls,dataUrls}`, `mask.dataUrl`.
pub async fn context(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest, endpoint: &Endpoint) -> Result<Value> {
    let model = if ch.upstream_model.trim().is_empty() { manifest_of(ch)?.profile.model.clone() } else { ch.upstream_model.clone() };
    let pixels = req.pixel_size();
    let size = pixels.map(|(w, h)| format!("{w}x{h}"));
    let params = json!({
        "size": size, "width": pixels.map(|p| p.0), "height": pixels.map(|p| p.1), "quality": req.quality, "output_format": req.output_format, "moderation": "auto",
        "n": if req.mode.is_video() { 1 } else { req.n }, "aspect_ratio": req.aspect_ratio, "resolution": req.resolution,
        "duration": req.duration, "fps": req.fps, "negative_prompt": req.negative_prompt, "guidance_scale": req.guidance_scale,
        "style": req.style, "camera_movement": req.camera_movement,
        "num_frames": req.duration.map(|d| d * req.fps.unwrap_or(DEFAULT_FPS) + 1),
    });
    let mut urls = Vec::new();
    if uses(endpoint, "$inputImages.urls") {
        for img in &req.images {
            let url = client.image_url(img).await?;
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
    }
    let mut data_urls = Vec::new();
    if uses(endpoint, "$inputImages.dataUrls") {
        for img in &req.images {
            data_urls.push(client.image_data_url(img).await?);
        }
    }
    let mask = match (&req.mask, uses(endpoint, "$mask.dataUrl")) {
        (Some(m), true) => Some(client.image_data_url(m).await?),
        _ => None,
    };
    Ok(json!({
        "profile": {"model": model},
        "prompt": req.prompt,
        "params": params,
        "inputImages": {"urls": urls, "dataUrls": data_urls},
        "mask": {"dataUrl": mask},
    }))
}

/// The endpoint URL: an absolute path as is, else the channel URL (or profile base URL) joined
/// with the path; `{task_id}` is URL-encoded into the path; rendered query appended.
pub fn endpoint_url(ch: &ChannelConfig, endpoint: &Endpoint, ctx: &Value, task_id: Option<&str>) -> Result<String> {
    let path = match task_id {
        Some(id) => endpoint.path.replace("{task_id}", &super::video::urlencode(id)),
        None => endpoint.path.clone(),
    };
    let mut url = if path.starts_with("http://") || path.starts_with("https://") {
        path
    } else {
        let m = manifest_of(ch)?;
        let base = if ch.base_url.trim().is_empty() { m.profile.base_url.clone() } else { ch.base_url.clone() };
        // Import stores the submit endpoint itself as the URL; other endpoints hang off its base.
        let submit_suffix = format!("/{}", m.provider.submit.path.trim_start_matches('/'));
        let base = match base.trim().trim_end_matches('/').strip_suffix(&submit_suffix) {
            Some(stripped) if endpoint.path != m.provider.submit.path => stripped.to_string(),
            _ => base,
        };
        if base.trim().is_empty() {
            return Err(Error::validation(ErrorCode::MissingApiUrl, "API 请求地址为空，请在模型配置中填写 API Base URL"));
        }
        http::join(&base, &path)
    };
    let query = template::render_map(&endpoint.query, ctx, task_id);
    if !query.is_empty() {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &query {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            ser.append_pair(k, &text);
        }
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&ser.finish());
    }
    Ok(url)
}

async fn multipart(client: &ProviderClient, endpoint: &Endpoint, body: &Map<String, Value>, req: &GenerationRequest) -> Result<Form> {
    let mut form = Form::new();
    for (k, v) in body {
        let values: Vec<&Value> = match v {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in values {
            let text = match item {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            form = form.text(k.clone(), text);
        }
    }
    for file in &endpoint.files {
        let images: Vec<&crate::channel::InputImage> = match file.source {
            FileSource::Mask => req.mask.iter().collect(),
            FileSource::InputImages if file.array => req.images.iter().collect(),
            FileSource::InputImages => req.images.iter().take(1).collect(),
        };
        for (i, img) in images.into_iter().enumerate() {
            let stem = if i == 0 { "image".to_string() } else { format!("image-{}", i + 1) };
            form = form.part(file.field.clone(), super::openai::file_part(client, img, &stem).await?);
        }
    }
    Ok(form)
}

async fn call(
    client: &ProviderClient,
    ch: &ChannelConfig,
    endpoint: &Endpoint,
    ctx: &Value,
    req: Option<&GenerationRequest>,
    task_id: Option<&str>,
) -> Result<Parsed> {
    let url = endpoint_url(ch, endpoint, ctx, task_id)?;
    let method = Method::from_bytes(endpoint.method.as_bytes())
        .map_err(|_| Error::validation(ErrorCode::InvalidManifest, format!("Manifest 的 method 无效：{}", endpoint.method)))?;
    let body = template::render_map(&endpoint.body, ctx, task_id);
    let key = &ch.api_key;
    let answer = match (endpoint.content_type, req) {
        (ContentType::Multipart, Some(req)) => {
            let form = multipart(client, endpoint, &body, req).await?;
            http::send(&client.http, method, &url, key, |r| r.multipart(form)).await?
        }
        _ if method == Method::GET || method == Method::HEAD => http::send(&client.http, method, &url, key, |r| r).await?,
        _ => {
            let payload = serde_json::to_vec(&Value::Object(body)).map_err(|e| Error::internal(format!("encoding a request: {e}")))?;
            http::send(&client.http, method, &url, key, |r| r.header(CONTENT_TYPE, "application/json").body(payload)).await?
        }
    };
    answer.ok(key)?.parsed()
}

/// Media at the result paths (base64 wrapped as PNG / MP4 unless already data URLs), de-duplicated.
pub fn media(parsed: &Parsed, result: &ResultPaths) -> Result<GenerationOutput> {
    let mut out = GenerationOutput { usage: extract::usage(&parsed.value), ..Default::default() };
    let docs: Vec<&Value> = parsed.events.iter().chain(std::iter::once(&parsed.value)).collect();
    let push = |list: &mut Vec<MediaItem>, item: MediaItem| {
        if !list.contains(&item) {
            list.push(item);
        }
    };
    for doc in docs {
        for p in &result.image_url_paths {
            for v in paths::all(doc, p).into_iter().filter_map(Value::as_str) {
                push(&mut out.images, url_item(v, "image/png")?);
            }
        }
        for p in &result.b64_json_paths {
            for v in paths::all(doc, p).into_iter().filter_map(Value::as_str) {
                push(&mut out.images, extract::inline(v, "image/png")?);
            }
        }
        for p in &result.video_url_paths {
            for v in paths::all(doc, p).into_iter().filter_map(Value::as_str) {
                push(&mut out.videos, url_item(v, "video/mp4")?);
            }
        }
        for p in &result.b64_video_paths {
            for v in paths::all(doc, p).into_iter().filter_map(Value::as_str) {
                push(&mut out.videos, extract::inline(v, "video/mp4")?);
            }
        }
    }
    Ok(out)
}

fn url_item(v: &str, mime: &str) -> Result<MediaItem> {
    if v.starts_with("data:") {
        extract::inline(v, mime)
    } else {
        Ok(MediaItem::Url(v.to_string()))
    }
}

const TASK_ID_KEYS: [&str; 12] =
    ["task_id", "taskId", "taskID", "taskid", "任务id", "任务ID", "任务Id", "id", "task", "task_ids", "taskIds", "任务ids"];

/// The task id at `path`; objects and arrays are searched for the usual id keys, then `data`/`result`/`output`.
pub fn task_id(v: &Value, path: &str) -> Option<String> {
    fn dig(v: &Value, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match v {
            Value::Array(items) => items.iter().find_map(|i| dig(i, depth + 1)),
            Value::Object(m) => TASK_ID_KEYS
                .iter()
                .find_map(|k| m.get(*k).and_then(|x| dig(x, depth + 1)))
                .or_else(|| ["data", "result", "output"].iter().find_map(|k| m.get(*k).and_then(|x| dig(x, depth + 1)))),
            other => scalar_string(other),
        }
    }
    dig(paths::get(v, path)?, 0)
}

/// Submits through `submit` or `editSubmit`.
pub async fn submit(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<Submitted> {
    let m = manifest_of(ch)?;
    let endpoint = match (&m.provider.edit_submit, req.images.is_empty()) {
        (Some(edit), false) => edit,
        _ => &m.provider.submit,
    };
    let ctx = context(client, ch, req, endpoint).await?;
    let parsed = call(client, ch, endpoint, &ctx, Some(req), None).await?;
    let out = media(&parsed, &endpoint.result)?;
    let Some(id_path) = endpoint.task_id_path.as_deref().filter(|_| out.is_empty()) else {
        return Ok(Submitted::Done(out));
    };
    let poll = m
        .provider
        .poll
        .as_ref()
        .ok_or_else(|| Error::validation(ErrorCode::InvalidManifest, "Manifest 返回了任务 ID，但缺少 poll 轮询配置"))?;
    let id = task_id(&parsed.value, id_path).ok_or_else(|| ue::bad_response(&format!("no task id at {id_path}")))?;
    Ok(Submitted::Pending(TaskHandle { upstream_task_id: id, poll_interval: Duration::from_secs(poll.interval_seconds) }))
}

fn matches_any(value: &str, list: &[String]) -> bool {
    list.iter().any(|s| s.trim().eq_ignore_ascii_case(value.trim()))
}

/// Polls a Manifest task once.
pub async fn poll(client: &ProviderClient, ch: &ChannelConfig, task: &TaskHandle) -> Result<PollOutcome> {
    let m = manifest_of(ch)?;
    let spec = m.provider.poll.as_ref().ok_or_else(|| Error::validation(ErrorCode::InvalidManifest, "Manifest 缺少 poll 轮询配置"))?;
    let model = if ch.upstream_model.trim().is_empty() { m.profile.model.clone() } else { ch.upstream_model.clone() };
    let ctx = json!({"profile": {"model": model}, "task_id": task.upstream_task_id});
    let parsed = call(client, ch, &spec.endpoint, &ctx, None, Some(&task.upstream_task_id)).await?;
    let v = &parsed.value;
    let status = spec.status_path.as_deref().and_then(|p| paths::get(v, p)).and_then(scalar_string).unwrap_or_default();
    if !status.is_empty() && matches_any(&status, &spec.failure_values) {
        let msg = spec.error_path.as_deref().and_then(|p| paths::get(v, p)).and_then(scalar_string).unwrap_or_else(|| status.clone());
        return Err(ue::task_failed(Some(msg), &ch.api_key));
    }
    let result = if spec.endpoint.has_result_paths() { &spec.endpoint.result } else { &m.provider.submit.result };
    let out = media(&parsed, result)?;
    let success = spec.success_values.is_empty() || matches_any(&status, &spec.success_values);
    let final_ok = match (&spec.final_path, spec.final_values.is_empty()) {
        (Some(p), false) => {
            paths::get(v, p).is_some_and(|x| spec.final_values.iter().any(|f| f == x || scalar_string(f) == scalar_string(x)))
        }
        _ => true,
    };
    if success && final_ok && !out.is_empty() {
        return Ok(PollOutcome::Done(out));
    }
    let progress = paths::get(v, "progress|data.progress|result.progress")
        .and_then(|p| p.as_f64().or_else(|| p.as_str()?.trim_end_matches('%').parse().ok()));
    let progress = if success && !spec.success_values.is_empty() { Some(95) } else { progress.map(|p| p.clamp(0.0, 100.0) as u8) };
    Ok(PollOutcome::Running { progress, status: (!status.is_empty()).then_some(status) })
}

/// Sends the provider's `cancel` step for a task; `false` when the Manifest has none.
pub async fn cancel(client: &ProviderClient, ch: &ChannelConfig, task: &TaskHandle) -> Result<bool> {
    let m = manifest_of(ch)?;
    let Some(endpoint) = &m.provider.cancel else { return Ok(false) };
    let model = if ch.upstream_model.trim().is_empty() { m.profile.model.clone() } else { ch.upstream_model.clone() };
    let ctx = json!({"profile": {"model": model}, "task_id": task.upstream_task_id});
    call(client, ch, endpoint, &ctx, None, Some(&task.upstream_task_id)).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_from_paths_objects_and_arrays() {
        let v = json!({"data": {"task": {"taskId": "t-1"}}, "list": [{"id": 42}], "plain": "p"});
        assert_eq!(task_id(&v, "data.task"), Some("t-1".into()));
        assert_eq!(task_id(&v, "list"), Some("42".into()));
        assert_eq!(task_id(&v, "missing|plain"), Some("p".into()));
        assert_eq!(task_id(&v, "missing"), None);
    }
}
