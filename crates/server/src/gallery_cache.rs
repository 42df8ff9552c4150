//! Anonymous gallery pages kept for a moment, as the exact JSON answered. Visitors who are not
//! signed in all see the same page for the same query, so the hot `GET /api/gallery` answers
//! from memory. Any write on this instance that can change a public work (publishing, likes,
//! deletions, moderation, profile edits) drops every page at once; other instances see a change
//! within [`GALLERY_TTL`]. Pages for signed-in viewers carry their own like state and are never
//! cached.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use parking_lot::Mutex;

/// How long a cached page serves before the store is read again.
pub const GALLERY_TTL: Duration = Duration::from_secs(2);
/// Pages kept at most (searches make the key space open-ended).
const MAX_PAGES: usize = 2_000;

/// Cached anonymous gallery pages by query.
#[derive(Default)]
pub struct GalleryCache {
    pages: Mutex<HashMap<String, (Instant, Bytes)>>,
    /// Bumped by every invalidation, so a page read before it is never stored after it.
    generation: AtomicU64,
}

impl GalleryCache {
    /// The cached page for `key`, if fresh.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        let pages = self.pages.lock();
        pages.get(key).filter(|(at, _)| at.elapsed() < GALLERY_TTL).map(|(_, body)| body.clone())
    }

    /// The generation to pass to [`GalleryCache::put`] for a page about to be read.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `body` for `key` unless the cache was invalidated since `generation` was taken.
    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        let mut pages = self.pages.lock();
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if pages.len() >= MAX_PAGES {
            pages.retain(|_, (at, _)| at.elapsed() < GALLERY_TTL);
            if pages.len() >= MAX_PAGES {
                pages.clear();
            }
        }
        pages.insert(key, (Instant::now(), body));
    }

    /// Drops every page (after a change to public works).
    pub fn invalidate(&self) {
        let mut pages = self.pages.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        pages.clear();
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
    fn a_page_read_before_an_invalidation_is_not_kept() {
        let cache = GalleryCache::default();
        let before = cache.generation();
        cache.invalidate();
        cache.put("q".into(), before, Bytes::from_static(b"old"));
        assert!(cache.get("q").is_none());
        cache.put("q".into(), cache.generation(), Bytes::from_static(b"new"));
        assert_eq!(cache.get("q").as_deref(), Some(&b"new"[..]));
        cache.invalidate();
        assert!(cache.get("q").is_none());
    }

    #[test]
    fn writes_to_works_and_profiles_change_the_gallery_but_jobs_do_not() {
        assert!(changes_gallery("/api/gallery/publish"));
        assert!(changes_gallery("/api/admin/gallery/prompt"));
        assert!(changes_gallery("/api/profile"));
        assert!(!changes_gallery("/api/generation-jobs"));
    }
}
