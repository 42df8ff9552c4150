//! Builds the store, the services and the HTTP server.
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use chrono::Duration;
use miaojing_auth::{AuthService, AuthSettings, TokenKeys};
use miaojing_credits::{CreditService, RedeemService};
use miaojing_domain::Store;
use miaojing_outbound::{AllowList, OutboundClient, Timeouts};
use miaojing_providers::secrets::SecretBox;
use miaojing_site::SiteService;
use miaojing_storage::Storage;
use miaojing_store_postgres::PgStore;
use miaojing_store_sqlite::SqliteStore;
use utoipa_actix_web::AppExt;

use miaojing_domain::job::JobWakeup;
use miaojing_jobs::{Aborts, EventBus, JobQueue, LocalWakeup, Runner, RunnerConfig};

use crate::config::Config;
use crate::generation::ProviderExecutor;
use crate::http::error::{json_error, path_error, query_error};
use crate::http::head::head_as_get;
use crate::http::headers::{security_headers, SecurityHeaders};
use crate::http::metrics::{observe, Metrics, MetricsAccess};
use crate::http::shutdown::{end_streams_on_shutdown, Shutdown};
use crate::spa::{self, SpaDir};
use crate::state::AppState;

/// How often failed mirror uploads (dual storage) are retried.
const MIRROR_RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// How often stored images are checked for missing or stale thumbnails.
const THUMBNAIL_BACKFILL_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Largest JSON body accepted (413 above).
pub const JSON_LIMIT: usize = 1024 * 1024;

/// Opens the store named by the URL: `postgres://`/`postgresql://` → PostgreSQL, otherwise
/// SQLite. Both run their migrations.
pub async fn open_store(url: &str, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url, max_connections).await.map_err(|e| anyhow::anyhow!("PostgreSQL: {e}"))?))
    } else {
        Ok(Arc::new(SqliteStore::connect(url).await.map_err(|e| anyhow::anyhow!("SQLite: {e}"))?))
    }
}

/// A running server bound to a port.
pub struct Application {
    port: u16,
    server: Server,
    shutdown: Shutdown,
    worker_slots: usize,
    pub state: AppState,
}

