//! Announcements: who may list which, and the checks of an admin's input.
use chrono::{DateTime, Utc};
use miaojing_api_types::site::AnnouncementInput;
use miaojing_domain::announcement::{Announcement, AnnouncementPatch};
use miaojing_domain::user::User;
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use crate::SiteService;

fn check_fields(title: Option<&str>, content: Option<&str>) -> Result<()> {
    if title.is_some_and(|t| t.trim().is_empty() || t.chars().count() > 255) {
        return Err(Error::validation(ErrorCode::InvalidTitle, "公告标题不能为空且最多 255 个字符"));
    }
    if content.is_some_and(|c| c.trim().is_empty() || c.chars().count() > 20_000) {
        return Err(Error::validation(ErrorCode::InvalidContent, "公告内容不能为空且最多 20000 个字符"));
    }
    Ok(())
}

fn check_window(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Result<()> {
    match (start, end) {
        (Some(s), Some(e)) if e <= s => Err(Error::validation(ErrorCode::InvalidWindow, "结束时间必须晚于开始时间")),
        _ => Ok(()),
    }
}

fn not_found() -> Error {
    Error::not_found(ErrorCode::AnnouncementNotFound, "公告不存在")
}

impl SiteService {
    /// Announcements, newest first: those visible now, or every one with `all` — which only an
    /// admin `viewer` may ask for (`admin_required` otherwise).
    pub async fn announcements(&self, viewer: Option<&User>, all: bool) -> Result<Vec<Announcement>> {
        if all && !viewer.is_some_and(|u| u.role.is_admin()) {
            return Err(Error::forbidden(ErrorCode::AdminRequired, "无管理员权限"));
        }
        self.store.list_announcements((!all).then(Utc::now)).await
    }

    /// Creates a site announcement by `admin` (title and content required); returns its id.
    pub async fn create_announcement(&self, admin: &User, input: AnnouncementInput) -> Result<Uuid> {
        let (Some(title), Some(content)) = (input.title, input.content) else {
            return Err(Error::validation(ErrorCode::MissingFields, "请填写公告标题和内容"));
        };
        check_fields(Some(&title), Some(&content))?;
        check_window(input.start_date, input.end_date)?;
        let now = Utc::now();
        let a = Announcement {
            id: Uuid::new_v4(),
            title: title.trim().to_string(),
            content,
            kind: "site".into(),
            is_active: input.enabled.unwrap_or(true),
            popup: input.popup.unwrap_or(false),
            starts_at: input.start_date,
            expires_at: input.end_date,
            created_by: Some(admin.id),
            created_at: now,
            updated_at: now,
        };
        let id = a.id;
        self.store.create_announcement(a).await?;
        Ok(id)
    }

    /// Changes the fields given of the announcement `input.id`.
    pub async fn update_announcement(&self, input: AnnouncementInput) -> Result<Announcement> {
        let id = input.id.ok_or_else(|| Error::validation(ErrorCode::MissingId, "缺少公告ID"))?;
        check_fields(input.title.as_deref(), input.content.as_deref())?;
        check_window(input.start_date, input.end_date)?;
        let patch = AnnouncementPatch {
            title: input.title.map(|t| t.trim().to_string()),
            content: input.content,
            is_active: input.enabled,
            popup: input.popup,
            starts_at: input.start_date.map(Some),
            expires_at: input.end_date.map(Some),
        };
        self.store.update_announcement(id, patch, Utc::now()).await?.ok_or_else(not_found)
    }

    /// Deletes an announcement (`missing_id` without one, `announcement_not_found` when gone).
    pub async fn delete_announcement(&self, id: Option<Uuid>) -> Result<()> {
        let id = id.ok_or_else(|| Error::validation(ErrorCode::MissingId, "缺少公告ID"))?;
        if !self.store.delete_announcement(id).await? {
            return Err(not_found());
        }
        Ok(())
    }
}
