//! The repositories that are the same SQL on both backends, each a macro that implements
//! one repository trait of `miaojing-domain` for a [`SqlStore`](crate::SqlStore) type.
//!
//! They are macros, not generic code over `sqlx::Database`, because a generic body needs
//! a bound for every bound value type, executor and argument buffer (and often trips on
//! `Send` of the futures); expanded for `SqliteStore` or `PgStore` the same text compiles
//! against concrete types, and the repository trait can be implemented in the store crate
//! that owns the type. See decision 51 in `docs/decisions.md`.

mod announcements;
mod catalog;
mod channel_health;
mod invitations;
mod logs;
mod rate_limits;
mod sessions;
mod settings;
mod stats;
mod system_apis;
mod user_api_keys;

/// Implements every shared repository trait for `$store`, a [`SqlStore`](crate::SqlStore):
/// `miaojing_store_sql::impl_shared_repos!(SqliteStore);` in the store crate. The store
/// crate implements the remaining traits (users, ledger, redeem, jobs, …) itself.
#[macro_export]
macro_rules! impl_shared_repos {
    ($store:ty) => {
        $crate::__announcements_repo!($store);
        $crate::__catalog_repo!($store);
        $crate::__channel_health_repo!($store);
        $crate::__invitations_repo!($store);
        $crate::__logs_repo!($store);
        $crate::__rate_limits_repo!($store);
        $crate::__sessions_repo!($store);
        $crate::__settings_repo!($store);
        $crate::__stats_repo!($store);
        $crate::__system_apis_repo!($store);
        $crate::__user_api_keys_repo!($store);
    };
}
