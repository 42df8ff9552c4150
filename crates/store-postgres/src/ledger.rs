//! The credit ledger: every balance change is a conditional update plus its ledger row.
use async_trait::async_trait;
use miaojing_domain::ledger::{Grant, LedgerEntry};
use miaojing_domain::repo::LedgerRepo;
use miaojing_domain::{Error, PageRequest, Paged, Result};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::errors::{insufficient_credits, map_db_error, DbResultExt};
use crate::sql::{limit_offset, now};
use crate::PgStore;
use chrono::{DateTime, Utc};
use miaojing_store_sql::rows;

/// Applies `grant` inside the caller's transaction: the balance moves only if it stays
/// non-negative, and the ledger row records the balance it produced. The row's place in the
/// user's ledger (`seq`) is taken in the same UPDATE, under the user's row lock, so ledgers list
/// in the order the balance changes committed.
pub(crate) async fn apply_grant_in(conn: &mut PgConnection, grant: &Grant, now: DateTime<Utc>) -> Result<LedgerEntry> {
    let moved: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE users SET credits_balance = credits_balance + $1, ledger_seq = ledger_seq + 1, updated_at = $3 \
         WHERE id = $2 AND credits_balance + $1 >= 0 RETURNING credits_balance, ledger_seq",
    )
    .bind(grant.amount)
    .bind(grant.user_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| match e {
        // bigint overflow of the new balance
        sqlx::Error::Database(db) if db.code().as_deref() == Some("22003") => {
            Error::validation("credits_overflow", "积分数额过大").with_detail(db.to_string())
        }
        e => map_db_error(e),
    })?;
    let Some((balance_after, seq)) = moved else {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)").bind(grant.user_id).fetch_one(&mut *conn).await.db()?;
        return Err(if exists { insufficient_credits() } else { Error::not_found("not_found", "用户不存在") });
    };
    let row = sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, balance_after, kind, description, created_at, seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(Uuid::now_v7())
    .bind(grant.user_id)
    .bind(grant.amount)
    .bind(balance_after)
    .bind(grant.kind.as_str())
    .bind(&grant.description)
    .bind(now)
    .bind(seq)
    .fetch_one(&mut *conn)
    .await
    .db()?;
    rows::ledger_entry(&row)
}

#[async_trait]
impl LedgerRepo for PgStore {
    async fn apply_grant(&self, grant: Grant) -> Result<LedgerEntry> {
        let mut tx = self.pool.begin().await.db()?;
        let entry = apply_grant_in(&mut tx, &grant, now()).await?;
        tx.commit().await.db()?;
        Ok(entry)
    }

    async fn ledger_page(&self, user_id: Uuid, page: PageRequest) -> Result<Paged<LedgerEntry>> {
        let (limit, offset) = limit_offset(page);
        let found = sqlx::query(
            "SELECT * FROM credit_ledger WHERE user_id = $1 \
             ORDER BY seq DESC LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM credit_ledger WHERE user_id = $1").bind(user_id).fetch_one(&self.pool).await.db()?;
        Ok(Paged { items: found.iter().map(rows::ledger_entry).collect::<Result<_>>()?, total })
    }
}
