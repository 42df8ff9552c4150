//! `/api/profile`: the signed-in user's own account.
use actix_web::{get, put, web};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::profile::{ProfileResponse, ProfileUpdate, ThemeRequest, ThemeResponse};
use miaojing_auth::service::ProfileChanges;
use miaojing_domain::user::Language;
use utoipa_actix_web::service_config::ServiceConfig;

use super::user_view;
use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_profile).service(update_profile).service(update_theme);
}

/// The caller's profile.
#[utoipa::path(security(("bearer" = [])), tag = "profile", responses((status = 200, body = ProfileResponse), (status = 401, body = ErrorBody)))]
#[get("/api/profile")]
async fn get_profile(me: Authed) -> web::Json<ProfileResponse> {
    web::Json(ProfileResponse { success: None, profile: user_view(&me.0.user) })
}

/// Change the caller's profile; all fields are validated before anything is saved.
#[utoipa::path(security(("bearer" = [])), tag = "profile", request_body = ProfileUpdate, responses((status = 200, body = ProfileResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/api/profile")]
async fn update_profile(st: web::Data<AppState>, me: Authed, body: web::Json<ProfileUpdate>) -> ApiResult<web::Json<ProfileResponse>> {
    let b = body.into_inner();
    let changes = ProfileChanges {
        email: b.email,
        username: b.username,
        display_nickname: b.display_nickname.or(b.nickname),
        phone: b.phone,
        avatar_url: b.avatar_url,
        watermark_disabled: b.watermark_disabled,
        preferred_language: b.preferred_language.as_deref().map(Language::parse).transpose()?,
        current_password: b.current_password,
        new_password: b.new_password,
    };
    let user = st.auth.update_profile(&me.0, changes).await?;
    Ok(web::Json(ProfileResponse { success: Some(true), profile: user_view(&user) }))
}

/// Save the theme (`light` or `dark`).
#[utoipa::path(security(("bearer" = [])), tag = "profile", request_body = ThemeRequest, responses((status = 200, body = ThemeResponse), (status = 401, body = ErrorBody)))]
#[put("/api/profile/theme")]
async fn update_theme(st: web::Data<AppState>, me: Authed, body: web::Json<ThemeRequest>) -> ApiResult<web::Json<ThemeResponse>> {
    let user = st.auth.set_theme(&me.0, &body.theme).await?;
    Ok(web::Json(ThemeResponse { success: true, preferred_theme: user.preferred_theme }))
}
