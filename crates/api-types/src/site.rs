//! Site configuration, announcements and visit statistics.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The site configuration (`GET /api/site-config` returns all of it; every field is public).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SiteConfig {
    pub site_name: String,
    pub site_tab_title: String,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub membership_enabled: bool,
    pub terms_of_service: String,
    pub privacy_policy: String,
    pub about_us: String,
    pub help_center: String,
    pub filing_info: String,
    pub filing_url: String,
    pub public_security_filing_info: String,
    pub public_security_filing_url: String,
    pub redeem_code_mall_url: String,
    /// Platform-log retention, 1–90 days.
    pub log_retention_days: i64,
    /// Layout-composition guidance for image prompts.
    pub image_composition_skill_enabled: bool,
    /// New accounts may sign up.
    pub registration_enabled: bool,
    /// Sign-up needs an e-mail code.
    pub email_verification_required: bool,
    /// Credits given to every new account.
    pub registration_gift_credits: i64,
    /// Credits given to the inviter when an invitee signs up.
    pub inviter_reward_credits: i64,
    /// Credits given to the invitee on top of the gift.
    pub invitee_reward_credits: i64,
}

/// `PUT /api/site-config`: every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SiteConfigUpdate {
    pub site_name: Option<String>,
    pub site_tab_title: Option<String>,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub membership_enabled: Option<bool>,
    pub terms_of_service: Option<String>,
    pub privacy_policy: Option<String>,
    pub about_us: Option<String>,
    pub help_center: Option<String>,
    pub filing_info: Option<String>,
    pub filing_url: Option<String>,
    pub public_security_filing_info: Option<String>,
    pub public_security_filing_url: Option<String>,
    pub redeem_code_mall_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub log_retention_days: Option<i64>,
    pub image_composition_skill_enabled: Option<bool>,
    pub registration_enabled: Option<bool>,
    pub email_verification_required: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000000))]
    pub registration_gift_credits: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000000))]
    pub inviter_reward_credits: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000000))]
    pub invitee_reward_credits: Option<i64>,
}

/// `POST /api/admin/site-assets/{kind}`: the stored logo or favicon and the configuration that
/// now points at it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SiteAssetUploaded {
    pub success: bool,
    /// `logo` or `favicon`.
    pub kind: String,
    /// `/api/local-storage/site-assets/<kind>-<content hash>.<ext>` (cached as immutable).
    pub url: String,
    pub content_type: String,
    pub size: u64,
    pub site_config: SiteConfig,
}

/// An announcement. `enabled`/`start_date`/`end_date` mirror the stored fields for old clients.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Announcement {
    pub id: Uuid,
    pub title: String,
    /// Markdown.
    pub content: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub is_active: bool,
    pub enabled: bool,
    /// Shown as a pop-up on the home page.
    pub popup: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/announcements` and `PUT /api/announcements` (with `id`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct AnnouncementInput {
    pub id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(max_length = 255, pattern = r"\S"))]
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20000, pattern = r"\S"))]
    pub content: Option<String>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub enabled: Option<bool>,
    pub popup: Option<bool>,
}

/// `{ id, success }` after creating something.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub id: Uuid,
    pub success: bool,
}

/// `GET/POST /api/site-stats`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteStats {
    #[serde(rename = "totalVisits")]
    pub total_visits: i64,
}

/// `GET /api/health`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub ok: bool,
    pub service: String,
    pub version: String,
    pub timestamp: DateTime<Utc>,
    pub checks: HealthChecks,
}

/// Individual health checks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthChecks {
    pub database: Check,
    pub storage: Check,
}

/// One health check's outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Check {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Backend name (`sqlite`, `postgres`, `local`, …).
    pub kind: String,
}
