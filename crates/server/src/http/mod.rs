//! HTTP plumbing: the JSON error mapping, extractors, middleware and metrics.

pub mod bad_input;
pub mod error;
pub mod extract;
pub mod head;
pub mod headers;
pub mod invalidate;
pub mod json_input;
pub mod language;
pub mod metrics;
pub mod shutdown;
