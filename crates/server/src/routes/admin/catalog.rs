//! `/api/admin/providers`, `/api/admin/model-recommendations` and `/api/admin/style-presets`.
use actix_web::{delete, get, post, put, web};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{
    ProviderInput, ProviderList, ProviderOne, RecommendationInput, RecommendationList, RecommendationOne, StylePresetInput,
    StylePresetList, StylePresetOne,
};
use miaojing_api_types::Success;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::provider_views::{preset_view, provider_view, recommendation_view};
use crate::routes::IdQuery;
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

/// Every provider preset.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = ProviderList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/providers")]
async fn list_providers(st: web::Data<AppState>, _a: Admin) -> ApiResult<web::Json<ProviderList>> {
    Ok(web::Json(ProviderList { providers: st.models.providers().await?.into_iter().map(provider_view).collect() }))
}

/// Add a provider preset (names are unique).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = ProviderInput, responses((status = 200, body = ProviderOne), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/admin/providers")]
async fn create_provider(st: web::Data<AppState>, _a: Admin, body: web::Json<ProviderInput>) -> ApiResult<web::Json<ProviderOne>> {
    let p = st.models.create_provider(body.into_inner()).await?;
    Ok(web::Json(ProviderOne { provider: provider_view(p) }))
}

/// Replace a provider preset.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = ProviderInput, responses((status = 200, body = ProviderOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/api/admin/providers")]
async fn update_provider(st: web::Data<AppState>, _a: Admin, body: web::Json<ProviderInput>) -> ApiResult<web::Json<ProviderOne>> {
    let saved = st.models.update_provider(body.into_inner()).await?;
    Ok(web::Json(ProviderOne { provider: provider_view(saved) }))
}

/// Delete a provider preset (recommendations lose the link).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/providers")]
async fn delete_provider(st: web::Data<AppState>, _a: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    st.models.delete_provider(q.id).await?;
    Ok(web::Json(Success::OK))
}

/// Every recommendation.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = RecommendationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/model-recommendations")]
async fn list_recommendations(st: web::Data<AppState>, _a: Admin) -> ApiResult<web::Json<RecommendationList>> {
    let list = st.models.recommendations().await?;
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
    let r = st.models.create_recommendation(body.into_inner()).await?;
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
    let saved = st.models.update_recommendation(body.into_inner()).await?;
    Ok(web::Json(RecommendationOne { recommendation: recommendation_view(saved) }))
}

/// Delete a recommendation.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/model-recommendations")]
async fn delete_recommendation(st: web::Data<AppState>, _a: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    st.models.delete_recommendation(q.id).await?;
    Ok(web::Json(Success::OK))
}

/// Every style preset, active or not.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = StylePresetList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/style-presets")]
async fn list_presets(st: web::Data<AppState>, _a: Admin) -> ApiResult<web::Json<StylePresetList>> {
    Ok(web::Json(StylePresetList { presets: st.models.style_presets(false).await?.into_iter().map(preset_view).collect() }))
}

/// Add a style preset (labels are unique).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = StylePresetInput, responses((status = 200, body = StylePresetOne), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/admin/style-presets")]
async fn create_preset(st: web::Data<AppState>, _a: Admin, body: web::Json<StylePresetInput>) -> ApiResult<web::Json<StylePresetOne>> {
    let p = st.models.create_style_preset(body.into_inner()).await?;
    Ok(web::Json(StylePresetOne { preset: preset_view(p) }))
}

/// Replace a style preset's label, prompt, state or order.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = StylePresetInput, responses((status = 200, body = StylePresetOne), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/api/admin/style-presets")]
async fn update_preset(st: web::Data<AppState>, _a: Admin, body: web::Json<StylePresetInput>) -> ApiResult<web::Json<StylePresetOne>> {
    let saved = st.models.update_style_preset(body.into_inner()).await?;
    Ok(web::Json(StylePresetOne { preset: preset_view(saved) }))
}

/// Delete a style preset.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/admin/style-presets")]
async fn delete_preset(st: web::Data<AppState>, _a: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    st.models.delete_style_preset(q.id).await?;
    Ok(web::Json(Success::OK))
}
