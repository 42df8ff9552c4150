//! What MiaoJing's two stores share: `store-sqlite` and `store-postgres` are thin crates
//! around this one.
//!
//! - [`errors`]: the one table from a database failure (unique, foreign-key or CHECK
//!   violation, pool exhaustion, …) to the domain error both stores answer with.
//! - [`row`]: [`ReadRow`], one way to read a column of a `SqliteRow` or a `PgRow`.
//! - [`rows`], [`provider_rows`] and [`job_rows`]: the column lists and the row → domain
//!   value readers.
//! - [`sql`]: small helpers (LIKE patterns, page bounds, `Retry-After` seconds).
//! - [`SqlStore`]: what a store tells the shared code (its pools, its write transaction,
//!   its row lock).
//! - [`repos`]: the repositories that are the same SQL on both backends, written once as
//!   macros each store crate expands for its own type (see `impl_shared_repos!`). Their
//!   SQL uses numbered `$1` placeholders, which PostgreSQL and sqlx's SQLite driver both
//!   read (pinned by a test in [`sql`]).
//!
//! What differs between the backends is said through [`SqlStore`] (the row lock, the claim's
//! `SKIP LOCKED`, advisory locks, a duration in SQL) or stays in the store crates
//! (connecting and migrating, LISTEN/NOTIFY).

pub mod errors;
pub mod job_rows;
pub mod provider_rows;
pub mod repos;
pub mod row;
pub mod rows;
pub mod sql;
mod store;

pub use errors::{db_err, DbResultExt};
pub use row::{Column, ReadRow};
pub use store::SqlStore;

/// Crates the repository macros name, so a store crate needs no extra dependency for them.
#[doc(hidden)]
pub mod __private {
    pub use async_trait::async_trait;
    pub use chrono;
    pub use miaojing_domain;
    pub use serde_json;
    pub use sqlx;
    pub use uuid;
}
