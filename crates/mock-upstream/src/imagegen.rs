//! Deterministic synthetic images: a two-colour gradient with a few circles and rectangles, all
//! chosen by a hash of the prompt, encoded as PNG, JPEG or WebP.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ImageFormat {
    Png,
    Jpeg,
    Webp,
}

impl ImageFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "png" => Some(Self::Png),
            "jpeg" | "jpg" => Some(Self::Jpeg),
            "webp" => Some(Self::Webp),
            _ => None,
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Webp => "webp",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }
}

/// FNV-1a, 64-bit: stable across runs and platforms.
pub(crate) fn hash(s: &str, salt: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes().chain(salt.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// splitmix64 generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn colour(&mut self) -> [u8; 3] {
        let v = self.next();
        [(v & 0xff) as u8, ((v >> 8) & 0xff) as u8, ((v >> 16) & 0xff) as u8]
    }
}

enum Shape {
    Circle { cx: f32, cy: f32, r2: f32, colour: [u8; 3] },
    Rect { x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3] },
}

/// Raw RGB8 pixels of the image for `prompt` (and `index`, so `n > 1` images differ).
pub(crate) fn render(prompt: &str, index: u32, width: u32, height: u32) -> Vec<u8> {
    let mut rng = Rng(hash(prompt, index));
    let a = rng.colour();
    let b = rng.colour();
    let angle = rng.unit() * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());
    let (wf, hf) = (width as f32, height as f32);
    let min = wf.min(hf);
    let mut shapes = Vec::new();
    for i in 0..6 {
        let colour = rng.colour();
        if i % 3 == 2 {
            let (x, y) = ((rng.unit() * wf) as u32, (rng.unit() * hf) as u32);
            let (w, h) = ((rng.unit() * wf * 0.4) as u32 + 1, (rng.unit() * hf * 0.4) as u32 + 1);
            shapes.push(Shape::Rect { x0: x, y0: y, x1: x.saturating_add(w), y1: y.saturating_add(h), colour });
        } else {
            let r = (0.05 + rng.unit() * 0.2) * min;
            shapes.push(Shape::Circle { cx: rng.unit() * wf, cy: rng.unit() * hf, r2: r * r, colour });
        }
    }
    // Gradient parameter t in 0..=1 over the image along (dx, dy).
    let corners = [0.0, dx * wf, dy * hf, dx * wf + dy * hf];
    let lo = corners.iter().cloned().fold(f32::INFINITY, f32::min);
    let hi = corners.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let span = (hi - lo).max(1.0);
    let mut px = vec![0u8; width as usize * height as usize * 3];
    for (y, row) in px.chunks_exact_mut(width as usize * 3).enumerate() {
        let yf = y as f32;
        for (x, p) in row.chunks_exact_mut(3).enumerate() {
            let xf = x as f32;
            let mut colour = None;
            for s in shapes.iter().rev() {
                let hit = match *s {
                    Shape::Circle { cx, cy, r2, colour } => ((xf - cx) * (xf - cx) + (yf - cy) * (yf - cy) <= r2).then_some(colour),
                    Shape::Rect { x0, y0, x1, y1, colour } => {
                        let (x, y) = (x as u32, y as u32);
                        (x >= x0 && x < x1 && y >= y0 && y < y1).then_some(colour)
                    }
                };
                if hit.is_some() {
                    colour = hit;
                    break;
                }
            }
            let c = colour.unwrap_or_else(|| {
                let t = ((xf * dx + yf * dy) - lo) / span;
                let mix = |i: usize| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8;
                [mix(0), mix(1), mix(2)]
            });
            p.copy_from_slice(&c);
        }
    }
    px
}

/// Encodes RGB8 pixels.
pub(crate) fn encode(px: &[u8], width: u32, height: u32, format: ImageFormat) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::with_capacity(px.len() / 8 + 1024);
    match format {
        ImageFormat::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive).write_image(
            px,
            width,
            height,
            ExtendedColorType::Rgb8,
        )?,
        ImageFormat::Jpeg => JpegEncoder::new_with_quality(&mut out, 85).write_image(px, width, height, ExtendedColorType::Rgb8)?,
        ImageFormat::Webp => WebPEncoder::new_lossless(&mut out).write_image(px, width, height, ExtendedColorType::Rgb8)?,
    }
    Ok(out)
}

/// Parses `WxH` (also `W*H` / `W×H`); `auto` or empty gives 1024x1024.
pub(crate) fn parse_size(s: Option<&str>) -> Result<(u32, u32), String> {
    let s = s.map(str::trim).unwrap_or("");
    if s.is_empty() || s.eq_ignore_ascii_case("auto") {
        return Ok((1024, 1024));
    }
    let bad = || format!("Invalid size '{s}'. Expected WIDTHxHEIGHT, e.g. 1024x1024, each side 1..=4096.");
    let (w, h) = s.split_once(['x', 'X', '*', '×']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(1..=4096).contains(&w) || !(1..=4096).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_is_deterministic_and_prompt_dependent() {
        assert_eq!(render("a cat", 0, 32, 16), render("a cat", 0, 32, 16));
        assert_ne!(render("a cat", 0, 32, 16), render("a dog", 0, 32, 16));
        assert_ne!(render("a cat", 0, 32, 16), render("a cat", 1, 32, 16));
        assert_eq!(render("x", 0, 7, 3).len(), 7 * 3 * 3);
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size(Some("1536x1024")), Ok((1536, 1024)));
        assert_eq!(parse_size(Some("auto")), Ok((1024, 1024)));
        assert_eq!(parse_size(None), Ok((1024, 1024)));
        assert!(parse_size(Some("0x10")).is_err());
        assert!(parse_size(Some("big")).is_err());
        assert!(parse_size(Some("5000x10")).is_err());
    }

    #[test]
    fn encoders_produce_decodable_images() {
        let px = render("p", 0, 40, 30);
        for f in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Webp] {
            let bytes = encode(&px, 40, 30, f).unwrap();
            let img = image::load_from_memory(&bytes).unwrap();
            assert_eq!((img.width(), img.height()), (40, 30));
        }
    }
}
