//! Sign-up, sign-in and session types.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::vocab::{ShownRole, Tier};

/// `POST /api/auth/login`. The first non-empty of `account`, `email`, `phone` identifies the user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LoginRequest {
    /// Username, e-mail or phone.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"\S"))]
    pub account: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"\S"))]
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"\S"))]
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, min_length = 1))]
    pub password: String,
    /// Set by the admin console: non-admins are refused with 403.
    #[serde(rename = "adminOnly")]
    pub admin_only: bool,
}

/// `POST /api/auth/register`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RegisterRequest {
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub email: String,
    /// 8–128 characters with at least one letter and one digit.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 8, max_length = 128, pattern = "^(?:.*[A-Za-z].*[0-9]|.*[0-9].*[A-Za-z]).*$")
    )]
    pub password: String,
    /// Login username (defaults to the e-mail's local part): 2–50 characters without spaces,
    /// `@` or angle brackets.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[^\s@<>\x00-\x1f\x7f-\x9f]{2,50}$"))]
    pub nickname: Option<String>,
    pub phone: Option<String>,
    /// Required when the site requires e-mail verification.
    #[serde(rename = "emailCode")]
    pub email_code: Option<String>,
    /// Must be `true`.
    #[serde(rename = "acceptedTerms")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub accepted_terms: bool,
    #[serde(rename = "inviteCode")]
    pub invite_code: Option<String>,
    #[serde(rename = "referralCode")]
    pub referral_code: Option<String>,
    /// The account's language for e-mails, `zh` or `en` (the client's UI language; defaults
    /// to the `Accept-Language` header, else `zh`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^(?:[zZ][hH]|[eE][nN])(?:[-_].*)?$"))]
    pub language: Option<String>,
}

/// The signed-in user's account as returned by login, register and profile routes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: String,
    /// Login username (stable).
    pub username: String,
    /// Display name (same as `display_nickname`, kept for old clients).
    pub nickname: String,
    pub display_nickname: String,
    /// `user`, `vip` (active paid tier), `admin` or `enterprise_admin`.
    pub role: ShownRole,
    /// Effective tier: an expired membership reads as `free`.
    pub membership_tier: Tier,
    pub membership_expires_at: Option<DateTime<Utc>>,
    pub credits_balance: i64,
    pub avatar_url: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub email_verified: bool,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub email_bound_at: Option<DateTime<Utc>>,
    pub preferred_theme: String,
    /// The language of the account's e-mails: `zh` or `en`.
    #[serde(default = "default_language")]
    pub preferred_language: String,
    pub watermark_disabled: bool,
    pub invite_code: String,
}

fn default_language() -> String {
    "zh".into()
}

/// The bearer token of a new session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Response of login and register.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    pub user: UserView,
    pub session: SessionView,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `GET /api/auth/admin-exists`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminExistsResponse {
    pub exists: bool,
    pub nickname: Option<String>,
}

/// Body of the e-mail code requests (`/api/email/send-*-code`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EmailRequest {
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub email: String,
    /// The language of the mail when the address has no account yet, `zh` or `en` (defaults
    /// to the `Accept-Language` header, else `zh`); an account's mail uses its own language.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(?:[zZ][hH]|[eE][nN])(?:[-_].*)?$"))]
    pub language: Option<String>,
}

/// Response of a code request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSentResponse {
    pub success: bool,
    /// Seconds until the code expires (absent for the anti-enumeration reset answer).
    #[serde(rename = "expiresIn", default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    /// Seconds before another code may be requested.
    pub cooldown: i64,
    pub message: String,
}

/// `POST /api/email/verify-profile`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VerifyEmailRequest {
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub email: String,
    /// The code from the mail: 4–10 letters or digits.
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"^\s*[A-Za-z0-9]{4,10}\s*$"))]
    pub code: String,
}

/// `POST /api/email/reset-password`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResetPasswordRequest {
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub email: String,
    /// The code from the mail: 4–10 letters or digits.
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"^\s*[A-Za-z0-9]{4,10}\s*$"))]
    pub code: String,
    /// 8–128 characters with at least one letter and one digit.
    #[serde(rename = "newPassword")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 8, max_length = 128, pattern = "^(?:.*[A-Za-z].*[0-9]|.*[0-9].*[A-Za-z]).*$")
    )]
    pub new_password: String,
}

/// A `{ success, message }` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageResponse {
    pub success: bool,
    pub message: String,
}

/// `POST /api/email/send-notification` (admin): a branded notice to one address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct NotificationRequest {
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub to: String,
    /// Kind of notice (`business`, `announcement`, `security_login`, …); informational.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// At most 120 characters.
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 120, pattern = r"\S"))]
    pub title: String,
    /// Plain text, at most 4000 characters; blank lines separate paragraphs.
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 4000, pattern = r"\S"))]
    pub body: String,
    /// At most 40 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub button_text: Option<String>,
    /// An http(s) link, at most 500 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 500, pattern = r"^\s*(https?://[\x21-\x7e]+)?\s*$"))]
    pub button_url: Option<String>,
}
