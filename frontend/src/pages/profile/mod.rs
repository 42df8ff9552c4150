//! `/profile`: the signed-in user's hero, quick stats and tabs (account, membership,
//! credits, history, API keys). The tab is
//! kept in `?tab=` so it survives a reload and can be linked.
mod account;
mod api_keys;
mod credits;
mod history;
mod key_import;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use miaojing_api_types::auth::UserView;
use miaojing_api_types::vocab::{ShownRole, Tier};

use crate::api;
use crate::app::use_site_config;
use crate::browser::local_date;
use crate::components::SkeletonBox;
use crate::i18n::{use_i18n, I18n, K};
use crate::navbar::Avatar;
use crate::session::{display_name, use_session};

pub(crate) fn role_label(role: ShownRole, i18n: I18n) -> String {
    i18n.t(match role {
        ShownRole::User => K::RoleUser,
        ShownRole::Vip => K::RoleVip,
        ShownRole::Admin => K::RoleAdmin,
        ShownRole::EnterpriseAdmin => K::RoleEnterpriseAdmin,
    })
    .to_string()
}

pub(crate) fn tier_label(tier: Tier, i18n: I18n) -> String {
    i18n.t(match tier {
        Tier::Free => K::TierFree,
        Tier::Pro => K::TierPro,
        Tier::Max => K::TierMax,
        Tier::Ultra => K::TierUltra,
    })
    .to_string()
}

/// The profile tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Account,
    Membership,
    Credits,
    History,
    ApiKeys,
}

impl Tab {
    const ALL: [Tab; 5] = [Tab::Account, Tab::Membership, Tab::Credits, Tab::History, Tab::ApiKeys];

    fn id(self) -> &'static str {
        match self {
            Tab::Account => "account",
            Tab::Membership => "membership",
            Tab::Credits => "credits",
            Tab::History => "history",
            Tab::ApiKeys => "api",
        }
    }

    fn label(self) -> K {
        match self {
            Tab::Account => K::TabAccount,
            Tab::Membership => K::TabMembership,
            Tab::Credits => K::TabCredits,
            Tab::History => K::TabHistory,
            Tab::ApiKeys => K::TabApiKeys,
        }
    }

    /// Membership and credits exist only while the site has membership on.
    fn shown(self, membership: bool) -> bool {
        membership || !matches!(self, Tab::Membership | Tab::Credits)
    }
}

