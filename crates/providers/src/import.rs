//! Smart import: a `{customProviders, profiles}` bundle, or one provider object, becomes one
//! normalised channel definition per profile, each with its own Manifest to store.
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result};
use serde_json::Value;

use crate::channel::{MediaType, Protocol};
use crate::manifest::{parse_profile, parse_provider, Capabilities, Manifest, Profile, ProviderSpec};

/// Largest accepted configuration text, in characters.
pub const MAX_CONFIG_CHARS: usize = 256 * 1024;

/// One channel to create (a user key row or a system API row).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedChannel {
    /// The profile's name (system API display name).
    pub display_name: String,
    /// The provider's name (`supplier_name`).
    pub supplier_name: String,
    pub upstream_model: String,
    /// The resolved request URL stored as the row's API URL.
    pub api_url: String,
    /// A key given in the bundle (`apiKey` of the profile or provider); usually absent.
    pub api_key: Option<String>,
    pub media_type: MediaType,
    pub protocol: Protocol,
    pub manifest: Manifest,
    pub capabilities: Capabilities,
    /// Suggested note: the profile name unless it is generic or the model name.
    pub note: String,
}

impl ImportedChannel {
    /// The Manifest file to store: `{version: 1, provider, profile, source, capabilities, createdAt}`.
    pub fn stored_manifest(&self, source: &Value, created_at: &str) -> Value {
        self.manifest.to_stored(source, created_at)
    }
}

/// The parsed bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutput {
    /// The whole parsed configuration (stored as `source` in every Manifest file).
    pub source: Value,
    pub channels: Vec<ImportedChannel>,
}

fn bad(message: impl Into<String>) -> Error {
    Error::validation(ErrorCode::InvalidImportConfig, message)
}

/// Strips a surrounding Markdown code fence (with or without a language tag).
fn strip_fence(text: &str) -> &str {
    let t = text.trim();
    let Some(rest) = t.strip_prefix("```") else { return t };
    let rest = rest.split_once('\n').map(|(_, body)| body).unwrap_or("");
    rest.trim_end().strip_suffix("```").unwrap_or(rest).trim()
}

/// Parses a configuration text into channel definitions. Every profile must resolve to a
/// request URL, else the whole import is refused naming the profile.
pub fn parse(config_text: &str) -> Result<ImportOutput> {
    if config_text.trim().is_empty() || config_text.chars().count() > MAX_CONFIG_CHARS {
        return Err(bad("配置内容为空或过大"));
    }
    let source: Value = serde_json::from_str(strip_fence(config_text)).map_err(|e| bad(format!("配置 JSON 解析失败：{e}")))?;
    let obj = source.as_object().ok_or_else(|| bad("配置 JSON 顶层必须是对象"))?;
    let (providers, profiles): (Vec<ProviderSpec>, Vec<Value>) = if obj.contains_key("customProviders") || obj.contains_key("profiles") {
        let raw = obj
            .get("customProviders")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| bad("customProviders 不能为空"))?;
        let providers = raw.iter().enumerate().map(|(i, p)| parse_provider(p, i)).collect::<Result<Vec<_>>>()?;
        let profiles = match obj.get("profiles") {
            Some(Value::Array(items)) if !items.is_empty() => items.clone(),
            None | Some(Value::Null) | Some(Value::Array(_)) => vec![Value::Object(Default::default())],
            Some(_) => return Err(bad("profiles 必须是数组")),
        };
        (providers, profiles)
    } else {
        let provider = parse_provider(&source, 0)?;
        // A single provider may carry its profile fields at the top level.
        (vec![provider], vec![source.clone()])
    };
    let mut channels = Vec::with_capacity(profiles.len());
    for (i, raw) in profiles.iter().enumerate() {
        if !raw.is_object() {
            return Err(bad(format!("第 {} 个 profile 必须是对象", i + 1)));
        }
        let profile = parse_profile(raw, i, &providers);
        let provider = providers.iter().find(|p| p.id == profile.provider).cloned().unwrap_or_else(|| providers[0].clone());
        channels.push(channel(raw, profile, provider)?);
    }
    Ok(ImportOutput { source, channels })
}

/// The request URL of a profile: an absolute submit path; else the base URL (unchanged when a
/// poll endpoint exists, else joined with the submit path).
pub fn resolve_url(profile: &Profile, provider: &ProviderSpec) -> Option<String> {
    let path = &provider.submit.path;
    if path.starts_with("http://") || path.starts_with("https://") {
        return Some(path.clone());
    }
    let base = profile.base_url.trim();
    if base.is_empty() {
        return None;
    }
    if provider.poll.is_some() {
        return Some(base.trim_end_matches('/').to_string());
    }
    Some(crate::http::join(base, path))
}

fn channel(raw: &Value, profile: Profile, provider: ProviderSpec) -> Result<ImportedChannel> {
    let display_name = if profile.name.is_empty() { provider.name.clone() } else { profile.name.clone() };
    let api_url = resolve_url(&profile, &provider)
        .ok_or_else(|| bad(format!("{display_name} 缺少中转 API 请求地址，请先在文档中找到 API Base URL 或完整请求端点后再导入")))?;
    if url::Url::parse(&api_url).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true) {
        return Err(bad(format!("{display_name} 的 API 请求地址无效：{api_url}")));
    }
    let media_type = match profile.api_mode.as_str() {
        "videos" => MediaType::Video,
        "text" => MediaType::Text,
        _ => MediaType::Image,
    };
    let key = |v: &Value| v.get("apiKey").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let generic = ["导入的 API Key", "默认配置", "default"];
    let note = if generic.contains(&display_name.as_str()) || display_name == profile.model { String::new() } else { display_name.clone() };
    Ok(ImportedChannel {
        supplier_name: provider.name.clone(),
        upstream_model: profile.model.clone(),
        api_url,
        api_key: key(raw),
        media_type,
        protocol: Protocol::Manifest,
        capabilities: profile.capabilities.clone(),
        note,
        display_name,
        manifest: Manifest { provider, profile },
    })
}
