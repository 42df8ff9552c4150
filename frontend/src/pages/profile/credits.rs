//! The credits tab: balance, redeem code form, invite link and the paginated ledger.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::credits::{CreditRecord, RedeemResponse};
use miaojing_api_types::ErrorCode;

use crate::api;
use crate::browser::{copy_text, local_date, local_minute, origin};
use crate::components::SkeletonLines;
use crate::i18n::{use_i18n, I18n, K};
use crate::pages::error_text;
use crate::session::use_session;
use crate::toast::use_toasts;

/// Ledger rows per page.
const PAGE_SIZE: u32 = 10;

/// Upper-cases what the user types and keeps only letters, digits and dashes.
fn typed_code(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').map(|c| c.to_ascii_uppercase()).take(24).collect()
}

/// Whether a typed code has the `MJ-XXXX-XXXX-XXXX` shape (dashes and prefix optional).
pub(crate) fn plausible_code(raw: &str) -> bool {
    let body: String = raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    let body = match body.strip_prefix("MJ") {
        Some(rest) if rest.len() == 12 => rest.to_string(),
        _ => body,
    };
    (8..=32).contains(&body.len())
}

/// A translated message for the redeem errors the server names by code.
fn redeem_error(e: &api::ApiError, i18n: I18n) -> String {
    let key = match e.code().and_then(ErrorCode::parse) {
        Some(ErrorCode::InvalidCodeFormat) => Some(K::RedeemBadFormat),
        Some(ErrorCode::CodeUsed) => Some(K::RedeemUsed),
        Some(ErrorCode::CodeExpired) => Some(K::RedeemExpired),
        Some(ErrorCode::CodeRevoked) => Some(K::RedeemRevoked),
        Some(ErrorCode::CodeNotFound | ErrorCode::NotFound) => Some(K::RedeemNotFound),
        _ => None,
    };
    key.map(|k| i18n.t(k).to_string()).unwrap_or_else(|| error_text(e, i18n))
}

fn redeem_done_text(r: &RedeemResponse, i18n: I18n) -> String {
    match (r.code_type.as_str(), &r.membership_tier) {
        ("membership", Some(tier)) => {
            let until = r.membership_expires_at.map(local_date).unwrap_or_else(|| i18n.t(K::NoExpiry).to_string());
            format!("{} {} · {} {}", i18n.t(K::RedeemMembershipDone), super::tier_label(*tier, i18n), i18n.t(K::TierExpires), until)
        }
        _ => format!("{} {}", i18n.t(K::RedeemCreditsDone), r.credits_amount),
    }
}

#[component]
pub fn CreditsTab() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Bumped after a redemption so the ledger reloads.
    let ledger_version = RwSignal::new(0u32);
    let balance = move || session.user().map(|u| u.credits_balance).unwrap_or_default();
    view! {
        <div class="credits-grid">
            <div class="glass-panel card-pad balance-card">
                <h2 class="card-title">{move || i18n.t(K::CreditsCenter)}</h2>
                <div class="balance-value" data-testid="balance">{balance}</div>
                <div class="muted small">{move || i18n.t(K::ProfileCredits)}</div>
            </div>
            <RedeemForm ledger_version=ledger_version/>
            <InvitePanel/>
        </div>
        <Ledger version=ledger_version/>
    }
}

#[component]
fn RedeemForm(ledger_version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let typed = code.get_untracked();
        if !plausible_code(&typed) {
            error.set(Some(i18n.t(K::RedeemBadFormat).to_string()));
            return;
        }
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match api::redeem(&typed).await {
                Ok(r) => {
                    toasts.success(redeem_done_text(&r, i18n));
                    code.set(String::new());
                    session.edit_user(|u| u.credits_balance = r.credits_balance);
                    if let Ok(p) = api::profile().await {
                        session.update_user(p.profile);
                    }
                    ledger_version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(redeem_error(&e, i18n))),
            }
            pending.set(false);
        });
    };

    view! {
        <form class="glass-panel card-pad redeem-card" on:submit=submit novalidate=true>
            <h2 class="card-title">{move || i18n.t(K::RedeemTitle)}</h2>
            <div class="field">
                <label for="redeem-code">{move || i18n.t(K::RedeemLabel)}</label>
                <div class="code-row">
                    <input
                        id="redeem-code"
                        class="input mono"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="MJ-XXXX-XXXX-XXXX"
                        aria-describedby="redeem-hint"
                        prop:value=move || code.get()
                        on:input=move |ev| code.set(typed_code(&event_target_value(&ev)))
                    />
                    <button type="submit" class="btn btn-gold code-btn" disabled=move || pending.get() || code.get().is_empty()>
                        {move || i18n.t(if pending.get() { K::Redeeming } else { K::RedeemNow })}
                    </button>
                </div>
                <small id="redeem-hint" class="hint">{move || i18n.t(K::RedeemHint)}</small>
            </div>
            <div class="form-error" role="alert">{move || error.get()}</div>
        </form>
    }
}

