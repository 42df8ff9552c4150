//! Site-wide tables: settings and the visit counter, dashboard aggregates, rate-limit counters, announcements and platform logs.

/// Implements the site-wide repository traits for a [`SqlStore`](crate::SqlStore)
/// type (expanded by [`impl_shared_repos!`](crate::impl_shared_repos), inside a block that
/// imports [`prelude`](crate::repos::prelude)).
#[doc(hidden)]
#[macro_export]
macro_rules! __site_repos {
    ($store:ty) => {
        // Site settings (JSON documents by key) and the visit counter.
        const _: () = {
            use $crate::__private::miaojing_domain::repo::SettingsRepo;
            use $crate::__private::serde_json::Value;

            #[$crate::__private::async_trait]
            impl SettingsRepo for $store {
                async fn get_setting(&self, key: &str) -> Result<Option<Value>> {
                    let value: Option<Json<Value>> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                        .bind(key)
                        .fetch_optional(self.reader())
                        .await
                        .db()?;
                    Ok(value.map(|v| v.0))
                }

                async fn put_setting(&self, key: &str, value: &Value) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
                    )
                    .bind(key)
                    .bind(Json(value))
                    .bind(now())
                    .execute(self.writer())
                    .await
                    .db()?;
                    Ok(())
                }

                async fn increment_visits(&self) -> Result<i64> {
                    // The migration seeds the single row; recreate it if someone removed it.
                    sqlx::query_scalar(
                        "INSERT INTO site_stats (id, total_visits) VALUES (1, 1) \
                         ON CONFLICT (id) DO UPDATE SET total_visits = site_stats.total_visits + 1 \
                         RETURNING total_visits",
                    )
                    .fetch_one(self.writer())
                    .await
                    .db()
                }

                async fn visits(&self) -> Result<i64> {
                    let v: Option<i64> =
                        sqlx::query_scalar("SELECT total_visits FROM site_stats WHERE id = 1").fetch_optional(self.reader()).await.db()?;
                    Ok(v.unwrap_or(0))
                }
            }
        };

        // Dashboard aggregates.
        const _: () = {
            use $crate::__private::miaojing_domain::repo::{ActivityStats, ModelUsage, PlatformStats, StatsRepo};

            #[$crate::__private::async_trait]
            impl StatsRepo for $store {
                async fn platform_stats(&self, now: DateTime<Utc>, since: DateTime<Utc>) -> Result<PlatformStats> {
                    let row = sqlx::query(
                        "SELECT \
                           (SELECT COUNT(*) FROM users) AS users_total, \
                           (SELECT COUNT(*) FROM users WHERE is_active) AS users_active, \
                           (SELECT COUNT(*) FROM users WHERE role IN ('admin', 'enterprise_admin')) AS admins, \
                           (SELECT COUNT(*) FROM users WHERE membership_tier <> 'free' \
                              AND (membership_expires_at IS NULL OR membership_expires_at > $1)) AS members, \
                           (SELECT COUNT(*) FROM users WHERE created_at >= $2) AS users_recent, \
                           (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE amount > 0) AS credits_issued, \
                           (SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE amount < 0) AS credits_spent, \
                           (SELECT COUNT(*) FROM platform_logs) AS logs_total, \
                           (SELECT COUNT(*) FROM platform_logs WHERE level = 'error') AS logs_errors, \
                           (SELECT COUNT(*) FROM platform_logs WHERE created_at >= $2) AS logs_recent, \
                           (SELECT COUNT(*) FROM works) AS works_total, \
                           (SELECT COUNT(*) FROM works WHERE is_public) AS works_public",
                    )
                    .bind(now)
                    .bind(since)
                    .fetch_one(self.reader())
                    .await
                    .db()?;
                    $crate::read_row!(&row => PlatformStats {
                        users_total, users_active, admins, members, users_recent, credits_issued, credits_spent,
                        logs_total, logs_errors, logs_recent, works_total, works_public,
                    })
                }

                async fn activity_stats(&self, since: DateTime<Utc>, top: usize) -> Result<ActivityStats> {
                    let statuses: Vec<(String, i64)> =
                        sqlx::query_as("SELECT status, COUNT(*) FROM generation_jobs GROUP BY status").fetch_all(self.reader()).await.db()?;
                    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
                        "SELECT model, COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                           CAST(COALESCE(SUM(credits_cost), 0) AS BIGINT) \
                         FROM model_call_records WHERE created_at >= $1 GROUP BY model",
                    )
                    .bind(since)
                    .fetch_all(self.reader())
                    .await
                    .db()?;
                    let models = rows.into_iter().map(|(model, calls, failed, credits)| ModelUsage { model, calls, failed, credits }).collect();
                    Ok(ActivityStats::assemble(statuses, models, top))
                }
            }
        };

        // Fixed-window rate-limit counters, shared by every instance on PostgreSQL.
        const _: () = {
            use $crate::__private::miaojing_domain::repo::RateLimitRepo;

            #[$crate::__private::async_trait]
            impl RateLimitRepo for $store {
                async fn hit(&self, key: &str, window_start: DateTime<Utc>) -> Result<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
                         ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
                         RETURNING hits",
                    )
                    .bind(key)
                    .bind(window_start)
                    .fetch_one(self.writer())
                    .await
                    .db()
                }

                async fn purge_rate_limits(&self, before: DateTime<Utc>) -> Result<u64> {
                    let q = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(before);
                    write_rows(self, q).await
                }
            }
        };

        // Announcements.
        const _: () = {
            use $crate::__private::miaojing_domain::announcement::{Announcement, AnnouncementPatch};
            use $crate::__private::miaojing_domain::repo::AnnouncementRepo;

            const COLUMNS: &str = "id, title, content, kind, is_active, popup, starts_at, expires_at, created_by, created_at, updated_at";

            #[$crate::__private::async_trait]
            impl AnnouncementRepo for $store {
                async fn create_announcement(&self, a: Announcement) -> Result<()> {
                    let sql = format!("INSERT INTO announcements ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
                    sqlx::query(&sql)
                        .bind(a.id)
                        .bind(&a.title)
                        .bind(&a.content)
                        .bind(&a.kind)
                        .bind(a.is_active)
                        .bind(a.popup)
                        .bind(a.starts_at)
                        .bind(a.expires_at)
                        .bind(a.created_by)
                        .bind(a.created_at)
                        .bind(a.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn update_announcement(
                    &self,
                    id: Uuid,
                    patch: AnnouncementPatch,
                    now: DateTime<Utc>,
                ) -> Result<Option<Announcement>> {
                    let mut qb: QueryBuilder<'_, Db<$store>> = QueryBuilder::new("UPDATE announcements SET updated_at = ");
                    qb.push_bind(now);
                    $crate::push_set_some!(qb, patch => { title, content, is_active, popup, starts_at, expires_at });
                    qb.push(" WHERE id = ").push_bind(id).push(" RETURNING ").push(COLUMNS);
                    let row = qb.build().fetch_optional(self.writer()).await.map_err(db_err)?;
                    row.as_ref().map(rows::announcement).transpose()
                }

                async fn delete_announcement(&self, id: Uuid) -> Result<bool> {
                    let q = sqlx::query("DELETE FROM announcements WHERE id = $1").bind(id);
                    Ok(write_rows(self, q).await? > 0)
                }

                async fn list_announcements(&self, visible_at: Option<DateTime<Utc>>) -> Result<Vec<Announcement>> {
                    let mut qb: QueryBuilder<'_, Db<$store>> = QueryBuilder::new(format!("SELECT {COLUMNS} FROM announcements"));
                    if let Some(t) = visible_at {
                        qb.push(" WHERE is_active AND (starts_at IS NULL OR starts_at <= ")
                            .push_bind(t)
                            .push(") AND (expires_at IS NULL OR expires_at > ")
                            .push_bind(t)
                            .push(")");
                    }
                    qb.push(format!(" ORDER BY created_at DESC, {} DESC", <$store as $crate::SqlStore>::ROW_ORDER));
                    let found = qb.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::announcement).collect()
                }
            }
        };

        // Platform logs.
        const _: () = {
            use $crate::__private::miaojing_domain::log::{LogEntry, LogFilter};
            use $crate::__private::miaojing_domain::repo::LogRepo;

            const COLUMNS: &str = "id, kind, level, action, message, user_id, user_name, user_email, target_type, target_id, \
                 ip_address, user_agent, metadata, created_at";

            fn push_filter(qb: &mut QueryBuilder<'_, Db<$store>>, filter: &LogFilter) {
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
                    qb.push(" AND ");
                    push_contains_any(qb, &["action", "message", "target_type", "target_id"], keyword);
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
                    let query = |select: &str| {
                        let mut q = QueryBuilder::<Db<$store>>::new(format!("{select} FROM platform_logs"));
                        push_filter(&mut q, filter);
                        q
                    };
                    let order = format!("created_at DESC, {} DESC", <$store as $crate::SqlStore>::ROW_ORDER);
                    page_of(self, query, &format!("SELECT {COLUMNS}"), &order, page, |r| rows::log_entry(r)).await
                }

                async fn purge_logs(&self, before: DateTime<Utc>) -> Result<u64> {
                    let q = sqlx::query("DELETE FROM platform_logs WHERE created_at < $1").bind(before);
                    write_rows(self, q).await
                }
            }
        };
    };
}
