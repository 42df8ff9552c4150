//! API input checked into catalogue rows: trimmed, bounded texts, http(s) URLs, media types,
//! capabilities, pricing, and keys encrypted on the way in.
use chrono::{DateTime, Utc};
use miaojing_api_types::providers as api;
use miaojing_domain::provider::{
    key_preview, normalize_tiers, normalize_video_modes, ApiProvider, MediaType, ModelRecommendation, PollingMode, Pricing, Protocol,
    StylePreset, SystemApi, UserApiKey,
};
use miaojing_domain::user::Tier;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result};
use miaojing_providers::secrets::SecretBox;
use serde_json::{json, Value};
use uuid::Uuid;

/// A trimmed text of at most `max` characters (`field` names it in the error).
pub fn text(v: Option<String>, max: usize, code: impl Into<&'static str> + Copy, field: &str) -> Result<String> {
    let s = v.unwrap_or_default().trim().to_string();
    if s.chars().count() > max {
        return Err(Error::validation(code, format!("{field}最多 {max} 个字符")));
    }
    Ok(s)
}

/// An empty string or an absolute http(s) URL.
pub fn url(v: Option<String>) -> Result<String> {
    let s = text(v, 2048, ErrorCode::InvalidApiUrl, "API 地址")?;
    let absolute = s.starts_with("http://") || s.starts_with("https://");
    if !(s.is_empty() || absolute) || s.contains(char::is_whitespace) {
        return Err(Error::validation(ErrorCode::InvalidApiUrl, "API 地址必须是 http(s) 开头的完整地址"));
    }
    Ok(s)
}

/// A media type (`image` when none is given).
pub fn media(v: Option<String>) -> Result<MediaType> {
    v.as_deref().filter(|s| !s.trim().is_empty()).map_or(Ok(MediaType::Image), |s| Ok(MediaType::parse(s)?))
}

/// A capabilities object (at most 64 KiB; none = `{}`).
pub fn capabilities(v: Option<Value>) -> Result<Value> {
    match v {
        None | Some(Value::Null) => Ok(json!({})),
        Some(v @ Value::Object(_)) if v.to_string().len() <= 64 * 1024 => Ok(v),
        Some(_) => Err(Error::validation(ErrorCode::InvalidCapabilities, "capabilities 必须是不超过 64 KiB 的 JSON 对象")),
    }
}

/// Pricing from the wire fields; `fixed` (10 credits) when no mode is given.
pub fn pricing(
    mode: Option<&str>,
    per_use: Option<i64>,
    per_second: Option<i64>,
    input: Option<i64>,
    output: Option<i64>,
) -> Result<Pricing> {
    let p = match mode.map(str::trim).filter(|m| !m.is_empty()).unwrap_or("fixed") {
        "free" => Pricing::Free,
        "fixed" => Pricing::Fixed { credits: per_use.unwrap_or(10) },
        "duration" => Pricing::PerSecond { credits_per_second: per_second.unwrap_or(0) },
        "token" => Pricing::Tokens { input_per_million: input.unwrap_or(0), output_per_million: output.unwrap_or(0) },
        _ => return Err(Error::validation(ErrorCode::InvalidBillingMode, "计费方式必须是 free、fixed、duration 或 token")),
    };
    p.validate()?;
    Ok(p)
}

