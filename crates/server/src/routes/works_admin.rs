//! Admin: generation jobs, model call records, the moderation list and prompt edits (take-downs
//! and deletions are in [`super::moderation`]).
use actix_web::{delete, get, post, put, web};
use chrono::{DateTime, Utc};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::works::{
    AdminGalleryPage, AdminJob, AdminJobs, Deleted, GalleryWork, HistoryPage, ModelCall, ModelCalls, PromptEdit,
};
use miaojing_domain::job::{CallFilter, JobRow, ModelCallRecord};
use miaojing_domain::PageRequest;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::routes::clean_query;
use crate::routes::works::{category_modes, gallery_work, history_page, HistoryQuery};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_jobs)
        .service(cleanup_jobs)
        .service(cancel_job)
        .service(delete_job)
        .service(user_works)
        .service(model_calls)
        .service(gallery_works)
        .service(edit_prompt);
}

fn admin_job(r: &JobRow) -> AdminJob {
    let j = &r.job;
    AdminJob {
        id: j.id,
        user_id: j.user_id,
        user_email: r.user_email.clone(),
        user_nickname: r.user_nickname.clone(),
        mode: j.mode,
        model: j.model.clone(),
        status: j.status,
        attempt: j.attempt,
        estimated_cost: j.estimated_cost,
        actual_cost: j.actual_cost,
        error: j.error_message.clone(),
        created_at: j.created_at,
        started_at: j.started_at,
        finished_at: j.finished_at,
        updated_at: j.updated_at,
    }
}

fn model_call(r: &ModelCallRecord) -> ModelCall {
    ModelCall {
        id: r.id,
        user_id: r.user_id,
        generation_job_id: r.job_id,
        source: r.source.clone(),
        operation: r.operation.clone(),
        model_name: r.model.clone(),
        provider: r.channel.clone(),
        status: r.status.clone(),
        credits_cost: r.credits_cost,
        result_count: r.result_count,
        duration_ms: r.duration_ms,
        error: r.error.clone(),
        metadata: r.metadata.clone(),
        created_at: r.created_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}

/// Admin job filter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct JobsQuery {
    /// A job status, or `all` (the default).
    #[param(value_type = Option<miaojing_api_types::vocab::JobStatusFilter>)]
    pub status: Option<String>,
    /// A user id, or a substring of their e-mail, username or nickname.
    #[serde(alias = "userSearch")]
    pub user: Option<String>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// Jobs of every user, newest first.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(JobsQuery), responses((status = 200, body = AdminJobs), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/generation-jobs")]
async fn list_jobs(st: web::Data<AppState>, _admin: Admin, q: web::Query<JobsQuery>) -> ApiResult<web::Json<AdminJobs>> {
    let q = q.into_inner();
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let rows = st.job_admin.jobs(clean_query(q.status, 16).as_deref(), clean_query(q.user, 100), page).await?;
    Ok(web::Json(AdminJobs {
        jobs: rows.items.iter().map(admin_job).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
        total_pages: page.total_pages(rows.total),
    }))
}

/// Cleanup of finished jobs.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CleanupQuery {
    /// `failed` (default), `succeeded` or `cancelled`.
    #[param(value_type = Option<miaojing_api_types::vocab::FinishedStatus>)]
    pub status: Option<String>,
    /// 0–3650, default 7.
    #[serde(rename = "olderThanDays")]
    #[param(rename = "olderThanDays")]
    #[param(minimum = 0, maximum = 3650)]
    pub older_than_days: Option<i64>,
}

/// Deletes finished jobs older than the given days (never queued or running ones).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(CleanupQuery), responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[delete("/api/admin/generation-jobs")]
async fn cleanup_jobs(st: web::Data<AppState>, admin: Admin, q: web::Query<CleanupQuery>) -> ApiResult<web::Json<Deleted>> {
    let status = clean_query(q.status.clone(), 16);
    let deleted = st.job_admin.clean_up(&admin.0.user, status.as_deref(), q.older_than_days).await?;
    Ok(web::Json(Deleted { success: true, deleted }))
}

/// Cancels a queued or running job: its hold is released in the same compare-and-set, the
/// upstream task is cancelled where the protocol allows, and the runner holding it drops the
/// upstream request (at once on this instance, at its next heartbeat elsewhere).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(("id" = Uuid, Path)), responses((status = 200, body = AdminJob), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/admin/generation-jobs/{id}/cancel")]
async fn cancel_job(st: web::Data<AppState>, admin: Admin, id: web::Path<Uuid>) -> ApiResult<web::Json<AdminJob>> {
    Ok(web::Json(admin_job(&st.job_admin.cancel(&admin.0.user, id.into_inner()).await?)))
}

