//! Creation history (written by the server only), the public gallery, publishing and likes.
//! Admin take-downs and deletions are in [`super::moderation`].
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{delete, get, post, web, HttpResponse};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::works::{
    Deleted, GalleryPage, GalleryWork, HistoryPage, HistoryRecord, LikeState, PublishRequest, PublishResponse,
};
use miaojing_domain::job::Mode;
use miaojing_domain::work::{GalleryItem, Work};
use miaojing_domain::Error;
use miaojing_works::{gallery_query, HistoryRequest, WorkPage};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::{Authed, MaybeAuthed};
use crate::routes::clean_query;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(history).service(delete_history).service(gallery).service(publish).service(like).service(unlike);
}

/// The public URL of a stored key (keys are written by the server; a bad one is a 500).
pub fn url_of(key: &str) -> String {
    miaojing_storage::keys::public_url(key).unwrap_or_default()
}

fn history_record(w: &Work) -> HistoryRecord {
    HistoryRecord {
        id: w.id,
        kind: w.mode.media_type().to_string(),
        mode: w.mode,
        url: url_of(&w.original_key),
        thumbnail_url: w.thumbnail_key.as_deref().map(url_of),
        width: w.width,
        height: w.height,
        duration: w.duration_secs,
        title: w.title.clone(),
        prompt: w.prompt.clone(),
        negative_prompt: w.negative_prompt.clone(),
        model: w.model.clone(),
        params: w.params.clone(),
        credits_cost: w.credits_cost,
        published: w.is_public,
        published_at: w.published_at,
        created_at: w.created_at,
    }
}

/// A gallery item on the wire: it shows the gallery copy, never the owner's original.
pub fn gallery_work(i: &GalleryItem) -> GalleryWork {
    let w = &i.work;
    GalleryWork {
        id: w.id,
        kind: w.mode.media_type().to_string(),
        mode: w.mode,
        title: w.title.clone(),
        prompt: w.prompt.clone(),
        negative_prompt: w.negative_prompt.clone(),
        url: url_of(w.shown_key()),
        thumbnail_url: w.shown_thumbnail_key().map(url_of),
        width: w.width,
        height: w.height,
        duration: w.duration_secs,
        model: w.model.clone(),
        likes: w.like_count,
        liked: i.liked,
        credits_cost: w.credits_cost,
        publisher_id: w.user_id,
        publisher_nickname: if i.author_nickname.trim().is_empty() { "匿名用户".into() } else { i.author_nickname.clone() },
        publisher_avatar_url: i.author_avatar_url.clone().filter(|u| !u.starts_with("data:") && u.len() <= 2048),
        published_at: w.published_at,
        author_email: i.author_email.clone(),
    }
}

/// Creation history query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct HistoryQuery {
    /// `text2img`, `img2img`, `text2video`, `img2video` or `reverse-prompt`.
    #[param(value_type = Option<miaojing_api_types::vocab::Mode>)]
    pub mode: Option<String>,
    /// 1–100, default 30.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// The caller's works, newest first.
#[utoipa::path(security(("bearer" = [])), tag = "works", params(HistoryQuery), responses((status = 200, body = HistoryPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/api/creation-history")]
async fn history(st: web::Data<AppState>, me: Authed, q: web::Query<HistoryQuery>) -> ApiResult<web::Json<HistoryPage>> {
    let page = st.works.history(me.0.user.id, &q.into_inner().request()).await?;
    Ok(web::Json(history_page(page)))
}

impl HistoryQuery {
    /// The service's request (the mode trimmed).
    pub fn request(self) -> HistoryRequest {
        HistoryRequest { mode: clean_query(self.mode, 32), limit: self.limit, cursor: self.cursor }
    }
}

/// A history page on the wire.
pub fn history_page(page: WorkPage<Work>) -> HistoryPage {
    HistoryPage { records: page.items.iter().map(history_record).collect(), next_cursor: page.next_cursor }
}

/// Which history rows to delete.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// One work.
    pub id: Option<Uuid>,
    /// `true` deletes every work of the caller (needed when no `id` is given).
    pub all: Option<bool>,
}

/// Deletes one of the caller's works, or all of them with `all=true`, with every file of them
/// (original, thumbnail, gallery copy, watermarked renders).
#[utoipa::path(security(("bearer" = [])), tag = "works", params(DeleteQuery), responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[delete("/api/creation-history")]
async fn delete_history(st: web::Data<AppState>, me: Authed, q: web::Query<DeleteQuery>) -> ApiResult<web::Json<Deleted>> {
    let deleted = st.works.delete_history(me.0.user.id, q.id, q.all).await?;
    Ok(web::Json(Deleted { success: true, deleted }))
}

