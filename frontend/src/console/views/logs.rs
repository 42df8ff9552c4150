//! Platform logs: the retention setting and the filtered list.
use chrono::Duration;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{from_local_input, to_local_input, PAGE_SIZES};
use crate::api_admin::{self as admin, Query};
use crate::browser::local_minute;
use crate::console::dashboard::level_tone;
use crate::console::text::C;
use crate::console::ui::{first_page_on, num, page_counts, table_of, Choice, Field, Input, Pager, Tag};
use crate::i18n::use_i18n;
use crate::pages::error_text;
use crate::toast::use_toasts;

const TYPES: [(&str, C); 8] = [
    ("all", C::All),
    ("auth", C::LogAuth),
    ("generation", C::LogGeneration),
    ("admin", C::LogAdmin),
    ("database", C::LogDatabase),
    ("storage", C::LogStorage),
    ("security", C::LogSecurity),
    ("system", C::LogSystem),
];
const LEVELS: [(&str, C); 4] = [("all", C::All), ("info", C::LvInfo), ("warning", C::LvWarning), ("error", C::LvError)];

#[component]
pub fn Logs() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let kind = RwSignal::new("all".to_string());
    let level = RwSignal::new("all".to_string());
    let user = RwSignal::new(String::new());
    let keyword = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let size = RwSignal::new("20".to_string());
    let page = RwSignal::new(1i64);
    let retention = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    first_page_on(page, move || {
        (kind.track(), level.track(), user.track(), keyword.track(), start.track(), end.track(), size.track());
    });
    let iso = |s: RwSignal<String>| from_local_input(&s.get()).map(|t| t.to_rfc3339()).unwrap_or_default();
    let all = |s: String| if s == "all" { String::new() } else { s };
    let list = LocalResource::new(move || {
        version.track();
        let q: Query = vec![
            ("type", all(kind.get())),
            ("level", all(level.get())),
            ("user", user.get()),
            ("keyword", keyword.get()),
            ("startTime", iso(start)),
            ("endTime", iso(end)),
            ("page", page.get().to_string()),
            ("pageSize", size.get()),
        ];
        admin::logs(q)
    });
    // The retention field starts from the server's setting.
    Effect::new(move |_| {
        if let Some(Ok(l)) = list.get() {
            if retention.get_untracked().is_empty() {
                retention.set(l.settings.retention_days.to_string());
            }
        }
    });
    let (total, pages) = page_counts(list, |l| (l.total, l.total_pages));
    let save_retention = move |_| {
        let Some(days) = num(&retention).filter(|d| (1..=90).contains(d)) else {
            toasts.error(i18n.c(C::RetentionInvalid));
            return;
        };
        spawn_local(async move {
            match admin::save_log_settings(days).await {
                Ok(r) => {
                    toasts.success(format!("{} ({} {})", i18n.c(C::Saved), i18n.c(C::Purged), r.deleted));
                    version.update(|v| *v += 1);
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
        });
    };
    let range = move |days: Option<i64>| {
        start.set(days.map(|d| to_local_input(Some(super::now() - Duration::days(d)))).unwrap_or_default());
        end.set(String::new());
    };
    let table = table_of(
        list,
        C::ViewLogs,
        vec![C::Time, C::Type, C::Level, C::User, C::Message, C::Target, C::Ip],
        |l| l.logs,
        move |r| {
            view! {
                <tr>
                    <td class="nowrap">{local_minute(r.created_at)}</td>
                    <td>{r.kind.clone()}</td>
                    <td><Tag text=r.level.clone() tone=level_tone(&r.level)/></td>
                    <td>{r.user_email.clone().or(r.user_name.clone()).unwrap_or_default()}</td>
                    <td><div class="strong small mono">{r.action.clone()}</div>{r.message.clone()}</td>
                    <td class="mono small">{r.target_type.clone().map(|t| format!("{t}:{}", r.target_id.clone().unwrap_or_default()))}</td>
                    <td class="mono small">{r.ip_address.clone()}</td>
                </tr>
            }
        },
    );
    view! {
        <div class="c-view">
            <section class="glass-panel c-card">
                <div class="c-toolbar">
                    <Field label=C::Retention value=retention input=Input::Number hint=C::RetentionHint/>
                    <button type="button" class="btn btn-gold btn-sm" on:click=save_retention>{move || i18n.c(C::Save)}</button>
                </div>
            </section>
            <div class="c-toolbar">
                <Choice label=C::Type value=kind options=TYPES.to_vec()/>
                <Choice label=C::Level value=level options=LEVELS.to_vec()/>
                <Field label=C::UserFilter value=user/>
                <Field label=C::Keyword value=keyword/>
                <Field label=C::From value=start input=Input::DateTime/>
                <Field label=C::To value=end input=Input::DateTime/>
                <Choice label=C::PageSize value=size options=PAGE_SIZES.to_vec()/>
            </div>
            <div class="btn-row">
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| range(Some(1))>{move || i18n.c(C::Last1d)}</button>
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| range(Some(7))>{move || i18n.c(C::Last7d)}</button>
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| range(None)>{move || i18n.c(C::AllTime)}</button>
            </div>
            <section class="glass-panel c-card">{table}<Pager page=page total_pages=pages total=total/></section>
        </div>
    }
}
