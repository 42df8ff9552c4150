//! Upstream AI providers. So far: encryption of secrets at rest (API keys, SMTP and payment
//! credentials) and the guarded outbound HTTP client every upstream call goes through.

pub mod outbound;
pub mod secrets;
