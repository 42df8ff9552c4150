//! A job's model from its reference to stored rows — at submission ([`for_submission`]), and
//! again only when this process did not keep them ([`for_start`], [`for_task`]) — and from rows
//! to failover candidates and prices.
use chrono::Utc;
use miaojing_credits::holds::estimate;
use miaojing_domain::job::{Job, JobKind};
use miaojing_domain::provider::{MediaType, Pricing, SystemApi};
use miaojing_domain::user::{Tier, User};
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result, Store};
use miaojing_providers::failover::{order_candidates, OrderKey, PollingMode};
use miaojing_providers::secrets::SecretBox;
use miaojing_providers::Candidate;
use uuid::Uuid;

use super::carry::{Resolved, Serving};
use super::request::ModelRef;
use super::spec::{JobSpec, Source};
use super::task::{ChannelRow, TaskRef};
use crate::channels;

/// What a row charges for `count` results or `duration` seconds.
pub fn cost(p: Pricing, count: u32, duration: Option<u32>) -> Result<i64> {
    estimate(p, count, duration.map(f64::from))
}

/// The platform rows serving `name` for `tier`, in their polling order, keyless rows dropped.
pub async fn system_rows(store: &dyn Store, media: MediaType, name: &str, tier: Option<Tier>) -> Result<Vec<SystemApi>> {
    let mut rows: Vec<SystemApi> = store
        .system_api_candidates(media, name)
        .await?
        .into_iter()
        .filter(|r| r.is_active && r.is_default && !r.api_key_encrypted.is_empty())
        .filter(|r| tier.is_none_or(|t| r.allows(t)))
        .collect();
    let mode = rows.first().map_or(PollingMode::Sequential, |r| r.polling_mode);
    order_candidates(&mut rows, mode, |r| OrderKey {
        sort_order: i64::from(r.sort_order),
        polling_order: i64::from(r.polling_order),
        created_at: r.created_at,
    });
    Ok(rows)
}

/// Failover candidates of the rows, and the rows that cannot become a channel (a Manifest row
/// whose Manifest is unreadable) with their error: those are never called.
pub fn candidates(secrets: &SecretBox, rows: &[SystemApi]) -> (Vec<Candidate>, Vec<(Uuid, Error)>) {
    let (mut good, mut broken) = (Vec::new(), Vec::new());
    for r in rows {
        match channels::system_channel(secrets, r) {
            Ok(channel) => good.push(Candidate { id: r.id, channel }),
            Err(e) => broken.push((r.id, e)),
        }
    }
    (good, broken)
}

/// A submission's model, resolved for its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFor {
    /// What the job's spec records (re-resolved from it after a restart).
    pub source: Source,
    /// The model's display name (the job's `model`).
    pub display: String,
    /// The provider of the key or of the first candidate (the job's `channel`).
    pub channel: String,
    /// Credits to hold: the dearest candidate's price, so whichever serves is paid in full.
    pub hold: i64,
    /// The rows found, carried to the job's start.
    pub resolved: Resolved,
}

/// Resolves the model a submission of `kind` names for `user`: the user's active key of that
/// media type (free), or the platform rows of the display name (the named row must be open
/// to the user's tier and a platform default) the tier may use.
pub async fn for_submission(
    store: &dyn Store,
    user: &User,
    kind: JobKind,
    model: &ModelRef,
    count: u32,
    duration: Option<u32>,
) -> Result<ModelFor> {
    let (media, tier) = (kind.media_type(), user.effective_tier(Utc::now()));
    let name = match model {
        ModelRef::UserKey(id) => {
            let key = store
                .user_api_key(user.id, *id)
                .await?
                .filter(|k| k.is_active && k.media_type == media)
                .ok_or_else(|| Error::validation(ErrorCode::CustomApiUnavailable, "自定义 API 不存在或未启用"))?;
            if key.api_key_encrypted.is_empty() {
                return Err(Error::validation(ErrorCode::CustomApiKeyUnusable, "自定义 API 密钥不可用，请重新保存密钥"));
            }
            let (display, channel) = (key.model_name.clone(), key.provider.clone());
            return Ok(ModelFor {
                source: Source::UserKey { id: *id },
                display,
                channel,
                hold: 0,
                resolved: Resolved::UserKey(Box::new(key)),
            });
        }
        ModelRef::SystemApi(id) => {
            let api = store.system_api(*id).await?.filter(|a| a.is_active && a.media_type == media).ok_or_else(unavailable)?;
            if !api.is_default {
                return Err(Error::forbidden(ErrorCode::SystemApiNotDefault, "该系统 API 未开放为平台默认模型"));
            }
            if !api.allows(tier) {
                return Err(Error::forbidden(ErrorCode::TierNotAllowed, "当前会员等级无权使用该系统 API"));
            }
            api.name
        }
        ModelRef::Name(name) => name.clone(),
    };
    let rows = system_rows(store, media, &name, Some(tier)).await?;
    let first = rows.first().ok_or_else(unavailable)?;
    let mut hold = 0;
    for r in &rows {
        hold = hold.max(cost(r.pricing, count, duration)?);
    }
    let channel = first.provider.clone();
    Ok(ModelFor { source: Source::System { name: name.clone() }, display: name, channel, hold, resolved: Resolved::System(rows) })
}

/// The rows a started job's spec names, looked up again (the job was submitted on another
/// instance or before a restart): the owner's active key, or the platform rows of the name.
pub async fn for_start(store: &dyn Store, job: &Job, spec: &JobSpec) -> Result<Resolved> {
    match &spec.source {
        Source::UserKey { id } => {
            let key = store.user_api_key(job.user_id, *id).await?.filter(|k| k.is_active).ok_or_else(unavailable)?;
            Ok(Resolved::UserKey(Box::new(key)))
        }
        Source::System { name } => {
            let media = job.mode.kind().map_or(MediaType::Image, JobKind::media_type);
            let rows = system_rows(store, media, name, None).await?;
            if rows.is_empty() {
                return Err(unavailable());
            }
            Ok(Resolved::System(rows))
        }
    }
}

/// The channel that accepted `task`, looked up again from its row, and its price.
pub async fn for_task(store: &dyn Store, secrets: &SecretBox, job: &Job, task: &TaskRef) -> Result<Serving> {
    let (channel, pricing) = match task.row {
        ChannelRow::UserKey(id) => {
            let key = store.user_api_key(job.user_id, id).await?.ok_or_else(unavailable)?;
            (channels::user_channel(secrets, &key)?, Pricing::Free)
        }
        ChannelRow::System(id) => {
            let api = store.system_api(id).await?.ok_or_else(unavailable)?;
            (channels::system_channel(secrets, &api)?, api.pricing)
        }
    };
    Ok(Serving { task: task.clone(), channel, pricing })
}

/// The model the job names is missing or closed to the caller.
pub fn unavailable() -> Error {
    Error::validation(ErrorCode::ModelUnavailable, "模型不存在或未启用")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        assert_eq!(cost(Pricing::Fixed { credits: 7 }, 2, None).unwrap(), 14);
        assert_eq!(cost(Pricing::PerSecond { credits_per_second: 3 }, 1, Some(5)).unwrap(), 15);
        assert_eq!(cost(Pricing::Free, 3, None).unwrap(), 0);
    }
}
