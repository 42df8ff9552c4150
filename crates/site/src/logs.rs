//! Platform logs as admins read them, and their retention.
use miaojing_domain::log::{check_kind, check_level, LogEntry, LogFilter};
use miaojing_domain::user::User;
use miaojing_domain::{Error, ErrorCode, PageRequest, Paged, Result};

use crate::SiteService;

impl SiteService {
    /// One page of logs, newest first, with the retention in force (in days). The filter's
    /// type and level are checked first; logs past the retention are purged before reading.
    pub async fn logs(&self, filter: &LogFilter, page: PageRequest) -> Result<(Paged<LogEntry>, i64)> {
        if let Some(k) = &filter.kind {
            check_kind(k)?;
        }
        if let Some(l) = &filter.level {
            check_level(l)?;
        }
        let retention = self.config().await?.log_retention_days;
        self.purge_logs(retention).await?;
        Ok((self.store.list_logs(filter, page).await?, retention))
    }

    /// An admin sets the retention (1–90 days, required): older logs are purged at once and
    /// the change is logged. Returns (days, rows deleted).
    pub async fn set_log_retention_by_admin(&self, admin: &User, days: Option<i64>) -> Result<(i64, u64)> {
        let days = days.ok_or_else(|| Error::validation(ErrorCode::MissingRetention, "请填写日志保留天数"))?;
        let (days, deleted) = self.set_log_retention(days).await?;
        let entry = LogEntry::new("admin", "info", "platform_log_retention_updated", "管理员修改日志保留天数")
            .by(admin)
            .meta(serde_json::json!({ "retentionDays": days, "deleted": deleted }));
        let _ = self.store.insert_log(entry).await;
        Ok((days, deleted))
    }
}
