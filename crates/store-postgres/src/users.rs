//! Accounts.
use async_trait::async_trait;
use miaojing_domain::invitation::NewReferral;
use miaojing_domain::ledger::Grant;
use miaojing_domain::repo::UserRepo;
use miaojing_domain::user::{NewUser, User, UserPatch, UserSummary};
use miaojing_domain::{Error, PageRequest, Paged, Result};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::errors::{map_db_error, unique_conflict, DbResultExt};
use crate::ledger::apply_grant_in;
use crate::rows::{convert_all, UserRow, UserSummaryRow};
use crate::sql::{contains_pattern, limit_offset, now, search_term};
use crate::PgStore;

/// Loads a user inside a transaction, optionally locking the row.
pub(crate) async fn user_in(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<User>> {
    let sql = if lock { "SELECT * FROM users WHERE id = $1 FOR UPDATE" } else { "SELECT * FROM users WHERE id = $1" };
    let row: Option<UserRow> = sqlx::query_as(sql).bind(id).fetch_optional(&mut *conn).await.db()?;
    row.map(User::try_from).transpose()
}

fn user_not_found() -> Error {
    Error::not_found("not_found", "用户不存在")
}

fn invite_invalid() -> Error {
    Error::conflict("invite_invalid", "邀请码无效")
}

/// Appends the admin-list filter (`WHERE …`) for `search` to `q`: the exact id when the
/// search is a UUID, else a substring of e-mail, username, display name or phone.
fn push_user_search(q: &mut QueryBuilder<'_, Postgres>, search: Option<&str>) {
    let Some(term) = search_term(search) else {
        return;
    };
    if let Ok(id) = Uuid::parse_str(term) {
        q.push(" WHERE u.id = ");
        q.push_bind(id);
        return;
    }
    let pattern = contains_pattern(term);
    q.push(" WHERE (u.email ILIKE ");
    q.push_bind(pattern.clone());
    q.push(" OR u.username ILIKE ");
    q.push_bind(pattern.clone());
    q.push(" OR u.display_nickname ILIKE ");
    q.push_bind(pattern.clone());
    q.push(" OR u.phone ILIKE ");
    q.push_bind(pattern);
    q.push(")");
}

impl PgStore {
    /// Turns a unique violation on an account's identity into the conflict users are told
    /// about, in a fixed order whatever index PostgreSQL checked first: username, then
    /// e-mail, then phone. Other errors pass through.
    async fn explain_conflict(&self, e: Error, id: Uuid, username: Option<&str>, email: Option<&str>, phone: Option<&str>) -> Error {
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
        .fetch_one(&self.pool)
        .await;
        let detail = e.detail.clone().unwrap_or_default();
        match taken {
            Ok((true, _, _)) => unique_conflict("users_username_key").with_detail(detail),
            Ok((_, true, _)) => unique_conflict("users_email_key").with_detail(detail),
            Ok((_, _, true)) => unique_conflict("users_phone_key").with_detail(detail),
            _ => e,
        }
    }
}

#[async_trait]
impl UserRepo for PgStore {
    async fn create_user(&self, user: NewUser, grants: Vec<Grant>, referral: Option<NewReferral>) -> Result<User> {
        let mut tx = self.pool.begin().await.db()?;
        let referrer = referral.as_ref().map(|r| r.inviter_id).or(user.referred_by);
        if let Some(inviter) = referrer {
            // The inviter must exist and be active; the lock keeps it so until we commit.
            let active: Option<bool> = sqlx::query_scalar("SELECT is_active FROM users WHERE id = $1 FOR UPDATE")
                .bind(inviter)
                .fetch_optional(&mut *tx)
                .await
                .db()?;
            if active != Some(true) {
                return Err(invite_invalid());
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
            return Err(self.explain_conflict(map_db_error(e), user.id, Some(username), Some(email), phone).await);
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
            .db()?;
        }
        let granted_at = now();
        for grant in &grants {
            apply_grant_in(&mut tx, grant, granted_at).await?;
        }
        let created = user_in(&mut tx, user.id, false).await?.ok_or_else(user_not_found)?;
        tx.commit().await.db()?;
        Ok(created)
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(&self.pool).await.db()?;
        row.map(User::try_from).transpose()
    }

    async fn user_by_login(&self, identifier: &str) -> Result<Option<User>> {
        let identifier = identifier.trim();
        if identifier.is_empty() {
            return Ok(None);
        }
        // An e-mail match wins over a username match, which wins over a phone match.
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT * FROM users \
             WHERE email = lower($1) OR lower(username) = lower($1) OR phone = $1 \
             ORDER BY CASE WHEN email = lower($1) THEN 0 WHEN lower(username) = lower($1) THEN 1 ELSE 2 END \
             LIMIT 1",
        )
        .bind(identifier)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(User::try_from).transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row: Option<UserRow> =
            sqlx::query_as("SELECT * FROM users WHERE email = lower($1)").bind(email.trim()).fetch_optional(&self.pool).await.db()?;
        row.map(User::try_from).transpose()
    }

    async fn user_by_invite_code(&self, code: &str) -> Result<Option<User>> {
        let row: Option<UserRow> =
            sqlx::query_as("SELECT * FROM users WHERE invite_code = $1").bind(code.trim()).fetch_optional(&self.pool).await.db()?;
        row.map(User::try_from).transpose()
    }

    async fn update_user(&self, id: Uuid, patch: UserPatch) -> Result<User> {
        if patch.is_empty() {
            return self.user_by_id(id).await?.ok_or_else(user_not_found);
        }
        let mut q: QueryBuilder<'_, Postgres> = QueryBuilder::new("UPDATE users SET updated_at = ");
        q.push_bind(now());
        macro_rules! set {
            ($column:literal, $value:expr) => {
                if let Some(v) = $value {
                    q.push(concat!(", ", $column, " = "));
                    q.push_bind(v);
                }
            };
        }
        let username = patch.username.clone();
        let email = patch.email.clone();
        let phone = patch.phone.clone().flatten();
        set!("username", patch.username);
        set!("email", patch.email);
        set!("phone", patch.phone);
        set!("display_nickname", patch.display_nickname);
        set!("avatar_url", patch.avatar_url);
        set!("role", patch.role.map(|r| r.as_str()));
        set!("membership_tier", patch.membership_tier.map(|t| t.as_str()));
        set!("membership_expires_at", patch.membership_expires_at);
        set!("is_active", patch.is_active);
        set!("email_verified", patch.email_verified);
        set!("email_verified_at", patch.email_verified_at);
        set!("email_bound_at", patch.email_bound_at);
        set!("preferred_theme", patch.preferred_theme);
        set!("preferred_language", patch.preferred_language.map(|l| l.as_str()));
        set!("watermark_disabled", patch.watermark_disabled);
        set!("password_hash", patch.password_hash);
        q.push(" WHERE id = ");
        q.push_bind(id);
        q.push(" RETURNING *");
        let row: Option<UserRow> = match q.build_query_as().fetch_optional(&self.pool).await {
            Ok(row) => row,
            Err(e) => {
                let (username, email) = (username.as_deref(), email.as_deref());
                return Err(self.explain_conflict(map_db_error(e), id, username, email, phone.as_deref()).await);
            }
        };
        row.map(User::try_from).transpose()?.ok_or_else(user_not_found)
    }

    async fn delete_user(&self, id: Uuid) -> Result<bool> {
        // Sessions, codes, ledger rows and referrals go with the user (ON DELETE CASCADE);
        // references from other users, codes and announcements are cleared (SET NULL).
        let done = sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&self.pool).await.db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_users(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<UserSummary>> {
        let (limit, offset) = limit_offset(page);
        let mut q: QueryBuilder<'_, Postgres> = QueryBuilder::new(
            "SELECT u.*, r.email AS referred_by_email, r.display_nickname AS referred_by_nickname, \
             (SELECT COUNT(*) FROM users c WHERE c.referred_by = u.id) AS invited_count \
             FROM users u LEFT JOIN users r ON r.id = u.referred_by",
        );
        push_user_search(&mut q, search);
        q.push(" ORDER BY u.created_at DESC, u.id DESC LIMIT ");
        q.push_bind(limit);
        q.push(" OFFSET ");
        q.push_bind(offset);
        let rows: Vec<UserSummaryRow> = q.build_query_as().fetch_all(&self.pool).await.db()?;

        let mut count: QueryBuilder<'_, Postgres> = QueryBuilder::new("SELECT COUNT(*) FROM users u");
        push_user_search(&mut count, search);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.db()?;
        Ok(Paged { items: convert_all(rows)?, total })
    }

    async fn count_admins(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role IN ('admin', 'enterprise_admin') AND is_active")
            .fetch_one(&self.pool)
            .await
            .db()
    }

    async fn first_admin(&self) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT * FROM users WHERE role IN ('admin', 'enterprise_admin') AND is_active \
             ORDER BY created_at, id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(User::try_from).transpose()
    }
}
