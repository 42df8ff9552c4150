//! Shared helpers: a real mock-upstream and a client allowed to reach it.
#![allow(dead_code)]

use std::time::Duration;

use miaojing_mock_upstream::{start, MockConfig, MockHandle, RecordedRequest};
use miaojing_outbound::{AllowList, OutboundClient, Timeouts};
use miaojing_providers::{ChannelConfig, MediaType, Protocol, ProviderClient};

/// The key every test channel uses; no error may ever contain it.
pub const KEY: &str = "sk-test-SECRET-4f9a8b7c6d5e";

pub async fn mock() -> MockHandle {
    start(MockConfig::default()).await
}

pub fn client(mock: &MockHandle) -> ProviderClient {
    let allow = AllowList::parse(&mock.addr().to_string()).unwrap();
    let timeouts = Timeouts { connect: Duration::from_secs(5), read: Duration::from_secs(20), total: Duration::from_secs(30) };
    ProviderClient::new(OutboundClient::new(allow, timeouts).unwrap()).with_poll_interval_cap(Duration::from_millis(50))
}

pub fn openai(mock: &MockHandle, model: &str, media: MediaType) -> ChannelConfig {
    ChannelConfig::new(Protocol::OpenAiCompatible, mock.url("/v1"), KEY, model, media)
}

/// Requests the mock received on `path`.
pub fn on(mock: &MockHandle, path: &str) -> Vec<RecordedRequest> {
    mock.requests().into_iter().filter(|r| r.path == path).collect()
}

/// Fails when the key (or its first characters after `sk-`) shows up in an error.
pub fn assert_no_key(e: &miaojing_domain::Error) {
    let all = format!("{} {} {:?}", e.message, e.detail.clone().unwrap_or_default(), e);
    assert!(!all.contains(KEY) && !all.contains("SECRET") && !all.contains("sk-tes"), "key leaked: {all}");
}

/// A real PNG of `w`×`h`.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Width and height of PNG bytes.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).unwrap();
    (img.width(), img.height())
}
