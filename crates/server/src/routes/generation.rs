//! `/api/generation-jobs`: submit (hold), list, read, cancel and a progress stream of the
//! caller's jobs; `/api/generate/reverse-prompt` and `/api/generate/suggest-prompt`
//! (synchronous, signed-in, rate-limited, free).
use miaojing_domain::ErrorCode;
use std::time::Instant;

use actix_web::{get, patch, post, web, HttpResponse};
use bytes::Bytes;
use chrono::{Duration, Utc};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::generation::{
    CreateJobRequest, CreatedJob, Eta, JobAction, JobList, JobView, ModelChoice, ReversePromptInput, ReversePromptOutput,
    SuggestPromptInput, SuggestPromptOutput,
};
use miaojing_auth::rate_limit::Limit;
use miaojing_auth::AuthUser;
use miaojing_domain::job::{Job, JobKind, JobStatus, Mode, ModelCallRecord, NewJob};
use miaojing_domain::provider::{MediaType, SystemApi};
use miaojing_domain::user::Role;
use miaojing_domain::{Error, ErrorKind, Result};
use miaojing_providers::channel::{
    ChannelConfig, InputImage, Language, MediaType as ChannelMedia, ReverseMode, ReversePromptRequest, SuggestRequest,
};
use miaojing_providers::ProviderClient;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::channels;
use crate::generation::composition;
use crate::generation::request::{self, JobRequest};
use crate::generation::resolve;
use crate::generation::spec::{self, SpecSummary};
use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::state::AppState;

/// The `generation` bucket of the original: 20 calls a minute per user.
const GENERATE_LIMIT: Limit = Limit::new(20, 60);
/// A job still unfinished after this fails and its hold is released.
const JOB_LIFETIME_MINUTES: i64 = 30;
/// Largest reverse-prompt image decoded from a data URL.
const MAX_REVERSE_IMAGE_BYTES: usize = 6 * 1024 * 1024;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(events).service(create).service(list).service(one).service(update).service(reverse_prompt).service(suggest_prompt);
}

/// Bounds and default of an estimate in seconds: images 20–900 (90), videos 60–1800 (300).
fn eta_bounds(mode: Mode) -> (f64, f64, u32) {
    if mode.is_video() {
        (60.0, 1800.0, 300)
    } else {
        (20.0, 900.0, 90)
    }
}

fn default_eta(mode: Mode) -> Eta {
    Eta { estimate_seconds: eta_bounds(mode).2, source: "default".into(), sample_count: 0, window_days: 0 }
}

/// The mean run time of the model's recent successes (the last day, else 3, else 7 days),
/// clamped to the media type's bounds; the default without any.
async fn estimate(st: &AppState, mode: Mode, model: &str) -> miaojing_domain::Result<Eta> {
    let (min, max, _) = eta_bounds(mode);
    for days in [1u32, 3, 7] {
        let (n, mean) = st.store.run_time_stats(mode, model, Utc::now() - Duration::days(i64::from(days))).await?;
        if n > 0 {
            let secs = mean.clamp(min, max).round() as u32;
            let sample_count = u32::try_from(n).unwrap_or(u32::MAX);
            return Ok(Eta { estimate_seconds: secs, source: "history".into(), sample_count, window_days: days });
        }
    }
    Ok(default_eta(mode))
}

/// The estimate stored with the job at submission.
fn eta_of(summary: &SpecSummary, job: &Job) -> Eta {
    summary.eta.clone().unwrap_or_else(|| default_eta(job.mode))
}

