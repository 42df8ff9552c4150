//! A user's own upstream keys (signed in and rate-limited; only the owner's rows exist for
//! them), and the connection test and model listing of the key form.
use actix_web::{delete, get, post, put, web};
use chrono::Utc;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::providers::{
    SmartImportInput, UpstreamProbe, UpstreamProbeResult, UserApiKeyList, UserApiKeySave, UserSmartImportResult,
};
use miaojing_api_types::Success;
use miaojing_auth::rate_limit::Limit;
use miaojing_auth::AuthUser;
use miaojing_catalog::{check_import_size, MAX_BATCH};
use miaojing_domain::provider::{MediaType, Protocol};
use miaojing_domain::{Error, Result};
use miaojing_providers::channel::ChannelConfig;
use miaojing_providers::import;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::channels;
use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::provider_views::user_key_view;
use crate::routes::IdQuery;
use crate::state::AppState;

/// Key page calls per user.
const KEYS_LIMIT: Limit = Limit::new(120, 60);
/// Upstream probes per user (each one is an outbound call).
const PROBE_LIMIT: Limit = Limit::new(10, 60);

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_keys)
        .service(create_keys)
        .service(update_keys)
        .service(delete_key)
        .service(fetch_models)
        .service(test_api)
        .service(smart_import);
}

async fn limited(st: &AppState, me: &AuthUser, bucket: &str, limit: Limit) -> Result<()> {
    st.auth.limiter().check(bucket, &me.user.id.to_string(), limit, Utc::now()).await
}

/// The caller's keys, newest first.
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", responses((status = 200, body = UserApiKeyList), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[get("/api/user-api-keys")]
async fn list_keys(st: web::Data<AppState>, me: Authed) -> ApiResult<web::Json<UserApiKeyList>> {
    limited(&st, &me.0, "user_keys", KEYS_LIMIT).await?;
    let keys = st.models.user_keys(me.0.user.id).await?;
    Ok(web::Json(UserApiKeyList { keys: keys.into_iter().map(user_key_view).collect() }))
}

/// Saves `{keys: [...]}` or one key of the caller (see `CatalogService::save_user_keys`).
async fn save(st: &AppState, me: &AuthUser, body: UserApiKeySave) -> Result<UserApiKeyList> {
    let saved = st.models.save_user_keys(me.user.id, body).await?;
    Ok(UserApiKeyList { keys: saved.into_iter().map(user_key_view).collect() })
}

/// Create keys (or update those with an `id`).
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", request_body = UserApiKeySave, responses((status = 200, body = UserApiKeyList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, description = "Too many key changes (`rate_limited`, see `Retry-After`)", body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/user-api-keys")]
async fn create_keys(st: web::Data<AppState>, me: Authed, body: web::Json<UserApiKeySave>) -> ApiResult<web::Json<UserApiKeyList>> {
    limited(&st, &me.0, "user_keys", KEYS_LIMIT).await?;
    Ok(web::Json(save(&st, &me.0, body.into_inner()).await?))
}

/// Same as POST (the original accepted both).
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", request_body = UserApiKeySave, responses((status = 200, body = UserApiKeyList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, description = "Too many key changes (`rate_limited`, see `Retry-After`)", body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/user-api-keys")]
async fn update_keys(st: web::Data<AppState>, me: Authed, body: web::Json<UserApiKeySave>) -> ApiResult<web::Json<UserApiKeyList>> {
    limited(&st, &me.0, "user_keys", KEYS_LIMIT).await?;
    Ok(web::Json(save(&st, &me.0, body.into_inner()).await?))
}

/// Delete one of the caller's keys.
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, description = "Too many key changes (`rate_limited`, see `Retry-After`)", body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/user-api-keys")]
async fn delete_key(st: web::Data<AppState>, me: Authed, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    limited(&st, &me.0, "user_keys", KEYS_LIMIT).await?;
    st.models.delete_user_key(me.0.user.id, q.id).await?;
    Ok(web::Json(Success::OK))
}

