//! The shared repository contract (`miaojing_domain::testkit`) on PostgreSQL, one fresh
//! database per case. Needs `MIAOJING_TEST_PG_URL` (see `deploy/pg-test-env.sh`); without
//! a reachable server every case fails.
use std::sync::Arc;

use miaojing_domain::testkit::SharedStore;
use miaojing_store_postgres::testing::fresh_database;

async fn fresh() -> SharedStore {
    Arc::new(fresh_database().await)
}

miaojing_domain::contract_tests!(fresh);
