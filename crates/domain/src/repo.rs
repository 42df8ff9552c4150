//! Repository traits (ports). `store-sqlite` and `store-postgres` implement every one;
//! services and the server only ever see `dyn Store`.
//!
//! Each method that moves money or consumes something is one atomic unit of work in
//! the store: it either happens completely or not at all.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::announcement::{Announcement, AnnouncementPatch};
use crate::email_code::{CodeCheck, CodePurpose, IssuePolicy, NewEmailCode};
use crate::invitation::{NewReferral, Referral};
use crate::job::JobStatus;
use crate::ledger::{Grant, LedgerEntry};
use crate::log::{LogEntry, LogFilter};
use crate::provider::{
    ApiProvider, ChannelEvent, ChannelHealth, HealthPolicy, MediaType, ModelCatalog, ModelRecommendation, StylePreset, SystemApi,
    UserApiKey, UserApiKeyPatch,
};
use crate::redeem::{Decide, RedeemCode, RedeemCodeRow, RedeemFilter};
use crate::session::Session;
use crate::user::{NewUser, User, UserPatch, UserSummary};
use crate::{PageRequest, Paged, Result};

/// Accounts.
#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Inserts the user, applies `grants` (each through the ledger) and records the referral,
    /// all in one transaction. Fails with `conflict` codes `email_taken`, `username_taken` or
    /// `phone_taken`, and with `invite_invalid` when the referral's inviter is missing or disabled.
    async fn create_user(&self, user: NewUser, grants: Vec<Grant>, referral: Option<NewReferral>) -> Result<User>;
    /// By id.
    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>>;
    /// By e-mail (exact, lower-case), username (ignoring case) or phone.
    async fn user_by_login(&self, identifier: &str) -> Result<Option<User>>;
    /// By e-mail (lower-case).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// By personal invite code.
    async fn user_by_invite_code(&self, code: &str) -> Result<Option<User>>;
    /// Applies a patch; `not_found` when missing; conflicts as in `create_user`.
    async fn update_user(&self, id: Uuid, patch: UserPatch) -> Result<User>;
    /// Deletes the user and everything that belongs to them. False when missing.
    async fn delete_user(&self, id: Uuid) -> Result<bool>;
    /// Admin list: `search` matches e-mail, username, display name or phone (substring,
    /// ignoring case), or the exact id.
    async fn list_users(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<UserSummary>>;
    /// Number of active admins (`admin` or `enterprise_admin`).
    async fn count_admins(&self) -> Result<i64>;
    /// The oldest active admin.
    async fn first_admin(&self) -> Result<Option<User>>;
}

/// Revocable sessions.
#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn create_session(&self, session: Session) -> Result<()>;
    /// The session and its user, if the session is neither revoked nor expired at `now`.
    async fn session_user(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<Option<(Session, User)>>;
    /// Ends one session.
    async fn revoke_session(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<()>;
    /// Ends every session of a user except `keep`; returns how many ended.
    async fn revoke_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>, now: DateTime<Utc>) -> Result<u64>;
}

/// E-mail verification codes.
#[async_trait]
pub trait EmailCodeRepo: Send + Sync {
    /// Stores a code after checking, atomically, the address lock (`code_locked`), the
    /// resend interval (`code_cooldown`) and the per-IP limit (`ip_rate_limited`), all 429.
    /// Earlier unused codes of the same address and purpose stop working.
    async fn issue_email_code(&self, code: NewEmailCode, policy: &IssuePolicy) -> Result<()>;
    /// Checks the newest unused code. A wrong code counts an attempt (committed even though
    /// the caller fails) and locks the address for `lock` after the last allowed attempt.
    /// A valid code is consumed.
    async fn check_email_code(
        &self,
        email: &str,
        purpose: CodePurpose,
        code_hash: &str,
        now: DateTime<Utc>,
        lock: chrono::Duration,
    ) -> Result<CodeCheck>;
    /// Marks a code used without checking it (the mail could not be sent).
    async fn discard_email_code(&self, id: Uuid) -> Result<()>;
}

