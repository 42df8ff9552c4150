//! The catalogue service: what users may create with and what admins configure — provider
//! presets, model recommendations, style presets, platform models (system APIs) with their
//! pricing and channel health, and each user's own upstream keys. Input from the API is
//! checked into rows here ([`input`]); keys are encrypted before they are stored.
//!
//! Calling an upstream (connection tests, model listings, Manifest imports) is the providers'
//! business: the service takes the rows those produce, or a probe to run, from its caller.
use std::sync::Arc;

use miaojing_domain::provider::HealthPolicy;
use miaojing_domain::Store;
use miaojing_providers::secrets::SecretBox;

pub mod demo;
pub mod input;
mod presets;
mod system_apis;
mod user_keys;

pub use system_apis::{check_import_size, ProbeOutcome};
pub use user_keys::{ProbeCredentials, MAX_BATCH};

#[cfg(test)]
mod tests;

/// Health policy of platform channels: 5 errors within 2 minutes freeze a channel for 1 minute.
pub const HEALTH_POLICY: HealthPolicy =
    HealthPolicy { window: chrono::TimeDelta::seconds(120), threshold: 5, cool_down: chrono::TimeDelta::seconds(60) };

/// The catalogue's rules over the store. Cheap to clone.
#[derive(Clone)]
pub struct CatalogService {
    store: Arc<dyn Store>,
    secrets: SecretBox,
}

impl CatalogService {
    /// A service over `store`, encrypting and decrypting keys with `secrets`.
    pub fn new(store: Arc<dyn Store>, secrets: SecretBox) -> Self {
        Self { store, secrets }
    }
}
