//! Dashboard aggregates.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::repo::{PlatformStats, StatsRepo};
use miaojing_domain::Result;
use sqlx::Row;

use crate::errors::DbResultExt;
use crate::PgStore;

#[async_trait]
impl StatsRepo for PgStore {
    async fn platform_stats(&self, now: DateTime<Utc>, since: DateTime<Utc>) -> Result<PlatformStats> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM users) AS users_total, \
               (SELECT COUNT(*) FROM users WHERE is_active) AS users_active, \
               (SELECT COUNT(*) FROM users WHERE role IN ('admin', 'enterprise_admin')) AS admins, \
               (SELECT COUNT(*) FROM users WHERE membership_tier <> 'free' \
                  AND (membership_expires_at IS NULL OR membership_expires_at > $1)) AS members, \
               (SELECT COUNT(*) FROM users WHERE created_at >= $2) AS users_recent, \
               (SELECT COALESCE(SUM(amount), 0)::BIGINT FROM credit_ledger WHERE amount > 0) AS credits_issued, \
               (SELECT COALESCE(-SUM(amount), 0)::BIGINT FROM credit_ledger WHERE amount < 0) AS credits_spent, \
               (SELECT COUNT(*) FROM platform_logs) AS logs_total, \
               (SELECT COUNT(*) FROM platform_logs WHERE level = 'error') AS logs_errors, \
               (SELECT COUNT(*) FROM platform_logs WHERE created_at >= $2) AS logs_recent",
        )
        .bind(now)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .db()?;
        let get = |name: &str| row.try_get::<i64, _>(name).db();
        Ok(PlatformStats {
            users_total: get("users_total")?,
            users_active: get("users_active")?,
            admins: get("admins")?,
            members: get("members")?,
            users_recent: get("users_recent")?,
            credits_issued: get("credits_issued")?,
            credits_spent: get("credits_spent")?,
            logs_total: get("logs_total")?,
            logs_errors: get("logs_errors")?,
            logs_recent: get("logs_recent")?,
        })
    }
}
