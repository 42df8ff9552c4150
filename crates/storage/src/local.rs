//! The local-disk side of storage: files under one root directory, written atomically
//! (temporary file + rename) so a reader never sees half a file.
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use crate::error::StorageError;
use crate::keys;

/// Directory (under the root) for files being written; never served, never synced.
const TMP_DIR: &str = ".tmp";

/// Local-disk storage rooted at one directory.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

/// Size and modification time of a stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    pub modified: SystemTime,
}

impl LocalStorage {
    /// Uses (and creates) `root`.
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    /// The file of a checked key (see [`keys::check_key`]). Keys starting with a dot segment
    /// (internal files) are refused.
    pub fn path_of(&self, key: &str) -> Result<PathBuf, keys::KeyError> {
        let key = keys::check_key(key)?;
        if key.starts_with('.') {
            return Err(keys::KeyError::Forbidden);
        }
        Ok(self.root.join(key))
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Size and modification time, `None` when there is no such file.
    pub async fn head(&self, key: &str) -> Result<Option<FileMeta>, StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => Ok(Some(FileMeta { size: m.len(), modified: m.modified()? })),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes `bytes` under `key`, replacing any file there.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        self.put_stream(key, futures_util::stream::once(async { Ok(Bytes::copy_from_slice(bytes)) })).await.map(|_| ())
    }

    /// Streams `body` into `key` (nothing buffered beyond one chunk); returns the size written.
    pub async fn put_stream<S>(&self, key: &str, body: S) -> Result<u64, StorageError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let dest = self.path_of(key)?;
        let tmp_dir = self.root.join(TMP_DIR);
        tokio::fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(uuid::Uuid::new_v4().simple().to_string());
        let written = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            let mut size = 0u64;
            let mut body = std::pin::pin!(body);
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                size += chunk.len() as u64;
                file.write_all(&chunk).await?;
            }
            file.sync_all().await?;
            if let Some(parent) = dest.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            tokio::fs::rename(&tmp, &dest).await?;
            Ok::<u64, std::io::Error>(size)
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        Ok(written?)
    }

    /// Opens a stored file for streaming, `NotFound` when missing.
    pub async fn open(&self, key: &str) -> Result<(tokio::fs::File, FileMeta), StorageError> {
        let path = self.path_of(key)?;
        let file = tokio::fs::File::open(&path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound(key.to_string()),
            _ => e.into(),
        })?;
        let m = file.metadata().await?;
        if !m.is_file() {
            return Err(StorageError::NotFound(key.to_string()));
        }
        Ok((file, FileMeta { size: m.len(), modified: m.modified()? }))
    }

    /// Reads a whole stored file (for small files and media processing).
    pub async fn read(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path_of(key)?;
        tokio::fs::read(&path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound(key.to_string()),
            _ => e.into(),
        })
    }

    /// Every stored key under `prefix` (empty = all), sorted; internal dot-files are skipped.
    /// Runs on a blocking thread.
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, FileMeta)>, StorageError> {
        let root = self.root.clone();
        let prefix = prefix.to_string();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let mut stack = vec![(root.clone(), String::new())];
            while let Some((dir, rel)) = stack.pop() {
                let entries = match std::fs::read_dir(&dir) {
                    Ok(e) => e,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e.into()),
                };
                for entry in entries {
                    let entry = entry?;
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
                    if name.starts_with('.') {
                        continue;
                    }
                    let key = if rel.is_empty() { name } else { format!("{rel}/{name}") };
                    let ft = entry.file_type()?;
                    if ft.is_dir() {
                        if prefix.starts_with(&format!("{key}/")) || key.starts_with(&prefix) || prefix.is_empty() {
                            stack.push((entry.path(), key));
                        }
                    } else if ft.is_file() && key.starts_with(&prefix) && keys::check_key(&key).is_ok() {
                        let m = entry.metadata()?;
                        out.push((key, FileMeta { size: m.len(), modified: m.modified()? }));
                    }
                }
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(out)
        })
        .await
        .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
    }

    /// Writes, reads back and removes a small probe file, within `timeout`.
    pub async fn probe(&self, timeout: std::time::Duration) -> Result<(), String> {
        let path = self.root.join(format!(".health-{}", uuid::Uuid::new_v4().simple()));
        let work = async {
            tokio::fs::write(&path, b"ok").await?;
            let back = tokio::fs::read(&path).await?;
            tokio::fs::remove_file(&path).await?;
            if back == b"ok" {
                Ok(())
            } else {
                Err(std::io::Error::other("probe file read back differently"))
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("local storage is not writable: {e}")),
            Err(_) => Err("local storage did not answer in time".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn probe_succeeds_on_a_writable_dir_and_fails_on_a_missing_one() {
        let dir = std::env::temp_dir().join(format!("mj-storage-{}", uuid::Uuid::new_v4()));
        let s = LocalStorage::new(&dir).unwrap();
        s.probe(std::time::Duration::from_secs(2)).await.unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(s.probe(std::time::Duration::from_secs(2)).await.is_err());
    }

    #[tokio::test]
    async fn writes_atomically_lists_and_hides_internal_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStorage::new(dir.path()).unwrap();
        s.put("a/b/c.txt", b"hello").await.unwrap();
        s.put("a/d.txt", b"x").await.unwrap();
        s.put("z.txt", b"zz").await.unwrap();
        assert_eq!(s.read("a/b/c.txt").await.unwrap(), b"hello");
        assert_eq!(s.head("a/b/c.txt").await.unwrap().unwrap().size, 5);
        assert!(s.head("a/missing").await.unwrap().is_none());
        let all: Vec<String> = s.list("").await.unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(all, ["a/b/c.txt", "a/d.txt", "z.txt"], "the .tmp directory is not listed");
        let under: Vec<String> = s.list("a/b").await.unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(under, ["a/b/c.txt"]);
        assert!(s.path_of(".tmp/x").is_err());
        assert!(matches!(s.read("nope").await, Err(StorageError::NotFound(_))));
    }
}
