//! Site configuration, visit statistics and announcements.
use actix_web::{delete, get, post, put, web, HttpResponse};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::site::{Announcement, AnnouncementInput, Created, SiteConfig, SiteConfigUpdate, SiteStats};
use miaojing_api_types::Success;
use miaojing_domain::announcement::Announcement as DomainAnnouncement;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::{Admin, MaybeAuthed};
use crate::routes::IdQuery;
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
    Ok(web::Json(st.site.update_by_admin(&admin.0.user, body.into_inner()).await?))
}

/// Total visits.
#[utoipa::path(tag = "site", responses((status = 200, body = SiteStats)))]
#[get("/api/site-stats")]
async fn get_site_stats(st: web::Data<AppState>) -> ApiResult<web::Json<SiteStats>> {
    Ok(web::Json(SiteStats { total_visits: st.site.visits().await? }))
}

/// Count a visit.
#[utoipa::path(tag = "site", responses((status = 200, body = SiteStats)))]
#[post("/api/site-stats")]
async fn post_site_stats(st: web::Data<AppState>) -> ApiResult<web::Json<SiteStats>> {
    Ok(web::Json(SiteStats { total_visits: st.site.count_visit().await? }))
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
    let rows = st.site.announcements(me.0.as_ref().map(|u| &u.user), all).await?;
    Ok(web::Json(rows.into_iter().map(view).collect()))
}

/// Create an announcement (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", request_body = AnnouncementInput, responses((status = 200, body = Created), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/announcements")]
async fn create_announcement(st: web::Data<AppState>, admin: Admin, body: web::Json<AnnouncementInput>) -> ApiResult<web::Json<Created>> {
    let id = st.site.create_announcement(&admin.0.user, body.into_inner()).await?;
    Ok(web::Json(Created { id, success: true }))
}

/// Change an announcement (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", request_body = AnnouncementInput, responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/announcements")]
async fn update_announcement(st: web::Data<AppState>, _admin: Admin, body: web::Json<AnnouncementInput>) -> ApiResult<web::Json<Success>> {
    st.site.update_announcement(body.into_inner()).await?;
    Ok(web::Json(Success::OK))
}

/// Delete an announcement (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/announcements")]
async fn delete_announcement(st: web::Data<AppState>, _admin: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    st.site.delete_announcement(q.id).await?;
    Ok(web::Json(Success::OK))
}
