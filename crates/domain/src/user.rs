//! Accounts: roles, membership tiers and the user record.
use crate::ErrorCode;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Error, Result};

pub use miaojing_vocab::{Role, ShownRole, Tier};

/// The language an account reads (e-mails to it are written in it) and the language a prompt
/// is asked for in; `zh` or `en` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    En,
}

impl Language {
    /// The stored and wire name: `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// Reads a stored name (exactly `zh` or `en`).
    pub fn from_stored(name: &str) -> Option<Self> {
        match name {
            "zh" => Some(Language::Zh),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// Reads a language tag (`zh`, `zh-CN`, `zh_Hans`, `en`, `en-US`…, any case); `None` for a
    /// language the platform does not write.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Language::Zh),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// Parses a language sent by a client; 400 `invalid_language` for anything else.
    pub fn parse(tag: &str) -> Result<Self> {
        Self::from_tag(tag).ok_or_else(|| Error::validation(ErrorCode::InvalidLanguage, "语言必须是 zh 或 en"))
    }

    /// The most preferred supported language of an `Accept-Language` header, if any.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(f32, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Self::from_tag(pieces.next()?)?;
                let q = pieces.find_map(|p| p.trim().strip_prefix("q=")?.trim().parse::<f32>().ok()).unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    /// Login handle; unique ignoring case; stable while the display name changes.
    pub username: String,
    /// Lower-case, unique.
    pub email: String,
    pub phone: Option<String>,
    pub display_nickname: String,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub membership_tier: Tier,
    /// `None` with a paid tier means the membership does not end.
    pub membership_expires_at: Option<DateTime<Utc>>,
    pub credits_balance: i64,
    pub invite_code: String,
    pub referred_by: Option<Uuid>,
    pub is_active: bool,
    pub email_verified: bool,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub email_bound_at: Option<DateTime<Utc>>,
    /// `dark` or `light`.
    pub preferred_theme: String,
    /// The language of e-mails to this account.
    pub preferred_language: Language,
    pub watermark_disabled: bool,
    /// argon2id PHC string, or a bcrypt hash imported from the original platform.
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// The tier in force at `now`: an expired membership reads as `free`.
    pub fn effective_tier(&self, now: DateTime<Utc>) -> Tier {
        match self.membership_expires_at {
            Some(end) if end <= now => Tier::Free,
            _ => self.membership_tier,
        }
    }

    /// The role shown to clients: admins keep theirs; others are `vip` while a paid tier is active.
    pub fn display_role(&self, now: DateTime<Utc>) -> ShownRole {
        self.role.shown(self.effective_tier(now))
    }

    /// Whether the user may switch off download watermarks for themselves.
    pub fn may_disable_watermark(&self, now: DateTime<Utc>) -> bool {
        self.display_role(now).may_disable_watermark(self.effective_tier(now))
    }
}

/// A new account, as the store inserts it (balance starts at zero; grants add credits).
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub phone: Option<String>,
    pub display_nickname: String,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub membership_tier: Tier,
    pub invite_code: String,
    pub referred_by: Option<Uuid>,
    pub email_verified: bool,
    /// The language of e-mails to this account.
    pub preferred_language: Language,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A partial update: `None` leaves a field unchanged; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserPatch {
    pub username: Option<String>,
    pub email: Option<String>,
    pub phone: Option<Option<String>>,
    pub display_nickname: Option<String>,
    pub avatar_url: Option<Option<String>>,
    pub role: Option<Role>,
    pub membership_tier: Option<Tier>,
    pub membership_expires_at: Option<Option<DateTime<Utc>>>,
    pub is_active: Option<bool>,
    pub email_verified: Option<bool>,
    pub email_verified_at: Option<Option<DateTime<Utc>>>,
    pub email_bound_at: Option<Option<DateTime<Utc>>>,
    pub preferred_theme: Option<String>,
    pub preferred_language: Option<Language>,
    pub watermark_disabled: Option<bool>,
    pub password_hash: Option<String>,
}

impl UserPatch {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == UserPatch::default()
    }
}

/// A user with the facts the admin list shows beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSummary {
    pub user: User,
    pub referred_by_email: Option<String>,
    pub referred_by_nickname: Option<String>,
    pub invited_count: i64,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Duration;

    /// A signed-up account with this tier, expiry and role (for tests across the crate).
    pub(crate) fn user(tier: Tier, end: Option<DateTime<Utc>>, role: Role) -> User {
        let now = Utc::now();
        User {
            id: Uuid::new_v4(),
            username: "u".into(),
            email: "u@example.com".into(),
            phone: None,
            display_nickname: "U".into(),
            avatar_url: None,
            role,
            membership_tier: tier,
            membership_expires_at: end,
            credits_balance: 0,
            invite_code: "MJ1".into(),
            referred_by: None,
            is_active: true,
            email_verified: true,
            email_verified_at: None,
            email_bound_at: None,
            preferred_theme: "dark".into(),
            preferred_language: Language::Zh,
            watermark_disabled: false,
            password_hash: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn languages_read_tags_and_accept_language() {
        assert_eq!(Language::from_tag("zh-CN"), Some(Language::Zh));
        assert_eq!(Language::from_tag(" EN-us "), Some(Language::En));
        assert_eq!(Language::from_tag("fr"), None);
        assert_eq!(Language::parse("de").unwrap_err().code, "invalid_language");
        assert_eq!(Language::from_accept_language("fr-FR, en-US;q=0.8, zh;q=0.9"), Some(Language::Zh));
        assert_eq!(Language::from_accept_language("en-GB,en;q=0.9"), Some(Language::En));
        assert_eq!(Language::from_accept_language("zh;q=0, en;q=0.1"), Some(Language::En));
        assert_eq!(Language::from_accept_language("fr"), None);
        assert_eq!(Language::default().as_str(), "zh");
    }

    #[test]
    fn expired_membership_reads_as_free() {
        let now = Utc::now();
        let u = user(Tier::Max, Some(now - Duration::seconds(1)), Role::User);
        assert_eq!(u.effective_tier(now), Tier::Free);
        assert_eq!(u.display_role(now), "user");
        assert!(!u.may_disable_watermark(now));
        let u = user(Tier::Max, Some(now + Duration::days(1)), Role::User);
        assert_eq!(u.effective_tier(now), Tier::Max);
        assert_eq!(u.display_role(now), "vip");
        let u = user(Tier::Pro, None, Role::User);
        assert_eq!(u.effective_tier(now), Tier::Pro);
        let a = user(Tier::Free, None, Role::EnterpriseAdmin);
        assert_eq!(a.display_role(now), "enterprise_admin");
        assert!(a.may_disable_watermark(now));
    }

    #[test]
    fn parses_original_names() {
        assert_eq!(Tier::parse("basic").unwrap(), Tier::Pro);
        assert_eq!(Tier::parse("Enterprise").unwrap(), Tier::Ultra);
        assert!(Tier::parse("gold").is_err());
        assert_eq!(Role::parse("vip").unwrap(), Role::User);
        assert!(Role::parse("root").is_err());
        assert!(Tier::Ultra > Tier::Max && Tier::Max > Tier::Pro);
    }
}
