//! The works service: a user's creation history, the public gallery and its copies,
//! publishing, likes, and the admin's moderation (take-downs, deletions, prompt edits).
//!
//! The service sees the store as `Arc<dyn Store>` and files through [`Storage`]; what the HTTP
//! layer keeps in memory about works (gallery pages, hot files) it learns of through
//! [`WorkCaches`].
use std::sync::Arc;

use miaojing_domain::Store;
use miaojing_site::SiteService;
use miaojing_storage::Storage;

mod copies;
mod gallery;
mod history;
mod moderation;

pub use copies::{Backfilled, BACKFILL_DONE_KEY};
pub use gallery::{category_modes, gallery_query};
pub use history::HistoryRequest;

#[cfg(test)]
mod tests;

/// In-memory copies of what works look like, kept by the layer above (caches of answers and
/// files); the service tells it of every change it makes.
pub trait WorkCaches: Send + Sync {
    /// What the public gallery shows may have changed.
    fn gallery_changed(&self);
    /// These storage keys were removed (or their removal was attempted).
    fn files_removed(&self, keys: &[String]);
}

/// A page of works (or gallery items) and the cursor of the next one.
#[derive(Debug, Clone)]
pub struct WorkPage<T> {
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> WorkPage<T> {
    /// Whether another page follows.
    pub fn has_more(&self) -> bool {
        self.next_cursor.is_some()
    }
}

/// Works, the gallery and moderation. Cheap to clone.
#[derive(Clone)]
pub struct WorksService {
    store: Arc<dyn Store>,
    storage: Storage,
    /// Mail settings for the notices of prompt edits.
    site: SiteService,
    caches: Arc<dyn WorkCaches>,
}

impl WorksService {
    /// A service over `store` and `storage`, telling `caches` of changes.
    pub fn new(store: Arc<dyn Store>, storage: Storage, site: SiteService, caches: Arc<dyn WorkCaches>) -> Self {
        Self { store, storage, site, caches }
    }
}
