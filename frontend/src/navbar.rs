//! The navbar (page links, theme and language switches, user menu) and the footer.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::api;
use crate::app::{use_site_config, SiteCfg};
use crate::bundle::{rel, use_go};
use crate::i18n::{use_i18n, I18n, K};
use crate::session::{display_name, use_session};
use crate::theme::{use_theme, Theme};
use crate::toast::use_toasts;

/// The site name from the config, or the built-in brand name.
fn site_name(site: SiteCfg, i18n: I18n) -> String {
    site.get().map(|c| c.site_name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| i18n.t(K::BrandName).to_string())
}

#[component]
fn BrandMark() -> impl IntoView {
    let site = use_site_config();
    let logo = move || site.get().and_then(|c| c.logo_url).filter(|u| !u.trim().is_empty());
    view! {
        {move || match logo() {
            Some(src) => view! { <img class="brand-logo" src=src alt="" width="36" height="36"/> }.into_any(),
            None => view! { <span class="brand-logo brand-glyph" aria-hidden="true">"妙"</span> }.into_any(),
        }}
    }
}

/// The user's avatar image, or their initial on a gold disc.
#[component]
pub fn Avatar(
    #[prop(into)] url: Signal<Option<String>>,
    #[prop(into)] name: Signal<String>,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let class = if large { "avatar avatar-lg" } else { "avatar" };
    view! {
        {move || match url.get().filter(|u| !u.trim().is_empty()) {
            Some(src) => view! { <img class=class src=src alt=""/> }.into_any(),
            None => view! {
                <span class=class aria-hidden="true">{name.get().chars().next().map(String::from).unwrap_or_default()}</span>
            }.into_any(),
        }}
    }
}

#[component]
fn NavLink(href: &'static str, icon: &'static str, label: K) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <A href=href exact=href == "/" attr:class="nav-pill" attr:rel=rel(href)>
            <span class="nav-icon" aria-hidden="true">{icon}</span>
            <span>{move || i18n.t(label)}</span>
        </A>
    }
}

#[component]
pub fn Navbar() -> impl IntoView {
    let i18n = use_i18n();
    let theme = use_theme();
    let session = use_session();
    let site = use_site_config();
    let toasts = use_toasts();

    // The choice is applied at once; signed in, it is also saved to the account.
    let toggle_theme = move |_| {
        let next = match theme.theme.get_untracked() {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Dark,
        };
        session.edit_user(|u| u.preferred_theme = next.class().to_string());
        theme.set(next);
        if session.is_logged_in_untracked() {
            spawn_local(async move {
                if let Err(e) = api::save_theme(next.class()).await {
                    if !e.is_unauthorized() {
                        toasts.error(crate::pages::error_text(&e, i18n));
                    }
                }
            });
        }
    };

    let theme_label = move || match theme.theme.get() {
        Theme::Dark => i18n.t(K::SwitchToLight),
        Theme::Light => i18n.t(K::SwitchToDark),
    };

    view! {
        <header class="navbar">
            <div class="navbar-inner">
                <A href="/" attr:class="brand" attr:rel=rel("/")>
                    <BrandMark/>
                    <span class="brand-name">{move || site_name(site, i18n)}</span>
                </A>
                <nav class="nav-links" aria-label=move || i18n.t(K::MainNav)>
                    <NavLink href="/" icon="✦" label=K::NavHome/>
                    <NavLink href="/create" icon="✎" label=K::NavCreate/>
                    <NavLink href="/gallery" icon="▦" label=K::NavGallery/>
                    <NavLink href="/profile" icon="◉" label=K::NavProfile/>
                </nav>
                <div class="nav-actions">
                    <button
                        type="button"
                        class="icon-btn theme-btn"
                        on:click=toggle_theme
                        title=theme_label
                        aria-label=theme_label
                    >
                        <span aria-hidden="true">
                            {move || if theme.theme.get() == Theme::Dark { "☀" } else { "☾" }}
                        </span>
                    </button>
                    <button
                        type="button"
                        class="icon-btn lang-btn"
                        on:click=move |_| i18n.toggle()
                        title=move || i18n.t(K::SwitchLanguage)
                        aria-label=move || i18n.t(K::SwitchLanguage)
                    >
                        {move || i18n.t(K::LanguageButton)}
                    </button>
                    {move || if session.is_logged_in() {
                        view! { <UserMenu/> }.into_any()
                    } else {
                        view! {
                            <A href="/auth/login" attr:class="btn btn-ghost btn-sm" attr:rel=rel("/auth/login")>{move || i18n.t(K::Login)}</A>
                            <A href="/auth/register" attr:class="btn btn-gold btn-sm nav-start" attr:rel=rel("/auth/register")>{move || i18n.t(K::FreeStart)}</A>
                        }.into_any()
                    }}
                </div>
            </div>
        </header>
    }
}

