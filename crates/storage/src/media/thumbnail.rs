//! Thumbnails: the original platform's recipe, re-done in Rust.
//!
//! Recipe (profile [`THUMB_PROFILE`] = `m1280q86`): EXIF orientation applied, fit inside
//! 1280×1280 without enlarging, Lanczos3 resampling, a light unsharp mask, lossy WebP quality 86 with
//! libwebp method 5 and sharp (iterative) RGB→YUV conversion ([`Effort::Best`]). Generation
//! results, thumbnailed before their job reports done, use [`Effort::Fast`] (decision 30).
//!
//! Speed: JPEGs are decoded at a reduced DCT scale (1/2, 1/4 or 1/8) whenever the reduced image is
//! still at least as large as the target ("shrink-on-load"), which skips most of the decoding work
//! for photos; the Lanczos3 pass and the sharpening run on both cores through rayon.
//!
//! Sharpening: sharp's `sharpen({ sigma: 0.45, m1: 0.6, m2: 1.5 })` works on the L* channel with a
//! piecewise gain (slope `m1` for differences below 2 L*, slope `m2` above, at most +10/−20 L*). We
//! approximate it on 8-bit luma: a 3×3 Gaussian with σ = 0.45, the difference between the pixel
//! and its blur, the same piecewise gain with the L* thresholds converted to luma levels (×2.55:
//! knee at 5.1, brightening capped at 25.5 and darkening at 51 levels), and that luma change added
//! equally to R, G and B so hues do not shift.

use std::io::Cursor;

use fast_image_resize::{images::Image as FirImage, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, ImageBuffer};
use rayon::prelude::*;

use super::{decode_full, encode_webp, label, Effort, Label, Limits, MediaError, MediaFormat};

/// Name of the current thumbnail profile; it is part of every thumbnail's file name so that a new
/// profile can replace the old files in the background.
pub const THUMB_PROFILE: &str = "m1280q86";
/// Longest edge of a thumbnail, in pixels.
pub const THUMB_MAX_EDGE: u32 = 1280;
/// WebP quality of thumbnails.
pub const THUMB_QUALITY: f32 = 86.0;

/// Sharpening parameters (see the module documentation).
const SHARPEN_SIGMA: f32 = 0.45;
const SHARPEN_M1: f32 = 0.6;
const SHARPEN_M2: f32 = 1.5;
const SHARPEN_KNEE: f32 = 2.0 * 2.55;
const SHARPEN_MAX_BRIGHTEN: f32 = 10.0 * 2.55;
const SHARPEN_MAX_DARKEN: f32 = 20.0 * 2.55;

/// An encoded WebP thumbnail.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    /// The WebP file.
    pub bytes: Vec<u8>,
    /// Width after orientation and resizing.
    pub width: u32,
    /// Height after orientation and resizing.
    pub height: u32,
}

/// The storage key of the thumbnail of `key`: the extension is replaced by `-m1280q86.webp`.
///
/// `images/2025/abc.png` → `images/2025/abc-m1280q86.webp`.
pub fn thumbnail_key(key: &str) -> String {
    let (dir, file) = match key.rfind('/') {
        Some(i) => key.split_at(i + 1),
        None => ("", key),
    };
    let stem = match file.rfind('.') {
        Some(i) if i > 0 => &file[..i],
        _ => file,
    };
    format!("{dir}{stem}-{THUMB_PROFILE}.webp")
}

/// The size that fits `width`×`height` inside `max`×`max`, keeping the aspect ratio, never enlarging.
pub fn fit_inside(width: u32, height: u32, max: u32) -> (u32, u32) {
    if width <= max && height <= max {
        return (width, height);
    }
    if width >= height {
        let h = (f64::from(height) * f64::from(max) / f64::from(width)).round().max(1.0) as u32;
        (max, h)
    } else {
        let w = (f64::from(width) * f64::from(max) / f64::from(height)).round().max(1.0) as u32;
        (w, max)
    }
}

