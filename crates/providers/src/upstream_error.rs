//! Mapping upstream failures to [`miaojing_domain::Error`] with stable codes, and scrubbing
//! keys and URLs out of anything shown to users.
//!
//! | upstream | status | code |
//! |---|---|---|
//! | 400, 404, 413, 422 (and other 4xx) | 422 | `upstream_rejected` (the upstream's own message) |
//! | 401, 403 | 502 | `upstream_auth_failed` |
//! | 429 | 429 | `upstream_rate_limited` (`Retry-After` kept) |
//! | 500, 501, 505+ | 502 | `upstream_error` |
//! | 502, 503 | 502 | `upstream_unavailable` |
//! | 504 | 504 | `upstream_timeout` |
//! | 524 (idle timeout, usually a stream) | 504 | `upstream_idle_timeout` |
//! | unparsable 2xx | 502 | `upstream_bad_response` |
//! | 2xx without media | 422 | `upstream_no_result` |
//! | failed task | 422 | `upstream_task_failed` |
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind};
use serde_json::Value;

/// Codes that failover retries once on the same candidate.
pub const RETRY_SAME_CODES: [&str; 2] = ["upstream_unavailable", "upstream_timeout"];
/// The code of a 524 after an idle stream.
pub const IDLE_TIMEOUT: &str = "upstream_idle_timeout";
/// The code of "all candidates failed without an actionable error".
pub const MODEL_BUSY: &str = "model_busy";

const MAX_MESSAGE: usize = 300;

/// Removes `key`, anything looking like an API key or bearer token, and URLs from `text`.
pub fn scrub(text: &str, key: &str) -> String {
    let mut s = if key.len() >= 4 { text.replace(key, "***") } else { text.to_string() };
    let mut out = String::with_capacity(s.len());
    let mut after_bearer = false;
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let lower = word.to_ascii_lowercase();
        let trimmed = lower.trim_matches(|c: char| "\"'(),.;:<>[]{}".contains(c));
        if lower.contains("://") {
            out.push_str("[url]");
        } else if after_bearer || trimmed.starts_with("sk-") || looks_like_token(trimmed) {
            out.push_str("***");
        } else {
            out.push_str(word);
        }
        after_bearer = trimmed == "bearer";
    }
    s = out;
    if s.chars().count() > MAX_MESSAGE {
        s = s.chars().take(MAX_MESSAGE).collect::<String>() + "…";
    }
    s
}

/// Long unbroken alphanumeric runs (≥ 32 chars with digits and letters) are treated as secrets.
fn looks_like_token(w: &str) -> bool {
    w.len() >= 32
        && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && w.chars().any(|c| c.is_ascii_digit())
        && w.chars().any(|c| c.is_ascii_alphabetic())
}

/// The human message inside an upstream error body (OpenAI `error.message`, `message`, `msg`,
/// `detail`, or short plain text); `None` for HTML pages and empty bodies.
pub fn body_message(body: &str) -> Option<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        for path in ["error.message", "error", "message", "msg", "detail", "error_msg", "errors.0.message"] {
            if let Some(s) = crate::manifest::paths::get(&v, path).and_then(Value::as_str) {
                let s = s.trim();
                if !s.is_empty() {
                    return Some(s.to_string());
                }
            }
        }
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with('<') || lower.contains("<html") || lower.contains("cloudflare") || lower.starts_with("error code:") {
        return None;
    }
    Some(trimmed.to_string())
}

