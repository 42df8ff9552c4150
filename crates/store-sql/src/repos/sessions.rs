//! Revocable sessions.

/// Implements `SessionRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __sessions_repo {
    ($store:ty) => {
        const _: () = {
            use std::sync::LazyLock;
            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::repo::SessionRepo;
            use $crate::__private::miaojing_domain::session::Session;
            use $crate::__private::miaojing_domain::user::User;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx;
            use $crate::__private::uuid::Uuid;

            use $crate::errors::db_err;
            use $crate::rows::{self, USER_COLUMNS};
            use $crate::SqlStore as _;

            #[$crate::__private::async_trait]
            impl SessionRepo for $store {
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
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn session_user(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<Option<(Session, User)>> {
                    // Every authenticated request runs this: build the statement text once.
                    static SQL: LazyLock<String> = LazyLock::new(|| {
                        format!(
                            "SELECT s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, \
                             s.expires_at AS s_expires_at, s.revoked_at AS s_revoked_at, s.ip_address AS s_ip_address, \
                             s.user_agent AS s_user_agent, {USER_COLUMNS} \
                             FROM sessions s JOIN users u ON u.id = s.user_id \
                             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
                        )
                    });
                    let row = sqlx::query(SQL.as_str()).bind(session_id).bind(now).fetch_optional(self.reader()).await.map_err(db_err)?;
                    match row {
                        Some(row) => Ok(Some((rows::session(&row)?, rows::user(&row)?))),
                        None => Ok(None),
                    }
                }

                async fn revoke_session(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<()> {
                    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                        .bind(now)
                        .bind(session_id)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn revoke_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>, now: DateTime<Utc>) -> Result<u64> {
                    let done = sqlx::query(
                        "UPDATE sessions SET revoked_at = $1 \
                         WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $1 AND ($3 IS NULL OR id <> $3)",
                    )
                    .bind(now)
                    .bind(user_id)
                    .bind(keep)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(done.rows_affected())
                }
            }
        };
    };
}
