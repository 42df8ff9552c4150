//! `GET /api/local-storage/{key}`: every stored file, whatever backend holds it.
//!
//! - Watermarkable images and videos (see `miaojing_storage::policy`) are always shown watermarked: the
//!   render (videos: H.264 MP4 with the AI label) is made once, cached under `watermarked/`, and
//!   served from disk afterwards, byte ranges included.
//! - Files on local disk are served directly (`ETag`/`Last-Modified`, conditional requests,
//!   byte ranges); in dual mode the local copy is identical to the mirrored one.
//! - Files only in object storage are streamed from it with the same validators and ranges.
//! - Thumbnails (their names carry their profile) and site assets (content-hashed names) are
//!   cached for a year as immutable, and the bytes served for thumbnails are kept in a small
//!   in-memory cache ([`hot`]) so the hot path of a gallery page does no disk or blocking-pool work.
//! - SVG files are served with a policy that blocks scripts and everything else but inline styles,
//!   so an uploaded SVG opened directly cannot act on the site.
use miaojing_domain::ErrorCode;
use std::time::UNIX_EPOCH;

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding, HeaderValue, HttpDate};
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::Error;
use miaojing_storage::keys::{key_from_url_path, PUBLIC_PREFIX};
use miaojing_storage::policy::{content_type, is_watermarkable, THUMBNAILS_PREFIX};
use miaojing_storage::upload::SITE_ASSETS_PREFIX;
use miaojing_storage::StorageError;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(local_file);
}

/// Policy of stored SVG documents: no scripts, no loads, only their own inline styles.
const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/// Versioned files (thumbnails, whose names carry their profile; site assets, named by their
/// content) never change.
fn cache_control(key: &str) -> &'static str {
    if key.starts_with(THUMBNAILS_PREFIX) || key.starts_with(SITE_ASSETS_PREFIX) || key.contains("-m1280q86.") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=0, must-revalidate"
    }
}

pub(crate) fn invalid_key(e: impl std::fmt::Display) -> Error {
    Error::validation(ErrorCode::InvalidKey, "文件路径无效").with_detail(e.to_string())
}

pub(crate) fn not_found() -> Error {
    Error::not_found(ErrorCode::FileNotFound, "文件不存在")
}

/// The watermarked render of `key` (made now if needed); missing sources are 404.
pub(crate) async fn watermarked_key(st: &AppState, key: &str) -> ApiResult<String> {
    st.storage.watermarked(key).await.map_err(|e| match e {
        StorageError::NotFound(_) => not_found().into(),
        StorageError::Key(k) => invalid_key(k).into(),
        other => {
            tracing::warn!(key, error = %other, "watermark render failed");
            Error::not_found(ErrorCode::FileNotFound, "文件不存在").with_detail("the file could not be rendered").into()
        }
    })
}

/// A stored file. Supports `If-None-Match`, `If-Modified-Since` and `Range`.
#[utoipa::path(tag = "storage", params(("key" = String, Path, description = "Storage key, e.g. `generated/images/abc.png`")), responses(
    (status = 200, description = "The file (watermarked for generated, gallery and imported images)"), (status = 206, description = "A byte range"),
    (status = 304, description = "Not modified"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 416, description = "Range not satisfiable")))]
#[get("/api/local-storage/{key:.*}")]
async fn local_file(st: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    // The raw path, decoded exactly once by the key discipline.
    let raw = req.uri().path().strip_prefix(PUBLIC_PREFIX).unwrap_or_default();
    let key = key_from_url_path(raw).map_err(invalid_key)?;
    let hot_id = key.starts_with(THUMBNAILS_PREFIX).then(|| st.storage.local().path_of(&key).ok()).flatten();
    if let Some(id) = &hot_id {
        if let Some(file) = hot::get(id) {
            return Ok(file.respond(&req, cache_control(&key)));
        }
    }
    let served = if is_watermarkable(&key) { watermarked_key(&st, &key).await? } else { key.clone() };
    if let Some(id) = hot_id {
        if let Some(file) = hot::load(&st, id, &served).await {
            return Ok(file.respond(&req, cache_control(&key)));
        }
    }
    let mut res = serve(&st, &req, &served, None).await?;
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(&key)));
    Ok(res)
}

/// Drops `keys` from this instance's in-memory file cache (after they were removed from storage).
pub(crate) fn forget(storage: &miaojing_storage::Storage, keys: &[String]) {
    for key in keys {
        if let Ok(path) = storage.local().path_of(key) {
            hot::forget(&path);
        }
    }
}

/// Serves `key` from local disk when it is there, else from object storage, with validators and
/// ranges; `disposition` sets `Content-Disposition`.
pub(crate) async fn serve(st: &AppState, req: &HttpRequest, key: &str, disposition: Option<HeaderValue>) -> ApiResult<HttpResponse> {
    let mut res = serve_any(st, req, key, disposition).await?;
    if content_type(key) == "image/svg+xml" {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SVG_CSP));
    }
    Ok(res)
}

