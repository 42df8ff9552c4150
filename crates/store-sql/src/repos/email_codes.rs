//! E-mail verification codes. Issuing is serialised per address and per IP through the
//! store's [`lock_key`](crate::SqlStore::lock_key), so two concurrent requests cannot both
//! pass the cooldown or the IP limit; a check takes the same address lock and locks the
//! code row.

/// Implements `EmailCodeRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __email_codes_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::chrono::{Duration, SubsecRound};
            use $crate::__private::miaojing_domain::email_code::{CodeCheck, CodePurpose, IssuePolicy, NewEmailCode};
            use $crate::__private::miaojing_domain::repo::EmailCodeRepo;
            use $crate::__private::miaojing_domain::Error;
            use $crate::sql::seconds_until;
            use $crate::SqlStore;

            /// A connection of the store's database.
            type Conn = <Db<$store> as sqlx::Database>::Connection;

            /// Lock classes of [`SqlStore::lock_key`].
            const LOCK_EMAIL: i32 = 0x4d4a_0001;
            const LOCK_IP: i32 = 0x4d4a_0002;

            /// The end of the address lock in force at `now`, if any (any purpose).
            async fn address_locked_until(conn: &mut Conn, email: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
                sqlx::query_scalar("SELECT MAX(locked_until) FROM email_codes WHERE email = $1 AND locked_until > $2")
                    .bind(email)
                    .bind(now)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(db_err)
            }

            /// Constant-time string comparison (the hashes are keyed, but leak nothing anyway).
            fn same(a: &str, b: &str) -> bool {
                a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
            }

            #[$crate::__private::async_trait]
            impl EmailCodeRepo for $store {
                async fn issue_email_code(&self, code: NewEmailCode, policy: &IssuePolicy) -> Result<()> {
                    let now = code.created_at;
                    let mut tx = self.begin_write().await?;
                    <$store as SqlStore>::lock_key(&mut tx, LOCK_EMAIL, &code.email).await?;
                    if let Some(ip) = &code.ip_address {
                        <$store as SqlStore>::lock_key(&mut tx, LOCK_IP, ip).await?;
                    }

                    if let Some(until) = address_locked_until(&mut tx, &code.email, now).await? {
                        return Err(Error::rate_limited("code_locked", "验证码错误次数过多，请稍后再试", seconds_until(now, until)));
                    }

                    let last: Option<DateTime<Utc>> = sqlx::query_scalar("SELECT MAX(created_at) FROM email_codes WHERE email = $1")
                        .bind(&code.email)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if let Some(last) = last {
                        let next = last + policy.resend_interval;
                        if next > now {
                            return Err(Error::rate_limited("code_cooldown", "发送过于频繁，请稍后再试", seconds_until(now, next)));
                        }
                    }

                    if let Some(ip) = &code.ip_address {
                        let window_start = now - policy.ip_window;
                        let (count, oldest): (i64, Option<DateTime<Utc>>) =
                            sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM email_codes WHERE ip_address = $1 AND created_at > $2")
                                .bind(ip)
                                .bind(window_start)
                                .fetch_one(&mut *tx)
                                .await
                                .map_err(db_err)?;
                        if count >= policy.ip_max {
                            let free_at = oldest.map_or(now + policy.ip_window, |o| o + policy.ip_window);
                            return Err(Error::rate_limited("ip_rate_limited", "请求过于频繁，请稍后再试", seconds_until(now, free_at)));
                        }
                    }

                    sqlx::query("UPDATE email_codes SET used_at = $3 WHERE email = $1 AND purpose = $2 AND used_at IS NULL")
                        .bind(&code.email)
                        .bind(code.purpose.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    sqlx::query(
                        "INSERT INTO email_codes (id, email, purpose, code_hash, user_id, ip_address, attempts, max_attempts, \
                         expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)",
                    )
                    .bind(code.id)
                    .bind(&code.email)
                    .bind(code.purpose.as_str())
                    .bind(&code.code_hash)
                    .bind(code.user_id)
                    .bind(&code.ip_address)
                    .bind(code.max_attempts)
                    .bind(code.expires_at)
                    .bind(code.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)
                }

                async fn check_email_code(
                    &self,
                    email: &str,
                    purpose: CodePurpose,
                    hash: &str,
                    now: DateTime<Utc>,
                    lock: Duration,
                ) -> Result<CodeCheck> {
                    let mut tx = self.begin_write().await?;
                    // Same lock as issuing: a check and a new code for the address never interleave.
                    <$store as SqlStore>::lock_key(&mut tx, LOCK_EMAIL, email).await?;
                    if let Some(until) = address_locked_until(&mut tx, email, now).await? {
                        return Ok(CodeCheck::Locked { until });
                    }
                    let (order, row_lock) = (<$store as SqlStore>::ROW_ORDER, <$store as SqlStore>::ROW_LOCK);
                    let row = sqlx::query(&format!(
                        "SELECT id, code_hash, attempts, max_attempts, expires_at FROM email_codes \
                         WHERE email = $1 AND purpose = $2 AND used_at IS NULL \
                         ORDER BY created_at DESC, {order} DESC LIMIT 1{row_lock}"
                    ))
                    .bind(email)
                    .bind(purpose.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let Some(row) = row else {
                        return Ok(CodeCheck::Missing);
                    };
                    let id: Uuid = row.col("id")?;
                    let (attempts, max_attempts): (i32, i32) = (row.col("attempts")?, row.col("max_attempts")?);
                    if row.col::<DateTime<Utc>>("expires_at")? <= now {
                        return Ok(CodeCheck::Expired);
                    }
                    let outcome = if same(&row.col::<String>("code_hash")?, hash) {
                        sqlx::query("UPDATE email_codes SET used_at = $2 WHERE id = $1")
                            .bind(id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        CodeCheck::Valid
                    } else {
                        let attempts = attempts.saturating_add(1);
                        // Stored at microsecond precision; return exactly what later checks will read.
                        let until = (attempts >= max_attempts).then(|| (now + lock).trunc_subsecs(6));
                        sqlx::query("UPDATE email_codes SET attempts = $2, locked_until = COALESCE($3, locked_until) WHERE id = $1")
                            .bind(id)
                            .bind(attempts)
                            .bind(until)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        match until {
                            Some(until) => CodeCheck::Locked { until },
                            None => CodeCheck::Wrong { remaining: max_attempts - attempts },
                        }
                    };
                    // The attempt counts even though the caller will fail the request.
                    tx.commit().await.map_err(db_err)?;
                    Ok(outcome)
                }

                async fn discard_email_code(&self, id: Uuid) -> Result<()> {
                    sqlx::query("UPDATE email_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
                        .bind(id)
                        .bind(now())
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }
            }
        };
    };
}
