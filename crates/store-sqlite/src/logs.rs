//! Platform logs.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::log::{LogEntry, LogFilter};
use miaojing_domain::repo::LogRepo;
use miaojing_domain::{Error, PageRequest, Paged, Result};
use sqlx::{QueryBuilder, Sqlite};

use crate::errors::{db_err, like_pattern};
use crate::rows::{self, as_uuid, limit_offset};
use crate::SqliteStore;

const COLUMNS: &str = "id, kind, level, action, message, user_id, user_name, user_email, target_type, target_id, \
     ip_address, user_agent, metadata, created_at";

fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, filter: &LogFilter) {
    qb.push(" WHERE 1 = 1");
    if let Some(kind) = filter.kind.as_deref().filter(|s| !s.is_empty()) {
        qb.push(" AND kind = ").push_bind(kind.to_string());
    }
    if let Some(level) = filter.level.as_deref().filter(|s| !s.is_empty()) {
        qb.push(" AND level = ").push_bind(level.to_string());
    }
    if let Some(user) = filter.user.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_pattern(&user.to_lowercase());
        qb.push(" AND (lower(user_name) LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
        qb.push(" OR lower(user_email) LIKE ").push_bind(pattern).push(" ESCAPE '\\'");
        if let Some(id) = as_uuid(user) {
            qb.push(" OR user_id = ").push_bind(id);
        } else {
            // A fragment of the id as written (hex digits, dashes ignored).
            let hex: String = user.chars().filter(|c| *c != '-').collect::<String>().to_lowercase();
            if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                qb.push(" OR lower(hex(user_id)) LIKE ").push_bind(format!("%{hex}%"));
            }
        }
        qb.push(")");
    }
    if let Some(keyword) = filter.keyword.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_pattern(&keyword.to_lowercase());
        qb.push(" AND (");
        for (i, column) in ["lower(action)", "lower(message)", "lower(target_type)", "lower(target_id)"].into_iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push(column).push(" LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
        }
        qb.push(")");
    }
    if let Some(start) = filter.start {
        qb.push(" AND created_at >= ").push_bind(start);
    }
    if let Some(end) = filter.end {
        qb.push(" AND created_at <= ").push_bind(end);
    }
}

#[async_trait]
impl LogRepo for SqliteStore {
    async fn insert_log(&self, entry: LogEntry) -> Result<()> {
        let metadata = serde_json::to_string(&entry.metadata).map_err(|e| Error::internal(format!("log metadata: {e}")))?;
        let sql = format!("INSERT INTO platform_logs ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        sqlx::query(&sql)
            .bind(entry.id)
            .bind(&entry.kind)
            .bind(&entry.level)
            .bind(&entry.action)
            .bind(&entry.message)
            .bind(entry.user_id)
            .bind(&entry.user_name)
            .bind(&entry.user_email)
            .bind(&entry.target_type)
            .bind(&entry.target_id)
            .bind(&entry.ip_address)
            .bind(&entry.user_agent)
            .bind(metadata)
            .bind(entry.created_at)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn list_logs(&self, filter: &LogFilter, page: PageRequest) -> Result<Paged<LogEntry>> {
        let mut count: QueryBuilder<'_, Sqlite> = QueryBuilder::new("SELECT COUNT(*) FROM platform_logs");
        push_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.reader).await.map_err(db_err)?;

        let (limit, offset) = limit_offset(page);
        let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new(format!("SELECT {COLUMNS} FROM platform_logs"));
        push_filter(&mut qb, filter);
        qb.push(" ORDER BY created_at DESC, rowid DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        let found = qb.build().fetch_all(&self.reader).await.map_err(db_err)?;
        let items = found.iter().map(rows::log_entry).collect::<Result<Vec<_>>>()?;
        Ok(Paged { items, total })
    }

    async fn purge_logs(&self, before: DateTime<Utc>) -> Result<u64> {
        let done =
            sqlx::query("DELETE FROM platform_logs WHERE created_at < ?").bind(before).execute(&self.writer).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
