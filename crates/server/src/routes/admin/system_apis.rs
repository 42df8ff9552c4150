//! `/api/admin/system-apis`: platform models, their pricing and their channel health.
use actix_web::{delete, get, post, put, web};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{
    ChannelHealthList, ChannelHealthView, PricingInput, SystemApiInput, SystemApiList, SystemApiOne, SystemSmartImportInput,
    SystemSmartImportResult,
};
use miaojing_api_types::Success;
use miaojing_catalog::check_import_size;
use miaojing_domain::provider::{normalize_tiers, SystemApi};
use miaojing_domain::user::Tier;
use miaojing_providers::import;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::channels::{self, SystemImportDefaults};
use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::provider_views::{health_view, system_api_view};
use crate::routes::IdQuery;
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
    let apis = st.models.system_apis(q.include_inactive.unwrap_or(true)).await?;
    Ok(web::Json(SystemApiList { apis: apis.into_iter().map(system_api_view).collect() }))
}

/// Add a platform model (the key is stored encrypted; only a preview is returned).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = SystemApiInput, responses((status = 200, body = SystemApiOne), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/admin/system-apis")]
async fn create(st: web::Data<AppState>, _admin: Admin, body: web::Json<SystemApiInput>) -> ApiResult<web::Json<SystemApiOne>> {
    let saved = st.models.create_system_api(body.into_inner()).await?;
    Ok(web::Json(SystemApiOne { api: system_api_view(saved) }))
}

/// Replace a platform model (see `SystemApiInput` for the key rules). The polling mode is
/// shared with every row of the same display name.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = SystemApiInput, responses((status = 200, body = SystemApiOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/admin/system-apis")]
async fn update(st: web::Data<AppState>, _admin: Admin, body: web::Json<SystemApiInput>) -> ApiResult<web::Json<SystemApiOne>> {
    let saved = st.models.update_system_api(body.into_inner()).await?;
    Ok(web::Json(SystemApiOne { api: system_api_view(saved) }))
}

/// Delete a platform model.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/system-apis")]
async fn remove(st: web::Data<AppState>, _admin: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    st.models.delete_system_api(q.id).await?;
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
    let saved = st.models.set_pricing(path.into_inner(), body.into_inner()).await?;
    Ok(web::Json(SystemApiOne { api: system_api_view(saved) }))
}

/// Health of every channel: errors in the sliding window, freeze, last error and probe.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = ChannelHealthList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/system-apis/health")]
async fn health(st: web::Data<AppState>, _admin: Admin) -> ApiResult<web::Json<ChannelHealthList>> {
    let now = Utc::now();
    let channels = st.models.channel_health().await?.iter().map(|(a, h)| health_view(a, h.as_ref(), now)).collect();
    Ok(web::Json(ChannelHealthList { channels }))
}

/// Re-test a channel now: a healthy answer lifts its freeze.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = ChannelHealthView), (status = 404, body = ErrorBody)))]
#[post("/api/admin/system-apis/{id}/probe")]
async fn probe(st: web::Data<AppState>, _admin: Admin, path: web::Path<Uuid>) -> ApiResult<web::Json<ChannelHealthView>> {
    let outbound = st.outbound.clone();
    let test = |api: SystemApi, key: String| async move {
        match channels::channel_for(api.protocol, &api.api_url, &api.model_name, api.media_type, api.manifest.as_ref(), &key) {
            Ok(ch) => channels::test_connection(&outbound, &ch).await.map(|_| ()).map_err(|e| e.message),
            Err(e) => Err(e.message),
        }
    };
    let done = st.models.probe(path.into_inner(), test).await?;
    Ok(web::Json(health_view(&done.api, Some(&done.health), done.at)))
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
    check_import_size(out.channels.len(), MAX_IMPORT)?;
    let tiers = Tier::parse_list(&b.allowed_membership_tiers.unwrap_or_default())?;
    let defaults = SystemImportDefaults {
        allowed_tiers: normalize_tiers(&tiers),
        is_default: b.is_default.unwrap_or(true),
        credits_per_use: b.credits_per_use.unwrap_or(10),
    };
    let rows = channels::imported_system_apis(&out, &defaults, &st.secrets, Utc::now())?;
    let apis: Vec<_> = st.models.import_system_apis(rows).await?.into_iter().map(system_api_view).collect();
    let message = format!("已导入 {} 个系统 API 配置，请编辑后填写 API Key 和定价", apis.len());
    Ok(web::Json(SystemSmartImportResult { success: true, apis, message }))
}
