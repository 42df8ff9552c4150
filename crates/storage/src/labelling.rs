//! Which stored files carry the implicit AI-content label ([`crate::media::Label`]), and with what.
//!
//! The label of a generated image is written into the original when it is stored (with the job id
//! and the model, see [`Storage::put_image`] and [`Storage::derive_image`]); everything derived
//! from it — thumbnail, watermarked render — copies the original's label. A file of an AI-media
//! prefix (see [`crate::policy::WATERMARKED_PREFIXES`]) stored without a label (stored before
//! labels existed, or imported) gets a fallback label naming the file ([`fallback_label`]), and
//! [`Storage::ensure_labelled`] writes that into the original before it is handed out raw.
use bytes::Bytes;

use crate::error::StorageError;
use crate::media::{embed_label, read_label, Label, MediaError, THUMB_PROFILE};
use crate::policy::{is_watermarkable, is_watermarkable_image, THUMBNAILS_PREFIX};
use crate::render::MAX_SOURCE_BYTES;
use crate::Storage;

/// The content id of a file stored without a label: its file name without the extension (for a
/// thumbnail, its source's name).
pub fn content_id(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let stem = if key.starts_with(THUMBNAILS_PREFIX) { stem.strip_suffix(&format!("-{THUMB_PROFILE}")).unwrap_or(stem) } else { stem };
    stem.to_string()
}

/// The label of a file under `key` that was stored without one: AI media (generated, gallery and
/// imported works and their thumbnails) are labelled with [`content_id`]; any other file
/// (reference uploads, site assets, avatars) is not AI-generated and gets none.
pub fn fallback_label(key: &str) -> Option<Label> {
    is_watermarkable(key).then(|| Label::ai_generated(content_id(key)))
}

/// The label for a file made from `bytes` (stored under `key`): the one embedded in them, else
/// [`fallback_label`].
pub fn label_of(key: &str, bytes: &[u8]) -> Option<Label> {
    read_label(bytes).or_else(|| fallback_label(key))
}

/// `bytes` with `label` embedded; on a format that cannot carry one (GIF) or a malformed file the
/// bytes are returned unchanged and the reason is logged.
pub fn labelled_or_unchanged(key: &str, bytes: Bytes, label: &Label) -> Bytes {
    match embed_label(&bytes, label) {
        Ok(out) => Bytes::from(out),
        Err(MediaError::UnsupportedFormat) => bytes,
        Err(e) => {
            tracing::warn!(key, error = %e, "the AI-content label could not be written");
            bytes
        }
    }
}

impl Storage {
    /// Makes sure the stored image `key` of an AI-media prefix carries a label, writing the
    /// [`fallback_label`] into it (metadata only, the pixels stay as they are) when it has none.
    /// Returns whether the file was rewritten. Other keys, videos and formats without a place for
    /// a label are left alone.
    pub async fn ensure_labelled(&self, key: &str) -> Result<bool, StorageError> {
        let Some(label) = is_watermarkable_image(key).then(|| fallback_label(key)).flatten() else { return Ok(false) };
        let rewritten = std::sync::atomic::AtomicBool::new(false);
        self.once(
            &format!("label:{key}"),
            || async { false },
            || async {
                let bytes = Bytes::from(self.read(key, MAX_SOURCE_BYTES).await?);
                let k = key.to_string();
                let out = tokio::task::spawn_blocking(move || {
                    if read_label(&bytes).is_some() {
                        return None;
                    }
                    let out = labelled_or_unchanged(&k, bytes.clone(), &label);
                    (out != bytes).then_some(out)
                })
                .await
                .map_err(|e| StorageError::Io(std::io::Error::other(e)))?;
                if let Some(out) = out {
                    self.put(key, out).await?;
                    rewritten.store(true, std::sync::atomic::Ordering::Relaxed);
                    tracing::info!(key, "wrote the AI-content label into a stored image");
                }
                Ok(())
            },
        )
        .await?;
        Ok(rewritten.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let img = image::RgbImage::from_fn(80, 60, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn fallback_labels_name_the_file_for_ai_media_only() {
        assert_eq!(content_id("generated/images/1700-abc.png"), "1700-abc");
        assert_eq!(content_id("thumbnails/generated/images/1700-abc-m1280q86.webp"), "1700-abc");
        assert_eq!(fallback_label("imported/works/results/images/w1.jpg").unwrap().produce_id, "w1");
        assert!(fallback_label("thumbnails/gallery/images/g-m1280q86.webp").is_some());
        assert_eq!(fallback_label("works/references/r.png"), None);
        assert_eq!(fallback_label("site-assets/logo-1.png"), None);
        let own = Label::ai_generated("job-7").with_model("m");
        let labelled = embed_label(&png(), &own).unwrap();
        assert_eq!(label_of("generated/images/x.png", &labelled), Some(own), "the embedded label wins");
    }

    #[tokio::test]
    async fn ensure_labelled_writes_a_missing_label_once() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::local_only(dir.path()).unwrap();
        let original = png();
        s.put("imported/works/results/images/w1.png", Bytes::from(original.clone())).await.unwrap();
        s.put("works/references/r.png", Bytes::from(original.clone())).await.unwrap();
        assert!(s.ensure_labelled("imported/works/results/images/w1.png").await.unwrap());
        let stored = s.local().read("imported/works/results/images/w1.png").await.unwrap();
        assert_eq!(read_label(&stored).unwrap().produce_id, "w1");
        assert_eq!(image::load_from_memory(&stored).unwrap().to_rgb8(), image::load_from_memory(&original).unwrap().to_rgb8());
        assert!(!s.ensure_labelled("imported/works/results/images/w1.png").await.unwrap(), "already labelled");
        assert!(!s.ensure_labelled("works/references/r.png").await.unwrap(), "not AI media");
        assert_eq!(s.local().read("works/references/r.png").await.unwrap(), original);
        assert!(s.ensure_labelled("generated/images/missing.png").await.unwrap_err().is_not_found());
    }
}
