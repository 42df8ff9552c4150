//! Accounts.
use async_trait::async_trait;
use chrono::Utc;
use miaojing_domain::invitation::NewReferral;
use miaojing_domain::ledger::Grant;
use miaojing_domain::repo::UserRepo;
use miaojing_domain::user::{NewUser, User, UserPatch, UserSummary};
use miaojing_domain::{Error, PageRequest, Paged, Result};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::errors::{db_err, like_pattern};
use crate::ledger::apply_grant_in;
use crate::rows::{self, as_uuid, limit_offset, USER_COLUMNS};
use crate::SqliteStore;

fn user_missing() -> Error {
    Error::not_found("not_found", "用户不存在")
}

fn invite_invalid() -> Error {
    Error::conflict("invite_invalid", "邀请码无效")
}

/// One user inside a transaction.
pub(crate) async fn user_in(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await.map_err(db_err)?;
    row.as_ref().map(rows::user).transpose()
}

/// `WHERE` clause of the admin user list.
fn push_user_filter(qb: &mut QueryBuilder<'_, Sqlite>, search: Option<&str>) {
    let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) else {
        return;
    };
    if let Some(id) = as_uuid(term) {
        qb.push(" WHERE u.id = ").push_bind(id);
        return;
    }
    let pattern = like_pattern(&term.to_lowercase());
    qb.push(" WHERE (");
    for (i, column) in ["lower(u.email)", "lower(u.username)", "lower(u.display_nickname)", "lower(u.phone)"].into_iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(column).push(" LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
    }
    qb.push(")");
}

impl SqliteStore {
    async fn user_where(&self, clause: &str, value: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {clause} LIMIT 1");
        let row = sqlx::query(&sql).bind(value).fetch_optional(&self.reader).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }
}

