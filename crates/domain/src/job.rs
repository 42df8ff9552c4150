//! Generation jobs, the credit holds that back them, and model call records.
//!
//! A job moves `queued → running → succeeded | failed | cancelled`. Every move that touches
//! money (settling or releasing the hold) is one compare-and-set on the status inside the
//! store, so a job is settled exactly once however many workers race for it.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::work::NewWork;
use crate::Result;

pub use miaojing_vocab::{JobKind, JobStatus, Mode};

/// A submission, after the service has validated it and priced it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub id: Uuid,
    pub user_id: Uuid,
    pub mode: Mode,
    /// The model's display name.
    pub model: String,
    /// The channel (provider) the job was resolved to.
    pub channel: String,
    pub params: Value,
    /// Unique per user; a second submission with the same id returns the first job.
    pub client_request_id: Option<String>,
    /// Credits held at submission (0 for free jobs: no hold is placed).
    pub estimated_cost: i64,
    /// After this the job fails and its hold is released, wherever it is.
    pub deadline_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: Uuid,
    pub user_id: Uuid,
    pub mode: Mode,
    pub model: String,
    pub channel: String,
    pub params: Value,
    pub client_request_id: Option<String>,
    pub status: JobStatus,
    /// How many times a worker has claimed it.
    pub attempt: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    /// Set once the paid create call reached the upstream; the call is never sent again.
    pub upstream_task_id: Option<String>,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub deadline_at: DateTime<Utc>,
    pub hold_id: Option<Uuid>,
    pub estimated_cost: i64,
    pub actual_cost: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// References to the results (work ids and storage keys).
    pub result: Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Job {
    /// What a succeeded job costing `actual_cost` is charged: never below 0, never above its hold.
    /// The executor prices the job's results with it and the store charges it, so the job's
    /// result, its works, its model call record and its ledger row carry the same number.
    pub fn chargeable(&self, actual_cost: i64) -> i64 {
        actual_cost.clamp(0, self.estimated_cost)
    }

    /// The job's result as settlement leaves it: `creditsCost` is what was charged,
    /// `creditsBalance` the owner's balance right after, and `creditDescription` the ledger
    /// line (only when credits moved). A result that is not an object is returned unchanged.
    pub fn settled_result(&self, charged: i64, balance: i64, description: Option<&str>) -> Value {
        let mut result = self.result.clone();
        if let Some(obj) = result.as_object_mut() {
            obj.insert("creditsCost".into(), Value::from(charged));
            obj.insert("creditsBalance".into(), Value::from(balance));
            if let Some(d) = description {
                obj.insert("creditDescription".into(), Value::from(d));
            }
        }
        result
    }
}

/// How a job ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Charge `actual_cost` (never more than the hold; the rest is released), store the works.
    Succeeded { actual_cost: i64, result: Value, works: Vec<NewWork> },
    /// Release the hold.
    Failed { code: String, message: String },
    /// Release the hold.
    Cancelled,
}

impl Outcome {
    /// The status this outcome leads to.
    pub fn status(&self) -> JobStatus {
        match self {
            Self::Succeeded { .. } => JobStatus::Succeeded,
            Self::Failed { .. } => JobStatus::Failed,
            Self::Cancelled => JobStatus::Cancelled,
        }
    }

    /// A failure with a code and message.
    pub fn failed(code: &str, message: impl Into<String>) -> Self {
        Self::Failed { code: code.to_string(), message: message.into() }
    }
}

/// Who may finish a job: a worker that holds its lease, or anyone (cancel, deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finisher<'a> {
    /// Only if `lease_owner` is this worker and the job is running.
    Worker(&'a str),
    /// From queued or running, whoever holds it.
    Any,
}

/// What recovery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Jobs put back in the queue (those with an upstream task id resume polling when claimed).
    pub requeued: Vec<Uuid>,
    /// Jobs past their deadline: failed, hold released.
    pub expired: Vec<Uuid>,
}

/// A credit hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: Uuid,
    pub user_id: Uuid,
    pub amount: i64,
    /// `open`, `settled` or `released`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Admin job filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    pub user_id: Option<Uuid>,
    /// Substring of the owner's e-mail, username or nickname.
    pub user_search: Option<String>,
}

/// A job with its owner, for admins.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub job: Job,
    pub user_email: String,
    pub user_nickname: String,
}

/// A model call record (one per job, or standalone for synchronous features).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCallRecord {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    /// `generation-job` or `suggest-prompt`, ….
    pub source: String,
    /// The mode or feature.
    pub operation: String,
    pub model: String,
    pub channel: String,
    pub status: String,
    pub credits_cost: i64,
    pub result_count: i32,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Admin filter of model call records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    pub status: Option<String>,
    pub source: Option<String>,
    pub operation: Option<String>,
    pub user_id: Option<Uuid>,
    /// Substring of model, channel or operation.
    pub keyword: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The generation queue and its money.
