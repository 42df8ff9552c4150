//! OpenAI-compatible images: `POST /images/generations` (JSON) for text-to-image and
//! `POST /images/edits` (multipart, one `image` part per reference) for image-to-image; results as
//! `b64_json` or `url`, plain JSON or an SSE stream of `image_generation.completed` events.
use miaojing_domain::Result;
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::ProviderClient;
use crate::channel::{ChannelConfig, GenerationMode, GenerationOutput, GenerationRequest, MediaItem};
use crate::extract;
use crate::http::{self, Parsed};
use crate::upstream_error as ue;

/// Generates images (generations or edits, by mode).
pub async fn generate(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<GenerationOutput> {
    let root = http::api_root(&ch.base_url);
    let parsed = if req.mode == GenerationMode::ImageToImage && !req.images.is_empty() {
        let form = edit_form(client, ch, req).await?;
        let url = http::join(&root, "images/edits");
        http::send(&client.http, Method::POST, &url, &ch.api_key, |r| r.multipart(form)).await?.ok(&ch.api_key)?.parsed()?
    } else {
        let url = if ch.base_url.contains("/images/generations") { ch.base_url.clone() } else { http::join(&root, "images/generations") };
        http::post_json(&client.http, &url, &ch.api_key, &generation_body(ch, req)).await?
    };
    parse_images(&parsed, &mime_of(req))
}

fn mime_of(req: &GenerationRequest) -> String {
    match req.output_format.as_deref() {
        Some("jpeg") | Some("jpg") => "image/jpeg".into(),
        Some("webp") => "image/webp".into(),
        _ => "image/png".into(),
    }
}

fn is_gpt_image(model: &str) -> bool {
    model.starts_with("gpt-image")
}

/// The size to send: dall-e-3 and official gpt-image hosts get their allowed sizes; other
/// gpt-image relays get the requested size rounded to multiples of 16.
pub fn upstream_size(ch: &ChannelConfig, req: &GenerationRequest) -> Option<String> {
    let (w, h) = req.pixel_size()?;
    let ratio = w as f64 / h as f64;
    let model = ch.upstream_model.as_str();
    let official = |wide: &str, tall: &str, wide_at: f64, tall_at: f64| {
        Some(
            if ratio > wide_at {
                wide
            } else if ratio < tall_at {
                tall
            } else {
                "1024x1024"
            }
            .to_string(),
        )
    };
    if model == "dall-e-3" {
        official("1792x1024", "1024x1792", 1.2, 0.84)
    } else if model == "dall-e-2" {
        Some("1024x1024".into())
    } else if is_gpt_image(model) && ch.base_url.contains("api.openai.com") {
        official("1536x1024", "1024x1536", 1.12, 0.89)
    } else {
        let round = |v: u32| (v.div_ceil(16) * 16).max(16);
        Some(format!("{}x{}", round(w), round(h)))
    }
}

fn prompt_with_negative(req: &GenerationRequest) -> String {
    match req.negative_prompt.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(neg) => format!("{}\n\nNegative prompt: {neg}", req.prompt),
        None => req.prompt.clone(),
    }
}

/// The JSON body of `/images/generations`.
pub fn generation_body(ch: &ChannelConfig, req: &GenerationRequest) -> Value {
    let model = ch.upstream_model.as_str();
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("prompt".into(), json!(prompt_with_negative(req)));
    body.insert("n".into(), json!(if model == "dall-e-3" { 1 } else { req.n.clamp(1, 10) }));
    if let Some(size) = upstream_size(ch, req) {
        body.insert("size".into(), json!(size));
    }
    if model == "dall-e-3" {
        body.insert("quality".into(), json!(if req.quality.as_deref() == Some("high") { "hd" } else { "standard" }));
        if let Some(style) = req.style.as_deref().filter(|s| matches!(*s, "natural" | "vivid")) {
            body.insert("style".into(), json!(style));
        }
    } else if !model.starts_with("dall-e") {
        if let Some(f) = &req.output_format {
            body.insert("output_format".into(), json!(f));
        }
        if let Some(q) = &req.quality {
            body.insert("quality".into(), json!(q));
        }
        if req.stream {
            body.insert("stream".into(), json!(true));
        }
    }
    for (k, v) in &ch.extra_body {
        body.insert(k.clone(), v.clone());
    }
    Value::Object(body)
}

