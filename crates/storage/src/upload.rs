//! Checks on uploaded images: the type comes from the bytes, never from a name; size and pixel
//! limits are checked from the headers before anything is decoded (decompression bombs are
//! refused without allocating their pixels).
use miaojing_domain::ErrorCode;
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
        return Err(Error::validation(ErrorCode::EmptyFile, "图片文件为空"));
    }
    if bytes.len() > limits.max_bytes {
        return Err(Error::new(
            ErrorKind::TooLarge,
            ErrorCode::FileTooLarge,
            format!("图片大小不能超过 {}MB", limits.max_bytes / (1024 * 1024)),
        ));
    }
    let (format, width, height) = dimensions(bytes).map_err(|e| match e {
        MediaError::UnsupportedFormat => {
            Error::new(ErrorKind::UnsupportedMedia, ErrorCode::UnsupportedMediaType, "仅支持 PNG、JPG、WebP 或 GIF 图片")
        }
        other => Error::validation(ErrorCode::InvalidImage, "图片无法解析").with_detail(other.to_string()),
    })?;
    if width == 0 || height == 0 {
        return Err(Error::validation(ErrorCode::InvalidImage, "图片无法解析"));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Error::new(ErrorKind::TooLarge, ErrorCode::ImageTooLarge, "图片像素尺寸过大")
            .with_detail(format!("{width}x{height} pixels; the limit is {} pixels and {} per side", limits.max_pixels, limits.max_side)));
    }
    Ok(CheckedImage { format, width, height })
}

/// Decodes a `data:image/…;base64,…` URL (the declared type is ignored; the bytes decide).
pub fn decode_data_url(url: &str, max_bytes: usize) -> Result<Vec<u8>, Error> {
    use base64::Engine;
    let bad = || Error::validation(ErrorCode::InvalidDataUrl, "图片数据格式不正确");
    let rest = url.trim().strip_prefix("data:").ok_or_else(bad)?;
    let (header, data) = rest.split_once(',').ok_or_else(bad)?;
    if !header.ends_with(";base64") {
        return Err(bad());
    }
    // Base64 is 4/3 of the bytes; refuse before decoding what is clearly too large.
    if data.len() / 4 * 3 > max_bytes + 3 {
        return Err(Error::new(ErrorKind::TooLarge, ErrorCode::FileTooLarge, format!("图片大小不能超过 {}MB", max_bytes / (1024 * 1024))));
    }
    let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()).map_err(|_| bad())
}

/// Which site asset an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteAssetKind {
    Logo,
    Favicon,
}

impl SiteAssetKind {
    /// `logo` or `favicon`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "logo" => Some(Self::Logo),
            "favicon" => Some(Self::Favicon),
            _ => None,
        }
    }

    /// The name used in keys and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logo => "logo",
            Self::Favicon => "favicon",
        }
    }
}

/// Largest site logo or favicon accepted.
pub const SITE_ASSET_MAX_BYTES: usize = 2 * 1024 * 1024;
/// Largest width or height of a raster site asset.
pub const SITE_ASSET_MAX_SIDE: u32 = 4096;
/// Prefix under which site assets are stored.
pub const SITE_ASSETS_PREFIX: &str = "site-assets/";

/// An accepted site asset: its file extension (which decides the served `Content-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedAsset {
    pub extension: &'static str,
}

/// Whether `bytes` are an SVG document: UTF-8 text whose first element is `<svg`, without DTD
/// entity declarations. (SVG is served with a CSP that blocks scripts, see the file routes.)
fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    // Skip the XML declaration, comments and a doctype before the root element.
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            let Some(end) = r.find("?>") else { return false };
            rest = r[end + 2..].trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let Some(end) = r.find("-->") else { return false };
            rest = r[end + 3..].trim_start();
        } else if rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype") {
            let Some(end) = rest.find('>') else { return false };
            if rest[..end].contains('[') {
                return false; // an internal subset (entities) is never needed for a logo
            }
            rest = rest[end + 1..].trim_start();
        } else {
            break;
        }
    }
    rest.starts_with("<svg") && rest[4..].starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') && text.contains("</svg>")
}

/// Whether `bytes` are a Windows icon (`ICONDIR` header with at least one image).
fn is_ico(bytes: &[u8]) -> bool {
    bytes.len() >= 6 + 16 && bytes[0..4] == [0, 0, 1, 0] && u16::from_le_bytes([bytes[4], bytes[5]]) > 0
}

