//! Creation history, the gallery and likes; admin job and model call listings.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::vocab::{JobStatus, Mode};

/// A history row (light: thumbnail URLs, never data URLs).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryRecord {
    pub id: Uuid,
    /// `image`, `video` or `reverse-prompt`.
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: Mode,
    /// The stored original (never the gallery copy).
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration: Option<f64>,
    /// The title given when publishing (empty when none).
    #[serde(default)]
    pub title: String,
    pub prompt: String,
    pub negative_prompt: String,
    pub model: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Value,
    pub credits_cost: i64,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/creation-history`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub records: Vec<HistoryRecord>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `DELETE /api/creation-history`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    pub success: bool,
    pub deleted: u64,
}

/// A public gallery work.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GalleryWork {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: Mode,
    /// The publication's title (empty when none was given).
    #[serde(default)]
    pub title: String,
    pub prompt: String,
    pub negative_prompt: String,
    /// The gallery copy (works published before gallery copies existed show the original).
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration: Option<f64>,
    pub model: String,
    pub likes: i64,
    /// Whether the caller likes it.
    pub liked: bool,
    pub credits_cost: i64,
    pub publisher_id: Uuid,
    pub publisher_nickname: String,
    pub publisher_avatar_url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// Admin listings only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
}

/// `GET /api/gallery`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GalleryPage {
    pub works: Vec<GalleryWork>,
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// `POST /api/gallery/publish`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct PublishRequest {
    /// One of the caller's history rows. Publishing copies its original (and thumbnail) into
    /// the gallery; unpublishing removes that copy and keeps the history row.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Uuid))]
    pub work_id: Option<Uuid>,
    /// `false` unpublishes.
    pub publish: Option<bool>,
    /// The publication's title: at most 80 characters, one line; blank clears it, absent keeps
    /// the current one.
    #[cfg_attr(feature = "openapi", schema(max_length = 80, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$"))]
    pub title: Option<String>,
}

/// `DELETE /api/gallery`: works to take out of the gallery (merged with `?id=`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GalleryIds {
    /// At most 100 work ids.
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub ids: Vec<Uuid>,
}

/// Answer of taking works out of the gallery: the rows stay in their owners' history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unpublished {
    pub success: bool,
    /// How many works left the gallery (works already private are not counted).
    pub removed: u64,
    /// The works that left the gallery.
    pub ids: Vec<Uuid>,
}

/// Answer of publish and unpublish.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublishResponse {
    pub success: bool,
    pub work_id: Uuid,
    pub published: bool,
    /// The gallery copy when published, the original when not.
    pub result_url: String,
    pub title: String,
}

/// Answer of like and unlike.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LikeState {
    pub work_id: Uuid,
    pub liked: bool,
    pub likes: i64,
}

/// `GET /api/admin/gallery/works`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminGalleryPage {
    pub works: Vec<GalleryWork>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
}

/// `PUT /api/admin/gallery/prompt`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct PromptEdit {
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Uuid))]
    pub work_id: Option<Uuid>,
    /// The new prompt, at most 8000 characters (it must differ from the current one).
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 8000, pattern = r"\S"))]
    pub prompt: String,
    /// The notice to the author: subject at most 120 characters, body at most 5000.
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 120, pattern = r"\S"))]
    pub email_subject: String,
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 5000, pattern = r"\S"))]
    pub email_body: String,
    pub reason_key: String,
}

/// A job row for admins (no params or results).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminJob {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_email: String,
    pub user_nickname: String,
    #[serde(rename = "type")]
    pub mode: Mode,
    pub model: String,
    pub status: JobStatus,
    pub attempt: i32,
    pub estimated_cost: i64,
    pub actual_cost: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/admin/generation-jobs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminJobs {
    pub jobs: Vec<AdminJob>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
}

/// A model call record for admins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelCall {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub generation_job_id: Option<Uuid>,
    pub source: String,
    pub operation: String,
    pub model_name: String,
    pub provider: String,
    pub status: String,
    pub credits_cost: i64,
    pub result_count: i32,
    pub duration_ms: i64,
    pub error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// `GET /api/admin/model-call-records`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelCalls {
    pub records: Vec<ModelCall>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
}
