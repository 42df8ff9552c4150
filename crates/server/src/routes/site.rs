//! Site configuration, visit statistics and announcements.
use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::site::{Announcement, AnnouncementInput, Created, SiteConfig, SiteConfigUpdate, SiteStats};
use miaojing_api_types::Success;
use miaojing_domain::announcement::{Announcement as DomainAnnouncement, AnnouncementPatch};
use miaojing_domain::log::LogEntry;
use miaojing_domain::Error;
use miaojing_domain::ErrorCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::{Admin, MaybeAuthed};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_site_config)
        .service(put_site_config)
        .service(get_site_stats)
        .service(post_site_stats)
        .service(list_announcements)
        .service(create_announcement)
        .service(update_announcement)
        .service(delete_announcement);
}

/// The public site configuration.
#[utoipa::path(tag = "site", responses((status = 200, body = SiteConfig)))]
#[get("/api/site-config")]
async fn get_site_config(st: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let cfg = st.site.config().await?;
    Ok(HttpResponse::Ok().insert_header(("cache-control", "no-cache")).json(cfg))
}

/// Change the site configuration (admin). Unknown fields are refused.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", request_body = SiteConfigUpdate, responses((status = 200, body = SiteConfig), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[put("/api/site-config")]
async fn put_site_config(st: web::Data<AppState>, admin: Admin, body: web::Json<SiteConfigUpdate>) -> ApiResult<web::Json<SiteConfig>> {
    let retention = body.log_retention_days;
    let (cfg, changed) = st.site.update(body.into_inner()).await?;
    if let Some(days) = retention {
        st.site.purge_logs(days).await?;
    }
    let _ = st
        .store
        .insert_log(
            LogEntry::new("admin", "info", "site_config_updated", "管理员修改站点配置")
                .by(&admin.0.user)
                .meta(serde_json::json!({ "fields": changed })),
        )
        .await;
    Ok(web::Json(cfg))
}

/// Total visits.
#[utoipa::path(tag = "site", responses((status = 200, body = SiteStats)))]
#[get("/api/site-stats")]
async fn get_site_stats(st: web::Data<AppState>) -> ApiResult<web::Json<SiteStats>> {
    Ok(web::Json(SiteStats { total_visits: st.store.visits().await? }))
}

/// Count a visit.
#[utoipa::path(tag = "site", responses((status = 200, body = SiteStats)))]
#[post("/api/site-stats")]
async fn post_site_stats(st: web::Data<AppState>) -> ApiResult<web::Json<SiteStats>> {
    Ok(web::Json(SiteStats { total_visits: st.store.increment_visits().await? }))
}

/// `scope=all` (admins only) lists every announcement; otherwise only those visible now.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AnnouncementQuery {
    pub scope: Option<String>,
}

