//! What admins do with every user's jobs: list them, clean up finished ones, cancel, delete,
//! and read the model call records. Each change is logged.
use std::sync::Arc;

use chrono::{Duration, Utc};
use miaojing_domain::job::{CallFilter, Finisher, JobFilter, JobRow, JobStatus, ModelCallRecord, Outcome};
use miaojing_domain::log::LogEntry;
use miaojing_domain::user::User;
use miaojing_domain::vocab::JobStatusFilter;
use miaojing_domain::{Error, ErrorCode, PageRequest, Paged, Result, Store};
use uuid::Uuid;

use crate::JobQueue;

/// Sources a model call record may have.
const CALL_SOURCES: [&str; 3] = ["generation-job", "suggest-prompt", "reverse-prompt"];

/// `None` for no filter or `all`, the value when allowed, else the error.
fn one_of(v: Option<String>, allowed: &[&str], code: ErrorCode, message: &'static str) -> Result<Option<String>> {
    match v {
        None => Ok(None),
        Some(s) if s == "all" => Ok(None),
        Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
        Some(_) => Err(Error::validation(code, message)),
    }
}

/// The admin's side of the queue. Cheap to clone.
#[derive(Clone)]
pub struct JobAdmin {
    store: Arc<dyn Store>,
    queue: JobQueue,
}

impl JobAdmin {
    /// Admin rules over `store`; cancels go through `queue` (aborts, upstream cancel, events).
    pub fn new(store: Arc<dyn Store>, queue: JobQueue) -> Self {
        Self { store, queue }
    }

    /// Jobs of every user, newest first. `status` is a job status or `all`; `user` is a user
    /// id, or a substring of their e-mail, username or nickname (strings already trimmed).
    pub async fn jobs(&self, status: Option<&str>, user: Option<String>, page: PageRequest) -> Result<Paged<JobRow>> {
        let status = status.map(JobStatusFilter::parse).transpose()?.and_then(JobStatusFilter::status);
        let user_id = user.as_deref().and_then(|u| Uuid::try_parse(u).ok());
        let filter = JobFilter { status, user_id, user_search: if user_id.is_some() { None } else { user } };
        self.store.list_jobs(&filter, page).await
    }

    /// Deletes finished jobs of `status` (default `failed`; never queued or running ones) older
    /// than `days` (0–3650, default 7). Returns how many went.
    pub async fn clean_up(&self, admin: &User, status: Option<&str>, days: Option<i64>) -> Result<u64> {
        let status = JobStatus::parse(status.unwrap_or("failed"))?;
        if !status.is_terminal() {
            return Err(Error::validation(ErrorCode::InvalidStatus, "只允许清理失败、已完成或已取消任务"));
        }
        let days = days.unwrap_or(7);
        if !(0..=3650).contains(&days) {
            return Err(Error::validation(ErrorCode::InvalidDays, "天数必须在 0 到 3650 之间"));
        }
        let deleted = self.store.delete_finished_jobs(status, Utc::now() - Duration::days(days)).await?;
        let log = LogEntry::new("admin", "warning", "generation_jobs_cleanup", "管理员清理生成任务")
            .by(admin)
            .meta(serde_json::json!({ "status": status.as_str(), "olderThanDays": days, "deleted": deleted }));
        let _ = self.store.insert_log(log).await;
        Ok(deleted)
    }

    /// Cancels a queued or running job: its hold is released in the same compare-and-set and the
    /// queue stops its upstream work. A finished job is `job_finished` (409).
    pub async fn cancel(&self, admin: &User, id: Uuid) -> Result<JobRow> {
        let done = self.store.finish_job(id, Finisher::Any, Outcome::Cancelled, Utc::now()).await?;
        let Some(job) = done else {
            return Err(match self.store.job_by_id(id).await? {
                Some(_) => Error::conflict(ErrorCode::JobFinished, "任务已结束"),
                None => Error::not_found(ErrorCode::JobNotFound, "任务不存在"),
            });
        };
        self.queue.cancelled(&job);
        let log = LogEntry::new("admin", "info", "generation_job_cancelled", "管理员取消生成任务").by(admin).target("generation_job", id);
        let _ = self.store.insert_log(log).await;
        let owner = self.store.user_by_id(job.user_id).await?;
        Ok(JobRow {
            user_email: owner.as_ref().map(|u| u.email.clone()).unwrap_or_default(),
            user_nickname: owner.map(|u| u.display_nickname).unwrap_or_default(),
            job,
        })
    }

    /// Deletes one finished job; a queued or running one is `job_active` (409: cancel it first).
    /// The job's model call record is kept.
    pub async fn delete(&self, admin: &User, id: Uuid) -> Result<()> {
        if !self.store.delete_finished_job(id).await? {
            return Err(match self.store.job_by_id(id).await? {
                Some(_) => Error::conflict(ErrorCode::JobActive, "任务仍在排队或运行中，请先取消"),
                None => Error::not_found(ErrorCode::JobNotFound, "任务不存在"),
            });
        }
        let log = LogEntry::new("admin", "warning", "generation_job_deleted", "管理员删除生成任务").by(admin).target("generation_job", id);
        let _ = self.store.insert_log(log).await;
        Ok(())
    }

    /// Model call records, newest first. The filter's status (a job status) and source are
    /// checked; `all` means no filter.
    pub async fn model_calls(&self, mut filter: CallFilter, page: PageRequest) -> Result<Paged<ModelCallRecord>> {
        let statuses: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
        filter.status = one_of(filter.status, &statuses, ErrorCode::InvalidStatus, "调用状态无效")?;
        filter.source = one_of(filter.source, &CALL_SOURCES, ErrorCode::InvalidSource, "调用来源无效")?;
        self.store.list_model_calls(&filter, page).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Aborts, EventBus, LocalWakeup};

    async fn admin(dir: &std::path::Path) -> JobAdmin {
        let store: Arc<dyn Store> =
            Arc::new(miaojing_store_sqlite::SqliteStore::connect(dir.join("jobs.db").to_str().unwrap()).await.unwrap());
        let queue = JobQueue::new(store.clone(), Arc::new(LocalWakeup::default()), EventBus::default(), Aborts::default());
        JobAdmin::new(store, queue)
    }

    #[tokio::test]
    async fn filters_are_checked_and_all_means_none() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = admin(dir.path()).await;
        let page = PageRequest { page: 1, size: 20 };
        assert_eq!(jobs.jobs(Some("sleeping"), None, page).await.unwrap_err().code, "invalid_status");
        assert_eq!(jobs.jobs(Some("all"), Some(Uuid::new_v4().to_string()), page).await.unwrap().total, 0);
        let bad_status = CallFilter { status: Some("sleeping".into()), ..Default::default() };
        assert_eq!(jobs.model_calls(bad_status, page).await.unwrap_err().code, "invalid_status");
        let bad_source = CallFilter { source: Some("telepathy".into()), ..Default::default() };
        assert_eq!(jobs.model_calls(bad_source, page).await.unwrap_err().code, "invalid_source");
        let all = CallFilter { status: Some("all".into()), source: Some("generation-job".into()), ..Default::default() };
        assert_eq!(jobs.model_calls(all, page).await.unwrap().total, 0);
    }
}
