//! Shared server state: rules, request record, served files, video tasks, image cache.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use lru::LruCache;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::imagegen::ImageFormat;
use crate::rules::Rule;
use crate::MockConfig;

/// Run-time settings, changeable through [`crate::MockHandle::set_settings`] or `PUT /__mock/settings`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    /// How long a video task stays `queued`.
    pub video_queued_ms: u64,
    /// How long a video task stays `running` (progress rises linearly) before it ends.
    pub video_running_ms: u64,
    /// Result URLs expire this long after creation (`None` = never).
    pub url_ttl_ms: Option<u64>,
    /// Result URLs expire after this many successful downloads (`None` = never).
    pub url_max_fetches: Option<u32>,
    /// Status of an expired URL (410 by default; 403 imitates an expired presigned URL).
    pub expired_status: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Self { video_queued_ms: 300, video_running_ms: 700, url_ttl_ms: None, url_max_fetches: None, expired_status: 410 }
    }
}

/// One request as received (the admin API is not recorded).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedRequest {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub model: Option<String>,
    pub prompt: Option<String>,
    /// Header names lower-cased; the `authorization` value is replaced by `<redacted>`.
    pub headers: HashMap<String, String>,
    /// RFC 3339, UTC.
    pub time: String,
    /// The JSON body, when the request had one (large strings such as data URLs are shortened).
    pub body: Option<serde_json::Value>,
    /// Multipart text fields (`images/edits`).
    pub fields: HashMap<String, String>,
    /// Number of input images (multipart `image`/`image[]` files, or `image_url` chat parts).
    pub image_count: usize,
    /// `[width, height]` of each input image that could be decoded.
    pub image_sizes: Vec<[u32; 2]>,
    /// Whether a mask file was sent (`images/edits`).
    pub has_mask: bool,
    /// The status the mock answered with.
    pub status: Option<u16>,
}

pub(crate) struct StoredFile {
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub created: Instant,
    pub fetches: u32,
    pub ttl: Option<Duration>,
    pub max_fetches: Option<u32>,
    pub expired_status: u16,
}

/// How result URLs of one request expire.
#[derive(Clone, Copy)]
pub(crate) struct Expiry {
    pub ttl: Option<Duration>,
    pub max_fetches: Option<u32>,
    pub status: u16,
}

pub(crate) struct VideoTask {
    pub model: String,
    pub prompt: String,
    pub created: Instant,
    pub created_unix: i64,
    pub queued: Duration,
    pub running: Duration,
    pub fail: Option<String>,
    pub expiry: Expiry,
    pub result_url_id: Option<String>,
    /// Cancelled through `POST …/{id}/cancel` before it finished.
    pub cancelled: bool,
}

#[derive(Clone)]
pub(crate) struct CachedImage {
    pub bytes: Bytes,
    pub b64: Arc<str>,
}

#[derive(Hash, PartialEq, Eq)]
pub(crate) struct ImageKey {
    pub prompt: String,
    pub width: u32,
    pub height: u32,
    pub format: ImageFormat,
    pub index: u32,
}

const MAX_FILES: usize = 50_000;

pub(crate) struct AppState {
    pub api_keys: Option<Vec<String>>,
    pub models: Vec<String>,
    pub max_recorded: usize,
    pub settings: Mutex<Settings>,
    pub rules: Mutex<Vec<Rule>>,
    pub requests: Mutex<VecDeque<RecordedRequest>>,
    pub files: Mutex<(HashMap<String, StoredFile>, VecDeque<String>)>,
    pub videos: Mutex<HashMap<String, VideoTask>>,
    pub images: Mutex<LruCache<ImageKey, Arc<tokio::sync::OnceCell<CachedImage>>>>,
    seq: AtomicU64,
    rule_seq: AtomicU64,
}

impl AppState {
    pub fn new(config: &MockConfig) -> Self {
        Self {
            api_keys: config.api_keys.clone(),
            models: config.models.clone(),
            max_recorded: config.max_recorded.max(1),
            settings: Mutex::new(config.settings.clone()),
            rules: Mutex::new(Vec::new()),
            requests: Mutex::new(VecDeque::new()),
            files: Mutex::new((HashMap::new(), VecDeque::new())),
            videos: Mutex::new(HashMap::new()),
            images: Mutex::new(LruCache::new(NonZeroUsize::new(256).expect("non-zero"))),
            seq: AtomicU64::new(1),
            rule_seq: AtomicU64::new(1),
        }
    }

    pub fn add_rule(&self, mut rule: Rule) -> String {
        rule.id = format!("rule-{}", self.rule_seq.fetch_add(1, Ordering::Relaxed));
        let id = rule.id.clone();
        self.rules.lock().push(rule);
        id
    }

    /// The first matching rule's action, consuming one of its uses.
    pub fn take_rule(&self, path: &str, model: Option<&str>) -> Option<crate::rules::Action> {
        let mut rules = self.rules.lock();
        let idx = rules.iter().position(|r| r.matches(path, model))?;
        let rule = &mut rules[idx];
        let action = rule.action.clone();
        if let Some(t) = rule.times.as_mut() {
            *t -= 1;
            if *t == 0 {
                rules.remove(idx);
            }
        }
        Some(action)
    }

    pub fn accepts_key(&self, key: &str) -> bool {
        match &self.api_keys {
            Some(keys) => keys.iter().any(|k| k == key),
            None => key.starts_with("sk-") && key.len() > 3,
        }
    }

    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn record(&self, req: RecordedRequest) {
        let mut requests = self.requests.lock();
        while requests.len() >= self.max_recorded {
            requests.pop_front();
        }
        requests.push_back(req);
    }

    /// Ids of the video tasks cancelled so far, sorted.
    pub fn cancelled_tasks(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.videos.lock().iter().filter(|(_, t)| t.cancelled).map(|(id, _)| id.clone()).collect();
        ids.sort();
        ids
    }

    /// The default expiry of new result URLs, from the settings.
    pub fn default_expiry(&self) -> Expiry {
        let s = self.settings.lock();
        Expiry { ttl: s.url_ttl_ms.map(Duration::from_millis), max_fetches: s.url_max_fetches, status: s.expired_status }
    }

    /// Registers bytes served at `/files/{id}.{ext}`; returns the id.
    pub fn store_file(&self, bytes: Bytes, content_type: &'static str, expiry: Expiry) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let file = StoredFile {
            bytes,
            content_type,
            created: Instant::now(),
            fetches: 0,
            ttl: expiry.ttl,
            max_fetches: expiry.max_fetches,
            expired_status: expiry.status,
        };
        let mut files = self.files.lock();
        let (map, order) = &mut *files;
        while order.len() >= MAX_FILES {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
        map.insert(id.clone(), file);
        order.push_back(id.clone());
        id
    }
}
