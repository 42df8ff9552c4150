//! Rows as domain values. Unknown stored values are internal errors, never panics.
use chrono::{DateTime, Utc};
use miaojing_domain::announcement::Announcement;
use miaojing_domain::invitation::Referral;
use miaojing_domain::ledger::{LedgerEntry, LedgerKind};
use miaojing_domain::log::LogEntry;
use miaojing_domain::redeem::{CodeGrant, DurationUnit, RedeemCode, RedeemCodeRow};
use miaojing_domain::session::Session;
use miaojing_domain::user::{Language, Role, Tier, User, UserSummary};
use miaojing_domain::{Error, Result};
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, Row, Sqlite, Type};
use uuid::Uuid;

use crate::errors::bad_data;

/// Reads one column, mapping a decode failure to an internal error.
pub(crate) fn col<'r, T>(row: &'r SqliteRow, name: &str) -> Result<T>
where
    T: Decode<'r, Sqlite> + Type<Sqlite>,
{
    row.try_get(name).map_err(|e| Error::internal(format!("sqlite: column {name}: {e}")))
}

/// The columns of `users` as selected by `USER_COLUMNS`.
pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.email, u.phone, u.display_nickname, u.avatar_url, \
     u.role, u.membership_tier, u.membership_expires_at, u.credits_balance, u.invite_code, u.referred_by, \
     u.is_active, u.email_verified, u.email_verified_at, u.email_bound_at, u.preferred_theme, \
     u.watermark_disabled, u.password_hash, u.created_at, u.updated_at, u.preferred_language";

