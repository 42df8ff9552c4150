//! The visible watermark (the explicit AI-content label): the project's logo — a rounded gold
//! square carrying a cream brush arch over a dot, "a mountain over the sun" — followed by the
//! lettering "MIAOJING AI", composited bottom-right at 50 % opacity.
//!
//! Size: the mark's height is 4 % of the image's shorter side, clamped to 14–120 px, and shrunk
//! further when the mark would not fit across the image; the margin to the edges is 2 % of the
//! shorter side (at least 4 px). Images need at least 64 px on each side.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageEncoder};
use tiny_skia::{Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

use super::glyphs::glyph;
use super::{decode_full, encode_webp, label, Effort, Label, Limits, MediaError, MediaFormat};

/// The text of the watermark.
pub const WATERMARK_TEXT: &str = "MIAOJING AI";
/// Smallest accepted image side.
pub const MIN_SIDE: u32 = 64;
/// Opacity of the whole mark.
pub const OPACITY: f32 = 0.5;
/// JPEG quality of watermarked JPEGs.
pub const JPEG_QUALITY: u8 = 90;
/// WebP quality of watermarked WebPs.
pub const WEBP_QUALITY: f32 = 86.0;

const CAP: f32 = 0.56; // cap height relative to the mark height
const STROKE: f32 = 0.15; // letter stroke relative to the cap height
const TRACKING: f32 = 0.2; // space after each letter relative to the cap height
const GAP: f32 = 0.3; // space between logo and text relative to the mark height

/// A watermarked image, encoded.
#[derive(Debug, Clone)]
pub struct Watermarked {
    pub bytes: Vec<u8>,
    /// Format of `bytes`: that of the input, except that a GIF's first frame comes back as PNG.
    pub format: MediaFormat,
}

/// Width of the mark for a mark height of `h` pixels.
fn mark_width(h: f32) -> f32 {
    let cap = CAP * h;
    let text: f32 = WATERMARK_TEXT.chars().filter_map(glyph).map(|g| (g.width + STROKE + TRACKING) * cap).sum();
    h + GAP * h + text
}

/// Mark height, margin, for an image of `width`×`height`.
fn layout(width: u32, height: u32) -> (f32, u32) {
    let short = width.min(height) as f32;
    let margin = ((short * 0.02).round() as u32).max(4);
    let mut h = (short * 0.04).round().clamp(14.0, 120.0);
    let available = width.saturating_sub(2 * margin) as f32;
    let w = mark_width(h);
    if w > available {
        h = (h * available / w).floor();
    }
    (h.max(4.0), margin)
}

/// Renders the mark (fully opaque, premultiplied RGBA) for a mark height of `h` pixels.
fn render_mark(h: f32) -> Option<Pixmap> {
    let w = mark_width(h);
    let pad = (h * 0.06).ceil();
    let mut pm = Pixmap::new((w + 2.0 * pad).ceil() as u32, (h + 2.0 * pad).ceil() as u32)?;
    let base = Transform::from_translate(pad, pad);

    // Logo: rounded gold square.
    let r = 0.24 * h;
    let mut pb = PathBuilder::new();
    pb.move_to(r, 0.0);
    pb.line_to(h - r, 0.0);
    pb.quad_to(h, 0.0, h, r);
    pb.line_to(h, h - r);
    pb.quad_to(h, h, h - r, h);
    pb.line_to(r, h);
    pb.quad_to(0.0, h, 0.0, h - r);
    pb.line_to(0.0, r);
    pb.quad_to(0.0, 0.0, r, 0.0);
    pb.close();
    let square = pb.finish()?;
    let mut paint = Paint { anti_alias: true, ..Paint::default() };
    paint.set_color(Color::from_rgba8(214, 160, 52, 255));
    pm.fill_path(&square, &paint, FillRule::Winding, base, None);

    // Brush arch: thick at the start, tapering (two strokes of different width).
    let cream = Color::from_rgba8(255, 247, 228, 255);
    paint.set_color(cream);
    let mut arch = PathBuilder::new();
    arch.move_to(0.2 * h, 0.66 * h);
    arch.cubic_to(0.3 * h, 0.18 * h, 0.62 * h, 0.14 * h, 0.82 * h, 0.58 * h);
    let arch = arch.finish()?;
    let stroke = |width: f32| Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
    pm.stroke_path(&arch, &paint, &stroke(0.1 * h), base, None);
    let mut head = PathBuilder::new();
    head.move_to(0.2 * h, 0.66 * h);
    head.cubic_to(0.24 * h, 0.42 * h, 0.33 * h, 0.3 * h, 0.42 * h, 0.26 * h);
    let head = head.finish()?;
    pm.stroke_path(&head, &paint, &stroke(0.16 * h), base, None);
    // The dot below the arch.
    let dot = PathBuilder::from_circle(0.52 * h, 0.7 * h, 0.09 * h)?;
    pm.fill_path(&dot, &paint, FillRule::Winding, base, None);

    // Lettering, first a dark outline for contrast on light backgrounds, then white.
    let cap = CAP * h;
    let top = (h - cap) / 2.0;
    let mut text = PathBuilder::new();
    let mut pen = h + GAP * h + STROKE * cap / 2.0;
    for g in WATERMARK_TEXT.chars().filter_map(glyph) {
        for s in &g.strokes {
            let mut pts = s.iter().map(|&(x, y)| (pen + x * cap, top + y * cap));
            if let Some((x, y)) = pts.next() {
                text.move_to(x, y);
                for (x, y) in pts {
                    text.line_to(x, y);
                }
            }
        }
        pen += (g.width + STROKE + TRACKING) * cap;
    }
    let text = text.finish()?;
    paint.set_color(Color::from_rgba8(20, 20, 24, 150));
    pm.stroke_path(&text, &paint, &stroke(STROKE * cap + (0.1 * cap).max(1.2)), base, None);
    paint.set_color(Color::from_rgba8(255, 255, 255, 255));
    pm.stroke_path(&text, &paint, &stroke(STROKE * cap), base, None);
    Some(pm)
}

/// Draws the watermark onto a decoded image in place. The image becomes 8-bit RGB or RGBA.
pub fn watermark_image(image: &mut DynamicImage) -> Result<(), MediaError> {
    let (width, height) = (image.width(), image.height());
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(MediaError::TooSmall { width, height, min: MIN_SIDE });
    }
    let (h, margin) = layout(width, height);
    let mark = render_mark(h).ok_or_else(|| MediaError::Encode("the watermark could not be drawn".into()))?;
    let (mw, mh) = (mark.width().min(width - margin), mark.height().min(height - margin));
    let (x0, y0) = (width - margin - mw, height - margin - mh);
    let src = mark.data();
    let stride = mark.width() as usize * 4;
    if !matches!(image, DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_)) {
        *image =
            if image.color().has_alpha() { DynamicImage::ImageRgba8(image.to_rgba8()) } else { DynamicImage::ImageRgb8(image.to_rgb8()) };
    }
    let (channels, buf): (usize, &mut [u8]) = match image {
        DynamicImage::ImageRgb8(b) => (3, &mut **b),
        DynamicImage::ImageRgba8(b) => (4, &mut **b),
        _ => unreachable!("converted above"),
    };
    let row_len = width as usize * channels;
    for my in 0..mh as usize {
        let row = &mut buf[(y0 as usize + my) * row_len..][..row_len];
        for mx in 0..mw as usize {
            let s = &src[my * stride + mx * 4..][..4];
            if s[3] == 0 {
                continue;
            }
            let a = f32::from(s[3]) / 255.0 * OPACITY;
            let d = &mut row[(x0 as usize + mx) * channels..][..channels];
            if channels == 3 {
                for c in 0..3 {
                    d[c] = (f32::from(d[c]) * (1.0 - a) + f32::from(s[c]) * OPACITY).round().min(255.0) as u8;
                }
            } else {
                let da = f32::from(d[3]) / 255.0;
                let out_a = a + da * (1.0 - a);
                for c in 0..3 {
                    let v = (f32::from(s[c]) * OPACITY + f32::from(d[c]) * da * (1.0 - a)) / out_a;
                    d[c] = v.round().clamp(0.0, 255.0) as u8;
                }
                d[3] = (out_a * 255.0).round().min(255.0) as u8;
            }
        }
    }
    Ok(())
}

