//! Models and keys: the model catalogue, users' own API keys, admin system APIs, the provider
//! catalogue, model recommendations, style presets and channel health. camelCase like the
//! original; keys never appear, only `apiKeyPreview` (`apiKey` is always empty).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::vocab::{MediaType, PollingMode, Protocol, Tier};

/// A provider preset of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    pub id: Uuid,
    pub name: String,
    pub default_api_url: String,
    pub default_model: String,
    #[serde(rename = "type")]
    pub media_type: MediaType,
    pub website: String,
    pub is_active: bool,
    pub sort_order: i32,
}

/// Create or replace a provider (`id` for PUT).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderInput {
    pub id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 128, pattern = r"\S"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 2048, pattern = r"^\s*(https?://\S+)?\s*$"))]
    pub default_api_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub default_model: Option<String>,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MediaType>))]
    pub media_type: Option<String>,
    pub website: Option<String>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderList {
    pub providers: Vec<ProviderView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderOne {
    pub provider: ProviderView,
}

/// A recommended model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RecommendationView {
    pub id: Uuid,
    pub model_name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub media_type: MediaType,
    pub provider_id: Option<Uuid>,
    pub is_active: bool,
    pub sort_order: i32,
}

/// Create or replace a recommendation (`id` for PUT).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RecommendationInput {
    pub id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 255, pattern = r"\S"))]
    pub model_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MediaType>))]
    pub media_type: Option<String>,
    pub provider_id: Option<Uuid>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationList {
    pub recommendations: Vec<RecommendationView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationOne {
    pub recommendation: RecommendationView,
}

/// An image style preset.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StylePresetView {
    pub id: Uuid,
    pub label: String,
    pub prompt: String,
    pub usage_count: i64,
    pub sort_order: i32,
    pub is_active: bool,
}

/// Create or replace a style preset (`id` for PUT).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StylePresetInput {
    pub id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 128, pattern = r"\S"))]
    pub label: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 4000, pattern = r"\S"))]
    pub prompt: Option<String>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StylePresetList {
    pub presets: Vec<StylePresetView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StylePresetOne {
    pub preset: StylePresetView,
}

/// Price of a platform model, in credits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PriceView {
    /// `free`, `fixed` (per use), `duration` (per second of video) or `token` (per 1M tokens).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::vocab::BillingMode))]
    pub billing_mode: String,
    pub credits_per_use: i64,
    pub duration_price_per_second: i64,
    pub input_price_per_1m: i64,
    pub output_price_per_1m: i64,
}

/// A platform model as every signed-in user sees it: no URL, no key material.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlatformModel {
    /// The row to name as `systemApiId`; failover may serve any row of the same display name.
    pub id: Uuid,
    pub name: String,
    pub model_name: String,
    #[serde(rename = "type")]
    pub media_type: MediaType,
    pub capabilities: Value,
    #[serde(flatten)]
    pub price: PriceView,
    pub price_note: String,
    pub video_usage_modes: Vec<String>,
    pub is_default: bool,
}

