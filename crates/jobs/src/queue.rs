//! What users and admins do with jobs: submit, read, cancel.
use miaojing_domain::ErrorCode;
use std::sync::Arc;

use chrono::Utc;
use miaojing_domain::job::{Finisher, Job, JobStatus, JobWakeup, NewJob, Outcome};
use miaojing_domain::{Error, Result, Store};
use uuid::Uuid;

use crate::events::{EventBus, JobEvent};
use crate::runner::{Aborts, JobExecutor};

/// The queue as the server uses it. Cheap to clone.
#[derive(Clone)]
pub struct JobQueue {
    store: Arc<dyn Store>,
    wakeup: Arc<dyn JobWakeup>,
    events: EventBus,
    aborts: Aborts,
    /// Stops upstream tasks of cancelled jobs.
    executor: Option<Arc<dyn JobExecutor>>,
}

fn not_found() -> Error {
    Error::not_found(ErrorCode::JobNotFound, "任务不存在")
}

impl JobQueue {
    /// A queue over `store`; `aborts` is shared with this instance's runner.
    pub fn new(store: Arc<dyn Store>, wakeup: Arc<dyn JobWakeup>, events: EventBus, aborts: Aborts) -> Self {
        Self { store, wakeup, events, aborts, executor: None }
    }

    /// Cancels go on to the upstream through `executor` (see [`JobExecutor::cancel`]).
    pub fn with_executor(mut self, executor: Arc<dyn JobExecutor>) -> Self {
        self.executor = Some(executor);
        self
    }

    /// The progress event bus.
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// Submits a priced job (see `JobRepo::submit_job`); wakes the runners at once. Returns
    /// the job and whether it is new (false: the same client request id was seen before).
    pub async fn submit(&self, job: NewJob) -> Result<(Job, bool)> {
        let (job, created) = self.store.submit_job(job).await?;
        if created {
            self.wakeup.notify().await;
            self.events.publish(JobEvent::of(&job));
        }
        Ok((job, created))
    }

    /// One of the user's jobs (another user's is `job_not_found`).
    pub async fn get(&self, user_id: Uuid, id: Uuid) -> Result<Job> {
        self.store.job_by_id(id).await?.filter(|j| j.user_id == user_id).ok_or_else(not_found)
    }

    /// Cancels a queued or running job of the user (or any job, for admins): the hold is
    /// released and this instance's in-flight upstream request is aborted (another
    /// instance's runner drops it at its next heartbeat). A finished job is returned as is.
    pub async fn cancel(&self, user_id: Option<Uuid>, id: Uuid) -> Result<Job> {
        let job = self.store.job_by_id(id).await?.ok_or_else(not_found)?;
        if user_id.is_some_and(|u| u != job.user_id) {
            return Err(not_found());
        }
        if job.status.is_terminal() {
            return Ok(job);
        }
        match self.store.finish_job(id, Finisher::Any, Outcome::Cancelled, Utc::now()).await? {
            Some(done) => {
                self.cancelled(&done);
                Ok(done)
            }
            None => self.store.job_by_id(id).await?.ok_or_else(not_found),
        }
    }

    /// What follows a cancel that took effect (`done` is the cancelled job): this instance's
    /// in-flight upstream request is aborted, the upstream task (if one was submitted) is
    /// cancelled upstream in the background (a slow upstream never holds the caller), and the
    /// change is published.
    pub fn cancelled(&self, done: &Job) {
        self.aborts.abort(done.id);
        if let (Some(task), Some(executor)) = (done.upstream_task_id.clone(), self.executor.clone()) {
            let job = done.clone();
            tokio::spawn(async move { executor.cancel(&job, &task).await });
        }
        self.events.publish(JobEvent::of(done));
    }

    /// The user's active jobs and recent ones.
    pub async fn list(&self, user_id: Uuid, statuses: &[JobStatus], limit: i64) -> Result<Vec<Job>> {
        self.store.user_jobs(user_id, statuses, limit).await
    }
}
