//! The site service: the site configuration and e-mail settings (stored as JSON documents),
//! announcements, the visit counter, platform logs with their retention, the logo and favicon
//! uploads, and the figures of the admin overview. Handlers in the server only translate HTTP
//! to these calls and back.
mod announcements;
mod assets;
mod logs;
mod overview;
mod settings;

pub use assets::SavedAsset;
pub use overview::Overview;
pub use settings::{MailSettings, SiteService};

#[cfg(test)]
mod tests;
