//! Rows of the provider tables as domain values, their column lists and JSON columns.
use miaojing_domain::provider::{
    ApiProvider, ChannelHealth, MediaType, ModelRecommendation, PollingMode, Pricing, Protocol, StylePreset, SystemApi, UserApiKey,
};
use miaojing_domain::user::Tier;
use miaojing_domain::{Error, Result};
use serde_json::Value;
use sqlx::types::Json;

use crate::errors::bad_data;
use crate::read_row;
use crate::row::ReadRow;

/// A JSON column as bound (TEXT on SQLite, JSONB on PostgreSQL).
pub type JsonCol = Json<Value>;

/// A value as a JSON column.
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<JsonCol> {
    serde_json::to_value(v).map(Json).map_err(|e| Error::internal(format!("json column: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(row: &impl ReadRow, name: &str) -> Result<T> {
    let value: Json<Value> = row.col(name)?;
    serde_json::from_value(value.0).map_err(|e| bad_data(name, e))
}

fn opt_json(row: &impl ReadRow, name: &str) -> Result<Option<Value>> {
    let value: Option<Json<Value>> = row.col(name)?;
    Ok(value.map(|v| v.0))
}

fn media(row: &impl ReadRow) -> Result<MediaType> {
    let s: String = row.col("type")?;
    MediaType::parse(&s).map_err(|_| bad_data("type", s))
}

fn protocol(row: &impl ReadRow) -> Result<Protocol> {
    let s: String = row.col("protocol")?;
    Protocol::parse(&s).map_err(|_| bad_data("protocol", s))
}

/// Tiers as stored (their names).
pub fn tiers_json(tiers: &[Tier]) -> Result<JsonCol> {
    to_json(&tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>())
}

/// The column list read by the matching row reader.
pub const SYSTEM_API_COLUMNS: &str = "id, provider, name, api_url, model_name, model_group, note, type, protocol, \
     manifest, capabilities, api_key_encrypted, api_key_preview, pricing, price_note, allowed_membership_tiers, is_default, \
     is_active, polling_mode, polling_order, video_usage_modes, sort_order, created_at, updated_at";

/// Reads a row as a `SystemApi`.
pub fn system_api(row: &impl ReadRow) -> Result<SystemApi> {
    let tiers: Vec<String> = json(row, "allowed_membership_tiers")?;
    let polling: String = row.col("polling_mode")?;
    let pricing: Pricing = json(row, "pricing")?;
    read_row!(row => SystemApi {
        id, provider, name, api_url, model_name, model_group, note, api_key_encrypted, api_key_preview,
        price_note, is_default, is_active, polling_order, sort_order, created_at, updated_at;
        media_type: media(row)?,
        protocol: protocol(row)?,
        manifest: opt_json(row, "manifest")?,
        capabilities: json(row, "capabilities")?,
        pricing,
        allowed_tiers: tiers.iter().map(|t| Tier::parse(t).map_err(|_| bad_data("tier", t))).collect::<Result<_>>()?,
        polling_mode: PollingMode::parse(&polling).map_err(|_| bad_data("polling_mode", &polling))?,
        video_usage_modes: json(row, "video_usage_modes")?,
    })
}

/// The column list read by the matching row reader.
pub const USER_KEY_COLUMNS: &str = "id, user_id, provider, supplier_name, api_url, model_name, note, type, protocol, \
     manifest, capabilities, api_key_encrypted, api_key_preview, is_active, created_at, updated_at";

/// Reads a row as a `UserApiKey`.
pub fn user_api_key(row: &impl ReadRow) -> Result<UserApiKey> {
    read_row!(row => UserApiKey {
        id, user_id, provider, supplier_name, api_url, model_name, note, api_key_encrypted, api_key_preview,
        is_active, created_at, updated_at;
        media_type: media(row)?,
        protocol: protocol(row)?,
        manifest: opt_json(row, "manifest")?,
        capabilities: json(row, "capabilities")?,
    })
}

/// The column list read by the matching row reader.
pub const PROVIDER_COLUMNS: &str = "id, name, default_api_url, default_model, type, website, is_active, sort_order, created_at, updated_at";

/// Reads a row as a `ApiProvider`.
pub fn api_provider(row: &impl ReadRow) -> Result<ApiProvider> {
    read_row!(row => ApiProvider {
        id, name, default_api_url, default_model, website, is_active, sort_order, created_at, updated_at;
        media_type: media(row)?,
    })
}

/// The column list read by the matching row reader.
pub const RECOMMENDATION_COLUMNS: &str = "id, model_name, display_name, type, provider_id, is_active, sort_order, created_at, updated_at";

/// Reads a row as a `ModelRecommendation`.
pub fn recommendation(row: &impl ReadRow) -> Result<ModelRecommendation> {
    read_row!(row => ModelRecommendation {
        id, model_name, display_name, provider_id, is_active, sort_order, created_at, updated_at;
        media_type: media(row)?,
    })
}

/// The column list read by the matching row reader.
pub const PRESET_COLUMNS: &str = "id, label, prompt, usage_count, is_active, sort_order, created_at, updated_at";

/// Reads a row as a `StylePreset`.
pub fn style_preset(row: &impl ReadRow) -> Result<StylePreset> {
    read_row!(row => StylePreset {
        id, label, prompt, usage_count, is_active, sort_order, created_at, updated_at
    })
}

/// The column list read by the matching row reader.
pub const HEALTH_COLUMNS: &str = "channel_id, window_start, errors_current, errors_previous, successes, frozen_until, \
     last_error, last_error_at, last_success_at, last_probe_at, updated_at";

/// Reads a row as a `ChannelHealth`.
pub fn channel_health(row: &impl ReadRow) -> Result<ChannelHealth> {
    read_row!(row => ChannelHealth {
        channel_id, window_start, errors_current, errors_previous, successes, frozen_until, last_error,
        last_error_at, last_success_at, last_probe_at, updated_at
    })
}
