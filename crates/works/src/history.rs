//! A user's creation history: pages of their works (private ones included) and deletions.
use miaojing_domain::job::Mode;
use miaojing_domain::work::{Cursor, Work};
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use crate::{WorkPage, WorksService};

/// Which page of a history, as asked (strings already trimmed by the caller).
#[derive(Debug, Clone, Default)]
pub struct HistoryRequest {
    /// `text2img`, `img2img`, `text2video`, `img2video` or `reverse-prompt`.
    pub mode: Option<String>,
    /// 1–100, default 30.
    pub limit: Option<i64>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page cursor as given (blank = the first page).
pub(crate) fn cursor(c: Option<&str>) -> Result<Option<Cursor>> {
    c.map(str::trim).filter(|s| !s.is_empty()).map(Cursor::decode).transpose()
}

/// `work_not_found`.
pub(crate) fn work_not_found() -> Error {
    Error::not_found(ErrorCode::WorkNotFound, "作品不存在")
}

impl WorksService {
    /// One page of a user's works (private ones included), newest first.
    pub async fn history(&self, user_id: Uuid, req: &HistoryRequest) -> Result<WorkPage<Work>> {
        let mode = req.mode.as_deref().map(Mode::parse).transpose()?;
        let limit = req.limit.unwrap_or(30).clamp(1, 100);
        let after = cursor(req.cursor.as_deref())?;
        let mut works = self.store.user_works(user_id, mode, after, limit + 1).await?;
        let more = works.len() as i64 > limit;
        works.truncate(limit as usize);
        let next_cursor = if more { works.last().map(|w| Cursor::after_history(w).encode()) } else { None };
        Ok(WorkPage { items: works, next_cursor })
    }

    /// An admin's look at one user's history (`missing_user_id` without an id,
    /// `user_not_found` for no such user).
    pub async fn user_history(&self, user_id: Option<Uuid>, req: &HistoryRequest) -> Result<WorkPage<Work>> {
        let id = user_id.ok_or_else(|| Error::validation(ErrorCode::MissingUserId, "缺少用户ID"))?;
        self.store.user_by_id(id).await?.ok_or_else(|| Error::not_found(ErrorCode::UserNotFound, "用户不存在"))?;
        self.history(id, req).await
    }

    /// Deletes one of the user's works (`id`), or all of them (`all`), with every file of them
    /// (original, thumbnail, gallery copy, watermarked renders). Returns how many went.
    pub async fn delete_history(&self, user_id: Uuid, id: Option<Uuid>, all: Option<bool>) -> Result<u64> {
        match (id, all) {
            (Some(id), _) => {
                let mine = self.store.work_by_id(id).await?.is_some_and(|w| w.user_id == user_id);
                if !mine || self.delete(id).await?.is_none() {
                    return Err(work_not_found());
                }
                Ok(1)
            }
            (None, Some(true)) => {
                let mut deleted = 0;
                loop {
                    let page = self.store.user_works(user_id, None, None, 100).await?;
                    if page.is_empty() {
                        break;
                    }
                    for w in page {
                        deleted += u64::from(self.delete(w.id).await?.is_some());
                    }
                }
                Ok(deleted)
            }
            _ => Err(Error::validation(ErrorCode::IdRequired, "请指定要删除的作品；删除全部需要 all=true")),
        }
    }
}