#[async_trait]
impl UserRepo for SqliteStore {
    async fn create_user(&self, user: NewUser, grants: Vec<Grant>, referral: Option<NewReferral>) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let referrer = referral.as_ref().map(|r| r.inviter_id).or(user.referred_by);
        if let Some(inviter) = referrer {
            let active: Option<bool> = sqlx::query_scalar("SELECT is_active FROM users WHERE id = ?")
                .bind(inviter)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if active != Some(true) {
                return Err(invite_invalid());
            }
        }
        let verified_at = user.email_verified.then_some(user.created_at);
        sqlx::query(
            "INSERT INTO users (id, username, email, phone, display_nickname, avatar_url, role, membership_tier, \
             membership_expires_at, credits_balance, invite_code, referred_by, is_active, email_verified, \
             email_verified_at, email_bound_at, preferred_theme, watermark_disabled, password_hash, created_at, \
             updated_at, preferred_language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, ?, 1, ?, ?, ?, 'dark', 0, ?, ?, ?, ?)",
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
        .bind(verified_at)
        .bind(Some(user.password_hash.as_str()).filter(|h| !h.is_empty()))
        .bind(user.created_at)
        .bind(user.created_at)
        .bind(user.preferred_language.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;

        if let Some(r) = &referral {
            sqlx::query(
                "INSERT INTO invitation_referrals (id, invite_code, inviter_id, invitee_id, inviter_bonus, \
                 invitee_bonus, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
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

        for grant in &grants {
            apply_grant_in(&mut tx, grant, Utc::now()).await?;
        }

        let created = user_in(&mut tx, user.id).await?.ok_or_else(user_missing)?;
        tx.commit().await.map_err(db_err)?;
        Ok(created)
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.reader).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn user_by_login(&self, identifier: &str) -> Result<Option<User>> {
        let ident = identifier.trim();
        if ident.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u \
             WHERE u.email = ?1 OR lower(u.username) = lower(?2) OR u.phone = ?2 \
             ORDER BY CASE WHEN u.email = ?1 THEN 0 WHEN lower(u.username) = lower(?2) THEN 1 ELSE 2 END \
             LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(ident.to_lowercase()).bind(ident).fetch_optional(&self.reader).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.user_where("u.email = ?", &email.trim().to_lowercase()).await
    }

    async fn user_by_invite_code(&self, code: &str) -> Result<Option<User>> {
        self.user_where("u.invite_code = ?", code.trim()).await
    }

    async fn update_user(&self, id: Uuid, patch: UserPatch) -> Result<User> {
        let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new("UPDATE users SET updated_at = ");
        qb.push_bind(Utc::now());
        if let Some(v) = patch.username {
            qb.push(", username = ").push_bind(v);
        }
        if let Some(v) = patch.email {
            qb.push(", email = ").push_bind(v);
        }
        if let Some(v) = patch.phone {
            qb.push(", phone = ").push_bind(v);
        }
        if let Some(v) = patch.display_nickname {
            qb.push(", display_nickname = ").push_bind(v);
        }
        if let Some(v) = patch.avatar_url {
            qb.push(", avatar_url = ").push_bind(v);
        }
        if let Some(v) = patch.role {
            qb.push(", role = ").push_bind(v.as_str());
        }
        if let Some(v) = patch.membership_tier {
            qb.push(", membership_tier = ").push_bind(v.as_str());
        }
        if let Some(v) = patch.membership_expires_at {
            qb.push(", membership_expires_at = ").push_bind(v);
        }
        if let Some(v) = patch.is_active {
            qb.push(", is_active = ").push_bind(v);
        }
        if let Some(v) = patch.email_verified {
            qb.push(", email_verified = ").push_bind(v);
        }
        if let Some(v) = patch.email_verified_at {
            qb.push(", email_verified_at = ").push_bind(v);
        }
        if let Some(v) = patch.email_bound_at {
            qb.push(", email_bound_at = ").push_bind(v);
        }
        if let Some(v) = patch.preferred_theme {
            qb.push(", preferred_theme = ").push_bind(v);
        }
        if let Some(v) = patch.preferred_language {
            qb.push(", preferred_language = ").push_bind(v.as_str());
        }
        if let Some(v) = patch.watermark_disabled {
            qb.push(", watermark_disabled = ").push_bind(v);
        }
        if let Some(v) = patch.password_hash {
            qb.push(", password_hash = ").push_bind(v);
        }
        qb.push(" WHERE id = ").push_bind(id);
        qb.push(
            " RETURNING id, username, email, phone, display_nickname, avatar_url, role, membership_tier, \
                  membership_expires_at, credits_balance, invite_code, referred_by, is_active, email_verified, \
                  email_verified_at, email_bound_at, preferred_theme, watermark_disabled, password_hash, \
                  created_at, updated_at, preferred_language",
        );
        let row = qb.build().fetch_optional(&self.writer).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()?.ok_or_else(user_missing)
    }

    async fn delete_user(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM users WHERE id = ?").bind(id).execute(&self.writer).await.map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_users(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<UserSummary>> {
        let mut count: QueryBuilder<'_, Sqlite> = QueryBuilder::new("SELECT COUNT(*) FROM users u");
        push_user_filter(&mut count, search);
        let total: i64 = count.build_query_scalar().fetch_one(&self.reader).await.map_err(db_err)?;

        let (limit, offset) = limit_offset(page);
        let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!(
            "SELECT {USER_COLUMNS}, r.email AS ref_email, r.display_nickname AS ref_nickname, \
             (SELECT COUNT(*) FROM users c WHERE c.referred_by = u.id) AS invited_count \
             FROM users u LEFT JOIN users r ON r.id = u.referred_by"
        ));
        push_user_filter(&mut qb, search);
        qb.push(" ORDER BY u.created_at DESC, u.rowid DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        let found = qb.build().fetch_all(&self.reader).await.map_err(db_err)?;
        let items = found.iter().map(rows::user_summary).collect::<Result<Vec<_>>>()?;
        Ok(Paged { items, total })
    }

    async fn count_admins(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_active = 1 AND role IN ('admin', 'enterprise_admin')")
            .fetch_one(&self.reader)
            .await
            .map_err(db_err)
    }

    async fn first_admin(&self) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.is_active = 1 AND u.role IN ('admin', 'enterprise_admin') \
             ORDER BY u.created_at ASC, u.rowid ASC LIMIT 1"
        );
        let row = sqlx::query(&sql).fetch_optional(&self.reader).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }
}
