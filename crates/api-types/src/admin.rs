//! Admin console types (`/api/admin/*`).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::credits::Referral;
use crate::vocab::{JobStatus, Role, Tier};

/// One row of `GET /api/admin/users`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: String,
    pub username: String,
    pub nickname: String,
    /// Role as stored: `user`, `admin` or `enterprise_admin`.
    pub role: Role,
    /// Tier as stored (may have expired; see `effective_tier`).
    pub membership_tier: Tier,
    pub effective_tier: Tier,
    pub membership_expires_at: Option<DateTime<Utc>>,
    pub credits_balance: i64,
    pub is_active: bool,
    pub watermark_disabled: bool,
    pub email_verified: bool,
    pub avatar_url: Option<String>,
    pub phone: Option<String>,
    pub invite_code: String,
    pub referred_by_user_id: Option<Uuid>,
    pub referred_by_email: Option<String>,
    pub referred_by_nickname: Option<String>,
    pub invited_count: i64,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/admin/users` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserList {
    pub users: Vec<AdminUser>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
}

/// `PUT /api/admin/users`: `userId` plus any field to change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AdminUserUpdate {
    #[serde(rename = "userId", alias = "id")]
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Uuid))]
    pub user_id: Option<Uuid>,
    /// `user`, `admin` or `enterprise_admin` (the original's `vip`, `guest` and
    /// `enterprise_member` read as `user`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Role>))]
    pub role: Option<String>,
    #[serde(rename = "membershipTier", alias = "membership_tier")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Tier>))]
    pub membership_tier: Option<String>,
    /// RFC 3339 time, or `null` for a membership without end.
    #[serde(rename = "membershipExpiresAt", alias = "membership_expires_at", default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub membership_expires_at: Option<Option<DateTime<Utc>>>,
    #[serde(rename = "isActive", alias = "is_active")]
    pub is_active: Option<bool>,
    #[serde(rename = "watermarkDisabled", alias = "watermark_disabled")]
    pub watermark_disabled: Option<bool>,
    pub username: Option<String>,
    pub nickname: Option<String>,
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: Option<String>,
    #[serde(rename = "newPassword")]
    pub new_password: Option<String>,
}

/// `POST /api/admin/users/credits`: adjust a balance through the ledger.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CreditAdjustment {
    #[serde(rename = "userId")]
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Uuid))]
    pub user_id: Option<Uuid>,
    /// Positive to add, negative to deduct (never below zero); not zero, at most 10⁹ either way.
    #[cfg_attr(feature = "openapi", schema(required = true, minimum = -1_000_000_000, maximum = 1_000_000_000))]
    pub amount: i64,
    /// Why (stored in the ledger row), at most 200 characters.
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 200, pattern = r"\S"))]
    pub reason: String,
}

/// Answer of a user change.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserResponse {
    pub success: bool,
    pub user: AdminUser,
}

/// Answer of `DELETE /api/admin/users`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedUser {
    pub success: bool,
    #[serde(rename = "deletedUserId")]
    pub deleted_user_id: Uuid,
}

/// `GET /api/admin/invitations` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralList {
    pub referrals: Vec<Referral>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
}

/// A redeem code as admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RedeemCodeView {
    pub id: Uuid,
    /// Display form `MJ-XXXX-XXXX-XXXX`.
    pub code: String,
    pub code_type: String,
    pub credits_amount: i64,
    pub membership_tier: Option<Tier>,
    pub membership_duration_value: Option<i64>,
    pub membership_duration_unit: Option<String>,
    pub note: String,
    pub is_active: bool,
    /// `unused`, `used`, `revoked` or `expired`.
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub batch_id: Uuid,
    pub created_by: Option<Uuid>,
    pub created_by_email: Option<String>,
    pub used_by: Option<Uuid>,
    pub used_by_email: Option<String>,
    pub used_by_name: Option<String>,
    pub used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/admin/redeem-codes`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct RedeemBatchRequest {
    /// 1–500.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 500))]
    pub count: Option<i64>,
    /// `credits` (default) or `membership`.
    #[serde(alias = "code_type")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(credits|membership)$"))]
    pub code_type: Option<String>,
    #[serde(alias = "credits_amount")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100_000_000))]
    pub credits_amount: Option<i64>,
    #[serde(alias = "membership_tier")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Tier>))]
    pub membership_tier: Option<String>,
    #[serde(alias = "membership_duration_value")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub membership_duration_value: Option<i64>,
    /// `day`, `month` or `year`.
    #[serde(alias = "membership_duration_unit")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(?:[dD][aA][yY]|[mM][oO][nN][tT][hH]|[yY][eE][aA][rR])[sS]?$"))]
    pub membership_duration_unit: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub note: Option<String>,
    /// The codes themselves stop working after this time.
    #[serde(alias = "expires_at")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Answer of a batch creation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RedeemBatch {
    pub batch_id: Uuid,
    pub codes: Vec<RedeemCodeView>,
}

/// `GET /api/admin/redeem-codes` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemCodeList {
    pub codes: Vec<RedeemCodeView>,
    pub total: i64,
}

/// `PUT /api/admin/redeem-codes`: revoke or re-enable.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct RedeemCodeToggle {
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Uuid))]
    pub id: Option<Uuid>,
    #[serde(alias = "is_active")]
    pub is_active: bool,
}

