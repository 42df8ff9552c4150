//! Redeem codes: batch creation (credits or membership), the filtered list with revoke /
//! re-enable / delete, CSV export of the filter, and copying a whole batch.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::admin::{RedeemBatchRequest, RedeemCodeView};
use miaojing_api_types::vocab::Tier;
use uuid::Uuid;

use super::{from_local_input, label_of, short_id, status_label, status_tone, when, PAGE_SIZES};
use crate::api_admin::{self as admin, Query};
use crate::browser::{copy_text, local_minute};
use crate::console::text::C;
use crate::console::ui::{confirm, first_page_on, num, table_of, Choice, Field, Input, Pager, Tag, Writer};
use crate::i18n::{use_i18n, I18n};
use crate::pages::error_text;
use crate::toast::{use_toasts, Toasts};

const STATES: [(&str, C); 5] =
    [("all", C::All), ("unused", C::StUnused), ("used", C::StUsed), ("revoked", C::StRevoked), ("expired", C::StExpired)];
const KINDS: [(&str, C); 2] = [("credits", C::CodeCredits), ("membership", C::CodeMembership)];
const PAID_TIERS: [(&str, C); 3] =
    [(Tier::Pro.as_str(), C::TierPro), (Tier::Max.as_str(), C::TierMax), (Tier::Ultra.as_str(), C::TierUltra)];
const UNITS: [(&str, C); 3] = [("day", C::UnitDay), ("month", C::UnitMonth), ("year", C::UnitYear)];

/// What a code grants, in words.
fn value_text(c: &RedeemCodeView, i18n: I18n) -> String {
    match (c.code_type.as_str(), &c.membership_tier) {
        ("membership", Some(t)) => format!(
            "{} {}{}",
            label_of(&PAID_TIERS, t.as_str()).map(|l| i18n.c(l)).unwrap_or(t.as_str()),
            c.membership_duration_value.unwrap_or(0),
            label_of(&UNITS, c.membership_duration_unit.as_deref().unwrap_or("")).map(|l| i18n.c(l)).unwrap_or("")
        ),
        _ => format!("{} {}", c.credits_amount, i18n.c(C::CreditsCol)),
    }
}

/// Copies every code of a batch, one per line.
fn copy_batch(batch: Uuid, i18n: I18n, toasts: Toasts) {
    spawn_local(async move {
        match admin::redeem_codes(vec![("batchId", batch.to_string()), ("pageSize", "500".into())]).await {
            Ok(l) => {
                let text = l.codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join("\n");
                if copy_text(&text).await {
                    toasts.success(format!("{} ({})", i18n.c(C::Copied), l.codes.len()));
                } else {
                    toasts.error(i18n.c(C::CopyFailed));
                }
            }
            Err(e) => toasts.error(error_text(&e, i18n)),
        }
    });
}

/// Starts a download of `text` as a CSV file.
fn download_csv(name: &str, text: &str) {
    let doc = document();
    if let Ok(a) = doc.create_element("a") {
        let href = format!("data:text/csv;charset=utf-8,{}", crate::browser::encode(text));
        let _ = a.set_attribute("href", &href);
        let _ = a.set_attribute("download", name);
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a.clone()) {
                el.click();
            }
            let _ = body.remove_child(&a);
        }
    }
}

