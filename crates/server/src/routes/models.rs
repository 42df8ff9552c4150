//! What a signed-in user may create with, and the image style presets.
use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{ModelConfig, StylePresetList};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::provider_views::preset_view;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(model_config).service(style_presets);
}

/// The models the caller may use: active providers and recommendations, the platform models
/// their tier allows (one per media type and display name, with capabilities and price) and
/// their own keys. One store round of four reads on a single connection.
#[utoipa::path(security(("bearer" = [])), tag = "models", responses((status = 200, body = ModelConfig), (status = 401, body = ErrorBody)))]
#[get("/api/model-config")]
async fn model_config(st: web::Data<AppState>, me: Authed) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let tier = me.0.user.effective_tier(now);
    let (platform, keys) = futures_util::try_join!(st.catalog.get(&st.models), st.catalog.user_keys_json(&st.models, me.0.user.id))?;
    let body = platform
        .answer_json(tier, &keys)
        .ok_or_else(|| miaojing_domain::Error::internal("model-config: the platform catalogue could not be serialised"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "private, no-store, max-age=0, must-revalidate"))
        .insert_header(("pragma", "no-cache"))
        .insert_header(("vary", "Authorization, Cookie"))
        .content_type("application/json")
        .body(body))
}

/// Active style presets, most used first.
#[utoipa::path(tag = "models", responses((status = 200, body = StylePresetList)))]
#[get("/api/style-presets")]
async fn style_presets(st: web::Data<AppState>) -> ApiResult<web::Json<StylePresetList>> {
    let presets = st.models.style_presets(true).await?;
    Ok(web::Json(StylePresetList { presets: presets.into_iter().map(preset_view).collect() }))
}
