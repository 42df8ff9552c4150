//! Invitation referrals: who invited whom, rewarded once per invitee.
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Normalises an invite code as typed: ASCII letters and digits, upper-case, at most 32.
pub fn normalize_invite_code(input: &str) -> String {
    input.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).take(32).collect()
}

/// A referral to record when an invitee registers.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReferral {
    pub id: Uuid,
    pub invite_code: String,
    pub inviter_id: Uuid,
    pub inviter_bonus: i64,
    pub invitee_bonus: i64,
}

/// A referral with both parties' names.
#[derive(Debug, Clone, PartialEq)]
pub struct Referral {
    pub id: Uuid,
    pub invite_code: String,
    pub inviter_id: Uuid,
    pub invitee_id: Uuid,
    pub inviter_bonus: i64,
    pub invitee_bonus: i64,
    pub created_at: DateTime<Utc>,
    pub inviter_email: Option<String>,
    pub inviter_nickname: Option<String>,
    pub invitee_email: Option<String>,
    pub invitee_nickname: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalizes() {
        assert_eq!(super::normalize_invite_code(" mj-12ab_cd "), "MJ12ABCD");
        assert_eq!(super::normalize_invite_code(&"a".repeat(40)).len(), 32);
    }
}
