//! Shared health of platform channels.

/// Implements `ChannelHealthRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __channel_health_repo {
    ($store:ty) => {
        const _: () = {
            type Db = <$store as $crate::SqlStore>::Db;

            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::provider::{ChannelEvent, ChannelHealth, HealthPolicy};
            use $crate::__private::miaojing_domain::repo::ChannelHealthRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx::{self, QueryBuilder};
            use $crate::__private::uuid::Uuid;

            use $crate::errors::db_err;
            use $crate::provider_rows::{self as rows, HEALTH_COLUMNS};
            use $crate::SqlStore as _;

            /// Row lock for the read-modify-write.
            const LOCK: &str = <$store as $crate::SqlStore>::ROW_LOCK;

            #[$crate::__private::async_trait]
            impl ChannelHealthRepo for $store {
                async fn record_channel_event(
                    &self,
                    channel_id: Uuid,
                    event: ChannelEvent,
                    now: DateTime<Utc>,
                    policy: &HealthPolicy,
                ) -> Result<ChannelHealth> {
                    let mut tx = self.begin_write().await?;
                    // A first event creates the row so that every later one finds it to lock.
                    sqlx::query(
                        "INSERT INTO channel_health (channel_id, window_start, updated_at) VALUES ($1, $2, $3) ON CONFLICT (channel_id) DO NOTHING",
                    )
                    .bind(channel_id)
                    .bind(now)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let sql = format!("SELECT {HEALTH_COLUMNS} FROM channel_health WHERE channel_id = $1{LOCK}");
                    let row = sqlx::query(&sql).bind(channel_id).fetch_one(&mut *tx).await.map_err(db_err)?;
                    let current = rows::channel_health(&row)?;
                    let h = current.apply(&event, now, policy);
                    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new("UPDATE channel_health SET window_start = ");
                    qb.push_bind(h.window_start)
                        .push(", errors_current = ")
                        .push_bind(h.errors_current)
                        .push(", errors_previous = ")
                        .push_bind(h.errors_previous)
                        .push(", successes = ")
                        .push_bind(h.successes)
                        .push(", frozen_until = ")
                        .push_bind(h.frozen_until)
                        .push(", last_error = ")
                        .push_bind(h.last_error.clone())
                        .push(", last_error_at = ")
                        .push_bind(h.last_error_at)
                        .push(", last_success_at = ")
                        .push_bind(h.last_success_at)
                        .push(", last_probe_at = ")
                        .push_bind(h.last_probe_at)
                        .push(", updated_at = ")
                        .push_bind(h.updated_at)
                        .push(" WHERE channel_id = ")
                        .push_bind(h.channel_id);
                    qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(h)
                }

                async fn channel_health(&self, ids: &[Uuid]) -> Result<Vec<ChannelHealth>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb: QueryBuilder<'_, Db> =
                        QueryBuilder::new(format!("SELECT {HEALTH_COLUMNS} FROM channel_health WHERE channel_id IN ("));
                    let mut s = qb.separated(", ");
                    for id in ids {
                        s.push_bind(*id);
                    }
                    qb.push(") ORDER BY channel_id");
                    let found = qb.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::channel_health).collect()
                }

                async fn list_channel_health(&self) -> Result<Vec<ChannelHealth>> {
                    let sql = format!("SELECT {HEALTH_COLUMNS} FROM channel_health ORDER BY channel_id");
                    let found = sqlx::query(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::channel_health).collect()
                }
            }
        };
    };
}
