//! Failover across platform channels sharing a display name (never used for user keys).
//!
//! Candidates are tried in the caller's order, skipping keyless and frozen ones. On one candidate:
//! a streamed call that idles into 524 is retried once without streaming; a 502/503/504 is retried
//! once. Then the next candidate. When all fail, the last actionable error (the upstream rejected
//! the request, a task failed, rate limits) is returned, else 503 `model_busy`. Every outcome is
//! reported to [`ChannelHealth`].
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use miaojing_domain::{Error, ErrorKind, Result};
use rand::seq::SliceRandom;
use uuid::Uuid;

use crate::channel::{ChannelConfig, GenerationOutput, GenerationRequest};
use crate::health::ChannelHealth;
use crate::upstream_error::{self as ue, IDLE_TIMEOUT, RETRY_SAME_CODES};
use crate::ProviderClient;

/// One platform channel that may serve a request.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The system API row id (health and billing key).
    pub id: Uuid,
    pub channel: ChannelConfig,
}

/// How a candidate is asked to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// Whether to stream (false on the retry after an idle 524).
    pub stream: bool,
}

/// The value and the candidate that produced it (bill with this candidate's price).
#[derive(Debug, Clone, PartialEq)]
pub struct Served<T> {
    pub candidate_id: Uuid,
    /// Position of the serving candidate in the list.
    pub index: usize,
    /// Upstream calls made in total, across candidates.
    pub attempts: u32,
    pub value: T,
}

/// Knobs of failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailoverOptions {
    /// Whether the first call on each candidate streams.
    pub stream: bool,
    /// Pause before retrying the same candidate (the original waited 2 s).
    pub retry_delay: Duration,
}

impl Default for FailoverOptions {
    fn default() -> Self {
        Self { stream: false, retry_delay: Duration::from_secs(2) }
    }
}

/// Whether a failure says something about the channel's health (not about the request).
fn counts_against_channel(e: &Error) -> bool {
    matches!(e.kind, ErrorKind::Upstream | ErrorKind::UpstreamTimeout | ErrorKind::RateLimited | ErrorKind::Unavailable)
        || e.code == "blocked_destination"
}

/// Runs `call` on the candidates in order until one succeeds.
pub async fn run<T, F, Fut>(candidates: &[Candidate], health: &dyn ChannelHealth, opts: FailoverOptions, mut call: F) -> Result<Served<T>>
where
    F: FnMut(&Candidate, Attempt) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempts = 0u32;
    let mut last_actionable: Option<Error> = None;
    for (index, cand) in candidates.iter().enumerate() {
        if cand.channel.api_key.trim().is_empty() || health.is_frozen(cand.id).await? {
            continue;
        }
        let mut attempt = Attempt { stream: opts.stream };
        let mut retried = false;
        loop {
            attempts += 1;
            match call(cand, attempt).await {
                Ok(value) => {
                    health.record_success(cand.id).await?;
                    return Ok(Served { candidate_id: cand.id, index, attempts, value });
                }
                Err(e) => {
                    let idle_stream = e.code == IDLE_TIMEOUT && attempt.stream;
                    let retry = !retried && (idle_stream || RETRY_SAME_CODES.contains(&e.code.as_ref()));
                    tracing::warn!(candidate = %cand.id, code = %e.code, retry, "upstream call failed");
                    if retry {
                        retried = true;
                        if idle_stream {
                            attempt.stream = false;
                        } else {
                            tokio::time::sleep(opts.retry_delay).await;
                        }
                        continue;
                    }
                    if counts_against_channel(&e) {
                        health.record_failure(cand.id, &e.code).await?;
                    }
                    if ue::is_actionable(&e) {
                        last_actionable = Some(e);
                    }
                    break;
                }
            }
        }
    }
    Err(last_actionable.unwrap_or_else(ue::model_busy))
}

/// Generates with failover: submit, then poll to completion within `timeout`, per candidate.
pub async fn generate(
    client: &ProviderClient,
    candidates: &[Candidate],
    health: &dyn ChannelHealth,
    req: &GenerationRequest,
    opts: FailoverOptions,
    timeout: Duration,
) -> Result<Served<GenerationOutput>> {
    run(candidates, health, opts, |cand, attempt| {
        let mut req = req.clone();
        req.stream = attempt.stream;
        let ch = cand.channel.clone();
        async move { client.generate(&ch, &req, timeout).await }
    })
    .await
}

/// Order in which candidates are tried (the stored `polling_mode`).
pub use miaojing_domain::provider::PollingMode;

/// The ordering fields of a candidate row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    pub sort_order: i64,
    pub polling_order: i64,
    pub created_at: DateTime<Utc>,
}

/// Orders candidate rows by `mode`.
pub fn order_candidates<T>(items: &mut [T], mode: PollingMode, key: impl Fn(&T) -> OrderKey) {
    match mode {
        PollingMode::Sequential => items.sort_by_key(|t| {
            let k = key(t);
            (k.sort_order, k.polling_order, k.created_at)
        }),
        PollingMode::Custom => items.sort_by_key(|t| {
            let k = key(t);
            (k.polling_order, k.sort_order, k.created_at)
        }),
        PollingMode::Random => items.shuffle(&mut rand::thread_rng()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_mode() {
        let t = |s| DateTime::from_timestamp(s, 0).unwrap();
        let mut rows = vec![("a", 2, 0, t(1)), ("b", 1, 5, t(2)), ("c", 1, 1, t(3)), ("d", 1, 1, t(0))];
        let key = |r: &(&str, i64, i64, DateTime<Utc>)| OrderKey { sort_order: r.1, polling_order: r.2, created_at: r.3 };
        order_candidates(&mut rows, PollingMode::Sequential, key);
        assert_eq!(rows.iter().map(|r| r.0).collect::<String>(), "dcba");
        order_candidates(&mut rows, PollingMode::Custom, key);
        assert_eq!(rows.iter().map(|r| r.0).collect::<String>(), "adcb");
        order_candidates(&mut rows, PollingMode::Random, key);
        assert_eq!(rows.len(), 4);
        assert_eq!(PollingMode::parse("RANDOM"), Ok(PollingMode::Random));
    }
}
