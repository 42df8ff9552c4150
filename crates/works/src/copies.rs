//! Gallery copies: publishing copies a work's original (and thumbnail) under `gallery/`, and the
//! gallery shows only that copy. Taking a work out of the gallery removes the copy with every
//! file derived from it, so nothing the gallery showed is served any more, while the owner's
//! history keeps the original. Deleting a work removes all of its files.
use miaojing_domain::work::{Cursor, GalleryQuery, GallerySort, Work};
use miaojing_domain::Error;
use miaojing_storage::policy::thumbnail_key_for;
use miaojing_storage::Storage;
use uuid::Uuid;

use crate::WorksService;

/// The gallery copy's key of `w`: `gallery/<images|videos>/<work id>.<extension of the original>`.
pub(crate) fn copy_key(w: &Work) -> String {
    let dir = if w.mode.is_video() { "videos" } else { "images" };
    let ext = w
        .original_key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into());
    format!("gallery/{dir}/{}.{ext}", w.id)
}

/// Copies `w`'s original into the gallery and gives the copy a thumbnail (the original's,
/// copied, when it is current; else made from the copy). Returns the copy's key and its
/// thumbnail's key (`None` when no thumbnail could be made: the gallery then shows the copy).
pub(crate) async fn make(storage: &Storage, w: &Work) -> Result<(String, Option<String>), Error> {
    let key = copy_key(w);
    storage.copy(&w.original_key, &key).await?;
    let thumb = thumbnail_key_for(&key);
    let current = thumbnail_key_for(&w.original_key);
    let copied = match w.thumbnail_key.as_deref() {
        Some(t) if t == current => match storage.local().read(t).await {
            Ok(bytes) => storage.put_local(&thumb, &bytes).await.is_ok(),
            Err(_) => false,
        },
        _ => false,
    };
    if copied {
        return Ok((key, Some(thumb)));
    }
    match storage.ensure_thumbnail(&key).await {
        Ok(t) => Ok((key, Some(t))),
        Err(e) => {
            tracing::warn!(key, error = %e, "no thumbnail for the gallery copy; the gallery shows the copy itself");
            Ok((key, None))
        }
    }
}

/// The gallery copy's files of `w` (none for works published before gallery copies existed).
fn copy_keys(w: &Work) -> impl Iterator<Item = &str> {
    [w.gallery_key.as_deref(), w.gallery_thumbnail_key.as_deref()].into_iter().flatten()
}

/// The setting that records a finished [`WorksService::backfill_gallery_copies`]: `{"done": true}`.
pub const BACKFILL_DONE_KEY: &str = "gallery_copies_backfilled";
/// Works read per page by [`WorksService::backfill_gallery_copies`].
const BACKFILL_PAGE: i64 = 200;

/// What one [`WorksService::backfill_gallery_copies`] pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backfilled {
    /// Works that got a gallery copy.
    pub copied: u64,
    /// Works whose copy could not be made (their original is unreadable); tried again at the
    /// next start.
    pub failed: u64,
}