#[component]
fn InvitePanel() -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let data = LocalResource::new(api::my_invitations);
    view! {
        <div class="glass-panel card-pad invite-card">
            <h2 class="card-title">{move || i18n.t(K::InviteTitle)}</h2>
            {move || match data.get() {
                None => view! { <SkeletonLines lines=2/> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{error_text(&e, i18n)}</p> }.into_any(),
                Some(Ok(inv)) => {
                    let link = format!("{}/auth/register?invite={}", origin(), inv.invite_code);
                    let copy_link = link.clone();
                    let copy = move |_| {
                        let link = copy_link.clone();
                        spawn_local(async move {
                            if copy_text(&link).await {
                                toasts.success(i18n.t(K::LinkCopied));
                            } else {
                                toasts.error(i18n.t(K::CopyFailed));
                            }
                        });
                    };
                    let recent: Vec<_> = inv.referrals.into_iter().take(5).collect();
                    view! {
                        <label for="invite-link" class="hint">{move || i18n.t(K::InviteLink)}</label>
                        <div class="code-row">
                            <input id="invite-link" class="input mono" type="text" readonly=true prop:value=link
                                on:focus=|ev| { let el: web_sys::HtmlInputElement = event_target(&ev); el.select(); }/>
                            <button type="button" class="btn btn-outline code-btn" on:click=copy>{move || i18n.t(K::CopyLink)}</button>
                        </div>
                        <p class="muted small">
                            <span class="chip chip-ok">{move || format!("{} {}", i18n.t(K::Invited), inv.referral_count)}</span>
                            " "{move || i18n.t(K::InviteExplain)}
                        </p>
                        <ul class="plain-list">
                            {recent.into_iter().map(|r| {
                                let who = r.invitee_nickname.or(r.invitee_email).unwrap_or_default();
                                view! { <li><span>{who}</span><span class="muted small">{local_minute(r.created_at)}</span></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </div>
    }
}

fn kind_label(kind: &str, i18n: I18n) -> &'static str {
    i18n.t(match kind {
        "gift" => K::TxGift,
        "invite" => K::TxInvite,
        "redeem" => K::TxRedeem,
        "consume" => K::TxConsume,
        "refund" => K::TxRefund,
        "admin" => K::TxAdmin,
        _ => K::TxOther,
    })
}

#[component]
fn LedgerRow(r: CreditRecord) -> impl IntoView {
    let i18n = use_i18n();
    let positive = r.amount >= 0;
    let amount = if positive { format!("+{}", r.amount) } else { r.amount.to_string() };
    let kind = r.kind.clone();
    view! {
        <li class="ledger-row">
            <span class=if positive { "ledger-icon up" } else { "ledger-icon down" } aria-hidden="true">
                {if positive { "↑" } else { "↓" }}
            </span>
            <div class="ledger-main">
                <div class="ledger-desc">{r.description.clone()}</div>
                <div class="muted small">{move || kind_label(&kind, i18n)}" · "{local_minute(r.created_at)}</div>
            </div>
            <div class="ledger-amounts">
                <div class=if positive { "ledger-amount up" } else { "ledger-amount down" }>{amount}</div>
                <div class="muted small">{move || i18n.t(K::BalanceAfter)}" "{r.balance_after}</div>
            </div>
        </li>
    }
}

#[component]
fn Ledger(version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let page = RwSignal::new(1u32);
    let records = LocalResource::new(move || {
        let (p, _) = (page.get(), version.get());
        api::credit_transactions(p, PAGE_SIZE)
    });
    let pages = move || records.get().and_then(Result::ok).map(|r| ((r.total.max(0) as u32).div_ceil(PAGE_SIZE)).max(1)).unwrap_or(1);
    view! {
        <section class="glass-panel card-pad ledger" aria-labelledby="ledger-title">
            <h2 id="ledger-title" class="card-title">{move || i18n.t(K::LedgerTitle)}</h2>
            {move || match records.get() {
                None => view! { <SkeletonLines lines=4/> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{error_text(&e, i18n)}</p> }.into_any(),
                Some(Ok(r)) if r.records.is_empty() => view! { <p class="muted">{move || i18n.t(K::LedgerEmpty)}</p> }.into_any(),
                Some(Ok(r)) => view! {
                    <ul class="ledger-list">
                        {r.records.into_iter().map(|rec| view! { <LedgerRow r=rec/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <nav class="pager" aria-label=move || i18n.t(K::Pagination)>
                <button type="button" class="btn btn-outline btn-sm" disabled=move || { page.get() <= 1 }
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>
                    {move || i18n.t(K::PrevPage)}
                </button>
                <span class="muted small">{move || format!("{} / {}", page.get(), pages())}</span>
                <button type="button" class="btn btn-outline btn-sm" disabled=move || { page.get() >= pages() }
                    on:click=move |_| page.update(|p| *p += 1)>
                    {move || i18n.t(K::NextPage)}
                </button>
            </nav>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shape() {
        assert!(plausible_code("MJ-ABCD-EFGH-JKLM"));
        assert!(plausible_code("abcdefghjklm"));
        assert!(!plausible_code("MJ-12"));
        assert!(!plausible_code(""));
        assert_eq!(typed_code("mj-ab cd_ef"), "MJ-ABCDEF");
    }
}
