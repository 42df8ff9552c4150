//! Dashboard aggregates.

/// Implements `StatsRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __stats_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::repo::{ActivityStats, ModelUsage, PlatformStats, StatsRepo};
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx;

            use $crate::errors::DbResultExt;
            use $crate::ReadRow as _;
            use $crate::SqlStore as _;

            #[$crate::__private::async_trait]
            impl StatsRepo for $store {
                async fn platform_stats(&self, now: DateTime<Utc>, since: DateTime<Utc>) -> Result<PlatformStats> {
                    let row = sqlx::query(
                        "SELECT \
                           (SELECT COUNT(*) FROM users) AS users_total, \
                           (SELECT COUNT(*) FROM users WHERE is_active) AS users_active, \
                           (SELECT COUNT(*) FROM users WHERE role IN ('admin', 'enterprise_admin')) AS admins, \
                           (SELECT COUNT(*) FROM users WHERE membership_tier <> 'free' \
                              AND (membership_expires_at IS NULL OR membership_expires_at > $1)) AS members, \
                           (SELECT COUNT(*) FROM users WHERE created_at >= $2) AS users_recent, \
                           (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE amount > 0) AS credits_issued, \
                           (SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE amount < 0) AS credits_spent, \
                           (SELECT COUNT(*) FROM platform_logs) AS logs_total, \
                           (SELECT COUNT(*) FROM platform_logs WHERE level = 'error') AS logs_errors, \
                           (SELECT COUNT(*) FROM platform_logs WHERE created_at >= $2) AS logs_recent, \
                           (SELECT COUNT(*) FROM works) AS works_total, \
                           (SELECT COUNT(*) FROM works WHERE is_public) AS works_public",
                    )
                    .bind(now)
                    .bind(since)
                    .fetch_one(self.reader())
                    .await
                    .db()?;
                    let get = |name: &str| row.col::<i64>(name);
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
                        sqlx::query_as("SELECT status, COUNT(*) FROM generation_jobs GROUP BY status").fetch_all(self.reader()).await.db()?;
                    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
                        "SELECT model, COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                           CAST(COALESCE(SUM(credits_cost), 0) AS BIGINT) \
                         FROM model_call_records WHERE created_at >= $1 GROUP BY model",
                    )
                    .bind(since)
                    .fetch_all(self.reader())
                    .await
                    .db()?;
                    let models = rows.into_iter().map(|(model, calls, failed, credits)| ModelUsage { model, calls, failed, credits }).collect();
                    Ok(ActivityStats::assemble(statuses, models, top))
                }
            }
        };
    };
}
