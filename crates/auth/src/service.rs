//! The account service: every account rule, over the store's ports.
use miaojing_domain::ErrorCode;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use miaojing_domain::email_code::{CodeCheck, CodePurpose, IssuePolicy, NewEmailCode};
use miaojing_domain::invitation::{normalize_invite_code, NewReferral};
use miaojing_domain::ledger::{Grant, LedgerKind};
use miaojing_domain::log::LogEntry;
use miaojing_domain::session::Session;
use miaojing_domain::user::{Language, NewUser, Role, Tier, User, UserPatch};
use miaojing_domain::{Error, Result, Store};
use uuid::Uuid;

use crate::mail::{self, SmtpConfig};
use crate::mail_text::MailText;
use crate::password::{self, Verified};
use crate::rate_limit::{RateLimiter, RateLimits};
use crate::token::TokenKeys;
use crate::{codes, defaults, validate};

/// Fixed settings of the account service.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Lifetime of a session and its token.
    pub session_ttl: Duration,
    /// Key for e-mail code hashes.
    pub code_secret: Vec<u8>,
    pub rate_limits: RateLimits,
}

/// Site rules for sign-up (from the site configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRules {
    pub enabled: bool,
    pub email_verification_required: bool,
    pub gift_credits: i64,
    pub inviter_reward: i64,
    pub invitee_reward: i64,
}

/// Where a request came from.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A signed-in caller: the session and the user as stored right now.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    pub session_id: Uuid,
}

/// A newly issued session token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Registration input as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub email_code: Option<String>,
    pub accepted_terms: bool,
    pub invite_code: Option<String>,
    /// The language of the account's e-mails (the client's UI language).
    pub language: Language,
}

/// Self-service profile changes; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub email: Option<String>,
    pub username: Option<String>,
    pub display_nickname: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
    pub watermark_disabled: Option<bool>,
    /// The language of the account's e-mails.
    pub preferred_language: Option<Language>,
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

/// Admin changes to an account.
#[derive(Debug, Clone, Default)]
pub struct AdminChanges {
    pub role: Option<String>,
    pub membership_tier: Option<String>,
    pub membership_expires_at: Option<Option<DateTime<Utc>>>,
    pub is_active: Option<bool>,
    pub watermark_disabled: Option<bool>,
    pub username: Option<String>,
    pub display_nickname: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub new_password: Option<String>,
}

/// What an e-mail code request answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSent {
    /// Seconds the code is valid; `None` when nothing was necessarily sent (password reset).
    pub expires_in: Option<i64>,
    pub cooldown: i64,
}

/// Settings of a code e-mail.
#[derive(Debug, Clone)]
pub struct CodeMail<'a> {
    pub smtp: &'a SmtpConfig,
    pub app_name: &'a str,
    pub code_length: usize,
    pub ttl_minutes: i64,
    /// The language the request asked for, used when the address has no account.
    pub language: Language,
}

/// Accounts, sessions and e-mail codes.
#[derive(Clone)]
pub struct AuthService {
    store: Arc<dyn Store>,
    keys: TokenKeys,
    settings: AuthSettings,
    limiter: RateLimiter,
    /// A hash to verify against when an account does not exist, so timing does not tell.
    dummy_hash: Arc<String>,
}

fn missing_login() -> Error {
    Error::validation(ErrorCode::MissingCredentials, "请输入账号和密码")
}

fn bad_login() -> Error {
    Error::unauthenticated("账号或密码错误").with_code(ErrorCode::InvalidCredentials)
}

