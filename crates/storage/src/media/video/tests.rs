//! Tests on real MP4 files generated here with ffmpeg-next (libx264 video, AAC audio), plus the
//! repository's fixture `crates/mock-upstream/fixtures/sample.mp4`.

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;

use super::*;
use crate::media::{Label, MediaFormat, THUMB_MAX_EDGE};

/// A scratch directory removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("mj-video-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const FPS: i32 = 25;
/// Horizontal speed of the test pattern's white square, in pixels per frame.
const SPEED: usize = 4;
const SQUARE: usize = 24;

/// Writes an H.264 MP4 of `frames` frames at 25 fps: a diagonal luma gradient that scrolls, and a
/// white square whose left edge is at `SPEED × frame index`, so a frame's index can be read back
/// from its pixels. With `audio`, a 440 Hz AAC tone of the same length is muxed in.
fn make_mp4(path: &Path, frames: usize, width: u32, height: u32, audio: bool) {
    init().unwrap();
    let mut octx = ffmpeg::format::output_as(&path, "mp4").unwrap();
    let global = octx.format().flags().contains(ffmpeg::format::Flags::GLOBAL_HEADER);
    let x264 = ffmpeg::encoder::find_by_name("libx264").expect("libx264");
    let v_index = octx.add_stream(x264).unwrap().index();
    let mut venc = ffmpeg::codec::context::Context::new_with_codec(x264).encoder().video().unwrap();
    venc.set_width(width);
    venc.set_height(height);
    venc.set_format(ffmpeg::format::Pixel::YUV420P);
    venc.set_time_base((1, FPS));
    venc.set_frame_rate(Some((FPS, 1)));
    if global {
        venc.set_flags(ffmpeg::codec::Flags::GLOBAL_HEADER);
    }
    let mut opts = ffmpeg::Dictionary::new();
    opts.set("preset", "ultrafast");
    opts.set("g", "12");
    let mut venc = venc.open_with(opts).unwrap();
    octx.stream_mut(v_index).unwrap().set_parameters(&venc);

    let mut aenc = None;
    if audio {
        let aac = ffmpeg::encoder::find(ffmpeg::codec::Id::AAC).expect("aac encoder");
        let a_index = octx.add_stream(aac).unwrap().index();
        let mut enc = ffmpeg::codec::context::Context::new_with_codec(aac).encoder().audio().unwrap();
        enc.set_rate(44_100);
        enc.set_channel_layout(ffmpeg::ChannelLayout::MONO);
        enc.set_format(ffmpeg::format::Sample::F32(ffmpeg::format::sample::Type::Planar));
        enc.set_time_base((1, 44_100));
        enc.set_bit_rate(64_000);
        if global {
            enc.set_flags(ffmpeg::codec::Flags::GLOBAL_HEADER);
        }
        let enc = enc.open().unwrap();
        octx.stream_mut(a_index).unwrap().set_parameters(&enc);
        aenc = Some((a_index, enc));
    }
    octx.write_header().unwrap();

    fn drain(enc: &mut ffmpeg::encoder::Encoder, octx: &mut ffmpeg::format::context::Output, index: usize, tb: ffmpeg::Rational) {
        let mut packet = ffmpeg::Packet::empty();
        while enc.receive_packet(&mut packet).is_ok() {
            if packet.duration() == 0 {
                packet.set_duration(1); // one frame in the video's 1/25 s time base
            }
            packet.set_stream(index);
            packet.rescale_ts(tb, octx.stream(index).unwrap().time_base());
            packet.write_interleaved(octx).unwrap();
        }
    }

    let (w, h) = (width as usize, height as usize);
    for i in 0..frames {
        let mut frame = ffmpeg::frame::Video::new(ffmpeg::format::Pixel::YUV420P, width, height);
        let stride = frame.stride(0);
        let sx = (i * SPEED) % (w - SQUARE);
        let sy = h / 2 - SQUARE / 2;
        let y_plane = frame.data_mut(0);
        for y in 0..h {
            for x in 0..w {
                let inside = (sx..sx + SQUARE).contains(&x) && (sy..sy + SQUARE).contains(&y);
                y_plane[y * stride + x] = if inside { 235 } else { 40 + ((x + y + 3 * i) % 120) as u8 };
            }
        }
        for plane in 1..3 {
            let stride = frame.stride(plane);
            let data = frame.data_mut(plane);
            for y in 0..h / 2 {
                for x in 0..w / 2 {
                    data[y * stride + x] = if plane == 1 { 100 + (x % 40) as u8 } else { 150 - (y % 40) as u8 };
                }
            }
        }
        frame.set_pts(Some(i as i64));
        venc.send_frame(&frame).unwrap();
        drain(&mut venc, &mut octx, v_index, ffmpeg::Rational(1, FPS));
    }
    venc.send_eof().unwrap();
    drain(&mut venc, &mut octx, v_index, ffmpeg::Rational(1, FPS));

    if let Some((a_index, mut enc)) = aenc {
        let size = enc.frame_size() as usize;
        let total = frames * 44_100 / FPS as usize;
        let mut n = 0;
        while n < total {
            let mut frame = ffmpeg::frame::Audio::new(enc.format(), size, ffmpeg::ChannelLayout::MONO);
            frame.set_rate(44_100);
            for (k, s) in frame.plane_mut::<f32>(0).iter_mut().enumerate() {
                *s = 0.3 * ((n + k) as f32 * 440.0 * std::f32::consts::TAU / 44_100.0).sin();
            }
            // Shifted by the encoder's priming delay so no packet has a negative time (which would
            // make the muxer shift every stream and write edit lists).
            frame.set_pts(Some((n + size) as i64));
            enc.send_frame(&frame).unwrap();
            drain(&mut enc, &mut octx, a_index, ffmpeg::Rational(1, 44_100));
            n += size;
        }
        enc.send_eof().unwrap();
        drain(&mut enc, &mut octx, a_index, ffmpeg::Rational(1, 44_100));
    }
    octx.write_trailer().unwrap();
}

