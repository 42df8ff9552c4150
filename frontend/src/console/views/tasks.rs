//! Generation tasks (filter, cancel, delete one finished task, clean up) and model call records (filter, per-model
//! summary of the page, list). Payloads, prompts and keys are never shown.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::vocab::JobStatus;
use uuid::Uuid;

use super::{from_local_input, short_id, status_label, status_tone, when, PAGE_SIZES};
use crate::api_admin::{self as admin, Query};
use crate::browser::local_minute;
use std::collections::BTreeMap;

use miaojing_api_types::works::ModelCall;

use crate::console::dashboard::{Bar, Bars, JOB_STATES};
use crate::console::text::C;
use crate::console::ui::{
    confirm, first_page_on, loaded, num, page_counts, rows, table_of, Choice, Field, Input, Pager, Table, Tag, Writer,
};
use crate::i18n::use_i18n;
use crate::pages::error_text;
use crate::toast::use_toasts;

const FINISHED: [(&str, C); 3] = [
    (JobStatus::Failed.as_str(), C::StFailed),
    (JobStatus::Succeeded.as_str(), C::StSucceeded),
    (JobStatus::Cancelled.as_str(), C::StCancelled),
];
const SOURCES: [(&str, C); 4] =
    [("all", C::All), ("generation-job", C::SrcJob), ("suggest-prompt", C::SrcSuggest), ("reverse-prompt", C::SrcReverse)];

