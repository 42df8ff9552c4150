//! Upstream model configuration: platform-paid system APIs, user-owned API keys, the
//! provider catalogue shown to users, model recommendations, style presets and the
//! shared health of each platform channel.
use crate::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::user::Tier;
use crate::{Error, Result};

pub use miaojing_vocab::{BillingMode, MediaType, PollingMode, Protocol};

/// What one call of a platform model costs, in credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Pricing {
    Free,
    /// A fixed amount per use.
    Fixed {
        credits: i64,
    },
    /// Per second of generated video.
    PerSecond {
        credits_per_second: i64,
    },
    /// Per million input and output tokens.
    Tokens {
        input_per_million: i64,
        output_per_million: i64,
    },
}

impl Pricing {
    /// The original's `billingMode`.
    pub fn mode(&self) -> BillingMode {
        match self {
            Pricing::Free => BillingMode::Free,
            Pricing::Fixed { .. } => BillingMode::Fixed,
            Pricing::PerSecond { .. } => BillingMode::Duration,
            Pricing::Tokens { .. } => BillingMode::Token,
        }
    }

    /// Refuses negative prices.
    pub fn validate(&self) -> Result<()> {
        let amounts: &[i64] = match self {
            Pricing::Free => &[],
            Pricing::Fixed { credits } => &[*credits],
            Pricing::PerSecond { credits_per_second } => &[*credits_per_second],
            Pricing::Tokens { input_per_million, output_per_million } => &[*input_per_million, *output_per_million],
        };
        if amounts.iter().any(|a| *a < 0 || *a > 1_000_000_000) {
            return Err(Error::validation(ErrorCode::InvalidPrice, "价格必须是 0 到 1000000000 之间的整数"));
        }
        Ok(())
    }
}

/// The two ways a video model may be used.
pub const VIDEO_USAGE_MODES: [&str; 2] = ["text-to-video", "image-to-video"];

/// A platform-paid upstream model managed by admins.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemApi {
    pub id: Uuid,
    /// Supplier name.
    pub provider: String,
    /// Display name; rows sharing it (and the media type) are failover candidates.
    pub name: String,
    pub api_url: String,
    /// Upstream model name.
    pub model_name: String,
    pub model_group: String,
    pub note: String,
    pub media_type: MediaType,
    pub protocol: Protocol,
    /// The Manifest document for `Protocol::Manifest` rows.
    pub manifest: Option<Value>,
    /// What the create page may offer (ratios, resolutions, durations, …).
    pub capabilities: Value,
    /// `SecretBox` ciphertext; empty when no key is set yet.
    pub api_key_encrypted: String,
    pub api_key_preview: String,
    pub pricing: Pricing,
    pub price_note: String,
    /// Tiers allowed to use the row; never empty (empty input means all four).
    pub allowed_tiers: Vec<Tier>,
    /// Only default rows are offered to users.
    pub is_default: bool,
    pub is_active: bool,
    pub polling_mode: PollingMode,
    pub polling_order: i32,
    /// Subset of [`VIDEO_USAGE_MODES`].
    pub video_usage_modes: Vec<String>,
    /// Assigned by the store on insert (last + 1).
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SystemApi {
    /// Whether a caller of `tier` may use the row.
    pub fn allows(&self, tier: Tier) -> bool {
        self.allowed_tiers.contains(&tier)
    }
}

/// The tiers of an allow-list: duplicates dropped, empty meaning all four, in tier order.
pub fn normalize_tiers(tiers: &[Tier]) -> Vec<Tier> {
    let mut t: Vec<Tier> = if tiers.is_empty() { vec![Tier::Free, Tier::Pro, Tier::Max, Tier::Ultra] } else { tiers.to_vec() };
    t.sort();
    t.dedup();
    t
}

/// Video usage modes: checked against [`VIDEO_USAGE_MODES`], empty meaning both.
pub fn normalize_video_modes(modes: &[String]) -> Result<Vec<String>> {
    if modes.is_empty() {
        return Ok(VIDEO_USAGE_MODES.iter().map(|s| s.to_string()).collect());
    }
    let mut out = Vec::new();
    for m in VIDEO_USAGE_MODES {
        if modes.iter().any(|x| x == m) {
            out.push(m.to_string());
        }
    }
    if out.len() != modes.iter().collect::<std::collections::BTreeSet<_>>().len() {
        return Err(Error::validation(ErrorCode::InvalidVideoUsageMode, "视频用途必须是 text-to-video 或 image-to-video"));
    }
    Ok(out)
}

