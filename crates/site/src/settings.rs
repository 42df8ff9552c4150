//! Site configuration, e-mail settings and log retention, stored as JSON documents.
use std::sync::Arc;

use chrono::{Duration, Utc};
use miaojing_api_types::admin::{EmailSettingsUpdate, EmailSettingsView};
use miaojing_api_types::site::{SiteConfig, SiteConfigUpdate};
use miaojing_auth::mail::SmtpConfig;
use miaojing_auth::RegistrationRules;
use miaojing_domain::log::LogEntry;
use miaojing_domain::user::User;
use miaojing_domain::{Error, ErrorCode, Result, Store};
use miaojing_providers::secrets::{preview, SecretBox};
use miaojing_storage::Storage;
use serde::{Deserialize, Serialize};

const SITE_KEY: &str = "site_config";
const EMAIL_KEY: &str = "email_settings";

const TERMS: &str = "# 服务条款\n\n1. 使用本平台即表示您同意遵守本条款及相关法律法规。\n2. 您对使用本平台生成、上传和发布的内容负责，不得生成或传播违法、侵权或有害内容。\n3. 平台生成的内容均带有 AI 生成标识，请勿移除或伪造标识。\n4. 积分与会员权益仅限本平台内使用，不可转让或兑现。\n5. 平台可因维护、安全或法律要求暂停部分服务，并尽可能提前告知。\n6. 违反本条款的账号可能被限制或停用。";
const PRIVACY: &str = "# 隐私政策\n\n1. 我们仅收集提供服务所需的信息：账号、邮箱、手机号（可选）与创作记录。\n2. 密码以不可逆方式加密保存，第三方接口密钥加密存储且不会完整展示。\n3. 您的私有作品仅您本人可见；发布到画廊的作品对所有访客可见，您可随时取消发布。\n4. 我们不会出售您的个人信息。\n5. 您可以在个人中心修改资料，或联系管理员删除账号及其数据。\n6. 我们记录必要的安全日志（如登录）用于保障账号安全，并按设定期限自动清理。";
const ABOUT: &str = "# 关于我们\n\n妙境是一个可自行部署的 AI 创作平台：文生图、图生图、文生视频、图生视频与图片反推，一站完成。";
const HELP: &str = "# 帮助中心\n\n1. 注册并登录后即可开始创作。\n2. 平台模型按次或按时长消耗积分；使用自己的接口密钥不消耗积分。\n3. 积分可通过兑换码、邀请好友获得。\n4. 生成任务在后台排队执行，刷新页面不会丢失。\n5. 作品可一键发布到画廊，也可随时取消发布。\n6. 遇到问题请联系管理员。";

/// Site configuration as stored: every field optional, so defaults can evolve.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct StoredSite {
    site_name: Option<String>,
    site_tab_title: Option<String>,
    logo_url: Option<String>,
    favicon_url: Option<String>,
    membership_enabled: Option<bool>,
    terms_of_service: Option<String>,
    privacy_policy: Option<String>,
    about_us: Option<String>,
    help_center: Option<String>,
    filing_info: Option<String>,
    filing_url: Option<String>,
    public_security_filing_info: Option<String>,
    public_security_filing_url: Option<String>,
    redeem_code_mall_url: Option<String>,
    log_retention_days: Option<i64>,
    image_composition_skill_enabled: Option<bool>,
    registration_enabled: Option<bool>,
    email_verification_required: Option<bool>,
    registration_gift_credits: Option<i64>,
    inviter_reward_credits: Option<i64>,
    invitee_reward_credits: Option<i64>,
}

fn text_or(v: Option<String>, default: &str) -> String {
    v.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| default.to_string())
}

impl StoredSite {
    fn resolve(self) -> SiteConfig {
        SiteConfig {
            site_name: text_or(self.site_name, "妙境"),
            site_tab_title: text_or(self.site_tab_title, "妙境 - AI创作平台"),
            logo_url: self.logo_url.filter(|s| !s.is_empty()),
            favicon_url: self.favicon_url.filter(|s| !s.is_empty()),
            membership_enabled: self.membership_enabled.unwrap_or(true),
            terms_of_service: text_or(self.terms_of_service, TERMS),
            privacy_policy: text_or(self.privacy_policy, PRIVACY),
            about_us: text_or(self.about_us, ABOUT),
            help_center: text_or(self.help_center, HELP),
            filing_info: self.filing_info.unwrap_or_default(),
            filing_url: self.filing_url.unwrap_or_default(),
            public_security_filing_info: self.public_security_filing_info.unwrap_or_default(),
            public_security_filing_url: self.public_security_filing_url.unwrap_or_default(),
            redeem_code_mall_url: self.redeem_code_mall_url.unwrap_or_default(),
            log_retention_days: self.log_retention_days.unwrap_or(30).clamp(1, 90),
            image_composition_skill_enabled: self.image_composition_skill_enabled.unwrap_or(false),
            registration_enabled: self.registration_enabled.unwrap_or(true),
            email_verification_required: self.email_verification_required.unwrap_or(false),
            registration_gift_credits: self.registration_gift_credits.unwrap_or(10),
            inviter_reward_credits: self.inviter_reward_credits.unwrap_or(50),
            invitee_reward_credits: self.invitee_reward_credits.unwrap_or(50),
        }
    }
}

