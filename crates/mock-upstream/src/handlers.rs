//! HTTP routes: the provider-facing API and the `/__mock/` admin API.
// Handlers short-circuit with the error response itself (`Result<_, HttpResponse>`); it is built
// once per failed request, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::io::Cursor;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_multipart::Multipart;
use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::imagegen::{self, ImageFormat};
use crate::rules::{Action, Rule};
use crate::state::{AppState, CachedImage, Expiry, ImageKey, RecordedRequest, Settings, VideoTask};

type State = web::Data<AppState>;
type Reply = Result<HttpResponse, HttpResponse>;

static SAMPLE_MP4: &[u8] = include_bytes!("../fixtures/sample.mp4");

pub(crate) fn server(state: Arc<AppState>, listener: TcpListener, workers: usize) -> std::io::Result<Server> {
    let data = web::Data::from(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(64 << 20))
            .route("/v1/images/generations", web::post().to(images_generations))
            .route("/v1/images/edits", web::post().to(images_edits))
            .route("/v1/chat/completions", web::post().to(chat_completions))
            .route("/v1/models", web::get().to(models))
            .route("/v1/video/generations", web::post().to(video_submit))
            .route("/v1/video/generations/{id}", web::get().to(video_poll))
            .route("/v1/video/generations/{id}/cancel", web::post().to(video_cancel))
            .route("/files/{name}", web::get().to(file))
            .service(
                web::scope("/__mock")
                    .route("/health", web::get().to(|| async { HttpResponse::Ok().json(json!({"ok": true})) }))
                    .route("/rules", web::get().to(rules_list))
                    .route("/rules", web::post().to(rules_add))
                    .route("/rules", web::delete().to(rules_clear))
                    .route("/requests", web::get().to(requests_list))
                    .route("/requests", web::delete().to(requests_clear))
                    .route("/cancels", web::get().to(cancels_list))
                    .route("/settings", web::get().to(settings_get))
                    .route("/settings", web::put().to(settings_put)),
            )
            .default_service(web::to(not_found))
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run())
}

// ---------------------------------------------------------------------------------------------
// Common pieces: errors, recording, auth, rules.

fn openai_error(status: u16, message: &str, kind: &str, code: Option<&str>) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).json(json!({"error": {"message": message, "type": kind, "param": null, "code": code}}))
}

fn bad_request(message: &str) -> HttpResponse {
    openai_error(400, message, "invalid_request_error", None)
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

fn begin(req: &HttpRequest, state: &AppState) -> RecordedRequest {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().to_ascii_lowercase();
            let value = if name == "authorization" { "<redacted>".to_string() } else { String::from_utf8_lossy(v.as_bytes()).into_owned() };
            (name, value)
        })
        .collect();
    RecordedRequest {
        seq: state.next_seq(),
        method: req.method().to_string(),
        path: req.path().to_string(),
        query: req.query_string().to_string(),
        model: None,
        prompt: None,
        headers,
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        body: None,
        fields: HashMap::new(),
        image_count: 0,
        image_sizes: Vec::new(),
        has_mask: false,
        status: None,
    }
}

/// Records the request now (so tests see requests still being answered) and returns its sequence.
fn commit(state: &AppState, rec: RecordedRequest) -> u64 {
    let seq = rec.seq;
    state.record(rec);
    seq
}

/// Stores the final status of recorded request `seq`.
fn finish(state: &AppState, seq: u64, reply: Reply) -> HttpResponse {
    let resp = reply.unwrap_or_else(|e| e);
    let mut requests = state.requests.lock();
    if let Some(r) = requests.iter_mut().rev().find(|r| r.seq == seq) {
        r.status = Some(resp.status().as_u16());
    }
    resp
}

fn check_auth(req: &HttpRequest, state: &AppState) -> Result<(), HttpResponse> {
    let header = req.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").trim();
    let key = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).unwrap_or("").trim();
    if key.is_empty() {
        return Err(openai_error(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "invalid_request_error",
            None,
        ));
    }
    if !state.accepts_key(key) {
        let shown: String = key.chars().take(6).collect();
        return Err(openai_error(
            401,
            &format!("Incorrect API key provided: {shown}****."),
            "invalid_request_error",
            Some("invalid_api_key"),
        ));
    }
    Ok(())
}