pub(crate) fn user(row: &SqliteRow) -> Result<User> {
    let role: String = col(row, "role")?;
    let tier: String = col(row, "membership_tier")?;
    let language: String = col(row, "preferred_language")?;
    Ok(User {
        id: col(row, "id")?,
        username: col(row, "username")?,
        email: col(row, "email")?,
        phone: col(row, "phone")?,
        display_nickname: col(row, "display_nickname")?,
        avatar_url: col(row, "avatar_url")?,
        role: Role::parse(&role).map_err(|_| bad_data("role", &role))?,
        membership_tier: Tier::parse(&tier).map_err(|_| bad_data("tier", &tier))?,
        membership_expires_at: col(row, "membership_expires_at")?,
        credits_balance: col(row, "credits_balance")?,
        invite_code: col(row, "invite_code")?,
        referred_by: col(row, "referred_by")?,
        is_active: col(row, "is_active")?,
        email_verified: col(row, "email_verified")?,
        email_verified_at: col(row, "email_verified_at")?,
        email_bound_at: col(row, "email_bound_at")?,
        preferred_theme: col(row, "preferred_theme")?,
        preferred_language: Language::from_stored(&language).ok_or_else(|| bad_data("preferred_language", &language))?,
        watermark_disabled: col(row, "watermark_disabled")?,
        password_hash: col(row, "password_hash")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) fn user_summary(row: &SqliteRow) -> Result<UserSummary> {
    Ok(UserSummary {
        user: user(row)?,
        referred_by_email: col(row, "ref_email")?,
        referred_by_nickname: col(row, "ref_nickname")?,
        invited_count: col(row, "invited_count")?,
    })
}

pub(crate) fn session(row: &SqliteRow) -> Result<Session> {
    Ok(Session {
        id: col(row, "s_id")?,
        user_id: col(row, "s_user_id")?,
        created_at: col(row, "s_created_at")?,
        expires_at: col(row, "s_expires_at")?,
        revoked_at: col(row, "s_revoked_at")?,
        ip_address: col(row, "s_ip_address")?,
        user_agent: col(row, "s_user_agent")?,
    })
}

pub(crate) fn ledger_entry(row: &SqliteRow) -> Result<LedgerEntry> {
    let kind: String = col(row, "kind")?;
    Ok(LedgerEntry {
        id: col(row, "id")?,
        user_id: col(row, "user_id")?,
        amount: col(row, "amount")?,
        balance_after: col(row, "balance_after")?,
        kind: LedgerKind::parse(&kind).ok_or_else(|| bad_data("ledger kind", &kind))?,
        description: col(row, "description")?,
        created_at: col(row, "created_at")?,
    })
}

/// The columns of `redeem_codes` (alias `c`).
pub(crate) const CODE_COLUMNS: &str = "c.id, c.normalized_code, c.code_type, c.credits_amount, c.membership_tier, \
     c.membership_duration_value, c.membership_duration_unit, c.batch_id, c.note, c.is_active, c.expires_at, \
     c.created_by, c.used_by, c.used_at, c.created_at";

pub(crate) fn redeem_code(row: &SqliteRow) -> Result<RedeemCode> {
    let code_type: String = col(row, "code_type")?;
    let grant = match code_type.as_str() {
        "credits" => CodeGrant::Credits(col(row, "credits_amount")?),
        "membership" => {
            let tier: Option<String> = col(row, "membership_tier")?;
            let unit: Option<String> = col(row, "membership_duration_unit")?;
            let value: Option<i64> = col(row, "membership_duration_value")?;
            let tier = tier.unwrap_or_default();
            let unit = unit.unwrap_or_default();
            CodeGrant::Membership {
                tier: Tier::parse(&tier).map_err(|_| bad_data("code tier", &tier))?,
                value: value.ok_or_else(|| bad_data("membership duration", "NULL"))?,
                unit: DurationUnit::parse(&unit).map_err(|_| bad_data("duration unit", &unit))?,
            }
        }
        other => return Err(bad_data("code type", other)),
    };
    Ok(RedeemCode {
        id: col(row, "id")?,
        normalized_code: col(row, "normalized_code")?,
        grant,
        batch_id: col(row, "batch_id")?,
        note: col(row, "note")?,
        is_active: col(row, "is_active")?,
        expires_at: col(row, "expires_at")?,
        created_by: col(row, "created_by")?,
        used_by: col(row, "used_by")?,
        used_at: col(row, "used_at")?,
        created_at: col(row, "created_at")?,
    })
}

pub(crate) fn redeem_code_row(row: &SqliteRow) -> Result<RedeemCodeRow> {
    Ok(RedeemCodeRow {
        code: redeem_code(row)?,
        created_by_email: col(row, "created_by_email")?,
        used_by_email: col(row, "used_by_email")?,
        used_by_name: col(row, "used_by_name")?,
    })
}

pub(crate) fn referral(row: &SqliteRow) -> Result<Referral> {
    Ok(Referral {
        id: col(row, "id")?,
        invite_code: col(row, "invite_code")?,
        inviter_id: col(row, "inviter_id")?,
        invitee_id: col(row, "invitee_id")?,
        inviter_bonus: col(row, "inviter_bonus")?,
        invitee_bonus: col(row, "invitee_bonus")?,
        created_at: col(row, "created_at")?,
        inviter_email: col(row, "inviter_email")?,
        inviter_nickname: col(row, "inviter_nickname")?,
        invitee_email: col(row, "invitee_email")?,
        invitee_nickname: col(row, "invitee_nickname")?,
    })
}

pub(crate) fn announcement(row: &SqliteRow) -> Result<Announcement> {
    Ok(Announcement {
        id: col(row, "id")?,
        title: col(row, "title")?,
        content: col(row, "content")?,
        kind: col(row, "kind")?,
        is_active: col(row, "is_active")?,
        popup: col(row, "popup")?,
        starts_at: col(row, "starts_at")?,
        expires_at: col(row, "expires_at")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) fn log_entry(row: &SqliteRow) -> Result<LogEntry> {
    let metadata: String = col(row, "metadata")?;
    Ok(LogEntry {
        id: col(row, "id")?,
        kind: col(row, "kind")?,
        level: col(row, "level")?,
        action: col(row, "action")?,
        message: col(row, "message")?,
        user_id: col(row, "user_id")?,
        user_name: col(row, "user_name")?,
        user_email: col(row, "user_email")?,
        target_type: col(row, "target_type")?,
        target_id: col(row, "target_id")?,
        ip_address: col(row, "ip_address")?,
        user_agent: col(row, "user_agent")?,
        metadata: serde_json::from_str(&metadata).map_err(|e| bad_data("log metadata", e))?,
        created_at: col(row, "created_at")?,
    })
}

/// Seconds from `now` until `until`, rounded up (at least 1).
pub(crate) fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let ms = (until - now).num_milliseconds().max(0);
    u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
}

/// Page bounds as SQL values (a negative LIMIT means "no limit" in SQLite).
pub(crate) fn limit_offset(page: miaojing_domain::PageRequest) -> (i64, i64) {
    (page.size.max(0), page.offset().max(0))
}

/// A UUID if `s` is one.
pub(crate) fn as_uuid(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}
