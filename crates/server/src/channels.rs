//! Stored provider rows turned into callable channels, smart-import results turned into rows,
//! and the model listing / connection test of the key pages through [`ProviderClient`].
use chrono::{DateTime, Utc};
use miaojing_domain::provider::{key_preview, MediaType, PollingMode, Pricing, Protocol, SystemApi, UserApiKey};
use miaojing_domain::user::Tier;
use miaojing_domain::{Error, Result};
use miaojing_outbound::OutboundClient;
use miaojing_providers::adapters::{ConnectionReport, ProviderClient};
use miaojing_providers::channel::{self, ChannelConfig, UpstreamModel};
use miaojing_providers::import::{ImportOutput, ImportedChannel};
use miaojing_providers::manifest::Manifest;
use miaojing_providers::secrets::SecretBox;
use serde_json::Value;
use uuid::Uuid;

/// Preview of an imported row whose key is still to be filled in.
pub const KEY_TO_FILL: &str = "待填写";

/// A channel for a stored row: its URL, model and protocol, the plain key given, and its
/// Manifest when the row is Manifest-backed. This is the one place a stored row becomes a
/// channel: a Manifest row whose Manifest is missing or unreadable is `invalid_manifest`
/// (never an OpenAI-compatible channel in its place).
pub fn channel_for(
    protocol: Protocol,
    api_url: &str,
    model: &str,
    media_type: MediaType,
    manifest: Option<&Value>,
    plain_key: &str,
) -> Result<ChannelConfig> {
    let ch = ChannelConfig::new(channel::Protocol::OpenAiCompatible, api_url, plain_key, model, media_type);
    match protocol {
        Protocol::Openai => Ok(ch),
        Protocol::Manifest => {
            let manifest = Manifest::from_stored(manifest.unwrap_or(&Value::Null))?;
            Ok(ch.with_manifest(manifest))
        }
    }
}

/// The plain key of a stored encrypted key: empty when none is stored or it cannot be
/// decrypted (such a channel is skipped as keyless).
fn plain_key(secrets: &SecretBox, encrypted: &str) -> String {
    if encrypted.is_empty() {
        return String::new();
    }
    secrets.decrypt(encrypted).unwrap_or_default()
}

/// The callable channel of a platform row (see [`channel_for`]; an undecryptable key is empty).
pub fn system_channel(secrets: &SecretBox, api: &SystemApi) -> Result<ChannelConfig> {
    let key = plain_key(secrets, &api.api_key_encrypted);
    channel_for(api.protocol, &api.api_url, &api.model_name, api.media_type, api.manifest.as_ref(), &key)
}

/// The callable channel of a user's key (see [`channel_for`]; an undecryptable key is empty).
pub fn user_channel(secrets: &SecretBox, key: &UserApiKey) -> Result<ChannelConfig> {
    let plain = plain_key(secrets, &key.api_key_encrypted);
    channel_for(key.protocol, &key.api_url, &key.model_name, key.media_type, key.manifest.as_ref(), &plain)
}

/// The `/models` listing of a channel, in the key page's shape (`provider` labels each entry).
pub async fn list_models(
    http: &OutboundClient,
    ch: &ChannelConfig,
    provider: &str,
) -> Result<Vec<miaojing_api_types::providers::UpstreamModel>> {
    let models = ProviderClient::new(http.clone()).list_models(ch).await?;
    Ok(models.into_iter().map(|m: UpstreamModel| view(m, provider)).collect())
}

/// Tests a channel's URL and key (its `/models`; no paid generation).
pub async fn test_connection(http: &OutboundClient, ch: &ChannelConfig) -> Result<ConnectionReport> {
    ProviderClient::new(http.clone()).test_connection(ch).await
}

fn view(m: UpstreamModel, provider: &str) -> miaojing_api_types::providers::UpstreamModel {
    miaojing_api_types::providers::UpstreamModel {
        name: m.id.clone(),
        id: m.id,
        description: m.owned_by.unwrap_or_default(),
        provider: provider.to_string(),
    }
}

