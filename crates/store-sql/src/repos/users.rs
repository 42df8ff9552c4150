//! Accounts: the `users` table. The ledger rows a registration grants are the store's own
//! (`SqlStore::apply_grant`).

/// Implements `UserRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos), inside a block that imports
/// [`prelude`](crate::repos::prelude)).
#[doc(hidden)]
#[macro_export]
macro_rules! __users_repo {
    ($store:ty) => {
        use $crate::__private::miaojing_domain::invitation::NewReferral;
        use $crate::__private::miaojing_domain::ledger::Grant;
        use $crate::__private::miaojing_domain::repo::UserRepo;
        use $crate::__private::miaojing_domain::user::{NewUser, User, UserPatch, UserSummary};
        use $crate::__private::miaojing_domain::Error;
        use $crate::errors::unique_conflict;
        use $crate::rows::USER_COLUMNS;

        fn user_missing() -> Error {
            Error::not_found("not_found", "用户不存在")
        }

        /// `WHERE` clause of the admin user list: the exact id when the search is a UUID,
        /// else a substring of e-mail, username, display name or phone (any case).
        fn push_user_filter(qb: &mut QueryBuilder<'_, Db<$store>>, search: Option<&str>) {
            let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) else {
                return;
            };
            if let Some(id) = as_uuid(term) {
                qb.push(" WHERE u.id = ").push_bind(id);
                return;
            }
            qb.push(" WHERE ");
            push_contains_any(qb, &["u.email", "u.username", "u.display_nickname", "u.phone"], term);
        }

        async fn user_where(store: &$store, clause: &str, value: &str) -> Result<Option<User>> {
            let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {clause} LIMIT 1");
            let row = sqlx::query(&sql).bind(value).fetch_optional(store.reader()).await.map_err(db_err)?;
            row.as_ref().map(rows::user).transpose()
        }

        /// Turns a unique violation on an account's identity into the conflict users are
        /// told about, in a fixed order whatever index the database checked first:
        /// username, then e-mail, then phone. Other errors pass through.
        async fn explain_conflict(
            store: &$store,
            e: Error,
            id: Uuid,
            username: Option<&str>,
            email: Option<&str>,
            phone: Option<&str>,
        ) -> Error {
            if !matches!(e.code.as_ref(), "username_taken" | "email_taken" | "phone_taken") {
                return e;
            }
            let taken: Result<(bool, bool, bool), sqlx::Error> = sqlx::query_as(
                "SELECT \
                 EXISTS (SELECT 1 FROM users WHERE id <> $1 AND lower(username) = lower($2)), \
                 EXISTS (SELECT 1 FROM users WHERE id <> $1 AND email = $3), \
                 EXISTS (SELECT 1 FROM users WHERE id <> $1 AND phone = $4)",
            )
            .bind(id)
            .bind(username)
            .bind(email)
            .bind(phone)
            .fetch_one(store.reader())
            .await;
            let detail = e.detail.clone().unwrap_or_default();
            match taken {
                Ok((true, _, _)) => unique_conflict("users_username_key").with_detail(detail),
                Ok((_, true, _)) => unique_conflict("users_email_key").with_detail(detail),
                Ok((_, _, true)) => unique_conflict("users_phone_key").with_detail(detail),
                _ => e,
            }
        }

        #[$crate::__private::async_trait]
        impl UserRepo for $store {
            async fn create_user(&self, user: NewUser, grants: Vec<Grant>, referral: Option<NewReferral>) -> Result<User> {
                let mut tx = self.begin_write().await?;
                let referrer = referral.as_ref().map(|r| r.inviter_id).or(user.referred_by);
                if let Some(inviter) = referrer {
                    // The inviter must exist and be active; the lock keeps it so until we commit.
                    let sql = format!("SELECT is_active FROM users WHERE id = $1{}", <$store as $crate::SqlStore>::ROW_LOCK);
                    let active: Option<bool> = sqlx::query_scalar(&sql).bind(inviter).fetch_optional(&mut *tx).await.map_err(db_err)?;
                    if active != Some(true) {
                        return Err(Error::conflict("invite_invalid", "邀请码无效"));
                    }
                }
                let verified_at = user.email_verified.then_some(user.created_at);
                let inserted = sqlx::query(
                    "INSERT INTO users (id, username, email, phone, display_nickname, avatar_url, role, membership_tier, \
                     credits_balance, invite_code, referred_by, is_active, email_verified, email_verified_at, \
                     email_bound_at, password_hash, created_at, updated_at, preferred_language) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, TRUE, $11, $12, $12, $13, $14, $14, $15)",
                )
                .bind(user.id)
                .bind(&user.username)
                .bind(&user.email)
                .bind(&user.phone)
                .bind(&user.display_nickname)
                .bind(&user.avatar_url)
                .bind(user.role.as_str())
                .bind(user.membership_tier.as_str())
                .bind(&user.invite_code)
                .bind(referrer)
                .bind(user.email_verified)
                .bind(verified_at)
                .bind(Some(user.password_hash.as_str()).filter(|h| !h.is_empty()))
                .bind(user.created_at)
                .bind(user.preferred_language.as_str())
                .execute(&mut *tx)
                .await;
                if let Err(e) = inserted {
                    drop(tx);
                    let (username, email, phone) = (&user.username, &user.email, user.phone.as_deref());
                    return Err(explain_conflict(self, db_err(e), user.id, Some(username), Some(email), phone).await);
                }
                if let Some(r) = &referral {
                    sqlx::query(
                        "INSERT INTO invitation_referrals \
                         (id, invite_code, inviter_id, invitee_id, inviter_bonus, invitee_bonus, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(r.id)
                    .bind(&r.invite_code)
                    .bind(r.inviter_id)
                    .bind(user.id)
                    .bind(r.inviter_bonus)
                    .bind(r.invitee_bonus)
                    .bind(user.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                let granted_at = now();
                for grant in &grants {
                    <$store>::apply_grant_in(&mut tx, grant, granted_at).await?;
                }
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
                let row = sqlx::query(&sql).bind(user.id).fetch_optional(&mut *tx).await.map_err(db_err)?;
                let created = row.as_ref().map(rows::user).transpose()?.ok_or_else(user_missing)?;
                tx.commit().await.map_err(db_err)?;
                Ok(created)
            }

            async fn user_by_id(&self, id: Uuid) -> Result<Option<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.as_ref().map(rows::user).transpose()
            }

            async fn user_by_login(&self, identifier: &str) -> Result<Option<User>> {
                let ident = identifier.trim();
                if ident.is_empty() {
                    return Ok(None);
                }
                // An e-mail match wins over a username match, which wins over a phone match.
                let sql = format!(
                    "SELECT {USER_COLUMNS} FROM users u \
                     WHERE u.email = $1 OR lower(u.username) = lower($2) OR u.phone = $2 \
                     ORDER BY CASE WHEN u.email = $1 THEN 0 WHEN lower(u.username) = lower($2) THEN 1 ELSE 2 END \
                     LIMIT 1"
                );
                let row = sqlx::query(&sql).bind(ident.to_lowercase()).bind(ident).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.as_ref().map(rows::user).transpose()
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                user_where(self, "u.email = $1", &email.trim().to_lowercase()).await
            }

            async fn user_by_invite_code(&self, code: &str) -> Result<Option<User>> {
                user_where(self, "u.invite_code = $1", code.trim()).await
            }

            async fn update_user(&self, id: Uuid, patch: UserPatch) -> Result<User> {
                if patch.is_empty() {
                    return self.user_by_id(id).await?.ok_or_else(user_missing);
                }
                let (username, email, phone) = (patch.username.clone(), patch.email.clone(), patch.phone.clone().flatten());
                let mut qb: QueryBuilder<'_, Db<$store>> = QueryBuilder::new("UPDATE users SET updated_at = ");
                qb.push_bind(now());
                $crate::push_set_some!(qb, patch => {
                    username, email, phone, display_nickname, avatar_url, membership_expires_at, is_active, email_verified,
                    email_verified_at, email_bound_at, preferred_theme, watermark_disabled, password_hash;
                    role: patch.role.map(|r| r.as_str()),
                    membership_tier: patch.membership_tier.map(|t| t.as_str()),
                    preferred_language: patch.preferred_language.map(|l| l.as_str()),
                });
                qb.push(" WHERE id = ").push_bind(id).push(" RETURNING *");
                let row = match qb.build().fetch_optional(self.writer()).await {
                    Ok(row) => row,
                    Err(e) => {
                        let (username, email) = (username.as_deref(), email.as_deref());
                        return Err(explain_conflict(self, db_err(e), id, username, email, phone.as_deref()).await);
                    }
                };
                row.as_ref().map(rows::user).transpose()?.ok_or_else(user_missing)
            }

            async fn delete_user(&self, id: Uuid) -> Result<bool> {
                // Sessions, codes, ledger rows and referrals go with the user (ON DELETE CASCADE);
                // references from other users, codes and announcements are cleared (SET NULL).
                let q = sqlx::query("DELETE FROM users WHERE id = $1").bind(id);
                Ok(write_rows(self, q).await? > 0)
            }

            async fn list_users(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<UserSummary>> {
                let query = |select: &str| {
                    let mut q = QueryBuilder::<Db<$store>>::new(format!("{select} FROM users u LEFT JOIN users r ON r.id = u.referred_by"));
                    push_user_filter(&mut q, search);
                    q
                };
                let columns = format!(
                    "SELECT {USER_COLUMNS}, r.email AS ref_email, r.display_nickname AS ref_nickname, \
                     (SELECT COUNT(*) FROM users c WHERE c.referred_by = u.id) AS invited_count"
                );
                let order = format!("u.created_at DESC, u.{} DESC", <$store as $crate::SqlStore>::ROW_ORDER);
                page_of(self, query, &columns, &order, page, |r| rows::user_summary(r)).await
            }

            async fn count_admins(&self) -> Result<i64> {
                sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_active AND role IN ('admin', 'enterprise_admin')")
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)
            }

            async fn first_admin(&self) -> Result<Option<User>> {
                let order = <$store as $crate::SqlStore>::ROW_ORDER;
                let sql = format!(
                    "SELECT {USER_COLUMNS} FROM users u WHERE u.is_active AND u.role IN ('admin', 'enterprise_admin') \
                     ORDER BY u.created_at ASC, u.{order} ASC LIMIT 1"
                );
                let row = sqlx::query(&sql).fetch_optional(self.reader()).await.map_err(db_err)?;
                row.as_ref().map(rows::user).transpose()
            }
        }
    };
}
