//! New images stored together with their thumbnail and size.
//!
//! The thumbnail is made from bytes already in memory, on a blocking thread, while the original is
//! being written, so a freshly generated image costs one decode and no read-back. It is written
//! after the original, so the backfill ([`crate::backfill`]) sees it as current.

use bytes::Bytes;

use crate::error::StorageError;
use crate::media::{self, Effort, Limits};
use crate::policy::thumbnail_key_for;
use crate::Storage;

/// What was derived from a newly stored image. Both parts are best effort: a failure is logged
/// and leaves `None` (a missing thumbnail is made later by the backfill).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    /// Key of the thumbnail, when it was made and stored.
    pub thumbnail_key: Option<String>,
    /// Width and height of the original, when its header could be read.
    pub size: Option<(u32, u32)>,
}

/// The original's size (when its header reads) and its thumbnail.
type Made = (Option<(u32, u32)>, Result<media::Thumbnail, media::MediaError>);

fn derive(bytes: &[u8], effort: Effort) -> Made {
    let size = media::dimensions(bytes).ok().map(|(_, w, h)| (w, h));
    (size, media::thumbnail_with_limits(bytes, None, &Limits::default(), effort))
}

impl Storage {
    /// Stores image `key` and its thumbnail (encoded with `effort`), made concurrently with the
    /// write of the original. Only a failure to store the original is an error.
    pub async fn put_image(&self, key: &str, bytes: Bytes, effort: Effort) -> Result<Derived, StorageError> {
        let work = {
            let bytes = bytes.clone();
            tokio::task::spawn_blocking(move || derive(&bytes, effort))
        };
        let (stored, made) = tokio::join!(self.put(key, bytes), work);
        stored?;
        Ok(self.keep_thumbnail(key, made.ok()).await)
    }

    /// Derives the thumbnail and size of image `key`, already stored (e.g. streamed from upstream).
    pub async fn derive_image(&self, key: &str, effort: Effort) -> Derived {
        let made = match self.read(key, Limits::default().max_bytes as u64).await {
            Ok(bytes) => tokio::task::spawn_blocking(move || derive(&bytes, effort)).await.ok(),
            Err(e) => {
                tracing::warn!(key, error = %e, "reading a stored image back for its thumbnail failed");
                None
            }
        };
        self.keep_thumbnail(key, made).await
    }

    async fn keep_thumbnail(&self, key: &str, made: Option<Made>) -> Derived {
        let Some((size, thumbnail)) = made else { return Derived::default() };
        let thumb_key = thumbnail_key_for(key);
        let stored = match thumbnail {
            Ok(t) => self.put_local(&thumb_key, &t.bytes).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match stored {
            Ok(()) => Derived { thumbnail_key: Some(thumb_key), size },
            Err(error) => {
                tracing::warn!(key, %error, "the thumbnail of a new image failed; the backfill will retry");
                Derived { thumbnail_key: None, size }
            }
        }
    }
}