/// Gallery query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct GalleryParams {
    /// A mode (`text2img`, …), or `image` / `video`.
    #[param(value_type = Option<miaojing_api_types::vocab::GalleryCategory>)]
    pub category: Option<String>,
    /// `latest` (default) or `popular`.
    #[param(value_type = Option<miaojing_api_types::vocab::GallerySort>)]
    pub sort: Option<String>,
    /// Title, prompt, author or model.
    #[serde(alias = "search")]
    pub q: Option<String>,
    /// 1–60, default 18.
    #[param(minimum = 1, maximum = 60)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Parses a gallery category: a mode, `image` or `video`.
pub fn category_modes(c: Option<String>) -> Result<Vec<Mode>, Error> {
    miaojing_works::category_modes(clean_query(c, 32).as_deref())
}

/// Public works, keyset-paged (no duplicates or gaps while new works arrive).
#[utoipa::path(security((), ("bearer" = [])), tag = "works", params(GalleryParams), responses((status = 200, body = GalleryPage), (status = 400, body = ErrorBody)))]
#[get("/api/gallery")]
async fn gallery(st: web::Data<AppState>, me: MaybeAuthed, q: web::Query<GalleryParams>) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let (category, sort) = (clean_query(q.category, 32), clean_query(q.sort, 16));
    let viewer = me.0.map(|u| u.user.id);
    let query = gallery_query(category.as_deref(), sort.as_deref(), clean_query(q.q, 100), q.limit, q.cursor.as_deref(), viewer)?;
    // Visitors who are not signed in share pages (no per-viewer like state in them).
    let shared = query.viewer.is_none().then(|| (format!("{query:?}"), st.gallery.0.generation()));
    if let Some(body) = shared.as_ref().and_then(|(key, _)| st.gallery.0.get(key)) {
        return Ok(gallery_response(body));
    }
    let page = st.works.gallery(&query).await?;
    let page =
        GalleryPage { works: page.items.iter().map(gallery_work).collect(), has_more: page.has_more(), next_cursor: page.next_cursor };
    let body = Bytes::from(serde_json::to_vec(&page).map_err(|e| Error::internal(format!("gallery page: {e}")))?);
    if let Some((key, generation)) = shared {
        st.gallery.0.put(key, generation, body.clone());
    }
    Ok(gallery_response(body))
}

fn gallery_response(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(("Cache-Control", "private, max-age=30, stale-while-revalidate=120"))
        .body(body)
}

/// Publishes one of the caller's works with an optional title: its original (and thumbnail)
/// are copied into the gallery, which shows only the copy. With `publish: false` it unpublishes:
/// the copy is removed (its URLs answer 404) and the work stays in the caller's history.
/// Publishing a public work again only changes its title.
#[utoipa::path(security(("bearer" = [])), tag = "works", request_body = PublishRequest, responses((status = 200, body = PublishResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[post("/api/gallery/publish")]
async fn publish(st: web::Data<AppState>, me: Authed, body: web::Json<PublishRequest>) -> ApiResult<web::Json<PublishResponse>> {
    let w = st.works.publish(me.0.user.id, body.into_inner()).await?;
    let result_url = url_of(if w.is_public { w.shown_key() } else { &w.original_key });
    Ok(web::Json(PublishResponse { success: true, work_id: w.id, published: w.is_public, result_url, title: w.title }))
}

/// Likes a public work (idempotent).
#[utoipa::path(security(("bearer" = [])), tag = "works", params(("id" = Uuid, Path)), responses((status = 200, body = LikeState), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/gallery/{id}/like")]
async fn like(st: web::Data<AppState>, me: Authed, id: web::Path<Uuid>) -> ApiResult<web::Json<LikeState>> {
    let id = id.into_inner();
    let likes = st.works.like(me.0.user.id, id).await?;
    Ok(web::Json(LikeState { work_id: id, liked: true, likes }))
}

/// Removes the caller's like (idempotent).
#[utoipa::path(security(("bearer" = [])), tag = "works", params(("id" = Uuid, Path)), responses((status = 200, body = LikeState), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/gallery/{id}/like")]
async fn unlike(st: web::Data<AppState>, me: Authed, id: web::Path<Uuid>) -> ApiResult<web::Json<LikeState>> {
    let id = id.into_inner();
    let likes = st.works.unlike(me.0.user.id, id).await?;
    Ok(web::Json(LikeState { work_id: id, liked: false, likes }))
}
