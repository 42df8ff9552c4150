//! Revocable sessions.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::repo::SessionRepo;
use miaojing_domain::session::Session;
use miaojing_domain::user::User;
use miaojing_domain::Result;
use uuid::Uuid;

use crate::errors::DbResultExt;
use crate::rows::SessionUserRow;
use crate::PgStore;

#[async_trait]
impl SessionRepo for PgStore {
    async fn create_session(&self, session: Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at, ip_address, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(session.id)
        .bind(session.user_id)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(session.revoked_at)
        .bind(&session.ip_address)
        .bind(&session.user_agent)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn session_user(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<Option<(Session, User)>> {
        let row: Option<SessionUserRow> = sqlx::query_as(
            "SELECT u.*, s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, \
             s.expires_at AS s_expires_at, s.revoked_at AS s_revoked_at, s.ip_address AS s_ip_address, \
             s.user_agent AS s_user_agent \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
        )
        .bind(session_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(<(Session, User)>::try_from).transpose()
    }

    async fn revoke_session(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(session_id)
            .bind(now)
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }

    async fn revoke_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>, now: DateTime<Utc>) -> Result<u64> {
        // Sessions that already expired have ended on their own and are not counted.
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $3 \
             AND ($2::uuid IS NULL OR id <> $2)",
        )
        .bind(user_id)
        .bind(keep)
        .bind(now)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected())
    }
}
