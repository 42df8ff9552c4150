//! Fixed-window rate-limit counters.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::repo::RateLimitRepo;
use miaojing_domain::Result;

use crate::errors::db_err;
use crate::SqliteStore;

#[async_trait]
impl RateLimitRepo for SqliteStore {
    async fn hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits",
        )
        .bind(key)
        .bind(window_start)
        .fetch_one(&self.writer)
        .await
        .map_err(db_err)
    }

    async fn purge_rate_limits(&self, before: DateTime<Utc>) -> Result<u64> {
        let done =
            sqlx::query("DELETE FROM rate_limits WHERE window_start < ?").bind(before).execute(&self.writer).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
