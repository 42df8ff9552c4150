//! The runner: claims jobs into N concurrent slots, starts them through a [`JobExecutor`],
//! polls async upstream tasks with bounded concurrency, keeps leases alive and recovers
//! jobs whose worker died.
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use futures_util::StreamExt;
use miaojing_domain::job::{Finisher, Job, JobWakeup, Outcome};
use miaojing_domain::Store;
use parking_lot::Mutex;
use tokio::sync::{watch, Semaphore};
use tokio::task::{AbortHandle, JoinHandle};
use uuid::Uuid;

use crate::events::{EventBus, JobEvent};

/// What an executor step produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The job is over.
    Done(Outcome),
    /// The upstream accepted an async task: poll it after the given delay. The create call
    /// is never sent again for this job.
    Pending { task_id: String, poll_after: Duration },
    /// A transient poll error or a task still running: poll again after the delay.
    Again { poll_after: Duration },
}

/// Runs jobs. The provider-backed implementation lives with the providers; tests use their own.
#[async_trait]
pub trait JobExecutor: Send + Sync + 'static {
    /// Starts a job that has not reached the upstream yet.
    async fn start(&self, job: &Job) -> Step;
    /// Polls the upstream task of a job (only `Done` and `Again` make sense here).
    async fn poll(&self, job: &Job, task_id: &str) -> Step;
    /// Asks the upstream to stop the task of a cancelled job, where its protocol allows
    /// (best effort: the job is cancelled and its hold released whatever this does).
    async fn cancel(&self, _job: &Job, _task_id: &str) {}
}

/// Runner settings.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Unique per instance (and per runner).
    pub worker_id: String,
    /// Jobs started concurrently.
    pub slots: usize,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// How often the runner looks for queued jobs without a wake-up.
    pub idle_tick: Duration,
    /// How often due upstream tasks are looked for.
    pub poll_tick: Duration,
    /// Upstream polls in flight at once.
    pub poll_concurrency: usize,
}

impl RunnerConfig {
    /// Defaults for a worker id: 4 slots, 30 s leases, 1 s idle tick, 250 ms poll tick, 64 polls.
    pub fn new(worker_id: impl Into<String>) -> Self {
        Self {
            worker_id: worker_id.into(),
            slots: 4,
            lease: Duration::from_secs(30),
            idle_tick: Duration::from_secs(1),
            poll_tick: Duration::from_millis(250),
            poll_concurrency: 64,
        }
    }
}

/// Abort handles of this instance's in-flight starts (with when each began), shared with the
/// queue's cancel.
#[derive(Clone, Default)]
pub struct Aborts(Arc<Mutex<HashMap<Uuid, (AbortHandle, Instant)>>>);

impl Aborts {
    /// Aborts the in-flight start of `id`, if this instance runs it.
    pub fn abort(&self, id: Uuid) {
        if let Some((h, _)) = self.0.lock().remove(&id) {
            h.abort();
        }
    }

    fn insert(&self, id: Uuid, h: AbortHandle) {
        self.0.lock().insert(id, (h, Instant::now()));
    }

    fn remove(&self, id: Uuid) {
        self.0.lock().remove(&id);
    }

    /// The jobs whose start is in flight.
    fn ids(&self) -> Vec<Uuid> {
        self.0.lock().keys().copied().collect()
    }

    /// Aborts every in-flight start that began before `since` and is not in `keep` (its lease
    /// was lost). Starts that began later are kept: `keep` was read before they were claimed.
    fn abandon_lost(&self, keep: &HashSet<Uuid>, since: Instant) {
        self.0.lock().retain(|id, (h, began)| {
            let k = keep.contains(id) || *began >= since;
            if !k {
                h.abort();
            }
            k
        });
    }

    /// Aborts every in-flight start.
    fn abort_all(&self) {
        for (_, (h, _)) in self.0.lock().drain() {
            h.abort();
        }
    }
}

/// A runner over a store and an executor.
pub struct Runner {
    store: Arc<dyn Store>,
    executor: Arc<dyn JobExecutor>,
    wakeup: Arc<dyn JobWakeup>,
    events: EventBus,
    aborts: Aborts,
    config: RunnerConfig,
}

/// The runner's tasks; dropping it does not stop them, [`RunnerHandle::stop`] does.
pub struct RunnerHandle {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    aborts: Aborts,
}

