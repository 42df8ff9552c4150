//! The credit ledger: every balance change is one row.
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Why credits moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    /// Registration gift.
    Gift,
    /// Invitation reward (either side).
    Invite,
    /// Redeemed credit code.
    Redeem,
    /// Generation charge.
    Consume,
    /// Generation refund.
    Refund,
    /// Manual adjustment by an admin (with a reason).
    Admin,
}

impl LedgerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Gift => "gift",
            LedgerKind::Invite => "invite",
            LedgerKind::Redeem => "redeem",
            LedgerKind::Consume => "consume",
            LedgerKind::Refund => "refund",
            LedgerKind::Admin => "admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "gift" => LedgerKind::Gift,
            "invite" => LedgerKind::Invite,
            "redeem" => LedgerKind::Redeem,
            "consume" => LedgerKind::Consume,
            "refund" => LedgerKind::Refund,
            "admin" => LedgerKind::Admin,
            _ => return None,
        })
    }
}

/// A balance change to apply. Negative amounts fail rather than overdraw.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub user_id: Uuid,
    pub amount: i64,
    pub kind: LedgerKind,
    pub description: String,
}

/// A ledger row.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub id: Uuid,
    pub user_id: Uuid,
    pub amount: i64,
    pub balance_after: i64,
    pub kind: LedgerKind,
    pub description: String,
    pub created_at: DateTime<Utc>,
}
