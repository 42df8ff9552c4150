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
use crate::read_row;
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
    read_row!(row => User {
        id, username, email, phone, display_nickname, avatar_url, membership_expires_at, credits_balance,
        invite_code, referred_by, is_active, email_verified, email_verified_at, email_bound_at,
        preferred_theme, watermark_disabled, password_hash, created_at, updated_at;
        role: stored_role(&role)?,
        membership_tier: stored_tier(&tier)?,
        preferred_language: Language::from_stored(&language).ok_or_else(|| bad_data("preferred_language", &language))?,
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
    read_row!(row, "s_" => Session {
        id, user_id, created_at, expires_at, revoked_at, ip_address, user_agent
    })
}

/// Reads a row as a `LedgerEntry`.
pub fn ledger_entry(row: &impl ReadRow) -> Result<LedgerEntry> {
    let kind: String = row.col("kind")?;
    read_row!(row => LedgerEntry {
        id, user_id, amount, balance_after, description, created_at;
        kind: LedgerKind::parse(&kind).ok_or_else(|| bad_data("ledger kind", &kind))?,
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
    read_row!(row => RedeemCode {
        id, normalized_code, batch_id, note, is_active, expires_at, created_by, used_by, used_at, created_at;
        grant,
    })
}

/// Reads a row as a `RedeemCodeRow`.
pub fn redeem_code_row(row: &impl ReadRow) -> Result<RedeemCodeRow> {
    read_row!(row => RedeemCodeRow {
        created_by_email, used_by_email, used_by_name;
        code: redeem_code(row)?,
    })
}

/// Reads a row as a `Referral`.
pub fn referral(row: &impl ReadRow) -> Result<Referral> {
    read_row!(row => Referral {
        id, invite_code, inviter_id, invitee_id, inviter_bonus, invitee_bonus, created_at, inviter_email,
        inviter_nickname, invitee_email, invitee_nickname
    })
}

/// Reads a row as a `Announcement`.
pub fn announcement(row: &impl ReadRow) -> Result<Announcement> {
    read_row!(row => Announcement {
        id, title, content, kind, is_active, popup, starts_at, expires_at, created_by, created_at,
        updated_at
    })
}

/// Reads a row as a `LogEntry`.
pub fn log_entry(row: &impl ReadRow) -> Result<LogEntry> {
    let metadata: Json<serde_json::Value> = row.col("metadata")?;
    read_row!(row => LogEntry {
        id, kind, level, action, message, user_id, user_name, user_email, target_type, target_id, ip_address,
        user_agent, created_at;
        metadata: metadata.0,
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
