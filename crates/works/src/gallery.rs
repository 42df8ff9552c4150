//! The public gallery: pages of public works, publishing with a gallery copy, and likes.
use chrono::Utc;
use miaojing_api_types::works::PublishRequest;
use miaojing_domain::job::Mode;
use miaojing_domain::work::{clean_title, Cursor, GalleryCategory, GalleryItem, GalleryQuery, GallerySort, Publication, Work};
use miaojing_domain::{ErrorCode, PageRequest, Paged, Result};
use uuid::Uuid;

use crate::copies::make;
use crate::history::{cursor, work_not_found};
use crate::{WorkPage, WorksService};

/// The modes of a gallery category (a mode, `image` or `video`; none = every mode).
pub fn category_modes(c: Option<&str>) -> Result<Vec<Mode>> {
    Ok(match c {
        None => vec![],
        Some(c) => GalleryCategory::parse(c)?.modes(),
    })
}

/// The gallery query a page request asks for (strings already trimmed by the caller), seen
/// by `viewer` (who sees their own like state): a category (a mode, `image` or `video`), a
/// sort (`latest`, the default, or `popular`), a search in title, prompt, author or model, a
/// page size of 1–60 (default 18) and the cursor of the previous page.
pub fn gallery_query(
    category: Option<&str>,
    sort: Option<&str>,
    search: Option<String>,
    limit: Option<i64>,
    after: Option<&str>,
    viewer: Option<Uuid>,
) -> Result<GalleryQuery> {
    Ok(GalleryQuery {
        modes: category_modes(category)?,
        sort: sort.map(GallerySort::parse).transpose()?.unwrap_or_default(),
        search,
        after: cursor(after)?,
        limit: limit.unwrap_or(18).clamp(1, 60),
        viewer,
    })
}

impl WorksService {
    /// One page of public works, keyset-paged (no duplicates or gaps while new works arrive);
    /// `query.limit` is the page size.
    pub async fn gallery(&self, query: &GalleryQuery) -> Result<WorkPage<GalleryItem>> {
        let limit = query.limit;
        let mut items = self.store.gallery(&GalleryQuery { limit: limit + 1, ..query.clone() }).await?;
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        let next_cursor = if more { items.last().map(|i| Cursor::after_gallery(&i.work, query.sort).encode()) } else { None };
        Ok(WorkPage { items, next_cursor })
    }

    /// Public works with their authors' e-mail, newest first (the moderation list).
    pub async fn admin_gallery(&self, search: Option<&str>, modes: &[Mode], page: PageRequest) -> Result<Paged<GalleryItem>> {
        self.store.admin_gallery(search, modes, page).await
    }

    /// Publishes one of the user's works with an optional title: its original (and thumbnail)
    /// are copied into the gallery, which shows only the copy. With `publish: false` it
    /// unpublishes: the copy is removed and the work stays in the history. Publishing a public
    /// work again only changes its title. Returns the work as it now is.
    pub async fn publish(&self, user_id: Uuid, req: PublishRequest) -> Result<Work> {
        let id = req.work_id.ok_or_else(|| miaojing_domain::Error::validation(ErrorCode::WorkIdRequired, "缺少作品 ID"))?;
        let title = req.title.as_deref().map(clean_title).transpose()?;
        let w = self.store.work_by_id(id).await?.filter(|w| w.user_id == user_id).ok_or_else(work_not_found)?;
        if req.publish.unwrap_or(true) {
            let mut p = Publication { title, ..Default::default() };
            if !(w.is_public && w.gallery_key.is_some()) {
                let (key, thumb) = make(&self.storage, &w).await?;
                (p.gallery_key, p.gallery_thumbnail_key) = (Some(key), thumb);
            }
            let published = self.store.publish_work(user_id, id, &p, Utc::now()).await?.ok_or_else(work_not_found)?;
            self.caches.gallery_changed();
            Ok(published)
        } else {
            self.unpublish(Some(user_id), &[id]).await?;
            self.store.work_by_id(id).await?.ok_or_else(work_not_found)
        }
    }

    /// The user likes a public work (idempotent); returns its likes.
    pub async fn like(&self, user_id: Uuid, id: Uuid) -> Result<i64> {
        self.store.like_work(user_id, id, Utc::now()).await
    }

    /// The user's like is removed (idempotent); returns the work's likes.
    pub async fn unlike(&self, user_id: Uuid, id: Uuid) -> Result<i64> {
        self.store.unlike_work(user_id, id).await
    }
}
