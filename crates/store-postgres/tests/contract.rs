//! The shared repository contract (`miaojing_domain::testkit`) on PostgreSQL, one fresh
//! database per case. Needs `MIAOJING_TEST_PG_URL` (see `deploy/pg-test-env.sh`); without
//! a reachable server every case fails.
use std::sync::Arc;

use miaojing_domain::testkit::SharedStore;
use miaojing_store_postgres::testing::fresh_database;

async fn fresh() -> SharedStore {
    Arc::new(fresh_database().await)
}

miaojing_domain::contract_tests!(fresh);

/// A closed store answers 503 `database_unavailable`, as SQLite's does.
#[tokio::test]
async fn closed_store_is_unavailable() {
    let store = Arc::new(fresh_database().await);
    let shared: SharedStore = store.clone();
    miaojing_domain::testkit::closed_store_is_unavailable(shared, async move { store.close().await }).await;
}

/// A role or tier outside the canonical names (written after dropping the CHECK
/// constraints) is a 500 on reading, as on SQLite.
#[tokio::test]
async fn stored_names_are_read_strictly() {
    let store = fresh_database().await;
    let raw = store.pool().clone();
    sqlx::query("ALTER TABLE users DROP CONSTRAINT users_role_check, DROP CONSTRAINT users_membership_tier_check")
        .execute(&raw)
        .await
        .expect("drop checks");
    let corrupt = |id: uuid::Uuid, column: &'static str, value: &'static str| {
        let raw = raw.clone();
        async move {
            sqlx::query(&format!("UPDATE users SET {column} = $1 WHERE id = $2"))
                .bind(value)
                .bind(id)
                .execute(&raw)
                .await
                .expect("corrupt");
        }
    };
    miaojing_domain::testkit::stored_names_are_read_strictly(Arc::new(store), corrupt).await;
}

/// CHECK violations answer 402 or 400 with the same code and message as on SQLite.
#[tokio::test]
async fn check_violations_answer_alike() {
    let store = fresh_database().await;
    let raw = store.pool().clone();
    let violate = |sql: &'static str| {
        let raw = raw.clone();
        async move { miaojing_store_sql::db_err(sqlx::query(sql).execute(&raw).await.expect_err("a CHECK violation")) }
    };
    miaojing_domain::testkit::check_violations_answer_alike(Arc::new(store), violate).await;
}
