//! Announcements.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::announcement::{Announcement, AnnouncementPatch};
use miaojing_domain::repo::AnnouncementRepo;
use miaojing_domain::Result;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::errors::DbResultExt;
use crate::rows::AnnouncementRow;
use crate::PgStore;

#[async_trait]
impl AnnouncementRepo for PgStore {
    async fn create_announcement(&self, a: Announcement) -> Result<()> {
        sqlx::query(
            "INSERT INTO announcements (id, title, content, kind, is_active, popup, starts_at, expires_at, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
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
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn update_announcement(&self, id: Uuid, patch: AnnouncementPatch, now: DateTime<Utc>) -> Result<Option<Announcement>> {
        let mut q: QueryBuilder<'_, Postgres> = QueryBuilder::new("UPDATE announcements SET updated_at = ");
        q.push_bind(now);
        macro_rules! set {
            ($column:literal, $value:expr) => {
                if let Some(v) = $value {
                    q.push(concat!(", ", $column, " = "));
                    q.push_bind(v);
                }
            };
        }
        set!("title", patch.title);
        set!("content", patch.content);
        set!("is_active", patch.is_active);
        set!("popup", patch.popup);
        set!("starts_at", patch.starts_at);
        set!("expires_at", patch.expires_at);
        q.push(" WHERE id = ");
        q.push_bind(id);
        q.push(" RETURNING *");
        let row: Option<AnnouncementRow> = q.build_query_as().fetch_optional(&self.pool).await.db()?;
        Ok(row.map(Announcement::from))
    }

    async fn delete_announcement(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM announcements WHERE id = $1").bind(id).execute(&self.pool).await.db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_announcements(&self, visible_at: Option<DateTime<Utc>>) -> Result<Vec<Announcement>> {
        let rows: Vec<AnnouncementRow> = sqlx::query_as(
            "SELECT * FROM announcements \
             WHERE $1::timestamptz IS NULL OR (is_active AND (starts_at IS NULL OR starts_at <= $1) \
             AND (expires_at IS NULL OR expires_at > $1)) \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(visible_at)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows.into_iter().map(Announcement::from).collect())
    }
}
