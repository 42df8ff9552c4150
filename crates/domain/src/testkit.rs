//! The repository contract: one suite of behaviours every store must show, run by each
//! store crate against its own backend (feature `testkit`).
//!
//! Each case is a `pub async fn case(store: SharedStore)` that expects an empty, migrated
//! store and panics on a broken contract. A store crate runs them all with one line:
//!
//! ```ignore
//! async fn fresh() -> (SharedStore, tempfile::TempDir) { /* a new, empty store */ }
//! miaojing_domain::contract_tests!(fresh);
//! ```
//!
//! The argument is an async function (or closure) returning a [`Fixture`]: either a
//! `SharedStore`, or a `(SharedStore, guard)` pair whose guard (a temp dir, a database
//! handle) lives until the case ends. The macro expands to one `#[tokio::test]` per case,
//! so the calling crate needs `tokio` (with `macros` and `rt-multi-thread`) as a
//! dev-dependency.
//!
//! The cases check what users and services observe — balances, rows, error codes — not
//! how a store gets there. Times are whole microseconds so every backend stores them
//! exactly.
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::announcement::{Announcement, AnnouncementPatch};
use crate::email_code::{CodeCheck, CodePurpose, IssuePolicy, NewEmailCode};
use crate::invitation::NewReferral;
use crate::ledger::{Grant, LedgerKind};
use crate::log::{LogEntry, LogFilter};
use crate::provider::{
    normalize_tiers, ApiProvider, ChannelEvent, HealthPolicy, MediaType, ModelRecommendation, PollingMode, Pricing, Protocol, StylePreset,
    SystemApi, UserApiKey, UserApiKeyPatch,
};
use crate::redeem::{display_code, plan_redemption, CodeGrant, CodeStatus, DurationUnit, RedeemCode, RedeemFilter};
use crate::session::Session;
use crate::user::{Language, NewUser, Role, Tier, User, UserPatch};
use crate::{Error, ErrorKind, PageRequest, Result, Store};

mod errors;
mod jobs;
pub use errors::*;
pub use jobs::*;

/// A store shared by the tasks of a case.
pub type SharedStore = Arc<dyn Store>;

/// What a store crate's factory returns: the store, and whatever must live as long as it.
pub trait Fixture {
    fn store(&self) -> SharedStore;
}

impl Fixture for SharedStore {
    fn store(&self) -> SharedStore {
        Arc::clone(self)
    }
}

impl<G> Fixture for (SharedStore, G) {
    fn store(&self) -> SharedStore {
        Arc::clone(&self.0)
    }
}

/// Expands to one `#[tokio::test]` per contract case, each on a fresh store from `$make`.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::__contract_cases!(
            $make;
            store_info,
            users_create_and_lookup,
            users_unique_conflicts,
            user_patch_and_clear,
            admins_count_and_first,
            list_users_search_and_pages,
            delete_user_cascades,
            sessions_revocation,
            email_code_single_use,
            email_code_lock_persists_after_wrong_attempts,
            email_code_cooldown_and_ip_limit,
            ledger_never_negative,
            ledger_pages_newest_first,
            concurrent_debits_never_overdraw,
            ledger_order_follows_balance_changes,
            registration_grants_and_referral_atomic,
            redeem_credits_and_membership,
            redeem_refusals_change_nothing,
            redeem_concurrent_single_success,
            redeem_code_admin_ops,
            referral_listing,
            settings_roundtrip_and_visits,
            announcements_window,
            logs_filter_and_purge,
            rate_limit_windows,
            platform_stats_count,
            system_apis_crud_and_candidates,
            user_keys_isolated_by_owner,
            catalog_providers_recommendations_presets,
            model_catalog_reads_what_the_caller_may_see,
            channel_health_counts_and_freezes,
            constraint_errors_answer_alike,
            email_code_refusals_answer_alike,
            jobs_submit_dedupe_and_hold,
            holds_parallel_submissions_exact,
            finish_settles_exactly_once,
            claims_leases_and_recovery,
            claims_take_at_most_the_limit,
            jobs_admin_list_and_cleanup,
            admin_deletes_one_finished_job,
            activity_stats_count,
            run_time_stats_for_eta,
            works_history_scope,
            gallery_pages_stable,
            likes_idempotent,
            publication_keeps_history_and_title_search,
            gallery_copy_attaches_to_public_works_without_one,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __contract_cases {
    ($make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = ($make)().await;
                let store = $crate::testkit::Fixture::store(&fixture);
                $crate::testkit::$case(store).await;
                drop(fixture);
            }
        )+
    };
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Now, in whole microseconds.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn page(page: i64, size: i64) -> PageRequest {
    PageRequest { page, size }
}

/// The error of a result that must have failed.
#[track_caller]
fn err<T: Debug>(r: Result<T>) -> Error {
    match r {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => e,
    }
}

/// Asserts a failure's kind and code.
#[track_caller]
fn assert_err<T: Debug>(r: Result<T>, kind: ErrorKind, code: &str) -> Error {
    let e = err(r);
    assert_eq!((e.kind, e.code.as_ref()), (kind, code), "unexpected error: {e}");
    e
}

fn short_id() -> String {
    Uuid::new_v4().simple().to_string()[..10].to_ascii_uppercase()
}

/// A new user named `name` (`name@example.com`), created at `created_at`.
fn new_user_at(name: &str, created_at: DateTime<Utc>) -> NewUser {
    NewUser {
        id: Uuid::new_v4(),
        username: name.to_string(),
        email: format!("{}@example.com", name.to_lowercase()),
        phone: None,
        display_nickname: format!("{name} 昵称"),
        avatar_url: None,
        role: Role::User,
        membership_tier: Tier::Free,
        invite_code: format!("MJ{}", short_id()),
        referred_by: None,
        email_verified: true,
        preferred_language: Language::Zh,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_string(),
        created_at,
    }
}

/// A new account named `name` (role `user`, tier `free`), for tests of services over a store.
pub fn new_user(name: &str) -> NewUser {
    new_user_at(name, now())
}

async fn make_user(store: &SharedStore, name: &str) -> User {
    store.create_user(new_user(name), vec![], None).await.expect("create user")
}

fn grant(user_id: Uuid, amount: i64, kind: LedgerKind) -> Grant {
    Grant { user_id, amount, kind, description: format!("{} {amount}", kind.as_str()) }
}

async fn make_user_with_credits(store: &SharedStore, name: &str, credits: i64) -> User {
    let u = new_user(name);
    let id = u.id;
    store.create_user(u, vec![grant(id, credits, LedgerKind::Gift)], None).await.expect("create user with credits")
}

async fn balance(store: &SharedStore, id: Uuid) -> i64 {
    store.user_by_id(id).await.expect("load user").expect("user exists").credits_balance
}

async fn ledger_total(store: &SharedStore, id: Uuid) -> i64 {
    store.ledger_page(id, page(1, 100)).await.expect("ledger page").total
}

fn credits_code(body: &str, amount: i64, batch_id: Uuid, created_at: DateTime<Utc>) -> RedeemCode {
    RedeemCode {
        id: Uuid::new_v4(),
        normalized_code: body.to_string(),
        grant: CodeGrant::Credits(amount),
        batch_id,
        note: String::new(),
        is_active: true,
        expires_at: None,
        created_by: None,
        used_by: None,
        used_at: None,
        created_at,
    }
}

fn membership_code(body: &str, tier: Tier, value: i64, unit: DurationUnit, batch_id: Uuid, created_at: DateTime<Utc>) -> RedeemCode {
    RedeemCode { grant: CodeGrant::Membership { tier, value, unit }, ..credits_code(body, 1, batch_id, created_at) }
}

async fn redeem_at(store: &SharedStore, user_id: Uuid, body: &str, at: DateTime<Utc>) -> Result<(RedeemCode, User)> {
    let decide = move |c: &RedeemCode, u: &User| plan_redemption(c, u, at);
    store.redeem(user_id, body, at, &decide).await
}

fn email_code(email: &str, purpose: CodePurpose, hash: &str, ip: Option<&str>, at: DateTime<Utc>) -> NewEmailCode {
    NewEmailCode {
        id: Uuid::new_v4(),
        email: email.to_string(),
        purpose,
        code_hash: hash.to_string(),
        user_id: None,
        ip_address: ip.map(str::to_string),
        max_attempts: 5,
        created_at: at,
        expires_at: at + Duration::minutes(10),
    }
}

