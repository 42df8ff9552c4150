//! Health and metrics.
use std::time::Duration;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::site::{Check, Health, HealthChecks};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::metrics::MetricsAccess;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(metrics);
}

/// Database and storage reachability (503 when either fails).
#[utoipa::path(tag = "ops", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/api/health")]
async fn health(st: web::Data<AppState>) -> HttpResponse {
    let db = match tokio::time::timeout(Duration::from_secs(3), st.store.ping()).await {
        Ok(Ok(())) => Check { ok: true, message: None, kind: st.store.backend().into() },
        Ok(Err(e)) => Check { ok: false, message: Some(e.message), kind: st.store.backend().into() },
        Err(_) => Check { ok: false, message: Some("database did not answer in 3 s".into()), kind: st.store.backend().into() },
    };
    let probe = st.storage.probe(Duration::from_secs(3)).await;
    let failures: Vec<String> = [probe.local.clone().err(), probe.object.clone().and_then(Result::err)].into_iter().flatten().collect();
    let storage =
        Check { ok: probe.is_ok(), message: (!failures.is_empty()).then(|| failures.join("; ")), kind: probe.mode.as_str().into() };
    let ok = db.ok && storage.ok;
    let body = Health {
        ok,
        service: "miaojing".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        timestamp: Utc::now(),
        checks: HealthChecks { database: db, storage },
    };
    if ok { HttpResponse::Ok() } else { HttpResponse::ServiceUnavailable() }.json(body)
}

/// Prometheus metrics: requests and latency by route and status, database pool use. Needs the
/// `MIAOJING_METRICS_TOKEN` bearer token when one is configured, else a direct loopback request.
#[utoipa::path(tag = "ops", security((), ("bearer" = [])), responses(
    (status = 200, description = "Prometheus text format", content_type = "text/plain"),
    (status = 401, description = "a token is configured and was not given", body = ErrorBody),
    (status = 403, description = "no token is configured and the request is not a direct loopback one", body = ErrorBody)))]
#[get("/metrics")]
async fn metrics(st: web::Data<AppState>, access: web::Data<MetricsAccess>, req: HttpRequest) -> ApiResult<HttpResponse> {
    access.check(&req)?;
    let pool = st.store.pool_stats();
    let text = st.metrics.render(&[
        ("miaojing_db_pool_connections", "Open database connections.", pool.size as f64),
        ("miaojing_db_pool_idle", "Idle database connections.", pool.idle as f64),
        ("miaojing_db_pool_in_use", "Database connections in use.", pool.size.saturating_sub(pool.idle) as f64),
        ("miaojing_db_pool_max", "Maximum database connections.", pool.max as f64),
        ("miaojing_uptime_seconds", "Seconds since start.", st.started.elapsed().as_secs_f64()),
    ]);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").insert_header(("cache-control", "no-store")).body(text))
}
