//! Implicit AI-content labels (China GB 45438-2025 asks for an explicit, visible label and an
//! implicit one in the file's metadata). The explicit label is the watermark; this module writes and
//! reads the implicit one:
//!
//! - PNG: an `iTXt` chunk with keyword `AIGC` holding the label's JSON, plus an `iTXt` chunk with
//!   keyword `XML:com.adobe.xmp` holding the XMP packet; both go right after `IHDR`.
//! - JPEG: an XMP packet in an APP1 segment (`http://ns.adobe.com/xap/1.0/\0` header), placed after
//!   the leading APP0/APP1 segments.
//! - WebP: an `XMP ` RIFF chunk, with the XMP flag set in the `VP8X` header (a simple `VP8 `/`VP8L`
//!   file is converted to the extended layout first).
//!
//! The XMP packet carries the same JSON in `miaojing:AIGC` and the IPTC digital source type
//! `trainedAlgorithmicMedia`. Embedding replaces any label written earlier.

use serde::{Deserialize, Serialize};

use super::{MediaError, MediaFormat};

/// The platform name written as the content producer.
pub const PLATFORM: &str = "MiaoJing";
/// PNG text keyword and JSON member name of the label.
pub const KEYWORD: &str = "AIGC";
const XMP_JPEG_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_PNG_KEYWORD: &str = "XML:com.adobe.xmp";
const XMP_NS: &str = "urn:miaojing:ns:aigc:1.0";
const IPTC_AI_SOURCE: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

/// The implicit label. Field names follow the metadata fields of GB 45438-2025 (`Label`,
/// `ContentProducer`, `ProduceID`); `Model`, the generating model, is MiaoJing's addition and is
/// left out when unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// `"1"`: the content is AI-generated.
    #[serde(rename = "Label")]
    pub label: String,
    /// Who produced it: the platform.
    #[serde(rename = "ContentProducer")]
    pub content_producer: String,
    /// The platform's id for this piece of content.
    #[serde(rename = "ProduceID")]
    pub produce_id: String,
    /// The model that generated the content, when known.
    #[serde(rename = "Model", default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl Label {
    /// The label of content generated on this platform with the given content id.
    pub fn ai_generated(content_id: impl Into<String>) -> Self {
        Self { label: "1".into(), content_producer: PLATFORM.into(), produce_id: content_id.into(), model: None }
    }

    /// The same label naming the generating model (a blank name is left out).
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        let model = model.into();
        self.model = Some(model).filter(|m| !m.trim().is_empty());
        self
    }

    /// Whether the label says "AI-generated".
    pub fn is_ai_generated(&self) -> bool {
        self.label == "1"
    }

    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn xmp(&self) -> String {
        format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
             <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
             <rdf:Description rdf:about=\"\" xmlns:miaojing=\"{XMP_NS}\" xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\">\n\
             <miaojing:{KEYWORD}>{}</miaojing:{KEYWORD}>\n\
             <Iptc4xmpExt:DigitalSourceType>{IPTC_AI_SOURCE}</Iptc4xmpExt:DigitalSourceType>\n\
             </rdf:Description>\n\
             </rdf:RDF>\n\
             </x:xmpmeta>\n\
             <?xpacket end=\"w\"?>",
            xml_escape(&self.json())
        )
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn xml_unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn label_from_xmp(xmp: &[u8]) -> Option<Label> {
    let text = std::str::from_utf8(xmp).ok()?;
    let open = format!("<miaojing:{KEYWORD}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&format!("</miaojing:{KEYWORD}>"))?;
    serde_json::from_str(&xml_unescape(&text[start..end])).ok()
}

/// Embeds `label` into an encoded PNG, JPEG or WebP file and returns the new file.
pub fn embed_label(bytes: &[u8], label: &Label) -> Result<Vec<u8>, MediaError> {
    match MediaFormat::sniff(bytes) {
        Some(MediaFormat::Png) => png_embed(bytes, label),
        Some(MediaFormat::Jpeg) => jpeg_embed(bytes, label),
        Some(MediaFormat::WebP) => webp_embed(bytes, label),
        _ => Err(MediaError::UnsupportedFormat),
    }
}

/// Reads the implicit label from a PNG, JPEG or WebP file, if there is one.
pub fn read_label(bytes: &[u8]) -> Option<Label> {
    match MediaFormat::sniff(bytes)? {
        MediaFormat::Png => png_read(bytes),
        MediaFormat::Jpeg => jpeg_read(bytes),
        MediaFormat::WebP => webp_read(bytes),
        MediaFormat::Gif => None,
    }
}

/// A chunk or segment: its type, the range of its payload and the range of the whole thing.
type Chunk = ([u8; 4], std::ops::Range<usize>, std::ops::Range<usize>);
/// A JPEG segment: its marker and its whole range.
type Segment = (u8, std::ops::Range<usize>);

fn malformed(what: &str) -> MediaError {
    MediaError::Decode(format!("malformed {what} structure"))
}

// ---- PNG -------------------------------------------------------------------------------------

/// (type, data, whole chunk range) for each chunk after the signature.
fn png_chunks(bytes: &[u8]) -> Option<Vec<Chunk>> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let len = u32::from_be_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(pos + 4..pos + 8)?.try_into().ok()?;
        let data_end = (pos + 8).checked_add(len)?;
        let end = data_end.checked_add(4)?;
        if end > bytes.len() {
            return None;
        }
        out.push((kind, pos + 8..data_end, pos..end));
        pos = end;
        if &kind == b"IEND" {
            break;
        }
    }
    Some(out)
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(data.len() + 12);
    c.extend_from_slice(&(data.len() as u32).to_be_bytes());
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