async fn serve_any(st: &AppState, req: &HttpRequest, key: &str, disposition: Option<HeaderValue>) -> ApiResult<HttpResponse> {
    let path = st.storage.local().path_of(key).map_err(invalid_key)?;
    if let Ok(file) = NamedFile::open_async(&path).await {
        if file.metadata().is_file() {
            let mut res = file.disable_content_disposition().use_etag(true).use_last_modified(true).into_response(req);
            if let Some(d) = disposition {
                res.headers_mut().insert(header::CONTENT_DISPOSITION, d);
            }
            return Ok(res);
        }
    }
    serve_object(st, req, key, disposition).await
}

/// Small immutable files held in memory: the bytes served for a thumbnail key (its watermarked
/// render where there is one), keyed by the key's path on disk (unique per storage root). Entries
/// live [`hot::TTL`] before the disk is looked at again, and the whole cache is bounded to
/// [`hot::BUDGET`] bytes (oldest entries go first).
mod hot {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::{Arc, OnceLock};
    use std::time::{Duration, Instant, UNIX_EPOCH};

    use actix_web::http::header::{self, HttpDate};
    use actix_web::http::StatusCode;
    use actix_web::{HttpRequest, HttpResponse};
    use bytes::Bytes;
    use parking_lot::Mutex;

    use crate::state::AppState;

    /// How long an entry is trusted without looking at the disk.
    pub const TTL: Duration = Duration::from_secs(30);
    /// Total bytes kept.
    pub const BUDGET: usize = 64 * 1024 * 1024;
    /// Largest file kept.
    const MAX_FILE: u64 = 2 * 1024 * 1024;

    /// A file in memory with its validators.
    pub struct HotFile {
        bytes: Bytes,
        etag: String,
        last_modified: String,
        content_type: &'static str,
        loaded: Instant,
    }

    #[derive(Default)]
    struct Cache {
        files: HashMap<PathBuf, Arc<HotFile>>,
        total: usize,
    }

    fn cache() -> &'static Mutex<Cache> {
        static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
        CACHE.get_or_init(Mutex::default)
    }

    /// The cached file for `id`, when present and fresh.
    pub fn get(id: &PathBuf) -> Option<Arc<HotFile>> {
        cache().lock().files.get(id).filter(|f| f.loaded.elapsed() < TTL).cloned()
    }

    /// Drops the entry for `id`, if any.
    pub fn forget(id: &std::path::Path) {
        let mut c = cache().lock();
        if let Some(f) = c.files.remove(id) {
            c.total -= f.bytes.len();
        }
    }

    /// Reads `served` from local disk into the cache under `id`; `None` when it is not a small
    /// local file (it is then served the ordinary way).
    pub async fn load(st: &AppState, id: PathBuf, served: &str) -> Option<Arc<HotFile>> {
        let path = st.storage.local().path_of(served).ok()?;
        let (bytes, modified) = tokio::task::spawn_blocking(move || -> std::io::Result<Option<(Vec<u8>, std::time::SystemTime)>> {
            let m = std::fs::metadata(&path)?;
            if !m.is_file() || m.len() > MAX_FILE {
                return Ok(None);
            }
            Ok(Some((std::fs::read(&path)?, m.modified()?)))
        })
        .await
        .ok()?
        .ok()??;
        let secs = modified.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let file = Arc::new(HotFile {
            etag: format!("\"{:x}-{secs:x}\"", bytes.len()),
            last_modified: HttpDate::from(UNIX_EPOCH + Duration::from_secs(secs)).to_string(),
            content_type: super::content_type(served),
            bytes: Bytes::from(bytes),
            loaded: Instant::now(),
        });
        let mut c = cache().lock();
        if let Some(old) = c.files.insert(id, file.clone()) {
            c.total -= old.bytes.len();
        }
        c.total += file.bytes.len();
        while c.total > BUDGET {
            let Some(oldest) = c.files.iter().min_by_key(|(_, f)| f.loaded).map(|(k, _)| k.clone()) else { break };
            if let Some(f) = c.files.remove(&oldest) {
                c.total -= f.bytes.len();
            }
        }
        Some(file)
    }

    impl HotFile {
        /// The response to `req`: 304 on a matching validator, 206 for one satisfiable range.
        pub fn respond(&self, req: &HttpRequest, cache_control: &'static str) -> HttpResponse {
            let h = req.headers();
            let mut b = HttpResponse::build(StatusCode::OK);
            b.insert_header((header::ETAG, self.etag.as_str()))
                .insert_header((header::LAST_MODIFIED, self.last_modified.as_str()))
                .insert_header((header::CACHE_CONTROL, cache_control))
                .insert_header((header::ACCEPT_RANGES, "bytes"));
            let not_modified = match h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
                Some(inm) => inm.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == self.etag),
                None => h.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()) == Some(self.last_modified.as_str()),
            };
            if not_modified {
                return b.status(StatusCode::NOT_MODIFIED).finish();
            }
            b.insert_header((header::CONTENT_TYPE, self.content_type));
            let size = self.bytes.len() as u64;
            let if_range_ok = h.get(header::IF_RANGE).and_then(|v| v.to_str().ok()).is_none_or(|v| v == self.etag);
            match h.get(header::RANGE).and_then(|v| v.to_str().ok()).filter(|_| if_range_ok).map(|v| super::parse_range(v, size)) {
                Some(Err(())) => {
                    HttpResponse::RangeNotSatisfiable().insert_header((header::CONTENT_RANGE, format!("bytes */{size}"))).finish()
                }
                Some(Ok(Some(r))) => b
                    .status(StatusCode::PARTIAL_CONTENT)
                    .insert_header((header::CONTENT_RANGE, format!("bytes {}-{}/{size}", r.start, r.end - 1)))
                    .body(self.bytes.slice(r.start as usize..r.end as usize)),
                _ => b.body(self.bytes.clone()),
            }
        }
    }
}

