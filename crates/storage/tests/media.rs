//! Media pipeline tests on images generated here: every input format, orientation, limits,
//! watermark placement, labels and garbage input.

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ExtendedColorType, GenericImageView, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use miaojing_storage::media::{self, Label, Limits, MediaError, MediaFormat};

/// Gradient plus deterministic noise.
fn gradient_noise(w: u32, h: u32) -> RgbImage {
    let mut seed = 0x2545_f491_u32;
    RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed % 24) as i32 - 12;
        let c = |v: u32| (v as i32 + n).clamp(0, 255) as u8;
        Rgb([c(x * 255 / w.max(1)), c(y * 255 / h.max(1)), c(((x + y) * 255) / (w + h).max(1))])
    })
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).write_image(img, img.width(), img.height(), ExtendedColorType::Rgb8).unwrap();
    out
}

/// Lossless WebP (VP8L) from the `image` crate.
fn webp_lossless(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out).write_image(img, img.width(), img.height(), ExtendedColorType::Rgba8).unwrap();
    out
}

/// Inserts an EXIF APP1 segment with the given orientation right after SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("output decodes")
}

fn assert_webp(bytes: &[u8], w: u32, h: u32) -> DynamicImage {
    assert_eq!(MediaFormat::sniff(bytes), Some(MediaFormat::WebP));
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::WebP).unwrap();
    assert_eq!(img.dimensions(), (w, h));
    img
}

#[test]
fn png_thumbnail_fits_inside_1280_as_webp() {
    let src = png(&DynamicImage::ImageRgb8(gradient_noise(2000, 1000)));
    let t = media::thumbnail(&src, None).unwrap();
    assert_eq!((t.width, t.height), (1280, 640));
    let img = assert_webp(&t.bytes, 1280, 640);
    // Content survives: the gradient runs left (dark red) to right (bright red).
    let px = |x, y| img.get_pixel(x, y).0;
    assert!(px(10, 320)[0] < 60 && px(1270, 320)[0] > 190, "{:?} {:?}", px(10, 320), px(1270, 320));
}

#[test]
fn jpeg_thumbnail_is_shrunk_on_load_to_the_right_size() {
    let src = jpeg(&gradient_noise(3000, 2000));
    let t = media::thumbnail(&src, None).unwrap();
    assert_eq!((t.width, t.height), (1280, 853));
    assert_webp(&t.bytes, 1280, 853);

    let portrait = jpeg(&gradient_noise(900, 2700));
    let t = media::thumbnail(&portrait, None).unwrap();
    assert_eq!((t.width, t.height), (427, 1280));
}

#[test]
fn grayscale_jpeg_thumbnails() {
    let gray = DynamicImage::ImageLuma8(image::GrayImage::from_fn(1500, 700, |x, _| image::Luma([(x % 256) as u8])));
    let mut src = Vec::new();
    gray.write_to(&mut Cursor::new(&mut src), image::ImageFormat::Jpeg).unwrap();
    let t = media::thumbnail(&src, None).unwrap();
    assert_eq!((t.width, t.height), (1280, 597));
}

#[test]
fn webp_input_thumbnails() {
    let src = webp_lossless(&DynamicImage::ImageRgb8(gradient_noise(1600, 1600)).to_rgba8());
    let t = media::thumbnail(&src, None).unwrap();
    assert_webp(&t.bytes, 1280, 1280);
}

#[test]
fn gif_thumbnail_uses_the_first_frame() {
    let mut src = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut src);
        let red = RgbaImage::from_pixel(300, 200, Rgba([255, 0, 0, 255]));
        let blue = RgbaImage::from_pixel(300, 200, Rgba([0, 0, 255, 255]));
        enc.encode_frames(vec![image::Frame::new(red), image::Frame::new(blue)]).unwrap();
    }
    assert_eq!(MediaFormat::sniff(&src), Some(MediaFormat::Gif));
    let t = media::thumbnail(&src, None).unwrap();
    let img = assert_webp(&t.bytes, 300, 200);
    let p = img.to_rgb8().get_pixel(150, 100).0;
    assert!(p[0] > 200 && p[2] < 60, "first frame is red, got {p:?}");
}

#[test]
fn small_images_are_not_enlarged() {
    let src = png(&DynamicImage::ImageRgb8(gradient_noise(200, 100)));
    let t = media::thumbnail(&src, None).unwrap();
    assert_eq!((t.width, t.height), (200, 100));
    assert_webp(&t.bytes, 200, 100);
    let exact = png(&DynamicImage::ImageRgb8(gradient_noise(1280, 1280)));
    assert_eq!(media::thumbnail(&exact, None).map(|t| (t.width, t.height)).unwrap(), (1280, 1280));
}

