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
