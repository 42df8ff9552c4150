//! Upstream AI providers. For now: encryption of secrets at rest, used for API keys,
//! SMTP and payment credentials.

pub mod secrets;