#[test]
fn transparency_is_kept() {
    let img = RgbaImage::from_fn(1400, 700, |x, _| if x < 700 { Rgba([0, 0, 0, 0]) } else { Rgba([30, 200, 90, 255]) });
    let t = media::thumbnail(&png(&DynamicImage::ImageRgba8(img)), None).unwrap();
    let out = assert_webp(&t.bytes, 1280, 640).to_rgba8();
    assert_eq!(out.get_pixel(100, 300).0[3], 0);
    assert_eq!(out.get_pixel(1200, 300).0[3], 255);
}

#[test]
fn exif_orientation_is_applied_to_jpeg_thumbnails() {
    // Left half red, right half blue; orientation 6 means "rotate 90° clockwise to display".
    let img = RgbImage::from_fn(3000, 2000, |x, _| if x < 1500 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) });
    let src = with_exif_orientation(&jpeg(&img), 6);
    let t = media::thumbnail(&src, None).unwrap();
    assert_eq!((t.width, t.height), (853, 1280));
    let out = assert_webp(&t.bytes, 853, 1280).to_rgb8();
    let top = out.get_pixel(426, 100).0;
    let bottom = out.get_pixel(426, 1180).0;
    assert!(top[0] > 150 && top[2] < 100, "red ends up on top, got {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue ends up at the bottom, got {bottom:?}");

    // Small images too (no resize), and orientation 3 (180°) keeps the size.
    let small = with_exif_orientation(&jpeg(&gradient_noise(400, 200)), 8);
    assert_eq!(media::thumbnail(&small, None).map(|t| (t.width, t.height)).unwrap(), (200, 400));
    let flipped = with_exif_orientation(&jpeg(&gradient_noise(400, 200)), 3);
    assert_eq!(media::thumbnail(&flipped, None).map(|t| (t.width, t.height)).unwrap(), (400, 200));
}

/// A PNG that is only a header claiming `w`×`h` pixels.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(b"IHDR");
    out.extend_from_slice(&ihdr);
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"IHDR");
    crc.update(&ihdr);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    // A token IDAT (the decoder wants to see the start of the image data) and IEND.
    for (kind, data) in [(&b"IDAT"[..], &[0x78u8, 0x9c, 0x03, 0x00][..]), (&b"IEND"[..], &[][..])] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    out
}

#[test]
fn decompression_bombs_and_oversized_files_are_refused() {
    let bomb = png_header_only(20_000, 20_000);
    assert!(matches!(media::thumbnail(&bomb, None), Err(MediaError::TooManyPixels { width: 20_000, height: 20_000, .. })));
    assert!(matches!(media::watermark(&bomb, None), Err(MediaError::TooManyPixels { .. })));

    let small_limits = Limits { max_bytes: 64 * 1024 * 1024, max_pixels: 1_000_000 };
    let jpg = jpeg(&gradient_noise(1200, 1000));
    let err = media::thumbnail_with_limits(&jpg, None, &small_limits, media::Effort::Best).unwrap_err();
    assert!(matches!(err, MediaError::TooManyPixels { width: 1200, height: 1000, limit: 1_000_000 }), "{err}");
    assert!(err.to_string().contains("1200x1000"));

    let tiny_bytes = Limits { max_bytes: 1000, max_pixels: 100_000_000 };
    assert!(matches!(
        media::thumbnail_with_limits(&jpg, None, &tiny_bytes, media::Effort::Best),
        Err(MediaError::TooLarge { limit: 1000, .. })
    ));
    assert!(matches!(media::watermark_with_limits(&jpg, None, &tiny_bytes), Err(MediaError::TooLarge { .. })));
}

