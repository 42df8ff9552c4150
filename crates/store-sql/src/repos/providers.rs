//! The provider tables: catalogue (providers, recommendations, style presets), system APIs, users' own keys and channel health.

/// Implements the repository traits of the provider tables for a [`SqlStore`](crate::SqlStore)
/// type (expanded by [`impl_shared_repos!`](crate::impl_shared_repos), inside a block that
/// imports [`prelude`](crate::repos::prelude)).
#[doc(hidden)]
#[macro_export]
macro_rules! __providers_repos {
    ($store:ty) => {
        // The provider catalogue, model recommendations, style presets and the model catalogue read.
        const _: () = {
            use $crate::__private::miaojing_domain::provider::{ApiProvider, ModelCatalog, ModelRecommendation, StylePreset};
            use $crate::__private::miaojing_domain::repo::CatalogRepo;

            use $crate::provider_rows::{self as rows, PRESET_COLUMNS, PROVIDER_COLUMNS, RECOMMENDATION_COLUMNS, SYSTEM_API_COLUMNS, USER_KEY_COLUMNS};

            const PROVIDER_ORDER: &str = " ORDER BY sort_order, name";
            const RECOMMENDATION_ORDER: &str = " ORDER BY type, sort_order, model_name, id";
            const PRESET_ORDER: &str = " ORDER BY usage_count DESC, sort_order, label";

            /// Deletes row `id` of the catalogue table `table`; whether it existed.
            async fn delete_row(store: &$store, table: &str, id: Uuid) -> Result<bool> {
                let sql = format!("DELETE FROM {table} WHERE id = $1");
                let q = sqlx::query(&sql).bind(id);
                Ok(write_rows(store, q).await? > 0)
            }

            /// The rows of the catalogue table `table` (only active ones when `active_only`) in
            /// `order`, each read by `read`.
            async fn list_rows<T>(
                store: &$store,
                (table, columns, order): (&str, &str, &str),
                active_only: bool,
                read: impl Fn(&<Db<$store> as sqlx::Database>::Row) -> Result<T>,
            ) -> Result<Vec<T>> {
                let filter = if active_only { " WHERE is_active" } else { "" };
                let sql = format!("SELECT {columns} FROM {table}{filter}{order}");
                let found = sqlx::query(&sql).fetch_all(store.reader()).await.map_err(db_err)?;
                found.iter().map(read).collect()
            }

            #[$crate::__private::async_trait]
            impl CatalogRepo for $store {
                async fn create_provider(&self, p: ApiProvider) -> Result<()> {
                    let sql = format!("INSERT INTO api_providers ({PROVIDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
                    sqlx::query(&sql)
                        .bind(p.id)
                        .bind(&p.name)
                        .bind(&p.default_api_url)
                        .bind(&p.default_model)
                        .bind(p.media_type.as_str())
                        .bind(&p.website)
                        .bind(p.is_active)
                        .bind(p.sort_order)
                        .bind(p.created_at)
                        .bind(p.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(|e| named_conflict(e, "provider_name_taken", "供应商名称已存在"))?;
                    Ok(())
                }

                async fn update_provider(&self, p: ApiProvider) -> Result<Option<ApiProvider>> {
                    let sql = format!(
                        "UPDATE api_providers SET name = $1, default_api_url = $2, default_model = $3, type = $4, website = $5, is_active = $6, \
                         sort_order = $7, updated_at = $8 WHERE id = $9 RETURNING {PROVIDER_COLUMNS}"
                    );
                    let row = sqlx::query(&sql)
                        .bind(&p.name)
                        .bind(&p.default_api_url)
                        .bind(&p.default_model)
                        .bind(p.media_type.as_str())
                        .bind(&p.website)
                        .bind(p.is_active)
                        .bind(p.sort_order)
                        .bind(p.updated_at)
                        .bind(p.id)
                        .fetch_optional(self.writer())
                        .await
                        .map_err(|e| named_conflict(e, "provider_name_taken", "供应商名称已存在"))?;
                    row.as_ref().map(rows::api_provider).transpose()
                }

                async fn delete_provider(&self, id: Uuid) -> Result<bool> {
                    delete_row(self, "api_providers", id).await
                }

                async fn list_providers(&self, active_only: bool) -> Result<Vec<ApiProvider>> {
                    list_rows(self, ("api_providers", PROVIDER_COLUMNS, PROVIDER_ORDER), active_only, |r| rows::api_provider(r)).await
                }

                async fn create_recommendation(&self, r: ModelRecommendation) -> Result<()> {
                    let sql = format!("INSERT INTO model_recommendations ({RECOMMENDATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
                    sqlx::query(&sql)
                        .bind(r.id)
                        .bind(&r.model_name)
                        .bind(&r.display_name)
                        .bind(r.media_type.as_str())
                        .bind(r.provider_id)
                        .bind(r.is_active)
                        .bind(r.sort_order)
                        .bind(r.created_at)
                        .bind(r.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn update_recommendation(&self, r: ModelRecommendation) -> Result<Option<ModelRecommendation>> {
                    let sql = format!(
                        "UPDATE model_recommendations SET model_name = $1, display_name = $2, type = $3, provider_id = $4, is_active = $5, \
                         sort_order = $6, updated_at = $7 WHERE id = $8 RETURNING {RECOMMENDATION_COLUMNS}"
                    );
                    let row = sqlx::query(&sql)
                        .bind(&r.model_name)
                        .bind(&r.display_name)
                        .bind(r.media_type.as_str())
                        .bind(r.provider_id)
                        .bind(r.is_active)
                        .bind(r.sort_order)
                        .bind(r.updated_at)
                        .bind(r.id)
                        .fetch_optional(self.writer())
                        .await
                        .map_err(db_err)?;
                    row.as_ref().map(rows::recommendation).transpose()
                }

                async fn delete_recommendation(&self, id: Uuid) -> Result<bool> {
                    delete_row(self, "model_recommendations", id).await
                }

                async fn list_recommendations(&self, active_only: bool) -> Result<Vec<ModelRecommendation>> {
                    list_rows(self, ("model_recommendations", RECOMMENDATION_COLUMNS, RECOMMENDATION_ORDER), active_only, |r| rows::recommendation(r)).await
                }

                async fn seed_style_presets(&self, presets: Vec<StylePreset>) -> Result<u64> {
                    let sql =
                        format!("INSERT INTO image_style_presets ({PRESET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (label) DO NOTHING");
                    let mut tx = self.begin_write().await?;
                    let mut added = 0;
                    for p in presets {
                        let done = sqlx::query(&sql)
                            .bind(p.id)
                            .bind(&p.label)
                            .bind(&p.prompt)
                            .bind(p.usage_count)
                            .bind(p.is_active)
                            .bind(p.sort_order)
                            .bind(p.created_at)
                            .bind(p.updated_at)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        added += done.rows_affected();
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(added)
                }

                async fn create_style_preset(&self, p: StylePreset) -> Result<()> {
                    let sql = format!("INSERT INTO image_style_presets ({PRESET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
                    sqlx::query(&sql)
                        .bind(p.id)
                        .bind(&p.label)
                        .bind(&p.prompt)
                        .bind(p.usage_count)
                        .bind(p.is_active)
                        .bind(p.sort_order)
                        .bind(p.created_at)
                        .bind(p.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(|e| named_conflict(e, "style_label_taken", "风格名称已存在"))?;
                    Ok(())
                }

                async fn update_style_preset(&self, p: StylePreset) -> Result<Option<StylePreset>> {
                    let sql = format!(
                        "UPDATE image_style_presets SET label = $1, prompt = $2, is_active = $3, sort_order = $4, updated_at = $5 \
                         WHERE id = $6 RETURNING {PRESET_COLUMNS}"
                    );
                    let row = sqlx::query(&sql)
                        .bind(&p.label)
                        .bind(&p.prompt)
                        .bind(p.is_active)
                        .bind(p.sort_order)
                        .bind(p.updated_at)
                        .bind(p.id)
                        .fetch_optional(self.writer())
                        .await
                        .map_err(|e| named_conflict(e, "style_label_taken", "风格名称已存在"))?;
                    row.as_ref().map(rows::style_preset).transpose()
                }

                async fn delete_style_preset(&self, id: Uuid) -> Result<bool> {
                    delete_row(self, "image_style_presets", id).await
                }

                async fn list_style_presets(&self, active_only: bool) -> Result<Vec<StylePreset>> {
                    list_rows(self, ("image_style_presets", PRESET_COLUMNS, PRESET_ORDER), active_only, |r| rows::style_preset(r)).await
                }

                async fn bump_style_preset(&self, label: &str) -> Result<bool> {
                    let q = sqlx::query("UPDATE image_style_presets SET usage_count = usage_count + 1 WHERE label = $1 AND is_active")
                        .bind(label);
                    Ok(write_rows(self, q).await? > 0)
                }

                async fn model_catalog(&self, owner: Option<Uuid>) -> Result<ModelCatalog> {
                    let mut conn = self.reader().acquire().await.map_err(db_err)?;
                    let sql = format!("SELECT {PROVIDER_COLUMNS} FROM api_providers WHERE is_active{PROVIDER_ORDER}");
                    let providers = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db_err)?;
                    let sql = format!("SELECT {RECOMMENDATION_COLUMNS} FROM model_recommendations WHERE is_active{RECOMMENDATION_ORDER}");
                    let recommendations = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db_err)?;
                    let sql = format!(
                        "SELECT {SYSTEM_API_COLUMNS} FROM system_api_configs WHERE is_active AND is_default ORDER BY name, sort_order, created_at, id"
                    );
                    let apis = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db_err)?;
                    let keys = match owner {
                        Some(owner) => {
                            let sql = format!("SELECT {USER_KEY_COLUMNS} FROM user_api_keys WHERE user_id = $1 ORDER BY created_at DESC, id");
                            sqlx::query(&sql).bind(owner).fetch_all(&mut *conn).await.map_err(db_err)?
                        }
                        None => Vec::new(),
                    };
                    drop(conn);
                    Ok(ModelCatalog {
                        providers: providers.iter().map(rows::api_provider).collect::<Result<_>>()?,
                        recommendations: recommendations.iter().map(rows::recommendation).collect::<Result<_>>()?,
                        system_apis: apis.iter().map(rows::system_api).collect::<Result<_>>()?,
                        user_keys: keys.iter().map(rows::user_api_key).collect::<Result<_>>()?,
                    })
                }
            }
        };

        // Platform system APIs.
        const _: () = {
            use $crate::__private::miaojing_domain::provider::{MediaType, SystemApi};
            use $crate::__private::miaojing_domain::repo::SystemApiRepo;

            use $crate::provider_rows::{self as rows, tiers_json, to_json, SYSTEM_API_COLUMNS};

            /// `column = value` for every column but `id` and `created_at`.
            fn push_fields(qb: &mut QueryBuilder<'_, Db<$store>>, a: &SystemApi) -> Result<()> {
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
                        let mut qb: QueryBuilder<'_, Db<$store>> =
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
                    let mut qb: QueryBuilder<'_, Db<$store>> = QueryBuilder::new("UPDATE system_api_configs SET ");
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
                    let q = sqlx::query("DELETE FROM system_api_configs WHERE id = $1").bind(id);
                    Ok(write_rows(self, q).await? > 0)
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

        // Users' own upstream keys, always scoped to their owner.
        const _: () = {
            use $crate::__private::miaojing_domain::provider::{UserApiKey, UserApiKeyPatch};
            use $crate::__private::miaojing_domain::repo::UserApiKeyRepo;

            use $crate::provider_rows::{self as rows, to_json, USER_KEY_COLUMNS};

            #[$crate::__private::async_trait]
            impl UserApiKeyRepo for $store {
                async fn insert_user_api_keys(&self, keys: Vec<UserApiKey>) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    for k in keys {
                        let mut qb: QueryBuilder<'_, Db<$store>> =
                            QueryBuilder::new(format!("INSERT INTO user_api_keys ({USER_KEY_COLUMNS}) VALUES ("));
                        let mut s = qb.separated(", ");
                        s.push_bind(k.id)
                            .push_bind(k.user_id)
                            .push_bind(k.provider)
                            .push_bind(k.supplier_name)
                            .push_bind(k.api_url)
                            .push_bind(k.model_name)
                            .push_bind(k.note)
                            .push_bind(k.media_type.as_str())
                            .push_bind(k.protocol.as_str())
                            .push_bind(k.manifest.as_ref().map(to_json).transpose()?)
                            .push_bind(to_json(&k.capabilities)?)
                            .push_bind(k.api_key_encrypted)
                            .push_bind(k.api_key_preview)
                            .push_bind(k.is_active)
                            .push_bind(k.created_at)
                            .push_bind(k.updated_at);
                        qb.push(")");
                        qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }

                async fn update_user_api_key(
                    &self,
                    owner: Uuid,
                    id: Uuid,
                    patch: UserApiKeyPatch,
                    now: DateTime<Utc>,
                ) -> Result<Option<UserApiKey>> {
                    let mut qb: QueryBuilder<'_, Db<$store>> = QueryBuilder::new("UPDATE user_api_keys SET updated_at = ");
                    qb.push_bind(now);
                    let texts = [
                        ("provider", patch.provider),
                        ("supplier_name", patch.supplier_name),
                        ("api_url", patch.api_url),
                        ("model_name", patch.model_name),
                        ("note", patch.note),
                        ("type", patch.media_type.map(|m| m.as_str().to_string())),
                    ];
                    for (column, value) in texts {
                        if let Some(v) = value {
                            qb.push(format!(", {column} = ")).push_bind(v);
                        }
                    }
                    if let Some(v) = patch.is_active {
                        qb.push(", is_active = ").push_bind(v);
                    }
                    if let Some((encrypted, preview)) = patch.api_key {
                        qb.push(", api_key_encrypted = ").push_bind(encrypted).push(", api_key_preview = ").push_bind(preview);
                    }
                    qb.push(" WHERE id = ").push_bind(id).push(" AND user_id = ").push_bind(owner);
                    qb.push(" RETURNING ").push(USER_KEY_COLUMNS);
                    let row = qb.build().fetch_optional(self.writer()).await.map_err(db_err)?;
                    row.as_ref().map(rows::user_api_key).transpose()
                }

                async fn delete_user_api_key(&self, owner: Uuid, id: Uuid) -> Result<bool> {
                    let q = sqlx::query("DELETE FROM user_api_keys WHERE id = $1 AND user_id = $2")
                        .bind(id)
                        .bind(owner);
                    Ok(write_rows(self, q).await? > 0)
                }

                async fn user_api_key(&self, owner: Uuid, id: Uuid) -> Result<Option<UserApiKey>> {
                    let sql = format!("SELECT {USER_KEY_COLUMNS} FROM user_api_keys WHERE id = $1 AND user_id = $2");
                    let row = sqlx::query(&sql).bind(id).bind(owner).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.as_ref().map(rows::user_api_key).transpose()
                }

                async fn list_user_api_keys(&self, owner: Uuid) -> Result<Vec<UserApiKey>> {
                    let sql = format!("SELECT {USER_KEY_COLUMNS} FROM user_api_keys WHERE user_id = $1 ORDER BY created_at DESC, id");
                    let found = sqlx::query(&sql).bind(owner).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::user_api_key).collect()
                }
            }
        };

        // Shared health of platform channels.
        const _: () = {
            use $crate::__private::miaojing_domain::provider::{ChannelEvent, ChannelHealth, HealthPolicy};
            use $crate::__private::miaojing_domain::repo::ChannelHealthRepo;

            use $crate::provider_rows::{self as rows, HEALTH_COLUMNS};

            /// Row lock for the read-modify-write.
            const LOCK: &str = <$store as $crate::SqlStore>::ROW_LOCK;

            #[$crate::__private::async_trait]
            impl ChannelHealthRepo for $store {
                async fn record_channel_event(&self, channel_id: Uuid, event: ChannelEvent, now: DateTime<Utc>, policy: &HealthPolicy) -> Result<ChannelHealth> {
                    let mut tx = self.begin_write().await?;
                    // A first event creates the row so that every later one finds it to lock.
                    sqlx::query(
                        "INSERT INTO channel_health (channel_id, window_start, updated_at) VALUES ($1, $2, $3) ON CONFLICT (channel_id) DO NOTHING",
                    )
                    .bind(channel_id)
                    .bind(now)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let sql = format!("SELECT {HEALTH_COLUMNS} FROM channel_health WHERE channel_id = $1{LOCK}");
                    let row = sqlx::query(&sql).bind(channel_id).fetch_one(&mut *tx).await.map_err(db_err)?;
                    let current = rows::channel_health(&row)?;
                    let h = current.apply(&event, now, policy);
                    let mut qb: QueryBuilder<'_, Db<$store>> = QueryBuilder::new("UPDATE channel_health SET window_start = ");
                    qb.push_bind(h.window_start)
                        .push(", errors_current = ")
                        .push_bind(h.errors_current)
                        .push(", errors_previous = ")
                        .push_bind(h.errors_previous)
                        .push(", successes = ")
                        .push_bind(h.successes)
                        .push(", frozen_until = ")
                        .push_bind(h.frozen_until)
                        .push(", last_error = ")
                        .push_bind(h.last_error.clone())
                        .push(", last_error_at = ")
                        .push_bind(h.last_error_at)
                        .push(", last_success_at = ")
                        .push_bind(h.last_success_at)
                        .push(", last_probe_at = ")
                        .push_bind(h.last_probe_at)
                        .push(", updated_at = ")
                        .push_bind(h.updated_at)
                        .push(" WHERE channel_id = ")
                        .push_bind(h.channel_id);
                    qb.build().execute(&mut *tx).await.map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(h)
                }

                async fn channel_health(&self, ids: &[Uuid]) -> Result<Vec<ChannelHealth>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb: QueryBuilder<'_, Db<$store>> =
                        QueryBuilder::new(format!("SELECT {HEALTH_COLUMNS} FROM channel_health WHERE channel_id IN "));
                    push_list(&mut qb, ids.iter().copied());
                    qb.push(" ORDER BY channel_id");
                    let found = qb.build().fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::channel_health).collect()
                }

                async fn list_channel_health(&self) -> Result<Vec<ChannelHealth>> {
                    let sql = format!("SELECT {HEALTH_COLUMNS} FROM channel_health ORDER BY channel_id");
                    let found = sqlx::query(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::channel_health).collect()
                }
            }
        };
    };
}