#[component]
pub fn RedeemCodes() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    // generator
    let kind = RwSignal::new("credits".to_string());
    let count = RwSignal::new("10".to_string());
    let credits = RwSignal::new("100".to_string());
    let tier = RwSignal::new("pro".to_string());
    let duration = RwSignal::new("1".to_string());
    let unit = RwSignal::new("month".to_string());
    let note = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let fresh = RwSignal::new(None::<(Uuid, Vec<RedeemCodeView>)>);
    // list
    let status = RwSignal::new("all".to_string());
    let search = RwSignal::new(String::new());
    let batch = RwSignal::new(None::<Uuid>);
    let size = RwSignal::new("20".to_string());
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let w = Writer::new(version);
    first_page_on(page, move || {
        (status.track(), search.track(), batch.track(), size.track());
    });
    let filter = move || -> Query {
        vec![("status", status.get()), ("search", search.get()), ("batchId", batch.get().map(|b| b.to_string()).unwrap_or_default())]
    };
    let list = LocalResource::new(move || {
        version.track();
        let mut q = filter();
        q.push(("page", page.get().to_string()));
        q.push(("pageSize", size.get()));
        admin::redeem_codes(q)
    });
    let total = Signal::derive(move || list.get().and_then(Result::ok).map(|l| l.total).unwrap_or(0));
    let pages = Signal::derive(move || {
        let per: i64 = size.get().parse().unwrap_or(20);
        ((total.get() + per - 1) / per.max(1)).max(1)
    });

    let create = move |_| {
        let membership = kind.get_untracked() == "membership";
        let req = RedeemBatchRequest {
            count: num(&count),
            code_type: Some(kind.get_untracked()),
            credits_amount: (!membership).then(|| num(&credits)).flatten(),
            membership_tier: membership.then(|| tier.get_untracked()),
            membership_duration_value: membership.then(|| num(&duration)).flatten(),
            membership_duration_unit: membership.then(|| unit.get_untracked()),
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
            expires_at: from_local_input(&expires.get_untracked()),
        };
        w.then(async move { admin::create_redeem_codes(&req).await }, move |b| {
            toasts.success(format!("{} {}", i18n.c(C::CodesCreated), b.codes.len()));
            fresh.set(Some((b.batch_id, b.codes)));
            version.update(|v| *v += 1);
        });
    };

    let export = move |_| {
        let q = filter();
        spawn_local(async move {
            match admin::export_redeem_codes(q).await {
                Ok(csv) => download_csv("redeem-codes.csv", &csv),
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
        });
    };

    let toggle = move |c: RedeemCodeView| {
        w.run(admin::toggle_redeem_code(c.id, !c.is_active), None, None);
    };
    let remove = move |c: RedeemCodeView| {
        if !confirm(&format!("{} {}", i18n.c(C::ConfirmDelete), c.code)) {
            return;
        }
        w.run(admin::delete_redeem_code(c.id), None, None);
    };

    let table = table_of(
        list,
        C::CodeList,
        vec![C::Code, C::Value, C::Status, C::Note, C::Batch, C::UsedBy, C::Expires, C::Created, C::Actions],
        |l| l.codes,
        move |c| {
            let (c1, c2, c3) = (c.clone(), c.clone(), c.clone());
            let st = c.status.clone();
            view! {
                <tr data-code=c.code.clone()>
                    <td class="mono nowrap">{c.code.clone()}</td>
                    <td>{value_text(&c, i18n)}</td>
                    <td><Tag text=Signal::derive(move || i18n.c(status_label(&st)).to_string()) tone=status_tone(&c.status)/></td>
                    <td>{c.note.clone()}</td>
                    <td><button type="button" class="btn btn-ghost btn-sm mono" title=move || i18n.c(C::FilterBatch)
                        on:click=move |_| batch.set(Some(c.batch_id))>{short_id(c.batch_id)}</button></td>
                    <td>{c.used_by_email.clone().unwrap_or_else(|| "—".into())}<div class="muted small">{c.used_at.map(local_minute)}</div></td>
                    <td class="nowrap">{when(c.expires_at)}</td>
                    <td class="nowrap">{local_minute(c.created_at)}</td>
                    <td class="actions">
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| {
                            let code = c1.code.clone();
                            spawn_local(async move { if copy_text(&code).await { toasts.success(i18n.c(C::Copied)); } });
                        }>{move || i18n.c(C::Copy)}</button>
                        {(c.status != "used").then(|| view! {
                            <button type="button" class="btn btn-outline btn-sm" on:click=move |_| toggle(c2.clone())>
                                {move || if c2.is_active { i18n.c(C::Revoke) } else { i18n.c(C::Enable) }}
                            </button>
                        })}
                        {(c.status != "used").then(|| view! {
                            <button type="button" class="btn btn-danger btn-sm" on:click=move |_| remove(c3.clone())>{move || i18n.c(C::Delete)}</button>
                        })}
                    </td>
                </tr>
            }
        },
    );

    view! {
        <div class="c-view">
            <section class="glass-panel c-card">
                <h2 class="c-card-title">{move || i18n.c(C::GenerateCodes)}</h2>
                <div class="form-grid">
                    <Choice label=C::CodeType value=kind options=KINDS.to_vec()/>
                    <Field label=C::Count value=count input=Input::Number hint=C::CountHint/>
                    {move || if kind.get() == "membership" {
                        view! {
                            <Choice label=C::Tier value=tier options=PAID_TIERS.to_vec()/>
                            <Field label=C::Duration value=duration input=Input::Number/>
                            <Choice label=C::DurationUnit value=unit options=UNITS.to_vec()/>
                        }.into_any()
                    } else {
                        view! { <Field label=C::CreditsPerCode value=credits input=Input::Number/> }.into_any()
                    }}
                    <Field label=C::Note value=note/>
                    <Field label=C::CodesExpire value=expires input=Input::DateTime hint=C::OptionalHint/>
                </div>
                <div class="btn-row">
                    <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=create>{move || i18n.c(C::GenerateCodes)}</button>
                </div>
                {move || fresh.get().map(|(b, codes)| {
                    let text = codes.iter().map(|c| format!("{}\t{}", c.code, value_text(c, i18n))).collect::<Vec<_>>().join("\n");
                    view! {
                        <div class="field field-wide">
                            <label for="fresh-codes">{move || i18n.c(C::ThisBatch)}</label>
                            <textarea id="fresh-codes" class="input textarea mono" readonly=true rows="6">{text}</textarea>
                            <div class="btn-row">
                                <button type="button" class="btn btn-outline btn-sm" on:click=move |_| copy_batch(b, i18n, toasts)>{move || i18n.c(C::CopyBatch)}</button>
                            </div>
                        </div>
                    }
                })}
            </section>
            <section class="glass-panel c-card">
                <div class="c-toolbar">
                    <Choice label=C::Status value=status options=STATES.to_vec()/>
                    <Field label=C::Search value=search/>
                    <Choice label=C::PageSize value=size options=PAGE_SIZES.to_vec()/>
                    {move || batch.get().map(|b| view! {
                        <div class="btn-row">
                            <span class="badge mono">{format!("{} {}", i18n.c(C::Batch), short_id(b))}</span>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| copy_batch(b, i18n, toasts)>{move || i18n.c(C::CopyBatch)}</button>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| batch.set(None)>{move || i18n.c(C::ClearFilter)}</button>
                        </div>
                    })}
                    <button type="button" class="btn btn-outline btn-sm" on:click=export>{move || i18n.c(C::ExportCsv)}</button>
                </div>
                {table}
                <Pager page=page total_pages=pages total=total/>
            </section>
        </div>
    }
}
