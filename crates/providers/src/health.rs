//! Channel health: failures counted in a sliding window freeze a channel for a cool-down;
//! a background probe re-enables it early when it answers again.
//!
//! [`HealthPolicy`] is pure (state in, state out, time passed in) so every instance can apply it
//! to a row in the shared store; [`ChannelHealth`] is the async port the server implements over
//! the store. [`MemoryHealth`] is an in-process implementation for tests and single-node tools.
use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::Result;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Health of one channel as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthState {
    /// Failure times inside the window (oldest first, at most `threshold` kept).
    pub recent_failures: Vec<DateTime<Utc>>,
    /// Frozen until this time (inclusive of probes re-enabling it earlier).
    pub frozen_until: Option<DateTime<Utc>>,
    /// Stable code of the last failure, for the admin view.
    pub last_error_code: Option<String>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// When failures freeze a channel and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthPolicy {
    /// Failures counted within this window…
    pub window: Duration,
    /// …freeze the channel once they reach this many.
    pub threshold: u32,
    /// How long a frozen channel is skipped (unless a probe re-enables it).
    pub cool_down: Duration,
    /// How often the background task probes a frozen channel.
    pub probe_interval: Duration,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        Self { window: Duration::from_secs(60), threshold: 5, cool_down: Duration::from_secs(300), probe_interval: Duration::from_secs(60) }
    }
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl HealthPolicy {
    /// Whether the channel is skipped at `now`.
    pub fn is_frozen(&self, state: &HealthState, now: DateTime<Utc>) -> bool {
        state.frozen_until.is_some_and(|t| t > now)
    }

    /// Records a failure; freezes the channel when the window holds `threshold` failures.
    /// A failure right after a cool-down ended (half-open) freezes it again at once.
    pub fn on_failure(&self, mut state: HealthState, code: &str, now: DateTime<Utc>) -> HealthState {
        let half_open = state.frozen_until.is_some_and(|t| t <= now);
        let since = now - chrono(self.window);
        state.recent_failures.retain(|t| *t > since);
        state.recent_failures.push(now);
        let keep = self.threshold.max(1) as usize;
        if state.recent_failures.len() > keep {
            let drop = state.recent_failures.len() - keep;
            state.recent_failures.drain(..drop);
        }
        state.last_error_code = Some(code.to_string());
        state.last_failure_at = Some(now);
        if half_open || state.recent_failures.len() >= keep {
            state.frozen_until = Some(now + chrono(self.cool_down));
        }
        state
    }

    /// Records a success: the window is cleared and any freeze lifted.
    pub fn on_success(&self, mut state: HealthState, now: DateTime<Utc>) -> HealthState {
        state.recent_failures.clear();
        state.frozen_until = None;
        state.last_success_at = Some(now);
        state
    }

    /// Whether the background task should probe the channel now (frozen, and no probe-worthy
    /// event within `probe_interval`).
    pub fn probe_due(&self, state: &HealthState, now: DateTime<Utc>) -> bool {
        self.is_frozen(state, now) && state.last_failure_at.is_none_or(|t| now - t >= chrono(self.probe_interval))
    }

    /// Applies a probe's outcome: success re-enables, failure extends the freeze.
    pub fn on_probe(&self, state: HealthState, ok: bool, now: DateTime<Utc>) -> HealthState {
        if ok {
            self.on_success(state, now)
        } else {
            let mut state = self.on_failure(state, "probe_failed", now);
            state.frozen_until = Some(now + chrono(self.cool_down));
            state
        }
    }
}

/// The shared health record of channels, implemented by the server over the store.
#[async_trait]
pub trait ChannelHealth: Send + Sync {
    /// Whether the channel should be skipped now.
    async fn is_frozen(&self, channel: Uuid) -> Result<bool>;
    /// A call on the channel succeeded.
    async fn record_success(&self, channel: Uuid) -> Result<()>;
    /// A call failed with the stable error `code`.
    async fn record_failure(&self, channel: Uuid, code: &str) -> Result<()>;
}

/// In-memory [`ChannelHealth`] applying a [`HealthPolicy`].
#[derive(Debug, Default)]
pub struct MemoryHealth {
    policy: HealthPolicy,
    states: parking_lot::Mutex<HashMap<Uuid, HealthState>>,
}

