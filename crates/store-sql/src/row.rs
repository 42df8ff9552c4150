//! One way to read a column of a row of either backend.
use miaojing_domain::{Error, Result};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, Postgres, Row, Sqlite, Type};

/// A Rust type both backends decode (`String`, `i64`, `bool`, `Uuid`, `DateTime<Utc>`,
/// `Json<_>`, their `Option`s, …).
pub trait Column: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}

impl<T> Column for T where T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}

/// A result row the shared readers understand: `SqliteRow` and `PgRow`.
pub trait ReadRow {
    /// The column `name`; a missing column or a value of the wrong type is an internal error.
    fn col<T: Column>(&self, name: &str) -> Result<T>;
}

impl ReadRow for SqliteRow {
    fn col<T: Column>(&self, name: &str) -> Result<T> {
        self.try_get(name).map_err(|e| Error::internal(format!("sqlite: column {name}: {e}")))
    }
}

impl ReadRow for PgRow {
    fn col<T: Column>(&self, name: &str) -> Result<T> {
        self.try_get(name).map_err(|e| Error::internal(format!("postgres: column {name}: {e}")))
    }
}