fn check_text(v: &Option<String>, max: usize, field: &str) -> Result<()> {
    match v {
        Some(s) if s.chars().count() > max => Err(Error::validation(ErrorCode::FieldTooLong, format!("{field} 过长（最多 {max} 个字符）"))),
        _ => Ok(()),
    }
}

fn check_url(v: &Option<String>, field: &str) -> Result<()> {
    match v.as_deref().map(str::trim) {
        Some(s)
            if !s.is_empty()
                && !((s.starts_with("https://") || s.starts_with("http://") || s.starts_with('/'))
                    && !s.chars().any(char::is_whitespace)) =>
        {
            Err(Error::validation(ErrorCode::InvalidUrl, format!("{field} 必须是 http(s) 链接或站内路径")))
        }
        _ => check_text(v, 2000, field),
    }
}

pub(crate) fn check_range(v: Option<i64>, min: i64, max: i64, field: &str) -> Result<()> {
    match v {
        Some(n) if !(min..=max).contains(&n) => {
            Err(Error::validation(ErrorCode::OutOfRange, format!("{field} 必须在 {min} 到 {max} 之间")))
        }
        _ => Ok(()),
    }
}

/// E-mail settings as stored (password encrypted).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct StoredEmail {
    enabled: bool,
    smtp_host: String,
    smtp_port: Option<i64>,
    smtp_secure: Option<bool>,
    smtp_user: String,
    smtp_password_encrypted: String,
    from_email: String,
    from_name: String,
    reply_to: String,
    app_name: String,
    app_base_url: String,
    code_length: Option<i64>,
    code_ttl_minutes: Option<i64>,
}

/// Resolved e-mail settings for sending.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp: SmtpConfig,
    pub app_name: String,
    pub code_length: usize,
    pub ttl_minutes: i64,
}

/// Reads and writes the site's settings documents, announcements, visits and logs.
#[derive(Clone)]
pub struct SiteService {
    pub(crate) store: Arc<dyn Store>,
    secrets: SecretBox,
    pub(crate) storage: Storage,
}

impl SiteService {
    /// A service over `store`, decrypting with `secrets` and keeping site assets in `storage`.
    pub fn new(store: Arc<dyn Store>, secrets: SecretBox, storage: Storage) -> Self {
        Self { store, secrets, storage }
    }

