//! Outgoing e-mail over SMTP (lettre).
use miaojing_domain::ErrorCode;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use miaojing_domain::user::Language;
use miaojing_domain::{Error, ErrorKind, Result};

use crate::mail_text::{self, MailText};

/// Resolved SMTP settings (password already decrypted).
#[derive(Clone, Default)]
pub struct SmtpConfig {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    /// Implicit TLS (e.g. port 465). Otherwise STARTTLS is used when the server offers it.
    pub secure: bool,
    pub user: String,
    pub password: String,
    pub from_email: String,
    pub from_name: String,
    pub reply_to: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig").field("host", &self.host).field("port", &self.port).field("user", &self.user).finish_non_exhaustive()
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn mail_error(code: impl Into<&'static str>, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Upstream, code, message)
}

/// Sends one message; errors are 409 `email_disabled`/`email_not_configured` (the site has no
/// working mail setup: a state of the site, not an outage, so not a 5xx) or 502
/// `email_send_failed` (the SMTP server's reason is kept for logs only).
pub async fn send(cfg: &SmtpConfig, mail: Email) -> Result<()> {
    if !cfg.enabled {
        return Err(Error::new(ErrorKind::Conflict, ErrorCode::EmailDisabled, "本站未启用邮件服务，暂时无法发送邮件，请联系管理员"));
    }
    if cfg.host.trim().is_empty() || cfg.from_email.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::Conflict,
            ErrorCode::EmailNotConfigured,
            "本站邮件服务配置不完整，暂时无法发送邮件，请联系管理员",
        ));
    }
    let from_addr = cfg.from_email.parse().map_err(|_| Error::validation(ErrorCode::InvalidSender, "发件邮箱格式不正确"))?;
    let from = Mailbox::new((!cfg.from_name.is_empty()).then(|| cfg.from_name.clone()), from_addr);
    let to: Mailbox = mail.to.parse().map_err(|_| Error::validation(ErrorCode::InvalidEmail, "邮箱地址格式不正确"))?;
    let mut builder = Message::builder().from(from).to(to).subject(mail.subject);
    if let Ok(reply) = cfg.reply_to.parse::<Mailbox>() {
        builder = builder.reply_to(reply);
    }
    let message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html)),
        )
        .map_err(|e| Error::internal(format!("building e-mail: {e}")))?;

    let tls_params = TlsParameters::new(cfg.host.clone())
        .map_err(|e| mail_error(ErrorCode::EmailSendFailed, "邮件发送失败").with_detail(e.to_string()))?;
    let tls = if cfg.secure { Tls::Wrapper(tls_params) } else { Tls::Opportunistic(tls_params) };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
        .port(cfg.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(20)));
    if !cfg.user.is_empty() {
        transport = transport.credentials(Credentials::new(cfg.user.clone(), cfg.password.clone()));
    }
    transport
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| mail_error(ErrorCode::EmailSendFailed, "邮件发送失败，请检查 SMTP 配置").with_detail(e.to_string()))
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A simple branded HTML + text message; its subject punctuation and footer are in `lang`.
pub fn branded(lang: Language, app_name: &str, to: &str, title: &str, lines: &[&str], highlight: Option<&str>) -> Email {
    let mut html = format!(
        "<div style=\"font-family:sans-serif;max-width:560px;margin:auto;padding:24px;background:#0b1020;color:#e8e6df\"><h2 style=\"color:#c9a24a\">{}</h2><h3>{}</h3>",
        escape_html(app_name),
        escape_html(title)
    );
    let mut text = format!("{app_name}\n\n{title}\n\n");
    for line in lines {
        html.push_str(&format!("<p>{}</p>", escape_html(line)));
        text.push_str(line);
        text.push('\n');
    }
    if let Some(h) = highlight {
        html.push_str(&format!("<p style=\"font-size:28px;letter-spacing:6px;color:#c9a24a\"><b>{}</b></p>", escape_html(h)));
        text.push_str(&format!("\n{h}\n"));
    }
    let footer = MailText::Footer.text(lang);
    html.push_str(&format!("<p style=\"color:#8a8fa3;font-size:12px\">{}</p></div>", escape_html(footer)));
    text.push_str(&format!("\n{footer}\n"));
    Email { to: to.to_string(), subject: mail_text::subject(lang, app_name, title), text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branded_escapes_user_text() {
        let m = branded(Language::Zh, "妙境", "a@x.io", "<b>hi</b>", &["line & more"], Some("123456"));
        assert!(m.html.contains("&lt;b&gt;hi&lt;/b&gt;"));
        assert!(m.html.contains("line &amp; more"));
        assert!(m.text.contains("123456"));
        assert_eq!(m.subject, "【妙境】<b>hi</b>");
        assert!(m.text.contains("请勿直接回复"));
        let en = branded(Language::En, "MiaoJing", "a@x.io", "Hello", &[], None);
        assert_eq!(en.subject, "[MiaoJing] Hello");
        assert!(en.html.contains("Please do not reply") && !en.html.contains("请勿"));
    }

    #[tokio::test]
    async fn disabled_and_unconfigured_are_clear_errors() {
        let m = branded(Language::Zh, "妙境", "a@x.io", "t", &[], None);
        let e = send(&SmtpConfig::default(), m.clone()).await.unwrap_err();
        assert_eq!(e.code, "email_disabled");
        let cfg = SmtpConfig { enabled: true, ..Default::default() };
        assert_eq!(send(&cfg, m).await.unwrap_err().code, "email_not_configured");
    }
}
