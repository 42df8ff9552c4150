//! Credits: the ledger as users and admins see it, redeem codes, memberships and
//! invitation rewards. Every balance change goes through the store's ledger port.

pub mod csv;
pub mod holds;
pub mod redeem;

use miaojing_domain::ErrorCode;
use std::sync::Arc;

use miaojing_domain::ledger::{Grant, LedgerEntry, LedgerKind};
use miaojing_domain::log::LogEntry;
use miaojing_domain::user::User;
use miaojing_domain::{Error, PageRequest, Paged, Result, Store};
use uuid::Uuid;

pub use holds::{estimate, HoldService, Pricing};
pub use redeem::{BatchSpec, RedeemService};

/// Longest reason an admin may give for an adjustment.
pub const REASON_MAX: usize = 200;

/// Ledger reads and admin adjustments.
#[derive(Clone)]
pub struct CreditService {
    store: Arc<dyn Store>,
}

impl CreditService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The user's ledger, newest first.
    pub async fn ledger(&self, user_id: Uuid, page: PageRequest) -> Result<Paged<LedgerEntry>> {
        self.store.ledger_page(user_id, page).await
    }

    /// An admin adds (positive) or deducts (negative) credits with a reason; the balance never
    /// goes below zero (402 `insufficient_credits`).
    pub async fn admin_adjust(&self, admin: &User, user_id: Uuid, amount: i64, reason: &str) -> Result<LedgerEntry> {
        let reason = reason.trim();
        if amount == 0 || amount.unsigned_abs() > 1_000_000_000 {
            return Err(Error::validation(ErrorCode::InvalidAmount, "调整数量必须为非零整数，且绝对值不超过 10 亿"));
        }
        if reason.is_empty() || reason.chars().count() > REASON_MAX {
            return Err(Error::validation(ErrorCode::ReasonRequired, "请填写调整原因（最多 200 字）"));
        }
        let entry = self
            .store
            .apply_grant(Grant { user_id, amount, kind: LedgerKind::Admin, description: format!("管理员调整：{reason}") })
            .await?;
        let log = LogEntry::new("admin", "info", "admin_credit_adjusted", "管理员调整积分")
            .by(admin)
            .target("user", user_id)
            .meta(serde_json::json!({ "amount": amount, "balanceAfter": entry.balance_after, "reason": reason }));
        if let Err(e) = self.store.insert_log(log).await {
            tracing::warn!(error = %e, "could not write a platform log");
        }
        Ok(entry)
    }
}
