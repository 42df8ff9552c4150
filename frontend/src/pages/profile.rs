//! The signed-in user's profile (a "please sign in" card otherwise).
use leptos::prelude::*;
use leptos_router::components::A;
use miaojing_api_types::auth::UserView;

use super::error_text;
use crate::api;
use crate::i18n::{use_i18n, I18n, K};
use crate::session::{display_name, use_session};

fn role_label(role: &str, i18n: I18n) -> String {
    match role {
        "user" => i18n.t(K::RoleUser).to_string(),
        "vip" => i18n.t(K::RoleVip).to_string(),
        "admin" => i18n.t(K::RoleAdmin).to_string(),
        "enterprise_admin" => i18n.t(K::RoleEnterpriseAdmin).to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn Profile() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let logged_in = Memo::new(move |_| session.is_logged_in());
    let profile = LocalResource::new(move || {
        let logged_in = logged_in.get();
        async move {
            if logged_in {
                Some(api::profile().await)
            } else {
                None
            }
        }
    });

    // Keep the cached user fresh; a 401 means the session is gone.
    Effect::new(move |_| match profile.get() {
        Some(Some(Ok(p))) => session.update_user(p.profile),
        Some(Some(Err(e))) if e.is_unauthorized() => session.clear(),
        _ => {}
    });

    view! {
        <section class="container narrow">
            <h1 class="page-title">{move || i18n.t(K::ProfileTitle)}</h1>
            {move || {
                if !logged_in.get() {
                    return view! {
                        <div class="glass-panel card-pad center">
                            <h2 class="card-title">{move || i18n.t(K::NotLoggedIn)}</h2>
                            <p class="muted">{move || i18n.t(K::NotLoggedInSub)}</p>
                            <A href="/auth/login" attr:class="btn btn-gold">{move || i18n.t(K::Login)}</A>
                        </div>
                    }.into_any();
                }
                match profile.get() {
                    Some(Some(Ok(p))) => view! { <ProfileCard user=p.profile/> }.into_any(),
                    Some(Some(Err(e))) => {
                        let msg = error_text(&e, i18n);
                        view! {
                            <div class="glass-panel card-pad" role="alert">
                                <h2 class="card-title">{move || i18n.t(K::LoadFailed)}</h2>
                                <p class="form-error">{msg}</p>
                                <button type="button" class="btn btn-outline" on:click=move |_| profile.refetch()>
                                    {move || i18n.t(K::Retry)}
                                </button>
                            </div>
                        }.into_any()
                    }
                    _ => view! {
                        <div class="glass-panel card-pad" aria-busy="true">
                            <p class="muted">{move || i18n.t(K::Loading)}</p>
                        </div>
                    }.into_any(),
                }
            }}
        </section>
    }
}

#[component]
fn ProfileCard(user: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let name = display_name(&user);
    let initial = name.chars().next().map(String::from).unwrap_or_default();
    let or_unset = move |v: Option<String>| v.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| i18n.t(K::NotSet).to_string());
    let phone = user.phone.clone();
    let role = user.role.clone();
    let verified = user.email_verified;
    let rows: Vec<(K, Box<dyn Fn() -> String + Send + Sync>)> = vec![
        (
            K::ProfileNickname,
            Box::new({
                let n = name.clone();
                move || n.clone()
            }),
        ),
        (
            K::ProfileUsername,
            Box::new({
                let v = user.username.clone();
                move || v.clone()
            }),
        ),
        (
            K::ProfileEmail,
            Box::new({
                let v = user.email.clone();
                move || v.clone()
            }),
        ),
        (K::ProfileEmailVerified, Box::new(move || i18n.t(if verified { K::Yes } else { K::No }).to_string())),
        (K::ProfilePhone, Box::new(move || or_unset(phone.clone()))),
        (K::ProfileRole, Box::new(move || role_label(&role, i18n))),
        (
            K::ProfileTier,
            Box::new({
                let v = user.membership_tier.clone();
                move || v.clone()
            }),
        ),
        (
            K::ProfileCredits,
            Box::new({
                let v = user.credits_balance;
                move || v.to_string()
            }),
        ),
        (
            K::ProfileInviteCode,
            Box::new({
                let v = user.invite_code.clone();
                move || v.clone()
            }),
        ),
        (
            K::ProfileJoined,
            Box::new({
                let v = user.created_at.format("%Y-%m-%d").to_string();
                move || v.clone()
            }),
        ),
    ];
    view! {
        <div class="glass-panel card-pad profile-card">
            <div class="profile-head">
                <span class="avatar avatar-lg" aria-hidden="true">{initial}</span>
                <div>
                    <div class="muted small">{move || i18n.t(K::SignedInAs)}</div>
                    <div class="profile-name">{name.clone()}</div>
                </div>
            </div>
            <dl class="kv">
                {rows.into_iter().map(|(k, v)| view! {
                    <div class="kv-row">
                        <dt>{move || i18n.t(k)}</dt>
                        <dd>{v}</dd>
                    </div>
                }).collect_view()}
            </dl>
        </div>
    }
}
