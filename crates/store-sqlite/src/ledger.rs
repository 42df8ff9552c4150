//! The credit ledger: a conditional balance update and its row, in one transaction.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::ledger::{Grant, LedgerEntry};
use miaojing_domain::repo::LedgerRepo;
use miaojing_domain::{Error, ErrorKind, PageRequest, Paged, Result};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::errors::db_err;
use crate::rows::{self, limit_offset};
use crate::SqliteStore;

pub(crate) fn insufficient_credits() -> Error {
    Error::new(ErrorKind::InsufficientCredits, "insufficient_credits", "积分不足")
}

/// Applies `grant` inside the caller's write transaction: the balance changes only if it
/// stays within `0..=i64::MAX`, and the ledger row records the balance after. The row's place in
/// the user's ledger (`seq`) is taken in the same UPDATE, so ledgers list in commit order.
pub(crate) async fn apply_grant_in(conn: &mut SqliteConnection, grant: &Grant, now: DateTime<Utc>) -> Result<LedgerEntry> {
    let moved: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE users SET credits_balance = credits_balance + ?1, ledger_seq = ledger_seq + 1, updated_at = ?2 \
         WHERE id = ?3 AND credits_balance + ?1 >= 0 AND (?1 <= 0 OR credits_balance <= 9223372036854775807 - ?1) \
         RETURNING credits_balance, ledger_seq",
    )
    .bind(grant.amount)
    .bind(now)
    .bind(grant.user_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;

    let Some((balance_after, seq)) = moved else {
        let exists: Option<i64> = sqlx::query_scalar("SELECT credits_balance FROM users WHERE id = ?")
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
        id: Uuid::new_v4(),
        user_id: grant.user_id,
        amount: grant.amount,
        balance_after,
        kind: grant.kind,
        description: grant.description.clone(),
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, balance_after, kind, description, created_at, seq) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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

#[async_trait]
impl LedgerRepo for SqliteStore {
    async fn apply_grant(&self, grant: Grant) -> Result<LedgerEntry> {
        let mut tx = self.begin_write().await?;
        let entry = apply_grant_in(&mut tx, &grant, Utc::now()).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(entry)
    }

    async fn ledger_page(&self, user_id: Uuid, page: PageRequest) -> Result<Paged<LedgerEntry>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credit_ledger WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(&self.reader)
            .await
            .map_err(db_err)?;
        let (limit, offset) = limit_offset(page);
        let found = sqlx::query(
            "SELECT id, user_id, amount, balance_after, kind, description, created_at FROM credit_ledger \
             WHERE user_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
        )
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let items = found.iter().map(rows::ledger_entry).collect::<Result<Vec<_>>>()?;
        Ok(Paged { items, total })
    }
}
