//! From stored rows to callable channels, candidates and prices.
use miaojing_credits::holds::estimate;
use miaojing_domain::provider::{MediaType, Pricing, SystemApi};
use miaojing_domain::user::Tier;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result, Store};
use miaojing_providers::failover::{order_candidates, OrderKey, PollingMode};
use miaojing_providers::secrets::SecretBox;
use miaojing_providers::Candidate;
use uuid::Uuid;

use crate::channels;

/// The media type of a job's model.
pub fn media_of(video: bool) -> MediaType {
    if video {
        MediaType::Video
    } else {
        MediaType::Image
    }
}

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

/// The model the job names is missing or closed to the caller.
pub fn unavailable() -> Error {
    Error::validation(ErrorCode::ModelUnavailable, "模型不存在或未启用")
}

/// An upstream task id together with the row that accepted it: `s:<row>:<task>` for
/// platform rows, `u:<key>:<task>` for user keys.
pub fn encode_task(user_key: bool, row: Uuid, task: &str) -> String {
    format!("{}:{}:{task}", if user_key { 'u' } else { 's' }, row.simple())
}

/// The inverse of [`encode_task`].
pub fn decode_task(s: &str) -> Option<(bool, Uuid, &str)> {
    let (kind, rest) = s.split_once(':')?;
    let (row, task) = rest.split_once(':')?;
    let user = match kind {
        "u" => true,
        "s" => false,
        _ => return None,
    };
    Some((user, Uuid::try_parse(row).ok()?, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_round_trip() {
        let id = Uuid::new_v4();
        assert_eq!(decode_task(&encode_task(true, id, "task:1")), Some((true, id, "task:1")));
        assert_eq!(decode_task("x:1:2"), None);
    }

    #[test]
    fn prices() {
        assert_eq!(cost(Pricing::Fixed { credits: 7 }, 2, None).unwrap(), 14);
        assert_eq!(cost(Pricing::PerSecond { credits_per_second: 3 }, 1, Some(5)).unwrap(), 15);
        assert_eq!(cost(Pricing::Free, 3, None).unwrap(), 0);
    }
}
