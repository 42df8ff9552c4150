//! Backend-specific checks beyond the shared contract suite: connecting, migrations,
//! concurrency on real PostgreSQL and error mapping.
use std::sync::Arc;

use chrono::{Duration, SubsecRound, Utc};
use miaojing_domain::email_code::{CodeCheck, CodePurpose, IssuePolicy, NewEmailCode};
use miaojing_domain::job::JobRepo;
use miaojing_domain::ledger::{Grant, LedgerKind};
use miaojing_domain::redeem::{plan_redemption, CodeGrant, RedeemCode};
use miaojing_domain::repo::{EmailCodeRepo, LedgerRepo, RedeemRepo, StoreInfo, UserRepo};
use miaojing_domain::user::{NewUser, Role, Tier};
use miaojing_domain::{ErrorKind, PageRequest};
use miaojing_store_postgres::testing::{fresh_database, fresh_database_url};
use miaojing_store_postgres::PgStore;
use uuid::Uuid;

fn new_user(tag: &str) -> NewUser {
    NewUser {
        id: Uuid::new_v4(),
        username: format!("user_{tag}"),
        email: format!("{tag}@example.com"),
        phone: None,
        display_nickname: format!("Nick {tag}"),
        avatar_url: None,
        role: Role::User,
        membership_tier: Tier::Free,
        invite_code: format!("INV{}", tag.to_uppercase()),
        referred_by: None,
        email_verified: true,
        preferred_language: Default::default(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: Utc::now().trunc_subsecs(6),
    }
}

fn grant(user_id: Uuid, amount: i64) -> Grant {
    Grant { user_id, amount, kind: LedgerKind::Admin, description: "test".into() }
}

#[tokio::test]
async fn connect_migrates_and_reports() {
    let url = fresh_database_url().await;
    let store = PgStore::connect(&url, 3).await.expect("connect");
    // Migrating again is a no-op.
    store.migrate().await.expect("second migrate");
    assert_eq!(store.backend(), "postgres");
    store.ping().await.expect("ping");
    let stats = store.pool_stats();
    assert_eq!(stats.max, 3);
    assert!(stats.size >= 1 && stats.idle <= stats.size);
}

#[tokio::test]
async fn connect_to_nowhere_is_unavailable() {
    let err = PgStore::connect("postgres://nobody:x@127.0.0.1:1/none", 1).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unavailable);
    assert!(!err.message.contains("127.0.0.1"));
}

