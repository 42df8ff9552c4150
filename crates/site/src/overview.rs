//! The figures behind the admin dashboard and the admin stats.
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use miaojing_domain::announcement::Announcement;
use miaojing_domain::log::{LogEntry, LogFilter};
use miaojing_domain::repo::{ActivityStats, PlatformStats};
use miaojing_domain::{PageRequest, Result};

use crate::SiteService;

/// The model-call window of the overview, in days.
const CALL_WINDOW_DAYS: i64 = 7;
/// How many models the overview ranks.
const TOP_MODELS: usize = 10;
/// How many recent logs the overview lists.
const RECENT_LOGS: i64 = 8;

/// What the admin dashboard shows, read at `now` (aggregate queries; nothing is paged through).
#[derive(Debug, Clone)]
pub struct Overview {
    pub now: DateTime<Utc>,
    /// Platform figures; "recent" means the last 7 days.
    pub stats: PlatformStats,
    /// Jobs by state and model calls of the last [`CALL_WINDOW_DAYS`] days.
    pub activity: ActivityStats,
    pub window_days: i64,
    /// The newest logs.
    pub recent_logs: Vec<LogEntry>,
    /// Every announcement.
    pub announcements: Vec<Announcement>,
    pub total_visits: i64,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub database_health: bool,
    pub storage_health: bool,
}

impl SiteService {
    /// Users, works, jobs, credits, model calls, announcements, health and the newest logs.
    pub async fn overview(&self) -> Result<Overview> {
        let now = Utc::now();
        let stats = self.store.platform_stats(now, now - Duration::days(7)).await?;
        let activity = self.store.activity_stats(now - Duration::days(CALL_WINDOW_DAYS), TOP_MODELS).await?;
        let logs = self.store.list_logs(&LogFilter::default(), PageRequest { page: 1, size: RECENT_LOGS }).await?;
        let announcements = self.store.list_announcements(None).await?;
        let database_health = self.store.ping().await.is_ok();
        let storage_health = self.storage.probe(StdDuration::from_secs(3)).await.is_ok();
        Ok(Overview {
            now,
            stats,
            activity,
            window_days: CALL_WINDOW_DAYS,
            recent_logs: logs.items,
            announcements,
            total_visits: self.store.visits().await?,
            database: self.store.backend(),
            database_health,
            storage_health,
        })
    }

    /// Visits and the number of accounts that are not admins.
    pub async fn admin_stats(&self) -> Result<(i64, i64)> {
        let now = Utc::now();
        let s = self.store.platform_stats(now, now).await?;
        Ok((self.store.visits().await?, s.users_total - s.admins))
    }
}
