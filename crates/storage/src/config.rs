//! Storage configuration: the mode and the S3-compatible object store.
use std::path::PathBuf;

use crate::error::StorageError;
use crate::keys;

/// Where files live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Local disk only.
    Local,
    /// S3-compatible object storage for stored media; derived files (thumbnails, watermark
    /// renders) stay on local disk.
    Object,
    /// Local disk first, mirrored to object storage; reads try object storage, then disk.
    Dual,
}

impl Mode {
    /// Parses `local`, `object` or `dual` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, StorageError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "local" => Ok(Self::Local),
            "object" | "s3" => Ok(Self::Object),
            "dual" => Ok(Self::Dual),
            other => Err(StorageError::Config(format!("STORAGE_MODE must be local, object or dual, not `{other}`"))),
        }
    }

    /// The name used in configuration and health output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Object => "object",
            Self::Dual => "dual",
        }
    }
}

/// An S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectConfig {
    pub bucket: String,
    /// Region (`us-east-1` when empty; S3-compatible services usually ignore it).
    pub region: String,
    /// Endpoint URL; empty means AWS S3.
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Path-style URLs (`endpoint/bucket/key`) instead of virtual-hosted ones.
    pub force_path_style: bool,
    /// Key prefix inside the bucket (normalised, no traversal), e.g. `miaojing`.
    pub prefix: Option<String>,
}

impl ObjectConfig {
    /// Checks and normalises the prefix.
    pub fn validated(mut self) -> Result<Self, StorageError> {
        if self.bucket.trim().is_empty() {
            return Err(StorageError::Config("OBJECT_STORAGE_BUCKET is empty".into()));
        }
        self.prefix = match self.prefix.as_deref().map(|p| p.trim().trim_matches('/')) {
            None | Some("") => None,
            Some(p) => Some(keys::check_key(p).map_err(|e| StorageError::Config(format!("OBJECT_STORAGE_PREFIX: {e}")))?.to_string()),
        };
        if self.region.trim().is_empty() || self.region == "auto" {
            self.region = "us-east-1".into();
        }
        Ok(self)
    }
}

/// Everything needed to open [`crate::Storage`].
#[derive(Debug, Clone)]
pub struct StorageConfig {
    pub mode: Mode,
    pub local_dir: PathBuf,
    /// Required for `object` and `dual`.
    pub object: Option<ObjectConfig>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_modes_and_prefixes() {
        assert_eq!(Mode::parse(" Dual ").unwrap(), Mode::Dual);
        assert!(Mode::parse("cloud").is_err());
        let base = ObjectConfig {
            bucket: "b".into(),
            region: String::new(),
            endpoint: None,
            access_key_id: None,
            secret_access_key: None,
            force_path_style: true,
            prefix: Some("/media/site/".into()),
        };
        let ok = base.clone().validated().unwrap();
        assert_eq!(ok.prefix.as_deref(), Some("media/site"));
        assert_eq!(ok.region, "us-east-1");
        assert!(ObjectConfig { prefix: Some("a/../b".into()), ..base.clone() }.validated().is_err());
        assert!(ObjectConfig { bucket: " ".into(), ..base }.validated().is_err());
    }
}