#[tokio::test]
async fn create_user_with_grants_and_debits() {
    let store = fresh_database().await;
    let nu = new_user("alice");
    let id = nu.id;
    let user = store.create_user(nu, vec![grant(id, 30), Grant { kind: LedgerKind::Gift, ..grant(id, 20) }], None).await.expect("create");
    assert_eq!(user.credits_balance, 50);
    assert_eq!(user.email_verified_at, Some(user.created_at));

    let e = store.apply_grant(grant(id, -20)).await.expect("debit");
    assert_eq!(e.balance_after, 30);
    let err = store.apply_grant(grant(id, -31)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InsufficientCredits);
    assert_eq!(err.status(), 402);
    assert_eq!(err.code, "insufficient_credits");
    let err = store.apply_grant(grant(Uuid::new_v4(), 5)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    let err = store.apply_grant(grant(id, i64::MAX)).await.unwrap_err();
    assert_eq!(err.code, "credits_overflow");

    let page = store.ledger_page(id, PageRequest { page: 1, size: 10 }).await.unwrap();
    assert_eq!(page.total, 3);
    let balances: Vec<i64> = page.items.iter().map(|e| e.balance_after).collect();
    assert_eq!(balances, vec![30, 50, 30]);
    assert_eq!(store.user_by_id(id).await.unwrap().unwrap().credits_balance, 30);

    // Unique violations map to their codes.
    let mut dup = new_user("alice");
    dup.username = "other".into();
    dup.invite_code = "OTHER".into();
    assert_eq!(store.create_user(dup, vec![], None).await.unwrap_err().code, "email_taken");
    let mut dup = new_user("bob");
    dup.username = "USER_ALICE".into();
    assert_eq!(store.create_user(dup, vec![], None).await.unwrap_err().code, "username_taken");
}

#[tokio::test]
async fn concurrent_debits_never_overdraw() {
    let store = fresh_database().await;
    let nu = new_user("carol");
    let id = nu.id;
    store.create_user(nu, vec![grant(id, 10)], None).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { s.apply_grant(grant(id, -1)).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code, "insufficient_credits"),
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(store.user_by_id(id).await.unwrap().unwrap().credits_balance, 0);
}

#[tokio::test]
async fn concurrent_redemptions_succeed_once() {
    let store = Arc::new(fresh_database().await);
    let mut users = Vec::new();
    for i in 0..6 {
        let nu = new_user(&format!("r{i}"));
        users.push(nu.id);
        store.create_user(nu, vec![], None).await.unwrap();
    }
    let now = Utc::now().trunc_subsecs(6);
    let code = RedeemCode {
        id: Uuid::new_v4(),
        normalized_code: "ABCDEFGHJKLM".into(),
        grant: CodeGrant::Credits(7),
        batch_id: Uuid::new_v4(),
        note: String::new(),
        is_active: true,
        expires_at: None,
        created_by: None,
        used_by: None,
        used_at: None,
        created_at: now,
    };
    store.insert_redeem_codes(std::slice::from_ref(&code)).await.unwrap();
    assert_eq!(store.insert_redeem_codes(&[code]).await.unwrap_err().code, "code_collision");
    let mut tasks = Vec::new();
    for id in users {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { s.redeem(id, "ABCDEFGHJKLM", now, &|c, u| plan_redemption(c, u, now)).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok((c, u)) => {
                ok += 1;
                assert_eq!(u.credits_balance, 7);
                assert_eq!(c.used_by, Some(u.id));
            }
            Err(e) => assert_eq!(e.code, "code_used"),
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn concurrent_code_requests_respect_the_cooldown() {
    let store = fresh_database().await;
    let now = Utc::now().trunc_subsecs(6);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let code = NewEmailCode {
                id: Uuid::new_v4(),
                email: "race@example.com".into(),
                purpose: CodePurpose::Register,
                code_hash: "h".into(),
                user_id: None,
                ip_address: None,
                max_attempts: 3,
                created_at: now,
                expires_at: now + Duration::minutes(10),
            };
            s.issue_email_code(code, &IssuePolicy::default()).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert_eq!(e.code, "code_cooldown"),
        }
    }
    assert_eq!(ok, 1);
    // Wrong attempts persist and lock the address.
    let check = |h: &'static str| store.check_email_code("race@example.com", CodePurpose::Register, h, now, Duration::minutes(10));
    assert_eq!(check("x").await.unwrap(), CodeCheck::Wrong { remaining: 2 });
    assert_eq!(check("x").await.unwrap(), CodeCheck::Wrong { remaining: 1 });
    let until = match check("x").await.unwrap() {
        CodeCheck::Locked { until } => until,
        other => panic!("expected a lock, got {other:?}"),
    };
    assert_eq!(check("h").await.unwrap(), CodeCheck::Locked { until });
}

/// With planner statistics that expect an empty queue, PostgreSQL once ran the claim's
/// `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` as a nested loop that re-ran the subquery per
/// row, skipping its own locks each time, and claimed the whole queue for a worker that asked for
/// one job. The claim must take exactly `limit` jobs whatever plan is chosen.
#[tokio::test]
async fn claim_takes_the_limit_with_fresh_statistics() {
    let store = fresh_database().await;
    let nu = new_user("claimer");
    let id = nu.id;
    store.create_user(nu, vec![grant(id, 1_000)], None).await.expect("create");
    let t0 = Utc::now() - Duration::seconds(60);
    // Statistics taken while the queue was empty, then a burst arrives.
    sqlx::query("ANALYZE generation_jobs").execute(store.pool()).await.expect("analyze");
    for i in 0..60 {
        let job = miaojing_domain::testkit::new_job(id, 1, None, t0 + Duration::milliseconds(i));
        store.submit_job(job).await.expect("submit");
    }
    let t = Utc::now();
    for round in 0..3 {
        let got = store.claim_jobs(&format!("w{round}"), 1, t, t + Duration::seconds(30)).await.expect("claim");
        assert_eq!(got.len(), 1, "round {round}: one job asked for, {} claimed", got.len());
    }
    let queued: i64 =
        sqlx::query_scalar("SELECT count(*) FROM generation_jobs WHERE status = 'queued'").fetch_one(store.pool()).await.expect("count");
    assert_eq!(queued, 57);
}
