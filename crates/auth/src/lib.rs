//! Accounts: registration, sign-in, revocable sessions, passwords, e-mail codes,
//! profile rules and the rate-limit policy.

pub mod codes;
pub mod defaults;
pub mod download_token;
pub mod mail;
pub mod mail_text;
pub mod password;
pub mod rate_limit;
pub mod service;
pub mod token;
pub mod validate;

pub use download_token::DownloadTokens;
pub use service::{AuthService, AuthSettings, AuthUser, RegisterInput, RegistrationRules};
pub use token::TokenKeys;
