//! The admin console at `/console`: a login gate for administrators, then a full-screen
//! shell with a grouped sidebar of views. The open view is kept in sessionStorage
//! ([`VIEW_KEY`]) so it survives a reload, and is forgotten on sign-out.
mod dashboard;
mod login;
pub mod text;
mod ui;
mod views;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api;
use crate::browser;
use crate::i18n::use_i18n;
use crate::session::{display_name, use_session};
use text::C;

/// sessionStorage key of the open console view.
pub const VIEW_KEY: &str = "miaojing_console_active_view";

/// The console views, in sidebar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Dashboard,
    Users,
    Invitations,
    RedeemCodes,
    Announcements,
    Models,
    Catalog,
    Tasks,
    Calls,
    Gallery,
    Logs,
    Email,
    Settings,
}

impl View {
    const ALL: [View; 13] = [
        View::Dashboard,
        View::Users,
        View::Invitations,
        View::RedeemCodes,
        View::Announcements,
        View::Models,
        View::Catalog,
        View::Tasks,
        View::Calls,
        View::Gallery,
        View::Logs,
        View::Email,
        View::Settings,
    ];

    fn id(self) -> &'static str {
        match self {
            View::Dashboard => "dashboard",
            View::Users => "users",
            View::Invitations => "invitations",
            View::RedeemCodes => "redeem",
            View::Announcements => "announcements",
            View::Models => "api",
            View::Catalog => "catalog",
            View::Tasks => "tasks",
            View::Calls => "calls",
            View::Gallery => "gallery",
            View::Logs => "logs",
            View::Email => "email",
            View::Settings => "settings",
        }
    }

    fn parse(id: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.id() == id)
    }

    fn group(self) -> C {
        match self {
            View::Dashboard => C::GroupOverview,
            View::Users | View::Invitations | View::RedeemCodes | View::Announcements => C::GroupOperations,
            View::Models | View::Catalog | View::Tasks | View::Calls | View::Gallery => C::GroupCreation,
            View::Logs | View::Email | View::Settings => C::GroupSystem,
        }
    }

    fn title(self) -> C {
        match self {
            View::Dashboard => C::ViewDashboard,
            View::Users => C::ViewUsers,
            View::Invitations => C::ViewInvitations,
            View::RedeemCodes => C::ViewRedeem,
            View::Announcements => C::ViewAnnouncements,
            View::Models => C::ViewModels,
            View::Catalog => C::ViewCatalog,
            View::Tasks => C::ViewTasks,
            View::Calls => C::ViewCalls,
            View::Gallery => C::ViewGallery,
            View::Logs => C::ViewLogs,
            View::Email => C::ViewEmail,
            View::Settings => C::ViewSettings,
        }
    }

    fn description(self) -> C {
        match self {
            View::Dashboard => C::DescDashboard,
            View::Users => C::DescUsers,
            View::Invitations => C::DescInvitations,
            View::RedeemCodes => C::DescRedeem,
            View::Announcements => C::DescAnnouncements,
            View::Models => C::DescModels,
            View::Catalog => C::DescCatalog,
            View::Tasks => C::DescTasks,
            View::Calls => C::DescCalls,
            View::Gallery => C::DescGallery,
            View::Logs => C::DescLogs,
            View::Email => C::DescEmail,
            View::Settings => C::DescSettings,
        }
    }

    fn render(self) -> AnyView {
        match self {
            View::Dashboard => view! { <dashboard::Dashboard/> }.into_any(),
            View::Users => view! { <views::users::Users/> }.into_any(),
            View::Invitations => view! { <views::users::Invitations/> }.into_any(),
            View::RedeemCodes => view! { <views::redeem::RedeemCodes/> }.into_any(),
            View::Announcements => view! { <views::announcements::Announcements/> }.into_any(),
            View::Models => view! { <views::models::Models/> }.into_any(),
            View::Catalog => view! { <views::catalog::Catalog/> }.into_any(),
            View::Tasks => view! { <views::tasks::Tasks/> }.into_any(),
            View::Calls => view! { <views::tasks::Calls/> }.into_any(),
            View::Gallery => view! { <views::gallery::Gallery/> }.into_any(),
            View::Logs => view! { <views::logs::Logs/> }.into_any(),
            View::Email => view! { <views::settings::Email/> }.into_any(),
            View::Settings => view! { <views::settings::Settings/> }.into_any(),
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn forget_view() {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(VIEW_KEY);
    }
}

/// `/console` and `/console/dashboard`: the shell for an administrator, the login card for
/// anyone else (a signed-in non-admin sees why they are refused).
#[component]
pub fn ConsolePage() -> impl IntoView {
    let session = use_session();
    let is_admin = Memo::new(move |_| session.user().is_some_and(|u| u.role.is_admin()));
    view! {
        <div class="console-root">
            {move || if is_admin.get() { view! { <Shell/> }.into_any() } else { view! { <login::ConsoleLogin/> }.into_any() }}
        </div>
    }
}

/// A view's open signal, restored from and saved to sessionStorage.
fn view_state() -> RwSignal<View> {
    let initial = browser::session_get(VIEW_KEY).and_then(|v| View::parse(&v)).unwrap_or(View::Dashboard);
    let view = RwSignal::new(initial);
    Effect::new(move |_| browser::session_set(VIEW_KEY, view.get().id()));
    view
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let current = view_state();
    provide_context(current);
    let drawer = RwSignal::new(false);
    let me = move || session.user().map(|u| (display_name(&u), u.email)).unwrap_or_default();

    let sign_out = move |_| {
        forget_view();
        spawn_local(async {
            let _ = api::logout().await;
        });
        session.clear();
        navigate("/console", NavigateOptions { replace: true, ..Default::default() });
    };

    let mut groups: Vec<(C, Vec<View>)> = Vec::new();
    for v in View::ALL {
        match groups.last_mut() {
            Some((g, items)) if *g == v.group() => items.push(v),
            _ => groups.push((v.group(), vec![v])),
        }
    }

    view! {
        <div class="console" class:drawer-open=move || drawer.get()
            on:keydown=move |ev| if ev.key() == "Escape" { drawer.set(false); }>
            <aside class="console-side glass-panel" id="console-side">
                <div class="console-brand">
                    <ui::Shield/>
                    <div>
                        <strong>{move || i18n.c(C::ConsoleBrand)}</strong>
                        <div class="muted small console-email">{move || me().1}</div>
                    </div>
                </div>
                <nav class="console-nav" aria-label=move || i18n.c(C::ConsoleNav)>
                    {groups.into_iter().map(|(g, items)| view! {
                        <div class="console-group">
                            <p class="console-group-title">{move || i18n.c(g)}</p>
                            {items.into_iter().map(|v| view! {
                                <button type="button" class="console-nav-item" data-view=v.id()
                                    aria-current=move || (current.get() == v).then_some("page")
                                    on:click=move |_| { current.set(v); drawer.set(false); }>
                                    {move || i18n.c(v.title())}
                                </button>
                            }).collect_view()}
                        </div>
                    }).collect_view()}
                </nav>
                <div class="console-foot">
                    <div>
                        <strong>{move || me().0}</strong>
                        <div class="muted small">{move || i18n.c(C::AdminRights)}</div>
                    </div>
                    <div class="btn-row">
                        <a class="btn btn-outline btn-sm" href="/">{move || i18n.c(C::ToSite)}</a>
                        <button type="button" class="btn btn-outline btn-sm" on:click=sign_out>{move || i18n.c(C::SignOut)}</button>
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| i18n.toggle()>{move || i18n.c(C::LangSwitch)}</button>
                    </div>
                </div>
            </aside>
            <div class="console-scrim" on:click=move |_| drawer.set(false) aria-hidden="true"></div>
            <div class="console-main">
                <header class="console-head">
                    <button type="button" class="btn btn-ghost console-burger" aria-controls="console-side"
                        aria-expanded=move || drawer.get().to_string() aria-label=move || i18n.c(C::OpenMenu)
                        on:click=move |_| drawer.update(|d| *d = !*d)>"☰"</button>
                    <div class="console-title">
                        <h1>{move || i18n.c(current.get().title())}</h1>
                        <p class="muted small">{move || i18n.c(current.get().description())}</p>
                    </div>
                    <span class="badge">{move || i18n.c(C::AdminBadge)}</span>
                </header>
                <section class="console-body" data-view=move || current.get().id()>
                    {move || current.get().render()}
                </section>
            </div>
        </div>
    }
}

/// The console view switcher, for views that link to another (dashboard tiles).
pub fn use_console_view() -> RwSignal<View> {
    expect_context::<RwSignal<View>>()
}