impl WorksService {
    /// Removes `keys` and everything derived from them, and tells the caches. Every key is
    /// attempted; the first failure is returned.
    async fn remove_all(&self, keys: impl IntoIterator<Item = &str>) -> Result<(), Error> {
        let mut first_error = None;
        for key in keys {
            match self.storage.remove_with_derived(key).await {
                Ok(removed) => self.caches.files_removed(&removed),
                Err(e) => {
                    self.caches.files_removed(&miaojing_storage::lifecycle::derived_keys(key));
                    first_error.get_or_insert(Error::from(e));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Takes works out of the gallery (only `owner`'s, when given): their gallery copies are
    /// removed first (a failure changes nothing in the store and can be retried), then the rows
    /// are marked private in one transaction and the gallery's caches dropped. Returns the
    /// works that left the gallery; their history rows and originals stay.
    pub(crate) async fn unpublish(&self, owner: Option<Uuid>, ids: &[Uuid]) -> Result<Vec<Work>, Error> {
        for id in ids {
            let Some(w) = self.store.work_by_id(*id).await? else { continue };
            if w.is_public && owner.is_none_or(|o| o == w.user_id) {
                self.remove_all(copy_keys(&w)).await?;
            }
        }
        let taken = self.store.unpublish_works(owner, ids).await?;
        self.caches.gallery_changed();
        Ok(taken)
    }

    /// Deletes a work and every file of it (original, thumbnail, gallery copy, their watermarked
    /// renders). The files go first, so a storage failure leaves the row for a retry. `None` when
    /// the work does not exist.
    pub(crate) async fn delete(&self, id: Uuid) -> Result<Option<Work>, Error> {
        let Some(w) = self.store.work_by_id(id).await? else { return Ok(None) };
        let keys = [Some(w.original_key.as_str()), w.thumbnail_key.as_deref()].into_iter().flatten().chain(copy_keys(&w));
        self.remove_all(keys).await?;
        let deleted = self.store.delete_work(id).await?;
        self.caches.gallery_changed();
        Ok(deleted)
    }

    /// Gives every public work published before gallery copies existed (migration 0006) its
    /// gallery copy, so that the gallery shows the copy and taking the work down makes what the
    /// gallery shows answer 404 (decision 51). Runs once: when a pass ends with no failure it is
    /// recorded and later starts skip it. Safe on several instances at once (the copy's key is the
    /// same everywhere, and only a public work with no copy takes one); a work taken down while
    /// its copy was being made keeps none.
    pub async fn backfill_gallery_copies(&self) -> Result<Backfilled, Error> {
        let mut done = Backfilled::default();
        if self.store.get_setting(BACKFILL_DONE_KEY).await?.is_some_and(|v| v["done"] == true) {
            return Ok(done);
        }
        let mut after = None;
        loop {
            let q = GalleryQuery { sort: GallerySort::Latest, after, limit: BACKFILL_PAGE, ..Default::default() };
            let page = self.store.gallery(&q).await?;
            for w in page.iter().map(|i| &i.work).filter(|w| w.gallery_key.is_none()) {
                match make(&self.storage, w).await {
                    Ok((key, thumb)) => {
                        if self.store.attach_gallery_copy(w.id, &key, thumb.as_deref()).await? {
                            done.copied += 1;
                        } else {
                            // Taken down (or copied by another instance) meanwhile.
                            let fresh = self.store.work_by_id(w.id).await?;
                            if fresh.is_none_or(|f| f.gallery_key.as_deref() != Some(key.as_str())) {
                                self.remove_all([Some(key.as_str()), thumb.as_deref()].into_iter().flatten()).await?;
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(work = %w.id, error = %e, "no gallery copy for a work published before gallery copies; the gallery keeps showing its original");
                        done.failed += 1;
                    }
                }
            }
            match page.last() {
                Some(last) if page.len() as i64 == BACKFILL_PAGE => after = Some(Cursor::after_gallery(&last.work, GallerySort::Latest)),
                _ => break,
            }
        }
        if done.copied > 0 {
            self.caches.gallery_changed();
        }
        if done.failed == 0 {
            self.store.put_setting(BACKFILL_DONE_KEY, &serde_json::json!({ "done": true })).await?;
        }
        Ok(done)
    }

    /// Runs [`WorksService::backfill_gallery_copies`] in the background (at start-up).
    pub fn spawn_backfill(&self) {
        let works = self.clone();
        tokio::spawn(async move {
            match works.backfill_gallery_copies().await {
                Ok(Backfilled { copied: 0, failed: 0 }) => {}
                Ok(b) => tracing::info!(copied = b.copied, failed = b.failed, "gallery copies made for works published before them"),
                Err(e) => tracing::warn!(error = %e, "gallery copy backfill failed; it runs again at the next start"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use miaojing_domain::job::Mode;

    #[test]
    fn copies_are_named_by_work_and_media() {
        let id = Uuid::new_v4();
        let mut w = Work {
            id,
            user_id: Uuid::new_v4(),
            job_id: None,
            mode: Mode::Text2Img,
            prompt: String::new(),
            negative_prompt: String::new(),
            params: serde_json::json!({}),
            original_key: "generated/images/123-abc.PNG".into(),
            thumbnail_key: None,
            width: None,
            height: None,
            duration_secs: None,
            model: String::new(),
            credits_cost: 0,
            is_public: false,
            published_at: None,
            like_count: 0,
            created_at: Utc::now(),
            title: String::new(),
            gallery_key: None,
            gallery_thumbnail_key: None,
        };
        assert_eq!(copy_key(&w), format!("gallery/images/{id}.png"));
        w.mode = Mode::Text2Video;
        w.original_key = "generated/videos/x.mp4".into();
        assert_eq!(copy_key(&w), format!("gallery/videos/{id}.mp4"));
        w.original_key = "odd/name".into();
        assert_eq!(copy_key(&w), format!("gallery/videos/{id}.bin"));
    }
}