fn view(a: DomainAnnouncement) -> Announcement {
    Announcement {
        id: a.id,
        title: a.title,
        content: a.content,
        kind: a.kind,
        is_active: a.is_active,
        enabled: a.is_active,
        popup: a.popup,
        starts_at: a.starts_at,
        expires_at: a.expires_at,
        start_date: a.starts_at,
        end_date: a.expires_at,
        created_by: a.created_by,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// Announcements, newest first: those visible now, or all of them for an admin with `scope=all`.
#[utoipa::path(security((), ("bearer" = [])), tag = "site", params(AnnouncementQuery), responses((status = 200, body = Vec<Announcement>), (status = 403, body = ErrorBody)))]
#[get("/api/announcements")]
async fn list_announcements(
    st: web::Data<AppState>,
    me: MaybeAuthed,
    q: web::Query<AnnouncementQuery>,
) -> ApiResult<web::Json<Vec<Announcement>>> {
    let all = q.scope.as_deref() == Some("all");
    if all && !me.0.as_ref().is_some_and(|u| u.user.role.is_admin()) {
        return Err(Error::forbidden(ErrorCode::AdminRequired, "无管理员权限").into());
    }
    let rows = st.store.list_announcements((!all).then(Utc::now)).await?;
    Ok(web::Json(rows.into_iter().map(view).collect()))
}

fn check_fields(title: Option<&str>, content: Option<&str>) -> Result<(), Error> {
    if title.is_some_and(|t| t.trim().is_empty() || t.chars().count() > 255) {
        return Err(Error::validation(ErrorCode::InvalidTitle, "公告标题不能为空且最多 255 个字符"));
    }
    if content.is_some_and(|c| c.trim().is_empty() || c.chars().count() > 20_000) {
        return Err(Error::validation(ErrorCode::InvalidContent, "公告内容不能为空且最多 20000 个字符"));
    }
    Ok(())
}

fn check_window(start: Option<chrono::DateTime<Utc>>, end: Option<chrono::DateTime<Utc>>) -> Result<(), Error> {
    match (start, end) {
        (Some(s), Some(e)) if e <= s => Err(Error::validation(ErrorCode::InvalidWindow, "结束时间必须晚于开始时间")),
        _ => Ok(()),
    }
}

/// Create an announcement (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", request_body = AnnouncementInput, responses((status = 200, body = Created), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/announcements")]
async fn create_announcement(st: web::Data<AppState>, admin: Admin, body: web::Json<AnnouncementInput>) -> ApiResult<web::Json<Created>> {
    let b = body.into_inner();
    let (Some(title), Some(content)) = (b.title.clone(), b.content.clone()) else {
        return Err(Error::validation(ErrorCode::MissingFields, "请填写公告标题和内容").into());
    };
    check_fields(Some(&title), Some(&content))?;
    check_window(b.start_date, b.end_date)?;
    let now = Utc::now();
    let a = DomainAnnouncement {
        id: Uuid::new_v4(),
        title: title.trim().to_string(),
        content,
        kind: "site".into(),
        is_active: b.enabled.unwrap_or(true),
        popup: b.popup.unwrap_or(false),
        starts_at: b.start_date,
        expires_at: b.end_date,
        created_by: Some(admin.0.user.id),
        created_at: now,
        updated_at: now,
    };
    let id = a.id;
    st.store.create_announcement(a).await?;
    Ok(web::Json(Created { id, success: true }))
}

/// Change an announcement (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", request_body = AnnouncementInput, responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/announcements")]
async fn update_announcement(st: web::Data<AppState>, _admin: Admin, body: web::Json<AnnouncementInput>) -> ApiResult<web::Json<Success>> {
    let b = body.into_inner();
    let id = b.id.ok_or_else(|| Error::validation(ErrorCode::MissingId, "缺少公告ID"))?;
    check_fields(b.title.as_deref(), b.content.as_deref())?;
    check_window(b.start_date, b.end_date)?;
    let patch = AnnouncementPatch {
        title: b.title.map(|t| t.trim().to_string()),
        content: b.content,
        is_active: b.enabled,
        popup: b.popup,
        starts_at: b.start_date.map(Some),
        expires_at: b.end_date.map(Some),
    };
    st.store
        .update_announcement(id, patch, Utc::now())
        .await?
        .ok_or_else(|| Error::not_found(ErrorCode::AnnouncementNotFound, "公告不存在"))?;
    Ok(web::Json(Success::OK))
}

/// `?id=` of the announcement.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IdQuery {
    #[param(required = true)]
    pub id: Option<Uuid>,
}

/// Delete an announcement (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/announcements")]
async fn delete_announcement(st: web::Data<AppState>, _admin: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    let id = q.id.ok_or_else(|| Error::validation(ErrorCode::MissingId, "缺少公告ID"))?;
    if !st.store.delete_announcement(id).await? {
        return Err(Error::not_found(ErrorCode::AnnouncementNotFound, "公告不存在").into());
    }
    Ok(web::Json(Success::OK))
}
