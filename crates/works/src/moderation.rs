//! The admin's moderation: taking works out of the gallery, deleting them for good, and
//! replacing a public work's prompt after telling its author. Every step is logged (never
//! the prompt text).
use miaojing_api_types::works::PromptEdit;
use miaojing_auth::mail_text::MailText;
use miaojing_auth::{mail, validate};
use miaojing_domain::log::LogEntry;
use miaojing_domain::user::User;
use miaojing_domain::work::{GalleryItem, Work};
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use crate::history::work_not_found;
use crate::WorksService;

/// Reasons an admin may give for a prompt edit (anything else is logged as `custom`).
const REASONS: [&str; 5] = ["remove_sensitive_words", "improve_wording", "remove_private_info", "platform_policy_adjustment", "custom"];

impl WorksService {
    /// One admin log entry per work taken down.
    async fn log_unpublished(&self, admin: &User, works: &[Work]) {
        for w in works {
            let e = LogEntry::new("admin", "warning", "admin_gallery_work_unpublished", "管理员下架画廊作品")
                .by(admin)
                .target("work", w.id)
                .meta(serde_json::json!({ "authorId": w.user_id }));
            let _ = self.store.insert_log(e).await;
        }
    }

    /// Takes works out of the gallery for `admin`. They stay in their owners' history; their
    /// gallery copies stop being served. Works already private are skipped (not returned).
    pub async fn take_down_many(&self, admin: &User, ids: &[Uuid]) -> Result<Vec<Work>> {
        let taken = self.unpublish(None, ids).await?;
        self.log_unpublished(admin, &taken).await;
        Ok(taken)
    }

    /// Takes one existing work down from the gallery (`work_not_found` when there is none).
    pub async fn take_down(&self, admin: &User, id: Uuid) -> Result<Vec<Work>> {
        self.store.work_by_id(id).await?.ok_or_else(work_not_found)?;
        self.take_down_many(admin, &[id]).await
    }

    /// Deletes a work for good: the row and every file of it. Returns the deleted work.
    pub async fn delete_by_admin(&self, admin: &User, id: Uuid) -> Result<Work> {
        let w = self.delete(id).await?.ok_or_else(work_not_found)?;
        let log = LogEntry::new("admin", "warning", "admin_work_deleted", "管理员删除作品及其文件")
            .by(admin)
            .target("work", id)
            .meta(serde_json::json!({ "authorId": w.user_id, "wasPublic": w.is_public, "promptLength": w.prompt.chars().count() }));
        let _ = self.store.insert_log(log).await;
        Ok(w)
    }

    /// Replaces a public work's prompt after notifying its author by e-mail. The mail goes
    /// first; when it fails nothing is saved. Returns the work as the gallery shows it, with
    /// its author's e-mail.
    pub async fn edit_prompt(&self, admin: &User, b: PromptEdit) -> Result<GalleryItem> {
        let id = b.work_id.ok_or_else(|| Error::validation(ErrorCode::WorkIdRequired, "缺少作品 ID"))?;
        let prompt = b.prompt.trim();
        let (subject, text) = (b.email_subject.trim(), b.email_body.trim());
        if prompt.is_empty() || prompt.chars().count() > 8000 {
            return Err(Error::validation(ErrorCode::PromptRequired, "请填写新的提示词（最多 8000 字）"));
        }
        if subject.is_empty() || subject.chars().count() > 120 {
            return Err(Error::validation(ErrorCode::SubjectRequired, "请填写邮件标题（最多 120 字）"));
        }
        if text.is_empty() || text.chars().count() > 5000 {
            return Err(Error::validation(ErrorCode::BodyRequired, "请填写邮件正文（最多 5000 字）"));
        }
        let reason = if REASONS.contains(&b.reason_key.as_str()) { b.reason_key.as_str() } else { "custom" };
        let not_public = || Error::not_found(ErrorCode::WorkNotFound, "作品不存在或不是公开作品");
        let work = self.store.work_by_id(id).await?.filter(|w| w.is_public).ok_or_else(not_public)?;
        if work.prompt.trim() == prompt {
            return Err(Error::validation(ErrorCode::PromptUnchanged, "提示词没有变化"));
        }
        let author =
            self.store.user_by_id(work.user_id).await?.ok_or_else(|| Error::not_found(ErrorCode::WorkNotFound, "作品作者不存在"))?;
        let to = validate::email(&author.email)
            .map_err(|_| Error::validation(ErrorCode::AuthorEmailInvalid, "作者邮箱不可用，无法完成邮件通知"))?;
        let m = self.site.mail_settings().await?;
        let mut lines: Vec<&str> = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
        lines.push(MailText::PromptNoticeLine.text(author.preferred_language));
        mail::send(&m.smtp, mail::branded(author.preferred_language, &m.app_name, &to, subject, &lines, None)).await?;
        let updated = self.store.update_work_prompt(id, prompt).await?.ok_or_else(not_public)?;
        let log = LogEntry::new("admin", "info", "admin_gallery_prompt_update", "管理员修改画廊作品提示词")
            .by(admin)
            .target("work", id)
            .meta(serde_json::json!({
                "authorId": author.id, "reasonKey": reason,
                "oldPromptLength": work.prompt.chars().count(), "newPromptLength": prompt.chars().count(),
            }));
        let _ = self.store.insert_log(log).await;
        Ok(GalleryItem {
            work: updated,
            author_nickname: author.display_nickname.clone(),
            author_avatar_url: author.avatar_url.clone(),
            author_email: Some(author.email),
            liked: false,
        })
    }
}
