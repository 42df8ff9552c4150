//! Admin dashboard figures.
use actix_web::{get, web};
use miaojing_api_types::admin::{
    AdminStats, Dashboard, DashboardAnnouncements, DashboardCalls, DashboardCredits, DashboardPlatform, DashboardSystem, DashboardUsers,
    DashboardWorks, JobStateCount, ModelCallStats,
};
use miaojing_api_types::error::ErrorBody;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::state::AppState;

fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(dashboard).service(stats);
}

/// Users, works, jobs by state, credits, model calls per model, announcements, health and
/// the newest logs at a glance (aggregate queries; nothing is paged through).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/dashboard")]
async fn dashboard(st: web::Data<AppState>, _admin: Admin) -> ApiResult<web::Json<Dashboard>> {
    let o = st.site.overview().await?;
    let (now, s, activity, announcements) = (o.now, o.stats, o.activity, o.announcements);
    let count = |f: &dyn Fn(&miaojing_domain::announcement::Announcement) -> bool| announcements.iter().filter(|a| f(a)).count() as i64;
    Ok(web::Json(Dashboard {
        generated_at: now,
        platform: DashboardPlatform {
            total_visits: o.total_visits,
            database: o.database.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        users: DashboardUsers {
            total: s.users_total,
            active: s.users_active,
            disabled: s.users_total - s.users_active,
            admins: s.admins,
            members: s.members,
            created_7d: s.users_recent,
        },
        credits: DashboardCredits { issued: s.credits_issued, spent: s.credits_spent },
        announcements: DashboardAnnouncements {
            total: announcements.len() as i64,
            active: count(&|a| a.is_visible_at(now)),
            scheduled: count(&|a| a.is_active && a.starts_at.is_some_and(|t| t > now)),
            expired: count(&|a| a.expires_at.is_some_and(|t| t <= now)),
        },
        system: DashboardSystem {
            database_health: o.database_health,
            storage_health: o.storage_health,
            storage_backend: "local".into(),
            logs_total: s.logs_total,
            logs_errors: s.logs_errors,
            logs_created_7d: s.logs_recent,
        },
        works: DashboardWorks { total: s.works_total, public: s.works_public },
        jobs: activity.jobs_by_status.iter().map(|(status, count)| JobStateCount { status: *status, count: *count }).collect(),
        model_calls: DashboardCalls {
            window_days: o.window_days,
            total: activity.calls_total,
            failed: activity.calls_failed,
            error_rate: rate(activity.calls_failed, activity.calls_total),
            models: activity
                .models
                .into_iter()
                .map(|m| ModelCallStats {
                    error_rate: rate(m.failed, m.calls),
                    model: m.model,
                    calls: m.calls,
                    failed: m.failed,
                    credits: m.credits,
                })
                .collect(),
        },
        recent_logs: o.recent_logs.into_iter().map(super::logs::view).collect(),
    }))
}

/// Visits and the number of non-admin accounts.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = AdminStats), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/stats")]
async fn stats(st: web::Data<AppState>, _admin: Admin) -> ApiResult<web::Json<AdminStats>> {
    let (total_visits, total_users) = st.site.admin_stats().await?;
    Ok(web::Json(AdminStats { total_visits, total_users }))
}
