//! Row types as PostgreSQL returns them, and their conversion to domain types. A stored
//! value the domain does not know (an unknown role, tier, kind, …) is a 500, never a panic.
use chrono::{DateTime, Utc};
use miaojing_domain::announcement::Announcement;
use miaojing_domain::invitation::Referral;
use miaojing_domain::ledger::{LedgerEntry, LedgerKind};
use miaojing_domain::log::LogEntry;
use miaojing_domain::redeem::{CodeGrant, DurationUnit, RedeemCode, RedeemCodeRow};
use miaojing_domain::session::Session;
use miaojing_domain::user::{Language, Role, Tier, User, UserSummary};
use miaojing_domain::{Error, Result};
use sqlx::FromRow;
use uuid::Uuid;

fn bad(column: &str, value: &str) -> Error {
    Error::internal(format!("unexpected stored value {value:?} in column {column}"))
}

/// `users.*`
#[derive(Debug, FromRow)]
pub(crate) struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub phone: Option<String>,
    pub display_nickname: String,
    pub avatar_url: Option<String>,
    pub role: String,
    pub membership_tier: String,
    pub membership_expires_at: Option<DateTime<Utc>>,
    pub credits_balance: i64,
    pub invite_code: String,
    pub referred_by: Option<Uuid>,
    pub is_active: bool,
    pub email_verified: bool,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub email_bound_at: Option<DateTime<Utc>>,
    pub preferred_theme: String,
    pub preferred_language: String,
    pub watermark_disabled: bool,
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = Error;

    fn try_from(r: UserRow) -> Result<Self> {
        // Stored values are exactly the canonical names (the CHECK constraints say so);
        // anything else is corruption, not input to be lenient with.
        let role = match r.role.as_str() {
            "user" => Role::User,
            "admin" => Role::Admin,
            "enterprise_admin" => Role::EnterpriseAdmin,
            other => return Err(bad("users.role", other)),
        };
        let membership_tier = parse_tier(&r.membership_tier).ok_or_else(|| bad("users.membership_tier", &r.membership_tier))?;
        let preferred_language =
            Language::from_stored(&r.preferred_language).ok_or_else(|| bad("users.preferred_language", &r.preferred_language))?;
        Ok(User {
            id: r.id,
            username: r.username,
            email: r.email,
            phone: r.phone,
            display_nickname: r.display_nickname,
            avatar_url: r.avatar_url,
            role,
            membership_tier,
            membership_expires_at: r.membership_expires_at,
            credits_balance: r.credits_balance,
            invite_code: r.invite_code,
            referred_by: r.referred_by,
            is_active: r.is_active,
            email_verified: r.email_verified,
            email_verified_at: r.email_verified_at,
            email_bound_at: r.email_bound_at,
            preferred_theme: r.preferred_theme,
            preferred_language,
            watermark_disabled: r.watermark_disabled,
            password_hash: r.password_hash,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn parse_tier(s: &str) -> Option<Tier> {
    Some(match s {
        "free" => Tier::Free,
        "pro" => Tier::Pro,
        "max" => Tier::Max,
        "ultra" => Tier::Ultra,
        _ => return None,
    })
}

/// A user with the admin list's extra columns.
#[derive(Debug, FromRow)]
pub(crate) struct UserSummaryRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub referred_by_email: Option<String>,
    pub referred_by_nickname: Option<String>,
    pub invited_count: i64,
}

impl TryFrom<UserSummaryRow> for UserSummary {
    type Error = Error;

    fn try_from(r: UserSummaryRow) -> Result<Self> {
        Ok(UserSummary {
            user: r.user.try_into()?,
            referred_by_email: r.referred_by_email,
            referred_by_nickname: r.referred_by_nickname,
            invited_count: r.invited_count,
        })
    }
}

/// A session joined with its user (`u.*` plus the session's columns prefixed `s_`).
#[derive(Debug, FromRow)]
pub(crate) struct SessionUserRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub s_id: Uuid,
    pub s_user_id: Uuid,
    pub s_created_at: DateTime<Utc>,
    pub s_expires_at: DateTime<Utc>,
    pub s_revoked_at: Option<DateTime<Utc>>,
    pub s_ip_address: Option<String>,
    pub s_user_agent: Option<String>,
}

impl TryFrom<SessionUserRow> for (Session, User) {
    type Error = Error;

    fn try_from(r: SessionUserRow) -> Result<Self> {
        let session = Session {
            id: r.s_id,
            user_id: r.s_user_id,
            created_at: r.s_created_at,
            expires_at: r.s_expires_at,
            revoked_at: r.s_revoked_at,
            ip_address: r.s_ip_address,
            user_agent: r.s_user_agent,
        };
        Ok((session, r.user.try_into()?))
    }
}

/// `credit_ledger.*`
#[derive(Debug, FromRow)]
pub(crate) struct LedgerRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub amount: i64,
    pub balance_after: i64,
    pub kind: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<LedgerRow> for LedgerEntry {
    type Error = Error;

    fn try_from(r: LedgerRow) -> Result<Self> {
        Ok(LedgerEntry {
            id: r.id,
            user_id: r.user_id,
            amount: r.amount,
            balance_after: r.balance_after,
            kind: LedgerKind::parse(&r.kind).ok_or_else(|| bad("credit_ledger.kind", &r.kind))?,
            description: r.description,
            created_at: r.created_at,
        })
    }
}

/// `redeem_codes.*`
#[derive(Debug, FromRow)]
pub(crate) struct RedeemRow {
    pub id: Uuid,
    pub normalized_code: String,
    pub code_type: String,
    pub credits_amount: i64,
    pub membership_tier: Option<String>,
    pub membership_duration_value: Option<i64>,
    pub membership_duration_unit: Option<String>,
    pub batch_id: Uuid,
    pub note: String,
    pub is_active: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub used_by: Option<Uuid>,
    pub used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<RedeemRow> for RedeemCode {
    type Error = Error;

    fn try_from(r: RedeemRow) -> Result<Self> {
        let grant = match r.code_type.as_str() {
            "credits" => CodeGrant::Credits(r.credits_amount),
            "membership" => {
                let tier = r.membership_tier.as_deref().unwrap_or_default();
                let tier = parse_tier(tier).ok_or_else(|| bad("redeem_codes.membership_tier", tier))?;
                let value = r.membership_duration_value.ok_or_else(|| bad("redeem_codes.membership_duration_value", "NULL"))?;
                let unit = r.membership_duration_unit.as_deref().unwrap_or_default();
                let unit = match unit {
                    "day" => DurationUnit::Day,
                    "month" => DurationUnit::Month,
                    "year" => DurationUnit::Year,
                    other => return Err(bad("redeem_codes.membership_duration_unit", other)),
                };
                CodeGrant::Membership { tier, value, unit }
            }
            other => return Err(bad("redeem_codes.code_type", other)),
        };
        Ok(RedeemCode {
            id: r.id,
            normalized_code: r.normalized_code,
            grant,
            batch_id: r.batch_id,
            note: r.note,
            is_active: r.is_active,
            expires_at: r.expires_at,
            created_by: r.created_by,
            used_by: r.used_by,
            used_at: r.used_at,
            created_at: r.created_at,
        })
    }
}

/// A code with the admin list's names.
#[derive(Debug, FromRow)]
pub(crate) struct RedeemListRow {
    #[sqlx(flatten)]
    pub code: RedeemRow,
    pub created_by_email: Option<String>,
    pub used_by_email: Option<String>,
    pub used_by_name: Option<String>,
}

impl TryFrom<RedeemListRow> for RedeemCodeRow {
    type Error = Error;

    fn try_from(r: RedeemListRow) -> Result<Self> {
        Ok(RedeemCodeRow {
            code: r.code.try_into()?,
            created_by_email: r.created_by_email,
            used_by_email: r.used_by_email,
            used_by_name: r.used_by_name,
        })
    }
}

/// `invitation_referrals.*` with both parties' names.
#[derive(Debug, FromRow)]
pub(crate) struct ReferralRow {
    pub id: Uuid,
    pub invite_code: String,
    pub inviter_id: Uuid,
    pub invitee_id: Uuid,
    pub inviter_bonus: i64,
    pub invitee_bonus: i64,
    pub created_at: DateTime<Utc>,
    pub inviter_email: Option<String>,
    pub inviter_nickname: Option<String>,
    pub invitee_email: Option<String>,
    pub invitee_nickname: Option<String>,
}

impl From<ReferralRow> for Referral {
    fn from(r: ReferralRow) -> Self {
        Referral {
            id: r.id,
            invite_code: r.invite_code,
            inviter_id: r.inviter_id,
            invitee_id: r.invitee_id,
            inviter_bonus: r.inviter_bonus,
            invitee_bonus: r.invitee_bonus,
            created_at: r.created_at,
            inviter_email: r.inviter_email,
            inviter_nickname: r.inviter_nickname,
            invitee_email: r.invitee_email,
            invitee_nickname: r.invitee_nickname,
        }
    }
}

/// `announcements.*`
#[derive(Debug, FromRow)]
pub(crate) struct AnnouncementRow {
    pub id: Uuid,
    pub title: String,
    pub content: String,
    pub kind: String,
    pub is_active: bool,
    pub popup: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AnnouncementRow> for Announcement {
    fn from(r: AnnouncementRow) -> Self {
        Announcement {
            id: r.id,
            title: r.title,
            content: r.content,
            kind: r.kind,
            is_active: r.is_active,
            popup: r.popup,
            starts_at: r.starts_at,
            expires_at: r.expires_at,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `platform_logs.*`
#[derive(Debug, FromRow)]
pub(crate) struct LogRow {
    pub id: Uuid,
    pub kind: String,
    pub level: String,
    pub action: String,
    pub message: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub metadata: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<LogRow> for LogEntry {
    fn from(r: LogRow) -> Self {
        LogEntry {
            id: r.id,
            kind: r.kind,
            level: r.level,
            action: r.action,
            message: r.message,
            user_id: r.user_id,
            user_name: r.user_name,
            user_email: r.user_email,
            target_type: r.target_type,
            target_id: r.target_id,
            ip_address: r.ip_address,
            user_agent: r.user_agent,
            metadata: r.metadata,
            created_at: r.created_at,
        }
    }
}

/// Converts every row, failing on the first bad one.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> Result<Vec<T>>
where
    T: TryFrom<R, Error = Error>,
{
    rows.into_iter().map(T::try_from).collect()
}
