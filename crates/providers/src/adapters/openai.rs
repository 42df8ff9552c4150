//! OpenAI-compatible images: `POST /images/generations` (JSON) for text-to-image and
//! `POST /images/edits` (multipart, one `image` part per reference) for image-to-image; results as
//! `b64_json` or `url`, plain JSON or an SSE stream of `image_generation.completed` events.
use miaojing_domain::ErrorCode;
use miaojing_domain::Result;
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::ProviderClient;
use crate::channel::{ChannelConfig, GenerationOutput, GenerationRequest, MediaItem, Mode};
use crate::extract;
use crate::http::{self, Parsed};
use crate::upstream_error as ue;

/// Generates images (generations or edits, by mode).
pub async fn generate(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<GenerationOutput> {
    let root = http::api_root(&ch.base_url);
    let parsed = if req.mode == Mode::Img2Img && !req.images.is_empty() {
        let form = edit_form(client, ch, req).await?;
        let url = http::join(&root, "images/edits");
        http::send(&client.http, Method::POST, &url, &ch.api_key, |r| r.multipart(form)).await?.ok(&ch.api_key)?.parsed()?
    } else {
        let url = if ch.base_url.contains("/images/generations") { ch.base_url.clone() } else { http::join(&root, "images/generations") };
        let payload = serde_json::to_vec(&generation_body(ch, req))
            .map_err(|e| miaojing_domain::Error::internal(format!("encoding a request: {e}")))?;
        let answer = http::send(&client.http, Method::POST, &url, &ch.api_key, |r| {
            r.header(reqwest::header::CONTENT_TYPE, "application/json").body(payload)
        })
        .await?
        .ok(&ch.api_key)?;
        return parse_images_answer(&answer.content_type, &answer.body, &mime_of(req));
    };
    parse_images(&parsed, &mime_of(req))
}

/// Parses a raw Images answer. Plain JSON with large `b64_json` strings takes a fast path: the
/// strings are located with `memchr` and decoded directly, and only the small rest is parsed as
/// JSON; anything unusual falls back to the general parser.
pub fn parse_images_answer(content_type: &str, body: &[u8], mime: &str) -> Result<GenerationOutput> {
    if let Some(out) = fast_b64(content_type, body, mime)? {
        return Ok(out);
    }
    parse_images(&http::parse_body(content_type, body)?, mime)
}

fn fast_b64(content_type: &str, body: &[u8], mime: &str) -> Result<Option<GenerationOutput>> {
    if !content_type.to_ascii_lowercase().contains("json") || content_type.contains("ndjson") {
        return Ok(None);
    }
    let skip_ws = |mut i: usize| {
        while body.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        i
    };
    let mut skeleton = Vec::with_capacity(4096);
    let mut blobs: Vec<&[u8]> = Vec::new();
    let mut pos = 0;
    for key_at in memchr::memmem::find_iter(body, b"\"b64_json\"") {
        if key_at < pos {
            continue;
        }
        let colon = skip_ws(key_at + 10);
        if body.get(colon) != Some(&b':') {
            return Ok(None);
        }
        let quote = skip_ws(colon + 1);
        if body.get(quote) != Some(&b'"') {
            return Ok(None);
        }
        let start = quote + 1;
        let Some(len) = memchr::memchr(b'"', &body[start..]) else { return Ok(None) };
        let end = start + len;
        if memchr::memchr(b'\\', &body[start..end]).is_some() {
            return Ok(None);
        }
        skeleton.extend_from_slice(&body[pos..start]);
        skeleton.extend_from_slice(blobs.len().to_string().as_bytes());
        blobs.push(&body[start..end]);
        pos = end;
    }
    if blobs.is_empty() {
        return Ok(None);
    }
    skeleton.extend_from_slice(&body[pos..]);
    let Ok(value) = serde_json::from_slice::<Value>(&skeleton) else { return Ok(None) };
    let Some(items) = value.get("data").and_then(Value::as_array) else { return Ok(None) };
    let mut out = GenerationOutput { usage: extract::usage(&value), ..Default::default() };
    for item in items {
        let blob = item.get("b64_json").and_then(Value::as_str).and_then(|i| i.parse::<usize>().ok()).and_then(|i| blobs.get(i));
        match blob {
            Some(b64) => out.images.push(extract::inline_item(extract::decode_b64_bytes(b64)?, None, mime)),
            None => out.images.extend(item_of(item, mime)?),
        }
    }
    Ok((!out.images.is_empty()).then_some(out))
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
        .map_err(|_| miaojing_domain::Error::validation(ErrorCode::InvalidReferenceImage, "参考图类型无效"))
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

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    #[test]
    fn the_fast_path_agrees_with_the_general_parser() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([0x89, b'P', b'N', b'G', 0, 1, 2, 3]);
        let body = format!(
            r#"{{"data": [{{"b64_json" : "{b64}"}}, {{"url": "https://cdn.example/x.png"}}, {{"b64_json":"{b64}"}}], "usage": {{"input_tokens": 3, "output_tokens": 4}}}}"#
        );
        let fast = parse_images_answer("application/json", body.as_bytes(), "image/png").unwrap();
        let general = parse_images(&http::parse_body("application/json", body.as_bytes()).unwrap(), "image/png").unwrap();
        assert_eq!(fast, general);
        assert_eq!(fast.images.len(), 3);
        // Escaped slashes and truncated bodies fall back to the general parser.
        let escaped = r#"{"data":[{"b64_json":"iVBORw0KGgo\/AAAA"}]}"#;
        assert_eq!(parse_images_answer("application/json", escaped.as_bytes(), "image/png").unwrap().images.len(), 1);
        let truncated = br#"{"created": 17, "data": [{"b64_json": "iVBORw0KGgo<html>502 Bad Gat"#;
        assert_eq!(parse_images_answer("application/json", truncated, "image/png").unwrap_err().code, "upstream_bad_response");
    }
}
