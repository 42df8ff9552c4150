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

/// Builds a struct from a row. `read_row!(row => Work { id, user_id, …; mode: parse(&mode)?, … })`
/// reads each field named before the `;` from the column of the same name (with the prefix in
/// `read_row!(row, "s_" => Session { … })`) and takes the fields after it as written.
#[macro_export]
macro_rules! read_row {
    ($row:expr => $ty:ident { $($col:ident),* $(,)? $(; $($field:ident $(: $value:expr)?),* $(,)?)? }) => {
        $crate::read_row!($row, "" => $ty { $($col),* $(; $($field $(: $value)?),*)? })
    };
    ($row:expr, $prefix:literal => $ty:ident { $($col:ident),* $(,)? $(; $($field:ident $(: $value:expr)?),* $(,)?)? }) => {
        Ok($ty { $($col: $crate::ReadRow::col($row, concat!($prefix, stringify!($col)))?,)* $($($field $(: $value)?,)*)? })
    };
}
