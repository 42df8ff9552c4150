//! The Manifest: a declarative description of a relay API (sync, or async task + polling),
//! as imported by smart import and stored per channel.
//!
//! Parsing is lenient (the original's bundles are hand-written) and normalises into the typed
//! form below; [`Manifest::from_stored`] reads the stored file (`{version: 1, provider, profile,
//! source, capabilities}`) back, normalising again so files written by the original work too.
pub mod paths;
pub mod template;

use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a request body is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    #[default]
    Json,
    Multipart,
}

/// Where a multipart file field takes its bytes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum FileSource {
    #[default]
    InputImages,
    Mask,
}

/// A multipart file field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileField {
    pub field: String,
    pub source: FileSource,
    /// Send every input image (repeated field) instead of the first.
    pub array: bool,
}

/// Where media are found in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResultPaths {
    pub image_url_paths: Vec<String>,
    pub b64_json_paths: Vec<String>,
    pub video_url_paths: Vec<String>,
    pub b64_video_paths: Vec<String>,
}

impl ResultPaths {
    fn is_empty(&self) -> bool {
        self.image_url_paths.is_empty()
            && self.b64_json_paths.is_empty()
            && self.video_url_paths.is_empty()
            && self.b64_video_paths.is_empty()
    }
}

/// One HTTP endpoint of a Manifest provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// Relative to the channel URL, or absolute.
    pub path: String,
    pub method: String,
    pub content_type: ContentType,
    pub query: Map<String, Value>,
    pub body: Map<String, Value>,
    pub files: Vec<FileField>,
    pub task_id_path: Option<String>,
    pub result: ResultPaths,
}

/// The polling endpoint and how to read task state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollSpec {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// 1..=30, default 5.
    pub interval_seconds: u64,
    pub status_path: Option<String>,
    pub success_values: Vec<String>,
    pub failure_values: Vec<String>,
    pub final_path: Option<String>,
    pub final_values: Vec<Value>,
    pub error_path: Option<String>,
}

/// A normalised provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSpec {
    pub id: String,
    pub name: String,
    pub submit: Endpoint,
    pub edit_submit: Option<Endpoint>,
    pub poll: Option<PollSpec>,
    /// Stops a submitted task (`{task_id}` in its path, query or body), sent when the job is
    /// cancelled; providers without one only lose the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Endpoint>,
}

/// One choice of a capability list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the create page may offer for a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Capabilities {
    pub aspect_ratios: Vec<Choice>,
    pub resolutions: Vec<Choice>,
    pub qualities: Vec<Choice>,
    pub output_formats: Vec<Choice>,
    pub durations: Vec<Choice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_aspect_ratio: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_resolution: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_quality: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_output_format: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_duration: Option<bool>,
}

/// A normalised profile (one model on one provider).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub provider: String,
    pub base_url: String,
    pub model: String,
    /// `images`, `videos` or `text`.
    pub api_mode: String,
    pub capabilities: Capabilities,
}

/// A channel's Manifest: the provider to execute and the profile it was imported for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub provider: ProviderSpec,
    pub profile: Profile,
}

impl Manifest {
    /// Reads a stored Manifest file (`{version: 1, provider, profile, …}`).
    pub fn from_stored(stored: &Value) -> Result<Self> {
        let invalid = || Error::validation(ErrorCode::InvalidManifest, "选中的模型已关联智能 API 配置文件，但配置文件不存在或格式无效");
        let obj = stored.as_object().ok_or_else(invalid)?;
        if obj.get("version").and_then(Value::as_u64) != Some(1) {
            return Err(invalid());
        }
        let provider = parse_provider(obj.get("provider").ok_or_else(invalid)?, 0).map_err(|_| invalid())?;
        let profile = parse_profile(obj.get("profile").unwrap_or(&Value::Null), 0, std::slice::from_ref(&provider));
        Ok(Self { provider, profile })
    }

    /// The stored file form: `{version: 1, provider, profile, source, capabilities, createdAt}`.
    pub fn to_stored(&self, source: &Value, created_at: &str) -> Value {
        serde_json::json!({
            "version": 1,
            "provider": self.provider,
            "profile": self.profile,
            "source": source,
            "capabilities": self.profile.capabilities,
            "createdAt": created_at,
        })
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::validation(ErrorCode::InvalidManifest, message)
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn object_of(v: &Value, key: &str, label: &str) -> Result<Map<String, Value>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(bad(format!("{label} 的 {key} 必须是对象"))),
    }
}

fn strings_of(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
        }
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        _ => Vec::new(),
    }
}

