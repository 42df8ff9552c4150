//! Finding produced media in upstream answers: OpenAI `data[]` items, stream events, and a
//! bounded deep scan for URLs and data URLs (including Markdown image links in chat text).
use base64::Engine;
use bytes::Bytes;
use miaojing_domain::Result;
use serde_json::Value;

use crate::channel::{GenerationOutput, MediaItem, Usage};
use crate::upstream_error as ue;

/// Decodes base64 (standard or URL-safe, padding optional; a `data:` prefix is accepted).
pub fn decode_b64(s: &str) -> Result<(Bytes, Option<String>)> {
    let (mime, data) = match s.strip_prefix("data:") {
        Some(rest) => {
            let (meta, data) = rest.split_once(',').ok_or_else(|| ue::bad_response("data URL without a comma"))?;
            (Some(meta.split(';').next().unwrap_or("").to_string()), data)
        }
        None => (None, s),
    };
    Ok((decode_b64_bytes(data.trim().as_bytes())?, mime))
}

/// Decodes base64 bytes (standard alphabet first, then the lenient variants).
pub fn decode_b64_bytes(data: &[u8]) -> Result<Bytes> {
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    for engine in engines {
        if let Ok(bytes) = engine.decode(data) {
            return Ok(Bytes::from(bytes));
        }
    }
    Err(ue::bad_response("invalid base64 media"))
}

/// The MIME type of known image/video signatures.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some("video/mp4"),
        [0x1A, 0x45, 0xDF, 0xA3, ..] => Some("video/webm"),
        _ => None,
    }
}

/// An inline item from base64 text; the MIME type comes from the data URL, the bytes, or `fallback`.
pub fn inline(b64: &str, fallback: &str) -> Result<MediaItem> {
    let (bytes, mime) = decode_b64(b64)?;
    Ok(inline_item(bytes, mime, fallback))
}

/// An inline item from decoded bytes and an optional declared MIME type.
pub fn inline_item(bytes: Bytes, mime: Option<String>, fallback: &str) -> MediaItem {
    let mime = mime.filter(|m| !m.is_empty()).or_else(|| sniff_mime(&bytes).map(str::to_string)).unwrap_or_else(|| fallback.to_string());
    MediaItem::Inline { bytes, mime }
}

fn is_video_url(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or("").to_ascii_lowercase();
    [".mp4", ".webm", ".mov", ".m3u8", ".mkv"].iter().any(|e| path.ends_with(e)) || url.starts_with("data:video/")
}

/// Adds a string found in an answer to the right list when it is a URL or data URL.
fn push_candidate(s: &str, video_hint: bool, out: &mut GenerationOutput) -> Result<()> {
    let s = s.trim();
    if s.starts_with("data:image/") || s.starts_with("data:video/") {
        let item = inline(s, "image/png")?;
        let is_video = matches!(&item, MediaItem::Inline { mime, .. } if mime.starts_with("video/"));
        push_unique(if is_video { &mut out.videos } else { &mut out.images }, item);
    } else if s.starts_with("http://") || s.starts_with("https://") {
        let item = MediaItem::Url(s.to_string());
        push_unique(if video_hint || is_video_url(s) { &mut out.videos } else { &mut out.images }, item);
    }
    Ok(())
}

fn push_unique(list: &mut Vec<MediaItem>, item: MediaItem) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// URLs of Markdown images `![…](url)` and bare http(s) URLs inside free text.
fn urls_in_text(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail.find(|c: char| c.is_whitespace() || ")]\"'<>".contains(c)).unwrap_or(tail.len());
            out.push(&tail[..end]);
            rest = &tail[end..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

const SCAN_KEYS: [&str; 17] = [
    "choices",
    "data",
    "images",
    "image",
    "image_url",
    "image_urls",
    "url",
    "urls",
    "output",
    "outputs",
    "result",
    "results",
    "message",
    "content",
    "video_url",
    "videos",
    "video",
];

fn scan(v: &Value, depth: usize, video_hint: bool, out: &mut GenerationOutput) -> Result<()> {
    if depth > 6 {
        return Ok(());
    }
    match v {
        Value::String(s) => {
            if s.starts_with("data:") || (s.starts_with("http") && !s.contains(char::is_whitespace)) {
                push_candidate(s, video_hint, out)?;
            } else {
                for url in urls_in_text(s) {
                    push_candidate(url, video_hint, out)?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                scan(item, depth + 1, video_hint, out)?;
            }
        }
        Value::Object(map) => {
            if let Some(b64) = map.get("b64_json").and_then(Value::as_str) {
                push_unique(&mut out.images, inline(b64, "image/png")?);
            }
            for (k, child) in map {
                if SCAN_KEYS.contains(&k.as_str()) {
                    scan(child, depth + 1, video_hint || k.contains("video"), out)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Every image and video in an answer (and its stream events), found by a bounded deep scan.
pub fn scan_media(value: &Value, events: &[Value]) -> Result<GenerationOutput> {
    let mut out = GenerationOutput::default();
    for v in events.iter().chain(std::iter::once(value)) {
        scan(v, 0, false, &mut out)?;
    }
    out.usage = usage(value);
    Ok(out)
}

/// Token usage in OpenAI (`prompt_tokens`/`completion_tokens`) or Images (`input_tokens`/`output_tokens`) shape.
pub fn usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage")?;
    let n = |a: &str, b: &str| u.get(a).or_else(|| u.get(b)).and_then(Value::as_u64);
    Some(Usage { input_tokens: n("input_tokens", "prompt_tokens")?, output_tokens: n("output_tokens", "completion_tokens").unwrap_or(0) })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_urls_data_urls_and_markdown_links() {
        let png = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode([0x89, b'P', b'N', b'G', 1, 2]));
        let v = json!({
            "data": [{"url": "https://cdn.example/a.png"}, {"b64_json": "iVBORw0KGgo="}],
            "output": {"video_url": "https://cdn.example/v"},
            "choices": [{"message": {"content": "here ![x](https://cdn.example/c.webp) done"}}],
            "result": [png, "https://cdn.example/a.png"],
            "ignored": "https://cdn.example/nope.png",
        });
        let out = scan_media(&v, &[]).unwrap();
        assert_eq!(out.images.len(), 4, "{:?}", out.images);
        assert_eq!(out.videos, vec![MediaItem::Url("https://cdn.example/v".into())]);
        let md = scan_media(&json!({"message": {"content": "![x](https://cdn.example/c.webp)"}}), &[]).unwrap();
        assert_eq!(md.images, vec![MediaItem::Url("https://cdn.example/c.webp".into())]);
    }

    #[test]
    fn bad_base64_is_a_bad_response() {
        assert_eq!(inline("iVBORw0KGgo<html>", "image/png").unwrap_err().code, "upstream_bad_response");
    }
}