/// What a test needs to know about an MP4: streams, duration and every decoded frame count.
struct Probe {
    video_codec: ffmpeg::codec::Id,
    audio_codec: Option<ffmpeg::codec::Id>,
    width: u32,
    height: u32,
    duration: f64,
    frames: usize,
}

fn probe(path: &Path) -> Probe {
    let mut ictx = open_input(path).unwrap();
    let duration = ictx.duration() as f64 / f64::from(ffmpeg::ffi::AV_TIME_BASE);
    let audio_codec = ictx.streams().best(ffmpeg::media::Type::Audio).map(|s| s.parameters().id());
    let stream = ictx.streams().best(ffmpeg::media::Type::Video).unwrap();
    let index = stream.index();
    let video_codec = stream.parameters().id();
    let mut decoder = ffmpeg::codec::context::Context::from_parameters(stream.parameters()).unwrap().decoder().video().unwrap();
    let (width, height) = (decoder.width(), decoder.height());
    let mut frames = 0;
    let mut frame = ffmpeg::frame::Video::empty();
    for (s, packet) in ictx.packets() {
        if s.index() == index {
            decoder.send_packet(&packet).unwrap();
            while decoder.receive_frame(&mut frame).is_ok() {
                frames += 1;
            }
        }
    }
    decoder.send_eof().unwrap();
    while decoder.receive_frame(&mut frame).is_ok() {
        frames += 1;
    }
    Probe { video_codec, audio_codec, width, height, duration, frames }
}

/// The x of the white square's left edge, found from the brightest columns of its rows.
fn square_x(frame: &image::RgbImage) -> usize {
    let y = frame.height() as usize / 2;
    let row: Vec<u32> = (0..frame.width()).map(|x| frame.get_pixel(x, y as u32).0.iter().map(|&c| u32::from(c)).sum()).collect();
    row.iter().position(|&v| v > 600).expect("the white square is visible")
}

/// Mean absolute difference of two equally sized frames over a rectangle.
fn region_diff(a: &image::RgbImage, b: &image::RgbImage, x0: u32, y0: u32, w: u32, h: u32) -> f64 {
    let mut sum = 0u64;
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            for c in 0..3 {
                sum += u64::from(a.get_pixel(x, y).0[c].abs_diff(b.get_pixel(x, y).0[c]));
            }
        }
    }
    sum as f64 / f64::from(w * h * 3)
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../mock-upstream/fixtures/sample.mp4")
}

#[test]
fn the_frame_at_one_second_is_taken_when_the_video_is_long_enough() {
    let dir = Scratch::new();
    let path = dir.path("long.mp4");
    make_mp4(&path, 62, 320, 240, false); // 2.48 s
    let frame = extract_frame(&path).unwrap();
    assert_eq!(frame.requested_at, 1.0);
    assert!((frame.timestamp - 1.0).abs() < 0.021, "timestamp {}", frame.timestamp);
    assert_eq!(frame.image.dimensions(), (320, 240));
    // Frame 25 (1 s at 25 fps) has its square at x = 100.
    let x = square_x(&frame.image);
    assert!(x.abs_diff(25 * SPEED) <= 2, "square at {x}");
}

