//! Redeem codes: the code format, normalisation and what a redemption does.
use crate::ErrorCode;
use chrono::{DateTime, Months, Utc};
use rand::Rng;
use uuid::Uuid;

use crate::user::{Tier, User};
use crate::{Error, Result};

/// Characters of a code body (no I, O, 0 or 1).
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Length of a code body.
pub const CODE_LEN: usize = 12;

/// A fresh random code body of 12 characters.
pub fn random_code_body(rng: &mut impl Rng) -> String {
    (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// The display form `MJ-XXXX-XXXX-XXXX` of a body.
pub fn display_code(body: &str) -> String {
    if body.len() == CODE_LEN {
        format!("MJ-{}-{}-{}", &body[0..4], &body[4..8], &body[8..12])
    } else {
        body.to_string()
    }
}

/// Normalises a code as a user typed it: letters and digits only, upper-case, and the
/// `MJ` prefix of the display form removed. Accepts `MJ-ABCD-EFGH-JKLM`, `abcdefghjklm`, ….
pub fn normalize_code(input: &str) -> Result<String> {
    let s: String = input.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    let s = match s.strip_prefix("MJ") {
        Some(rest) if rest.len() == CODE_LEN => rest.to_string(),
        _ => s,
    };
    if !(8..=32).contains(&s.len()) {
        return Err(Error::validation(ErrorCode::InvalidCodeFormat, "兑换码格式不正确"));
    }
    Ok(s)
}

/// Unit of a membership duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationUnit {
    Day,
    Month,
    Year,
}

impl DurationUnit {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Day => "day",
            DurationUnit::Month => "month",
            DurationUnit::Year => "year",
        }
    }

    /// Parses `day`, `month` or `year` (plural and any case accepted).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().trim_end_matches('s') {
            "day" => Ok(DurationUnit::Day),
            "month" => Ok(DurationUnit::Month),
            "year" => Ok(DurationUnit::Year),
            _ => Err(Error::validation(ErrorCode::InvalidDurationUnit, "请选择会员时长单位")),
        }
    }

    /// `from` plus `value` units (calendar months and years).
    pub fn add(self, from: DateTime<Utc>, value: i64) -> Result<DateTime<Utc>> {
        let overflow = || Error::validation(ErrorCode::InvalidDuration, "会员时长过长");
        let v = u32::try_from(value).map_err(|_| overflow())?;
        match self {
            DurationUnit::Day => from.checked_add_signed(chrono::Duration::days(value)),
            DurationUnit::Month => from.checked_add_months(Months::new(v)),
            DurationUnit::Year => from.checked_add_months(Months::new(v.checked_mul(12).ok_or_else(overflow)?)),
        }
        .ok_or_else(overflow)
    }
}

/// What a code grants.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeGrant {
    Credits(i64),
    Membership { tier: Tier, value: i64, unit: DurationUnit },
}

impl CodeGrant {
    /// Credits granted (0 for membership codes).
    pub fn credits(&self) -> i64 {
        match self {
            CodeGrant::Credits(a) => *a,
            CodeGrant::Membership { .. } => 0,
        }
    }

    /// The membership granted: tier, duration value and unit.
    pub fn membership(&self) -> Option<(Tier, i64, DurationUnit)> {
        match self {
            CodeGrant::Credits(_) => None,
            CodeGrant::Membership { tier, value, unit } => Some((*tier, *value, *unit)),
        }
    }

    /// `credits` or `membership`.
    pub fn type_name(&self) -> &'static str {
        match self {
            CodeGrant::Credits(_) => "credits",
            CodeGrant::Membership { .. } => "membership",
        }
    }
}

