//! Redeem codes: batch creation, redemption, listing, revocation and export.
use miaojing_domain::ErrorCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use miaojing_domain::log::LogEntry;
use miaojing_domain::redeem::{
    display_code, normalize_code, plan_redemption, random_code_body, CodeGrant, DurationUnit, RedeemCode, RedeemCodeRow, RedeemFilter,
};
use miaojing_domain::user::{Tier, User};
use miaojing_domain::{Error, PageRequest, Paged, Result, Store};
use uuid::Uuid;

use crate::csv;

/// Most codes in one batch.
pub const BATCH_MAX: i64 = 500;

/// What an admin asked for.
#[derive(Debug, Clone, Default)]
pub struct BatchSpec {
    pub count: Option<i64>,
    pub code_type: Option<String>,
    pub credits_amount: Option<i64>,
    pub membership_tier: Option<String>,
    pub duration_value: Option<i64>,
    pub duration_unit: Option<String>,
    pub note: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl BatchSpec {
    /// Checks the request and returns (count, grant, note).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(i64, CodeGrant, String)> {
        let count = self.count.unwrap_or(1);
        if !(1..=BATCH_MAX).contains(&count) {
            return Err(Error::validation(ErrorCode::InvalidCount, "生成数量必须在 1 到 500 之间"));
        }
        let grant = match self.code_type.as_deref().unwrap_or("credits") {
            "credits" => {
                let amount = self.credits_amount.unwrap_or(0);
                if !(1..=100_000_000).contains(&amount) {
                    return Err(Error::validation(ErrorCode::InvalidAmount, "兑换积分数量必须大于 0"));
                }
                CodeGrant::Credits(amount)
            }
            "membership" => {
                let tier = Tier::parse(self.membership_tier.as_deref().unwrap_or_default())
                    .map_err(|_| Error::validation(ErrorCode::InvalidTier, "请选择会员等级"))?;
                if tier == Tier::Free {
                    return Err(Error::validation(ErrorCode::InvalidTier, "请选择会员等级"));
                }
                let unit = DurationUnit::parse(self.duration_unit.as_deref().unwrap_or_default())?;
                let value = self.duration_value.unwrap_or(0);
                let max = match unit {
                    DurationUnit::Day => 3650,
                    DurationUnit::Month => 120,
                    DurationUnit::Year => 10,
                };
                if !(1..=max).contains(&value) {
                    return Err(Error::validation(ErrorCode::InvalidDuration, "会员时长必须大于 0 且不超过 10 年"));
                }
                CodeGrant::Membership { tier, value, unit }
            }
            _ => return Err(Error::validation(ErrorCode::InvalidCodeType, "兑换码类型无效")),
        };
        let note = self.note.as_deref().unwrap_or_default().trim().to_string();
        if note.chars().count() > 255 {
            return Err(Error::validation(ErrorCode::NoteTooLong, "备注最多 255 个字符"));
        }
        if self.expires_at.is_some_and(|e| e <= now) {
            return Err(Error::validation(ErrorCode::InvalidExpiry, "兑换码有效期必须晚于当前时间"));
        }
        Ok((count, grant, note))
    }
}

/// Redeem-code operations.
#[derive(Clone)]
pub struct RedeemService {
    store: Arc<dyn Store>,
}

