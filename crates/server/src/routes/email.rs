//! `/api/email/*`: verification codes, e-mail binding and password reset.
use actix_web::{post, web};
use miaojing_api_types::auth::{
    CodeSentResponse, EmailRequest, MessageResponse, NotificationRequest, ResetPasswordRequest, VerifyEmailRequest,
};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::profile::ProfileResponse;
use miaojing_auth::mail_text::MailText;
use miaojing_auth::service::{CodeMail, CodeSent};
use miaojing_auth::{mail, validate, AuthUser};
use miaojing_domain::email_code::CodePurpose;
use miaojing_domain::log::LogEntry;
use miaojing_domain::user::Language;
use miaojing_domain::Error;
use miaojing_domain::ErrorCode;
use utoipa_actix_web::service_config::ServiceConfig;

use super::user_view;
use crate::http::error::ApiResult;
use crate::http::extract::{Admin, Authed, ClientInfo};
use crate::http::language::AcceptLanguage;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(send_register_code)
        .service(send_reset_code)
        .service(send_profile_code)
        .service(verify_profile)
        .service(reset_password)
        .service(send_notification);
}

async fn send(
    st: &AppState,
    purpose: CodePurpose,
    body: &EmailRequest,
    caller: Option<&AuthUser>,
    client: &ClientInfo,
    accept: AcceptLanguage,
) -> ApiResult<web::Json<CodeSentResponse>> {
    let language = accept.or_body(body.language.as_deref())?;
    let mail = st.site.mail_settings().await?;
    let cfg =
        CodeMail { smtp: &mail.smtp, app_name: &mail.app_name, code_length: mail.code_length, ttl_minutes: mail.ttl_minutes, language };
    let CodeSent { expires_in, cooldown } = st.auth.send_code(purpose, &body.email, caller, &client.0, cfg).await?;
    let message = match purpose {
        CodePurpose::ResetPassword => "如果该邮箱已注册，我们已发送重置验证码",
        _ => "验证码已发送，请查收邮箱",
    };
    Ok(web::Json(CodeSentResponse { success: true, expires_in, cooldown, message: message.into() }))
}

/// Send a sign-up code to an unregistered address.
#[utoipa::path(tag = "email", request_body = EmailRequest, responses((status = 200, body = CodeSentResponse), (status = 400, body = ErrorBody), (status = 409, description = "already registered, or `email_disabled`/`email_not_configured`: the site has no working mail setup", body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/email/send-register-code")]
async fn send_register_code(
    st: web::Data<AppState>,
    client: ClientInfo,
    accept: AcceptLanguage,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<CodeSentResponse>> {
    send(&st, CodePurpose::Register, &body, None, &client, accept).await
}

/// Send a password-reset code (same answer whether or not the address has an account).
#[utoipa::path(tag = "email", request_body = EmailRequest, responses((status = 200, body = CodeSentResponse), (status = 400, body = ErrorBody), (status = 409, description = "`email_disabled`/`email_not_configured`: the site has no working mail setup", body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/email/send-reset-code")]
async fn send_reset_code(
    st: web::Data<AppState>,
    client: ClientInfo,
    accept: AcceptLanguage,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<CodeSentResponse>> {
    send(&st, CodePurpose::ResetPassword, &body, None, &client, accept).await
}

/// Send a code to bind a new address to the signed-in account.
#[utoipa::path(security(("bearer" = [])), tag = "email", request_body = EmailRequest, responses((status = 200, body = CodeSentResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, description = "address taken, or `email_disabled`/`email_not_configured`: the site has no working mail setup", body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/email/send-profile-code")]
async fn send_profile_code(
    st: web::Data<AppState>,
    me: Authed,
    client: ClientInfo,
    accept: AcceptLanguage,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<CodeSentResponse>> {
    send(&st, CodePurpose::VerifyEmail, &body, Some(&me.0), &client, accept).await
}

/// Bind and verify the address with the code.
#[utoipa::path(security(("bearer" = [])), tag = "email", request_body = VerifyEmailRequest, responses((status = 200, body = ProfileResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
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

/// Send a branded notice to one address (admin).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "email", request_body = NotificationRequest, responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, description = "`email_disabled`/`email_not_configured`", body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/email/send-notification")]
async fn send_notification(
    st: web::Data<AppState>,
    admin: Admin,
    body: web::Json<NotificationRequest>,
) -> ApiResult<web::Json<MessageResponse>> {
    let b = body.into_inner();
    let to = validate::email(&b.to)?;
    let (title, text) = (b.title.trim(), b.body.trim());
    if title.is_empty() || text.is_empty() || title.chars().count() > 120 || text.chars().count() > 4000 {
        return Err(Error::validation(ErrorCode::InvalidNotification, "请填写邮件标题（最多 120 字）和正文（最多 4000 字）").into());
    }
    let button_text = b.button_text.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let button_url = b.button_url.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if button_text.is_some_and(|t| t.chars().count() > 40) {
        return Err(Error::validation(ErrorCode::InvalidButton, "按钮文字最多 40 个字符").into());
    }
    if button_url
        .is_some_and(|u| u.len() > 500 || !(u.starts_with("https://") || u.starts_with("http://")) || u.chars().any(char::is_whitespace))
    {
        return Err(Error::validation(ErrorCode::InvalidButtonUrl, "按钮链接必须是 HTTP(S) 地址").into());
    }
    let m = st.site.mail_settings().await?;
    let lang = recipient_language(&st, &to, admin.0.user.preferred_language).await?;
    let mut lines: Vec<String> = text.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if let Some(url) = button_url {
        let label = button_text.unwrap_or(MailText::ViewDetails.text(lang));
        lines.push(match lang {
            Language::Zh => format!("{label}：{url}"),
            Language::En => format!("{label}: {url}"),
        });
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    mail::send(&m.smtp, mail::branded(lang, &m.app_name, &to, title, &refs, None)).await?;
    let log = LogEntry::new("admin", "info", "notification_sent", "管理员发送通知邮件")
        .by(&admin.0.user)
        .meta(serde_json::json!({ "to": to, "type": b.kind.unwrap_or_else(|| "business".into()) }));
    let _ = st.store.insert_log(log).await;
    Ok(web::Json(MessageResponse { success: true, message: "邮件已发送".into() }))
}

/// The language to write to `address` in: its account's, or `fallback` when no account has it.
pub(crate) async fn recipient_language(st: &AppState, address: &str, fallback: Language) -> ApiResult<Language> {
    Ok(st.store.user_by_email(address).await?.map_or(fallback, |u| u.preferred_language))
}