fn value_strings(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(scalar_string).collect(),
        Some(other) => scalar_string(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A scalar as a trimmed non-empty string.
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn parse_result(v: &Value) -> ResultPaths {
    let r = v.get("result").unwrap_or(&Value::Null);
    ResultPaths {
        image_url_paths: strings_of(r, "imageUrlPaths"),
        b64_json_paths: strings_of(r, "b64JsonPaths"),
        video_url_paths: strings_of(r, "videoUrlPaths"),
        b64_video_paths: strings_of(r, "b64VideoPaths"),
    }
}

fn parse_endpoint(v: &Value, label: &str, default_method: &str) -> Result<Endpoint> {
    if !v.is_object() {
        return Err(bad(format!("{label} 必须是对象")));
    }
    let path = str_of(v, "path").ok_or_else(|| bad(format!("{label} 缺少 path")))?;
    let path = if path.starts_with("http://") || path.starts_with("https://") { path } else { path.trim_start_matches('/').to_string() };
    let content_type = match str_of(v, "contentType").map(|s| s.to_ascii_lowercase()) {
        Some(s) if s.contains("multipart") || s == "form-data" => ContentType::Multipart,
        _ => ContentType::Json,
    };
    let files = match v.get("files") {
        Some(Value::Array(items)) => items
            .iter()
            .filter(|f| f.is_object())
            .map(|f| FileField {
                field: str_of(f, "field").unwrap_or_else(|| "image".into()),
                source: if str_of(f, "source").as_deref() == Some("mask") { FileSource::Mask } else { FileSource::InputImages },
                array: f.get("array").and_then(Value::as_bool).unwrap_or(false),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(Endpoint {
        path,
        method: str_of(v, "method").unwrap_or_else(|| default_method.to_string()).to_ascii_uppercase(),
        content_type,
        query: object_of(v, "query", label)?,
        body: object_of(v, "body", label)?,
        files,
        task_id_path: str_of(v, "taskIdPath"),
        result: parse_result(v),
    })
}

fn parse_poll(v: &Value, label: &str) -> Result<PollSpec> {
    Ok(PollSpec {
        endpoint: parse_endpoint(v, label, "GET")?,
        interval_seconds: v.get("intervalSeconds").and_then(Value::as_f64).map(|s| s.round().clamp(1.0, 30.0) as u64).unwrap_or(5),
        status_path: str_of(v, "statusPath"),
        success_values: value_strings(v, "successValues"),
        failure_values: value_strings(v, "failureValues"),
        final_path: str_of(v, "finalPath"),
        final_values: match v.get("finalValues") {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        },
        error_path: str_of(v, "errorPath"),
    })
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "provider".into()
    } else {
        out
    }
}

/// Normalises provider number `index` (0-based) of a bundle.
pub(crate) fn parse_provider(v: &Value, index: usize) -> Result<ProviderSpec> {
    if !v.is_object() {
        return Err(bad(format!("第 {} 个服务商配置必须是对象", index + 1)));
    }
    let name = str_of(v, "name").unwrap_or_else(|| format!("自定义服务商 {}", index + 1));
    let id = str_of(v, "id").unwrap_or_else(|| format!("custom-{}", slug(&name)));
    let submit = v.get("submit").filter(|s| !s.is_null()).ok_or_else(|| bad(format!("{name} 缺少 submit 配置")))?;
    let submit = parse_endpoint(submit, &format!("{name} submit"), "POST")?;
    let edit_submit = match v.get("editSubmit") {
        None | Some(Value::Null) => None,
        Some(e) => Some(parse_endpoint(e, &format!("{name} editSubmit"), "POST")?),
    };
    let poll = match v.get("poll") {
        None | Some(Value::Null) => None,
        Some(p) => Some(parse_poll(p, &format!("{name} poll"))?),
    };
    let cancel = match v.get("cancel") {
        None | Some(Value::Null) => None,
        Some(c) => Some(parse_endpoint(c, &format!("{name} cancel"), "POST")?),
    };
    Ok(ProviderSpec { id, name, submit, edit_submit, poll, cancel })
}

fn choices(v: &Value, key: &str) -> Vec<Choice> {
    let Some(Value::Array(items)) = v.get(key) else { return Vec::new() };
    items
        .iter()
        .filter_map(|item| {
            let (value, label) = match item {
                Value::Object(_) => {
                    let value = item.get("value").and_then(scalar_string)?;
                    let label = item.get("label").and_then(scalar_string).unwrap_or_else(|| value.clone());
                    (value, label)
                }
                other => {
                    let value = scalar_string(other)?;
                    (value.clone(), value)
                }
            };
            Some(Choice { value, label })
        })
        .collect()
}

/// Normalises a capabilities object.
pub(crate) fn parse_capabilities(v: &Value) -> Capabilities {
    let flag = |k: &str| v.get(k).and_then(Value::as_bool);
    Capabilities {
        aspect_ratios: choices(v, "aspectRatios"),
        resolutions: choices(v, "resolutions"),
        qualities: choices(v, "qualities"),
        output_formats: choices(v, "outputFormats"),
        durations: choices(v, "durations"),
        supports_aspect_ratio: flag("supportsAspectRatio"),
        supports_resolution: flag("supportsResolution"),
        supports_quality: flag("supportsQuality"),
        supports_output_format: flag("supportsOutputFormat"),
        supports_duration: flag("supportsDuration"),
    }
}

/// Normalises profile number `index`, matching its provider by id, then name, then position.
pub(crate) fn parse_profile(v: &Value, index: usize, providers: &[ProviderSpec]) -> Profile {
    let wanted = str_of(v, "provider");
    let provider = wanted
        .as_deref()
        .and_then(|w| providers.iter().find(|p| p.id == w).or_else(|| providers.iter().find(|p| p.name == w)))
        .or_else(|| providers.get(index))
        .or_else(|| providers.first());
    let api_mode = match str_of(v, "apiMode").map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("videos") | Some("video") => "videos",
        Some("text") | Some("chat") => "text",
        _ => "images",
    };
    Profile {
        name: str_of(v, "name").or_else(|| provider.map(|p| p.name.clone())).unwrap_or_default(),
        provider: provider.map(|p| p.id.clone()).unwrap_or_default(),
        base_url: str_of(v, "baseUrl").unwrap_or_default(),
        model: str_of(v, "model").unwrap_or_else(|| "gpt-image-2".into()),
        api_mode: api_mode.into(),
        capabilities: parse_capabilities(v.get("capabilities").unwrap_or(&Value::Null)),
    }
}

impl Endpoint {
    /// Whether the endpoint names any result path.
    pub fn has_result_paths(&self) -> bool {
        !self.result.is_empty()
    }
}
