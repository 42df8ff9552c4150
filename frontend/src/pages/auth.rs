//! Sign-in and sign-up pages.
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use miaojing_api_types::auth::{AuthResponse, LoginRequest, RegisterRequest};

use super::error_text;
use crate::api;
use crate::app::use_site_config;
use crate::i18n::{use_i18n, K};
use crate::session::{use_session, Session};
use crate::theme::{use_theme, Theme, ThemeCtx};

/// Stores the session, applies the account's theme and goes home.
fn finish_sign_in(resp: AuthResponse, theme: ThemeCtx, session: Session, navigate: impl Fn(&str, leptos_router::NavigateOptions)) {
    if let Some(t) = Theme::parse(&resp.user.preferred_theme) {
        theme.set(t);
    }
    session.sign_in(resp);
    navigate("/", Default::default());
}

/// A password input with a show/hide toggle.
#[component]
fn PasswordInput(id: &'static str, value: RwSignal<String>, placeholder: K, autocomplete: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let toggle_label = move || {
        if shown.get() {
            i18n.t(K::HidePassword)
        } else {
            i18n.t(K::ShowPassword)
        }
    };
    view! {
        <div class="input-with-btn">
            <input
                id=id
                class="input"
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete=autocomplete
                placeholder=move || i18n.t(placeholder)
                required=true
                bind:value=value
            />
            <button
                type="button"
                class="input-btn"
                aria-label=toggle_label
                title=toggle_label
                aria-pressed=move || shown.get().to_string()
                on:click=move |_| shown.update(|s| *s = !*s)
            >
                <span aria-hidden="true">{move || if shown.get() { "◡" } else { "◉" }}</span>
            </button>
        </div>
    }
}

