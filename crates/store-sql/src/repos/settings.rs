//! Site settings (JSON documents by key) and the visit counter.

/// Implements `SettingsRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __settings_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::miaojing_domain::repo::SettingsRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::serde_json::Value;
            use $crate::__private::sqlx::{self, types::Json};

            use $crate::errors::DbResultExt;
            use $crate::sql::now;
            use $crate::SqlStore as _;

            #[$crate::__private::async_trait]
            impl SettingsRepo for $store {
                async fn get_setting(&self, key: &str) -> Result<Option<Value>> {
                    let value: Option<Json<Value>> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                        .bind(key)
                        .fetch_optional(self.reader())
                        .await
                        .db()?;
                    Ok(value.map(|v| v.0))
                }

                async fn put_setting(&self, key: &str, value: &Value) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
                    )
                    .bind(key)
                    .bind(Json(value))
                    .bind(now())
                    .execute(self.writer())
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
                    .fetch_one(self.writer())
                    .await
                    .db()
                }

                async fn visits(&self) -> Result<i64> {
                    let v: Option<i64> =
                        sqlx::query_scalar("SELECT total_visits FROM site_stats WHERE id = 1").fetch_optional(self.reader()).await.db()?;
                    Ok(v.unwrap_or(0))
                }
            }
        };
    };
}
