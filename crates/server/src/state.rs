//! Shared application state, built once at start-up and handed to every handler.
use std::sync::Arc;
use std::time::Instant;

use miaojing_auth::AuthService;
use miaojing_catalog::CatalogService;
use miaojing_credits::{CreditService, RedeemService};
use miaojing_domain::Store;
use miaojing_outbound::OutboundClient;
use miaojing_providers::secrets::SecretBox;
use miaojing_site::SiteService;
use miaojing_storage::Storage;
use miaojing_works::WorksService;

use crate::http::metrics::Metrics;

/// Everything a handler may need. Cheap to clone (all `Arc`s inside).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub auth: AuthService,
    pub credits: CreditService,
    pub redeem: RedeemService,
    pub site: SiteService,
    /// The model catalogue: providers, recommendations, style presets, platform models, users' keys.
    pub models: CatalogService,
    /// History, gallery, publishing, likes and moderation.
    pub works: WorksService,
    pub secrets: SecretBox,
    /// The guarded client for every upstream call.
    pub outbound: OutboundClient,
    /// The in-process mock upstream of demo mode (kept alive with the state).
    pub demo: Option<Arc<crate::demo::DemoUpstream>>,
    pub storage: Storage,
    /// The generation queue (submissions, cancels, progress events).
    pub jobs: miaojing_jobs::JobQueue,
    /// Every user's jobs and model calls, for admins.
    pub job_admin: miaojing_jobs::JobAdmin,
    /// This instance's job runner, started with the server.
    pub runner: Arc<miaojing_jobs::Runner>,
    /// The models this process resolved at submission, carried to its executor.
    pub carried: Arc<crate::generation::carry::Carried>,
    pub downloads: miaojing_auth::DownloadTokens,
    pub metrics: Arc<Metrics>,
    /// The shared snapshot behind `GET /api/model-config`.
    pub catalog: Arc<crate::catalog_cache::CatalogCache>,
    /// Anonymous `GET /api/gallery` pages, kept for a moment.
    pub gallery: Arc<crate::gallery_cache::GalleryCache>,
    pub trust_proxy: bool,
    pub started: Instant,
}