impl RunnerHandle {
    /// Stops claiming and polling, aborts in-flight work (its leases expire and another
    /// runner recovers it), and waits for the loops to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.aborts.abort_all();
        for t in self.tasks {
            t.abort();
            let _ = t.await;
        }
    }

    /// Simulates a crash: every task is aborted at once, nothing is cleaned up.
    pub fn kill(self) {
        self.aborts.abort_all();
        for t in self.tasks {
            t.abort();
        }
    }
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Runner {
    pub fn new(
        store: Arc<dyn Store>,
        executor: Arc<dyn JobExecutor>,
        wakeup: Arc<dyn JobWakeup>,
        events: EventBus,
        aborts: Aborts,
        config: RunnerConfig,
    ) -> Arc<Self> {
        Arc::new(Self { store, executor, wakeup, events, aborts, config })
    }

    /// Starts the dispatch, poll and lease loops.
    pub fn spawn(self: &Arc<Self>) -> RunnerHandle {
        let (stop, rx) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(Arc::clone(self).dispatch_loop(rx.clone())),
            tokio::spawn(Arc::clone(self).poll_loop(rx.clone())),
            tokio::spawn(Arc::clone(self).lease_loop(rx)),
        ];
        RunnerHandle { stop, tasks, aborts: self.aborts.clone() }
    }

    fn me(&self) -> &str {
        &self.config.worker_id
    }

    async fn dispatch_loop(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(self.config.slots.max(1)));
        while !*stop.borrow() {
            // One claim for every free slot: a burst is taken in few transactions.
            let Ok(first) = Arc::clone(&slots).acquire_owned().await else { return };
            let mut permits = vec![first];
            while let Ok(p) = Arc::clone(&slots).try_acquire_owned() {
                permits.push(p);
            }
            let now = Utc::now();
            let claimed = match self.store.claim_jobs(self.me(), permits.len() as i64, now, now + chrono(self.config.lease)).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming jobs failed");
                    vec![]
                }
            };
            if claimed.is_empty() {
                drop(permits);
                tokio::select! {
                    _ = self.wakeup.notified() => {}
                    _ = tokio::time::sleep(self.config.idle_tick) => {}
                }
                continue;
            }
            if claimed.len() > permits.len() {
                tracing::error!(asked = permits.len(), got = claimed.len(), "the store claimed more jobs than asked; running them all");
            }
            for job in claimed {
                // A claimed job is always run: it is leased to this worker and nobody else starts it.
                let permit = match permits.pop() {
                    Some(p) => p,
                    None => match Arc::clone(&slots).acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return,
                    },
                };
                self.events.publish(JobEvent::of(&job));
                if job.upstream_task_id.is_some() {
                    // Reached the upstream before its last worker died: only polling resumes.
                    drop(permit);
                    continue;
                }
                let this = Arc::clone(&self);
                let id = job.id;
                let task = tokio::spawn(async move {
                    let step = this.executor.start(&job).await;
                    this.aborts.remove(job.id);
                    this.apply(&job, step).await;
                    drop(permit);
                });
                self.aborts.insert(id, task.abort_handle());
            }
        }
    }

    /// Records what a step produced.
    async fn apply(&self, job: &Job, step: Step) {
        let now = Utc::now();
        let result = match step {
            Step::Done(outcome) => match self.store.finish_job(job.id, Finisher::Worker(self.me()), outcome, now).await {
                Ok(Some(done)) => {
                    self.events.publish(JobEvent::of(&done));
                    Ok(())
                }
                Ok(None) => Ok(()), // cancelled or taken over meanwhile: nothing moved
                Err(e) => Err(e),
            },
            Step::Pending { task_id, poll_after } => {
                match self.store.set_upstream_task(job.id, self.me(), &task_id, now + chrono(poll_after)).await {
                    // Cancelled (or taken over) while the create call was answered: nobody
                    // will poll this task, so it is stopped upstream too.
                    Ok(false) => {
                        self.executor.cancel(job, &task_id).await;
                        Ok(())
                    }
                    other => other.map(|_| ()),
                }
            }
            Step::Again { poll_after } => self.store.set_next_poll(job.id, self.me(), now + chrono(poll_after)).await.map(|_| ()),
        };
        if let Err(e) = result {
            tracing::warn!(job = %job.id, error = %e, "recording a job step failed; the lease will expire and recovery retries");
        }
    }

    async fn poll_loop(self: Arc<Self>, stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            match self.store.due_polls(self.me(), Utc::now(), 10_000).await {
                Ok(due) => {
                    let this: &Runner = &self;
                    futures_util::stream::iter(due)
                        .for_each_concurrent(self.config.poll_concurrency.max(1), |job| async move {
                            let Some(task_id) = job.upstream_task_id.clone() else { return };
                            let step = this.executor.poll(&job, &task_id).await;
                            this.apply(&job, step).await;
                        })
                        .await;
                }
                Err(e) => tracing::warn!(error = %e, "listing due polls failed"),
            }
            tokio::time::sleep(self.config.poll_tick).await;
        }
    }

    async fn lease_loop(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let every = self.config.lease / 3;
        while !*stop.borrow() {
            let (since, now) = (Instant::now(), Utc::now());
            let starting = self.aborts.ids();
            match self.store.extend_leases(self.me(), &starting, now, now + chrono(self.config.lease)).await {
                Ok(held) => self.aborts.abandon_lost(&held.into_iter().collect(), since),
                Err(e) => tracing::warn!(error = %e, "extending leases failed"),
            }
            match self.store.recover_jobs(now).await {
                Ok(r) => {
                    for id in &r.expired {
                        if let Ok(Some(j)) = self.store.job_by_id(*id).await {
                            self.events.publish(JobEvent::of(&j));
                        }
                    }
                    if !r.requeued.is_empty() {
                        tracing::info!(count = r.requeued.len(), "re-queued jobs whose worker stopped");
                        self.wakeup.notify().await;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "recovering jobs failed"),
            }
            tokio::time::sleep(every).await;
        }
    }
}