/// What the matching rule leaves for the handler to do when it does not answer by itself.
#[derive(Default)]
struct Effects {
    expiry: Option<Expiry>,
    fail_task: Option<String>,
    image_count: Option<u32>,
}

fn status_failure(status: u16, retry_after: Option<u64>, message: Option<&str>, body: Option<&str>) -> HttpResponse {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(code);
    if status == 429 {
        builder.insert_header(("retry-after", retry_after.unwrap_or(1).to_string()));
    } else if let Some(secs) = retry_after {
        builder.insert_header(("retry-after", secs.to_string()));
    }
    if let Some(body) = body {
        let ct = if serde_json::from_str::<Value>(body).is_ok() { "application/json" } else { "text/plain; charset=utf-8" };
        return builder.content_type(ct).body(body.to_string());
    }
    let (default_msg, kind, code_str) = match status {
        400 => ("Invalid request (injected by mock-upstream).", "invalid_request_error", Some("invalid_request")),
        401 => ("Incorrect API key provided.", "invalid_request_error", Some("invalid_api_key")),
        403 => ("You are not allowed to use this model.", "permission_error", Some("permission_denied")),
        404 => ("The model does not exist or you do not have access to it.", "invalid_request_error", Some("model_not_found")),
        429 => ("Rate limit reached for requests. Please try again later.", "requests", Some("rate_limit_exceeded")),
        500 => ("The server had an error while processing your request. Sorry about that!", "server_error", None),
        502 => ("Bad gateway: the upstream server returned an invalid response.", "upstream_error", Some("bad_gateway")),
        503 => ("The engine is currently overloaded, please try again later.", "server_error", Some("service_unavailable")),
        504 => ("Gateway timeout: the upstream server did not answer in time.", "upstream_error", Some("gateway_timeout")),
        _ => ("Injected failure.", "server_error", None),
    };
    let message = message.unwrap_or(default_msg);
    builder.json(json!({"error": {"message": message, "type": kind, "param": null, "code": code_str}}))
}

async fn apply_rules(state: &AppState, path: &str, model: Option<&str>) -> Result<Effects, HttpResponse> {
    let Some(action) = state.take_rule(path, model) else {
        return Ok(Effects::default());
    };
    match action {
        Action::Status { status, retry_after, message, body } => {
            Err(status_failure(status, retry_after, message.as_deref(), body.as_deref()))
        }
        Action::Idle { seconds, status } => {
            tokio::time::sleep(Duration::from_secs_f64(seconds.max(0.0))).await;
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::GATEWAY_TIMEOUT);
            Err(HttpResponse::build(code).content_type("text/plain; charset=utf-8").body(format!("error code: {status}")))
        }
        Action::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(Effects::default())
        }
        Action::Garbage => Err(HttpResponse::Ok()
            .content_type("application/json")
            .body("{\"created\": 17, \"data\": [{\"b64_json\": \"iVBORw0KGgo<html>502 Bad Gat")),
        Action::ExpireUrls { after_seconds, after_fetches, status } => Ok(Effects {
            expiry: Some(Expiry { ttl: after_seconds.map(|s| Duration::from_secs_f64(s.max(0.0))), max_fetches: after_fetches, status }),
            ..Effects::default()
        }),
        Action::FailTask { message } => Ok(Effects {
            fail_task: Some(message.unwrap_or_else(|| "Video generation failed (injected by mock-upstream).".into())),
            ..Effects::default()
        }),
        Action::ImageCount { count } => Ok(Effects { image_count: Some(count.clamp(1, 10)), ..Effects::default() }),
    }
}

/// Shortens long strings (data URLs, base64) so the record stays small.
fn shorten(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() > 256 => {
            let head: String = s.chars().take(64).collect();
            Value::String(format!("{head}…({} chars)", s.chars().count()))
        }
        Value::Array(a) => Value::Array(a.iter().map(shorten).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shorten(v))).collect()),
        other => other.clone(),
    }
}

fn str_field(v: Option<&Value>, key: &str) -> Option<String> {
    v?.get(key)?.as_str().map(str::to_string)
}

fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Parses the JSON body and records model, prompt and a shortened copy of it.
fn parse_json(body: &[u8], rec: &mut RecordedRequest) -> Option<Value> {
    let value: Value = serde_json::from_slice(body).ok()?;
    rec.model = str_field(Some(&value), "model");
    rec.prompt = str_field(Some(&value), "prompt");
    rec.body = Some(shorten(&value));
    Some(value)
}

