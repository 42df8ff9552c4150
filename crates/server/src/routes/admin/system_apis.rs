//! `/api/admin/system-apis`: platform models, their pricing and their channel health.
use miaojing_domain::ErrorCode;
use std::collections::HashMap;

use actix_web::{delete, get, post, put, web};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{
    ChannelHealthList, ChannelHealthView, PricingInput, SystemApiInput, SystemApiList, SystemApiOne, SystemSmartImportInput,
    SystemSmartImportResult,
};
use miaojing_api_types::Success;
use miaojing_domain::provider::{normalize_tiers, ChannelEvent};
use miaojing_domain::user::Tier;
use miaojing_domain::Error;
use miaojing_providers::import;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::channels::{self, SystemImportDefaults};
use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::provider_views::{health_view, pricing, system_api_from, system_api_view, text, HEALTH_POLICY};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(update)
        .service(remove)
        .service(set_pricing)
        .service(health)
        .service(probe)
        .service(smart_import);
}

fn missing() -> Error {
    Error::not_found(ErrorCode::SystemApiNotFound, "系统 API 不存在")
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Default true.
    pub include_inactive: Option<bool>,
}

/// Every system API by display name and sort order.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(ListQuery), responses((status = 200, body = SystemApiList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/system-apis")]
async fn list(st: web::Data<AppState>, _admin: Admin, q: web::Query<ListQuery>) -> ApiResult<web::Json<SystemApiList>> {
    let apis = st.store.list_system_apis(q.include_inactive.unwrap_or(true)).await?;
    Ok(web::Json(SystemApiList { apis: apis.into_iter().map(system_api_view).collect() }))
}

/// Add a platform model (the key is stored encrypted; only a preview is returned).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = SystemApiInput, responses((status = 200, body = SystemApiOne), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/admin/system-apis")]
async fn create(st: web::Data<AppState>, _admin: Admin, body: web::Json<SystemApiInput>) -> ApiResult<web::Json<SystemApiOne>> {
    let api = system_api_from(body.into_inner(), None, &st.secrets, Utc::now())?;
    let saved = st.store.insert_system_apis(vec![api]).await?.remove(0);
    Ok(web::Json(SystemApiOne { api: system_api_view(saved) }))
}

