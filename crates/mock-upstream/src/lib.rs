//! A real HTTP server imitating upstream AI APIs, for tests and demos.
//!
//! It speaks the OpenAI-compatible wire format (`/v1/images/generations`, `/v1/images/edits`,
//! `/v1/chat/completions`, `/v1/models`) plus an asynchronous video task API
//! (`/v1/video/generations` → task id → poll), returns real PNG/JPEG/WebP/MP4 bytes, and can be told to
//! fail in the ways real providers fail (see [`Rule`] and [`Action`]). Every request it receives is
//! recorded and readable by tests, through [`MockHandle`] or the admin HTTP API under `/__mock/`.
//!
//! Endpoints (Bearer key required on `/v1/*`; missing/wrong key → 401 in OpenAI's error shape):
//! - `POST /v1/images/generations` JSON `{model, prompt, size: "WxH"|"auto", n 1..=10, quality,
//!   output_format png|jpeg|webp, response_format b64_json|url, stream}`; `stream: true` answers SSE
//!   `image_generation.completed` events.
//! - `POST /v1/images/edits` multipart: `image` or `image[]` (one or more files), `mask`, `prompt`,
//!   `size` (default: the first image's size), `n`, `output_format`, `response_format`.
//! - `POST /v1/chat/completions` (OpenAI messages with `text` and `image_url` parts; `stream: true` → SSE
//!   chunks ending with `data: [DONE]`). The answer starts `A picture described as a WxH <type> image`
//!   when images are sent, else `Prompt suggestion for "<text>": …`.
//! - `GET /v1/models`.
//! - `POST /v1/video/generations` `{model, prompt, image?}` → `{id, task_id, status: "queued"}`;
//!   `GET /v1/video/generations/{id}` → `queued` → `running` (`progress`) → `succeeded` (`video_url`,
//!   `output[0].url`, a real H.264 MP4) or `failed` (`error.message`);
//!   `POST /v1/video/generations/{id}/cancel` ends a queued or running task `cancelled` (409 once finished).
//! - `GET /files/{id}.{ext}`: result files (no auth), expiring per [`Settings`] or [`Action::ExpireUrls`].
//!
//! Admin API (no auth, not recorded): `GET|POST|DELETE /__mock/rules` (POST takes one [`Rule`] or an
//! array, e.g. `{"path": "/v1/images/generations", "times": 1, "action": {"type": "status", "status": 503}}`),
//! `GET /__mock/requests[?path=…]` and `DELETE /__mock/requests`, `GET /__mock/cancels` (`{cancelled: [task ids]}`),
//! `GET|PUT /__mock/settings` (PUT merges fields), `GET /__mock/health`.
//!
//! ```no_run
//! # async fn demo() {
//! use miaojing_mock_upstream::{start, Action, MockConfig, Rule};
//! let mock = start(MockConfig::default()).await;
//! mock.add_rule(Rule::new(Action::status(503)).on_path("/v1/images/generations").times(1));
//! let base = mock.base_url(); // e.g. http://127.0.0.1:41234
//! # let _ = base;
//! # }
//! ```

mod handlers;
mod imagegen;
mod rules;
mod state;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

pub use rules::{Action, Rule};
pub use state::{RecordedRequest, Settings};

use state::AppState;

/// Start-up configuration of a mock server.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Address to bind; `None` binds `127.0.0.1:0` (a free port).
    pub addr: Option<SocketAddr>,
    /// Accepted API keys. `None` accepts any non-empty key starting with `sk-`.
    pub api_keys: Option<Vec<String>>,
    /// Model ids listed by `GET /v1/models`.
    pub models: Vec<String>,
    /// Worker threads of the HTTP server (at least 1).
    pub workers: usize,
    /// Maximum number of requests kept in the record (oldest dropped first).
    pub max_recorded: usize,
    /// Initial run-time settings (video timing, URL expiry); changeable later.
    pub settings: Settings,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            addr: None,
            api_keys: None,
            models: ["gpt-image-1", "gpt-image-2", "dall-e-3", "gpt-4o-mini", "gpt-5.5", "mock-video-1"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            workers: 2,
            max_recorded: 10_000,
            settings: Settings::default(),
        }
    }
}

/// A running mock server. Dropping it stops the server.
pub struct MockHandle {
    base_url: String,
    addr: SocketAddr,
    state: Arc<AppState>,
    server: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Starts a mock server; panics when the address cannot be bound (use [`try_start`] to handle that).
pub async fn start(config: MockConfig) -> MockHandle {
    match try_start(config).await {
        Ok(handle) => handle,
        Err(e) => panic!("mock-upstream failed to start: {e}"),
    }
}

/// Starts a mock server on its own thread (with its own actix runtime), so it works from any async
/// runtime and keeps serving while the caller's runtime is blocked.
pub async fn try_start(config: MockConfig) -> std::io::Result<MockHandle> {
    let addr = config.addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState::new(&config));
    let workers = config.workers.max(1);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let thread_state = state.clone();
    let thread = std::thread::Builder::new().name("mock-upstream".into()).spawn(move || {
        let system = actix_rt::System::new();
        system.block_on(async move {
            let server = match handlers::server(thread_state, listener, workers) {
                Ok(server) => server,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            let _ = tx.send(Ok(server.handle()));
            let _ = server.await;
        });
    })?;
    let server = rx.await.map_err(|_| std::io::Error::other("mock-upstream thread ended early"))??;
    Ok(MockHandle { base_url: format!("http://{addr}"), addr, state, server, thread: Some(thread) })
}

impl MockHandle {
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Absolute URL of `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a failure rule; returns its id. Rules are tried in insertion order; the first match wins.
    pub fn add_rule(&self, rule: Rule) -> String {
        self.state.add_rule(rule)
    }

    /// Removes every failure rule.
    pub fn clear_rules(&self) {
        self.state.rules.lock().clear();
    }

    /// The active failure rules (with their remaining counts).
    pub fn rules(&self) -> Vec<Rule> {
        self.state.rules.lock().clone()
    }

    /// Requests received so far (oldest first), excluding the admin API.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests.lock().iter().cloned().collect()
    }

    /// Ids of the video tasks cancelled through `POST /v1/video/generations/{id}/cancel`, sorted.
    pub fn cancelled_tasks(&self) -> Vec<String> {
        self.state.cancelled_tasks()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state.requests.lock().clear();
    }

    /// Current run-time settings.
    pub fn settings(&self) -> Settings {
        self.state.settings.lock().clone()
    }

    /// Replaces the run-time settings (video stage durations, URL expiry).
    pub fn set_settings(&self, settings: Settings) {
        *self.state.settings.lock() = settings;
    }

    /// Stops the server and waits for its thread to end.
    pub async fn stop(mut self) {
        self.server.stop(false).await;
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        // Sending the stop command is synchronous; the returned future only waits for completion.
        drop(self.server.stop(false));
    }
}

/// How long a video task stays in each stage, from [`Settings`].
pub(crate) fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}
