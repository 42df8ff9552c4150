//! Structured logging with `tracing`.
use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber once: `RUST_LOG` filters (default `info`), and
/// `MIAOJING_LOG_FORMAT=json` switches to JSON lines.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("MIAOJING_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