/// No resend interval and a generous IP limit: for cases about checking, not issuing.
fn relaxed_policy() -> IssuePolicy {
    IssuePolicy { resend_interval: Duration::zero(), ip_max: 1000, ip_window: Duration::seconds(60), lock_duration: Duration::minutes(10) }
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

/// The store names its backend, answers a ping and reports its pool.
pub async fn store_info(store: SharedStore) {
    assert!(["sqlite", "postgres"].contains(&store.backend()), "backend {}", store.backend());
    store.ping().await.expect("ping");
    let stats = store.pool_stats();
    assert!(stats.max >= 1, "pool max {stats:?}");
    assert!(stats.idle <= stats.size && stats.size <= stats.max, "pool stats {stats:?}");
}

/// A created user reads back exactly, by id, login (e-mail, username in any case, phone),
/// e-mail and invite code; unknown keys find nothing.
pub async fn users_create_and_lookup(store: SharedStore) {
    let mut nu = new_user("Alice");
    nu.phone = Some("+8613800000001".into());
    nu.avatar_url = Some("https://example.com/a.png".into());
    nu.membership_tier = Tier::Pro;
    nu.preferred_language = Language::En;
    let created = store.create_user(nu.clone(), vec![], None).await.expect("create");

    assert_eq!(created.id, nu.id);
    assert_eq!(created.username, "Alice");
    assert_eq!(created.email, "alice@example.com");
    assert_eq!(created.phone.as_deref(), Some("+8613800000001"));
    assert_eq!(created.display_nickname, "Alice 昵称");
    assert_eq!(created.avatar_url.as_deref(), Some("https://example.com/a.png"));
    assert_eq!(created.role, Role::User);
    assert_eq!(created.membership_tier, Tier::Pro);
    assert_eq!(created.membership_expires_at, None);
    assert_eq!(created.credits_balance, 0);
    assert_eq!(created.invite_code, nu.invite_code);
    assert_eq!(created.referred_by, None);
    assert!(created.is_active);
    assert!(created.email_verified);
    assert_eq!(created.preferred_theme, "dark");
    assert_eq!(created.preferred_language, Language::En);
    assert!(!created.watermark_disabled);
    assert_eq!(created.password_hash.as_deref(), Some(nu.password_hash.as_str()));
    assert_eq!(created.created_at, nu.created_at);

    let by_id = store.user_by_id(created.id).await.expect("by id").expect("found by id");
    assert_eq!(by_id, created);
    for login in ["alice@example.com", "Alice", "ALICE", "alice", "+8613800000001"] {
        let found = store.user_by_login(login).await.expect("by login");
        assert_eq!(found.map(|u| u.id), Some(created.id), "login {login}");
    }
    assert_eq!(store.user_by_email("alice@example.com").await.unwrap().map(|u| u.id), Some(created.id));
    assert_eq!(store.user_by_invite_code(&nu.invite_code).await.unwrap().map(|u| u.id), Some(created.id));

    assert_eq!(store.user_by_id(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(store.user_by_login("nobody").await.unwrap(), None);
    assert_eq!(store.user_by_login("nobody@example.com").await.unwrap(), None);
    assert_eq!(store.user_by_email("bob@example.com").await.unwrap(), None);
    assert_eq!(store.user_by_invite_code("MJNOPE").await.unwrap(), None);

    // A second user with no phone; two phoneless users do not collide.
    let bob = make_user(&store, "Bob").await;
    let carol = make_user(&store, "Carol").await;
    assert_ne!(bob.id, carol.id);
    assert_eq!(store.user_by_login("bob").await.unwrap().map(|u| u.id), Some(bob.id));
}

/// E-mail, username (ignoring case) and phone are unique, on create and on update, with
/// stable conflict codes; a refused create leaves nothing behind.
pub async fn users_unique_conflicts(store: SharedStore) {
    let mut base = new_user("Dana");
    base.phone = Some("13900000000".into());
    let dana = store.create_user(base, vec![], None).await.expect("create dana");

    let mut same_email = new_user("Other1");
    same_email.email = "dana@example.com".into();
    let id = same_email.id;
    assert_err(store.create_user(same_email, vec![], None).await, ErrorKind::Conflict, "email_taken");
    assert_eq!(store.user_by_id(id).await.unwrap(), None);

    let same_name = new_user("DANA");
    let id = same_name.id;
    assert_err(store.create_user(same_name, vec![], None).await, ErrorKind::Conflict, "username_taken");
    assert_eq!(store.user_by_id(id).await.unwrap(), None);

    let mut same_phone = new_user("Other2");
    same_phone.phone = Some("13900000000".into());
    let id = same_phone.id;
    assert_err(store.create_user(same_phone, vec![], None).await, ErrorKind::Conflict, "phone_taken");
    assert_eq!(store.user_by_id(id).await.unwrap(), None);

    // A refused create with grants moves no money.
    let mut dup = new_user("Other3");
    dup.email = "dana@example.com".into();
    let dup_id = dup.id;
    let r = store.create_user(dup, vec![grant(dup_id, 50, LedgerKind::Gift)], None).await;
    assert_err(r, ErrorKind::Conflict, "email_taken");
    assert_eq!(ledger_total(&store, dup_id).await, 0);

    let erin = make_user(&store, "Erin").await;
    let p = |patch: UserPatch| (erin.id, patch);
    let (id, patch) = p(UserPatch { email: Some("dana@example.com".into()), ..Default::default() });
    assert_err(store.update_user(id, patch).await, ErrorKind::Conflict, "email_taken");
    let (id, patch) = p(UserPatch { username: Some("dAnA".into()), ..Default::default() });
    assert_err(store.update_user(id, patch).await, ErrorKind::Conflict, "username_taken");
    let (id, patch) = p(UserPatch { phone: Some(Some("13900000000".into())), ..Default::default() });
    assert_err(store.update_user(id, patch).await, ErrorKind::Conflict, "phone_taken");

    // Nothing changed by the refused updates.
    let reloaded = store.user_by_id(erin.id).await.unwrap().unwrap();
    assert_eq!((reloaded.email.as_str(), reloaded.username.as_str(), reloaded.phone), ("erin@example.com", "Erin", None));
    // Dana may keep (re-set) her own values.
    let same = UserPatch { username: Some("dana".into()), phone: Some(Some("13900000000".into())), ..Default::default() };
    let dana2 = store.update_user(dana.id, same).await.expect("self update");
    assert_eq!(dana2.username, "dana");
}

/// A patch changes exactly the fields it names; `Some(None)` clears nullable fields;
/// a missing user is `not_found`.
pub async fn user_patch_and_clear(store: SharedStore) {
    let user = make_user(&store, "Frank").await;
    let until = now() + Duration::days(30);
    let verified_at = now() - Duration::hours(1);
    let patch = UserPatch {
        username: Some("frank2".into()),
        email: Some("frank2@example.com".into()),
        phone: Some(Some("13700000000".into())),
        display_nickname: Some("弗兰克".into()),
        avatar_url: Some(Some("https://example.com/f.png".into())),
        role: Some(Role::Admin),
        membership_tier: Some(Tier::Max),
        membership_expires_at: Some(Some(until)),
        is_active: Some(false),
        email_verified: Some(false),
        email_verified_at: Some(Some(verified_at)),
        email_bound_at: Some(Some(verified_at)),
        preferred_theme: Some("light".into()),
        preferred_language: Some(Language::En),
        watermark_disabled: Some(true),
        password_hash: Some("new-hash".into()),
    };
    let updated = store.update_user(user.id, patch).await.expect("update");
    assert_eq!(updated.username, "frank2");
    assert_eq!(updated.email, "frank2@example.com");
    assert_eq!(updated.phone.as_deref(), Some("13700000000"));
    assert_eq!(updated.display_nickname, "弗兰克");
    assert_eq!(updated.avatar_url.as_deref(), Some("https://example.com/f.png"));
    assert_eq!(updated.role, Role::Admin);
    assert_eq!(updated.membership_tier, Tier::Max);
    assert_eq!(updated.membership_expires_at, Some(until));
    assert!(!updated.is_active);
    assert!(!updated.email_verified);
    assert_eq!(updated.email_verified_at, Some(verified_at));
    assert_eq!(updated.email_bound_at, Some(verified_at));
    assert_eq!(updated.preferred_theme, "light");
    assert_eq!(updated.preferred_language, Language::En);
    assert!(updated.watermark_disabled);
    assert_eq!(updated.password_hash.as_deref(), Some("new-hash"));
    assert_eq!(updated.created_at, user.created_at);
    assert!(updated.updated_at >= user.updated_at);
    assert_eq!(store.user_by_id(user.id).await.unwrap().as_ref(), Some(&updated));

    // Clearing nullable fields; other fields stay.
    let clear = UserPatch {
        phone: Some(None),
        avatar_url: Some(None),
        membership_expires_at: Some(None),
        email_verified_at: Some(None),
        ..Default::default()
    };
    let cleared = store.update_user(user.id, clear).await.expect("clear");
    assert_eq!(cleared.phone, None);
    assert_eq!(cleared.avatar_url, None);
    assert_eq!(cleared.membership_expires_at, None);
    assert_eq!(cleared.email_verified_at, None);
    assert_eq!(cleared.email_bound_at, Some(verified_at));
    assert_eq!(cleared.membership_tier, Tier::Max);
    assert_eq!(cleared.username, "frank2");
    // The old phone is free again.
    let mut g = new_user("Gina");
    g.phone = Some("13700000000".into());
    store.create_user(g, vec![], None).await.expect("phone reusable after clearing");

    // An empty patch changes nothing a user can see.
    let same = store.update_user(user.id, UserPatch::default()).await.expect("empty patch");
    assert_eq!(same.username, cleared.username);
    assert_eq!(same.credits_balance, cleared.credits_balance);

    let e = err(store.update_user(Uuid::new_v4(), UserPatch { is_active: Some(true), ..Default::default() }).await);
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

/// Active admins are counted; the oldest active one is the first admin.
pub async fn admins_count_and_first(store: SharedStore) {
    assert_eq!(store.count_admins().await.unwrap(), 0);
    assert_eq!(store.first_admin().await.unwrap(), None);
    let t0 = now() - Duration::hours(3);
    make_user(&store, "plain").await;

    let mut disabled = new_user_at("old_admin", t0);
    disabled.role = Role::Admin;
    let disabled = store.create_user(disabled, vec![], None).await.unwrap();
    store.update_user(disabled.id, UserPatch { is_active: Some(false), ..Default::default() }).await.unwrap();

    let mut ent = new_user_at("ent_admin", t0 + Duration::hours(1));
    ent.role = Role::EnterpriseAdmin;
    let ent = store.create_user(ent, vec![], None).await.unwrap();
    let mut admin = new_user_at("admin2", t0 + Duration::hours(2));
    admin.role = Role::Admin;
    store.create_user(admin, vec![], None).await.unwrap();

    assert_eq!(store.count_admins().await.unwrap(), 2);
    assert_eq!(store.first_admin().await.unwrap().map(|u| u.id), Some(ent.id));
}

/// The admin list: newest first, paged with a total, searched by substring of e-mail,
/// username, display name or phone (ignoring case, wildcards taken literally) or by id,
/// with the referrer's names and the number of people each user invited.
pub async fn list_users_search_and_pages(store: SharedStore) {
    let t0 = now() - Duration::hours(1);
    let mut ids = Vec::new();
    for i in 0..25 {
        let mut u = new_user_at(&format!("member{i:02}"), t0 + Duration::seconds(i));
        u.phone = Some(format!("1550000{i:04}"));
        ids.push(store.create_user(u, vec![], None).await.expect("create").id);
    }
    let all = store.list_users(None, page(1, 10)).await.unwrap();
    assert_eq!(all.total, 25);
    let names: Vec<_> = all.items.iter().map(|s| s.user.username.clone()).collect();
    let expected: Vec<_> = (15..25).rev().map(|i| format!("member{i:02}")).collect();
    assert_eq!(names, expected);
    let last = store.list_users(None, page(3, 10)).await.unwrap();
    assert_eq!(last.total, 25);
    assert_eq!(last.items.len(), 5);
    assert_eq!(last.items.last().unwrap().user.id, ids[0]);
    assert!(store.list_users(None, page(4, 10)).await.unwrap().items.is_empty());

    let found = store.list_users(Some("MEMBER1"), page(1, 100)).await.unwrap();
    assert_eq!(found.total, 10);
    assert_eq!(found.items.len(), 10);
    assert!(found.items.iter().all(|s| s.user.username.starts_with("member1")));
    let by_mail = store.list_users(Some("member07@EXAMPLE"), page(1, 100)).await.unwrap();
    assert_eq!(by_mail.items.iter().map(|s| s.user.id).collect::<Vec<_>>(), vec![ids[7]]);
    let by_phone = store.list_users(Some("00024"), page(1, 100)).await.unwrap();
    assert_eq!(by_phone.items.iter().map(|s| s.user.id).collect::<Vec<_>>(), vec![ids[24]]);
    let by_id = store.list_users(Some(&ids[3].to_string()), page(1, 100)).await.unwrap();
    assert_eq!((by_id.total, by_id.items[0].user.id), (1, ids[3]));
    assert_eq!(store.list_users(Some("zzz-nothing"), page(1, 10)).await.unwrap().total, 0);

    // Wildcards are literal.
    let mut pct = new_user("percent");
    pct.display_nickname = "百分之100%".into();
    store.create_user(pct, vec![], None).await.unwrap();
    let under = make_user(&store, "under_score").await;
    let p = store.list_users(Some("%"), page(1, 100)).await.unwrap();
    assert_eq!(p.items.iter().map(|s| s.user.username.as_str()).collect::<Vec<_>>(), vec!["percent"]);
    let u = store.list_users(Some("_"), page(1, 100)).await.unwrap();
    assert_eq!(u.items.iter().map(|s| s.user.id).collect::<Vec<_>>(), vec![under.id]);
    let by_nick = store.list_users(Some("百分之"), page(1, 100)).await.unwrap();
    assert_eq!(by_nick.total, 1);

    // Referrer names and invited counts.
    let inviter = make_user(&store, "inviter").await;
    for name in ["invitee_a", "invitee_b"] {
        let nu = new_user(name);
        let r = NewReferral {
            id: Uuid::new_v4(),
            invite_code: inviter.invite_code.clone(),
            inviter_id: inviter.id,
            inviter_bonus: 0,
            invitee_bonus: 0,
        };
        store.create_user(nu, vec![], Some(r)).await.expect("create invitee");
    }
    let list = store.list_users(Some("invite"), page(1, 100)).await.unwrap();
    assert_eq!(list.total, 3);
    for s in &list.items {
        if s.user.id == inviter.id {
            assert_eq!(s.invited_count, 2);
            assert_eq!(s.referred_by_email, None);
        } else {
            assert_eq!(s.invited_count, 0);
            assert_eq!(s.user.referred_by, Some(inviter.id));
            assert_eq!(s.referred_by_email.as_deref(), Some("inviter@example.com"));
            assert_eq!(s.referred_by_nickname.as_deref(), Some("inviter 昵称"));
        }
    }
}

/// Deleting a user removes their sessions, codes, ledger and referrals; redeemed codes
/// stay used but forget the user; invitees forget their inviter.
pub async fn delete_user_cascades(store: SharedStore) {
    let t = now();
    let inviter = make_user_with_credits(&store, "host", 10).await;
    let nu = new_user("guest");
    let guest_id = nu.id;
    let referral = NewReferral {
        id: Uuid::new_v4(),
        invite_code: inviter.invite_code.clone(),
        inviter_id: inviter.id,
        inviter_bonus: 5,
        invitee_bonus: 5,
    };
    let grants = vec![grant(guest_id, 5, LedgerKind::Invite), grant(inviter.id, 5, LedgerKind::Invite)];
    store.create_user(nu, grants, Some(referral)).await.expect("guest");

    let session = Session {
        id: Uuid::new_v4(),
        user_id: guest_id,
        created_at: t,
        expires_at: t + Duration::days(1),
        revoked_at: None,
        ip_address: None,
        user_agent: None,
    };
    store.create_session(session.clone()).await.unwrap();
    let mut code = email_code("guest@example.com", CodePurpose::VerifyEmail, "h", None, t);
    code.user_id = Some(guest_id);
    store.issue_email_code(code, &relaxed_policy()).await.unwrap();
    let body = "DELETEME2345";
    store.insert_redeem_codes(&[credits_code(body, 7, Uuid::new_v4(), t)]).await.unwrap();
    let (used, _) = redeem_at(&store, guest_id, body, t).await.expect("redeem");

    assert!(store.delete_user(guest_id).await.unwrap());
    assert_eq!(store.user_by_id(guest_id).await.unwrap(), None);
    assert_eq!(store.session_user(session.id, t).await.unwrap(), None);
    assert_eq!(ledger_total(&store, guest_id).await, 0);
    assert_eq!(store.referrals_by_inviter(inviter.id, page(1, 10)).await.unwrap().total, 0);
    let row = store.redeem_code(used.id).await.unwrap().expect("code kept");
    assert_eq!(row.code.used_by, None);
    assert_eq!(row.code.used_at, Some(t));
    assert_eq!(row.code.status(t), CodeStatus::Used);
    // The inviter keeps their money and rows.
    assert_eq!(balance(&store, inviter.id).await, 15);
    assert_eq!(ledger_total(&store, inviter.id).await, 2);
    assert!(!store.delete_user(guest_id).await.unwrap());

    // Deleting an inviter leaves the invitee without a referrer.
    let nu = new_user("guest2");
    let guest2 = nu.id;
    let referral = NewReferral {
        id: Uuid::new_v4(),
        invite_code: inviter.invite_code.clone(),
        inviter_id: inviter.id,
        inviter_bonus: 0,
        invitee_bonus: 0,
    };
    store.create_user(nu, vec![], Some(referral)).await.unwrap();
    assert!(store.delete_user(inviter.id).await.unwrap());
    let g2 = store.user_by_id(guest2).await.unwrap().expect("invitee kept");
    assert_eq!(g2.referred_by, None);
    assert_eq!(store.list_referrals(None, page(1, 10)).await.unwrap().total, 0);
}

/// A session is valid until it expires or is revoked, alone or with all of a user's others.
pub async fn sessions_revocation(store: SharedStore) {
    let user = make_user(&store, "sam").await;
    let other = make_user(&store, "olga").await;
    let t = now();
    let session = |user_id: Uuid, expires_at: DateTime<Utc>| Session {
        id: Uuid::new_v4(),
        user_id,
        created_at: t - Duration::minutes(5),
        expires_at,
        revoked_at: None,
        ip_address: Some("203.0.113.9".into()),
        user_agent: Some("contract-test".into()),
    };
    let s1 = session(user.id, t + Duration::days(7));
    let s2 = session(user.id, t + Duration::days(7));
    let s3 = session(user.id, t + Duration::days(7));
    let expired = session(other.id, t - Duration::seconds(1));
    let o1 = session(other.id, t + Duration::days(7));
    for s in [&s1, &s2, &s3, &expired, &o1] {
        store.create_session(s.clone()).await.expect("create session");
    }

    let (got, got_user) = store.session_user(s1.id, t).await.unwrap().expect("live session");
    assert_eq!(got, s1);
    assert_eq!(got_user.id, user.id);
    assert_eq!(store.session_user(expired.id, t).await.unwrap(), None);
    assert_eq!(store.session_user(Uuid::new_v4(), t).await.unwrap(), None);
    // A session is dead once its end has come.
    assert_eq!(store.session_user(s1.id, s1.expires_at).await.unwrap(), None);

    store.revoke_session(s1.id, t).await.unwrap();
    assert_eq!(store.session_user(s1.id, t).await.unwrap(), None);
    store.revoke_session(s1.id, t).await.expect("revoking twice is fine");

    assert_eq!(store.revoke_user_sessions(user.id, Some(s2.id), t).await.unwrap(), 1);
    assert!(store.session_user(s2.id, t).await.unwrap().is_some());
    assert_eq!(store.session_user(s3.id, t).await.unwrap(), None);
    assert_eq!(store.revoke_user_sessions(user.id, None, t).await.unwrap(), 1);
    assert_eq!(store.session_user(s2.id, t).await.unwrap(), None);
    assert_eq!(store.revoke_user_sessions(user.id, None, t).await.unwrap(), 0);
    // Other users are untouched.
    assert!(store.session_user(o1.id, t).await.unwrap().is_some());
}

/// A code verifies once, only for its purpose and before it expires; a newer code
/// replaces older ones; a discarded code is gone.
pub async fn email_code_single_use(store: SharedStore) {
    let policy = relaxed_policy();
    let t = now();
    let mail = "ivy@example.com";
    let lock = Duration::minutes(10);
    store.issue_email_code(email_code(mail, CodePurpose::Register, "hash-1", Some("198.51.100.1"), t), &policy).await.unwrap();

    let check = |purpose, hash: &'static str, at| {
        let store = Arc::clone(&store);
        async move { store.check_email_code(mail, purpose, hash, at, lock).await.unwrap() }
    };
    assert_eq!(check(CodePurpose::ResetPassword, "hash-1", t).await, CodeCheck::Missing);
    assert_eq!(check(CodePurpose::Register, "hash-1", t + Duration::seconds(1)).await, CodeCheck::Valid);
    assert_eq!(check(CodePurpose::Register, "hash-1", t + Duration::seconds(2)).await, CodeCheck::Missing);

    // A newer code replaces the older one.
    let t2 = t + Duration::seconds(10);
    store.issue_email_code(email_code(mail, CodePurpose::ResetPassword, "old", None, t2), &policy).await.unwrap();
    let t3 = t2 + Duration::seconds(1);
    store.issue_email_code(email_code(mail, CodePurpose::ResetPassword, "new", None, t3), &policy).await.unwrap();
    assert_eq!(check(CodePurpose::ResetPassword, "old", t3).await, CodeCheck::Wrong { remaining: 4 });
    assert_eq!(check(CodePurpose::ResetPassword, "new", t3).await, CodeCheck::Valid);

    // Expired.
    let t4 = t3 + Duration::seconds(1);
    let c = email_code(mail, CodePurpose::VerifyEmail, "late", None, t4);
    let expires = c.expires_at;
    store.issue_email_code(c, &policy).await.unwrap();
    assert_eq!(check(CodePurpose::VerifyEmail, "late", expires).await, CodeCheck::Expired);

    // Discarded (the mail could not be sent).
    let t5 = t4 + Duration::seconds(1);
    let c = email_code("jack@example.com", CodePurpose::Register, "sent", None, t5);
    let id = c.id;
    store.issue_email_code(c, &policy).await.unwrap();
    store.discard_email_code(id).await.unwrap();
    let r = store.check_email_code("jack@example.com", CodePurpose::Register, "sent", t5, lock).await.unwrap();
    assert_eq!(r, CodeCheck::Missing);
}

/// Wrong codes count (each attempt is committed though the check fails); the last
/// allowed attempt locks the address, which refuses even the right code and any new
/// code until the lock ends.
pub async fn email_code_lock_persists_after_wrong_attempts(store: SharedStore) {
    let policy = relaxed_policy();
    let t = now();
    let mail = "kate@example.com";
    let lock = Duration::minutes(10);
    let mut c = email_code(mail, CodePurpose::Register, "right", None, t);
    c.max_attempts = 3;
    c.expires_at = t + Duration::hours(2);
    store.issue_email_code(c, &policy).await.unwrap();

    let check = |hash: &'static str, at| {
        let store = Arc::clone(&store);
        async move { store.check_email_code(mail, CodePurpose::Register, hash, at, lock).await.unwrap() }
    };
    assert_eq!(check("bad", t).await, CodeCheck::Wrong { remaining: 2 });
    assert_eq!(check("bad", t).await, CodeCheck::Wrong { remaining: 1 });
    assert_eq!(check("bad", t).await, CodeCheck::Locked { until: t + lock });
    assert_eq!(check("right", t + Duration::minutes(1)).await, CodeCheck::Locked { until: t + lock });

    let later = t + Duration::minutes(2);
    let e = assert_err(
        store.issue_email_code(email_code(mail, CodePurpose::Register, "again", None, later), &policy).await,
        ErrorKind::RateLimited,
        "code_locked",
    );
    assert_eq!(e.status(), 429);
    let wait = e.retry_after.expect("retry_after");
    assert!((479..=481).contains(&wait), "retry_after {wait}");
    // The lock covers the address, whatever the purpose.
    assert_err(
        store.issue_email_code(email_code(mail, CodePurpose::ResetPassword, "again", None, later), &policy).await,
        ErrorKind::RateLimited,
        "code_locked",
    );
    // Checking a code of another purpose meets the same lock.
    let other = store.check_email_code(mail, CodePurpose::ResetPassword, "right", later, lock).await.unwrap();
    assert_eq!(other, CodeCheck::Locked { until: t + lock });
    // Other addresses are not locked.
    store.issue_email_code(email_code("leo@example.com", CodePurpose::Register, "x", None, later), &policy).await.unwrap();

    // After the lock a new code can be issued and verified.
    let after = t + lock + Duration::seconds(1);
    store.issue_email_code(email_code(mail, CodePurpose::Register, "fresh", None, after), &policy).await.unwrap();
    assert_eq!(check("fresh", after).await, CodeCheck::Valid);
}

/// One code per address per resend interval; at most `ip_max` codes per IP per window;
/// refusals are 429 with a wait and store nothing.
pub async fn email_code_cooldown_and_ip_limit(store: SharedStore) {
    let policy = IssuePolicy::default();
    let t = now();
    let ip = Some("192.0.2.10");
    let issue = |mail: &'static str, hash: &'static str, ip: Option<&'static str>, at| {
        let store = Arc::clone(&store);
        async move { store.issue_email_code(email_code(mail, CodePurpose::Register, hash, ip, at), &policy).await }
    };

    issue("mia@example.com", "first", ip, t).await.unwrap();
    let e = assert_err(
        issue("mia@example.com", "second", Some("192.0.2.99"), t + Duration::seconds(10)).await,
        ErrorKind::RateLimited,
        "code_cooldown",
    );
    assert_eq!(e.status(), 429);
    let wait = e.retry_after.expect("retry_after");
    assert!((49..=51).contains(&wait), "retry_after {wait}");
    // The refused code was not stored: the first one still verifies.
    let lock = Duration::minutes(10);
    let r = store.check_email_code("mia@example.com", CodePurpose::Register, "first", t + Duration::seconds(11), lock);
    assert_eq!(r.await.unwrap(), CodeCheck::Valid);
    // The interval covers every purpose of the address.
    let c = email_code("mia@example.com", CodePurpose::ResetPassword, "r", None, t + Duration::seconds(20));
    assert_err(store.issue_email_code(c, &policy).await, ErrorKind::RateLimited, "code_cooldown");
    issue("mia@example.com", "third", None, t + Duration::seconds(61)).await.expect("after the interval");

    // The IP already sent one code; two more fit, the fourth in the window does not.
    issue("ned@example.com", "n", ip, t + Duration::seconds(1)).await.unwrap();
    issue("ola@example.com", "o", ip, t + Duration::seconds(2)).await.unwrap();
    let e = assert_err(issue("pia@example.com", "p", ip, t + Duration::seconds(3)).await, ErrorKind::RateLimited, "ip_rate_limited");
    assert!(e.retry_after.is_some_and(|w| (1..=60).contains(&w)), "retry_after {:?}", e.retry_after);
    // Another IP, or no IP, is not limited by it.
    issue("pia@example.com", "p", Some("192.0.2.11"), t + Duration::seconds(4)).await.unwrap();
    issue("quinn@example.com", "q", None, t + Duration::seconds(5)).await.unwrap();
    // A later window admits the IP again.
    issue("rosa@example.com", "r", ip, t + Duration::seconds(70)).await.expect("next window");
}

/// Credits never go below zero: a debit larger than the balance fails with 402 and
/// changes nothing; each change writes one row with the balance after it.
pub async fn ledger_never_negative(store: SharedStore) {
    let user = make_user(&store, "tom").await;
    let e = store.apply_grant(grant(user.id, 10, LedgerKind::Admin)).await.unwrap();
    assert_eq!((e.amount, e.balance_after, e.kind, e.user_id), (10, 10, LedgerKind::Admin, user.id));
    assert_eq!(e.description, "admin 10");
    let e = store.apply_grant(grant(user.id, -3, LedgerKind::Consume)).await.unwrap();
    assert_eq!((e.amount, e.balance_after), (-3, 7));

    let x = assert_err(
        store.apply_grant(grant(user.id, -8, LedgerKind::Consume)).await,
        ErrorKind::InsufficientCredits,
        "insufficient_credits",
    );
    assert_eq!(x.status(), 402);
    assert_eq!(balance(&store, user.id).await, 7);
    assert_eq!(ledger_total(&store, user.id).await, 2);

    let e = store.apply_grant(grant(user.id, -7, LedgerKind::Consume)).await.unwrap();
    assert_eq!(e.balance_after, 0);
    assert_err(store.apply_grant(grant(user.id, -1, LedgerKind::Consume)).await, ErrorKind::InsufficientCredits, "insufficient_credits");
    let e = store.apply_grant(grant(user.id, 4, LedgerKind::Refund)).await.unwrap();
    assert_eq!(e.balance_after, 4);
    assert_eq!(balance(&store, user.id).await, 4);
    assert_eq!(ledger_total(&store, user.id).await, 4);

    let missing = err(store.apply_grant(grant(Uuid::new_v4(), 5, LedgerKind::Admin)).await);
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
}

/// A user's ledger pages newest first, with a total, and only their own rows.
pub async fn ledger_pages_newest_first(store: SharedStore) {
    let user = make_user(&store, "uma").await;
    let other = make_user_with_credits(&store, "vic", 3).await;
    let kinds = [LedgerKind::Gift, LedgerKind::Invite, LedgerKind::Redeem, LedgerKind::Refund, LedgerKind::Admin];
    for i in 1..=12 {
        store.apply_grant(grant(user.id, i, kinds[(i as usize) % kinds.len()])).await.unwrap();
    }
    let first = store.ledger_page(user.id, page(1, 5)).await.unwrap();
    assert_eq!(first.total, 12);
    assert_eq!(first.items.iter().map(|e| e.amount).collect::<Vec<_>>(), vec![12, 11, 10, 9, 8]);
    assert_eq!(first.items[0].balance_after, 78);
    assert_eq!(first.items[0].kind, kinds[12 % kinds.len()]);
    assert_eq!(first.items[0].description, format!("{} 12", kinds[12 % kinds.len()].as_str()));
    assert!(first.items.windows(2).all(|w| w[0].created_at >= w[1].created_at));
    let third = store.ledger_page(user.id, page(3, 5)).await.unwrap();
    assert_eq!(third.items.iter().map(|e| (e.amount, e.balance_after)).collect::<Vec<_>>(), vec![(2, 3), (1, 1)]);
    assert!(store.ledger_page(user.id, page(4, 5)).await.unwrap().items.is_empty());
    let theirs = store.ledger_page(other.id, page(1, 50)).await.unwrap();
    assert_eq!(theirs.total, 1);
    assert!(theirs.items.iter().all(|e| e.user_id == other.id));
    assert_eq!(store.ledger_page(Uuid::new_v4(), page(1, 5)).await.unwrap().total, 0);
}

/// Thirty concurrent debits of 1 against a balance of 10: exactly ten succeed.
pub async fn concurrent_debits_never_overdraw(store: SharedStore) {
    let user = make_user_with_credits(&store, "wes", 10).await;
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let store = Arc::clone(&store);
            let id = user.id;
            tokio::spawn(async move { store.apply_grant(grant(id, -1, LedgerKind::Consume)).await })
        })
        .collect();
    let mut ok = 0;
    let mut afters = BTreeSet::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(e) => {
                ok += 1;
                afters.insert(e.balance_after);
            }
            Err(e) => assert_eq!(e.code, "insufficient_credits", "{e}"),
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(afters, (0..10).collect::<BTreeSet<_>>(), "each debit saw its own balance");
    assert_eq!(balance(&store, user.id).await, 0);
    let rows = store.ledger_page(user.id, page(1, 100)).await.unwrap();
    assert_eq!(rows.items.iter().filter(|e| e.kind == LedgerKind::Consume).count(), 10);
    assert_eq!(rows.total, 11);
}

