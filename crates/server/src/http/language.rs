//! The language a request asks for: a `language` field of its body, else its
//! `Accept-Language` header, else Chinese.
use actix_web::dev::Payload;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{FromRequest, HttpRequest};
use miaojing_domain::user::Language;
use miaojing_domain::Result;

use super::error::ApiError;

/// The most preferred supported language of the request's `Accept-Language` header.
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptLanguage(pub Option<Language>);

impl FromRequest for AcceptLanguage {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        std::future::ready(Ok(AcceptLanguage(header.and_then(Language::from_accept_language))))
    }
}

impl AcceptLanguage {
    /// The body's `language` when it sent one (400 `invalid_language` for an unknown one),
    /// else the header's, else Chinese.
    pub fn or_body(self, body: Option<&str>) -> Result<Language> {
        match body.map(str::trim).filter(|s| !s.is_empty()) {
            Some(tag) => Language::parse(tag),
            None => Ok(self.0.unwrap_or_default()),
        }
    }
}
