//! Maps domain errors and framework errors to the JSON envelope
//! `{"error": "...", "code": "..."}` with the right status.
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind};

use crate::http::bad_input::{self, RawJson};

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

impl From<miaojing_domain::vocab::ParseError> for ApiError {
    fn from(e: miaojing_domain::vocab::ParseError) -> Self {
        ApiError(e.into())
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

/// JSON body errors: 413 when too large, 415 for a non-JSON content type, else 400 naming the
/// field (located in the body kept by [`bad_input::keep_json_body`]) and the JSON type it needs.
pub fn json_error(err: JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            bad_input::too_large(crate::startup::JSON_LIMIT)
        }
        JsonPayloadError::ContentType => {
            Error::new(ErrorKind::UnsupportedMedia, ErrorCode::UnsupportedMediaType, "请求体必须是 JSON（Content-Type: application/json）")
        }
        JsonPayloadError::Deserialize(de) if de.is_data() => {
            let text = de.to_string();
            let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
            let place = req.extensions().get::<RawJson>().map(|raw| bad_input::path_at(&raw.0, de.line(), de.column())).unwrap_or_default();
            let path = if bad_input::at_container_end(message) { place.container } else { place.value };
            Error::validation(ErrorCode::InvalidField, bad_input::describe(&path, message))
        }
        JsonPayloadError::Deserialize(de) if de.is_eof() => {
            Error::validation(ErrorCode::InvalidJson, "请求体不是有效的 JSON（内容不完整）")
        }
        JsonPayloadError::Deserialize(de) => {
            Error::validation(ErrorCode::InvalidJson, format!("请求体不是有效的 JSON（第 {} 行第 {} 列）", de.line(), de.column()))
        }
        _ => Error::validation(ErrorCode::InvalidBody, "无法读取请求体"),
    };
    ApiError(e).into()
}

/// Query-string errors: 400 naming the parameter and the type it needs.
pub fn query_error(err: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    let text = match &err {
        QueryPayloadError::Deserialize(de) => de.to_string(),
        other => other.to_string(),
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let params = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let name = bad_input::guilty_param(params, &text).unwrap_or_default();
    ApiError(Error::validation(ErrorCode::InvalidQuery, format!("查询参数不正确：{}", bad_input::describe(&name, &text)))).into()
}

/// Path parameter errors (e.g. a malformed UUID): 400 naming the parameter.
pub fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    let PathError::Deserialize(de) = &err else {
        return ApiError(Error::validation(ErrorCode::InvalidPath, "路径参数不正确")).into();
    };
    let text = de.to_string();
    let params: Vec<(&str, &str)> = req.match_info().iter().collect();
    let name = bad_input::guilty_param(params.iter().copied(), &text).unwrap_or_default();
    ApiError(Error::validation(ErrorCode::InvalidPath, format!("路径参数不正确：{}", bad_input::describe(&name, &text)))).into()
}

/// 404 for unknown API routes (and 405 turned into a JSON 404 for unmatched methods).
pub async fn api_not_found() -> ApiError {
    ApiError(Error::not_found(ErrorCode::RouteNotFound, "接口不存在"))
}