#[test]
fn a_half_second_video_falls_back_to_the_frame_at_0_2_seconds() {
    let dir = Scratch::new();
    let path = dir.path("short.mp4");
    make_mp4(&path, 12, 320, 240, false); // 0.48 s
    let frame = extract_frame(&path).unwrap();
    assert_eq!(frame.requested_at, 0.2);
    assert!((frame.timestamp - 0.2).abs() < 0.021, "timestamp {}", frame.timestamp);
    let x = square_x(&frame.image);
    assert!(x.abs_diff(5 * SPEED) <= 2, "square at {x}");
}

#[test]
fn a_very_short_video_falls_back_to_its_first_frame() {
    let dir = Scratch::new();
    let path = dir.path("tiny.mp4");
    make_mp4(&path, 3, 320, 240, false); // 0.12 s
    let frame = extract_frame(&path).unwrap();
    assert_eq!(frame.requested_at, 0.0);
    assert!(frame.timestamp.abs() < 0.001);
    assert!(square_x(&frame.image) <= 2);
}

#[test]
fn the_thumbnail_is_a_webp_of_the_image_profile_size() {
    let dir = Scratch::new();
    let path = dir.path("wide.mp4");
    make_mp4(&path, 8, 1600, 900, false);
    let label = Label::ai_generated("vid_thumb_1");
    let thumb = thumbnail(&path, Some(&label)).unwrap();
    assert_eq!(MediaFormat::sniff(&thumb.bytes), Some(MediaFormat::WebP));
    assert_eq!((thumb.width, thumb.height), (THUMB_MAX_EDGE, 720));
    let decoded = image::load_from_memory(&thumb.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1280, 720));
    assert_eq!(crate::media::read_label(&thumb.bytes), Some(label));

    // Small videos are not enlarged.
    let small = dir.path("small.mp4");
    make_mp4(&small, 30, 320, 240, false);
    let thumb = thumbnail(&small, None).unwrap();
    assert_eq!((thumb.width, thumb.height), (320, 240));
}

#[test]
fn the_fixture_yields_a_frame_and_a_thumbnail() {
    let frame = extract_frame(&fixture()).unwrap();
    assert_eq!(frame.image.dimensions(), (320, 240));
    let thumb = thumbnail(&fixture(), None).unwrap();
    assert_eq!(MediaFormat::sniff(&thumb.bytes), Some(MediaFormat::WebP));
}

#[test]
fn placeholders_are_webp_posters_under_a_recognisably_stale_key() {
    let p = placeholder_thumbnail().unwrap();
    assert_eq!((p.width, p.height), (1280, 720));
    let decoded = image::load_from_memory(&p.bytes).unwrap().into_rgb8();
    // The play button is brighter than the background.
    assert!(decoded.get_pixel(645, 360).0[0] > 200);
    assert!(decoded.get_pixel(20, 20).0[0] < 60);

    let key = video_placeholder_key("generated/videos/2025/abc.mp4");
    assert_eq!(key, "generated/videos/2025/abc-m1280q86-stale.webp");
    assert!(is_stale_thumbnail_key(&key));
    assert!(!is_stale_thumbnail_key(&crate::media::thumbnail_key("generated/videos/2025/abc.mp4")));
}