/// Maps a non-2xx upstream answer to an error. `key` is scrubbed from everything kept.
pub fn from_status(status: u16, retry_after: Option<u64>, body: &str, key: &str) -> Error {
    let detail = format!("upstream HTTP {status}: {}", scrub(body, key));
    let said = body_message(body).map(|m| scrub(&m, key));
    let err = match status {
        401 | 403 => Error::new(ErrorKind::Upstream, ErrorCode::UpstreamAuthFailed, "上游 API 密钥无效或无权访问该模型，请检查 API Key"),
        429 => {
            let mut e = Error::rate_limited(ErrorCode::UpstreamRateLimited, "上游请求过于频繁，请稍后再试", retry_after.unwrap_or(1));
            if let Some(m) = said {
                e.message = format!("上游请求过于频繁，请稍后再试：{m}");
            }
            e
        }
        413 => Error::new(ErrorKind::Unprocessable, ErrorCode::UpstreamRejected, "参考图过大，上游拒绝了请求，请压缩后重试"),
        400..=499 => Error::new(
            ErrorKind::Unprocessable,
            ErrorCode::UpstreamRejected,
            match said {
                Some(m) => format!("上游拒绝了请求：{m}"),
                None => format!("上游拒绝了请求（HTTP {status}）"),
            },
        ),
        502 | 503 => Error::new(ErrorKind::Upstream, ErrorCode::UpstreamUnavailable, "上游网关暂时不可用，请稍后再试"),
        504 => Error::new(ErrorKind::UpstreamTimeout, ErrorCode::UpstreamTimeout, "上游服务响应超时"),
        524 => Error::new(ErrorKind::UpstreamTimeout, IDLE_TIMEOUT, "上游长时间没有响应（网关超时 524），请稍后再试"),
        _ => Error::new(
            ErrorKind::Upstream,
            ErrorCode::UpstreamError,
            match said {
                Some(m) => format!("上游服务出错：{m}"),
                None => format!("上游服务出错（HTTP {status}）"),
            },
        ),
    };
    err.with_detail(detail)
}

/// A 2xx answer that could not be parsed.
pub fn bad_response(what: &str) -> Error {
    Error::new(ErrorKind::Upstream, ErrorCode::UpstreamBadResponse, "上游返回的数据格式无法解析").with_detail(what.to_string())
}

/// A 2xx answer without any media.
pub fn no_result() -> Error {
    Error::new(ErrorKind::Unprocessable, ErrorCode::UpstreamNoResult, "上游任务已完成，但响应中没有图片或视频数据")
}

/// An upstream task that ended in failure.
pub fn task_failed(message: Option<String>, key: &str) -> Error {
    let msg = match message.map(|m| scrub(&m, key)).filter(|m| !m.is_empty()) {
        Some(m) => format!("上游任务失败：{m}"),
        None => "上游任务失败".to_string(),
    };
    Error::new(ErrorKind::Unprocessable, ErrorCode::UpstreamTaskFailed, msg)
}

/// Whether a user can act on this error (it explains their request), as opposed to a transient or
/// platform-side failure that should read as "model busy" after failover.
pub fn is_actionable(e: &Error) -> bool {
    matches!(e.code.as_ref(), "upstream_rejected" | "upstream_task_failed" | "upstream_rate_limited")
}

/// The error after every candidate failed without an actionable error.
pub fn model_busy() -> Error {
    Error::new(ErrorKind::Unavailable, MODEL_BUSY, "因使用人数较多，模型繁忙，请稍后再试")
}

/// Scrubs `key` from an error's message and detail (for errors built from transport failures).
pub fn scrub_error(mut e: Error, key: &str) -> Error {
    e.message = scrub(&e.message, key);
    e.detail = e.detail.map(|d| scrub(&d, key));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_keys_tokens_and_urls() {
        let key = "sk-live-0123456789abcdef";
        let s = scrub(&format!("bad key {key} at https://internal.host:8080/v1 (Bearer abcdefgh) sk-tes****. ok"), key);
        assert!(!s.contains("0123456789"), "{s}");
        assert!(!s.contains("internal.host"), "{s}");
        assert!(!s.contains("sk-tes"), "{s}");
        assert!(s.contains("bad key") && s.ends_with("ok"), "{s}");
        assert!(scrub("token 9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddcc end", "").contains("***"));
    }

    #[test]
    fn maps_statuses_to_stable_codes() {
        let cases = [
            (400, 422, "upstream_rejected"),
            (401, 502, "upstream_auth_failed"),
            (429, 429, "upstream_rate_limited"),
            (500, 502, "upstream_error"),
            (502, 502, "upstream_unavailable"),
            (503, 502, "upstream_unavailable"),
            (504, 504, "upstream_timeout"),
            (524, 504, IDLE_TIMEOUT),
        ];
        for (up, ours, code) in cases {
            let e = from_status(up, Some(7), r#"{"error":{"message":"nope"}}"#, "k");
            assert_eq!((e.status(), e.code.as_ref()), (ours, code), "upstream {up}");
        }
        assert_eq!(from_status(429, Some(7), "", "k").retry_after, Some(7));
        assert_eq!(from_status(400, None, r#"{"error":{"message":"prompt rejected"}}"#, "k").message, "上游拒绝了请求：prompt rejected");
        assert!(body_message("<html><body>502 Bad Gateway</body></html>").is_none());
    }
}