/// Makes the thumbnail of an image (PNG, JPEG, WebP or the first frame of a GIF) with the default
/// [`Limits`], optionally embedding an implicit AI-content label.
pub fn thumbnail(bytes: &[u8], label: Option<&Label>) -> Result<Thumbnail, MediaError> {
    thumbnail_with_limits(bytes, label, &Limits::default(), Effort::Best)
}

/// [`thumbnail`] with explicit limits and encoder effort.
pub fn thumbnail_with_limits(bytes: &[u8], label: Option<&Label>, limits: &Limits, effort: Effort) -> Result<Thumbnail, MediaError> {
    limits.check_bytes(bytes)?;
    let format = MediaFormat::sniff(bytes).ok_or(MediaError::UnsupportedFormat)?;
    let (raster, orientation) = match format {
        MediaFormat::Jpeg => match decode_jpeg_scaled(bytes, limits) {
            Ok(v) => v,
            // Our JPEG decoder lacks a few rare variants; let the general one try before giving up.
            Err(MediaError::Decode(_)) => decode_general(bytes, limits)?,
            Err(e) => return Err(e),
        },
        _ => decode_general(bytes, limits)?,
    };
    let mut thumb = make_thumbnail(raster, orientation, effort)?;
    if let Some(label) = label {
        thumb.bytes = label::embed_label(&thumb.bytes, label)?;
    }
    Ok(thumb)
}

/// Interleaved 8-bit pixels, 3 (RGB) or 4 (RGBA) channels, plus the full-size dimensions they
/// stand for (a shrink-on-load decode is smaller than the image it represents).
pub(crate) struct Raster {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    pub full_width: u32,
    pub full_height: u32,
}

fn swaps_axes(o: Orientation) -> bool {
    matches!(o, Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH)
}

/// The size to resize to before the orientation is applied.
fn target_before_orientation(full_width: u32, full_height: u32, orientation: Orientation) -> (u32, u32) {
    if swaps_axes(orientation) {
        let (w, h) = fit_inside(full_height, full_width, THUMB_MAX_EDGE);
        (h, w)
    } else {
        fit_inside(full_width, full_height, THUMB_MAX_EDGE)
    }
}

fn decode_general(bytes: &[u8], limits: &Limits) -> Result<(Raster, Orientation), MediaError> {
    let (_, image, orientation) = decode_full(bytes, limits)?;
    Ok((raster_from_dynamic(image), orientation))
}

pub(crate) fn raster_from_dynamic(image: DynamicImage) -> Raster {
    let (width, height) = (image.width(), image.height());
    if image.color().has_alpha() {
        let pixels = image.into_rgba8().into_raw();
        Raster { pixels, width, height, alpha: true, full_width: width, full_height: height }
    } else {
        let pixels = image.into_rgb8().into_raw();
        Raster { pixels, width, height, alpha: false, full_width: width, full_height: height }
    }
}

/// EXIF orientation of a JPEG (1 when absent or unreadable).
fn jpeg_orientation(bytes: &[u8]) -> Orientation {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return Orientation::NoTransforms;
    };
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::NoTransforms)
}