fn view(job: &Job) -> JobView {
    let summary = SpecSummary::of(job);
    let eta = eta_of(&summary, job);
    let end = job.finished_at.unwrap_or_else(Utc::now);
    let payload = summary.client_request_id.map_or(json!({}), |c| json!({"clientRequestId": c}));
    JobView {
        id: job.id,
        job_id: job.id,
        kind: job.mode.media_type().to_string(),
        mode: job.mode,
        status: job.status,
        result: if job.status == JobStatus::Succeeded { job.result.clone() } else { Value::Null },
        error: job.error_message.clone(),
        error_code: job.error_code.clone(),
        provider: job.channel.clone(),
        model_name: job.model.clone(),
        payload,
        credits_held: job.estimated_cost,
        credits_cost: job.actual_cost,
        created_at: job.created_at,
        started_at: job.started_at,
        finished_at: job.finished_at,
        updated_at: job.updated_at,
        elapsed_seconds: job.started_at.map_or(0, |s| (end - s).num_seconds().max(0)),
        estimate_seconds: eta.estimate_seconds,
        eta,
    }
}

fn created(job: &Job, deduplicated: bool) -> CreatedJob {
    let eta = eta_of(&SpecSummary::of(job), job);
    CreatedJob {
        job_id: job.id,
        status: job.status,
        estimate_seconds: eta.estimate_seconds,
        eta,
        credits_held: job.estimated_cost,
        deduplicated,
    }
}

async fn insufficient(st: &AppState, user: Uuid, need: i64) -> Error {
    let held = st.store.open_holds_total(user).await.unwrap_or(0);
    let balance = st.store.user_by_id(user).await.ok().flatten().map_or(0, |u| u.credits_balance);
    Error::new(
        ErrorKind::InsufficientCredits,
        ErrorCode::InsufficientCredits,
        format!("积分不足，本次生成需要 {need} 积分，已排队任务预占 {held} 积分，当前余额 {balance} 积分"),
    )
}

/// Queue a generation: checked, priced and held at once (402 when balance minus open holds
/// is short); a repeated `clientRequestId` returns the first job with `deduplicated: true`.
#[utoipa::path(security(("bearer" = [])), tag = "generation", request_body = CreateJobRequest, responses(
    (status = 202, body = CreatedJob), (status = 200, description = "deduplicated", body = CreatedJob),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 402, body = ErrorBody)))]
#[post("/api/generation-jobs")]
async fn create(st: web::Data<AppState>, me: Authed, body: web::Json<CreateJobRequest>) -> ApiResult<HttpResponse> {
    let JobRequest { kind, mode, mut spec, model, style_label } = request::parse(body.into_inner())?;
    let found = resolve::for_submission(st.store.as_ref(), &me.0.user, kind, &model, spec.count, spec.duration).await?;
    spec.source = found.source;
    spec.eta = Some(estimate(&st, mode, &found.display).await?);
    if kind == JobKind::Image && st.site.config().await?.image_composition_skill_enabled {
        let c = composition::instruction(&spec.prompt, spec.aspect_ratio.as_deref(), spec.resolution.as_deref(), !spec.images.is_empty());
        spec.composition = Some(c);
    }
    let now = Utc::now();
    let (id, hold) = (Uuid::new_v4(), found.hold);
    let job = NewJob {
        id,
        user_id: me.0.user.id,
        mode,
        model: found.display,
        channel: found.channel,
        client_request_id: spec.client_request_id.clone(),
        params: serde_json::to_value(&spec).map_err(|e| Error::internal(e.to_string()))?,
        estimated_cost: hold,
        deadline_at: now + Duration::minutes(JOB_LIFETIME_MINUTES),
        created_at: now,
    };
    // Kept before the job is queued, so a worker of this process never looks the rows up again.
    st.carried.keep_model(id, found.resolved);
    let submitted = st.jobs.submit(job).await;
    if !matches!(submitted, Ok((_, true))) {
        st.carried.forget(id);
    }
    let (job, fresh) = match submitted {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::InsufficientCredits => return Err(insufficient(&st, me.0.user.id, hold).await.into()),
        Err(e) => return Err(e.into()),
    };
    if fresh {
        if let Some(label) = style_label.filter(|l| !l.trim().is_empty()) {
            let _ = st.store.bump_style_preset(label.trim()).await;
        }
        Ok(HttpResponse::Accepted().json(created(&job, false)))
    } else {
        Ok(HttpResponse::Ok().json(created(&job, true)))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// CSV of statuses; default `queued,running` plus jobs finished in the last hour.
    pub status: Option<String>,
    /// 1–100, default 30.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The caller's queued and running jobs and recently finished ones, newest first (light rows).
#[utoipa::path(security(("bearer" = [])), tag = "generation", params(ListQuery), responses((status = 200, body = JobList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/api/generation-jobs")]
async fn list(st: web::Data<AppState>, me: Authed, q: web::Query<ListQuery>) -> ApiResult<web::Json<JobList>> {
    let limit = q.limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(Error::validation(ErrorCode::InvalidLimit, "limit 必须在 1 到 100 之间").into());
    }
    let (statuses, recent_only) = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(csv) => (csv.split(',').map(|s| JobStatus::parse(s.trim())).collect::<Result<Vec<_>, _>>()?, false),
        None => (JobStatus::ALL.to_vec(), true),
    };
    let since = Utc::now() - Duration::hours(1);
    let jobs = st.jobs.list(me.0.user.id, &statuses, limit).await?;
    let jobs = jobs.iter().filter(|j| !recent_only || !j.status.is_terminal() || j.updated_at >= since).map(view).collect();
    Ok(web::Json(JobList { jobs }))
}

