//! Fixed-window rate-limit counters, shared by every instance on PostgreSQL.

/// Implements `RateLimitRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __rate_limits_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::repo::RateLimitRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx;

            use $crate::errors::DbResultExt;
            use $crate::SqlStore as _;

            #[$crate::__private::async_trait]
            impl RateLimitRepo for $store {
                async fn hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
                         ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
                         RETURNING hits",
                    )
                    .bind(key)
                    .bind(window_start)
                    .fetch_one(self.writer())
                    .await
                    .db()
                }

                async fn purge_rate_limits(&self, before: DateTime<Utc>) -> Result<u64> {
                    let done =
                        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(before).execute(self.writer()).await.db()?;
                    Ok(done.rows_affected())
                }
            }
        };
    };
}
