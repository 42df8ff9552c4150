//! The implicit AI-content label in MP4 files.
//!
//! The label's JSON (the same object as for images, see [`crate::media::label`]) is stored as the
//! container-level metadata item [`METADATA_KEY`] (`AIGC`). MP4 files are written with FFmpeg's
//! `use_metadata_tags` option, so the item lands in the QuickTime `keys`/`ilst` metadata under
//! exactly that name (readable with `ffprobe` or ExifTool). [`watermark_video`] writes it while
//! re-encoding; [`label_mp4`] adds it to an existing video by remuxing (streams copied, no
//! re-encode); [`read_mp4_label`] reads it back.
//!
//! [`watermark_video`]: super::watermark_video

use std::path::Path;

use ffmpeg_next as ffmpeg;

use super::{add_copy_stream, mp4_accepts, mp4_header_options, open_input, FfmpegContext, PendingOutput, VideoError};
use crate::media::Label;

/// Name of the metadata item holding the label's JSON.
pub const METADATA_KEY: &str = "AIGC";

/// Sets (or replaces) the label item in a container's metadata.
pub(crate) fn label_metadata(metadata: &mut ffmpeg::Dictionary, label: &Label) {
    let json = serde_json::to_string(label).unwrap_or_default();
    metadata.set(METADATA_KEY, &json);
}

/// Copies the local video `input` into the MP4 `output` with `label` in its metadata, without
/// re-encoding. Video, audio and subtitle streams that MP4 can hold are copied; the input's other
/// metadata is kept and an earlier label is replaced. `output` must differ from `input`; it is
/// written under a temporary name and renamed when complete.
pub fn label_mp4(input: &Path, output: &Path, label: &Label) -> Result<(), VideoError> {
    if input == output {
        return Err(VideoError::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the output must differ from the input")));
    }
    let mut ictx = open_input(input)?;
    let (pending, mut octx) = PendingOutput::create(output)?;
    let mut mapping: Vec<Option<(usize, ffmpeg::Rational)>> = Vec::new();
    let mut has_video = false;
    for ist in ictx.streams() {
        let params = ist.parameters();
        let kind = params.medium();
        let wanted = matches!(kind, ffmpeg::media::Type::Video | ffmpeg::media::Type::Audio | ffmpeg::media::Type::Subtitle);
        if wanted && mp4_accepts(&octx, params.id()) {
            has_video |= kind == ffmpeg::media::Type::Video;
            mapping.push(Some((add_copy_stream(&mut octx, &ist)?, ist.time_base())));
        } else {
            mapping.push(None);
        }
    }
    if !has_video {
        return Err(VideoError::NoVideoStream);
    }
    let mut metadata = ictx.metadata().to_owned();
    label_metadata(&mut metadata, label);
    octx.set_metadata(metadata);
    octx.write_header_with(mp4_header_options()).during("writing the MP4 header")?;
    for (stream, mut packet) in ictx.packets() {
        let Some((out, tb)) = mapping.get(stream.index()).copied().flatten() else { continue };
        let out_tb = octx.stream(out).map(|s| s.time_base()).unwrap_or(tb);
        packet.rescale_ts(tb, out_tb);
        packet.set_position(-1);
        packet.set_stream(out);
        packet.write_interleaved(&mut octx).during("copying packets")?;
    }
    octx.write_trailer().during("finishing the MP4")?;
    drop(octx);
    pending.commit()
}

/// Reads the implicit label of a local video file: `Ok(None)` when the file has none (or an
/// unreadable one), an error when the file cannot be opened as a video container.
pub fn read_mp4_label(path: &Path) -> Result<Option<Label>, VideoError> {
    let ictx = open_input(path)?;
    let metadata = ictx.metadata();
    Ok(metadata.get(METADATA_KEY).and_then(|json| serde_json::from_str(json).ok()))
}
