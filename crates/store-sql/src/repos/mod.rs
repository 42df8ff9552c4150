//! The repositories that are the same SQL on both backends, each a macro that implements
//! one repository trait of `miaojing-domain` for a [`SqlStore`](crate::SqlStore) type.
//!
//! They are macros, not generic code over `sqlx::Database`, because a generic body needs
//! a bound for every bound value type, executor and argument buffer (and often trips on
//! `Send` of the futures); expanded for `SqliteStore` or `PgStore` the same text compiles
//! against concrete types, and the repository trait can be implemented in the store crate
//! that owns the type. See decision 53 in `docs/decisions.md`.

mod accounts;
mod email_codes;
mod jobs;
mod ledger;
mod providers;
mod redeem;
mod site;
mod users;
mod works;

/// What the repository macros use: `impl_shared_repos!` imports it with one glob.
#[doc(hidden)]
pub mod prelude {
    pub use std::sync::LazyLock;

    pub use chrono::{DateTime, Utc};
    pub use miaojing_domain::{PageRequest, Paged, Result};
    pub use sqlx::types::Json;
    pub use sqlx::{self, QueryBuilder};
    pub use uuid::Uuid;

    pub use crate::errors::{db_err, named_conflict, short_of, DbResultExt};
    pub use crate::rows;
    pub use crate::sql::{as_uuid, like_pattern, limit_offset, now, push_contains_any, push_list};
    pub use crate::{ReadRow as _, SqlStore as _};

    /// The sqlx database of store `S`.
    pub type Db<S> = <S as crate::SqlStore>::Db;
}

/// Implements every shared repository trait for `$store`, a [`SqlStore`](crate::SqlStore):
/// `miaojing_store_sql::impl_shared_repos!(SqliteStore);` in the store crate. The store
/// crate implements the remaining traits (users, ledger, redeem, jobs, …) itself.
#[macro_export]
macro_rules! impl_shared_repos {
    ($store:ty) => {
        const _: () = {
            use $crate::repos::prelude::*;

            /// Runs one statement in its own write transaction; the number of rows it changed.
            async fn write_rows<'q>(
                store: &$store,
                query: sqlx::query::Query<'q, Db<$store>, <Db<$store> as sqlx::Database>::Arguments<'q>>,
            ) -> Result<u64> {
                let mut tx = store.begin_write().await?;
                let done = query.execute(&mut *tx).await.map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(done.rows_affected())
            }

            /// One page of a list. `query(select)` is the list's query (its `FROM` and filter)
            /// with `select` as its select list: the total is `query("SELECT COUNT(*)")`, the
            /// page `query(columns)` in `order`, each row read by `read`.
            async fn page_of<'q, T>(
                store: &$store,
                query: impl Fn(&str) -> QueryBuilder<'q, Db<$store>>,
                columns: &str,
                order: &str,
                page: PageRequest,
                read: impl Fn(&<Db<$store> as sqlx::Database>::Row) -> Result<T>,
            ) -> Result<Paged<T>> {
                let total: i64 = query("SELECT COUNT(*)").build_query_scalar().fetch_one(store.reader()).await.map_err(db_err)?;
                let (limit, offset) = limit_offset(page);
                let mut q = query(columns);
                q.push(format!(" ORDER BY {order} LIMIT ")).push_bind(limit).push(" OFFSET ").push_bind(offset);
                let found = q.build().fetch_all(store.reader()).await.map_err(db_err)?;
                Ok(Paged { items: found.iter().map(read).collect::<Result<_>>()?, total })
            }

            $crate::__accounts_repos!($store);
            $crate::__email_codes_repo!($store);
            $crate::__jobs_repo!($store);
            $crate::__ledger_repo!($store);
            $crate::__providers_repos!($store);
            $crate::__redeem_repo!($store);
            $crate::__site_repos!($store);
            $crate::__users_repo!($store);
            $crate::__works_repo!($store);
        };
    };
}
