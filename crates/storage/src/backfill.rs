//! Thumbnail backfill: finds stored images and videos whose thumbnail (current profile, see
//! [`crate::media::THUMB_PROFILE`]) is missing or older than the image, and makes it, on a
//! background task and a blocking thread — never on a request's path.
//!
//! It is key-driven: it scans the source prefixes of local storage (and the bucket in object
//! mode). Once the works table exists, the jobs issue will feed it keys of new results directly
//! through [`Storage::ensure_thumbnail`].
//!
//! Video thumbnails are a real frame (see [`crate::media::video::extract_frame`]). When no frame
//! can be extracted a placeholder is stored under the video's stale key
//! ([`crate::media::video::video_placeholder_key`]) and, as the real thumbnail is still missing,
//! extraction is tried again on every later pass; a success removes the placeholder.
use std::time::{Duration, SystemTime};

use crate::error::StorageError;
use crate::labelling::{fallback_label, label_of};
use crate::media::video::{placeholder_thumbnail, video_placeholder_key};
use crate::media::{thumbnail_with_limits, Effort, Limits};
use crate::policy::{content_type, is_video, thumbnail_key_for, THUMBNAILS_PREFIX};
use crate::{Mode, Storage};

/// Prefixes whose images and videos get thumbnails.
pub const SOURCE_PREFIXES: &[&str] =
    &["generated/images/", "generated/videos/", "gallery/images/", "gallery/videos/", "imported/works/results/", "works/references/"];

/// What one backfill pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BackfillReport {
    pub checked: usize,
    pub made: usize,
    pub failed: usize,
}

fn is_thumbnail_source(key: &str) -> bool {
    let ct = content_type(key);
    (ct.starts_with("image/") && ct != "image/svg+xml" && ct != "image/avif") || is_video(key)
}

/// Where the placeholder thumbnail of video `key` is stored.
pub fn stale_thumbnail_key_for(key: &str) -> String {
    format!("{THUMBNAILS_PREFIX}{}", video_placeholder_key(key))
}

impl Storage {
    /// Makes the thumbnail of `key` unless a current one exists; returns its key. For a video
    /// whose frame cannot be extracted it stores and returns the placeholder's stale key
    /// ([`stale_thumbnail_key_for`]) instead, so a later call tries again.
    pub async fn ensure_thumbnail(&self, key: &str) -> Result<String, StorageError> {
        let thumb = thumbnail_key_for(key);
        let source_time = self.head(key).await?.ok_or_else(|| StorageError::NotFound(key.to_string()))?.modified;
        let local = self.local().clone();
        let fresh = || {
            let (local, thumb) = (local.clone(), thumb.clone());
            async move { local.head(&thumb).await.ok().flatten().is_some_and(|m| m.modified >= source_time) }
        };
        if is_video(key) {
            self.once(&thumb, &fresh, || self.make_video_thumbnail(key, &thumb)).await?;
            return Ok(if fresh().await { thumb } else { stale_thumbnail_key_for(key) });
        }
        self.once(&thumb, fresh, || async {
            let bytes = self.read(key, Limits::default().max_bytes as u64).await?;
            let label = label_of(key, &bytes);
            let made = tokio::task::spawn_blocking(move || thumbnail_with_limits(&bytes, label.as_ref(), &Limits::default(), Effort::Best))
                .await
                .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
                .map_err(|e| StorageError::Io(std::io::Error::other(format!("thumbnail of {key}: {e}"))))?;
            self.put_local(&thumb, &made.bytes).await
        })
        .await?;
        Ok(thumb)
    }