/// Overlapping charges and grants for one user: walking the ledger newest → oldest reproduces
/// every `balance_after` (each is the older row's plus its own amount), the newest is the
/// current balance and the oldest is the first grant alone (issue 15, defect 2).
pub async fn ledger_order_follows_balance_changes(store: SharedStore) {
    let user = make_user_with_credits(&store, "lea", 500).await;
    for _round in 0..3 {
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let store = Arc::clone(&store);
                let (amount, kind) = if i % 3 == 0 { (5, LedgerKind::Refund) } else { (-3, LedgerKind::Consume) };
                tokio::spawn(async move { store.apply_grant(grant(user.id, amount, kind)).await })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("grant applied");
        }
    }
    let rows = store.ledger_page(user.id, page(1, 100)).await.unwrap();
    assert_eq!(rows.total, 97);
    let items = rows.items;
    assert_eq!(items[0].balance_after, balance(&store, user.id).await, "the newest row carries the current balance");
    for w in items.windows(2) {
        assert_eq!(
            w[0].balance_after,
            w[1].balance_after + w[0].amount,
            "row {:?} does not follow the older row {:?}",
            (w[0].amount, w[0].balance_after),
            (w[1].amount, w[1].balance_after)
        );
    }
    let oldest = items.last().unwrap();
    assert_eq!((oldest.amount, oldest.balance_after, oldest.kind), (500, 500, LedgerKind::Gift));
}