fn with_all(list: &[(&'static str, C)]) -> Vec<(&'static str, C)> {
    let mut v = vec![("all", C::All)];
    v.extend_from_slice(list);
    v
}

/// Calls and failures per model among the given calls, most used first.
fn per_model(calls: &[ModelCall]) -> Vec<(String, i64, i64)> {
    let mut m: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for c in calls {
        let e = m.entry(if c.model_name.is_empty() { "—".into() } else { c.model_name.clone() }).or_default();
        e.0 += 1;
        if c.status == JobStatus::Failed.as_str() {
            e.1 += 1;
        }
    }
    let mut v: Vec<_> = m.into_iter().map(|(k, (n, f))| (k, n, f)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[component]
pub fn Tasks() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let status = RwSignal::new("all".to_string());
    let user = RwSignal::new(String::new());
    let size = RwSignal::new("20".to_string());
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let w = Writer::new(version);
    let clean_status = RwSignal::new(JobStatus::Failed.as_str().to_string());
    let clean_days = RwSignal::new("7".to_string());
    first_page_on(page, move || {
        (status.track(), user.track(), size.track());
    });
    let list = LocalResource::new(move || {
        version.track();
        let q: Query = vec![("status", status.get()), ("user", user.get()), ("page", page.get().to_string()), ("pageSize", size.get())];
        admin::jobs(q)
    });
    let (total, pages) = page_counts(list, |l| (l.total, l.total_pages));
    let cancel = move |id: Uuid| {
        w.run(admin::cancel_job(id), Some(C::JobCancelled), None);
    };
    let remove = move |id: Uuid| {
        if !confirm(i18n.c(C::ConfirmDeleteJob)) {
            return;
        }
        w.run(admin::delete_job(id), Some(C::Deleted), None);
    };
    let cleanup = move |_| {
        let (s, d) = (clean_status.get_untracked(), num(&clean_days).unwrap_or(7));
        if !confirm(i18n.c(C::ConfirmCleanup)) {
            return;
        }
        spawn_local(async move {
            match admin::cleanup_jobs(&s, d).await {
                Ok(r) => {
                    toasts.success(format!("{} {}", i18n.c(C::CleanedUp), r.deleted));
                    version.update(|v| *v += 1);
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
        });
    };
    let table = table_of(
        list,
        C::ViewTasks,
        vec![C::TaskId, C::User, C::Type, C::ModelName, C::Status, C::Cost, C::ErrorCol, C::Created, C::Finished, C::Actions],
        |l| l.jobs,
        move |j| {
            let st = j.status.as_str();
            let open = !j.status.is_terminal();
            let id = j.id;
            view! {
                <tr data-job=j.id.to_string()>
                    <td class="mono" title=j.id.to_string()>{short_id(j.id)}</td>
                    <td>{j.user_email.clone()}<div class="muted small">{j.user_nickname.clone()}</div></td>
                    <td>{j.mode.as_str()}</td>
                    <td class="mono">{j.model.clone()}</td>
                    <td><Tag text=Signal::derive(move || i18n.c(status_label(st)).to_string()) tone=status_tone(st)/></td>
                    <td class="num">{j.actual_cost.unwrap_or(j.estimated_cost)}</td>
                    <td class="clamp">{j.error.clone().unwrap_or_default()}</td>
                    <td class="nowrap">{local_minute(j.created_at)}</td>
                    <td class="nowrap">{when(j.finished_at)}</td>
                    <td class="actions">{if open {
                        view! { <button type="button" class="btn btn-outline btn-sm" on:click=move |_| cancel(id)>{move || i18n.c(C::CancelJob)}</button> }.into_any()
                    } else {
                        view! { <button type="button" class="btn btn-danger btn-sm" on:click=move |_| remove(id)>{move || i18n.c(C::DeleteJob)}</button> }.into_any()
                    }}</td>
                </tr>
            }
        },
    );
    view! {
        <div class="c-view">
            <div class="c-toolbar">
                <Choice label=C::Status value=status options=with_all(&JOB_STATES)/>
                <Field label=C::UserFilter value=user placeholder=C::PhUser/>
                <Choice label=C::PageSize value=size options=PAGE_SIZES.to_vec()/>
                <button type="button" class="btn btn-outline btn-sm" on:click=move |_| version.update(|v| *v += 1)>{move || i18n.c(C::Refresh)}</button>
            </div>
            <section class="glass-panel c-card">{table}<Pager page=page total_pages=pages total=total/></section>
            <section class="glass-panel c-card">
                <h2 class="c-card-title">{move || i18n.c(C::Cleanup)}</h2>
                <div class="c-toolbar">
                    <Choice label=C::Status value=clean_status options=FINISHED.to_vec()/>
                    <Field label=C::OlderThanDays value=clean_days input=Input::Number/>
                    <button type="button" class="btn btn-danger btn-sm" on:click=cleanup>{move || i18n.c(C::CleanupNow)}</button>
                </div>
            </section>
        </div>
    }
}

#[component]
pub fn Calls() -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new("all".to_string());
    let source = RwSignal::new("all".to_string());
    let keyword = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let size = RwSignal::new("20".to_string());
    let page = RwSignal::new(1i64);
    first_page_on(page, move || {
        (status.track(), source.track(), keyword.track(), start.track(), end.track(), size.track());
    });
    let iso = |s: RwSignal<String>| from_local_input(&s.get()).map(|t| t.to_rfc3339()).unwrap_or_default();
    let list = LocalResource::new(move || {
        let q: Query = vec![
            ("status", status.get()),
            ("source", source.get()),
            ("keyword", keyword.get()),
            ("startTime", iso(start)),
            ("endTime", iso(end)),
            ("page", page.get().to_string()),
            ("pageSize", size.get()),
        ];
        admin::model_calls(q)
    });
    let (total, pages) = page_counts(list, |l| (l.total, l.total_pages));
    let table = loaded(list, move |l| {
        let summary: Vec<Bar> = per_model(&l.records)
            .into_iter()
            .take(6)
            .map(|(m, n, f)| Bar {
                label: m.chars().take(18).collect(),
                value: n,
                note: Some(format!("{n} · {} {f}", i18n.c(C::StFailed))),
                tone: if f > 0 { "bad" } else { "ok" },
            })
            .collect();
        view! {
            {(!summary.is_empty()).then(|| view! { <Bars label=i18n.c(C::CallsPerModel).to_string() bars=summary/> })}
            <Table label=C::ViewCalls headers=vec![C::Time, C::User, C::Operation, C::ModelName, C::Status, C::Cost, C::DurationMs, C::ErrorCol]>
                {rows(l.records, 8, |c| {
                        let st = c.status.clone();
                        view! {
                            <tr>
                                <td class="nowrap">{local_minute(c.created_at)}</td>
                                <td class="mono">{c.user_id.map(short_id).unwrap_or_default()}</td>
                                <td>{c.operation.clone()}<div class="muted small">{c.source.clone()}</div></td>
                                <td><span class="mono">{c.model_name.clone()}</span><div class="muted small">{c.provider.clone()}</div></td>
                                <td><Tag text=Signal::derive(move || i18n.c(status_label(&st)).to_string()) tone=status_tone(&c.status)/></td>
                                <td class="num">{format!("{} / {}", c.credits_cost, c.result_count)}</td>
                                <td class="num">{c.duration_ms}</td>
                                <td class="clamp">{c.error.clone().unwrap_or_default()}</td>
                            </tr>
                        }
                    })}
            </Table>
        }
        .into_any()
    });
    view! {
        <div class="c-view">
            <div class="c-toolbar">
                <Choice label=C::Status value=status options=with_all(&JOB_STATES)/>
                <Choice label=C::Source value=source options=SOURCES.to_vec()/>
                <Field label=C::Keyword value=keyword placeholder=C::PhModel/>
                <Field label=C::From value=start input=Input::DateTime/>
                <Field label=C::To value=end input=Input::DateTime/>
                <Choice label=C::PageSize value=size options=PAGE_SIZES.to_vec()/>
            </div>
            <section class="glass-panel c-card">{table}<Pager page=page total_pages=pages total=total/></section>
        </div>
    }
}
