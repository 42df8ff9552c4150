//! The adapters and [`ProviderClient`], which dispatches a request to the right one.
pub mod chat;
pub mod generic;
pub mod manifest;
pub mod openai;
pub mod video;

use miaojing_domain::ErrorCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use miaojing_domain::{Error, ErrorKind, Result};
use reqwest::Method;

use crate::channel::{
    ChannelConfig, GenerationOutput, GenerationRequest, InputImage, MediaType, PollOutcome, Protocol, ReversePrompt, ReversePromptRequest,
    Submitted, SuggestRequest, Suggestion, TaskHandle, UpstreamModel,
};
use crate::http;
use crate::upstream_error as ue;
use miaojing_outbound::OutboundClient;

/// Turns an in-memory reference image into a URL an upstream can fetch (storage-backed,
/// e.g. a presigned object URL), for providers that only accept URLs.
#[async_trait]
pub trait ReferenceUploader: Send + Sync {
    /// Stores `bytes` (of type `mime`) and returns its absolute URL.
    async fn upload(&self, bytes: Bytes, mime: &str) -> Result<String>;
}

/// Result of [`ProviderClient::test_connection`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    /// Models the upstream lists.
    pub model_count: usize,
    /// Whether the channel's model is among them.
    pub model_listed: bool,
}

/// Calls upstream providers through the guarded [`OutboundClient`].
#[derive(Clone)]
pub struct ProviderClient {
    pub(crate) http: OutboundClient,
    uploader: Option<Arc<dyn ReferenceUploader>>,
    poll_interval_cap: Option<Duration>,
}

impl ProviderClient {
    /// A client sending through `http`.
    pub fn new(http: OutboundClient) -> Self {
        Self { http, uploader: None, poll_interval_cap: None }
    }

    /// Uses `uploader` when a provider needs URLs for in-memory reference images.
    pub fn with_uploader(mut self, uploader: Arc<dyn ReferenceUploader>) -> Self {
        self.uploader = Some(uploader);
        self
    }

    /// Never waits longer than `cap` between polls in [`Self::generate`] (tests, demos).
    pub fn with_poll_interval_cap(mut self, cap: Duration) -> Self {
        self.poll_interval_cap = Some(cap);
        self
    }

    /// Submits a generation. Synchronous providers answer [`Submitted::Done`]; task APIs answer
    /// [`Submitted::Pending`] with the upstream task id.
    pub async fn submit(&self, ch: &ChannelConfig, req: &GenerationRequest) -> Result<Submitted> {
        check_channel(ch)?;
        match ch.protocol {
            Protocol::Manifest => manifest::submit(self, ch, req).await,
            Protocol::OpenAiCompatible if req.mode.is_video() => video::submit(self, ch, req).await,
            Protocol::OpenAiCompatible => openai::generate(self, ch, req).await.map(Submitted::Done),
            Protocol::GenericJson => generic::generate(self, ch, req).await.map(Submitted::Done),
        }
    }

    /// Polls an upstream task. A failed task is an error (`upstream_task_failed`).
    pub async fn poll(&self, ch: &ChannelConfig, task: &TaskHandle) -> Result<PollOutcome> {
        check_channel(ch)?;
        match ch.protocol {
            Protocol::Manifest => manifest::poll(self, ch, task).await,
            Protocol::OpenAiCompatible => video::poll(self, ch, task).await,
            Protocol::GenericJson => Err(Error::validation(ErrorCode::PollUnsupported, "该渠道不支持任务轮询")),
        }
    }

    /// Asks the upstream to stop a submitted task, where its protocol has a way to: the
    /// OpenAI-compatible video task API (`…/video/generations/{id}/cancel`) and Manifest
    /// providers with a `cancel` step. Returns whether a cancel was sent.
    pub async fn cancel(&self, ch: &ChannelConfig, task: &TaskHandle) -> Result<bool> {
        check_channel(ch)?;
        match ch.protocol {
            Protocol::Manifest => manifest::cancel(self, ch, task).await,
            Protocol::OpenAiCompatible => video::cancel(self, ch, task).await.map(|()| true),
            Protocol::GenericJson => Ok(false),
        }
    }