#[component]
fn ErrorBox(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="form-error" role="alert" aria-live="assertive">
            {move || error.get()}
        </div>
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let (theme, session) = (use_theme(), use_session());
    let account = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    // The original client calls this on mount; the server bootstraps its default admin.
    spawn_local(async {
        let _ = api::admin_exists().await;
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let acc = account.get_untracked().trim().to_string();
        let pw = password.get_untracked();
        if acc.is_empty() || pw.is_empty() {
            error.set(Some(i18n.t(K::FillAccountPassword).to_string()));
            return;
        }
        error.set(None);
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let req = LoginRequest { account: Some(acc), password: pw, ..Default::default() };
            match api::login(&req).await {
                Ok(resp) => finish_sign_in(resp, theme, session, navigate),
                Err(e) => {
                    error.set(Some(error_text(&e, i18n)));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <section class="auth-wrap">
            <div class="auth-glow" aria-hidden="true"></div>
            <form class="auth-card glass-panel" on:submit=on_submit novalidate=true>
                <header class="auth-head">
                    <span class="brand-logo brand-glyph" aria-hidden="true">"妙"</span>
                    <h1 class="auth-title">{move || i18n.t(K::LoginTitle)}</h1>
                    <p class="muted">{move || i18n.t(K::LoginSub)}</p>
                </header>
                <div class="field">
                    <label for="login-account">{move || i18n.t(K::Account)}</label>
                    <input
                        id="login-account"
                        class="input"
                        type="text"
                        autocomplete="username"
                        placeholder=move || i18n.t(K::AccountPlaceholder)
                        required=true
                        bind:value=account
                    />
                </div>
                <div class="field">
                    <label for="login-password">{move || i18n.t(K::Password)}</label>
                    <PasswordInput
                        id="login-password"
                        value=password
                        placeholder=K::PasswordPlaceholder
                        autocomplete="current-password"
                    />
                </div>
                <ErrorBox error=error/>
                <button type="submit" class="btn btn-gold btn-block" disabled=move || pending.get()>
                    {move || if pending.get() { i18n.t(K::LoggingIn) } else { i18n.t(K::Login) }}
                </button>
                <p class="auth-alt muted">
                    {move || i18n.t(K::NoAccount)}" "
                    <A href="/auth/register">{move || i18n.t(K::GoRegister)}</A>
                </p>
            </form>
        </section>
    }
}

/// `?invite=` / `?ref=` sanitised like the original: `[A-Z0-9]`, upper case, at most 32.
fn sanitize_code(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).take(32).collect()
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !s.contains(char::is_whitespace)
}

fn strong_password(s: &str) -> bool {
    s.chars().count() >= 8 && s.chars().any(|c| c.is_ascii_alphabetic()) && s.chars().any(|c| c.is_ascii_digit())
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[component]
pub fn Register() -> impl IntoView {
    let i18n = use_i18n();
    let site = use_site_config();
    let navigate = use_navigate();
    let (theme, session) = (use_theme(), use_session());
    let query = use_query_map();

    let initial_invite = query.with_untracked(|q| q.get("invite").or_else(|| q.get("ref")).map(|c| sanitize_code(&c)).unwrap_or_default());
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
    let registration_closed = move || site.get().is_some_and(|c| !c.registration_enabled);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let mail = email.get_untracked().trim().to_string();
        let pw = password.get_untracked();
        let code = email_code.get_untracked().trim().to_string();
        let fail = |k: K| error.set(Some(i18n.t(k).to_string()));
        if registration_closed() {
            return fail(K::RegistrationClosed);
        }
        if !valid_email(&mail) {
            return fail(K::InvalidEmail);
        }
        if !strong_password(&pw) {
            return fail(K::WeakPassword);
        }
        if needs_email_code() && code.is_empty() {
            return fail(K::EmailCodeRequired);
        }
        if !accepted.get_untracked() {
            return fail(K::MustAcceptTerms);
        }
        error.set(None);
        pending.set(true);
        let req = RegisterRequest {
            email: mail,
            password: pw,
            nickname: non_empty(username.get_untracked()),
            email_code: non_empty(code),
            accepted_terms: true,
            // A user's invite link carries their invite code: it is a referral.
            referral_code: non_empty(sanitize_code(&invite.get_untracked())),
            ..Default::default()
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::register(&req).await {
                Ok(resp) => finish_sign_in(resp, theme, session, navigate),
                Err(e) => {
                    error.set(Some(error_text(&e, i18n)));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <section class="auth-wrap">
            <div class="auth-glow" aria-hidden="true"></div>
            <form class="auth-card glass-panel" on:submit=on_submit novalidate=true>
                <header class="auth-head">
                    <span class="brand-logo brand-glyph" aria-hidden="true">"妙"</span>
                    <h1 class="auth-title">{move || i18n.t(K::RegisterTitle)}</h1>
                    <p class="muted">{move || i18n.t(K::RegisterSub)}</p>
                </header>
                {invite_from_link.then(|| view! {
                    <p class="notice">{move || i18n.t(K::InviteDetected)}</p>
                })}
                {move || registration_closed().then(|| view! {
                    <p class="notice notice-warn">{move || i18n.t(K::RegistrationClosed)}</p>
                })}
                <div class="field">
                    <label for="reg-email">{move || i18n.t(K::Email)}</label>
                    <input
                        id="reg-email"
                        class="input"
                        type="email"
                        autocomplete="email"
                        placeholder=move || i18n.t(K::EmailPlaceholder)
                        required=true
                        bind:value=email
                    />
                </div>
                <Show when=needs_email_code>
                    <div class="field">
                        <label for="reg-email-code">{move || i18n.t(K::EmailCode)}</label>
                        <input
                            id="reg-email-code"
                            class="input"
                            type="text"
                            inputmode="text"
                            autocomplete="one-time-code"
                            maxlength="10"
                            placeholder=move || i18n.t(K::EmailCodePlaceholder)
                            required=true
                            bind:value=email_code
                        />
                    </div>
                </Show>
                <div class="field">
                    <label for="reg-username">{move || i18n.t(K::Username)}</label>
                    <input
                        id="reg-username"
                        class="input"
                        type="text"
                        autocomplete="username"
                        aria-describedby="reg-username-hint"
                        bind:value=username
                    />
                    <small id="reg-username-hint" class="hint">{move || i18n.t(K::UsernameHint)}</small>
                </div>
                <div class="field">
                    <label for="reg-password">{move || i18n.t(K::Password)}</label>
                    <PasswordInput
                        id="reg-password"
                        value=password
                        placeholder=K::PasswordNew
                        autocomplete="new-password"
                    />
                </div>
                <div class="field">
                    <label for="reg-invite">
                        {move || i18n.t(K::InviteCode)}
                        <span class="hint">" · "{move || i18n.t(K::InviteCodeHint)}</span>
                    </label>
                    <input
                        id="reg-invite"
                        class="input mono"
                        type="text"
                        autocomplete="off"
                        maxlength="32"
                        bind:value=invite
                    />
                </div>
                <label class="check">
                    <input type="checkbox" bind:checked=accepted/>
                    <span>{move || i18n.t(K::AcceptTerms)}</span>
                </label>
                <ErrorBox error=error/>
                <button
                    type="submit"
                    class="btn btn-gold btn-block"
                    disabled=move || pending.get() || registration_closed()
                >
                    {move || if pending.get() { i18n.t(K::Registering) } else { i18n.t(K::Register) }}
                </button>
                <p class="auth-alt muted">
                    {move || i18n.t(K::HaveAccount)}" "
                    <A href="/auth/login">{move || i18n.t(K::GoLogin)}</A>
                </p>
            </form>
        </section>
    }
}
