//! Routed pages. Each bundle (see `crate::bundle`) compiles its own; the routes of another
//! bundle are [`OtherBundle`] there.
#[cfg(feature = "account")]
pub(crate) mod auth;
#[cfg(feature = "main")]
mod create;
#[cfg(feature = "main")]
mod gallery;
#[cfg(feature = "main")]
mod home;
mod policy;
#[cfg(feature = "account")]
mod profile;
mod simple;

#[cfg(feature = "account")]
pub use auth::{Login, Register, ResetPassword};
#[cfg(feature = "main")]
pub use create::Create;
#[cfg(feature = "main")]
pub use gallery::Gallery;
#[cfg(feature = "main")]
pub use home::Home;
pub use policy::{Policy, PolicyPage};
#[cfg(feature = "account")]
pub use profile::Profile;
pub use simple::NotFound;

#[cfg(not(feature = "main"))]
pub use crate::bundle::{OtherBundle as Create, OtherBundle as Gallery, OtherBundle as Home};
#[cfg(not(feature = "account"))]
pub use crate::bundle::{OtherBundle as Login, OtherBundle as Profile, OtherBundle as Register, OtherBundle as ResetPassword};

use crate::api::ApiError;
use crate::i18n::{I18n, K};

/// The message to show for a failed call: the text for the server's error code in the
/// user's language (the server's own text only for a code the SPA does not know), with the
/// wait a rate limit asked for; otherwise a translated generic message.
pub(crate) fn error_text(e: &ApiError, i18n: I18n) -> String {
    match e {
        ApiError::Api { body, retry_after, .. } => match i18n.error(&body.code, &body.error) {
            Some(text) => match retry_after {
                Some(n) => format!("{text}{}", i18n.t(K::RetryAfterSecs).replace("{n}", &n.to_string())),
                None => text,
            },
            None => format!("{} (HTTP {})", i18n.t(K::ServerError), e.status().unwrap_or_default()),
        },
        ApiError::Unexpected { status, .. } => format!("{} (HTTP {status})", i18n.t(K::ServerError)),
        ApiError::Network(_) => i18n.t(K::NetworkError).to_string(),
    }
}
