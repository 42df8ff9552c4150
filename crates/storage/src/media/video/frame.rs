//! Poster frames and video thumbnails.
//!
//! [`extract_frame`] decodes a real frame at 1 s, else at 0.2 s, else at 0 s (the [`FRAME_TIMES`];
//! a time counts as available when the video has a frame at or after it), scaled to its display
//! aspect ratio. [`thumbnail`] turns it into the WebP thumbnail of the image profile
//! ([`THUMB_PROFILE`](crate::media::THUMB_PROFILE), stored under
//! [`thumbnail_key`](crate::media::thumbnail_key)).
//!
//! When no frame can be extracted, the caller stores [`placeholder_thumbnail`] under
//! [`video_placeholder_key`] — the thumbnail key with [`PLACEHOLDER_SUFFIX`] before `.webp` — so
//! [`is_stale_thumbnail_key`] recognises it and a background job retries the extraction; once a
//! real thumbnail is written under the normal key the placeholder can be deleted.

use std::path::Path;

use ffmpeg_next as ffmpeg;
use image::RgbImage;

use super::{open_input, FfmpegContext, VideoError, MAX_FRAME_PIXELS};
use crate::media::thumbnail::{fit_inside, resize_lanczos3, sharpen};
use crate::media::{encode_webp, label, thumbnail_key, Effort, Label, MediaError, Thumbnail, THUMB_MAX_EDGE, THUMB_QUALITY};

/// Seek times tried in order, in seconds.
pub const FRAME_TIMES: [f64; 3] = [1.0, 0.2, 0.0];
/// Inserted before `.webp` in the key of a placeholder thumbnail.
pub const PLACEHOLDER_SUFFIX: &str = "-stale";
/// Size of the placeholder poster.
const PLACEHOLDER_SIZE: (u32, u32) = (1280, 720);

/// A decoded frame, 8-bit RGB, at its display size.
#[derive(Debug, Clone)]
pub struct VideoFrame {
    /// The pixels.
    pub image: RgbImage,
    /// The seek time that produced it (one of [`FRAME_TIMES`]).
    pub requested_at: f64,
    /// The frame's own presentation time in seconds from the start of the stream.
    pub timestamp: f64,
}

/// Extracts the poster frame of a local video file (see the module documentation).
pub fn extract_frame(path: &Path) -> Result<VideoFrame, VideoError> {
    let mut ictx = open_input(path)?;
    let stream = ictx.streams().best(ffmpeg::media::Type::Video).ok_or(VideoError::NoVideoStream)?;
    let index = stream.index();
    let time_base = f64::from(stream.time_base());
    let start = if stream.start_time() == ffmpeg::ffi::AV_NOPTS_VALUE { 0 } else { stream.start_time() };
    let mut decoder = ffmpeg::codec::context::Context::from_parameters(stream.parameters())
        .during("reading the video parameters")?
        .decoder()
        .video()
        .map_err(|_| VideoError::NoVideoStream)?;
    check_size(decoder.width(), decoder.height())?;
    for &at in &FRAME_TIMES {
        let target = start as f64 * time_base + at;
        if let Some((frame, ts)) = decode_first_at_or_after(&mut ictx, &mut decoder, index, time_base, target)? {
            let image = to_rgb(&frame)?;
            return Ok(VideoFrame { image, requested_at: at, timestamp: ts - start as f64 * time_base });
        }
    }
    Err(VideoError::NoFrame)
}

/// Makes the WebP thumbnail (image profile) of a local video file's poster frame, optionally with
/// an implicit AI-content label.
pub fn thumbnail(path: &Path, label: Option<&Label>) -> Result<Thumbnail, VideoError> {
    let frame = extract_frame(path)?;
    Ok(frame_thumbnail(&frame.image, label)?)
}

/// The thumbnail of a decoded frame: fit inside 1280 px with Lanczos3, the thumbnail sharpening,
/// WebP quality 86 — the same recipe as image thumbnails.
pub fn frame_thumbnail(frame: &RgbImage, label: Option<&Label>) -> Result<Thumbnail, MediaError> {
    let (w, h) = frame.dimensions();
    let (tw, th) = fit_inside(w, h, THUMB_MAX_EDGE);
    let mut pixels =
        if (tw, th) == (w, h) { frame.as_raw().clone() } else { resize_lanczos3(frame.as_raw().clone(), w, h, tw, th, false)? };
    sharpen(&mut pixels, tw as usize, th as usize, 3);
    let mut bytes = encode_webp(&pixels, tw, th, false, THUMB_QUALITY, Effort::Best)?;
    if let Some(label) = label {
        bytes = label::embed_label(&bytes, label)?;
    }
    Ok(Thumbnail { bytes, width: tw, height: th })
}

