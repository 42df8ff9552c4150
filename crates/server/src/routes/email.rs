//! `/api/email/*`: verification codes, e-mail binding and password reset.
use actix_web::{post, web};
use miaojing_api_types::auth::{CodeSentResponse, EmailRequest, MessageResponse, ResetPasswordRequest, VerifyEmailRequest};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::profile::ProfileResponse;
use miaojing_auth::service::{CodeMail, CodeSent};
use miaojing_auth::AuthUser;
use miaojing_domain::email_code::CodePurpose;
use utoipa_actix_web::service_config::ServiceConfig;

use super::user_view;
use crate::http::error::ApiResult;
use crate::http::extract::{Authed, ClientInfo};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(send_register_code).service(send_reset_code).service(send_profile_code).service(verify_profile).service(reset_password);
}

async fn send(
    st: &AppState,
    purpose: CodePurpose,
    email: &str,
    caller: Option<&AuthUser>,
    client: &ClientInfo,
) -> ApiResult<web::Json<CodeSentResponse>> {
    let mail = st.site.mail_settings().await?;
    let cfg = CodeMail { smtp: &mail.smtp, app_name: &mail.app_name, code_length: mail.code_length, ttl_minutes: mail.ttl_minutes };
    let CodeSent { expires_in, cooldown } = st.auth.send_code(purpose, email, caller, &client.0, cfg).await?;
    let message = match purpose {
        CodePurpose::ResetPassword => "如果该邮箱已注册，我们已发送重置验证码",
        _ => "验证码已发送，请查收邮箱",
    };
    Ok(web::Json(CodeSentResponse { success: true, expires_in, cooldown, message: message.into() }))
}

/// Send a sign-up code to an unregistered address.
#[utoipa::path(tag = "email", request_body = EmailRequest, responses((status = 200, body = CodeSentResponse), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[post("/api/email/send-register-code")]
async fn send_register_code(
    st: web::Data<AppState>,
    client: ClientInfo,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<CodeSentResponse>> {
    send(&st, CodePurpose::Register, &body.email, None, &client).await
}

/// Send a password-reset code (same answer whether or not the address has an account).
#[utoipa::path(tag = "email", request_body = EmailRequest, responses((status = 200, body = CodeSentResponse), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/email/send-reset-code")]
async fn send_reset_code(
    st: web::Data<AppState>,
    client: ClientInfo,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<CodeSentResponse>> {
    send(&st, CodePurpose::ResetPassword, &body.email, None, &client).await
}

/// Send a code to bind a new address to the signed-in account.
#[utoipa::path(tag = "email", request_body = EmailRequest, responses((status = 200, body = CodeSentResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/email/send-profile-code")]
async fn send_profile_code(
    st: web::Data<AppState>,
    me: Authed,
    client: ClientInfo,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<CodeSentResponse>> {
    send(&st, CodePurpose::VerifyEmail, &body.email, Some(&me.0), &client).await
}

/// Bind and verify the address with the code.
#[utoipa::path(tag = "email", request_body = VerifyEmailRequest, responses((status = 200, body = ProfileResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/email/verify-profile")]
async fn verify_profile(st: web::Data<AppState>, me: Authed, body: web::Json<VerifyEmailRequest>) -> ApiResult<web::Json<ProfileResponse>> {
    let user = st.auth.verify_profile_email(&me.0, &body.email, &body.code).await?;
    Ok(web::Json(ProfileResponse { success: Some(true), profile: user_view(&user) }))
}

/// Set a new password with a reset code; every session of the account ends.
#[utoipa::path(tag = "email", request_body = ResetPasswordRequest, responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/email/reset-password")]
async fn reset_password(st: web::Data<AppState>, body: web::Json<ResetPasswordRequest>) -> ApiResult<web::Json<MessageResponse>> {
    st.auth.reset_password(&body.email, &body.code, &body.new_password).await?;
    Ok(web::Json(MessageResponse { success: true, message: "密码已重置，请重新登录".into() }))
}
