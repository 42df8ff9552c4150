//! The generation job queue: claims, leases, heartbeats, recovery and the runner.
//! It is built by the generation-pipeline issue; the foundation ships no job code.
