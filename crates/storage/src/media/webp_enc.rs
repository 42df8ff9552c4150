//! Lossy WebP encoding through libwebp, with the RGB→YUV conversion split across two threads.
//!
//! libwebp's RGB→YUV conversion is single-threaded; the sharp (iterative) one takes about half of
//! an [`Effort::Best`] encode. For opaque images we convert the top and bottom halves concurrently,
//! each with 16 extra rows beyond the seam so that the iterative refinement sees the same
//! neighbourhood it would see in one pass, copy the planes into one picture, and hand that YUV
//! picture to `WebPEncode` (which then skips its own conversion). The plain conversion works on
//! 2×2 blocks, so for [`Effort::Fast`] the split gives exactly the one-pass planes. Images with
//! alpha go through the ordinary one-thread path.

use std::ffi::c_void;
use std::sync::Once;

use libwebp_sys as sys;

use super::MediaError;

/// Rows converted beyond the seam by each half (a multiple of 2 so chroma rows line up).
const OVERLAP: usize = 16;
/// Below this height the split is not worth it.
const SPLIT_MIN_HEIGHT: usize = 128;

/// Owns a `WebPPicture` and frees it on drop.
struct Picture(sys::WebPPicture);

impl Picture {
    fn new(width: usize, height: usize) -> Result<Self, MediaError> {
        let mut p = sys::WebPPicture::new().map_err(|()| MediaError::Encode("libwebp version mismatch".into()))?;
        p.width = i32::try_from(width).map_err(|_| MediaError::Encode("image too wide".into()))?;
        p.height = i32::try_from(height).map_err(|_| MediaError::Encode("image too tall".into()))?;
        Ok(Self(p))
    }

    /// A YUV 4:2:0 picture from `rows` rows of packed RGB starting at row `first`, converted
    /// with sharp YUV or libwebp's plain conversion.
    fn yuv_from_rgb(rgb: &[u8], width: usize, first: usize, rows: usize, sharp: bool) -> Result<Self, MediaError> {
        let stride = width * 3;
        let band = &rgb[first * stride..(first + rows) * stride];
        let mut p = Self::new(width, rows)?;
        // Sharp YUV converts from ARGB; the plain conversion happens during the import itself.
        p.0.use_argb = i32::from(sharp);
        // SAFETY: `band` holds exactly `rows` rows of `stride` bytes and outlives the calls; the
        // picture's size was set to width × rows above.
        unsafe {
            if sys::WebPPictureImportRGB(&mut p.0, band.as_ptr(), stride as i32) == 0 {
                return Err(MediaError::Encode("libwebp could not import the pixels".into()));
            }
            if sharp && sys::WebPPictureSharpARGBToYUVA(&mut p.0) == 0 {
                return Err(MediaError::Encode("libwebp could not convert to YUV".into()));
            }
        }
        Ok(p)
    }
}

// SAFETY: a picture exclusively owns the buffers its pointers refer to (no writer or hook is set
// while it moves between threads), so handing it to another thread is sound.
unsafe impl Send for Picture {}

impl Drop for Picture {
    fn drop(&mut self) {
        // SAFETY: the picture was initialised by WebPPictureInit; freeing an unallocated one is a no-op.
        unsafe { sys::WebPPictureFree(&mut self.0) }
    }
}

/// Copies `rows` rows of a plane from `src` (starting at `src_row`) into `dst` (starting at `dst_row`).
///
/// # Safety
/// Both planes must hold the given rows of `width` bytes at their strides.
unsafe fn copy_rows(
    (src, src_stride): (*const u8, i32),
    src_row: usize,
    (dst, dst_stride): (*mut u8, i32),
    dst_row: usize,
    rows: usize,
    width: usize,
) {
    for r in 0..rows {
        let s = src.add((src_row + r) * src_stride as usize);
        let d = dst.add((dst_row + r) * dst_stride as usize);
        std::ptr::copy_nonoverlapping(s, d, width);
    }
}

/// How hard libwebp works on an encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// The reference recipe: method 5 and sharp (iterative) RGB→YUV conversion. About five times
    /// the CPU of [`Effort::Fast`] for a slightly smaller file and cleaner colour edges.
    Best,
    /// Method 2 and libwebp's plain RGB→YUV conversion, for encodes on a latency-critical path.
    Fast,
}

