//! The console login card: administrators only. The server refuses other accounts
//! (`adminOnly`), and the client checks the role again before keeping the session.
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use miaojing_api_types::auth::LoginRequest;

use super::text::C;
use super::ui::Shield;
use crate::api;
use crate::components::FormMessage;
use crate::i18n::use_i18n;
use crate::pages::error_text;
use crate::session::use_session;
use crate::toast::use_toasts;

#[component]
pub fn ConsoleLogin() -> impl IntoView {
    let (i18n, session, toasts) = (use_i18n(), use_session(), use_toasts());
    let navigate = use_navigate();
    let account = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // A signed-in account that is not an administrator is told so at once.
    let refused = move || session.user().filter(|u| !u.role.is_admin()).map(|u| u.email);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (a, p) = (account.get_untracked().trim().to_string(), password.get_untracked());
        if a.is_empty() || p.is_empty() {
            error.set(Some(i18n.c(C::FillAccountPassword).to_string()));
            return;
        }
        error.set(None);
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let req = LoginRequest { account: Some(a), password: p, admin_only: true, ..Default::default() };
            match api::login(&req).await {
                Ok(resp) if resp.user.role.is_admin() => {
                    session.sign_in(resp);
                    toasts.success(i18n.c(C::AdminLoginDone));
                    navigate("/console/dashboard", NavigateOptions { replace: true, ..Default::default() });
                }
                Ok(_) => error.set(Some(i18n.c(C::OnlyAdmins).to_string())),
                Err(e) if e.status() == Some(403) => error.set(Some(i18n.c(C::OnlyAdmins).to_string())),
                Err(e) => error.set(Some(error_text(&e, i18n))),
            }
            pending.set(false);
        });
    };

    view! {
        <section class="console-login">
            <form class="auth-card glass-panel" on:submit=submit novalidate=true>
                <header class="auth-head">
                    <Shield big=true/>
                    <h1 class="auth-title">{move || i18n.c(C::ConsoleLoginTitle)}</h1>
                    <p class="muted">{move || i18n.c(C::ConsoleLoginSub)}</p>
                </header>
                {move || refused().map(|email| view! {
                    <div class="c-error" role="alert" data-testid="console-refused">
                        {format!("{} ({email})", i18n.c(C::OnlyAdmins))}
                    </div>
                })}
                <div class="field">
                    <label for="console-account">{move || i18n.c(C::Account)}</label>
                    <input id="console-account" class="input" type="text" autocomplete="username" required=true bind:value=account />
                </div>
                <div class="field">
                    <label for="console-password">{move || i18n.c(C::Password)}</label>
                    <input id="console-password" class="input" type="password" autocomplete="current-password" required=true bind:value=password />
                </div>
                <FormMessage error=error/>
                <button type="submit" class="btn btn-gold btn-block" disabled=move || pending.get()>
                    {move || if pending.get() { i18n.c(C::SigningIn) } else { i18n.c(C::SignIn) }}
                </button>
                <p class="auth-alt muted"><a href="/">{move || i18n.c(C::BackToSite)}</a></p>
            </form>
        </section>
    }
}