impl Application {
    /// Opens the store, creates the first admin if configured, and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = open_store(&config.database_url, config.db_max_connections).await?;
        Self::build_with_store(config, store).await
    }

    /// As [`Application::build`] with an already-open store (tests share one).
    pub async fn build_with_store(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let secrets = SecretBox::new(&config.encryption_key);
        let code_secret = format!("email-codes:{}", config.encryption_key).into_bytes();
        let auth = AuthService::new(
            store.clone(),
            TokenKeys::new(&config.jwt_secret),
            AuthSettings { session_ttl: Duration::days(config.session_ttl_days), code_secret, rate_limits: config.rate_limits },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let demo_on = crate::demo::decide_at_start(store.as_ref(), crate::demo::BUILT_IN, config.demo, config.demo_when_empty)
            .await
            .map_err(|e| anyhow::anyhow!("demo models: {e}"))?;
        let demo = if demo_on { Some(Arc::new(crate::demo::start_mock().await?)) } else { None };
        let mut allow = config.outbound_allowlist.clone();
        if let Some(mock) = &demo {
            allow = format!("{allow},{}", mock.addr());
        }
        let allow = AllowList::parse(&allow).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let outbound = OutboundClient::new(allow, Timeouts::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::demo::seed_catalog(store.as_ref()).await.map_err(|e| anyhow::anyhow!("seeding style presets: {e}"))?;
        if let Some(mock) = &demo {
            crate::demo::register_models(store.as_ref(), &secrets, mock.base_url())
                .await
                .map_err(|e| anyhow::anyhow!("demo models: {e}"))?;
            tracing::info!(upstream = %mock.base_url(), "demo mode: mock upstream running, demo models registered (the console's settings turn them off)");
        } else {
            // Demo rows left from an earlier run would point at a mock that is not running.
            crate::demo::retire_models(store.as_ref()).await.map_err(|e| anyhow::anyhow!("demo models: {e}"))?;
        }
        let storage = Storage::open(config.storage_config()).map_err(|e| anyhow::anyhow!("storage: {e}"))?;
        let wakeup: Arc<dyn JobWakeup> = match store.job_wakeup().await.map_err(|e| anyhow::anyhow!("job wake-ups: {e}"))? {
            Some(w) => w,
            None => Arc::new(LocalWakeup::default()),
        };
        let (events, aborts) = (EventBus::default(), Aborts::default());
        let carried = Arc::new(crate::generation::carry::Carried::default());
        let executor = Arc::new(ProviderExecutor::new(store.clone(), secrets.clone(), outbound.clone(), storage.clone(), carried.clone()));
        let mut runner_config = RunnerConfig::new(format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple()));
        runner_config.slots = config.worker_slots;
        runner_config.lease = config.job_lease;
        let runner = Runner::new(store.clone(), executor.clone(), wakeup.clone(), events.clone(), aborts.clone(), runner_config);
        let site = SiteService::new(store.clone(), secrets.clone(), storage.clone());
        let gallery: Arc<crate::gallery_cache::GalleryCache> = Arc::default();
        let caches = crate::gallery_cache::ServedWorkCaches { gallery: gallery.clone(), storage: storage.clone() };
        let works = miaojing_works::WorksService::new(store.clone(), storage.clone(), site.clone(), Arc::new(caches));
        let jobs = JobQueue::new(store.clone(), wakeup, events, aborts).with_executor(executor);
        let state = AppState {
            job_admin: miaojing_jobs::JobAdmin::new(store.clone(), jobs.clone()),
            jobs,
            runner,
            carried,
            outbound,
            demo,
            auth: auth.clone(),
            credits: CreditService::new(store.clone()),
            redeem: RedeemService::new(store.clone()),
            site,
            models: miaojing_catalog::CatalogService::new(store.clone(), secrets.clone()),
            works,
            storage,
            downloads: miaojing_auth::DownloadTokens::new(&config.jwt_secret),
            secrets,
            metrics: Arc::new(Metrics::default()),
            catalog: Arc::default(),
            gallery,
            trust_proxy: config.trust_proxy,
            started: Instant::now(),
            store: store.clone(),
        };
        if let Some(seed) = &config.admin {
            if store.count_admins().await.map_err(|e| anyhow::anyhow!("{e}"))? == 0 {
                let admin = auth
                    .create_admin(&seed.email, &seed.password, Some(&seed.username))
                    .await
                    .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
                tracing::info!(email = %admin.email, "created the first admin");
            }
        }
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        let port = listener.local_addr()?.port();
        let shutdown = Shutdown::default();
        let server = run(listener, state.clone(), &config, shutdown.clone())?;
        Ok(Self { port, server, shutdown, worker_slots: config.worker_slots, state })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped (`SIGTERM`/`SIGINT`: event streams end at once, requests in flight
    /// finish), with background housekeeping.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (handle, shutdown) = (self.server.handle(), self.shutdown.clone());
        tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stopping: ending event streams, finishing requests in flight");
            shutdown.trigger();
            handle.stop(true).await;
        });
        crate::maintenance::spawn(self.state.clone());
        self.state.works.spawn_backfill();
        self.state.storage.spawn_mirror_retry(MIRROR_RETRY_EVERY);
        self.state.storage.spawn_thumbnail_backfill(THUMBNAIL_BACKFILL_EVERY);
        let runner = (self.worker_slots > 0).then(|| self.state.runner.spawn());
        let served = self.server.await;
        if let Some(r) = runner {
            // In-flight jobs are abandoned cleanly: their leases expire and the next start
            // (or another instance) re-queues or resumes them.
            r.stop().await;
        }
        served
    }
}

/// Resolves on `SIGTERM` or `SIGINT` (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn run(listener: TcpListener, state: AppState, config: &Config, shutdown: Shutdown) -> anyhow::Result<Server> {
    let headers = SecurityHeaders::new(&config.frame_ancestors);
    let spa_dir = SpaDir(config.static_dir.clone());
    let metrics = state.metrics.clone();
    let metrics_access = web::Data::new(MetricsAccess::new(config.metrics_token.clone()));
    let shutdown = web::Data::new(shutdown);
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .map(|app| {
                app.app_data(data.clone())
                    .app_data(web::Data::new(metrics.clone()))
                    .app_data(metrics_access.clone())
                    .app_data(shutdown.clone())
                    .app_data(web::Data::new(Rc::new(headers.clone())))
                    .app_data(web::Data::new(spa_dir.clone()))
                    .app_data(web::JsonConfig::default().limit(JSON_LIMIT).error_handler(json_error))
                    .app_data(web::QueryConfig::default().error_handler(query_error))
                    .app_data(web::PathConfig::default().error_handler(path_error))
                    .default_service(web::to(spa::serve))
            })
            .configure(crate::routes::configure)
            .split_for_parts();
        app.wrap(from_fn(end_streams_on_shutdown))
            .wrap(from_fn(crate::http::bad_input::keep_json_body))
            .wrap(from_fn(crate::http::invalidate::invalidate_caches_on_writes))
            .wrap(from_fn(crate::http::extract::admin_gate))
            .wrap(Compress::default())
            .wrap(from_fn(security_headers))
            .wrap(from_fn(head_as_get))
            .wrap(from_fn(observe))
    })
    .workers(config.workers)
    // Stop signals are handled in `run_until_stopped`, which ends event streams first.
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// This machine's name for worker ids (best effort).
fn hostname() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "miaojing".to_string())
}
