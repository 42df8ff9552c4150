//! Platform logs.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use miaojing_domain::log::{LogEntry, LogFilter};
use miaojing_domain::repo::LogRepo;
use miaojing_domain::{PageRequest, Paged, Result};
use sqlx::{Postgres, QueryBuilder};

use crate::errors::DbResultExt;
use crate::rows::LogRow;
use crate::sql::{contains_pattern, limit_offset, search_term};
use crate::PgStore;

fn push_filter(q: &mut QueryBuilder<'_, Postgres>, f: &LogFilter) {
    let mut sep = " WHERE ";
    let mut next = |q: &mut QueryBuilder<'_, Postgres>| {
        q.push(sep);
        sep = " AND ";
    };
    if let Some(kind) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        next(q);
        q.push("kind = ");
        q.push_bind(kind.to_string());
    }
    if let Some(level) = f.level.as_deref().filter(|l| !l.is_empty()) {
        next(q);
        q.push("level = ");
        q.push_bind(level.to_string());
    }
    if let Some(user) = search_term(f.user.as_deref()) {
        let p = contains_pattern(user);
        next(q);
        q.push("(user_id::text ILIKE ");
        q.push_bind(p.clone());
        q.push(" OR user_name ILIKE ");
        q.push_bind(p.clone());
        q.push(" OR user_email ILIKE ");
        q.push_bind(p);
        q.push(")");
    }
    if let Some(keyword) = search_term(f.keyword.as_deref()) {
        let p = contains_pattern(keyword);
        next(q);
        q.push("(action ILIKE ");
        q.push_bind(p.clone());
        q.push(" OR message ILIKE ");
        q.push_bind(p.clone());
        q.push(" OR target_type ILIKE ");
        q.push_bind(p.clone());
        q.push(" OR target_id ILIKE ");
        q.push_bind(p);
        q.push(")");
    }
    if let Some(start) = f.start {
        next(q);
        q.push("created_at >= ");
        q.push_bind(start);
    }
    if let Some(end) = f.end {
        next(q);
        q.push("created_at <= ");
        q.push_bind(end);
    }
}

#[async_trait]
impl LogRepo for PgStore {
    async fn insert_log(&self, e: LogEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO platform_logs (id, kind, level, action, message, user_id, user_name, user_email, \
             target_type, target_id, ip_address, user_agent, metadata, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(e.id)
        .bind(&e.kind)
        .bind(&e.level)
        .bind(&e.action)
        .bind(&e.message)
        .bind(e.user_id)
        .bind(&e.user_name)
        .bind(&e.user_email)
        .bind(&e.target_type)
        .bind(&e.target_id)
        .bind(&e.ip_address)
        .bind(&e.user_agent)
        .bind(&e.metadata)
        .bind(e.created_at)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn list_logs(&self, filter: &LogFilter, page: PageRequest) -> Result<Paged<LogEntry>> {
        let (limit, offset) = limit_offset(page);
        let mut q: QueryBuilder<'_, Postgres> = QueryBuilder::new("SELECT * FROM platform_logs");
        push_filter(&mut q, filter);
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ");
        q.push_bind(limit);
        q.push(" OFFSET ");
        q.push_bind(offset);
        let rows: Vec<LogRow> = q.build_query_as().fetch_all(&self.pool).await.db()?;

        let mut count: QueryBuilder<'_, Postgres> = QueryBuilder::new("SELECT COUNT(*) FROM platform_logs");
        push_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.db()?;
        Ok(Paged { items: rows.into_iter().map(LogEntry::from).collect(), total })
    }

    async fn purge_logs(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM platform_logs WHERE created_at < $1").bind(before).execute(&self.pool).await.db()?;
        Ok(done.rows_affected())
    }
}
