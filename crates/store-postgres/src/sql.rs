//! Small SQL helpers, shared with SQLite (`miaojing_store_sql::sql`).
pub(crate) use miaojing_store_sql::sql::{like_pattern as contains_pattern, limit_offset, now, search_term, seconds_until};
