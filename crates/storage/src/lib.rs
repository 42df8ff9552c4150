//! Storage of uploaded and generated media: the local data directory and its health probe, the
//! [`keys`] discipline, and [`media`] processing (thumbnails, watermarks, implicit AI-content labels).

pub mod keys;
pub mod media;

use std::path::{Path, PathBuf};

/// Local-disk storage rooted at one directory.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    /// Uses (and creates) `root`.
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    /// The file of a checked key (see [`keys::check_key`]).
    pub fn path_of(&self, key: &str) -> Result<PathBuf, keys::KeyError> {
        Ok(self.root.join(keys::check_key(key)?))
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
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
}
