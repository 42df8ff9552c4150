//! Redeem codes: batches, the admin list and the one-shot redemption.

/// Implements `RedeemRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __redeem_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::miaojing_domain::ledger::{Grant, LedgerKind};
            use $crate::__private::miaojing_domain::redeem::{
                display_code, CodeGrant, CodeStatus, Decide, RedeemCode, RedeemCodeRow, RedeemFilter, RedemptionEffect,
            };
            use $crate::__private::miaojing_domain::repo::RedeemRepo;
            use $crate::__private::miaojing_domain::user::User;
            use $crate::__private::miaojing_domain::Error;
            use $crate::rows::{CODE_COLUMNS, USER_COLUMNS};
            use $crate::SqlStore;

            /// A connection of the store's database.
            type Conn = <Db<$store> as sqlx::Database>::Connection;

            /// Codes per INSERT statement (16 values each, under both backends' parameter limits).
            const INSERT_CHUNK: usize = 1000;

            const JOINS: &str = "FROM redeem_codes c LEFT JOIN users cb ON cb.id = c.created_by LEFT JOIN users ub ON ub.id = c.used_by";

            static LIST_COLUMNS: LazyLock<String> = LazyLock::new(|| {
                format!(
                    "SELECT {CODE_COLUMNS}, cb.email AS created_by_email, ub.email AS used_by_email, ub.display_nickname AS used_by_name"
                )
            });

            /// The user inside the caller's transaction, its row locked when `lock`.
            async fn user_in(conn: &mut Conn, id: Uuid, lock: bool) -> Result<User> {
                let lock = if lock { <$store as SqlStore>::ROW_LOCK } else { "" };
                let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1{lock}"))
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?;
                rows::user(&row.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?)
            }

            /// Appends the `WHERE` clause of the admin list.
            fn push_filter(qb: &mut QueryBuilder<'_, Db<$store>>, filter: &RedeemFilter) {
                let now = filter.now.unwrap_or_else(Utc::now);
                qb.push(" WHERE 1 = 1");
                if let Some(batch) = filter.batch_id {
                    qb.push(" AND c.batch_id = ").push_bind(batch);
                }
                match filter.status {
                    None => {}
                    Some(CodeStatus::Used) => {
                        qb.push(" AND c.used_at IS NOT NULL");
                    }
                    Some(CodeStatus::Revoked) => {
                        qb.push(" AND c.used_at IS NULL AND c.is_active = FALSE");
                    }
                    Some(CodeStatus::Expired) => {
                        qb.push(" AND c.used_at IS NULL AND c.is_active = TRUE AND c.expires_at IS NOT NULL AND c.expires_at <= ")
                            .push_bind(now);
                    }
                    Some(CodeStatus::Unused) => {
                        qb.push(" AND c.used_at IS NULL AND c.is_active = TRUE AND (c.expires_at IS NULL OR c.expires_at > ")
                            .push_bind(now)
                            .push(")");
                    }
                }
                if let Some(term) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    // The note, either user's e-mail, or the code as typed (`MJ-ABCD-…`, lower
                    // case, spaces; the `MJ` prefix optional).
                    let body: String = term.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
                    let text = like_pattern(&term.to_lowercase());
                    qb.push(" AND (lower(c.note) LIKE ").push_bind(text.clone()).push(" ESCAPE '\\'");
                    qb.push(" OR lower(ub.email) LIKE ").push_bind(text.clone()).push(" ESCAPE '\\'");
                    qb.push(" OR lower(cb.email) LIKE ").push_bind(text).push(" ESCAPE '\\'");
                    if !body.is_empty() {
                        qb.push(" OR c.normalized_code LIKE ").push_bind(like_pattern(&body)).push(" ESCAPE '\\'");
                        if let Some(rest) = body.strip_prefix("MJ").filter(|r| !r.is_empty()) {
                            qb.push(" OR c.normalized_code LIKE ").push_bind(like_pattern(rest)).push(" ESCAPE '\\'");
                        }
                    }
                    qb.push(")");
                }
            }

            async fn code_row(store: &$store, id: Uuid) -> Result<Option<RedeemCodeRow>> {
                let row = sqlx::query(&format!("{} {JOINS} WHERE c.id = $1", *LIST_COLUMNS))
                    .bind(id)
                    .fetch_optional(store.reader())
                    .await
                    .map_err(db_err)?;
                row.as_ref().map(rows::redeem_code_row).transpose()
            }

            #[$crate::__private::async_trait]
            impl RedeemRepo for $store {
                async fn insert_redeem_codes(&self, codes: &[RedeemCode]) -> Result<()> {
                    // One transaction for the whole batch: it is inserted completely or not at all.
                    let mut tx = self.begin_write().await?;
                    for chunk in codes.chunks(INSERT_CHUNK) {
                        let mut q = QueryBuilder::<Db<$store>>::new(
                            "INSERT INTO redeem_codes (id, normalized_code, code_type, credits_amount, membership_tier, \
                             membership_duration_value, membership_duration_unit, batch_id, note, is_active, expires_at, \
                             created_by, used_by, used_at, created_at, updated_at) ",
                        );
                        q.push_values(chunk, |mut row, code| {
                            let (credits, tier, value, unit) = match &code.grant {
                                CodeGrant::Credits(n) => (*n, None, None, None),
                                CodeGrant::Membership { tier, value, unit } => (0, Some(tier.as_str()), Some(*value), Some(unit.as_str())),
                            };
                            row.push_bind(code.id)
                                .push_bind(code.normalized_code.clone())
                                .push_bind(code.grant.type_name())
                                .push_bind(credits)
                                .push_bind(tier)
                                .push_bind(value)
                                .push_bind(unit)
                                .push_bind(code.batch_id)
                                .push_bind(code.note.clone())
                                .push_bind(code.is_active)
                                .push_bind(code.expires_at)
                                .push_bind(code.created_by)
                                .push_bind(code.used_by)
                                .push_bind(code.used_at)
                                .push_bind(code.created_at)
                                .push_bind(code.created_at);
                        });
                        q.build().execute(&mut *tx).await.map_err(|e| match e {
                            sqlx::Error::Database(ref db) if db.is_check_violation() => {
                                Error::validation("invalid_code_grant", "兑换码内容无效").with_detail(db.message().to_string())
                            }
                            e => db_err(e),
                        })?;
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn list_redeem_codes(&self, filter: &RedeemFilter, page: PageRequest) -> Result<Paged<RedeemCodeRow>> {
                    let query = |select: &str| {
                        let mut q = QueryBuilder::<Db<$store>>::new(format!("{select} {JOINS}"));
                        push_filter(&mut q, filter);
                        q
                    };
                    let order = format!("c.created_at DESC, c.{} DESC", <$store as SqlStore>::ROW_ORDER);
                    page_of(self, query, &LIST_COLUMNS, &order, page, |r| rows::redeem_code_row(r)).await
                }

                async fn redeem_code(&self, id: Uuid) -> Result<Option<RedeemCodeRow>> {
                    code_row(self, id).await
                }

                async fn set_redeem_code_active(&self, id: Uuid, active: bool) -> Result<Option<RedeemCodeRow>> {
                    let done = sqlx::query("UPDATE redeem_codes SET is_active = $2, updated_at = $3 WHERE id = $1")
                        .bind(id)
                        .bind(active)
                        .bind(now())
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Ok(None);
                    }
                    code_row(self, id).await
                }

                async fn delete_unused_redeem_code(&self, id: Uuid) -> Result<bool> {
                    let q = sqlx::query("DELETE FROM redeem_codes WHERE id = $1 AND used_at IS NULL").bind(id);
                    Ok(write_rows(self, q).await? > 0)
                }

                async fn redeem(
                    &self,
                    user_id: Uuid,
                    normalized_code: &str,
                    now: DateTime<Utc>,
                    decide: &Decide<'_>,
                ) -> Result<(RedeemCode, User)> {
                    let mut tx = self.begin_write().await?;
                    // Lock order everywhere: the code, then the user.
                    let lock = <$store as SqlStore>::ROW_LOCK;
                    let row = sqlx::query(&format!("SELECT {CODE_COLUMNS} FROM redeem_codes c WHERE c.normalized_code = $1{lock}"))
                        .bind(normalized_code)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let code = rows::redeem_code(&row.ok_or_else(|| Error::not_found("code_not_found", "兑换码不存在"))?)?;
                    let user = user_in(&mut tx, user_id, true).await?;

                    match decide(&code, &user)? {
                        RedemptionEffect::Credits(amount) => {
                            let grant = Grant {
                                user_id,
                                amount,
                                kind: LedgerKind::Redeem,
                                description: format!("兑换码兑换：{}", display_code(&code.normalized_code)),
                            };
                            <$store>::apply_grant_in(&mut tx, &grant, now).await?;
                        }
                        RedemptionEffect::Membership { tier, expires_at } => {
                            sqlx::query("UPDATE users SET membership_tier = $2, membership_expires_at = $3, updated_at = $4 WHERE id = $1")
                                .bind(user_id)
                                .bind(tier.as_str())
                                .bind(expires_at)
                                .bind(now)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err)?;
                        }
                    }

                    let marked = sqlx::query(
                        "UPDATE redeem_codes SET used_by = $2, used_at = $3, updated_at = $3 WHERE id = $1 AND used_at IS NULL",
                    )
                    .bind(code.id)
                    .bind(user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    // The code's row lock (or SQLite's single writer) makes this unreachable, but a
                    // second use must never slip through.
                    if marked.rows_affected() != 1 {
                        return Err(Error::conflict("code_used", "兑换码已被使用"));
                    }
                    let user = user_in(&mut tx, user_id, false).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok((RedeemCode { used_by: Some(user_id), used_at: Some(now), ..code }, user))
                }
            }
        };
    };
}
