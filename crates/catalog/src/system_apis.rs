//! Platform models (system APIs): their rows, pricing, channel health and probes, Manifest
//! imports and the built-in templates' installation.
use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use miaojing_api_types::providers::{PricingInput, SystemApiInput};
use miaojing_domain::provider::{ChannelEvent, ChannelHealth, SystemApi};
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use crate::input::{pricing, system_api_from, text};
use crate::{CatalogService, HEALTH_POLICY};

fn missing() -> Error {
    Error::not_found(ErrorCode::SystemApiNotFound, "系统 API 不存在")
}

/// `invalid_batch` when an import would create more than `max` rows.
pub fn check_import_size(count: usize, max: usize) -> Result<()> {
    if count > max {
        return Err(Error::validation(ErrorCode::InvalidBatch, format!("一次最多导入 {max} 个配置")));
    }
    Ok(())
}

/// A channel re-tested now: the row, its health after the probe, and when.
#[derive(Debug, Clone)]
pub struct ProbeOutcome {
    pub api: SystemApi,
    pub health: ChannelHealth,
    pub at: DateTime<Utc>,
}

impl CatalogService {
    /// Every system API (or only the active ones) by display name and sort order.
    pub async fn system_apis(&self, include_inactive: bool) -> Result<Vec<SystemApi>> {
        self.store.list_system_apis(include_inactive).await
    }

    /// Adds a platform model (its key encrypted).
    pub async fn create_system_api(&self, input: SystemApiInput) -> Result<SystemApi> {
        let api = system_api_from(input, None, &self.secrets, Utc::now())?;
        Ok(self.store.insert_system_apis(vec![api]).await?.remove(0))
    }

    /// Replaces the platform model `input.id`, keeping what the input leaves out (see
    /// [`system_api_from`]).
    pub async fn update_system_api(&self, input: SystemApiInput) -> Result<SystemApi> {
        let id = input.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少 API ID、显示名称或模型名称"))?;
        let existing = self.store.system_api(id).await?.ok_or_else(missing)?;
        let api = system_api_from(input, Some(&existing), &self.secrets, Utc::now())?;
        self.store.update_system_api(api).await?.ok_or_else(missing)
    }

    /// Deletes a platform model.
    pub async fn delete_system_api(&self, id: Option<Uuid>) -> Result<()> {
        let id = id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少 API ID"))?;
        if !self.store.delete_system_api(id).await? {
            return Err(missing());
        }
        Ok(())
    }

    /// Changes only the price (and, when given, the price note) of a platform model.
    pub async fn set_pricing(&self, id: Uuid, b: PricingInput) -> Result<SystemApi> {
        let mut api = self.store.system_api(id).await?.ok_or_else(missing)?;
        api.pricing =
            pricing(Some(&b.billing_mode), b.credits_per_use, b.duration_price_per_second, b.input_price_per_1m, b.output_price_per_1m)?;
        if b.price_note.is_some() {
            api.price_note = text(b.price_note, 1000, ErrorCode::InvalidPriceNote, "价格说明")?;
        }
        api.updated_at = Utc::now();
        self.store.update_system_api(api).await?.ok_or_else(missing)
    }

    /// Every system API with its channel health (none for a channel never used).
    pub async fn channel_health(&self) -> Result<Vec<(SystemApi, Option<ChannelHealth>)>> {
        let apis = self.store.list_system_apis(true).await?;
        let mut by_id: HashMap<Uuid, ChannelHealth> =
            self.store.list_channel_health().await?.into_iter().map(|h| (h.channel_id, h)).collect();
        Ok(apis
            .into_iter()
            .map(|a| {
                let h = by_id.remove(&a.id);
                (a, h)
            })
            .collect())
    }

    /// Re-tests a channel now with `test` (given the row and its plain key; it answers the
    /// upstream's refusal as text) and records the probe: a healthy answer lifts its freeze.
    /// A key that cannot be decrypted, or none, fails the probe without calling `test`.
    pub async fn probe<F, Fut>(&self, id: Uuid, test: F) -> Result<ProbeOutcome>
    where
        F: FnOnce(SystemApi, String) -> Fut,
        Fut: Future<Output = std::result::Result<(), String>>,
    {
        let api = self.store.system_api(id).await?.ok_or_else(missing)?;
        let key = if api.api_key_encrypted.is_empty() { Ok(String::new()) } else { self.secrets.decrypt(&api.api_key_encrypted) };
        let outcome = match key {
            Err(_) => Err("API 密钥无法解密".to_string()),
            Ok(k) if k.is_empty() => Err("未填写 API Key".to_string()),
            Ok(k) => test(api.clone(), k).await,
        };
        let event = ChannelEvent::Probe { ok: outcome.is_ok(), error: outcome.err() };
        let at = Utc::now();
        let health = self.store.record_channel_event(api.id, event, at, &HEALTH_POLICY).await?;
        Ok(ProbeOutcome { api, health, at })
    }

    /// Stores imported platform models (all or nothing).
    pub async fn import_system_apis(&self, rows: Vec<SystemApi>) -> Result<Vec<SystemApi>> {
        self.store.insert_system_apis(rows).await
    }

    /// Installs template rows: a row whose model group and model name are already installed is
    /// refreshed (provider, media type, protocol, Manifest and capabilities; its key, URL,
    /// price and switches stay), the others are added. Returns the rows installed.
    pub async fn install_templates(&self, fresh: Vec<SystemApi>, now: DateTime<Utc>) -> Result<Vec<SystemApi>> {
        let installed = self.store.list_system_apis(true).await?;
        let mut to_insert = Vec::new();
        let mut imported = Vec::new();
        for row in fresh {
            let existing = installed.iter().find(|e| e.model_group == row.model_group && e.model_name == row.model_name);
            match existing {
                Some(e) => {
                    let mut refreshed = e.clone();
                    refreshed.provider = row.provider;
                    refreshed.media_type = row.media_type;
                    refreshed.protocol = row.protocol;
                    refreshed.manifest = row.manifest;
                    refreshed.capabilities = row.capabilities;
                    refreshed.updated_at = now;
                    if let Some(saved) = self.store.update_system_api(refreshed).await? {
                        imported.push(saved);
                    }
                }
                None => to_insert.push(row),
            }
        }
        imported.extend(self.store.insert_system_apis(to_insert).await?);
        Ok(imported)
    }
}