/// A provider from input (a full overwrite on PUT).
pub fn provider_from(input: api::ProviderInput, id: Uuid, created_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<ApiProvider> {
    let name = text(input.name, 128, ErrorCode::InvalidName, "供应商名称")?;
    if name.is_empty() {
        return Err(Error::validation(ErrorCode::NameRequired, "请填写供应商名称"));
    }
    Ok(ApiProvider {
        id,
        name,
        default_api_url: url(input.default_api_url)?,
        default_model: text(input.default_model, 255, ErrorCode::InvalidModel, "默认模型")?,
        media_type: media(input.media_type)?,
        website: url(input.website)?,
        is_active: input.is_active.unwrap_or(true),
        sort_order: input.sort_order.unwrap_or(0),
        created_at,
        updated_at: now,
    })
}

/// A recommendation from input (the display name defaults to the model name).
pub fn recommendation_from(
    input: api::RecommendationInput,
    id: Uuid,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ModelRecommendation> {
    let model_name = text(input.model_name, 255, ErrorCode::InvalidModel, "模型名称")?;
    if model_name.is_empty() {
        return Err(Error::validation(ErrorCode::ModelNameRequired, "请填写模型名称"));
    }
    let display_name = text(input.display_name, 255, ErrorCode::InvalidName, "显示名称")?;
    Ok(ModelRecommendation {
        id,
        display_name: if display_name.is_empty() { model_name.clone() } else { display_name },
        model_name,
        media_type: media(input.media_type)?,
        provider_id: input.provider_id,
        is_active: input.is_active.unwrap_or(true),
        sort_order: input.sort_order.unwrap_or(0),
        created_at,
        updated_at: now,
    })
}

/// A style preset from input over `base` (the stored preset, or a new one's defaults).
pub fn preset_from(input: api::StylePresetInput, base: StylePreset, now: DateTime<Utc>) -> Result<StylePreset> {
    let label = text(input.label, 128, ErrorCode::InvalidLabel, "风格名称")?;
    let prompt = text(input.prompt, 4000, ErrorCode::InvalidPrompt, "风格提示词")?;
    if label.is_empty() || prompt.is_empty() {
        return Err(Error::validation(ErrorCode::LabelRequired, "请填写风格名称和提示词"));
    }
    Ok(StylePreset {
        label,
        prompt,
        is_active: input.is_active.unwrap_or(true),
        sort_order: input.sort_order.unwrap_or(base.sort_order),
        updated_at: now,
        ..base
    })
}

/// A new key row for `owner` from input; the key is encrypted here.
pub fn user_key_from(input: api::UserApiKeyInput, owner: Uuid, secrets: &SecretBox, now: DateTime<Utc>) -> Result<UserApiKey> {
    let plain = text(input.api_key, 4096, ErrorCode::InvalidApiKey, "API Key")?;
    if plain.is_empty() {
        return Err(Error::validation(ErrorCode::ApiKeyRequired, "请填写 API Key"));
    }
    let provider = text(input.provider, 64, ErrorCode::InvalidProvider, "供应商")?;
    let supplier = text(input.supplier_name, 128, ErrorCode::InvalidProvider, "供应商名称")?;
    Ok(UserApiKey {
        id: Uuid::new_v4(),
        user_id: owner,
        supplier_name: if supplier.is_empty() { provider.clone() } else { supplier },
        provider,
        api_url: url(input.api_url)?,
        model_name: text(input.model_name, 128, ErrorCode::InvalidModel, "模型名称")?,
        note: text(input.note, 1000, ErrorCode::InvalidNote, "备注")?,
        media_type: media(input.media_type)?,
        protocol: Protocol::Openai,
        manifest: None,
        capabilities: json!({}),
        api_key_encrypted: secrets.encrypt(&plain),
        api_key_preview: key_preview(&plain),
        is_active: input.is_active.unwrap_or(true),
        created_at: now,
        updated_at: now,
    })
}

/// A system API from input. `existing` is the stored row on PUT: its key, manifest,
/// protocol, creation time and (unless given) sort order are kept.
pub fn system_api_from(
    input: api::SystemApiInput,
    existing: Option<&SystemApi>,
    secrets: &SecretBox,
    now: DateTime<Utc>,
) -> Result<SystemApi> {
    let name = text(input.name, 255, ErrorCode::InvalidName, "显示名称")?;
    let model_name = text(input.model_name, 255, ErrorCode::InvalidModel, "模型名称")?;
    if name.is_empty() || model_name.is_empty() {
        return Err(Error::validation(ErrorCode::NameRequired, "请填写显示名称和模型名称"));
    }
    let tiers = Tier::parse_list(&input.allowed_membership_tiers.unwrap_or_default())?;
    let media_type = media(input.media_type)?;
    let plain = input.api_key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty() && k != "********");
    if plain.as_ref().is_some_and(|k| k.len() > 4096) {
        return Err(Error::validation(ErrorCode::InvalidApiKey, "API Key 过长"));
    }
    let (api_key_encrypted, api_key_preview) = match (plain, input.clear_api_key.unwrap_or(false), existing) {
        (Some(k), _, _) => (secrets.encrypt(&k), key_preview(&k)),
        (None, true, _) | (None, false, None) => (String::new(), String::new()),
        (None, false, Some(e)) => (e.api_key_encrypted.clone(), e.api_key_preview.clone()),
    };
    let mode = input.polling_mode.as_deref().map_or(Ok(PollingMode::Sequential), PollingMode::parse)?;
    let group = text(input.model_group, 128, ErrorCode::InvalidModelGroup, "模型分组")?;
    Ok(SystemApi {
        id: existing.map_or_else(Uuid::new_v4, |e| e.id),
        provider: text(input.provider, 128, ErrorCode::InvalidProvider, "供应商")?,
        name,
        api_url: url(input.api_url)?,
        model_name,
        model_group: if group.is_empty() { "default".into() } else { group },
        note: text(input.note, 2000, ErrorCode::InvalidNote, "备注")?,
        media_type,
        protocol: existing.map_or(Protocol::Openai, |e| e.protocol),
        manifest: existing.and_then(|e| e.manifest.clone()),
        capabilities: match (input.capabilities, existing) {
            (None, Some(e)) => e.capabilities.clone(),
            (c, _) => capabilities(c)?,
        },
        api_key_encrypted,
        api_key_preview,
        pricing: pricing(
            input.billing_mode.as_deref(),
            input.credits_per_use,
            input.duration_price_per_second,
            input.input_price_per_1m,
            input.output_price_per_1m,
        )?,
        price_note: text(input.price_note, 1000, ErrorCode::InvalidPriceNote, "价格说明")?,
        allowed_tiers: normalize_tiers(&tiers),
        is_default: input.is_default.unwrap_or(true),
        is_active: input.is_active.unwrap_or(true),
        polling_mode: mode,
        polling_order: input.polling_order.unwrap_or(0),
        video_usage_modes: normalize_video_modes(&input.video_usage_modes.unwrap_or_default())?,
        sort_order: input.sort_order.or(existing.map(|e| e.sort_order)).unwrap_or(0),
        created_at: existing.map_or(now, |e| e.created_at),
        updated_at: now,
    })
}