/// The channel a probe uses: the given URL and key, else those of the caller's stored key
/// `keyId` (whose protocol and Manifest it keeps).
async fn probe_target(st: &AppState, me: &AuthUser, p: &UpstreamProbe) -> Result<ChannelConfig> {
    let c = st.models.probe_credentials(me.user.id, p).await?;
    match &c.stored {
        Some(k) => channels::channel_for(k.protocol, &c.api_url, &c.model, k.media_type, k.manifest.as_ref(), &c.api_key),
        None => channels::channel_for(Protocol::Openai, &c.api_url, &c.model, MediaType::Image, None, &c.api_key),
    }
}

/// Refusals of the probe itself (bad or blocked URL) are errors; upstream answers are a
/// `success: false` result carrying the upstream status.
fn failure(e: Error) -> std::result::Result<UpstreamProbeResult, Error> {
    if matches!(e.code.as_ref(), "blocked_destination" | "invalid_url" | "invalid_manifest") {
        return Err(e);
    }
    let status_code = channels::upstream_status(&e);
    Ok(UpstreamProbeResult { success: false, models: None, message: None, error: Some(e.message), status_code })
}

/// List the models an OpenAI-compatible upstream offers (HTTP 200 with `success: false` when
/// the upstream refuses).
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", request_body = UpstreamProbe, responses((status = 200, body = UpstreamProbeResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 404, description = "`keyId` names no key of the caller", body = ErrorBody)))]
#[post("/api/auth/fetch-models")]
async fn fetch_models(st: web::Data<AppState>, me: Authed, body: web::Json<UpstreamProbe>) -> ApiResult<web::Json<UpstreamProbeResult>> {
    limited(&st, &me.0, "upstream_probe", PROBE_LIMIT).await?;
    let ch = probe_target(&st, &me.0, &body).await?;
    let provider = body.provider.clone().unwrap_or_default();
    Ok(web::Json(match channels::list_models(&st.outbound, &ch, &provider).await {
        Ok(models) => UpstreamProbeResult {
            success: true,
            message: Some(format!("成功获取 {} 个模型", models.len())),
            models: Some(models),
            error: None,
            status_code: None,
        },
        Err(e) => failure(e)?,
    }))
}

/// Test a connection: the upstream answers its model list with this key.
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", request_body = UpstreamProbe, responses((status = 200, body = UpstreamProbeResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 404, description = "`keyId` names no key of the caller", body = ErrorBody)))]
#[post("/api/auth/test-api")]
async fn test_api(st: web::Data<AppState>, me: Authed, body: web::Json<UpstreamProbe>) -> ApiResult<web::Json<UpstreamProbeResult>> {
    limited(&st, &me.0, "upstream_probe", PROBE_LIMIT).await?;
    let ch = probe_target(&st, &me.0, &body).await?;
    Ok(web::Json(match channels::test_connection(&st.outbound, &ch).await {
        Ok(report) => {
            let message = if report.model_listed && !ch.upstream_model.is_empty() {
                format!("连接成功，模型 {} 可用", ch.upstream_model)
            } else {
                format!("连接成功，已连接（共 {} 个模型）", report.model_count)
            };
            UpstreamProbeResult { success: true, models: None, message: Some(message), error: None, status_code: None }
        }
        Err(e) => failure(e)?,
    }))
}

/// Import a Manifest bundle (or one provider): one key row per profile, each with its own
/// stored Manifest and capabilities, all or nothing. Keys the bundle carries are stored
/// encrypted; the others are to be filled in by editing the row.
#[utoipa::path(security(("bearer" = [])), tag = "user-api-keys", request_body = SmartImportInput, responses((status = 200, body = UserSmartImportResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/user-api-keys/smart-import")]
async fn smart_import(
    st: web::Data<AppState>,
    me: Authed,
    body: web::Json<SmartImportInput>,
) -> ApiResult<web::Json<UserSmartImportResult>> {
    limited(&st, &me.0, "user_keys", KEYS_LIMIT).await?;
    let out = import::parse(body.config_text.as_deref().unwrap_or_default())?;
    check_import_size(out.channels.len(), MAX_BATCH)?;
    let rows = channels::imported_user_keys(&out, me.0.user.id, &st.secrets, Utc::now())?;
    let keys: Vec<_> = st.models.import_user_keys(me.0.user.id, rows).await?.into_iter().map(user_key_view).collect();
    let message = format!("已导入 {} 个 API 配置，请编辑后填写 API Key", keys.len());
    Ok(web::Json(UserSmartImportResult { success: true, keys, message }))
}
