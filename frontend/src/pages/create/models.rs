//! The model picker's choices (platform models with prices first, then the user's own keys)
//! and the capability lists that decide which controls the form shows.
use miaojing_api_types::generation::ModelChoice as JobModel;
use miaojing_api_types::providers::{ModelConfig, PlatformModel, UserApiKeyView};
use serde_json::Value;
use uuid::Uuid;

use super::mode::{Mode, ModeView};
use crate::i18n::{I18n, K};

/// A model the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelChoice {
    /// `system:<id>` or `custom:<id>`.
    pub value: String,
    pub label: String,
    pub price: Option<String>,
    pub capabilities: Value,
}

fn price_text(m: &PlatformModel, i18n: I18n) -> String {
    match m.price.billing_mode.as_str() {
        "fixed" => format!("{} {}", m.price.credits_per_use, i18n.t(K::CreditsPerUse)),
        "duration" => format!("{} {}", m.price.duration_price_per_second, i18n.t(K::CreditsPerSecond)),
        "token" => i18n.t(K::PricePerToken).to_string(),
        _ => i18n.t(K::PriceFree).to_string(),
    }
}

/// Platform models of the mode's type first, then the user's active keys of that type.
pub fn model_choices(cfg: &ModelConfig, mode: Mode, i18n: I18n) -> Vec<ModelChoice> {
    let media = mode.media();
    let system = cfg.system_apis.iter().filter(|m| m.media_type == media).filter(|m| match mode.video_usage() {
        Some(u) => m.video_usage_modes.is_empty() || m.video_usage_modes.iter().any(|x| x == u),
        None => true,
    });
    let system = system.map(|m| ModelChoice {
        value: format!("system:{}", m.id),
        label: if m.name.is_empty() { m.model_name.clone() } else { m.name.clone() },
        price: Some(price_text(m, i18n)),
        capabilities: m.capabilities.clone(),
    });
    let custom = cfg.user_keys.iter().filter(|k| k.is_active && k.media_type == media).map(|k: &UserApiKeyView| {
        let head = if k.note.trim().is_empty() { &k.supplier_name } else { &k.note };
        ModelChoice {
            value: format!("custom:{}", k.id),
            label: if k.model_name.is_empty() { head.clone() } else { format!("{head} / {}", k.model_name) },
            price: None,
            capabilities: k.capabilities.clone(),
        }
    });
    system.chain(custom).collect()
}

/// A capability list (`["1:1", ...]`, numbers become text), empty when not declared.
pub fn cap_list(caps: &Value, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| caps.get(*n))
        .filter_map(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string()))).collect::<Vec<_>>())
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// The job's model choice from a picker value (`system:<id>` or `custom:<id>`).
pub fn job_model(value: &str) -> Option<JobModel> {
    let (kind, id) = value.split_once(':')?;
    let id = Uuid::parse_str(id).ok()?;
    match kind {
        "system" => Some(JobModel { system_api_id: Some(id), ..Default::default() }),
        "custom" => Some(JobModel { custom_api_key_id: Some(id), ..Default::default() }),
        _ => None,
    }
}

/// The chosen value when it is one of `opts`, else the first option (none when no options).
pub fn pick(value: &str, opts: &[String]) -> Option<String> {
    opts.iter().find(|o| *o == value).or(opts.first()).cloned()
}