fn itxt(keyword: &str, text: &str) -> Vec<u8> {
    let mut d = Vec::with_capacity(keyword.len() + text.len() + 5);
    d.extend_from_slice(keyword.as_bytes());
    // NUL, compression flag 0, method 0, empty language tag, empty translated keyword.
    d.extend_from_slice(&[0, 0, 0, 0, 0]);
    d.extend_from_slice(text.as_bytes());
    png_chunk(b"iTXt", &d)
}

/// Keyword and (uncompressed) text of an iTXt or tEXt chunk.
fn png_text(kind: &[u8; 4], data: &[u8]) -> Option<(String, String)> {
    let nul = data.iter().position(|&b| b == 0)?;
    let keyword = String::from_utf8_lossy(&data[..nul]).into_owned();
    let rest = &data[nul + 1..];
    match kind {
        b"tEXt" => Some((keyword, rest.iter().map(|&b| b as char).collect())),
        b"iTXt" => {
            let (&compressed, rest) = rest.split_first()?;
            if compressed != 0 {
                return None;
            }
            let rest = rest.get(1..)?;
            let lang_end = rest.iter().position(|&b| b == 0)?;
            let rest = &rest[lang_end + 1..];
            let tk_end = rest.iter().position(|&b| b == 0)?;
            Some((keyword, String::from_utf8(rest[tk_end + 1..].to_vec()).ok()?))
        }
        _ => None,
    }
}

fn png_embed(bytes: &[u8], label: &Label) -> Result<Vec<u8>, MediaError> {
    let chunks = png_chunks(bytes).ok_or_else(|| malformed("PNG"))?;
    if chunks.first().map(|c| &c.0) != Some(b"IHDR") {
        return Err(malformed("PNG"));
    }
    let mut out = Vec::with_capacity(bytes.len() + 1024);
    out.extend_from_slice(&bytes[..8]);
    for (i, (kind, data, whole)) in chunks.iter().enumerate() {
        let ours = matches!(kind, b"iTXt" | b"tEXt")
            && png_text(kind, &bytes[data.clone()]).is_some_and(|(k, _)| k == KEYWORD || k == XMP_PNG_KEYWORD);
        if !ours {
            out.extend_from_slice(&bytes[whole.clone()]);
        }
        if i == 0 {
            out.extend_from_slice(&itxt(KEYWORD, &label.json()));
            out.extend_from_slice(&itxt(XMP_PNG_KEYWORD, &label.xmp()));
        }
    }
    Ok(out)
}

fn png_read(bytes: &[u8]) -> Option<Label> {
    let chunks = png_chunks(bytes)?;
    let mut from_xmp = None;
    for (kind, data, _) in &chunks {
        if let Some((keyword, text)) = png_text(kind, &bytes[data.clone()]) {
            if keyword == KEYWORD {
                if let Ok(label) = serde_json::from_str(&text) {
                    return Some(label);
                }
            } else if keyword == XMP_PNG_KEYWORD && from_xmp.is_none() {
                from_xmp = label_from_xmp(text.as_bytes());
            }
        }
    }
    from_xmp
}

// ---- JPEG ------------------------------------------------------------------------------------

