//! Users (search, page, edit, credits with a reason, ledger, all their works, delete) and the
//! invitation records.
use leptos::prelude::*;
use miaojing_api_types::admin::{AdminUser, AdminUserUpdate, CreditAdjustment};
use miaojing_api_types::vocab::Role;
use miaojing_api_types::works::HistoryRecord;

use super::{from_local_input, label_of, short_id, to_local_input, PAGE_SIZES, TIERS};
use crate::api_admin as admin;
use crate::browser::local_minute;
use crate::console::text::C;
use crate::console::ui::{
    confirm, first_page_on, loaded, num, page_counts, rows, table_of, Choice, Dialog, Field, Input, Pager, Table, Tag, Toggle, Writer,
};
use crate::i18n::use_i18n;
use crate::toast::use_toasts;

const ROLES: [(&str, C); 3] =
    [(Role::User.as_str(), C::RoleUser), (Role::Admin.as_str(), C::RoleAdmin), (Role::EnterpriseAdmin.as_str(), C::RoleEnterpriseAdmin)];

/// Which dialog is open for which user.
#[derive(Clone, PartialEq)]
enum Open {
    Edit(AdminUser),
    Credits(AdminUser),
    Ledger(AdminUser),
    Works(AdminUser),
}

#[component]
pub fn Users() -> impl IntoView {
    let i18n = use_i18n();
    let search = RwSignal::new(String::new());
    let size = RwSignal::new("20".to_string());
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let w = Writer::new(version);
    first_page_on(page, move || {
        search.track();
        size.track();
    });
    let list = LocalResource::new(move || {
        version.track();
        let (s, p, z) = (search.get(), page.get(), size.get().parse().unwrap_or(20));
        async move { admin::users(&s, p, z).await }
    });
    let open = RwSignal::new(None::<Open>);
    let done = Callback::new(move |_| {
        open.set(None);
        version.update(|v| *v += 1);
    });
    let (total, pages) = page_counts(list, |l| (l.total, l.total_pages));

    let delete = move |u: AdminUser| {
        if !confirm(&format!("{} {}", i18n.c(C::ConfirmDeleteUser), u.email)) {
            return;
        }
        w.run(admin::delete_user(u.id), Some(C::Deleted), None);
    };

    let table = table_of(
        list,
        C::ViewUsers,
        vec![C::User, C::Role, C::Tier, C::CreditsCol, C::Status, C::Watermark, C::Invited, C::Created, C::Actions],
        |l| l.users,
        move |u| {
            let (u1, u2, u3, u4, u5) = (u.clone(), u.clone(), u.clone(), u.clone(), u.clone());
            let is_admin = u.role.is_admin();
            view! {
                <tr data-email=u.email.clone()>
                    <td><div class="strong">{if u.nickname.is_empty() { u.username.clone() } else { u.nickname.clone() }}</div><div class="muted small">{u.email.clone()}</div></td>
                    <td>{move || label_of(&ROLES, u1.role.as_str()).map(|c| i18n.c(c).to_string()).unwrap_or_else(|| u1.role.to_string())}</td>
                    <td>{move || label_of(&TIERS, u2.effective_tier.as_str()).map(|c| i18n.c(c).to_string()).unwrap_or_default()}
                        <div class="muted small">{u.membership_expires_at.map(local_minute)}</div></td>
                    <td class="num">{u.credits_balance}</td>
                    <td>{if u.is_active { view! { <Tag text=i18n.c(C::Active).to_string() tone="ok"/> } } else { view! { <Tag text=i18n.c(C::Disabled).to_string() tone="bad"/> } }}</td>
                    <td>{if u.watermark_disabled { i18n.c(C::NoWatermark) } else { "—" }}</td>
                    <td class="num">{u.invited_count}</td>
                    <td class="nowrap">{local_minute(u.created_at)}</td>
                    <td class="actions">
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| open.set(Some(Open::Edit(u3.clone())))>{move || i18n.c(C::Edit)}</button>
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| open.set(Some(Open::Credits(u4.clone())))>{move || i18n.c(C::AdjustCredits)}</button>
                        <button type="button" class="btn btn-ghost btn-sm" on:click={let u = u5.clone(); move |_| open.set(Some(Open::Ledger(u.clone())))}>{move || i18n.c(C::Ledger)}</button>
                        <button type="button" class="btn btn-ghost btn-sm" on:click={let u = u5.clone(); move |_| open.set(Some(Open::Works(u.clone())))}>{move || i18n.c(C::Works)}</button>
                        {(!is_admin).then(|| view! {
                            <button type="button" class="btn btn-danger btn-sm" on:click={let u = u5.clone(); move |_| delete(u.clone())}>{move || i18n.c(C::Delete)}</button>
                        })}
                    </td>
                </tr>
            }
        },
    );

    view! {
        <div class="c-view">
            <div class="c-toolbar">
                <Field label=C::SearchUsers value=search placeholder=C::PhUserSearch/>
                <Choice label=C::PageSize value=size options=PAGE_SIZES.to_vec()/>
            </div>
            <section class="glass-panel c-card">{table}<Pager page=page total_pages=pages total=total/></section>
            {move || open.get().map(|o| match o {
                Open::Edit(u) => view! { <EditUser user=u done=done/> }.into_any(),
                Open::Credits(u) => view! { <AdjustCredits user=u done=done/> }.into_any(),
                Open::Ledger(u) => view! { <UserLedger user=u close=Callback::new(move |_| open.set(None))/> }.into_any(),
                Open::Works(u) => view! { <UserWorks user=u close=Callback::new(move |_| open.set(None))/> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn EditUser(user: AdminUser, done: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let role = RwSignal::new(user.role.to_string());
    let tier = RwSignal::new(user.membership_tier.to_string());
    let expires = RwSignal::new(to_local_input(user.membership_expires_at));
    let active = RwSignal::new(user.is_active);
    let watermark = RwSignal::new(user.watermark_disabled);
    let password = RwSignal::new(String::new());
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let id = user.id;
    let save = move |_| {
        let new_password = Some(password.get_untracked()).filter(|p| !p.is_empty());
        let req = AdminUserUpdate {
            user_id: Some(id),
            role: Some(role.get_untracked()),
            membership_tier: Some(tier.get_untracked()),
            membership_expires_at: Some(from_local_input(&expires.get_untracked())),
            is_active: Some(active.get_untracked()),
            watermark_disabled: Some(watermark.get_untracked()),
            new_password,
            ..Default::default()
        };
        w.then(async move { admin::update_user(&req).await }, move |_| {
            toasts.success(i18n.c(C::Saved));
            done.run(());
        });
    };
    let title = Signal::derive(move || format!("{} · {}", i18n.c(C::EditUser), user.email));
    view! {
        <Dialog title=title on_close=done>
            <div class="form-grid">
                <Choice label=C::Role value=role options=ROLES.to_vec()/>
                <Choice label=C::Tier value=tier options=TIERS.to_vec()/>
                <Field label=C::TierExpires value=expires input=Input::DateTime hint=C::TierExpiresHint/>
                <Field label=C::NewPassword value=password input=Input::Password hint=C::NewPasswordHint/>
                <Toggle label=C::AccountActive value=active hint=C::AccountActiveHint/>
                <Toggle label=C::NoWatermark value=watermark/>
            </div>
            <div class="modal-actions btn-row">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::Save)}</button>
            </div>
        </Dialog>
    }
}

#[component]
fn AdjustCredits(user: AdminUser, done: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(i18n.c(C::DefaultCreditReason).to_string());
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let id = user.id;
    let save = move |_| {
        let Some(n) = num(&amount).filter(|n| *n != 0) else {
            toasts.error(i18n.c(C::AmountInvalid));
            return;
        };
        let r = reason.get_untracked().trim().to_string();
        if r.is_empty() {
            toasts.error(i18n.c(C::ReasonRequired));
            return;
        }
        w.then(async move { admin::adjust_credits(&CreditAdjustment { user_id: Some(id), amount: n, reason: r }).await }, move |resp| {
            toasts.success(format!("{} {}", i18n.c(C::BalanceNow), resp.user.credits_balance));
            done.run(());
        });
    };
    let title = Signal::derive(move || format!("{} · {}", i18n.c(C::AdjustCredits), user.email));
    view! {
        <Dialog title=title on_close=done>
            <p class="muted">{format!("{} {}", i18n.c(C::BalanceNow), user.credits_balance)}</p>
            <div class="btn-row">
                {[50, 100, 200, 500, -50].into_iter().map(|n| view! {
                    <button type="button" class="badge chip-btn" on:click=move |_| amount.set(n.to_string())>{format!("{n:+}")}</button>
                }).collect_view()}
            </div>
            <div class="form-grid">
                <Field label=C::Amount value=amount input=Input::Number hint=C::AmountHint required=true/>
                <Field label=C::Reason value=reason required=true/>
            </div>
            <div class="modal-actions">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::Confirm)}</button>
            </div>
        </Dialog>
    }
}

#[component]
fn UserLedger(user: AdminUser, close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let page = RwSignal::new(1i64);
    let id = user.id;
    let list = LocalResource::new(move || {
        let p = page.get();
        async move { admin::user_ledger(id, p, 20).await }
    });
    let total = Signal::derive(move || list.get().and_then(Result::ok).map(|l| l.total).unwrap_or(0));
    let pages =
        Signal::derive(move || list.get().and_then(Result::ok).map(|l| (l.total + l.page_size - 1) / l.page_size.max(1)).unwrap_or(1));
    let table = table_of(
        list,
        C::Ledger,
        vec![C::Time, C::Type, C::Amount, C::BalanceAfter, C::Reason],
        |l| l.records,
        move |r| {
            view! {
                <tr>
                    <td class="nowrap">{local_minute(r.created_at)}</td>
                    <td>{r.kind.clone()}</td>
                    <td class={if r.amount >= 0 { "num up" } else { "num down" }}>{format!("{:+}", r.amount)}</td>
                    <td class="num">{r.balance_after}</td>
                    <td>{r.description.clone()}</td>
                </tr>
            }
        },
    );
    let title = Signal::derive(move || format!("{} · {}", i18n.c(C::Ledger), user.email));
    view! {
        <Dialog title=title on_close=close wide=true>
            {table}
            <Pager page=page total_pages=pages total=total/>
        </Dialog>
    }
}

/// A user's works, private ones included, newest first; "load more" follows the cursor.
#[component]
fn UserWorks(user: AdminUser, close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.id;
    let cursor = RwSignal::new(None::<String>);
    let shown = RwSignal::new(Vec::<HistoryRecord>::new());
    let next = RwSignal::new(None::<String>);
    let page = LocalResource::new(move || {
        let c = cursor.get();
        async move { admin::user_works(id, c).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(p)) = page.get() {
            shown.update(|v| v.extend(p.records.clone()));
            next.set(p.next_cursor.clone());
        }
    });
    let table = loaded(page, move |_| {
        view! {
            <Table label=C::Works headers=vec![C::Work, C::Prompt, C::Visibility, C::Created]>
                {rows(shown.get(), 4, |w: HistoryRecord| view! {
                    <tr data-work=w.id.to_string()>
                        <td><a href=w.url.clone() target="_blank" rel="noopener">{format!("{} · {}", w.mode.as_str(), short_id(w.id))}</a></td>
                        <td class="clamp">{w.prompt.clone()}</td>
                        <td>{if w.published { view! { <Tag text=i18n.c(C::PublicWork).to_string() tone="ok"/> } } else { view! { <Tag text=i18n.c(C::PrivateWork).to_string() tone=""/> } }}</td>
                        <td class="nowrap">{local_minute(w.created_at)}</td>
                    </tr>
                })}
            </Table>
        }
        .into_any()
    });
    let title = Signal::derive(move || format!("{} · {}", i18n.c(C::Works), user.email));
    view! {
        <Dialog title=title on_close=close wide=true>
            {table}
            {move || next.get().map(|c| view! {
                <button type="button" class="btn btn-outline btn-sm" on:click=move |_| cursor.set(Some(c.clone()))>{move || i18n.c(C::LoadMore)}</button>
            })}
        </Dialog>
    }
}

/// Who invited whom, with the rewards.
#[component]
pub fn Invitations() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    first_page_on(page, move || {
        search.track();
    });
    let list = LocalResource::new(move || {
        let (s, p) = (search.get(), page.get());
        async move { admin::invitations(&s, p, 20).await }
    });
    let (total, pages) = page_counts(list, |l| (l.total, l.total_pages));
    let table = table_of(
        list,
        C::ViewInvitations,
        vec![C::InviteCode, C::Inviter, C::Invitee, C::Rewards, C::Time],
        |l| l.referrals,
        move |r| {
            view! {
                <tr>
                    <td class="mono">{r.invite_code.clone()}</td>
                    <td>{r.inviter_email.clone().unwrap_or_default()}</td>
                    <td>{r.invitee_email.clone().unwrap_or_default()}</td>
                    <td>{format!("+{} / +{}", r.inviter_bonus_credits, r.invitee_bonus_credits)}</td>
                    <td class="nowrap">{local_minute(r.created_at)}</td>
                </tr>
            }
        },
    );
    view! {
        <div class="c-view">
            <div class="c-toolbar"><Field label=C::Search value=search/></div>
            <section class="glass-panel c-card">{table}<Pager page=page total_pages=pages total=total/></section>
        </div>
    }
}