/// Registration inserts the user, their grants and the referral together — or, when any
/// part fails (disabled or missing inviter, a failing grant, a taken e-mail), nothing.
pub async fn registration_grants_and_referral_atomic(store: SharedStore) {
    let inviter = make_user(&store, "xena").await;
    let referral = |inviter: &User| NewReferral {
        id: Uuid::new_v4(),
        invite_code: inviter.invite_code.clone(),
        inviter_id: inviter.id,
        inviter_bonus: 30,
        invitee_bonus: 20,
    };
    let with_grants = |nu: &NewUser, inviter_id: Uuid| {
        vec![
            Grant { user_id: nu.id, amount: 50, kind: LedgerKind::Gift, description: "注册赠送".into() },
            Grant { user_id: nu.id, amount: 20, kind: LedgerKind::Invite, description: "邀请奖励".into() },
            Grant { user_id: inviter_id, amount: 30, kind: LedgerKind::Invite, description: "邀请奖励".into() },
        ]
    };

    let nu = new_user("yuri");
    let grants = with_grants(&nu, inviter.id);
    let yuri = store.create_user(nu, grants, Some(referral(&inviter))).await.expect("register with referral");
    assert_eq!(yuri.credits_balance, 70);
    assert_eq!(yuri.referred_by, Some(inviter.id));
    assert_eq!(balance(&store, inviter.id).await, 30);
    assert_eq!(ledger_total(&store, yuri.id).await, 2);
    let refs = store.referrals_by_inviter(inviter.id, page(1, 10)).await.unwrap();
    assert_eq!(refs.total, 1);
    let r = &refs.items[0];
    assert_eq!((r.invitee_id, r.inviter_bonus, r.invitee_bonus), (yuri.id, 30, 20));
    assert_eq!(r.invite_code, inviter.invite_code);

    // A disabled inviter: nothing is created, nobody is paid.
    store.update_user(inviter.id, UserPatch { is_active: Some(false), ..Default::default() }).await.unwrap();
    let nu = new_user("zane");
    let id = nu.id;
    let grants = with_grants(&nu, inviter.id);
    assert_err(store.create_user(nu, grants, Some(referral(&inviter))).await, ErrorKind::Conflict, "invite_invalid");
    assert_eq!(store.user_by_id(id).await.unwrap(), None);
    assert_eq!(store.user_by_email("zane@example.com").await.unwrap(), None);
    assert_eq!(balance(&store, inviter.id).await, 30);
    assert_eq!(ledger_total(&store, inviter.id).await, 1);
    assert_eq!(store.list_referrals(None, page(1, 10)).await.unwrap().total, 1);

    // A missing inviter.
    let ghost = User { id: Uuid::new_v4(), invite_code: "MJGHOST".into(), ..yuri.clone() };
    let nu = new_user("zane");
    let grants = vec![grant(nu.id, 50, LedgerKind::Gift)];
    assert_err(store.create_user(nu, grants, Some(referral(&ghost))).await, ErrorKind::Conflict, "invite_invalid");
    assert_eq!(store.user_by_email("zane@example.com").await.unwrap(), None);

    // A grant that cannot apply undoes the whole registration.
    store.update_user(inviter.id, UserPatch { is_active: Some(true), ..Default::default() }).await.unwrap();
    let nu = new_user("zane");
    let grants = vec![
        grant(inviter.id, 30, LedgerKind::Invite),
        Grant { user_id: nu.id, amount: -5, kind: LedgerKind::Consume, description: "overdraw".into() },
    ];
    let r = store.create_user(nu, grants, Some(referral(&inviter))).await;
    assert_err(r, ErrorKind::InsufficientCredits, "insufficient_credits");
    assert_eq!(store.user_by_email("zane@example.com").await.unwrap(), None);
    assert_eq!(balance(&store, inviter.id).await, 30);
    assert_eq!(store.list_referrals(None, page(1, 10)).await.unwrap().total, 1);

    // A taken e-mail with a valid referral: no referral row, no reward.
    let mut nu = new_user("zane");
    nu.email = "yuri@example.com".into();
    let grants = with_grants(&nu, inviter.id);
    assert_err(store.create_user(nu, grants, Some(referral(&inviter))).await, ErrorKind::Conflict, "email_taken");
    assert_eq!(balance(&store, inviter.id).await, 30);
    assert_eq!(store.referrals_by_inviter(inviter.id, page(1, 10)).await.unwrap().total, 1);

    // And a clean registration still works.
    let nu = new_user("zane");
    let grants = with_grants(&nu, inviter.id);
    let zane = store.create_user(nu, grants, Some(referral(&inviter))).await.expect("zane");
    assert_eq!(zane.credits_balance, 70);
    assert_eq!(balance(&store, inviter.id).await, 60);
}

