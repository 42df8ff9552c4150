//! Admin user management.
use actix_web::{delete, get, post, put, web};
use chrono::Utc;
use miaojing_api_types::admin::{AdminUser, AdminUserList, AdminUserResponse, AdminUserUpdate, CreditAdjustment, DeletedUser};
use miaojing_api_types::credits::CreditRecords;
use miaojing_api_types::error::ErrorBody;
use miaojing_auth::service::AdminChanges;
use miaojing_domain::user::UserSummary;
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, PageRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::routes::clean_query;
use crate::routes::credits::record;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users).service(update_user).service(delete_user).service(adjust_credits).service(user_ledger);
}

/// Row view of a user for admins.
pub fn admin_user(s: &UserSummary) -> AdminUser {
    let u = &s.user;
    let now = Utc::now();
    AdminUser {
        id: u.id,
        email: u.email.clone(),
        username: u.username.clone(),
        nickname: u.display_nickname.clone(),
        role: u.role,
        membership_tier: u.membership_tier,
        effective_tier: u.effective_tier(now),
        membership_expires_at: u.membership_expires_at,
        credits_balance: u.credits_balance,
        is_active: u.is_active,
        watermark_disabled: u.watermark_disabled,
        email_verified: u.email_verified,
        avatar_url: u.avatar_url.clone(),
        phone: u.phone.clone(),
        invite_code: u.invite_code.clone(),
        referred_by_user_id: u.referred_by,
        referred_by_email: s.referred_by_email.clone(),
        referred_by_nickname: s.referred_by_nickname.clone(),
        invited_count: s.invited_count,
        created_at: u.created_at,
    }
}

/// The admin row of one user, with referrer and invite count (an id search matches exactly).
async fn summary(st: &AppState, id: Uuid) -> ApiResult<AdminUser> {
    let found = st.store.list_users(Some(&id.to_string()), PageRequest { page: 1, size: 1 }).await?;
    let row = found.items.first().ok_or_else(|| Error::not_found(ErrorCode::UserNotFound, "用户不存在"))?;
    Ok(admin_user(row))
}

/// Search and page parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UserQuery {
    /// Substring of e-mail, username, display name or phone, or an exact id.
    #[serde(alias = "q")]
    pub search: Option<String>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize", alias = "limit")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// List users.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(UserQuery), responses((status = 200, body = AdminUserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/users")]
async fn list_users(st: web::Data<AppState>, _admin: Admin, q: web::Query<UserQuery>) -> ApiResult<web::Json<AdminUserList>> {
    let q = q.into_inner();
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 100);
    let search = clean_query(q.search, 100);
    let rows = st.store.list_users(search.as_deref(), page).await?;
    Ok(web::Json(AdminUserList {
        users: rows.items.iter().map(admin_user).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
        total_pages: page.total_pages(rows.total),
    }))
}

/// Change a user's role, tier, expiry, status, watermark permission, names, e-mail or password.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = AdminUserUpdate, responses((status = 200, body = AdminUserResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/api/admin/users")]
async fn update_user(st: web::Data<AppState>, admin: Admin, body: web::Json<AdminUserUpdate>) -> ApiResult<web::Json<AdminUserResponse>> {
    let b = body.into_inner();
    let id = b.user_id.ok_or_else(|| Error::validation(ErrorCode::MissingUserId, "缺少用户ID"))?;
    let changes = AdminChanges {
        role: b.role,
        membership_tier: b.membership_tier,
        membership_expires_at: b.membership_expires_at,
        is_active: b.is_active,
        watermark_disabled: b.watermark_disabled,
        username: b.username,
        display_nickname: b.nickname,
        phone: b.phone,
        email: b.email,
        new_password: b.new_password,
    };
    st.auth.admin_update_user(&admin.0, id, changes).await?;
    Ok(web::Json(AdminUserResponse { success: true, user: summary(&st, id).await? }))
}

/// `userId` (or `id`) of the user.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UserIdQuery {
    #[serde(rename = "userId", alias = "id")]
    #[param(rename = "userId", required = true)]
    pub user_id: Option<Uuid>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize", alias = "limit")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// Delete a user and everything that belongs to them.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(UserIdQuery), responses((status = 200, body = DeletedUser), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/api/admin/users")]
async fn delete_user(st: web::Data<AppState>, admin: Admin, q: web::Query<UserIdQuery>) -> ApiResult<web::Json<DeletedUser>> {
    let id = q.user_id.ok_or_else(|| Error::validation(ErrorCode::MissingUserId, "缺少用户ID"))?;
    st.auth.admin_delete_user(&admin.0, id).await?;
    Ok(web::Json(DeletedUser { success: true, deleted_user_id: id }))
}

/// Add or deduct credits through the ledger, with a reason.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = CreditAdjustment, responses((status = 200, body = AdminUserResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 402, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/admin/users/credits")]
async fn adjust_credits(
    st: web::Data<AppState>,
    admin: Admin,
    body: web::Json<CreditAdjustment>,
) -> ApiResult<web::Json<AdminUserResponse>> {
    let id = body.user_id.ok_or_else(|| Error::validation(ErrorCode::MissingUserId, "缺少用户ID"))?;
    st.credits.admin_adjust(&admin.0.user, id, body.amount, &body.reason).await?;
    Ok(web::Json(AdminUserResponse { success: true, user: summary(&st, id).await? }))
}

/// One user's ledger, newest first.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(UserIdQuery), responses((status = 200, body = CreditRecords), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/users/credit-transactions")]
async fn user_ledger(st: web::Data<AppState>, _admin: Admin, q: web::Query<UserIdQuery>) -> ApiResult<web::Json<CreditRecords>> {
    let id = q.user_id.ok_or_else(|| Error::validation(ErrorCode::MissingUserId, "缺少用户ID"))?;
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 300);
    let rows = st.credits.ledger(id, page).await?;
    Ok(web::Json(CreditRecords {
        records: rows.items.iter().map(record).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
    }))
}
