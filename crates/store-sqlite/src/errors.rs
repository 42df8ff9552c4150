//! sqlx errors as domain errors: the table shared with PostgreSQL (`miaojing_store_sql::errors`).
pub(crate) use miaojing_store_sql::errors::db_err;
pub(crate) use miaojing_store_sql::sql::like_pattern;
