//! Background housekeeping: forgets old rate-limit windows and purges logs past their
//! retention. Safe to run on every instance at once (each step is an idempotent delete).
use std::time::Duration;

use chrono::Utc;

use crate::state::AppState;

/// How often the housekeeping runs.
pub const INTERVAL: Duration = Duration::from_secs(600);

/// One pass; returns (rate-limit windows removed, logs removed).
pub async fn run_once(st: &AppState) -> miaojing_domain::Result<(u64, u64)> {
    // The longest rate-limit window is one hour; older windows can never count again.
    let windows = st.store.purge_rate_limits(Utc::now() - chrono::Duration::hours(2)).await?;
    let retention = st.site.config().await?.log_retention_days;
    let logs = st.site.purge_logs(retention).await?;
    Ok((windows, logs))
}

/// Runs [`run_once`] now and then every [`INTERVAL`] until the runtime stops.
pub fn spawn(st: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        loop {
            tick.tick().await;
            match run_once(&st).await {
                Ok((windows, logs)) if windows + logs > 0 => tracing::info!(windows, logs, "housekeeping removed old rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
}
