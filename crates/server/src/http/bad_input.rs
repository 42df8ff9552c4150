//! Says what is wrong with a request's JSON body, query string or path in the caller's words:
//! which field (as a JSON path such as `payload.count` or `images[2]`) and which JSON type or
//! value it must have. Deserializer messages name Rust types ("expected struct
//! AdminUserUpdate", "u32"); none of that reaches the caller.
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind};

use crate::http::error::ApiError;

/// The JSON body as received, kept so a deserialization error can be located in it.
#[derive(Debug, Clone)]
pub struct RawJson(pub Bytes);

/// 413 for a JSON body over `limit` bytes.
pub fn too_large(limit: usize) -> Error {
    Error::new(ErrorKind::TooLarge, ErrorCode::PayloadTooLarge, format!("请求体过大（上限 {} KB）", limit / 1024))
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(|m| {
        let m = m.trim().to_ascii_lowercase();
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    })
}

/// Middleware: reads a JSON request body (at most `limit` bytes, else 413), keeps a copy as
/// [`RawJson`] and hands the same bytes on to the handler.
pub async fn keep_json_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limit = crate::startup::JSON_LIMIT;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    // Bodies declared too large are left to the JSON extractor, which refuses them unread.
    if !is_json(&req) || declared.is_some_and(|n| n > limit) {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    let mut payload = req.take_payload();
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if buf.len() + chunk.len() > limit {
            let e = ApiError(too_large(limit));
            return Ok(req.into_response(e.error_response()).map_into_right_body());
        }
        buf.extend_from_slice(&chunk);
    }
    let bytes = crate::http::json_input::normalize(buf.freeze());
    req.extensions_mut().insert(RawJson(bytes.clone()));
    req.set_payload(Payload::from(bytes));
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

/// Where an error position falls in a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonPlace {
    /// The path of the value being read (`a.b[2].c`; empty for the whole body).
    pub value: String,
    /// The path of the innermost object or array around that position.
    pub container: String,
}

