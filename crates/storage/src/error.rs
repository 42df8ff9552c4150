//! Errors of storage operations.
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind};

use crate::keys::KeyError;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The key breaks the key discipline.
    #[error("invalid storage key: {0}")]
    Key(#[from] KeyError),
    /// No file under this key.
    #[error("no file under {0}")]
    NotFound(String),
    /// Local disk failure.
    #[error("local storage: {0}")]
    Io(#[from] std::io::Error),
    /// Object storage failure (unreachable, refused, timed out …).
    #[error("object storage: {0}")]
    Object(String),
    /// The operation needs object storage but none is configured.
    #[error("object storage is not configured")]
    NoObjectStore,
    /// Bad configuration.
    #[error("storage configuration: {0}")]
    Config(String),
}

impl StorageError {
    /// Whether this is a missing file rather than a failure.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound(_))
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Key(k) => Error::validation(ErrorCode::InvalidKey, "文件路径无效").with_detail(k.to_string()),
            StorageError::NotFound(_) => Error::not_found(ErrorCode::FileNotFound, "文件不存在"),
            other => Error::new(ErrorKind::Unavailable, ErrorCode::StorageUnavailable, "存储服务暂时不可用").with_detail(other.to_string()),
        }
    }
}
