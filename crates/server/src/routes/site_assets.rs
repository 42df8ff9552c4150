//! `POST /api/admin/site-assets/{kind}`: the admin uploads the site logo or favicon (multipart
//! with a part `file`, or the file itself as the body with an `image/*` or
//! `application/octet-stream` type). The file is checked by its bytes (see `miaojing_storage::upload::check_site_asset`),
//! stored under a content-hashed key in `site-assets/` (served with a year of immutable caching)
//! and the site configuration then points at it (`logoUrl` / `faviconUrl`). A refused file
//! changes nothing.
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest};
use futures_util::StreamExt;
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::site::SiteAssetUploaded;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind};
use miaojing_storage::policy::content_type;
use miaojing_storage::upload::{SiteAssetKind, SITE_ASSET_MAX_BYTES};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_site_asset);
}

/// The multipart form of the upload (for the OpenAPI document).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SiteAssetForm {
    /// PNG, JPEG, WebP, GIF or SVG (favicon also ICO), at most 2 MB; rasters at most 4096 px a side.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn too_large() -> Error {
    Error::new(ErrorKind::TooLarge, ErrorCode::FileTooLarge, format!("图片大小不能超过 {}MB", SITE_ASSET_MAX_BYTES / (1024 * 1024)))
}

/// Reads a raw body, refusing more than the limit.
async fn raw_body(mut payload: web::Payload) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::validation(ErrorCode::InvalidBody, "请求体读取失败").with_detail(e.to_string()))?;
        if out.len() + chunk.len() > SITE_ASSET_MAX_BYTES {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads the part named `file` (or `image`), refusing more than the limit.
async fn file_part(mut mp: Multipart) -> Result<Vec<u8>, Error> {
    let bad = |e: actix_multipart::MultipartError| {
        Error::validation(ErrorCode::InvalidMultipart, "上传数据格式不正确").with_detail(e.to_string())
    };
    while let Some(field) = mp.next().await {
        let mut field = field.map_err(bad)?;
        let wanted = field.content_disposition().and_then(|d| d.get_name()).is_some_and(|n| n == "file" || n == "image");
        let mut out = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            if wanted {
                if out.len() + chunk.len() > SITE_ASSET_MAX_BYTES {
                    return Err(too_large());
                }
                out.extend_from_slice(&chunk);
            }
        }
        if wanted {
            return Ok(out);
        }
    }
    Err(Error::validation(ErrorCode::MissingFile, "请选择要上传的图片"))
}

/// Uploads the site logo or favicon (admin) and points the site configuration at it.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "site", params(("kind" = String, Path, description = "`logo` or `favicon`")),
    request_body(content = SiteAssetForm, content_type = "multipart/form-data",
        description = "A part `file`; the file itself as the body (`image/*` or `application/octet-stream`) is accepted too"),
    responses((status = 200, body = SiteAssetUploaded), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
#[post("/api/admin/site-assets/{kind}")]
async fn upload_site_asset(
    st: web::Data<AppState>,
    admin: Admin,
    kind: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<web::Json<SiteAssetUploaded>> {
    let kind = SiteAssetKind::parse(&kind).ok_or_else(|| Error::not_found(ErrorCode::UnknownSiteAsset, "站点素材只有 logo 和 favicon"))?;
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let bytes = if ct.starts_with("multipart/form-data") {
        file_part(Multipart::new(req.headers(), payload)).await?
    } else if ct.starts_with("image/") || ct.starts_with("application/octet-stream") {
        raw_body(payload).await?
    } else {
        let msg = "请以 multipart/form-data 或图片文件本身上传";
        return Err(Error::new(ErrorKind::UnsupportedMedia, ErrorCode::UnsupportedMediaType, msg).into());
    };
    let saved = st.site.save_asset(&admin.0.user, kind, bytes).await?;
    Ok(web::Json(SiteAssetUploaded {
        success: true,
        kind: kind.as_str().to_string(),
        content_type: content_type(&saved.key).to_string(),
        url: saved.url,
        size: saved.size,
        site_config: saved.site_config,
    }))
}
