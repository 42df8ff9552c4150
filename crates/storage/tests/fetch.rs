//! Downloading upstream results from the real mock upstream.
use std::time::Duration;

use miaojing_mock_upstream::{start, Action, MockConfig, Rule};
use miaojing_outbound::{AllowList, OutboundClient, Timeouts};
use miaojing_storage::fetch::{FetchPolicy, ResultFetcher, DOWNLOAD_FAILED};
use miaojing_storage::Storage;

async fn result_url(mock: &miaojing_mock_upstream::MockHandle) -> String {
    let r: serde_json::Value = reqwest::Client::new()
        .post(mock.url("/v1/images/generations"))
        .bearer_auth("sk-test")
        .json(&serde_json::json!({"model": "gpt-image-1", "prompt": "a cat", "size": "64x64", "response_format": "url"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["data"][0]["url"].as_str().unwrap().to_string()
}

fn fetcher(mock: &miaojing_mock_upstream::MockHandle) -> ResultFetcher {
    let allow = AllowList::parse(&mock.addr().to_string()).unwrap();
    let client = OutboundClient::new(
        allow,
        Timeouts { connect: Duration::from_secs(2), read: Duration::from_secs(2), total: Duration::from_secs(5) },
    )
    .unwrap();
    ResultFetcher::new(
        client,
        FetchPolicy { attempts: 3, backoff: Duration::from_millis(20), max_wait: Duration::from_millis(50), max_bytes: 1 << 20 },
    )
}

#[tokio::test]
async fn downloads_with_browser_headers_and_retries_transient_failures() {
    let mock = start(MockConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::local_only(dir.path()).unwrap();
    let url = result_url(&mock).await;
    let path = url::Url::parse(&url).unwrap().path().to_string();
    // A CDN edge refusing once, then a 503: both retried.
    mock.add_rule(Rule::new(Action::status(403)).on_path(&path).times(1));
    mock.add_rule(Rule::new(Action::rate_limited(1)).on_path(&path).times(1));
    mock.clear_requests();
    let f = fetcher(&mock).fetch_into(&storage, &url, "generated/images/r.png").await.unwrap();
    assert!(f.size > 0);
    assert_eq!(f.content_type.as_deref(), Some("image/png"));
    let saved = storage.local().read("generated/images/r.png").await.unwrap();
    assert!(saved.starts_with(b"\x89PNG"));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3, "two failures and one success");
    let ua = reqs[0].headers.get("user-agent").cloned().unwrap_or_default();
    assert!(ua.starts_with("Mozilla/5.0"), "browser-like user agent, got {ua}");
    mock.stop().await;
}

#[tokio::test]
async fn an_expired_result_is_a_platform_download_failure() {
    let mock = start(MockConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::local_only(dir.path()).unwrap();
    mock.add_rule(Rule::new(Action::forbid_urls()).on_path("/v1/images/generations").times(1));
    let url = result_url(&mock).await;
    mock.clear_requests();
    let e = fetcher(&mock).fetch_into(&storage, &url, "generated/images/gone.png").await.unwrap_err();
    assert_eq!(e.code, DOWNLOAD_FAILED);
    assert_eq!(e.status(), 502);
    assert!(e.detail.unwrap().contains("403"));
    assert_eq!(mock.requests().len(), 3, "bounded retries");
    assert!(storage.local().head("generated/images/gone.png").await.unwrap().is_none(), "nothing stored");
    // A 404 is not retried.
    mock.clear_requests();
    let missing = format!("{}/files/nope.png", mock.base_url());
    assert_eq!(fetcher(&mock).fetch_into(&storage, &missing, "generated/images/n.png").await.unwrap_err().code, DOWNLOAD_FAILED);
    assert_eq!(mock.requests().len(), 1);
    // Private addresses stay refused by the guard.
    let e = fetcher(&mock).fetch_into(&storage, "http://169.254.169.254/latest", "generated/images/m.png").await.unwrap_err();
    assert_eq!(e.code, DOWNLOAD_FAILED);
    mock.stop().await;
}
