//! API tests: the real server on a random port, driven over HTTP, on SQLite and PostgreSQL.
mod helpers;

mod accounts;
mod admin;
mod billing;
mod credits;
mod email;
#[macro_use]
mod generation;
mod hardening;
mod labels;
mod moderation;
mod openapi;
mod providers;
mod site;
mod site_assets;
mod smart_import;
mod storage;
mod works;
