//! Site announcements with a validity window.
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An announcement.
#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    pub id: Uuid,
    pub title: String,
    pub content: String,
    pub kind: String,
    pub is_active: bool,
    pub popup: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Announcement {
    /// Active and inside its window at `now`.
    pub fn is_visible_at(&self, now: DateTime<Utc>) -> bool {
        self.is_active && self.starts_at.is_none_or(|s| s <= now) && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A partial update of an announcement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnnouncementPatch {
    pub title: Option<String>,
    pub content: Option<String>,
    pub is_active: Option<bool>,
    pub popup: Option<bool>,
    pub starts_at: Option<Option<DateTime<Utc>>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
}