#[async_trait]
pub trait JobRepo: Send + Sync {
    /// In one transaction: returns the user's existing job with the same client request id
    /// (`false`), or places a hold for `estimated_cost` — refused with 402
    /// `insufficient_credits` when the balance minus the user's open holds is short — and
    /// inserts the job and its queued model call record (`true`).
    async fn submit_job(&self, job: NewJob) -> Result<(Job, bool)>;
    async fn job_by_id(&self, id: Uuid) -> Result<Option<Job>>;
    /// The user's jobs, newest first, optionally only some statuses.
    async fn user_jobs(&self, user_id: Uuid, statuses: &[JobStatus], limit: i64) -> Result<Vec<Job>>;
    /// Claims up to `limit` queued jobs, oldest first, for `worker` until `lease_until`:
    /// status running, attempt + 1. No job is claimed by two workers.
    async fn claim_jobs(&self, worker: &str, limit: i64, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Vec<Job>>;
    /// Extends the lease of the running jobs `worker` holds that are still alive: those whose
    /// upstream task is being polled, and those in `starting` (the starts in flight on the
    /// worker). Returns the ids extended; a held job left out (its start died with no upstream
    /// task) expires and is recovered, and a starting job missing from the answer was cancelled
    /// or taken over and must be abandoned.
    async fn extend_leases(&self, worker: &str, starting: &[Uuid], now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Vec<Uuid>>;
    /// Records the upstream task of a running job held by `worker`; false if it no longer is.
    async fn set_upstream_task(&self, id: Uuid, worker: &str, task_id: &str, next_poll_at: DateTime<Utc>) -> Result<bool>;
    /// Moves the next poll of a running job held by `worker`; false if it no longer is.
    async fn set_next_poll(&self, id: Uuid, worker: &str, next_poll_at: DateTime<Utc>) -> Result<bool>;
    /// Running jobs of `worker` with an upstream task whose next poll is due, soonest first.
    async fn due_polls(&self, worker: &str, now: DateTime<Utc>, limit: i64) -> Result<Vec<Job>>;
    /// Compare-and-set to the outcome's status, from queued or running (a worker: only its
    /// own running job). In the same transaction: settle (charge the actual cost through the
    /// ledger, at most the hold) or release the hold, write the works, finish the model call
    /// record. `None` when the job was already finished or is not the finisher's: nothing moved.
    async fn finish_job(&self, id: Uuid, finisher: Finisher<'_>, outcome: Outcome, now: DateTime<Utc>) -> Result<Option<Job>>;
    /// Running jobs whose lease expired: back to the queue (keeping any upstream task id),
    /// or failed with the hold released when past their deadline. Queued jobs past their
    /// deadline fail too.
    async fn recover_jobs(&self, now: DateTime<Utc>) -> Result<Recovery>;
    /// The hold by id.
    async fn hold_by_id(&self, id: Uuid) -> Result<Option<Hold>>;
    /// Sum of the user's open holds.
    async fn open_holds_total(&self, user_id: Uuid) -> Result<i64>;
    /// How many jobs of `mode` on `model` succeeded since `since`, and their mean run time
    /// (`finished_at − started_at`) in seconds (0 without samples).
    async fn run_time_stats(&self, mode: Mode, model: &str, since: DateTime<Utc>) -> Result<(i64, f64)>;
    /// Admin list, newest first.
    async fn list_jobs(&self, filter: &JobFilter, page: crate::PageRequest) -> Result<crate::Paged<JobRow>>;
    /// Deletes finished jobs of `status` last updated before `before`; running and queued
    /// jobs are never deleted. Returns how many.
    async fn delete_finished_jobs(&self, status: JobStatus, before: DateTime<Utc>) -> Result<u64>;
    /// Deletes one job if it has finished (succeeded, failed or cancelled); `false` when it is
    /// missing or still queued or running. Its model call record is kept (link cleared).
    async fn delete_finished_job(&self, id: Uuid) -> Result<bool>;
    /// Writes a standalone model call record.
    async fn insert_model_call(&self, record: ModelCallRecord) -> Result<()>;
    /// The record of a job.
    async fn model_call_for_job(&self, job_id: Uuid) -> Result<Option<ModelCallRecord>>;
    /// Admin list, newest first.
    async fn list_model_calls(&self, filter: &CallFilter, page: crate::PageRequest) -> Result<crate::Paged<ModelCallRecord>>;
}

/// Wakes job runners when work arrives: in-process on SQLite, LISTEN/NOTIFY on PostgreSQL.
#[async_trait]
pub trait JobWakeup: Send + Sync {
    /// Tells every runner (of every instance sharing the database) that jobs are queued.
    async fn notify(&self);
    /// Waits for the next notification.
    async fn notified(&self);
}
