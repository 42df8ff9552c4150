//! What this process has already resolved for its jobs, so the executor does not fetch the
//! same rows again: the model rows found at submission (taken at start) and the channel that
//! accepted an upstream task (read at every poll and at cancel).
//!
//! Process memory only, and only a shortcut: a job started or polled on another instance, or
//! after a restart, resolves its rows from the store again (and keeps them here from then on).
use std::collections::HashMap;
use std::time::{Duration, Instant};

use miaojing_domain::provider::{Pricing, SystemApi, UserApiKey};
use miaojing_providers::channel::ChannelConfig;
use parking_lot::Mutex;
use uuid::Uuid;

use super::task::TaskRef;

/// Entries older than this are dropped, looked for at most every [`PRUNE_EVERY`] (a job lives
/// 30 minutes at most; one finished by another instance or cancelled before it started leaves
/// its entry here until then).
const MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// A job's model resolved to stored rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// The owner's own key: free, never failed over.
    UserKey(Box<UserApiKey>),
    /// The platform rows serving the display name, in their polling order (failover candidates).
    System(Vec<SystemApi>),
}

/// The channel serving an accepted upstream task and the price of its results.
#[derive(Debug, Clone, PartialEq)]
pub struct Serving {
    pub task: TaskRef,
    pub channel: ChannelConfig,
    pub pricing: Pricing,
}

#[derive(Debug)]
enum Stage {
    Model(Resolved),
    Task(Box<Serving>),
}

/// How often old entries are looked for.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Inner {
    map: HashMap<Uuid, (Instant, Stage)>,
    pruned: Instant,
}

impl Default for Inner {
    fn default() -> Self {
        Self { map: HashMap::new(), pruned: Instant::now() }
    }
}

/// Job id → what was resolved for it. Shared by the submission route and the executor.
#[derive(Debug, Default)]
pub struct Carried(Mutex<Inner>);

impl Carried {
    fn keep(&self, job: Uuid, stage: Stage) {
        self.keep_at(job, stage, Instant::now());
    }

    fn keep_at(&self, job: Uuid, stage: Stage, now: Instant) {
        let mut inner = self.0.lock();
        if now.duration_since(inner.pruned) >= PRUNE_EVERY {
            inner.map.retain(|_, (at, _)| now.duration_since(*at) < MAX_AGE);
            inner.pruned = now;
        }
        inner.map.insert(job, (now, stage));
    }

    /// Keeps the rows a submission resolved, for the job's start.
    pub fn keep_model(&self, job: Uuid, model: Resolved) {
        self.keep(job, Stage::Model(model));
    }

    /// The rows resolved at submission, removed (the start uses them once).
    pub fn take_model(&self, job: Uuid) -> Option<Resolved> {
        let mut inner = self.0.lock();
        match inner.map.remove(&job) {
            Some((_, Stage::Model(m))) => Some(m),
            Some(other) => {
                inner.map.insert(job, other);
                None
            }
            None => None,
        }
    }

    /// Keeps the channel that accepted the job's upstream task, for its polls and cancel.
    pub fn keep_task(&self, job: Uuid, serving: Serving) {
        self.keep(job, Stage::Task(Box::new(serving)));
    }

    /// The channel kept for `task` of the job, if it is the task kept.
    pub fn task(&self, job: Uuid, task: &TaskRef) -> Option<Serving> {
        match self.0.lock().map.get(&job) {
            Some((_, Stage::Task(s))) if s.task == *task => Some(Serving::clone(s)),
            _ => None,
        }
    }

    /// Drops whatever is kept for the job (it has ended).
    pub fn forget(&self, job: Uuid) {
        self.0.lock().map.remove(&job);
    }

    /// How many jobs have something kept.
    pub fn len(&self) -> usize {
        self.0.lock().map.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::task::ChannelRow;
    use miaojing_domain::provider::MediaType;
    use miaojing_providers::channel::Protocol;

    #[test]
    fn a_model_is_taken_once_and_a_task_is_read_until_forgotten() {
        let c = Carried::default();
        let job = Uuid::new_v4();
        c.keep_model(job, Resolved::System(vec![]));
        assert_eq!(c.take_model(job), Some(Resolved::System(vec![])));
        assert_eq!(c.take_model(job), None, "taken once");

        let task = TaskRef::new(ChannelRow::System(Uuid::new_v4()), "t-1");
        let channel = ChannelConfig::new(Protocol::OpenAiCompatible, "https://u.example/v1", "k", "m", MediaType::Video);
        let serving = Serving { task: task.clone(), channel, pricing: Pricing::Free };
        c.keep_task(job, serving.clone());
        assert_eq!(c.take_model(job), None, "a task is no model");
        assert_eq!(c.task(job, &task), Some(serving.clone()));
        assert_eq!(c.task(job, &serving.task), Some(serving), "read at every poll");
        assert_eq!(c.task(job, &TaskRef::new(task.row, "t-2")), None, "another task is not this one");
        c.forget(job);
        assert_eq!(c.task(job, &task), None);
        assert!(c.is_empty());
    }

    #[test]
    fn old_entries_are_dropped() {
        let c = Carried::default();
        let (old, new) = (Uuid::new_v4(), Uuid::new_v4());
        c.keep_model(old, Resolved::System(vec![]));
        c.keep_at(new, Stage::Model(Resolved::System(vec![])), Instant::now() + PRUNE_EVERY / 2);
        assert_eq!(c.len(), 2, "not looked for before PRUNE_EVERY");
        c.keep_at(new, Stage::Model(Resolved::System(vec![])), Instant::now() + MAX_AGE + PRUNE_EVERY);
        assert_eq!((c.take_model(old), c.len()), (None, 1), "the old entry is gone, the new one kept");
    }
}
