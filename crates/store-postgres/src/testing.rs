//! Test harness (feature `testing`): a fresh, migrated database per call.
//!
//! Reads `MIAOJING_TEST_PG_URL` (prepared by `deploy/pg-test-env.sh`). A test that needs
//! PostgreSQL and cannot reach it fails with a message saying what to run; it never skips.
//! Each call creates a database `mj_test_<uuid v7>` through that URL's role (which needs
//! CREATEDB). The first call of a process starts a background thread that drops test
//! databases created more than 30 minutes ago (the name carries its creation time), so
//! disks do not fill; a database still in use refuses to drop and is left alone.
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use uuid::Uuid;

use crate::PgStore;

/// The variable holding the URL of a database whose role may create databases.
pub const TEST_URL_VAR: &str = "MIAOJING_TEST_PG_URL";

/// Test databases older than this are dropped (see the module docs).
const STALE_AFTER: Duration = Duration::from_secs(30 * 60);

static CLEANED: AtomicBool = AtomicBool::new(false);

fn admin_options() -> PgConnectOptions {
    let url = std::env::var(TEST_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{TEST_URL_VAR} is not set. These tests need PostgreSQL: run `source deploy/pg-test-env.sh` \
             (as root) from the repository root, or `bash deploy/pg-test-env.sh` and export the variable it prints."
        )
    });
    PgConnectOptions::from_str(&url)
        .unwrap_or_else(|e| panic!("{TEST_URL_VAR} is not a valid PostgreSQL URL ({e}); run deploy/pg-test-env.sh"))
        .log_statements(tracing::log::LevelFilter::Trace)
}

/// Where the options point, without the password (for messages).
fn describe(o: &PgConnectOptions) -> String {
    format!("{}:{}/{}", o.get_host(), o.get_port(), o.get_database().unwrap_or("?"))
}

async fn admin_connection(options: &PgConnectOptions) -> PgConnection {
    PgConnection::connect_with(options).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach PostgreSQL at {} ({TEST_URL_VAR}): {e}. Run `source deploy/pg-test-env.sh` (as root) to \
             install and start it.",
            describe(options)
        )
    })
}

/// Drops `mj_test_*` databases whose v7 name says they were created before the cutoff.
/// Databases still in use refuse to drop; that error is ignored.
async fn drop_stale_databases(admin: &mut PgConnection) {
    let Ok(names) =
        sqlx::query_scalar::<_, String>("SELECT datname FROM pg_database WHERE datname LIKE 'mj\\_test\\_%'").fetch_all(&mut *admin).await
    else {
        return;
    };
    let cutoff = SystemTime::now().checked_sub(STALE_AFTER).unwrap_or(UNIX_EPOCH);
    for name in names {
        let Some(created) =
            name.strip_prefix("mj_test_").and_then(|s| Uuid::parse_str(s).ok()).and_then(|id| id.get_timestamp()).map(|ts| {
                let (secs, nanos) = ts.to_unix();
                UNIX_EPOCH + Duration::new(secs, nanos)
            })
        else {
            continue;
        };
        if created < cutoff {
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS \"{name}\"").as_str()).await;
        }
    }
}

/// Creates an empty, uniquely named database and returns its connection options.
pub async fn create_database() -> PgConnectOptions {
    let options = admin_options();
    let mut admin = admin_connection(&options).await;
    if !CLEANED.swap(true, Ordering::SeqCst) {
        // DROP DATABASE waits for a checkpoint: keep that out of the tests' way.
        let options = options.clone();
        std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut conn) = PgConnection::connect_with(&options).await {
                    drop_stale_databases(&mut conn).await;
                    let _ = conn.close().await;
                }
            });
        });
    }
    let name = format!("mj_test_{}", Uuid::now_v7().simple());
    admin
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name} at {}: {e}", describe(&options)));
    let _ = admin.close().await;
    options.database(&name)
}

/// Creates an empty, uniquely named database and returns its URL (for tests that start the
/// server with `DATABASE_URL`; the server migrates it).
pub async fn fresh_database_url() -> String {
    create_database().await.to_url_lossy().to_string()
}

/// A store on a fresh, migrated database (pool of at most 5 connections).
pub async fn fresh_database() -> PgStore {
    let options = create_database().await;
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await
        .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", describe(&options)));
    let store = PgStore::from_pool(pool);
    store.migrate().await.unwrap_or_else(|e| panic!("migrating test database {} failed: {e}", describe(&options)));
    store
}
