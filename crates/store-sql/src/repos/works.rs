//! Works (history and gallery) and likes.

/// Implements `WorkRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __works_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::chrono::SubsecRound;
            use $crate::__private::miaojing_domain::job::Mode;
            use $crate::__private::miaojing_domain::work::{GalleryItem, GalleryQuery, GallerySort, NewWork, Publication, Work, WorkRepo};
            use $crate::__private::miaojing_domain::Error;
            use $crate::job_rows::{gallery_item, work, WORK_COLUMNS};

            /// A connection of the store's database.
            type Conn = <Db<$store> as sqlx::Database>::Connection;

            impl $store {
                /// Inserts a work inside the caller's write transaction (a finished job's output).
                /// Times are stored to the microsecond, the precision of page cursors (text
                /// comparison of a nanosecond time against a truncated cursor would skip rows).
                pub(crate) async fn insert_work_in(conn: &mut Conn, w: &NewWork) -> Result<()> {
                    insert_work_in(conn, w).await
                }
            }

            /// Runs `update` on work `id` in a write transaction and reads the work back when it
            /// changed a row (`None` when the update matched nothing).
            async fn changed_work<'q>(
                store: &$store,
                update: sqlx::query::Query<'q, Db<$store>, <Db<$store> as sqlx::Database>::Arguments<'q>>,
                id: Uuid,
            ) -> Result<Option<Work>> {
                let mut tx = store.begin_write().await?;
                let done = update.execute(&mut *tx).await.map_err(db_err)?;
                let work = if done.rows_affected() == 1 { one_work(&mut tx, id).await? } else { None };
                tx.commit().await.map_err(db_err)?;
                Ok(work)
            }

            async fn insert_work_in(conn: &mut Conn, w: &NewWork) -> Result<()> {
                sqlx::query(
                    "INSERT INTO works (id, user_id, job_id, mode, prompt, negative_prompt, params, original_key, thumbnail_key, \
                     width, height, duration_secs, model, credits_cost, is_public, like_count, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, FALSE, 0, $15)",
                )
                .bind(w.id)
                .bind(w.user_id)
                .bind(w.job_id)
                .bind(w.mode.as_str())
                .bind(&w.prompt)
                .bind(&w.negative_prompt)
                .bind(Json(&w.params))
                .bind(&w.original_key)
                .bind(&w.thumbnail_key)
                .bind(w.width)
                .bind(w.height)
                .bind(w.duration_secs)
                .bind(&w.model)
                .bind(w.credits_cost.max(0))
                .bind(w.created_at.trunc_subsecs(6))
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            fn push_modes(q: &mut QueryBuilder<'_, Db<$store>>, modes: &[Mode]) {
                if !modes.is_empty() {
                    q.push(" AND w.mode IN ");
                    push_list(q, modes.iter().map(|m| m.as_str()));
                }
            }

            /// Any case: `lower(column) LIKE` a lowercased pattern (SQLite's `LIKE` folds only
            /// ASCII, PostgreSQL's none).
            fn push_search(q: &mut QueryBuilder<'_, Db<$store>>, search: Option<&str>, with_email: bool) {
                if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
                    let columns = ["w.title", "w.prompt", "w.model", "u.display_nickname", "u.username", "u.email"];
                    q.push(" AND ");
                    push_contains_any(q, &columns[..if with_email { 6 } else { 5 }], s);
                }
            }

            async fn one_work(conn: &mut Conn, id: Uuid) -> Result<Option<Work>> {
                let row = sqlx::query(&format!("SELECT {WORK_COLUMNS} FROM works w WHERE w.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?;
                row.as_ref().map(work).transpose()
            }

            async fn public_like_count(conn: &mut Conn, work_id: Uuid) -> Result<i64> {
                let n: Option<i64> = sqlx::query_scalar("SELECT like_count FROM works WHERE id = $1 AND is_public")
                    .bind(work_id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?;
                n.ok_or_else(|| Error::not_found("work_not_found", "作品不存在或未公开"))
            }

            /// Likes a public work (at `liked_at`) or removes the like (`None`), idempotently, and
            /// keeps its like count with it in one transaction; returns the count.
            async fn set_like(store: &$store, user_id: Uuid, work_id: Uuid, liked_at: Option<DateTime<Utc>>) -> Result<i64> {
                let mut tx = store.begin_write().await?;
                public_like_count(&mut tx, work_id).await?;
                let changed = match liked_at {
                    Some(at) => sqlx::query("INSERT INTO work_likes (user_id, work_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(user_id)
                        .bind(work_id)
                        .bind(at),
                    None => sqlx::query("DELETE FROM work_likes WHERE user_id = $1 AND work_id = $2").bind(user_id).bind(work_id),
                }
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected()
                    == 1;
                if changed {
                    let delta: i64 = if liked_at.is_some() { 1 } else { -1 };
                    sqlx::query("UPDATE works SET like_count = like_count + $2 WHERE id = $1 AND like_count + $2 >= 0")
                        .bind(work_id)
                        .bind(delta)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let n = public_like_count(&mut tx, work_id).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(n)
            }

            #[$crate::__private::async_trait]
            impl WorkRepo for $store {
                async fn insert_work(&self, w: NewWork) -> Result<Work> {
                    let mut tx = self.begin_write().await?;
                    insert_work_in(&mut tx, &w).await?;
                    let stored = one_work(&mut tx, w.id).await?.ok_or_else(|| Error::internal("inserted work vanished"))?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(stored)
                }

                async fn work_by_id(&self, id: Uuid) -> Result<Option<Work>> {
                    let mut conn = self.reader().acquire().await.map_err(db_err)?;
                    one_work(&mut conn, id).await
                }

                async fn user_works(
                    &self,
                    user_id: Uuid,
                    mode: Option<Mode>,
                    after: Option<$crate::__private::miaojing_domain::work::Cursor>,
                    limit: i64,
                ) -> Result<Vec<Work>> {
                    let mut q = QueryBuilder::<Db<$store>>::new(format!("SELECT {WORK_COLUMNS} FROM works w WHERE w.user_id = "));
                    q.push_bind(user_id);
                    if let Some(m) = mode {
                        q.push(" AND w.mode = ").push_bind(m.as_str());
                    }
                    if let Some(c) = after {
                        q.push(" AND (w.created_at, w.id) < (").push_bind(c.at()).push(", ").push_bind(c.id).push(")");
                    }
                    q.push(" ORDER BY w.created_at DESC, w.id DESC LIMIT ").push_bind(limit.clamp(0, 300));
                    let rows = q.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    rows.iter().map(work).collect()
                }

                async fn delete_user_work(&self, user_id: Uuid, id: Uuid) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let r =
                        sqlx::query("DELETE FROM works WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(&mut *tx).await.map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn delete_user_works(&self, user_id: Uuid) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let r = sqlx::query("DELETE FROM works WHERE user_id = $1").bind(user_id).execute(&mut *tx).await.map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(r.rows_affected())
                }

                async fn publish_work(&self, user_id: Uuid, id: Uuid, p: &Publication, now: DateTime<Utc>) -> Result<Option<Work>> {
                    let q = sqlx::query(
                        "UPDATE works SET is_public = TRUE, published_at = COALESCE(published_at, $1), title = COALESCE($2, title), \
                         gallery_thumbnail_key = CASE WHEN $3 IS NULL THEN gallery_thumbnail_key ELSE $4 END, \
                         gallery_key = COALESCE($3, gallery_key) WHERE id = $5 AND user_id = $6",
                    )
                    .bind(now.trunc_subsecs(6))
                    .bind(&p.title)
                    .bind(&p.gallery_key)
                    .bind(&p.gallery_thumbnail_key)
                    .bind(id)
                    .bind(user_id);
                    changed_work(self, q, id).await
                }

                async fn unpublish_works(&self, owner: Option<Uuid>, ids: &[Uuid]) -> Result<Vec<Work>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut tx = self.begin_write().await?;
                    let mut q = QueryBuilder::<Db<$store>>::new(format!("SELECT {WORK_COLUMNS} FROM works w WHERE w.is_public AND w.id IN "));
                    push_list(&mut q, ids.iter().copied());
                    if let Some(o) = owner {
                        q.push(" AND w.user_id = ").push_bind(o);
                    }
                    q.push(" ORDER BY w.id").push(<$store as $crate::SqlStore>::ROW_LOCK);
                    let rows = q.build().fetch_all(&mut *tx).await.map_err(db_err)?;
                    let works = rows.iter().map(work).collect::<Result<Vec<_>>>()?;
                    for w in &works {
                        sqlx::query("UPDATE works SET is_public = FALSE, gallery_key = NULL, gallery_thumbnail_key = NULL WHERE id = $1")
                            .bind(w.id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(works)
                }

                async fn attach_gallery_copy(&self, id: Uuid, key: &str, thumbnail_key: Option<&str>) -> Result<bool> {
                    let q = sqlx::query(
                            "UPDATE works SET gallery_key = $1, gallery_thumbnail_key = $2 WHERE id = $3 AND is_public AND gallery_key IS NULL",
                        )
                        .bind(key)
                        .bind(thumbnail_key)
                        .bind(id);
                    Ok(write_rows(self, q).await? == 1)
                }

                async fn gallery(&self, g: &GalleryQuery) -> Result<Vec<GalleryItem>> {
                    let mut q = QueryBuilder::<Db<$store>>::new(format!(
                        "SELECT {WORK_COLUMNS}, u.display_nickname AS author_nickname, u.avatar_url AS author_avatar_url, \
                         CAST(NULL AS TEXT) AS author_email, EXISTS (SELECT 1 FROM work_likes l WHERE l.work_id = w.id AND l.user_id = "
                    ));
                    q.push_bind(g.viewer.unwrap_or_else(Uuid::nil));
                    q.push(") AS liked FROM works w JOIN users u ON u.id = w.user_id WHERE w.is_public");
                    push_modes(&mut q, &g.modes);
                    push_search(&mut q, g.search.as_deref(), false);
                    match (g.sort, g.after) {
                        (GallerySort::Latest, Some(c)) => {
                            q.push(" AND (w.published_at, w.id) < (").push_bind(c.at()).push(", ").push_bind(c.id).push(")");
                        }
                        (GallerySort::Popular, Some(c)) => {
                            q.push(" AND (w.like_count, w.published_at, w.id) < (").push_bind(c.likes).push(", ").push_bind(c.at());
                            q.push(", ").push_bind(c.id).push(")");
                        }
                        _ => {}
                    }
                    q.push(match g.sort {
                        GallerySort::Latest => " ORDER BY w.published_at DESC, w.id DESC",
                        GallerySort::Popular => " ORDER BY w.like_count DESC, w.published_at DESC, w.id DESC",
                    });
                    q.push(" LIMIT ").push_bind(g.limit.clamp(0, 300));
                    let rows = q.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    rows.iter().map(gallery_item).collect()
                }

                async fn admin_gallery(&self, search: Option<&str>, modes: &[Mode], page: PageRequest) -> Result<Paged<GalleryItem>> {
                    let build = |select: &str| {
                        let mut q = QueryBuilder::<Db<$store>>::new(select);
                        q.push(" FROM works w JOIN users u ON u.id = w.user_id WHERE w.is_public");
                        push_modes(&mut q, modes);
                        push_search(&mut q, search, true);
                        q
                    };
                    let columns = format!(
                        "SELECT {WORK_COLUMNS}, u.display_nickname AS author_nickname, u.avatar_url AS author_avatar_url, \
                         u.email AS author_email, FALSE AS liked"
                    );
                    page_of(self, build, &columns, "w.published_at DESC, w.id DESC", page, |r| gallery_item(r)).await
                }

                async fn update_work_prompt(&self, id: Uuid, prompt: &str) -> Result<Option<Work>> {
                    let q = sqlx::query("UPDATE works SET prompt = $1 WHERE id = $2 AND is_public")
                        .bind(prompt)
                        .bind(id);
                    changed_work(self, q, id).await
                }

                async fn delete_work(&self, id: Uuid) -> Result<Option<Work>> {
                    let mut tx = self.begin_write().await?;
                    let w = one_work(&mut tx, id).await?;
                    if w.is_some() {
                        sqlx::query("DELETE FROM works WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(w)
                }

                async fn like_work(&self, user_id: Uuid, work_id: Uuid, now: DateTime<Utc>) -> Result<i64> {
                    set_like(self, user_id, work_id, Some(now)).await
                }

                async fn unlike_work(&self, user_id: Uuid, work_id: Uuid) -> Result<i64> {
                    set_like(self, user_id, work_id, None).await
                }
            }
        };
    };
}