// ---------------------------------------------------------------------------------------------
// Images.

struct ImageJob {
    model: String,
    prompt: String,
    width: u32,
    height: u32,
    n: u32,
    format: ImageFormat,
    url_mode: bool,
    quality: String,
    stream: bool,
}

/// Image parameters as sent (JSON body or multipart fields).
struct ImageArgs<'a> {
    model: Option<&'a str>,
    prompt: Option<&'a str>,
    size: Option<&'a str>,
    n: Option<u64>,
    format: Option<&'a str>,
    response_format: Option<&'a str>,
    quality: Option<&'a str>,
    stream: bool,
    /// Used when no explicit size is given (edits: the first input image's size).
    default_size: Option<(u32, u32)>,
}

fn image_job(a: ImageArgs<'_>) -> Result<ImageJob, HttpResponse> {
    let ImageArgs { model, prompt, size, n, format, response_format, quality, stream, default_size } = a;
    let prompt = prompt.map(str::trim).filter(|p| !p.is_empty()).ok_or_else(|| bad_request("Missing required parameter: 'prompt'."))?;
    let (width, height) = match (size.map(str::trim).filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("auto")), default_size) {
        (None, Some(d)) => d,
        (s, _) => imagegen::parse_size(s).map_err(|e| bad_request(&e))?,
    };
    let n = n.unwrap_or(1);
    if !(1..=10).contains(&n) {
        return Err(bad_request(&format!("Invalid 'n': {n}. Expected an integer between 1 and 10.")));
    }
    let format = match format {
        None | Some("") => ImageFormat::Png,
        Some(f) => {
            ImageFormat::parse(f).ok_or_else(|| bad_request(&format!("Invalid 'output_format': '{f}'. Expected png, jpeg or webp.")))?
        }
    };
    let url_mode = match response_format {
        None | Some("") | Some("b64_json") => false,
        Some("url") => true,
        Some(other) => return Err(bad_request(&format!("Invalid 'response_format': '{other}'. Expected b64_json or url."))),
    };
    Ok(ImageJob {
        model: model.unwrap_or("gpt-image-1").to_string(),
        prompt: prompt.to_string(),
        width,
        height,
        n: n as u32,
        format,
        url_mode,
        quality: quality.unwrap_or("auto").to_string(),
        stream,
    })
}

