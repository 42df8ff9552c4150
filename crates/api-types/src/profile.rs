//! The signed-in user's own profile.
use serde::{Deserialize, Serialize};

use crate::auth::UserView;

/// `GET /api/profile`, and `PUT /api/profile` (with `success`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    pub profile: UserView,
}

/// `PUT /api/profile`: every field optional; present fields are changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProfileUpdate {
    pub email: Option<String>,
    /// New login username.
    pub username: Option<String>,
    /// New display name (`displayNickname` wins when both are sent).
    pub nickname: Option<String>,
    #[serde(rename = "displayNickname")]
    pub display_nickname: Option<String>,
    /// Empty string clears the phone.
    pub phone: Option<String>,
    /// Empty string resets to the generated avatar.
    #[serde(rename = "avatarUrl")]
    pub avatar_url: Option<String>,
    #[serde(rename = "watermarkDisabled")]
    pub watermark_disabled: Option<bool>,
    /// The language of the account's e-mails: `zh` or `en`.
    #[serde(rename = "preferredLanguage", alias = "preferred_language")]
    pub preferred_language: Option<String>,
    #[serde(rename = "currentPassword")]
    pub current_password: Option<String>,
    #[serde(rename = "newPassword")]
    pub new_password: Option<String>,
}

/// `PUT /api/profile/theme`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ThemeRequest {
    pub theme: String,
}

/// Answer of `PUT /api/profile/theme`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeResponse {
    pub success: bool,
    pub preferred_theme: String,
}