/// A single byte range of a `size`-byte file: `None` = whole file, `Err` = unsatisfiable.
fn parse_range(value: &str, size: u64) -> Result<Option<std::ops::Range<u64>>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None); // multiple ranges: answer with the whole file
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        size.saturating_sub(n)..size
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end = if b.is_empty() { size } else { b.parse::<u64>().map_err(|_| ())?.saturating_add(1).min(size) };
        if start >= end {
            return Err(());
        }
        start..end
    };
    if range.start >= size {
        return Err(());
    }
    Ok(Some(range))
}

async fn serve_object(st: &AppState, req: &HttpRequest, key: &str, disposition: Option<HeaderValue>) -> ApiResult<HttpResponse> {
    let meta = st.storage.head(key).await.map_err(Error::from)?.ok_or_else(not_found)?;
    let secs = meta.modified.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let etag = format!("\"{}\"", meta.etag.clone().unwrap_or_else(|| format!("{:x}-{secs:x}", meta.size)));
    let last_modified = HttpDate::from(UNIX_EPOCH + std::time::Duration::from_secs(secs));
    let h = req.headers();
    let mut builder = HttpResponse::build(StatusCode::OK);
    builder
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::LAST_MODIFIED, last_modified.to_string()))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
    let not_modified = match h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        Some(inm) => inm.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag),
        None => h
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<HttpDate>().ok())
            .is_some_and(|since| std::time::SystemTime::from(since) >= std::time::SystemTime::from(last_modified)),
    };
    if not_modified {
        return Ok(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    // `If-Range` with another validator means the file changed: send all of it.
    let if_range_ok = h.get(header::IF_RANGE).and_then(|v| v.to_str().ok()).is_none_or(|v| v == etag);
    let range = match h.get(header::RANGE).and_then(|v| v.to_str().ok()).filter(|_| if_range_ok) {
        Some(v) => match parse_range(v, meta.size) {
            Ok(r) => r,
            Err(()) => {
                return Ok(HttpResponse::RangeNotSatisfiable()
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{}", meta.size)))
                    .finish());
            }
        },
        None => None,
    };
    let read = st.storage.get(key, range.clone()).await.map_err(Error::from)?;
    builder.insert_header((header::CONTENT_TYPE, content_type(key))).insert_header(ContentEncoding::Identity);
    if let Some(d) = disposition {
        builder.insert_header((header::CONTENT_DISPOSITION, d));
    }
    let len = match &range {
        Some(r) => {
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, format!("bytes {}-{}/{}", r.start, r.end - 1, meta.size)));
            r.end - r.start
        }
        None => meta.size,
    };
    builder.no_chunking(len);
    Ok(builder.streaming(read.body))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-3", 10), Ok(Some(0..4)));
        assert_eq!(parse_range("bytes=5-", 10), Ok(Some(5..10)));
        assert_eq!(parse_range("bytes=-3", 10), Ok(Some(7..10)));
        assert_eq!(parse_range("bytes=2-100", 10), Ok(Some(2..10)));
        assert_eq!(parse_range("bytes=0-1,4-5", 10), Ok(None));
        assert_eq!(parse_range("items=0-1", 10), Ok(None));
        assert!(parse_range("bytes=10-", 10).is_err());
        assert!(parse_range("bytes=5-2", 10).is_err());
        assert!(parse_range("bytes=x-2", 10).is_err());
    }
}
