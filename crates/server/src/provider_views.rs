//! Catalogue rows as the API shows them. Keys never leave: views carry `apiKey: ""` and the
//! stored preview only. (API input is checked into rows by `miaojing_catalog::input`.)
use chrono::{DateTime, Utc};
use miaojing_api_types::providers as api;
pub use miaojing_catalog::HEALTH_POLICY;
use miaojing_domain::provider::{ApiProvider, ChannelHealth, MediaType, ModelRecommendation, Pricing, StylePreset, SystemApi, UserApiKey};

/// A price on the wire.
pub fn price_view(p: &Pricing) -> api::PriceView {
    let mut v = api::PriceView { billing_mode: p.mode().to_string(), ..Default::default() };
    match *p {
        Pricing::Free => {}
        Pricing::Fixed { credits } => v.credits_per_use = credits,
        Pricing::PerSecond { credits_per_second } => v.duration_price_per_second = credits_per_second,
        Pricing::Tokens { input_per_million, output_per_million } => {
            v.input_price_per_1m = input_per_million;
            v.output_price_per_1m = output_per_million;
        }
    }
    v
}

/// A provider preset on the wire.
pub fn provider_view(p: ApiProvider) -> api::ProviderView {
    api::ProviderView {
        id: p.id,
        name: p.name,
        default_api_url: p.default_api_url,
        default_model: p.default_model,
        media_type: p.media_type,
        website: p.website,
        is_active: p.is_active,
        sort_order: p.sort_order,
    }
}

/// A recommendation on the wire.
pub fn recommendation_view(r: ModelRecommendation) -> api::RecommendationView {
    api::RecommendationView {
        id: r.id,
        model_name: r.model_name,
        display_name: r.display_name,
        media_type: r.media_type,
        provider_id: r.provider_id,
        is_active: r.is_active,
        sort_order: r.sort_order,
    }
}

/// A style preset on the wire.
pub fn preset_view(p: StylePreset) -> api::StylePresetView {
    api::StylePresetView {
        id: p.id,
        label: p.label,
        prompt: p.prompt,
        usage_count: p.usage_count,
        sort_order: p.sort_order,
        is_active: p.is_active,
    }
}

/// A user's key on the wire (no key, its preview only).
pub fn user_key_view(k: UserApiKey) -> api::UserApiKeyView {
    api::UserApiKeyView {
        id: k.id,
        supplier_name: if k.supplier_name.is_empty() { k.provider.clone() } else { k.supplier_name },
        provider: k.provider,
        api_url: k.api_url,
        model_name: k.model_name,
        note: k.note,
        api_key: String::new(),
        api_key_preview: k.api_key_preview,
        media_type: k.media_type,
        protocol: k.protocol,
        capabilities: k.capabilities,
        is_active: k.is_active,
        created_at: k.created_at,
    }
}

/// A platform model as offered to users.
pub fn platform_model(a: SystemApi) -> api::PlatformModel {
    api::PlatformModel {
        id: a.id,
        name: a.name,
        model_name: a.model_name,
        media_type: a.media_type,
        capabilities: a.capabilities,
        price: price_view(&a.pricing),
        price_note: a.price_note,
        video_usage_modes: if a.media_type == MediaType::Video { a.video_usage_modes } else { Vec::new() },
        is_default: a.is_default,
    }
}

/// A system API as admins see it (no key, its preview only).
pub fn system_api_view(a: SystemApi) -> api::SystemApiView {
    api::SystemApiView {
        id: a.id,
        provider: a.provider,
        name: a.name,
        api_url: a.api_url,
        model_name: a.model_name,
        model_group: a.model_group,
        note: a.note,
        api_key: String::new(),
        api_key_preview: a.api_key_preview,
        media_type: a.media_type,
        protocol: a.protocol,
        price: price_view(&a.pricing),
        price_note: a.price_note,
        capabilities: a.capabilities,
        is_default: a.is_default,
        allowed_membership_tiers: a.allowed_tiers.clone(),
        polling_mode: a.polling_mode,
        polling_order: a.polling_order,
        video_usage_modes: a.video_usage_modes,
        is_active: a.is_active,
        sort_order: a.sort_order,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// A channel's health at `now` (none recorded = healthy).
pub fn health_view(api: &SystemApi, h: Option<&ChannelHealth>, now: DateTime<Utc>) -> api::ChannelHealthView {
    api::ChannelHealthView {
        channel_id: api.id,
        name: api.name.clone(),
        model_name: api.model_name.clone(),
        media_type: api.media_type,
        is_active: api.is_active,
        errors_in_window: h.map_or(0, |h| h.errors_in_window(now, HEALTH_POLICY.window)),
        frozen: h.is_some_and(|h| h.is_frozen(now)),
        frozen_until: h.and_then(|h| h.frozen_until.filter(|t| *t > now)),
        last_error: h.and_then(|h| h.last_error.clone()),
        last_error_at: h.and_then(|h| h.last_error_at),
        last_success_at: h.and_then(|h| h.last_success_at),
        last_probe_at: h.and_then(|h| h.last_probe_at),
    }
}
