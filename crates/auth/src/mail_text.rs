//! The fixed texts of every e-mail the platform writes, in Chinese and English. A message is
//! written in its recipient's language: the account's `preferred_language`, or for an address
//! without an account the language the request asked for (Chinese by default).
use miaojing_domain::email_code::CodePurpose;
use miaojing_domain::user::Language;

/// One fixed text of the platform's e-mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailText {
    /// Subject of a sign-up code.
    RegisterCodeTitle,
    /// Subject of a code that binds an address to an account.
    VerifyCodeTitle,
    /// Subject of a password-reset code.
    ResetCodeTitle,
    /// The line above a code; `{ttl}` is its validity in minutes.
    CodeLine,
    /// Subject of the administrator's SMTP test.
    SmtpTestTitle,
    /// Body of the SMTP test.
    SmtpTestLine,
    /// Label of a notice's link when the administrator gave none.
    ViewDetails,
    /// The closing line of a prompt-adjustment notice.
    PromptNoticeLine,
    /// The footer of every message.
    Footer,
}

impl MailText {
    /// The text in `lang`.
    pub fn text(self, lang: Language) -> &'static str {
        let (zh, en) = match self {
            MailText::RegisterCodeTitle => ("注册验证码", "Your sign-up code"),
            MailText::VerifyCodeTitle => ("邮箱验证码", "Your e-mail verification code"),
            MailText::ResetCodeTitle => ("重置密码验证码", "Your password reset code"),
            MailText::CodeLine => (
                "您的验证码如下，{ttl} 分钟内有效。如非本人操作，请忽略此邮件。",
                "Here is your code. It is valid for {ttl} minutes. If you did not ask for it, ignore this e-mail.",
            ),
            MailText::SmtpTestTitle => ("邮箱配置测试", "E-mail settings test"),
            MailText::SmtpTestLine => {
                ("这是一封测试邮件：您的 SMTP 配置可以正常发信。", "This is a test message: your SMTP settings can send e-mail.")
            }
            MailText::ViewDetails => ("查看详情", "View details"),
            MailText::PromptNoticeLine => (
                "这是一封公开作品内容调整通知，请勿直接回复。",
                "This is a notice about a change to your public work. Please do not reply to it.",
            ),
            MailText::Footer => ("这是一封系统邮件，请勿直接回复。", "This is an automated message. Please do not reply."),
        };
        match lang {
            Language::Zh => zh,
            Language::En => en,
        }
    }

    /// The subject of a code e-mail for `purpose`.
    pub fn code_title(purpose: CodePurpose) -> MailText {
        match purpose {
            CodePurpose::Register => MailText::RegisterCodeTitle,
            CodePurpose::VerifyEmail => MailText::VerifyCodeTitle,
            CodePurpose::ResetPassword => MailText::ResetCodeTitle,
        }
    }
}

/// The subject line: the site's name and the title, punctuated for `lang`.
pub fn subject(lang: Language, app_name: &str, title: &str) -> String {
    match lang {
        Language::Zh => format!("【{app_name}】{title}"),
        Language::En => format!("[{app_name}] {title}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        let all = [
            MailText::RegisterCodeTitle,
            MailText::VerifyCodeTitle,
            MailText::ResetCodeTitle,
            MailText::CodeLine,
            MailText::SmtpTestTitle,
            MailText::SmtpTestLine,
            MailText::ViewDetails,
            MailText::PromptNoticeLine,
            MailText::Footer,
        ];
        for t in all {
            let (zh, en) = (t.text(Language::Zh), t.text(Language::En));
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{t:?}");
            assert!(en.is_ascii() && !en.is_empty(), "{t:?}");
        }
        assert!(MailText::CodeLine.text(Language::En).contains("{ttl}") && MailText::CodeLine.text(Language::Zh).contains("{ttl}"));
        assert_eq!(subject(Language::En, "MiaoJing", "Hi"), "[MiaoJing] Hi");
        assert_eq!(subject(Language::Zh, "妙境", "你好"), "【妙境】你好");
    }
}
