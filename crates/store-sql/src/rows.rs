//! The account, ledger, code, referral, announcement and log rows as domain values. A
//! stored value the domain does not know (an unknown role, tier, kind, …) is a 500, never a
//! panic, and never read leniently: the CHECK constraints allow only canonical names.
use miaojing_domain::announcement::Announcement;
use miaojing_domain::invitation::Referral;
use miaojing_domain::ledger::{LedgerEntry, LedgerKind};
use miaojing_domain::log::LogEntry;
use miaojing_domain::redeem::{CodeGrant, DurationUnit, RedeemCode, RedeemCodeRow};
use miaojing_domain::session::Session;
use miaojing_domain::user::{Language, Role, Tier, User, UserSummary};
use miaojing_domain::Result;
use sqlx::types::Json;

use crate::errors::bad_data;
use crate::row::ReadRow;

/// A stored role: exactly a canonical name, as the domain's parser reads it.
pub fn stored_role(s: &str) -> Result<Role> {
    Role::parse(s).ok().filter(|r| r.as_str() == s).ok_or_else(|| bad_data("role", s))
}

/// A stored membership tier: exactly a canonical name, as the domain's parser reads it.
pub fn stored_tier(s: &str) -> Result<Tier> {
    Tier::parse(s).ok().filter(|t| t.as_str() == s).ok_or_else(|| bad_data("tier", s))
}

/// The columns of `users` as selected by `USER_COLUMNS`.
pub const USER_COLUMNS: &str = "u.id, u.username, u.email, u.phone, u.display_nickname, u.avatar_url, \
     u.role, u.membership_tier, u.membership_expires_at, u.credits_balance, u.invite_code, u.referred_by, \
     u.is_active, u.email_verified, u.email_verified_at, u.email_bound_at, u.preferred_theme, \
     u.watermark_disabled, u.password_hash, u.created_at, u.updated_at, u.preferred_language";

/// Reads a row as a `User`.
pub fn user(row: &impl ReadRow) -> Result<User> {
    let role: String = row.col("role")?;
    let tier: String = row.col("membership_tier")?;
    let language: String = row.col("preferred_language")?;
    Ok(User {
        id: row.col("id")?,
        username: row.col("username")?,
        email: row.col("email")?,
        phone: row.col("phone")?,
        display_nickname: row.col("display_nickname")?,
        avatar_url: row.col("avatar_url")?,
        role: stored_role(&role)?,
        membership_tier: stored_tier(&tier)?,
        membership_expires_at: row.col("membership_expires_at")?,
        credits_balance: row.col("credits_balance")?,
        invite_code: row.col("invite_code")?,
        referred_by: row.col("referred_by")?,
        is_active: row.col("is_active")?,
        email_verified: row.col("email_verified")?,
        email_verified_at: row.col("email_verified_at")?,
        email_bound_at: row.col("email_bound_at")?,
        preferred_theme: row.col("preferred_theme")?,
        preferred_language: Language::from_stored(&language).ok_or_else(|| bad_data("preferred_language", &language))?,
        watermark_disabled: row.col("watermark_disabled")?,
        password_hash: row.col("password_hash")?,
        created_at: row.col("created_at")?,
        updated_at: row.col("updated_at")?,
    })
}

/// Reads a row as a `UserSummary`.
pub fn user_summary(row: &impl ReadRow) -> Result<UserSummary> {
    Ok(UserSummary {
        user: user(row)?,
        referred_by_email: row.col("ref_email")?,
        referred_by_nickname: row.col("ref_nickname")?,
        invited_count: row.col("invited_count")?,
    })
}

/// Reads a row as a `Session`.
pub fn session(row: &impl ReadRow) -> Result<Session> {
    Ok(Session {
        id: row.col("s_id")?,
        user_id: row.col("s_user_id")?,
        created_at: row.col("s_created_at")?,
        expires_at: row.col("s_expires_at")?,
        revoked_at: row.col("s_revoked_at")?,
        ip_address: row.col("s_ip_address")?,
        user_agent: row.col("s_user_agent")?,
    })
}

/// Reads a row as a `LedgerEntry`.
pub fn ledger_entry(row: &impl ReadRow) -> Result<LedgerEntry> {
    let kind: String = row.col("kind")?;
    Ok(LedgerEntry {
        id: row.col("id")?,
        user_id: row.col("user_id")?,
        amount: row.col("amount")?,
        balance_after: row.col("balance_after")?,
        kind: LedgerKind::parse(&kind).ok_or_else(|| bad_data("ledger kind", &kind))?,
        description: row.col("description")?,
        created_at: row.col("created_at")?,
    })
}