/// Credit codes add credits through the ledger; membership codes set the tier and end;
/// a code works once; the result carries the used code and the updated user.
pub async fn redeem_credits_and_membership(store: SharedStore) {
    let user = make_user(&store, "amy").await;
    let t = now();
    let batch = Uuid::new_v4();
    store
        .insert_redeem_codes(&[
            credits_code("CREDITS23456", 100, batch, t),
            membership_code("PROMONTH2345", Tier::Pro, 30, DurationUnit::Day, batch, t),
            membership_code("ULTRAYEAR234", Tier::Ultra, 1, DurationUnit::Month, batch, t),
        ])
        .await
        .unwrap();

    let (code, after) = redeem_at(&store, user.id, "CREDITS23456", t).await.expect("redeem credits");
    assert_eq!(code.normalized_code, "CREDITS23456");
    assert_eq!((code.used_by, code.used_at), (Some(user.id), Some(t)));
    assert_eq!(after.id, user.id);
    assert_eq!(after.credits_balance, 100);
    assert_eq!(balance(&store, user.id).await, 100);
    let rows = store.ledger_page(user.id, page(1, 10)).await.unwrap();
    assert_eq!(rows.total, 1);
    let row = &rows.items[0];
    assert_eq!((row.amount, row.balance_after, row.kind), (100, 100, LedgerKind::Redeem));
    assert!(row.description.contains(&display_code("CREDITS23456")), "description {}", row.description);

    assert_err(redeem_at(&store, user.id, "CREDITS23456", t).await, ErrorKind::Conflict, "code_used");
    assert_eq!(balance(&store, user.id).await, 100);
    assert_err(redeem_at(&store, user.id, "NOSUCHCODE23", t).await, ErrorKind::NotFound, "code_not_found");

    let (_, after) = redeem_at(&store, user.id, "PROMONTH2345", t).await.expect("redeem membership");
    assert_eq!(after.membership_tier, Tier::Pro);
    assert_eq!(after.membership_expires_at, Some(t + Duration::days(30)));
    assert_eq!(after.credits_balance, 100);
    let stored = store.user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!((stored.membership_tier, stored.membership_expires_at), (Tier::Pro, Some(t + Duration::days(30))));

    let t2 = t + Duration::days(1);
    let (_, after) = redeem_at(&store, user.id, "ULTRAYEAR234", t2).await.expect("upgrade");
    assert_eq!(after.membership_tier, Tier::Ultra);
    assert_eq!(after.membership_expires_at, Some(DurationUnit::Month.add(t2, 1).unwrap()));

    let row = store.redeem_code(code.id).await.unwrap().expect("row");
    assert_eq!(row.code.used_by, Some(user.id));
    assert_eq!(row.used_by_email.as_deref(), Some("amy@example.com"));
    assert_eq!(row.used_by_name.as_deref(), Some("amy 昵称"));
    assert_eq!(ledger_total(&store, user.id).await, 1);
}

/// Refused redemptions (downgrade, revoked, expired, disabled user, missing user) leave
/// the code unused and the user unchanged.
pub async fn redeem_refusals_change_nothing(store: SharedStore) {
    let t = now();
    let batch = Uuid::new_v4();
    let mut revoked = credits_code("REVOKED23456", 5, batch, t);
    revoked.is_active = false;
    let mut expired = credits_code("EXPIRED23456", 5, batch, t);
    expired.expires_at = Some(t - Duration::seconds(1));
    store
        .insert_redeem_codes(&[
            revoked,
            expired,
            membership_code("MAXCODE23456", Tier::Max, 1, DurationUnit::Month, batch, t),
            membership_code("PROCODE23456", Tier::Pro, 1, DurationUnit::Month, batch, t),
            credits_code("GOODCODE2345", 9, batch, t),
        ])
        .await
        .unwrap();

    let user = make_user(&store, "ben").await;
    redeem_at(&store, user.id, "MAXCODE23456", t).await.expect("max");
    let before = store.user_by_id(user.id).await.unwrap().unwrap();
    assert_err(redeem_at(&store, user.id, "PROCODE23456", t).await, ErrorKind::Conflict, "membership_downgrade");
    assert_err(redeem_at(&store, user.id, "REVOKED23456", t).await, ErrorKind::Conflict, "code_revoked");
    assert_err(redeem_at(&store, user.id, "EXPIRED23456", t).await, ErrorKind::Conflict, "code_expired");
    assert_eq!(store.user_by_id(user.id).await.unwrap().unwrap(), before);
    assert_eq!(ledger_total(&store, user.id).await, 0);

    let disabled = make_user(&store, "cal").await;
    store.update_user(disabled.id, UserPatch { is_active: Some(false), ..Default::default() }).await.unwrap();
    assert_err(redeem_at(&store, disabled.id, "GOODCODE2345", t).await, ErrorKind::Forbidden, "account_disabled");
    assert_eq!(balance(&store, disabled.id).await, 0);
    let missing = err(redeem_at(&store, Uuid::new_v4(), "GOODCODE2345", t).await);
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");

    let all = store.list_redeem_codes(&RedeemFilter::default(), page(1, 50)).await.unwrap();
    let used: Vec<_> = all.items.iter().filter(|r| r.code.used_at.is_some()).map(|r| r.code.normalized_code.as_str()).collect();
    assert_eq!(used, vec!["MAXCODE23456"]);
    // The good code still works for an active user.
    redeem_at(&store, user.id, "GOODCODE2345", t).await.expect("good code");
    assert_eq!(balance(&store, user.id).await, 9);
}

/// Fifty concurrent redemptions of one code by ten users: exactly one succeeds and the
/// credits are paid once.
pub async fn redeem_concurrent_single_success(store: SharedStore) {
    let t = now();
    store.insert_redeem_codes(&[credits_code("RACECODE2345", 10, Uuid::new_v4(), t)]).await.unwrap();
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(make_user(&store, &format!("racer{i}")).await.id);
    }
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = Arc::clone(&store);
            let user_id = users[i % users.len()];
            tokio::spawn(async move { redeem_at(&store, user_id, "RACECODE2345", t).await })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok((code, user)) => winners.push((code.used_by, user.id)),
            Err(e) => assert_eq!((e.kind, e.code.as_ref()), (ErrorKind::Conflict, "code_used"), "{e}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one redemption succeeds");
    let (used_by, winner) = winners[0];
    assert_eq!(used_by, Some(winner));
    let mut paid = 0;
    let mut rows = 0;
    for id in &users {
        paid += balance(&store, *id).await;
        rows += ledger_total(&store, *id).await;
    }
    assert_eq!((paid, rows), (10, 1));
    assert_eq!(balance(&store, winner).await, 10);
}

