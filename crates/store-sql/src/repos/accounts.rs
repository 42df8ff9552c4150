//! Account tables that need no backend-specific locking: sessions and invitation referrals.

/// Implements the session and referral repository traits for a [`SqlStore`](crate::SqlStore)
/// type (expanded by [`impl_shared_repos!`](crate::impl_shared_repos), inside a block that
/// imports [`prelude`](crate::repos::prelude)).
#[doc(hidden)]
#[macro_export]
macro_rules! __accounts_repos {
    ($store:ty) => {
        // Revocable sessions.
        const _: () = {
            use $crate::__private::miaojing_domain::repo::SessionRepo;
            use $crate::__private::miaojing_domain::session::Session;
            use $crate::__private::miaojing_domain::user::User;

            use $crate::rows::{self, USER_COLUMNS};

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
                    let q = sqlx::query(
                        "UPDATE sessions SET revoked_at = $1 \
                             WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $1 AND ($3 IS NULL OR id <> $3)",
                    )
                    .bind(now)
                    .bind(user_id)
                    .bind(keep);
                    write_rows(self, q).await
                }
            }
        };

        // Invitation referrals.
        const _: () = {
            use $crate::__private::miaojing_domain::invitation::Referral;
            use $crate::__private::miaojing_domain::repo::InvitationRepo;

            const COLUMNS: &str = "SELECT f.id, f.invite_code, f.inviter_id, f.invitee_id, f.inviter_bonus, f.invitee_bonus, \
                 f.created_at, a.email AS inviter_email, a.display_nickname AS inviter_nickname, \
                 b.email AS invitee_email, b.display_nickname AS invitee_nickname";

            const FROM: &str =
                "FROM invitation_referrals f LEFT JOIN users a ON a.id = f.inviter_id LEFT JOIN users b ON b.id = f.invitee_id";

            enum Filter<'a> {
                Inviter(Uuid),
                Search(Option<&'a str>),
            }

            fn push_filter(qb: &mut QueryBuilder<'_, Db<$store>>, filter: &Filter<'_>) {
                match filter {
                    Filter::Inviter(id) => {
                        qb.push(" WHERE f.inviter_id = ").push_bind(*id);
                    }
                    Filter::Search(search) => {
                        let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) else {
                            return;
                        };
                        let columns =
                            ["f.invite_code", "a.email", "a.username", "a.display_nickname", "b.email", "b.username", "b.display_nickname"];
                        qb.push(" WHERE ");
                        push_contains_any(qb, &columns, term);
                    }
                }
            }

            async fn referral_page(store: &$store, filter: Filter<'_>, page: PageRequest) -> Result<Paged<Referral>> {
                let query = |select: &str| {
                    let mut q = QueryBuilder::<Db<$store>>::new(format!("{select} {FROM}"));
                    push_filter(&mut q, &filter);
                    q
                };
                let order = format!("f.created_at DESC, f.{} DESC", <$store as $crate::SqlStore>::ROW_ORDER);
                page_of(store, query, COLUMNS, &order, page, |r| rows::referral(r)).await
            }

            #[$crate::__private::async_trait]
            impl InvitationRepo for $store {
                async fn referrals_by_inviter(&self, inviter_id: Uuid, page: PageRequest) -> Result<Paged<Referral>> {
                    referral_page(self, Filter::Inviter(inviter_id), page).await
                }

                async fn list_referrals(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<Referral>> {
                    referral_page(self, Filter::Search(search), page).await
                }
            }
        };
    };
}
