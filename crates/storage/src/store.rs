//! [`Storage`]: the one storage handle of the server, over local disk, an S3-compatible bucket,
//! or both (see [`Mode`]).
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::config::{Mode, StorageConfig};
use crate::error::StorageError;
use crate::keys;
use crate::local::LocalStorage;
use crate::object::ObjectSide;
use crate::policy::is_local_only;

/// Where a file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Local,
    Object,
}

/// Metadata of a stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub size: u64,
    pub modified: SystemTime,
    /// The object store's ETag (object files only).
    pub etag: Option<String>,
    pub location: Location,
}

/// A file being read: its metadata and a stream of (a range of) its bytes.
pub struct Read {
    pub meta: Meta,
    pub body: BoxStream<'static, std::io::Result<Bytes>>,
}

/// Result of the health probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub mode: Mode,
    pub local: Result<(), String>,
    /// `None` when no object store is configured.
    pub object: Option<Result<(), String>>,
}

impl Health {
    /// Whether every side the mode needs answered.
    pub fn is_ok(&self) -> bool {
        self.local.is_ok() && self.object.as_ref().is_none_or(|o| o.is_ok())
    }
}

struct Inner {
    mode: Mode,
    local: LocalStorage,
    object: Option<ObjectSide>,
    /// Keys written locally whose mirror upload failed (dual mode), retried in the background.
    pending: Mutex<BTreeSet<String>>,
    /// Derived files being made, so concurrent requests share one render.
    pub(crate) inflight: Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The storage handle. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("mode", &self.inner.mode).field("local", &self.inner.local.root()).finish()
    }
}

impl Storage {
    /// Opens storage as configured (creates the local directory; does not contact the bucket).
    pub fn open(config: StorageConfig) -> Result<Self, StorageError> {
        let local = LocalStorage::new(&config.local_dir)?;
        let object = match (config.mode, config.object) {
            (Mode::Local, _) => None,
            (_, Some(o)) => Some(ObjectSide::new(o)?),
            (m, None) => return Err(StorageError::Config(format!("STORAGE_MODE={} needs OBJECT_STORAGE_BUCKET", m.as_str()))),
        };
        Ok(Self {
            inner: Arc::new(Inner { mode: config.mode, local, object, pending: Mutex::new(BTreeSet::new()), inflight: Mutex::default() }),
        })
    }

    /// Local-disk storage in `dir`.
    pub fn local_only(dir: impl Into<std::path::PathBuf>) -> Result<Self, StorageError> {
        Self::open(StorageConfig { mode: Mode::Local, local_dir: dir.into(), object: None })
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// The local side (always present: derived files live there in every mode).
    pub fn local(&self) -> &LocalStorage {
        &self.inner.local
    }

    /// Runs `make` unless `done` already holds, with one run at a time per `key` (later callers
    /// wait for the first and then see its result through `done`).
    pub(crate) async fn once<D, M, DF, MF>(&self, key: &str, done: D, make: M) -> Result<(), StorageError>
    where
        D: Fn() -> DF,
        DF: std::future::Future<Output = bool>,
        M: FnOnce() -> MF,
        MF: std::future::Future<Output = Result<(), StorageError>>,
    {
        if done().await {
            return Ok(());
        }
        let gate = self.inner.inflight.lock().entry(key.to_string()).or_default().clone();
        let result = {
            let _held = gate.lock().await;
            if done().await {
                Ok(())
            } else {
                make().await
            }
        };
        let mut map = self.inner.inflight.lock();
        if Arc::strong_count(&gate) <= 2 {
            map.remove(key);
        }
        result
    }

    /// The object side, when configured.
    pub fn object(&self) -> Option<&ObjectSide> {
        self.inner.object.as_ref()
    }

    /// Whether originals go to the object store only.
    fn object_primary(&self, key: &str) -> Option<&ObjectSide> {
        match self.inner.mode {
            Mode::Object if !is_local_only(key) => self.inner.object.as_ref(),
            _ => None,
        }
    }

    fn mirrors(&self, key: &str) -> Option<&ObjectSide> {
        match self.inner.mode {
            Mode::Dual if !is_local_only(key) => self.inner.object.as_ref(),
            _ => None,
        }
    }

    /// Stores `bytes` under `key`. In dual mode the local write decides success; the mirror is
    /// best effort and retried later when it fails.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        keys::check_key(key)?;
        if let Some(o) = self.object_primary(key) {
            return o.put(key, bytes).await;
        }
        self.inner.local.put(key, &bytes).await?;
        if let Some(o) = self.mirrors(key) {
            if let Err(e) = o.put(key, bytes).await {
                self.mirror_failed(key, &e);
            }
        }
        Ok(())
    }

    /// Streams `body` into `key` without buffering it whole; returns the size.
    pub async fn put_stream<S>(&self, key: &str, body: S) -> Result<u64, StorageError>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send,
    {
        keys::check_key(key)?;
        if let Some(o) = self.object_primary(key) {
            return o.put_stream(key, body).await;
        }
        let size = self.inner.local.put_stream(key, body).await?;
        if self.mirrors(key).is_some() {
            if let Err(e) = self.mirror(key).await {
                self.mirror_failed(key, &e);
            }
        }
        Ok(size)
    }

    /// Stores `bytes` on local disk whatever the mode (derived files).
    pub async fn put_local(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        self.inner.local.put(key, bytes).await
    }

    fn mirror_failed(&self, key: &str, e: &StorageError) {
        tracing::warn!(key, error = %e, "mirroring to object storage failed; will retry");
        self.inner.pending.lock().insert(key.to_string());
    }