fn config(quality: f32, effort: Effort) -> Result<sys::WebPConfig, MediaError> {
    let mut config = sys::WebPConfig::new().map_err(|()| MediaError::Encode("libwebp rejected its default configuration".into()))?;
    config.lossless = 0;
    config.quality = quality;
    config.alpha_quality = 100;
    match effort {
        Effort::Best => {
            config.method = 5;
            config.use_sharp_yuv = 1;
        }
        Effort::Fast => {
            config.method = 2;
            config.use_sharp_yuv = 0;
        }
    }
    Ok(config)
}

/// Runs libwebp's one-time CPU-feature setup on one thread before any concurrent use (this build of
/// libwebp has no internal locking around it).
fn init_once() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let rgb = [128u8; 16 * 16 * 3];
        let _ = Picture::yuv_from_rgb(&rgb, 16, 0, 16, true);
    });
}

fn encode_picture(config: &sys::WebPConfig, picture: &mut Picture) -> Result<Vec<u8>, MediaError> {
    // SAFETY: the writer is initialised before use, lives until after WebPEncode returns and is
    // cleared afterwards; its buffer is copied out before clearing.
    unsafe {
        let mut writer = std::mem::MaybeUninit::<sys::WebPMemoryWriter>::uninit();
        sys::WebPMemoryWriterInit(writer.as_mut_ptr());
        let mut writer = writer.assume_init();
        picture.0.writer = Some(sys::WebPMemoryWrite);
        picture.0.custom_ptr = (&mut writer as *mut sys::WebPMemoryWriter).cast::<c_void>();
        let ok = sys::WebPEncode(config, &mut picture.0);
        let out = if ok != 0 && !writer.mem.is_null() { std::slice::from_raw_parts(writer.mem, writer.size).to_vec() } else { Vec::new() };
        let code = picture.0.error_code;
        sys::WebPMemoryWriterClear(&mut writer);
        picture.0.writer = None;
        picture.0.custom_ptr = std::ptr::null_mut();
        if ok == 0 {
            return Err(MediaError::Encode(format!("libwebp: {code:?}")));
        }
        Ok(out)
    }
}

