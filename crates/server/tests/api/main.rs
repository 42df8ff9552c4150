//! API tests: the real server on a random port, driven over HTTP, on SQLite and PostgreSQL.
mod helpers;

mod accounts;
mod admin;
mod billing;
mod credits;
mod email;
mod generation;
mod hardening;
mod openapi;
mod providers;
mod site;
mod smart_import;
mod storage;
mod works;
