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
