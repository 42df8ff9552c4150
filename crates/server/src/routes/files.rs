//! `GET /api/local-storage/{key}`: stored files, with ETag/Last-Modified, conditional
//! requests and byte ranges (video seeking). Keys are checked by the storage key discipline.
use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpRequest, HttpResponse};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::Error;
use miaojing_storage::keys::{key_from_url_path, PUBLIC_PREFIX};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(local_file);
}

/// Versioned files (thumbnails, whose names carry their profile) never change.
fn cache_control(key: &str) -> &'static str {
    if key.starts_with("thumbnails/") || key.contains("-m1280q86.") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=0, must-revalidate"
    }
}

/// A stored file. Supports `If-None-Match`, `If-Modified-Since` and `Range`.
#[utoipa::path(tag = "storage", params(("key" = String, Path, description = "Storage key, e.g. `generated/2026/11/abc.png`")), responses(
    (status = 200, description = "The file"), (status = 206, description = "A byte range"), (status = 304, description = "Not modified"),
    (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/local-storage/{key:.*}")]
async fn local_file(st: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    // The raw path, decoded exactly once by the key discipline.
    let raw = req.uri().path().strip_prefix(PUBLIC_PREFIX).unwrap_or_default();
    let key = key_from_url_path(raw).map_err(|e| Error::validation("invalid_key", "文件路径无效").with_detail(e.to_string()))?;
    let path = st.storage.path_of(&key).map_err(|e| Error::validation("invalid_key", "文件路径无效").with_detail(e.to_string()))?;
    let not_found = || Error::not_found("file_not_found", "文件不存在");
    if !tokio::fs::metadata(&path).await.map(|m| m.is_file()).unwrap_or(false) {
        return Err(not_found().into());
    }
    let file = NamedFile::open_async(&path).await.map_err(|_| not_found())?;
    let mut res = file.disable_content_disposition().use_etag(true).use_last_modified(true).into_response(&req);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(&key)));
    Ok(res)
}