/// The credit ledger.
#[async_trait]
pub trait LedgerRepo: Send + Sync {
    /// Applies one balance change with its ledger row. A debit larger than the balance fails
    /// with 402 `insufficient_credits` and changes nothing.
    async fn apply_grant(&self, grant: Grant) -> Result<LedgerEntry>;
    /// A user's rows, newest first.
    async fn ledger_page(&self, user_id: Uuid, page: PageRequest) -> Result<Paged<LedgerEntry>>;
}

/// Redeem codes.
#[async_trait]
pub trait RedeemRepo: Send + Sync {
    /// Inserts a batch in one transaction; `conflict` `code_collision` if any body exists.
    async fn insert_redeem_codes(&self, codes: &[RedeemCode]) -> Result<()>;
    /// Admin list, newest first.
    async fn list_redeem_codes(&self, filter: &RedeemFilter, page: PageRequest) -> Result<Paged<RedeemCodeRow>>;
    async fn redeem_code(&self, id: Uuid) -> Result<Option<RedeemCodeRow>>;
    /// Revokes (false) or re-enables (true) a code.
    async fn set_redeem_code_active(&self, id: Uuid, active: bool) -> Result<Option<RedeemCodeRow>>;
    /// Deletes a code that was never used; false when missing or used.
    async fn delete_unused_redeem_code(&self, id: Uuid) -> Result<bool>;
    /// Redeems the code with this body for the user: in one transaction, loads the code and
    /// user, asks `decide` what to do, applies it and marks the code used. Exactly one of
    /// any number of concurrent redemptions of a code succeeds. `not_found` `code_not_found`.
    /// `decide` is [`Decide`].
    async fn redeem(&self, user_id: Uuid, normalized_code: &str, now: DateTime<Utc>, decide: &Decide<'_>) -> Result<(RedeemCode, User)>;
}

/// Invitation referrals.
#[async_trait]
pub trait InvitationRepo: Send + Sync {
    /// Referrals made by one inviter, newest first.
    async fn referrals_by_inviter(&self, inviter_id: Uuid, page: PageRequest) -> Result<Paged<Referral>>;
    /// All referrals; `search` matches either party's e-mail, username or display name, or the code.
    async fn list_referrals(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<Referral>>;
}

/// Site settings (JSON documents by key) and the visit counter.
#[async_trait]
pub trait SettingsRepo: Send + Sync {
    async fn get_setting(&self, key: &str) -> Result<Option<Value>>;
    async fn put_setting(&self, key: &str, value: &Value) -> Result<()>;
    /// Adds one visit and returns the new total.
    async fn increment_visits(&self) -> Result<i64>;
    async fn visits(&self) -> Result<i64>;
}

/// Announcements.
#[async_trait]
pub trait AnnouncementRepo: Send + Sync {
    async fn create_announcement(&self, a: Announcement) -> Result<()>;
    /// `None` when missing.
    async fn update_announcement(&self, id: Uuid, patch: AnnouncementPatch, now: DateTime<Utc>) -> Result<Option<Announcement>>;
    async fn delete_announcement(&self, id: Uuid) -> Result<bool>;
    /// Newest first; only those visible at `visible_at` when given.
    async fn list_announcements(&self, visible_at: Option<DateTime<Utc>>) -> Result<Vec<Announcement>>;
}

/// Platform logs.
#[async_trait]
pub trait LogRepo: Send + Sync {
    async fn insert_log(&self, entry: LogEntry) -> Result<()>;
    async fn list_logs(&self, filter: &LogFilter, page: PageRequest) -> Result<Paged<LogEntry>>;
    /// Deletes rows older than `before`; returns how many.
    async fn purge_logs(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// Fixed-window counters shared by every instance.
#[async_trait]
pub trait RateLimitRepo: Send + Sync {
    /// Counts one hit on `key` in the window starting at `window_start`; returns the count.
    async fn hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64>;
    /// Forgets windows that started before `before`.
    async fn purge_rate_limits(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// Counts for the admin dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlatformStats {
    pub users_total: i64,
    pub users_active: i64,
    /// Accounts with role `admin` or `enterprise_admin`.
    pub admins: i64,
    /// Accounts whose paid tier is in force at `now`.
    pub members: i64,
    /// Accounts created since `since`.
    pub users_recent: i64,
    /// Sum of every positive ledger amount.
    pub credits_issued: i64,
    /// Sum of every negative ledger amount, as a positive number.
    pub credits_spent: i64,
    pub logs_total: i64,
    pub logs_errors: i64,
    /// Logs written since `since`.
    pub logs_recent: i64,
    pub works_total: i64,
    /// Works shown in the public gallery.
    pub works_public: i64,
}

/// Calls of one model in a window, for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelUsage {
    /// The model's display name (`""` when unknown).
    pub model: String,
    pub calls: i64,
    /// Calls that ended `failed`.
    pub failed: i64,
    pub credits: i64,
}

/// Jobs by state and model calls per model, for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityStats {
    /// Every job state in [`JobStatus::ALL`] order, with its count (zeros included).
    pub jobs_by_status: Vec<(JobStatus, i64)>,
    /// Model calls created in the window.
    pub calls_total: i64,
    pub calls_failed: i64,
    /// Per model, most calls first (then by name), at most `top` of them.
    pub models: Vec<ModelUsage>,
}

impl ActivityStats {
    /// Assembles the figures from per-status counts and per-model rows in any order.
    pub fn assemble(status_counts: Vec<(String, i64)>, mut models: Vec<ModelUsage>, top: usize) -> Self {
        let jobs_by_status =
            JobStatus::ALL.iter().map(|s| (*s, status_counts.iter().filter(|(k, _)| k == s.as_str()).map(|(_, n)| n).sum())).collect();
        let calls_total = models.iter().map(|m| m.calls).sum();
        let calls_failed = models.iter().map(|m| m.failed).sum();
        models.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.model.cmp(&b.model)));
        models.truncate(top);
        Self { jobs_by_status, calls_total, calls_failed, models }
    }
}

/// Aggregates for dashboards.
#[async_trait]
pub trait StatsRepo: Send + Sync {
    /// Counts at `now`; "recent" means created at or after `since`.
    async fn platform_stats(&self, now: DateTime<Utc>, since: DateTime<Utc>) -> Result<PlatformStats>;
    /// Jobs by state (all time) and the model calls created at or after `since`, per model
    /// (the `top` most used).
    async fn activity_stats(&self, since: DateTime<Utc>, top: usize) -> Result<ActivityStats>;
}

/// Platform-paid models (admin system APIs).
#[async_trait]
pub trait SystemApiRepo: Send + Sync {
    /// Inserts the rows in one transaction, each with the next sort order; returns them as stored.
    async fn insert_system_apis(&self, apis: Vec<SystemApi>) -> Result<Vec<SystemApi>>;
    /// Replaces every editable field of the row (not `created_at`; `sort_order` too) and copies
    /// its polling mode to the rows sharing its media type and display name, in one
    /// transaction. `None` when missing.
    async fn update_system_api(&self, api: SystemApi) -> Result<Option<SystemApi>>;
    async fn delete_system_api(&self, id: Uuid) -> Result<bool>;
    async fn system_api(&self, id: Uuid) -> Result<Option<SystemApi>>;
    /// By display name, sort order, created time; inactive rows only when asked.
    async fn list_system_apis(&self, include_inactive: bool) -> Result<Vec<SystemApi>>;
    /// Failover candidates: active default rows of this media type and display name.
    async fn system_api_candidates(&self, media_type: MediaType, name: &str) -> Result<Vec<SystemApi>>;
}

/// Users' own upstream keys. Every call is scoped to the owner: another user's row behaves
/// as missing.
#[async_trait]
pub trait UserApiKeyRepo: Send + Sync {
    /// Inserts the rows in one transaction.
    async fn insert_user_api_keys(&self, keys: Vec<UserApiKey>) -> Result<()>;
    async fn update_user_api_key(&self, owner: Uuid, id: Uuid, patch: UserApiKeyPatch, now: DateTime<Utc>) -> Result<Option<UserApiKey>>;
    async fn delete_user_api_key(&self, owner: Uuid, id: Uuid) -> Result<bool>;
    async fn user_api_key(&self, owner: Uuid, id: Uuid) -> Result<Option<UserApiKey>>;
    /// Newest first.
    async fn list_user_api_keys(&self, owner: Uuid) -> Result<Vec<UserApiKey>>;
}

/// The catalogue shown to users: providers, recommendations and style presets.
#[async_trait]
pub trait CatalogRepo: Send + Sync {
    /// Providers by sort order, name. `conflict` `provider_name_taken` on a duplicate name.
    async fn create_provider(&self, p: ApiProvider) -> Result<()>;
    /// Full overwrite except `created_at`; `None` when missing.
    async fn update_provider(&self, p: ApiProvider) -> Result<Option<ApiProvider>>;
    /// Recommendations pointing at it lose the link.
    async fn delete_provider(&self, id: Uuid) -> Result<bool>;
    async fn list_providers(&self, active_only: bool) -> Result<Vec<ApiProvider>>;

