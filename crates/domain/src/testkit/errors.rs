//! One answer per failure: both stores map a database failure to the same status, code
//! and message (the table in `miaojing-store-sql`), so a client cannot tell which backend
//! refused it.
use std::future::Future;

use chrono::Duration;
use uuid::Uuid;

use super::{credits_code, email_code, err, make_user, new_user, now, SharedStore};
use crate::email_code::{CodePurpose, IssuePolicy};
use crate::Error;

/// The status, code and message a client sees.
fn answer(e: &Error) -> (u16, &str, &str) {
    (e.status(), e.code.as_ref(), e.message.as_str())
}

/// Unique and CHECK violations answer alike on every backend.
pub async fn constraint_errors_answer_alike(store: SharedStore) {
    let mut first = new_user("Gina");
    first.phone = Some("13700000000".into());
    store.create_user(first, vec![], None).await.expect("create gina");

    let mut same_email = new_user("Other1");
    same_email.email = "gina@example.com".into();
    let e = err(store.create_user(same_email, vec![], None).await);
    assert_eq!(answer(&e), (409, "email_taken", "该邮箱已被注册"));

    let e = err(store.create_user(new_user("GINA"), vec![], None).await);
    assert_eq!(answer(&e), (409, "username_taken", "该用户名已被使用"));

    let mut same_phone = new_user("Other2");
    same_phone.phone = Some("13700000000".into());
    let e = err(store.create_user(same_phone, vec![], None).await);
    assert_eq!(answer(&e), (409, "phone_taken", "该手机号已被使用"));

    let t = now() - Duration::minutes(1);
    store.insert_redeem_codes(&[credits_code("GINA2222CODE", 10, Uuid::new_v4(), t)]).await.expect("insert code");
    let e = err(store.insert_redeem_codes(&[credits_code("GINA2222CODE", 10, Uuid::new_v4(), t)]).await);
    assert_eq!(answer(&e), (409, "code_collision", "兑换码与已有兑换码重复"));
}

/// CHECK violations answer alike: a negative balance is 402 `insufficient_credits`, any
/// other broken CHECK 400 `invalid_value`. The stores refuse such writes before the
/// database does, so the store crate passes `violate`, which runs a statement on the raw
/// database and maps its failure as the store does.
pub async fn check_violations_answer_alike<F, Fut>(store: SharedStore, violate: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: Future<Output = Error>,
{
    make_user(&store, "Jill").await;
    let t = now() - Duration::minutes(1);
    store.insert_redeem_codes(&[credits_code("JILL2222CODE", 10, Uuid::new_v4(), t)]).await.expect("insert code");
    let e = violate("UPDATE users SET credits_balance = -1").await;
    assert_eq!(answer(&e), (402, "insufficient_credits", "积分不足"));
    let e = violate("UPDATE redeem_codes SET credits_amount = 0").await;
    assert_eq!(answer(&e), (400, "invalid_value", "数据不符合要求"));
    let e = violate("UPDATE users SET membership_tier = 'gold'").await;
    assert_eq!(answer(&e), (400, "invalid_value", "数据不符合要求"));
}

/// A store whose pool is closed answers 503 `database_unavailable`, not 500. The store
/// crate passes the store and a future that closes its pools.
pub async fn closed_store_is_unavailable(store: SharedStore, close: impl Future<Output = ()>) {
    let user = make_user(&store, "Hank").await;
    close.await;
    let e = err(store.user_by_id(user.id).await);
    assert_eq!(answer(&e), (503, "database_unavailable", "数据库暂时不可用，请稍后再试"));
    let e = err(store.ping().await);
    assert_eq!(answer(&e), (503, "database_unavailable", "数据库暂时不可用，请稍后再试"));
}

/// A role or tier stored outside the canonical names (possible only by writing the table
/// behind the store's back: `corrupt(user_id, column, value)` does that) is a 500 on
/// reading, never read leniently as another role or tier.
pub async fn stored_names_are_read_strictly<F, Fut>(store: SharedStore, corrupt: F)
where
    F: Fn(Uuid, &'static str, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let user = make_user(&store, "Iris").await;
    for (column, value) in [("role", "vip"), ("role", "Admin"), ("membership_tier", "basic"), ("membership_tier", "PRO")] {
        corrupt(user.id, column, value).await;
        let e = err(store.user_by_id(user.id).await);
        assert_eq!((e.status(), e.code.as_ref()), (500, "internal_error"), "{column} = {value:?}");
    }
    corrupt(user.id, "role", "admin").await;
    corrupt(user.id, "membership_tier", "pro").await;
    let read = store.user_by_id(user.id).await.expect("canonical names read").expect("user");
    assert_eq!((read.role.as_str(), read.membership_tier.as_str()), ("admin", "pro"));
}

/// The e-mail code refusals answer alike: a resend inside the interval and an IP over its
/// limit are 429 with the same code and message (and a wait) on every backend.
pub async fn email_code_refusals_answer_alike(store: SharedStore) {
    let policy = IssuePolicy { ip_max: 1, ..IssuePolicy::default() };
    let t = now();
    let ip = Some("192.0.2.20");
    let code = |mail: &str, at| email_code(mail, CodePurpose::Register, "h", ip, at);
    store.issue_email_code(code("kim@example.com", t), &policy).await.expect("first code");
    let e = err(store.issue_email_code(code("kim@example.com", t + Duration::seconds(1)), &policy).await);
    assert_eq!(answer(&e), (429, "code_cooldown", "发送过于频繁，请稍后再试"));
    assert!(e.retry_after.is_some());
    let e = err(store.issue_email_code(code("lou@example.com", t + Duration::seconds(2)), &policy).await);
    assert_eq!(answer(&e), (429, "ip_rate_limited", "请求过于频繁，请稍后再试"));
    assert!(e.retry_after.is_some());
}
