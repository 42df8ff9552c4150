//! A resolved upstream channel and the requests and results that cross it.
//!
//! The caller (server, jobs) resolves a system API row or a user key into a [`ChannelConfig`]
//! (key already decrypted) and hands it with a [`GenerationRequest`] to
//! [`crate::ProviderClient`]. Nothing here does IO.
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;

/// The wire protocol a channel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// OpenAI-style `/images/generations`, `/images/edits`, `/chat/completions`, `/video/generations`.
    OpenAiCompatible,
    /// A plain JSON POST to the configured URL; media found anywhere in the answer.
    GenericJson,
    /// Described by the channel's [`Manifest`].
    Manifest,
}

/// What a channel produces (the stored model type).
pub use miaojing_domain::provider::MediaType;

/// One upstream channel, ready to call.
#[derive(Clone, PartialEq)]
pub struct ChannelConfig {
    pub protocol: Protocol,
    /// The stored API URL: a full endpoint (`…/v1/images/generations`) or an API root (`…/v1`).
    pub base_url: String,
    /// The plain API key (decrypted by the caller). Never printed by `Debug`, never put in errors.
    pub api_key: String,
    /// The model name sent upstream.
    pub upstream_model: String,
    pub media_type: MediaType,
    /// Required when `protocol` is [`Protocol::Manifest`].
    pub manifest: Option<Manifest>,
    /// Extra top-level JSON fields merged into generation bodies (e.g. `{"response_format": "url"}`).
    pub extra_body: serde_json::Map<String, serde_json::Value>,
}

impl ChannelConfig {
    /// A channel with no manifest and no extra fields.
    pub fn new(
        protocol: Protocol,
        base_url: impl Into<String>,
        api_key: impl Into<String>,
        model: impl Into<String>,
        media_type: MediaType,
    ) -> Self {
        Self {
            protocol,
            base_url: base_url.into(),
            api_key: api_key.into(),
            upstream_model: model.into(),
            media_type,
            manifest: None,
            extra_body: Default::default(),
        }
    }

    /// A channel driven by `manifest`.
    pub fn with_manifest(mut self, manifest: Manifest) -> Self {
        self.protocol = Protocol::Manifest;
        self.manifest = Some(manifest);
        self
    }
}

impl std::fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelConfig")
            .field("protocol", &self.protocol)
            .field("base_url", &self.base_url)
            .field("api_key", &crate::secrets::preview(&self.api_key))
            .field("upstream_model", &self.upstream_model)
            .field("media_type", &self.media_type)
            .field("manifest", &self.manifest.as_ref().map(|m| &m.provider.id))
            .finish()
    }
}

/// The creation mode of a request (one of [`Mode::GENERATION`]; never a reverse prompt).
pub use miaojing_domain::job::Mode;

/// A reference image: its bytes (with MIME type), a URL the upstream can fetch, or both.
#[derive(Clone, PartialEq, Default)]
pub struct InputImage {
    pub bytes: Option<Bytes>,
    /// e.g. `image/png`; used for file parts and data URLs.
    pub mime: String,
    /// A public (or storage-backed) URL of the same image.
    pub url: Option<String>,
}

impl InputImage {
    /// An image held in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>, mime: impl Into<String>) -> Self {
        Self { bytes: Some(bytes.into()), mime: mime.into(), url: None }
    }

    /// An image only known by URL.
    pub fn from_url(url: impl Into<String>) -> Self {
        Self { bytes: None, mime: String::new(), url: Some(url.into()) }
    }

    /// `data:<mime>;base64,…` when the bytes are known.
    pub fn data_url(&self) -> Option<String> {
        use base64::Engine;
        let bytes = self.bytes.as_ref()?;
        let mime = if self.mime.is_empty() { "image/png" } else { &self.mime };
        Some(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
    }
}

impl std::fmt::Debug for InputImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputImage")
            .field("bytes", &self.bytes.as_ref().map(Bytes::len))
            .field("mime", &self.mime)
            .field("url", &self.url)
            .finish()
    }
}

/// A creation request, already validated and with its parameters inferred by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRequest {
    pub mode: Mode,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    /// `16:9`, `1:1`, … (`None` or `original` = unspecified).
    pub aspect_ratio: Option<String>,
    /// Requested pixel size `WxH`, when known.
    pub size: Option<String>,
    /// `1080P`, `2K`, `4K`, `720p`, … as chosen by the user.
    pub resolution: Option<String>,
    /// Number of results (1..=10).
    pub n: u32,
    /// `auto|high|medium|low` (images) or a provider-specific quality.
    pub quality: Option<String>,
    /// `png|jpeg|webp`.
    pub output_format: Option<String>,
    pub guidance_scale: Option<f64>,
    /// Seconds of video.
    pub duration: Option<u32>,
    pub fps: Option<u32>,
    pub images: Vec<InputImage>,
    pub mask: Option<InputImage>,
    pub style: Option<String>,
    pub camera_movement: Option<String>,
    /// Ask the upstream to stream (images); failover retries once without it after an idle 524.
    pub stream: bool,
}

