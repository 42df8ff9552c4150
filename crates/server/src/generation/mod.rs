//! The provider-backed job executor: resolves a job's model to channels, calls the upstream
//! (with failover across platform rows, never for user keys), keeps async tasks polling,
//! stores the results with thumbnails and prices the job by the row that served it.
pub mod composition;
pub mod health;
pub mod persist;
pub mod resolve;
pub mod spec;

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

use self::health::StoreHealth;
use self::spec::{JobSpec, Source};
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
}

impl ProviderExecutor {
    pub fn new(store: Arc<dyn Store>, secrets: SecretBox, outbound: miaojing_outbound::OutboundClient, storage: Storage) -> Self {
        Self {
            health: StoreHealth(store.clone()),
            store,
            secrets,
            client: ProviderClient::new(outbound.clone()),
            storage,
            fetcher: ResultFetcher::new(outbound, FetchPolicy::default()),
            poll_every: Duration::from_secs(2),
            failover: FailoverOptions { stream: false, retry_delay: Duration::from_millis(500) },
        }
    }

    async fn request(&self, job: &Job, spec: &JobSpec) -> Result<GenerationRequest> {
        let mode = job.mode;
        if mode == miaojing_domain::job::Mode::ReversePrompt {
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

    /// Submits the job; returns the step and, when it finished at once, the serving row.
    async fn submit(&self, job: &Job, spec: &JobSpec) -> Result<Step> {
        let req = self.request(job, spec).await?;
        let media = resolve::media_of(req.mode.is_video());
        match &spec.source {
            Source::UserKey { id } => {
                let key = self.store.user_api_key(job.user_id, *id).await?.filter(|k| k.is_active).ok_or_else(resolve::unavailable)?;
                let ch = channels::user_channel(&self.secrets, &key)?;
                match self.client.submit(&ch, &req).await? {
                    Submitted::Done(out) => self.finish(job, spec, out, Pricing::Free).await,
                    Submitted::Pending(task) => Ok(self.pending(true, key.id, &task)),
                }
            }
            Source::System { name } => {
                let rows = resolve::system_rows(self.store.as_ref(), media, name, None).await?;
                if rows.is_empty() {
                    return Err(resolve::unavailable());
                }
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
                    Submitted::Pending(task) => Ok(self.pending(false, row.id, &task)),
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

    fn pending(&self, user_key: bool, row: uuid::Uuid, task: &TaskHandle) -> Step {
        let poll_after = if task.poll_interval.is_zero() { self.poll_every } else { task.poll_interval };
        Step::Pending { task_id: resolve::encode_task(user_key, row, &task.upstream_task_id), poll_after }
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

    /// The channel that accepted an upstream task (from the job's encoded task id), its
    /// pricing and the upstream's own task handle.
    async fn task_channel(&self, job: &Job, task_id: &str) -> Result<(ChannelConfig, Pricing, TaskHandle)> {
        let (user_key, row, upstream) = resolve::decode_task(task_id).ok_or_else(invalid_job)?;
        let (ch, pricing) = if user_key {
            let key = self.store.user_api_key(job.user_id, row).await?.ok_or_else(resolve::unavailable)?;
            (channels::user_channel(&self.secrets, &key)?, Pricing::Free)
        } else {
            let api = self.store.system_api(row).await?.ok_or_else(resolve::unavailable)?;
            (channels::system_channel(&self.secrets, &api)?, api.pricing)
        };
        Ok((ch, pricing, TaskHandle { upstream_task_id: upstream.to_string(), poll_interval: self.poll_every }))
    }

    async fn poll_task(&self, job: &Job, task_id: &str) -> Result<Step> {
        let spec: JobSpec = serde_json::from_value(job.params.clone()).map_err(|_| invalid_job())?;
        let (ch, pricing, handle) = self.task_channel(job, task_id).await?;
        match self.client.poll(&ch, &handle).await? {
            PollOutcome::Running { .. } => Ok(Step::Again { poll_after: self.poll_every }),
            PollOutcome::Done(out) => self.finish(job, &spec, out, pricing).await,
        }
    }
}

fn invalid_job() -> Error {
    Error::validation(ErrorCode::InvalidJob, "任务参数无效")
}

/// A failure as the job records it (the stable code and the user-facing message).
fn failed(e: Error) -> Step {
    Step::Done(Outcome::Failed { code: e.code.to_string(), message: e.message })
}

/// Whether a poll failure may pass (the task keeps running upstream).
fn transient(e: &Error) -> bool {
    matches!(e.kind, ErrorKind::UpstreamTimeout | ErrorKind::Unavailable | ErrorKind::RateLimited)
        || (e.kind == ErrorKind::Upstream && e.code != "upstream_task_failed" && !e.code.starts_with("result_"))
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
        let step = match serde_json::from_value::<JobSpec>(job.params.clone()) {
            Ok(spec) => self.submit(job, &spec).await.unwrap_or_else(failed),
            Err(_) => failed(invalid_job()),
        };
        self.log_end(job, &step).await;
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
        self.log_end(job, &step).await;
        step
    }

    async fn cancel(&self, job: &Job, task_id: &str) {
        let sent = match self.task_channel(job, task_id).await {
            Ok((ch, _, handle)) => self.client.cancel(&ch, &handle).await,
            Err(e) => Err(e),
        };
        match sent {
            Ok(true) => tracing::info!(job = %job.id, "cancelled the upstream task"),
            Ok(false) => tracing::debug!(job = %job.id, "the upstream protocol has no cancel; the task was left to run out"),
            Err(e) => tracing::warn!(job = %job.id, code = %e.code, error = %e, "cancelling the upstream task failed"),
        }
    }
}
