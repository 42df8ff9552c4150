//! Connecting, migrating and the `StoreInfo` port.
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use miaojing_domain::repo::{PoolStats, StoreInfo};
use miaojing_domain::{Error, ErrorKind, Result};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::PgStore;
use miaojing_store_sql::DbResultExt;

/// The embedded PostgreSQL migrations (`migrations/postgres`).
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// The message shown when the database cannot be reached.
const UNAVAILABLE: &str = "数据库暂时不可用，请稍后再试";

impl PgStore {
    /// Connects a pool of at most `max_connections` to `url` (`postgres://…`) and applies
    /// pending migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| Error::internal(format!("invalid PostgreSQL URL: {e}")))?
            .application_name("miaojing");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| {
                Error::new(ErrorKind::Unavailable, "database_unavailable", UNAVAILABLE)
                    .with_detail(format!("connecting to PostgreSQL: {e}"))
            })?;
        let store = Self::from_pool(pool);
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations (sqlx holds an advisory lock, so concurrent instances
    /// starting together are safe).
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| Error::internal(format!("PostgreSQL migration failed: {e}")))
    }
}

#[async_trait]
impl StoreInfo for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.db()?;
        Ok(())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn job_wakeup(&self) -> Result<Option<std::sync::Arc<dyn miaojing_domain::job::JobWakeup>>> {
        Ok(Some(std::sync::Arc::new(crate::PgWakeup::start(&self.pool).await?)))
    }
}
