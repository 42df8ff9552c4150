//! Generation jobs on the server's side: a request read once ([`request`]), its model resolved
//! to stored rows ([`resolve`]) and carried to the job's start and polls ([`carry`]), and the
//! provider-backed executor, which turns the rows into channels (through [`crate::channels`]),
//! calls the upstream (with failover across platform rows, never for user keys), keeps async
//! tasks ([`task::TaskRef`]) polling, stores the results with thumbnails ([`persist`]) and prices
//! the job by the row that served it.
pub mod carry;
pub mod composition;
pub mod health;
pub mod persist;
pub mod request;
pub mod resolve;
pub mod spec;
pub mod task;

use miaojing_domain::ErrorCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use miaojing_domain::job::{Job, Outcome};
use miaojing_domain::log::LogEntry;
use miaojing_domain::provider::Pricing;
use miaojing_domain::{Error, ErrorKind, Result, Store};
use miaojing_jobs::{JobExecutor, Step};
use miaojing_providers::channel::{ChannelConfig, GenerationOutput, GenerationRequest, InputImage, PollOutcome, Submitted, TaskHandle};
use miaojing_providers::failover::{self, FailoverOptions};
use miaojing_providers::secrets::SecretBox;
use miaojing_providers::{ChannelHealth, ProviderClient};
use miaojing_storage::fetch::{FetchPolicy, ResultFetcher};
use miaojing_storage::Storage;
use serde_json::json;

use self::carry::{Carried, Resolved, Serving};
use self::health::StoreHealth;
use self::spec::{invalid_job, JobSpec};
use self::task::{ChannelRow, TaskRef};
use crate::channels;

/// Largest reference image decoded from a data URL.
const MAX_REFERENCE_BYTES: usize = 6 * 1024 * 1024;

/// Runs generation jobs against the configured upstreams.
pub struct ProviderExecutor {
    store: Arc<dyn Store>,
    secrets: SecretBox,
    client: ProviderClient,
    storage: Storage,
    fetcher: ResultFetcher,
    health: StoreHealth,
    /// Wait between polls of a running upstream task when the upstream suggests none.
    poll_every: Duration,
    failover: FailoverOptions,
    /// What this process resolved for its jobs (shared with the submission route).
    carried: Arc<Carried>,
}

impl ProviderExecutor {
    /// An executor over the store; `carried` is shared with the submission route.
    pub fn new(
        store: Arc<dyn Store>,
        secrets: SecretBox,
        outbound: miaojing_outbound::OutboundClient,
        storage: Storage,
        carried: Arc<Carried>,
    ) -> Self {
        Self {
            health: StoreHealth(store.clone()),
            store,
            secrets,
            client: ProviderClient::new(outbound.clone()),
            storage,
            fetcher: ResultFetcher::new(outbound, FetchPolicy::default()),
            poll_every: Duration::from_secs(2),
            failover: FailoverOptions { stream: false, retry_delay: Duration::from_millis(500) },
            carried,
        }
    }

    async fn request(&self, job: &Job, spec: &JobSpec) -> Result<GenerationRequest> {
        let mode = job.mode;
        if mode.kind().is_none() {
            return Err(Error::validation(ErrorCode::UnsupportedJobType, "不支持的任务类型"));
        }
        let mut prompt = spec.prompt.clone();
        if let Some(c) = &spec.composition {
            prompt = format!("{prompt}\n{c}");
        }
        if let Some(s) = &spec.style_prompt {
            prompt = format!("{prompt}\nStyle instruction: {s}");
        }
        let mut req = GenerationRequest::new(mode, prompt);
        req.negative_prompt = spec.negative_prompt.clone();
        req.aspect_ratio = spec.aspect_ratio.clone();
        req.resolution = spec.resolution.clone();
        req.size = spec.size.clone();
        req.n = spec.count.max(1);
        req.guidance_scale = spec.guidance_scale;
        req.duration = spec.duration;
        req.style = spec.style.clone();
        req.quality = spec.quality.clone();
        req.output_format = spec.output_format.clone();
        req.camera_movement = spec.camera_movement.clone();
        for image in &spec.images {
            let stored = image.strip_prefix(miaojing_storage::keys::PUBLIC_PREFIX);
            if image.starts_with("data:") || stored.is_some() {
                let bytes = match stored {
                    Some(raw) => self.stored_reference(raw).await?,
                    None => miaojing_storage::upload::decode_data_url(image, MAX_REFERENCE_BYTES)?,
                };
                let mime = miaojing_storage::media::MediaFormat::sniff(&bytes).map_or("image/png", |f| f.mime()).to_string();
                req.images.push(InputImage::from_bytes(bytes, mime));
            } else {
                req.images.push(InputImage::from_url(image.clone()));
            }
        }
        Ok(req)
    }