#[test]
fn watermarking_re_encodes_to_h264_with_the_mark_and_keeps_size_duration_and_audio() {
    let dir = Scratch::new();
    let src = dir.path("src.mp4");
    make_mp4(&src, 62, 320, 240, true);
    let out = dir.path("marked.mp4");
    let label = Label::ai_generated("vid_0001");
    let result = watermark_video(&src, &out, Some(&label)).unwrap();
    assert_eq!((result.width, result.height), (320, 240));
    assert_eq!(result.frames, 62);
    assert_eq!(result.audio, AudioHandling::Copied("aac".into()));

    let (a, b) = (probe(&src), probe(&out));
    assert_eq!(b.video_codec, ffmpeg::codec::Id::H264);
    assert_eq!(b.audio_codec, Some(ffmpeg::codec::Id::AAC));
    assert_eq!((b.width, b.height), (a.width, a.height));
    assert_eq!(b.frames, a.frames);
    assert!((a.duration - b.duration).abs() < 0.1, "{} vs {}", a.duration, b.duration);

    // The mark sits bottom-right: that corner changes, the top-left one does not (beyond codec noise).
    let (fa, fb) = (extract_frame(&src).unwrap().image, extract_frame(&out).unwrap().image);
    let corner = region_diff(&fa, &fb, 320 - 120, 240 - 30, 112, 22);
    let elsewhere = region_diff(&fa, &fb, 8, 8, 112, 22);
    assert!(corner > 8.0, "corner differs by {corner}");
    assert!(elsewhere < 4.0, "top-left differs by {elsewhere}");

    assert_eq!(read_mp4_label(&out).unwrap(), Some(label));
    assert_eq!(read_mp4_label(&src).unwrap(), None);
    // Only the final file is left in the directory.
    let names: Vec<_> = std::fs::read_dir(&dir.0).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn the_fixture_can_be_watermarked() {
    let dir = Scratch::new();
    let out = dir.path("fixture-marked.mp4");
    let result = watermark_video(&fixture(), &out, None).unwrap();
    let p = probe(&out);
    assert_eq!(p.video_codec, ffmpeg::codec::Id::H264);
    assert_eq!((p.width, p.height), (320, 240));
    assert_eq!(p.frames as u64, result.frames);
    assert_eq!(read_mp4_label(&out).unwrap(), None);
}

#[test]
fn labelling_remuxes_without_re_encoding_and_replaces_an_earlier_label() {
    let dir = Scratch::new();
    let src = dir.path("src.mp4");
    make_mp4(&src, 30, 320, 240, true);
    let first = dir.path("first.mp4");
    label_mp4(&src, &first, &Label::ai_generated("work_1")).unwrap();
    assert_eq!(read_mp4_label(&first).unwrap(), Some(Label::ai_generated("work_1")));
    let second = dir.path("second.mp4");
    label_mp4(&first, &second, &Label::ai_generated("work_2")).unwrap();
    assert_eq!(read_mp4_label(&second).unwrap(), Some(Label::ai_generated("work_2")));

    let (a, b) = (probe(&src), probe(&second));
    assert_eq!(b.frames, a.frames);
    assert_eq!(b.audio_codec, Some(ffmpeg::codec::Id::AAC));
    assert!((a.duration - b.duration).abs() < 0.05);
    // Stream copy: the pixels are bit-identical.
    assert_eq!(extract_frame(&src).unwrap().image, extract_frame(&second).unwrap().image);

    assert!(label_mp4(&src, &src, &Label::ai_generated("x")).is_err());
}

#[test]
fn corrupt_or_missing_input_is_an_error_and_leaves_no_output() {
    let dir = Scratch::new();
    let junk = dir.path("junk.mp4");
    std::fs::write(&junk, b"\x00\x00\x00\x18ftypmp42 this is not really a video at all".repeat(50)).unwrap();
    let real = dir.path("real.mp4");
    make_mp4(&real, 30, 320, 240, false);
    let bytes = std::fs::read(&real).unwrap();
    let truncated = dir.path("truncated.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let empty = dir.path("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path("missing.mp4");
    let out = dir.path("out.mp4");
    for input in [&junk, &truncated, &empty, &missing] {
        assert!(extract_frame(input).is_err(), "{}", input.display());
        assert!(thumbnail(input, None).is_err());
        assert!(watermark_video(input, &out, None).is_err());
        assert!(label_mp4(input, &out, &Label::ai_generated("x")).is_err());
        assert!(read_mp4_label(input).is_err());
        assert!(!out.exists());
    }
    let left: Vec<_> = std::fs::read_dir(&dir.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|n| !n.contains("partial")), "{left:?}");
    // A URL-looking path is not fetched.
    assert!(extract_frame(Path::new("http://127.0.0.1:9/x.mp4")).is_err());
}

#[tokio::test]
async fn spooling_copies_the_stream_and_enforces_the_cap() {
    let dir = Scratch::new();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let temp = spool_to_temp(&data[..], &dir.0, "mp4", 200_000).await.unwrap();
    assert_eq!(temp.len(), 200_000);
    assert_eq!(std::fs::read(temp.path()).unwrap(), data);
    let path = temp.path().to_path_buf();
    drop(temp);
    assert!(!path.exists(), "the temp file is removed on drop");

    match spool_to_temp(&data[..], &dir.0, "mp4", 199_999).await {
        Err(SpoolError::TooLarge { limit: 199_999 }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(matches!(spool_to_temp(&b""[..], &dir.0, "mp4", 10).await, Err(SpoolError::Empty)));
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0, "failed spools leave nothing behind");

    // A spooled real video is usable by the blocking functions.
    let video = std::fs::read(fixture()).unwrap();
    let temp = spool_to_temp(&video[..], &dir.0, "mp4", 1 << 20).await.unwrap();
    let path = temp.path().to_path_buf();
    let frame = tokio::task::spawn_blocking(move || extract_frame(&path)).await.unwrap().unwrap();
    assert_eq!(frame.image.dimensions(), (320, 240));
}
