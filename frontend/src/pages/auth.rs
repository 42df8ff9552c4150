//! Sign-in, sign-up and password reset. The three pages share one card component
//! ([`AuthCard`]) and the form controls in `crate::components`.
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use miaojing_api_types::auth::{AuthResponse, LoginRequest, RegisterRequest, ResetPasswordRequest};

use super::error_text;
use crate::api::{self, CodePurpose};
use crate::app::use_site_config;
use crate::browser::safe_return_path;
use crate::components::{form::code_chars, form::valid_email, EmailCodeField, FormMessage, PasswordInput, TextField};
use crate::i18n::{use_i18n, K};
use crate::session::use_session;
use crate::theme::{use_theme, Theme};
use crate::toast::use_toasts;

/// Where to go after signing in: the `?redirect=` path, else the create center.
fn return_path() -> String {
    let q = use_query_map();
    safe_return_path(q.with_untracked(|q| q.get("redirect"))).unwrap_or_else(|| "/create".to_string())
}

/// Stores the session, applies the account's theme and goes back where the user was.
fn use_finish_sign_in() -> impl Fn(AuthResponse, K) + Clone {
    let (theme, session, toasts, i18n) = (use_theme(), use_session(), use_toasts(), use_i18n());
    let go = crate::bundle::use_go();
    let target = return_path();
    move |resp: AuthResponse, done: K| {
        if let Some(t) = Theme::parse(&resp.user.preferred_theme) {
            theme.set(t);
        }
        session.sign_in(resp);
        toasts.success(i18n.t(done));
        go.to(&target, NavigateOptions { replace: true, ..Default::default() });
    }
}