/// Where 1-based `line` and `column` of `body` fall, as a JSON parser reports an error position.
pub fn path_at(body: &[u8], line: usize, column: usize) -> JsonPlace {
    let mut offset = 0;
    for _ in 1..line {
        match body[offset..].iter().position(|b| *b == b'\n') {
            Some(i) => offset += i + 1,
            None => break,
        }
    }
    // The byte at the position itself is not taken: when it opens or closes a container, the
    // error is about that container as a value of its parent.
    let end = (offset + column).saturating_sub(1).min(body.len());
    enum Frame {
        Object { key: Option<String>, expecting_key: bool },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match body[i] {
            b'{' => stack.push(Frame::Object { key: None, expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let (text, next) = read_string(body, i + 1, end);
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    if *expecting_key {
                        *key = Some(text);
                        *expecting_key = false;
                    }
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut place = JsonPlace::default();
    let last = stack.len().saturating_sub(1);
    for (n, frame) in stack.iter().enumerate() {
        let segment = match frame {
            Frame::Object { key: Some(k), expecting_key: false } => {
                if place.value.is_empty() {
                    k.clone()
                } else {
                    format!(".{k}")
                }
            }
            Frame::Object { .. } => String::new(),
            Frame::Array { index } => format!("[{index}]"),
        };
        if n < last {
            place.container.push_str(&segment);
        }
        place.value.push_str(&segment);
    }
    place
}

/// Reads a JSON string starting after its opening quote; returns the text and the index after
/// the closing quote (or `end`).
fn read_string(body: &[u8], mut i: usize, end: usize) -> (String, usize) {
    let mut out = Vec::new();
    while i < end {
        match body[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b'\\' if i + 1 < end => {
                let c = body[i + 1];
                match c {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'u' if i + 5 < end => {
                        let hex = std::str::from_utf8(&body[i + 2..i + 6]).ok().and_then(|h| u32::from_str_radix(h, 16).ok());
                        if let Some(ch) = hex.and_then(char::from_u32) {
                            out.extend_from_slice(ch.to_string().as_bytes());
                        }
                        i += 6;
                        continue;
                    }
                    other => out.push(other),
                }
                i += 2;
                continue;
            }
            b => out.push(b),
        }
        i += 1;
    }
    (String::from_utf8_lossy(&out).into_owned(), end)
}

/// A JSON type or value format named for callers, from a deserializer's "expected …".
fn expected_kind(expected: &str) -> &'static str {
    let e = expected.trim();
    let unsigned = ["u8", "u16", "u32", "u64", "u128", "usize"];
    let signed = ["i8", "i16", "i32", "i64", "i128", "isize"];
    // Type names first: a struct's own name may contain any word below.
    if e.starts_with("struct") || e.starts_with("a map") || e == "map" || e.contains("object") {
        "JSON 对象"
    } else if e.starts_with("enum") || e.contains("variant") {
        "允许的取值之一"
    } else if e.contains("sequence") || e.contains("tuple") || e.contains("array") {
        "数组"
    } else if unsigned.contains(&e) {
        "非负整数"
    } else if signed.contains(&e) || e.contains("integer") {
        "整数"
    } else if e == "f32" || e == "f64" || e.contains("float") || e.contains("number") {
        "数字"
    } else if e.contains("bool") {
        "布尔值（true 或 false）"
    } else if e.contains("UUID") || e.contains("uuid") {
        "UUID 字符串"
    } else if e.contains("date and time") || e.contains("date-time") || e.contains("timestamp") {
        "RFC 3339 日期时间字符串"
    } else if e.contains("string") || e.contains("char") {
        "字符串"
    } else {
        "有效的值"
    }
}

/// What was sent, from a deserializer's "invalid type: …".
fn sent_kind(unexpected: &str) -> String {
    let u = unexpected.trim();
    let value = u.split_once('`').and_then(|(_, rest)| rest.rsplit_once('`')).map(|(v, _)| v.to_string());
    let kind = if u.starts_with("integer") {
        "整数"
    } else if u.starts_with("floating point") {
        "数字"
    } else if u.starts_with("boolean") {
        "布尔值"
    } else if u.starts_with("string") || u.starts_with("char") {
        return "字符串".into();
    } else if u == "map" {
        "JSON 对象"
    } else if u == "sequence" {
        "数组"
    } else if u == "null" || u == "unit" || u == "Option value" {
        "null"
    } else {
        return "其他值".into();
    };
    match value {
        Some(v) if v.len() <= 40 => format!("{kind} {v}"),
        _ => kind.to_string(),
    }
}

/// Errors a JSON parser reports at the end of the object or array they are about (so the path
/// to use is the container's, not the last value's inside it).
pub fn at_container_end(message: &str) -> bool {
    message.starts_with("missing field") || message.starts_with("invalid length")
}

/// Backquoted names in a deserializer message (`` `a`, `b` ``).
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn field_label(path: &str) -> String {
    if path.is_empty() {
        "请求体".to_string()
    } else {
        format!("字段 {path} ")
    }
}

/// The message for a deserializer error `message` about the value at `path` (JSON path of the
/// body, or a query/path parameter name; empty for the whole body).
pub fn describe(path: &str, message: &str) -> String {
    let m = message.trim();
    if let Some(field) = m.strip_prefix("missing field ").map(|r| r.trim_matches('`')) {
        let full = if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
        return format!("缺少必填字段 {full}");
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        let names = quoted(rest);
        let given = names.first().copied().unwrap_or("");
        let allowed: Vec<&str> = names.iter().skip(1).copied().collect();
        return if allowed.is_empty() {
            format!("{}的取值 {given} 无效", field_label(path))
        } else {
            format!("{}的取值 {given} 无效，可选：{}", field_label(path), allowed.join("、"))
        };
    }
    if let Some(rest) = m.strip_prefix("unknown field ") {
        let name = quoted(rest).first().copied().unwrap_or("").to_string();
        let full = if path.is_empty() { name } else { format!("{path}.{name}") };
        return format!("不支持的字段 {full}");
    }
    if let Some(rest) = m.strip_prefix("duplicate field ") {
        return format!("字段 {} 重复出现", quoted(rest).first().copied().unwrap_or(""));
    }
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        let (sent, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("{}应为{}，收到{}", field_label(path), expected_kind(expected), sent_kind(sent));
    }
    if let Some(rest) = m.strip_prefix("invalid value: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return format!("{}的值无效，应为{}", field_label(path), expected_kind(expected));
    }
    if let Some(rest) = m.strip_prefix("invalid length ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        if expected.starts_with("struct") {
            // An array given where an object is expected.
            return format!("{}应为JSON 对象，收到数组", field_label(path));
        }
        return format!("{}的长度无效，应为{}", field_label(path), expected_kind(expected));
    }
    // Messages of value parsers (UUIDs, dates, numbers in query strings): the type only.
    format!("{}的值无效，应为{}", field_label(path), expected_kind(&parser_expectation(m)))
}

/// The expected type a value parser's own message implies.
fn parser_expectation(message: &str) -> String {
    let m = message.to_ascii_lowercase();
    if m.contains("uuid") || m.contains("invalid character") || m.contains("invalid group") || m.contains("invalid length") {
        "UUID".into()
    } else if m.contains("float") {
        "f64".into()
    } else if m.contains("digit") || m.contains("integer") || m.contains("number too") {
        "i64".into()
    } else if m.contains("`true` or `false`") || m.contains("bool") {
        "bool".into()
    } else if m.contains("premature end")
        || m.contains("input contains")
        || m.contains("input is out of range")
        || m.contains("trailing input")
    {
        "date-time".into()
    } else if let Some((_, ty)) = m.rsplit_once(" to a ") {
        ty.trim().to_string()
    } else {
        String::new()
    }
}

/// Whether `value` can be what `expected` (from [`parser_expectation`]) asks for.
fn fits(value: &str, expected: &str) -> bool {
    match expected_kind(expected) {
        "非负整数" => value.parse::<u64>().is_ok(),
        "整数" => value.parse::<i64>().is_ok(),
        "数字" => value.parse::<f64>().is_ok(),
        "布尔值（true 或 false）" => value == "true" || value == "false",
        "UUID 字符串" => uuid::Uuid::parse_str(value).is_ok(),
        "RFC 3339 日期时间字符串" => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
        _ => true,
    }
}

/// The name of the parameter a query-string or path error is about: the one named by the
/// message, else the first whose value cannot be what the message says was expected.
pub fn guilty_param<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)> + Clone, message: &str) -> Option<String> {
    let m = message.trim();
    if m.starts_with("missing field ") {
        return None;
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        let given = quoted(rest).first().copied().unwrap_or("");
        return params.into_iter().find(|(_, v)| *v == given).map(|(k, _)| k.to_string());
    }
    let expected = match m.split_once(", expected ") {
        Some((_, e)) => e.to_string(),
        None => parser_expectation(m),
    };
    if let Some(name) = params.clone().into_iter().find(|(_, v)| !v.is_empty() && m.contains(&format!("\"{v}\""))) {
        return Some(name.0.to_string());
    }
    let misfits: Vec<&str> = params.into_iter().filter(|(_, v)| !fits(v, &expected)).map(|(k, _)| k).collect();
    // Free-text parameters fail every check; a number is most likely meant for a parameter
    // named like one.
    let numeric = matches!(expected_kind(&expected), "非负整数" | "整数" | "数字");
    let named_like_number = |k: &&str| {
        let k = k.to_ascii_lowercase();
        ["page", "size", "limit", "count", "days", "offset", "max", "min", "num"].iter().any(|w| k.contains(w))
    };
    misfits.iter().find(|k| numeric && named_like_number(k)).or(misfits.first()).map(|k| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(body: &str) -> (String, String) {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        #[serde(rename_all = "camelCase")]
        struct Inner {
            count: Option<u32>,
            kind: Option<Kind>,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        #[serde(rename_all = "lowercase")]
        enum Kind {
            Image,
            Video,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        #[serde(rename_all = "camelCase")]
        struct AdminUserUpdate {
            user_id: uuid::Uuid,
            payload: Option<Inner>,
            images: Option<Vec<String>>,
        }
        let err = serde_json::from_str::<AdminUserUpdate>(body).err().expect("an error");
        let text = err.to_string();
        let raw = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m).to_string();
        let place = path_at(body.as_bytes(), err.line(), err.column());
        let path = if at_container_end(&raw) { place.container } else { place.value };
        (path.clone(), describe(&path, &raw))
    }

    #[test]
    fn json_errors_name_the_field_and_the_json_type() {
        let id = "\"userId\": \"7f1c8a52-0d4e-4d8e-9a43-7a2f4c1e9b10\"";
        let (p, m) = locate(&format!("{{{id}, \"payload\": {{\"count\": \"three\"}}}}"));
        assert_eq!(p, "payload.count");
        assert_eq!(m, "字段 payload.count 应为非负整数，收到字符串");
        let (p, m) = locate(&format!("{{{id}, \"images\": [\"a\", 5]}}"));
        assert_eq!((p.as_str(), m.as_str()), ("images[1]", "字段 images[1] 应为字符串，收到整数 5"));
        let (p, m) = locate(&format!("{{{id},\n \"payload\": {{\"kind\": \"audio\"}}}}"));
        assert_eq!(p, "payload.kind");
        assert_eq!(m, "字段 payload.kind 的取值 audio 无效，可选：image、video");
        let (_, m) = locate(&format!("{{{id}, \"payload\": [1]}}"));
        assert_eq!(m, "字段 payload 应为JSON 对象，收到数组");
        let (_, m) = locate("\"x\"");
        assert_eq!(m, "请求体应为JSON 对象，收到字符串");
        assert!(!m.contains("AdminUserUpdate") && !m.contains("struct"));
        let (_, m) = locate("{\"payload\": {}}");
        assert_eq!(m, "缺少必填字段 userId");
        let (p, m) = locate("{\"userId\": \"nope\"}");
        assert_eq!(p, "userId");
        assert!(m.starts_with("字段 userId 的值无效，应为UUID 字符串"), "{m}");
        let (p, _) = locate("{\"a\": {\"b\\\"c\": [1, {\"d\": 2}]}, \"userId\": 5}");
        assert_eq!(p, "userId", "keys with escapes and nested containers are skipped");
    }

    #[test]
    fn query_and_path_errors_find_the_parameter() {
        let params = [("q", "cat"), ("page", "abc"), ("pageSize", "20")];
        assert_eq!(guilty_param(params, "invalid digit found in string").as_deref(), Some("page"));
        let params = [("sort", "oldest"), ("limit", "5")];
        assert_eq!(guilty_param(params, "unknown variant `oldest`, expected `latest` or `popular`").as_deref(), Some("sort"));
        let params = [("id", "xyz")];
        assert_eq!(
            guilty_param(params, "UUID parsing failed: invalid character: expected [0-9a-fA-F-], found `x` at 1").as_deref(),
            Some("id")
        );
        assert_eq!(guilty_param([("n", "abc")], "can not parse \"abc\" to a u32").as_deref(), Some("n"));
        assert_eq!(describe("n", "can not parse \"abc\" to a u32"), "字段 n 的值无效，应为非负整数");
        assert_eq!(describe("all", "provided string was not `true` or `false`"), "字段 all 的值无效，应为布尔值（true 或 false）");
    }
}