trait WithCode {
    fn with_code(self, code: impl Into<&'static str>) -> Self;
}

impl WithCode for Error {
    fn with_code(mut self, code: impl Into<&'static str>) -> Self {
        self.code = std::borrow::Cow::Borrowed(code.into());
        self
    }
}

fn code_error(check: CodeCheck) -> Result<()> {
    match check {
        CodeCheck::Valid => Ok(()),
        CodeCheck::Missing => Err(Error::validation(ErrorCode::CodeInvalid, "验证码不存在或已失效，请重新获取")),
        CodeCheck::Expired => Err(Error::validation(ErrorCode::CodeExpired, "验证码已过期，请重新获取")),
        CodeCheck::Locked { until } => {
            let secs = (until - Utc::now()).num_seconds().max(1) as u64;
            Err(Error::rate_limited(ErrorCode::CodeLocked, "验证码错误次数过多，请 10 分钟后再试", secs))
        }
        CodeCheck::Wrong { remaining } => {
            Err(Error::validation(ErrorCode::CodeIncorrect, format!("验证码不正确，还可尝试 {remaining} 次")))
        }
    }
}

/// Validates and sets the username, display name and phone (empty phone clears it).
fn set_names(patch: &mut UserPatch, username: Option<String>, display: Option<String>, phone: Option<String>) -> Result<()> {
    if let Some(u) = username {
        patch.username = Some(validate::username(&u)?);
    }
    if let Some(n) = display {
        patch.display_nickname = Some(validate::display_name(&n)?);
    }
    if let Some(p) = phone {
        patch.phone = Some(if p.trim().is_empty() { None } else { Some(validate::phone(&p)?) });
    }
    Ok(())
}

impl AuthService {
    /// A service over `store`, signing tokens with `keys`.
    pub fn new(store: Arc<dyn Store>, keys: TokenKeys, settings: AuthSettings) -> Result<Self> {
        let limiter = RateLimiter::new(store.clone());
        let dummy_hash = Arc::new(password::hash("dummy-password-for-timing-1")?);
        Ok(Self { store, keys, settings, limiter, dummy_hash })
    }

    /// The rate limiter (shared with other routes).
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// The configured limits.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.settings.rate_limits
    }

    async fn log(&self, entry: LogEntry) {
        if let Err(e) = self.store.insert_log(entry).await {
            tracing::warn!(error = %e, "could not write a platform log");
        }
    }

    async fn start_session(&self, user: &User, client: &Client) -> Result<Issued> {
        let now = Utc::now();
        let session = Session {
            id: Uuid::new_v4(),
            user_id: user.id,
            created_at: now,
            expires_at: now + self.settings.session_ttl,
            revoked_at: None,
            ip_address: client.ip.clone(),
            user_agent: client.user_agent.as_ref().map(|s| s.chars().take(512).collect()),
        };
        self.store.create_session(session.clone()).await?;
        let token = self.keys.issue(user.id, session.id, user.role.as_str(), now, session.expires_at)?;
        Ok(Issued { token, expires_at: session.expires_at })
    }

    /// Creates an account and signs it in. Returns the user, the session and a message.
    pub async fn register(&self, input: RegisterInput, rules: &RegistrationRules, client: &Client) -> Result<(User, Issued, String)> {
        if !rules.enabled {
            return Err(Error::forbidden(ErrorCode::RegistrationClosed, "当前未开放注册"));
        }
        if !input.accepted_terms {
            return Err(Error::validation(ErrorCode::TermsNotAccepted, "请先阅读并同意服务条款和隐私政策"));
        }
        let email = validate::email(&input.email)?;
        validate::new_password(&input.password)?;
        let explicit_username = input.username.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut username = match explicit_username {
            Some(u) => validate::username(u)?,
            None => {
                let local = email.split('@').next().unwrap_or_default();
                validate::username(local).unwrap_or_else(|_| format!("user{}", &Uuid::new_v4().simple().to_string()[..6]))
            }
        };
        let phone = match input.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => Some(validate::phone(p)?),
            None => None,
        };
        let code = match (rules.email_verification_required, input.email_code.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (true, None) => return Err(Error::validation(ErrorCode::CodeRequired, "请输入邮箱验证码")),
            (true, Some(c)) => Some(validate::code(c)?),
            (false, _) => None,
        };
        self.limiter
            .check("register_ip", client.ip.as_deref().unwrap_or("unknown"), self.settings.rate_limits.register_ip, Utc::now())
            .await?;

