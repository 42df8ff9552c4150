//! Redeem codes: batches, the admin list and the redemption transaction.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::ledger::{Grant, LedgerKind};
use miaojing_domain::redeem::{display_code, CodeGrant, CodeStatus, RedeemCode, RedeemCodeRow, RedeemFilter, RedemptionEffect};
use miaojing_domain::repo::RedeemRepo;
use miaojing_domain::user::User;
use miaojing_domain::{Error, PageRequest, Paged, Result};
use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use crate::errors::{db_err, like_pattern};
use crate::ledger::apply_grant_in;
use crate::rows::{self, limit_offset, CODE_COLUMNS};
use crate::users::user_in;
use crate::SqliteStore;

fn row_select() -> String {
    format!(
        "SELECT {CODE_COLUMNS}, cb.email AS created_by_email, ub.email AS used_by_email, \
         ub.display_nickname AS used_by_name \
         FROM redeem_codes c LEFT JOIN users cb ON cb.id = c.created_by LEFT JOIN users ub ON ub.id = c.used_by"
    )
}

/// `WHERE` clause of the admin list.
fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, filter: &RedeemFilter) {
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
            qb.push(" AND c.used_at IS NULL AND c.is_active = 0");
        }
        Some(CodeStatus::Expired) => {
            qb.push(" AND c.used_at IS NULL AND c.is_active = 1 AND c.expires_at IS NOT NULL AND c.expires_at <= ").push_bind(now);
        }
        Some(CodeStatus::Unused) => {
            qb.push(" AND c.used_at IS NULL AND c.is_active = 1 AND (c.expires_at IS NULL OR c.expires_at > ").push_bind(now).push(")");
        }
    }
    if let Some(term) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // The code as typed (`MJ-ABCD-…`, lower case, spaces) and as stored.
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

impl SqliteStore {
    async fn code_row(&self, id: Uuid) -> Result<Option<RedeemCodeRow>> {
        let sql = format!("{} WHERE c.id = ?", row_select());
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.reader).await.map_err(db_err)?;
        row.as_ref().map(rows::redeem_code_row).transpose()
    }
}

#[async_trait]
impl RedeemRepo for SqliteStore {
    async fn insert_redeem_codes(&self, codes: &[RedeemCode]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for code in codes {
            let (code_type, credits, tier, value, unit) = match &code.grant {
                CodeGrant::Credits(n) => ("credits", *n, None, None, None),
                CodeGrant::Membership { tier, value, unit } => ("membership", 0, Some(tier.as_str()), Some(*value), Some(unit.as_str())),
            };
            sqlx::query(
                "INSERT INTO redeem_codes (id, normalized_code, code_type, credits_amount, membership_tier, \
                 membership_duration_value, membership_duration_unit, batch_id, note, is_active, expires_at, \
                 created_by, used_by, used_at, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(code.id)
            .bind(&code.normalized_code)
            .bind(code_type)
            .bind(credits)
            .bind(tier)
            .bind(value)
            .bind(unit)
            .bind(code.batch_id)
            .bind(&code.note)
            .bind(code.is_active)
            .bind(code.expires_at)
            .bind(code.created_by)
            .bind(code.used_by)
            .bind(code.used_at)
            .bind(code.created_at)
            .bind(code.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(ref db) if db.is_check_violation() => {
                    Error::validation("invalid_code_grant", "兑换码内容无效").with_detail(db.message().to_string())
                }
                e => db_err(e),
            })?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn list_redeem_codes(&self, filter: &RedeemFilter, page: PageRequest) -> Result<Paged<RedeemCodeRow>> {
        let mut count: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
            "SELECT COUNT(*) FROM redeem_codes c LEFT JOIN users cb ON cb.id = c.created_by \
             LEFT JOIN users ub ON ub.id = c.used_by",
        );
        push_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.reader).await.map_err(db_err)?;

        let (limit, offset) = limit_offset(page);
        let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new(row_select());
        push_filter(&mut qb, filter);
        qb.push(" ORDER BY c.created_at DESC, c.rowid DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        let found = qb.build().fetch_all(&self.reader).await.map_err(db_err)?;
        let items = found.iter().map(rows::redeem_code_row).collect::<Result<Vec<_>>>()?;
        Ok(Paged { items, total })
    }

    async fn redeem_code(&self, id: Uuid) -> Result<Option<RedeemCodeRow>> {
        self.code_row(id).await
    }

    async fn set_redeem_code_active(&self, id: Uuid, active: bool) -> Result<Option<RedeemCodeRow>> {
        let done = sqlx::query("UPDATE redeem_codes SET is_active = ?, updated_at = ? WHERE id = ?")
            .bind(active)
            .bind(Utc::now())
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.code_row(id).await
    }

    async fn delete_unused_redeem_code(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM redeem_codes WHERE id = ? AND used_at IS NULL")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn redeem(
        &self,
        user_id: Uuid,
        normalized_code: &str,
        now: DateTime<Utc>,
        decide: &(dyn for<'c, 'u> Fn(&'c RedeemCode, &'u User) -> Result<RedemptionEffect> + Send + Sync),
    ) -> Result<(RedeemCode, User)> {
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {CODE_COLUMNS} FROM redeem_codes c WHERE c.normalized_code = ?");
        let row = sqlx::query(&sql).bind(normalized_code).fetch_optional(&mut *tx).await.map_err(db_err)?;
        let code = match row {
            Some(row) => rows::redeem_code(&row)?,
            None => return Err(Error::not_found("code_not_found", "兑换码不存在")),
        };
        let user = user_in(&mut tx, user_id).await?.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?;

        match decide(&code, &user)? {
            RedemptionEffect::Credits(amount) => {
                let grant = Grant {
                    user_id,
                    amount,
                    kind: LedgerKind::Redeem,
                    description: format!("兑换码兑换：{}", display_code(&code.normalized_code)),
                };
                apply_grant_in(&mut tx, &grant, now).await?;
            }
            RedemptionEffect::Membership { tier, expires_at } => {
                sqlx::query("UPDATE users SET membership_tier = ?, membership_expires_at = ?, updated_at = ? WHERE id = ?")
                    .bind(tier.as_str())
                    .bind(expires_at)
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
        }

        let marked = sqlx::query("UPDATE redeem_codes SET used_by = ?, used_at = ?, updated_at = ? WHERE id = ? AND used_at IS NULL")
            .bind(user_id)
            .bind(now)
            .bind(now)
            .bind(code.id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if marked.rows_affected() != 1 {
            return Err(Error::conflict("code_used", "兑换码已被使用"));
        }

        let user = user_in(&mut tx, user_id).await?.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?;
        tx.commit().await.map_err(db_err)?;
        let code = RedeemCode { used_by: Some(user_id), used_at: Some(now), ..code };
        Ok((code, user))
    }
}