/// Replace a platform model (see `SystemApiInput` for the key rules). The polling mode is
/// shared with every row of the same display name.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = SystemApiInput, responses((status = 200, body = SystemApiOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/admin/system-apis")]
async fn update(st: web::Data<AppState>, _admin: Admin, body: web::Json<SystemApiInput>) -> ApiResult<web::Json<SystemApiOne>> {
    let id = body.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少 API ID、显示名称或模型名称"))?;
    let existing = st.store.system_api(id).await?.ok_or_else(missing)?;
    let api = system_api_from(body.into_inner(), Some(&existing), &st.secrets, Utc::now())?;
    let saved = st.store.update_system_api(api).await?.ok_or_else(missing)?;
    Ok(web::Json(SystemApiOne { api: system_api_view(saved) }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct IdQuery {
    #[param(required = true)]
    pub id: Option<Uuid>,
}

/// Delete a platform model.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/system-apis")]
async fn remove(st: web::Data<AppState>, _admin: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    let id = q.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少 API ID"))?;
    if !st.store.delete_system_api(id).await? {
        return Err(missing().into());
    }
    Ok(web::Json(Success::OK))
}

/// Change only the price of a platform model.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = PricingInput, responses((status = 200, body = SystemApiOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/admin/system-apis/{id}/pricing")]
async fn set_pricing(
    st: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<Uuid>,
    body: web::Json<PricingInput>,
) -> ApiResult<web::Json<SystemApiOne>> {
    let mut api = st.store.system_api(path.into_inner()).await?.ok_or_else(missing)?;
    let b = body.into_inner();
    api.pricing =
        pricing(Some(&b.billing_mode), b.credits_per_use, b.duration_price_per_second, b.input_price_per_1m, b.output_price_per_1m)?;
    if b.price_note.is_some() {
        api.price_note = text(b.price_note, 1000, ErrorCode::InvalidPriceNote, "价格说明")?;
    }
    api.updated_at = Utc::now();
    let saved = st.store.update_system_api(api).await?.ok_or_else(missing)?;
    Ok(web::Json(SystemApiOne { api: system_api_view(saved) }))
}

/// Health of every channel: errors in the sliding window, freeze, last error and probe.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = ChannelHealthList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/system-apis/health")]
async fn health(st: web::Data<AppState>, _admin: Admin) -> ApiResult<web::Json<ChannelHealthList>> {
    let now = Utc::now();
    let apis = st.store.list_system_apis(true).await?;
    let by_id: HashMap<Uuid, _> = st.store.list_channel_health().await?.into_iter().map(|h| (h.channel_id, h)).collect();
    let channels = apis.iter().map(|a| health_view(a, by_id.get(&a.id), now)).collect();
    Ok(web::Json(ChannelHealthList { channels }))
}

/// Re-test a channel now: a healthy answer lifts its freeze.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = ChannelHealthView), (status = 404, body = ErrorBody)))]
#[post("/api/admin/system-apis/{id}/probe")]
async fn probe(st: web::Data<AppState>, _admin: Admin, path: web::Path<Uuid>) -> ApiResult<web::Json<ChannelHealthView>> {
    let api = st.store.system_api(path.into_inner()).await?.ok_or_else(missing)?;
    let key = if api.api_key_encrypted.is_empty() { Ok(String::new()) } else { st.secrets.decrypt(&api.api_key_encrypted) };
    let outcome = match key {
        Err(_) => Err("API 密钥无法解密".to_string()),
        Ok(k) if k.is_empty() => Err("未填写 API Key".to_string()),
        Ok(k) => match channels::channel_for(api.protocol, &api.api_url, &api.model_name, api.media_type, api.manifest.as_ref(), &k) {
            Ok(ch) => channels::test_connection(&st.outbound, &ch).await.map(|_| ()).map_err(|e| e.message),
            Err(e) => Err(e.message),
        },
    };
    let event = ChannelEvent::Probe { ok: outcome.is_ok(), error: outcome.err() };
    let now = Utc::now();
    let h = st.store.record_channel_event(api.id, event, now, &HEALTH_POLICY).await?;
    Ok(web::Json(health_view(&api, Some(&h), now)))
}

/// Most rows one import may create.
const MAX_IMPORT: usize = 50;

/// Import a Manifest bundle (or one provider) as platform models: one active, fixed-price row
/// per profile with its own stored Manifest and capabilities, all or nothing.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = SystemSmartImportInput, responses((status = 200, body = SystemSmartImportResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/admin/system-apis/smart-import")]
async fn smart_import(
    st: web::Data<AppState>,
    _admin: Admin,
    body: web::Json<SystemSmartImportInput>,
) -> ApiResult<web::Json<SystemSmartImportResult>> {
    let b = body.into_inner();
    let out = import::parse(b.config_text.as_deref().unwrap_or_default())?;
    if out.channels.len() > MAX_IMPORT {
        return Err(Error::validation(ErrorCode::InvalidBatch, format!("一次最多导入 {MAX_IMPORT} 个配置")).into());
    }
    let tiers = Tier::parse_list(&b.allowed_membership_tiers.unwrap_or_default())?;
    let defaults = SystemImportDefaults {
        allowed_tiers: normalize_tiers(&tiers),
        is_default: b.is_default.unwrap_or(true),
        credits_per_use: b.credits_per_use.unwrap_or(10),
    };
    let rows = channels::imported_system_apis(&out, &defaults, &st.secrets, Utc::now())?;
    let apis: Vec<_> = st.store.insert_system_apis(rows).await?.into_iter().map(system_api_view).collect();
    let message = format!("已导入 {} 个系统 API 配置，请编辑后填写 API Key 和定价", apis.len());
    Ok(web::Json(SystemSmartImportResult { success: true, apis, message }))
}
