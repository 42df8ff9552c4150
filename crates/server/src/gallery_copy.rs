//! Gallery copies: publishing copies a work's original (and thumbnail) under `gallery/`, and the
//! gallery shows only that copy. Taking a work out of the gallery removes the copy with every
//! file derived from it, so nothing the gallery showed is served any more, while the owner's
//! history keeps the original. Deleting a work removes all of its files.
use miaojing_domain::work::Work;
use miaojing_domain::Error;
use miaojing_storage::policy::thumbnail_key_for;
use miaojing_storage::Storage;
use uuid::Uuid;

use crate::state::AppState;

/// The gallery copy's key of `w`: `gallery/<images|videos>/<work id>.<extension of the original>`.
pub fn copy_key(w: &Work) -> String {
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
pub async fn make(storage: &Storage, w: &Work) -> Result<(String, Option<String>), Error> {
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

/// Removes `keys` and everything derived from them, and drops them from this instance's
/// in-memory file cache. Every key is attempted; the first failure is returned.
async fn remove_all(st: &AppState, keys: impl IntoIterator<Item = &str>) -> Result<(), Error> {
    let mut first_error = None;
    for key in keys {
        match st.storage.remove_with_derived(key).await {
            Ok(removed) => crate::routes::files::forget(&st.storage, &removed),
            Err(e) => {
                crate::routes::files::forget(&st.storage, &miaojing_storage::lifecycle::derived_keys(key));
                first_error.get_or_insert(Error::from(e));
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// The gallery copy's files of `w` (none for works published before gallery copies existed).
fn copy_keys(w: &Work) -> impl Iterator<Item = &str> {
    [w.gallery_key.as_deref(), w.gallery_thumbnail_key.as_deref()].into_iter().flatten()
}

/// Takes works out of the gallery (only `owner`'s, when given): their gallery copies are
/// removed first (a failure changes nothing in the store and can be retried), then the rows
/// are marked private in one transaction and the cached gallery pages dropped. Returns the
/// works that left the gallery; their history rows and originals stay.
pub async fn unpublish(st: &AppState, owner: Option<Uuid>, ids: &[Uuid]) -> Result<Vec<Work>, Error> {
    for id in ids {
        let Some(w) = st.store.work_by_id(*id).await? else { continue };
        if w.is_public && owner.is_none_or(|o| o == w.user_id) {
            remove_all(st, copy_keys(&w)).await?;
        }
    }
    let taken = st.store.unpublish_works(owner, ids).await?;
    st.gallery.0.clear();
    Ok(taken)
}

/// Deletes a work and every file of it (original, thumbnail, gallery copy, their watermarked
/// renders). The files go first, so a storage failure leaves the row for a retry. `None` when
/// the work does not exist.
pub async fn delete(st: &AppState, id: Uuid) -> Result<Option<Work>, Error> {
    let Some(w) = st.store.work_by_id(id).await? else { return Ok(None) };
    let keys = [Some(w.original_key.as_str()), w.thumbnail_key.as_deref()].into_iter().flatten().chain(copy_keys(&w));
    remove_all(st, keys).await?;
    let deleted = st.store.delete_work(id).await?;
    st.gallery.0.clear();
    Ok(deleted)
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