impl RedeemService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Creates a batch of codes; retries with fresh random bodies on the rare collision.
    pub async fn create_batch(&self, admin: &User, spec: &BatchSpec) -> Result<(Uuid, Vec<RedeemCode>)> {
        let now = Utc::now();
        let (count, grant, note) = spec.validate(now)?;
        let batch_id = Uuid::new_v4();
        for _ in 0..10 {
            let mut rng = rand::thread_rng();
            let mut bodies = std::collections::HashSet::new();
            while (bodies.len() as i64) < count {
                bodies.insert(random_code_body(&mut rng));
            }
            let codes: Vec<RedeemCode> = bodies
                .into_iter()
                .map(|body| RedeemCode {
                    id: Uuid::new_v4(),
                    normalized_code: body,
                    grant: grant.clone(),
                    batch_id,
                    note: note.clone(),
                    is_active: true,
                    expires_at: spec.expires_at,
                    created_by: Some(admin.id),
                    used_by: None,
                    used_at: None,
                    created_at: now,
                })
                .collect();
            match self.store.insert_redeem_codes(&codes).await {
                Ok(()) => {
                    let log = LogEntry::new("admin", "info", "redeem_codes_created", "管理员生成兑换码")
                        .by(admin)
                        .target("redeem_batch", batch_id)
                        .meta(serde_json::json!({ "count": count, "type": grant.type_name() }));
                    if let Err(e) = self.store.insert_log(log).await {
                        tracing::warn!(error = %e, "could not write a platform log");
                    }
                    return Ok((batch_id, codes));
                }
                Err(e) if e.code == "code_collision" => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::conflict(ErrorCode::CodeCollision, "生成兑换码失败，请重试"))
    }

    /// Redeems a code as typed by the user; single use even under concurrent attempts.
    pub async fn redeem(&self, user: &User, input: &str) -> Result<(RedeemCode, User)> {
        let body = normalize_code(input)?;
        let now = Utc::now();
        let decide = move |code: &RedeemCode, user: &User| plan_redemption(code, user, now);
        let (code, user) = self.store.redeem(user.id, &body, now, &decide).await?;
        let log = LogEntry::new("auth", "info", "redeem_code_used", "用户兑换兑换码")
            .by(&user)
            .target("redeem_code", code.id)
            .meta(serde_json::json!({ "type": code.grant.type_name() }));
        if let Err(e) = self.store.insert_log(log).await {
            tracing::warn!(error = %e, "could not write a platform log");
        }
        Ok((code, user))
    }

    /// Admin list.
    pub async fn list(&self, filter: &RedeemFilter, page: PageRequest) -> Result<Paged<RedeemCodeRow>> {
        self.store.list_redeem_codes(filter, page).await
    }

    /// Revokes or re-enables a code (used codes cannot be re-enabled into use: they stay used).
    pub async fn set_active(&self, admin: &User, id: Uuid, active: bool) -> Result<RedeemCodeRow> {
        let row = self
            .store
            .set_redeem_code_active(id, active)
            .await?
            .ok_or_else(|| Error::not_found(ErrorCode::CodeNotFound, "兑换码不存在"))?;
        let action = if active { "redeem_code_enabled" } else { "redeem_code_revoked" };
        if let Err(e) =
            self.store.insert_log(LogEntry::new("admin", "info", action, "管理员修改兑换码状态").by(admin).target("redeem_code", id)).await
        {
            tracing::warn!(error = %e, "could not write a platform log");
        }
        Ok(row)
    }

    /// Deletes an unused code.
    pub async fn delete_unused(&self, id: Uuid) -> Result<()> {
        if self.store.delete_unused_redeem_code(id).await? {
            Ok(())
        } else {
            Err(Error::conflict(ErrorCode::CodeNotDeletable, "兑换码不存在或已被使用，不能删除"))
        }
    }

    /// CSV of every code matching `filter` (no row limit).
    pub async fn export_csv(&self, filter: &RedeemFilter) -> Result<String> {
        let now = Utc::now();
        let mut out = csv::line(&[
            "code",
            "type",
            "credits",
            "tier",
            "duration",
            "unit",
            "status",
            "expires_at",
            "note",
            "batch_id",
            "used_by",
            "used_at",
            "created_at",
        ]);
        let mut page = PageRequest { page: 1, size: 500 };
        loop {
            let rows = self.store.list_redeem_codes(filter, page).await?;
            for r in &rows.items {
                let c = &r.code;
                let membership = c.grant.membership();
                let (credits, tier, value, unit) = match membership {
                    None => (c.grant.credits().to_string(), String::new(), String::new(), String::new()),
                    Some((t, v, u)) => (String::new(), t.as_str().to_string(), v.to_string(), u.as_str().to_string()),
                };
                out.push_str(&csv::line(&[
                    display_code(&c.normalized_code),
                    c.grant.type_name().to_string(),
                    credits,
                    tier,
                    value,
                    unit,
                    c.status(now).as_str().to_string(),
                    c.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    c.note.clone(),
                    c.batch_id.to_string(),
                    r.used_by_email.clone().unwrap_or_default(),
                    c.used_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    c.created_at.to_rfc3339(),
                ]));
            }
            if rows.items.len() < page.size as usize {
                break;
            }
            page.page += 1;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_spec_rules() {
        let now = Utc::now();
        let ok = BatchSpec { count: Some(3), credits_amount: Some(20), ..Default::default() };
        assert_eq!(ok.validate(now).unwrap().1, CodeGrant::Credits(20));
        for bad in [
            BatchSpec { count: Some(0), credits_amount: Some(1), ..Default::default() },
            BatchSpec { count: Some(501), credits_amount: Some(1), ..Default::default() },
            BatchSpec { credits_amount: Some(0), ..Default::default() },
            BatchSpec {
                code_type: Some("membership".into()),
                membership_tier: Some("free".into()),
                duration_value: Some(1),
                duration_unit: Some("day".into()),
                ..Default::default()
            },
            BatchSpec {
                code_type: Some("membership".into()),
                membership_tier: Some("pro".into()),
                duration_value: Some(0),
                duration_unit: Some("day".into()),
                ..Default::default()
            },
            BatchSpec {
                code_type: Some("membership".into()),
                membership_tier: Some("pro".into()),
                duration_value: Some(1),
                duration_unit: Some("week".into()),
                ..Default::default()
            },
            BatchSpec { code_type: Some("gold".into()), ..Default::default() },
            BatchSpec { credits_amount: Some(1), expires_at: Some(now - chrono::Duration::seconds(1)), ..Default::default() },
        ] {
            assert!(bad.validate(now).is_err(), "{bad:?}");
        }
        let m = BatchSpec {
            code_type: Some("membership".into()),
            membership_tier: Some("MAX".into()),
            duration_value: Some(2),
            duration_unit: Some("months".into()),
            ..Default::default()
        };
        assert_eq!(m.validate(now).unwrap().1, CodeGrant::Membership { tier: Tier::Max, value: 2, unit: DurationUnit::Month });
    }
}
