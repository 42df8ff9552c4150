//! Video processing through the system FFmpeg libraries (`ffmpeg-next`): poster frames and their
//! thumbnails, the visible watermark re-encoded into H.264, the implicit AI-content label in MP4
//! metadata, and spooling object-backed videos into a bounded temporary file.
//!
//! Everything except [`spool_to_temp`] is synchronous and CPU- or disk-bound: async callers run it
//! inside `tokio::task::spawn_blocking`. Inputs are files on local disk; FFmpeg may only use its
//! `file` protocol (a path that looks like a URL is never fetched). Decoding and encoding stream
//! frame by frame, so memory stays bounded by a few frames whatever the video's length.
//!
//! - [`frame`]: a real frame at 1 s, else 0.2 s, else 0 s, and the WebP thumbnail made from it; a
//!   placeholder (under a distinct "stale" key) for videos whose frame cannot be extracted.
//! - [`watermark`]: the image watermark blended into every frame, re-encoded with libx264;
//!   MP4-compatible audio is copied unchanged.
//! - [`label`]: the implicit label (`AIGC` metadata key) written while watermarking or by a remux
//!   without re-encoding, and read back.
//! - [`spool`]: an async byte stream copied into a temporary file with a size cap.

pub mod frame;
pub mod label;
pub mod spool;
pub mod watermark;

mod overlay;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ffmpeg_next as ffmpeg;

pub use frame::{
    extract_frame, frame_thumbnail, is_stale_thumbnail_key, placeholder_thumbnail, thumbnail, video_placeholder_key, VideoFrame,
    FRAME_TIMES, PLACEHOLDER_SUFFIX,
};
pub use label::{label_mp4, read_mp4_label, METADATA_KEY};
pub use spool::{spool_to_temp, SpoolError, TempVideo};
pub use watermark::{watermark_video, AudioHandling, VideoWatermarked};

/// Largest accepted frame, in pixels (width × height); 8K UHD is about 33 million.
pub const MAX_FRAME_PIXELS: u64 = 40_000_000;

/// Errors from video processing. Corrupt or unsupported input ends here, never in a panic.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The file could not be opened or is not a container FFmpeg understands.
    #[error("the video could not be opened: {0}")]
    Open(String),
    /// The container has no video stream.
    #[error("the file has no video stream")]
    NoVideoStream,
    /// No frame could be decoded at any of the [`FRAME_TIMES`].
    #[error("no frame could be extracted from the video")]
    NoFrame,
    /// The frame size is unusable (empty, odd encoder constraints or above [`MAX_FRAME_PIXELS`]).
    #[error("the video frame size {width}x{height} is not supported")]
    FrameSize { width: u32, height: u32 },
    /// The H.264 encoder (libx264) is not in the FFmpeg build.
    #[error("the FFmpeg libraries have no {0} encoder")]
    MissingEncoder(&'static str),
    /// FFmpeg failed while decoding, encoding or writing.
    #[error("video processing failed while {step}: {source}")]
    Ffmpeg {
        step: &'static str,
        #[source]
        source: ffmpeg::Error,
    },
    /// Image work on a frame (thumbnail, watermark) failed.
    #[error(transparent)]
    Media(#[from] super::MediaError),
    /// Reading or writing a file failed.
    #[error("video file i/o failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Adds what FFmpeg was doing to its error.
pub(crate) trait FfmpegContext<T> {
    fn during(self, step: &'static str) -> Result<T, VideoError>;
}

impl<T> FfmpegContext<T> for Result<T, ffmpeg::Error> {
    fn during(self, step: &'static str) -> Result<T, VideoError> {
        self.map_err(|source| VideoError::Ffmpeg { step, source })
    }
}

/// Initialises FFmpeg once and keeps its log quiet (errors only), so corrupt input does not flood
/// the server's stderr.
pub(crate) fn init() -> Result<(), VideoError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        ffmpeg::init().map_err(|e| e.to_string())?;
        ffmpeg::util::log::set_level(ffmpeg::util::log::Level::Fatal);
        Ok(())
    })
    .clone()
    .map_err(VideoError::Open)
}

/// The `file:` URL of a path, so FFmpeg never treats a path as a network address.
fn file_url(path: &Path) -> String {
    format!("file:{}", path.display())
}

/// FFmpeg options that confine I/O to local files.
fn file_only() -> ffmpeg::Dictionary<'static> {
    let mut d = ffmpeg::Dictionary::new();
    d.set("protocol_whitelist", "file");
    d
}

/// Opens a local video file for demuxing.
pub(crate) fn open_input(path: &Path) -> Result<ffmpeg::format::context::Input, VideoError> {
    init()?;
    if !path.is_file() {
        return Err(VideoError::Open(format!("{} is not a file", path.display())));
    }
    ffmpeg::format::input_with_dictionary(&file_url(path), file_only()).map_err(|e| VideoError::Open(e.to_string()))
}

/// An MP4 output being written to a temporary name next to its final path; it is renamed into
/// place only by [`PendingOutput::commit`], and removed when dropped uncommitted, so a failure never
/// leaves a half-written file under the final name.
pub(crate) struct PendingOutput {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PendingOutput {
    /// Creates the MP4 muxer writing to a temporary file beside `target`.
    pub(crate) fn create(target: &Path) -> Result<(Self, ffmpeg::format::context::Output), VideoError> {
        init()?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = target.with_file_name(format!(".{name}.{}.partial", uuid::Uuid::new_v4().simple()));
        let pending = Self { temp, target: target.to_path_buf(), committed: false };
        let octx = ffmpeg::format::output_as_with(&file_url(&pending.temp), "mp4", file_only()).during("creating the output file")?;
        Ok((pending, octx))
    }

    /// Moves the finished file to its final path.
    pub(crate) fn commit(mut self) -> Result<(), VideoError> {
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Muxer options of every MP4 we write: index at the front for progressive playback, and
/// metadata under its own key names (how the [`label`] is stored).
fn mp4_header_options() -> ffmpeg::Dictionary<'static> {
    let mut d = ffmpeg::Dictionary::new();
    d.set("movflags", "+faststart+use_metadata_tags");
    d
}

/// Whether the MP4 muxer can store streams of `codec` as they are.
fn mp4_accepts(octx: &ffmpeg::format::context::Output, codec: ffmpeg::codec::Id) -> bool {
    // SAFETY: the output context owns a valid output format for its whole life; the query only
    // reads the format's codec tables.
    unsafe { ffmpeg::ffi::avformat_query_codec(octx.format().as_ptr(), codec.into(), 0) == 1 }
}

/// Adds an output stream that receives packets of `ist` unchanged.
fn add_copy_stream(octx: &mut ffmpeg::format::context::Output, ist: &ffmpeg::format::stream::Stream) -> Result<usize, VideoError> {
    let mut ost = octx.add_stream(ffmpeg::encoder::find(ffmpeg::codec::Id::None)).during("adding a stream")?;
    ost.set_parameters(ist.parameters());
    // SAFETY: the parameters belong to the stream just created; clearing the tag lets the MP4
    // muxer pick its own tag for the codec.
    unsafe {
        (*ost.parameters().as_mut_ptr()).codec_tag = 0;
    }
    Ok(ost.index())
}
