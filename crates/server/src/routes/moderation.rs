//! Taking works out of the gallery and deleting them.
//!
//! - `DELETE /api/gallery` (admin, as in the original): unpublishes up to 100 works at once.
//! - `DELETE /api/admin/gallery/works/{id}`: the console's take-down of one work; it unpublishes.
//! - `DELETE /api/admin/works/{id}`: the explicit deletion: the row and every file of it.
//!
//! Unpublishing keeps each work in its owner's history and removes its gallery copy, so what
//! the gallery showed answers 404 at once (see `miaojing_works`).
use actix_web::web::Bytes;
use actix_web::{delete, web};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::works::{Deleted, GalleryIds, Unpublished};
use miaojing_domain::Error;
use miaojing_domain::ErrorCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::state::AppState;

/// Most works taken out of the gallery by one call.
pub const MAX_IDS: usize = 100;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(unpublish_many).service(take_down).service(delete_work);
}

/// One work, by query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IdQuery {
    /// A work id (merged with the body's `ids`).
    pub id: Option<Uuid>,
}

/// The ids of `?id=` and of a JSON body `{ "ids": [...] }` (optional), merged without duplicates.
fn merged_ids(query: Option<Uuid>, body: &[u8]) -> Result<Vec<Uuid>, Error> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        GalleryIds::default()
    } else {
        serde_json::from_slice::<GalleryIds>(body).map_err(|_| {
            Error::validation(ErrorCode::InvalidIds, "请求体应为 {\"ids\": [作品 ID…]}")
                .with_detail("body: expected {\"ids\": [uuid, ...]}")
        })?
    };
    let mut ids: Vec<Uuid> = query.into_iter().chain(from_body.ids).collect();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    if ids.is_empty() {
        return Err(Error::validation(ErrorCode::IdsRequired, "缺少要下架的作品 ID"));
    }
    if ids.len() > MAX_IDS {
        return Err(Error::validation(ErrorCode::TooManyIds, "单次最多下架 100 个画廊作品"));
    }
    Ok(ids)
}

/// Takes up to 100 works out of the gallery (`?id=` and/or `{"ids": [...]}`). They stay in
/// their owners' history; their gallery copies stop being served. Works already private are
/// skipped (not counted).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), request_body(content = GalleryIds, description = "Optional: more ids (merged with `?id=`)"), responses((status = 200, body = Unpublished), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[delete("/api/gallery")]
async fn unpublish_many(st: web::Data<AppState>, admin: Admin, q: web::Query<IdQuery>, body: Bytes) -> ApiResult<web::Json<Unpublished>> {
    let ids = merged_ids(q.id, &body)?;
    let taken = st.works.take_down_many(&admin.0.user, &ids).await?;
    Ok(web::Json(Unpublished { success: true, removed: taken.len() as u64, ids: taken.iter().map(|w| w.id).collect() }))
}

/// Takes one work down from the gallery (moderation): it is unpublished, not deleted — it stays
/// in its owner's history and its gallery copy stops being served. A work already private
/// answers with `removed: 0`. Deleting is `DELETE /api/admin/works/{id}`.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(("id" = Uuid, Path)), responses((status = 200, body = Unpublished), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[delete("/api/admin/gallery/works/{id}")]
async fn take_down(st: web::Data<AppState>, admin: Admin, id: web::Path<Uuid>) -> ApiResult<web::Json<Unpublished>> {
    let taken = st.works.take_down(&admin.0.user, id.into_inner()).await?;
    Ok(web::Json(Unpublished { success: true, removed: taken.len() as u64, ids: taken.iter().map(|w| w.id).collect() }))
}

/// Deletes a work for good: the row leaves its owner's history and every file of it (original,
/// thumbnail, gallery copy, watermarked renders) is removed, so each of its URLs answers 404.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(("id" = Uuid, Path)), responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[delete("/api/admin/works/{id}")]
async fn delete_work(st: web::Data<AppState>, admin: Admin, id: web::Path<Uuid>) -> ApiResult<web::Json<Deleted>> {
    st.works.delete_by_admin(&admin.0.user, id.into_inner()).await?;
    Ok(web::Json(Deleted { success: true, deleted: 1 }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_merge_without_duplicates_and_are_bounded() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let body = serde_json::to_vec(&serde_json::json!({ "ids": [a, b, a] })).unwrap();
        assert_eq!(merged_ids(Some(a), &body).unwrap(), vec![a, b]);
        assert_eq!(merged_ids(Some(b), b"  ").unwrap(), vec![b]);
        assert_eq!(merged_ids(None, b"").unwrap_err().code, "ids_required");
        assert_eq!(merged_ids(None, b"{\"ids\": 3}").unwrap_err().code, "invalid_ids");
        let many: Vec<Uuid> = (0..101).map(|_| Uuid::new_v4()).collect();
        let body = serde_json::to_vec(&serde_json::json!({ "ids": many })).unwrap();
        assert_eq!(merged_ids(None, &body).unwrap_err().code, "too_many_ids");
    }
}
