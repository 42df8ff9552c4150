//! Admin platform logs and their retention.
use actix_web::{get, put, web};
use chrono::{DateTime, Utc};
use miaojing_api_types::admin::{LogSettings, LogSettingsResponse, LogSettingsUpdate, PlatformLog, PlatformLogList};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::log::{LogEntry, LogFilter};
use miaojing_domain::PageRequest;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::routes::clean_query;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_logs).service(update_settings);
}

/// Filters for the log list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LogQuery {
    /// auth, generation, admin, database, storage, security or system.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<miaojing_api_types::vocab::LogType>)]
    pub kind: Option<String>,
    /// info, warning or error.
    #[param(value_type = Option<miaojing_api_types::vocab::LogLevel>)]
    pub level: Option<String>,
    /// Substring of the user's id, name or e-mail.
    pub user: Option<String>,
    /// Substring of action, message or target.
    pub keyword: Option<String>,
    #[serde(rename = "startTime")]
    #[param(rename = "startTime")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(rename = "endTime")]
    #[param(rename = "endTime")]
    pub end_time: Option<DateTime<Utc>>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize", alias = "limit")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// A log row on the wire.
pub(super) fn view(e: LogEntry) -> PlatformLog {
    PlatformLog {
        id: e.id,
        kind: e.kind,
        level: e.level,
        action: e.action,
        message: e.message,
        user_id: e.user_id,
        user_name: e.user_name,
        user_email: e.user_email,
        target_type: e.target_type,
        target_id: e.target_id,
        ip_address: e.ip_address,
        metadata: e.metadata,
        created_at: e.created_at,
    }
}

/// List logs, newest first (expired ones are purged first).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(LogQuery), responses((status = 200, body = PlatformLogList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/logs")]
async fn list_logs(st: web::Data<AppState>, _admin: Admin, q: web::Query<LogQuery>) -> ApiResult<web::Json<PlatformLogList>> {
    let q = q.into_inner();
    let filter = LogFilter {
        kind: clean_query(q.kind, 32),
        level: clean_query(q.level, 16),
        user: clean_query(q.user, 100),
        keyword: clean_query(q.keyword, 100),
        start: q.start_time,
        end: q.end_time,
    };
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let (rows, retention) = st.site.logs(&filter, page).await?;
    Ok(web::Json(PlatformLogList {
        total: rows.total,
        logs: rows.items.into_iter().map(view).collect(),
        page: page.page,
        page_size: page.size,
        total_pages: page.total_pages(rows.total),
        settings: LogSettings { retention_days: retention },
    }))
}

/// Set the retention (1–90 days) and purge older logs at once.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = LogSettingsUpdate, responses((status = 200, body = LogSettingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[put("/api/admin/logs")]
async fn update_settings(
    st: web::Data<AppState>,
    admin: Admin,
    body: web::Json<LogSettingsUpdate>,
) -> ApiResult<web::Json<LogSettingsResponse>> {
    let (days, deleted) = st.site.set_log_retention_by_admin(&admin.0.user, body.retention_days).await?;
    Ok(web::Json(LogSettingsResponse { success: true, settings: LogSettings { retention_days: days }, deleted: deleted as i64 }))
}
