//! The catalogue's start-up data: the built-in style presets, and the offline demo models (one
//! image, one video and one text model, free, clearly labelled) served by the demo upstream the
//! server runs in demo mode.
//!
//! Whether the demo models are offered is one switch (the `demo_models` setting, changed in the
//! console). Never set, it is decided at the first start: on when no platform model exists yet
//! (a fresh install following the README), off otherwise; it is then stored, so adding a real
//! model does not remove the demo models behind the admin's back — the switch does (decision 31).
use chrono::Utc;
use miaojing_domain::log::LogEntry;
use miaojing_domain::provider::{normalize_tiers, MediaType, PollingMode, Pricing, Protocol, StylePreset, SystemApi};
use miaojing_domain::user::User;
use miaojing_domain::{Result, Store};
use miaojing_providers::secrets::SecretBox;
use serde_json::json;
use uuid::Uuid;

use crate::CatalogService;
/// Display names of the demo models.
pub const DEMO_IMAGE: &str = "Demo 图像模型 (demo)";
pub const DEMO_VIDEO: &str = "Demo 视频模型 (demo)";
pub const DEMO_TEXT: &str = "Demo 文本模型 (demo)";
/// The setting holding the switch: `{"enabled": bool}`.
pub const SWITCH_KEY: &str = "demo_models";
/// Model group that marks demo rows.
pub const DEMO_GROUP: &str = "demo";

/// Built-in style labels with the English style they ask for.
const STYLES: &[(&str, &str)] = &[
    ("写实照片", "photorealistic photography"),
    ("动漫插画", "anime illustration"),
    ("水彩", "watercolor painting"),
    ("油画", "oil painting"),
    ("赛博朋克", "cyberpunk neon"),
    ("国风水墨", "Chinese ink wash"),
    ("像素艺术", "pixel art"),
    ("3D 渲染", "3D render"),
    ("电影感", "cinematic still"),
    ("极简主义", "minimalist design"),
    ("蒸汽波", "vaporwave"),
    ("手绘素描", "pencil sketch"),
];

/// Inserts the built-in style presets that are not stored yet.
pub async fn seed_catalog(store: &dyn Store) -> Result<u64> {
    let now = Utc::now();
    let presets = STYLES
        .iter()
        .enumerate()
        .map(|(i, (label, style))| StylePreset {
            id: Uuid::new_v4(),
            label: label.to_string(),
            prompt: format!("Apply a {style} visual style; keep the subject and composition, no text or watermark."),
            usage_count: 0,
            is_active: true,
            sort_order: (i as i32 + 1) * 10,
            created_at: now,
            updated_at: now,
        })
        .collect();
    store.seed_style_presets(presets).await
}

fn demo_row(name: &str, model: &str, media_type: MediaType, base_url: &str, secrets: &SecretBox) -> SystemApi {
    let now = Utc::now();
    let capabilities = match media_type {
        MediaType::Video => json!({"durations": ["5", "10"], "aspectRatios": ["16:9", "9:16", "1:1"]}),
        MediaType::Image => json!({"aspectRatios": ["1:1", "16:9", "9:16", "4:3", "3:4"], "outputFormats": ["png", "jpeg", "webp"]}),
        MediaType::Text => json!({}),
    };
    let video_usage_modes = if media_type == MediaType::Video { vec!["text-to-video".into(), "image-to-video".into()] } else { Vec::new() };
    SystemApi {
        id: Uuid::new_v4(),
        provider: "MiaoJing demo".into(),
        name: name.into(),
        api_url: format!("{base_url}/v1"),
        model_name: model.into(),
        model_group: DEMO_GROUP.into(),
        note: "演示模式：本机模拟上游，生成内容为示例图像/视频/文字".into(),
        media_type,
        protocol: Protocol::Openai,
        manifest: None,
        capabilities,
        api_key_encrypted: secrets.encrypt("sk-demo"),
        api_key_preview: "***demo".into(),
        pricing: Pricing::Free,
        price_note: "demo".into(),
        allowed_tiers: normalize_tiers(&[]),
        is_default: true,
        is_active: true,
        polling_mode: PollingMode::Sequential,
        polling_order: 0,
        video_usage_modes,
        sort_order: 0,
        created_at: now,
        updated_at: now,
    }
}

