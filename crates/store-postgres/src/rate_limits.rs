//! Fixed-window counters shared by every instance.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::repo::RateLimitRepo;
use miaojing_domain::Result;

use crate::errors::DbResultExt;
use crate::PgStore;

#[async_trait]
impl RateLimitRepo for PgStore {
    async fn hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
             RETURNING hits",
        )
        .bind(key)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await
        .db()
    }

    async fn purge_rate_limits(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(before).execute(&self.pool).await.db()?;
        Ok(done.rows_affected())
    }
}
