//! The visible watermark on video: every frame of the first video stream gets the same mark as
//! images ([`crate::media::watermark`]: logo + "MIAOJING AI", 50 % opacity, bottom-right, sized
//! from the frame), and is re-encoded with libx264 (preset `veryfast`, CRF 23, YUV 4:2:0) into an
//! MP4 with the index at the front. The mark is rendered once per video and blended in YUV.
//!
//! Audio: the best audio stream is copied unchanged when the MP4 muxer accepts its codec (AAC, MP3,
//! Opus, AC-3, ALAC, FLAC, …); an audio codec MP4 cannot hold is left out and reported as
//! [`AudioHandling::Dropped`]. Other streams (subtitles, data) are not carried over.
//!
//! Frames stream through one at a time; memory use does not grow with the video's length.

use std::path::Path;

use ffmpeg_next as ffmpeg;
use ffmpeg_next::format::Pixel;

use super::label::label_metadata;
use super::overlay::YuvOverlay;
use super::{add_copy_stream, mp4_accepts, mp4_header_options, open_input, FfmpegContext, PendingOutput, VideoError, MAX_FRAME_PIXELS};
use crate::media::Label;

/// x264 speed/size trade-off used for watermarked copies.
pub const X264_PRESET: &str = "veryfast";
/// x264 constant rate factor used for watermarked copies.
pub const X264_CRF: &str = "23";

/// What happened to the input's audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioHandling {
    /// The input has no audio stream.
    None,
    /// The audio stream was copied unchanged (codec name).
    Copied(String),
    /// The audio codec cannot be stored in MP4, so the output has no sound (codec name).
    Dropped(String),
}

/// Summary of a watermarked video.
#[derive(Debug, Clone)]
pub struct VideoWatermarked {
    /// Size of the output frames.
    pub width: u32,
    pub height: u32,
    /// Number of video frames encoded.
    pub frames: u64,
    /// The audio stream's fate.
    pub audio: AudioHandling,
}

