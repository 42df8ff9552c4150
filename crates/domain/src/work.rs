//! Works: the creation history the server writes when a job succeeds, and the public
//! gallery (published works, likes).
use crate::ErrorCode;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::job::Mode;
use crate::{Error, PageRequest, Paged, Result};

pub use miaojing_vocab::{GalleryCategory, GallerySort};

/// A work to store (written by the server only).
#[derive(Debug, Clone, PartialEq)]
pub struct NewWork {
    pub id: Uuid,
    pub user_id: Uuid,
    pub job_id: Option<Uuid>,
    pub mode: Mode,
    pub prompt: String,
    pub negative_prompt: String,
    pub params: Value,
    /// Storage key of the original file.
    pub original_key: String,
    pub thumbnail_key: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_secs: Option<f64>,
    pub model: String,
    pub credits_cost: i64,
    pub created_at: DateTime<Utc>,
}

/// A stored work.
#[derive(Debug, Clone, PartialEq)]
pub struct Work {
    pub id: Uuid,
    pub user_id: Uuid,
    pub job_id: Option<Uuid>,
    pub mode: Mode,
    pub prompt: String,
    pub negative_prompt: String,
    pub params: Value,
    pub original_key: String,
    pub thumbnail_key: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_secs: Option<f64>,
    pub model: String,
    pub credits_cost: i64,
    pub is_public: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub like_count: i64,
    pub created_at: DateTime<Utc>,
    /// The publication's title (empty when none was given).
    pub title: String,
    /// Storage key of the gallery copy of the original, while published (`None` for works
    /// published before gallery copies existed: the gallery then shows the original).
    pub gallery_key: Option<String>,
    /// Storage key of the gallery copy's thumbnail, while published.
    pub gallery_thumbnail_key: Option<String>,
}

impl Work {
    /// The key the gallery shows: the gallery copy, else the original.
    pub fn shown_key(&self) -> &str {
        self.gallery_key.as_deref().unwrap_or(&self.original_key)
    }

    /// The thumbnail the gallery shows: the gallery copy's, else the original's.
    pub fn shown_thumbnail_key(&self) -> Option<&str> {
        if self.gallery_key.is_some() {
            self.gallery_thumbnail_key.as_deref()
        } else {
            self.thumbnail_key.as_deref()
        }
    }
}

/// What publishing sets on a work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publication {
    /// The new title; `None` keeps the current one.
    pub title: Option<String>,
    /// The gallery copy's key; `None` keeps the current one.
    pub gallery_key: Option<String>,
    /// The gallery copy's thumbnail key (replaced together with `gallery_key`).
    pub gallery_thumbnail_key: Option<String>,
}

/// Longest publication title, in characters.
pub const TITLE_MAX_CHARS: usize = 80;

/// A publication title: trimmed, at most [`TITLE_MAX_CHARS`] characters, no control
/// characters; 400 `invalid_title` otherwise.
pub fn clean_title(title: &str) -> Result<String> {
    let t = title.trim();
    if t.chars().count() > TITLE_MAX_CHARS {
        return Err(Error::validation(ErrorCode::InvalidTitle, "标题最多 80 个字符")
            .with_detail(format!("title: at most {TITLE_MAX_CHARS} characters")));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::validation(ErrorCode::InvalidTitle, "标题不能包含换行或控制字符")
            .with_detail("title: no line breaks or control characters"));
    }
    Ok(t.to_string())
}

/// A gallery item: the work and who published it.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryItem {
    pub work: Work,
    pub author_nickname: String,
    pub author_avatar_url: Option<String>,
    /// Only filled for admin listings.
    pub author_email: Option<String>,
    /// Whether the caller likes it (false for anonymous callers).
    pub liked: bool,
}

/// Where a keyset page starts: strictly after this row in the listing's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Like count (popular sort only; 0 otherwise).
    pub likes: i64,
    /// Publication (gallery) or creation (history) time, in microseconds.
    pub at_micros: i64,
    pub id: Uuid,
}

