//! Rows as domain values: the readers shared with PostgreSQL (`miaojing_store_sql::rows`).
use miaojing_domain::Result;
use miaojing_store_sql::{Column, ReadRow};

pub(crate) use miaojing_store_sql::rows::*;
pub(crate) use miaojing_store_sql::sql::{limit_offset, seconds_until};

/// Reads one column, mapping a decode failure to an internal error.
pub(crate) fn col<T: Column>(row: &impl ReadRow, name: &str) -> Result<T> {
    row.col(name)
}