/// The signed-in user's chip with a menu: profile, credits, sign out.
#[component]
fn UserMenu() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let go = use_go();
    let open = RwSignal::new(false);
    let name = Signal::derive(move || session.user().map(|u| display_name(&u)).unwrap_or_default());
    let avatar = Signal::derive(move || session.user().and_then(|u| u.avatar_url));
    let is_admin = move || session.user().is_some_and(|u| u.role.is_admin());

    let on_logout = move |_| {
        open.set(false);
        spawn_local(async move {
            // The local session goes away whatever the server says.
            let _ = api::logout().await;
            session.clear();
            toasts.success(i18n.t(K::LoggedOut));
            go.to("/", Default::default());
        });
    };

    view! {
        <div class="user-menu" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button
                type="button"
                class="user-chip"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-label=move || format!("{} {}", i18n.t(K::UserMenu), name.get())
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <Avatar url=avatar name=name/>
                <span class="user-name">{name}</span>
                {move || is_admin().then(|| view! {
                    <span class="admin-badge" title=move || i18n.t(K::Admin)>"◆"</span>
                })}
                <span class="caret" aria-hidden="true">"▾"</span>
            </button>
            <Show when=move || open.get()>
                <div class="menu-scrim" on:click=move |_| open.set(false)></div>
                <div class="menu glass-panel" role="menu">
                    <A href="/profile" attr:rel=rel("/profile") attr:role="menuitem" attr:class="menu-item" on:click=move |_| open.set(false)>
                        {move || i18n.t(K::NavProfile)}
                    </A>
                    <A href="/profile?tab=credits" attr:rel=rel("/profile") attr:role="menuitem" attr:class="menu-item" on:click=move |_| open.set(false)>
                        {move || i18n.t(K::TabCredits)}
                    </A>
                    <button type="button" role="menuitem" class="menu-item" on:click=on_logout.clone()>
                        {move || i18n.t(K::Logout)}
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    let site = use_site_config();
    let filings = move || {
        site.get()
            .map(|c| {
                [
                    (c.filing_info, c.filing_url, "https://beian.miit.gov.cn/"),
                    (c.public_security_filing_info, c.public_security_filing_url, "https://beian.mps.gov.cn/"),
                ]
                .into_iter()
                .filter(|(info, _, _)| !info.trim().is_empty())
                .map(|(info, url, default)| (info, if url.trim().is_empty() { default.to_string() } else { url }))
                .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <div class="footer-brand">
                    <BrandMark/>
                    <div>
                        <div class="brand-name">{move || site_name(site, i18n)}</div>
                        <div class="muted">{move || i18n.t(K::Slogan)}</div>
                    </div>
                </div>
                <nav class="footer-links" aria-label=move || i18n.t(K::PolicyNav)>
                    <A href="/about" attr:rel=rel("/about")>{move || i18n.t(K::PolicyAbout)}</A>
                    <A href="/terms" attr:rel=rel("/terms")>{move || i18n.t(K::PolicyTerms)}</A>
                    <A href="/privacy" attr:rel=rel("/privacy")>{move || i18n.t(K::PolicyPrivacy)}</A>
                    <A href="/help" attr:rel=rel("/help")>{move || i18n.t(K::PolicyHelp)}</A>
                </nav>
                <div class="filings">
                    {move || filings().into_iter().map(|(info, href)| view! {
                        <a class="filing muted" href=href target="_blank" rel="noopener noreferrer">{info}</a>
                    }).collect_view()}
                </div>
            </div>
        </footer>
    }
}
