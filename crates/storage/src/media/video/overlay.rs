//! The image watermark prepared once per video as YUV 4:2:0 with alpha, then blended into each
//! frame's planes directly (no per-frame colour conversion, only the mark's bounding box touched).

use ffmpeg_next as ffmpeg;
use image::{DynamicImage, RgbaImage};

use crate::media::watermark::watermark_image;
use crate::media::MediaError;

/// One plane of the overlay: value and alpha (0–255) per sample, over the overlay's box.
struct Plane {
    value: Vec<u8>,
    alpha: Vec<u8>,
}

/// The watermark of a frame size, in the frame's YUV flavour.
pub(crate) struct YuvOverlay {
    /// Top-left corner in luma samples (even).
    x: usize,
    y: usize,
    /// Size of the box in luma samples (even).
    w: usize,
    h: usize,
    luma: Plane,
    cb: Plane,
    cr: Plane,
}

impl YuvOverlay {
    /// Renders the image watermark for a `width`×`height` frame (both even) through
    /// [`watermark_image`] on a transparent canvas, and converts it with the BT.709 or BT.601
    /// matrix, limited ("TV") or full range.
    pub(crate) fn new(width: u32, height: u32, bt709: bool, full_range: bool) -> Result<Self, MediaError> {
        let mut canvas = DynamicImage::ImageRgba8(RgbaImage::new(width, height));
        watermark_image(&mut canvas)?;
        let canvas = canvas.into_rgba8();
        let (fw, fh) = (width as usize, height as usize);
        let px = canvas.as_raw();
        let (mut x0, mut y0, mut x1, mut y1) = (fw, fh, 0, 0);
        for (i, p) in px.chunks_exact(4).enumerate() {
            if p[3] > 0 {
                let (x, y) = (i % fw, i / fw);
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
        if x1 <= x0 {
            return Err(MediaError::Encode("the watermark has no visible pixels".into()));
        }
        // Align the box to the chroma grid.
        let (x0, y0) = (x0 & !1, y0 & !1);
        let (x1, y1) = ((x1 + 1).min(fw) & !1, (y1 + 1).min(fh) & !1);
        let (w, h) = (x1 - x0, y1 - y0);
        let (kr, kb) = if bt709 { (0.2126, 0.0722) } else { (0.299, 0.114) };
        let convert = |p: &[u8]| {
            let (r, g, b) = (f32::from(p[0]) / 255.0, f32::from(p[1]) / 255.0, f32::from(p[2]) / 255.0);
            let y = kr * r + (1.0 - kr - kb) * g + kb * b;
            let cb = (b - y) / (2.0 * (1.0 - kb));
            let cr = (r - y) / (2.0 * (1.0 - kr));
            if full_range {
                [y * 255.0, 128.0 + cb * 255.0, 128.0 + cr * 255.0]
            } else {
                [16.0 + y * 219.0, 128.0 + cb * 224.0, 128.0 + cr * 224.0]
            }
        };
        let at = |x: usize, y: usize| &px[((y0 + y) * fw + x0 + x) * 4..][..4];
        let mut luma = Plane { value: Vec::with_capacity(w * h), alpha: Vec::with_capacity(w * h) };
        for y in 0..h {
            for x in 0..w {
                let p = at(x, y);
                luma.value.push(convert(p)[0].round().clamp(0.0, 255.0) as u8);
                luma.alpha.push(p[3]);
            }
        }
        let (cw, ch) = (w / 2, h / 2);
        let mut cb = Plane { value: Vec::with_capacity(cw * ch), alpha: Vec::with_capacity(cw * ch) };
        let mut cr = Plane { value: Vec::with_capacity(cw * ch), alpha: Vec::with_capacity(cw * ch) };
        for y in 0..ch {
            for x in 0..cw {
                // Alpha-weighted average of the 2×2 block.
                let (mut a_sum, mut cb_sum, mut cr_sum) = (0.0f32, 0.0f32, 0.0f32);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let p = at(2 * x + dx, 2 * y + dy);
                    let a = f32::from(p[3]);
                    let yuv = convert(p);
                    a_sum += a;
                    cb_sum += a * yuv[1];
                    cr_sum += a * yuv[2];
                }
                let (vb, vr) = if a_sum > 0.0 { (cb_sum / a_sum, cr_sum / a_sum) } else { (128.0, 128.0) };
                let alpha = (a_sum / 4.0).round() as u8;
                cb.value.push(vb.round().clamp(0.0, 255.0) as u8);
                cb.alpha.push(alpha);
                cr.value.push(vr.round().clamp(0.0, 255.0) as u8);
                cr.alpha.push(alpha);
            }
        }
        Ok(Self { x: x0, y: y0, w, h, luma, cb, cr })
    }

    /// Blends the overlay into a writable YUV 4:2:0 frame of the size it was made for.
    pub(crate) fn apply(&self, frame: &mut ffmpeg::frame::Video) {
        let planes = [(&self.luma, 0usize, 1usize), (&self.cb, 1, 2), (&self.cr, 2, 2)];
        for (plane, index, sub) in planes {
            let stride = frame.stride(index);
            let data = frame.data_mut(index);
            let (x, y, w, h) = (self.x / sub, self.y / sub, self.w / sub, self.h / sub);
            for row in 0..h {
                let dst = &mut data[(y + row) * stride + x..][..w];
                let value = &plane.value[row * w..][..w];
                let alpha = &plane.alpha[row * w..][..w];
                for ((d, &v), &a) in dst.iter_mut().zip(value).zip(alpha) {
                    if a != 0 {
                        let (a, v) = (u32::from(a), u32::from(v));
                        *d = ((u32::from(*d) * (255 - a) + v * a + 127) / 255) as u8;
                    }
                }
            }
        }
    }
}
