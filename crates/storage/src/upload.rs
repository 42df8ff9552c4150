//! Checks on uploaded images: the type comes from the bytes, never from a name; size and pixel
//! limits are checked from the headers before anything is decoded (decompression bombs are
//! refused without allocating their pixels).
use miaojing_domain::{Error, ErrorKind};

use crate::media::{dimensions, MediaError, MediaFormat};

/// Limits of an uploaded reference image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_bytes: usize,
    pub max_pixels: u64,
    pub max_side: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self { max_bytes: 20 * 1024 * 1024, max_pixels: 40_000_000, max_side: 12_000 }
    }
}

/// An accepted image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedImage {
    pub format: MediaFormat,
    pub width: u32,
    pub height: u32,
}

/// Accepts PNG, JPEG, WebP or GIF within `limits`: 413 `file_too_large` / `image_too_large`,
/// 415 `unsupported_media_type`, 400 `empty_file` / `invalid_image`.
pub fn check_image(bytes: &[u8], limits: &UploadLimits) -> Result<CheckedImage, Error> {
    if bytes.is_empty() {
        return Err(Error::validation("empty_file", "图片文件为空"));
    }
    if bytes.len() > limits.max_bytes {
        return Err(Error::new(ErrorKind::TooLarge, "file_too_large", format!("图片大小不能超过 {}MB", limits.max_bytes / (1024 * 1024))));
    }
    let (format, width, height) = dimensions(bytes).map_err(|e| match e {
        MediaError::UnsupportedFormat => {
            Error::new(ErrorKind::UnsupportedMedia, "unsupported_media_type", "仅支持 PNG、JPG、WebP 或 GIF 图片")
        }
        other => Error::validation("invalid_image", "图片无法解析").with_detail(other.to_string()),
    })?;
    if width == 0 || height == 0 {
        return Err(Error::validation("invalid_image", "图片无法解析"));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Error::new(ErrorKind::TooLarge, "image_too_large", "图片像素尺寸过大")
            .with_detail(format!("{width}x{height} pixels; the limit is {} pixels and {} per side", limits.max_pixels, limits.max_side)));
    }
    Ok(CheckedImage { format, width, height })
}

/// Decodes a `data:image/…;base64,…` URL (the declared type is ignored; the bytes decide).
pub fn decode_data_url(url: &str, max_bytes: usize) -> Result<Vec<u8>, Error> {
    use base64::Engine;
    let bad = || Error::validation("invalid_data_url", "图片数据格式不正确");
    let rest = url.trim().strip_prefix("data:").ok_or_else(bad)?;
    let (header, data) = rest.split_once(',').ok_or_else(bad)?;
    if !header.ends_with(";base64") {
        return Err(bad());
    }
    // Base64 is 4/3 of the bytes; refuse before decoding what is clearly too large.
    if data.len() / 4 * 3 > max_bytes + 3 {
        return Err(Error::new(ErrorKind::TooLarge, "file_too_large", format!("图片大小不能超过 {}MB", max_bytes / (1024 * 1024))));
    }
    let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(w: u32, h: u32) -> Vec<u8> {
        // A PNG whose header claims w×h: enough for the dimension check, never decoded.
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 6, 0, 0, 0]);
        let crc = crc32fast::hash(&v[12..29]);
        v.extend_from_slice(&crc.to_be_bytes());
        // An empty IDAT and IEND: the header is read, no pixel ever is.
        for name in [b"IDAT", b"IEND"] {
            v.extend_from_slice(&0u32.to_be_bytes());
            v.extend_from_slice(name);
            v.extend_from_slice(&crc32fast::hash(name).to_be_bytes());
        }
        v
    }

    #[test]
    fn refuses_bombs_wrong_types_and_oversize() {
        let limits = UploadLimits::default();
        let bomb = check_image(&png_header(60_000, 60_000), &limits).unwrap_err();
        assert_eq!(bomb.status(), 413);
        assert_eq!(bomb.code, "image_too_large");
        let text = check_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>", &limits).unwrap_err();
        assert_eq!(text.status(), 415);
        assert_eq!(text.code, "unsupported_media_type");
        let big = check_image(&vec![0u8; limits.max_bytes + 1], &limits).unwrap_err();
        assert_eq!(big.status(), 413);
        assert_eq!(big.code, "file_too_large");
        assert_eq!(check_image(b"", &limits).unwrap_err().code, "empty_file");
        let ok = check_image(&png_header(640, 480), &limits).unwrap();
        assert_eq!((ok.format, ok.width, ok.height), (MediaFormat::Png, 640, 480));
    }

    #[test]
    fn decodes_data_urls() {
        assert_eq!(decode_data_url("data:image/png;base64,aGVsbG8=", 100).unwrap(), b"hello");
        assert_eq!(decode_data_url("data:text/plain,hello", 100).unwrap_err().code, "invalid_data_url");
        assert_eq!(decode_data_url("http://x", 100).unwrap_err().code, "invalid_data_url");
        assert_eq!(decode_data_url(&format!("data:image/png;base64,{}", "A".repeat(400)), 100).unwrap_err().code, "file_too_large");
    }
}
