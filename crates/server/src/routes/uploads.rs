//! `POST /api/uploads/reference-images`: reference images for generation, as a multipart file
//! (field `file` or `image`) or a JSON body `{"dataUrl": "data:image/…;base64,…"}`. The type
//! comes from the bytes; size and pixel limits are enforced before decoding (413/415).
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind};
use miaojing_storage::keys::public_url;
use miaojing_storage::policy::REFERENCES_PREFIX;
use miaojing_storage::upload::{check_image, decode_data_url, UploadLimits};
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_reference);
}

/// A stored reference image.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadedImage {
    pub success: bool,
    pub key: String,
    /// `/api/local-storage/<key>`.
    pub url: String,
    pub content_type: String,
    pub size: u64,
    pub width: u32,
    pub height: u32,
}

/// JSON form of the upload.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataUrlUpload {
    /// `data:image/…;base64,…` of a PNG, JPEG, WebP or GIF.
    #[schema(pattern = r"^\s*data:[^,]*;base64,", example = json!(miaojing_api_types::EXAMPLE_IMAGE_DATA_URL))]
    pub data_url: String,
}

fn too_large(limits: &UploadLimits) -> Error {
    Error::new(ErrorKind::TooLarge, ErrorCode::FileTooLarge, format!("图片大小不能超过 {}MB", limits.max_bytes / (1024 * 1024)))
}

/// Reads the first file part named `file` or `image`, stopping at the limit.
async fn multipart_file(mut mp: Multipart, limits: &UploadLimits) -> Result<Vec<u8>, Error> {
    let bad = |e: actix_multipart::MultipartError| {
        Error::validation(ErrorCode::InvalidMultipart, "上传数据格式不正确").with_detail(e.to_string())
    };
    while let Some(field) = mp.next().await {
        let mut field = field.map_err(bad)?;
        let name = field.content_disposition().and_then(|d| d.get_name()).unwrap_or_default().to_string();
        if name != "file" && name != "image" {
            while let Some(chunk) = field.next().await {
                chunk.map_err(bad)?;
            }
            continue;
        }
        let mut out = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            if out.len() + chunk.len() > limits.max_bytes {
                return Err(too_large(limits));
            }
            out.extend_from_slice(&chunk);
        }
        return Ok(out);
    }
    Err(Error::validation(ErrorCode::MissingFile, "请选择要上传的图片"))
}

/// Reads a JSON body of at most `max` bytes.
async fn json_body(mut payload: web::Payload, max: usize, limits: &UploadLimits) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::validation(ErrorCode::InvalidBody, "请求体读取失败").with_detail(e.to_string()))?;
        if body.len() + chunk.len() > max {
            return Err(too_large(limits));
        }
        body.extend_from_slice(&chunk);
    }
    let parsed: DataUrlUpload = serde_json::from_slice(&body)
        .map_err(|e| Error::validation(ErrorCode::InvalidJson, "请求格式不正确").with_detail(e.to_string()))?;
    decode_data_url(&parsed.data_url, limits.max_bytes)
}

/// Uploads a reference image (signed-in users). Stored under `works/references/`.
#[utoipa::path(security(("bearer" = [])), tag = "storage", request_body(content = DataUrlUpload, description = "JSON with a data URL, or multipart/form-data with a `file` part"),
    responses((status = 200, body = UploadedImage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
#[post("/api/uploads/reference-images")]
async fn upload_reference(st: web::Data<AppState>, _user: Authed, req: HttpRequest, payload: web::Payload) -> ApiResult<HttpResponse> {
    let limits = UploadLimits::default();
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let bytes = if ct.starts_with("multipart/form-data") {
        multipart_file(Multipart::new(req.headers(), payload), &limits).await?
    } else if ct.starts_with("application/json") {
        json_body(payload, limits.max_bytes / 3 * 4 + 4096, &limits).await?
    } else {
        return Err(
            Error::new(ErrorKind::UnsupportedMedia, ErrorCode::UnsupportedMediaType, "请以 multipart/form-data 或 JSON 上传图片").into()
        );
    };
    let checked = check_image(&bytes, &limits)?;
    let suffix: String = {
        let mut rng = rand::thread_rng();
        (0..8).map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.gen_range(0..36)])).collect()
    };
    let key = format!("{REFERENCES_PREFIX}{}-{suffix}.{}", chrono::Utc::now().timestamp_millis(), checked.format.extension());
    let size = bytes.len() as u64;
    st.storage.put(&key, Bytes::from(bytes)).await.map_err(Error::from)?;
    let url = public_url(&key).map_err(super::files::invalid_key)?;
    Ok(HttpResponse::Ok().json(UploadedImage {
        success: true,
        key,
        url,
        content_type: checked.format.mime().to_string(),
        size,
        width: checked.width,
        height: checked.height,
    }))
}
