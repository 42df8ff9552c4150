//! Downloading upstream results into storage.
//!
//! Result URLs handed out by providers are often short-lived presigned links behind CDNs that
//! dislike bare clients, so requests carry browser-like headers and transient answers (403 from
//! a CDN edge, 429, 5xx, timeouts, dropped connections) are retried a bounded number of times.
//! Failures here are the platform's: they carry the codes `result_download_failed` /
//! `result_save_failed`, never the codes of upstream generation failures.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use miaojing_domain::{Error, ErrorKind};
use miaojing_outbound::OutboundClient;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, USER_AGENT};

use crate::Storage;

/// Code of a result the platform could not download.
pub const DOWNLOAD_FAILED: &str = "result_download_failed";
/// Code of a downloaded result the platform could not store.
pub const SAVE_FAILED: &str = "result_save_failed";

const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// How results are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Attempts in all (the first plus retries).
    pub attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Longest `Retry-After` honoured.
    pub max_wait: Duration,
    /// Largest result accepted.
    pub max_bytes: u64,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self { attempts: 3, backoff: Duration::from_millis(500), max_wait: Duration::from_secs(10), max_bytes: 512 * 1024 * 1024 }
    }
}

/// A stored result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub key: String,
    pub size: u64,
    /// The `Content-Type` the upstream sent.
    pub content_type: Option<String>,
}

/// Downloads result URLs through the outbound guard and streams them into storage.
#[derive(Clone)]
pub struct ResultFetcher {
    client: OutboundClient,
    policy: FetchPolicy,
}

fn download_failed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::Upstream, DOWNLOAD_FAILED, "平台未能下载生成结果，请稍后重试").with_detail(detail)
}

fn save_failed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unavailable, SAVE_FAILED, "平台未能保存生成结果，请稍后重试").with_detail(detail)
}

fn browser_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(USER_AGENT, HeaderValue::from_static(BROWSER_UA));
    h.insert(ACCEPT, HeaderValue::from_static("image/avif,image/webp,image/apng,video/*,image/*,*/*;q=0.8"));
    h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("zh-CN,zh;q=0.9,en;q=0.8"));
    h
}

fn retryable(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::FORBIDDEN || status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

impl ResultFetcher {
    /// A fetcher over `client`.
    pub fn new(client: OutboundClient, policy: FetchPolicy) -> Self {
        Self { client, policy }
    }

    /// Downloads `url` into `key`, retrying transient failures. Nothing is stored on failure.
    pub async fn fetch_into(&self, storage: &Storage, url: &str, key: &str) -> Result<Fetched, Error> {
        crate::keys::check_key(key).map_err(|e| save_failed(e.to_string()))?;
        let mut last = String::new();
        for attempt in 0..self.policy.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.policy.backoff * 2u32.saturating_pow(attempt - 1)).await;
            }
            let request = self.client.request(reqwest::Method::GET, url).map_err(|e| download_failed(e.detail.unwrap_or(e.message)))?;
            let response = match self.client.send(request.headers(browser_headers())).await {
                Ok(r) => r,
                Err(e) if e.code == "blocked_destination" => return Err(download_failed(e.detail.unwrap_or(e.message))),
                Err(e) => {
                    last = format!("attempt {}: {}", attempt + 1, e.detail.unwrap_or(e.message));
                    continue;
                }
            };
            let status = response.status();
            if !status.is_success() {
                last = format!("attempt {}: HTTP {status} from {}", attempt + 1, redact(url));
                if !retryable(status) {
                    break;
                }
                if let Some(wait) = retry_after(&response) {
                    tokio::time::sleep(wait.min(self.policy.max_wait)).await;
                }
                continue;
            }
            if response.content_length().is_some_and(|n| n > self.policy.max_bytes) {
                return Err(download_failed(format!("the result is larger than {} bytes", self.policy.max_bytes)));
            }
            let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            // Tell download failures (retried) from storage failures (not retried) apart.
            let broke = Arc::new(AtomicBool::new(false));
            let (flag, max) = (broke.clone(), self.policy.max_bytes);
            let mut seen = 0u64;
            let body = response.bytes_stream().map_err(move |e| {
                flag.store(true, Ordering::Relaxed);
                std::io::Error::other(e)
            });
            let flag = broke.clone();
            let body = body.and_then(move |chunk| {
                seen += chunk.len() as u64;
                let over = seen > max;
                if over {
                    flag.store(true, Ordering::Relaxed);
                }
                async move {
                    if over {
                        Err(std::io::Error::other("the result is too large"))
                    } else {
                        Ok(chunk)
                    }
                }
            });
            match storage.put_stream(key, body).await {
                Ok(size) => return Ok(Fetched { key: key.to_string(), size, content_type }),
                Err(e) if broke.load(Ordering::Relaxed) => last = format!("attempt {}: download broke off: {e}", attempt + 1),
                Err(e) => return Err(save_failed(e.to_string())),
            }
        }
        Err(download_failed(last))
    }
}

fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    r.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The URL without its query (presigned signatures stay out of logs).
fn redact(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}
