//! Request metrics (Prometheus text format) and per-request tracing spans with ids.
use miaojing_domain::ErrorCode;
use std::collections::HashMap;
use std::fmt::Write;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use parking_lot::Mutex;
use tracing::Instrument;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters and latency histograms by route pattern, method and status.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<HashMap<(String, String, u16), Series>>,
}

impl Metrics {
    /// Records one finished request.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut map = self.series.lock();
        let s = map.entry((route.to_string(), method.to_string(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    /// Renders every series, plus the extra gauges given, in Prometheus text format.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let map = self.series.lock();
        let mut keys: Vec<_> = map.keys().collect();
        keys.sort();
        out.push_str(
            "# HELP miaojing_http_requests_total HTTP requests by route, method and status.\n# TYPE miaojing_http_requests_total counter\n",
        );
        for k in &keys {
            let _ = writeln!(
                out,
                "miaojing_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}",
                esc(&k.0),
                k.1,
                k.2,
                map[*k].count
            );
        }
        out.push_str("# HELP miaojing_http_request_duration_seconds HTTP request latency.\n# TYPE miaojing_http_request_duration_seconds histogram\n");
        for k in &keys {
            let s = &map[*k];
            let labels = format!("route=\"{}\",method=\"{}\",status=\"{}\"", esc(&k.0), k.1, k.2);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "miaojing_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}", s.buckets[i]);
            }
            let _ = writeln!(out, "miaojing_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "miaojing_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "miaojing_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

/// Who may read `/metrics`: callers with the configured bearer token, or, without a token,
/// only direct loopback requests (nothing passed on by a reverse proxy).
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    token: Option<String>,
}

/// Headers a reverse proxy adds: a request carrying one did not come straight from this machine.
const FORWARDING_HEADERS: [&str; 3] = ["x-forwarded-for", "x-real-ip", "forwarded"];

impl MetricsAccess {
    /// Access with `token` required (`None`: loopback only).
    pub fn new(token: Option<String>) -> Self {
        Self { token }
    }

    /// 401 `metrics_token_required` without the right token when one is set; 403
    /// `metrics_forbidden` from anywhere but a direct loopback peer when none is.
    pub fn check(&self, req: &actix_web::HttpRequest) -> miaojing_domain::Result<()> {
        use miaojing_domain::{Error, ErrorKind};
        match &self.token {
            Some(token) => {
                let given = req
                    .headers()
                    .get(actix_web::http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().split_once(' '))
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, t)| t.trim());
                if given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
                    Ok(())
                } else {
                    Err(Error::new(
                        ErrorKind::Unauthenticated,
                        ErrorCode::MetricsTokenRequired,
                        "需要指标访问令牌（Authorization: Bearer <MIAOJING_METRICS_TOKEN>）",
                    ))
                }
            }
            None => {
                let loopback = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
                let forwarded = FORWARDING_HEADERS.iter().any(|h| req.headers().contains_key(*h));
                if loopback && !forwarded {
                    Ok(())
                } else {
                    Err(Error::forbidden(ErrorCode::MetricsForbidden, "指标仅对本机开放；远程抓取请设置 MIAOJING_METRICS_TOKEN"))
                }
            }
        }
    }
}

/// Compares secrets in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Gives each request an id (`X-Request-Id`, taken from the client when well-formed), a
/// tracing span, and records its latency by route pattern.
pub async fn observe(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<std::sync::Arc<Metrics>>>().map(|m| m.get_ref().clone());
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
    let mut res = next.call(req).instrument(span.clone()).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    let route = res.request().match_pattern().unwrap_or_else(|| {
        if res.request().path().starts_with("/api/") {
            "unmatched".into()
        } else {
            "spa".into()
        }
    });
    if let Some(m) = metrics {
        m.observe(&route, &method, status, elapsed);
    }
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, latency_ms = elapsed * 1000.0, route = %route, "request failed");
        } else {
            tracing::debug!(status, latency_ms = elapsed * 1000.0, route = %route, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_buckets() {
        let m = Metrics::default();
        m.observe("/api/profile", "GET", 200, 0.002);
        m.observe("/api/profile", "GET", 200, 0.2);
        let text = m.render(&[("miaojing_db_pool_idle", "Idle connections.", 3.0)]);
        assert!(text.contains("miaojing_http_requests_total{route=\"/api/profile\",method=\"GET\",status=\"200\"} 2"));
        assert!(text.contains("le=\"0.0025\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("miaojing_db_pool_idle 3"));
    }
}
