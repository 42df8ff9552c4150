//! `GET /api/download`: a stored file as an attachment (or inline) with a sensible file name.
//!
//! Generated, gallery and imported images and videos come raw only to admins and to users allowed to
//! download without the watermark (`watermark_disabled`); everyone else, signed in or not, gets
//! the watermarked render. Raw images still carry the implicit AI-content label
//! (`Storage::ensure_labelled` writes it into files stored without one). The caller is read from the bearer header or, for plain anchor links
//! that cannot send headers, from a short-lived download token (`POST /api/download/token`):
//! an HMAC over the user id and expiry, refused from cross-site requests. Only files of this
//! site (`/api/local-storage/…` URLs) are served; other URLs are refused.
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::user::User;
use miaojing_domain::Error;
use miaojing_domain::ErrorCode;
use miaojing_storage::keys::{key_from_url_path, PUBLIC_PREFIX};
use miaojing_storage::policy::is_watermarkable;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use super::files::{invalid_key, serve, watermarked_key};
use crate::http::error::ApiResult;
use crate::http::extract::{Authed, MaybeAuthed};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(download).service(download_token);
}

/// A download token.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DownloadToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A short-lived token for `GET /api/download?downloadToken=…` links (signed-in users).
#[utoipa::path(security(("bearer" = [])), tag = "storage", responses((status = 200, body = DownloadToken), (status = 401, body = ErrorBody)))]
#[post("/api/download/token")]
async fn download_token(st: web::Data<AppState>, user: Authed) -> HttpResponse {
    let (token, expires_at) = st.downloads.issue(user.0.user.id, Utc::now());
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(DownloadToken { token, expires_at })
}

/// Query of `GET /api/download`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct DownloadQuery {
    /// `/api/local-storage/<key>` (relative, or absolute with any host).
    pub url: Option<String>,
    /// File name offered to the browser (base name only).
    pub filename: Option<String>,
    /// `inline` to display instead of downloading.
    pub disposition: Option<String>,
    /// `1` is the same as `disposition=inline`.
    pub inline: Option<String>,
    /// A token from `POST /api/download/token`, for links that cannot send headers.
    pub download_token: Option<String>,
}

/// The storage key named by a site URL.
fn key_of(url: &str) -> Result<String, Error> {
    let url = url.trim();
    let path = if url.starts_with('/') && !url.starts_with("//") {
        url.to_string()
    } else {
        let parsed = url::Url::parse(url).map_err(|_| Error::validation(ErrorCode::UnsupportedUrl, "仅支持站内文件 URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::validation(ErrorCode::UnsupportedUrl, "仅支持站内文件 URL"));
        }
        parsed.path().to_string()
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let raw = path.strip_prefix(PUBLIC_PREFIX).ok_or_else(|| Error::validation(ErrorCode::UnsupportedUrl, "仅支持站内文件 URL"))?;
    key_from_url_path(raw).map_err(invalid_key)
}

/// A safe file name: base name only, no quotes or control characters, with an extension.
fn file_name(given: Option<&str>, key: &str) -> String {
    let base = |s: &str| s.rsplit(['/', '\\']).next().unwrap_or_default().to_string();
    let mut name: String = given
        .map(base)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| base(key))
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .take(150)
        .collect();
    name = name.trim().trim_start_matches('.').to_string();
    if name.is_empty() {
        name = "download".into();
    }
    if !name.contains('.') {
        if let Some((_, ext)) = key.rsplit_once('.') {
            name = format!("{name}.{ext}");
        }
    }
    name
}

fn disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '\\' { c } else { '_' }).collect();
    let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// May `user` download raw generated media?
fn raw_allowed(user: Option<&User>) -> bool {
    user.is_some_and(|u| u.is_active && (u.role.is_admin() || u.watermark_disabled))
}

async fn caller(st: &AppState, req: &HttpRequest, bearer: Option<User>, token: Option<&str>) -> ApiResult<Option<User>> {
    if bearer.is_some() {
        return Ok(bearer);
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else { return Ok(None) };
    // Tokens ride on plain links; a link on another site must not be able to use one.
    if req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(Error::forbidden(ErrorCode::CrossSiteDownload, "不允许跨站下载").into());
    }
    let id = st.downloads.verify(token, Utc::now())?;
    Ok(st.store.user_by_id(id).await?.filter(|u| u.is_active))
}

/// Downloads a stored file. Watermarked unless the caller may have raw media.
#[utoipa::path(security((), ("bearer" = [])), tag = "storage", params(DownloadQuery), responses(
    (status = 200, description = "The file, with Content-Disposition"), (status = 206, description = "A byte range"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/download")]
async fn download(st: web::Data<AppState>, req: HttpRequest, q: web::Query<DownloadQuery>, auth: MaybeAuthed) -> ApiResult<HttpResponse> {
    let url = q.url.as_deref().filter(|u| !u.trim().is_empty()).ok_or_else(|| Error::validation(ErrorCode::MissingUrl, "缺少 url 参数"))?;
    let key = key_of(url)?;
    let user = caller(&st, &req, auth.0.map(|a| a.user), q.download_token.as_deref()).await?;
    let served = if !is_watermarkable(&key) {
        key.clone()
    } else if raw_allowed(user.as_ref()) {
        // Raw AI media still carries its implicit label (older and imported files get it now).
        if let Err(e) = st.storage.ensure_labelled(&key).await {
            if !e.is_not_found() {
                tracing::warn!(%key, error = %e, "labelling a raw download failed");
            }
        }
        key.clone()
    } else {
        watermarked_key(&st, &key).await?
    };
    let inline = q.disposition.as_deref() == Some("inline") || q.inline.as_deref() == Some("1");
    let name = file_name(q.filename.as_deref(), &served);
    let mut res = serve(&st, &req, &served, Some(disposition(if inline { "inline" } else { "attachment" }, &name))).await?;
    // The answer depends on who asks.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("Authorization"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys() {
        assert_eq!(file_name(Some("../../etc/pa\"ss\r\nwd"), "generated/images/a.png"), "pa_ss__wd.png");
        assert_eq!(file_name(None, "generated/images/a.png"), "a.png");
        assert_eq!(file_name(Some("作品"), "generated/images/a.webp"), "作品.webp");
        assert_eq!(file_name(Some("..."), "x"), "download");
        assert_eq!(key_of("/api/local-storage/generated/images/a%20b.png?x=1").unwrap(), "generated/images/a b.png");
        assert_eq!(key_of("https://any.host/api/local-storage/a/b.png").unwrap(), "a/b.png");
        assert!(key_of("/api/local-storage/%2e%2e/secret").is_err());
        assert!(key_of("//evil.com/api/local-storage/a.png").is_err());
        assert!(key_of("https://example.com/file.png").is_err());
        assert!(key_of("file:///etc/passwd").is_err());
        let d = disposition("attachment", "作品.png");
        assert_eq!(d.to_str().unwrap(), "attachment; filename=\"__.png\"; filename*=UTF-8''%E4%BD%9C%E5%93%81%2Epng");
    }
}
