//! Which stored files are served watermarked, where derived files live, and content types.
//!
//! Key prefixes (the layout the rest of the platform writes to):
//! - `generated/images/`, `generated/videos/`: generation results;
//! - `gallery/images/`, `gallery/videos/`: media copied on publishing;
//! - `imported/works/results/`, `imported/works/thumbnails/`: media brought in by a data import;
//! - `thumbnails/<source key>-m1280q86.webp`: thumbnails (derived, local disk only);
//! - `watermarked/<images|videos>/<sha256>.<ext>`: watermark renders (derived, local disk only);
//! - `works/references/`: reference images uploaded by users (not watermarked).
//!
//! Files under the first three groups, and thumbnails of them, are "watermarkable".
use sha2::{Digest, Sha256};

/// Prefixes of media that is only shown with the visible watermark.
pub const WATERMARKED_PREFIXES: &[&str] = &[
    "generated/images/",
    "generated/videos/",
    "gallery/images/",
    "gallery/videos/",
    "imported/works/results/",
    "imported/works/thumbnails/",
    "thumbnails/generated/",
    "thumbnails/gallery/",
    "thumbnails/imported/works/",
    "thumbnails/works/",
];

/// Prefix of derived thumbnails.
pub const THUMBNAILS_PREFIX: &str = "thumbnails/";
/// Prefix of cached watermark renders.
pub const WATERMARK_CACHE_PREFIX: &str = "watermarked/";
/// Prefix of uploaded reference images.
pub const REFERENCES_PREFIX: &str = "works/references/";
/// Version of the watermark recipe; a new recipe gets new cache keys.
const WATERMARK_VERSION: &str = "miaojing-watermark-v2-labelled";

/// Files that are derived from others and live on local disk only (never mirrored or synced).
pub fn is_local_only(key: &str) -> bool {
    key.starts_with(THUMBNAILS_PREFIX) || key.starts_with(WATERMARK_CACHE_PREFIX)
}

/// Whether `key` is an image under a watermarked prefix (videos are watermarked by the video
/// pipeline, not here).
pub fn is_watermarkable_image(key: &str) -> bool {
    WATERMARKED_PREFIXES.iter().any(|p| key.starts_with(p)) && content_type(key).starts_with("image/") && !key.ends_with(".svg")
}

/// Whether `key` is a video under a watermarked prefix (served re-encoded with the watermark).
pub fn is_watermarkable_video(key: &str) -> bool {
    WATERMARKED_PREFIXES.iter().any(|p| key.starts_with(p)) && is_video(key)
}

/// Whether `key` is shown only watermarked (image or video).
pub fn is_watermarkable(key: &str) -> bool {
    is_watermarkable_image(key) || is_watermarkable_video(key)
}

/// Whether `key` names a video the FFmpeg pipeline handles (MP4, WebM, QuickTime).
pub fn is_video(key: &str) -> bool {
    matches!(content_type(key), "video/mp4" | "video/webm" | "video/quicktime")
}

/// Where the watermarked render of `key` is cached: `watermarked/images/<sha256>.<ext>` for
/// images, `watermarked/videos/<sha256>.mp4` for videos (always re-encoded to MP4).
pub fn watermark_cache_key(key: &str) -> String {
    let ct = content_type(key);
    let digest = Sha256::digest(format!("{key}:{ct}:{WATERMARK_VERSION}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_else(|| "bin".into());
    if is_video(key) {
        return format!("{WATERMARK_CACHE_PREFIX}videos/{hex}.mp4");
    }
    // GIFs come back as PNG (first frame).
    let ext = if ext == "gif" { "png".to_string() } else { ext };
    format!("{WATERMARK_CACHE_PREFIX}images/{hex}.{ext}")
}

/// The thumbnail key of a stored image: `thumbnails/<key without extension>-m1280q86.webp`.
pub fn thumbnail_key_for(key: &str) -> String {
    format!("{THUMBNAILS_PREFIX}{}", crate::media::thumbnail_key(key))
}

/// Content type by extension.
pub fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "avif" => "image/avif",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "wmv" => "video/x-ms-wmv",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_keys() {
        assert!(is_watermarkable_image("generated/images/a.png"));
        assert!(is_watermarkable_image("thumbnails/generated/images/a-m1280q86.webp"));
        assert!(!is_watermarkable_image("generated/videos/a.mp4"));
        assert!(is_watermarkable_video("generated/videos/a.mp4") && is_watermarkable("gallery/videos/b.MOV"));
        assert!(!is_watermarkable_video("works/references/a.mp4") && !is_watermarkable_video("generated/videos/a.avi"));
        let v = watermark_cache_key("generated/videos/a.webm");
        assert!(v.starts_with("watermarked/videos/") && v.ends_with(".mp4"), "{v}");
        assert!(!is_watermarkable_image("works/references/a.png"));
        assert!(!is_watermarkable_image("watermarked/images/x.png"));
        assert!(!is_watermarkable_image("site-assets/logo.png"));
        assert_eq!(thumbnail_key_for("generated/images/a.png"), "thumbnails/generated/images/a-m1280q86.webp");
        assert!(is_watermarkable_image(&thumbnail_key_for("gallery/images/b.jpg")));
        let w = watermark_cache_key("generated/images/a.gif");
        assert!(w.starts_with("watermarked/images/") && w.ends_with(".png"));
        assert_ne!(w, watermark_cache_key("generated/images/b.gif"));
        assert!(is_local_only(&w) && !is_local_only("generated/images/a.png"));
        assert_eq!(content_type("a/B.JPG"), "image/jpeg");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
