//! MiaoJing's repositories on SQLite, the embedded default.
//!
//! One database file in WAL mode, read through a small pool of `query_only`
//! connections and written through a pool of exactly one connection. Every write
//! transaction starts with `BEGIN IMMEDIATE`, so a transaction that reads and then
//! writes holds the write lock from its first statement: writers queue in Rust for
//! the single connection and SQLite never sees two of them at once.
//!
//! UUIDs are 16-byte BLOBs, times RFC 3339 TEXT in UTC, booleans 0/1 and JSON TEXT
//! (see `migrations/sqlite/`).

mod connect;

use async_trait::async_trait;
use miaojing_domain::repo::{PoolStats, StoreInfo};
use miaojing_domain::Result;
use miaojing_store_sql::SqlStore;
use sqlx::{Sqlite, SqlitePool};

use miaojing_store_sql::db_err;

/// Every repository trait on one SQLite database. Cheap to clone (two pool handles).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Exactly one connection; every write goes through it.
    writer: SqlitePool,
    /// `query_only` connections for reads.
    reader: SqlitePool,
}

type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

impl SqliteStore {
    /// Starts a write transaction with `BEGIN IMMEDIATE` on the single writer connection.
    /// Dropping the transaction without committing rolls it back.
    async fn begin_write(&self) -> Result<Tx> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

impl SqlStore for SqliteStore {
    type Db = Sqlite;
    /// The write transaction (`BEGIN IMMEDIATE`) already holds the database's write lock.
    const ROW_LOCK: &'static str = "";

    const SKIP_LOCKED: &'static str = "";

    const ROW_ORDER: &'static str = "rowid";

    fn seconds_between(from: &str, to: &str) -> String {
        format!("((julianday({to}) - julianday({from})) * 86400.0)")
    }

    fn uuid_hex(column: &str) -> String {
        format!("lower(hex({column}))")
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    async fn begin_write(&self) -> Result<Tx> {
        SqliteStore::begin_write(self).await
    }

    async fn lock_key(_conn: &mut sqlx::SqliteConnection, _class: i32, _key: &str) -> Result<()> {
        Ok(())
    }
}

// Accounts, announcements, catalog, channel health, jobs, referrals, logs, rate limits,
// sessions, settings, stats, system APIs, user keys and works: the
// same SQL as on PostgreSQL, in `miaojing-store-sql`.
miaojing_store_sql::impl_shared_repos!(SqliteStore);

#[async_trait]
impl StoreInfo for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await.map_err(db_err)?;
        Ok(())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.reader.size(),
            idle: u32::try_from(self.reader.num_idle()).unwrap_or(u32::MAX),
            max: self.reader.options().get_max_connections(),
        }
    }
}