    async fn stored_site(&self) -> Result<StoredSite> {
        Ok(match self.store.get_setting(SITE_KEY).await? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => StoredSite::default(),
        })
    }

    /// The site configuration with defaults filled in.
    pub async fn config(&self) -> Result<SiteConfig> {
        Ok(self.stored_site().await?.resolve())
    }

    /// Sign-up rules from the configuration.
    pub async fn registration_rules(&self) -> Result<RegistrationRules> {
        let c = self.config().await?;
        Ok(RegistrationRules {
            enabled: c.registration_enabled,
            email_verification_required: c.email_verification_required,
            gift_credits: c.registration_gift_credits,
            inviter_reward: c.inviter_reward_credits,
            invitee_reward: c.invitee_reward_credits,
        })
    }

    /// Validates and applies a partial update; returns the new configuration and the names
    /// of the fields that changed. Invalid input changes nothing.
    pub async fn update(&self, u: SiteConfigUpdate) -> Result<(SiteConfig, Vec<&'static str>)> {
        check_text(&u.site_name, 128, "siteName")?;
        check_text(&u.site_tab_title, 255, "siteTabTitle")?;
        for (v, name) in [
            (&u.logo_url, "logoUrl"),
            (&u.favicon_url, "faviconUrl"),
            (&u.filing_url, "filingUrl"),
            (&u.public_security_filing_url, "publicSecurityFilingUrl"),
            (&u.redeem_code_mall_url, "redeemCodeMallUrl"),
        ] {
            check_url(v, name)?;
        }
        for (v, name) in [
            (&u.terms_of_service, "termsOfService"),
            (&u.privacy_policy, "privacyPolicy"),
            (&u.about_us, "aboutUs"),
            (&u.help_center, "helpCenter"),
        ] {
            check_text(v, 50_000, name)?;
        }
        check_text(&u.filing_info, 255, "filingInfo")?;
        check_text(&u.public_security_filing_info, 255, "publicSecurityFilingInfo")?;
        check_range(u.log_retention_days, 1, 90, "logRetentionDays")?;
        check_range(u.registration_gift_credits, 0, 1_000_000, "registrationGiftCredits")?;
        check_range(u.inviter_reward_credits, 0, 1_000_000, "inviterRewardCredits")?;
        check_range(u.invitee_reward_credits, 0, 1_000_000, "inviteeRewardCredits")?;

        let mut s = self.stored_site().await?;
        let mut changed = Vec::new();
        macro_rules! apply {
            ($($field:ident => $name:literal),* $(,)?) => {$(
                if let Some(v) = u.$field {
                    s.$field = Some(v);
                    changed.push($name);
                }
            )*};
        }
        apply!(
            site_name => "siteName", site_tab_title => "siteTabTitle", logo_url => "logoUrl", favicon_url => "faviconUrl",
            membership_enabled => "membershipEnabled", terms_of_service => "termsOfService", privacy_policy => "privacyPolicy",
            about_us => "aboutUs", help_center => "helpCenter", filing_info => "filingInfo", filing_url => "filingUrl",
            public_security_filing_info => "publicSecurityFilingInfo", public_security_filing_url => "publicSecurityFilingUrl",
            redeem_code_mall_url => "redeemCodeMallUrl", log_retention_days => "logRetentionDays",
            image_composition_skill_enabled => "imageCompositionSkillEnabled", registration_enabled => "registrationEnabled",
            email_verification_required => "emailVerificationRequired", registration_gift_credits => "registrationGiftCredits",
            inviter_reward_credits => "inviterRewardCredits", invitee_reward_credits => "inviteeRewardCredits",
        );
        let value = serde_json::to_value(&s).map_err(|e| Error::internal(e.to_string()))?;
        self.store.put_setting(SITE_KEY, &value).await?;
        Ok((s.resolve(), changed))
    }

    /// An admin's change of the site configuration: applied as [`SiteService::update`], logs
    /// older than a newly given retention purged, and the change logged (field names only).
    pub async fn update_by_admin(&self, admin: &User, u: SiteConfigUpdate) -> Result<SiteConfig> {
        let retention = u.log_retention_days;
        let (cfg, changed) = self.update(u).await?;
        if let Some(days) = retention {
            self.purge_logs(days).await?;
        }
        let entry = LogEntry::new("admin", "info", "site_config_updated", "管理员修改站点配置")
            .by(admin)
            .meta(serde_json::json!({ "fields": changed }));
        let _ = self.store.insert_log(entry).await;
        Ok(cfg)
    }

    /// Total visits.
    pub async fn visits(&self) -> Result<i64> {
        self.store.visits().await
    }

    /// Counts a visit; returns the new total.
    pub async fn count_visit(&self) -> Result<i64> {
        self.store.increment_visits().await
    }

    /// Sets the log retention and purges older logs; returns (days, rows deleted).
    pub async fn set_log_retention(&self, days: i64) -> Result<(i64, u64)> {
        check_range(Some(days), 1, 90, "retentionDays")?;
        self.update(SiteConfigUpdate { log_retention_days: Some(days), ..Default::default() }).await?;
        let deleted = self.purge_logs(days).await?;
        Ok((days, deleted))
    }

    /// Deletes logs older than `days`.
    pub async fn purge_logs(&self, days: i64) -> Result<u64> {
        self.store.purge_logs(Utc::now() - Duration::days(days)).await
    }

    async fn stored_email(&self) -> Result<StoredEmail> {
        Ok(match self.store.get_setting(EMAIL_KEY).await? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => StoredEmail::default(),
        })
    }

    fn view(&self, s: &StoredEmail) -> EmailSettingsView {
        EmailSettingsView {
            enabled: s.enabled,
            smtp_host: s.smtp_host.clone(),
            smtp_port: s.smtp_port.unwrap_or(465),
            smtp_secure: s.smtp_secure.unwrap_or(true),
            smtp_user: s.smtp_user.clone(),
            smtp_password_preview: if s.smtp_password_encrypted.is_empty() {
                String::new()
            } else {
                preview(&self.secrets.decrypt(&s.smtp_password_encrypted).unwrap_or_default())
            },
            from_email: s.from_email.clone(),
            from_name: s.from_name.clone(),
            reply_to: s.reply_to.clone(),
            app_name: s.app_name.clone(),
            app_base_url: s.app_base_url.clone(),
            code_length: s.code_length.unwrap_or(6),
            code_ttl_minutes: s.code_ttl_minutes.unwrap_or(10),
        }
    }

    /// E-mail settings for admins (password as a masked preview only).
    pub async fn email_settings(&self) -> Result<EmailSettingsView> {
        Ok(self.view(&self.stored_email().await?))
    }

    /// Validates and saves e-mail settings; the password is encrypted at rest.
    pub async fn update_email_settings(&self, u: EmailSettingsUpdate) -> Result<EmailSettingsView> {
        check_range(u.smtp_port, 1, 65535, "smtpPort")?;
        check_range(u.code_length, 4, 10, "codeLength")?;
        check_range(u.code_ttl_minutes, 1, 30, "codeTtlMinutes")?;
        for (v, name, max) in [
            (&u.smtp_host, "smtpHost", 255),
            (&u.smtp_user, "smtpUser", 255),
            (&u.from_name, "fromName", 120),
            (&u.app_name, "appName", 120),
            (&u.smtp_password, "smtpPassword", 500),
        ] {
            check_text(v, max, name)?;
        }
        check_url(&u.app_base_url, "appBaseUrl")?;
        let mut emails = Vec::new();
        for v in [&u.from_email, &u.reply_to] {
            emails.push(match v.as_deref().map(str::trim) {
                Some("") => Some(String::new()),
                Some(e) => Some(miaojing_auth::validate::email(e)?),
                None => None,
            });
        }
        let mut s = self.stored_email().await?;
        replace(&mut s.enabled, u.enabled);
        replace_text(&mut s.smtp_host, u.smtp_host);
        keep_unless_given(&mut s.smtp_port, u.smtp_port);
        keep_unless_given(&mut s.smtp_secure, u.smtp_secure);
        replace_text(&mut s.smtp_user, u.smtp_user);
        match (u.clear_smtp_password, u.smtp_password.as_deref()) {
            (Some(true), _) => s.smtp_password_encrypted.clear(),
            (_, Some(p)) if !p.is_empty() && p != "********" => s.smtp_password_encrypted = self.secrets.encrypt(p),
            _ => {}
        }
        let [from, reply] = [emails.remove(0), emails.remove(0)];
        replace(&mut s.from_email, from);
        replace(&mut s.reply_to, reply);
        replace_text(&mut s.from_name, u.from_name);
        replace_text(&mut s.app_name, u.app_name);
        replace_text(&mut s.app_base_url, u.app_base_url);
        keep_unless_given(&mut s.code_length, u.code_length);
        keep_unless_given(&mut s.code_ttl_minutes, u.code_ttl_minutes);
        let value = serde_json::to_value(&s).map_err(|e| Error::internal(e.to_string()))?;
        self.store.put_setting(EMAIL_KEY, &value).await?;
        Ok(self.view(&s))
    }

    /// Settings for sending mail now.
    pub async fn mail_settings(&self) -> Result<MailSettings> {
        let s = self.stored_email().await?;
        let password = self.secrets.decrypt(&s.smtp_password_encrypted).map_err(|e| {
            Error::new(miaojing_domain::ErrorKind::Unavailable, ErrorCode::EmailSecretUnreadable, "SMTP 密码无法解密，请重新保存邮箱配置")
                .with_detail(e.to_string())
        })?;
        let site_name = self.config().await.map(|c| c.site_name).unwrap_or_else(|_| "妙境".into());
        let app_name = if s.app_name.is_empty() { site_name } else { s.app_name.clone() };
        Ok(MailSettings {
            smtp: SmtpConfig {
                enabled: s.enabled,
                host: s.smtp_host.clone(),
                port: u16::try_from(s.smtp_port.unwrap_or(465)).unwrap_or(465),
                secure: s.smtp_secure.unwrap_or(true),
                user: s.smtp_user.clone(),
                password,
                from_email: s.from_email.clone(),
                from_name: if s.from_name.is_empty() { format!("{app_name}官方通知") } else { s.from_name.clone() },
                reply_to: s.reply_to.clone(),
            },
            app_name,
            code_length: s.code_length.unwrap_or(6).clamp(4, 10) as usize,
            ttl_minutes: s.code_ttl_minutes.unwrap_or(10).clamp(1, 30),
        })
    }
}

/// A setting the update names replaces the stored one.
fn replace<T>(stored: &mut T, given: Option<T>) {
    if let Some(v) = given {
        *stored = v;
    }
}

/// A text setting the update names replaces the stored one, trimmed.
fn replace_text(stored: &mut String, given: Option<String>) {
    replace(stored, given.map(|v| v.trim().to_string()));
}

/// An optional setting the update names replaces the stored one; absent keeps it.
fn keep_unless_given<T>(stored: &mut Option<T>, given: Option<T>) {
    if given.is_some() {
        *stored = given;
    }
}
