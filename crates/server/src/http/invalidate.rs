//! Drops the in-memory read caches after every write that may change what they answer (on this
//! instance; other instances catch up within each cache's time to live).
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::catalog_cache::changes_catalog;
use crate::gallery_cache::changes_gallery;
use crate::state::AppState;

/// Middleware: after a non-read request, invalidates the model catalogue and gallery caches it
/// may have made stale (whether or not it succeeded).
pub async fn invalidate_caches_on_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let read = req.method() == Method::GET || req.method() == Method::HEAD;
    let path = req.path();
    let (catalog, gallery) = (!read && changes_catalog(path), !read && changes_gallery(path));
    let st = if catalog || gallery {
        req.app_data::<web::Data<AppState>>().map(|st| (Arc::clone(&st.catalog), Arc::clone(&st.gallery)))
    } else {
        None
    };
    let res = next.call(req).await;
    if let Some((c, g)) = st {
        if catalog {
            c.invalidate();
        }
        if gallery {
            g.0.clear();
        }
    }
    res
}
