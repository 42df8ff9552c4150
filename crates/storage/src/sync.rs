//! `miaojing storage sync`: copies local files to object storage. Files already there with the
//! same size and checksum are skipped; every upload is verified afterwards; nothing is ever
//! deleted on either side. Derived files (thumbnails, watermark renders) are not copied.
use futures_util::StreamExt;
use md5::{Digest, Md5};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

use crate::error::StorageError;
use crate::object::{ObjectMeta, ObjectSide};
use crate::policy::is_local_only;
use crate::LocalStorage;

/// What to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Report what would be copied without copying.
    pub dry_run: bool,
    /// Only compare; copy nothing.
    pub verify_only: bool,
}

/// Outcome of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOutcome {
    /// Already present with the same size and checksum.
    Matched,
    /// Copied and verified.
    Copied,
    /// Would be copied (dry run) or differs (verify only).
    Missing,
    /// Copy or verification failed.
    Failed,
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub files: usize,
    pub matched: usize,
    pub copied: usize,
    pub missing: usize,
    pub failed: usize,
    pub bytes_copied: u64,
}

async fn local_md5(local: &LocalStorage, key: &str) -> Result<String, StorageError> {
    let (mut file, _) = local.open(key).await?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the object matches the local file (size, then MD5: from the ETag when it is a plain
/// MD5, otherwise by reading the object back).
async fn matches(object: &ObjectSide, key: &str, remote: &ObjectMeta, size: u64, md5: &str) -> Result<bool, StorageError> {
    if remote.size != size {
        return Ok(false);
    }
    match &remote.etag {
        Some(tag) if tag.len() == 32 && tag.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(tag.eq_ignore_ascii_case(md5)),
        _ => {
            let (_, mut body) = object.get(key, None).await?;
            let mut hasher = Md5::new();
            while let Some(chunk) = body.next().await {
                hasher.update(&chunk?);
            }
            Ok(hex(&hasher.finalize()) == md5)
        }
    }
}

async fn sync_one(local: &LocalStorage, object: &ObjectSide, key: &str, size: u64, opts: SyncOptions) -> Result<FileOutcome, StorageError> {
    let md5 = local_md5(local, key).await?;
    if let Some(remote) = object.head(key).await? {
        if matches(object, key, &remote, size, &md5).await? {
            return Ok(FileOutcome::Matched);
        }
    }
    if opts.dry_run || opts.verify_only {
        return Ok(FileOutcome::Missing);
    }
    let (file, _) = local.open(key).await?;
    object.put_stream(key, ReaderStream::new(file)).await?;
    let remote = object.head(key).await?.ok_or_else(|| StorageError::Object(format!("{key} is missing right after upload")))?;
    if matches(object, key, &remote, size, &md5).await? {
        Ok(FileOutcome::Copied)
    } else {
        Err(StorageError::Object(format!("{key} differs from the local file after upload")))
    }
}

/// Copies every local file (but derived ones) to `object`. `progress` is called after each file
/// with its index (from 1), the total, the key and the outcome.
pub async fn sync_to_object(
    local: &LocalStorage,
    object: &ObjectSide,
    opts: SyncOptions,
    mut progress: impl FnMut(usize, usize, &str, FileOutcome),
) -> Result<SyncSummary, StorageError> {
    let files: Vec<_> = local.list("").await?.into_iter().filter(|(k, _)| !is_local_only(k)).collect();
    let mut s = SyncSummary { files: files.len(), ..Default::default() };
    for (i, (key, meta)) in files.iter().enumerate() {
        let outcome = match sync_one(local, object, key, meta.size, opts).await {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(key, error = %e, "sync failed");
                FileOutcome::Failed
            }
        };
        match outcome {
            FileOutcome::Matched => s.matched += 1,
            FileOutcome::Copied => {
                s.copied += 1;
                s.bytes_copied += meta.size;
            }
            FileOutcome::Missing => s.missing += 1,
            FileOutcome::Failed => s.failed += 1,
        }
        progress(i + 1, files.len(), key, outcome);
    }
    Ok(s)
}
