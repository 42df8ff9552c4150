//! The object-storage side: an S3-compatible bucket through `object_store`, with bounded
//! timeouts and retries so a slow or absent service never holds a request for long.
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjPath;
use object_store::signer::Signer;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore, PutOptions, PutPayload, RetryConfig,
    WriteMultipart,
};

use crate::config::ObjectConfig;
use crate::error::StorageError;

/// Parts of a streamed upload (S3's minimum part size is 5 MiB).
const PART_SIZE: usize = 8 * 1024 * 1024;

/// Metadata of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub size: u64,
    pub modified: chrono::DateTime<chrono::Utc>,
    /// The ETag as the service reports it (quotes removed).
    pub etag: Option<String>,
}

/// A bucket (and key prefix) of an S3-compatible service.
#[derive(Clone)]
pub struct ObjectSide {
    store: Arc<AmazonS3>,
    prefix: Option<String>,
    config: ObjectConfig,
}

impl std::fmt::Debug for ObjectSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectSide").field("bucket", &self.config.bucket).field("endpoint", &self.config.endpoint).finish()
    }
}

fn obj_err(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { path, .. } => StorageError::NotFound(path),
        other => StorageError::Object(other.to_string()),
    }
}

/// On writes, "not found" means the bucket is missing: a failure, not an absent file.
fn put_err(e: object_store::Error) -> StorageError {
    StorageError::Object(e.to_string())
}

impl ObjectSide {
    /// Builds the client (no network access yet).
    pub fn new(config: ObjectConfig) -> Result<Self, StorageError> {
        let config = config.validated()?;
        let options = ClientOptions::new()
            .with_timeout(Duration::from_secs(60))
            .with_connect_timeout(Duration::from_secs(5))
            .with_allow_http(config.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")));
        let retry = RetryConfig {
            backoff: BackoffConfig { init_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(2), base: 2.0 },
            max_retries: 2,
            retry_timeout: Duration::from_secs(15),
        };
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_virtual_hosted_style_request(!config.force_path_style)
            .with_client_options(options)
            .with_retry(retry);
        if let Some(ep) = &config.endpoint {
            b = b.with_endpoint(ep);
        }
        if let (Some(id), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
            b = b.with_access_key_id(id).with_secret_access_key(secret);
        }
        let store = b.build().map_err(|e| StorageError::Config(e.to_string()))?;
        Ok(Self { store: Arc::new(store), prefix: config.prefix.clone(), config })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ObjectConfig {
        &self.config
    }

    fn path(&self, key: &str) -> ObjPath {
        match &self.prefix {
            Some(p) => ObjPath::from(format!("{p}/{key}")),
            None => ObjPath::from(key),
        }
    }

    fn attributes(key: &str) -> Attributes {
        let mut a = Attributes::new();
        a.insert(Attribute::ContentType, crate::policy::content_type(key).into());
        a
    }

    /// Uploads `bytes` in one request.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        let opts = PutOptions { attributes: Self::attributes(key), ..Default::default() };
        self.store.put_opts(&self.path(key), PutPayload::from(bytes), opts).await.map_err(put_err)?;
        Ok(())
    }

    /// Streams `body` up: one request for small bodies, a multipart upload for large ones.
    pub async fn put_stream<S>(&self, key: &str, body: S) -> Result<u64, StorageError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        let mut body = std::pin::pin!(body);
        let mut first = Vec::new();
        // Collect up to one part; if the body ends before that, a single PUT is enough.
        while first.len() < PART_SIZE {
            match body.next().await {
                Some(chunk) => first.extend_from_slice(&chunk?),
                None => {
                    let n = first.len() as u64;
                    self.put(key, Bytes::from(first)).await?;
                    return Ok(n);
                }
            }
        }
        let opts = object_store::PutMultipartOpts { attributes: Self::attributes(key), ..Default::default() };
        let upload = self.store.put_multipart_opts(&self.path(key), opts).await.map_err(put_err)?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut size = first.len() as u64;
        w.put(Bytes::from(first));
        let streamed = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(StorageError::Io)?;
                size += chunk.len() as u64;
                w.wait_for_capacity(2).await.map_err(put_err)?;
                w.put(chunk);
            }
            Ok::<(), StorageError>(())
        }
        .await;
        match streamed {
            Ok(()) => {
                w.finish().await.map_err(put_err)?;
                Ok(size)
            }
            Err(e) => {
                let _ = w.abort().await;
                Err(e)
            }
        }
    }

    /// Metadata, `None` when absent.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StorageError> {
        match self.store.head(&self.path(key)).await {
            Ok(m) => Ok(Some(ObjectMeta {
                size: m.size as u64,
                modified: m.last_modified,
                etag: m.e_tag.map(|t| t.trim_matches('"').to_string()),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(obj_err(e)),
        }
    }

    /// Deletes the object; an absent one is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(obj_err(e)),
        }
    }

    /// Streams the object, or the byte range `start..end` of it.
    pub async fn get(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<(ObjectMeta, BoxStream<'static, std::io::Result<Bytes>>), StorageError> {
        let opts = GetOptions { range: range.map(|r| GetRange::Bounded(r.start as usize..r.end as usize)), ..Default::default() };
        let res = self.store.get_opts(&self.path(key), opts).await.map_err(obj_err)?;
        let meta = ObjectMeta {
            size: res.meta.size as u64,
            modified: res.meta.last_modified,
            etag: res.meta.e_tag.clone().map(|t| t.trim_matches('"').to_string()),
        };
        let stream = res.into_stream().map_err(|e| std::io::Error::other(e.to_string())).boxed();
        Ok((meta, stream))
    }

    /// A presigned GET URL valid for `ttl` (clamped to 1 s … 7 days).
    pub async fn signed_url(&self, key: &str, ttl: Duration) -> Result<String, StorageError> {
        let ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(7 * 24 * 3600));
        let url = self.store.signed_url(reqwest::Method::GET, &self.path(key), ttl).await.map_err(obj_err)?;
        Ok(url.to_string())
    }

    /// Keys (without the prefix) and sizes of every object under `prefix`.
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, ObjectMeta)>, StorageError> {
        let base = if prefix.is_empty() { self.prefix.clone().map(ObjPath::from) } else { Some(self.path(prefix)) };
        let strip = self.prefix.as_ref().map(|p| format!("{p}/"));
        let items: Vec<_> = self.store.list(base.as_ref()).try_collect().await.map_err(obj_err)?;
        Ok(items
            .into_iter()
            .filter_map(|m| {
                let full = m.location.to_string();
                let key = match &strip {
                    Some(s) => full.strip_prefix(s.as_str())?.to_string(),
                    None => full,
                };
                Some((
                    key,
                    ObjectMeta { size: m.size as u64, modified: m.last_modified, etag: m.e_tag.map(|t| t.trim_matches('"').to_string()) },
                ))
            })
            .collect())
    }

    /// Reaches the bucket within `timeout` by listing a (normally empty) probe prefix; a missing
    /// bucket, refused credentials or no answer are failures.
    pub async fn probe(&self, timeout: Duration) -> Result<(), String> {
        let path = self.path(".miaojing-health");
        match tokio::time::timeout(timeout, self.store.list_with_delimiter(Some(&path))).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("object storage: {e}")),
            Err(_) => Err(format!("object storage did not answer in {} s", timeout.as_secs())),
        }
    }
}
