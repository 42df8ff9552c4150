//! Watermarked renders of stored images, made once and cached on local disk under
//! `watermarked/` (see [`crate::policy::watermark_cache_key`]).
use crate::error::StorageError;
use crate::media::{watermark_with_limits, Limits};
use crate::policy::watermark_cache_key;
use crate::Storage;

/// Largest source image watermarked.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

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
                let source = self.read(key, MAX_SOURCE_BYTES).await?;
                let out = tokio::task::spawn_blocking(move || watermark_with_limits(&source, None, &Limits::default()))
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
                    .map_err(|e| StorageError::Io(std::io::Error::other(format!("watermarking {key}: {e}"))))?;
                self.put_local(&cache, &out.bytes).await
            },
        )
        .await?;
        Ok(cache)
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
        s.watermarked("generated/images/a.png").await.unwrap();
        assert_eq!(s.local().head(&a).await.unwrap().unwrap(), first, "a cached render is not redone");
        assert!(s.watermarked("generated/images/missing.png").await.unwrap_err().is_not_found());
    }
}