/// Lossy WebP at `quality` with the given effort; `pixels` is packed RGB or RGBA.
pub(crate) fn encode_webp(
    pixels: &[u8],
    width: u32,
    height: u32,
    has_alpha: bool,
    quality: f32,
    effort: Effort,
) -> Result<Vec<u8>, MediaError> {
    let (w, h) = (width as usize, height as usize);
    let bpp = if has_alpha { 4 } else { 3 };
    if w == 0 || h == 0 || pixels.len() < w * h * bpp {
        return Err(MediaError::Encode("pixel buffer does not match its dimensions".into()));
    }
    let config = config(quality, effort)?;
    if has_alpha || h < SPLIT_MIN_HEIGHT {
        let mut p = Picture::new(w, h)?;
        p.0.use_argb = 1;
        // SAFETY: `pixels` holds w × h pixels of `bpp` bytes (checked above).
        let ok = unsafe {
            if has_alpha {
                sys::WebPPictureImportRGBA(&mut p.0, pixels.as_ptr(), (w * 4) as i32)
            } else {
                sys::WebPPictureImportRGB(&mut p.0, pixels.as_ptr(), (w * 3) as i32)
            }
        };
        if ok == 0 {
            return Err(MediaError::Encode("libwebp could not import the pixels".into()));
        }
        return encode_picture(&config, &mut p);
    }

    init_once();
    let mid = (h / 2) & !15; // the seam falls on a macroblock boundary
    let sharp = config.use_sharp_yuv != 0;
    let (top, bottom) = rayon::join(
        || Picture::yuv_from_rgb(pixels, w, 0, mid + OVERLAP, sharp),
        || Picture::yuv_from_rgb(pixels, w, mid - OVERLAP, h - (mid - OVERLAP), sharp),
    );
    let (top, bottom) = (top?, bottom?);
    let mut full = Picture::new(w, h)?;
    full.0.use_argb = 0;
    // SAFETY: `full` is allocated as YUV 4:2:0 of w × h; the halves hold the rows copied from them
    // (top: rows 0..mid+OVERLAP, bottom: rows mid-OVERLAP..h), chroma planes at half resolution.
    unsafe {
        if sys::WebPPictureAlloc(&mut full.0) == 0 {
            return Err(MediaError::Encode("libwebp could not allocate the picture".into()));
        }
        let (uv_w, uv_mid, uv_h, uv_ov) = (w.div_ceil(2), mid / 2, h.div_ceil(2), OVERLAP / 2);
        let (t, b, f) = (&top.0, &bottom.0, &full.0);
        copy_rows((t.y, t.y_stride), 0, (f.y, f.y_stride), 0, mid, w);
        copy_rows((b.y, b.y_stride), OVERLAP, (f.y, f.y_stride), mid, h - mid, w);
        for (ts, bs, fs) in [(t.u, b.u, f.u), (t.v, b.v, f.v)] {
            copy_rows((ts, t.uv_stride), 0, (fs, f.uv_stride), 0, uv_mid, uv_w);
            copy_rows((bs, b.uv_stride), uv_ov, (fs, f.uv_stride), uv_mid, uv_h - uv_mid, uv_w);
        }
    }
    encode_picture(&config, &mut full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_errors(w: usize, h: usize, alpha: bool) -> Vec<f64> {
        let bpp = if alpha { 4 } else { 3 };
        let px: Vec<u8> = (0..h)
            .flat_map(|y| {
                (0..w).flat_map(move |x| {
                    let v = [(x * 255 / w) as u8, (y * 255 / h) as u8, ((x + 2 * y) * 255 / (w + 2 * h)) as u8, 255];
                    v.into_iter().take(bpp)
                })
            })
            .collect();
        let out = encode_webp(&px, w as u32, h as u32, alpha, 86.0, Effort::Best).unwrap();
        let back = image::load_from_memory_with_format(&out, image::ImageFormat::WebP).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (w as u32, h as u32));
        (0..h)
            .map(|y| {
                let sum: u64 = (0..w)
                    .flat_map(|x| (0..3).map(move |c| (x, c)))
                    .map(|(x, c)| u64::from(px[(y * w + x) * bpp + c].abs_diff(back.get_pixel(x as u32, y as u32).0[c])))
                    .sum();
                sum as f64 / (w * 3) as f64
            })
            .collect()
    }

    #[test]
    fn split_conversion_leaves_no_seam() {
        let (w, h) = (400, 300);
        let errors = row_errors(w, h, false);
        let mut sorted = errors.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[h / 2];
        let mid = (h / 2) & !15;
        for (y, e) in errors.iter().enumerate().take(mid + 3).skip(mid - 3) {
            assert!(*e <= (median * 2.0).max(median + 2.0), "row {y}: error {e} vs median {median}");
        }
        assert!(median < 6.0, "median row error {median}");
    }

    #[test]
    fn fast_effort_stays_close_to_best() {
        let (w, h) = (512, 384);
        let px: Vec<u8> = (0..w * h).flat_map(|i| [(i % w) as u8, (i / w % 256) as u8, ((i * 7919) % 251) as u8]).collect();
        let mean_error = |effort| {
            let out = encode_webp(&px, w as u32, h as u32, false, 86.0, effort).unwrap();
            let back = image::load_from_memory_with_format(&out, image::ImageFormat::WebP).unwrap().to_rgb8();
            let sum: u64 = px.iter().zip(back.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
            (sum as f64 / px.len() as f64, out.len())
        };
        let ((best, best_len), (fast, fast_len)) = (mean_error(Effort::Best), mean_error(Effort::Fast));
        assert!(fast <= best * 1.5 + 0.5, "fast error {fast} vs best {best}");
        assert!(fast_len <= best_len * 3 / 2, "fast {fast_len} bytes vs best {best_len}");
    }

    #[test]
    fn alpha_and_small_images_use_the_single_pass() {
        assert!(row_errors(200, 100, true).iter().all(|e| *e < 8.0));
        assert!(row_errors(50, 20, false).iter().all(|e| *e < 8.0));
        assert!(encode_webp(&[0; 10], 10, 10, false, 86.0, Effort::Best).is_err());
        assert!(encode_webp(&[], 0, 0, false, 86.0, Effort::Best).is_err());
    }
}