    /// Submits and polls until the result is ready or `timeout` passes (504 `upstream_poll_timeout`).
    /// Transient poll failures (502/503/504, network) are retried until the deadline.
    pub async fn generate(&self, ch: &ChannelConfig, req: &GenerationRequest, timeout: Duration) -> Result<GenerationOutput> {
        let deadline = Instant::now() + timeout;
        let task = match self.submit(ch, req).await? {
            Submitted::Done(out) => return non_empty(out),
            Submitted::Pending(task) => task,
        };
        let mut last_transient: Option<Error> = None;
        loop {
            let wait = self.poll_interval_cap.map_or(task.poll_interval, |cap| task.poll_interval.min(cap));
            if Instant::now() + wait >= deadline {
                let mut e = Error::new(ErrorKind::UpstreamTimeout, ErrorCode::UpstreamPollTimeout, "上游任务轮询超时");
                if let Some(t) = last_transient {
                    e.message = format!("上游任务轮询超时：{}", t.message);
                }
                return Err(e);
            }
            tokio::time::sleep(wait).await;
            match self.poll(ch, &task).await {
                Ok(PollOutcome::Done(out)) => return non_empty(out),
                Ok(PollOutcome::Running { .. }) => {}
                Err(e) if is_transient(&e) => last_transient = Some(e),
                Err(e) => return Err(e),
            }
        }
    }

    /// Recovers a prompt from an image with a vision chat model.
    pub async fn reverse_prompt(&self, ch: &ChannelConfig, req: &ReversePromptRequest) -> Result<ReversePrompt> {
        check_key(ch)?;
        chat::reverse_prompt(self, ch, req).await
    }

    /// Improves a prompt with a chat model.
    pub async fn suggest_prompt(&self, ch: &ChannelConfig, req: &SuggestRequest) -> Result<Suggestion> {
        check_key(ch)?;
        chat::suggest(self, ch, req).await
    }

    /// `GET <root>/models`.
    pub async fn list_models(&self, ch: &ChannelConfig) -> Result<Vec<UpstreamModel>> {
        let url = http::join(&http::api_root(&self.base_of(ch)), "models");
        let parsed = http::get_json(&self.http, &url, &ch.api_key).await?;
        let items = parsed
            .value
            .get("data")
            .or_else(|| parsed.value.get("models"))
            .and_then(|d| d.as_array())
            .ok_or_else(|| ue::bad_response("no data array in /models"))?;
        Ok(items
            .iter()
            .filter_map(|m| {
                let id = m.as_str().or_else(|| m.get("id").and_then(|v| v.as_str())).or_else(|| m.get("name").and_then(|v| v.as_str()))?;
                Some(UpstreamModel { id: id.to_string(), owned_by: m.get("owned_by").and_then(|v| v.as_str()).map(str::to_string) })
            })
            .collect())
    }

    /// Checks that the channel's URL and key work (via `/models`; no paid generation).
    pub async fn test_connection(&self, ch: &ChannelConfig) -> Result<ConnectionReport> {
        check_key(ch)?;
        let models = self.list_models(ch).await?;
        Ok(ConnectionReport { model_count: models.len(), model_listed: models.iter().any(|m| m.id == ch.upstream_model) })
    }

    /// Downloads a result or reference URL through the guard; expired or forbidden URLs are
    /// 502 `upstream_result_expired`.
    pub async fn download(&self, url: &str) -> Result<(Bytes, String)> {
        let answer = http::send(&self.http, Method::GET, url, "", |r| r).await?;
        match answer.status {
            200..=299 => {
                let mime = answer.content_type.split(';').next().unwrap_or("").trim().to_string();
                let mime = crate::extract::sniff_mime(&answer.body).map(str::to_string).unwrap_or(mime);
                Ok((answer.body, mime))
            }
            403 | 404 | 410 => Err(Error::new(ErrorKind::Upstream, ErrorCode::UpstreamResultExpired, "上游结果地址已过期或无权访问")
                .with_detail(format!("HTTP {} downloading a result", answer.status))),
            s => Err(ue::from_status(s, answer.retry_after, &String::from_utf8_lossy(&answer.body), "")),
        }
    }