/// Single redeem code answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemCodeResponse {
    pub code: RedeemCodeView,
}

/// A platform log row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformLog {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub level: String,
    pub action: String,
    pub message: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip_address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Log retention settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogSettings {
    pub retention_days: i64,
}

/// `GET /api/admin/logs` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformLogList {
    pub logs: Vec<PlatformLog>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
    pub settings: LogSettings,
}

/// `PUT /api/admin/logs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct LogSettingsUpdate {
    /// Days, 1–90.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub retention_days: Option<i64>,
}

/// Answer of `PUT /api/admin/logs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogSettingsResponse {
    pub success: bool,
    pub settings: LogSettings,
    pub deleted: i64,
}

/// SMTP settings as admins see them (the password only as a masked preview).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmailSettingsView {
    pub enabled: bool,
    pub smtp_host: String,
    pub smtp_port: i64,
    /// Implicit TLS (port 465 style). Otherwise STARTTLS is used when offered.
    pub smtp_secure: bool,
    pub smtp_user: String,
    pub smtp_password_preview: String,
    pub from_email: String,
    pub from_name: String,
    pub reply_to: String,
    pub app_name: String,
    pub app_base_url: String,
    pub code_length: i64,
    pub code_ttl_minutes: i64,
}

/// `GET /api/admin/email-settings` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailSettingsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    pub settings: EmailSettingsView,
}

/// `PUT /api/admin/email-settings`: any field to change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct EmailSettingsUpdate {
    pub enabled: Option<bool>,
    pub smtp_host: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65535))]
    pub smtp_port: Option<i64>,
    pub smtp_secure: Option<bool>,
    pub smtp_user: Option<String>,
    /// Ignored when empty or `********`.
    pub smtp_password: Option<String>,
    pub clear_smtp_password: Option<bool>,
    pub from_email: Option<String>,
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
    pub app_name: Option<String>,
    pub app_base_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 4, maximum = 10))]
    pub code_length: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 30))]
    pub code_ttl_minutes: Option<i64>,
}

/// `POST /api/admin/email-settings`: send a test message.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TestEmailRequest {
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub to: String,
}

mod double_option {
    //! Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// `GET /api/admin/dashboard`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub generated_at: DateTime<Utc>,
    pub platform: DashboardPlatform,
    pub users: DashboardUsers,
    pub credits: DashboardCredits,
    pub announcements: DashboardAnnouncements,
    pub system: DashboardSystem,
    pub works: DashboardWorks,
    /// Every job state with its count, in queue order.
    pub jobs: Vec<JobStateCount>,
    pub model_calls: DashboardCalls,
    /// The newest platform logs.
    pub recent_logs: Vec<PlatformLog>,
}

/// Stored works.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardWorks {
    pub total: i64,
    /// Shown in the public gallery.
    pub public: i64,
}

/// Jobs in one state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobStateCount {
    pub status: JobStatus,
    pub count: i64,
}

/// Model calls of the last `windowDays` days.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardCalls {
    pub window_days: i64,
    pub total: i64,
    pub failed: i64,
    /// `failed / total` (0 without calls).
    pub error_rate: f64,
    /// The most used models, most calls first.
    pub models: Vec<ModelCallStats>,
}

/// One model's calls in the dashboard window.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelCallStats {
    pub model: String,
    pub calls: i64,
    pub failed: i64,
    pub error_rate: f64,
    pub credits: i64,
}

/// Site-wide figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardPlatform {
    pub total_visits: i64,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub version: String,
}

/// Account figures ("7d" = created in the last 7 days).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardUsers {
    pub total: i64,
    pub active: i64,
    pub disabled: i64,
    pub admins: i64,
    /// Accounts with a paid tier in force.
    pub members: i64,
    #[serde(rename = "created7d")]
    pub created_7d: i64,
}

/// Credits issued (all grants) and spent (all debits) through the ledger.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardCredits {
    pub issued: i64,
    pub spent: i64,
}

/// Announcements by state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardAnnouncements {
    pub total: i64,
    /// Visible now.
    pub active: i64,
    /// Enabled, starting later.
    pub scheduled: i64,
    /// Past their end.
    pub expired: i64,
}

/// Health and logs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardSystem {
    pub database_health: bool,
    pub storage_health: bool,
    pub storage_backend: String,
    pub logs_total: i64,
    pub logs_errors: i64,
    #[serde(rename = "logsCreated7d")]
    pub logs_created_7d: i64,
}

/// `GET /api/admin/stats`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdminStats {
    pub total_visits: i64,
    /// Accounts that are not admins.
    pub total_users: i64,
}

/// `GET|PUT /api/admin/demo-models`: the switch of the offline demo models.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DemoModels {
    /// The switch: demo models are offered while it is on.
    pub enabled: bool,
    /// Whether the demo upstream runs in this server process; when the switch is turned on
    /// while it does not, the demo models are offered after the next start.
    pub running: bool,
    /// Whether users are offered the demo models now (`enabled` and `running`).
    pub offered: bool,
}

/// `PUT /api/admin/demo-models` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemoModelsUpdate {
    pub enabled: bool,
}
