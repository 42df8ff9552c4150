//! E-mail verification codes: issuing limits and checks, each in one write transaction.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::email_code::{CodeCheck, CodePurpose, IssuePolicy, NewEmailCode};
use miaojing_domain::repo::EmailCodeRepo;
use miaojing_domain::{Error, Result};
use sqlx::Row;
use uuid::Uuid;

use crate::errors::db_err;
use crate::rows::{col, seconds_until};
use crate::SqliteStore;

#[async_trait]
impl EmailCodeRepo for SqliteStore {
    async fn issue_email_code(&self, code: NewEmailCode, policy: &IssuePolicy) -> Result<()> {
        let now = code.created_at;
        let mut tx = self.begin_write().await?;

        let locked: Option<DateTime<Utc>> =
            sqlx::query_scalar("SELECT MAX(locked_until) FROM email_codes WHERE email = ? AND locked_until > ?")
                .bind(&code.email)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        if let Some(until) = locked {
            return Err(Error::rate_limited("code_locked", "验证码错误次数过多，请稍后再试", seconds_until(now, until)));
        }

        let last: Option<DateTime<Utc>> = sqlx::query_scalar("SELECT MAX(created_at) FROM email_codes WHERE email = ? AND created_at > ?")
            .bind(&code.email)
            .bind(now - policy.resend_interval)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        if let Some(last) = last {
            return Err(Error::rate_limited(
                "code_cooldown",
                "发送过于频繁，请稍后再试",
                seconds_until(now, last + policy.resend_interval),
            ));
        }

        if let Some(ip) = &code.ip_address {
            let window_start = now - policy.ip_window;
            let row = sqlx::query(
                "SELECT COUNT(*) AS hits, MIN(created_at) AS oldest FROM email_codes \
                 WHERE ip_address = ? AND created_at > ?",
            )
            .bind(ip)
            .bind(window_start)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            let hits: i64 = col(&row, "hits")?;
            if hits >= policy.ip_max {
                let oldest: Option<DateTime<Utc>> = row.try_get("oldest").ok().flatten();
                let wait = oldest.map_or(1, |o| seconds_until(now, o + policy.ip_window));
                return Err(Error::rate_limited("ip_rate_limited", "请求过于频繁，请稍后再试", wait));
            }
        }

        sqlx::query("UPDATE email_codes SET used_at = ? WHERE email = ? AND purpose = ? AND used_at IS NULL")
            .bind(now)
            .bind(&code.email)
            .bind(code.purpose.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;

        sqlx::query(
            "INSERT INTO email_codes (id, email, purpose, code_hash, user_id, ip_address, attempts, max_attempts, \
             used_at, locked_until, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, ?, ?)",
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
        code_hash: &str,
        now: DateTime<Utc>,
        lock: chrono::Duration,
    ) -> Result<CodeCheck> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT id, code_hash, attempts, max_attempts, locked_until, expires_at FROM email_codes \
             WHERE email = ? AND purpose = ? AND used_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
        )
        .bind(email)
        .bind(purpose.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(row) = row else {
            return Ok(CodeCheck::Missing);
        };
        let id: Uuid = col(&row, "id")?;
        let stored_hash: String = col(&row, "code_hash")?;
        let attempts: i32 = col(&row, "attempts")?;
        let max_attempts: i32 = col(&row, "max_attempts")?;
        let locked_until: Option<DateTime<Utc>> = col(&row, "locked_until")?;
        let expires_at: DateTime<Utc> = col(&row, "expires_at")?;

        if let Some(until) = locked_until.filter(|u| *u > now) {
            return Ok(CodeCheck::Locked { until });
        }
        if expires_at <= now {
            return Ok(CodeCheck::Expired);
        }
        if !constant_time_eq(stored_hash.as_bytes(), code_hash.as_bytes()) {
            let attempts = attempts.saturating_add(1);
            let outcome = if attempts >= max_attempts {
                CodeCheck::Locked { until: now + lock }
            } else {
                CodeCheck::Wrong { remaining: max_attempts - attempts }
            };
            let until = match outcome {
                CodeCheck::Locked { until } => Some(until),
                _ => None,
            };
            sqlx::query("UPDATE email_codes SET attempts = ?, locked_until = COALESCE(?, locked_until) WHERE id = ?")
                .bind(attempts)
                .bind(until)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
            return Ok(outcome);
        }

        sqlx::query("UPDATE email_codes SET used_at = ? WHERE id = ?").bind(now).bind(id).execute(&mut *tx).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(CodeCheck::Valid)
    }

    async fn discard_email_code(&self, id: Uuid) -> Result<()> {
        sqlx::query("UPDATE email_codes SET used_at = ? WHERE id = ? AND used_at IS NULL")
            .bind(Utc::now())
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// Compares two hashes without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