    /// The bytes and MIME type of a reference image (downloaded when only a URL is known).
    pub(crate) async fn image_bytes(&self, img: &InputImage) -> Result<(Bytes, String)> {
        if let Some(bytes) = &img.bytes {
            let mime =
                if img.mime.is_empty() { crate::extract::sniff_mime(bytes).unwrap_or("image/png").to_string() } else { img.mime.clone() };
            return Ok((bytes.clone(), mime));
        }
        match &img.url {
            Some(url) if url.starts_with("data:") => {
                let (bytes, mime) = crate::extract::decode_b64(url)?;
                Ok((bytes, mime.unwrap_or_else(|| "image/png".into())))
            }
            Some(url) => self.download(url).await,
            None => Err(Error::validation(ErrorCode::InvalidReferenceImage, "参考图为空")),
        }
    }

    /// A URL the upstream can fetch for a reference image: its URL, else an uploaded copy,
    /// else (no uploader) a data URL.
    pub(crate) async fn image_url(&self, img: &InputImage) -> Result<String> {
        if let Some(url) = &img.url {
            return Ok(url.clone());
        }
        let (bytes, mime) = self.image_bytes(img).await?;
        match &self.uploader {
            Some(up) => up.upload(bytes, &mime).await,
            None => Ok(InputImage::from_bytes(bytes, mime).data_url().unwrap_or_default()),
        }
    }

    /// A data URL for a reference image (bytes downloaded when needed).
    pub(crate) async fn image_data_url(&self, img: &InputImage) -> Result<String> {
        if img.bytes.is_some() {
            return Ok(img.data_url().unwrap_or_default());
        }
        let (bytes, mime) = self.image_bytes(img).await?;
        Ok(InputImage::from_bytes(bytes, mime).data_url().unwrap_or_default())
    }

    fn base_of(&self, ch: &ChannelConfig) -> String {
        if ch.base_url.trim().is_empty() {
            ch.manifest.as_ref().map(|m| m.profile.base_url.clone()).unwrap_or_default()
        } else {
            ch.base_url.clone()
        }
    }
}

fn non_empty(out: GenerationOutput) -> Result<GenerationOutput> {
    if out.is_empty() {
        Err(ue::no_result())
    } else {
        Ok(out)
    }
}

/// Errors worth retrying while polling (the task itself may still be fine).
pub(crate) fn is_transient(e: &Error) -> bool {
    matches!(e.code.as_ref(), "upstream_unavailable" | "upstream_timeout" | "upstream_unreachable" | "upstream_idle_timeout")
}

fn check_key(ch: &ChannelConfig) -> Result<()> {
    if ch.api_key.trim().is_empty() {
        return Err(Error::validation(ErrorCode::MissingApiKey, "该模型尚未填写 API Key"));
    }
    Ok(())
}

fn check_channel(ch: &ChannelConfig) -> Result<()> {
    check_key(ch)?;
    if ch.protocol == Protocol::Manifest && ch.manifest.is_none() {
        return Err(Error::validation(ErrorCode::InvalidManifest, "选中的模型已关联智能 API 配置文件，但配置文件不存在或格式无效"));
    }
    if ch.protocol != Protocol::Manifest && ch.base_url.trim().is_empty() {
        return Err(Error::validation(ErrorCode::MissingApiUrl, "自定义API未配置请求地址"));
    }
    if ch.upstream_model.trim().is_empty() && ch.media_type != MediaType::Text && ch.protocol != Protocol::Manifest {
        return Err(Error::validation(ErrorCode::MissingModelName, "自定义API未配置模型名称，请在设置中填写模型名称（如 gpt-image-2）"));
    }
    Ok(())
}