impl MemoryHealth {
    /// An empty record applying `policy`.
    pub fn new(policy: HealthPolicy) -> Self {
        Self { policy, states: Default::default() }
    }

    /// The state of one channel.
    pub fn state(&self, channel: Uuid) -> HealthState {
        self.states.lock().get(&channel).cloned().unwrap_or_default()
    }

    /// Applies a probe outcome (what the server's background task does).
    pub fn apply_probe(&self, channel: Uuid, ok: bool) {
        let mut states = self.states.lock();
        let state = states.remove(&channel).unwrap_or_default();
        states.insert(channel, self.policy.on_probe(state, ok, Utc::now()));
    }
}

#[async_trait]
impl ChannelHealth for MemoryHealth {
    async fn is_frozen(&self, channel: Uuid) -> Result<bool> {
        Ok(self.states.lock().get(&channel).is_some_and(|s| self.policy.is_frozen(s, Utc::now())))
    }

    async fn record_success(&self, channel: Uuid) -> Result<()> {
        let mut states = self.states.lock();
        let state = states.remove(&channel).unwrap_or_default();
        states.insert(channel, self.policy.on_success(state, Utc::now()));
        Ok(())
    }

    async fn record_failure(&self, channel: Uuid, code: &str) -> Result<()> {
        let mut states = self.states.lock();
        let state = states.remove(&channel).unwrap_or_default();
        states.insert(channel, self.policy.on_failure(state, code, Utc::now()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn policy() -> HealthPolicy {
        HealthPolicy {
            window: Duration::from_secs(60),
            threshold: 3,
            cool_down: Duration::from_secs(300),
            probe_interval: Duration::from_secs(30),
        }
    }

    #[test]
    fn failures_in_the_window_freeze_for_the_cool_down() {
        let p = policy();
        let mut s = HealthState::default();
        s = p.on_failure(s, "upstream_unavailable", t(0));
        s = p.on_failure(s, "upstream_unavailable", t(10));
        assert!(!p.is_frozen(&s, t(11)), "two failures are below the threshold");
        s = p.on_failure(s, "upstream_timeout", t(20));
        assert!(p.is_frozen(&s, t(21)));
        assert!(p.is_frozen(&s, t(319)));
        assert!(!p.is_frozen(&s, t(321)), "the cool-down ends");
        assert_eq!(s.last_error_code.as_deref(), Some("upstream_timeout"));
    }

    #[test]
    fn old_failures_slide_out_of_the_window() {
        let p = policy();
        let mut s = HealthState::default();
        for at in [0, 50, 100, 150] {
            s = p.on_failure(s, "upstream_error", t(at));
        }
        assert!(!p.is_frozen(&s, t(151)), "never three failures within 60 s");
        assert_eq!(s.recent_failures, vec![t(100), t(150)]);
    }

    #[test]
    fn success_clears_and_half_open_failure_refreezes() {
        let p = policy();
        let mut s = HealthState::default();
        for at in [0, 1, 2] {
            s = p.on_failure(s, "upstream_error", t(at));
        }
        assert!(p.is_frozen(&s, t(3)));
        // After the cool-down one more failure freezes again immediately.
        s = p.on_failure(s, "upstream_error", t(400));
        assert!(p.is_frozen(&s, t(401)));
        s = p.on_success(s, t(402));
        assert!(!p.is_frozen(&s, t(402)));
        assert!(s.recent_failures.is_empty());
    }

    #[test]
    fn probes_re_enable_early_or_extend() {
        let p = policy();
        let mut s = HealthState::default();
        for at in [0, 1, 2] {
            s = p.on_failure(s, "upstream_error", t(at));
        }
        assert!(!p.probe_due(&s, t(10)), "too soon after the last failure");
        assert!(p.probe_due(&s, t(40)));
        let failed = p.on_probe(s.clone(), false, t(40));
        assert_eq!(failed.frozen_until, Some(t(340)));
        assert!(!p.probe_due(&failed, t(50)));
        let ok = p.on_probe(s, true, t(40));
        assert!(!p.is_frozen(&ok, t(41)));
        assert!(!p.probe_due(&ok, t(100)));
    }
}