/// Passwords need 8+ characters with letters and digits (checked again by the server).
pub(crate) fn strong_password(s: &str) -> bool {
    s.chars().count() >= 8 && s.chars().any(|c| c.is_ascii_alphabetic()) && s.chars().any(|c| c.is_ascii_digit())
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The card every auth page uses: brand head, the page's fields, the error line, the
/// submit button and a link to the sibling page.
#[component]
fn AuthCard<F>(
    title: K,
    sub: K,
    on_submit: F,
    error: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
    submit: K,
    submitting: K,
    alt_text: K,
    alt_link: K,
    alt_href: &'static str,
    #[prop(into, optional)] disabled: Signal<bool>,
    children: Children,
) -> impl IntoView
where
    F: Fn(SubmitEvent) + 'static,
{
    let i18n = use_i18n();
    view! {
        <section class="auth-wrap">
            <div class="auth-glow" aria-hidden="true"></div>
            <form class="auth-card glass-panel" on:submit=on_submit novalidate=true>
                <header class="auth-head">
                    <span class="brand-logo brand-glyph" aria-hidden="true">"妙"</span>
                    <h1 class="auth-title">{move || i18n.t(title)}</h1>
                    <p class="muted">{move || i18n.t(sub)}</p>
                </header>
                {children()}
                <FormMessage error=error/>
                <button type="submit" class="btn btn-gold btn-block" disabled=move || pending.get() || disabled.get()>
                    {move || if pending.get() { i18n.t(submitting) } else { i18n.t(submit) }}
                </button>
                <p class="auth-alt muted">
                    {move || i18n.t(alt_text)}" "
                    <A href=alt_href>{move || i18n.t(alt_link)}</A>
                </p>
            </form>
        </section>
    }
}

/// Runs a submit: validation first (`Err(key)` shows that message), then the call.
fn guard(pending: RwSignal<bool>, error: RwSignal<Option<String>>, check: Result<(), K>, i18n: crate::i18n::I18n) -> bool {
    if pending.get_untracked() {
        return false;
    }
    if let Err(k) = check {
        error.set(Some(i18n.t(k).to_string()));
        return false;
    }
    error.set(None);
    pending.set(true);
    true
}

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let finish = use_finish_sign_in();
    let query = use_query_map();
    let account = RwSignal::new(query.with_untracked(|q| q.get("account")).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let reset_href = move || {
        let a = account.get();
        if valid_email(a.trim()) {
            format!("/auth/reset?email={}", crate::browser::encode(a.trim()))
        } else {
            "/auth/reset".to_string()
        }
    };

    // The original client calls this on mount; the server bootstraps its default admin.
    spawn_local(async {
        let _ = api::admin_exists().await;
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let acc = account.get_untracked().trim().to_string();
        let pw = password.get_untracked();
        let check = if acc.is_empty() || pw.is_empty() { Err(K::FillAccountPassword) } else { Ok(()) };
        if !guard(pending, error, check, i18n) {
            return;
        }
        let finish = finish.clone();
        spawn_local(async move {
            let req = LoginRequest { account: Some(acc), password: pw, ..Default::default() };
            match api::login(&req).await {
                Ok(resp) => finish(resp, K::LoginDone),
                Err(e) => {
                    error.set(Some(error_text(&e, i18n)));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <AuthCard
            title=K::LoginTitle sub=K::LoginSub on_submit=on_submit error=error pending=pending
            submit=K::Login submitting=K::LoggingIn
            alt_text=K::NoAccount alt_link=K::GoRegister alt_href="/auth/register"
        >
            <TextField
                id="login-account" label=K::Account value=account autocomplete="username"
                placeholder=K::AccountPlaceholder required=true
            />
            <div class="field">
                <div class="label-row">
                    <label for="login-password">{move || i18n.t(K::Password)}</label>
                    <A href=reset_href attr:class="small">{move || i18n.t(K::ForgotPassword)}</A>
                </div>
                <PasswordInput
                    id="login-password" value=password placeholder=K::PasswordPlaceholder
                    autocomplete="current-password"
                />
            </div>
        </AuthCard>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    let i18n = use_i18n();
    let site = use_site_config();
    let finish = use_finish_sign_in();
    let query = use_query_map();

    let initial_invite = query.with_untracked(|q| q.get("invite").or_else(|| q.get("ref")).map(|c| code_chars(&c, 32)).unwrap_or_default());
    let invite_from_link = !initial_invite.is_empty();

    let email = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invite = RwSignal::new(initial_invite);
    let email_code = RwSignal::new(String::new());
    let accepted = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let needs_email_code = move || site.get().is_some_and(|c| c.email_verification_required);
    let registration_closed = Signal::derive(move || site.get().is_some_and(|c| !c.registration_enabled));
    let invite_bonus = move || site.get().map(|c| c.invitee_reward_credits).unwrap_or(0);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mail = email.get_untracked().trim().to_string();
        let pw = password.get_untracked();
        let code = email_code.get_untracked();
        let check = if registration_closed.get_untracked() {
            Err(K::RegistrationClosed)
        } else if !valid_email(&mail) {
            Err(K::InvalidEmail)
        } else if needs_email_code() && code.is_empty() {
            Err(K::EmailCodeRequired)
        } else if !strong_password(&pw) {
            Err(K::WeakPassword)
        } else if !accepted.get_untracked() {
            Err(K::MustAcceptTerms)
        } else {
            Ok(())
        };
        if !guard(pending, error, check, i18n) {
            return;
        }
        let req = RegisterRequest {
            email: mail,
            password: pw,
            nickname: non_empty(username.get_untracked()),
            email_code: non_empty(code),
            accepted_terms: true,
            // A user's invite link carries their invite code: it is a referral.
            referral_code: non_empty(code_chars(&invite.get_untracked(), 32)),
            // The account's e-mails are written in the language the user signs up in.
            language: Some(i18n.lang.get_untracked().api_tag().to_string()),
            ..Default::default()
        };
        let finish = finish.clone();
        spawn_local(async move {
            match api::register(&req).await {
                Ok(resp) => finish(resp, K::RegisterDone),
                Err(e) => {
                    error.set(Some(error_text(&e, i18n)));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <AuthCard
            title=K::RegisterTitle sub=K::RegisterSub on_submit=on_submit error=error pending=pending
            submit=K::Register submitting=K::Registering
            alt_text=K::HaveAccount alt_link=K::GoLogin alt_href="/auth/login"
            disabled=registration_closed
        >
            {invite_from_link.then(|| view! {
                <p class="notice">
                    {move || i18n.t(K::InviteDetected)}
                    {move || (invite_bonus() > 0).then(|| format!(" · {} {}", i18n.t(K::InviteBonusPrefix), invite_bonus()))}
                </p>
            })}
            {move || registration_closed.get().then(|| view! {
                <p class="notice notice-warn">{move || i18n.t(K::RegistrationClosed)}</p>
            })}
            <TextField
                id="reg-email" label=K::Email value=email input_type="email" autocomplete="email"
                placeholder=K::EmailPlaceholder required=true
            />
            <Show when=needs_email_code>
                <EmailCodeField id="reg-email-code" email=email.into() code=email_code purpose=CodePurpose::Register/>
            </Show>
            <TextField id="reg-username" label=K::Username value=username autocomplete="nickname" hint=K::UsernameHint/>
            <div class="field">
                <label for="reg-password">{move || i18n.t(K::Password)}<span class="req" aria-hidden="true">" *"</span></label>
                <PasswordInput id="reg-password" value=password placeholder=K::PasswordNew autocomplete="new-password"/>
            </div>
            <TextField
                id="reg-invite" label=K::InviteCode value=invite hint=K::InviteCodeHint mono=true maxlength=32
            />
            <label class="check">
                <input id="reg-terms" type="checkbox" bind:checked=accepted/>
                <span>
                    {move || i18n.t(K::AcceptTermsPrefix)}" "
                    <A href="/terms" attr:target="_blank">{move || i18n.t(K::PolicyTerms)}</A>
                    " · "
                    <A href="/privacy" attr:target="_blank">{move || i18n.t(K::PolicyPrivacy)}</A>
                </span>
            </label>
        </AuthCard>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mail = email.get_untracked().trim().to_string();
        let (pw, again, c) = (password.get_untracked(), confirm.get_untracked(), code.get_untracked());
        let check = if !valid_email(&mail) {
            Err(K::InvalidEmail)
        } else if c.is_empty() {
            Err(K::EmailCodeRequired)
        } else if !strong_password(&pw) {
            Err(K::WeakPassword)
        } else if pw != again {
            Err(K::PasswordMismatch)
        } else {
            Ok(())
        };
        if !guard(pending, error, check, i18n) {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            let req = ResetPasswordRequest { email: mail.clone(), code: c, new_password: pw };
            match api::reset_password(&req).await {
                Ok(_) => {
                    toasts.success(i18n.t(K::PasswordResetDone));
                    navigate(&format!("/auth/login?account={}", crate::browser::encode(&mail)), Default::default());
                }
                Err(e) => {
                    error.set(Some(error_text(&e, i18n)));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <AuthCard
            title=K::ResetTitle sub=K::ResetSub on_submit=on_submit error=error pending=pending
            submit=K::ResetSubmit submitting=K::Saving
            alt_text=K::RememberedPassword alt_link=K::GoLogin alt_href="/auth/login"
        >
            <TextField
                id="reset-email" label=K::Email value=email input_type="email" autocomplete="email"
                placeholder=K::EmailPlaceholder required=true
            />
            <EmailCodeField id="reset-code" email=email.into() code=code purpose=CodePurpose::ResetPassword/>
            <div class="field">
                <label for="reset-password">{move || i18n.t(K::NewPassword)}</label>
                <PasswordInput id="reset-password" value=password placeholder=K::PasswordNew autocomplete="new-password"/>
            </div>
            <div class="field">
                <label for="reset-confirm">{move || i18n.t(K::ConfirmPassword)}</label>
                <PasswordInput id="reset-confirm" value=confirm placeholder=K::ConfirmPassword autocomplete="new-password"/>
            </div>
        </AuthCard>
    }
}