async fn cached_image(
    state: &State,
    prompt: &str,
    width: u32,
    height: u32,
    format: ImageFormat,
    index: u32,
) -> Result<CachedImage, HttpResponse> {
    let key = ImageKey { prompt: prompt.to_string(), width, height, format, index };
    // One cell per key: concurrent requests for an image not yet made wait for a single render.
    let cell = state.images.lock().get_or_insert(key, Default::default).clone();
    let p = prompt.to_string();
    cell.get_or_try_init(|| async move {
        web::block(move || {
            let px = imagegen::render(&p, index, width, height);
            imagegen::encode(&px, width, height, format).map(|bytes| {
                let b64: Arc<str> = base64::engine::general_purpose::STANDARD.encode(&bytes).into();
                CachedImage { bytes: Bytes::from(bytes), b64 }
            })
        })
        .await
        .map_err(|_| openai_error(500, "image worker failed", "server_error", None))?
        .map_err(|e| openai_error(500, &format!("image encoding failed: {e}"), "server_error", None))
    })
    .await
    .cloned()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

async fn render_images(req: &HttpRequest, state: &State, job: &mut ImageJob, effects: &Effects) -> Reply {
    if let Some(count) = effects.image_count {
        job.n = count;
    }
    let mut images = Vec::with_capacity(job.n as usize);
    for i in 0..job.n {
        images.push(cached_image(state, &job.prompt, job.width, job.height, job.format, i).await?);
    }
    let expiry = effects.expiry.unwrap_or_else(|| state.default_expiry());
    let base = if job.url_mode { base_url(req) } else { String::new() };
    let created = now_unix();
    let size = format!("{}x{}", job.width, job.height);
    let prompt_tokens = job.prompt.split_whitespace().count().max(1);
    let usage = format!(
        r#"{{"input_tokens":{prompt_tokens},"output_tokens":{out},"total_tokens":{total},"input_tokens_details":{{"text_tokens":{prompt_tokens},"image_tokens":0}}}}"#,
        out = 272 * job.n as usize,
        total = prompt_tokens + 272 * job.n as usize
    );
    // The payload is assembled by hand: base64 needs no escaping and this avoids copying megabytes.
    let item = |img: &CachedImage| -> String {
        if job.url_mode {
            let id = state.store_file(img.bytes.clone(), job.format.content_type(), expiry);
            format!(r#""url":{}"#, json_str(&format!("{base}/files/{id}.{}", job.format.ext())))
        } else {
            format!(r#""b64_json":"{}""#, img.b64)
        }
    };
    if job.stream {
        let mut out = String::new();
        for (i, img) in images.iter().enumerate() {
            out.push_str(&format!(
                "event: image_generation.completed\ndata: {{\"type\":\"image_generation.completed\",{},\"created_at\":{created},\"size\":\"{size}\",\"quality\":{},\"background\":\"opaque\",\"output_format\":\"{}\",\"index\":{i},\"usage\":{usage}}}\n\n",
                item(img),
                json_str(&job.quality),
                job.format.ext()
            ));
        }
        return Ok(HttpResponse::Ok().content_type("text/event-stream").insert_header(("cache-control", "no-cache")).body(out));
    }
    let mut out = String::with_capacity(images.iter().map(|i| i.b64.len() + 128).sum::<usize>() + 256);
    out.push_str(&format!("{{\"created\":{created},\"data\":["));
    let revised = json_str(&job.prompt);
    for (i, img) in images.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        out.push_str(&item(img));
        out.push_str(",\"revised_prompt\":");
        out.push_str(&revised);
        out.push('}');
    }
    out.push_str(&format!(
        "],\"background\":\"opaque\",\"output_format\":\"{}\",\"quality\":{},\"size\":\"{size}\",\"model\":{},\"usage\":{usage}}}",
        job.format.ext(),
        json_str(&job.quality),
        json_str(&job.model)
    ));
    Ok(HttpResponse::Ok().content_type("application/json").body(out))
}

async fn images_generations(req: HttpRequest, body: web::Bytes, state: State) -> HttpResponse {
    let mut rec = begin(&req, &state);
    let value = parse_json(&body, &mut rec);
    let seq = commit(&state, rec);
    let reply = async {
        check_auth(&req, &state)?;
        let v = value.as_ref().filter(|v| v.is_object()).ok_or_else(|| bad_request("The request body must be a JSON object."))?;
        let model = v.get("model").and_then(Value::as_str);
        let effects = apply_rules(&state, req.path(), model).await?;
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        let mut job = image_job(ImageArgs {
            model,
            prompt: s("prompt"),
            size: s("size"),
            n: v.get("n").and_then(Value::as_u64),
            format: s("output_format"),
            response_format: s("response_format"),
            quality: s("quality"),
            stream: v.get("stream").and_then(Value::as_bool).unwrap_or(false),
            default_size: None,
        })?;
        render_images(&req, &state, &mut job, &effects).await
    }
    .await;
    finish(&state, seq, reply)
}

fn image_dimensions(bytes: &[u8]) -> Option<[u32; 2]> {
    let reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    reader.into_dimensions().ok().map(|(w, h)| [w, h])
}

struct EditsForm {
    fields: HashMap<String, String>,
    images: Vec<Bytes>,
    mask: Option<Bytes>,
}

async fn read_multipart(mut payload: Multipart) -> Result<EditsForm, HttpResponse> {
    let mut form = EditsForm { fields: HashMap::new(), images: Vec::new(), mask: None };
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| bad_request(&format!("Invalid multipart body: {e}")))?;
        let name = field.name().unwrap_or("").to_string();
        let is_file = field.content_disposition().and_then(|cd| cd.get_filename()).is_some();
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            data.extend_from_slice(&chunk.map_err(|e| bad_request(&format!("Invalid multipart body: {e}")))?);
        }
        match name.as_str() {
            "image" | "image[]" => form.images.push(Bytes::from(data)),
            "mask" => form.mask = Some(Bytes::from(data)),
            _ if is_file => {}
            _ => {
                form.fields.insert(name, String::from_utf8_lossy(&data).into_owned());
            }
        }
    }
    Ok(form)
}