/// (marker, whole segment range) for the segments before the scan data.
fn jpeg_segments(bytes: &[u8]) -> Option<(Vec<Segment>, usize)> {
    let mut out = Vec::new();
    let mut pos = 2;
    loop {
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        let mut marker_pos = pos + 1;
        while *bytes.get(marker_pos)? == 0xFF {
            marker_pos += 1;
        }
        let marker = bytes[marker_pos];
        let seg_start = marker_pos - 1;
        if marker == 0xDA || marker == 0xD9 {
            return Some((out, seg_start));
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            pos = marker_pos + 1;
            continue;
        }
        let len = u16::from_be_bytes(bytes.get(marker_pos + 1..marker_pos + 3)?.try_into().ok()?) as usize;
        if len < 2 {
            return None;
        }
        let end = marker_pos + 1 + len;
        if end > bytes.len() {
            return None;
        }
        out.push((marker, seg_start..end));
        pos = end;
    }
}

fn is_xmp_app1(bytes: &[u8], seg: &std::ops::Range<usize>) -> bool {
    bytes[seg.start + 4..seg.end].starts_with(XMP_JPEG_HEADER)
}

fn jpeg_embed(bytes: &[u8], label: &Label) -> Result<Vec<u8>, MediaError> {
    let (segments, _) = jpeg_segments(bytes).ok_or_else(|| malformed("JPEG"))?;
    let xmp = label.xmp();
    let payload_len = XMP_JPEG_HEADER.len() + xmp.len() + 2;
    let seg_len = u16::try_from(payload_len).map_err(|_| MediaError::Encode("XMP packet too long for one JPEG segment".into()))?;
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&seg_len.to_be_bytes());
    app1.extend_from_slice(XMP_JPEG_HEADER);
    app1.extend_from_slice(xmp.as_bytes());

    // Insert after the leading APP0 (JFIF) / APP1 (Exif) segments, dropping any older XMP.
    let mut out = Vec::with_capacity(bytes.len() + app1.len());
    out.extend_from_slice(&bytes[..2]);
    let mut copied_to = 2;
    for (marker, seg) in &segments {
        if *marker != 0xE0 && *marker != 0xE1 {
            break;
        }
        if !(*marker == 0xE1 && is_xmp_app1(bytes, seg)) {
            out.extend_from_slice(&bytes[seg.clone()]);
        }
        copied_to = seg.end;
    }
    out.extend_from_slice(&app1);
    // Later XMP segments (unusual position) are dropped too.
    let mut pos = copied_to;
    for (marker, seg) in segments.iter().filter(|(_, s)| s.start >= copied_to) {
        if *marker == 0xE1 && is_xmp_app1(bytes, seg) {
            out.extend_from_slice(&bytes[pos..seg.start]);
            pos = seg.end;
        }
    }
    out.extend_from_slice(&bytes[pos..]);
    Ok(out)
}

fn jpeg_read(bytes: &[u8]) -> Option<Label> {
    let (segments, _) = jpeg_segments(bytes)?;
    segments
        .iter()
        .filter(|(m, s)| *m == 0xE1 && is_xmp_app1(bytes, s))
        .find_map(|(_, s)| label_from_xmp(&bytes[s.start + 4 + XMP_JPEG_HEADER.len()..s.end]))
}

// ---- WebP ------------------------------------------------------------------------------------

/// (fourcc, payload range, whole chunk range incl. padding) for each RIFF chunk.
fn webp_chunks(bytes: &[u8]) -> Option<Vec<Chunk>> {
    let riff_len = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
    let end_all = (riff_len + 8).min(bytes.len());
    let mut out = Vec::new();
    let mut pos = 12;
    while pos + 8 <= end_all {
        let kind: [u8; 4] = bytes[pos..pos + 4].try_into().ok()?;
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().ok()?) as usize;
        let data_end = (pos + 8).checked_add(len)?;
        if data_end > end_all {
            return None;
        }
        let whole_end = (data_end + (len & 1)).min(end_all);
        out.push((kind, pos + 8..data_end, pos..whole_end));
        pos = whole_end;
    }
    Some(out)
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(data.len() + 9);
    c.extend_from_slice(kind);
    c.extend_from_slice(&(data.len() as u32).to_le_bytes());
    c.extend_from_slice(data);
    if data.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// Canvas size and alpha of a simple-format bitstream chunk.
