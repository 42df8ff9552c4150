//! The job reads and admin operations that are the same SQL on both backends (claims,
//! leases, holds and settlement stay in the store crates).

/// Defines module `job_reads` in the store crate, whose functions take the store `$store`
/// (a [`SqlStore`](crate::SqlStore) defined in the calling module) as their first argument;
/// the store's `JobRepo` implementation calls them.
#[macro_export]
macro_rules! job_reads {
    ($store:ident) => {
        /// Job reads and admin operations shared with the other backend (`miaojing_store_sql::job_reads!`).
        pub(crate) mod job_reads {
            use $crate::__private::miaojing_domain::job::{CallFilter, Hold, Job, JobFilter, JobRow, JobStatus, ModelCallRecord};
            use $crate::__private::miaojing_domain::Error;
            use $crate::job_rows::{call_record, job, JOB_COLUMNS};
            use $crate::repos::prelude::*;

            pub(crate) async fn job_by_id(store: &super::$store, id: Uuid) -> Result<Option<Job>> {
                let sql = format!("SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_optional(store.reader()).await.map_err(db_err)?;
                row.as_ref().map(job).transpose()
            }

            pub(crate) async fn user_jobs(store: &super::$store, user_id: Uuid, statuses: &[JobStatus], limit: i64) -> Result<Vec<Job>> {
                let mut q =
                    QueryBuilder::<Db<super::$store>>::new(format!("SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.user_id = "));
                q.push_bind(user_id);
                if !statuses.is_empty() {
                    q.push(" AND j.status IN ");
                    push_list(&mut q, statuses.iter().map(|s| s.as_str()));
                }
                q.push(" ORDER BY j.created_at DESC, j.id DESC LIMIT ").push_bind(limit.clamp(0, 1000));
                let rows = q.build().fetch_all(store.reader()).await.map_err(db_err)?;
                rows.iter().map(job).collect()
            }

            pub(crate) async fn hold_by_id(store: &super::$store, id: Uuid) -> Result<Option<Hold>> {
                let row = sqlx::query("SELECT id, user_id, amount, status, created_at, closed_at FROM credit_holds WHERE id = $1")
                    .bind(id)
                    .fetch_optional(store.reader())
                    .await
                    .map_err(db_err)?;
                row.map(|r| {
                    Ok(Hold {
                        id: r.col("id")?,
                        user_id: r.col("user_id")?,
                        amount: r.col("amount")?,
                        status: r.col("status")?,
                        created_at: r.col("created_at")?,
                        closed_at: r.col("closed_at")?,
                    })
                })
                .transpose()
            }

            pub(crate) async fn open_holds_total(store: &super::$store, user_id: Uuid) -> Result<i64> {
                sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_holds WHERE user_id = $1 AND status = 'open'",
                )
                .bind(user_id)
                .fetch_one(store.reader())
                .await
                .map_err(db_err)
            }

            pub(crate) async fn list_jobs(store: &super::$store, filter: &JobFilter, page: PageRequest) -> Result<Paged<JobRow>> {
                let build = |select: &str| {
                    let mut q = QueryBuilder::<Db<super::$store>>::new(select);
                    q.push(" FROM generation_jobs j JOIN users u ON u.id = j.user_id WHERE 1 = 1");
                    if let Some(s) = filter.status {
                        q.push(" AND j.status = ").push_bind(s.as_str());
                    }
                    if let Some(u) = filter.user_id {
                        q.push(" AND j.user_id = ").push_bind(u);
                    }
                    if let Some(s) = &filter.user_search {
                        let p = like_pattern(&s.to_lowercase());
                        q.push(" AND (lower(u.email) LIKE ").push_bind(p.clone()).push(" ESCAPE '\\' OR lower(u.username) LIKE ");
                        q.push_bind(p.clone()).push(" ESCAPE '\\' OR lower(u.display_nickname) LIKE ").push_bind(p).push(" ESCAPE '\\')");
                    }
                    q
                };
                let total: i64 = build("SELECT COUNT(*)").build_query_scalar().fetch_one(store.reader()).await.map_err(db_err)?;
                let (limit, offset) = limit_offset(page);
                let mut q = build(&format!("SELECT {JOB_COLUMNS}, u.email AS user_email, u.display_nickname AS user_nickname"));
                q.push(" ORDER BY j.created_at DESC, j.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
                let rows = q.build().fetch_all(store.reader()).await.map_err(db_err)?;
                let items = rows
                    .iter()
                    .map(|r| Ok(JobRow { job: job(r)?, user_email: r.col("user_email")?, user_nickname: r.col("user_nickname")? }))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Paged { items, total })
            }

            pub(crate) async fn delete_finished_jobs(store: &super::$store, status: JobStatus, before: DateTime<Utc>) -> Result<u64> {
                if !status.is_terminal() {
                    return Err(Error::validation("invalid_status", "只允许清理失败、已完成或已取消任务"));
                }
                let mut tx = store.begin_write().await?;
                let r = sqlx::query("DELETE FROM generation_jobs WHERE status = $1 AND updated_at < $2")
                    .bind(status.as_str())
                    .bind(before)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(r.rows_affected())
            }

            pub(crate) async fn delete_finished_job(store: &super::$store, id: Uuid) -> Result<bool> {
                let mut tx = store.begin_write().await?;
                let r = sqlx::query("DELETE FROM generation_jobs WHERE id = $1 AND status IN ('succeeded', 'failed', 'cancelled')")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            pub(crate) async fn insert_model_call(store: &super::$store, r: ModelCallRecord) -> Result<()> {
                let mut tx = store.begin_write().await?;
                sqlx::query(
                    "INSERT INTO model_call_records (id, user_id, job_id, source, operation, model, channel, status, credits_cost, \
                     result_count, duration_ms, error, metadata, created_at, started_at, finished_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                )
                .bind(r.id)
                .bind(r.user_id)
                .bind(r.job_id)
                .bind(&r.source)
                .bind(&r.operation)
                .bind(&r.model)
                .bind(&r.channel)
                .bind(&r.status)
                .bind(r.credits_cost.max(0))
                .bind(r.result_count.max(0))
                .bind(r.duration_ms.max(0))
                .bind(&r.error)
                .bind(Json(&r.metadata))
                .bind(r.created_at)
                .bind(r.started_at)
                .bind(r.finished_at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(())
            }

            pub(crate) async fn model_call_for_job(store: &super::$store, job_id: Uuid) -> Result<Option<ModelCallRecord>> {
                let row = sqlx::query("SELECT * FROM model_call_records WHERE job_id = $1")
                    .bind(job_id)
                    .fetch_optional(store.reader())
                    .await
                    .map_err(db_err)?;
                row.as_ref().map(call_record).transpose()
            }

            pub(crate) async fn list_model_calls(
                store: &super::$store,
                f: &CallFilter,
                page: PageRequest,
            ) -> Result<Paged<ModelCallRecord>> {
                let build = |select: &str| {
                    let mut q = QueryBuilder::<Db<super::$store>>::new(select);
                    q.push(" FROM model_call_records m WHERE 1 = 1");
                    if let Some(s) = &f.status {
                        q.push(" AND m.status = ").push_bind(s.clone());
                    }
                    if let Some(s) = &f.source {
                        q.push(" AND m.source = ").push_bind(s.clone());
                    }
                    if let Some(s) = &f.operation {
                        q.push(" AND m.operation = ").push_bind(s.clone());
                    }
                    if let Some(u) = f.user_id {
                        q.push(" AND m.user_id = ").push_bind(u);
                    }
                    if let Some(k) = &f.keyword {
                        let p = like_pattern(&k.to_lowercase());
                        q.push(" AND (lower(m.model) LIKE ").push_bind(p.clone()).push(" ESCAPE '\\' OR lower(m.channel) LIKE ");
                        q.push_bind(p.clone()).push(" ESCAPE '\\' OR lower(m.operation) LIKE ").push_bind(p).push(" ESCAPE '\\')");
                    }
                    if let Some(t) = f.since {
                        q.push(" AND m.created_at >= ").push_bind(t);
                    }
                    if let Some(t) = f.until {
                        q.push(" AND m.created_at <= ").push_bind(t);
                    }
                    q
                };
                let total: i64 = build("SELECT COUNT(*)").build_query_scalar().fetch_one(store.reader()).await.map_err(db_err)?;
                let (limit, offset) = limit_offset(page);
                let mut q = build("SELECT m.*");
                q.push(" ORDER BY m.created_at DESC, m.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
                let rows = q.build().fetch_all(store.reader()).await.map_err(db_err)?;
                Ok(Paged { items: rows.iter().map(call_record).collect::<Result<_>>()?, total })
            }
        }
    };
}