impl Cursor {
    /// The opaque text form `likes.micros.uuid`.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.likes, self.at_micros, self.id.simple())
    }

    /// Parses [`Cursor::encode`]'s form; 400 `invalid_cursor` otherwise.
    pub fn decode(s: &str) -> Result<Self> {
        let bad = || Error::validation(ErrorCode::InvalidCursor, "分页游标无效");
        let mut it = s.splitn(3, '.');
        let likes = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let at_micros = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let id = it.next().and_then(|v| Uuid::try_parse(v).ok()).ok_or_else(bad)?;
        Ok(Self { likes, at_micros, id })
    }

    /// The time part as a timestamp.
    pub fn at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.at_micros).unwrap_or_default()
    }

    /// The cursor after `w` in a gallery listing.
    pub fn after_gallery(w: &Work, sort: GallerySort) -> Self {
        let likes = if sort == GallerySort::Popular { w.like_count } else { 0 };
        Self { likes, at_micros: w.published_at.unwrap_or(w.created_at).timestamp_micros(), id: w.id }
    }

    /// The cursor after `w` in a history listing.
    pub fn after_history(w: &Work) -> Self {
        Self { likes: 0, at_micros: w.created_at.timestamp_micros(), id: w.id }
    }
}

/// A gallery or moderation query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GalleryQuery {
    pub modes: Vec<Mode>,
    pub sort: GallerySort,
    /// Substring of title, prompt, author nickname/username, or model (ignoring case).
    pub search: Option<String>,
    pub after: Option<Cursor>,
    pub limit: i64,
    /// The caller, for their own like state.
    pub viewer: Option<Uuid>,
}

/// Works and their likes.
#[async_trait]
pub trait WorkRepo: Send + Sync {
    async fn insert_work(&self, work: NewWork) -> Result<Work>;
    async fn work_by_id(&self, id: Uuid) -> Result<Option<Work>>;
    /// The user's works, newest first, after `after`, optionally one mode.
    async fn user_works(&self, user_id: Uuid, mode: Option<Mode>, after: Option<Cursor>, limit: i64) -> Result<Vec<Work>>;
    /// Deletes one of the user's works; false when missing or not theirs.
    async fn delete_user_work(&self, user_id: Uuid, id: Uuid) -> Result<bool>;
    /// Deletes all of the user's works; returns how many.
    async fn delete_user_works(&self, user_id: Uuid) -> Result<u64>;
    /// Publishes one of the user's works (sets `published_at` the first time) with what `p`
    /// sets; `None` when missing or not theirs.
    async fn publish_work(&self, user_id: Uuid, id: Uuid, p: &Publication, now: DateTime<Utc>) -> Result<Option<Work>>;
    /// Takes public works out of the gallery (of `owner` only, when given) and forgets their
    /// gallery copies' keys, in one transaction. Returns the works that were public, as they
    /// were before (so their gallery copies can be removed); the rows stay in their owners'
    /// history.
    async fn unpublish_works(&self, owner: Option<Uuid>, ids: &[Uuid]) -> Result<Vec<Work>>;
    /// Records a gallery copy made for a public work that has none (a work published before
    /// gallery copies existed). False, with nothing changed, when the work is missing, private,
    /// or already has a copy.
    async fn attach_gallery_copy(&self, id: Uuid, key: &str, thumbnail_key: Option<&str>) -> Result<bool>;
    /// Public works in the query's order, keyset-paged.
    async fn gallery(&self, q: &GalleryQuery) -> Result<Vec<GalleryItem>>;
    /// Admin moderation list of public works (with author e-mail), offset-paged, newest first.
    async fn admin_gallery(&self, search: Option<&str>, modes: &[Mode], page: PageRequest) -> Result<Paged<GalleryItem>>;
    /// Replaces a public work's prompt; `None` when missing or not public.
    async fn update_work_prompt(&self, id: Uuid, prompt: &str) -> Result<Option<Work>>;
    /// Deletes a work whoever owns it; returns the deleted row (`None` when missing).
    async fn delete_work(&self, id: Uuid) -> Result<Option<Work>>;
    /// Likes a public work (idempotent); returns the like count. `not_found` when the work
    /// is missing or private.
    async fn like_work(&self, user_id: Uuid, work_id: Uuid, now: DateTime<Utc>) -> Result<i64>;
    /// Removes a like (idempotent); returns the like count. `not_found` when missing/private.
    async fn unlike_work(&self, user_id: Uuid, work_id: Uuid) -> Result<i64>;
}
