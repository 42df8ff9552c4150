//! Anonymous gallery pages kept for a moment, as the exact JSON answered. Visitors who are not
//! signed in all see the same page for the same query, so the hot `GET /api/gallery` answers
//! from memory. Any write on this instance that can change a public work (publishing, likes,
//! deletions, moderation, profile edits) drops every page at once; other instances see a change
//! within [`GALLERY_TTL`]. Pages for signed-in viewers carry their own like state and are never
//! cached.
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use miaojing_storage::Storage;
use miaojing_works::WorkCaches;

use crate::ttl_map::TtlMap;

/// How long a cached page serves before the store is read again.
pub const GALLERY_TTL: Duration = Duration::from_secs(2);
/// Pages kept at most (searches make the key space open-ended).
const MAX_PAGES: usize = 2_000;

/// Cached anonymous gallery pages (their JSON) by query.
pub struct GalleryCache(pub TtlMap<String, Bytes>);

impl Default for GalleryCache {
    fn default() -> Self {
        Self(TtlMap::new(GALLERY_TTL, MAX_PAGES))
    }
}

/// What the works service tells this layer of: cached gallery pages and hot files to drop.
pub struct ServedWorkCaches {
    pub gallery: Arc<GalleryCache>,
    pub storage: Storage,
}

impl WorkCaches for ServedWorkCaches {
    fn gallery_changed(&self) {
        self.gallery.0.clear();
    }

    fn files_removed(&self, keys: &[String]) {
        crate::routes::files::forget(&self.storage, keys);
    }
}

/// Whether a request that is not a read may change what the public gallery shows.
pub fn changes_gallery(path: &str) -> bool {
    ["/api/gallery", "/api/creation-history", "/api/admin/", "/api/profile"].iter().any(|p| path.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_to_works_and_profiles_change_the_gallery_but_jobs_do_not() {
        assert!(changes_gallery("/api/gallery/publish"));
        assert!(changes_gallery("/api/admin/gallery/prompt"));
        assert!(changes_gallery("/api/profile"));
        assert!(!changes_gallery("/api/generation-jobs"));
    }
}