/// A user's own upstream credential (free of platform credits).
#[derive(Debug, Clone, PartialEq)]
pub struct UserApiKey {
    pub id: Uuid,
    pub user_id: Uuid,
    pub provider: String,
    pub supplier_name: String,
    pub api_url: String,
    pub model_name: String,
    pub note: String,
    pub media_type: MediaType,
    pub protocol: Protocol,
    pub manifest: Option<Value>,
    pub capabilities: Value,
    /// `SecretBox` ciphertext; empty for imported rows awaiting a key.
    pub api_key_encrypted: String,
    pub api_key_preview: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a user may change on their key; `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserApiKeyPatch {
    pub provider: Option<String>,
    pub supplier_name: Option<String>,
    pub api_url: Option<String>,
    pub model_name: Option<String>,
    pub note: Option<String>,
    pub media_type: Option<MediaType>,
    pub is_active: Option<bool>,
    /// New ciphertext and preview together.
    pub api_key: Option<(String, String)>,
}

/// An entry of the provider catalogue shown to users (presets, no credentials).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiProvider {
    pub id: Uuid,
    /// Unique.
    pub name: String,
    pub default_api_url: String,
    pub default_model: String,
    pub media_type: MediaType,
    pub website: String,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A model suggested to users.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecommendation {
    pub id: Uuid,
    pub model_name: String,
    pub display_name: String,
    pub media_type: MediaType,
    /// Cleared when the provider is deleted.
    pub provider_id: Option<Uuid>,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A named image style whose prompt is appended to the user's.
#[derive(Debug, Clone, PartialEq)]
pub struct StylePreset {
    pub id: Uuid,
    /// Unique.
    pub label: String,
    pub prompt: String,
    pub usage_count: i64,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything the create page needs, read together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelCatalog {
    /// Active providers by sort order, name.
    pub providers: Vec<ApiProvider>,
    /// Active recommendations by type, sort order, model name.
    pub recommendations: Vec<ModelRecommendation>,
    /// Active default system APIs by display name, sort order, created time.
    pub system_apis: Vec<SystemApi>,
    /// The caller's keys, newest first.
    pub user_keys: Vec<UserApiKey>,
}

/// When errors freeze a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthPolicy {
    /// Length of the sliding window.
    pub window: Duration,
    /// Errors inside the window that freeze the channel.
    pub threshold: i64,
    /// How long a frozen channel is skipped before a probe may re-enable it.
    pub cool_down: Duration,
}

/// The shared health of one platform channel (a system API row).
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelHealth {
    pub channel_id: Uuid,
    /// Start of the current window.
    pub window_start: DateTime<Utc>,
    /// Errors in the current window.
    pub errors_current: i64,
    /// Errors in the window before it.
    pub errors_previous: i64,
    pub successes: i64,
    pub frozen_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_probe_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What happened on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEvent {
    /// A served call.
    Success,
    /// A failed call with its (already redacted) message.
    Error(String),
    /// A background or manual probe; a healthy probe lifts the freeze and clears the counts.
    Probe { ok: bool, error: Option<String> },
}

impl ChannelHealth {
    /// A channel nothing is known about.
    pub fn new(channel_id: Uuid, now: DateTime<Utc>) -> Self {
        Self {
            channel_id,
            window_start: now,
            errors_current: 0,
            errors_previous: 0,
            successes: 0,
            frozen_until: None,
            last_error: None,
            last_error_at: None,
            last_success_at: None,
            last_probe_at: None,
            updated_at: now,
        }
    }

    /// Moves the window forward to `now`.
    fn roll(&mut self, now: DateTime<Utc>, window: Duration) {
        let elapsed = now - self.window_start;
        if elapsed >= window * 2 {
            self.errors_previous = 0;
            self.errors_current = 0;
            self.window_start = now;
        } else if elapsed >= window {
            self.errors_previous = self.errors_current;
            self.errors_current = 0;
            self.window_start += window;
        }
    }

    /// Errors in the sliding window ending at `now`: the current window plus the share of
    /// the previous one that still overlaps it.
    pub fn errors_in_window(&self, now: DateTime<Utc>, window: Duration) -> i64 {
        let mut h = self.clone();
        h.roll(now, window);
        let into = (now - h.window_start).num_milliseconds().max(0) as f64;
        let span = window.num_milliseconds().max(1) as f64;
        let weight = (1.0 - into / span).clamp(0.0, 1.0);
        h.errors_current + (h.errors_previous as f64 * weight).round() as i64
    }

    /// Whether the channel is skipped at `now`.
    pub fn is_frozen(&self, now: DateTime<Utc>) -> bool {
        self.frozen_until.is_some_and(|t| t > now)
    }

    /// The state after `event` at `now`.
    pub fn apply(mut self, event: &ChannelEvent, now: DateTime<Utc>, policy: &HealthPolicy) -> Self {
        self.roll(now, policy.window);
        match event {
            ChannelEvent::Success => {
                self.successes += 1;
                self.last_success_at = Some(now);
            }
            ChannelEvent::Error(message) => {
                self.errors_current += 1;
                self.last_error = Some(truncate(message));
                self.last_error_at = Some(now);
                if self.errors_in_window(now, policy.window) >= policy.threshold {
                    self.frozen_until = Some(now + policy.cool_down);
                }
            }
            ChannelEvent::Probe { ok, error } => {
                self.last_probe_at = Some(now);
                if *ok {
                    self.frozen_until = None;
                    self.errors_current = 0;
                    self.errors_previous = 0;
                    self.window_start = now;
                } else if let Some(e) = error {
                    self.last_error = Some(truncate(e));
                    self.last_error_at = Some(now);
                }
            }
        }
        self.updated_at = now;
        self
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(500).collect()
}

/// The preview shown instead of a key: `***` and its last four characters.
pub fn key_preview(plain: &str) -> String {
    let chars: Vec<char> = plain.chars().collect();
    if chars.len() <= 4 {
        return "***".to_string();
    }
    format!("***{}", chars[chars.len() - 4..].iter().collect::<String>())
}

/// Preview of a row whose key is still to be filled in (smart import).
pub const PREVIEW_PENDING: &str = "待填写";

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> HealthPolicy {
        HealthPolicy { window: Duration::seconds(60), threshold: 3, cool_down: Duration::seconds(30) }
    }

    #[test]
    fn freezes_after_threshold_and_probe_lifts_it() {
        let t0 = Utc::now();
        let p = policy();
        let mut h = ChannelHealth::new(Uuid::new_v4(), t0);
        for i in 0..2 {
            h = h.apply(&ChannelEvent::Error("502".into()), t0 + Duration::seconds(i), &p);
        }
        assert!(!h.is_frozen(t0 + Duration::seconds(2)));
        h = h.apply(&ChannelEvent::Error("503".into()), t0 + Duration::seconds(2), &p);
        assert!(h.is_frozen(t0 + Duration::seconds(3)));
        assert!(!h.is_frozen(t0 + Duration::seconds(40)));
        h = h.apply(&ChannelEvent::Probe { ok: true, error: None }, t0 + Duration::seconds(10), &p);
        assert!(!h.is_frozen(t0 + Duration::seconds(11)));
        assert_eq!(h.errors_in_window(t0 + Duration::seconds(11), p.window), 0);
    }

    #[test]
    fn old_errors_slide_out() {
        let t0 = Utc::now();
        let p = policy();
        let mut h = ChannelHealth::new(Uuid::new_v4(), t0);
        h = h.apply(&ChannelEvent::Error("x".into()), t0, &p);
        h = h.apply(&ChannelEvent::Error("x".into()), t0, &p);
        // Half a window later in the next window: half of the previous errors still count.
        assert_eq!(h.errors_in_window(t0 + Duration::seconds(90), p.window), 1);
        assert_eq!(h.errors_in_window(t0 + Duration::seconds(200), p.window), 0);
        h = h.apply(&ChannelEvent::Error("x".into()), t0 + Duration::seconds(200), &p);
        assert!(!h.is_frozen(t0 + Duration::seconds(201)));
    }

    #[test]
    fn previews_hide_all_but_four() {
        assert_eq!(key_preview("sk-abcdef123456"), "***3456");
        assert_eq!(key_preview("abc"), "***");
    }

    #[test]
    fn tiers_and_modes_normalize() {
        assert_eq!(normalize_tiers(&[]).len(), 4);
        assert_eq!(normalize_tiers(&[Tier::Max, Tier::Pro, Tier::Max]), vec![Tier::Pro, Tier::Max]);
        assert_eq!(normalize_video_modes(&[]).unwrap().len(), 2);
        assert!(normalize_video_modes(&["x".into()]).is_err());
    }
}
