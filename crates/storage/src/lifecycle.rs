//! Copies of stored files, and removals that take every file derived from a key with it
//! (thumbnails, the video placeholder thumbnail, watermarked renders), so no URL of a removed
//! file answers any more.
use crate::backfill::stale_thumbnail_key_for;
use crate::error::StorageError;
use crate::keys;
use crate::policy::{is_local_only, thumbnail_key_for, watermark_cache_key};
use crate::Storage;

impl Storage {
    /// Copies `from` to `to` (streamed, never held whole in memory); returns the size.
    pub async fn copy(&self, from: &str, to: &str) -> Result<u64, StorageError> {
        let read = self.get(from, None).await?;
        self.put_stream(to, read.body).await
    }

    /// Removes `key` from every side that may hold it (local disk and object storage, whatever
    /// the mode, so copies left by an earlier mode go too). An absent file is not an error.
    pub async fn remove(&self, key: &str) -> Result<(), StorageError> {
        keys::check_key(key)?;
        match tokio::fs::remove_file(self.local().path_of(key)?).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        // Derived files are never in object storage.
        if let Some(o) = self.object().filter(|_| !is_local_only(key)) {
            o.delete(key).await?;
        }
        Ok(())
    }

    /// Removes `key` and every file derived from it: its thumbnails (current and placeholder)
    /// and the watermarked renders of all of them. Returns the keys it removed or looked for, so
    /// callers can drop in-memory copies of them too. Every key is attempted; the first error is
    /// returned after the rest were tried.
    pub async fn remove_with_derived(&self, key: &str) -> Result<Vec<String>, StorageError> {
        let keys = derived_keys(key);
        let mut first_error = None;
        for k in &keys {
            if let Err(e) = self.remove(k).await {
                tracing::warn!(key = %k, error = %e, "removing a stored file failed");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(keys), Err)
    }
}

/// `key`, its thumbnails and the watermark renders of each.
pub fn derived_keys(key: &str) -> Vec<String> {
    let sources = [key.to_string(), thumbnail_key_for(key), stale_thumbnail_key_for(key)];
    let mut out: Vec<String> = sources.iter().flat_map(|k| [k.clone(), watermark_cache_key(k)]).collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[tokio::test]
    async fn removal_takes_thumbnails_and_renders_along() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::local_only(dir.path()).unwrap();
        let img = image::RgbImage::from_fn(160, 120, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).unwrap();
        s.put("generated/images/a.png", Bytes::from(png.into_inner())).await.unwrap();
        s.copy("generated/images/a.png", "gallery/images/a.png").await.unwrap();
        let thumb = s.ensure_thumbnail("gallery/images/a.png").await.unwrap();
        let render = s.watermarked("gallery/images/a.png").await.unwrap();
        let thumb_render = s.watermarked(&thumb).await.unwrap();
        let removed = s.remove_with_derived("gallery/images/a.png").await.unwrap();
        for k in ["gallery/images/a.png", thumb.as_str(), render.as_str(), thumb_render.as_str()] {
            assert!(removed.iter().any(|r| r == k), "{k} listed");
            assert!(s.head(k).await.unwrap().is_none(), "{k} is gone");
        }
        assert!(s.head("generated/images/a.png").await.unwrap().is_some(), "the source of the copy stays");
        s.remove("gallery/images/a.png").await.unwrap();
    }
}
