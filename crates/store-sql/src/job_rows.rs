//! Rows of the job tables (generation jobs, model call records) and of works as domain values.
use miaojing_domain::job::{Job, JobStatus, Mode, ModelCallRecord};
use miaojing_domain::work::{GalleryItem, Work};
use miaojing_domain::Result;
use serde_json::Value;
use sqlx::types::Json;

use crate::errors::bad_data;
use crate::row::ReadRow;

/// A JSON column (TEXT on SQLite, JSONB on PostgreSQL).
fn json_col(row: &impl ReadRow, name: &str) -> Result<Value> {
    Ok(row.col::<Json<Value>>(name)?.0)
}

/// The columns of `generation_jobs`, unqualified (for `RETURNING`).
pub const JOB_RETURNING: &str = "id, user_id, mode, model, channel, params, client_request_id, status, attempt, \
     lease_owner, lease_expires_at, heartbeat_at, upstream_task_id, next_poll_at, deadline_at, hold_id, \
     estimated_cost, actual_cost, error_code, error_message, result, created_at, started_at, finished_at, updated_at";

/// The columns of `generation_jobs` (alias `j`).
pub const JOB_COLUMNS: &str = "j.id, j.user_id, j.mode, j.model, j.channel, j.params, j.client_request_id, j.status, j.attempt, \
     j.lease_owner, j.lease_expires_at, j.heartbeat_at, j.upstream_task_id, j.next_poll_at, j.deadline_at, j.hold_id, \
     j.estimated_cost, j.actual_cost, j.error_code, j.error_message, j.result, j.created_at, j.started_at, j.finished_at, \
     j.updated_at";

/// A `generation_jobs` row.
pub fn job(row: &impl ReadRow) -> Result<Job> {
    let mode: String = row.col("mode")?;
    let status: String = row.col("status")?;
    Ok(Job {
        id: row.col("id")?,
        user_id: row.col("user_id")?,
        mode: Mode::parse(&mode).map_err(|_| bad_data("mode", &mode))?,
        model: row.col("model")?,
        channel: row.col("channel")?,
        params: json_col(row, "params")?,
        client_request_id: row.col("client_request_id")?,
        status: JobStatus::parse(&status).map_err(|_| bad_data("job status", &status))?,
        attempt: row.col("attempt")?,
        lease_owner: row.col("lease_owner")?,
        lease_expires_at: row.col("lease_expires_at")?,
        heartbeat_at: row.col("heartbeat_at")?,
        upstream_task_id: row.col("upstream_task_id")?,
        next_poll_at: row.col("next_poll_at")?,
        deadline_at: row.col("deadline_at")?,
        hold_id: row.col("hold_id")?,
        estimated_cost: row.col("estimated_cost")?,
        actual_cost: row.col("actual_cost")?,
        error_code: row.col("error_code")?,
        error_message: row.col("error_message")?,
        result: json_col(row, "result")?,
        created_at: row.col("created_at")?,
        started_at: row.col("started_at")?,
        finished_at: row.col("finished_at")?,
        updated_at: row.col("updated_at")?,
    })
}

/// A `model_call_records` row.
pub fn call_record(row: &impl ReadRow) -> Result<ModelCallRecord> {
    Ok(ModelCallRecord {
        id: row.col("id")?,
        user_id: row.col("user_id")?,
        job_id: row.col("job_id")?,
        source: row.col("source")?,
        operation: row.col("operation")?,
        model: row.col("model")?,
        channel: row.col("channel")?,
        status: row.col("status")?,
        credits_cost: row.col("credits_cost")?,
        result_count: row.col("result_count")?,
        duration_ms: row.col("duration_ms")?,
        error: row.col("error")?,
        metadata: json_col(row, "metadata")?,
        created_at: row.col("created_at")?,
        started_at: row.col("started_at")?,
        finished_at: row.col("finished_at")?,
    })
}

/// The columns of `works` (alias `w`).
pub const WORK_COLUMNS: &str = "w.id, w.user_id, w.job_id, w.mode, w.prompt, w.negative_prompt, w.params, w.original_key, \
     w.thumbnail_key, w.width, w.height, w.duration_secs, w.model, w.credits_cost, w.is_public, w.published_at, \
     w.like_count, w.created_at, w.title, w.gallery_key, w.gallery_thumbnail_key";

/// A `works` row.
pub fn work(row: &impl ReadRow) -> Result<Work> {
    let mode: String = row.col("mode")?;
    Ok(Work {
        id: row.col("id")?,
        user_id: row.col("user_id")?,
        job_id: row.col("job_id")?,
        mode: Mode::parse(&mode).map_err(|_| bad_data("mode", &mode))?,
        prompt: row.col("prompt")?,
        negative_prompt: row.col("negative_prompt")?,
        params: json_col(row, "params")?,
        original_key: row.col("original_key")?,
        thumbnail_key: row.col("thumbnail_key")?,
        width: row.col("width")?,
        height: row.col("height")?,
        duration_secs: row.col("duration_secs")?,
        model: row.col("model")?,
        credits_cost: row.col("credits_cost")?,
        is_public: row.col("is_public")?,
        published_at: row.col("published_at")?,
        like_count: row.col("like_count")?,
        created_at: row.col("created_at")?,
        title: row.col("title")?,
        gallery_key: row.col("gallery_key")?,
        gallery_thumbnail_key: row.col("gallery_thumbnail_key")?,
    })
}

/// A work with its author and whether the viewer liked it.
pub fn gallery_item(row: &impl ReadRow) -> Result<GalleryItem> {
    Ok(GalleryItem {
        work: work(row)?,
        author_nickname: row.col("author_nickname")?,
        author_avatar_url: row.col("author_avatar_url")?,
        author_email: row.col("author_email")?,
        liked: row.col("liked")?,
    })
}
