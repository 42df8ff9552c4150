//! Structured logging with `tracing`.
use std::io::IsTerminal;

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber once: `RUST_LOG` filters (default `info`), and
/// `MIAOJING_LOG_FORMAT=json` switches to JSON lines. Text logs are coloured only when standard
/// output is a terminal and `NO_COLOR` is unset, so files, pipes and the journal get plain text.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("MIAOJING_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = fmt().with_env_filter(filter).with_target(false).with_ansi(colour);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