/// The admin list of codes: newest first, filtered by status, batch and search (body in
/// any written form, note), with creator and user e-mails; revoke and re-enable; only
/// unused codes can be deleted; a batch with a taken body inserts nothing.
pub async fn redeem_code_admin_ops(store: SharedStore) {
    let admin = make_user(&store, "root").await;
    let user = make_user(&store, "dora").await;
    let t = now() - Duration::minutes(10);
    let batch_a = Uuid::new_v4();
    let batch_b = Uuid::new_v4();
    let mut a = vec![
        credits_code("AAAA2222BBBB", 10, batch_a, t),
        credits_code("AAAA3333CCCC", 20, batch_a, t + Duration::seconds(1)),
        credits_code("AAAA4444DDDD", 30, batch_a, t + Duration::seconds(2)),
    ];
    for c in &mut a {
        c.created_by = Some(admin.id);
        c.note = "春节活动".into();
    }
    a[2].expires_at = Some(t + Duration::seconds(30));
    let mut b = vec![
        membership_code("BBBB2222EEEE", Tier::Pro, 7, DurationUnit::Day, batch_b, t + Duration::seconds(3)),
        membership_code("BBBB3333FFFF", Tier::Max, 1, DurationUnit::Year, batch_b, t + Duration::seconds(4)),
    ];
    b[1].is_active = false;
    b[1].note = "vip gift".into();
    store.insert_redeem_codes(&a).await.unwrap();
    store.insert_redeem_codes(&b).await.unwrap();

    // A batch colliding with an existing body inserts nothing.
    let clash = [credits_code("NEWCODE23456", 5, Uuid::new_v4(), t), credits_code("AAAA2222BBBB", 5, Uuid::new_v4(), t)];
    assert_err(store.insert_redeem_codes(&clash).await, ErrorKind::Conflict, "code_collision");
    let filter = RedeemFilter { search: Some("NEWCODE".into()), ..Default::default() };
    assert_eq!(store.list_redeem_codes(&filter, page(1, 10)).await.unwrap().total, 0);

    let at = t + Duration::minutes(5);
    redeem_at(&store, user.id, "AAAA3333CCCC", at).await.expect("redeem one");

    let list = |filter: RedeemFilter| {
        let store = Arc::clone(&store);
        async move {
            let filter = RedeemFilter { now: Some(at), ..filter };
            let p = store.list_redeem_codes(&filter, page(1, 50)).await.unwrap();
            assert_eq!(p.total as usize, p.items.len());
            p.items.into_iter().map(|r| r.code.normalized_code).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(RedeemFilter::default()).await, vec!["BBBB3333FFFF", "BBBB2222EEEE", "AAAA4444DDDD", "AAAA3333CCCC", "AAAA2222BBBB"]);
    let status = |s| RedeemFilter { status: Some(s), ..Default::default() };
    assert_eq!(list(status(CodeStatus::Unused)).await, vec!["BBBB2222EEEE", "AAAA2222BBBB"]);
    assert_eq!(list(status(CodeStatus::Used)).await, vec!["AAAA3333CCCC"]);
    assert_eq!(list(status(CodeStatus::Revoked)).await, vec!["BBBB3333FFFF"]);
    assert_eq!(list(status(CodeStatus::Expired)).await, vec!["AAAA4444DDDD"]);
    let batch = |id| RedeemFilter { batch_id: Some(id), ..Default::default() };
    assert_eq!(list(batch(batch_b)).await, vec!["BBBB3333FFFF", "BBBB2222EEEE"]);
    assert_eq!(list(RedeemFilter { batch_id: Some(batch_a), ..status(CodeStatus::Unused) }).await, vec!["AAAA2222BBBB"]);
    let search = |s: &str| RedeemFilter { search: Some(s.into()), ..Default::default() };
    assert_eq!(list(search("MJ-AAAA-2222-BBBB")).await, vec!["AAAA2222BBBB"]);
    assert_eq!(list(search("aaaa2222bbbb")).await, vec!["AAAA2222BBBB"]);
    assert_eq!(list(search("3333")).await, vec!["BBBB3333FFFF", "AAAA3333CCCC"]);
    assert_eq!(list(search("春节")).await.len(), 3);
    assert_eq!(list(search("VIP")).await, vec!["BBBB3333FFFF"]);
    assert!(list(search("%")).await.is_empty());

    let rows = store.list_redeem_codes(&RedeemFilter::default(), page(2, 2)).await.unwrap();
    assert_eq!(rows.total, 5);
    assert_eq!(rows.items.len(), 2);
    assert_eq!(rows.items[0].code.normalized_code, "AAAA4444DDDD");
    let used = store.list_redeem_codes(&status(CodeStatus::Used), page(1, 5)).await.unwrap().items.remove(0);
    assert_eq!(used.created_by_email.as_deref(), Some("root@example.com"));
    assert_eq!(used.used_by_email.as_deref(), Some("dora@example.com"));
    assert_eq!(used.used_by_name.as_deref(), Some("dora 昵称"));
    assert_eq!(used.code.grant, CodeGrant::Credits(20));
    let m = store.redeem_code(b[0].id).await.unwrap().expect("membership row");
    assert_eq!(m.code, b[0]);
    assert_eq!(m.used_by_email, None);

    // Revoke and re-enable.
    let revoked = store.set_redeem_code_active(a[0].id, false).await.unwrap().expect("revoked");
    assert!(!revoked.code.is_active);
    assert_eq!(revoked.code.status(at), CodeStatus::Revoked);
    assert_err(redeem_at(&store, user.id, "AAAA2222BBBB", at).await, ErrorKind::Conflict, "code_revoked");
    let back = store.set_redeem_code_active(a[0].id, true).await.unwrap().expect("re-enabled");
    assert_eq!(back.code.status(at), CodeStatus::Unused);
    assert_eq!(store.set_redeem_code_active(Uuid::new_v4(), false).await.unwrap(), None);
    assert_eq!(store.redeem_code(Uuid::new_v4()).await.unwrap(), None);

    // Only unused codes can be deleted.
    assert!(!store.delete_unused_redeem_code(a[1].id).await.unwrap());
    assert!(store.redeem_code(a[1].id).await.unwrap().is_some());
    assert!(store.delete_unused_redeem_code(a[0].id).await.unwrap());
    assert_eq!(store.redeem_code(a[0].id).await.unwrap(), None);
    assert!(!store.delete_unused_redeem_code(a[0].id).await.unwrap());
    assert_err(redeem_at(&store, user.id, "AAAA2222BBBB", at).await, ErrorKind::NotFound, "code_not_found");
}

/// Referrals by inviter and in the admin list: newest first, with both parties' names,
/// searchable by either party or by the code.
pub async fn referral_listing(store: SharedStore) {
    let t0 = now() - Duration::hours(1);
    let alpha = make_user(&store, "alpha").await;
    let beta = make_user(&store, "beta").await;
    let mut invitees = Vec::new();
    for (i, (inviter, name)) in
        [(&alpha, "kid_one"), (&alpha, "kid_two"), (&beta, "kid_three"), (&alpha, "kid_four")].into_iter().enumerate()
    {
        let nu = new_user_at(name, t0 + Duration::seconds(i as i64));
        let r = NewReferral {
            id: Uuid::new_v4(),
            invite_code: inviter.invite_code.clone(),
            inviter_id: inviter.id,
            inviter_bonus: 10,
            invitee_bonus: 5,
        };
        let grants = vec![grant(nu.id, 5, LedgerKind::Invite), grant(inviter.id, 10, LedgerKind::Invite)];
        invitees.push(store.create_user(nu, grants, Some(r)).await.expect("invitee"));
    }

    let mine = store.referrals_by_inviter(alpha.id, page(1, 2)).await.unwrap();
    assert_eq!(mine.total, 3);
    let names: Vec<_> = mine.items.iter().map(|r| r.invitee_nickname.clone().unwrap_or_default()).collect();
    assert_eq!(names, vec!["kid_four 昵称", "kid_two 昵称"]);
    let r = &mine.items[0];
    assert_eq!(r.inviter_id, alpha.id);
    assert_eq!(r.invitee_id, invitees[3].id);
    assert_eq!((r.inviter_bonus, r.invitee_bonus), (10, 5));
    assert_eq!(r.inviter_email.as_deref(), Some("alpha@example.com"));
    assert_eq!(r.inviter_nickname.as_deref(), Some("alpha 昵称"));
    assert_eq!(r.invitee_email.as_deref(), Some("kid_four@example.com"));
    let rest = store.referrals_by_inviter(alpha.id, page(2, 2)).await.unwrap();
    assert_eq!(rest.items.iter().map(|r| r.invitee_id).collect::<Vec<_>>(), vec![invitees[0].id]);
    assert_eq!(balance(&store, alpha.id).await, 30);

    let all = store.list_referrals(None, page(1, 10)).await.unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(all.items[0].invitee_id, invitees[3].id);
    let search = |s: &'static str| {
        let store = Arc::clone(&store);
        async move {
            let p = store.list_referrals(Some(s), page(1, 10)).await.unwrap();
            assert_eq!(p.total as usize, p.items.len());
            p.items.into_iter().map(|r| r.invitee_id).collect::<Vec<_>>()
        }
    };
    assert_eq!(search("KID_THREE@").await, vec![invitees[2].id]);
    assert_eq!(search("beta").await, vec![invitees[2].id]);
    assert_eq!(search("alpha 昵").await.len(), 3);
    assert_eq!(search("kid_t").await, vec![invitees[2].id, invitees[1].id]);
    let code = beta.invite_code.to_lowercase();
    let by_code = store.list_referrals(Some(&code), page(1, 10)).await.unwrap();
    assert_eq!(by_code.items.iter().map(|r| r.invitee_id).collect::<Vec<_>>(), vec![invitees[2].id]);
    assert!(search("nobody-here").await.is_empty());
}

/// Settings store JSON documents by key; the visit counter counts every concurrent hit.
pub async fn settings_roundtrip_and_visits(store: SharedStore) {
    assert_eq!(store.get_setting("site").await.unwrap(), None);
    let v1 = json!({"name": "妙境", "features": ["gallery", "video"], "limits": {"daily": 20}, "open": true});
    store.put_setting("site", &v1).await.unwrap();
    assert_eq!(store.get_setting("site").await.unwrap(), Some(v1));
    let v2 = json!({"name": "MiaoJing", "open": false, "ratio": 1.5});
    store.put_setting("site", &v2).await.unwrap();
    assert_eq!(store.get_setting("site").await.unwrap(), Some(v2.clone()));
    store.put_setting("plain", &json!("text")).await.unwrap();
    assert_eq!(store.get_setting("plain").await.unwrap(), Some(json!("text")));
    assert_eq!(store.get_setting("site").await.unwrap(), Some(v2));

    assert_eq!(store.visits().await.unwrap(), 0);
    assert_eq!(store.increment_visits().await.unwrap(), 1);
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.increment_visits().await })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for t in tasks {
        seen.insert(t.await.expect("task").expect("increment"));
    }
    assert_eq!(seen, (2..=41).collect::<BTreeSet<_>>());
    assert_eq!(store.visits().await.unwrap(), 41);
}

/// Announcements list newest first; with a time, only active ones inside their window.
pub async fn announcements_window(store: SharedStore) {
    let t = now();
    let make = |title: &str, offset: i64, active: bool, starts: Option<i64>, ends: Option<i64>| Announcement {
        id: Uuid::new_v4(),
        title: title.to_string(),
        content: format!("{title} 内容"),
        kind: "site".into(),
        is_active: active,
        popup: title == "always",
        starts_at: starts.map(|h| t + Duration::hours(h)),
        expires_at: ends.map(|h| t + Duration::hours(h)),
        created_by: None,
        created_at: t - Duration::minutes(10 - offset),
        updated_at: t - Duration::minutes(10 - offset),
    };
    let always = make("always", 0, true, None, None);
    let future = make("future", 1, true, Some(1), None);
    let past = make("past", 2, true, None, Some(-1));
    let off = make("off", 3, false, None, None);
    let window = make("window", 4, true, Some(-1), Some(1));
    for a in [&always, &future, &past, &off, &window] {
        store.create_announcement(a.clone()).await.unwrap();
    }

    let all = store.list_announcements(None).await.unwrap();
    assert_eq!(all.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), vec!["window", "off", "past", "future", "always"]);
    assert_eq!(all[4], always);
    let visible = store.list_announcements(Some(t)).await.unwrap();
    assert_eq!(visible.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), vec!["window", "always"]);
    assert!(visible.iter().all(|a| a.is_visible_at(t)));

    let later = t + Duration::minutes(1);
    let patch = AnnouncementPatch { starts_at: Some(None), title: Some("now".into()), ..Default::default() };
    let updated = store.update_announcement(future.id, patch, later).await.unwrap().expect("updated");
    assert_eq!((updated.title.as_str(), updated.starts_at, updated.updated_at), ("now", None, later));
    assert_eq!(updated.content, future.content);
    assert_eq!(updated.created_at, future.created_at);
    let patch = AnnouncementPatch { is_active: Some(true), popup: Some(true), ..Default::default() };
    store.update_announcement(off.id, patch, later).await.unwrap().expect("updated");
    let visible = store.list_announcements(Some(t)).await.unwrap();
    assert_eq!(visible.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), vec!["window", "off", "now", "always"]);
    let patch = AnnouncementPatch { content: Some("x".into()), ..Default::default() };
    assert_eq!(store.update_announcement(Uuid::new_v4(), patch, later).await.unwrap(), None);

    assert!(store.delete_announcement(past.id).await.unwrap());
    assert!(!store.delete_announcement(past.id).await.unwrap());
    assert_eq!(store.list_announcements(None).await.unwrap().len(), 4);
}

