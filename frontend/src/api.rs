//! The one typed client of the MiaoJing JSON API. Components call these functions and
//! never build URLs by hand.
//!
//! Every call decodes either the success type or the `ErrorBody` envelope into
//! [`ApiError`]. The bearer token of the stored session (localStorage `miaojing_auth`)
//! is attached automatically.
use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use miaojing_api_types::{
    auth::{AdminExistsResponse, AuthResponse, LoginRequest, RegisterRequest},
    error::ErrorBody,
    profile::ProfileResponse,
    site::SiteConfig,
    Success,
};
use serde::{de::DeserializeOwned, Serialize};

use crate::session;

/// Where the API lives, relative to the page's origin (the server serves the SPA too).
const API_BASE: &str = "/api";

/// Route paths below [`API_BASE`].
mod paths {
    pub const SITE_CONFIG: &str = "/site-config";
    pub const LOGIN: &str = "/auth/login";
    pub const REGISTER: &str = "/auth/register";
    pub const LOGOUT: &str = "/auth/logout";
    pub const ADMIN_EXISTS: &str = "/auth/admin-exists";
    pub const PROFILE: &str = "/profile";
}

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with its JSON error envelope.
    Api { status: u16, body: ErrorBody },
    /// The request never got an answer (offline, DNS, CORS, aborted...).
    Network(String),
    /// The answer was not the expected JSON.
    Unexpected { status: u16, detail: String },
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Api { status, .. } | ApiError::Unexpected { status, .. } => Some(*status),
            ApiError::Network(_) => None,
        }
    }

    /// The server's stable error code, if it sent one.
    #[allow(dead_code)] // for pages that branch on codes (other issues)
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Api { body, .. } => Some(&body.code),
            _ => None,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Api { body, .. } => f.write_str(&body.error),
            ApiError::Network(e) => write!(f, "network error: {e}"),
            ApiError::Unexpected { status, detail } => write!(f, "HTTP {status}: {detail}"),
        }
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

fn with_auth(builder: RequestBuilder) -> RequestBuilder {
    let builder = builder.header("Accept", "application/json");
    match session::access_token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

fn get(path: &str) -> RequestBuilder {
    with_auth(Request::get(&url(path)))
}

fn post(path: &str) -> RequestBuilder {
    with_auth(Request::post(&url(path)))
}

async fn decode<T: DeserializeOwned>(resp: Response) -> ApiResult<T> {
    let status = resp.status();
    let text = resp.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if resp.ok() {
        serde_json::from_str(&text).map_err(|e| ApiError::Unexpected { status, detail: e.to_string() })
    } else {
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(ApiError::Api { status, body }),
            Err(_) => Err(ApiError::Unexpected { status, detail: resp.status_text() }),
        }
    }
}

async fn send<T: DeserializeOwned>(builder: RequestBuilder) -> ApiResult<T> {
    let resp = builder.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(resp).await
}

async fn send_json<B: Serialize, T: DeserializeOwned>(builder: RequestBuilder, body: &B) -> ApiResult<T> {
    let req = builder.json(body).map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(resp).await
}

/// `GET /api/site-config`.
pub async fn get_site_config() -> ApiResult<SiteConfig> {
    send(get(paths::SITE_CONFIG)).await
}

/// `POST /api/auth/login`.
pub async fn login(req: &LoginRequest) -> ApiResult<AuthResponse> {
    send_json(post(paths::LOGIN), req).await
}

/// `POST /api/auth/register`.
pub async fn register(req: &RegisterRequest) -> ApiResult<AuthResponse> {
    send_json(post(paths::REGISTER), req).await
}

/// `GET /api/profile` (needs a session).
pub async fn profile() -> ApiResult<ProfileResponse> {
    send(get(paths::PROFILE)).await
}

/// `POST /api/auth/logout`: revokes the current session on the server.
pub async fn logout() -> ApiResult<Success> {
    send(post(paths::LOGOUT)).await
}

/// `GET /api/auth/admin-exists`.
pub async fn admin_exists() -> ApiResult<AdminExistsResponse> {
    send(get(paths::ADMIN_EXISTS)).await
}
