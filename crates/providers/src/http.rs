//! Shared HTTP plumbing of the adapters: URL derivation, sending through the guarded client,
//! and reading JSON or streamed (SSE / NDJSON) answers.
use bytes::Bytes;
use miaojing_domain::ErrorCode;
use miaojing_domain::Result;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde_json::Value;

use crate::upstream_error::{self as ue};
use miaojing_outbound::OutboundClient;

/// Path suffixes that name an operation rather than the API root.
const OPERATION_SUFFIXES: [&str; 10] = [
    "/images/generations",
    "/images/edits",
    "/chat/completions",
    "/video/generations",
    "/videos/generations",
    "/videos",
    "/models",
    "/responses",
    "/completions",
    "/embeddings",
];

/// The API root of a stored URL: operation suffixes and trailing slashes removed; a bare host
/// gets `/v1`. `https://relay/v1/images/generations` → `https://relay/v1`.
pub fn api_root(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    let (before_query, _) = trimmed.split_once('?').unwrap_or((trimmed, ""));
    let mut root = before_query.trim_end_matches('/').to_string();
    if let Some(suffix) = OPERATION_SUFFIXES.iter().find(|s| root.to_ascii_lowercase().ends_with(*s)) {
        root.truncate(root.len() - suffix.len());
    }
    let root = root.trim_end_matches('/').to_string();
    let after_scheme = root.split_once("://").map(|(_, r)| r).unwrap_or(&root);
    if !after_scheme.contains('/') {
        return format!("{root}/v1");
    }
    root
}

/// `root` + `/` + `path`, unless `base` already ends with `path` (then `base` as is).
pub fn join(base: &str, path: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    let path = path.trim().trim_start_matches('/');
    if path.is_empty() || base.ends_with(&format!("/{path}")) {
        base.to_string()
    } else {
        format!("{base}/{path}")
    }
}

/// A raw upstream answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<u64>,
    pub body: Bytes,
}

impl Answer {
    /// Ok for 2xx; otherwise the mapped upstream error (with `key` scrubbed).
    pub fn ok(self, key: &str) -> Result<Self> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(ue::from_status(self.status, self.retry_after, &String::from_utf8_lossy(&self.body), key))
        }
    }

    /// The parsed body (JSON or a stream of JSON events).
    pub fn parsed(&self) -> Result<Parsed> {
        parse_body(&self.content_type, &self.body)
    }
}

/// A parsed answer: a JSON document, or the events of a stream (the last one as `value`).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub value: Value,
    /// Every JSON event of a streamed answer (empty for plain JSON).
    pub events: Vec<Value>,
}

fn is_stream(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.contains("event-stream") || ct.contains("ndjson") || ct.contains("stream") || ct.starts_with("text/plain")
}

/// Parses JSON, or SSE / NDJSON (`data:` lines or one JSON object per line; `[DONE]` ignored).
pub fn parse_body(content_type: &str, body: &[u8]) -> Result<Parsed> {
    let text = std::str::from_utf8(body).map_err(|_| ue::bad_response("answer is not UTF-8"))?;
    let trimmed = text.trim_start();
    let looks_sse = trimmed.starts_with("data:") || trimmed.starts_with("event:") || trimmed.starts_with(':');
    if !is_stream(content_type) && !looks_sse {
        let value: Value = serde_json::from_str(text).map_err(|e| ue::bad_response(&format!("invalid JSON: {e}")))?;
        return Ok(Parsed { value, events: Vec::new() });
    }
    if !looks_sse {
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            return Ok(Parsed { value, events: Vec::new() });
        }
    }
    let mut events = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let payload = line.strip_prefix("data:").map(str::trim).unwrap_or(line);
        if payload.is_empty() || payload == "[DONE]" || line.starts_with("event:") || line.starts_with(':') {
            continue;
        }
        if let Ok(v) = serde_json::from_str::<Value>(payload) {
            events.push(v);
        }
    }
    let value = events.last().cloned().ok_or_else(|| ue::bad_response("stream without JSON events"))?;
    Ok(Parsed { value, events })
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<f64>().ok().map(|s| s.ceil().max(0.0) as u64)
}

/// Sends a request prepared by `build` (auth and accept headers added) and reads the whole answer.
pub async fn send(
    http: &OutboundClient,
    method: Method,
    url: &str,
    key: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Result<Answer> {
    let mut req =
        http.request(method, url).map_err(|e| ue::scrub_error(e, key))?.header(ACCEPT, "application/json, text/event-stream, */*");
    if !key.is_empty() {
        req = req.header(AUTHORIZATION, format!("Bearer {key}"));
    }
    let resp = http.send(build(req)).await.map_err(|e| ue::scrub_error(e, key))?;
    let status = resp.status().as_u16();
    let content_type = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let retry_after = retry_after(resp.headers());
    let body = resp.bytes().await.map_err(|e| {
        let err = if e.is_timeout() {
            miaojing_domain::Error::new(miaojing_domain::ErrorKind::UpstreamTimeout, ErrorCode::UpstreamTimeout, "上游服务响应超时")
        } else {
            ue::bad_response("the answer ended early")
        };
        err.with_detail(ue::scrub(&e.to_string(), key))
    })?;
    Ok(Answer { status, content_type, retry_after, body })
}

/// POSTs `body` as JSON and returns the 2xx answer parsed.
pub async fn post_json(http: &OutboundClient, url: &str, key: &str, body: &Value) -> Result<Parsed> {
    let payload = serde_json::to_vec(body).map_err(|e| miaojing_domain::Error::internal(format!("encoding a request: {e}")))?;
    send(http, Method::POST, url, key, |r| r.header(CONTENT_TYPE, "application/json").body(payload)).await?.ok(key)?.parsed()
}

/// GETs `url` and returns the 2xx answer parsed.
pub async fn get_json(http: &OutboundClient, url: &str, key: &str) -> Result<Parsed> {
    send(http, Method::GET, url, key, |r| r).await?.ok(key)?.parsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_joins() {
        assert_eq!(api_root("https://r.example/v1/images/generations"), "https://r.example/v1");
        assert_eq!(api_root("https://r.example/v1/"), "https://r.example/v1");
        assert_eq!(api_root("https://r.example"), "https://r.example/v1");
        assert_eq!(api_root("https://r.example/api/v3/chat/completions"), "https://r.example/api/v3");
        assert_eq!(join("https://r/v1", "/images/edits"), "https://r/v1/images/edits");
        assert_eq!(join("https://r/v1/videos", "videos"), "https://r/v1/videos");
    }

    #[test]
    fn parses_json_sse_and_ndjson() {
        assert_eq!(parse_body("application/json", br#"{"a":1}"#).unwrap().value["a"], 1);
        let sse = b"event: x\ndata: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n";
        let p = parse_body("text/event-stream", sse).unwrap();
        assert_eq!(p.events.len(), 2);
        assert_eq!(p.value["n"], 2);
        let nd = parse_body("application/x-ndjson", b"{\"n\":1}\n{\"n\":3}\n").unwrap();
        assert_eq!(nd.value["n"], 3);
        assert_eq!(parse_body("application/json", b"{\"data\": [").unwrap_err().code, "upstream_bad_response");
    }
}