fn webp_bitstream_info(kind: &[u8; 4], data: &[u8]) -> Option<(u32, u32, bool)> {
    match kind {
        b"VP8 " => {
            if data.get(3..6)? != [0x9d, 0x01, 0x2a] {
                return None;
            }
            let w = u32::from(u16::from_le_bytes(data.get(6..8)?.try_into().ok()?) & 0x3fff);
            let h = u32::from(u16::from_le_bytes(data.get(8..10)?.try_into().ok()?) & 0x3fff);
            Some((w, h, false))
        }
        b"VP8L" => {
            if *data.first()? != 0x2f {
                return None;
            }
            let bits = u32::from_le_bytes(data.get(1..5)?.try_into().ok()?);
            let w = (bits & 0x3fff) + 1;
            let h = ((bits >> 14) & 0x3fff) + 1;
            let alpha = (bits >> 28) & 1 == 1;
            Some((w, h, alpha))
        }
        _ => None,
    }
}

fn webp_embed(bytes: &[u8], label: &Label) -> Result<Vec<u8>, MediaError> {
    const XMP_FLAG: u8 = 0x04;
    const ALPHA_FLAG: u8 = 0x10;
    let chunks = webp_chunks(bytes).ok_or_else(|| malformed("WebP"))?;
    let first = chunks.first().ok_or_else(|| malformed("WebP"))?;
    let mut body = Vec::with_capacity(bytes.len() + 1024);
    if &first.0 == b"VP8X" {
        for (kind, data, whole) in &chunks {
            if kind == b"XMP " {
                continue;
            }
            if kind == b"VP8X" {
                let mut header = bytes[data.clone()].to_vec();
                *header.first_mut().ok_or_else(|| malformed("WebP"))? |= XMP_FLAG;
                body.extend_from_slice(&riff_chunk(b"VP8X", &header));
            } else {
                body.extend_from_slice(&bytes[whole.clone()]);
            }
        }
    } else {
        let (w, h, alpha) = webp_bitstream_info(&first.0, &bytes[first.1.clone()]).ok_or_else(|| malformed("WebP"))?;
        let mut header = [0u8; 10];
        header[0] = XMP_FLAG | if alpha { ALPHA_FLAG } else { 0 };
        header[4..7].copy_from_slice(&(w - 1).to_le_bytes()[..3]);
        header[7..10].copy_from_slice(&(h - 1).to_le_bytes()[..3]);
        body.extend_from_slice(&riff_chunk(b"VP8X", &header));
        for (kind, _, whole) in &chunks {
            if kind != b"XMP " {
                body.extend_from_slice(&bytes[whole.clone()]);
            }
        }
    }
    body.extend_from_slice(&riff_chunk(b"XMP ", label.xmp().as_bytes()));
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&body);
    Ok(out)
}