#[test]
fn garbage_input_is_an_error_not_a_panic() {
    let real_png = png(&DynamicImage::ImageRgb8(gradient_noise(300, 300)));
    let real_jpg = jpeg(&gradient_noise(300, 300));
    let real_webp = webp_lossless(&RgbaImage::from_pixel(300, 300, Rgba([1, 2, 3, 255])));
    let mut noise = vec![0u8; 5000];
    let mut s = 7u32;
    for b in &mut noise {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *b = (s >> 16) as u8;
    }
    let mut png_sig_junk = b"\x89PNG\r\n\x1a\n".to_vec();
    png_sig_junk.extend_from_slice(&noise);
    let mut jpg_junk = vec![0xFF, 0xD8, 0xFF];
    jpg_junk.extend_from_slice(&noise);
    // (name, bytes, must fail): a truncated JPEG may legitimately decode with its missing part grey.
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("empty", Vec::new(), true),
        ("text", b"hello, not an image".to_vec(), true),
        ("noise", noise.clone(), true),
        ("png signature + junk", png_sig_junk, true),
        ("jpeg marker + junk", jpg_junk, true),
        ("truncated png", real_png[..real_png.len() / 2].to_vec(), true),
        ("jpeg header only", real_jpg[..600].to_vec(), true),
        ("truncated jpeg", real_jpg[..real_jpg.len() / 3].to_vec(), false),
        ("truncated webp", real_webp[..real_webp.len() / 2].to_vec(), true),
        ("riff header only", b"RIFF\x10\0\0\0WEBPVP8 ".to_vec(), true),
        ("gif header only", b"GIF89a\x10\0\x10\0".to_vec(), true),
    ];
    for (name, bytes, must_fail) in &cases {
        let t = media::thumbnail(bytes, None);
        let w = media::watermark(bytes, None);
        if *must_fail {
            assert!(t.is_err(), "{name}: thumbnail");
            assert!(w.is_err(), "{name}: watermark");
        }
        assert_eq!(media::read_label(bytes), None, "{name}: read_label");
        let _ = media::embed_label(bytes, &Label::ai_generated("x"));
    }
    assert!(matches!(media::thumbnail(b"hello", None), Err(MediaError::UnsupportedFormat)));
}

#[test]
fn watermark_changes_the_bottom_right_and_not_the_top_left() {
    let original = gradient_noise(800, 600);
    let out = media::watermark(&png(&DynamicImage::ImageRgb8(original.clone())), None).unwrap();
    assert_eq!(out.format, MediaFormat::Png);
    let marked = decode(&out.bytes).to_rgb8();
    assert_eq!(marked.dimensions(), (800, 600));
    let changed = |x0: u32, y0: u32, x1: u32, y1: u32| {
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                if marked.get_pixel(x, y) != original.get_pixel(x, y) {
                    n += 1;
                }
            }
        }
        n
    };
    assert_eq!(changed(0, 0, 400, 300), 0, "top-left untouched");
    assert_eq!(changed(0, 300, 400, 600), 0, "bottom-left untouched");
    let br = changed(400, 450, 800, 600);
    assert!(br > 1000, "bottom-right marked ({br} pixels changed)");

    // 50 % opacity: on flat grey 100, no pixel gets brighter than halfway to white.
    let grey = RgbImage::from_pixel(400, 300, Rgb([100, 100, 100]));
    let out = decode(&media::watermark(&png(&DynamicImage::ImageRgb8(grey)), None).unwrap().bytes).to_rgb8();
    let max = out.pixels().flat_map(|p| p.0).max().unwrap();
    assert!(max > 150 && max <= 178, "brightest channel {max}");
    let min = out.pixels().flat_map(|p| p.0).min().unwrap();
    assert!(min >= 50, "darkest channel {min}");
}

#[test]
fn watermark_keeps_the_format_and_size() {
    let img = gradient_noise(640, 480);
    let j = media::watermark(&jpeg(&img), None).unwrap();
    assert_eq!(j.format, MediaFormat::Jpeg);
    assert_eq!(decode(&j.bytes).dimensions(), (640, 480));

    let w = media::watermark(&webp_lossless(&DynamicImage::ImageRgb8(img.clone()).to_rgba8()), None).unwrap();
    assert_eq!(w.format, MediaFormat::WebP);
    assert_eq!(decode(&w.bytes).dimensions(), (640, 480));

    let rgba = RgbaImage::from_fn(300, 200, |x, y| Rgba([x as u8, y as u8, 128, if x < 150 { 0 } else { 255 }]));
    let p = media::watermark(&png(&DynamicImage::ImageRgba8(rgba)), None).unwrap();
    let back = decode(&p.bytes);
    assert!(back.color().has_alpha());
    assert_eq!(back.to_rgba8().get_pixel(5, 5).0[3], 0, "transparent areas away from the mark stay transparent");

    // Orientation is applied before marking, so the mark lands bottom-right of the displayed image.
    let rotated = media::watermark(&with_exif_orientation(&jpeg(&img), 6), None).unwrap();
    assert_eq!(decode(&rotated.bytes).dimensions(), (480, 640));
}

