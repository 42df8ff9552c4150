//! The one typed client of the MiaoJing JSON API. Components call these functions and
//! never build URLs by hand.
//!
//! Every call decodes either the success type or the `ErrorBody` envelope into
//! [`ApiError`]. The bearer token of the stored session (localStorage `miaojing_auth`)
//! is attached automatically. A 401 answer to a call that carried a token means the
//! session is gone: the hook set with [`on_unauthorized`] runs (the shell signs out and
//! sends the user to the login page).
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use miaojing_api_types::{
    auth::{
        AdminExistsResponse, AuthResponse, CodeSentResponse, EmailRequest, LoginRequest, MessageResponse, RegisterRequest,
        ResetPasswordRequest, VerifyEmailRequest,
    },
    credits::{CreditRecords, MyInvitations, RedeemRequest, RedeemResponse},
    error::ErrorBody,
    generation::{
        CreateJobRequest, CreatedJob, JobAction, JobList, JobView, ReversePromptInput, ReversePromptOutput, SuggestPromptInput,
        SuggestPromptOutput,
    },
    profile::{ProfileResponse, ProfileUpdate, ThemeRequest, ThemeResponse},
    providers::{ModelConfig, StylePresetList, UpstreamProbe, UpstreamProbeResult, UserApiKeyList, UserApiKeySave},
    site::{Announcement, SiteConfig, SiteStats},
    works::{Deleted, GalleryPage, HistoryPage, LikeState, PublishRequest, PublishResponse},
    Success,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::session;

/// Where the API lives, relative to the page's origin (the server serves the SPA too).
const API_BASE: &str = "/api";

/// Route paths below [`API_BASE`].
pub(crate) mod paths {
    pub const SITE_CONFIG: &str = "/site-config";
    pub const LOGIN: &str = "/auth/login";
    pub const REGISTER: &str = "/auth/register";
    pub const LOGOUT: &str = "/auth/logout";
    pub const ADMIN_EXISTS: &str = "/auth/admin-exists";
    pub const PROFILE: &str = "/profile";
    pub const PROFILE_THEME: &str = "/profile/theme";
    pub const ANNOUNCEMENTS: &str = "/announcements";
    pub const SITE_STATS: &str = "/site-stats";
    pub const CREDIT_TRANSACTIONS: &str = "/credit-transactions";
    pub const REDEEM: &str = "/redeem-codes/redeem";
    pub const MY_INVITATIONS: &str = "/invitations/me";
    pub const SEND_REGISTER_CODE: &str = "/email/send-register-code";
    pub const SEND_RESET_CODE: &str = "/email/send-reset-code";
    pub const SEND_PROFILE_CODE: &str = "/email/send-profile-code";
    pub const VERIFY_PROFILE: &str = "/email/verify-profile";
    pub const RESET_PASSWORD: &str = "/email/reset-password";
    pub const USER_API_KEYS: &str = "/user-api-keys";
    pub const TEST_API: &str = "/auth/test-api";
    pub const FETCH_MODELS: &str = "/auth/fetch-models";
    pub const MODEL_CONFIG: &str = "/model-config";
    pub const STYLE_PRESETS: &str = "/style-presets";
    pub const JOBS: &str = "/generation-jobs";
    pub const JOB_EVENTS: &str = "/generation-jobs/events";
    pub const REVERSE_PROMPT: &str = "/generate/reverse-prompt";
    pub const SUGGEST_PROMPT: &str = "/generate/suggest-prompt";
    pub const HISTORY: &str = "/creation-history";
    pub const GALLERY: &str = "/gallery";
    pub const PUBLISH: &str = "/gallery/publish";
    pub const DOWNLOAD: &str = "/download";
    pub const DOWNLOAD_TOKEN: &str = "/download/token";
}

thread_local! {
    static UNAUTHORIZED_HOOK: RefCell<Option<Rc<dyn Fn()>>> = RefCell::new(None);
}

/// Sets what happens when a call made with a session token gets a 401.
pub fn on_unauthorized(hook: impl Fn() + 'static) {
    UNAUTHORIZED_HOOK.with(|h| *h.borrow_mut() = Some(Rc::new(hook)));
}

fn session_rejected() {
    if let Some(hook) = UNAUTHORIZED_HOOK.with(|h| h.borrow().clone()) {
        hook();
    }
}

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with its JSON error envelope (and, when rate limited, the
    /// seconds its `Retry-After` header asked to wait).
    Api { status: u16, body: ErrorBody, retry_after: Option<u64> },
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

pub(crate) fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

pub(crate) fn with_auth(builder: RequestBuilder) -> RequestBuilder {
    let builder = builder.header("Accept", "application/json").header("Accept-Language", crate::i18n::stored_lang().code());
    match session::access_token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

pub(crate) fn get(path: &str) -> RequestBuilder {
    with_auth(Request::get(&url(path)))
}

pub(crate) fn post(path: &str) -> RequestBuilder {
    with_auth(Request::post(&url(path)))
}

pub(crate) fn put(path: &str) -> RequestBuilder {
    with_auth(Request::put(&url(path)))
}

pub(crate) fn delete(path: &str) -> RequestBuilder {
    with_auth(Request::delete(&url(path)))
}

pub(crate) fn patch(path: &str) -> RequestBuilder {
    with_auth(Request::patch(&url(path)))
}

pub(crate) async fn decode<T: DeserializeOwned>(resp: Response) -> ApiResult<T> {
    let status = resp.status();
    let text = resp.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if resp.ok() {
        serde_json::from_str(&text).map_err(|e| ApiError::Unexpected { status, detail: e.to_string() })
    } else {
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => {
                let retry_after = resp.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
                Err(ApiError::Api { status, body, retry_after })
            }
            Err(_) => Err(ApiError::Unexpected { status, detail: resp.status_text() }),
        }
    }
}

/// Decodes the answer and reports a rejected session token.
async fn finish<T: DeserializeOwned>(resp: Response, had_token: bool) -> ApiResult<T> {
    let out = decode(resp).await;
    if had_token && matches!(&out, Err(e) if e.is_unauthorized()) {
        session_rejected();
    }
    out
}

pub(crate) async fn send<T: DeserializeOwned>(builder: RequestBuilder) -> ApiResult<T> {
    let had_token = session::access_token().is_some();
    let resp = builder.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    finish(resp, had_token).await
}

pub(crate) async fn send_json<B: Serialize, T: DeserializeOwned>(builder: RequestBuilder, body: &B) -> ApiResult<T> {
    let had_token = session::access_token().is_some();
    let req = builder.json(body).map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    finish(resp, had_token).await
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
/// A rejected token here must not trigger the sign-out hook (the user is leaving anyway).
pub async fn logout() -> ApiResult<Success> {
    let resp = post(paths::LOGOUT).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(resp).await
}

/// `GET /api/auth/admin-exists`.
pub async fn admin_exists() -> ApiResult<AdminExistsResponse> {
    send(get(paths::ADMIN_EXISTS)).await
}

/// `PUT /api/profile`: changes the present fields.
pub async fn update_profile(req: &ProfileUpdate) -> ApiResult<ProfileResponse> {
    send_json(put(paths::PROFILE), req).await
}

/// `PUT /api/profile/theme`: saves the theme to the account.
pub async fn save_theme(theme: &str) -> ApiResult<ThemeResponse> {
    send_json(put(paths::PROFILE_THEME), &ThemeRequest { theme: theme.to_string() }).await
}

/// `GET /api/announcements`: the announcements visible now.
pub async fn announcements() -> ApiResult<Vec<Announcement>> {
    send(get(paths::ANNOUNCEMENTS)).await
}

/// `POST /api/site-stats`: counts one visit.
pub async fn track_visit() -> ApiResult<SiteStats> {
    send(post(paths::SITE_STATS)).await
}

/// `GET /api/credit-transactions?page=&pageSize=` (1-based page).
pub async fn credit_transactions(page: u32, page_size: u32) -> ApiResult<CreditRecords> {
    send(get(paths::CREDIT_TRANSACTIONS).query([("page", page.to_string()), ("pageSize", page_size.to_string())])).await
}

/// `POST /api/redeem-codes/redeem`.
pub async fn redeem(code: &str) -> ApiResult<RedeemResponse> {
    send_json(post(paths::REDEEM), &RedeemRequest { code: code.to_string() }).await
}

/// `GET /api/invitations/me`: the user's invite code and referrals.
pub async fn my_invitations() -> ApiResult<MyInvitations> {
    send(get(paths::MY_INVITATIONS)).await
}

/// Which e-mail code to request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    ResetPassword,
    VerifyProfile,
}

/// `POST /api/email/send-{register,reset,profile}-code`.
pub async fn send_email_code(purpose: CodePurpose, email: &str) -> ApiResult<CodeSentResponse> {
    let path = match purpose {
        CodePurpose::Register => paths::SEND_REGISTER_CODE,
        CodePurpose::ResetPassword => paths::SEND_RESET_CODE,
        CodePurpose::VerifyProfile => paths::SEND_PROFILE_CODE,
    };
    let language = Some(crate::i18n::stored_lang().api_tag().to_string());
    send_json(post(path), &EmailRequest { email: email.to_string(), language }).await
}

/// `POST /api/email/verify-profile`: confirms the account's e-mail with a code.
pub async fn verify_profile_email(req: &VerifyEmailRequest) -> ApiResult<ProfileResponse> {
    send_json(post(paths::VERIFY_PROFILE), req).await
}

/// `POST /api/email/reset-password`.
pub async fn reset_password(req: &ResetPasswordRequest) -> ApiResult<MessageResponse> {
    send_json(post(paths::RESET_PASSWORD), req).await
}

/// `GET /api/user-api-keys`: the caller's own keys (masked), newest first.
pub async fn user_api_keys() -> ApiResult<UserApiKeyList> {
    send(get(paths::USER_API_KEYS)).await
}

/// `POST /api/user-api-keys`: creates the items without `id`, updates those with one
/// (an empty `apiKey` keeps the stored key). Answers the saved keys.
pub async fn save_user_api_keys(req: &UserApiKeySave) -> ApiResult<UserApiKeyList> {
    send_json(post(paths::USER_API_KEYS), req).await
}

/// `DELETE /api/user-api-keys?id=`.
pub async fn delete_user_api_key(id: uuid::Uuid) -> ApiResult<Success> {
    send(delete(paths::USER_API_KEYS).query([("id", id.to_string())])).await
}

/// `POST /api/auth/test-api`: does the upstream answer with this key?
pub async fn test_api(req: &UpstreamProbe) -> ApiResult<UpstreamProbeResult> {
    send_json(post(paths::TEST_API), req).await
}

/// `POST /api/auth/fetch-models`: the models the upstream lists for this key.
pub async fn fetch_models(req: &UpstreamProbe) -> ApiResult<UpstreamProbeResult> {
    send_json(post(paths::FETCH_MODELS), req).await
}

/// `GET /api/model-config`: platform models (by tier), providers, recommendations and the
/// caller's keys.
pub async fn model_config() -> ApiResult<ModelConfig> {
    send(get(paths::MODEL_CONFIG)).await
}

/// `GET /api/style-presets`: the active style presets, most used first.
pub async fn style_presets() -> ApiResult<StylePresetList> {
    send(get(paths::STYLE_PRESETS)).await
}

/// `POST /api/generation-jobs`: queues a job (credits are held at once; 402 when short).
pub async fn create_job(req: &CreateJobRequest) -> ApiResult<CreatedJob> {
    send_json(post(paths::JOBS), req).await
}

/// `GET /api/generation-jobs`: the caller's queued and running jobs plus those finished in
/// the last hour, newest first.
pub async fn list_jobs() -> ApiResult<JobList> {
    send(get(paths::JOBS)).await
}

/// `GET /api/generation-jobs/{id}`.
pub async fn job(id: Uuid) -> ApiResult<JobView> {
    send(get(&format!("{}/{id}", paths::JOBS))).await
}

/// `PATCH /api/generation-jobs/{id} {action: "cancel"}`.
pub async fn cancel_job(id: Uuid) -> ApiResult<JobView> {
    send_json(patch(&format!("{}/{id}", paths::JOBS)), &JobAction { action: Some("cancel".into()) }).await
}

/// One change of one of the caller's jobs, as the event stream sends it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobEvent {
    pub job_id: Uuid,
    pub status: miaojing_api_types::vocab::JobStatus,
    pub message: Option<String>,
}

/// What the event stream reports.
pub enum StreamMsg {
    /// The stream is open (sent once, before any event).
    Connected,
    Job(JobEvent),
}

/// Reads `GET /api/generation-jobs/events` (server-sent events) until it ends, the
/// signal aborts it or the connection drops. `fetch` is used instead of `EventSource`
/// because the stream needs the bearer header.
pub async fn job_events(abort: &web_sys::AbortSignal, mut on_msg: impl FnMut(StreamMsg)) -> ApiResult<()> {
    let had_token = session::access_token().is_some();
    let resp = get(paths::JOB_EVENTS)
        .header("Accept", "text/event-stream")
        .abort_signal(Some(abort))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !resp.ok() {
        return finish::<Success>(resp, had_token).await.map(|_| ());
    }
    let body = resp.body().ok_or_else(|| ApiError::Network("empty event stream".into()))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    on_msg(StreamMsg::Connected);
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|e| ApiError::Network(e.as_string().unwrap_or_else(|| "event stream read failed".into())))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            return Ok(());
        }
        if let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) {
            buf.extend(js_sys::Uint8Array::new(&value).to_vec());
        }
        while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buf.drain(..end + 2).collect();
            if let Some(ev) = parse_event(&String::from_utf8_lossy(&block)) {
                on_msg(StreamMsg::Job(ev));
            }
        }
    }
}