/// Logs filter by kind, level, user, keyword and time, page newest first, and purge by age.
pub async fn logs_filter_and_purge(store: SharedStore) {
    let t = now() - Duration::days(10);
    let alice = Uuid::new_v4();
    let root = Uuid::new_v4();
    let entry = |i: i64, kind: &str, level: &str, action: &str, user: Option<(Uuid, &str, &str)>| LogEntry {
        id: Uuid::new_v4(),
        kind: kind.into(),
        level: level.into(),
        action: action.into(),
        message: format!("message {action} {i}"),
        user_id: user.map(|(id, _, _)| id),
        user_name: user.map(|(_, n, _)| n.to_string()),
        user_email: user.map(|(_, _, e)| e.to_string()),
        target_type: Some("user".into()),
        target_id: Some(format!("target-{i}")),
        ip_address: Some("203.0.113.1".into()),
        user_agent: None,
        metadata: json!({"i": i, "tags": ["a", "b"]}),
        created_at: t + Duration::days(i),
    };
    let alice_u = Some((alice, "alice", "alice@example.com"));
    let entries = vec![
        entry(0, "auth", "info", "login", alice_u),
        entry(1, "auth", "warning", "login_failed", None),
        entry(2, "admin", "info", "grant_credits", Some((root, "root", "root@example.com"))),
        entry(3, "security", "error", "token_reuse", alice_u),
        entry(4, "system", "info", "startup", None),
        entry(5, "auth", "info", "logout", alice_u),
    ];
    for e in &entries {
        store.insert_log(e.clone()).await.unwrap();
    }

    let list = |filter: LogFilter| {
        let store = Arc::clone(&store);
        async move {
            let p = store.list_logs(&filter, page(1, 50)).await.unwrap();
            assert_eq!(p.total as usize, p.items.len());
            p.items.into_iter().map(|e| e.action).collect::<Vec<_>>()
        }
    };
    let all = store.list_logs(&LogFilter::default(), page(1, 50)).await.unwrap();
    assert_eq!(all.total, 6);
    assert_eq!(all.items[0], entries[5]);
    assert_eq!(all.items[5], entries[0]);
    assert_eq!(list(LogFilter { kind: Some("auth".into()), ..Default::default() }).await, vec!["logout", "login_failed", "login"]);
    assert_eq!(list(LogFilter { level: Some("error".into()), ..Default::default() }).await, vec!["token_reuse"]);
    assert_eq!(list(LogFilter { user: Some("ALICE@".into()), ..Default::default() }).await, vec!["logout", "token_reuse", "login"]);
    assert_eq!(list(LogFilter { user: Some("root".into()), ..Default::default() }).await, vec!["grant_credits"]);
    assert_eq!(list(LogFilter { user: Some(alice.to_string()), ..Default::default() }).await.len(), 3);
    assert_eq!(list(LogFilter { keyword: Some("LOGIN".into()), ..Default::default() }).await, vec!["login_failed", "login"]);
    assert_eq!(list(LogFilter { keyword: Some("target-4".into()), ..Default::default() }).await, vec!["startup"]);
    assert!(list(LogFilter { keyword: Some("%".into()), ..Default::default() }).await.is_empty());
    let range = LogFilter {
        start: Some(t + Duration::days(1) - Duration::hours(1)),
        end: Some(t + Duration::days(3) + Duration::hours(1)),
        ..Default::default()
    };
    assert_eq!(list(range).await, vec!["token_reuse", "grant_credits", "login_failed"]);
    let combined = LogFilter { kind: Some("auth".into()), level: Some("info".into()), user: Some("alice".into()), ..Default::default() };
    assert_eq!(list(combined).await, vec!["logout", "login"]);

    let second = store.list_logs(&LogFilter::default(), page(2, 4)).await.unwrap();
    assert_eq!((second.total, second.items.len()), (6, 2));
    assert_eq!(second.items[0].action, "login_failed");

    assert_eq!(store.purge_logs(t + Duration::days(2)).await.unwrap(), 2);
    assert_eq!(list(LogFilter::default()).await, vec!["logout", "startup", "token_reuse", "grant_credits"]);
    assert_eq!(store.purge_logs(t).await.unwrap(), 0);
}

/// Fixed windows count hits per key and window, exactly under concurrency, and old
/// windows can be purged.
pub async fn rate_limit_windows(store: SharedStore) {
    let w1 = now().trunc_subsecs(0) - Duration::minutes(2);
    let w2 = w1 + Duration::minutes(1);
    assert_eq!(store.hit("auth:198.51.100.7", w1).await.unwrap(), 1);
    assert_eq!(store.hit("auth:198.51.100.7", w1).await.unwrap(), 2);
    assert_eq!(store.hit("auth:198.51.100.7", w1).await.unwrap(), 3);
    assert_eq!(store.hit("auth:198.51.100.7", w2).await.unwrap(), 1);
    assert_eq!(store.hit("email:198.51.100.7", w1).await.unwrap(), 1);

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.hit("gen:key", w2).await })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for t in tasks {
        seen.insert(t.await.expect("task").expect("hit"));
    }
    assert_eq!(seen, (1..=20).collect::<BTreeSet<_>>());

    assert_eq!(store.purge_rate_limits(w2).await.unwrap(), 2);
    assert_eq!(store.hit("auth:198.51.100.7", w1).await.unwrap(), 1);
    assert_eq!(store.hit("auth:198.51.100.7", w2).await.unwrap(), 2);
    assert_eq!(store.hit("gen:key", w2).await.unwrap(), 21);
}

/// Dashboard counts follow users, memberships (expired ones do not count), the ledger and logs.
pub async fn platform_stats_count(store: SharedStore) {
    let t = now();
    let empty = store.platform_stats(t, t - Duration::days(7)).await.expect("stats");
    assert_eq!(empty, crate::repo::PlatformStats::default());

    let old = store.create_user(new_user_at("Olda", t - Duration::days(30)), vec![], None).await.expect("old user");
    let mut member = new_user("Memb");
    member.membership_tier = Tier::Max;
    let member = store.create_user(member, vec![], None).await.expect("member");
    let mut admin = new_user("Admi");
    admin.role = Role::Admin;
    store.create_user(admin, vec![], None).await.expect("admin");
    let mut lapsed = new_user("Laps");
    lapsed.membership_tier = Tier::Pro;
    let lapsed = store.create_user(lapsed, vec![], None).await.expect("lapsed");
    store
        .update_user(
            lapsed.id,
            UserPatch { membership_expires_at: Some(Some(t - Duration::days(1))), is_active: Some(false), ..Default::default() },
        )
        .await
        .expect("lapse");
    store
        .update_user(member.id, UserPatch { membership_expires_at: Some(Some(t + Duration::days(3))), ..Default::default() })
        .await
        .expect("extend");
    let grant = |user_id, amount| Grant { user_id, amount, kind: LedgerKind::Admin, description: "stats".into() };
    store.apply_grant(grant(old.id, 40)).await.expect("credit");
    store.apply_grant(grant(member.id, 5)).await.expect("credit");
    store.apply_grant(grant(old.id, -15)).await.expect("debit");
    store.insert_log(LogEntry::new("system", "error", "boom", "failed")).await.expect("log");
    let mut stale = LogEntry::new("auth", "info", "old", "old");
    stale.created_at = t - Duration::days(10);
    store.insert_log(stale).await.expect("old log");

    let s = store.platform_stats(t, t - Duration::days(7)).await.expect("stats");
    assert_eq!((s.users_total, s.users_active, s.admins, s.members, s.users_recent), (4, 3, 1, 1, 3), "{s:?}");
    assert_eq!((s.credits_issued, s.credits_spent), (45, 15), "{s:?}");
    assert_eq!((s.logs_total, s.logs_errors, s.logs_recent), (2, 1, 1), "{s:?}");
    assert_eq!((s.works_total, s.works_public), (0, 0));

    let t2 = now();
    for (i, public) in [false, true, true].into_iter().enumerate() {
        let w = store.insert_work(jobs::work_for(member.id, &format!("w{i}"), t2)).await.expect("work");
        if public {
            store.publish_work(member.id, w.id, &crate::work::Publication::default(), t2).await.expect("publish").expect("owned");
        }
    }
    let s = store.platform_stats(t2, t2 - Duration::days(7)).await.expect("stats");
    assert_eq!((s.works_total, s.works_public), (3, 2), "{s:?}");
}

// ---------------------------------------------------------------------------------------
// Providers: system APIs, user keys, catalogue, channel health
// ---------------------------------------------------------------------------------------

fn system_api(name: &str, model: &str) -> SystemApi {
    let t = now();
    SystemApi {
        id: Uuid::new_v4(),
        provider: "Mock".into(),
        name: name.into(),
        api_url: "https://api.example.com/v1".into(),
        model_name: model.into(),
        model_group: "default".into(),
        note: String::new(),
        media_type: MediaType::Image,
        protocol: Protocol::Openai,
        manifest: None,
        capabilities: json!({"aspectRatios": ["1:1", "16:9"]}),
        api_key_encrypted: "ciphertext".into(),
        api_key_preview: "***abcd".into(),
        pricing: Pricing::Fixed { credits: 10 },
        price_note: String::new(),
        allowed_tiers: normalize_tiers(&[]),
        is_default: true,
        is_active: true,
        polling_mode: PollingMode::Sequential,
        polling_order: 0,
        video_usage_modes: vec![],
        sort_order: 0,
        created_at: t,
        updated_at: t,
    }
}

fn user_key(owner: Uuid, model: &str) -> UserApiKey {
    let t = now();
    UserApiKey {
        id: Uuid::new_v4(),
        user_id: owner,
        provider: "OpenAI".into(),
        supplier_name: "OpenAI".into(),
        api_url: "https://api.example.com/v1/images/generations".into(),
        model_name: model.into(),
        note: String::new(),
        media_type: MediaType::Image,
        protocol: Protocol::Manifest,
        manifest: Some(json!({"version": 1, "provider": {"submit": {"path": "/x"}}})),
        capabilities: json!({"durations": ["5"]}),
        api_key_encrypted: "ct".into(),
        api_key_preview: "***wxyz".into(),
        is_active: true,
        created_at: t,
        updated_at: t,
    }
}

/// System APIs: sort orders assigned on insert, full updates that share the polling mode
/// with the display-name group, failover candidates, deletion.
pub async fn system_apis_crud_and_candidates(store: SharedStore) {
    let mut inactive = system_api("Img A", "m3");
    inactive.is_active = false;
    let mut hidden = system_api("Img A", "m4");
    hidden.is_default = false;
    let mut video = system_api("Img A", "v1");
    video.media_type = MediaType::Video;
    video.pricing = Pricing::PerSecond { credits_per_second: 3 };
    video.allowed_tiers = vec![Tier::Pro, Tier::Ultra];
    let rows = vec![system_api("Img A", "m1"), system_api("Img A", "m2"), inactive, hidden, video.clone(), system_api("Img B", "b1")];
    let stored = store.insert_system_apis(rows).await.unwrap();
    let orders: Vec<i32> = stored.iter().map(|a| a.sort_order).collect();
    assert_eq!(orders, vec![1, 2, 3, 4, 5, 6]);
    let more = store.insert_system_apis(vec![system_api("Img C", "c1")]).await.unwrap();
    assert_eq!(more[0].sort_order, 7);

    let loaded = store.system_api(stored[4].id).await.unwrap().expect("stored");
    assert_eq!(loaded.pricing, Pricing::PerSecond { credits_per_second: 3 });
    assert_eq!(loaded.allowed_tiers, vec![Tier::Pro, Tier::Ultra]);
    assert_eq!(loaded.capabilities, json!({"aspectRatios": ["1:1", "16:9"]}));
    assert_eq!(loaded.media_type, MediaType::Video);

    assert_eq!(store.list_system_apis(true).await.unwrap().len(), 7);
    assert_eq!(store.list_system_apis(false).await.unwrap().len(), 6);

    let candidates = store.system_api_candidates(MediaType::Image, "Img A").await.unwrap();
    let models: Vec<&str> = candidates.iter().map(|a| a.model_name.as_str()).collect();
    assert_eq!(models, vec!["m1", "m2"]);

    let mut edit = stored[1].clone();
    edit.polling_mode = PollingMode::Custom;
    edit.polling_order = 9;
    edit.pricing = Pricing::Tokens { input_per_million: 5, output_per_million: 15 };
    edit.manifest = Some(json!({"version": 1}));
    edit.updated_at = now();
    let saved = store.update_system_api(edit.clone()).await.unwrap().expect("updated");
    assert_eq!(saved, edit);
    let m1 = store.system_api(stored[0].id).await.unwrap().unwrap();
    assert_eq!(m1.polling_mode, PollingMode::Custom, "polling mode is shared by the display-name group");
    let b1 = store.system_api(stored[5].id).await.unwrap().unwrap();
    assert_eq!(b1.polling_mode, PollingMode::Sequential);
    let v1 = store.system_api(stored[4].id).await.unwrap().unwrap();
    assert_eq!(v1.polling_mode, PollingMode::Sequential, "other media types keep theirs");

    let mut ghost = system_api("ghost", "g");
    ghost.id = Uuid::new_v4();
    assert!(store.update_system_api(ghost).await.unwrap().is_none());
    assert!(store.delete_system_api(stored[0].id).await.unwrap());
    assert!(!store.delete_system_api(stored[0].id).await.unwrap());
    assert!(store.system_api(stored[0].id).await.unwrap().is_none());
}