#[test]
fn watermark_handles_small_and_extreme_sizes() {
    for (w, h) in [(64, 64), (64, 2000), (2000, 64), (65, 300)] {
        let out = media::watermark(&png(&DynamicImage::ImageRgb8(gradient_noise(w, h))), None).unwrap();
        assert_eq!(decode(&out.bytes).dimensions(), (w, h));
    }
    let tiny = png(&DynamicImage::ImageRgb8(gradient_noise(63, 200)));
    assert!(matches!(media::watermark(&tiny, None), Err(MediaError::TooSmall { width: 63, height: 200, min: 64 })));
}

#[test]
fn watermark_in_memory_converts_other_pixel_types() {
    let mut img = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(200, 200, image::Luma([40])));
    media::watermark_image(&mut img).unwrap();
    let rgb = img.as_rgb8().expect("now RGB");
    assert_eq!(rgb.get_pixel(0, 0).0, [40, 40, 40]);
    assert!(rgb.pixels().any(|p| p.0 != [40, 40, 40]));
}

#[test]
fn labels_round_trip_in_png_jpeg_and_webp() {
    let label = Label::ai_generated("gen_01J9ZK");
    let img = gradient_noise(320, 240);
    let rgba = DynamicImage::ImageRgb8(img.clone()).to_rgba8();
    let mut lossy_alpha = RgbaImage::from_pixel(320, 240, Rgba([10, 20, 30, 255]));
    lossy_alpha.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
    let inputs = [
        ("png", png(&DynamicImage::ImageRgb8(img.clone()))),
        ("jpeg", jpeg(&img)),
        ("jpeg with exif", with_exif_orientation(&jpeg(&img), 1)),
        ("webp VP8L", webp_lossless(&rgba)),
        ("webp VP8", media::thumbnail(&jpeg(&img), None).unwrap().bytes),
        ("webp VP8X", media::thumbnail(&png(&DynamicImage::ImageRgba8(lossy_alpha)), None).unwrap().bytes),
    ];
    for (name, bytes) in &inputs {
        assert_eq!(media::read_label(bytes), None, "{name}: no label before");
        let labelled = media::embed_label(bytes, &label).unwrap();
        let back = media::read_label(&labelled).unwrap_or_else(|| panic!("{name}: label missing"));
        assert_eq!(back, label, "{name}");
        assert!(back.is_ai_generated());
        assert_eq!(back.content_producer, "MiaoJing");
        // The file is still a valid image of the same size.
        assert_eq!(decode(&labelled).dimensions(), (320, 240), "{name}");
        // Embedding again replaces the label instead of stacking a second one.
        let relabelled = media::embed_label(&labelled, &Label::ai_generated("second")).unwrap();
        assert_eq!(media::read_label(&relabelled).unwrap().produce_id, "second", "{name}");
        let count = |b: &[u8]| b.windows(9).filter(|w| w == b"ProduceID").count();
        assert_eq!(count(&relabelled), count(&labelled), "{name}: one label only");
        assert!(count(&labelled) >= 1);
    }
}

#[test]
fn outputs_carry_the_label_when_asked() {
    let label = Label::ai_generated("work-7");
    let img = gradient_noise(700, 500);
    let t = media::thumbnail(&jpeg(&img), Some(&label)).unwrap();
    assert_eq!(media::read_label(&t.bytes), Some(label.clone()));
    assert_webp(&t.bytes, 700, 500);
    for src in [png(&DynamicImage::ImageRgb8(img.clone())), jpeg(&img), webp_lossless(&DynamicImage::ImageRgb8(img).to_rgba8())] {
        let w = media::watermark(&src, Some(&label)).unwrap();
        assert_eq!(media::read_label(&w.bytes), Some(label.clone()), "{:?}", w.format);
        assert_eq!(decode(&w.bytes).dimensions(), (700, 500));
    }
    assert_eq!(media::read_label(&media::thumbnail(&jpeg(&gradient_noise(100, 100)), None).unwrap().bytes), None);
}

#[test]
fn dimensions_are_read_from_headers() {
    assert_eq!(media::dimensions(&png_header_only(20_000, 30_000)).unwrap(), (MediaFormat::Png, 20_000, 30_000));
    assert_eq!(media::dimensions(&jpeg(&gradient_noise(33, 17))).unwrap(), (MediaFormat::Jpeg, 33, 17));
    assert!(matches!(media::dimensions(b"nope"), Err(MediaError::UnsupportedFormat)));
}
