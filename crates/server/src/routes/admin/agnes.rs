//! `/api/admin/system-apis/agnes-capabilities`: the built-in Agnes AI templates and their
//! installer. Installing adds the missing template rows (free, inactive, no key) and refreshes
//! the Manifest and capabilities of rows installed before, keeping their key, URL, price and
//! switches (the original deleted them, losing the keys admins had entered).
use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{AgnesCatalog, AgnesInstallInput, AgnesInstallResult, BuiltinTemplateView};
use miaojing_domain::provider::{normalize_tiers, MediaType, PollingMode, Pricing, Protocol, SystemApi};
use miaojing_domain::user::Tier;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result};
use miaojing_providers::builtin::{self, Template, AGNES_BASE_URL, AGNES_PROVIDER};
use miaojing_providers::channel;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::channels::{self, SystemImportDefaults, KEY_TO_FILL};
use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::provider_views::system_api_view;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(catalog).service(install);
}

const KINDS: [channel::MediaType; 3] = [channel::MediaType::Image, channel::MediaType::Video, channel::MediaType::Text];

/// Capabilities of each template of one kind, in template order.
fn template_capabilities(kind: channel::MediaType) -> Vec<serde_json::Value> {
    match builtin::agnes_import(kind, AGNES_BASE_URL) {
        Some(out) => out.channels.iter().map(|c| serde_json::to_value(&c.capabilities).unwrap_or_default()).collect(),
        None => builtin::agnes_templates(kind).iter().map(|_| serde_json::json!({})).collect(),
    }
}

fn views(kind: channel::MediaType) -> Vec<BuiltinTemplateView> {
    builtin::agnes_templates(kind)
        .into_iter()
        .zip(template_capabilities(kind))
        .map(|(t, capabilities)| BuiltinTemplateView {
            name: t.name.into(),
            model_name: t.model.into(),
            media_type: kind,
            model_group: t.model_group().into(),
            description: t.description.into(),
            capabilities,
        })
        .collect()
}

fn catalog_body() -> AgnesCatalog {
    AgnesCatalog {
        success: true,
        capabilities_text: builtin::agnes_capabilities_text(),
        image_templates: views(channel::MediaType::Image),
        video_templates: views(channel::MediaType::Video),
        text_templates: views(channel::MediaType::Text),
    }
}

/// The built-in Agnes AI templates: image, video and text models with their capabilities.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = AgnesCatalog), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/system-apis/agnes-capabilities")]
async fn catalog(_admin: Admin) -> web::Json<AgnesCatalog> {
    web::Json(catalog_body())
}

/// Template rows of one kind as they would be newly installed (free, inactive, no key).
fn fresh_rows(kind: channel::MediaType, tiers: &[Tier], is_default: bool, st: &AppState, now: DateTime<Utc>) -> Result<Vec<SystemApi>> {
    let templates = builtin::agnes_templates(kind);
    let mut rows = match builtin::agnes_import(kind, AGNES_BASE_URL) {
        Some(out) => {
            let defaults = SystemImportDefaults { allowed_tiers: tiers.to_vec(), is_default, credits_per_use: 0 };
            channels::imported_system_apis(&out, &defaults, &st.secrets, now)?
        }
        None => templates.iter().map(|t| text_row(t, tiers, is_default, now)).collect(),
    };
    for (row, t) in rows.iter_mut().zip(&templates) {
        row.name = t.name.into();
        row.model_group = t.model_group().into();
        row.note = t.description.into();
        row.pricing = Pricing::Free;
        row.price_note = "Agnes AI 内置免费模型，填写 API Key 后启用".into();
        row.is_active = false;
    }
    Ok(rows)
}

fn text_row(t: &Template, tiers: &[Tier], is_default: bool, now: DateTime<Utc>) -> SystemApi {
    SystemApi {
        id: Uuid::new_v4(),
        provider: AGNES_PROVIDER.into(),
        name: t.name.into(),
        api_url: t.chat_url(),
        model_name: t.model.into(),
        model_group: t.model_group().into(),
        note: String::new(),
        media_type: MediaType::Text,
        protocol: Protocol::Openai,
        manifest: None,
        capabilities: serde_json::json!({}),
        api_key_encrypted: String::new(),
        api_key_preview: KEY_TO_FILL.into(),
        pricing: Pricing::Free,
        price_note: String::new(),
        allowed_tiers: tiers.to_vec(),
        is_default,
        is_active: false,
        polling_mode: PollingMode::Sequential,
        polling_order: 0,
        video_usage_modes: Vec::new(),
        sort_order: 0,
        created_at: now,
        updated_at: now,
    }
}

/// Installs the selected template kinds: adds missing rows and refreshes installed ones.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = AgnesInstallInput, responses((status = 200, body = AgnesInstallResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/admin/system-apis/agnes-capabilities")]
async fn install(st: web::Data<AppState>, _admin: Admin, body: web::Json<AgnesInstallInput>) -> ApiResult<web::Json<AgnesInstallResult>> {
    let b = body.into_inner();
    let flags = [b.sync_image_models, b.sync_video_models, b.sync_text_models].map(|f| f.unwrap_or(false));
    if !flags.contains(&true) {
        return Err(Error::validation(ErrorCode::NoTemplateSelected, "请至少选择一类要安装的 Agnes 模型").into());
    }
    let tiers = Tier::parse_list(&b.allowed_membership_tiers.unwrap_or_default())?;
    let tiers = normalize_tiers(&tiers);
    let now = Utc::now();
    let mut fresh = Vec::new();
    for (kind, _) in KINDS.iter().zip(flags).filter(|(_, on)| *on) {
        fresh.extend(fresh_rows(*kind, &tiers, b.is_default.unwrap_or(true), &st, now)?);
    }
    let imported = st.models.install_templates(fresh, now).await?;
    let message = format!("已安装 {} 个 Agnes AI 内置免费模型模板。请逐个编辑模型填写 API Key，然后启用给用户使用。", imported.len());
    Ok(web::Json(AgnesInstallResult {
        catalog: catalog_body(),
        imported_apis: imported.into_iter().map(system_api_view).collect(),
        message,
    }))
}
