//! Provider presets, model recommendations and style presets (admin lists and edits; users
//! see the active style presets).
use chrono::Utc;
use miaojing_api_types::providers::{ProviderInput, RecommendationInput, StylePresetInput};
use miaojing_domain::provider::{ApiProvider, ModelCatalog, ModelRecommendation, StylePreset};
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use crate::input::{preset_from, provider_from, recommendation_from};
use crate::CatalogService;

/// `id_required` naming what is missing.
fn id_of(id: Option<Uuid>, what: &str) -> Result<Uuid> {
    id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, format!("缺少{what} ID")))
}

fn provider_missing() -> Error {
    Error::not_found(ErrorCode::ProviderNotFound, "供应商不存在")
}

fn recommendation_missing() -> Error {
    Error::not_found(ErrorCode::RecommendationNotFound, "推荐模型不存在")
}

fn preset_missing() -> Error {
    Error::not_found(ErrorCode::StylePresetNotFound, "风格不存在")
}

impl CatalogService {
    /// The platform part of what users may create with: active providers, recommendations
    /// and platform models.
    pub async fn model_catalog(&self) -> Result<ModelCatalog> {
        self.store.model_catalog(None).await
    }

    /// Every provider preset.
    pub async fn providers(&self) -> Result<Vec<ApiProvider>> {
        self.store.list_providers(false).await
    }

    /// Adds a provider preset (names are unique).
    pub async fn create_provider(&self, input: ProviderInput) -> Result<ApiProvider> {
        let now = Utc::now();
        let p = provider_from(input, Uuid::new_v4(), now, now)?;
        self.store.create_provider(p.clone()).await?;
        Ok(p)
    }

    /// Replaces the provider preset `input.id`.
    pub async fn update_provider(&self, input: ProviderInput) -> Result<ApiProvider> {
        let id = input.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少供应商 ID 或名称"))?;
        let p = provider_from(input, id, Utc::now(), Utc::now())?;
        self.store.update_provider(p).await?.ok_or_else(provider_missing)
    }

    /// Deletes a provider preset (recommendations lose the link).
    pub async fn delete_provider(&self, id: Option<Uuid>) -> Result<()> {
        if !self.store.delete_provider(id_of(id, "供应商")?).await? {
            return Err(provider_missing());
        }
        Ok(())
    }

    /// Every recommendation.
    pub async fn recommendations(&self) -> Result<Vec<ModelRecommendation>> {
        self.store.list_recommendations(false).await
    }

    /// Adds a recommendation.
    pub async fn create_recommendation(&self, input: RecommendationInput) -> Result<ModelRecommendation> {
        let now = Utc::now();
        let r = recommendation_from(input, Uuid::new_v4(), now, now)?;
        self.store.create_recommendation(r.clone()).await?;
        Ok(r)
    }

    /// Replaces the recommendation `input.id`.
    pub async fn update_recommendation(&self, input: RecommendationInput) -> Result<ModelRecommendation> {
        let id = input.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少推荐项 ID 或模型名称"))?;
        let r = recommendation_from(input, id, Utc::now(), Utc::now())?;
        self.store.update_recommendation(r).await?.ok_or_else(recommendation_missing)
    }

    /// Deletes a recommendation.
    pub async fn delete_recommendation(&self, id: Option<Uuid>) -> Result<()> {
        if !self.store.delete_recommendation(id_of(id, "推荐项")?).await? {
            return Err(recommendation_missing());
        }
        Ok(())
    }

    /// Style presets, most used first: only the active ones, or every one.
    pub async fn style_presets(&self, active_only: bool) -> Result<Vec<StylePreset>> {
        self.store.list_style_presets(active_only).await
    }

    /// Adds a style preset (labels are unique).
    pub async fn create_style_preset(&self, input: StylePresetInput) -> Result<StylePreset> {
        let now = Utc::now();
        let base = StylePreset {
            id: Uuid::new_v4(),
            label: String::new(),
            prompt: String::new(),
            usage_count: 0,
            is_active: true,
            sort_order: 0,
            created_at: now,
            updated_at: now,
        };
        let p = preset_from(input, base, now)?;
        self.store.create_style_preset(p.clone()).await?;
        Ok(p)
    }

    /// Replaces the label, prompt, state or order of the style preset `input.id`.
    pub async fn update_style_preset(&self, input: StylePresetInput) -> Result<StylePreset> {
        let id = input.id.ok_or_else(|| Error::validation(ErrorCode::IdRequired, "缺少风格 ID"))?;
        let existing = self.store.list_style_presets(false).await?.into_iter().find(|p| p.id == id).ok_or_else(preset_missing)?;
        let p = preset_from(input, existing, Utc::now())?;
        self.store.update_style_preset(p).await?.ok_or_else(preset_missing)
    }

    /// Deletes a style preset.
    pub async fn delete_style_preset(&self, id: Option<Uuid>) -> Result<()> {
        if !self.store.delete_style_preset(id_of(id, "风格")?).await? {
            return Err(preset_missing());
        }
        Ok(())
    }
}
