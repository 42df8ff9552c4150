//! Admin view of invitations.
use actix_web::{get, web};
use miaojing_api_types::admin::ReferralList;
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::PageRequest;
use utoipa_actix_web::service_config::ServiceConfig;

use super::users::UserQuery;
use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::routes::clean_query;
use crate::routes::credits::referral;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_invitations);
}

/// Every referral; `search` matches either party or the code.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(UserQuery), responses((status = 200, body = ReferralList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/invitations")]
async fn list_invitations(st: web::Data<AppState>, _admin: Admin, q: web::Query<UserQuery>) -> ApiResult<web::Json<ReferralList>> {
    let q = q.into_inner();
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let search = clean_query(q.search, 100);
    let rows = st.store.list_referrals(search.as_deref(), page).await?;
    Ok(web::Json(ReferralList {
        referrals: rows.items.iter().map(referral).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
        total_pages: page.total_pages(rows.total),
    }))
}
