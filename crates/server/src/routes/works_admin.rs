//! Admin: generation jobs, model call records, the moderation list and prompt edits (take-downs
//! and deletions are in [`super::moderation`]).
use actix_web::{delete, get, post, put, web};
use chrono::{DateTime, Duration, Utc};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::works::{
    AdminGalleryPage, AdminJob, AdminJobs, Deleted, GalleryWork, HistoryPage, ModelCall, ModelCalls, PromptEdit,
};
use miaojing_domain::job::{CallFilter, Finisher, JobFilter, JobRow, JobStatus, ModelCallRecord, Outcome};
use miaojing_domain::log::LogEntry;
use miaojing_domain::vocab::JobStatusFilter;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, PageRequest};
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
    let status = clean_query(q.status, 16).map(|s| JobStatusFilter::parse(&s)).transpose()?.and_then(JobStatusFilter::status);
    let user = clean_query(q.user, 100);
    let user_id = user.as_deref().and_then(|u| Uuid::try_parse(u).ok());
    let filter = JobFilter { status, user_id, user_search: if user_id.is_some() { None } else { user } };
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let rows = st.store.list_jobs(&filter, page).await?;
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
    let status = JobStatus::parse(clean_query(q.status.clone(), 16).as_deref().unwrap_or("failed"))?;
    if !status.is_terminal() {
        return Err(Error::validation(ErrorCode::InvalidStatus, "只允许清理失败、已完成或已取消任务").into());
    }
    let days = q.older_than_days.unwrap_or(7);
    if !(0..=3650).contains(&days) {
        return Err(Error::validation(ErrorCode::InvalidDays, "天数必须在 0 到 3650 之间").into());
    }
    let deleted = st.store.delete_finished_jobs(status, Utc::now() - Duration::days(days)).await?;
    let log = LogEntry::new("admin", "warning", "generation_jobs_cleanup", "管理员清理生成任务")
        .by(&admin.0.user)
        .meta(serde_json::json!({ "status": status.as_str(), "olderThanDays": days, "deleted": deleted }));
    let _ = st.store.insert_log(log).await;
    Ok(web::Json(Deleted { success: true, deleted }))
}

/// Cancels a queued or running job: its hold is released in the same compare-and-set, the
/// upstream task is cancelled where the protocol allows, and the runner holding it drops the
/// upstream request (at once on this instance, at its next heartbeat elsewhere).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(("id" = Uuid, Path)), responses((status = 200, body = AdminJob), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/admin/generation-jobs/{id}/cancel")]
async fn cancel_job(st: web::Data<AppState>, admin: Admin, id: web::Path<Uuid>) -> ApiResult<web::Json<AdminJob>> {
    let id = id.into_inner();
    let done = st.store.finish_job(id, Finisher::Any, Outcome::Cancelled, Utc::now()).await?;
    let Some(job) = done else {
        return Err(match st.store.job_by_id(id).await? {
            Some(_) => Error::conflict(ErrorCode::JobFinished, "任务已结束"),
            None => Error::not_found(ErrorCode::JobNotFound, "任务不存在"),
        }
        .into());
    };
    st.jobs.cancelled(&job);
    let log =
        LogEntry::new("admin", "info", "generation_job_cancelled", "管理员取消生成任务").by(&admin.0.user).target("generation_job", id);
    let _ = st.store.insert_log(log).await;
    let owner = st.store.user_by_id(job.user_id).await?;
    Ok(web::Json(admin_job(&JobRow {
        user_email: owner.as_ref().map(|u| u.email.clone()).unwrap_or_default(),
        user_nickname: owner.map(|u| u.display_nickname).unwrap_or_default(),
        job,
    })))
}

/// Deletes one finished job. A queued or running job is refused with 409 `job_active`
/// (cancel it first, which releases its hold); the job's model call record is kept.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(("id" = Uuid, Path)), responses((status = 200, body = Deleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/api/admin/generation-jobs/{id}")]
async fn delete_job(st: web::Data<AppState>, admin: Admin, id: web::Path<Uuid>) -> ApiResult<web::Json<Deleted>> {
    let id = id.into_inner();
    if !st.store.delete_finished_job(id).await? {
        return Err(match st.store.job_by_id(id).await? {
            Some(_) => Error::conflict(ErrorCode::JobActive, "任务仍在排队或运行中，请先取消"),
            None => Error::not_found(ErrorCode::JobNotFound, "任务不存在"),
        }
        .into());
    }
    let log =
        LogEntry::new("admin", "warning", "generation_job_deleted", "管理员删除生成任务").by(&admin.0.user).target("generation_job", id);
    let _ = st.store.insert_log(log).await;
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

fn one_of(v: Option<String>, allowed: &[&str], code: impl Into<&'static str>, message: &'static str) -> Result<Option<String>, Error> {
    match clean_query(v, 64) {
        None => Ok(None),
        Some(s) if s == "all" => Ok(None),
        Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
        Some(_) => Err(Error::validation(code, message)),
    }
}

/// Model call records, newest first.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(CallsQuery), responses((status = 200, body = ModelCalls), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/model-call-records")]
async fn model_calls(st: web::Data<AppState>, _admin: Admin, q: web::Query<CallsQuery>) -> ApiResult<web::Json<ModelCalls>> {
    let q = q.into_inner();
    let statuses: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
    let filter = CallFilter {
        status: one_of(q.status, &statuses, ErrorCode::InvalidStatus, "调用状态无效")?,
        source: one_of(q.source, &["generation-job", "suggest-prompt", "reverse-prompt"], ErrorCode::InvalidSource, "调用来源无效")?,
        operation: clean_query(q.operation, 64),
        user_id: q.user,
        keyword: clean_query(q.keyword, 100),
        since: q.start_time,
        until: q.end_time,
    };
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let rows = st.store.list_model_calls(&filter, page).await?;
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