/// The `job` event in one server-sent-events block (comments and other events are skipped).
fn parse_event(block: &str) -> Option<JobEvent> {
    let mut event = "message";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.trim_start());
        }
    }
    (event == "job").then(|| serde_json::from_str(&data).ok()).flatten()
}

/// `POST /api/generate/reverse-prompt` (synchronous).
pub async fn reverse_prompt(req: &ReversePromptInput) -> ApiResult<ReversePromptOutput> {
    send_json(post(paths::REVERSE_PROMPT), req).await
}

/// `POST /api/generate/suggest-prompt` (synchronous).
pub async fn suggest_prompt(req: &SuggestPromptInput) -> ApiResult<SuggestPromptOutput> {
    send_json(post(paths::SUGGEST_PROMPT), req).await
}

/// `GET /api/creation-history?mode=&limit=&cursor=`.
pub async fn creation_history(mode: Option<&str>, limit: u32, cursor: Option<&str>) -> ApiResult<HistoryPage> {
    let mut q = vec![("limit", limit.to_string())];
    if let Some(m) = mode {
        q.push(("mode", m.to_string()));
    }
    if let Some(c) = cursor {
        q.push(("cursor", c.to_string()));
    }
    send(get(paths::HISTORY).query(q)).await
}

/// `DELETE /api/creation-history?id=`.
pub async fn delete_work(id: Uuid) -> ApiResult<Deleted> {
    send(delete(paths::HISTORY).query([("id", id.to_string())])).await
}