    async fn mirror(&self, key: &str) -> Result<(), StorageError> {
        let o = self.inner.object.as_ref().ok_or(StorageError::NoObjectStore)?;
        let (file, _) = self.inner.local.open(key).await?;
        o.put_stream(key, ReaderStream::new(file)).await.map(|_| ())
    }

    /// Keys whose mirror upload is still owed.
    pub fn pending_mirrors(&self) -> Vec<String> {
        self.inner.pending.lock().iter().cloned().collect()
    }

    /// Retries owed mirror uploads once; returns how many succeeded and how many still fail.
    pub async fn retry_mirrors(&self) -> (usize, usize) {
        let (mut ok, mut failed) = (0, 0);
        for key in self.pending_mirrors() {
            match self.mirror(&key).await {
                Ok(()) | Err(StorageError::NotFound(_)) => {
                    self.inner.pending.lock().remove(&key);
                    ok += 1;
                }
                Err(e) => {
                    tracing::debug!(key, error = %e, "mirror retry failed");
                    failed += 1;
                }
            }
        }
        if ok > 0 {
            tracing::info!(ok, failed, "mirror retries");
        }
        (ok, failed)
    }

    /// Retries owed mirror uploads every `every` (dual mode only; a no-op task otherwise).
    pub fn spawn_mirror_retry(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            if this.inner.mode != Mode::Dual {
                return;
            }
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                this.retry_mirrors().await;
            }
        })
    }

    /// Whether object storage should be asked first for `key`.
    fn reads_object_first(&self, key: &str) -> Option<&ObjectSide> {
        match self.inner.mode {
            Mode::Local => None,
            _ if is_local_only(key) => None,
            _ => self.inner.object.as_ref(),
        }
    }

    /// Metadata of `key`, `None` when absent everywhere. Object storage is asked first (object
    /// and dual modes); in dual mode a failing object store falls back to the local copy.
    pub async fn head(&self, key: &str) -> Result<Option<Meta>, StorageError> {
        keys::check_key(key)?;
        if let Some(o) = self.reads_object_first(key) {
            match o.head(key).await {
                Ok(Some(m)) => {
                    return Ok(Some(Meta { size: m.size, modified: m.modified.into(), etag: m.etag, location: Location::Object }));
                }
                Ok(None) => {}
                Err(e) if self.inner.mode == Mode::Dual => tracing::warn!(key, error = %e, "object storage failed; reading the local copy"),
                Err(e) => return Err(e),
            }
        }
        Ok(self.inner.local.head(key).await?.map(|m| Meta { size: m.size, modified: m.modified, etag: None, location: Location::Local }))
    }

    /// Streams `key` (or the byte range `range` of it), object storage first as for [`Storage::head`].
    pub async fn get(&self, key: &str, range: Option<std::ops::Range<u64>>) -> Result<Read, StorageError> {
        keys::check_key(key)?;
        if let Some(o) = self.reads_object_first(key) {
            match o.get(key, range.clone()).await {
                Ok((m, body)) => {
                    let meta = Meta { size: m.size, modified: m.modified.into(), etag: m.etag, location: Location::Object };
                    return Ok(Read { meta, body });
                }
                Err(StorageError::NotFound(_)) => {}
                Err(e) if self.inner.mode == Mode::Dual => tracing::warn!(key, error = %e, "object storage failed; reading the local copy"),
                Err(e) => return Err(e),
            }
        }
        let (mut file, m) = self.inner.local.open(key).await?;
        let meta = Meta { size: m.size, modified: m.modified, etag: None, location: Location::Local };
        let body = match range {
            Some(r) => {
                file.seek(std::io::SeekFrom::Start(r.start)).await?;
                ReaderStream::new(file.take(r.end.saturating_sub(r.start))).boxed()
            }
            None => ReaderStream::new(file).boxed(),
        };
        Ok(Read { meta, body })
    }

    /// Reads a whole file into memory, refusing files above `max` bytes.
    pub async fn read(&self, key: &str, max: u64) -> Result<Vec<u8>, StorageError> {
        let read = self.get(key, None).await?;
        if read.meta.size > max {
            return Err(StorageError::Io(std::io::Error::other(format!("{key} is {} bytes, above {max}", read.meta.size))));
        }
        let mut out = Vec::with_capacity(read.meta.size as usize);
        let mut body = read.body;
        while let Some(chunk) = body.next().await {
            out.extend_from_slice(&chunk?);
            if out.len() as u64 > max {
                return Err(StorageError::Io(std::io::Error::other(format!("{key} grew above {max} bytes"))));
            }
        }
        Ok(out)
    }

    /// A presigned URL for `key` when it is in object storage, `None` otherwise.
    pub async fn signed_url(&self, key: &str, ttl: Duration) -> Result<Option<String>, StorageError> {
        keys::check_key(key)?;
        let Some(o) = self.reads_object_first(key) else { return Ok(None) };
        if o.head(key).await?.is_none() {
            return Ok(None);
        }
        o.signed_url(key, ttl).await.map(Some)
    }

    /// Probes every side the mode uses, each bounded by `timeout`.
    pub async fn probe(&self, timeout: Duration) -> Health {
        let local = self.inner.local.probe(timeout);
        let object = async {
            match &self.inner.object {
                Some(o) => Some(o.probe(timeout).await),
                None => None,
            }
        };
        let (local, object) = tokio::join!(local, object);
        Health { mode: self.inner.mode, local, object }
    }
}