async fn visible(st: &AppState, me: &AuthUser, id: Uuid) -> Result<Job> {
    let job = st.store.job_by_id(id).await?.filter(|j| j.user_id == me.user.id || me.user.role == Role::Admin);
    job.ok_or_else(|| Error::not_found(ErrorCode::JobNotFound, "任务不存在"))
}

/// One job of the caller (admins: any job).
#[utoipa::path(security(("bearer" = [])), tag = "generation", responses((status = 200, body = JobView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/generation-jobs/{id}")]
async fn one(st: web::Data<AppState>, me: Authed, path: web::Path<Uuid>) -> ApiResult<web::Json<JobView>> {
    Ok(web::Json(view(&visible(&st, &me.0, path.into_inner()).await?)))
}

/// `{action: "cancel"}`: aborts the in-flight upstream request and releases the hold; a
/// finished job is returned unchanged.
#[utoipa::path(security(("bearer" = [])), tag = "generation", request_body = JobAction, responses((status = 200, body = JobView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[patch("/api/generation-jobs/{id}")]
async fn update(st: web::Data<AppState>, me: Authed, path: web::Path<Uuid>, body: web::Json<JobAction>) -> ApiResult<web::Json<JobView>> {
    if body.action.as_deref().unwrap_or("cancel") != "cancel" {
        return Err(Error::validation(ErrorCode::UnsupportedJobAction, "不支持的任务操作").into());
    }
    let job = visible(&st, &me.0, path.into_inner()).await?;
    let owner = if me.0.user.role == Role::Admin { None } else { Some(me.0.user.id) };
    Ok(web::Json(view(&st.jobs.cancel(owner, job.id).await?)))
}

