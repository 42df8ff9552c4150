//! The admin console's calls (`/api/admin/*`, plus the admin-only writes of site config and
//! announcements). Same rules as [`crate::api`]: typed answers, the session token attached,
//! and a 401 signs the console out.
use gloo_net::http::Request;
use miaojing_api_types::{
    admin::{
        AdminUserList, AdminUserResponse, AdminUserUpdate, CreditAdjustment, Dashboard, DeletedUser, DemoModels, DemoModelsUpdate,
        EmailSettingsResponse, EmailSettingsUpdate, LogSettingsResponse, LogSettingsUpdate, PlatformLogList, RedeemBatch,
        RedeemBatchRequest, RedeemCodeList, RedeemCodeResponse, RedeemCodeToggle, ReferralList, TestEmailRequest,
    },
    auth::MessageResponse,
    credits::CreditRecords,
    providers::{
        AgnesInstallInput, AgnesInstallResult, ChannelHealthList, ChannelHealthView, ProviderInput, ProviderList, ProviderOne,
        RecommendationInput, RecommendationList, RecommendationOne, StylePresetInput, StylePresetList, StylePresetOne, SystemApiInput,
        SystemApiList, SystemApiOne, SystemSmartImportInput, SystemSmartImportResult,
    },
    site::{Announcement, AnnouncementInput, Created, SiteAssetUploaded, SiteConfig, SiteConfigUpdate},
    works::{AdminGalleryPage, AdminJob, AdminJobs, Deleted, GalleryIds, GalleryWork, HistoryPage, ModelCalls, PromptEdit, Unpublished},
    Success,
};
use uuid::Uuid;

use crate::api::{delete, get, post, put, send, send_json, url, with_auth, ApiError, ApiResult};

/// Route paths below the API base used by the console (the shared ones from the user API's list).
mod paths {
    pub const ADMIN_DASHBOARD: &str = "/admin/dashboard";
    pub const ADMIN_DEMO_MODELS: &str = "/admin/demo-models";
    pub const ADMIN_EMAIL_SETTINGS: &str = "/admin/email-settings";
    pub const ADMIN_GALLERY_PROMPT: &str = "/admin/gallery/prompt";
    pub const ADMIN_GALLERY_WORKS: &str = "/admin/gallery/works";
    pub const ADMIN_GENERATION_JOBS: &str = "/admin/generation-jobs";
    pub const ADMIN_INVITATIONS: &str = "/admin/invitations";
    pub const ADMIN_LOGS: &str = "/admin/logs";
    pub const ADMIN_MODEL_CALL_RECORDS: &str = "/admin/model-call-records";
    pub const ADMIN_MODEL_RECOMMENDATIONS: &str = "/admin/model-recommendations";
    pub const ADMIN_PROVIDERS: &str = "/admin/providers";
    pub const ADMIN_REDEEM_CODES: &str = "/admin/redeem-codes";
    pub const ADMIN_REDEEM_CODES_EXPORT: &str = "/admin/redeem-codes/export";
    pub const ADMIN_SITE_ASSETS: &str = "/admin/site-assets";
    pub const ADMIN_STYLE_PRESETS: &str = "/admin/style-presets";
    pub const ADMIN_SYSTEM_APIS: &str = "/admin/system-apis";
    pub const ADMIN_SYSTEM_APIS_AGNES_CAPABILITIES: &str = "/admin/system-apis/agnes-capabilities";
    pub const ADMIN_SYSTEM_APIS_HEALTH: &str = "/admin/system-apis/health";
    pub const ADMIN_SYSTEM_APIS_SMART_IMPORT: &str = "/admin/system-apis/smart-import";
    pub const ADMIN_USERS: &str = "/admin/users";
    pub const ADMIN_USERS_CREDIT_TRANSACTIONS: &str = "/admin/users/credit-transactions";
    pub const ADMIN_USERS_CREDITS: &str = "/admin/users/credits";
    pub const ADMIN_USERS_WORKS: &str = "/admin/users/works";
    pub const ADMIN_WORKS: &str = "/admin/works";
    pub use crate::api::paths::{ANNOUNCEMENTS, GALLERY, SITE_CONFIG};
}