#[component]
pub fn Profile() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let logged_in = Memo::new(move |_| session.is_logged_in());

    view! {
        <section class="container profile-page">
            <h1 class="page-title">{move || i18n.t(K::ProfileTitle)}</h1>
            {move || if logged_in.get() {
                view! { <SignedInProfile/> }.into_any()
            } else {
                view! {
                    <div class="glass-panel card-pad center signed-out">
                        <span class="avatar avatar-lg" aria-hidden="true">"?"</span>
                        <h2 class="card-title">{move || i18n.t(K::NotLoggedIn)}</h2>
                        <p class="muted">{move || i18n.t(K::NotLoggedInSub)}</p>
                        <A href="/auth/login?redirect=%2Fprofile" attr:class="btn btn-gold">{move || i18n.t(K::LoginNow)}</A>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn SignedInProfile() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let site = use_site_config();
    let query = use_query_map();
    let navigate = use_navigate();

    // Pick up changes made elsewhere (an admin, another tab); a 401 is handled globally.
    let refreshed = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Ok(p) = api::profile().await {
            session.update_user(p.profile);
        }
        refreshed.try_set(true);
    });

    let membership = move || site.get().is_none_or(|c| c.membership_enabled);
    let tab = Memo::new(move |_| {
        let wanted = query.with(|q| q.get("tab")).unwrap_or_default();
        Tab::ALL.into_iter().find(|t| t.id() == wanted && t.shown(membership())).unwrap_or(Tab::Account)
    });
    let select = move |t: Tab| {
        navigate(&format!("/profile?tab={}", t.id()), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let on_tab_key = {
        let select = select.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let tabs: Vec<Tab> = Tab::ALL.into_iter().filter(|t| t.shown(membership())).collect();
            let Some(i) = tabs.iter().position(|t| *t == tab.get_untracked()) else { return };
            let next = match ev.key().as_str() {
                "ArrowRight" => tabs[(i + 1) % tabs.len()],
                "ArrowLeft" => tabs[(i + tabs.len() - 1) % tabs.len()],
                "Home" => tabs[0],
                "End" => tabs[tabs.len() - 1],
                _ => return,
            };
            ev.prevent_default();
            select(next);
            if let Some(el) = document().get_element_by_id(&format!("tab-{}", next.id())) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
    };

    view! {
        <ProfileHero refreshed=refreshed/>
        <div class="tabs" role="tablist" aria-label=move || i18n.t(K::ProfileTitle) on:keydown=on_tab_key>
            {Tab::ALL.into_iter().map(|t| {
                let select = select.clone();
                view! {
                    <Show when=move || t.shown(membership())>
                        <button
                            type="button"
                            role="tab"
                            id=format!("tab-{}", t.id())
                            class="tab"
                            aria-selected=move || (tab.get() == t).to_string()
                            aria-controls="profile-panel"
                            tabindex=move || if tab.get() == t { "0" } else { "-1" }
                            on:click={
                                let select = select.clone();
                                move |_| select(t)
                            }
                        >
                            {move || i18n.t(t.label())}
                        </button>
                    </Show>
                }
            }).collect_view()}
        </div>
        <div
            id="profile-panel"
            class="tab-panel"
            role="tabpanel"
            aria-labelledby=move || format!("tab-{}", tab.get().id())
        >
            {move || match tab.get() {
                Tab::Account => view! { <account::AccountTab/> }.into_any(),
                Tab::Membership => view! { <MembershipTab/> }.into_any(),
                Tab::Credits => view! { <credits::CreditsTab/> }.into_any(),
                Tab::History => view! { <history::HistoryTab/> }.into_any(),
                Tab::ApiKeys => view! { <api_keys::ApiKeysTab/> }.into_any(),
            }}
        </div>
    }
}

/// Avatar, name, badges and quick stats.
#[component]
fn ProfileHero(refreshed: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let site = use_site_config();
    let user = move || session.user();
    let name = Signal::derive(move || user().map(|u| display_name(&u)).unwrap_or_default());
    let avatar = Signal::derive(move || user().and_then(|u| u.avatar_url));
    let membership = move || site.get().is_none_or(|c| c.membership_enabled);
    let stat = move |label: K, value: Box<dyn Fn() -> String + Send + Sync>, class: &'static str| {
        view! {
            <div class=format!("stat-card glass-panel {class}")>
                <div class="stat-card-label">{move || i18n.t(label)}</div>
                {move || if refreshed.get() {
                    view! { <div class="stat-card-value">{value()}</div> }.into_any()
                } else {
                    view! { <SkeletonBox class="skeleton-stat"/> }.into_any()
                }}
            </div>
        }
    };
    let field = move |f: fn(&UserView, I18n) -> String| move || user().map(|u| f(&u, i18n)).unwrap_or_default();
    view! {
        <div class="glass-panel card-pad profile-hero">
            <Avatar url=avatar name=name large=true/>
            <div class="profile-hero-text">
                <div class="profile-name">{name}</div>
                <div class="badges">
                    <span class="chip chip-gold">{field(|u, i| role_label(u.role, i))}</span>
                    <Show when=membership>
                        <span class="chip">{field(|u, i| tier_label(u.membership_tier, i))}</span>
                    </Show>
                    {move || user().map(|u| if u.email_verified {
                        view! { <span class="chip chip-ok">{move || i18n.t(K::EmailVerified)}</span> }.into_any()
                    } else {
                        view! { <span class="chip chip-warn">{move || i18n.t(K::EmailUnverified)}</span> }.into_any()
                    })}
                </div>
                <div class="muted small">{field(|u, _| u.email.clone())}</div>
            </div>
        </div>
        <Show when=membership>
            <div class="stat-cards">
                {stat(K::ProfileCredits, Box::new(field(|u, _| u.credits_balance.to_string())), "stat-credits")}
                {stat(K::ProfileTier, Box::new(field(|u, i| tier_label(u.membership_tier, i))), "")}
                {stat(K::ProfileJoined, Box::new(field(|u, _| local_date(u.created_at))), "")}
            </div>
        </Show>
    }
}

#[component]
fn MembershipTab() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let site = use_site_config();
    let mall = move || site.get().map(|c| c.redeem_code_mall_url).filter(|u| u.starts_with("http"));
    let tier = move || session.user().map_or(Tier::Free, |u| u.membership_tier);
    let expiry = move || match session.user().and_then(|u| u.membership_expires_at) {
        Some(t) => local_date(t),
        None if tier() == Tier::Free => i18n.t(K::NotApplicable).to_string(),
        None => i18n.t(K::NoExpiry).to_string(),
    };
    view! {
        <div class="glass-panel card-pad">
            <h2 class="card-title">{move || i18n.t(K::TabMembership)}</h2>
            <dl class="kv">
                <div class="kv-row">
                    <dt>{move || i18n.t(K::CurrentTier)}</dt>
                    <dd class="tier-name">{move || tier_label(tier(), i18n)}</dd>
                </div>
                <div class="kv-row">
                    <dt>{move || i18n.t(K::TierExpires)}</dt>
                    <dd class="tier-expiry">{expiry}</dd>
                </div>
            </dl>
            <p class="muted small">{move || i18n.t(K::MembershipHint)}</p>
            {move || match mall() {
                Some(url) => view! {
                    <a class="btn btn-gold" href=url target="_blank" rel="noopener noreferrer">{move || i18n.t(K::Upgrade)}</a>
                }.into_any(),
                None => view! {
                    <A href="/profile?tab=credits" attr:class="btn btn-outline">{move || i18n.t(K::RedeemTitle)}</A>
                }.into_any(),
            }}
        </div>
    }
}