    /// `not_found` when the provider id is unknown.
    async fn create_recommendation(&self, r: ModelRecommendation) -> Result<()>;
    async fn update_recommendation(&self, r: ModelRecommendation) -> Result<Option<ModelRecommendation>>;
    async fn delete_recommendation(&self, id: Uuid) -> Result<bool>;
    /// By type, sort order, model name.
    async fn list_recommendations(&self, active_only: bool) -> Result<Vec<ModelRecommendation>>;

    /// Inserts the presets whose label is not stored yet; returns how many.
    async fn seed_style_presets(&self, presets: Vec<StylePreset>) -> Result<u64>;
    /// `conflict` `style_label_taken` on a duplicate label.
    async fn create_style_preset(&self, p: StylePreset) -> Result<()>;
    async fn update_style_preset(&self, p: StylePreset) -> Result<Option<StylePreset>>;
    async fn delete_style_preset(&self, id: Uuid) -> Result<bool>;
    /// By usage (most first), sort order, label.
    async fn list_style_presets(&self, active_only: bool) -> Result<Vec<StylePreset>>;
    /// Counts one use of an existing active label; unknown labels change nothing.
    async fn bump_style_preset(&self, label: &str) -> Result<bool>;

    /// What `GET /api/model-config` shows, read on one connection: the active catalogue,
    /// the active default system APIs and, for a signed-in caller, their keys.
    async fn model_catalog(&self, owner: Option<Uuid>) -> Result<ModelCatalog>;
}

/// Health of platform channels, shared by every instance.
#[async_trait]
pub trait ChannelHealthRepo: Send + Sync {
    /// Applies one event atomically (concurrent events on a channel all count).
    async fn record_channel_event(
        &self,
        channel_id: Uuid,
        event: ChannelEvent,
        now: DateTime<Utc>,
        policy: &HealthPolicy,
    ) -> Result<ChannelHealth>;
    /// The stored health of these channels (missing ones are omitted).
    async fn channel_health(&self, ids: &[Uuid]) -> Result<Vec<ChannelHealth>>;
    /// Every stored channel.
    async fn list_channel_health(&self) -> Result<Vec<ChannelHealth>>;
}

/// Connection pool figures for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Backend facts and reachability.
#[async_trait]
pub trait StoreInfo: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip to the database.
    async fn ping(&self) -> Result<()>;
    fn pool_stats(&self) -> PoolStats;
    /// Cross-instance job wake-ups when the backend has them (LISTEN/NOTIFY on PostgreSQL);
    /// `None` means in-process wake-ups suffice (SQLite runs one instance).
    async fn job_wakeup(&self) -> Result<Option<std::sync::Arc<dyn crate::job::JobWakeup>>> {
        Ok(None)
    }
}

/// Declares [`Store`] as every repository trait at once, and implements it for every type that
/// implements them all (one list of the traits).
macro_rules! store_traits {
    ($($repo:path),+ $(,)?) => {
        /// Everything the server needs from a store.
        pub trait Store: $($repo +)+ {}

        impl<T> Store for T where T: $($repo +)+ {}
    };
}

store_traits!(
    UserRepo,
    SessionRepo,
    EmailCodeRepo,
    LedgerRepo,
    RedeemRepo,
    InvitationRepo,
    SettingsRepo,
    AnnouncementRepo,
    LogRepo,
    RateLimitRepo,
    StatsRepo,
    SystemApiRepo,
    UserApiKeyRepo,
    CatalogRepo,
    ChannelHealthRepo,
    StoreInfo,
    crate::job::JobRepo,
    crate::work::WorkRepo,
);
