//! The JSON error envelope every failing route returns.
use serde::{Deserialize, Serialize};

/// `{"error": "<human message>", "code": "<stable_code>"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Human-readable message (may be shown to users).
    pub error: String,
    /// Stable snake_case code for programs and translations.
    pub code: String,
}
