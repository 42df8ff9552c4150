//! The application shell: contexts, router, navbar, footer, toasts, the announcement
//! pop-up, visit tracking and the session guard.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, NavigateOptions};
use miaojing_api_types::profile::ProfileUpdate;
use miaojing_api_types::site::SiteConfig;

use crate::announce::AnnouncementPopup;
use crate::api::{self, ApiResult};
use crate::browser;
use crate::bundle::use_go;
use crate::components::media::{provide_viewer, Lightbox};
use crate::i18n::{provide_i18n, use_i18n, Lang, K};
use crate::navbar::{Footer, Navbar};
use crate::pages;
use crate::session::{provide_session, use_session};
use crate::theme::{provide_theme, use_theme, Theme};
use crate::toast::{provide_toasts, use_toasts, ToastHost};

/// sessionStorage flag: this browser session's visit was counted.
const VISIT_KEY: &str = "visit_tracked";

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
    provide_toasts();
    provide_viewer();
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
            <SessionGuard/>
            <a class="skip-link" href="#main">{move || i18n.t(K::SkipToContent)}</a>
            <Navbar/>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home/>
                    <Route path=path!("/auth/login") view=pages::Login/>
                    <Route path=path!("/auth/register") view=pages::Register/>
                    <Route path=path!("/auth/reset") view=pages::ResetPassword/>
                    <Route path=path!("/create") view=pages::Create/>
                    <Route path=path!("/gallery") view=pages::Gallery/>
                    <Route path=path!("/profile") view=pages::Profile/>
                    <Route path=path!("/about") view=|| view! { <pages::PolicyPage policy=pages::Policy::About/> }/>
                    <Route path=path!("/terms") view=|| view! { <pages::PolicyPage policy=pages::Policy::Terms/> }/>
                    <Route path=path!("/privacy") view=|| view! { <pages::PolicyPage policy=pages::Policy::Privacy/> }/>
                    <Route path=path!("/help") view=|| view! { <pages::PolicyPage policy=pages::Policy::Help/> }/>
                    <Route path=path!("/console") view=ConsoleEntry/>
                    <Route path=path!("/console/dashboard") view=ConsoleEntry/>
                </Routes>
            </main>
            <Footer/>
            <AnnouncementPopup/>
            <Lightbox/>
            <ToastHost/>
        </Router>
    }
}

/// `/console` in the console bundle (`console.html`, built with the `console` feature).
#[cfg(feature = "console")]
use crate::console::ConsolePage as ConsoleEntry;

/// `/console` in the user bundles: the console is its own bundle.
#[cfg(not(feature = "console"))]
use crate::bundle::OtherBundle as ConsoleEntry;

/// Session side effects that need the router:
/// - a 401 to a call made with a token signs out and goes to the login page, which
///   returns to the current page afterwards;
/// - the account's saved theme wins over the local choice (login, profile refresh);
/// - once the page is idle, the profile is refreshed and the visit is counted.
#[component]
fn SessionGuard() -> impl IntoView {
    let (session, theme, toasts, i18n) = (use_session(), use_theme(), use_toasts(), use_i18n());
    let go = use_go();

    api::on_unauthorized(move || {
        let was_signed_in = session.is_logged_in_untracked();
        session.clear();
        let here = browser::current_path();
        if here.starts_with("/auth/") {
            return;
        }
        if was_signed_in {
            toasts.info(i18n.t(K::SessionExpired));
        }
        let to = format!("/auth/login?redirect={}", browser::encode(&here));
        go.to(&to, NavigateOptions { replace: true, ..Default::default() });
    });

    Effect::new(move |_| {
        let preferred = session.auth.with(|a| a.as_ref().and_then(|a| Theme::parse(&a.user.preferred_theme)));
        if let Some(t) = preferred {
            if t != theme.theme.get_untracked() {
                theme.set(t);
            }
        }
    });

    // The account's e-mail language: a language chosen on this device is saved to the
    // account (sign-in, switching while signed in, the profile setting); without a choice
    // here the account's language is shown. The stored user changes when the server agrees.
    let saving = StoredValue::new(None::<&'static str>);
    Effect::new(move |_| {
        let lang = i18n.lang.get();
        let Some(saved) = session.auth.with(|a| a.as_ref().map(|a| a.user.preferred_language.clone())) else { return };
        if saved == lang.api_tag() || saving.get_value() == Some(lang.api_tag()) {
            return;
        }
        if !i18n.chosen_here() {
            if let Some(account) = Lang::from_code(&saved) {
                i18n.set(account);
                return;
            }
        }
        saving.set_value(Some(lang.api_tag()));
        spawn_local(async move {
            let req = ProfileUpdate { preferred_language: Some(lang.api_tag().to_string()), ..Default::default() };
            let answer = api::update_profile(&req).await;
            saving.try_set_value(None);
            if let Ok(resp) = answer {
                session.update_user(resp.profile);
            }
        });
    });

    request_idle_callback(move || {
        if session.is_logged_in_untracked() {
            spawn_local(async move {
                if let Ok(p) = api::profile().await {
                    session.update_user(p.profile);
                }
            });
        }
        if browser::session_get(VISIT_KEY).is_none() {
            browser::session_set(VISIT_KEY, "1");
            spawn_local(async {
                let _ = api::track_visit().await;
            });
        }
    });
}
