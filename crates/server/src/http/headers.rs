//! Security and cache headers on every response.
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The header set, computed once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
    frame_options: Option<HeaderValue>,
}

impl SecurityHeaders {
    /// `frame_ancestors` are extra origins allowed to frame the site; with none, the site
    /// may only frame itself and `X-Frame-Options: SAMEORIGIN` is sent too.
    pub fn new(frame_ancestors: &[String]) -> Self {
        let clean: Vec<&str> = frame_ancestors
            .iter()
            .map(String::as_str)
            .filter(|a| a.chars().all(|c| c.is_ascii_graphic() && c != ';' && c != ','))
            .collect();
        let ancestors = std::iter::once("'self'").chain(clean.iter().copied()).collect::<Vec<_>>().join(" ");
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: blob: https: http:; font-src 'self' data:; connect-src 'self'; media-src 'self' data: blob: https: http:; \
             frame-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
        );
        Self {
            csp: HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'self'")),
            frame_options: clean.is_empty().then(|| HeaderValue::from_static("SAMEORIGIN")),
        }
    }
}

const FIXED: [(&str, &str); 6] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("x-dns-prefetch-control", "off"),
    ("x-permitted-cross-domain-policies", "none"),
    ("origin-agent-cluster", "?1"),
];

/// Adds the security headers; API responses default to `Cache-Control: no-store` unless the
/// route chose its own caching; HTTPS (as told by `X-Forwarded-Proto`) adds HSTS.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let cfg = req.app_data::<actix_web::web::Data<Rc<SecurityHeaders>>>().map(|d| d.get_ref().clone());
    let is_api = req.path().starts_with("/api/");
    let https = req.headers().get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    for (k, v) in FIXED {
        h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    }
    if let Some(cfg) = cfg {
        // A route may set a stricter policy of its own (stored SVG files).
        if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
            h.insert(header::CONTENT_SECURITY_POLICY, cfg.csp.clone());
        }
        if let Some(fo) = &cfg.frame_options {
            h.insert(header::X_FRAME_OPTIONS, fo.clone());
        }
    }
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains; preload"));
    }
    if is_api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