/// One user cannot read, update or delete another's key; the owner can.
pub async fn user_keys_isolated_by_owner(store: SharedStore) {
    let alice = make_user(&store, "KeyAlice").await;
    let bob = make_user(&store, "KeyBob").await;
    let older = user_key(alice.id, "a1");
    let mut newer = user_key(alice.id, "a2");
    newer.created_at = older.created_at + Duration::seconds(1);
    store.insert_user_api_keys(vec![older.clone(), newer.clone()]).await.unwrap();
    store.insert_user_api_keys(vec![user_key(bob.id, "b1")]).await.unwrap();

    let list = store.list_user_api_keys(alice.id).await.unwrap();
    assert_eq!(list.iter().map(|k| k.model_name.as_str()).collect::<Vec<_>>(), vec!["a2", "a1"]);
    assert_eq!(list[1], older);
    assert_eq!(store.list_user_api_keys(bob.id).await.unwrap().len(), 1);

    assert!(store.user_api_key(bob.id, older.id).await.unwrap().is_none());
    let steal = UserApiKeyPatch { api_key: Some(("evil".into(), "***evil".into())), ..Default::default() };
    assert!(store.update_user_api_key(bob.id, older.id, steal, now()).await.unwrap().is_none());
    assert!(!store.delete_user_api_key(bob.id, older.id).await.unwrap());
    assert_eq!(store.user_api_key(alice.id, older.id).await.unwrap().unwrap(), older, "untouched by the other user");

    let patch = UserApiKeyPatch {
        model_name: Some("a1-new".into()),
        media_type: Some(MediaType::Video),
        is_active: Some(false),
        api_key: Some(("ct2".into(), "***9999".into())),
        ..Default::default()
    };
    let t = now();
    let updated = store.update_user_api_key(alice.id, older.id, patch, t).await.unwrap().expect("own key");
    assert_eq!((updated.model_name.as_str(), updated.media_type, updated.is_active), ("a1-new", MediaType::Video, false));
    assert_eq!((updated.api_key_encrypted.as_str(), updated.api_key_preview.as_str()), ("ct2", "***9999"));
    assert_eq!(updated.manifest, older.manifest, "the manifest is kept");
    assert_eq!(updated.updated_at, t);

    assert!(store.delete_user_api_key(alice.id, older.id).await.unwrap());
    assert_eq!(store.list_user_api_keys(alice.id).await.unwrap().len(), 1);
    assert!(store.delete_user(alice.id).await.unwrap());
    assert!(store.list_user_api_keys(alice.id).await.unwrap().is_empty(), "keys go with their owner");
}

fn provider(name: &str, sort: i32) -> ApiProvider {
    let t = now();
    ApiProvider {
        id: Uuid::new_v4(),
        name: name.into(),
        default_api_url: "https://api.example.com/v1".into(),
        default_model: "gpt-image-2".into(),
        media_type: MediaType::Image,
        website: String::new(),
        is_active: true,
        sort_order: sort,
        created_at: t,
        updated_at: t,
    }
}

fn preset(label: &str, sort: i32) -> StylePreset {
    let t = now();
    StylePreset {
        id: Uuid::new_v4(),
        label: label.into(),
        prompt: format!("Apply a {label} style"),
        usage_count: 0,
        is_active: true,
        sort_order: sort,
        created_at: t,
        updated_at: t,
    }
}

/// Providers (unique names), recommendations (link cleared with the provider), presets
/// (idempotent seeding, usage order, no presets created by use).
pub async fn catalog_providers_recommendations_presets(store: SharedStore) {
    let p1 = provider("OpenAI", 20);
    let p2 = provider("New API", 10);
    store.create_provider(p1.clone()).await.unwrap();
    store.create_provider(p2.clone()).await.unwrap();
    assert_err(store.create_provider(provider("OpenAI", 1)).await, ErrorKind::Conflict, "provider_name_taken");
    let names: Vec<String> = store.list_providers(false).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, vec!["New API", "OpenAI"]);
    let mut off = p2.clone();
    off.is_active = false;
    off.name = "New API 2".into();
    assert_eq!(store.update_provider(off.clone()).await.unwrap().unwrap(), off);
    assert_eq!(store.list_providers(true).await.unwrap().len(), 1);
    let mut clash = off.clone();
    clash.name = "OpenAI".into();
    assert_err(store.update_provider(clash).await, ErrorKind::Conflict, "provider_name_taken");

    let t = now();
    let rec = ModelRecommendation {
        id: Uuid::new_v4(),
        model_name: "gpt-image-2".into(),
        display_name: "GPT Image 2".into(),
        media_type: MediaType::Image,
        provider_id: Some(p1.id),
        is_active: true,
        sort_order: 10,
        created_at: t,
        updated_at: t,
    };
    store.create_recommendation(rec.clone()).await.unwrap();
    let dangling = ModelRecommendation { id: Uuid::new_v4(), provider_id: Some(Uuid::new_v4()), ..rec.clone() };
    assert_eq!(err(store.create_recommendation(dangling).await).kind, ErrorKind::NotFound);
    assert!(store.delete_provider(p1.id).await.unwrap());
    let recs = store.list_recommendations(false).await.unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].provider_id, None, "deleting the provider clears the link");
    let mut rec2 = recs[0].clone();
    rec2.is_active = false;
    assert!(!store.update_recommendation(rec2).await.unwrap().unwrap().is_active);
    assert!(store.list_recommendations(true).await.unwrap().is_empty());
    assert!(store.delete_recommendation(rec.id).await.unwrap());

    let seeds = vec![preset("写实照片", 10), preset("动漫插画", 20), preset("水彩", 30)];
    assert_eq!(store.seed_style_presets(seeds.clone()).await.unwrap(), 3);
    assert_eq!(store.seed_style_presets(seeds).await.unwrap(), 0, "seeding twice adds nothing");
    assert!(store.bump_style_preset("水彩").await.unwrap());
    assert!(!store.bump_style_preset("unknown").await.unwrap(), "use never creates presets");
    let labels: Vec<String> = store.list_style_presets(true).await.unwrap().into_iter().map(|p| p.label).collect();
    assert_eq!(labels, vec!["水彩", "写实照片", "动漫插画"]);
    assert_err(store.create_style_preset(preset("水彩", 1)).await, ErrorKind::Conflict, "style_label_taken");
    let mut p = store.list_style_presets(true).await.unwrap().remove(0);
    p.is_active = false;
    store.update_style_preset(p.clone()).await.unwrap().expect("updated");
    assert_eq!(store.list_style_presets(true).await.unwrap().len(), 2);
    assert_eq!(store.list_style_presets(false).await.unwrap().len(), 3);
    assert!(store.delete_style_preset(p.id).await.unwrap());
}

/// The model catalogue: active providers and recommendations, active default system APIs,
/// and only the caller's keys.
pub async fn model_catalog_reads_what_the_caller_may_see(store: SharedStore) {
    let alice = make_user(&store, "CatAlice").await;
    let bob = make_user(&store, "CatBob").await;
    let mut hidden = provider("Hidden", 1);
    hidden.is_active = false;
    store.create_provider(provider("Shown", 2)).await.unwrap();
    store.create_provider(hidden).await.unwrap();
    let mut off = system_api("Off", "o");
    off.is_active = false;
    let mut private = system_api("Private", "p");
    private.is_default = false;
    store.insert_system_apis(vec![system_api("On", "x"), off, private]).await.unwrap();
    store.insert_user_api_keys(vec![user_key(alice.id, "mine")]).await.unwrap();
    store.insert_user_api_keys(vec![user_key(bob.id, "theirs")]).await.unwrap();

    let c = store.model_catalog(Some(alice.id)).await.unwrap();
    assert_eq!(c.providers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["Shown"]);
    assert_eq!(c.system_apis.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), vec!["On"]);
    assert_eq!(c.user_keys.iter().map(|k| k.model_name.as_str()).collect::<Vec<_>>(), vec!["mine"]);
    assert!(store.model_catalog(None).await.unwrap().user_keys.is_empty());
}

/// Concurrent errors all count, the threshold freezes the channel, a healthy probe lifts it.
pub async fn channel_health_counts_and_freezes(store: SharedStore) {
    let api = store.insert_system_apis(vec![system_api("Health", "h")]).await.unwrap().remove(0);
    let other = store.insert_system_apis(vec![system_api("Health", "h2")]).await.unwrap().remove(0);
    let policy = HealthPolicy { window: Duration::seconds(60), threshold: 8, cool_down: Duration::seconds(30) };
    let t = now();
    let mut tasks = Vec::new();
    for i in 0..7 {
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move { s.record_channel_event(api.id, ChannelEvent::Error(format!("502 #{i}")), t, &policy).await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let h = store.channel_health(&[api.id, other.id]).await.unwrap();
    assert_eq!(h.len(), 1, "channels without events have no row");
    assert_eq!(h[0].errors_current, 7, "every concurrent error counts");
    assert!(!h[0].is_frozen(t));
    let h = store.record_channel_event(api.id, ChannelEvent::Error("503".into()), t, &policy).await.unwrap();
    assert!(h.is_frozen(t + Duration::seconds(1)));
    let stored = store.channel_health(&[api.id]).await.unwrap().remove(0);
    assert_eq!(stored, h);
    assert_eq!(stored.last_error.as_deref(), Some("503"));

    store.record_channel_event(other.id, ChannelEvent::Success, t, &policy).await.unwrap();
    let probe = ChannelEvent::Probe { ok: true, error: None };
    let h = store.record_channel_event(api.id, probe, t + Duration::seconds(5), &policy).await.unwrap();
    assert!(!h.is_frozen(t + Duration::seconds(6)));
    assert_eq!(h.last_probe_at, Some(t + Duration::seconds(5)));
    assert_eq!(store.list_channel_health().await.unwrap().len(), 2);
    assert!(store.delete_system_api(api.id).await.unwrap());
    assert_eq!(store.list_channel_health().await.unwrap().len(), 1, "health goes with its channel");
}
