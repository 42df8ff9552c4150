//! Every repository trait of `miaojing-domain` on PostgreSQL (sqlx).
//!
//! One [`PgStore`] wraps a connection pool. What is the same SQL on SQLite (most
//! repositories, the row readers, the error table) is in `miaojing-store-sql`; this crate
//! keeps what PostgreSQL does its own way (locks, the ledger, redeem, jobs, works,
//! LISTEN/NOTIFY). Money and one-shot consumptions (grants, redemptions, e-mail codes) run in one transaction each, with row
//! locks (`FOR UPDATE`) or advisory locks where concurrent requests could race.
//!
//! Queries are checked at run time (no `DATABASE_URL` at build time); the contract suite in
//! `miaojing-domain`'s `testkit` runs against a fresh database per test.
//!
//! Tests of other crates get a fresh database the same way: add this crate as a
//! dev-dependency with the feature `testing` and call [`testing::fresh_database`] (a
//! migrated `PgStore`) or `testing::fresh_database_url` (an empty database's URL). Both
//! need `MIAOJING_TEST_PG_URL`, which `deploy/pg-test-env.sh` prepares.

mod connect;
mod wakeup;

#[cfg(feature = "testing")]
pub mod testing;

pub use connect::MIGRATOR;
pub use wakeup::PgWakeup;

use miaojing_domain::Result;
use miaojing_store_sql::{DbResultExt, SqlStore};
use sqlx::{PgPool, Postgres};

/// The PostgreSQL store. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Wraps an existing pool without running migrations (see [`PgStore::migrate`]).
    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The underlying pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl SqlStore for PgStore {
    type Db = Postgres;
    const ROW_LOCK: &'static str = " FOR UPDATE";

    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    const ROW_ORDER: &'static str = "id";

    fn seconds_between(from: &str, to: &str) -> String {
        format!("EXTRACT(EPOCH FROM ({to} - {from}))")
    }

    fn uuid_hex(column: &str) -> String {
        format!("replace({column}::text, '-', '')")
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Postgres>> {
        self.pool.begin().await.db()
    }

    async fn lock_key(conn: &mut sqlx::PgConnection, class: i32, key: &str) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))").bind(class).bind(key).execute(conn).await.db()?;
        Ok(())
    }
}

// Accounts, announcements, catalog, channel health, referrals, logs, rate limits, sessions,
// settings, stats, system APIs, user keys and works: the
// same SQL as on SQLite, in `miaojing-store-sql`.
miaojing_store_sql::impl_shared_repos!(PgStore);
