//! A short-lived snapshot of the platform part of the model catalogue (providers,
//! recommendations, platform models), shared by every `GET /api/model-config`. Any admin write
//! on this instance drops it at once; other instances see a change within [`CATALOG_TTL`].
//! The caller's own keys are cached per user the same way; changing them drops the cache.
use std::sync::Arc;
use std::time::Duration;

use miaojing_api_types::providers::{ModelConfig, PlatformModel, ProviderView, RecommendationView, UserApiKeyView};
use miaojing_catalog::CatalogService;
use miaojing_domain::provider::MediaType;
use miaojing_domain::user::Tier;
use miaojing_domain::{Error, Result};
use uuid::Uuid;

use crate::provider_views::{platform_model, provider_view, recommendation_view, user_key_view};
use crate::ttl_map::TtlMap;

/// How long a snapshot serves before the store is read again.
pub const CATALOG_TTL: Duration = Duration::from_secs(2);

/// One platform model with what decides who sees it.
pub struct Offered {
    pub media_type: MediaType,
    pub name: String,
    pub allowed: Vec<Tier>,
    pub view: PlatformModel,
}

/// The platform part of the catalogue, as answered to users.
pub struct PlatformCatalog {
    pub providers: Vec<ProviderView>,
    pub recommendations: Vec<RecommendationView>,
    /// Active default rows by display name, sort order, created time.
    pub models: Vec<Offered>,
    /// Per tier (in [`TIERS`] order): the answer serialised up to, not including, `userKeys`.
    heads: Vec<String>,
}

/// The tiers, in the order of [`PlatformCatalog`]'s pre-serialised answers.
const TIERS: [Tier; 4] = [Tier::Free, Tier::Pro, Tier::Max, Tier::Ultra];
/// How a [`ModelConfig`] with no keys ends; `userKeys` is its last field.
const NO_KEYS_TAIL: &str = ",\"userKeys\":[]}";

impl PlatformCatalog {
    fn new(providers: Vec<ProviderView>, recommendations: Vec<RecommendationView>, models: Vec<Offered>) -> Self {
        let mut c = Self { providers, recommendations, models, heads: Vec::new() };
        c.heads = TIERS
            .iter()
            .map(|t| {
                let full = serde_json::to_string(&c.answer(*t, Vec::new())).unwrap_or_default();
                full.strip_suffix(NO_KEYS_TAIL).map(str::to_string).unwrap_or_default()
            })
            .collect();
        c
    }

    /// One model per media type and display name that `tier` may use.
    pub fn models_for(&self, tier: Tier) -> Vec<PlatformModel> {
        let mut seen = std::collections::HashSet::new();
        self.models
            .iter()
            .filter(|m| m.allowed.contains(&tier))
            .filter(|m| seen.insert((m.media_type, m.name.as_str())))
            .map(|m| m.view.clone())
            .collect()
    }

    /// The whole answer for a caller of `tier` with these keys.
    pub fn answer(&self, tier: Tier, user_keys: Vec<UserApiKeyView>) -> ModelConfig {
        ModelConfig {
            providers: self.providers.clone(),
            recommendations: self.recommendations.clone(),
            system_apis: self.models_for(tier),
            user_keys,
        }
    }

    /// The answer as JSON text: the tier's pre-serialised part plus the caller's keys (a JSON
    /// array of key views). `None` if the tier's part could not be prepared.
    pub fn answer_json(&self, tier: Tier, user_keys_json: &str) -> Option<String> {
        let head = TIERS.iter().position(|t| *t == tier).and_then(|i| self.heads.get(i)).filter(|h| !h.is_empty())?;
        Some(format!("{head},\"userKeys\":{user_keys_json}}}"))
    }
}

/// Users whose key lists are kept at most (older entries are dropped first).
const MAX_CACHED_USERS: usize = 10_000;

/// The cached snapshot and the callers' key lists.
pub struct CatalogCache {
    platform: TtlMap<(), Arc<PlatformCatalog>>,
    /// Per user: the key views as a JSON array.
    keys: TtlMap<Uuid, Arc<str>>,
}

impl Default for CatalogCache {
    fn default() -> Self {
        Self { platform: TtlMap::new(CATALOG_TTL, 1), keys: TtlMap::new(CATALOG_TTL, MAX_CACHED_USERS) }
    }
}

impl CatalogCache {
    /// The current snapshot, read through the catalogue service when missing or older than [`CATALOG_TTL`].
    pub async fn get(&self, models: &CatalogService) -> Result<Arc<PlatformCatalog>> {
        if let Some(c) = self.platform.get(&()) {
            return Ok(c);
        }
        let generation = self.platform.generation();
        let catalog = models.model_catalog().await?;
        let models = catalog
            .system_apis
            .into_iter()
            .map(|a| Offered { media_type: a.media_type, name: a.name.clone(), allowed: a.allowed_tiers.clone(), view: platform_model(a) })
            .collect();
        let built = Arc::new(PlatformCatalog::new(
            catalog.providers.into_iter().map(provider_view).collect(),
            catalog.recommendations.into_iter().map(recommendation_view).collect(),
            models,
        ));
        self.platform.put((), generation, Arc::clone(&built));
        Ok(built)
    }

    /// The caller's key views as a JSON array, read through the catalogue service when missing or older than
    /// [`CATALOG_TTL`].
    pub async fn user_keys_json(&self, models: &CatalogService, user: Uuid) -> Result<Arc<str>> {
        if let Some(json) = self.keys.get(&user) {
            return Ok(json);
        }
        let generation = self.keys.generation();
        let views: Vec<UserApiKeyView> = models.user_keys(user).await?.into_iter().map(user_key_view).collect();
        let json: Arc<str> = serde_json::to_string(&views).map_err(|e| Error::internal(format!("keys: {e}")))?.into();
        self.keys.put(user, generation, Arc::clone(&json));
        Ok(json)
    }

    /// Drops the snapshot and every cached key list (after a change to either).
    pub fn invalidate(&self) {
        self.platform.clear();
        self.keys.clear();
    }
}

/// Whether a request that is not a read may change what `GET /api/model-config` answers: admin
/// changes and users' own key changes.
pub fn changes_catalog(path: &str) -> bool {
    path.starts_with("/api/admin/") || path.starts_with("/api/user-api-keys")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pre_serialised_answer_equals_the_plain_one() {
        let c = PlatformCatalog::new(Vec::new(), Vec::new(), Vec::new());
        for tier in TIERS {
            let fast: serde_json::Value = serde_json::from_str(&c.answer_json(tier, "[]").unwrap()).unwrap();
            assert_eq!(fast, serde_json::to_value(c.answer(tier, Vec::new())).unwrap());
        }
    }
}
