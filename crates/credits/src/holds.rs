//! Credit holds: what a job costs up front, and reading what is held.
//!
//! Placing a hold happens inside the store's submission transaction (the user's balance
//! minus their open holds must cover it, checked under the user's row lock on PostgreSQL and
//! the single writer on SQLite), and settling or releasing it inside the compare-and-set that
//! finishes the job — see `miaojing_domain::job::JobRepo`. This module prices jobs and reads.
use miaojing_domain::ErrorCode;
use std::sync::Arc;

pub use miaojing_domain::provider::Pricing;
use miaojing_domain::{Error, Result, Store};
use uuid::Uuid;

/// The credits to hold for a job of `count` results (images) or `duration_secs` (video): a
/// fixed price per result, a price per second of video (at least one second), nothing for
/// free and token-priced models (user keys are free). Refuses negative prices and overflow
/// with 400.
pub fn estimate(pricing: Pricing, count: u32, duration_secs: Option<f64>) -> Result<i64> {
    let overflow = || Error::validation(ErrorCode::CreditsOverflow, "积分数额过大");
    match pricing {
        Pricing::Free | Pricing::Tokens { .. } => Ok(0),
        Pricing::Fixed { credits: p } if p < 0 => Err(Error::validation(ErrorCode::InvalidPrice, "价格无效")),
        Pricing::Fixed { credits: p } => p.checked_mul(i64::from(count.max(1))).ok_or_else(overflow),
        Pricing::PerSecond { credits_per_second: p } if p < 0 => Err(Error::validation(ErrorCode::InvalidPrice, "价格无效")),
        Pricing::PerSecond { credits_per_second: p } => {
            let secs = duration_secs.filter(|d| d.is_finite()).unwrap_or(1.0).floor().clamp(1.0, 86_400.0) as i64;
            p.checked_mul(secs).ok_or_else(overflow)
        }
    }
}

/// Reads holds.
#[derive(Clone)]
pub struct HoldService {
    store: Arc<dyn Store>,
}

impl HoldService {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// What the user can still spend: balance minus open holds.
    pub async fn available(&self, user_id: Uuid) -> Result<i64> {
        let user = self.store.user_by_id(user_id).await?.ok_or_else(|| Error::not_found(ErrorCode::NotFound, "用户不存在"))?;
        Ok(user.credits_balance - self.store.open_holds_total(user_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_jobs() {
        assert_eq!(estimate(Pricing::Free, 4, None).unwrap(), 0);
        assert_eq!(estimate(Pricing::Fixed { credits: 5 }, 4, None).unwrap(), 20);
        assert_eq!(estimate(Pricing::Fixed { credits: 5 }, 0, None).unwrap(), 5);
        assert_eq!(estimate(Pricing::PerSecond { credits_per_second: 3 }, 1, Some(5.9)).unwrap(), 15);
        assert_eq!(estimate(Pricing::PerSecond { credits_per_second: 3 }, 1, Some(0.2)).unwrap(), 3);
        assert_eq!(estimate(Pricing::PerSecond { credits_per_second: 3 }, 1, Some(f64::NAN)).unwrap(), 3);
        assert_eq!(estimate(Pricing::Fixed { credits: i64::MAX }, 2, None).unwrap_err().code, "credits_overflow");
        assert_eq!(estimate(Pricing::Fixed { credits: -1 }, 1, None).unwrap_err().code, "invalid_price");
    }
}