/// A server-sent-events stream of the caller's job changes: `event: job` with
/// `{jobId, status, message}`.
#[utoipa::path(security(("bearer" = [])), tag = "generation", responses((status = 200, content_type = "text/event-stream", body = String), (status = 401, body = ErrorBody)))]
#[get("/api/generation-jobs/events")]
async fn events(st: web::Data<AppState>, me: Authed) -> HttpResponse {
    let rx = st.jobs.events().subscribe(me.0.user.id);
    let hello = futures_util::stream::once(async { Ok::<_, actix_web::Error>(Bytes::from_static(b": connected\n\n")) });
    let updates = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(ev) => {
                    let data = serde_json::to_string(&ev).unwrap_or_default();
                    return Some((Ok(Bytes::from(format!("event: job\ndata: {data}\n\n"))), rx));
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("content-encoding", "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(futures_util::StreamExt::chain(hello, updates))
}

/// The text model to use: the named platform row or user key, else the first platform text
/// model the caller's tier may use.
async fn text_channel(st: &AppState, me: &AuthUser, choice: Option<&ModelChoice>) -> Result<(ChannelConfig, String, String)> {
    let not_configured = || Error::validation(ErrorCode::TextModelUnavailable, "未配置多模态模型，请在API设置中添加多模态模型");
    if let Some(id) = choice.and_then(|c| c.custom_api_key_id) {
        let key = st.store.user_api_key(me.user.id, id).await?.filter(|k| k.is_active).ok_or_else(not_configured)?;
        return Ok((channels::user_channel(&st.secrets, &key)?, key.model_name.clone(), key.provider.clone()));
    }
    let tier = me.user.effective_tier(Utc::now());
    let usable =
        |a: &SystemApi| a.is_active && a.is_default && a.media_type == MediaType::Text && a.allows(tier) && !a.api_key_encrypted.is_empty();
    let api = match choice.and_then(|c| c.system_api_id) {
        Some(id) => st.store.system_api(id).await?.filter(usable),
        None => st.store.list_system_apis(false).await?.into_iter().find(usable),
    }
    .ok_or_else(not_configured)?;
    Ok((channels::system_channel(&st.secrets, &api)?, api.name.clone(), api.provider.clone()))
}

async fn record_call(
    st: &AppState,
    user: Uuid,
    operation: &str,
    model: &str,
    channel: &str,
    started: (chrono::DateTime<Utc>, Instant),
    error: Option<&Error>,
) {
    let now = Utc::now();
    let record = ModelCallRecord {
        id: Uuid::new_v4(),
        user_id: Some(user),
        job_id: None,
        source: operation.to_string(),
        operation: operation.to_string(),
        model: model.to_string(),
        channel: channel.to_string(),
        status: if error.is_some() { "failed" } else { "succeeded" }.to_string(),
        credits_cost: 0,
        result_count: i32::from(error.is_none()),
        duration_ms: i64::try_from(started.1.elapsed().as_millis()).unwrap_or(i64::MAX),
        error: error.map(|e| e.code.to_string()),
        metadata: json!({"type": "text"}),
        created_at: started.0,
        started_at: Some(started.0),
        finished_at: Some(now),
    };
    if let Err(e) = st.store.insert_model_call(record).await {
        tracing::warn!(error = %e, "writing a model call record failed");
    }
}

/// Recover a prompt from an image with the platform's multimodal model (free).
#[utoipa::path(security(("bearer" = [])), tag = "generation", request_body = ReversePromptInput, responses(
    (status = 200, body = ReversePromptOutput), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/generate/reverse-prompt")]
async fn reverse_prompt(
    st: web::Data<AppState>,
    me: Authed,
    body: web::Json<ReversePromptInput>,
) -> ApiResult<web::Json<ReversePromptOutput>> {
    st.auth.limiter().check("generation", &me.0.user.id.to_string(), GENERATE_LIMIT, Utc::now()).await?;
    let body = body.into_inner();
    let image = body.image.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let image = image.ok_or_else(|| Error::validation(ErrorCode::ImageRequired, "请上传需要反推提示词的图片"))?;
    if image.len() > spec::MAX_IMAGE_CHARS {
        return Err(Error::new(ErrorKind::TooLarge, ErrorCode::ImageTooLarge, "图片过大，请压缩后再上传").into());
    }
    let mode = match body.output_mode.as_deref().unwrap_or("structured") {
        "structured" => ReverseMode::Structured,
        "general" => ReverseMode::General,
        "pixel" => ReverseMode::Pixel,
        _ => return Err(Error::validation(ErrorCode::InvalidOutputMode, "输出模式必须是 structured、general 或 pixel").into()),
    };
    let language = match body.language.as_deref().unwrap_or("zh") {
        "zh" => Language::Zh,
        "en" => Language::En,
        _ => return Err(Error::validation(ErrorCode::InvalidLanguage, "语言必须是 zh 或 en").into()),
    };
    let (input, reference) = if image.starts_with("data:") {
        let bytes = miaojing_storage::upload::decode_data_url(&image, MAX_REVERSE_IMAGE_BYTES)?;
        let format = miaojing_storage::media::MediaFormat::sniff(&bytes)
            .ok_or_else(|| Error::validation(ErrorCode::InvalidImage, "图片格式不支持"))?;
        let key = format!(
            "reverse-prompt/reference-images/{}-{}.{}",
            Utc::now().timestamp_millis(),
            &Uuid::new_v4().simple().to_string()[..12],
            format.extension()
        );
        let bytes = Bytes::from(bytes);
        st.storage
            .put(&key, bytes.clone())
            .await
            .map_err(|e| Error::new(ErrorKind::Unavailable, ErrorCode::ResultSaveFailed, "图片保存失败").with_detail(e.to_string()))?;
        (InputImage::from_bytes(bytes, format.mime()), miaojing_storage::keys::public_url(&key).ok())
    } else if image.starts_with("https://") || image.starts_with("http://") {
        (InputImage::from_url(image.clone()), Some(image.clone()))
    } else {
        return Err(Error::validation(ErrorCode::InvalidImage, "图片必须是 data URL 或 http(s) 地址").into());
    };
    let (ch, model, channel) = text_channel(&st, &me.0, None).await?;
    let started = (Utc::now(), Instant::now());
    let client = ProviderClient::new(st.outbound.clone());
    let out = client.reverse_prompt(&ch, &ReversePromptRequest { image: input, mode, language, stream: false }).await;
    record_call(&st, me.0.user.id, "reverse-prompt", &model, &channel, started, out.as_ref().err()).await;
    let out = out?;
    Ok(web::Json(ReversePromptOutput {
        general_prompt: out.general_prompt,
        structured_prompt: out.structured_prompt,
        negative_prompt: out.negative_prompt,
        structured_sections: out.structured_sections.and_then(|s| serde_json::to_value(s).ok()),
        reference_image: reference,
    }))
}

/// Improve a prompt with a multimodal model (free).
#[utoipa::path(security(("bearer" = [])), tag = "generation", request_body = SuggestPromptInput, responses(
    (status = 200, body = SuggestPromptOutput), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/generate/suggest-prompt")]
async fn suggest_prompt(
    st: web::Data<AppState>,
    me: Authed,
    body: web::Json<SuggestPromptInput>,
) -> ApiResult<web::Json<SuggestPromptOutput>> {
    st.auth.limiter().check("generation", &me.0.user.id.to_string(), GENERATE_LIMIT, Utc::now()).await?;
    let body = body.into_inner();
    let prompt = body.prompt.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let prompt = prompt.ok_or_else(|| Error::validation(ErrorCode::PromptRequired, "请提供创作描述"))?;
    if prompt.chars().count() > 10_000 {
        return Err(Error::validation(ErrorCode::PromptTooLong, "创作描述最多 10000 个字符").into());
    }
    let target = body.target_generation_model.unwrap_or(Value::Null);
    let target_media = if target["mediaType"] == "video" { ChannelMedia::Video } else { ChannelMedia::Image };
    let target_model = target["displayName"].as_str().or(target["modelName"].as_str()).map(str::to_string);
    let (ch, model, channel) = text_channel(&st, &me.0, body.custom_api_config.as_ref()).await?;
    let started = (Utc::now(), Instant::now());
    let client = ProviderClient::new(st.outbound.clone());
    let req = SuggestRequest {
        prompt,
        system_prefix: body.system_prefix.filter(|s| !s.trim().is_empty()),
        target_model,
        target_media,
        stream: false,
    };
    let out = client.suggest_prompt(&ch, &req).await;
    record_call(&st, me.0.user.id, "suggest-prompt", &model, &channel, started, out.as_ref().err()).await;
    let out = out?;
    Ok(web::Json(SuggestPromptOutput { prompt: out.prompt, negative_prompt: out.negative_prompt }))
}
