//! The provider catalogue, model recommendations, style presets and the model catalogue read.

/// Implements `CatalogRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_repo {
    ($store:ty) => {
        const _: () = {
            use $crate::__private::miaojing_domain::provider::{ApiProvider, ModelCatalog, ModelRecommendation, StylePreset};
            use $crate::__private::miaojing_domain::repo::CatalogRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx;
            use $crate::__private::uuid::Uuid;

            use $crate::errors::{db_err, named_conflict};
            use $crate::provider_rows::{self as rows, PRESET_COLUMNS, PROVIDER_COLUMNS, RECOMMENDATION_COLUMNS, SYSTEM_API_COLUMNS, USER_KEY_COLUMNS};
            use $crate::SqlStore as _;

            const PROVIDER_ORDER: &str = " ORDER BY sort_order, name";
            const RECOMMENDATION_ORDER: &str = " ORDER BY type, sort_order, model_name, id";
            const PRESET_ORDER: &str = " ORDER BY usage_count DESC, sort_order, label";

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
                    let done = sqlx::query("DELETE FROM api_providers WHERE id = $1").bind(id).execute(self.writer()).await.map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn list_providers(&self, active_only: bool) -> Result<Vec<ApiProvider>> {
                    let filter = if active_only { " WHERE is_active" } else { "" };
                    let sql = format!("SELECT {PROVIDER_COLUMNS} FROM api_providers{filter}{PROVIDER_ORDER}");
                    let found = sqlx::query(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::api_provider).collect()
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
                    let done = sqlx::query("DELETE FROM model_recommendations WHERE id = $1").bind(id).execute(self.writer()).await.map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn list_recommendations(&self, active_only: bool) -> Result<Vec<ModelRecommendation>> {
                    let filter = if active_only { " WHERE is_active" } else { "" };
                    let sql = format!("SELECT {RECOMMENDATION_COLUMNS} FROM model_recommendations{filter}{RECOMMENDATION_ORDER}");
                    let found = sqlx::query(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::recommendation).collect()
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
                    let done = sqlx::query("DELETE FROM image_style_presets WHERE id = $1").bind(id).execute(self.writer()).await.map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn list_style_presets(&self, active_only: bool) -> Result<Vec<StylePreset>> {
                    let filter = if active_only { " WHERE is_active" } else { "" };
                    let sql = format!("SELECT {PRESET_COLUMNS} FROM image_style_presets{filter}{PRESET_ORDER}");
                    let found = sqlx::query(&sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    found.iter().map(rows::style_preset).collect()
                }

                async fn bump_style_preset(&self, label: &str) -> Result<bool> {
                    let done = sqlx::query("UPDATE image_style_presets SET usage_count = usage_count + 1 WHERE label = $1 AND is_active")
                        .bind(label)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
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
    };
}
