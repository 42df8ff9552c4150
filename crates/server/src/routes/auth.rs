//! `/api/auth/*`: sign-up, sign-in, sign-out, admin existence.
use actix_web::{get, post, web, HttpResponse};
use miaojing_api_types::auth::{AdminExistsResponse, AuthResponse, LoginRequest, RegisterRequest, SessionView};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::Success;
use miaojing_auth::service::Issued;
use miaojing_auth::RegisterInput;
use utoipa_actix_web::service_config::ServiceConfig;

use super::user_view;
use crate::http::error::ApiResult;
use crate::http::extract::{Authed, ClientInfo};
use crate::http::language::AcceptLanguage;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(register).service(logout).service(admin_exists);
}

fn session(i: Issued) -> SessionView {
    SessionView { access_token: i.token, expires_at: i.expires_at }
}

/// Sign in by username, e-mail or phone.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = AuthResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, description = "Disabled account, or a non-admin with adminOnly", body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/auth/login")]
async fn login(st: web::Data<AppState>, client: ClientInfo, body: web::Json<LoginRequest>) -> ApiResult<web::Json<AuthResponse>> {
    let b = body.into_inner();
    let identifier = [b.account, b.email, b.phone].into_iter().flatten().find(|s| !s.trim().is_empty()).unwrap_or_default();
    let (user, issued) = st.auth.login(&identifier, &b.password, b.admin_only, &client.0).await?;
    Ok(web::Json(AuthResponse { user: user_view(&user), session: session(issued), message: None }))
}

/// Create an account (and sign in).
#[utoipa::path(tag = "auth", request_body = RegisterRequest, responses(
    (status = 200, body = AuthResponse), (status = 400, body = ErrorBody), (status = 403, description = "Registration closed", body = ErrorBody),
    (status = 409, description = "E-mail, username or phone taken", body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/auth/register")]
async fn register(
    st: web::Data<AppState>,
    client: ClientInfo,
    accept: AcceptLanguage,
    body: web::Json<RegisterRequest>,
) -> ApiResult<web::Json<AuthResponse>> {
    let b = body.into_inner();
    let language = accept.or_body(b.language.as_deref())?;
    let rules = st.site.registration_rules().await?;
    let input = RegisterInput {
        email: b.email,
        password: b.password,
        username: b.nickname,
        phone: b.phone,
        email_code: b.email_code,
        accepted_terms: b.accepted_terms,
        invite_code: b.referral_code.filter(|s| !s.trim().is_empty()).or(b.invite_code),
        language,
    };
    let (user, issued, message) = st.auth.register(input, &rules, &client.0).await?;
    Ok(web::Json(AuthResponse { user: user_view(&user), session: session(issued), message: Some(message) }))
}

/// End the current session (the token stops working everywhere).
#[utoipa::path(security(("bearer" = [])), tag = "auth", responses((status = 200, body = Success), (status = 401, body = ErrorBody)))]
#[post("/api/auth/logout")]
async fn logout(st: web::Data<AppState>, me: Authed) -> ApiResult<web::Json<Success>> {
    st.auth.logout(&me.0).await?;
    Ok(web::Json(Success::OK))
}

/// Whether an admin account exists.
#[utoipa::path(tag = "auth", responses((status = 200, body = AdminExistsResponse)))]
#[get("/api/auth/admin-exists")]
async fn admin_exists(st: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let admin = st.store.first_admin().await?;
    Ok(HttpResponse::Ok().json(AdminExistsResponse { exists: admin.is_some(), nickname: admin.map(|a| a.display_nickname) }))
}
