//! Start-up data: the built-in style presets, and demo mode (an in-process mock upstream with
//! one demo image model and one demo video model, free, clearly labelled).
use chrono::Utc;
use miaojing_domain::provider::{normalize_tiers, MediaType, PollingMode, Pricing, Protocol, StylePreset, SystemApi};
use miaojing_domain::{Result, Store};
use miaojing_mock_upstream::{MockConfig, MockHandle};
use miaojing_providers::secrets::SecretBox;
use serde_json::json;
use uuid::Uuid;

/// Display names of the demo models.
pub const DEMO_IMAGE: &str = "Demo 图像模型 (demo)";
pub const DEMO_VIDEO: &str = "Demo 视频模型 (demo)";
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

/// Starts the mock upstream on a free loopback port.
pub async fn start_mock() -> anyhow::Result<MockHandle> {
    miaojing_mock_upstream::try_start(MockConfig::default()).await.map_err(|e| anyhow::anyhow!("demo mock upstream: {e}"))
}

fn demo_row(name: &str, model: &str, media_type: MediaType, base_url: &str, secrets: &SecretBox) -> SystemApi {
    let now = Utc::now();
    let capabilities = match media_type {
        MediaType::Video => json!({"durations": ["5", "10"], "aspectRatios": ["16:9", "9:16", "1:1"]}),
        _ => json!({"aspectRatios": ["1:1", "16:9", "9:16", "4:3", "3:4"], "outputFormats": ["png", "jpeg", "webp"]}),
    };
    SystemApi {
        id: Uuid::new_v4(),
        provider: "MiaoJing demo".into(),
        name: name.into(),
        api_url: format!("{base_url}/v1"),
        model_name: model.into(),
        model_group: DEMO_GROUP.into(),
        note: "演示模式：本机模拟上游，生成内容为示例图像/视频".into(),
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
        video_usage_modes: vec!["text-to-video".into(), "image-to-video".into()],
        sort_order: 0,
        created_at: now,
        updated_at: now,
    }
}

/// Registers the two demo models, or points the existing ones at this run's mock upstream.
pub async fn register_models(store: &dyn Store, secrets: &SecretBox, base_url: &str) -> Result<()> {
    let existing = store.list_system_apis(true).await?;
    let wanted = [(DEMO_IMAGE, "gpt-image-2", MediaType::Image), (DEMO_VIDEO, "mock-video-1", MediaType::Video)];
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
