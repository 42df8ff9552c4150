//! Users' own upstream keys, always scoped to their owner.

/// Implements `UserApiKeyRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __user_api_keys_repo {
    ($store:ty) => {
        const _: () = {
            type Db = <$store as $crate::SqlStore>::Db;

            use $crate::__private::chrono::{DateTime, Utc};
            use $crate::__private::miaojing_domain::provider::{UserApiKey, UserApiKeyPatch};
            use $crate::__private::miaojing_domain::repo::UserApiKeyRepo;
            use $crate::__private::miaojing_domain::Result;
            use $crate::__private::sqlx::{self, QueryBuilder};
            use $crate::__private::uuid::Uuid;

            use $crate::errors::db_err;
            use $crate::provider_rows::{self as rows, to_json, USER_KEY_COLUMNS};
            use $crate::SqlStore as _;

            #[$crate::__private::async_trait]
            impl UserApiKeyRepo for $store {
                async fn insert_user_api_keys(&self, keys: Vec<UserApiKey>) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    for k in keys {
                        let mut qb: QueryBuilder<'_, Db> =
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
                    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new("UPDATE user_api_keys SET updated_at = ");
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
                    let done = sqlx::query("DELETE FROM user_api_keys WHERE id = $1 AND user_id = $2")
                        .bind(id)
                        .bind(owner)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
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
    };
}