        let inviter = match input.invite_code.as_deref().map(normalize_invite_code).filter(|c| !c.is_empty()) {
            Some(code) => match self.store.user_by_invite_code(&code).await? {
                Some(u) if u.is_active => Some(u),
                _ => return Err(Error::validation(ErrorCode::InviteInvalid, "邀请链接无效或邀请人账号不可用")),
            },
            None => None,
        };
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(Error::conflict(ErrorCode::EmailTaken, "该邮箱已注册，请直接登录"));
        }
        if explicit_username.is_none() && self.store.user_by_login(&username).await?.is_some() {
            username = format!("{}{}", username.chars().take(44).collect::<String>(), rand::random::<u16>() % 10000);
        }
        // The code is consumed last, after every other check has passed.
        if let Some(code) = code {
            let hash = codes::hash(&self.settings.code_secret, CodePurpose::Register, &email, &code);
            code_error(
                self.store.check_email_code(&email, CodePurpose::Register, &hash, Utc::now(), IssuePolicy::default().lock_duration).await?,
            )?;
        }
        let password_hash = password::hash_async(input.password).await?;
        let id = Uuid::new_v4();
        let display_nickname = defaults::nickname(&mut rand::thread_rng());
        let now = Utc::now();
        let new_user = NewUser {
            id,
            avatar_url: Some(defaults::avatar(id, &display_nickname)),
            display_nickname,
            username,
            email,
            phone,
            role: Role::User,
            membership_tier: Tier::Free,
            invite_code: defaults::invite_code(id),
            referred_by: inviter.as_ref().map(|u| u.id),
            email_verified: rules.email_verification_required,
            preferred_language: input.language,
            password_hash,
            created_at: now,
        };
        let mut grants = Vec::new();
        if rules.gift_credits > 0 {
            grants.push(Grant {
                user_id: id, amount: rules.gift_credits, kind: LedgerKind::Gift, description: "新用户注册赠送".into()
            });
        }
        let referral = inviter.as_ref().map(|inv| NewReferral {
            id: Uuid::new_v4(),
            invite_code: inv.invite_code.clone(),
            inviter_id: inv.id,
            inviter_bonus: rules.inviter_reward.max(0),
            invitee_bonus: rules.invitee_reward.max(0),
        });
        if let Some(inv) = &inviter {
            if rules.invitee_reward > 0 {
                grants.push(Grant {
                    user_id: id,
                    amount: rules.invitee_reward,
                    kind: LedgerKind::Invite,
                    description: "通过邀请链接注册奖励".into(),
                });
            }
            if rules.inviter_reward > 0 {
                grants.push(Grant {
                    user_id: inv.id,
                    amount: rules.inviter_reward,
                    kind: LedgerKind::Invite,
                    description: "邀请新用户注册奖励".into(),
                });
            }
        }
        let user = self.store.create_user(new_user, grants, referral).await?;
        let issued = self.start_session(&user, client).await?;
        self.log(
            LogEntry::new("auth", "info", "user_registered", "新用户注册")
                .by(&user)
                .from_client(client.ip.as_deref(), client.user_agent.as_deref()),
        )
        .await;
        let message = match &inviter {
            Some(_) if rules.invitee_reward > 0 => format!("注册成功，邀请奖励 {} 积分已到账", rules.invitee_reward),
            _ => "注册成功".to_string(),
        };
        Ok((user, issued, message))
    }

    /// Signs in by username, e-mail or phone.
    pub async fn login(&self, identifier: &str, password: &str, admin_only: bool, client: &Client) -> Result<(User, Issued)> {
        let identifier = identifier.trim();
        if identifier.is_empty() || password.is_empty() {
            return Err(missing_login());
        }
        if identifier.chars().count() > 254 || password.chars().count() > validate::PASSWORD_MAX {
            return Err(bad_login());
        }
        let now = Utc::now();
        let limits = self.settings.rate_limits;
        self.limiter.check("login_ip", client.ip.as_deref().unwrap_or("unknown"), limits.login_ip, now).await?;
        let lookup = if identifier.contains('@') { identifier.to_lowercase() } else { identifier.to_string() };
        let user = self.store.user_by_login(&lookup).await?;
        // One count per account, whichever of its names was typed; an identifier that names
        // no account is counted by its spelling, which answers exactly like an account would.
        let account_key = match &user {
            Some(u) => format!("user:{}", u.id),
            None => format!("name:{}", identifier.to_lowercase()),
        };
        self.limiter.check("login_account", &account_key, limits.login_account, now).await?;
        let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let verified = password::verify_async(password.to_string(), stored_hash).await?;
        let user = match (user, verified) {
            (Some(u), Verified::Yes | Verified::YesRehash) if u.password_hash.is_some() => u,
            (user, _) => {
                let mut entry = LogEntry::new("security", "warning", "login_failed", "登录失败：账号或密码错误")
                    .from_client(client.ip.as_deref(), client.user_agent.as_deref())
                    .meta(serde_json::json!({ "identifier": identifier.chars().take(64).collect::<String>() }));
                if let Some(u) = &user {
                    entry = entry.by(u);
                }
                self.log(entry).await;
                return Err(bad_login());
            }
        };
        if !user.is_active {
            return Err(Error::forbidden(ErrorCode::AccountDisabled, "账号已停用，请联系管理员"));
        }
        if admin_only && !user.role.is_admin() {
            self.log(
                LogEntry::new("security", "warning", "console_login_denied", "非管理员尝试登录控制台")
                    .by(&user)
                    .from_client(client.ip.as_deref(), client.user_agent.as_deref()),
            )
            .await;
            return Err(Error::forbidden(ErrorCode::AdminOnly, "仅管理员可登录控制台"));
        }
        let user = if verified == Verified::YesRehash {
            let hash = password::hash_async(password.to_string()).await?;
            self.store.update_user(user.id, UserPatch { password_hash: Some(hash), ..Default::default() }).await?
        } else {
            user
        };
        let issued = self.start_session(&user, client).await?;
        let (action, msg) =
            if admin_only { ("console_login_success", "管理员登录控制台") } else { ("user_login_success", "用户登录成功") };
        self.log(LogEntry::new("auth", "info", action, msg).by(&user).from_client(client.ip.as_deref(), client.user_agent.as_deref()))
            .await;
        Ok((user, issued))
    }

    /// Resolves a bearer token to the caller, reading session and user from the store.
    pub async fn authenticate(&self, token: &str) -> Result<AuthUser> {
        let claims = self.keys.verify(token)?;
        let (session, user) =
            self.store.session_user(claims.sid, Utc::now()).await?.ok_or_else(|| Error::unauthenticated("登录已失效，请重新登录"))?;
        if session.user_id != claims.sub || user.id != claims.sub {
            return Err(Error::unauthenticated("登录已失效，请重新登录"));
        }
        if !user.is_active {
            return Err(Error::unauthenticated("账号已停用").with_code(ErrorCode::AccountDisabled));
        }
        Ok(AuthUser { user, session_id: session.id })
    }

    /// Ends the caller's session.
    pub async fn logout(&self, auth: &AuthUser) -> Result<()> {
        self.store.revoke_session(auth.session_id, Utc::now()).await
    }

    /// Applies the caller's own profile changes, all validated before anything is written.
    pub async fn update_profile(&self, auth: &AuthUser, changes: ProfileChanges) -> Result<User> {
        let user = &auth.user;
        let now = Utc::now();
        let mut patch = UserPatch::default();
        if let Some(e) = changes.email {
            let e = validate::email(&e)?;
            if e != user.email {
                patch.email = Some(e);
                patch.email_verified = Some(false);
                patch.email_verified_at = Some(None);
            }
        }
        set_names(&mut patch, changes.username, changes.display_nickname, changes.phone)?;
        if let Some(a) = changes.avatar_url {
            let name = patch.display_nickname.as_deref().unwrap_or(&user.display_nickname);
            patch.avatar_url = Some(Some(if a.trim().is_empty() { defaults::avatar(user.id, name) } else { validate::avatar(&a)? }));
        }
        if let Some(w) = changes.watermark_disabled {
            if w && !user.may_disable_watermark(now) && !user.watermark_disabled {
                return Err(Error::forbidden(ErrorCode::WatermarkNotAllowed, "仅会员可关闭下载水印"));
            }
            patch.watermark_disabled = Some(w);
        }
        patch.preferred_language = changes.preferred_language.filter(|l| *l != user.preferred_language);
        let mut password_changed = false;
        if let Some(new_pw) = changes.new_password.filter(|p| !p.is_empty()) {
            validate::new_password(&new_pw)?;
            let current = changes
                .current_password
                .filter(|p| !p.is_empty())
                .ok_or_else(|| Error::validation(ErrorCode::CurrentPasswordRequired, "请输入当前密码"))?;
            let stored = user.password_hash.clone().unwrap_or_else(|| self.dummy_hash.as_ref().clone());
            if user.password_hash.is_none() || password::verify_async(current, stored).await? == Verified::No {
                return Err(Error::validation(ErrorCode::WrongCurrentPassword, "当前密码不正确"));
            }
            patch.password_hash = Some(password::hash_async(new_pw).await?);
            password_changed = true;
        }
        if patch.is_empty() {
            return Ok(user.clone());
        }
        let updated = self.store.update_user(user.id, patch).await?;
        if password_changed {
            self.store.revoke_user_sessions(user.id, Some(auth.session_id), now).await?;
            self.log(LogEntry::new("security", "info", "password_changed", "用户修改密码，其他会话已退出").by(&updated)).await;
        }
        Ok(updated)
    }

    /// Saves the theme: `light`, anything else `dark`.
    pub async fn set_theme(&self, auth: &AuthUser, theme: &str) -> Result<User> {
        let theme = if theme.trim().eq_ignore_ascii_case("light") { "light" } else { "dark" };
        self.store.update_user(auth.user.id, UserPatch { preferred_theme: Some(theme.to_string()), ..Default::default() }).await
    }

    /// Sends an e-mail code. `caller` is required for `VerifyEmail`.
    pub async fn send_code(
        &self,
        purpose: CodePurpose,
        email: &str,
        caller: Option<&AuthUser>,
        client: &Client,
        mail_cfg: CodeMail<'_>,
    ) -> Result<CodeSent> {
        let email = validate::email(email)?;
        let now = Utc::now();
        self.limiter.check("email_ip", client.ip.as_deref().unwrap_or("unknown"), self.settings.rate_limits.email_ip, now).await?;
        let existing = self.store.user_by_email(&email).await?;
        // The mail is written in the account's language; a new address gets the request's.
        let (user_id, lang) = match purpose {
            CodePurpose::Register => {
                if existing.is_some() {
                    return Err(Error::conflict(ErrorCode::EmailTaken, "该邮箱已注册，请直接登录"));
                }
                (None, mail_cfg.language)
            }
            CodePurpose::VerifyEmail => {
                let me = caller.ok_or_else(|| Error::unauthenticated("请先登录后再验证邮箱"))?;
                if existing.as_ref().is_some_and(|u| u.id != me.user.id) {
                    return Err(Error::conflict(ErrorCode::EmailTaken, "该邮箱已被其他账号绑定"));
                }
                (Some(me.user.id), me.user.preferred_language)
            }
            CodePurpose::ResetPassword => match existing {
                Some(u) if u.is_active && u.password_hash.is_some() => (Some(u.id), u.preferred_language),
                // Same answer whether or not the address has an account.
                _ => return Ok(CodeSent { expires_in: None, cooldown: 60 }),
            },
        };
        let code = codes::generate(mail_cfg.code_length, &mut rand::thread_rng());
        let ttl = mail_cfg.ttl_minutes.clamp(1, 30);
        let id = Uuid::new_v4();
        let issued = self
            .store
            .issue_email_code(
                NewEmailCode {
                    id,
                    email: email.clone(),
                    purpose,
                    code_hash: codes::hash(&self.settings.code_secret, purpose, &email, &code),
                    user_id,
                    ip_address: client.ip.clone(),
                    max_attempts: 5,
                    created_at: now,
                    expires_at: now + Duration::minutes(ttl),
                },
                &IssuePolicy::default(),
            )
            .await;
        if let Err(e) = issued {
            // A reset request must not reveal, through throttling, that the account exists.
            return if purpose == CodePurpose::ResetPassword && e.code != "ip_rate_limited" {
                Ok(CodeSent { expires_in: None, cooldown: 60 })
            } else {
                Err(e)
            };
        }
        let mail = mail::branded(
            lang,
            mail_cfg.app_name,
            &email,
            MailText::code_title(purpose).text(lang),
            &[&MailText::CodeLine.text(lang).replace("{ttl}", &ttl.to_string())],
            Some(&code),
        );
        if let Err(e) = mail::send(mail_cfg.smtp, mail).await {
            self.store.discard_email_code(id).await?;
            tracing::warn!(error = %e, "verification e-mail failed");
            return if purpose == CodePurpose::ResetPassword { Ok(CodeSent { expires_in: None, cooldown: 60 }) } else { Err(e) };
        }
        Ok(CodeSent { expires_in: (purpose != CodePurpose::ResetPassword).then_some(ttl * 60), cooldown: 60 })
    }

    async fn consume_code(&self, purpose: CodePurpose, email: &str, code: &str) -> Result<()> {
        let hash = codes::hash(&self.settings.code_secret, purpose, email, code);
        code_error(self.store.check_email_code(email, purpose, &hash, Utc::now(), IssuePolicy::default().lock_duration).await?)
    }

    /// Binds and verifies a new e-mail address with a code sent to it.
    pub async fn verify_profile_email(&self, auth: &AuthUser, email: &str, code: &str) -> Result<User> {
        let email = validate::email(email)?;
        let code = validate::code(code)?;
        self.consume_code(CodePurpose::VerifyEmail, &email, &code).await?;
        let now = Utc::now();
        let patch = UserPatch {
            email: Some(email),
            email_verified: Some(true),
            email_verified_at: Some(Some(now)),
            email_bound_at: auth.user.email_bound_at.is_none().then_some(Some(now)),
            ..Default::default()
        };
        self.store.update_user(auth.user.id, patch).await
    }

    /// Sets a new password with a reset code; every session of the account ends.
    pub async fn reset_password(&self, email: &str, code: &str, new_password: &str) -> Result<()> {
        let email = validate::email(email)?;
        let code = validate::code(code)?;
        validate::new_password(new_password)?;
        self.consume_code(CodePurpose::ResetPassword, &email, &code).await?;
        let user = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or_else(|| Error::validation(ErrorCode::CodeInvalid, "验证码不存在或已失效，请重新获取"))?;
        let hash = password::hash_async(new_password.to_string()).await?;
        self.store.update_user(user.id, UserPatch { password_hash: Some(hash), ..Default::default() }).await?;
        self.store.revoke_user_sessions(user.id, None, Utc::now()).await?;
        self.log(LogEntry::new("security", "info", "password_reset", "通过邮箱验证码重置密码，所有会话已退出").by(&user)).await;
        Ok(())
    }

    /// Creates an admin account (CLI and first start). Refuses an e-mail that exists.
    pub async fn create_admin(&self, email: &str, password: &str, username: Option<&str>) -> Result<User> {
        let email = validate::email(email)?;
        validate::new_password(password)?;
        let username = validate::username(username.unwrap_or("admin"))?;
        let id = Uuid::new_v4();
        let hash = password::hash_async(password.to_string()).await?;
        let user = NewUser {
            id,
            display_nickname: username.clone(),
            avatar_url: Some(defaults::avatar(id, "管")),
            username,
            email,
            phone: None,
            role: Role::Admin,
            membership_tier: Tier::Free,
            invite_code: defaults::invite_code(id),
            referred_by: None,
            email_verified: true,
            preferred_language: Language::default(),
            password_hash: hash,
            created_at: Utc::now(),
        };
        let user = self.store.create_user(user, Vec::new(), None).await?;
        self.log(LogEntry::new("admin", "info", "admin_created", "创建管理员账号").by(&user)).await;
        Ok(user)
    }

    /// Applies an admin's changes to another account.
    ///
    /// Guards: an admin cannot disable, demote or delete themself, and the last active admin
    /// cannot be demoted or disabled. Disabling or a new password ends the user's sessions.
    pub async fn admin_update_user(&self, admin: &AuthUser, user_id: Uuid, changes: AdminChanges) -> Result<User> {
        let target = self.store.user_by_id(user_id).await?.ok_or_else(|| Error::not_found(ErrorCode::UserNotFound, "用户不存在"))?;
        let mut patch = UserPatch::default();
        if let Some(r) = changes.role.as_deref() {
            patch.role = Some(Role::parse(r)?);
        }
        if let Some(t) = changes.membership_tier.as_deref() {
            let tier = Tier::parse(t)?;
            patch.membership_tier = Some(tier);
            if tier == Tier::Free {
                patch.membership_expires_at = Some(None);
            }
        }
        if let Some(end) = changes.membership_expires_at {
            patch.membership_expires_at = Some(end);
        }
        patch.is_active = changes.is_active;
        patch.watermark_disabled = changes.watermark_disabled;
        set_names(&mut patch, changes.username, changes.display_nickname, changes.phone)?;
        if let Some(e) = changes.email {
            let e = validate::email(&e)?;
            if e != target.email {
                patch.email = Some(e);
            }
        }
        let new_password = changes.new_password.filter(|p| !p.is_empty());
        if let Some(p) = &new_password {
            validate::new_password(p)?;
        }
        let demoting = patch.role.is_some_and(|r| !r.is_admin()) && target.role.is_admin();
        let disabling = patch.is_active == Some(false) && target.is_active;
        if target.id == admin.user.id && (demoting || disabling) {
            return Err(Error::forbidden(ErrorCode::CannotModifySelf, "不能停用或降级当前登录的管理员账号"));
        }
        if (demoting || disabling) && target.role.is_admin() && self.store.count_admins().await? <= 1 {
            return Err(Error::conflict(ErrorCode::LastAdmin, "至少需要保留一个可用的管理员账号"));
        }
        if let Some(p) = new_password {
            patch.password_hash = Some(password::hash_async(p).await?);
        }
        if patch.is_empty() {
            return Ok(target);
        }
        let revoke = patch.password_hash.is_some() || disabling;
        let updated = self.store.update_user(user_id, patch).await?;
        if revoke {
            self.store.revoke_user_sessions(user_id, None, Utc::now()).await?;
        }
        self.log(LogEntry::new("admin", "info", "admin_user_updated", "管理员修改用户").by(&admin.user).target("user", user_id).meta(
            serde_json::json!({
                "disabled": disabling, "demoted": demoting, "passwordReset": revoke && !disabling,
            }),
        ))
        .await;
        Ok(updated)
    }

    /// Deletes an account (never the caller's own, never the last admin).
    pub async fn admin_delete_user(&self, admin: &AuthUser, user_id: Uuid) -> Result<()> {
        if user_id == admin.user.id {
            return Err(Error::forbidden(ErrorCode::CannotDeleteSelf, "不能删除当前登录的管理员账号"));
        }
        let target = self.store.user_by_id(user_id).await?.ok_or_else(|| Error::not_found(ErrorCode::UserNotFound, "用户不存在"))?;
        if target.role.is_admin() && target.is_active && self.store.count_admins().await? <= 1 {
            return Err(Error::conflict(ErrorCode::LastAdmin, "至少需要保留一个可用的管理员账号"));
        }
        if !self.store.delete_user(user_id).await? {
            return Err(Error::not_found(ErrorCode::UserNotFound, "用户不存在"));
        }
        self.log(
            LogEntry::new("admin", "warning", "admin_user_deleted", "管理员删除用户")
                .by(&admin.user)
                .target("user", user_id)
                .meta(serde_json::json!({ "email": target.email })),
        )
        .await;
        Ok(())
    }
}