    /// A video's thumbnail from a real frame, or the placeholder under the stale key.
    async fn make_video_thumbnail(&self, key: &str, thumb: &str) -> Result<(), StorageError> {
        let input = self.video_on_disk(key).await?;
        let label = fallback_label(key);
        let made = tokio::task::spawn_blocking(move || crate::media::video::thumbnail(&input.path, label.as_ref()))
            .await
            .map_err(|e| StorageError::Io(std::io::Error::other(e)))?;
        let stale = stale_thumbnail_key_for(key);
        match made {
            Ok(t) => {
                self.put_local(thumb, &t.bytes).await?;
                if let Ok(path) = self.local().path_of(&stale) {
                    let _ = tokio::fs::remove_file(path).await;
                }
            }
            Err(e) => {
                tracing::warn!(key, error = %e, "no frame could be taken from the video; storing a placeholder thumbnail");
                let placeholder = tokio::task::spawn_blocking(placeholder_thumbnail)
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
                    .map_err(|e| StorageError::Io(std::io::Error::other(e.to_string())))?;
                self.put_local(&stale, &placeholder.bytes).await?;
            }
        }
        Ok(())
    }

    /// One pass over every source image; failures are logged and counted, never fatal.
    pub async fn backfill_thumbnails(&self) -> Result<BackfillReport, StorageError> {
        let mut report = BackfillReport::default();
        for prefix in SOURCE_PREFIXES {
            let mut sources: Vec<(String, SystemTime)> =
                self.local().list(prefix).await?.into_iter().map(|(k, m)| (k, m.modified)).collect();
            if self.mode() == Mode::Object {
                if let Some(o) = self.object() {
                    sources.extend(o.list(prefix).await?.into_iter().map(|(k, m)| (k, m.modified.into())));
                }
            }
            sources.sort();
            sources.dedup_by(|a, b| a.0 == b.0);
            for (key, modified) in sources.into_iter().filter(|(k, _)| is_thumbnail_source(k)) {
                report.checked += 1;
                let thumb = thumbnail_key_for(&key);
                if self.local().head(&thumb).await?.is_some_and(|m| m.modified >= modified) {
                    continue;
                }
                match self.ensure_thumbnail(&key).await {
                    Ok(made) if made == thumb => report.made += 1,
                    Ok(placeholder) => {
                        report.failed += 1;
                        tracing::warn!(key, placeholder, "video thumbnail is a placeholder; retried on the next pass");
                    }
                    Err(e) => {
                        report.failed += 1;
                        tracing::warn!(key, error = %e, "thumbnail backfill failed");
                    }
                }
            }
        }
        Ok(report)
    }

    /// Runs [`Storage::backfill_thumbnails`] every `every`.
    pub fn spawn_thumbnail_backfill(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match this.backfill_thumbnails().await {
                    Ok(r) if r.made > 0 || r.failed > 0 => {
                        tracing::info!(checked = r.checked, made = r.made, failed = r.failed, "thumbnail backfill")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "thumbnail backfill pass failed"),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[tokio::test]
    async fn makes_missing_and_stale_thumbnails_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::local_only(dir.path()).unwrap();
        s.put("generated/images/a.png", Bytes::from(png(1600, 900))).await.unwrap();
        s.put("gallery/images/b.png", Bytes::from(png(200, 100))).await.unwrap();
        s.put("generated/images/notes.txt", Bytes::from_static(b"x")).await.unwrap();
        s.put("generated/images/broken.png", Bytes::from_static(b"not a png")).await.unwrap();
        let r = s.backfill_thumbnails().await.unwrap();
        assert_eq!(r, BackfillReport { checked: 3, made: 2, failed: 1 });
        let t = s.local().read("thumbnails/generated/images/a-m1280q86.webp").await.unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (1280, 720));
        // Nothing to do on the next pass but the broken file.
        assert_eq!(s.backfill_thumbnails().await.unwrap(), BackfillReport { checked: 3, made: 0, failed: 1 });
        // A source replaced after its thumbnail makes the thumbnail stale.
        tokio::time::sleep(Duration::from_millis(20)).await;
        s.put("gallery/images/b.png", Bytes::from(png(300, 100))).await.unwrap();
        assert_eq!(s.backfill_thumbnails().await.unwrap().made, 1);
        let t = s.local().read("thumbnails/gallery/images/b-m1280q86.webp").await.unwrap();
        assert_eq!(image::load_from_memory(&t).unwrap().width(), 300);
    }
}
