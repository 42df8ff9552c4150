//! The application shell: contexts, router, navbar and footer.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;
use miaojing_api_types::site::SiteConfig;

use crate::api::{self, ApiResult};
use crate::i18n::{provide_i18n, use_i18n, K};
use crate::pages;
use crate::session::{display_name, provide_session, use_session};
use crate::theme::{provide_theme, use_theme, Theme};

/// The site configuration, fetched once per page load.
#[derive(Clone, Copy)]
pub struct SiteCfg(pub LocalResource<ApiResult<SiteConfig>>);

impl SiteCfg {
    /// The loaded configuration, if it arrived.
    pub fn get(self) -> Option<SiteConfig> {
        self.0.get().and_then(Result::ok)
    }
}

pub fn use_site_config() -> SiteCfg {
    expect_context::<SiteCfg>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_theme();
    provide_session();
    let site = SiteCfg(LocalResource::new(api::get_site_config));
    provide_context(site);

    // The browser tab title follows the configured site tab title.
    Effect::new(move |_| {
        if let Some(cfg) = site.get() {
            if !cfg.site_tab_title.trim().is_empty() {
                document().set_title(&cfg.site_tab_title);
            }
        }
    });

    let i18n = use_i18n();
    view! {
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t(K::SkipToContent)}</a>
            <Navbar/>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home/>
                    <Route path=path!("/auth/login") view=pages::Login/>
                    <Route path=path!("/auth/register") view=pages::Register/>
                    <Route path=path!("/create") view=pages::Create/>
                    <Route path=path!("/gallery") view=pages::Gallery/>
                    <Route path=path!("/profile") view=pages::Profile/>
                    <Route path=path!("/about") view=|| view! { <pages::PolicyPage policy=pages::Policy::About/> }/>
                    <Route path=path!("/terms") view=|| view! { <pages::PolicyPage policy=pages::Policy::Terms/> }/>
                    <Route path=path!("/privacy") view=|| view! { <pages::PolicyPage policy=pages::Policy::Privacy/> }/>
                    <Route path=path!("/help") view=|| view! { <pages::PolicyPage policy=pages::Policy::Help/> }/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}

/// The site name from the config, or the built-in brand name.
fn site_name(site: SiteCfg, i18n: crate::i18n::I18n) -> String {
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

#[component]
fn Navbar() -> impl IntoView {
    let i18n = use_i18n();
    let theme = use_theme();
    let session = use_session();
    let site = use_site_config();
    let navigate = use_navigate();

    let on_logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // The local session goes away whatever the server says.
            let _ = api::logout().await;
            session.clear();
            navigate("/", Default::default());
        });
    };

    let theme_label = move || match theme.theme.get() {
        Theme::Dark => i18n.t(K::SwitchToLight),
        Theme::Light => i18n.t(K::SwitchToDark),
    };

    view! {
        <header class="navbar">
            <div class="navbar-inner">
                <A href="/" attr:class="brand">
                    <BrandMark/>
                    <span class="brand-name">{move || site_name(site, i18n)}</span>
                </A>
                <nav class="nav-links" aria-label=move || i18n.t(K::MainNav)>
                    <A href="/" exact=true attr:class="nav-pill">
                        <span class="nav-icon" aria-hidden="true">"✦"</span>
                        <span>{move || i18n.t(K::NavHome)}</span>
                    </A>
                    <A href="/create" attr:class="nav-pill">
                        <span class="nav-icon" aria-hidden="true">"✎"</span>
                        <span>{move || i18n.t(K::NavCreate)}</span>
                    </A>
                    <A href="/gallery" attr:class="nav-pill">
                        <span class="nav-icon" aria-hidden="true">"▦"</span>
                        <span>{move || i18n.t(K::NavGallery)}</span>
                    </A>
                    <A href="/profile" attr:class="nav-pill">
                        <span class="nav-icon" aria-hidden="true">"◉"</span>
                        <span>{move || i18n.t(K::NavProfile)}</span>
                    </A>
                </nav>
                <div class="nav-actions">
                    <button
                        type="button"
                        class="icon-btn"
                        on:click=move |_| theme.toggle()
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
                    {move || match session.user() {
                        Some(user) => {
                            let name = display_name(&user);
                            let initial = name.chars().next().map(String::from).unwrap_or_default();
                            let is_admin = user.role == "admin" || user.role == "enterprise_admin";
                            view! {
                                <A href="/profile" attr:class="user-chip">
                                    <span class="avatar" aria-hidden="true">{initial}</span>
                                    <span class="user-name">{name}</span>
                                    {is_admin.then(|| view! {
                                        <span class="admin-badge" title=move || i18n.t(K::Admin)>"◆"</span>
                                    })}
                                </A>
                                <button type="button" class="btn btn-ghost btn-sm" on:click=on_logout.clone()>
                                    {move || i18n.t(K::Logout)}
                                </button>
                            }.into_any()
                        }
                        None => view! {
                            <A href="/auth/login" attr:class="btn btn-ghost btn-sm">{move || i18n.t(K::Login)}</A>
                            <A href="/auth/register" attr:class="btn btn-gold btn-sm">{move || i18n.t(K::FreeStart)}</A>
                        }.into_any(),
                    }}
                </div>
            </div>
        </header>
    }
}

#[component]
fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    let site = use_site_config();
    let filing = move || site.get().map(|c| (c.filing_info, c.filing_url)).filter(|(info, _)| !info.trim().is_empty());
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
                    <A href="/about">{move || i18n.t(K::PolicyAbout)}</A>
                    <A href="/terms">{move || i18n.t(K::PolicyTerms)}</A>
                    <A href="/privacy">{move || i18n.t(K::PolicyPrivacy)}</A>
                    <A href="/help">{move || i18n.t(K::PolicyHelp)}</A>
                </nav>
                {move || filing().map(|(info, url)| {
                    let href = if url.trim().is_empty() { "https://beian.miit.gov.cn/".to_string() } else { url };
                    view! {
                        <a class="filing muted" href=href target="_blank" rel="noopener noreferrer">{info}</a>
                    }
                })}
            </div>
        </footer>
    }
}
