//! Platform logs: logins, admin actions and security events.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Error, Result};

/// Log categories.
pub const LOG_KINDS: [&str; 7] = ["auth", "generation", "admin", "database", "storage", "security", "system"];
/// Log levels.
pub const LOG_LEVELS: [&str; 3] = ["info", "warning", "error"];

/// Checks a category name.
pub fn check_kind(kind: &str) -> Result<()> {
    LOG_KINDS.contains(&kind).then_some(()).ok_or_else(|| Error::validation("invalid_log_type", "日志类型无效"))
}

/// Checks a level name.
pub fn check_level(level: &str) -> Result<()> {
    LOG_LEVELS.contains(&level).then_some(()).ok_or_else(|| Error::validation("invalid_log_level", "日志级别无效"))
}

/// A log row.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub id: Uuid,
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
    pub user_agent: Option<String>,
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Filters for the admin log list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    pub kind: Option<String>,
    pub level: Option<String>,
    /// Substring of the user's id, name or e-mail.
    pub user: Option<String>,
    /// Substring of action, message or target.
    pub keyword: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}