async fn images_edits(req: HttpRequest, payload: Multipart, state: State) -> HttpResponse {
    let mut rec = begin(&req, &state);
    let form = read_multipart(payload).await;
    if let Ok(form) = &form {
        rec.model = form.fields.get("model").cloned();
        rec.prompt = form.fields.get("prompt").cloned();
        rec.fields = form.fields.clone();
        rec.image_count = form.images.len();
        rec.image_sizes = form.images.iter().filter_map(|b| image_dimensions(b)).collect();
        rec.has_mask = form.mask.is_some();
    }
    let seq = commit(&state, rec);
    let reply = async {
        check_auth(&req, &state)?;
        let form = form?;
        let f = |k: &str| form.fields.get(k).map(String::as_str);
        let effects = apply_rules(&state, req.path(), f("model")).await?;
        let first = form.images.first().ok_or_else(|| bad_request("Missing required parameter: 'image'."))?;
        let first_size = image_dimensions(first).ok_or_else(|| bad_request("Invalid image file: expected PNG, JPEG or WebP."))?;
        let n = match f("n") {
            Some(n) => Some(n.trim().parse::<u64>().map_err(|_| bad_request("Invalid 'n': expected an integer."))?),
            None => None,
        };
        let stream = f("stream").is_some_and(|s| s.trim() == "true");
        let mut job = image_job(ImageArgs {
            model: f("model"),
            prompt: f("prompt"),
            size: f("size"),
            n,
            format: f("output_format"),
            response_format: f("response_format"),
            quality: f("quality"),
            stream,
            default_size: Some((first_size[0], first_size[1])),
        })?;
        render_images(&req, &state, &mut job, &effects).await
    }
    .await;
    finish(&state, seq, reply)
}

// ---------------------------------------------------------------------------------------------
// Chat completions.

struct ChatInput {
    text: String,
    images: Vec<String>,
}

fn describe_image(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("data:") {
        let (meta, data) = rest.split_once(',').unwrap_or((rest, ""));
        let mime = meta.split(';').next().unwrap_or("");
        let bytes = if meta.ends_with(";base64") { base64::engine::general_purpose::STANDARD.decode(data.trim()).ok() } else { None };
        return match bytes.as_deref().and_then(image_dimensions) {
            Some([w, h]) => format!("a {w}x{h} {} image", mime.trim_start_matches("image/")),
            None => format!("an unreadable {mime} image"),
        };
    }
    format!("an image at {url}")
}

