//! Spooling an object-backed video into a bounded temporary file, because FFmpeg needs a
//! seekable local file. This is the one async part of the module: it copies from any
//! [`AsyncRead`] in 64 KiB steps, stops as soon as the cap is exceeded, and deletes the file
//! again when the returned [`TempVideo`] is dropped (or on any error).

use std::path::{Path, PathBuf};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Errors while spooling.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The stream is longer than the cap.
    #[error("the video is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The stream is empty.
    #[error("the video is empty")]
    Empty,
    /// Reading the stream or writing the file failed.
    #[error("spooling the video failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A temporary copy of a video; the file is removed when this is dropped.
#[derive(Debug)]
pub struct TempVideo {
    path: PathBuf,
    len: u64,
}

impl TempVideo {
    /// Where the copy is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is empty (never true for a successful spool).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for TempVideo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Copies `reader` into a new file in `dir` (created if needed), refusing streams longer than
/// `max_bytes` or empty ones. `extension` (e.g. `"mp4"`, no dot) only helps humans and tools that
/// look at names; FFmpeg probes the content.
pub async fn spool_to_temp<R: AsyncRead + Unpin>(
    mut reader: R,
    dir: &Path,
    extension: &str,
    max_bytes: u64,
) -> Result<TempVideo, SpoolError> {
    tokio::fs::create_dir_all(dir).await?;
    let ext: String = extension.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    let name = if ext.is_empty() {
        format!("video-{}", uuid::Uuid::new_v4().simple())
    } else {
        format!("video-{}.{ext}", uuid::Uuid::new_v4().simple())
    };
    let path = dir.join(name);
    let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
    // From here on the guard removes the file on every early return.
    let mut temp = TempVideo { path, len: 0 };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        temp.len += n as u64;
        if temp.len > max_bytes {
            return Err(SpoolError::TooLarge { limit: max_bytes });
        }
        file.write_all(&buf[..n]).await?;
    }
    if temp.len == 0 {
        return Err(SpoolError::Empty);
    }
    file.flush().await?;
    file.sync_all().await?;
    Ok(temp)
}