fn text_field(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

async fn edit_form(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<Form> {
    let mut form = Form::new().text("model", ch.upstream_model.clone()).text("prompt", prompt_with_negative(req));
    if let Some(size) = upstream_size(ch, req) {
        form = form.text("size", size);
    }
    if req.n > 1 {
        form = form.text("n", req.n.min(10).to_string());
    }
    if !ch.upstream_model.starts_with("dall-e") {
        if let Some(f) = &req.output_format {
            form = form.text("output_format", f.clone());
        }
        if let Some(q) = &req.quality {
            form = form.text("quality", q.clone());
        }
    }
    for (k, v) in &ch.extra_body {
        if let Some(text) = text_field(v) {
            form = form.text(k.clone(), text);
        }
    }
    let field = if req.images.len() > 1 { "image[]" } else { "image" };
    for (i, img) in req.images.iter().enumerate() {
        form = form.part(field, file_part(client, img, &format!("image-{}", i + 1)).await?);
    }
    if let Some(mask) = &req.mask {
        form = form.part("mask", file_part(client, mask, "mask").await?);
    }
    Ok(form)
}

/// A multipart file part with the image's bytes (downloaded when only a URL is known).
pub(crate) async fn file_part(client: &ProviderClient, img: &crate::channel::InputImage, stem: &str) -> Result<Part> {
    let (bytes, mime) = client.image_bytes(img).await?;
    let ext = mime.rsplit('/').next().filter(|e| !e.is_empty()).unwrap_or("png").replace("jpeg", "jpg");
    Part::stream(reqwest::Body::from(bytes))
        .file_name(format!("{stem}.{ext}"))
        .mime_str(&mime)
        .map_err(|_| miaojing_domain::Error::validation("invalid_reference_image", "参考图类型无效"))
}

fn item_of(v: &Value, mime: &str) -> Result<Option<MediaItem>> {
    if let Some(b64) = v.get("b64_json").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        return extract::inline(b64, mime).map(Some);
    }
    Ok(v.get("url").and_then(Value::as_str).filter(|s| !s.is_empty()).map(|u| MediaItem::Url(u.to_string())))
}

/// Images of an Images API answer (JSON `data[]` or completed stream events); `mime` is the
/// fallback type of base64 items. An answer without images is `upstream_no_result`.
pub fn parse_images(parsed: &Parsed, mime: &str) -> Result<GenerationOutput> {
    let mut out = GenerationOutput { usage: extract::usage(&parsed.value), ..Default::default() };
    if parsed.events.is_empty() {
        if let Some(items) = parsed.value.get("data").and_then(Value::as_array) {
            for item in items {
                out.images.extend(item_of(item, mime)?);
            }
        }
    } else {
        for event in &parsed.events {
            let kind = event.get("type").and_then(Value::as_str).unwrap_or("");
            if kind.contains("partial") {
                continue;
            }
            out.images.extend(item_of(event, mime)?);
            if let Some(items) = event.get("data").and_then(Value::as_array) {
                for item in items {
                    out.images.extend(item_of(item, mime)?);
                }
            }
            if out.usage.is_none() {
                out.usage = extract::usage(event);
            }
        }
    }
    if out.images.is_empty() {
        let scanned = extract::scan_media(&parsed.value, &parsed.events)?;
        out.images = scanned.images;
    }
    if out.images.is_empty() {
        return Err(ue::no_result());
    }
    Ok(out)
}
