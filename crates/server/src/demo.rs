//! Demo mode's upstream: an in-process mock upstream (cargo feature `demo`) that serves the
//! catalogue's demo models ([`miaojing_catalog::demo`], re-exported here).
pub use miaojing_catalog::demo::*;

/// Whether this binary was built with demo mode (cargo feature `demo`).
pub const BUILT_IN: bool = cfg!(feature = "demo");

/// The running demo upstream: the in-process mock upstream.
#[cfg(feature = "demo")]
pub use miaojing_mock_upstream::MockHandle as DemoUpstream;

/// The running demo upstream: none can exist in a build without the `demo` feature.
#[cfg(not(feature = "demo"))]
pub enum DemoUpstream {}

#[cfg(not(feature = "demo"))]
impl DemoUpstream {
    /// The upstream's base URL.
    pub fn base_url(&self) -> &str {
        match *self {}
    }

    /// The upstream's socket address.
    pub fn addr(&self) -> std::net::SocketAddr {
        match *self {}
    }
}

/// Starts the mock upstream on a free loopback port.
#[cfg(feature = "demo")]
pub async fn start_mock() -> anyhow::Result<DemoUpstream> {
    miaojing_mock_upstream::try_start(miaojing_mock_upstream::MockConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("demo mock upstream: {e}"))
}

/// Demo mode is not part of this build.
#[cfg(not(feature = "demo"))]
pub async fn start_mock() -> anyhow::Result<DemoUpstream> {
    anyhow::bail!("this binary was built without demo mode (cargo feature `demo`); unset MIAOJING_DEMO")
}
