//! A user's own upstream keys: only the owner's rows exist for them.
use chrono::Utc;
use miaojing_api_types::providers::{UpstreamProbe, UserApiKeySave};
use miaojing_domain::provider::{key_preview, MediaType, UserApiKey, UserApiKeyPatch};
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use crate::input::{text, url, user_key_from};
use crate::CatalogService;

/// Keys per save request (and per import).
pub const MAX_BATCH: usize = 50;

fn key_missing() -> Error {
    Error::not_found(ErrorCode::KeyNotFound, "API Key 不存在")
}

/// What a connection test or model listing calls with: the given URL and key, else those of
/// the caller's stored key (whose protocol and Manifest the channel keeps).
#[derive(Debug, Clone)]
pub struct ProbeCredentials {
    /// The caller's stored key named by `keyId`, if any.
    pub stored: Option<UserApiKey>,
    pub api_url: String,
    /// The plain key.
    pub api_key: String,
    /// The model given, else the stored key's.
    pub model: String,
}

impl CatalogService {
    /// The owner's keys, newest first.
    pub async fn user_keys(&self, owner: Uuid) -> Result<Vec<UserApiKey>> {
        self.store.list_user_api_keys(owner).await
    }

    /// Saves `{keys: [...]}` or one key: items with `id` update the owner's key (the stored key
    /// is replaced only by a non-empty `apiKey`), the others are created. Everything is checked
    /// before anything is written. Returns the saved keys.
    pub async fn save_user_keys(&self, owner: Uuid, body: UserApiKeySave) -> Result<Vec<UserApiKey>> {
        let items = match body {
            UserApiKeySave::Many { keys } => keys,
            UserApiKeySave::One(k) => vec![k],
        };
        if items.is_empty() || items.len() > MAX_BATCH {
            return Err(Error::validation(ErrorCode::InvalidBatch, format!("一次保存 1 到 {MAX_BATCH} 个 API Key")));
        }
        let now = Utc::now();
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        for item in items {
            match item.id {
                None => inserts.push(user_key_from(item, owner, &self.secrets, now)?),
                Some(id) => {
                    if self.store.user_api_key(owner, id).await?.is_none() {
                        return Err(key_missing());
                    }
                    let plain = text(item.api_key, 4096, ErrorCode::InvalidApiKey, "API Key")?;
                    let patch = UserApiKeyPatch {
                        provider: item.provider.map(|v| text(Some(v), 64, ErrorCode::InvalidProvider, "供应商")).transpose()?,
                        supplier_name: item
                            .supplier_name
                            .map(|v| text(Some(v), 128, ErrorCode::InvalidProvider, "供应商名称"))
                            .transpose()?,
                        api_url: item.api_url.map(|v| url(Some(v))).transpose()?,
                        model_name: item.model_name.map(|v| text(Some(v), 128, ErrorCode::InvalidModel, "模型名称")).transpose()?,
                        note: item.note.map(|v| text(Some(v), 1000, ErrorCode::InvalidNote, "备注")).transpose()?,
                        media_type: item.media_type.as_deref().map(MediaType::parse).transpose()?,
                        is_active: item.is_active,
                        api_key: (!plain.is_empty()).then(|| (self.secrets.encrypt(&plain), key_preview(&plain))),
                    };
                    updates.push((id, patch));
                }
            }
        }
        let mut saved = Vec::new();
        let ids: Vec<Uuid> = inserts.iter().map(|k| k.id).collect();
        if !inserts.is_empty() {
            self.store.insert_user_api_keys(inserts).await?;
        }
        for id in ids {
            saved.extend(self.store.user_api_key(owner, id).await?);
        }
        for (id, patch) in updates {
            let key = self.store.update_user_api_key(owner, id, patch, now).await?;
            saved.push(key.ok_or_else(key_missing)?);
        }
        Ok(saved)
    }

    /// Deletes one of the owner's keys (`id_required` without an id).
    pub async fn delete_user_key(&self, owner: Uuid, id: Option<Uuid>) -> Result<()> {
        let id = id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少 ID"))?;
        if !self.store.delete_user_api_key(owner, id).await? {
            return Err(key_missing());
        }
        Ok(())
    }

    /// The URL, plain key and model a probe of the owner's uses (see [`ProbeCredentials`]);
    /// `probe_incomplete` when no URL or no key results.
    pub async fn probe_credentials(&self, owner: Uuid, p: &UpstreamProbe) -> Result<ProbeCredentials> {
        let stored = match p.key_id {
            Some(id) => Some(self.store.user_api_key(owner, id).await?.ok_or_else(key_missing)?),
            None => None,
        };
        let api_url = url(p.api_url.clone().or_else(|| stored.as_ref().map(|k| k.api_url.clone())))?;
        let mut api_key = text(p.api_key.clone(), 4096, ErrorCode::InvalidApiKey, "API Key")?;
        if api_key.is_empty() {
            if let Some(k) = stored.as_ref().filter(|k| !k.api_key_encrypted.is_empty()) {
                api_key = self
                    .secrets
                    .decrypt(&k.api_key_encrypted)
                    .map_err(|_| Error::validation(ErrorCode::KeyUnreadable, "API 密钥不可用，请重新保存密钥"))?;
            }
        }
        if api_url.is_empty() || api_key.is_empty() {
            return Err(Error::validation(ErrorCode::ProbeIncomplete, "请填写 API 请求地址和 API Key"));
        }
        let model = text(p.model_name.clone(), 128, ErrorCode::InvalidModel, "模型名称")?;
        let model = match &stored {
            Some(k) if model.is_empty() => k.model_name.clone(),
            _ => model,
        };
        Ok(ProbeCredentials { stored, api_url, api_key, model })
    }

    /// Stores imported keys of the owner (all or nothing); returns them as stored.
    pub async fn import_user_keys(&self, owner: Uuid, rows: Vec<UserApiKey>) -> Result<Vec<UserApiKey>> {
        let ids: Vec<Uuid> = rows.iter().map(|k| k.id).collect();
        self.store.insert_user_api_keys(rows).await?;
        let mut keys = Vec::with_capacity(ids.len());
        for id in ids {
            keys.extend(self.store.user_api_key(owner, id).await?);
        }
        Ok(keys)
    }
}