fn chat_input(v: &Value) -> Result<ChatInput, HttpResponse> {
    let messages = v.get("messages").and_then(Value::as_array).filter(|m| !m.is_empty());
    let messages = messages.ok_or_else(|| bad_request("Missing required parameter: 'messages'."))?;
    let last_user =
        messages.iter().rev().find(|m| m.get("role").and_then(Value::as_str) == Some("user")).unwrap_or(&messages[messages.len() - 1]);
    let mut text = Vec::new();
    let mut images = Vec::new();
    match last_user.get("content") {
        Some(Value::String(s)) => text.push(s.clone()),
        Some(Value::Array(parts)) => {
            for part in parts {
                match part.get("type").and_then(Value::as_str) {
                    Some("text") | Some("input_text") => {
                        if let Some(t) = part.get("text").and_then(Value::as_str) {
                            text.push(t.to_string());
                        }
                    }
                    Some("image_url") | Some("input_image") => {
                        let url = part.get("image_url").and_then(|u| u.get("url").and_then(Value::as_str).or_else(|| u.as_str()));
                        if let Some(url) = url {
                            images.push(url.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => return Err(bad_request("Each message needs a 'content' string or array of parts.")),
    }
    Ok(ChatInput { text: text.join(" ").trim().to_string(), images })
}

fn chat_answer(input: &ChatInput) -> String {
    if input.images.is_empty() {
        return format!("Prompt suggestion for \"{}\": {}, rich detail, soft natural light, balanced composition.", input.text, input.text);
    }
    let described: Vec<String> = input.images.iter().map(|u| describe_image(u)).collect();
    let mut answer = format!("A picture described as {}.", described.join("; "));
    if !input.text.is_empty() {
        answer.push_str(&format!(" Request: {}", input.text));
    }
    answer
}

async fn chat_completions(req: HttpRequest, body: web::Bytes, state: State) -> HttpResponse {
    let mut rec = begin(&req, &state);
    let value = parse_json(&body, &mut rec);
    let input = value.as_ref().map(chat_input);
    if let Some(Ok(input)) = &input {
        rec.prompt = Some(input.text.clone());
        rec.image_count = input.images.len();
        rec.image_sizes = input
            .images
            .iter()
            .filter_map(|u| {
                let (meta, data) = u.strip_prefix("data:")?.split_once(',')?;
                meta.ends_with(";base64").then_some(())?;
                image_dimensions(&base64::engine::general_purpose::STANDARD.decode(data.trim()).ok()?)
            })
            .collect();
    }
    let seq = commit(&state, rec);
    let reply = async {
        check_auth(&req, &state)?;
        let v = value.as_ref().filter(|v| v.is_object()).ok_or_else(|| bad_request("The request body must be a JSON object."))?;
        let model = v.get("model").and_then(Value::as_str).unwrap_or("gpt-4o-mini").to_string();
        apply_rules(&state, req.path(), Some(&model)).await?;
        let input = input.unwrap_or_else(|| Err(bad_request("The request body must be a JSON object.")))?;
        let answer = chat_answer(&input);
        let id = format!("chatcmpl-{}", uuid::Uuid::new_v4().simple());
        let created = now_unix();
        let prompt_tokens = input.text.split_whitespace().count() + 85 * input.images.len();
        let completion_tokens = answer.split_whitespace().count();
        let usage = json!({"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens});
        if v.get("stream").and_then(Value::as_bool).unwrap_or(false) {
            let chunk = |delta: Value, finish: Option<&str>| {
                json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
            };
            let mut out = String::new();
            let mut push = |v: Value| out.push_str(&format!("data: {v}\n\n"));
            push(chunk(json!({"role": "assistant", "content": ""}), None));
            for piece in answer.split_inclusive(' ') {
                push(chunk(json!({"content": piece}), None));
            }
            push(chunk(json!({}), Some("stop")));
            if v.pointer("/stream_options/include_usage").and_then(Value::as_bool) == Some(true) {
                push(json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [], "usage": usage}));
            }
            out.push_str("data: [DONE]\n\n");
            return Ok(HttpResponse::Ok().content_type("text/event-stream").insert_header(("cache-control", "no-cache")).body(out));
        }
        Ok(HttpResponse::Ok().json(json!({
            "id": id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer, "refusal": null}, "logprobs": null, "finish_reason": "stop"}],
            "usage": usage,
        })))
    }
    .await;
    finish(&state, seq, reply)
}

// ---------------------------------------------------------------------------------------------
// Models.

async fn models(req: HttpRequest, state: State) -> HttpResponse {
    let seq = commit(&state, begin(&req, &state));
    let reply = async {
        check_auth(&req, &state)?;
        apply_rules(&state, req.path(), None).await?;
        let data: Vec<Value> = state
            .models
            .iter()
            .map(|m| json!({"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "miaojing-mock"}))
            .collect();
        Ok(HttpResponse::Ok().json(json!({"object": "list", "data": data})))
    }
    .await;
    finish(&state, seq, reply)
}

// ---------------------------------------------------------------------------------------------
// Video tasks.

fn video_json(req: &HttpRequest, state: &AppState, id: &str, task: &mut VideoTask) -> Value {
    let elapsed = task.created.elapsed();
    let (status, progress) = if task.cancelled {
        ("cancelled", 0)
    } else if elapsed < task.queued {
        ("queued", 0)
    } else if elapsed < task.queued + task.running {
        let done = (elapsed - task.queued).as_secs_f64() / task.running.as_secs_f64().max(0.001);
        ("running", (5.0 + done * 90.0).min(95.0) as u32)
    } else if task.fail.is_some() {
        ("failed", 100)
    } else {
        ("succeeded", 100)
    };
    let mut v = json!({
        "id": id, "task_id": id, "object": "video.generation", "model": task.model, "prompt": task.prompt,
        "status": status, "progress": progress, "created_at": task.created_unix,
    });
    if status == "succeeded" {
        let file_id =
            task.result_url_id.get_or_insert_with(|| state.store_file(Bytes::from_static(SAMPLE_MP4), "video/mp4", task.expiry)).clone();
        let url = format!("{}/files/{file_id}.mp4", base_url(req));
        v["video_url"] = json!(url);
        v["output"] = json!([{"url": url, "content_type": "video/mp4", "duration": 1, "width": 320, "height": 240}]);
    }
    if status == "failed" {
        v["error"] = json!({"message": task.fail, "code": "task_failed"});
    }
    v
}

async fn video_submit(req: HttpRequest, body: web::Bytes, state: State) -> HttpResponse {
    let mut rec = begin(&req, &state);
    let value = parse_json(&body, &mut rec);
    let seq = commit(&state, rec);
    let reply = async {
        check_auth(&req, &state)?;
        let v = value.as_ref().filter(|v| v.is_object()).ok_or_else(|| bad_request("The request body must be a JSON object."))?;
        let model = v.get("model").and_then(Value::as_str);
        let effects = apply_rules(&state, req.path(), model).await?;
        let prompt = v.get("prompt").and_then(Value::as_str).unwrap_or("").trim().to_string();
        let has_image = v.get("image").or_else(|| v.get("images")).is_some_and(|i| !i.is_null());
        if prompt.is_empty() && !has_image {
            return Err(bad_request("Either 'prompt' or 'image' is required."));
        }
        let settings = state.settings.lock().clone();
        let mut task = VideoTask {
            model: model.unwrap_or("mock-video-1").to_string(),
            prompt,
            created: Instant::now(),
            created_unix: now_unix(),
            queued: crate::ms(settings.video_queued_ms),
            running: crate::ms(settings.video_running_ms),
            fail: effects.fail_task,
            expiry: effects.expiry.unwrap_or_else(|| state.default_expiry()),
            result_url_id: None,
            cancelled: false,
        };
        let id = format!("video_{}", uuid::Uuid::new_v4().simple());
        let answer = video_json(&req, &state, &id, &mut task);
        state.videos.lock().insert(id, task);
        Ok(HttpResponse::Ok().json(answer))
    }
    .await;
    finish(&state, seq, reply)
}

/// The 404 answer for an unknown video task id.
fn no_video_task(id: &str) -> HttpResponse {
    openai_error(404, &format!("No video task found with id '{id}'."), "invalid_request_error", Some("not_found"))
}

/// What every call on one video task passes first: the key check, then the rules for the
/// path and the task's model.
async fn admit_task_call(req: &HttpRequest, state: &State, id: &str) -> Result<(), HttpResponse> {
    check_auth(req, state)?;
    let model = state.videos.lock().get(id).map(|t| t.model.clone());
    apply_rules(state, req.path(), model.as_deref()).await.map(|_| ())
}

async fn video_poll(req: HttpRequest, path: web::Path<String>, state: State) -> HttpResponse {
    let seq = commit(&state, begin(&req, &state));
    let reply = async {
        let id = path.into_inner();
        admit_task_call(&req, &state, &id).await?;
        let mut videos = state.videos.lock();
        let task = videos.get_mut(&id).ok_or_else(|| no_video_task(&id))?;
        Ok(HttpResponse::Ok().json(video_json(&req, &state, &id, task)))
    }
    .await;
    finish(&state, seq, reply)
}

/// `POST /v1/video/generations/{id}/cancel`: a queued or running task ends `cancelled` (again:
/// the same answer); a finished one answers 409.
async fn video_cancel(req: HttpRequest, path: web::Path<String>, body: web::Bytes, state: State) -> HttpResponse {
    let mut rec = begin(&req, &state);
    parse_json(&body, &mut rec);
    let seq = commit(&state, rec);
    let reply = async {
        let id = path.into_inner();
        admit_task_call(&req, &state, &id).await?;
        let mut videos = state.videos.lock();
        let task = videos.get_mut(&id).ok_or_else(|| no_video_task(&id))?;
        if !task.cancelled && task.created.elapsed() >= task.queued + task.running {
            return Err(openai_error(
                409,
                &format!("Video task '{id}' has already finished."),
                "invalid_request_error",
                Some("task_finished"),
            ));
        }
        task.cancelled = true;
        Ok(HttpResponse::Ok().json(video_json(&req, &state, &id, task)))
    }
    .await;
    finish(&state, seq, reply)
}

// ---------------------------------------------------------------------------------------------
// Served result files.

async fn file(req: HttpRequest, path: web::Path<String>, state: State) -> HttpResponse {
    let seq = commit(&state, begin(&req, &state));
    let reply = async {
        apply_rules(&state, req.path(), None).await?;
        let name = path.into_inner();
        let id = name.split('.').next().unwrap_or("");
        let mut files = state.files.lock();
        let file = files.0.get_mut(id).ok_or_else(|| HttpResponse::NotFound().content_type("text/plain").body("not found"))?;
        let expired = file.ttl.is_some_and(|t| file.created.elapsed() >= t) || file.max_fetches.is_some_and(|m| file.fetches >= m);
        if expired {
            let code = StatusCode::from_u16(file.expired_status).unwrap_or(StatusCode::GONE);
            let body = if file.expired_status == 403 {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            } else {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ExpiredToken</Code><Message>The URL has expired</Message></Error>"
            };
            return Err(HttpResponse::build(code).content_type("application/xml").body(body));
        }
        file.fetches += 1;
        Ok(HttpResponse::Ok().content_type(file.content_type).body(file.bytes.clone()))
    }
    .await;
    finish(&state, seq, reply)
}

async fn not_found(req: HttpRequest, state: State) -> HttpResponse {
    let seq = commit(&state, begin(&req, &state));
    let msg = format!("Invalid URL ({} {})", req.method(), req.path());
    finish(&state, seq, Err(openai_error(404, &msg, "invalid_request_error", None)))
}

// ---------------------------------------------------------------------------------------------
// Admin API (not recorded, no auth: the mock only listens where tests put it).

async fn rules_list(state: State) -> HttpResponse {
    HttpResponse::Ok().json(json!({"rules": *state.rules.lock()}))
}

async fn rules_add(body: web::Bytes, state: State) -> HttpResponse {
    let parsed: Result<Vec<Rule>, _> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => items.into_iter().map(serde_json::from_value).collect(),
        Ok(one) => serde_json::from_value(one).map(|r| vec![r]),
        Err(e) => Err(e),
    };
    match parsed {
        Ok(rules) => {
            let ids: Vec<String> = rules.into_iter().map(|r| state.add_rule(r)).collect();
            HttpResponse::Ok().json(json!({"ids": ids, "rules": *state.rules.lock()}))
        }
        Err(e) => bad_request(&format!("Invalid rule: {e}")),
    }
}

async fn rules_clear(state: State) -> HttpResponse {
    let mut rules = state.rules.lock();
    let n = rules.len();
    rules.clear();
    HttpResponse::Ok().json(json!({"cleared": n}))
}

#[derive(serde::Deserialize)]
struct RequestFilter {
    path: Option<String>,
}

async fn requests_list(q: web::Query<RequestFilter>, state: State) -> HttpResponse {
    let requests = state.requests.lock();
    let list: Vec<&RecordedRequest> = requests.iter().filter(|r| q.path.as_ref().is_none_or(|p| &r.path == p)).collect();
    HttpResponse::Ok().json(json!({"requests": list}))
}

async fn requests_clear(state: State) -> HttpResponse {
    let mut requests = state.requests.lock();
    let n = requests.len();
    requests.clear();
    HttpResponse::Ok().json(json!({"cleared": n}))
}

async fn cancels_list(state: State) -> HttpResponse {
    HttpResponse::Ok().json(json!({"cancelled": state.cancelled_tasks()}))
}

async fn settings_get(state: State) -> HttpResponse {
    HttpResponse::Ok().json(&*state.settings.lock())
}

/// Merges the given fields into the current settings.
async fn settings_put(body: web::Bytes, state: State) -> HttpResponse {
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return bad_request("Settings must be a JSON object."),
    };
    let mut settings = state.settings.lock();
    let mut current = serde_json::to_value(&*settings).unwrap_or_else(|_| json!({}));
    if let (Some(cur), Some(p)) = (current.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            cur.insert(k.clone(), v.clone());
        }
    }
    match serde_json::from_value::<Settings>(current) {
        Ok(s) => {
            *settings = s.clone();
            HttpResponse::Ok().json(s)
        }
        Err(e) => bad_request(&format!("Invalid settings: {e}")),
    }
}