fn webp_read(bytes: &[u8]) -> Option<Label> {
    webp_chunks(bytes)?.iter().filter(|(k, _, _)| k == b"XMP ").find_map(|(_, data, _)| label_from_xmp(&bytes[data.clone()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, ImageFormat, RgbaImage};

    #[test]
    fn label_json_uses_the_standard_field_names() {
        let json = Label::ai_generated("work-42").json();
        assert_eq!(json, r#"{"Label":"1","ContentProducer":"MiaoJing","ProduceID":"work-42"}"#);
        let json = Label::ai_generated("job-1").with_model("gpt-image-1").json();
        assert_eq!(json, r#"{"Label":"1","ContentProducer":"MiaoJing","ProduceID":"job-1","Model":"gpt-image-1"}"#);
        assert_eq!(Label::ai_generated("x").with_model("  ").model, None);
    }

    #[test]
    fn xmp_round_trips_awkward_ids() {
        let label = Label::ai_generated("a<b>&\"c\"").with_model("模型 <1>");
        assert_eq!(label_from_xmp(label.xmp().as_bytes()), Some(label));
    }

    fn picture(alpha: bool) -> DynamicImage {
        let img =
            RgbaImage::from_fn(96, 64, |x, y| image::Rgba([(x * 2) as u8, (y * 3) as u8, 90, if alpha { (x + y) as u8 } else { 255 }]));
        if alpha {
            DynamicImage::ImageRgba8(img)
        } else {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(img).into_rgb8())
        }
    }

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack.windows(needle.len()).filter(|w| *w == needle).count()
    }

    /// Embeds, reads back, decodes to the same pixels, and re-embeds without duplicating.
    fn round_trip(original: &[u8], format: MediaFormat) -> Vec<u8> {
        assert_eq!(MediaFormat::sniff(original), Some(format));
        assert_eq!(read_label(original), None, "no label before");
        let label = Label::ai_generated("0b9c5f3e-job").with_model("gpt-image-1");
        let once = embed_label(original, &label).unwrap();
        assert_eq!(read_label(&once), Some(label.clone()), "{format:?}: the label reads back");
        assert_eq!(MediaFormat::sniff(&once), Some(format), "{format:?}: still the same container");
        let before = image::load_from_memory(original).unwrap();
        let after = image::load_from_memory(&once).unwrap();
        assert_eq!((after.width(), after.height()), (before.width(), before.height()));
        assert_eq!(after.to_rgba8().as_raw(), before.to_rgba8().as_raw(), "{format:?}: the pixels are untouched");

        let twice = embed_label(&once, &label).unwrap();
        assert_eq!(twice, once, "{format:?}: embedding the same label again changes nothing");
        assert_eq!(count(&twice, b"<miaojing:AIGC>"), 1, "{format:?}: one XMP label");
        let other = Label::ai_generated("another-job");
        let replaced = embed_label(&once, &other).unwrap();
        assert_eq!(read_label(&replaced), Some(other), "{format:?}: a new label replaces the old one");
        assert_eq!(count(&replaced, b"<miaojing:AIGC>"), 1);
        assert_eq!(count(&replaced, b"0b9c5f3e-job"), 0, "{format:?}: nothing of the old label is left");
        once
    }

    #[test]
    fn png_round_trip() {
        for alpha in [false, true] {
            let labelled = round_trip(&encode(&picture(alpha), ImageFormat::Png), MediaFormat::Png);
            assert_eq!(count(&labelled, b"XML:com.adobe.xmp"), 1);
            // The iTXt chunks follow IHDR and every chunk's CRC checks (strict decoders care).
            let chunks = png_chunks(&labelled).unwrap();
            assert_eq!(&chunks[0].0, b"IHDR");
            assert_eq!(&chunks[1].0, b"iTXt");
            for (kind, data, _) in &chunks {
                let mut h = crc32fast::Hasher::new();
                h.update(kind);
                h.update(&labelled[data.clone()]);
                assert_eq!(labelled[data.end..data.end + 4], h.finalize().to_be_bytes());
            }
        }
    }

    #[test]
    fn jpeg_round_trip() {
        let labelled = round_trip(&encode(&picture(false), ImageFormat::Jpeg), MediaFormat::Jpeg);
        assert_eq!(count(&labelled, XMP_JPEG_HEADER), 1);
        // The JFIF APP0 stays first; the XMP APP1 comes right after it.
        let (segments, _) = jpeg_segments(&labelled).unwrap();
        assert_eq!(segments[0].0, 0xE0);
        assert!(segments[1].0 == 0xE1 && is_xmp_app1(&labelled, &segments[1].1));
    }

    #[test]
    fn webp_round_trip() {
        // Lossless (simple VP8L), lossless with alpha, lossy (simple VP8 ) and extended (VP8X + ALPH).
        let rgb = picture(false).to_rgb8();
        let rgba = picture(true).to_rgba8();
        let files = [
            encode(&picture(false), ImageFormat::WebP),
            encode(&picture(true), ImageFormat::WebP),
            crate::media::encode_webp(&rgb, 96, 64, false, 80.0, crate::media::Effort::Fast).unwrap(),
            crate::media::encode_webp(&rgba, 96, 64, true, 80.0, crate::media::Effort::Fast).unwrap(),
        ];
        for (file, alpha) in files.iter().zip([false, true, false, true]) {
            check_webp_layout(&round_trip(file, MediaFormat::WebP), alpha);
        }
    }

    fn check_webp_layout(labelled: &[u8], alpha: bool) {
        let chunks = webp_chunks(labelled).unwrap();
        assert_eq!(&chunks[0].0, b"VP8X", "extended layout");
        let flags = labelled[chunks[0].1.start];
        assert_eq!(flags & 0x04, 0x04, "XMP flag set");
        assert_eq!(flags & 0x10 == 0x10, alpha, "alpha flag kept");
        assert_eq!(chunks.iter().filter(|c| &c.0 == b"XMP ").count(), 1);
        let riff_len = u32::from_le_bytes(labelled[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff_len + 8, labelled.len(), "RIFF size matches the file");
    }

    #[test]
    fn embedding_into_garbage_is_an_error() {
        let label = Label::ai_generated("x");
        assert!(embed_label(b"not an image", &label).is_err());
        assert!(embed_label(b"\x89PNG\r\n\x1a\n\0\0", &label).is_err());
        assert!(embed_label(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 1], &label).is_err());
        assert!(embed_label(b"RIFF\x04\0\0\0WEBP", &label).is_err());
        assert!(embed_label(b"GIF89a\x01\0\x01\0", &label).is_err(), "GIF has no label place");
        assert_eq!(read_label(b"RIFF\xff\xff\xff\xffWEBPXMP \xff\xff\xff\xff"), None);
    }
}
