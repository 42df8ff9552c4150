//! Image processing for stored media: thumbnails, visible watermarks and implicit AI-content labels.
//!
//! Everything here is synchronous and CPU-bound (some steps use both cores through rayon). Async
//! callers must run these functions inside `tokio::task::spawn_blocking` so the runtime's worker
//! threads stay free for requests.

pub mod label;
pub mod thumbnail;
pub mod video;
pub mod watermark;

mod glyphs;
mod webp_enc;

pub(crate) use webp_enc::encode_webp;
pub use webp_enc::Effort;

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};

pub use label::{embed_label, read_label, Label};
pub use thumbnail::{thumbnail, thumbnail_key, thumbnail_with_limits, Thumbnail, THUMB_MAX_EDGE, THUMB_PROFILE, THUMB_QUALITY};
pub use watermark::{watermark, watermark_image, watermark_with_limits, Watermarked};

/// Errors from media processing. Every malformed input ends here rather than in a panic.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The encoded input is larger than [`Limits::max_bytes`].
    #[error("the file is {size} bytes, above the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// The decoded image would exceed [`Limits::max_pixels`] (a decompression bomb or simply too big).
    #[error("the image is {width}x{height} pixels, above the limit of {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    /// The image is smaller than an operation needs.
    #[error("the image is {width}x{height} pixels; at least {min}x{min} is needed")]
    TooSmall { width: u32, height: u32, min: u32 },
    /// The bytes are not PNG, JPEG, WebP or GIF.
    #[error("unsupported or unrecognised image format")]
    UnsupportedFormat,
    /// The bytes claim a supported format but could not be decoded.
    #[error("the image could not be decoded: {0}")]
    Decode(String),
    /// Encoding the result failed.
    #[error("the image could not be encoded: {0}")]
    Encode(String),
}

/// Size limits checked before any pixel is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted encoded input, in bytes.
    pub max_bytes: usize,
    /// Largest accepted width × height of the decoded image.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_bytes: 64 * 1024 * 1024, max_pixels: 100_000_000 }
    }
}

impl Limits {
    fn check_bytes(&self, bytes: &[u8]) -> Result<(), MediaError> {
        if bytes.len() > self.max_bytes {
            return Err(MediaError::TooLarge { size: bytes.len(), limit: self.max_bytes });
        }
        Ok(())
    }

    fn check_pixels(&self, width: u32, height: u32) -> Result<(), MediaError> {
        if width == 0 || height == 0 {
            return Err(MediaError::Decode(format!("the image has an empty dimension ({width}x{height})")));
        }
        if u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(MediaError::TooManyPixels { width, height, limit: self.max_pixels });
        }
        Ok(())
    }

    fn image_limits(&self) -> image::Limits {
        let mut l = image::Limits::default();
        // Room for the largest allowed image at 16 bits × 4 channels plus decoder scratch space.
        l.max_alloc = Some(self.max_pixels.saturating_mul(8).saturating_add(64 * 1024 * 1024));
        l
    }
}

/// The raster formats the media pipeline reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaFormat {
    Png,
    Jpeg,
    WebP,
    Gif,
}

impl MediaFormat {
    /// Sniffs the format from the first bytes (never from a file name).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else {
            None
        }
    }

    /// The MIME type of the format.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
            Self::Gif => "gif",
        }
    }

    fn to_image_format(self) -> image::ImageFormat {
        match self {
            Self::Png => image::ImageFormat::Png,
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::WebP => image::ImageFormat::WebP,
            Self::Gif => image::ImageFormat::Gif,
        }
    }
}

/// Reads the width and height from the headers only.
pub fn dimensions(bytes: &[u8]) -> Result<(MediaFormat, u32, u32), MediaError> {
    let format = MediaFormat::sniff(bytes).ok_or(MediaError::UnsupportedFormat)?;
    let reader = ImageReader::with_format(Cursor::new(bytes), format.to_image_format());
    let (w, h) = reader.into_dimensions().map_err(|e| MediaError::Decode(e.to_string()))?;
    Ok((format, w, h))
}

/// Decodes the whole image (the first frame of a GIF) with the limits checked first, and returns it
/// together with its orientation (from EXIF where the format carries it), not yet applied.
pub(crate) fn decode_full(bytes: &[u8], limits: &Limits) -> Result<(MediaFormat, DynamicImage, image::metadata::Orientation), MediaError> {
    limits.check_bytes(bytes)?;
    let (format, w, h) = dimensions(bytes)?;
    limits.check_pixels(w, h)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.to_image_format());
    reader.limits(limits.image_limits());
    let mut decoder = reader.into_decoder().map_err(|e| MediaError::Decode(e.to_string()))?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|e| MediaError::Decode(e.to_string()))?;
    Ok((format, image, orientation))
}