/// Accepts a site logo or favicon: PNG, JPEG, WebP, GIF (at most [`SITE_ASSET_MAX_SIDE`] pixels
/// a side) or SVG, and for the favicon also ICO, of at most [`SITE_ASSET_MAX_BYTES`]. The type
/// comes from the bytes. 400 `empty_file` / `invalid_image`, 413 `file_too_large` /
/// `image_too_large`, 415 `unsupported_media_type`.
pub fn check_site_asset(kind: SiteAssetKind, bytes: &[u8]) -> Result<CheckedAsset, Error> {
    if bytes.is_empty() {
        return Err(Error::validation(ErrorCode::EmptyFile, "图片文件为空"));
    }
    if bytes.len() > SITE_ASSET_MAX_BYTES {
        return Err(Error::new(
            ErrorKind::TooLarge,
            ErrorCode::FileTooLarge,
            format!("图片大小不能超过 {}MB", SITE_ASSET_MAX_BYTES / (1024 * 1024)),
        ));
    }
    if MediaFormat::sniff(bytes).is_some() {
        let limits = UploadLimits {
            max_bytes: SITE_ASSET_MAX_BYTES,
            max_pixels: u64::from(SITE_ASSET_MAX_SIDE).pow(2),
            max_side: SITE_ASSET_MAX_SIDE,
        };
        let checked = check_image(bytes, &limits)?;
        return Ok(CheckedAsset { extension: checked.format.extension() });
    }
    if kind == SiteAssetKind::Favicon && is_ico(bytes) {
        return Ok(CheckedAsset { extension: "ico" });
    }
    if is_svg(bytes) {
        return Ok(CheckedAsset { extension: "svg" });
    }
    let allowed = match kind {
        SiteAssetKind::Logo => "PNG、JPG、WebP、GIF 或 SVG",
        SiteAssetKind::Favicon => "PNG、JPG、WebP、GIF、SVG 或 ICO",
    };
    Err(Error::new(ErrorKind::UnsupportedMedia, ErrorCode::UnsupportedMediaType, format!("仅支持 {allowed} 图片")))
}

/// The storage key of a site asset: `site-assets/<kind>-<first 16 hex digits of its SHA-256>.<ext>`.
/// The name changes with the content, so the file can be cached forever.
pub fn site_asset_key(kind: SiteAssetKind, bytes: &[u8], checked: CheckedAsset) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{SITE_ASSETS_PREFIX}{}-{hex}.{}", kind.as_str(), checked.extension)
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

    #[test]
    fn site_assets_by_content() {
        use SiteAssetKind::{Favicon, Logo};
        assert_eq!(check_site_asset(Logo, &png_header(512, 128)).unwrap().extension, "png");
        let svg = b"<?xml version=\"1.0\"?>\n<!-- logo --><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"></svg>";
        assert_eq!(check_site_asset(Logo, svg).unwrap().extension, "svg");
        let mut ico = vec![0, 0, 1, 0, 1, 0];
        ico.extend_from_slice(&[16, 16, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0, 22, 0, 0, 0]);
        assert_eq!(check_site_asset(Favicon, &ico).unwrap().extension, "ico");
        assert_eq!(check_site_asset(Logo, &ico).unwrap_err().code, "unsupported_media_type", "ICO only as the favicon");
        let bads: [&[u8]; 4] =
            [b"<html><script>alert(1)</script></html>", b"GIF8", b"<!DOCTYPE svg [<!ENTITY a \"b\">]><svg></svg>", b"<svgx></svgx>"];
        for bad in bads {
            let e = check_site_asset(Logo, bad).unwrap_err();
            assert_eq!((e.status(), e.code.as_ref()), (415, "unsupported_media_type"), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(check_site_asset(Logo, &png_header(5000, 10)).unwrap_err().code, "image_too_large");
        assert_eq!(check_site_asset(Logo, &vec![0u8; SITE_ASSET_MAX_BYTES + 1]).unwrap_err().code, "file_too_large");
        assert_eq!(check_site_asset(Favicon, b"").unwrap_err().code, "empty_file");
        let png = png_header(32, 32);
        let key = site_asset_key(Favicon, &png, CheckedAsset { extension: "png" });
        assert!(
            key.starts_with("site-assets/favicon-") && key.ends_with(".png") && key.len() == "site-assets/favicon-".len() + 16 + 4,
            "{key}"
        );
        assert_eq!(key, site_asset_key(Favicon, &png, CheckedAsset { extension: "png" }), "the same bytes, the same key");
    }
}
