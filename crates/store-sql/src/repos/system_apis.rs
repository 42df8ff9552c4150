//! Platform system APIs.

/// Implements `SystemApiRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __system_apis_repo {
    ($store:ty) => {
        const _: () = {
            type Db = <$store as $crate::SqlStore>::Db;

            use $crate::__private::miaojing_domain::provider::{MediaType, SystemApi};
            use $crate::__private::miaojing_domain::repo::SystemApiRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx::{self, QueryBuilder};
            use $crate::__private::uuid::Uuid;

            use $crate::errors::db_err;
            use $crate::provider_rows::{self as rows, tiers_json, to_json, SYSTEM_API_COLUMNS};
            use $crate::SqlStore as _;

            /// `column = value` for every column but `id` and `created_at`.
            fn push_fields(qb: &mut QueryBuilder<'_, Db>, a: &SystemApi) -> Result<()> {
                let mut s = qb.separated(", ");
                s.push("provider = ").push_bind_unseparated(a.provider.clone());
                s.push("name = ").push_bind_unseparated(a.name.clone());
                s.push("api_url = ").push_bind_unseparated(a.api_url.clone());
                s.push("model_name = ").push_bind_unseparated(a.model_name.clone());
                s.push("model_group = ").push_bind_unseparated(a.model_group.clone());
                s.push("note = ").push_bind_unseparated(a.note.clone());
                s.push("type = ").push_bind_unseparated(a.media_type.as_str());
                s.push("protocol = ").push_bind_unseparated(a.protocol.as_str());
                s.push("manifest = ").push_bind_unseparated(a.manifest.as_ref().map(to_json).transpose()?);
                s.push("capabilities = ").push_bind_unseparated(to_json(&a.capabilities)?);
                s.push("api_key_encrypted = ").push_bind_unseparated(a.api_key_encrypted.clone());
                s.push("api_key_preview = ").push_bind_unseparated(a.api_key_preview.clone());
                s.push("pricing = ").push_bind_unseparated(to_json(&a.pricing)?);
                s.push("price_note = ").push_bind_unseparated(a.price_note.clone());
                s.push("allowed_membership_tiers = ").push_bind_unseparated(tiers_json(&a.allowed_tiers)?);
                s.push("is_default = ").push_bind_unseparated(a.is_default);
                s.push("is_active = ").push_bind_unseparated(a.is_active);
                s.push("polling_mode = ").push_bind_unseparated(a.polling_mode.as_str());
                s.push("polling_order = ").push_bind_unseparated(a.polling_order);
                s.push("video_usage_modes = ").push_bind_unseparated(to_json(&a.video_usage_modes)?);
                s.push("sort_order = ").push_bind_unseparated(a.sort_order);
                s.push("updated_at = ").push_bind_unseparated(a.updated_at);
                Ok(())
            }

            const ORDER: &str = " ORDER BY name, sort_order, created_at, id";

            #[$crate::__private::async_trait]
            impl SystemApiRepo for $store {
                async fn insert_system_apis(&self, apis: Vec<SystemApi>) -> Result<Vec<SystemApi>> {
                    let mut tx = self.begin_write().await?;
                    let last: Option<i32> =
                        sqlx::query_scalar("SELECT MAX(sort_order) FROM system_api_configs").fetch_one(&mut *tx).await.map_err(db_err)?;
                    let mut next = last.unwrap_or(0);
                    let mut stored = Vec::with_capacity(apis.len());
                    for mut a in apis {
                        next += 1;
                        a.sort_order = next;
                        let mut qb: QueryBuilder<'_, Db> =
                            QueryBuilder::new(format!("INSERT INTO system_api_configs ({SYSTEM_API_COLUMNS}) VALUES ("));
                        let mut s = qb.separated(", ");
                        s.push_bind(a.id)
                            .push_bind(a.provider.clone())
                            .push_bind(a.name.clone())
                            .push_bind(a.api_url.clone())
                            .push_bind(a.model_name.clone())
                            .push_bind(a.model_group.clone())
                            .push_bind(a.note.clone())
                            .push_bind(a.media_type.as_str())
                            .push_bind(a.protocol.as_str())
                            .push_bind(a.manifest.as_ref().map(to_json).transpose()?)
                            .push_bind(to_json(&a.capabilities)?)
                            .push_bind(a.api_key_encrypted.clone())
                            .push_bind(a.api_key_preview.clone())
                            .push_bind(to_json(&a.pricing)?)
                            .push_bind(a.price_note.clone())
                            .push_bind(tiers_json(&a.allowed_tiers)?)
                            .push_bind(a.is_default)
                            .push_bind(a.is_active)
                            .push_bind(a.polling_mode.as_str())
                            .push_bind(a.polling_order)
                            .push_bind(to_json(&a.video_usage_modes)?)
                            .push_bind(a.sort_order)
                            .push_bind(a.created_at)
                            .push_bind(a.updated_at);
                        qb.push(")");
                        qb.build().execute(&mut *tx).await.map_err(db_err)?;
                        stored.push(a);
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(stored)
                }

                async fn update_system_api(&self, api: SystemApi) -> Result<Option<SystemApi>> {
                    let mut tx = self.begin_write().await?;
                    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new("UPDATE system_api_configs SET ");
                    push_fields(&mut qb, &api)?;
                    qb.push(" WHERE id = ").push_bind(api.id).push(" RETURNING ").push(SYSTEM_API_COLUMNS);
                    let Some(row) = qb.build().fetch_optional(&mut *tx).await.map_err(db_err)? else {
                        return Ok(None);
                    };
                    let saved = rows::system_api(&row)?;
                    sqlx::query("UPDATE system_api_configs SET polling_mode = $1 WHERE type = $2 AND name = $3 AND id <> $4")
                        .bind(saved.polling_mode.as_str())
                        .bind(saved.media_type.as_str())
                        .bind(&saved.name)
                        .bind(saved.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(Some(saved))
                }

                async fn delete_system_api(&self, id: Uuid) -> Result<bool> {
                    let done = sqlx::query("DELETE FROM system_api_configs WHERE id = $1").bind(id).execute(self.writer()).await.map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn system_api(&self, id: Uuid) -> Result<Option<SystemApi>> {
                    let sql = format!("SELECT {SYSTEM_API_COLUMNS} FROM system_api_configs WHERE id = $1");
                    let row = sqlx::query(&sql).bind(id).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.as_ref().map(rows::system_api).transpose()
                }

                async fn list_system_apis(&self, include_inactive: bool) -> Result<Vec<SystemApi>> {
                    let filter = if include_inactive { "" } else { " WHERE is_active" };
                    let sql = format!("SELECT {SYSTEM_API_COLUMNS} FROM system_api_configs{filter}{ORDER}");
                    let found = sqlx::query(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::system_api).collect()
                }

                async fn system_api_candidates(&self, media_type: MediaType, name: &str) -> Result<Vec<SystemApi>> {
                    let sql =
                        format!("SELECT {SYSTEM_API_COLUMNS} FROM system_api_configs WHERE type = $1 AND name = $2 AND is_default AND is_active{ORDER}");
                    let found = sqlx::query(&sql).bind(media_type.as_str()).bind(name).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::system_api).collect()
                }
            }
        };
    };
}
