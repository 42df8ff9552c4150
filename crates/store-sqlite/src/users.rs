//! One account read inside a write transaction (`UserRepo` itself is shared, in
//! `miaojing_store_sql`).
use miaojing_domain::user::User;
use miaojing_domain::Result;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::errors::db_err;
use crate::rows::{self, USER_COLUMNS};

/// One user inside a transaction.
pub(crate) async fn user_in(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await.map_err(db_err)?;
    row.as_ref().map(rows::user).transpose()
}