/// Watermarks an encoded PNG, JPEG, WebP or GIF (first frame) with the default [`Limits`], applying
/// any EXIF orientation first, and re-encodes it (PNG stays PNG, JPEG at quality 90, WebP lossy 86,
/// GIF becomes PNG), optionally with an implicit AI-content label.
pub fn watermark(bytes: &[u8], label: Option<&Label>) -> Result<Watermarked, MediaError> {
    watermark_with_limits(bytes, label, &Limits::default())
}

/// [`watermark`] with explicit limits.
pub fn watermark_with_limits(bytes: &[u8], label: Option<&Label>, limits: &Limits) -> Result<Watermarked, MediaError> {
    let (format, mut image, orientation) = decode_full(bytes, limits)?;
    image.apply_orientation(orientation);
    watermark_image(&mut image)?;
    let (w, h) = (image.width(), image.height());
    let mut out = Vec::new();
    let format = match format {
        MediaFormat::Jpeg => {
            let rgb = image.into_rgb8();
            JpegEncoder::new_with_quality(Cursor::new(&mut out), JPEG_QUALITY)
                .write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
                .map_err(|e| MediaError::Encode(e.to_string()))?;
            MediaFormat::Jpeg
        }
        MediaFormat::WebP => {
            out = match &image {
                DynamicImage::ImageRgba8(b) => encode_webp(b, w, h, true, WEBP_QUALITY, Effort::Best)?,
                other => encode_webp(&other.to_rgb8(), w, h, false, WEBP_QUALITY, Effort::Best)?,
            };
            MediaFormat::WebP
        }
        MediaFormat::Png | MediaFormat::Gif => {
            let enc = PngEncoder::new_with_quality(Cursor::new(&mut out), CompressionType::Fast, FilterType::Adaptive);
            let (data, color) = match &image {
                DynamicImage::ImageRgba8(b) => (b.as_raw().as_slice(), image::ExtendedColorType::Rgba8),
                DynamicImage::ImageRgb8(b) => (b.as_raw().as_slice(), image::ExtendedColorType::Rgb8),
                _ => unreachable!("watermark_image leaves 8-bit RGB or RGBA"),
            };
            enc.write_image(data, w, h, color).map_err(|e| MediaError::Encode(e.to_string()))?;
            MediaFormat::Png
        }
    };
    if let Some(label) = label {
        out = label::embed_label(&out, label)?;
    }
    Ok(Watermarked { bytes: out, format })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_scales_with_the_image_and_fits_small_ones() {
        assert_eq!(layout(2048, 2048).0, 82.0);
        assert_eq!(layout(10_000, 8_000).0, 120.0);
        for (w, h) in [(64, 64), (64, 4000), (100, 80), (300, 64)] {
            let (mh, margin) = layout(w, h);
            assert!(mark_width(mh) <= (w - 2 * margin) as f32, "{w}x{h}");
            assert!(mh <= (h - 2 * margin) as f32, "{w}x{h}");
        }
    }

    #[test]
    fn the_mark_has_ink_and_transparent_space() {
        let pm = render_mark(40.0).unwrap();
        let alphas: Vec<u8> = pm.data().chunks_exact(4).map(|p| p[3]).collect();
        assert!(alphas.iter().filter(|&&a| a == 255).count() > 500);
        assert!(alphas.contains(&0));
    }
}
