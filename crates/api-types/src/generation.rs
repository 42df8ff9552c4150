//! Generation jobs (`/api/generation-jobs`) and the synchronous prompt helpers
//! (`/api/generate/reverse-prompt`, `/api/generate/suggest-prompt`).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::vocab::{JobStatus, Mode};

/// Which model a job uses: the caller's own key, or a platform model (by row or display name).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    pub custom_api_key_id: Option<Uuid>,
    pub system_api_id: Option<Uuid>,
    /// A platform model's display name.
    pub model_name: Option<String>,
}

/// What to generate (the body of the original's `/api/generate/image|video`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GenerationPayload {
    /// 2–10000 characters once trimmed (a video may instead come from `images` alone).
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 10000, pattern = r"\S[\s\S]*\S"))]
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    /// A platform model's display name (used when `customApiConfig` names none).
    pub model: Option<String>,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    /// `WxH`.
    pub size: Option<String>,
    /// Images to generate, 1–10 (default 1).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub count: Option<u32>,
    pub guidance_scale: Option<f64>,
    /// Video length in seconds, 1–60 (default 5).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub duration: Option<u32>,
    pub style: Option<String>,
    /// Image quality where the model offers one (`auto`, `high`, `medium`, `low`, …).
    pub quality: Option<String>,
    /// Image file format where the model offers one (`png`, `jpeg`, `webp`).
    pub output_format: Option<String>,
    /// Video camera movement (e.g. `push in`, `orbit`).
    pub camera_movement: Option<String>,
    /// Appended to the prompt as a style instruction.
    pub style_prompt: Option<String>,
    /// A style preset label (its usage is counted).
    pub style_label: Option<String>,
    /// Reference image: a data URL, an http(s) URL or a stored file's `/api/local-storage/…` path.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(data:image/|https?://|/api/local-storage/)"))]
    pub image: Option<String>,
    #[serde(default)]
    pub images: Vec<String>,
    /// Idempotency key: a second submission with it returns the first job.
    pub client_request_id: Option<String>,
    pub custom_api_config: Option<ModelChoice>,
}

/// `POST /api/generation-jobs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateJobRequest {
    /// `image` or `video`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::vocab::JobKind))]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = GenerationPayload))]
    pub payload: Option<GenerationPayload>,
}

/// How long a job is expected to take.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Eta {
    pub estimate_seconds: u32,
    /// `history` (mean run time of the model's recent successes) or `default`.
    pub source: String,
    pub sample_count: u32,
    pub window_days: u32,
}

/// The answer to a submission (202).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedJob {
    pub job_id: Uuid,
    pub status: JobStatus,
    pub estimate_seconds: u32,
    pub eta: Eta,
    /// Credits held until the job ends.
    pub credits_held: i64,
    /// True when the client request id matched an earlier job (returned instead).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deduplicated: bool,
}

/// A job as its owner sees it: no payload (only its client request id), no upstream URL.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobView {
    pub id: Uuid,
    #[serde(rename = "jobId")]
    pub job_id: Uuid,
    /// `image` or `video`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::vocab::JobKind))]
    pub kind: String,
    /// `text2img`, `img2img`, `text2video` or `img2video`.
    pub mode: Mode,
    pub status: JobStatus,
    /// Image jobs: `{images, thumbnails, thumbnailUrls, dimensions, creditsCost, creditsBalance,
    /// creditDescription?, workIds}`; video jobs: `{videos, thumbnailUrls, creditsCost, creditsBalance,
    /// creditDescription?, workIds}`; `null` until succeeded. `creditsCost` is what was charged and
    /// `creditsBalance` the owner's balance right after the charge.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub result: Value,
    pub error: Option<String>,
    pub error_code: Option<String>,
    pub provider: String,
    pub model_name: String,
    /// `{clientRequestId}` when one was given.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: Value,
    pub credits_held: i64,
    pub credits_cost: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub elapsed_seconds: i64,
    #[serde(rename = "estimateSeconds")]
    pub estimate_seconds: u32,
    pub eta: Eta,
}

/// `GET /api/generation-jobs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobList {
    pub jobs: Vec<JobView>,
}

/// `PATCH /api/generation-jobs/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobAction {
    /// Only `cancel`.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, pattern = "^cancel$"))]
    pub action: Option<String>,
}

/// `POST /api/generate/reverse-prompt`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReversePromptInput {
    /// A data `image/*` URL or an http(s) URL.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, pattern = r"^\s*(data:image/|https?://)", example = json!(crate::EXAMPLE_IMAGE_DATA_URL)))]
    pub image: Option<String>,
    /// `structured` (default), `general` or `pixel`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(structured|general|pixel)$"))]
    pub output_mode: Option<String>,
    /// `zh` (default) or `en`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(zh|en)$"))]
    pub language: Option<String>,
}

/// The recovered prompt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReversePromptOutput {
    pub general_prompt: String,
    pub structured_prompt: String,
    pub negative_prompt: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_sections: Option<Value>,
    pub reference_image: Option<String>,
}

/// `POST /api/generate/suggest-prompt`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SuggestPromptInput {
    /// At most 10000 characters.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 10000, pattern = r"\S"))]
    pub prompt: Option<String>,
    pub system_prefix: Option<String>,
    pub custom_api_config: Option<ModelChoice>,
    /// `{modelName, displayName, mediaType}` of the model the prompt is for.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub target_generation_model: Option<Value>,
}

/// The improved prompt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SuggestPromptOutput {
    pub prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
}