/// A stored redeem code.
#[derive(Debug, Clone, PartialEq)]
pub struct RedeemCode {
    pub id: Uuid,
    /// The 12-character body (lookup key).
    pub normalized_code: String,
    pub grant: CodeGrant,
    pub batch_id: Uuid,
    pub note: String,
    pub is_active: bool,
    /// The code stops working after this time.
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub used_by: Option<Uuid>,
    pub used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A code with the names the admin list shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RedeemCodeRow {
    pub code: RedeemCode,
    pub created_by_email: Option<String>,
    pub used_by_email: Option<String>,
    pub used_by_name: Option<String>,
}

/// Code state for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    Unused,
    Used,
    Revoked,
    Expired,
}

impl CodeStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::Unused => "unused",
            CodeStatus::Used => "used",
            CodeStatus::Revoked => "revoked",
            CodeStatus::Expired => "expired",
        }
    }

    /// Parses a filter value (`inactive` is the original's name for revoked).
    pub fn parse(s: &str) -> Result<Option<Self>> {
        Ok(match s {
            "" | "all" => None,
            "unused" => Some(CodeStatus::Unused),
            "used" => Some(CodeStatus::Used),
            "revoked" | "inactive" => Some(CodeStatus::Revoked),
            "expired" => Some(CodeStatus::Expired),
            _ => return Err(Error::validation(ErrorCode::InvalidStatus, "状态筛选无效")),
        })
    }
}

impl RedeemCode {
    /// The code's state at `now` (used wins over revoked, revoked over expired).
    pub fn status(&self, now: DateTime<Utc>) -> CodeStatus {
        if self.used_at.is_some() {
            CodeStatus::Used
        } else if !self.is_active {
            CodeStatus::Revoked
        } else if self.expires_at.is_some_and(|e| e <= now) {
            CodeStatus::Expired
        } else {
            CodeStatus::Unused
        }
    }
}

/// Filters for the admin code list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RedeemFilter {
    pub search: Option<String>,
    pub status: Option<CodeStatus>,
    pub batch_id: Option<Uuid>,
    pub now: Option<DateTime<Utc>>,
}

/// The rules a store applies inside its redemption transaction: the locked code and user in,
/// the effect out. Higher-ranked on purpose (`for<'c, 'u>`): `async_trait` would otherwise tie
/// its argument lifetimes to the call, and a store could not pass the rows it loads.
pub type Decide<'a> = dyn for<'c, 'u> Fn(&'c RedeemCode, &'u User) -> Result<RedemptionEffect> + Send + Sync + 'a;

/// The effect of redeeming `code` for `user` at `now`, after every rule is checked.
#[derive(Debug, Clone, PartialEq)]
pub enum RedemptionEffect {
    Credits(i64),
    Membership { tier: Tier, expires_at: DateTime<Utc> },
}

