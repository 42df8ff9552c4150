//! Site settings and the visit counter.
use async_trait::async_trait;
use chrono::Utc;
use miaojing_domain::repo::SettingsRepo;
use miaojing_domain::{Error, Result};
use serde_json::Value;

use crate::errors::{bad_data, db_err};
use crate::SqliteStore;

#[async_trait]
impl SettingsRepo for SqliteStore {
    async fn get_setting(&self, key: &str) -> Result<Option<Value>> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(&self.reader).await.map_err(db_err)?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| bad_data("setting JSON", e))).transpose()
    }

    async fn put_setting(&self, key: &str, value: &Value) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| Error::internal(format!("setting JSON: {e}")))?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(text)
        .bind(Utc::now())
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn increment_visits(&self) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO site_stats (id, total_visits) VALUES (1, 1) \
             ON CONFLICT (id) DO UPDATE SET total_visits = total_visits + 1 RETURNING total_visits",
        )
        .fetch_one(&self.writer)
        .await
        .map_err(db_err)
    }

    async fn visits(&self) -> Result<i64> {
        let n: Option<i64> =
            sqlx::query_scalar("SELECT total_visits FROM site_stats WHERE id = 1").fetch_optional(&self.reader).await.map_err(db_err)?;
        Ok(n.unwrap_or(0))
    }
}
