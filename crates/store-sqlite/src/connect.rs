//! Opening the database: the writer and reader pools, pragmas and migrations.
use std::str::FromStr;
use std::time::Duration;

use miaojing_domain::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::SqliteStore;
use miaojing_store_sql::db_err;

/// Connections in the read pool.
const READ_CONNECTIONS: u32 = 4;
/// How long a statement waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a caller waits for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

impl SqliteStore {
    /// Opens (creating if needed) the database at `path_or_url` — a file path, or a
    /// `sqlite:` URL such as `sqlite://data/miaojing.db` — and applies pending migrations.
    /// In-memory databases are refused: the writer and readers must share one file.
    pub async fn connect(path_or_url: &str) -> Result<Self> {
        let options = parse_options(path_or_url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);

        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::internal(format!("cannot create database directory {}: {e}", dir.display())))?;
            }
        }

        // The writer holds its connection for the life of the store, which also keeps the
        // WAL and shared-memory files in place for the readers.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone().create_if_missing(true))
            .await
            .map_err(db_err)?;

        MIGRATOR.run(&writer).await.map_err(|e| Error::internal(format!("sqlite migration failed: {e}")))?;

        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.create_if_missing(false).pragma("query_only", "ON"))
            .await
            .map_err(db_err)?;

        Ok(Self { writer, reader })
    }

    /// Applies pending migrations (also done by [`SqliteStore::connect`]).
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.writer).await.map_err(|e| Error::internal(format!("sqlite migration failed: {e}")))
    }
}

fn parse_options(path_or_url: &str) -> Result<SqliteConnectOptions> {
    let s = path_or_url.trim();
    if s.is_empty() {
        return Err(Error::internal("empty SQLite database path"));
    }
    if s.contains(":memory:") || s.contains("mode=memory") {
        return Err(Error::internal("in-memory SQLite databases are not supported; use a file"));
    }
    if s.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(s).map_err(|e| Error::internal(format!("invalid SQLite URL: {e}")))
    } else {
        Ok(SqliteConnectOptions::new().filename(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection as _;

    #[tokio::test]
    async fn wal_single_writer_and_query_only_readers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/store.db");
        let url = format!("sqlite://{}", path.display());
        let store = SqliteStore::connect(&url).await.expect("connect creates the file and its directory");
        assert!(path.exists());

        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&store.reader).await.unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&store.writer).await.unwrap();
        assert_eq!(fk, 1);
        assert_eq!(store.writer.options().get_max_connections(), 1);
        // Readers cannot write.
        let write = sqlx::query("UPDATE site_stats SET total_visits = 99").execute(&store.reader).await;
        assert!(write.is_err(), "the read pool must be query-only");
        // A write transaction holds the write lock from its start, before any write.
        let tx = store.begin_write().await.unwrap();
        let mut other =
            sqlx::SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&path).busy_timeout(Duration::ZERO)).await.unwrap();
        let busy = sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await;
        assert!(busy.is_err(), "BEGIN IMMEDIATE must take the write lock");
        drop(tx);
        sqlx::query("SELECT 1").execute(&store.writer).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.expect("lock released after rollback");
        sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
        other.close().await.unwrap();

        // Reopening applies no migration twice.
        store.migrate().await.unwrap();
        store.close().await;
        let again = SqliteStore::connect(path.to_str().unwrap()).await.expect("reopen");
        let visits: i64 = sqlx::query_scalar("SELECT total_visits FROM site_stats").fetch_one(&again.reader).await.unwrap();
        assert_eq!(visits, 0);
        again.close().await;
    }

    #[test]
    fn parses_paths_and_urls() {
        assert_eq!(parse_options("data/x.db").unwrap().get_filename(), std::path::Path::new("data/x.db"));
        assert_eq!(parse_options("sqlite://data/x.db").unwrap().get_filename(), std::path::Path::new("data/x.db"));
        assert!(parse_options("sqlite::memory:").is_err());
        assert!(parse_options(" ").is_err());
    }
}
