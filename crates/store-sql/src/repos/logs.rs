//! Platform logs.

/// Implements `LogRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __logs_repo {
    ($store:ty) => {
        const _: () = {
            type Db = <$store as $crate::SqlStore>::Db;

            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::log::{LogEntry, LogFilter};
            use $crate::__private::miaojing_domain::repo::LogRepo;
            use $crate::__private::miaojing_domain::{PageRequest, Paged, Result};
            use $crate::__private::sqlx::{self, types::Json, QueryBuilder};

            use $crate::errors::db_err;
            use $crate::rows;
            use $crate::sql::like_pattern;
            use $crate::sql::{as_uuid, limit_offset};
            use $crate::SqlStore as _;

            const COLUMNS: &str = "id, kind, level, action, message, user_id, user_name, user_email, target_type, target_id, \
                 ip_address, user_agent, metadata, created_at";

            fn push_filter(qb: &mut QueryBuilder<'_, Db>, filter: &LogFilter) {
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
                            qb.push(" OR ")
                                .push(<$store as $crate::SqlStore>::uuid_hex("user_id"))
                                .push(" LIKE ")
                                .push_bind(format!("%{hex}%"));
                        }
                    }
                    qb.push(")");
                }
                if let Some(keyword) = filter.keyword.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    let pattern = like_pattern(&keyword.to_lowercase());
                    qb.push(" AND (");
                    for (i, column) in ["lower(action)", "lower(message)", "lower(target_type)", "lower(target_id)"].into_iter().enumerate()
                    {
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

            #[$crate::__private::async_trait]
            impl LogRepo for $store {
                async fn insert_log(&self, entry: LogEntry) -> Result<()> {
                    let sql = format!(
                        "INSERT INTO platform_logs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                    );
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
                        .bind(Json(&entry.metadata))
                        .bind(entry.created_at)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn list_logs(&self, filter: &LogFilter, page: PageRequest) -> Result<Paged<LogEntry>> {
                    let mut count: QueryBuilder<'_, Db> = QueryBuilder::new("SELECT COUNT(*) FROM platform_logs");
                    push_filter(&mut count, filter);
                    let total: i64 = count.build_query_scalar().fetch_one(self.reader()).await.map_err(db_err)?;

                    let (limit, offset) = limit_offset(page);
                    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!("SELECT {COLUMNS} FROM platform_logs"));
                    push_filter(&mut qb, filter);
                    qb.push(format!(" ORDER BY created_at DESC, {} DESC LIMIT ", <$store as $crate::SqlStore>::ROW_ORDER))
                        .push_bind(limit)
                        .push(" OFFSET ")
                        .push_bind(offset);
                    let found = qb.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    let items = found.iter().map(rows::log_entry).collect::<Result<Vec<_>>>()?;
                    Ok(Paged { items, total })
                }

                async fn purge_logs(&self, before: DateTime<Utc>) -> Result<u64> {
                    let done = sqlx::query("DELETE FROM platform_logs WHERE created_at < $1")
                        .bind(before)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected())
                }
            }
        };
    };
}
