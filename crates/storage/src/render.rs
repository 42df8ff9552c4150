//! Watermarked renders of stored images and videos, made once and cached on local disk under
//! `watermarked/` (see [`crate::policy::watermark_cache_key`]).
//!
//! Every render carries the implicit AI-content label: an image render copies the label of its
//! source (or gets the fallback label, see [`crate::labelling`]); videos are re-encoded to H.264
//! MP4 with the visible watermark and the fallback label; a video held only in object storage is
//! first spooled into a bounded temporary file.
use std::path::PathBuf;

use crate::error::StorageError;
use crate::labelling::{fallback_label, label_of};
use crate::media::video::{spool_to_temp, watermark_video, TempVideo};
use crate::media::{watermark_with_limits, Limits};
use crate::policy::{is_video, watermark_cache_key};
use crate::Storage;

/// Largest source image watermarked.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest source video watermarked or thumbnailed (also the cap of a spooled copy).
pub const MAX_VIDEO_BYTES: u64 = 1024 * 1024 * 1024;
/// Directory (under the local root; dot-names are never listed as keys) of spooled videos.
const SPOOL_DIR: &str = ".spool";

fn other(e: impl std::fmt::Display) -> StorageError {
    StorageError::Io(std::io::Error::other(e.to_string()))
}

/// A video as a local file FFmpeg can open: its own path when it is on local disk, else a
/// temporary copy (removed when the [`TempVideo`] is dropped).
pub(crate) struct VideoOnDisk {
    pub path: PathBuf,
    _temp: Option<TempVideo>,
}

impl Storage {
    /// The key of the watermarked render of `key`, rendering it first when it is not cached.
    /// Concurrent calls for the same key share one render; the work runs on a blocking thread.
    pub async fn watermarked(&self, key: &str) -> Result<String, StorageError> {
        let cache = watermark_cache_key(key);
        let local = self.local().clone();
        self.once(
            &cache,
            || async { local.head(&cache).await.ok().flatten().is_some() },
            || async {
                if is_video(key) {
                    return self.render_video(key, &cache).await;
                }
                let source = self.read(key, MAX_SOURCE_BYTES).await?;
                let label = label_of(key, &source);
                let out = tokio::task::spawn_blocking(move || watermark_with_limits(&source, label.as_ref(), &Limits::default()))
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
                    .map_err(|e| StorageError::Io(std::io::Error::other(format!("watermarking {key}: {e}"))))?;
                self.put_local(&cache, &out.bytes).await
            },
        )
        .await?;
        Ok(cache)
    }

    async fn render_video(&self, key: &str, cache: &str) -> Result<(), StorageError> {
        let output = self.local().path_of(cache)?;
        if let Some(dir) = output.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let input = self.video_on_disk(key).await?;
        let label = fallback_label(key);
        let key = key.to_string();
        tokio::task::spawn_blocking(move || {
            watermark_video(&input.path, &output, label.as_ref()).map_err(|e| other(format!("watermarking {key}: {e}")))
        })
        .await
        .map_err(other)??;
        Ok(())
    }

    /// The video `key` as a local file (see [`VideoOnDisk`]); sources above [`MAX_VIDEO_BYTES`]
    /// are refused.
    pub(crate) async fn video_on_disk(&self, key: &str) -> Result<VideoOnDisk, StorageError> {
        if self.mode() != crate::Mode::Object {
            if let Some(m) = self.local().head(key).await? {
                if m.size > MAX_VIDEO_BYTES {
                    return Err(other(format!("{key} is {} bytes, above {MAX_VIDEO_BYTES}", m.size)));
                }
                return Ok(VideoOnDisk { path: self.local().path_of(key)?, _temp: None });
            }
        }
        let read = self.get(key, None).await?;
        if read.meta.size > MAX_VIDEO_BYTES {
            return Err(other(format!("{key} is {} bytes, above {MAX_VIDEO_BYTES}", read.meta.size)));
        }
        let ext = key.rsplit_once('.').map_or("", |(_, e)| e);
        let reader = tokio_util::io::StreamReader::new(read.body);
        let temp = spool_to_temp(reader, &self.local().root().join(SPOOL_DIR), ext, MAX_VIDEO_BYTES).await.map_err(other)?;
        Ok(VideoOnDisk { path: temp.path().to_path_buf(), _temp: Some(temp) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[tokio::test]
    async fn renders_once_and_reuses_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::local_only(dir.path()).unwrap();
        let src = png(300, 200);
        s.put("generated/images/a.png", Bytes::from(src.clone())).await.unwrap();
        let (a, b) = tokio::join!(s.watermarked("generated/images/a.png"), s.watermarked("generated/images/a.png"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b);
        let first = s.local().head(&a).await.unwrap().unwrap();
        let out = s.local().read(&a).await.unwrap();
        assert_ne!(out, src, "the render differs from the original");
        assert_eq!(image::load_from_memory(&out).unwrap().width(), 300);
        assert_eq!(crate::media::read_label(&out).unwrap().produce_id, "a", "a source without a label gets the fallback");
        s.watermarked("generated/images/a.png").await.unwrap();
        assert_eq!(s.local().head(&a).await.unwrap().unwrap(), first, "a cached render is not redone");
        assert!(s.watermarked("generated/images/missing.png").await.unwrap_err().is_not_found());
    }
}
