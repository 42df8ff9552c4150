//! New images stored together with their thumbnail and size, both carrying the implicit
//! AI-content label when one is given.
//!
//! The thumbnail is made from bytes already in memory, on a blocking thread, while the original is
//! being written, so a freshly generated image costs one decode and no read-back. It is written
//! after the original, so the backfill ([`crate::backfill`]) sees it as current.

use bytes::Bytes;

use crate::error::StorageError;
use crate::labelling::labelled_or_unchanged;
use crate::media::{self, Effort, Label, Limits};
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

fn derive(bytes: &[u8], label: Option<&Label>, effort: Effort) -> Made {
    let size = media::dimensions(bytes).ok().map(|(_, w, h)| (w, h));
    (size, media::thumbnail_with_limits(bytes, label, &Limits::default(), effort))
}

fn other(e: impl std::fmt::Display) -> StorageError {
    StorageError::Io(std::io::Error::other(e.to_string()))
}

impl Storage {
    /// Stores image `key` and its thumbnail (encoded with `effort`), made concurrently with the
    /// write of the original; with `label`, both carry it (written into the file's metadata, the
    /// pixels untouched; a GIF cannot carry one). Only a failure to store the original is an error.
    pub async fn put_image(&self, key: &str, bytes: Bytes, label: Option<&Label>, effort: Effort) -> Result<Derived, StorageError> {
        let bytes = match label {
            Some(l) => {
                let (k, l) = (key.to_string(), l.clone());
                tokio::task::spawn_blocking(move || labelled_or_unchanged(&k, bytes, &l)).await.map_err(other)?
            }
            None => bytes,
        };
        let work = {
            let (bytes, label) = (bytes.clone(), label.cloned());
            tokio::task::spawn_blocking(move || derive(&bytes, label.as_ref(), effort))
        };
        let (stored, made) = tokio::join!(self.put(key, bytes), work);
        stored?;
        Ok(self.keep_thumbnail(key, made.ok()).await)
    }

    /// Derives the thumbnail and size of image `key`, already stored (e.g. streamed from upstream).
    /// With `label`, the label is first written into the stored original (which is stored again)
    /// and the thumbnail carries it too.
    pub async fn derive_image(&self, key: &str, label: Option<&Label>, effort: Effort) -> Derived {
        let made = match self.read(key, Limits::default().max_bytes as u64).await {
            Ok(bytes) => {
                let bytes = Bytes::from(bytes);
                let bytes = match label {
                    Some(l) => self.relabel(key, bytes, l).await,
                    None => bytes,
                };
                let label = label.cloned();
                tokio::task::spawn_blocking(move || derive(&bytes, label.as_ref(), effort)).await.ok()
            }
            Err(e) => {
                tracing::warn!(key, error = %e, "reading a stored image back for its thumbnail failed");
                None
            }
        };
        self.keep_thumbnail(key, made).await
    }

    /// Writes `label` into the stored original `key` (whose bytes are `bytes`) and returns the new
    /// bytes; on failure the original stays as it was and its bytes are returned.
    async fn relabel(&self, key: &str, bytes: Bytes, label: &Label) -> Bytes {
        let (k, l, b) = (key.to_string(), label.clone(), bytes.clone());
        let Ok(out) = tokio::task::spawn_blocking(move || labelled_or_unchanged(&k, b, &l)).await else { return bytes };
        if out == bytes {
            return bytes;
        }
        match self.put(key, out.clone()).await {
            Ok(()) => out,
            Err(e) => {
                tracing::warn!(key, error = %e, "storing the labelled original failed");
                bytes
            }
        }
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
