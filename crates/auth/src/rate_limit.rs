//! Rate-limit policy: fixed windows counted in the store, so every instance shares them.
use miaojing_domain::ErrorCode;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use miaojing_domain::repo::RateLimitRepo;
use miaojing_domain::{Error, Result};

/// A limit: at most `max` hits per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

impl Limit {
    /// `max` hits per `window_secs` seconds.
    pub const fn new(max: i64, window_secs: i64) -> Self {
        Self { max, window_secs }
    }
}

/// The limits for each protected action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Login attempts per client IP.
    pub login_ip: Limit,
    /// Login attempts per account identifier (slows password guessing from many IPs).
    pub login_account: Limit,
    /// Registrations per client IP.
    pub register_ip: Limit,
    /// E-mail code requests per client IP (the store also enforces per-address cooldowns).
    pub email_ip: Limit,
    /// Admin API calls per session.
    pub admin: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_ip: Limit::new(20, 60),
            login_account: Limit::new(10, 60),
            register_ip: Limit::new(10, 60),
            email_ip: Limit::new(6, 60),
            admin: Limit::new(600, 60),
        }
    }
}

/// Counts hits and refuses with 429 and `Retry-After` past the limit.
#[derive(Clone)]
pub struct RateLimiter {
    store: Arc<dyn RateLimitRepo>,
}

impl RateLimiter {
    /// A limiter over the store's shared counters.
    pub fn new(store: Arc<dyn RateLimitRepo>) -> Self {
        Self { store }
    }

    /// Counts one hit of `bucket` for `identity`; refuses when over `limit`.
    pub async fn check(&self, bucket: &str, identity: &str, limit: Limit, now: DateTime<Utc>) -> Result<()> {
        let window = limit.window_secs.max(1);
        let start_secs = now.timestamp() - now.timestamp().rem_euclid(window);
        let start = Utc.timestamp_opt(start_secs, 0).single().unwrap_or(now);
        let key = format!("{bucket}:{identity}");
        let hits = self.store.hit(&key, start).await?;
        if hits > limit.max {
            let retry = (start_secs + window - now.timestamp()).max(1) as u64;
            return Err(Error::rate_limited(ErrorCode::RateLimited, format!("请求过于频繁，请 {retry} 秒后再试"), retry));
        }
        Ok(())
    }
}
