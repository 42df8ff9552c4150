//! Dashboard aggregates.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::repo::{ActivityStats, ModelUsage, PlatformStats, StatsRepo};
use miaojing_domain::Result;
use sqlx::Row;

use crate::errors::db_err;
use crate::SqliteStore;

#[async_trait]
impl StatsRepo for SqliteStore {
    async fn platform_stats(&self, now: DateTime<Utc>, since: DateTime<Utc>) -> Result<PlatformStats> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM users) AS users_total, \
               (SELECT COUNT(*) FROM users WHERE is_active = 1) AS users_active, \
               (SELECT COUNT(*) FROM users WHERE role IN ('admin', 'enterprise_admin')) AS admins, \
               (SELECT COUNT(*) FROM users WHERE membership_tier <> 'free' \
                  AND (membership_expires_at IS NULL OR membership_expires_at > ?1)) AS members, \
               (SELECT COUNT(*) FROM users WHERE created_at >= ?2) AS users_recent, \
               (SELECT COALESCE(SUM(amount), 0) FROM credit_ledger WHERE amount > 0) AS credits_issued, \
               (SELECT COALESCE(-SUM(amount), 0) FROM credit_ledger WHERE amount < 0) AS credits_spent, \
               (SELECT COUNT(*) FROM platform_logs) AS logs_total, \
               (SELECT COUNT(*) FROM platform_logs WHERE level = 'error') AS logs_errors, \
               (SELECT COUNT(*) FROM platform_logs WHERE created_at >= ?2) AS logs_recent, \
               (SELECT COUNT(*) FROM works) AS works_total, \
               (SELECT COUNT(*) FROM works WHERE is_public = 1) AS works_public",
        )
        .bind(now)
        .bind(since)
        .fetch_one(&self.reader)
        .await
        .map_err(db_err)?;
        let get = |name: &str| row.try_get::<i64, _>(name).map_err(db_err);
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
            works_total: get("works_total")?,
            works_public: get("works_public")?,
        })
    }

    async fn activity_stats(&self, since: DateTime<Utc>, top: usize) -> Result<ActivityStats> {
        let statuses: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM generation_jobs GROUP BY status").fetch_all(&self.reader).await.map_err(db_err)?;
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT model, COUNT(*), COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(credits_cost), 0) \
             FROM model_call_records WHERE created_at >= ? GROUP BY model",
        )
        .bind(since)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let models = rows.into_iter().map(|(model, calls, failed, credits)| ModelUsage { model, calls, failed, credits }).collect();
        Ok(ActivityStats::assemble(statuses, models, top))
    }
}
