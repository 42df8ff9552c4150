//! `/api/admin/providers`, `/api/admin/model-recommendations` and `/api/admin/style-presets`.
use actix_web::{delete, get, post, put, web};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{
    ProviderInput, ProviderList, ProviderOne, RecommendationInput, RecommendationList, RecommendationOne, StylePresetInput,
    StylePresetList, StylePresetOne,
};
use miaojing_api_types::Success;
use miaojing_domain::provider::StylePreset;
use miaojing_domain::Error;
use miaojing_domain::ErrorCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::provider_views::{preset_from, preset_view, provider_from, provider_view, recommendation_from, recommendation_view};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_providers)
        .service(create_provider)
        .service(update_provider)
        .service(delete_provider)
        .service(list_recommendations)
        .service(create_recommendation)
        .service(update_recommendation)
        .service(delete_recommendation)
        .service(list_presets)
        .service(create_preset)
        .service(update_preset)
        .service(delete_preset);
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct IdQuery {
    #[param(required = true)]
    pub id: Option<Uuid>,
}

fn id_of(q: &IdQuery, what: &str) -> Result<Uuid, Error> {
    q.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, format!("缺少{what} ID")))
}

/// Every provider preset.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = ProviderList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/providers")]
async fn list_providers(st: web::Data<AppState>, _a: Admin) -> ApiResult<web::Json<ProviderList>> {
    Ok(web::Json(ProviderList { providers: st.store.list_providers(false).await?.into_iter().map(provider_view).collect() }))
}

/// Add a provider preset (names are unique).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = ProviderInput, responses((status = 200, body = ProviderOne), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/admin/providers")]
async fn create_provider(st: web::Data<AppState>, _a: Admin, body: web::Json<ProviderInput>) -> ApiResult<web::Json<ProviderOne>> {
    let now = Utc::now();
    let p = provider_from(body.into_inner(), Uuid::new_v4(), now, now)?;
    st.store.create_provider(p.clone()).await?;
    Ok(web::Json(ProviderOne { provider: provider_view(p) }))
}

/// Replace a provider preset.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = ProviderInput, responses((status = 200, body = ProviderOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/api/admin/providers")]
async fn update_provider(st: web::Data<AppState>, _a: Admin, body: web::Json<ProviderInput>) -> ApiResult<web::Json<ProviderOne>> {
    let id = body.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少供应商 ID 或名称"))?;
    let p = provider_from(body.into_inner(), id, Utc::now(), Utc::now())?;
    let saved = st.store.update_provider(p).await?.ok_or_else(|| Error::not_found(ErrorCode::ProviderNotFound, "供应商不存在"))?;
    Ok(web::Json(ProviderOne { provider: provider_view(saved) }))
}

/// Delete a provider preset (recommendations lose the link).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/providers")]
async fn delete_provider(st: web::Data<AppState>, _a: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    if !st.store.delete_provider(id_of(&q, "供应商")?).await? {
        return Err(Error::not_found(ErrorCode::ProviderNotFound, "供应商不存在").into());
    }
    Ok(web::Json(Success::OK))
}

/// Every recommendation.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = RecommendationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/model-recommendations")]
async fn list_recommendations(st: web::Data<AppState>, _a: Admin) -> ApiResult<web::Json<RecommendationList>> {
    let list = st.store.list_recommendations(false).await?;
    Ok(web::Json(RecommendationList { recommendations: list.into_iter().map(recommendation_view).collect() }))
}

/// Add a recommendation.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = RecommendationInput, responses((status = 200, body = RecommendationOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/admin/model-recommendations")]
async fn create_recommendation(
    st: web::Data<AppState>,
    _a: Admin,
    body: web::Json<RecommendationInput>,
) -> ApiResult<web::Json<RecommendationOne>> {
    let now = Utc::now();
    let r = recommendation_from(body.into_inner(), Uuid::new_v4(), now, now)?;
    st.store.create_recommendation(r.clone()).await?;
    Ok(web::Json(RecommendationOne { recommendation: recommendation_view(r) }))
}

/// Replace a recommendation.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = RecommendationInput, responses((status = 200, body = RecommendationOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/admin/model-recommendations")]
async fn update_recommendation(
    st: web::Data<AppState>,
    _a: Admin,
    body: web::Json<RecommendationInput>,
) -> ApiResult<web::Json<RecommendationOne>> {
    let id = body.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少推荐项 ID 或模型名称"))?;
    let r = recommendation_from(body.into_inner(), id, Utc::now(), Utc::now())?;
    let saved =
        st.store.update_recommendation(r).await?.ok_or_else(|| Error::not_found(ErrorCode::RecommendationNotFound, "推荐模型不存在"))?;
    Ok(web::Json(RecommendationOne { recommendation: recommendation_view(saved) }))
}

/// Delete a recommendation.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/model-recommendations")]
async fn delete_recommendation(st: web::Data<AppState>, _a: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    if !st.store.delete_recommendation(id_of(&q, "推荐项")?).await? {
        return Err(Error::not_found(ErrorCode::RecommendationNotFound, "推荐模型不存在").into());
    }
    Ok(web::Json(Success::OK))
}

/// Every style preset, active or not.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = StylePresetList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/style-presets")]
async fn list_presets(st: web::Data<AppState>, _a: Admin) -> ApiResult<web::Json<StylePresetList>> {
    Ok(web::Json(StylePresetList { presets: st.store.list_style_presets(false).await?.into_iter().map(preset_view).collect() }))
}

/// Add a style preset (labels are unique).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = StylePresetInput, responses((status = 200, body = StylePresetOne), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/admin/style-presets")]
async fn create_preset(st: web::Data<AppState>, _a: Admin, body: web::Json<StylePresetInput>) -> ApiResult<web::Json<StylePresetOne>> {
    let now = Utc::now();
    let base = StylePreset {
        id: Uuid::new_v4(),
        label: String::new(),
        prompt: String::new(),
        usage_count: 0,
        is_active: true,
        sort_order: 0,
        created_at: now,
        updated_at: now,
    };
    let p = preset_from(body.into_inner(), base, now)?;
    st.store.create_style_preset(p.clone()).await?;
    Ok(web::Json(StylePresetOne { preset: preset_view(p) }))
}

/// Replace a style preset's label, prompt, state or order.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = StylePresetInput, responses((status = 200, body = StylePresetOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/api/admin/style-presets")]
async fn update_preset(st: web::Data<AppState>, _a: Admin, body: web::Json<StylePresetInput>) -> ApiResult<web::Json<StylePresetOne>> {
    let id = body.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少风格 ID"))?;
    let existing = st
        .store
        .list_style_presets(false)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::not_found(ErrorCode::StylePresetNotFound, "风格不存在"))?;
    let p = preset_from(body.into_inner(), existing, Utc::now())?;
    let saved = st.store.update_style_preset(p).await?.ok_or_else(|| Error::not_found(ErrorCode::StylePresetNotFound, "风格不存在"))?;
    Ok(web::Json(StylePresetOne { preset: preset_view(saved) }))
}

/// Delete a style preset.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/style-presets")]
async fn delete_preset(st: web::Data<AppState>, _a: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    if !st.store.delete_style_preset(id_of(&q, "风格")?).await? {
        return Err(Error::not_found(ErrorCode::StylePresetNotFound, "风格不存在").into());
    }
    Ok(web::Json(Success::OK))
}