    /// The bytes of a reference given as this site's own `/api/local-storage/…` URL.
    async fn stored_reference(&self, raw_key: &str) -> Result<Vec<u8>> {
        let missing = || Error::validation(ErrorCode::ReferenceMissing, "参考图不存在或已删除，请重新上传");
        let key = miaojing_storage::keys::key_from_url_path(raw_key).map_err(|_| missing())?;
        self.storage.read(&key, MAX_REFERENCE_BYTES as u64).await.map_err(|_| missing())
    }

    /// Submits the job on the rows resolved at submission (kept in [`Carried`]) or, when this
    /// process did not submit it, on the rows its spec names.
    async fn submit(&self, job: &Job, spec: &JobSpec) -> Result<Step> {
        let req = self.request(job, spec).await?;
        let model = match self.carried.take_model(job.id) {
            Some(m) => m,
            None => resolve::for_start(self.store.as_ref(), job, spec).await?,
        };
        match model {
            Resolved::UserKey(key) => {
                let ch = channels::user_channel(&self.secrets, &key)?;
                match self.client.submit(&ch, &req).await? {
                    Submitted::Done(out) => self.finish(job, spec, out, Pricing::Free).await,
                    Submitted::Pending(task) => Ok(self.pending(job, ChannelRow::UserKey(key.id), ch, Pricing::Free, task)),
                }
            }
            Resolved::System(rows) => {
                let (cands, broken) = resolve::candidates(&self.secrets, &rows);
                self.report_broken(job, &broken).await;
                if cands.is_empty() {
                    return Err(broken.into_iter().next().map_or_else(resolve::unavailable, |(_, e)| e));
                }
                let since = Instant::now();
                let served = failover::run(&cands, &self.health, self.failover, |c, _| {
                    let (ch, req) = (c.channel.clone(), req.clone());
                    async move { self.client.submit(&ch, &req).await }
                })
                .await?;
                tracing::debug!(job = %job.id, ms = since.elapsed().as_secs_f64() * 1e3, "upstream call answered");
                let row = rows.iter().find(|r| r.id == served.candidate_id).ok_or_else(resolve::unavailable)?;
                match served.value {
                    Submitted::Done(out) => self.finish(job, spec, out, row.pricing).await,
                    Submitted::Pending(task) => {
                        let ch = cands[served.index].channel.clone();
                        Ok(self.pending(job, ChannelRow::System(row.id), ch, row.pricing, task))
                    }
                }
            }
        }
    }

    /// Platform rows that cannot become a channel are skipped, and the admin sees why: a
    /// failure in the channel's health (its last error) and a warning in the server log.
    async fn report_broken(&self, job: &Job, broken: &[(uuid::Uuid, Error)]) {
        for (row, e) in broken {
            tracing::warn!(job = %job.id, channel = %row, code = %e.code, "a platform model cannot be called: {}", e.message);
            if let Err(err) = self.health.record_failure(*row, &e.code).await {
                tracing::warn!(channel = %row, error = %err, "recording a channel failure failed");
            }
        }
    }

    /// An accepted upstream task: its channel is kept for the polls, its reference stored.
    fn pending(&self, job: &Job, row: ChannelRow, channel: ChannelConfig, pricing: Pricing, task: TaskHandle) -> Step {
        let poll_after = if task.poll_interval.is_zero() { self.poll_every } else { task.poll_interval };
        let task = TaskRef::new(row, task.upstream_task_id);
        let task_id = task.to_stored();
        self.carried.keep_task(job.id, Serving { task, channel, pricing });
        Step::Pending { task_id, poll_after }
    }

    /// Stores at most the requested number of outputs and prices them with the serving row's
    /// pricing (what the store will charge: never more than the hold).
    async fn finish(&self, job: &Job, spec: &JobSpec, out: GenerationOutput, pricing: Pricing) -> Result<Step> {
        let since = Instant::now();
        let wanted = usize::try_from(spec.count.max(1)).unwrap_or(usize::MAX);
        let stored = persist::store_outputs(&self.storage, &self.fetcher, job, &out, wanted).await?;
        tracing::debug!(job = %job.id, ms = since.elapsed().as_secs_f64() * 1e3, results = stored.len(), "results stored");
        if stored.is_empty() {
            return Err(Error::new(ErrorKind::Upstream, ErrorCode::UpstreamEmpty, "上游任务已完成，但响应中无结果数据"));
        }
        let count = u32::try_from(stored.len()).unwrap_or(u32::MAX);
        let actual = job.chargeable(resolve::cost(pricing, count, spec.duration)?);
        let (result, works) = persist::outcome(job, spec, &stored, actual);
        Ok(Step::Done(Outcome::Succeeded { actual_cost: actual, result, works }))
    }

