//! Channel health over the store, shared by every instance.
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use miaojing_domain::provider::ChannelEvent;
use miaojing_domain::{Result, Store};
use miaojing_providers::ChannelHealth;
use uuid::Uuid;

use crate::provider_views::HEALTH_POLICY;

/// [`ChannelHealth`] on the store's channel-health rows (the admin health page reads them).
#[derive(Clone)]
pub struct StoreHealth(pub Arc<dyn Store>);

#[async_trait]
impl ChannelHealth for StoreHealth {
    async fn is_frozen(&self, channel: Uuid) -> Result<bool> {
        let now = Utc::now();
        Ok(self.0.channel_health(&[channel]).await?.first().is_some_and(|h| h.is_frozen(now)))
    }

    async fn record_success(&self, channel: Uuid) -> Result<()> {
        self.0.record_channel_event(channel, ChannelEvent::Success, Utc::now(), &HEALTH_POLICY).await.map(|_| ())
    }

    async fn record_failure(&self, channel: Uuid, code: &str) -> Result<()> {
        self.0.record_channel_event(channel, ChannelEvent::Error(code.to_string()), Utc::now(), &HEALTH_POLICY).await.map(|_| ())
    }
}
