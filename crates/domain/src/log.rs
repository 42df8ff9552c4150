//! Platform logs: logins, admin actions and security events.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Error, Result};

pub use miaojing_vocab::{LogLevel, LogType};

/// Log categories.
pub const LOG_KINDS: &[&str] = LogType::WORDS;
/// Log levels.
pub const LOG_LEVELS: &[&str] = LogLevel::WORDS;

/// Checks a category name.
pub fn check_kind(kind: &str) -> Result<()> {
    LogType::parse(kind).map(drop).map_err(Error::from)
}

/// Checks a level name.
pub fn check_level(level: &str) -> Result<()> {
    LogLevel::parse(level).map(drop).map_err(Error::from)
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

impl LogEntry {
    /// A new row of `kind`/`level`/`action` stamped now.
    pub fn new(kind: &str, level: &str, action: &str, message: impl Into<String>) -> Self {
        Self {
            id: Uuid::new_v4(),
            kind: kind.to_string(),
            level: level.to_string(),
            action: action.to_string(),
            message: message.into(),
            user_id: None,
            user_name: None,
            user_email: None,
            target_type: None,
            target_id: None,
            ip_address: None,
            user_agent: None,
            metadata: serde_json::Value::Object(Default::default()),
            created_at: Utc::now(),
        }
    }

    /// Who did it.
    pub fn by(mut self, user: &crate::user::User) -> Self {
        self.user_id = Some(user.id);
        self.user_name = Some(user.username.clone());
        self.user_email = Some(user.email.clone());
        self
    }

    /// What it was done to.
    pub fn target(mut self, kind: &str, id: impl ToString) -> Self {
        self.target_type = Some(kind.to_string());
        self.target_id = Some(id.to_string());
        self
    }

    /// Where the request came from.
    pub fn from_client(mut self, ip: Option<&str>, user_agent: Option<&str>) -> Self {
        self.ip_address = ip.map(|s| s.chars().take(64).collect());
        self.user_agent = user_agent.map(|s| s.chars().take(512).collect());
        self
    }

    /// Structured details.
    pub fn meta(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = metadata;
        self
    }
}