/// Re-encodes the local video `input` with the visible watermark into the MP4 `output` (written
/// under a temporary name and renamed when complete), optionally with the implicit AI-content
/// label in its metadata. Odd frame sizes are scaled down to the nearest even size (H.264 4:2:0
/// needs even sides); frames must be at least 64 px on each side.
pub fn watermark_video(input: &Path, output: &Path, label: Option<&Label>) -> Result<VideoWatermarked, VideoError> {
    let mut ictx = open_input(input)?;
    let (pending, mut octx) = PendingOutput::create(output)?;

    let ist = ictx.streams().best(ffmpeg::media::Type::Video).ok_or(VideoError::NoVideoStream)?;
    let video_index = ist.index();
    let video_tb = ist.time_base();
    let frame_rate = ist.avg_frame_rate();
    let decoder_ctx = ffmpeg::codec::context::Context::from_parameters(ist.parameters()).during("reading the video parameters")?;
    let mut decoder = decoder_ctx.decoder().video().map_err(|_| VideoError::NoVideoStream)?;
    let (src_w, src_h) = (decoder.width(), decoder.height());
    let (width, height) = (src_w & !1, src_h & !1);
    if width == 0 || height == 0 || u64::from(src_w) * u64::from(src_h) > MAX_FRAME_PIXELS {
        return Err(VideoError::FrameSize { width: src_w, height: src_h });
    }
    // Full-range (JPEG) 4:2:0 stays full range; everything else is converted to limited YUV 4:2:0.
    let full_range = decoder.format() == Pixel::YUVJ420P;
    let work_format = if full_range { Pixel::YUVJ420P } else { Pixel::YUV420P };
    let bt709 = decoder.color_space() == ffmpeg::color::Space::BT709
        || (decoder.color_space() == ffmpeg::color::Space::Unspecified && height >= 720);
    let overlay = YuvOverlay::new(width, height, bt709, full_range)?;

    // Video encoder.
    let codec = ffmpeg::encoder::find_by_name("libx264").ok_or(VideoError::MissingEncoder("libx264"))?;
    let global_header = octx.format().flags().contains(ffmpeg::format::Flags::GLOBAL_HEADER);
    let video_out = octx.add_stream(codec).during("adding the video stream")?.index();
    let mut encoder = ffmpeg::codec::context::Context::new_with_codec(codec).encoder().video().during("creating the encoder")?;
    encoder.set_width(width);
    encoder.set_height(height);
    encoder.set_format(work_format);
    encoder.set_aspect_ratio(decoder.aspect_ratio());
    encoder.set_time_base(video_tb);
    if frame_rate.numerator() > 0 && frame_rate.denominator() > 0 {
        encoder.set_frame_rate(Some(frame_rate));
    }
    encoder.set_color_range(if full_range { ffmpeg::color::Range::JPEG } else { ffmpeg::color::Range::MPEG });
    encoder.set_colorspace(decoder.color_space());
    encoder.set_color_primaries(decoder.color_primaries());
    encoder.set_color_transfer_characteristic(decoder.color_transfer_characteristic());
    if global_header {
        encoder.set_flags(ffmpeg::codec::Flags::GLOBAL_HEADER);
    }
    let mut x264 = ffmpeg::Dictionary::new();
    x264.set("preset", X264_PRESET);
    x264.set("crf", X264_CRF);
    let mut encoder = encoder.open_with(x264).during("opening the H.264 encoder")?;
    octx.stream_mut(video_out).ok_or(VideoError::NoVideoStream)?.set_parameters(&encoder);

    // Audio: copy what MP4 can hold.
    let mut audio = AudioHandling::None;
    let mut audio_map = None;
    if let Some(ast) = ictx.streams().best(ffmpeg::media::Type::Audio) {
        let id = ast.parameters().id();
        let name = format!("{id:?}").to_lowercase();
        if mp4_accepts(&octx, id) {
            audio_map = Some((ast.index(), add_copy_stream(&mut octx, &ast)?, ast.time_base()));
            audio = AudioHandling::Copied(name);
        } else {
            audio = AudioHandling::Dropped(name);
        }
    }

    let mut metadata = ictx.metadata().to_owned();
    if let Some(label) = label {
        label_metadata(&mut metadata, label);
    }
    octx.set_metadata(metadata);
    octx.write_header_with(mp4_header_options()).during("writing the MP4 header")?;
    let video_out_tb = octx.stream(video_out).ok_or(VideoError::NoVideoStream)?.time_base();

    let mut stage = Stage {
        scaler: None,
        work: ffmpeg::frame::Video::new(work_format, width, height),
        overlay,
        encoder: &mut encoder,
        video_tb,
        video_out,
        video_out_tb,
        frames: 0,
        last_pts: None,
        frame_duration: frame_duration(frame_rate, video_tb),
    };
    let mut decoded = ffmpeg::frame::Video::empty();
    for (stream, mut packet) in ictx.packets() {
        let index = stream.index();
        if index == video_index {
            // A corrupt packet is skipped; the decoder resynchronises at the next key frame.
            if decoder.send_packet(&packet).is_ok() {
                while decoder.receive_frame(&mut decoded).is_ok() {
                    stage.push(&mut decoded, &mut octx)?;
                }
            }
        } else if let Some((_, out, tb)) = audio_map.filter(|(i, _, _)| *i == index) {
            let out_tb = octx.stream(out).ok_or(VideoError::NoVideoStream)?.time_base();
            packet.rescale_ts(tb, out_tb);
            packet.set_position(-1);
            packet.set_stream(out);
            packet.write_interleaved(&mut octx).during("writing audio")?;
        }
    }
    let _ = decoder.send_eof();
    while decoder.receive_frame(&mut decoded).is_ok() {
        stage.push(&mut decoded, &mut octx)?;
    }
    stage.finish(&mut octx)?;
    let frames = stage.frames;
    if frames == 0 {
        return Err(VideoError::NoFrame);
    }
    octx.write_trailer().during("finishing the MP4")?;
    drop(octx);
    pending.commit()?;
    Ok(VideoWatermarked { width, height, frames, audio })
}

