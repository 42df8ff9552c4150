//! Redeem codes: batches, the admin list and the one-shot redemption.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::ledger::{Grant, LedgerKind};
use miaojing_domain::redeem::{display_code, CodeGrant, CodeStatus, RedeemCode, RedeemCodeRow, RedeemFilter, RedemptionEffect};
use miaojing_domain::repo::RedeemRepo;
use miaojing_domain::user::User;
use miaojing_domain::{Error, PageRequest, Paged, Result};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::errors::{map_db_error, DbResultExt};
use crate::ledger::apply_grant_in;
use crate::sql::{contains_pattern, limit_offset, now, search_term};
use crate::users::user_in;
use crate::PgStore;
use miaojing_store_sql::rows;

const LIST_SELECT: &str = "SELECT c.*, cb.email AS created_by_email, ub.email AS used_by_email, \
     ub.display_nickname AS used_by_name \
     FROM redeem_codes c \
     LEFT JOIN users cb ON cb.id = c.created_by \
     LEFT JOIN users ub ON ub.id = c.used_by";

fn code_not_found() -> Error {
    Error::not_found("code_not_found", "兑换码不存在")
}

/// Appends `WHERE …` for the admin filter.
fn push_filter<'a>(q: &mut QueryBuilder<'a, Postgres>, filter: &'a RedeemFilter) {
    let mut sep = " WHERE ";
    if let Some(term) = search_term(filter.search.as_deref()) {
        // The body as typed (dashes, spaces and case ignored, `MJ` prefix optional), the
        // note, or the user who used it.
        let body: String = term.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
        q.push(sep);
        sep = " AND ";
        q.push("(c.note ILIKE ");
        q.push_bind(contains_pattern(term));
        q.push(" OR ub.email ILIKE ");
        q.push_bind(contains_pattern(term));
        q.push(" OR cb.email ILIKE ");
        q.push_bind(contains_pattern(term));
        if !body.is_empty() {
            q.push(" OR c.normalized_code LIKE ");
            q.push_bind(contains_pattern(&body));
            if let Some(rest) = body.strip_prefix("MJ").filter(|r| !r.is_empty()) {
                q.push(" OR c.normalized_code LIKE ");
                q.push_bind(contains_pattern(rest));
            }
        }
        q.push(")");
    }
    if let Some(batch) = filter.batch_id {
        q.push(sep);
        sep = " AND ";
        q.push("c.batch_id = ");
        q.push_bind(batch);
    }
    if let Some(status) = filter.status {
        let now = filter.now.unwrap_or_else(Utc::now);
        q.push(sep);
        match status {
            CodeStatus::Used => {
                q.push("c.used_at IS NOT NULL");
            }
            CodeStatus::Revoked => {
                q.push("c.used_at IS NULL AND NOT c.is_active");
            }
            CodeStatus::Expired => {
                q.push("c.used_at IS NULL AND c.is_active AND c.expires_at IS NOT NULL AND c.expires_at <= ");
                q.push_bind(now);
            }
            CodeStatus::Unused => {
                q.push("c.used_at IS NULL AND c.is_active AND (c.expires_at IS NULL OR c.expires_at > ");
                q.push_bind(now);
                q.push(")");
            }
        }
    }
}

impl PgStore {
    async fn redeem_row(&self, id: Uuid) -> Result<Option<RedeemCodeRow>> {
        let row = sqlx::query(&format!("{LIST_SELECT} WHERE c.id = $1")).bind(id).fetch_optional(&self.pool).await.db()?;
        row.as_ref().map(rows::redeem_code_row).transpose()
    }
}

