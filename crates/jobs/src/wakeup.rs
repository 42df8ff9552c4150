//! In-process wake-ups (the embedded SQLite deployment runs one instance).
use async_trait::async_trait;
use miaojing_domain::job::JobWakeup;
use tokio::sync::Notify;

/// A [`JobWakeup`] on a `tokio::sync::Notify`: a notification with no runner waiting is kept
/// for the next wait, so none is lost between a claim and the next wait.
#[derive(Debug, Default)]
pub struct LocalWakeup(Notify);

#[async_trait]
impl JobWakeup for LocalWakeup {
    async fn notify(&self) {
        self.0.notify_one();
    }

    async fn notified(&self) {
        self.0.notified().await;
    }
}
