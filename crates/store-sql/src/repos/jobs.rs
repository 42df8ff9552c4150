//! Generation jobs, credit holds and model call records: submission with its hold, claims,
//! leases, the compare-and-set finish with settlement, recovery and the admin reads. One
//! text for both backends; what differs is said by the store (`ROW_LOCK` on the user's row,
//! `SKIP_LOCKED` on the claim pick, `seconds_between` for durations).

/// Implements `JobRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __jobs_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::miaojing_domain::job::{
                CallFilter, Finisher, Hold, Job, JobFilter, JobRepo, JobRow, JobStatus, Mode, ModelCallRecord, NewJob, Outcome, Recovery,
            };
            use $crate::__private::miaojing_domain::ledger::{Grant, LedgerKind};
            use $crate::__private::miaojing_domain::{Error, ErrorKind};
            use $crate::__private::serde_json::Value;
            use $crate::job_rows::{call_record, job, JOB_COLUMNS, JOB_RETURNING};
            use $crate::SqlStore;

            /// A connection of the store's database.
            type Conn = <Db<$store> as sqlx::Database>::Connection;

            /// Claimed ids and the running jobs' call records are updated in lists of this many
            /// (well under SQLite's bound-parameter limit).
            const ID_CHUNK: usize = 500;

            async fn job_in(conn: &mut Conn, id: Uuid) -> Result<Option<Job>> {
                let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?;
                row.as_ref().map(job).transpose()
            }

            /// Closes an open hold as `settled` or `released`; false when it was not open.
            async fn close_hold(conn: &mut Conn, id: Uuid, status: &str, now: DateTime<Utc>) -> Result<bool> {
                let r = sqlx::query("UPDATE credit_holds SET status = $1, closed_at = $2 WHERE id = $3 AND status = 'open'")
                    .bind(status)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            fn charge_description(job: &Job) -> String {
                let what = if job.mode.is_video() { "视频生成" } else { "图片生成" };
                format!("{what} - {}（{}）", job.model, if job.channel.is_empty() { "系统 API" } else { &job.channel })
            }

            /// The compare-and-set finish inside the caller's write transaction (see `JobRepo::finish_job`).
            async fn finish_in(conn: &mut Conn, id: Uuid, finisher: Finisher<'_>, outcome: Outcome, now: DateTime<Utc>) -> Result<Option<Job>> {
                let (worker, from) = match finisher {
                    Finisher::Worker(w) => (Some(w), "('running')"),
                    Finisher::Any => (None, "('queued', 'running')"),
                };
                let (code, message, result) = match &outcome {
                    Outcome::Failed { code, message } => (Some(code.clone()), Some(message.clone()), Value::Array(vec![])),
                    Outcome::Cancelled => (Some("cancelled".to_string()), Some("用户已取消任务".to_string()), Value::Array(vec![])),
                    Outcome::Succeeded { result, .. } => (None, None, result.clone()),
                };
                let row = sqlx::query(&format!(
                    "UPDATE generation_jobs AS j SET status = $1, error_code = $2, error_message = $3, result = $4, finished_at = $5, \
                     updated_at = $5, lease_owner = NULL, lease_expires_at = NULL, next_poll_at = NULL \
                     WHERE j.id = $6 AND j.status IN {from} AND (CAST($7 AS TEXT) IS NULL OR j.lease_owner = $7) RETURNING {JOB_RETURNING}"
                ))
                .bind(outcome.status().as_str())
                .bind(&code)
                .bind(&message)
                .bind(Json(&result))
                .bind(now)
                .bind(id)
                .bind(worker)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
                let Some(row) = row else { return Ok(None) };
                let mut done = job(&row)?;

                let mut charged = 0;
                let mut result_count = 0;
                if let Outcome::Succeeded { actual_cost, works, .. } = outcome {
                    charged = done.chargeable(actual_cost);
                    let description = charge_description(&done);
                    let mut paid = true;
                    let mut balance = None;
                    if charged > 0 {
                        let grant = Grant { user_id: done.user_id, amount: -charged, kind: LedgerKind::Consume, description: description.clone() };
                        match <$store>::apply_grant_in(conn, &grant, now).await {
                            Ok(entry) => balance = Some(entry.balance_after),
                            Err(e) if e.kind == ErrorKind::InsufficientCredits => paid = false,
                            Err(e) => return Err(e),
                        }
                    }
                    if paid {
                        result_count = works.len() as i32;
                        for w in works {
                            <$store>::insert_work_in(conn, &w).await?;
                        }
                        let balance = match balance {
                            Some(b) => b,
                            None => sqlx::query_scalar("SELECT credits_balance FROM users WHERE id = $1")
                                .bind(done.user_id)
                                .fetch_one(&mut *conn)
                                .await
                                .map_err(db_err)?,
                        };
                        done.result = done.settled_result(charged, balance, (charged > 0).then_some(description.as_str()));
                        sqlx::query("UPDATE generation_jobs SET actual_cost = $1, result = $2 WHERE id = $3")
                            .bind(charged)
                            .bind(Json(&done.result))
                            .bind(id)
                            .execute(&mut *conn)
                            .await
                            .map_err(db_err)?;
                        done.actual_cost = Some(charged);
                    } else {
                        charged = 0;
                        sqlx::query(
                            "UPDATE generation_jobs SET status = 'failed', error_code = 'insufficient_credits', \
                             error_message = '积分不足，无法结算本次生成', result = '[]' WHERE id = $1",
                        )
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(db_err)?;
                        done.status = JobStatus::Failed;
                        done.error_code = Some("insufficient_credits".into());
                        done.error_message = Some("积分不足，无法结算本次生成".into());
                        done.result = Value::Array(vec![]);
                    }
                }
                if let Some(hold) = done.hold_id {
                    let how = if done.status == JobStatus::Succeeded { "settled" } else { "released" };
                    close_hold(conn, hold, how, now).await?;
                }
                let elapsed = <$store as SqlStore>::seconds_between("COALESCE(started_at, created_at)", "$5");
                sqlx::query(&format!(
                    "UPDATE model_call_records SET status = $1, credits_cost = $2, result_count = $3, error = $4, finished_at = $5, \
                     duration_ms = CAST(ROUND({elapsed} * 1000) AS BIGINT) WHERE job_id = $6"
                ))
                .bind(done.status.as_str())
                .bind(charged)
                .bind(result_count)
                .bind(&done.error_message)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
                Ok(Some(done))
            }

            #[$crate::__private::async_trait]
            impl JobRepo for $store {
                async fn submit_job(&self, new: NewJob) -> Result<(Job, bool)> {
                    let mut tx = self.begin_write().await?;
                    // The user's row lock (PostgreSQL; SQLite's write transaction holds the whole
                    // database) serialises this user's submissions: the dedupe check and the
                    // balance-minus-holds check below see every earlier submission.
                    let lock = <$store as SqlStore>::ROW_LOCK;
                    let balance: Option<i64> = sqlx::query_scalar(&format!("SELECT credits_balance FROM users WHERE id = $1{lock}"))
                        .bind(new.user_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let balance = balance.ok_or_else(|| Error::not_found("not_found", "用户不存在"))?;
                    if let Some(crid) = &new.client_request_id {
                        let row = sqlx::query(&format!(
                            "SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.user_id = $1 AND j.client_request_id = $2"
                        ))
                        .bind(new.user_id)
                        .bind(crid)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        if let Some(row) = row {
                            return Ok((job(&row)?, false));
                        }
                    }
                    let mut hold_id = None;
                    if new.estimated_cost > 0 {
                        let held: i64 = sqlx::query_scalar(
                            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_holds WHERE user_id = $1 AND status = 'open'",
                        )
                        .bind(new.user_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        if balance - held < new.estimated_cost {
                            return Err(short_of(new.estimated_cost, held, balance));
                        }
                        let id = Uuid::new_v4();
                        sqlx::query("INSERT INTO credit_holds (id, user_id, amount, status, created_at) VALUES ($1, $2, $3, 'open', $4)")
                            .bind(id)
                            .bind(new.user_id)
                            .bind(new.estimated_cost)
                            .bind(new.created_at)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        hold_id = Some(id);
                    }
                    sqlx::query(
                        "INSERT INTO generation_jobs (id, user_id, mode, model, channel, params, client_request_id, status, deadline_at, \
                         hold_id, estimated_cost, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, $10, $11, $11)",
                    )
                    .bind(new.id)
                    .bind(new.user_id)
                    .bind(new.mode.as_str())
                    .bind(&new.model)
                    .bind(&new.channel)
                    .bind(Json(&new.params))
                    .bind(&new.client_request_id)
                    .bind(new.deadline_at)
                    .bind(hold_id)
                    .bind(new.estimated_cost)
                    .bind(new.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    sqlx::query(
                        "INSERT INTO model_call_records (id, user_id, job_id, source, operation, model, channel, status, metadata, created_at) \
                         VALUES ($1, $2, $3, 'generation-job', $4, $5, $6, 'queued', '{}', $7)",
                    )
                    .bind(Uuid::new_v4())
                    .bind(new.user_id)
                    .bind(new.id)
                    .bind(new.mode.as_str())
                    .bind(&new.model)
                    .bind(&new.channel)
                    .bind(new.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let stored = job_in(&mut tx, new.id).await?.ok_or_else(|| Error::internal("inserted job vanished"))?;
                    tx.commit().await.map_err(db_err)?;
                    Ok((stored, true))
                }

                async fn claim_jobs(&self, worker: &str, limit: i64, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Vec<Job>> {
                    if limit <= 0 {
                        return Ok(vec![]);
                    }
                    let mut tx = self.begin_write().await?;
                    // The pick is materialised so that it runs once: inlined into `IN (…)`, PostgreSQL's
                    // planner may re-run it per row (a nested-loop semi join), each run skipping the rows
                    // the previous ones locked, and claim far more than `limit` jobs.
                    let skip_locked = <$store as SqlStore>::SKIP_LOCKED;
                    let rows = sqlx::query(&format!(
                        "WITH picked (pick_id) AS MATERIALIZED (SELECT id FROM generation_jobs WHERE status = 'queued' \
                           ORDER BY created_at, id LIMIT $4{skip_locked}) \
                         UPDATE generation_jobs SET status = 'running', attempt = attempt + 1, lease_owner = $1, \
                         lease_expires_at = $2, heartbeat_at = $3, started_at = COALESCE(started_at, $3), updated_at = $3, \
                         next_poll_at = CASE WHEN upstream_task_id IS NULL THEN NULL ELSE $3 END \
                         WHERE id IN (SELECT pick_id FROM picked) AND status = 'queued' \
                         RETURNING {JOB_RETURNING}"
                    ))
                    .bind(worker)
                    .bind(lease_until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let mut jobs = rows.iter().map(job).collect::<Result<Vec<_>>>()?;
                    for chunk in jobs.chunks(ID_CHUNK) {
                        let mut q = QueryBuilder::<Db<$store>>::new("UPDATE model_call_records SET status = 'running', started_at = COALESCE(started_at, ");
                        q.push_bind(now).push(") WHERE job_id IN ");
                        push_list(&mut q, chunk.iter().map(|j| j.id));
                        q.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    jobs.sort_by_key(|j| (j.created_at, j.id));
                    Ok(jobs)
                }

                async fn extend_leases(&self, worker: &str, starting: &[Uuid], now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Vec<Uuid>> {
                    let mut tx = self.begin_write().await?;
                    let mut q = QueryBuilder::<Db<$store>>::new("UPDATE generation_jobs SET lease_expires_at = ");
                    q.push_bind(lease_until).push(", heartbeat_at = ").push_bind(now);
                    q.push(" WHERE status = 'running' AND lease_owner = ").push_bind(worker);
                    q.push(" AND (upstream_task_id IS NOT NULL");
                    for chunk in starting.chunks(ID_CHUNK) {
                        q.push(" OR id IN ");
                        push_list(&mut q, chunk.iter().copied());
                    }
                    q.push(") RETURNING id");
                    let ids: Vec<Uuid> = q.build_query_scalar().fetch_all(&mut *tx).await.map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(ids)
                }

                async fn set_upstream_task(&self, id: Uuid, worker: &str, task_id: &str, next_poll_at: DateTime<Utc>) -> Result<bool> {
                    let q = sqlx::query(
                            "UPDATE generation_jobs SET upstream_task_id = $1, next_poll_at = $2 \
                             WHERE id = $3 AND status = 'running' AND lease_owner = $4",
                        )
                        .bind(task_id)
                        .bind(next_poll_at)
                        .bind(id)
                        .bind(worker);
                    Ok(write_rows(self, q).await? == 1)
                }

                async fn set_next_poll(&self, id: Uuid, worker: &str, next_poll_at: DateTime<Utc>) -> Result<bool> {
                    let q = sqlx::query(
                            "UPDATE generation_jobs SET next_poll_at = $1 WHERE id = $2 AND status = 'running' AND lease_owner = $3 \
                             AND upstream_task_id IS NOT NULL",
                        )
                        .bind(next_poll_at)
                        .bind(id)
                        .bind(worker);
                    Ok(write_rows(self, q).await? == 1)
                }

                async fn due_polls(&self, worker: &str, now: DateTime<Utc>, limit: i64) -> Result<Vec<Job>> {
                    let rows = sqlx::query(&format!(
                        "SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.status = 'running' AND j.lease_owner = $1 \
                         AND j.upstream_task_id IS NOT NULL AND j.next_poll_at <= $2 ORDER BY j.next_poll_at LIMIT $3"
                    ))
                    .bind(worker)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    rows.iter().map(job).collect()
                }

                async fn finish_job(&self, id: Uuid, finisher: Finisher<'_>, outcome: Outcome, now: DateTime<Utc>) -> Result<Option<Job>> {
                    let mut tx = self.begin_write().await?;
                    let done = finish_in(&mut tx, id, finisher, outcome, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(done)
                }

                async fn recover_jobs(&self, now: DateTime<Utc>) -> Result<Recovery> {
                    let mut tx = self.begin_write().await?;
                    let late: Vec<Uuid> =
                        sqlx::query_scalar("SELECT id FROM generation_jobs WHERE status IN ('queued', 'running') AND deadline_at < $1")
                            .bind(now)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    let mut report = Recovery::default();
                    for id in late {
                        let outcome = Outcome::failed("deadline_exceeded", "任务超过最长执行时间，已自动结束并退回预占积分");
                        if finish_in(&mut tx, id, Finisher::Any, outcome, now).await?.is_some() {
                            report.expired.push(id);
                        }
                    }
                    report.requeued = sqlx::query_scalar(
                        "UPDATE generation_jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, next_poll_at = NULL, \
                         updated_at = $1 WHERE status = 'running' AND lease_expires_at < $1 RETURNING id",
                    )
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(report)
                }

                async fn run_time_stats(&self, mode: Mode, model: &str, since: DateTime<Utc>) -> Result<(i64, f64)> {
                    let secs = <$store as SqlStore>::seconds_between("started_at", "finished_at");
                    sqlx::query_as(&format!(
                        "SELECT COUNT(*), CAST(COALESCE(AVG({secs}), 0) AS DOUBLE PRECISION) \
                         FROM generation_jobs WHERE mode = $1 AND model = $2 AND status = 'succeeded' \
                         AND started_at IS NOT NULL AND finished_at >= $3"
                    ))
                    .bind(mode.as_str())
                    .bind(model)
                    .bind(since)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)
                }


                async fn job_by_id(&self, id: Uuid) -> Result<Option<Job>> {
                    let mut conn = self.reader().acquire().await.map_err(db_err)?;
                    job_in(&mut conn, id).await
                }

                async fn user_jobs(&self, user_id: Uuid, statuses: &[JobStatus], limit: i64) -> Result<Vec<Job>> {
                    let mut q =
                        QueryBuilder::<Db<$store>>::new(format!("SELECT {JOB_COLUMNS} FROM generation_jobs j WHERE j.user_id = "));
                    q.push_bind(user_id);
                    if !statuses.is_empty() {
                        q.push(" AND j.status IN ");
                        push_list(&mut q, statuses.iter().map(|s| s.as_str()));
                    }
                    q.push(" ORDER BY j.created_at DESC, j.id DESC LIMIT ").push_bind(limit.clamp(0, 1000));
                    let rows = q.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    rows.iter().map(job).collect()
                }

                async fn hold_by_id(&self, id: Uuid) -> Result<Option<Hold>> {
                    let row = sqlx::query("SELECT id, user_id, amount, status, created_at, closed_at FROM credit_holds WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                    row.map(|r| $crate::read_row!(&r => Hold { id, user_id, amount, status, created_at, closed_at })).transpose()
                }

                async fn open_holds_total(&self, user_id: Uuid) -> Result<i64> {
                    sqlx::query_scalar(
                        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_holds WHERE user_id = $1 AND status = 'open'",
                    )
                    .bind(user_id)
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)
                }

                async fn list_jobs(&self, filter: &JobFilter, page: PageRequest) -> Result<Paged<JobRow>> {
                    let build = |select: &str| {
                        let mut q = QueryBuilder::<Db<$store>>::new(select);
                        q.push(" FROM generation_jobs j JOIN users u ON u.id = j.user_id WHERE 1 = 1");
                        if let Some(s) = filter.status {
                            q.push(" AND j.status = ").push_bind(s.as_str());
                        }
                        if let Some(u) = filter.user_id {
                            q.push(" AND j.user_id = ").push_bind(u);
                        }
                        if let Some(s) = &filter.user_search {
                            q.push(" AND ");
                            push_contains_any(&mut q, &["u.email", "u.username", "u.display_nickname"], s);
                        }
                        q
                    };
                    let columns = format!("SELECT {JOB_COLUMNS}, u.email AS user_email, u.display_nickname AS user_nickname");
                    page_of(self, build, &columns, "j.created_at DESC, j.id DESC", page, |r| {
                        Ok(JobRow { job: job(r)?, user_email: r.col("user_email")?, user_nickname: r.col("user_nickname")? })
                    })
                    .await
                }

                async fn delete_finished_jobs(&self, status: JobStatus, before: DateTime<Utc>) -> Result<u64> {
                    if !status.is_terminal() {
                        return Err(Error::validation("invalid_status", "只允许清理失败、已完成或已取消任务"));
                    }
                    let q = sqlx::query("DELETE FROM generation_jobs WHERE status = $1 AND updated_at < $2")
                        .bind(status.as_str())
                        .bind(before);
                    write_rows(self, q).await
                }

                async fn delete_finished_job(&self, id: Uuid) -> Result<bool> {
                    let q = sqlx::query("DELETE FROM generation_jobs WHERE id = $1 AND status IN ('succeeded', 'failed', 'cancelled')")
                        .bind(id);
                    Ok(write_rows(self, q).await? == 1)
                }

                async fn insert_model_call(&self, r: ModelCallRecord) -> Result<()> {
                    let mut tx = self.begin_write().await?;
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

                async fn model_call_for_job(&self, job_id: Uuid) -> Result<Option<ModelCallRecord>> {
                    let row = sqlx::query("SELECT * FROM model_call_records WHERE job_id = $1")
                        .bind(job_id)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                    row.as_ref().map(call_record).transpose()
                }

                async fn list_model_calls(&self, f: &CallFilter,
                    page: PageRequest,
                ) -> Result<Paged<ModelCallRecord>> {
                    let build = |select: &str| {
                        let mut q = QueryBuilder::<Db<$store>>::new(select);
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
                            q.push(" AND ");
                            push_contains_any(&mut q, &["m.model", "m.channel", "m.operation"], k);
                        }
                        if let Some(t) = f.since {
                            q.push(" AND m.created_at >= ").push_bind(t);
                        }
                        if let Some(t) = f.until {
                            q.push(" AND m.created_at <= ").push_bind(t);
                        }
                        q
                    };
                    page_of(self, build, "SELECT m.*", "m.created_at DESC, m.id DESC", page, |r| call_record(r)).await
                }
            }
        };
    };
}