/// Decodes a JPEG at the smallest DCT scale that still covers the thumbnail size.
fn decode_jpeg_scaled(bytes: &[u8], limits: &Limits) -> Result<(Raster, Orientation), MediaError> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(|e| MediaError::Decode(e.to_string()))?;
    let info = decoder.info().ok_or_else(|| MediaError::Decode("JPEG header without a frame".into()))?;
    let (full_width, full_height) = (u32::from(info.width), u32::from(info.height));
    limits.check_pixels(full_width, full_height)?;
    let orientation = jpeg_orientation(bytes);
    let (tw, th) = target_before_orientation(full_width, full_height, orientation);
    let (req_w, req_h) = (u16::try_from(tw).unwrap_or(u16::MAX), u16::try_from(th).unwrap_or(u16::MAX));
    let (width, height) = decoder.scale(req_w, req_h).map_err(|e| MediaError::Decode(e.to_string()))?;
    let data = decoder.decode().map_err(|e| MediaError::Decode(e.to_string()))?;
    let info = decoder.info().ok_or_else(|| MediaError::Decode("JPEG header without a frame".into()))?;
    let (width, height) = (u32::from(width), u32::from(height));
    let n = width as usize * height as usize;
    let pixels = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => data,
        jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => data.chunks_exact(2).flat_map(|c| [c[0], c[0], c[0]]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .flat_map(|p| {
                // jpeg-decoder already undoes Adobe's inversion; this is the plain subtractive model.
                let k = 255 - u16::from(p[3]);
                [p[0], p[1], p[2]].map(|c| ((255 - u16::from(c)) * k / 255) as u8)
            })
            .collect(),
    };
    if pixels.len() < n * 3 {
        return Err(MediaError::Decode("JPEG decoder returned too few pixels".into()));
    }
    Ok((Raster { pixels, width, height, alpha: false, full_width, full_height }, orientation))
}

fn make_thumbnail(raster: Raster, orientation: Orientation, effort: Effort) -> Result<Thumbnail, MediaError> {
    let (tw, th) = target_before_orientation(raster.full_width, raster.full_height, orientation);
    let channels = if raster.alpha { 4 } else { 3 };
    let mut pixels = if (raster.width, raster.height) == (tw, th) {
        raster.pixels
    } else {
        resize_lanczos3(raster.pixels, raster.width, raster.height, tw, th, raster.alpha)?
    };
    let (mut width, mut height) = (tw, th);
    if orientation != Orientation::NoTransforms {
        let mut image = if raster.alpha {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(width, height, pixels).ok_or_else(|| MediaError::Decode("bad buffer".into()))?)
        } else {
            DynamicImage::ImageRgb8(ImageBuffer::from_raw(width, height, pixels).ok_or_else(|| MediaError::Decode("bad buffer".into()))?)
        };
        image.apply_orientation(orientation);
        (width, height) = (image.width(), image.height());
        pixels = if raster.alpha { image.into_rgba8().into_raw() } else { image.into_rgb8().into_raw() };
    }
    sharpen(&mut pixels, width as usize, height as usize, channels);
    let bytes = encode_webp(&pixels, width, height, raster.alpha, THUMB_QUALITY, effort)?;
    Ok(Thumbnail { bytes, width, height })
}

pub(crate) fn resize_lanczos3(pixels: Vec<u8>, width: u32, height: u32, tw: u32, th: u32, alpha: bool) -> Result<Vec<u8>, MediaError> {
    let pixel_type = if alpha { PixelType::U8x4 } else { PixelType::U8x3 };
    let src = FirImage::from_vec_u8(width, height, pixels, pixel_type).map_err(|e| MediaError::Decode(e.to_string()))?;
    let mut dst = FirImage::new(tw, th, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&src, &mut dst, &options).map_err(|e| MediaError::Encode(format!("resize: {e}")))?;
    Ok(dst.into_vec())
}

/// The piecewise gain applied to a luma difference (see the module documentation).
fn sharpen_gain(d: f32) -> f32 {
    let a = d.abs();
    let g = if a <= SHARPEN_KNEE { SHARPEN_M1 * a } else { SHARPEN_M1 * SHARPEN_KNEE + SHARPEN_M2 * (a - SHARPEN_KNEE) };
    if d >= 0.0 {
        g.min(SHARPEN_MAX_BRIGHTEN)
    } else {
        -g.min(SHARPEN_MAX_DARKEN)
    }
}

