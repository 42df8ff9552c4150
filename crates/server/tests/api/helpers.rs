//! Spawning the app per test and talking to it.
use miaojing_api_types::ErrorCode;
use std::sync::Arc;

use miaojing_domain::Store;
use miaojing_server::config::Config;
use miaojing_server::state::AppState;
use miaojing_server::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running app.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub config: Config,
    _dir: tempfile::TempDir,
}

/// A test configuration: random port, temp data dir, generous rate limits.
pub fn test_config(dir: &std::path::Path) -> Config {
    Config::ephemeral(dir)
}

/// Starts the app on `backend` with the default test configuration.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Starts the app on `backend` after `tweak` adjusts the configuration.
pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    tweak(&mut config);
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => {
            config.database_url = format!("sqlite://{}", dir.path().join("test.db").display());
            miaojing_server::startup::open_store(&config.database_url, 5).await.expect("sqlite store")
        }
        Backend::Postgres => Arc::new(miaojing_store_postgres::testing::fresh_database().await),
    };
    let app = Application::build_with_store(config.clone(), store.clone()).await.expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { base, client: reqwest::Client::new(), store, state, config, _dir: dir }
}

/// Declares `mod <case> { sqlite, postgres }` tests running `async fn <case>(TestApp)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case($crate::helpers::spawn($crate::helpers::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$case($crate::helpers::spawn($crate::helpers::Backend::Postgres).await).await
            }
        }
    )*};
}

impl TestApp {
    /// Sends a JSON request; returns the status and the parsed body (`Value::Null` if empty,
    /// a string if not JSON).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body read");
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, None, token).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body), token).await
    }

    pub async fn put(&self, path: &str, body: Value, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body), token).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None, token).await
    }

    /// Registers a user; returns (token, user JSON).
    pub async fn register(&self, email: &str, username: &str) -> (String, Value) {
        self.register_with(json!({ "email": email, "nickname": username, "password": "passw0rd-ok", "acceptedTerms": true })).await
    }

    /// Registers with a full body; panics unless 200.
    pub async fn register_with(&self, body: Value) -> (String, Value) {
        let (status, v) = self.post("/api/auth/register", body, None).await;
        assert_eq!(status, StatusCode::OK, "register: {v}");
        (v["session"]["access_token"].as_str().expect("token").to_string(), v["user"].clone())
    }

    /// Logs in; returns the response.
    pub async fn login(&self, account: &str, password: &str) -> (StatusCode, Value) {
        self.post("/api/auth/login", json!({ "account": account, "password": password }), None).await
    }

    /// Creates an admin (through the service, as the CLI does) and returns its token.
    pub async fn admin_token(&self) -> String {
        let n = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("admin-{}@example.com", &n[..8]);
        self.state.auth.create_admin(&email, "adminpass1", Some(&format!("admin{}", &n[..6]))).await.expect("admin created");
        let (status, v) = self.post("/api/auth/login", json!({ "email": email, "password": "adminpass1", "adminOnly": true }), None).await;
        assert_eq!(status, StatusCode::OK, "admin login: {v}");
        v["session"]["access_token"].as_str().unwrap().to_string()
    }

    /// The caller's balance from `/api/profile`.
    pub async fn balance(&self, token: &str) -> i64 {
        let (s, v) = self.get("/api/profile", Some(token)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["profile"]["credits_balance"].as_i64().unwrap()
    }
}

/// Asserts a JSON error with the given status and code.
#[track_caller]
pub fn assert_error(res: &(StatusCode, Value), status: u16, code: ErrorCode) {
    assert_eq!(res.0.as_u16(), status, "body: {}", res.1);
    assert_eq!(res.1["code"], code.as_str(), "body: {}", res.1);
    assert!(res.1["error"].as_str().is_some_and(|m| !m.is_empty()), "error message present: {}", res.1);
}