/// Decides what redeeming `code` does for `user`.
///
/// Membership rule: a code of the same tier extends the current end; a higher tier starts
/// now and replaces the lower one; a lower tier than an active membership is refused
/// (`membership_downgrade`), so a code never lowers a member's tier.
pub fn plan_redemption(code: &RedeemCode, user: &User, now: DateTime<Utc>) -> Result<RedemptionEffect> {
    match code.status(now) {
        CodeStatus::Used => return Err(Error::conflict(ErrorCode::CodeUsed, "兑换码已被使用")),
        CodeStatus::Revoked => return Err(Error::conflict(ErrorCode::CodeRevoked, "兑换码已停用")),
        CodeStatus::Expired => return Err(Error::conflict(ErrorCode::CodeExpired, "兑换码已过期")),
        CodeStatus::Unused => {}
    }
    if !user.is_active {
        return Err(Error::forbidden(ErrorCode::AccountDisabled, "账号已停用"));
    }
    match &code.grant {
        CodeGrant::Credits(amount) => Ok(RedemptionEffect::Credits(*amount)),
        CodeGrant::Membership { tier, value, unit } => {
            let current = user.effective_tier(now);
            let start = if current == *tier {
                // No end means a permanent membership of this tier: nothing to extend.
                match user.membership_expires_at {
                    None => return Err(Error::conflict(ErrorCode::MembershipPermanent, "当前会员长期有效，无需兑换")),
                    Some(end) => end.max(now),
                }
            } else if current > *tier {
                return Err(Error::conflict(ErrorCode::MembershipDowngrade, "当前会员等级更高，不能兑换较低等级的会员码"));
            } else {
                now
            };
            Ok(RedemptionEffect::Membership { tier: *tier, expires_at: unit.add(start, *value)? })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::Role;
    use chrono::Duration;

    #[test]
    fn accepts_display_and_bare_forms() {
        assert_eq!(normalize_code("MJ-ABCD-EFGH-JKLM").unwrap(), "ABCDEFGHJKLM");
        assert_eq!(normalize_code("abcd efgh jklm").unwrap(), "ABCDEFGHJKLM");
        assert_eq!(normalize_code("mjabcdefghjklm").unwrap(), "ABCDEFGHJKLM");
        assert!(normalize_code("MJ-12").is_err());
        assert!(normalize_code(&"A".repeat(33)).is_err());
        assert_eq!(display_code("ABCDEFGHJKLM"), "MJ-ABCD-EFGH-JKLM");
        let body = random_code_body(&mut rand::thread_rng());
        assert_eq!(body.len(), 12);
        assert!(body.bytes().all(|b| CODE_ALPHABET.contains(&b)));
    }

    fn user(tier: Tier, end: Option<DateTime<Utc>>) -> User {
        crate::user::tests::user(tier, end, Role::User)
    }

    fn code(grant: CodeGrant) -> RedeemCode {
        RedeemCode {
            id: Uuid::new_v4(),
            normalized_code: "ABCDEFGHJKLM".into(),
            grant,
            batch_id: Uuid::new_v4(),
            note: String::new(),
            is_active: true,
            expires_at: None,
            created_by: None,
            used_by: None,
            used_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn membership_extends_upgrades_and_never_downgrades() {
        let now = Utc::now();
        let pro30 = code(CodeGrant::Membership { tier: Tier::Pro, value: 30, unit: DurationUnit::Day });
        // Free user: starts now.
        let e = plan_redemption(&pro30, &user(Tier::Free, None), now).unwrap();
        assert_eq!(e, RedemptionEffect::Membership { tier: Tier::Pro, expires_at: now + Duration::days(30) });
        // Same tier: extends from the current end.
        let end = now + Duration::days(5);
        let e = plan_redemption(&pro30, &user(Tier::Pro, Some(end)), now).unwrap();
        assert_eq!(e, RedemptionEffect::Membership { tier: Tier::Pro, expires_at: end + Duration::days(30) });
        // Higher active tier: refused.
        let err = plan_redemption(&pro30, &user(Tier::Ultra, Some(end)), now).unwrap_err();
        assert_eq!(err.code, "membership_downgrade");
        // Expired higher tier counts as free.
        let e = plan_redemption(&pro30, &user(Tier::Ultra, Some(now - Duration::days(1))), now).unwrap();
        assert!(matches!(e, RedemptionEffect::Membership { tier: Tier::Pro, .. }));
    }

    #[test]
    fn refuses_used_revoked_expired() {
        let now = Utc::now();
        let u = user(Tier::Free, None);
        let mut c = code(CodeGrant::Credits(5));
        c.expires_at = Some(now - Duration::seconds(1));
        assert_eq!(plan_redemption(&c, &u, now).unwrap_err().code, "code_expired");
        c.is_active = false;
        assert_eq!(plan_redemption(&c, &u, now).unwrap_err().code, "code_revoked");
        c.used_at = Some(now);
        assert_eq!(plan_redemption(&c, &u, now).unwrap_err().code, "code_used");
        assert_eq!(DurationUnit::Month.add(now, 1).unwrap(), now.checked_add_months(Months::new(1)).unwrap());
        assert!(DurationUnit::Year.add(now, i64::MAX).is_err());
    }
}