/// A user's key as shown to its owner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserApiKeyView {
    pub id: Uuid,
    pub provider: String,
    pub supplier_name: String,
    pub api_url: String,
    pub model_name: String,
    pub note: String,
    /// Always empty.
    pub api_key: String,
    pub api_key_preview: String,
    #[serde(rename = "type")]
    pub media_type: MediaType,
    /// `openai` or `manifest` (smart import).
    pub protocol: Protocol,
    pub capabilities: Value,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/model-config`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelConfig {
    pub providers: Vec<ProviderView>,
    pub recommendations: Vec<RecommendationView>,
    /// One entry per media type and display name, filtered by the caller's tier.
    pub system_apis: Vec<PlatformModel>,
    /// The caller's own keys.
    pub user_keys: Vec<UserApiKeyView>,
}

/// One key to create (no `id`) or update (`id`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserApiKeyInput {
    pub id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(max_length = 4096))]
    pub api_key: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub provider: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub supplier_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 2048, pattern = r"^\s*(https?://\S+)?\s*$"))]
    pub api_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub model_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: Option<String>,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MediaType>))]
    pub media_type: Option<String>,
    pub is_active: Option<bool>,
}

/// `POST`/`PUT /api/user-api-keys`: `{ keys: [...] }` or one item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum UserApiKeySave {
    Many { keys: Vec<UserApiKeyInput> },
    One(UserApiKeyInput),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserApiKeyList {
    pub keys: Vec<UserApiKeyView>,
}

/// `POST /api/auth/fetch-models` and `/api/auth/test-api`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpstreamProbe {
    /// An absolute http(s) URL (required unless `keyId` is given).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*https?://\S+\s*$"))]
    pub api_url: Option<String>,
    /// A key to try; or `keyId` to use one of the caller's stored keys.
    pub api_key: Option<String>,
    pub key_id: Option<Uuid>,
    pub provider: Option<String>,
    pub model_name: Option<String>,
}

/// A model the upstream lists.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpstreamModel {
    pub id: String,
    pub name: String,
    pub description: String,
    pub provider: String,
}

/// Outcome of a probe (HTTP 200 either way, like the original).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpstreamProbeResult {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<UpstreamModel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
}

/// A system API as admins see it (`apiKey` always empty).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemApiView {
    pub id: Uuid,
    pub provider: String,
    pub name: String,
    pub api_url: String,
    pub model_name: String,
    pub model_group: String,
    pub note: String,
    pub api_key: String,
    pub api_key_preview: String,
    #[serde(rename = "type")]
    pub media_type: MediaType,
    pub protocol: Protocol,
    #[serde(flatten)]
    pub price: PriceView,
    pub price_note: String,
    pub capabilities: Value,
    pub is_default: bool,
    pub allowed_membership_tiers: Vec<Tier>,
    pub polling_mode: PollingMode,
    pub polling_order: i32,
    pub video_usage_modes: Vec<String>,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create (`POST`) or replace (`PUT`, with `id`) a system API. On PUT every omitted field
/// takes its default, except the key: kept unless `apiKey` is non-empty (and not `********`)
/// or `clearApiKey` is true.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemApiInput {
    pub id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 255, pattern = r"\S"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, max_length = 255, pattern = r"\S"))]
    pub model_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub provider: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 2048, pattern = r"^\s*(https?://\S+)?\s*$"))]
    pub api_url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub model_group: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 4096))]
    pub api_key: Option<String>,
    pub clear_api_key: Option<bool>,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MediaType>))]
    pub media_type: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::vocab::BillingMode>))]
    pub billing_mode: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub credits_per_use: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub duration_price_per_second: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub input_price_per_1m: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub output_price_per_1m: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub price_note: Option<String>,
    pub capabilities: Option<Value>,
    pub is_default: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Tier>>))]
    pub allowed_membership_tiers: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<PollingMode>))]
    pub polling_mode: Option<String>,
    pub polling_order: Option<i32>,
    pub video_usage_modes: Option<Vec<String>>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

/// `PUT /api/admin/system-apis/{id}/pricing`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PricingInput {
    #[cfg_attr(feature = "openapi", schema(value_type = crate::vocab::BillingMode))]
    pub billing_mode: String,
    pub credits_per_use: Option<i64>,
    pub duration_price_per_second: Option<i64>,
    pub input_price_per_1m: Option<i64>,
    pub output_price_per_1m: Option<i64>,
    pub price_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemApiList {
    pub apis: Vec<SystemApiView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemApiOne {
    pub api: SystemApiView,
}

/// One channel's health as admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelHealthView {
    pub channel_id: Uuid,
    pub name: String,
    pub model_name: String,
    #[serde(rename = "type")]
    pub media_type: MediaType,
    pub is_active: bool,
    pub errors_in_window: i64,
    pub frozen: bool,
    pub frozen_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_probe_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelHealthList {
    pub channels: Vec<ChannelHealthView>,
}

/// `POST /api/user-api-keys/smart-import`: a Manifest bundle (`{customProviders, profiles}`)
/// or one provider object, as JSON text (a Markdown code fence around it is accepted).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SmartImportInput {
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, pattern = r"\S", example = json!(crate::EXAMPLE_MANIFEST)))]
    pub config_text: Option<String>,
}

/// Keys created by a user smart import (their `apiKey` is to be filled in unless the bundle
/// carried one).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSmartImportResult {
    pub success: bool,
    pub keys: Vec<UserApiKeyView>,
    pub message: String,
}

/// `POST /api/admin/system-apis/smart-import`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SystemSmartImportInput {
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = String, pattern = r"\S", example = json!(crate::EXAMPLE_MANIFEST)))]
    pub config_text: Option<String>,
    /// Empty or absent: every tier.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Tier>>))]
    pub allowed_membership_tiers: Option<Vec<String>>,
    /// Default true.
    pub is_default: Option<bool>,
    /// Fixed price per use in credits (default 10); `fixedPrice` is accepted too.
    #[serde(alias = "fixedPrice")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub credits_per_use: Option<i64>,
}

/// System APIs created by an admin smart import.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemSmartImportResult {
    pub success: bool,
    pub apis: Vec<SystemApiView>,
    pub message: String,
}

/// One built-in Agnes AI template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BuiltinTemplateView {
    pub name: String,
    pub model_name: String,
    /// `image`, `video` or `text`.
    #[serde(rename = "type")]
    pub media_type: MediaType,
    pub model_group: String,
    pub description: String,
    /// What the create page offers for it (sizes, durations, …).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub capabilities: Value,
}

/// `GET /api/admin/system-apis/agnes-capabilities`: the built-in Agnes AI catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgnesCatalog {
    pub success: bool,
    pub capabilities_text: String,
    pub image_templates: Vec<BuiltinTemplateView>,
    pub video_templates: Vec<BuiltinTemplateView>,
    pub text_templates: Vec<BuiltinTemplateView>,
}

/// `POST /api/admin/system-apis/agnes-capabilities`: which template kinds to install.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgnesInstallInput {
    pub sync_image_models: Option<bool>,
    pub sync_video_models: Option<bool>,
    pub sync_text_models: Option<bool>,
    /// Tiers for newly installed rows; empty or absent: every tier.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Tier>>))]
    pub allowed_membership_tiers: Option<Vec<String>>,
    /// Default true (offered to users once enabled).
    pub is_default: Option<bool>,
}

/// The result of installing Agnes templates: the catalogue plus the rows installed or refreshed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgnesInstallResult {
    #[serde(flatten)]
    pub catalog: AgnesCatalog,
    pub imported_apis: Vec<SystemApiView>,
    pub message: String,
}
