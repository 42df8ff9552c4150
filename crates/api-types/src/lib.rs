//! Wire types of the MiaoJing REST API, shared by the server and the SPA.
//!
//! Field names follow the original platform's JSON (a mix of camelCase and
//! snake_case per route) so existing clients keep working.

pub mod admin;
pub mod areas;
pub mod auth;
pub mod credits;
pub mod error;
pub mod generation;
pub mod profile;
pub mod providers;
pub mod site;
pub mod works;

/// A real 1×1 PNG as a data URL: the documented example of every image-upload field.
pub const EXAMPLE_IMAGE_DATA_URL: &str =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// A complete one-provider Manifest as smart-import text: the documented example of `configText`.
pub const EXAMPLE_MANIFEST: &str = r#"{"name": "Example", "model": "example-image-1", "submit": {"path": "https://images.example.com/v1/draw", "body": {"prompt": "$prompt"}, "result": {"imageUrlPaths": ["url"]}}}"#;

/// The closed word lists the API takes and sends (roles, tiers, modes, statuses, …).
pub use miaojing_vocab as vocab;
/// The error-code table (shared with the domain crates; see [`miaojing_vocab::error_codes`]).
pub use miaojing_vocab::error_codes;
pub use miaojing_vocab::{ErrorCode, MessageLang};

/// A plain `{ "success": true }` acknowledgement.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Success {
    pub success: bool,
}

impl Success {
    pub const OK: Success = Success { success: true };
}
