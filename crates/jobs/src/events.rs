//! Progress events per user, for the server-sent-events stream.
use std::collections::HashMap;
use std::sync::Arc;

use miaojing_domain::job::{Job, JobStatus};
use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Events a user's stream keeps for a slow reader before it lags.
const CAPACITY: usize = 64;

/// A change of one job, as the owner's stream sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobEvent {
    pub job_id: Uuid,
    #[serde(skip)]
    pub user_id: Uuid,
    pub status: JobStatus,
    pub message: Option<String>,
}

impl JobEvent {
    /// The event for a job's current state.
    pub fn of(job: &Job) -> Self {
        Self { job_id: job.id, user_id: job.user_id, status: job.status, message: job.error_message.clone() }
    }
}

/// One broadcast channel per user with listeners. Cheap to clone.
#[derive(Clone, Default)]
pub struct EventBus {
    channels: Arc<Mutex<HashMap<Uuid, broadcast::Sender<JobEvent>>>>,
}

impl EventBus {
    /// Events of `user_id`'s jobs from now on.
    pub fn subscribe(&self, user_id: Uuid) -> broadcast::Receiver<JobEvent> {
        self.channels.lock().entry(user_id).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe()
    }

    /// Sends to the owner's listeners, if any; forgets channels nobody listens to.
    pub fn publish(&self, event: JobEvent) {
        let mut channels = self.channels.lock();
        if let Some(tx) = channels.get(&event.user_id) {
            if tx.send(event.clone()).is_err() {
                channels.remove(&event.user_id);
            }
        }
    }
}
