//! Server-side sessions: the row that makes a bearer token revocable.
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A sign-in. A token is valid only while its session is neither revoked nor expired.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}