#[async_trait]
impl RedeemRepo for PgStore {
    async fn insert_redeem_codes(&self, codes: &[RedeemCode]) -> Result<()> {
        if codes.is_empty() {
            return Ok(());
        }
        let n = codes.len();
        let mut ids = Vec::with_capacity(n);
        let mut bodies = Vec::with_capacity(n);
        let mut types = Vec::with_capacity(n);
        let mut amounts = Vec::with_capacity(n);
        let mut tiers: Vec<Option<String>> = Vec::with_capacity(n);
        let mut values: Vec<Option<i64>> = Vec::with_capacity(n);
        let mut units: Vec<Option<String>> = Vec::with_capacity(n);
        let mut batches = Vec::with_capacity(n);
        let mut notes = Vec::with_capacity(n);
        let mut actives = Vec::with_capacity(n);
        let mut expires: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(n);
        let mut creators: Vec<Option<Uuid>> = Vec::with_capacity(n);
        let mut users: Vec<Option<Uuid>> = Vec::with_capacity(n);
        let mut used: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(n);
        let mut created = Vec::with_capacity(n);
        for c in codes {
            ids.push(c.id);
            bodies.push(c.normalized_code.clone());
            types.push(c.grant.type_name().to_string());
            match &c.grant {
                CodeGrant::Credits(amount) => {
                    amounts.push(*amount);
                    tiers.push(None);
                    values.push(None);
                    units.push(None);
                }
                CodeGrant::Membership { tier, value, unit } => {
                    amounts.push(0);
                    tiers.push(Some(tier.as_str().to_string()));
                    values.push(Some(*value));
                    units.push(Some(unit.as_str().to_string()));
                }
            }
            batches.push(c.batch_id);
            notes.push(c.note.clone());
            actives.push(c.is_active);
            expires.push(c.expires_at);
            creators.push(c.created_by);
            users.push(c.used_by);
            used.push(c.used_at);
            created.push(c.created_at);
        }
        // One statement for the whole batch: it is inserted completely or not at all.
        sqlx::query(
            "INSERT INTO redeem_codes (id, normalized_code, code_type, credits_amount, membership_tier, \
             membership_duration_value, membership_duration_unit, batch_id, note, is_active, expires_at, \
             created_by, used_by, used_at, created_at, updated_at) \
             SELECT t.*, t.created_at FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::text[], \
             $6::int8[], $7::text[], $8::uuid[], $9::text[], $10::bool[], $11::timestamptz[], $12::uuid[], \
             $13::uuid[], $14::timestamptz[], $15::timestamptz[]) AS t(id, normalized_code, code_type, \
             credits_amount, membership_tier, membership_duration_value, membership_duration_unit, batch_id, note, \
             is_active, expires_at, created_by, used_by, used_at, created_at)",
        )
        .bind(ids)
        .bind(bodies)
        .bind(types)
        .bind(amounts)
        .bind(tiers)
        .bind(values)
        .bind(units)
        .bind(batches)
        .bind(notes)
        .bind(actives)
        .bind(expires)
        .bind(creators)
        .bind(users)
        .bind(used)
        .bind(created)
        .execute(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23514") => {
                Error::validation("invalid_code_grant", "兑换码内容无效").with_detail(db.to_string())
            }
            e => map_db_error(e),
        })?;
        Ok(())
    }

    async fn list_redeem_codes(&self, filter: &RedeemFilter, page: PageRequest) -> Result<Paged<RedeemCodeRow>> {
        let (limit, offset) = limit_offset(page);
        let mut q: QueryBuilder<'_, Postgres> = QueryBuilder::new(LIST_SELECT);
        push_filter(&mut q, filter);
        q.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ");
        q.push_bind(limit);
        q.push(" OFFSET ");
        q.push_bind(offset);
        let found = q.build().fetch_all(&self.pool).await.db()?;

        let mut count: QueryBuilder<'_, Postgres> = QueryBuilder::new(
            "SELECT COUNT(*) FROM redeem_codes c LEFT JOIN users cb ON cb.id = c.created_by \
             LEFT JOIN users ub ON ub.id = c.used_by",
        );
        push_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.db()?;
        Ok(Paged { items: found.iter().map(rows::redeem_code_row).collect::<Result<_>>()?, total })
    }

    async fn redeem_code(&self, id: Uuid) -> Result<Option<RedeemCodeRow>> {
        self.redeem_row(id).await
    }

    async fn set_redeem_code_active(&self, id: Uuid, active: bool) -> Result<Option<RedeemCodeRow>> {
        let done = sqlx::query("UPDATE redeem_codes SET is_active = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(active)
            .bind(now())
            .execute(&self.pool)
            .await
            .db()?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.redeem_row(id).await
    }

    async fn delete_unused_redeem_code(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM redeem_codes WHERE id = $1 AND used_at IS NULL").bind(id).execute(&self.pool).await.db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn redeem(
        &self,
        user_id: Uuid,
        normalized_code: &str,
        now: DateTime<Utc>,
        decide: &(dyn for<'c, 'u> Fn(&'c RedeemCode, &'u User) -> Result<RedemptionEffect> + Send + Sync),
    ) -> Result<(RedeemCode, User)> {
        let mut tx = self.pool.begin().await.db()?;
        // Lock order everywhere: the code, then the user.
        let row = sqlx::query("SELECT * FROM redeem_codes WHERE normalized_code = $1 FOR UPDATE")
            .bind(normalized_code)
            .fetch_optional(&mut *tx)
            .await
            .db()?;
        let code = rows::redeem_code(&row.ok_or_else(code_not_found)?)?;
        let user = user_in(&mut tx, user_id, true).await?.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?;

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
                sqlx::query("UPDATE users SET membership_tier = $2, membership_expires_at = $3, updated_at = $4 WHERE id = $1")
                    .bind(user_id)
                    .bind(tier.as_str())
                    .bind(expires_at)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .db()?;
            }
        }

        let used = sqlx::query(
            "UPDATE redeem_codes SET used_by = $2, used_at = $3, updated_at = $3 \
             WHERE id = $1 AND used_at IS NULL RETURNING *",
        )
        .bind(code.id)
        .bind(user_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        // The row lock makes this unreachable, but a second use must never slip through.
        let used = used.ok_or_else(|| Error::conflict("code_used", "兑换码已被使用"))?;
        let user = user_in(&mut tx, user_id, false).await?.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?;
        tx.commit().await.db()?;
        Ok((rows::redeem_code(&used)?, user))
    }
}
