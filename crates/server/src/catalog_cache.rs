//! A short-lived snapshot of the platform part of the model catalogue (providers,
//! recommendations, platform models), shared by every `GET /api/model-config`. Any admin write
//! on this instance drops it at once; other instances see a change within [`CATALOG_TTL`].
//! Only the caller's own keys are read per request.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use miaojing_api_types::providers::{PlatformModel, ProviderView, RecommendationView};
use miaojing_domain::provider::MediaType;
use miaojing_domain::user::Tier;
use miaojing_domain::{Result, Store};
use parking_lot::Mutex;

use crate::provider_views::{platform_model, provider_view, recommendation_view};

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
}

impl PlatformCatalog {
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
}

/// The cached snapshot.
#[derive(Default)]
pub struct CatalogCache {
    slot: Mutex<Option<(Instant, Arc<PlatformCatalog>)>>,
    /// Bumped by every invalidation, so a snapshot read before it is never stored after it.
    generation: AtomicU64,
}

impl CatalogCache {
    /// The current snapshot, read from the store when missing or older than [`CATALOG_TTL`].
    pub async fn get(&self, store: &dyn Store) -> Result<Arc<PlatformCatalog>> {
        if let Some((at, c)) = self.slot.lock().as_ref() {
            if at.elapsed() < CATALOG_TTL {
                return Ok(Arc::clone(c));
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        let catalog = store.model_catalog(None).await?;
        let built = Arc::new(PlatformCatalog {
            providers: catalog.providers.into_iter().map(provider_view).collect(),
            recommendations: catalog.recommendations.into_iter().map(recommendation_view).collect(),
            models: catalog
                .system_apis
                .into_iter()
                .map(|a| Offered {
                    media_type: a.media_type,
                    name: a.name.clone(),
                    allowed: a.allowed_tiers.clone(),
                    view: platform_model(a),
                })
                .collect(),
        });
        let mut slot = self.slot.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            *slot = Some((Instant::now(), Arc::clone(&built)));
        }
        Ok(built)
    }

    /// Drops the snapshot (after an admin change).
    pub fn invalidate(&self) {
        let mut slot = self.slot.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        *slot = None;
    }
}