/// Query pairs with the empty values left out.
pub type Query = Vec<(&'static str, String)>;

fn q(pairs: &[(&'static str, String)]) -> Query {
    pairs.iter().filter(|(_, v)| !v.trim().is_empty()).cloned().collect()
}

/// `GET /api/admin/dashboard`.
pub async fn dashboard() -> ApiResult<Dashboard> {
    send(get(paths::ADMIN_DASHBOARD)).await
}

// ---------- users ----------

/// `GET /api/admin/users?search=&page=&pageSize=`.
pub async fn users(search: &str, page: i64, page_size: i64) -> ApiResult<AdminUserList> {
    let query = q(&[("search", search.to_string()), ("page", page.to_string()), ("pageSize", page_size.to_string())]);
    send(get(paths::ADMIN_USERS).query(query)).await
}

/// `PUT /api/admin/users`.
pub async fn update_user(req: &AdminUserUpdate) -> ApiResult<AdminUserResponse> {
    send_json(put(paths::ADMIN_USERS), req).await
}

/// `DELETE /api/admin/users?userId=`.
pub async fn delete_user(id: Uuid) -> ApiResult<DeletedUser> {
    send(delete(paths::ADMIN_USERS).query([("userId", id.to_string())])).await
}

/// `POST /api/admin/users/credits`: a ledger row with the reason.
pub async fn adjust_credits(req: &CreditAdjustment) -> ApiResult<AdminUserResponse> {
    send_json(post(paths::ADMIN_USERS_CREDITS), req).await
}

/// `GET /api/admin/users/credit-transactions?userId=`.
pub async fn user_ledger(id: Uuid, page: i64, page_size: i64) -> ApiResult<CreditRecords> {
    let query = [("userId", id.to_string()), ("page", page.to_string()), ("pageSize", page_size.to_string())];
    send(get(paths::ADMIN_USERS_CREDIT_TRANSACTIONS).query(query)).await
}

/// `GET /api/admin/invitations`.
pub async fn invitations(search: &str, page: i64, page_size: i64) -> ApiResult<ReferralList> {
    let query = q(&[("search", search.to_string()), ("page", page.to_string()), ("pageSize", page_size.to_string())]);
    send(get(paths::ADMIN_INVITATIONS).query(query)).await
}

// ---------- redeem codes ----------

/// `GET /api/admin/redeem-codes` with `search`, `status`, `batchId`, `page`, `pageSize`.
pub async fn redeem_codes(query: Query) -> ApiResult<RedeemCodeList> {
    send(get(paths::ADMIN_REDEEM_CODES).query(q(&query))).await
}

/// `POST /api/admin/redeem-codes`: one batch.
pub async fn create_redeem_codes(req: &RedeemBatchRequest) -> ApiResult<RedeemBatch> {
    send_json(post(paths::ADMIN_REDEEM_CODES), req).await
}

/// `PUT /api/admin/redeem-codes`: revoke or re-enable.
pub async fn toggle_redeem_code(id: Uuid, is_active: bool) -> ApiResult<RedeemCodeResponse> {
    send_json(put(paths::ADMIN_REDEEM_CODES), &RedeemCodeToggle { id: Some(id), is_active }).await
}

/// `DELETE /api/admin/redeem-codes?id=` (unused codes only).
pub async fn delete_redeem_code(id: Uuid) -> ApiResult<Success> {
    send(delete(paths::ADMIN_REDEEM_CODES).query([("id", id.to_string())])).await
}

/// `GET /api/admin/redeem-codes/export`: the CSV text of the filtered codes.
pub async fn export_redeem_codes(query: Query) -> ApiResult<String> {
    let resp = with_auth(Request::get(&url(paths::ADMIN_REDEEM_CODES_EXPORT)))
        .query(q(&query))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !resp.ok() {
        let status = resp.status();
        return Err(ApiError::Unexpected { status, detail: resp.status_text() });
    }
    resp.text().await.map_err(|e| ApiError::Network(e.to_string()))
}

// ---------- models ----------

/// `GET /api/admin/system-apis` (inactive ones included).
pub async fn system_apis() -> ApiResult<SystemApiList> {
    send(get(paths::ADMIN_SYSTEM_APIS)).await
}

/// `POST /api/admin/system-apis` (no id) or `PUT` (with id): a full replacement.
pub async fn save_system_api(req: &SystemApiInput) -> ApiResult<SystemApiOne> {
    let builder = if req.id.is_some() { put(paths::ADMIN_SYSTEM_APIS) } else { post(paths::ADMIN_SYSTEM_APIS) };
    send_json(builder, req).await
}

/// `DELETE /api/admin/system-apis?id=`.
pub async fn delete_system_api(id: Uuid) -> ApiResult<Success> {
    send(delete(paths::ADMIN_SYSTEM_APIS).query([("id", id.to_string())])).await
}

/// `GET /api/admin/system-apis/health`.
pub async fn channel_health() -> ApiResult<ChannelHealthList> {
    send(get(paths::ADMIN_SYSTEM_APIS_HEALTH)).await
}

/// `POST /api/admin/system-apis/{id}/probe`: a manual re-test.
pub async fn probe_channel(id: Uuid) -> ApiResult<ChannelHealthView> {
    send(post(&format!("{}/{id}/probe", paths::ADMIN_SYSTEM_APIS))).await
}

/// `POST /api/admin/system-apis/smart-import`.
pub async fn smart_import(req: &SystemSmartImportInput) -> ApiResult<SystemSmartImportResult> {
    send_json(post(paths::ADMIN_SYSTEM_APIS_SMART_IMPORT), req).await
}

/// `POST /api/admin/system-apis/agnes-capabilities`.
pub async fn install_agnes(req: &AgnesInstallInput) -> ApiResult<AgnesInstallResult> {
    send_json(post(paths::ADMIN_SYSTEM_APIS_AGNES_CAPABILITIES), req).await
}

/// `GET /api/admin/providers`.
pub async fn providers() -> ApiResult<ProviderList> {
    send(get(paths::ADMIN_PROVIDERS)).await
}

/// `POST` (new) or `PUT` (with id) `/api/admin/providers`.
pub async fn save_provider(req: &ProviderInput) -> ApiResult<ProviderOne> {
    let builder = if req.id.is_some() { put(paths::ADMIN_PROVIDERS) } else { post(paths::ADMIN_PROVIDERS) };
    send_json(builder, req).await
}

/// `DELETE /api/admin/providers?id=`.
pub async fn delete_provider(id: Uuid) -> ApiResult<Success> {
    send(delete(paths::ADMIN_PROVIDERS).query([("id", id.to_string())])).await
}

/// `GET /api/admin/model-recommendations`.
pub async fn recommendations() -> ApiResult<RecommendationList> {
    send(get(paths::ADMIN_MODEL_RECOMMENDATIONS)).await
}

/// `POST` (new) or `PUT` (with id) `/api/admin/model-recommendations`.
pub async fn save_recommendation(req: &RecommendationInput) -> ApiResult<RecommendationOne> {
    let builder = if req.id.is_some() { put(paths::ADMIN_MODEL_RECOMMENDATIONS) } else { post(paths::ADMIN_MODEL_RECOMMENDATIONS) };
    send_json(builder, req).await
}

/// `DELETE /api/admin/model-recommendations?id=`.
pub async fn delete_recommendation(id: Uuid) -> ApiResult<Success> {
    send(delete(paths::ADMIN_MODEL_RECOMMENDATIONS).query([("id", id.to_string())])).await
}

/// `GET /api/admin/style-presets`.
pub async fn style_presets() -> ApiResult<StylePresetList> {
    send(get(paths::ADMIN_STYLE_PRESETS)).await
}

/// `POST` (new) or `PUT` (with id) `/api/admin/style-presets`.
pub async fn save_style_preset(req: &StylePresetInput) -> ApiResult<StylePresetOne> {
    let builder = if req.id.is_some() { put(paths::ADMIN_STYLE_PRESETS) } else { post(paths::ADMIN_STYLE_PRESETS) };
    send_json(builder, req).await
}

/// `DELETE /api/admin/style-presets?id=`.
pub async fn delete_style_preset(id: Uuid) -> ApiResult<Success> {
    send(delete(paths::ADMIN_STYLE_PRESETS).query([("id", id.to_string())])).await
}

// ---------- works, jobs, calls, logs ----------

/// `GET /api/admin/gallery/works?q=&type=&page=&pageSize=`.
pub async fn gallery_works(query: Query) -> ApiResult<AdminGalleryPage> {
    send(get(paths::ADMIN_GALLERY_WORKS).query(q(&query))).await
}

/// `PUT /api/admin/gallery/prompt`: the author is mailed first; no mail, no change.
pub async fn edit_prompt(req: &PromptEdit) -> ApiResult<GalleryWork> {
    send_json(put(paths::ADMIN_GALLERY_PROMPT), req).await
}

/// `DELETE /api/admin/gallery/works/{id}`: takes one work down (unpublishes it; its owner keeps it).
pub async fn take_down(id: Uuid) -> ApiResult<Unpublished> {
    send(delete(&format!("{}/{id}", paths::ADMIN_GALLERY_WORKS))).await
}

/// `DELETE /api/gallery` with `{ids}`: takes up to 100 works out of the gallery.
pub async fn unpublish(ids: Vec<Uuid>) -> ApiResult<Unpublished> {
    send_json(delete(paths::GALLERY), &GalleryIds { ids }).await
}

/// `DELETE /api/admin/works/{id}`: deletes a work for good, with every file of it.
pub async fn delete_work(id: Uuid) -> ApiResult<Deleted> {
    send(delete(&format!("{}/{id}", paths::ADMIN_WORKS))).await
}

/// `GET /api/admin/generation-jobs?status=&user=&page=&pageSize=`.
pub async fn jobs(query: Query) -> ApiResult<AdminJobs> {
    send(get(paths::ADMIN_GENERATION_JOBS).query(q(&query))).await
}

/// `POST /api/admin/generation-jobs/{id}/cancel`.
pub async fn cancel_job(id: Uuid) -> ApiResult<AdminJob> {
    send(post(&format!("{}/{id}/cancel", paths::ADMIN_GENERATION_JOBS))).await
}

/// `DELETE /api/admin/generation-jobs/{id}` (finished jobs only).
pub async fn delete_job(id: Uuid) -> ApiResult<Deleted> {
    send(delete(&format!("{}/{id}", paths::ADMIN_GENERATION_JOBS))).await
}

/// `GET /api/admin/users/works?userId=&cursor=`: a user's works, private ones included.
pub async fn user_works(id: Uuid, cursor: Option<String>) -> ApiResult<HistoryPage> {
    let mut query = vec![("userId", id.to_string()), ("limit", "30".to_string())];
    query.extend(cursor.map(|c| ("cursor", c)));
    send(get(paths::ADMIN_USERS_WORKS).query(query)).await
}

/// `DELETE /api/admin/generation-jobs?status=&olderThanDays=`.
pub async fn cleanup_jobs(status: &str, older_than_days: i64) -> ApiResult<Deleted> {
    let query = [("status", status.to_string()), ("olderThanDays", older_than_days.to_string())];
    send(delete(paths::ADMIN_GENERATION_JOBS).query(query)).await
}

/// `GET /api/admin/model-call-records`.
pub async fn model_calls(query: Query) -> ApiResult<ModelCalls> {
    send(get(paths::ADMIN_MODEL_CALL_RECORDS).query(q(&query))).await
}

/// `GET /api/admin/logs`.
pub async fn logs(query: Query) -> ApiResult<PlatformLogList> {
    send(get(paths::ADMIN_LOGS).query(q(&query))).await
}

/// `PUT /api/admin/logs`: the retention in days.
pub async fn save_log_settings(retention_days: i64) -> ApiResult<LogSettingsResponse> {
    send_json(put(paths::ADMIN_LOGS), &LogSettingsUpdate { retention_days: Some(retention_days) }).await
}

// ---------- e-mail, site, announcements ----------

/// `GET /api/admin/email-settings`.
pub async fn email_settings() -> ApiResult<EmailSettingsResponse> {
    send(get(paths::ADMIN_EMAIL_SETTINGS)).await
}

/// `PUT /api/admin/email-settings`.
pub async fn save_email_settings(req: &EmailSettingsUpdate) -> ApiResult<EmailSettingsResponse> {
    send_json(put(paths::ADMIN_EMAIL_SETTINGS), req).await
}

/// `POST /api/admin/email-settings`: a test message.
pub async fn test_email(to: &str) -> ApiResult<MessageResponse> {
    send_json(post(paths::ADMIN_EMAIL_SETTINGS), &TestEmailRequest { to: to.to_string() }).await
}

/// `PUT /api/site-config`.
pub async fn save_site_config(req: &SiteConfigUpdate) -> ApiResult<SiteConfig> {
    send_json(put(paths::SITE_CONFIG), req).await
}

/// `POST /api/admin/site-assets/{kind}` (`logo` or `favicon`): uploads the file as the body; the
/// site configuration then points at it.
pub async fn upload_site_asset(kind: &str, file: web_sys::File) -> ApiResult<SiteAssetUploaded> {
    let given = file.type_();
    let content_type = if given.starts_with("image/") { given } else { "application/octet-stream".to_string() };
    let req = post(&format!("{}/{kind}", paths::ADMIN_SITE_ASSETS))
        .header("Content-Type", &content_type)
        .body(file)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    crate::api::decode(resp).await
}

/// `GET /api/announcements?scope=all`: every announcement, newest first.
pub async fn all_announcements() -> ApiResult<Vec<Announcement>> {
    send(get(paths::ANNOUNCEMENTS).query([("scope", "all")])).await
}

/// `POST /api/announcements` (no id) or `PUT` (with id).
pub async fn save_announcement(req: &AnnouncementInput) -> ApiResult<Option<Created>> {
    if req.id.is_some() {
        send_json::<_, Success>(put(paths::ANNOUNCEMENTS), req).await.map(|_| None)
    } else {
        send_json(post(paths::ANNOUNCEMENTS), req).await.map(Some)
    }
}

/// `DELETE /api/announcements?id=`.
pub async fn delete_announcement(id: Uuid) -> ApiResult<Success> {
    send(delete(paths::ANNOUNCEMENTS).query([("id", id.to_string())])).await
}

// ---------- demo models ----------

/// `GET /api/admin/demo-models`.
pub async fn demo_models() -> ApiResult<DemoModels> {
    send(get(paths::ADMIN_DEMO_MODELS)).await
}

/// `PUT /api/admin/demo-models`.
pub async fn set_demo_models(enabled: bool) -> ApiResult<DemoModels> {
    send_json(put(paths::ADMIN_DEMO_MODELS), &DemoModelsUpdate { enabled }).await
}
