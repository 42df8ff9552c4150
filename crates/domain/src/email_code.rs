//! E-mail verification codes: issuing limits and the outcome of a check.
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// What a code is for; a code only verifies for its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    VerifyEmail,
    ResetPassword,
}

impl CodePurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Register => "register",
            CodePurpose::VerifyEmail => "verify_email",
            CodePurpose::ResetPassword => "reset_password",
        }
    }
}

/// A code to store (only its keyed hash is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmailCode {
    pub id: Uuid,
    pub email: String,
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub user_id: Option<Uuid>,
    pub ip_address: Option<String>,
    pub max_attempts: i32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Limits enforced atomically when a code is issued.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IssuePolicy {
    /// Minimum time between two codes for one address.
    pub resend_interval: Duration,
    /// Codes one IP may request within `ip_window`.
    pub ip_max: i64,
    pub ip_window: Duration,
    /// How long an address stays locked after too many wrong attempts.
    pub lock_duration: Duration,
}

impl Default for IssuePolicy {
    fn default() -> Self {
        Self { resend_interval: Duration::seconds(60), ip_max: 3, ip_window: Duration::seconds(60), lock_duration: Duration::minutes(10) }
    }
}

/// The outcome of checking a code. A `Valid` check has consumed the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    /// No unused code for this address and purpose.
    Missing,
    Expired,
    /// Too many wrong attempts: refused until `until`, even with the right code.
    Locked {
        until: DateTime<Utc>,
    },
    /// Wrong code; `remaining` attempts before the lock.
    Wrong {
        remaining: i32,
    },
}