/// The columns of `redeem_codes` (alias `c`).
pub const CODE_COLUMNS: &str = "c.id, c.normalized_code, c.code_type, c.credits_amount, c.membership_tier, \
     c.membership_duration_value, c.membership_duration_unit, c.batch_id, c.note, c.is_active, c.expires_at, \
     c.created_by, c.used_by, c.used_at, c.created_at";

/// Reads a row as a `RedeemCode`.
pub fn redeem_code(row: &impl ReadRow) -> Result<RedeemCode> {
    let code_type: String = row.col("code_type")?;
    let grant = match code_type.as_str() {
        "credits" => CodeGrant::Credits(row.col("credits_amount")?),
        "membership" => {
            let tier: Option<String> = row.col("membership_tier")?;
            let unit: Option<String> = row.col("membership_duration_unit")?;
            let value: Option<i64> = row.col("membership_duration_value")?;
            let tier = tier.unwrap_or_default();
            let unit = unit.unwrap_or_default();
            CodeGrant::Membership {
                tier: stored_tier(&tier)?,
                value: value.ok_or_else(|| bad_data("membership duration", "NULL"))?,
                unit: DurationUnit::parse(&unit).map_err(|_| bad_data("duration unit", &unit))?,
            }
        }
        other => return Err(bad_data("code type", other)),
    };
    Ok(RedeemCode {
        id: row.col("id")?,
        normalized_code: row.col("normalized_code")?,
        grant,
        batch_id: row.col("batch_id")?,
        note: row.col("note")?,
        is_active: row.col("is_active")?,
        expires_at: row.col("expires_at")?,
        created_by: row.col("created_by")?,
        used_by: row.col("used_by")?,
        used_at: row.col("used_at")?,
        created_at: row.col("created_at")?,
    })
}

/// Reads a row as a `RedeemCodeRow`.
pub fn redeem_code_row(row: &impl ReadRow) -> Result<RedeemCodeRow> {
    Ok(RedeemCodeRow {
        code: redeem_code(row)?,
        created_by_email: row.col("created_by_email")?,
        used_by_email: row.col("used_by_email")?,
        used_by_name: row.col("used_by_name")?,
    })
}

/// Reads a row as a `Referral`.
pub fn referral(row: &impl ReadRow) -> Result<Referral> {
    Ok(Referral {
        id: row.col("id")?,
        invite_code: row.col("invite_code")?,
        inviter_id: row.col("inviter_id")?,
        invitee_id: row.col("invitee_id")?,
        inviter_bonus: row.col("inviter_bonus")?,
        invitee_bonus: row.col("invitee_bonus")?,
        created_at: row.col("created_at")?,
        inviter_email: row.col("inviter_email")?,
        inviter_nickname: row.col("inviter_nickname")?,
        invitee_email: row.col("invitee_email")?,
        invitee_nickname: row.col("invitee_nickname")?,
    })
}

/// Reads a row as a `Announcement`.
pub fn announcement(row: &impl ReadRow) -> Result<Announcement> {
    Ok(Announcement {
        id: row.col("id")?,
        title: row.col("title")?,
        content: row.col("content")?,
        kind: row.col("kind")?,
        is_active: row.col("is_active")?,
        popup: row.col("popup")?,
        starts_at: row.col("starts_at")?,
        expires_at: row.col("expires_at")?,
        created_by: row.col("created_by")?,
        created_at: row.col("created_at")?,
        updated_at: row.col("updated_at")?,
    })
}

/// Reads a row as a `LogEntry`.
pub fn log_entry(row: &impl ReadRow) -> Result<LogEntry> {
    let metadata: Json<serde_json::Value> = row.col("metadata")?;
    Ok(LogEntry {
        id: row.col("id")?,
        kind: row.col("kind")?,
        level: row.col("level")?,
        action: row.col("action")?,
        message: row.col("message")?,
        user_id: row.col("user_id")?,
        user_name: row.col("user_name")?,
        user_email: row.col("user_email")?,
        target_type: row.col("target_type")?,
        target_id: row.col("target_id")?,
        ip_address: row.col("ip_address")?,
        user_agent: row.col("user_agent")?,
        metadata: metadata.0,
        created_at: row.col("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_read_strictly() {
        assert_eq!(stored_role("enterprise_admin").unwrap(), Role::EnterpriseAdmin);
        assert_eq!(stored_tier("ultra").unwrap(), Tier::Ultra);
        // What the domain's parser forgives in input is corruption in a stored row.
        for role in ["vip", "Admin", " user"] {
            let e = stored_role(role).unwrap_err();
            assert_eq!((e.status(), e.code.as_ref()), (500, "internal_error"), "{role}");
        }
        for tier in ["basic", "enterprise", "PRO"] {
            assert_eq!(stored_tier(tier).unwrap_err().status(), 500, "{tier}");
        }
    }
}