/// Registers the demo models (active), or points the existing ones at this run's mock upstream.
pub async fn register_models(store: &dyn Store, secrets: &SecretBox, base_url: &str) -> Result<()> {
    let existing = store.list_system_apis(true).await?;
    let wanted = [
        (DEMO_IMAGE, "gpt-image-2", MediaType::Image),
        (DEMO_VIDEO, "mock-video-1", MediaType::Video),
        (DEMO_TEXT, "gpt-4o-mini", MediaType::Text),
    ];
    let mut new = Vec::new();
    for (name, model, media) in wanted {
        let row = demo_row(name, model, media, base_url, secrets);
        match existing.iter().find(|a| a.model_group == DEMO_GROUP && a.name == name) {
            Some(old) => {
                let updated = SystemApi { id: old.id, sort_order: old.sort_order, created_at: old.created_at, ..row };
                store.update_system_api(updated).await?;
            }
            None => new.push(row),
        }
    }
    if !new.is_empty() {
        store.insert_system_apis(new).await?;
    }
    Ok(())
}

/// Takes the demo models out of the catalogue (deactivated, kept for a later switch-on);
/// returns how many were active.
pub async fn retire_models(store: &dyn Store) -> Result<usize> {
    let active: Vec<SystemApi> =
        store.list_system_apis(false).await?.into_iter().filter(|a| a.model_group == DEMO_GROUP && a.is_active).collect();
    for api in &active {
        store.update_system_api(SystemApi { is_active: false, updated_at: Utc::now(), ..api.clone() }).await?;
    }
    Ok(active.len())
}

/// The stored switch, if it was ever set.
pub async fn switch(store: &dyn Store) -> Result<Option<bool>> {
    Ok(store.get_setting(SWITCH_KEY).await?.and_then(|v| v.get("enabled").and_then(serde_json::Value::as_bool)))
}

/// Stores the switch.
pub async fn set_switch(store: &dyn Store, enabled: bool) -> Result<()> {
    store.put_setting(SWITCH_KEY, &json!({ "enabled": enabled })).await
}

/// Whether this start runs the demo models: `force` (`MIAOJING_DEMO`) turns the switch on; an
/// unset switch is decided now when `when_empty` (on exactly when no platform model exists
/// yet) and stored; otherwise the stored switch decides (unset and not `when_empty`: off).
/// A build without demo mode (`built_in` false) runs them only when forced (and then fails to
/// start).
pub async fn decide_at_start(store: &dyn Store, built_in: bool, force: bool, when_empty: bool) -> Result<bool> {
    if !built_in {
        return Ok(force);
    }
    let enabled = match (force, switch(store).await?) {
        (true, _) => true,
        (false, Some(stored)) => return Ok(stored),
        (false, None) if !when_empty => return Ok(false),
        (false, None) => store.list_system_apis(true).await?.iter().all(|a| a.model_group == DEMO_GROUP),
    };
    set_switch(store, enabled).await?;
    Ok(enabled)
}

impl CatalogService {
    /// The admin's switch: stores it, then offers the demo models again (pointed at `upstream`,
    /// the demo upstream this server runs, if any; else from the next start) or takes them out
    /// of the catalogue at once, and logs who did it.
    pub async fn switch_demo_models(&self, enabled: bool, upstream: Option<&str>, admin: &User) -> Result<()> {
        let store = self.store.as_ref();
        set_switch(store, enabled).await?;
        match (upstream, enabled) {
            (Some(base_url), true) => register_models(store, &self.secrets, base_url).await?,
            (_, false) => {
                retire_models(store).await?;
            }
            (None, true) => {}
        }
        let (action, message) = if enabled {
            ("demo_models_enabled", "管理员开启演示模型")
        } else {
            ("demo_models_disabled", "管理员关闭演示模型")
        };
        let _ = store.insert_log(LogEntry::new("admin", "info", action, message).by(admin)).await;
        Ok(())
    }

    /// The stored switch (unset reads as off).
    pub async fn demo_models_enabled(&self) -> Result<bool> {
        Ok(switch(self.store.as_ref()).await?.unwrap_or(false))
    }
}