/// One frame at `rate` expressed in `time_base` units (1 when the rate is unknown).
fn frame_duration(rate: ffmpeg::Rational, time_base: ffmpeg::Rational) -> i64 {
    if rate.numerator() <= 0 || rate.denominator() <= 0 || time_base.numerator() <= 0 {
        return 1;
    }
    let d = i64::from(rate.denominator()) * i64::from(time_base.denominator())
        / (i64::from(rate.numerator()) * i64::from(time_base.numerator()));
    d.max(1)
}

/// Per-frame work: conversion to the encoder's format when needed, the overlay, encoding.
struct Stage<'a> {
    scaler: Option<ffmpeg::software::scaling::Context>,
    work: ffmpeg::frame::Video,
    overlay: YuvOverlay,
    encoder: &'a mut ffmpeg::encoder::Video,
    video_tb: ffmpeg::Rational,
    video_out: usize,
    video_out_tb: ffmpeg::Rational,
    frames: u64,
    last_pts: Option<i64>,
    /// One frame's duration in the input time base (at least 1).
    frame_duration: i64,
}

impl Stage<'_> {
    fn push(&mut self, decoded: &mut ffmpeg::frame::Video, octx: &mut ffmpeg::format::context::Output) -> Result<(), VideoError> {
        let (w, h) = (self.work.width(), self.work.height());
        // Missing or non-increasing timestamps (broken inputs) are made strictly increasing.
        let pts = match (decoded.timestamp(), self.last_pts) {
            (Some(t), Some(last)) if t <= last => last + 1,
            (Some(t), _) => t,
            (None, Some(last)) => last + 1,
            (None, None) => 0,
        };
        self.last_pts = Some(pts);
        let direct = decoded.format() == self.work.format() && decoded.width() == w && decoded.height() == h;
        let frame = if direct {
            // The decoder may still reference this buffer: take a private copy before drawing.
            // SAFETY: `decoded` is a valid frame owned by us.
            let ret = unsafe { ffmpeg::ffi::av_frame_make_writable(decoded.as_mut_ptr()) };
            if ret < 0 {
                return Err(VideoError::Ffmpeg { step: "copying a frame", source: ffmpeg::Error::from(ret) });
            }
            decoded
        } else {
            if self.scaler.as_ref().is_none_or(|s| {
                s.input().format != decoded.format() || s.input().width != decoded.width() || s.input().height != decoded.height()
            }) {
                self.scaler = Some(
                    ffmpeg::software::scaling::Context::get(
                        decoded.format(),
                        decoded.width(),
                        decoded.height(),
                        self.work.format(),
                        w,
                        h,
                        ffmpeg::software::scaling::Flags::BICUBIC,
                    )
                    .during("preparing the frame conversion")?,
                );
            }
            // The encoder may still hold the previous frame's buffer.
            // SAFETY: `work` is a valid frame owned by us.
            let ret = unsafe { ffmpeg::ffi::av_frame_make_writable(self.work.as_mut_ptr()) };
            if ret < 0 {
                return Err(VideoError::Ffmpeg { step: "copying a frame", source: ffmpeg::Error::from(ret) });
            }
            if let Some(scaler) = self.scaler.as_mut() {
                scaler.run(decoded, &mut self.work).during("converting a frame")?;
            }
            &mut self.work
        };
        self.overlay.apply(frame);
        frame.set_pts(Some(pts));
        frame.set_kind(ffmpeg::picture::Type::None);
        self.encoder.send_frame(frame).during("encoding a frame")?;
        self.frames += 1;
        self.drain(octx)
    }

    fn drain(&mut self, octx: &mut ffmpeg::format::context::Output) -> Result<(), VideoError> {
        let mut packet = ffmpeg::Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            // Without packet durations the MP4's track would end at the last frame's start and
            // players would drop that frame.
            if packet.duration() == 0 {
                packet.set_duration(self.frame_duration);
            }
            packet.set_stream(self.video_out);
            packet.rescale_ts(self.video_tb, self.video_out_tb);
            packet.write_interleaved(octx).during("writing video")?;
        }
        Ok(())
    }

    fn finish(&mut self, octx: &mut ffmpeg::format::context::Output) -> Result<(), VideoError> {
        self.encoder.send_eof().during("flushing the encoder")?;
        self.drain(octx)
    }
}