/// Deletes one finished job. A queued or running job is refused with 409 `job_active`
/// (cancel it first, which releases its hold); the job's model call record is kept.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(("id" = Uuid, Path)), responses((status = 200, body = Deleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/api/admin/generation-jobs/{id}")]
async fn delete_job(st: web::Data<AppState>, admin: Admin, id: web::Path<Uuid>) -> ApiResult<web::Json<Deleted>> {
    st.job_admin.delete(&admin.0.user, id.into_inner()).await?;
    Ok(web::Json(Deleted { success: true, deleted: 1 }))
}

/// Whose works, and which page.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UserWorksQuery {
    #[serde(rename = "userId")]
    #[param(rename = "userId")]
    pub user_id: Option<Uuid>,
    /// `text2img`, `img2img`, `text2video`, `img2video` or `reverse-prompt`.
    #[param(value_type = Option<miaojing_api_types::vocab::Mode>)]
    pub mode: Option<String>,
    /// 1–100, default 30.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// One user's works, private ones included, newest first (keyset pages as in the history).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(UserWorksQuery), responses((status = 200, body = HistoryPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/admin/users/works")]
async fn user_works(st: web::Data<AppState>, _admin: Admin, q: web::Query<UserWorksQuery>) -> ApiResult<web::Json<HistoryPage>> {
    let q = q.into_inner();
    let request = HistoryQuery { mode: q.mode, limit: q.limit, cursor: q.cursor }.request();
    Ok(web::Json(history_page(st.works.user_history(q.user_id, &request).await?)))
}

/// Model call record filter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CallsQuery {
    pub status: Option<String>,
    pub source: Option<String>,
    pub operation: Option<String>,
    /// A user id.
    pub user: Option<Uuid>,
    /// Model, provider or operation substring.
    #[serde(alias = "model")]
    pub keyword: Option<String>,
    #[serde(rename = "startTime")]
    #[param(rename = "startTime")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(rename = "endTime")]
    #[param(rename = "endTime")]
    pub end_time: Option<DateTime<Utc>>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// Model call records, newest first.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(CallsQuery), responses((status = 200, body = ModelCalls), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/model-call-records")]
async fn model_calls(st: web::Data<AppState>, _admin: Admin, q: web::Query<CallsQuery>) -> ApiResult<web::Json<ModelCalls>> {
    let q = q.into_inner();
    let filter = CallFilter {
        status: clean_query(q.status, 64),
        source: clean_query(q.source, 64),
        operation: clean_query(q.operation, 64),
        user_id: q.user,
        keyword: clean_query(q.keyword, 100),
        since: q.start_time,
        until: q.end_time,
    };
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let rows = st.job_admin.model_calls(filter, page).await?;
    Ok(web::Json(ModelCalls {
        records: rows.items.iter().map(model_call).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
        total_pages: page.total_pages(rows.total),
    }))
}

/// Moderation list filter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ModerationQuery {
    #[serde(alias = "search")]
    pub q: Option<String>,
    /// `all`, `image`, `video` or a mode.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize", alias = "limit")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// Public works with their authors' e-mail, newest first.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(ModerationQuery), responses((status = 200, body = AdminGalleryPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/gallery/works")]
async fn gallery_works(st: web::Data<AppState>, _admin: Admin, q: web::Query<ModerationQuery>) -> ApiResult<web::Json<AdminGalleryPage>> {
    let q = q.into_inner();
    let modes = category_modes(q.kind)?;
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let search = clean_query(q.q, 100);
    let rows = st.works.admin_gallery(search.as_deref(), &modes, page).await?;
    Ok(web::Json(AdminGalleryPage {
        works: rows.items.iter().map(gallery_work).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
        total_pages: page.total_pages(rows.total),
    }))
}

/// Replaces a public work's prompt after notifying its author by e-mail. The mail goes first;
/// when it fails nothing is saved. The log keeps who, what and why, not the prompt text.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = PromptEdit, responses((status = 200, body = GalleryWork), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "`email_disabled`/`email_not_configured`", body = ErrorBody), (status = 502, body = ErrorBody)))]
#[put("/api/admin/gallery/prompt")]
async fn edit_prompt(st: web::Data<AppState>, admin: Admin, body: web::Json<PromptEdit>) -> ApiResult<web::Json<GalleryWork>> {
    Ok(web::Json(gallery_work(&st.works.edit_prompt(&admin.0.user, body.into_inner()).await?)))
}
