//! The credit ledger: every balance change is one conditional update of the user's row plus
//! its ledger row, in the caller's transaction.

/// Implements `LedgerRepo` for a [`SqlStore`](crate::SqlStore) type, and gives it
/// `apply_grant_in` for the other repositories' transactions (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __ledger_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::chrono::SubsecRound;
            use $crate::__private::miaojing_domain::ledger::{Grant, LedgerEntry};
            use $crate::__private::miaojing_domain::repo::LedgerRepo;
            use $crate::__private::miaojing_domain::Error;
            use $crate::errors::insufficient_credits;

            /// A connection of the store's database.
            type Conn = <Db<$store> as sqlx::Database>::Connection;

            impl $store {
                /// Applies `grant` inside the caller's write transaction: the balance moves only
                /// if it stays within `0..=i64::MAX`, and the ledger row records the balance it
                /// produced. The row's place in the user's ledger (`seq`) is taken in the same
                /// UPDATE, under the user's row lock, so ledgers list in the order the balance
                /// changes committed.
                pub(crate) async fn apply_grant_in(conn: &mut Conn, grant: &Grant, now: DateTime<Utc>) -> Result<LedgerEntry> {
                    let now = now.trunc_subsecs(6);
                    // The second bound keeps the sum inside BIGINT without overflowing while testing it.
                    let moved: Option<(i64, i64)> = sqlx::query_as(
                        "UPDATE users SET credits_balance = credits_balance + $1, ledger_seq = ledger_seq + 1, updated_at = $2 \
                         WHERE id = $3 AND credits_balance + $1 >= 0 \
                           AND credits_balance <= 9223372036854775807 - (CASE WHEN $1 > 0 THEN $1 ELSE 0 END) \
                         RETURNING credits_balance, ledger_seq",
                    )
                    .bind(grant.amount)
                    .bind(now)
                    .bind(grant.user_id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(|e| match e {
                        // PostgreSQL may evaluate the sum before the bound: BIGINT overflow.
                        sqlx::Error::Database(db) if db.code().as_deref() == Some("22003") => {
                            Error::validation("credits_overflow", "积分数额过大").with_detail(db.to_string())
                        }
                        e => db_err(e),
                    })?;
                    let Some((balance_after, seq)) = moved else {
                        let exists: Option<i64> = sqlx::query_scalar("SELECT credits_balance FROM users WHERE id = $1")
                            .bind(grant.user_id)
                            .fetch_optional(&mut *conn)
                            .await
                            .map_err(db_err)?;
                        return Err(match exists {
                            None => Error::not_found("not_found", "用户不存在"),
                            Some(_) if grant.amount < 0 => insufficient_credits(),
                            Some(_) => Error::validation("credits_overflow", "积分数额过大"),
                        });
                    };
                    let entry = LedgerEntry {
                        id: Uuid::now_v7(),
                        user_id: grant.user_id,
                        amount: grant.amount,
                        balance_after,
                        kind: grant.kind,
                        description: grant.description.clone(),
                        created_at: now,
                    };
                    sqlx::query(
                        "INSERT INTO credit_ledger (id, user_id, amount, balance_after, kind, description, created_at, seq) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(entry.id)
                    .bind(entry.user_id)
                    .bind(entry.amount)
                    .bind(entry.balance_after)
                    .bind(entry.kind.as_str())
                    .bind(&entry.description)
                    .bind(entry.created_at)
                    .bind(seq)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                    Ok(entry)
                }
            }

            #[$crate::__private::async_trait]
            impl LedgerRepo for $store {
                async fn apply_grant(&self, grant: Grant) -> Result<LedgerEntry> {
                    let mut tx = self.begin_write().await?;
                    let entry = <$store>::apply_grant_in(&mut tx, &grant, now()).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(entry)
                }

                async fn ledger_page(&self, user_id: Uuid, page: PageRequest) -> Result<Paged<LedgerEntry>> {
                    let query = |select: &str| {
                        let mut q = QueryBuilder::<Db<$store>>::new(format!("{select} FROM credit_ledger WHERE user_id = "));
                        q.push_bind(user_id);
                        q
                    };
                    let columns = "SELECT id, user_id, amount, balance_after, kind, description, created_at";
                    page_of(self, query, columns, "seq DESC", page, |r| rows::ledger_entry(r)).await
                }
            }
        };
    };
}
