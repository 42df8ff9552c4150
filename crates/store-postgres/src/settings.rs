//! Site settings (JSONB documents by key) and the visit counter.
use async_trait::async_trait;
use miaojing_domain::repo::SettingsRepo;
use miaojing_domain::Result;
use serde_json::Value;

use crate::errors::DbResultExt;
use crate::sql::now;
use crate::PgStore;

#[async_trait]
impl SettingsRepo for PgStore {
    async fn get_setting(&self, key: &str) -> Result<Option<Value>> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await.db()
    }

    async fn put_setting(&self, key: &str, value: &Value) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now())
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn increment_visits(&self) -> Result<i64> {
        // The migration seeds the single row; recreate it if someone removed it.
        sqlx::query_scalar(
            "INSERT INTO site_stats (id, total_visits) VALUES (1, 1) \
             ON CONFLICT (id) DO UPDATE SET total_visits = site_stats.total_visits + 1 \
             RETURNING total_visits",
        )
        .fetch_one(&self.pool)
        .await
        .db()
    }

    async fn visits(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT total_visits FROM site_stats WHERE id = 1").fetch_optional(&self.pool).await.db()?;
        Ok(v.unwrap_or(0))
    }
}
