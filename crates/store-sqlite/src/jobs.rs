//! Generation jobs, credit holds and model call records. Every write is one transaction on
//! the single writer, so claims and compare-and-set transitions never interleave.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::job::{
    CallFilter, Finisher, Hold, Job, JobFilter, JobRepo, JobRow, JobStatus, Mode, ModelCallRecord, NewJob, Outcome, Recovery,
};
use miaojing_domain::ledger::{Grant, LedgerKind};
use miaojing_domain::{Error, ErrorKind, PageRequest, Paged, Result};
use serde_json::Value;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::errors::db_err;
use crate::ledger::apply_grant_in;
use crate::SqliteStore;
use miaojing_store_sql::job_rows::{job, JOB_COLUMNS, JOB_RETURNING};
use miaojing_store_sql::sql::push_list;

fn json_text(v: &Value) -> String {
    v.to_string()
}

async fn job_in(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Job>> {
    let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    row.as_ref().map(job).transpose()
}

/// The 402 for a hold the balance cannot cover.
pub(crate) fn short_of(cost: i64, held: i64, balance: i64) -> Error {
    Error::new(
        ErrorKind::InsufficientCredits,
        "insufficient_credits",
        format!("积分不足，本次生成需要 {cost} 积分，已排队任务预占 {held} 积分，当前余额 {balance} 积分"),
    )
}

/// Closes an open hold as `settled` or `released`; false when it was not open.
async fn close_hold(conn: &mut SqliteConnection, id: Uuid, status: &str, now: DateTime<Utc>) -> Result<bool> {
    let r = sqlx::query("UPDATE credit_holds SET status = ?, closed_at = ? WHERE id = ? AND status = 'open'")
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(r.rows_affected() == 1)
}

fn charge_description(job: &Job) -> String {
    let what = if job.mode.media_type() == "video" { "视频生成" } else { "图片生成" };
    format!("{what} - {}（{}）", job.model, if job.channel.is_empty() { "系统 API" } else { &job.channel })
}

/// The compare-and-set finish inside the caller's write transaction (see `JobRepo::finish_job`).
async fn finish_in(
    conn: &mut SqliteConnection,
    id: Uuid,
    finisher: Finisher<'_>,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<Option<Job>> {
    let (worker, from) = match finisher {
        Finisher::Worker(w) => (Some(w), "('running')"),
        Finisher::Any => (None, "('queued', 'running')"),
    };
    let (code, message, result) = match &outcome {
        Outcome::Failed { code, message } => (Some(code.clone()), Some(message.clone()), Value::Array(vec![])),
        Outcome::Cancelled => (Some("cancelled".to_string()), Some("用户已取消任务".to_string()), Value::Array(vec![])),
        Outcome::Succeeded { result, .. } => (None, None, result.clone()),
    };
    let row = sqlx::query(&format!(
        "UPDATE generation_jobs AS j SET status = ?1, error_code = ?2, error_message = ?3, result = ?4, finished_at = ?5, \
         updated_at = ?5, lease_owner = NULL, lease_expires_at = NULL, next_poll_at = NULL \
         WHERE j.id = ?6 AND j.status IN {from} AND (?7 IS NULL OR j.lease_owner = ?7) RETURNING {JOB_RETURNING}"
    ))
    .bind(outcome.status().as_str())
    .bind(&code)
    .bind(&message)
    .bind(json_text(&result))
    .bind(now)
    .bind(id)
    .bind(worker)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let mut done = job(&row)?;

    let mut charged = 0;
    let mut result_count = 0;
    if let Outcome::Succeeded { actual_cost, works, .. } = outcome {
        charged = done.chargeable(actual_cost);
        let description = charge_description(&done);
        let mut paid = true;
        let mut balance = None;
        if charged > 0 {
            let grant = Grant { user_id: done.user_id, amount: -charged, kind: LedgerKind::Consume, description: description.clone() };
            match apply_grant_in(conn, &grant, now).await {
                Ok(entry) => balance = Some(entry.balance_after),
                Err(e) if e.kind == ErrorKind::InsufficientCredits => paid = false,
                Err(e) => return Err(e),
            }
        }
        if paid {
            result_count = works.len() as i32;
            for w in works {
                SqliteStore::insert_work_in(conn, &w).await?;
            }
            let balance = match balance {
                Some(b) => b,
                None => sqlx::query_scalar("SELECT credits_balance FROM users WHERE id = ?")
                    .bind(done.user_id)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(db_err)?,
            };
            done.result = done.settled_result(charged, balance, (charged > 0).then_some(description.as_str()));
            sqlx::query("UPDATE generation_jobs SET actual_cost = ?, result = ? WHERE id = ?")
                .bind(charged)
                .bind(json_text(&done.result))
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            done.actual_cost = Some(charged);
        } else {
            charged = 0;
            sqlx::query(
                "UPDATE generation_jobs SET status = 'failed', error_code = 'insufficient_credits', \
                 error_message = '积分不足，无法结算本次生成', result = '[]' WHERE id = ?",
            )
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            done.status = JobStatus::Failed;
            done.error_code = Some("insufficient_credits".into());
            done.error_message = Some("积分不足，无法结算本次生成".into());
            done.result = Value::Array(vec![]);
        }
    }
    if let Some(hold) = done.hold_id {
        let how = if done.status == JobStatus::Succeeded { "settled" } else { "released" };
        close_hold(conn, hold, how, now).await?;
    }
    sqlx::query(
        "UPDATE model_call_records SET status = ?1, credits_cost = ?2, result_count = ?3, error = ?4, finished_at = ?5, \
         duration_ms = CAST(ROUND((julianday(?5) - julianday(COALESCE(started_at, created_at))) * 86400000) AS INTEGER) \
         WHERE job_id = ?6",
    )
    .bind(done.status.as_str())
    .bind(charged)
    .bind(result_count)
    .bind(&done.error_message)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(Some(done))
}

#[async_trait]
impl JobRepo for SqliteStore {
    async fn submit_job(&self, new: NewJob) -> Result<(Job, bool)> {
        let mut tx = self.begin_write().await?;
        if let Some(crid) = &new.client_request_id {
            let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.user_id = ? AND j.client_request_id = ?"))
                .bind(new.user_id)
                .bind(crid)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if let Some(row) = row {
                return Ok((job(&row)?, false));
            }
        }
        let mut hold_id = None;
        if new.estimated_cost > 0 {
            let balance: Option<i64> = sqlx::query_scalar("SELECT credits_balance FROM users WHERE id = ?")
                .bind(new.user_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            let balance = balance.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?;
            let held: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(amount), 0) FROM credit_holds WHERE user_id = ? AND status = 'open'")
                .bind(new.user_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
            if balance - held < new.estimated_cost {
                return Err(short_of(new.estimated_cost, held, balance));
            }
            let id = Uuid::new_v4();
            sqlx::query("INSERT INTO credit_holds (id, user_id, amount, status, created_at) VALUES (?, ?, ?, 'open', ?)")
                .bind(id)
                .bind(new.user_id)
                .bind(new.estimated_cost)
                .bind(new.created_at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            hold_id = Some(id);
        }
        sqlx::query(
            "INSERT INTO generation_jobs (id, user_id, mode, model, channel, params, client_request_id, status, deadline_at, \
             hold_id, estimated_cost, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9, ?10, ?11, ?11)",
        )
        .bind(new.id)
        .bind(new.user_id)
        .bind(new.mode.as_str())
        .bind(&new.model)
        .bind(&new.channel)
        .bind(json_text(&new.params))
        .bind(&new.client_request_id)
        .bind(new.deadline_at)
        .bind(hold_id)
        .bind(new.estimated_cost)
        .bind(new.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO model_call_records (id, user_id, job_id, source, operation, model, channel, status, metadata, created_at) \
             VALUES (?, ?, ?, 'generation-job', ?, ?, ?, 'queued', '{}', ?)",
        )
        .bind(Uuid::new_v4())
        .bind(new.user_id)
        .bind(new.id)
        .bind(new.mode.as_str())
        .bind(&new.model)
        .bind(&new.channel)
        .bind(new.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let stored = job_in(&mut tx, new.id).await?.ok_or_else(|| Error::internal("inserted job vanished"))?;
        tx.commit().await.map_err(db_err)?;
        Ok((stored, true))
    }

    async fn job_by_id(&self, id: Uuid) -> Result<Option<Job>> {
        crate::job_reads::job_by_id(self, id).await
    }

    async fn user_jobs(&self, user_id: Uuid, statuses: &[JobStatus], limit: i64) -> Result<Vec<Job>> {
        crate::job_reads::user_jobs(self, user_id, statuses, limit).await
    }

    async fn claim_jobs(&self, worker: &str, limit: i64, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Vec<Job>> {
        if limit <= 0 {
            return Ok(vec![]);
        }
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "UPDATE generation_jobs AS j SET status = 'running', attempt = attempt + 1, lease_owner = ?1, \
             lease_expires_at = ?2, heartbeat_at = ?3, started_at = COALESCE(started_at, ?3), updated_at = ?3, \
             next_poll_at = CASE WHEN upstream_task_id IS NULL THEN NULL ELSE ?3 END \
             WHERE j.id IN (SELECT id FROM generation_jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT ?4) \
             RETURNING {JOB_RETURNING}"
        ))
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut jobs = rows.iter().map(job).collect::<Result<Vec<_>>>()?;
        for j in &jobs {
            sqlx::query("UPDATE model_call_records SET status = 'running', started_at = COALESCE(started_at, ?) WHERE job_id = ?")
                .bind(now)
                .bind(j.id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        jobs.sort_by_key(|j| (j.created_at, j.id));
        Ok(jobs)
    }

    async fn extend_leases(&self, worker: &str, starting: &[Uuid], now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Vec<Uuid>> {
        let mut tx = self.begin_write().await?;
        let mut q = QueryBuilder::<Sqlite>::new("UPDATE generation_jobs SET lease_expires_at = ");
        q.push_bind(lease_until).push(", heartbeat_at = ").push_bind(now);
        q.push(" WHERE status = 'running' AND lease_owner = ").push_bind(worker);
        q.push(" AND (upstream_task_id IS NOT NULL");
        // In chunks well under SQLite's bound-parameter limit.
        for chunk in starting.chunks(500) {
            q.push(" OR id IN ");
            push_list(&mut q, chunk.iter().copied());
        }
        q.push(") RETURNING id");
        let ids: Vec<Uuid> = q.build_query_scalar().fetch_all(&mut *tx).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(ids)
    }

    async fn set_upstream_task(&self, id: Uuid, worker: &str, task_id: &str, next_poll_at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "UPDATE generation_jobs SET upstream_task_id = ?, next_poll_at = ? \
             WHERE id = ? AND status = 'running' AND lease_owner = ?",
        )
        .bind(task_id)
        .bind(next_poll_at)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn set_next_poll(&self, id: Uuid, worker: &str, next_poll_at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "UPDATE generation_jobs SET next_poll_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ? \
             AND upstream_task_id IS NOT NULL",
        )
        .bind(next_poll_at)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn due_polls(&self, worker: &str, now: DateTime<Utc>, limit: i64) -> Result<Vec<Job>> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.status = 'running' AND j.lease_owner = ? \
             AND j.upstream_task_id IS NOT NULL AND j.next_poll_at <= ? ORDER BY j.next_poll_at LIMIT ?"
        ))
        .bind(worker)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.iter().map(job).collect()
    }

    async fn finish_job(&self, id: Uuid, finisher: Finisher<'_>, outcome: Outcome, now: DateTime<Utc>) -> Result<Option<Job>> {
        let mut tx = self.begin_write().await?;
        let done = finish_in(&mut tx, id, finisher, outcome, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(done)
    }

    async fn recover_jobs(&self, now: DateTime<Utc>) -> Result<Recovery> {
        let mut tx = self.begin_write().await?;
        let late: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM generation_jobs WHERE status IN ('queued', 'running') AND deadline_at < ?")
                .bind(now)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
        let mut report = Recovery::default();
        for id in late {
            let outcome = Outcome::failed("deadline_exceeded", "任务超过最长执行时间，已自动结束并退回预占积分");
            if finish_in(&mut tx, id, Finisher::Any, outcome, now).await?.is_some() {
                report.expired.push(id);
            }
        }
        report.requeued = sqlx::query_scalar(
            "UPDATE generation_jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, next_poll_at = NULL, \
             updated_at = ?1 WHERE status = 'running' AND lease_expires_at < ?1 RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(report)
    }

    async fn hold_by_id(&self, id: Uuid) -> Result<Option<Hold>> {
        crate::job_reads::hold_by_id(self, id).await
    }

    async fn open_holds_total(&self, user_id: Uuid) -> Result<i64> {
        crate::job_reads::open_holds_total(self, user_id).await
    }

    async fn run_time_stats(&self, mode: Mode, model: &str, since: DateTime<Utc>) -> Result<(i64, f64)> {
        sqlx::query_as(
            "SELECT COUNT(*), COALESCE(AVG((julianday(finished_at) - julianday(started_at)) * 86400.0), 0.0) \
             FROM generation_jobs WHERE mode = ? AND model = ? AND status = 'succeeded' \
             AND started_at IS NOT NULL AND finished_at >= ?",
        )
        .bind(mode.as_str())
        .bind(model)
        .bind(since)
        .fetch_one(&self.reader)
        .await
        .map_err(db_err)
    }

    async fn list_jobs(&self, filter: &JobFilter, page: PageRequest) -> Result<Paged<JobRow>> {
        crate::job_reads::list_jobs(self, filter, page).await
    }

    async fn delete_finished_jobs(&self, status: JobStatus, before: DateTime<Utc>) -> Result<u64> {
        crate::job_reads::delete_finished_jobs(self, status, before).await
    }

    async fn delete_finished_job(&self, id: Uuid) -> Result<bool> {
        crate::job_reads::delete_finished_job(self, id).await
    }

    async fn insert_model_call(&self, r: ModelCallRecord) -> Result<()> {
        crate::job_reads::insert_model_call(self, r).await
    }

    async fn model_call_for_job(&self, job_id: Uuid) -> Result<Option<ModelCallRecord>> {
        crate::job_reads::model_call_for_job(self, job_id).await
    }

    async fn list_model_calls(&self, f: &CallFilter, page: PageRequest) -> Result<Paged<ModelCallRecord>> {
        crate::job_reads::list_model_calls(self, f, page).await
    }
}
