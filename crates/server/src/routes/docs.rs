//! The OpenAPI document and a readable, offline documentation page.
use actix_web::{get, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(openapi_json).service(docs_page);
}

/// The OpenAPI 3.1 document of this server.
#[utoipa::path(tag = "ops", responses((status = 200, description = "OpenAPI document", content_type = "application/json")))]
#[get("/api/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").insert_header(("cache-control", "no-cache")).body(crate::openapi::spec_json())
}

/// Human-readable API documentation (self-contained, no external assets).
#[utoipa::path(tag = "ops", responses((status = 200, description = "HTML page", content_type = "text/html")))]
#[get("/api/docs")]
async fn docs_page() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").insert_header(("cache-control", "no-cache")).body(include_str!("docs.html"))
}
