//! sqlx errors as domain errors: the table shared with SQLite (`miaojing_store_sql::errors`).
pub(crate) use miaojing_store_sql::errors::{db_err as map_db_error, insufficient_credits, DbResultExt};