/// A gallery listing request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GalleryQuery {
    /// `image`, `video` or a mode; empty for all.
    pub category: String,
    /// `latest` or `popular`.
    pub sort: String,
    pub search: String,
    pub limit: u32,
    pub cursor: Option<String>,
}

/// `GET /api/gallery`.
pub async fn gallery(q: &GalleryQuery) -> ApiResult<GalleryPage> {
    let mut params = vec![("limit", q.limit.to_string())];
    for (k, v) in [("category", &q.category), ("sort", &q.sort), ("q", &q.search)] {
        if !v.trim().is_empty() {
            params.push((k, v.trim().to_string()));
        }
    }
    if let Some(c) = &q.cursor {
        params.push(("cursor", c.clone()));
    }
    let req = get(paths::GALLERY).query(params);
    // The listing may be cached for a while; the caller's own likes must be current.
    let req = if session::access_token().is_some() { req.cache(web_sys::RequestCache::NoCache) } else { req };
    send(req).await
}

/// `POST /api/gallery/publish`: publishes (or with `false` unpublishes) one of the caller's
/// works; `title` (at most 80 characters) is set when given.
pub async fn publish(work_id: Uuid, public: bool, title: Option<String>) -> ApiResult<PublishResponse> {
    send_json(post(paths::PUBLISH), &PublishRequest { work_id: Some(work_id), publish: Some(public), title }).await
}

/// `POST|DELETE /api/gallery/{id}/like`.
pub async fn set_like(work_id: Uuid, liked: bool) -> ApiResult<LikeState> {
    let path = format!("{}/{work_id}/like", paths::GALLERY);
    send(if liked { post(&path) } else { delete(&path) }).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DownloadToken {
    token: String,
}

/// A link that downloads a stored file (`/api/download?url=&filename=&downloadToken=`); the
/// short-lived token lets a plain anchor carry the session.
pub async fn download_link(file_url: &str, filename: &str) -> ApiResult<String> {
    let token =
        if session::access_token().is_some() { Some(send::<DownloadToken>(post(paths::DOWNLOAD_TOKEN)).await?.token) } else { None };
    let enc = crate::browser::encode;
    let mut link = format!("{}?url={}&filename={}", url(paths::DOWNLOAD), enc(file_url), enc(filename));
    if let Some(t) = token {
        link.push_str(&format!("&downloadToken={}", enc(&t)));
    }
    Ok(link)
}
