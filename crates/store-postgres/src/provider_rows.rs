//! Rows of the provider tables as domain values, and their JSON columns.
use miaojing_domain::provider::{
    ApiProvider, ChannelHealth, MediaType, ModelRecommendation, PollingMode, Pricing, Protocol, StylePreset, SystemApi, UserApiKey,
};
use miaojing_domain::user::Tier;
use miaojing_domain::{Error, Result};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Decode, Postgres, Row, Type};

/// A JSON column as bound.
pub(crate) type JsonCol = Json<Value>;

fn col<'r, T>(row: &'r PgRow, name: &str) -> Result<T>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(name).map_err(|e| Error::internal(format!("postgres: column {name}: {e}")))
}

/// A value as a JSON column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<JsonCol> {
    serde_json::to_value(v).map(Json).map_err(|e| Error::internal(format!("json column: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(row: &PgRow, name: &str) -> Result<T> {
    let value: Json<Value> = col(row, name)?;
    serde_json::from_value(value.0).map_err(|e| bad_data(name, e))
}

fn opt_json(row: &PgRow, name: &str) -> Result<Option<Value>> {
    let value: Option<Json<Value>> = col(row, name)?;
    Ok(value.map(|v| v.0))
}

fn media(row: &PgRow) -> Result<MediaType> {
    let s: String = col(row, "type")?;
    MediaType::parse(&s).map_err(|_| bad_data("type", s))
}

fn protocol(row: &PgRow) -> Result<Protocol> {
    let s: String = col(row, "protocol")?;
    Protocol::parse(&s).map_err(|_| bad_data("protocol", s))
}

/// Tiers as stored (their names).
pub(crate) fn tiers_json(tiers: &[Tier]) -> Result<JsonCol> {
    to_json(&tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>())
}

pub(crate) const SYSTEM_API_COLUMNS: &str = "id, provider, name, api_url, model_name, model_group, note, type, protocol, \
     manifest, capabilities, api_key_encrypted, api_key_preview, pricing, price_note, allowed_membership_tiers, is_default, \
     is_active, polling_mode, polling_order, video_usage_modes, sort_order, created_at, updated_at";

pub(crate) fn system_api(row: &PgRow) -> Result<SystemApi> {
    let tiers: Vec<String> = json(row, "allowed_membership_tiers")?;
    let polling: String = col(row, "polling_mode")?;
    let pricing: Pricing = json(row, "pricing")?;
    Ok(SystemApi {
        id: col(row, "id")?,
        provider: col(row, "provider")?,
        name: col(row, "name")?,
        api_url: col(row, "api_url")?,
        model_name: col(row, "model_name")?,
        model_group: col(row, "model_group")?,
        note: col(row, "note")?,
        media_type: media(row)?,
        protocol: protocol(row)?,
        manifest: opt_json(row, "manifest")?,
        capabilities: json(row, "capabilities")?,
        api_key_encrypted: col(row, "api_key_encrypted")?,
        api_key_preview: col(row, "api_key_preview")?,
        pricing,
        price_note: col(row, "price_note")?,
        allowed_tiers: tiers.iter().map(|t| Tier::parse(t).map_err(|_| bad_data("tier", t))).collect::<Result<_>>()?,
        is_default: col(row, "is_default")?,
        is_active: col(row, "is_active")?,
        polling_mode: PollingMode::parse(&polling).map_err(|_| bad_data("polling_mode", &polling))?,
        polling_order: col(row, "polling_order")?,
        video_usage_modes: json(row, "video_usage_modes")?,
        sort_order: col(row, "sort_order")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) const USER_KEY_COLUMNS: &str = "id, user_id, provider, supplier_name, api_url, model_name, note, type, protocol, \
     manifest, capabilities, api_key_encrypted, api_key_preview, is_active, created_at, updated_at";

pub(crate) fn user_api_key(row: &PgRow) -> Result<UserApiKey> {
    Ok(UserApiKey {
        id: col(row, "id")?,
        user_id: col(row, "user_id")?,
        provider: col(row, "provider")?,
        supplier_name: col(row, "supplier_name")?,
        api_url: col(row, "api_url")?,
        model_name: col(row, "model_name")?,
        note: col(row, "note")?,
        media_type: media(row)?,
        protocol: protocol(row)?,
        manifest: opt_json(row, "manifest")?,
        capabilities: json(row, "capabilities")?,
        api_key_encrypted: col(row, "api_key_encrypted")?,
        api_key_preview: col(row, "api_key_preview")?,
        is_active: col(row, "is_active")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) const PROVIDER_COLUMNS: &str =
    "id, name, default_api_url, default_model, type, website, is_active, sort_order, created_at, updated_at";

pub(crate) fn api_provider(row: &PgRow) -> Result<ApiProvider> {
    Ok(ApiProvider {
        id: col(row, "id")?,
        name: col(row, "name")?,
        default_api_url: col(row, "default_api_url")?,
        default_model: col(row, "default_model")?,
        media_type: media(row)?,
        website: col(row, "website")?,
        is_active: col(row, "is_active")?,
        sort_order: col(row, "sort_order")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) const RECOMMENDATION_COLUMNS: &str =
    "id, model_name, display_name, type, provider_id, is_active, sort_order, created_at, updated_at";

pub(crate) fn recommendation(row: &PgRow) -> Result<ModelRecommendation> {
    Ok(ModelRecommendation {
        id: col(row, "id")?,
        model_name: col(row, "model_name")?,
        display_name: col(row, "display_name")?,
        media_type: media(row)?,
        provider_id: col(row, "provider_id")?,
        is_active: col(row, "is_active")?,
        sort_order: col(row, "sort_order")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) const PRESET_COLUMNS: &str = "id, label, prompt, usage_count, is_active, sort_order, created_at, updated_at";

pub(crate) fn style_preset(row: &PgRow) -> Result<StylePreset> {
    Ok(StylePreset {
        id: col(row, "id")?,
        label: col(row, "label")?,
        prompt: col(row, "prompt")?,
        usage_count: col(row, "usage_count")?,
        is_active: col(row, "is_active")?,
        sort_order: col(row, "sort_order")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

pub(crate) const HEALTH_COLUMNS: &str = "channel_id, window_start, errors_current, errors_previous, successes, frozen_until, \
     last_error, last_error_at, last_success_at, last_probe_at, updated_at";

pub(crate) fn channel_health(row: &PgRow) -> Result<ChannelHealth> {
    Ok(ChannelHealth {
        channel_id: col(row, "channel_id")?,
        window_start: col(row, "window_start")?,
        errors_current: col(row, "errors_current")?,
        errors_previous: col(row, "errors_previous")?,
        successes: col(row, "successes")?,
        frozen_until: col(row, "frozen_until")?,
        last_error: col(row, "last_error")?,
        last_error_at: col(row, "last_error_at")?,
        last_success_at: col(row, "last_success_at")?,
        last_probe_at: col(row, "last_probe_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

/// A stored value the code does not understand.
fn bad_data(what: &str, value: impl std::fmt::Debug) -> Error {
    Error::internal(format!("postgres: unexpected {what} {value:?}"))
}