impl GenerationRequest {
    /// A request in `mode` for `prompt` with everything else unset and `n = 1`.
    pub fn new(mode: Mode, prompt: impl Into<String>) -> Self {
        Self {
            mode,
            prompt: prompt.into(),
            negative_prompt: None,
            aspect_ratio: None,
            size: None,
            resolution: None,
            n: 1,
            quality: None,
            output_format: None,
            guidance_scale: None,
            duration: None,
            fps: None,
            images: Vec::new(),
            mask: None,
            style: None,
            camera_movement: None,
            stream: false,
        }
    }

    /// The requested pixel size: `size` when it is `WxH`, else aspect ratio × resolution
    /// (1:1 → 1024²/2048²/4096², 16:9 → 1920x1080/2560x1440/3840x2160, 4:3 → 1440x1080/2560x1920/
    /// 4096x3072, and the portrait twins), else `None` (let the upstream choose).
    pub fn pixel_size(&self) -> Option<(u32, u32)> {
        let parse = |s: &str| {
            let (w, h) =
                s.trim().to_ascii_lowercase().split_once(['x', '*', '×']).map(|(a, b)| (a.trim().parse().ok(), b.trim().parse().ok()))?;
            Some((w?, h?)).filter(|(w, h): &(u32, u32)| *w > 0 && *h > 0)
        };
        if let Some(s) = self.size.as_deref().and_then(parse) {
            return Some(s);
        }
        if let Some(s) = self.resolution.as_deref().and_then(parse) {
            return Some(s);
        }
        let tier = match self.resolution.as_deref().map(str::to_ascii_uppercase).as_deref() {
            Some("4K") => 2,
            Some("2K") => 1,
            _ => 0,
        };
        let table: [(u32, u32); 3] = match self.aspect_ratio.as_deref()? {
            "1:1" => [(1024, 1024), (2048, 2048), (4096, 4096)],
            "16:9" => [(1920, 1080), (2560, 1440), (3840, 2160)],
            "9:16" => [(1080, 1920), (1440, 2560), (2160, 3840)],
            "4:3" => [(1440, 1080), (2560, 1920), (4096, 3072)],
            "3:4" => [(1080, 1440), (1920, 2560), (3072, 4096)],
            _ => return None,
        };
        Some(table[tier])
    }
}

/// One produced file: bytes returned inline (base64 in the answer) or a URL to download.
#[derive(Clone, PartialEq)]
pub enum MediaItem {
    Inline { bytes: Bytes, mime: String },
    Url(String),
}

impl std::fmt::Debug for MediaItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MediaItem::Inline { bytes, mime } => write!(f, "Inline({mime}, {} bytes)", bytes.len()),
            MediaItem::Url(u) => write!(f, "Url({u})"),
        }
    }
}

/// Token counts reported by the upstream, when it reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// What a finished generation produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GenerationOutput {
    pub images: Vec<MediaItem>,
    pub videos: Vec<MediaItem>,
    pub usage: Option<Usage>,
}

impl GenerationOutput {
    /// Whether nothing was produced.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty() && self.videos.is_empty()
    }
}

/// An upstream task still running; poll it with [`crate::ProviderClient::poll`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskHandle {
    pub upstream_task_id: String,
    /// Suggested wait before the next poll.
    #[serde(with = "millis")]
    pub poll_interval: Duration,
}

/// The answer to a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    Done(GenerationOutput),
    Pending(TaskHandle),
}

/// The answer to one poll. A failed task is an `Err`.
#[derive(Debug, Clone, PartialEq)]
pub enum PollOutcome {
    Running { progress: Option<u8>, status: Option<String> },
    Done(GenerationOutput),
}

/// How detailed a reverse prompt should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ReverseMode {
    General,
    #[default]
    Structured,
    /// Pixel-level: exact colours, positions, textures.
    Pixel,
}

/// Output language of prompts: the platform's one language list.
pub use miaojing_domain::user::Language;

/// Recover a prompt from an image.
#[derive(Debug, Clone, PartialEq)]
pub struct ReversePromptRequest {
    pub image: InputImage,
    pub mode: ReverseMode,
    pub language: Language,
    /// Ask for a streamed answer (parsed the same).
    pub stream: bool,
}

/// Named parts of a structured reverse prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PromptSections {
    pub subject: String,
    pub environment: String,
    pub visual_style: String,
    pub lighting: String,
    pub composition: String,
    pub character: String,
}

/// A recovered prompt (field names as the original's response).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReversePrompt {
    pub general_prompt: String,
    pub structured_prompt: String,
    pub negative_prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_sections: Option<PromptSections>,
}

/// Improve a user's prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestRequest {
    pub prompt: String,
    /// Replaces the default instruction.
    pub system_prefix: Option<String>,
    /// The model the prompt is for (named in the instruction).
    pub target_model: Option<String>,
    pub target_media: MediaType,
    pub stream: bool,
}

/// An improved prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
}

/// A model offered by an upstream's `/models`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamModel {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}
