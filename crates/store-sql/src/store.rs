//! What a store tells the shared repositories.
use std::future::Future;

use miaojing_domain::Result;
use sqlx::{Database, Pool, Transaction};

/// A store the shared repositories run on: where to read, where to write, how a write
/// transaction starts and how a row is locked for a read-modify-write.
pub trait SqlStore: Send + Sync {
    /// The sqlx database (`Sqlite` or `Postgres`).
    type Db: sqlx::Database;

    /// Appended to a `SELECT` that is followed by an update of the same row in one
    /// transaction: `" FOR UPDATE"` on PostgreSQL, nothing on SQLite (whose write
    /// transaction already holds the database's write lock).
    const ROW_LOCK: &'static str;

    /// Appended to the `SELECT` that picks queued jobs for a claim: `" FOR UPDATE SKIP LOCKED"`
    /// on PostgreSQL (concurrent claimers take different jobs), nothing on SQLite.
    const SKIP_LOCKED: &'static str;

    /// The column that orders rows created at the same time, newest last: `rowid`
    /// (insertion order) on SQLite, `id` on PostgreSQL.
    const ROW_ORDER: &'static str;

    /// An SQL expression giving the UUID in `column` as 32 lowercase hex digits (no dashes),
    /// for searching by a fragment of an id.
    fn uuid_hex(column: &str) -> String;

    /// An SQL expression giving the seconds (fractional) from the time `from` to the time `to`.
    fn seconds_between(from: &str, to: &str) -> String;

    /// The pool for reads.
    fn reader(&self) -> &Pool<Self::Db>;

    /// The pool for writes (on SQLite its single writer connection).
    fn writer(&self) -> &Pool<Self::Db>;

    /// A write transaction; dropping it without committing rolls it back.
    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Self::Db>>> + Send;

    /// Serialises the caller's write transaction with every other one that locks the same
    /// `(class, key)` until it ends: a transaction-scoped advisory lock on PostgreSQL, nothing
    /// on SQLite (whose write transaction already excludes every other writer).
    fn lock_key<'c>(
        conn: &'c mut <Self::Db as Database>::Connection,
        class: i32,
        key: &'c str,
    ) -> impl Future<Output = Result<()>> + Send + 'c;
}