/// A 1280×720 WebP poster (dark gradient with a play button) for a video whose frame could not be
/// extracted. Store it under [`video_placeholder_key`] so it is recognised as stale and retried.
pub fn placeholder_thumbnail() -> Result<Thumbnail, MediaError> {
    let (w, h) = PLACEHOLDER_SIZE;
    let (cx, cy, r) = (w as f32 / 2.0, h as f32 / 2.0, h as f32 * 0.12);
    let mut image = RgbImage::new(w, h);
    for (x, y, px) in image.enumerate_pixels_mut() {
        let t = (x + y) as f32 / (w + h) as f32;
        let mut rgb = [18.0 + 22.0 * t, 20.0 + 18.0 * t, 34.0 + 40.0 * t];
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        if dx * dx + dy * dy <= r * r {
            rgb = [rgb[0] + 40.0, rgb[1] + 40.0, rgb[2] + 40.0];
            // The play triangle: pointing right, centred slightly right of the circle's centre.
            let (tx, ty) = (dx + r * 0.12, dy);
            if tx >= -r * 0.35 && tx <= r * 0.5 && ty.abs() <= 0.45 * r * (r * 0.5 - tx) / (r * 0.85) {
                rgb = [236.0, 236.0, 240.0];
            }
        }
        *px = image::Rgb(rgb.map(|c| c.min(255.0) as u8));
    }
    let bytes = encode_webp(image.as_raw(), w, h, false, THUMB_QUALITY, Effort::Best)?;
    Ok(Thumbnail { bytes, width: w, height: h })
}

/// The key of the placeholder thumbnail of video `key`: `videos/a.mp4` → `videos/a-m1280q86-stale.webp`.
pub fn video_placeholder_key(key: &str) -> String {
    let real = thumbnail_key(key);
    let stem = real.strip_suffix(".webp").unwrap_or(&real);
    format!("{stem}{PLACEHOLDER_SUFFIX}.webp")
}

/// Whether a thumbnail key names a placeholder that should be replaced by a real frame.
pub fn is_stale_thumbnail_key(key: &str) -> bool {
    key.strip_suffix(".webp").is_some_and(|stem| stem.ends_with(PLACEHOLDER_SUFFIX))
}

fn check_size(width: u32, height: u32) -> Result<(), VideoError> {
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_FRAME_PIXELS {
        return Err(VideoError::FrameSize { width, height });
    }
    Ok(())
}

/// Seeks to the key frame at or before `target` seconds and decodes until the first frame whose
/// time is at or after it. `None` when the stream ends first (the time is not available).
fn decode_first_at_or_after(
    ictx: &mut ffmpeg::format::context::Input,
    decoder: &mut ffmpeg::decoder::Video,
    index: usize,
    time_base: f64,
    target: f64,
) -> Result<Option<(ffmpeg::frame::Video, f64)>, VideoError> {
    let ts = (target * f64::from(ffmpeg::ffi::AV_TIME_BASE)) as i64;
    if ictx.seek(ts, ..ts + 1).is_err() && target > 0.0 {
        return Ok(None);
    }
    decoder.flush();
    // Half a millisecond of slack for times stored in coarse time bases.
    let reached = |frame: &ffmpeg::frame::Video| match frame.timestamp() {
        Some(t) => (t as f64 * time_base >= target - 0.0005).then_some(t as f64 * time_base),
        None => Some(target),
    };
    let mut frame = ffmpeg::frame::Video::empty();
    for (stream, packet) in ictx.packets() {
        if stream.index() != index {
            continue;
        }
        // A corrupt packet is skipped; the decoder resynchronises at the next key frame.
        if decoder.send_packet(&packet).is_err() {
            continue;
        }
        while decoder.receive_frame(&mut frame).is_ok() {
            if let Some(t) = reached(&frame) {
                return Ok(Some((frame, t)));
            }
        }
    }
    let _ = decoder.send_eof();
    while decoder.receive_frame(&mut frame).is_ok() {
        if let Some(t) = reached(&frame) {
            return Ok(Some((frame, t)));
        }
    }
    Ok(None)
}

/// Converts a decoded frame to RGB at its display size (non-square pixels are stretched).
fn to_rgb(frame: &ffmpeg::frame::Video) -> Result<RgbImage, VideoError> {
    let (w, h) = (frame.width(), frame.height());
    check_size(w, h)?;
    let sar = frame.aspect_ratio();
    let dw = if sar.numerator() > 0 && sar.denominator() > 0 && sar.numerator() != sar.denominator() {
        ((f64::from(w) * f64::from(sar)).round() as u32).clamp(1, w.saturating_mul(4))
    } else {
        w
    };
    check_size(dw, h)?;
    let mut scaler = ffmpeg::software::scaling::Context::get(
        frame.format(),
        w,
        h,
        ffmpeg::format::Pixel::RGB24,
        dw,
        h,
        ffmpeg::software::scaling::Flags::BICUBIC,
    )
    .during("preparing the frame conversion")?;
    let mut rgb = ffmpeg::frame::Video::empty();
    scaler.run(frame, &mut rgb).during("converting the frame to RGB")?;
    let stride = rgb.stride(0);
    let data = rgb.data(0);
    let row = dw as usize * 3;
    let mut pixels = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        pixels.extend_from_slice(&data[y * stride..][..row]);
    }
    RgbImage::from_raw(dw, h, pixels).ok_or_else(|| VideoError::Media(MediaError::Decode("frame buffer size mismatch".into())))
}
