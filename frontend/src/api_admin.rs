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

/// Query pairs with the empty values left out.
pub type Query = Vec<(&'static str, String)>;

fn q(pairs: &[(&'static str, String)]) -> Query {
    pairs.iter().filter(|(_, v)| !v.trim().is_empty()).cloned().collect()
}

/// `GET /api/admin/dashboard`.
pub async fn dashboard() -> ApiResult<Dashboard> {
    send(get("/admin/dashboard")).await
}

// ---------- users ----------

/// `GET /api/admin/users?search=&page=&pageSize=`.
pub async fn users(search: &str, page: i64, page_size: i64) -> ApiResult<AdminUserList> {
    let query = q(&[("search", search.to_string()), ("page", page.to_string()), ("pageSize", page_size.to_string())]);
    send(get("/admin/users").query(query)).await
}

/// `PUT /api/admin/users`.
pub async fn update_user(req: &AdminUserUpdate) -> ApiResult<AdminUserResponse> {
    send_json(put("/admin/users"), req).await
}

/// `DELETE /api/admin/users?userId=`.
pub async fn delete_user(id: Uuid) -> ApiResult<DeletedUser> {
    send(delete("/admin/users").query([("userId", id.to_string())])).await
}

/// `POST /api/admin/users/credits`: a ledger row with the reason.
pub async fn adjust_credits(req: &CreditAdjustment) -> ApiResult<AdminUserResponse> {
    send_json(post("/admin/users/credits"), req).await
}

/// `GET /api/admin/users/credit-transactions?userId=`.
pub async fn user_ledger(id: Uuid, page: i64, page_size: i64) -> ApiResult<CreditRecords> {
    let query = [("userId", id.to_string()), ("page", page.to_string()), ("pageSize", page_size.to_string())];
    send(get("/admin/users/credit-transactions").query(query)).await
}

/// `GET /api/admin/invitations`.
pub async fn invitations(search: &str, page: i64, page_size: i64) -> ApiResult<ReferralList> {
    let query = q(&[("search", search.to_string()), ("page", page.to_string()), ("pageSize", page_size.to_string())]);
    send(get("/admin/invitations").query(query)).await
}

// ---------- redeem codes ----------

/// `GET /api/admin/redeem-codes` with `search`, `status`, `batchId`, `page`, `pageSize`.
pub async fn redeem_codes(query: Query) -> ApiResult<RedeemCodeList> {
    send(get("/admin/redeem-codes").query(q(&query))).await
}

/// `POST /api/admin/redeem-codes`: one batch.
pub async fn create_redeem_codes(req: &RedeemBatchRequest) -> ApiResult<RedeemBatch> {
    send_json(post("/admin/redeem-codes"), req).await
}

/// `PUT /api/admin/redeem-codes`: revoke or re-enable.
pub async fn toggle_redeem_code(id: Uuid, is_active: bool) -> ApiResult<RedeemCodeResponse> {
    send_json(put("/admin/redeem-codes"), &RedeemCodeToggle { id: Some(id), is_active }).await
}

/// `DELETE /api/admin/redeem-codes?id=` (unused codes only).
pub async fn delete_redeem_code(id: Uuid) -> ApiResult<Success> {
    send(delete("/admin/redeem-codes").query([("id", id.to_string())])).await
}

/// `GET /api/admin/redeem-codes/export`: the CSV text of the filtered codes.
pub async fn export_redeem_codes(query: Query) -> ApiResult<String> {
    let resp = with_auth(Request::get(&url("/admin/redeem-codes/export")))
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
    send(get("/admin/system-apis")).await
}

/// `POST /api/admin/system-apis` (no id) or `PUT` (with id): a full replacement.
pub async fn save_system_api(req: &SystemApiInput) -> ApiResult<SystemApiOne> {
    let builder = if req.id.is_some() { put("/admin/system-apis") } else { post("/admin/system-apis") };
    send_json(builder, req).await
}

/// `DELETE /api/admin/system-apis?id=`.
pub async fn delete_system_api(id: Uuid) -> ApiResult<Success> {
    send(delete("/admin/system-apis").query([("id", id.to_string())])).await
}

/// `GET /api/admin/system-apis/health`.
pub async fn channel_health() -> ApiResult<ChannelHealthList> {
    send(get("/admin/system-apis/health")).await
}

/// `POST /api/admin/system-apis/{id}/probe`: a manual re-test.
pub async fn probe_channel(id: Uuid) -> ApiResult<ChannelHealthView> {
    send(post(&format!("/admin/system-apis/{id}/probe"))).await
}

/// `POST /api/admin/system-apis/smart-import`.
pub async fn smart_import(req: &SystemSmartImportInput) -> ApiResult<SystemSmartImportResult> {
    send_json(post("/admin/system-apis/smart-import"), req).await
}

/// `POST /api/admin/system-apis/agnes-capabilities`.
pub async fn install_agnes(req: &AgnesInstallInput) -> ApiResult<AgnesInstallResult> {
    send_json(post("/admin/system-apis/agnes-capabilities"), req).await
}

/// `GET /api/admin/providers`.
pub async fn providers() -> ApiResult<ProviderList> {
    send(get("/admin/providers")).await
}

/// `POST` (new) or `PUT` (with id) `/api/admin/providers`.
pub async fn save_provider(req: &ProviderInput) -> ApiResult<ProviderOne> {
    let builder = if req.id.is_some() { put("/admin/providers") } else { post("/admin/providers") };
    send_json(builder, req).await
}

/// `DELETE /api/admin/providers?id=`.
pub async fn delete_provider(id: Uuid) -> ApiResult<Success> {
    send(delete("/admin/providers").query([("id", id.to_string())])).await
}

/// `GET /api/admin/model-recommendations`.
pub async fn recommendations() -> ApiResult<RecommendationList> {
    send(get("/admin/model-recommendations")).await
}

/// `POST` (new) or `PUT` (with id) `/api/admin/model-recommendations`.
pub async fn save_recommendation(req: &RecommendationInput) -> ApiResult<RecommendationOne> {
    let builder = if req.id.is_some() { put("/admin/model-recommendations") } else { post("/admin/model-recommendations") };
    send_json(builder, req).await
}

/// `DELETE /api/admin/model-recommendations?id=`.
pub async fn delete_recommendation(id: Uuid) -> ApiResult<Success> {
    send(delete("/admin/model-recommendations").query([("id", id.to_string())])).await
}

/// `GET /api/admin/style-presets`.
pub async fn style_presets() -> ApiResult<StylePresetList> {
    send(get("/admin/style-presets")).await
}

/// `POST` (new) or `PUT` (with id) `/api/admin/style-presets`.
pub async fn save_style_preset(req: &StylePresetInput) -> ApiResult<StylePresetOne> {
    let builder = if req.id.is_some() { put("/admin/style-presets") } else { post("/admin/style-presets") };
    send_json(builder, req).await
}

/// `DELETE /api/admin/style-presets?id=`.
pub async fn delete_style_preset(id: Uuid) -> ApiResult<Success> {
    send(delete("/admin/style-presets").query([("id", id.to_string())])).await
}

// ---------- works, jobs, calls, logs ----------

/// `GET /api/admin/gallery/works?q=&type=&page=&pageSize=`.
pub async fn gallery_works(query: Query) -> ApiResult<AdminGalleryPage> {
    send(get("/admin/gallery/works").query(q(&query))).await
}

/// `PUT /api/admin/gallery/prompt`: the author is mailed first; no mail, no change.
pub async fn edit_prompt(req: &PromptEdit) -> ApiResult<GalleryWork> {
    send_json(put("/admin/gallery/prompt"), req).await
}

/// `DELETE /api/admin/gallery/works/{id}`: takes one work down (unpublishes it; its owner keeps it).
pub async fn take_down(id: Uuid) -> ApiResult<Unpublished> {
    send(delete(&format!("/admin/gallery/works/{id}"))).await
}

/// `DELETE /api/gallery` with `{ids}`: takes up to 100 works out of the gallery.
pub async fn unpublish(ids: Vec<Uuid>) -> ApiResult<Unpublished> {
    send_json(delete("/gallery"), &GalleryIds { ids }).await
}

/// `DELETE /api/admin/works/{id}`: deletes a work for good, with every file of it.
pub async fn delete_work(id: Uuid) -> ApiResult<Deleted> {
    send(delete(&format!("/admin/works/{id}"))).await
}

/// `GET /api/admin/generation-jobs?status=&user=&page=&pageSize=`.
pub async fn jobs(query: Query) -> ApiResult<AdminJobs> {
    send(get("/admin/generation-jobs").query(q(&query))).await
}

/// `POST /api/admin/generation-jobs/{id}/cancel`.
pub async fn cancel_job(id: Uuid) -> ApiResult<AdminJob> {
    send(post(&format!("/admin/generation-jobs/{id}/cancel"))).await
}

/// `DELETE /api/admin/generation-jobs/{id}` (finished jobs only).
pub async fn delete_job(id: Uuid) -> ApiResult<Deleted> {
    send(delete(&format!("/admin/generation-jobs/{id}"))).await
}

/// `GET /api/admin/users/works?userId=&cursor=`: a user's works, private ones included.
pub async fn user_works(id: Uuid, cursor: Option<String>) -> ApiResult<HistoryPage> {
    let mut query = vec![("userId", id.to_string()), ("limit", "30".to_string())];
    query.extend(cursor.map(|c| ("cursor", c)));
    send(get("/admin/users/works").query(query)).await
}

/// `DELETE /api/admin/generation-jobs?status=&olderThanDays=`.
pub async fn cleanup_jobs(status: &str, older_than_days: i64) -> ApiResult<Deleted> {
    let query = [("status", status.to_string()), ("olderThanDays", older_than_days.to_string())];
    send(delete("/admin/generation-jobs").query(query)).await
}

/// `GET /api/admin/model-call-records`.
pub async fn model_calls(query: Query) -> ApiResult<ModelCalls> {
    send(get("/admin/model-call-records").query(q(&query))).await
}

/// `GET /api/admin/logs`.
pub async fn logs(query: Query) -> ApiResult<PlatformLogList> {
    send(get("/admin/logs").query(q(&query))).await
}

/// `PUT /api/admin/logs`: the retention in days.
pub async fn save_log_settings(retention_days: i64) -> ApiResult<LogSettingsResponse> {
    send_json(put("/admin/logs"), &LogSettingsUpdate { retention_days: Some(retention_days) }).await
}

// ---------- e-mail, site, announcements ----------

/// `GET /api/admin/email-settings`.
pub async fn email_settings() -> ApiResult<EmailSettingsResponse> {
    send(get("/admin/email-settings")).await
}

/// `PUT /api/admin/email-settings`.
pub async fn save_email_settings(req: &EmailSettingsUpdate) -> ApiResult<EmailSettingsResponse> {
    send_json(put("/admin/email-settings"), req).await
}

/// `POST /api/admin/email-settings`: a test message.
pub async fn test_email(to: &str) -> ApiResult<MessageResponse> {
    send_json(post("/admin/email-settings"), &TestEmailRequest { to: to.to_string() }).await
}

/// `PUT /api/site-config`.
pub async fn save_site_config(req: &SiteConfigUpdate) -> ApiResult<SiteConfig> {
    send_json(put("/site-config"), req).await
}

/// `POST /api/admin/site-assets/{kind}` (`logo` or `favicon`): uploads the file as the body; the
/// site configuration then points at it.
pub async fn upload_site_asset(kind: &str, file: web_sys::File) -> ApiResult<SiteAssetUploaded> {
    let given = file.type_();
    let content_type = if given.starts_with("image/") { given } else { "application/octet-stream".to_string() };
    let req = post(&format!("/admin/site-assets/{kind}"))
        .header("Content-Type", &content_type)
        .body(file)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    crate::api::decode(resp).await
}

/// `GET /api/announcements?scope=all`: every announcement, newest first.
pub async fn all_announcements() -> ApiResult<Vec<Announcement>> {
    send(get("/announcements").query([("scope", "all")])).await
}

/// `POST /api/announcements` (no id) or `PUT` (with id).
pub async fn save_announcement(req: &AnnouncementInput) -> ApiResult<Option<Created>> {
    if req.id.is_some() {
        send_json::<_, Success>(put("/announcements"), req).await.map(|_| None)
    } else {
        send_json(post("/announcements"), req).await.map(Some)
    }
}

/// `DELETE /api/announcements?id=`.
pub async fn delete_announcement(id: Uuid) -> ApiResult<Success> {
    send(delete("/announcements").query([("id", id.to_string())])).await
}

// ---------- demo models ----------

/// `GET /api/admin/demo-models`.
pub async fn demo_models() -> ApiResult<DemoModels> {
    send(get("/admin/demo-models")).await
}

/// `PUT /api/admin/demo-models`.
pub async fn set_demo_models(enabled: bool) -> ApiResult<DemoModels> {
    send_json(put("/admin/demo-models"), &DemoModelsUpdate { enabled }).await
}
