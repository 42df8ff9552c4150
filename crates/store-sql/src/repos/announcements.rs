//! Announcements.

/// Implements `AnnouncementRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __announcements_repo {
    ($store:ty) => {
        const _: () = {
            type Db = <$store as $crate::SqlStore>::Db;

            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::announcement::{Announcement, AnnouncementPatch};
            use $crate::__private::miaojing_domain::repo::AnnouncementRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx::{self, QueryBuilder};
            use $crate::__private::uuid::Uuid;

            use $crate::errors::db_err;
            use $crate::rows;
            use $crate::SqlStore as _;

            const COLUMNS: &str = "id, title, content, kind, is_active, popup, starts_at, expires_at, created_by, created_at, updated_at";

            #[$crate::__private::async_trait]
            impl AnnouncementRepo for $store {
                async fn create_announcement(&self, a: Announcement) -> Result<()> {
                    let sql = format!("INSERT INTO announcements ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
                    sqlx::query(&sql)
                        .bind(a.id)
                        .bind(&a.title)
                        .bind(&a.content)
                        .bind(&a.kind)
                        .bind(a.is_active)
                        .bind(a.popup)
                        .bind(a.starts_at)
                        .bind(a.expires_at)
                        .bind(a.created_by)
                        .bind(a.created_at)
                        .bind(a.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn update_announcement(
                    &self,
                    id: Uuid,
                    patch: AnnouncementPatch,
                    now: DateTime<Utc>,
                ) -> Result<Option<Announcement>> {
                    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new("UPDATE announcements SET updated_at = ");
                    qb.push_bind(now);
                    if let Some(v) = patch.title {
                        qb.push(", title = ").push_bind(v);
                    }
                    if let Some(v) = patch.content {
                        qb.push(", content = ").push_bind(v);
                    }
                    if let Some(v) = patch.is_active {
                        qb.push(", is_active = ").push_bind(v);
                    }
                    if let Some(v) = patch.popup {
                        qb.push(", popup = ").push_bind(v);
                    }
                    if let Some(v) = patch.starts_at {
                        qb.push(", starts_at = ").push_bind(v);
                    }
                    if let Some(v) = patch.expires_at {
                        qb.push(", expires_at = ").push_bind(v);
                    }
                    qb.push(" WHERE id = ").push_bind(id).push(" RETURNING ").push(COLUMNS);
                    let row = qb.build().fetch_optional(self.writer()).await.map_err(db_err)?;
                    row.as_ref().map(rows::announcement).transpose()
                }

                async fn delete_announcement(&self, id: Uuid) -> Result<bool> {
                    let done =
                        sqlx::query("DELETE FROM announcements WHERE id = $1").bind(id).execute(self.writer()).await.map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn list_announcements(&self, visible_at: Option<DateTime<Utc>>) -> Result<Vec<Announcement>> {
                    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!("SELECT {COLUMNS} FROM announcements"));
                    if let Some(t) = visible_at {
                        qb.push(" WHERE is_active AND (starts_at IS NULL OR starts_at <= ")
                            .push_bind(t)
                            .push(") AND (expires_at IS NULL OR expires_at > ")
                            .push_bind(t)
                            .push(")");
                    }
                    qb.push(format!(" ORDER BY created_at DESC, {} DESC", <$store as $crate::SqlStore>::ROW_ORDER));
                    let found = qb.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::announcement).collect()
                }
            }
        };
    };
}
