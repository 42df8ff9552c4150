//! One account read inside a transaction (`UserRepo` itself is shared, in
//! `miaojing_store_sql`).
use miaojing_domain::user::User;
use miaojing_domain::Result;
use miaojing_store_sql::rows::{self, USER_COLUMNS};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::errors::DbResultExt;

/// Loads a user inside a transaction, optionally locking the row.
pub(crate) async fn user_in(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<User>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1{lock}");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await.db()?;
    row.as_ref().map(rows::user).transpose()
}
