//! Job wake-ups across instances: `NOTIFY miaojing_jobs` on submission, a `LISTEN`ing
//! connection per instance that wakes the local runner.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use miaojing_domain::job::JobWakeup;
use miaojing_domain::Result;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::Notify;

use miaojing_store_sql::DbResultExt;

const CHANNEL: &str = "miaojing_jobs";

/// A [`JobWakeup`] on PostgreSQL LISTEN/NOTIFY. Dropping it stops listening.
pub struct PgWakeup {
    pool: PgPool,
    local: Arc<Notify>,
    listener: tokio::task::JoinHandle<()>,
}

impl PgWakeup {
    /// Opens the listening connection (it reconnects by itself after errors).
    pub async fn start(pool: &PgPool) -> Result<Self> {
        let mut listener = PgListener::connect_with(pool).await.db()?;
        listener.listen(CHANNEL).await.db()?;
        let local = Arc::new(Notify::new());
        let wake = Arc::clone(&local);
        let task = tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "job LISTEN connection failed; retrying");
                        // Notifications may have been missed: let the runner look.
                        wake.notify_one();
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(Self { pool: pool.clone(), local, listener: task })
    }
}

impl Drop for PgWakeup {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

#[async_trait]
impl JobWakeup for PgWakeup {
    async fn notify(&self) {
        if let Err(e) = sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&self.pool).await {
            tracing::warn!(error = %e, "NOTIFY failed; runners fall back to their idle tick");
            self.local.notify_one();
        }
    }

    async fn notified(&self) {
        self.local.notified().await;
    }
}
