//! Maps domain errors and framework errors to the JSON envelope
//! `{"error": "...", "code": "..."}` with the right status.
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::{Error, ErrorKind};

/// A domain error as an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Error);

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Upstream || e.kind == ErrorKind::Unavailable {
            tracing::error!(code = %e.code, detail = ?e.detail, "{}", e.message);
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(secs) = e.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.json(ErrorBody { error: e.message.clone(), code: e.code.to_string() })
    }
}

/// JSON body errors: 413 when too large, 415 for a non-JSON content type, else 400.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            Error::new(ErrorKind::TooLarge, "payload_too_large", "请求体过大（上限 1 MB）")
        }
        JsonPayloadError::ContentType => {
            Error::new(ErrorKind::UnsupportedMedia, "unsupported_media_type", "请求体必须是 JSON（Content-Type: application/json）")
        }
        JsonPayloadError::Deserialize(de) if de.is_data() => Error::validation("invalid_field", format!("请求字段类型或取值不正确：{de}")),
        JsonPayloadError::Deserialize(_) => Error::validation("invalid_json", "请求体不是有效的 JSON"),
        _ => Error::validation("invalid_body", "无法读取请求体"),
    };
    ApiError(e).into()
}

/// Query-string errors: 400.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError(Error::validation("invalid_query", format!("查询参数不正确：{err}"))).into()
}

/// Path parameter errors (e.g. a malformed UUID): 400.
pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError(Error::validation("invalid_path", format!("路径参数不正确：{err}"))).into()
}

/// 404 for unknown API routes (and 405 turned into a JSON 404 for unmatched methods).
pub async fn api_not_found() -> ApiError {
    ApiError(Error::not_found("route_not_found", "接口不存在"))
}
