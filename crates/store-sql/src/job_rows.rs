//! Rows of the job tables (generation jobs, model call records) and of works as domain values.
use miaojing_domain::job::{Job, JobStatus, Mode, ModelCallRecord};
use miaojing_domain::work::{GalleryItem, Work};
use miaojing_domain::Result;
use serde_json::Value;
use sqlx::types::Json;

use crate::errors::bad_data;
use crate::read_row;
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
    read_row!(row => Job {
        id, user_id, model, channel, client_request_id, attempt, lease_owner, lease_expires_at, heartbeat_at,
        upstream_task_id, next_poll_at, deadline_at, hold_id, estimated_cost, actual_cost, error_code,
        error_message, created_at, started_at, finished_at, updated_at;
        mode: Mode::parse(&mode).map_err(|_| bad_data("mode", &mode))?,
        params: json_col(row, "params")?,
        status: JobStatus::parse(&status).map_err(|_| bad_data("job status", &status))?,
        result: json_col(row, "result")?,
    })
}

/// A `model_call_records` row.
pub fn call_record(row: &impl ReadRow) -> Result<ModelCallRecord> {
    read_row!(row => ModelCallRecord {
        id, user_id, job_id, source, operation, model, channel, status, credits_cost, result_count,
        duration_ms, error, created_at, started_at, finished_at;
        metadata: json_col(row, "metadata")?,
    })
}

/// The columns of `works` (alias `w`).
pub const WORK_COLUMNS: &str = "w.id, w.user_id, w.job_id, w.mode, w.prompt, w.negative_prompt, w.params, w.original_key, \
     w.thumbnail_key, w.width, w.height, w.duration_secs, w.model, w.credits_cost, w.is_public, w.published_at, \
     w.like_count, w.created_at, w.title, w.gallery_key, w.gallery_thumbnail_key";

/// A `works` row.
pub fn work(row: &impl ReadRow) -> Result<Work> {
    let mode: String = row.col("mode")?;
    read_row!(row => Work {
        id, user_id, job_id, prompt, negative_prompt, original_key, thumbnail_key, width, height,
        duration_secs, model, credits_cost, is_public, published_at, like_count, created_at, title,
        gallery_key, gallery_thumbnail_key;
        mode: Mode::parse(&mode).map_err(|_| bad_data("mode", &mode))?,
        params: json_col(row, "params")?,
    })
}

/// A work with its author and whether the viewer liked it.
pub fn gallery_item(row: &impl ReadRow) -> Result<GalleryItem> {
    read_row!(row => GalleryItem {
        author_nickname, author_avatar_url, author_email, liked;
        work: work(row)?,
    })
}
