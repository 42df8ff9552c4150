//! Admin SMTP settings and a test send.
use actix_web::{get, post, put, web};
use miaojing_api_types::admin::{EmailSettingsResponse, EmailSettingsUpdate, TestEmailRequest};
use miaojing_api_types::auth::MessageResponse;
use miaojing_api_types::error::ErrorBody;
use miaojing_auth::mail_text::MailText;
use miaojing_auth::{mail, validate};
use miaojing_domain::log::LogEntry;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::routes::email::recipient_language;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_settings).service(put_settings).service(test_send);
}

/// Current settings (the password only as a masked preview).
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", responses((status = 200, body = EmailSettingsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/email-settings")]
async fn get_settings(st: web::Data<AppState>, _admin: Admin) -> ApiResult<web::Json<EmailSettingsResponse>> {
    Ok(web::Json(EmailSettingsResponse { success: None, settings: st.site.email_settings().await? }))
}

/// Save settings; the password is encrypted at rest and never returned.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = EmailSettingsUpdate, responses((status = 200, body = EmailSettingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[put("/api/admin/email-settings")]
async fn put_settings(
    st: web::Data<AppState>,
    admin: Admin,
    body: web::Json<EmailSettingsUpdate>,
) -> ApiResult<web::Json<EmailSettingsResponse>> {
    let settings = st.site.update_email_settings(body.into_inner()).await?;
    let _ = st.store.insert_log(LogEntry::new("admin", "info", "email_settings_updated", "管理员修改邮箱配置").by(&admin.0.user)).await;
    Ok(web::Json(EmailSettingsResponse { success: Some(true), settings }))
}

/// Send a test message with the saved settings.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = TestEmailRequest, responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, description = "`email_disabled`/`email_not_configured`", body = ErrorBody), (status = 502, body = ErrorBody)))]
#[post("/api/admin/email-settings")]
async fn test_send(st: web::Data<AppState>, admin: Admin, body: web::Json<TestEmailRequest>) -> ApiResult<web::Json<MessageResponse>> {
    let to = validate::email(&body.to)?;
    let m = st.site.mail_settings().await?;
    let lang = recipient_language(&st, &to, admin.0.user.preferred_language).await?;
    let message = mail::branded(lang, &m.app_name, &to, MailText::SmtpTestTitle.text(lang), &[MailText::SmtpTestLine.text(lang)], None);
    mail::send(&m.smtp, message).await?;
    Ok(web::Json(MessageResponse { success: true, message: "测试邮件已发送".into() }))
}
