//! Upstream AI providers: channel types, the OpenAI-compatible / generic JSON / Manifest
//! adapters behind [`ProviderClient`], smart import, failover with channel health and encryption
//! of secrets at rest. Every upstream call goes through `miaojing_outbound`'s guarded client.

pub mod adapters;
pub mod builtin;
pub mod channel;
pub mod extract;
pub mod failover;
pub mod health;
pub mod http;
pub mod import;
pub mod manifest;
pub mod secrets;
pub mod upstream_error;

pub use adapters::{ConnectionReport, ProviderClient, ReferenceUploader};
pub use channel::{
    ChannelConfig, GenerationOutput, GenerationRequest, InputImage, Language, MediaItem, MediaType, Mode, PollOutcome, Protocol,
    ReverseMode, ReversePrompt, ReversePromptRequest, Submitted, SuggestRequest, Suggestion, TaskHandle, UpstreamModel,
};
pub use failover::{Candidate, FailoverOptions, Served};
pub use health::{ChannelHealth, HealthPolicy, HealthState, MemoryHealth};
pub use manifest::{Capabilities, Manifest};
