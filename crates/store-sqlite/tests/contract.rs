//! The repository contract suite on SQLite: a fresh database file per test.
use std::sync::Arc;

use miaojing_domain::testkit::SharedStore;
use miaojing_store_sqlite::SqliteStore;

async fn fresh_store() -> (SharedStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("contract.db");
    let store = SqliteStore::connect(path.to_str().expect("utf-8 temp path")).await.expect("open SQLite store");
    (Arc::new(store), dir)
}

miaojing_domain::contract_tests!(fresh_store);

/// A closed store answers 503 `database_unavailable`, as PostgreSQL's does.
#[tokio::test]
async fn closed_store_is_unavailable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SqliteStore::connect(dir.path().join("closed.db").to_str().unwrap()).await.expect("open SQLite store"));
    let shared: SharedStore = store.clone();
    miaojing_domain::testkit::closed_store_is_unavailable(shared, async move { store.close().await }).await;
}

/// A role or tier outside the canonical names (written with CHECK constraints ignored) is a
/// 500 on reading, as on PostgreSQL.
#[tokio::test]
async fn stored_names_are_read_strictly() {
    let (store, dir) = fresh_store().await;
    let options =
        sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("contract.db")).pragma("ignore_check_constraints", "ON");
    let raw = sqlx::SqlitePool::connect_with(options).await.expect("raw connection");
    let corrupt = |id: uuid::Uuid, column: &'static str, value: &'static str| {
        let raw = raw.clone();
        async move {
            sqlx::query(&format!("UPDATE users SET {column} = ? WHERE id = ?")).bind(value).bind(id).execute(&raw).await.expect("corrupt");
        }
    };
    miaojing_domain::testkit::stored_names_are_read_strictly(store, corrupt).await;
}

/// CHECK violations answer 402 or 400 with the same code and message as on PostgreSQL.
#[tokio::test]
async fn check_violations_answer_alike() {
    let (store, dir) = fresh_store().await;
    let raw = sqlx::SqlitePool::connect(dir.path().join("contract.db").to_str().unwrap()).await.expect("raw connection");
    let violate = |sql: &'static str| {
        let raw = raw.clone();
        async move { miaojing_store_sql::db_err(sqlx::query(sql).execute(&raw).await.expect_err("a CHECK violation")) }
    };
    miaojing_domain::testkit::check_violations_answer_alike(store, violate).await;
}
