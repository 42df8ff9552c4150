//! Routed pages.
pub(crate) mod auth;
mod create;
mod create_jobs;
mod create_refs;
mod gallery;
mod home;
mod policy;
mod profile;
mod simple;

pub use auth::{Login, Register, ResetPassword};
pub use create::Create;
pub use gallery::Gallery;
pub use home::Home;
pub use policy::{Policy, PolicyPage};
pub use profile::Profile;
pub use simple::NotFound;

use crate::api::ApiError;
use crate::i18n::{I18n, K};

/// The message to show for a failed call: the server's own JSON error text when it
/// sent one, otherwise a translated generic message.
pub(crate) fn error_text(e: &ApiError, i18n: I18n) -> String {
    match e {
        ApiError::Api { body, .. } if !body.error.trim().is_empty() => body.error.clone(),
        ApiError::Api { status, .. } | ApiError::Unexpected { status, .. } => {
            format!("{} (HTTP {status})", i18n.t(K::ServerError))
        }
        ApiError::Network(_) => i18n.t(K::NetworkError).to_string(),
    }
}
