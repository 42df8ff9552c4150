//! Results kept at once (upstream URLs expire): originals under `generated/…`, thumbnails
//! next to them, and the work rows and job result that point at them.
use chrono::Utc;
use miaojing_domain::job::Job;
use miaojing_domain::work::NewWork;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind, Result};
use miaojing_providers::channel::{GenerationOutput, MediaItem};
use miaojing_storage::derive::Derived;
use miaojing_storage::fetch::ResultFetcher;
use miaojing_storage::keys::public_url;
use miaojing_storage::media::{Effort, Label, MediaFormat};
use miaojing_storage::Storage;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::spec::JobSpec;

/// Result thumbnails are made on the job's path, before it is reported done: the fast encoder
/// (decision 30).
const JOB_THUMBNAIL_EFFORT: Effort = Effort::Fast;

/// One stored result.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub key: String,
    pub thumbnail_key: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub video: bool,
}

fn save_failed(detail: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Unavailable, ErrorCode::ResultSaveFailed, "平台未能保存生成结果，请稍后重试").with_detail(detail.to_string())
}

fn extension_of_url(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    ["png", "jpg", "jpeg", "webp", "gif", "mp4", "webm", "mov"].into_iter().find(|e| path.ends_with(&format!(".{e}")))
}

fn new_key(video: bool, ext: &str) -> String {
    let dir = if video { "videos" } else { "images" };
    format!("generated/{dir}/{}-{}.{ext}", Utc::now().timestamp_millis(), &Uuid::new_v4().simple().to_string()[..12])
}

/// The implicit AI-content label of the job's results: the job id and the model.
pub fn job_label(job: &Job) -> Label {
    Label::ai_generated(job.id.to_string()).with_model(job.model.clone())
}

/// Stores the first `limit` outputs of the job (images, then videos) with their thumbnails;
/// whatever an upstream sends beyond the requested count is dropped, never fetched. Images and
/// their thumbnails carry [`job_label`].
pub async fn store_outputs(
    storage: &Storage,
    fetcher: &ResultFetcher,
    job: &Job,
    out: &GenerationOutput,
    limit: usize,
) -> Result<Vec<Stored>> {
    let mut stored = Vec::new();
    let label = job_label(job);
    let items = out.images.iter().map(|i| (false, i)).chain(out.videos.iter().map(|v| (true, v))).take(limit);
    for (video, item) in items {
        let ext = match item {
            MediaItem::Inline { bytes, .. } => MediaFormat::sniff(bytes).map(MediaFormat::extension),
            MediaItem::Url(url) => extension_of_url(url),
        };
        let key = new_key(video, ext.unwrap_or(if video { "mp4" } else { "png" }));
        let s = match item {
            // An image in memory: its thumbnail is made while the original is written.
            MediaItem::Inline { bytes, .. } if !video => image_stored(
                key.clone(),
                storage.put_image(&key, bytes.clone(), Some(&label), JOB_THUMBNAIL_EFFORT).await.map_err(save_failed)?,
            ),
            MediaItem::Inline { bytes, .. } => {
                storage.put(&key, bytes.clone()).await.map_err(save_failed)?;
                video_stored(storage, key).await
            }
            MediaItem::Url(url) => {
                fetcher.fetch_into(storage, url, &key).await?;
                if video {
                    video_stored(storage, key).await
                } else {
                    image_stored(key.clone(), storage.derive_image(&key, Some(&label), JOB_THUMBNAIL_EFFORT).await)
                }
            }
        };
        tracing::debug!(job = %job.id, key = %s.key, "stored a generation result");
        stored.push(s);
    }
    Ok(stored)
}

fn image_stored(key: String, derived: Derived) -> Stored {
    let (width, height) = derived.size.unzip();
    Stored { key, thumbnail_key: derived.thumbnail_key, width, height, video: false }
}

/// A stored video with its frame thumbnail, made by the storage's own routine (spooled to a
/// bounded temporary file; a placeholder under the stale key when no frame can be taken, so the
/// backfill tries again).
async fn video_stored(storage: &Storage, key: String) -> Stored {
    let thumbnail_key = match storage.ensure_thumbnail(&key).await {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::warn!(%key, error = %e, "the thumbnail of a generated video failed");
            None
        }
    };
    Stored { key, thumbnail_key, width: None, height: None, video: true }
}

fn url(key: &str) -> String {
    public_url(key).unwrap_or_else(|_| key.to_string())
}

/// The job result (the original's shape) and one work per output, the cost split evenly
/// (the remainder on the first).
pub fn outcome(job: &Job, spec: &JobSpec, stored: &[Stored], actual: i64) -> (Value, Vec<NewWork>) {
    let n = stored.len().max(1) as i64;
    let now = Utc::now();
    let mut works = Vec::new();
    let (mut urls, mut thumbs, mut thumb_urls, mut dims) = (vec![], Map::new(), vec![], Map::new());
    for (i, s) in stored.iter().enumerate() {
        let u = url(&s.key);
        let t = s.thumbnail_key.as_deref().map(url);
        if let Some(t) = &t {
            thumbs.insert(u.clone(), json!(t));
        }
        thumb_urls.push(json!(t.clone().unwrap_or_else(|| u.clone())));
        if let (Some(w), Some(h)) = (s.width, s.height) {
            dims.insert(u.clone(), json!({"width": w, "height": h}));
        }
        urls.push(json!(u));
        let share = actual / n + if i == 0 { actual % n } else { 0 };
        let params = json!({
            "aspectRatio": spec.aspect_ratio, "resolution": spec.resolution, "size": spec.size, "count": spec.count,
            "guidanceScale": spec.guidance_scale, "duration": spec.duration, "style": spec.style,
            "referenceImages": spec.images.len(), "provider": job.channel,
        });
        works.push(NewWork {
            id: Uuid::new_v4(),
            user_id: job.user_id,
            job_id: Some(job.id),
            mode: job.mode,
            prompt: spec.prompt.clone(),
            negative_prompt: spec.negative_prompt.clone().unwrap_or_default(),
            params,
            original_key: s.key.clone(),
            thumbnail_key: s.thumbnail_key.clone(),
            width: s.width.and_then(|w| i32::try_from(w).ok()),
            height: s.height.and_then(|h| i32::try_from(h).ok()),
            duration_secs: if s.video { spec.duration.map(f64::from) } else { None },
            model: job.model.clone(),
            credits_cost: share,
            created_at: now,
        });
    }
    let work_ids: Vec<Value> = works.iter().map(|w| json!(w.id)).collect();
    let media_field = if stored.first().is_some_and(|s| s.video) { "videos" } else { "images" };
    let mut result = json!({
        "thumbnails": thumbs, "thumbnailUrls": thumb_urls, "dimensions": dims, "creditsCost": actual, "workIds": work_ids,
    });
    result[media_field] = json!(urls);
    (result, works)
}
