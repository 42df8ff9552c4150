//! The console's switch of the offline demo models (see `crate::demo`).
use actix_web::{get, put, web};
use miaojing_api_types::admin::{DemoModels, DemoModelsUpdate};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::Result;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_switch).service(put_switch);
}

async fn view(st: &AppState) -> Result<DemoModels> {
    let enabled = st.models.demo_models_enabled().await?;
    let running = st.demo.is_some();
    Ok(DemoModels { enabled, running, offered: enabled && running })
}

/// Whether the demo models are on, and whether this server runs their upstream.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = DemoModels), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/demo-models")]
async fn get_switch(st: web::Data<AppState>, _admin: Admin) -> ApiResult<web::Json<DemoModels>> {
    Ok(web::Json(view(&st).await?))
}

/// Turns the demo models on or off. Off takes them out of the catalogue at once; on offers
/// them again when this server runs the demo upstream, else from the next start.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = DemoModelsUpdate, responses((status = 200, body = DemoModels), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[put("/api/admin/demo-models")]
async fn put_switch(st: web::Data<AppState>, admin: Admin, body: web::Json<DemoModelsUpdate>) -> ApiResult<web::Json<DemoModels>> {
    let upstream = st.demo.as_ref().map(|mock| mock.base_url());
    st.models.switch_demo_models(body.enabled, upstream, &admin.0.user).await?;
    st.catalog.invalidate();
    Ok(web::Json(view(&st).await?))
}
