//! The `miaojing` server: configuration, start-up, the actix-web JSON API under `/api`,
//! OpenAPI, metrics and serving the SPA for every other path.

pub mod catalog_cache;
pub mod channels;
pub mod config;
pub mod demo;
pub mod gallery_cache;
pub mod generation;
pub mod http;
pub mod maintenance;
pub mod openapi;
pub mod provider_views;
pub mod routes;
pub mod spa;
pub mod startup;
pub mod state;
pub mod storage_sync;
pub mod telemetry;
pub mod ttl_map;

pub use config::Config;
pub use startup::Application;