/// The upstream HTTP status an error carries in its detail (`upstream HTTP 401: …`).
pub fn upstream_status(e: &Error) -> Option<u16> {
    let rest = e.detail.as_deref()?.strip_prefix("upstream HTTP ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The bundle without any `apiKey` values (keys are stored encrypted on the row, never in the
/// Manifest's copy of the source).
fn scrubbed(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| !matches!(k.as_str(), "apiKey" | "api_key")).map(|(k, v)| (k.clone(), scrubbed(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(scrubbed).collect()),
        other => other.clone(),
    }
}

/// What every imported row shares: the stored Manifest, capabilities and the key columns.
struct Parts {
    manifest: Value,
    capabilities: Value,
    media_type: MediaType,
    api_key_encrypted: String,
    api_key_preview: String,
}

fn parts(ch: &ImportedChannel, source: &Value, secrets: &SecretBox, now: DateTime<Utc>) -> Result<Parts> {
    let capabilities = serde_json::to_value(&ch.capabilities).map_err(|e| Error::internal(format!("capabilities: {e}")))?;
    let (api_key_encrypted, api_key_preview) = match &ch.api_key {
        Some(k) => (secrets.encrypt(k), key_preview(k)),
        None => (String::new(), KEY_TO_FILL.to_string()),
    };
    Ok(Parts {
        manifest: ch.stored_manifest(source, &now.to_rfc3339()),
        capabilities,
        media_type: ch.media_type,
        api_key_encrypted,
        api_key_preview,
    })
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// One user key row per imported channel, owned by `owner`.
pub fn imported_user_keys(out: &ImportOutput, owner: Uuid, secrets: &SecretBox, now: DateTime<Utc>) -> Result<Vec<UserApiKey>> {
    let source = scrubbed(&out.source);
    out.channels
        .iter()
        .map(|ch| {
            let p = parts(ch, &source, secrets, now)?;
            Ok(UserApiKey {
                id: Uuid::new_v4(),
                user_id: owner,
                provider: clip(&ch.manifest.provider.id, 64),
                supplier_name: clip(&ch.supplier_name, 128),
                api_url: ch.api_url.clone(),
                model_name: clip(&ch.upstream_model, 128),
                note: clip(&ch.note, 1000),
                media_type: p.media_type,
                protocol: Protocol::Manifest,
                manifest: Some(p.manifest),
                capabilities: p.capabilities,
                api_key_encrypted: p.api_key_encrypted,
                api_key_preview: p.api_key_preview,
                is_active: true,
                created_at: now,
                updated_at: now,
            })
        })
        .collect()
}

/// Defaults an admin gives a smart import.
pub struct SystemImportDefaults {
    pub allowed_tiers: Vec<Tier>,
    pub is_default: bool,
    pub credits_per_use: i64,
}

/// One system API row per imported channel (fixed price, active; keyless rows are skipped at
/// generation time until an admin fills the key in).
pub fn imported_system_apis(
    out: &ImportOutput,
    d: &SystemImportDefaults,
    secrets: &SecretBox,
    now: DateTime<Utc>,
) -> Result<Vec<SystemApi>> {
    let pricing = Pricing::Fixed { credits: d.credits_per_use };
    pricing.validate()?;
    let source = scrubbed(&out.source);
    out.channels
        .iter()
        .map(|ch| {
            let p = parts(ch, &source, secrets, now)?;
            Ok(SystemApi {
                id: Uuid::new_v4(),
                provider: clip(&ch.supplier_name, 128),
                name: clip(&ch.display_name, 255),
                api_url: ch.api_url.clone(),
                model_name: clip(&ch.upstream_model, 255),
                model_group: "default".into(),
                note: clip(&ch.display_name, 2000),
                media_type: p.media_type,
                protocol: Protocol::Manifest,
                manifest: Some(p.manifest),
                capabilities: p.capabilities,
                api_key_encrypted: p.api_key_encrypted,
                api_key_preview: p.api_key_preview,
                pricing,
                price_note: "智能配置 API 导入，API Key 需编辑后填写".into(),
                allowed_tiers: d.allowed_tiers.clone(),
                is_default: d.is_default,
                is_active: true,
                polling_mode: PollingMode::Sequential,
                polling_order: 0,
                video_usage_modes: Vec::new(),
                sort_order: 0,
                created_at: now,
                updated_at: now,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_from_detail_and_scrubbing() {
        let e = Error::validation("x", "y").with_detail("upstream HTTP 401: nope");
        assert_eq!(upstream_status(&e), Some(401));
        assert_eq!(upstream_status(&Error::validation("x", "y")), None);
        let v = serde_json::json!({"apiKey": "k", "profiles": [{"apiKey": "k2", "name": "a"}]});
        assert_eq!(scrubbed(&v), serde_json::json!({"profiles": [{"name": "a"}]}));
    }
}