/// Light unsharp mask on luma, in place, rows in parallel.
pub(crate) fn sharpen(pixels: &mut [u8], width: usize, height: usize, channels: usize) {
    if width < 3 || height < 3 {
        return;
    }
    let side = (-1.0 / (2.0 * SHARPEN_SIGMA * SHARPEN_SIGMA)).exp();
    let norm = 1.0 + 2.0 * side;
    let (k0, k1) = (1.0 / norm, side / norm);
    let row_len = width * channels;
    // The luma of the unmodified image: rows are sharpened in place, and each reads its neighbours.
    let mut luma = vec![0.0f32; width * height];
    luma.par_chunks_mut(width).zip(pixels.par_chunks(row_len)).for_each(|(out, row)| {
        for (l, p) in out.iter_mut().zip(row.chunks_exact(channels)) {
            *l = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
        }
    });
    pixels.par_chunks_mut(row_len).enumerate().for_each_init(
        || vec![0.0f32; width],
        |column_blur, (y, row)| {
            // The separable 3×3 Gaussian: down the columns into a row buffer, then along it (edges clamp).
            let up = &luma[y.saturating_sub(1) * width..][..width];
            let own = &luma[y * width..][..width];
            let down = &luma[(y + 1).min(height - 1) * width..][..width];
            for (((b, u), m), d) in column_blur.iter_mut().zip(up).zip(own).zip(down) {
                *b = k0 * m + k1 * (u + d);
            }
            for x in 0..width {
                let (l, r) = (column_blur[x.saturating_sub(1)], column_blur[(x + 1).min(width - 1)]);
                let delta = sharpen_gain(own[x] - (k0 * column_blur[x] + k1 * (l + r)));
                if delta.abs() < 0.5 {
                    continue;
                }
                for c in &mut row[x * channels..x * channels + 3] {
                    // Round half up by truncation (the value is clamped non-negative first).
                    *c = ((f32::from(*c) + delta).clamp(0.0, 255.0) + 0.5) as u8;
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_inside_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit_inside(4000, 3000, 1280), (1280, 960));
        assert_eq!(fit_inside(3000, 4000, 1280), (960, 1280));
        assert_eq!(fit_inside(2048, 2048, 1280), (1280, 1280));
        assert_eq!(fit_inside(800, 600, 1280), (800, 600));
        assert_eq!(fit_inside(1280, 1280, 1280), (1280, 1280));
        assert_eq!(fit_inside(1281, 10, 1280), (1280, 10));
        assert_eq!(fit_inside(100_000, 10, 1280), (1280, 1));
    }

    #[test]
    fn thumbnail_key_replaces_the_extension_with_the_profile() {
        assert_eq!(thumbnail_key("images/2025/abc.png"), "images/2025/abc-m1280q86.webp");
        assert_eq!(thumbnail_key("a.b/c.jpeg"), "a.b/c-m1280q86.webp");
        assert_eq!(thumbnail_key("noext"), "noext-m1280q86.webp");
        assert_eq!(thumbnail_key("dir/.hidden"), "dir/.hidden-m1280q86.webp");
    }

    #[test]
    fn sharpen_gain_is_piecewise_and_clamped() {
        assert!((sharpen_gain(1.0) - 0.6).abs() < 1e-6);
        assert!((sharpen_gain(-1.0) + 0.6).abs() < 1e-6);
        let above = sharpen_gain(SHARPEN_KNEE + 1.0);
        assert!((above - (SHARPEN_M1 * SHARPEN_KNEE + SHARPEN_M2)).abs() < 1e-4);
        assert_eq!(sharpen_gain(200.0), SHARPEN_MAX_BRIGHTEN);
        assert_eq!(sharpen_gain(-200.0), -SHARPEN_MAX_DARKEN);
    }

    #[test]
    fn sharpening_leaves_flat_areas_alone_and_raises_edge_contrast() {
        let (w, h) = (8usize, 4usize);
        let mut px: Vec<u8> = (0..h).flat_map(|_| (0..w).flat_map(|x| if x < 4 { [100u8; 3] } else { [160u8; 3] })).collect();
        sharpen(&mut px, w, h, 3);
        assert_eq!(px[0], 100);
        assert_eq!(px[(w - 1) * 3], 160);
        assert!(px[3 * 3] < 100, "dark side of the edge gets darker");
        assert!(px[4 * 3] > 160, "bright side of the edge gets brighter");
    }
}