    /// The channel serving the job's upstream task (kept since it was accepted, else looked
    /// up again from its row and kept from then on) and the upstream's own handle.
    async fn serving(&self, job: &Job, task_id: &str) -> Result<(Serving, TaskHandle)> {
        let task = TaskRef::from_stored(task_id).ok_or_else(invalid_job)?;
        let serving = match self.carried.task(job.id, &task) {
            Some(s) => s,
            None => {
                let s = resolve::for_task(self.store.as_ref(), &self.secrets, job, &task).await?;
                self.carried.keep_task(job.id, s.clone());
                s
            }
        };
        let handle = TaskHandle { upstream_task_id: task.task, poll_interval: self.poll_every };
        Ok((serving, handle))
    }

    async fn poll_task(&self, job: &Job, task_id: &str) -> Result<Step> {
        let (serving, handle) = self.serving(job, task_id).await?;
        match self.client.poll(&serving.channel, &handle).await? {
            PollOutcome::Running { .. } => Ok(Step::Again { poll_after: self.poll_every }),
            PollOutcome::Done(out) => self.finish(job, &JobSpec::of(job)?, out, serving.pricing).await,
        }
    }

    /// What follows a step: a job that has ended has nothing kept any more, and its platform
    /// log line is written.
    async fn ended(&self, job: &Job, step: &Step) {
        if matches!(step, Step::Done(_)) {
            self.carried.forget(job.id);
        }
        self.log_end(job, step).await;
    }
}

/// A failure as the job records it (the stable code and the user-facing message).
fn failed(e: Error) -> Step {
    Step::Done(Outcome::Failed { code: e.code.to_string(), message: e.message })
}

/// Whether a poll failure may pass (the task keeps running upstream).
fn transient(e: &Error) -> bool {
    matches!(e.kind, ErrorKind::UpstreamTimeout | ErrorKind::Unavailable | ErrorKind::RateLimited)
        || (e.kind == ErrorKind::Upstream && e.code != ErrorCode::UpstreamTaskFailed && !e.code.starts_with("result_"))
}

impl ProviderExecutor {
    /// Writes the platform log line of a job that has just ended (best effort).
    async fn log_end(&self, job: &Job, step: &Step) {
        let Step::Done(outcome) = step else { return };
        let base = json!({"mode": job.mode.as_str(), "model": job.model, "channel": job.channel});
        let (level, action, message, extra) = match outcome {
            Outcome::Succeeded { actual_cost, works, .. } => (
                "info",
                "generation_succeeded",
                format!("生成任务完成：{}", job.model),
                json!({"creditsCost": actual_cost, "results": works.len()}),
            ),
            Outcome::Failed { code, message } => {
                ("warning", "generation_failed", format!("生成任务失败：{message}"), json!({"errorCode": code}))
            }
            Outcome::Cancelled => return,
        };
        let mut meta = base;
        if let (Some(m), Some(e)) = (meta.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        let mut entry = LogEntry::new("generation", level, action, message).target("generation_job", job.id).meta(meta);
        entry.user_id = Some(job.user_id);
        if let Err(e) = self.store.insert_log(entry).await {
            tracing::warn!(job = %job.id, error = %e, "writing the generation log failed");
        }
    }
}

#[async_trait]
impl JobExecutor for ProviderExecutor {
    async fn start(&self, job: &Job) -> Step {
        let step = match JobSpec::of(job) {
            Ok(spec) => self.submit(job, &spec).await.unwrap_or_else(failed),
            Err(e) => failed(e),
        };
        self.ended(job, &step).await;
        step
    }

    async fn poll(&self, job: &Job, task_id: &str) -> Step {
        let step = match self.poll_task(job, task_id).await {
            Ok(step) => step,
            Err(e) if transient(&e) => {
                tracing::warn!(job = %job.id, code = %e.code, "polling the upstream task failed; retrying");
                Step::Again { poll_after: self.poll_every }
            }
            Err(e) => failed(e),
        };
        self.ended(job, &step).await;
        step
    }

    async fn cancel(&self, job: &Job, task_id: &str) {
        let sent = match self.serving(job, task_id).await {
            Ok((serving, handle)) => self.client.cancel(&serving.channel, &handle).await,
            Err(e) => Err(e),
        };
        self.carried.forget(job.id);
        match sent {
            Ok(true) => tracing::info!(job = %job.id, "cancelled the upstream task"),
            Ok(false) => tracing::debug!(job = %job.id, "the upstream protocol has no cancel; the task was left to run out"),
            Err(e) => tracing::warn!(job = %job.id, code = %e.code, error = %e, "cancelling the upstream task failed"),
        }
    }
}
