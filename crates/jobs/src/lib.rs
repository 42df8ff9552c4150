//! The generation job queue: submission with holds, claims with leases, heartbeats,
//! recovery of expired leases, the runner with N concurrent slots, polling of async upstream
//! tasks with bounded concurrency, wake-ups and progress events.
//!
//! The queue's state lives in the store ([`miaojing_domain::job::JobRepo`]); this crate holds
//! no state another instance needs. What a job does is the [`JobExecutor`]'s business.

pub mod admin;
pub mod events;
pub mod queue;
pub mod runner;
pub mod wakeup;

pub use admin::JobAdmin;
pub use events::{EventBus, JobEvent};
pub use queue::JobQueue;
pub use runner::{Aborts, JobExecutor, Runner, RunnerConfig, RunnerHandle, Step};
pub use wakeup::LocalWakeup;
