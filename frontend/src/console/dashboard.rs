//! The dashboard: accounts, works, jobs by state, credits, model calls with error rates per
//! model, health and recent logs, all from the server's aggregates (`/api/admin/dashboard`)
//! plus channel health; everything refreshes every 30 seconds (and on demand).
use std::time::Duration;

use leptos::prelude::*;
use miaojing_api_types::vocab::JobStatus;

use super::text::C;
use super::ui::{loaded, rows, Table, Tag};
use super::{use_console_view, View};
use crate::api_admin as admin;
use crate::browser::local_minute;
use crate::i18n::{use_i18n, I18n};
use crate::toast::use_toasts;

/// Seconds between silent refreshes.
const REFRESH_SECS: u64 = 30;

/// Job states in queue order, with their labels.
pub const JOB_STATES: [(&str, C); 5] = [
    (JobStatus::Queued.as_str(), C::StQueued),
    (JobStatus::Running.as_str(), C::StRunning),
    (JobStatus::Succeeded.as_str(), C::StSucceeded),
    (JobStatus::Failed.as_str(), C::StFailed),
    (JobStatus::Cancelled.as_str(), C::StCancelled),
];

/// One bar of a [`Bars`] chart.
#[derive(Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// Shown after the bar instead of the value (e.g. a percentage).
    pub note: Option<String>,
    pub tone: &'static str,
}

/// A horizontal bar chart drawn as inline SVG, scaled to the largest value (or `max`).
#[component]
pub fn Bars(bars: Vec<Bar>, label: String, #[prop(optional)] max: Option<i64>) -> impl IntoView {
    let row_h = 26;
    let height = (bars.len().max(1) * row_h) as i64;
    let top = max.unwrap_or_else(|| bars.iter().map(|b| b.value).max().unwrap_or(0)).max(1);
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let y = (i * row_h) as i64;
            let w = (b.value.max(0) as f64 / top as f64 * 200.0).round().max(if b.value > 0 { 2.0 } else { 0.0 });
            let note = b.note.clone().unwrap_or_else(|| b.value.to_string());
            view! {
                <g>
                    <text x="0" y=(y + 17).to_string() class="chart-label">{b.label.clone()}</text>
                    <rect x="130" y=(y + 5).to_string() width=format!("{w}") height="16" rx="4" class=format!("chart-bar {}", b.tone)></rect>
                    <text x=format!("{}", 136.0 + w) y=(y + 18).to_string() class="chart-value">{note}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 400 {height}") role="img" aria-label=label preserveAspectRatio="xMinYMin meet">
            {rows}
        </svg>
    }
}

/// A share as a whole percentage.
fn pct(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

fn stat(i18n: I18n, label: C, value: String, sub: String) -> impl IntoView {
    view! {
        <div class="glass-panel c-stat">
            <div class="stat-card-label">{move || i18n.c(label)}</div>
            <div class="stat-card-value">{value}</div>
            <div class="muted small">{sub}</div>
        </div>
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let goto = use_console_view();
    let tick = RwSignal::new(0u32);
    if let Ok(h) = set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_secs(REFRESH_SECS)) {
        on_cleanup(move || h.clear());
    }
    let dash = LocalResource::new(move || {
        tick.track();
        admin::dashboard()
    });
    let health = LocalResource::new(move || {
        tick.track();
        admin::channel_health()
    });
    // While a manual refresh runs: the time stamp of the data it replaces.
    let refreshing = RwSignal::new(None::<chrono::DateTime<chrono::Utc>>);
    Effect::new(move |_| {
        if let Some(Ok(d)) = dash.get() {
            if refreshing.get_untracked().is_some_and(|from| from != d.generated_at) {
                refreshing.set(None);
                toasts.success(i18n.c(C::DashboardRefreshed));
            }
        }
    });
    let refresh = move |_| {
        let from = dash.get_untracked().and_then(Result::ok).map(|d| d.generated_at).unwrap_or_default();
        refreshing.set(Some(from));
        tick.update(|t| *t += 1);
    };

    let overview = loaded(dash, move |d| {
        let updated = local_minute(d.generated_at);
        view! {
            <div class="c-stats" data-testid="dash-stats">
                {stat(i18n, C::StatUsers, d.users.total.to_string(), format!("{} {}", i18n.c(C::New7d), d.users.created_7d))}
                {stat(i18n, C::StatActiveUsers, d.users.active.to_string(), format!("{} {} · {} {}", i18n.c(C::Disabled), d.users.disabled, i18n.c(C::Members), d.users.members))}
                {stat(i18n, C::StatWorks, d.works.total.to_string(), format!("{} {}", i18n.c(C::StatPublicWorks), d.works.public))}
                {stat(i18n, C::StatCreditsIssued, d.credits.issued.to_string(), format!("{} {}", i18n.c(C::CreditsSpent), d.credits.spent))}
                {stat(i18n, C::StatVisits, d.platform.total_visits.to_string(), format!("{} {}", d.platform.database, d.platform.version))}
                {stat(i18n, C::StatAnnouncements, d.announcements.active.to_string(), format!("{} {} · {} {}", i18n.c(C::Scheduled), d.announcements.scheduled, i18n.c(C::Expired), d.announcements.expired))}
            </div>
            <div class="c-grid2">
                <section class="glass-panel c-card">
                    <h2 class="c-card-title">{move || i18n.c(C::Credits)}</h2>
                    <Bars label=i18n.c(C::Credits).to_string() bars=vec![
                        Bar { label: i18n.c(C::CreditsIssued).into(), value: d.credits.issued, note: None, tone: "ok" },
                        Bar { label: i18n.c(C::CreditsSpent).into(), value: d.credits.spent, note: None, tone: "gold" },
                    ]/>
                </section>
                <section class="glass-panel c-card" data-testid="dash-health">
                    <h2 class="c-card-title">{move || i18n.c(C::SystemHealth)}</h2>
                    <ul class="plain-list">
                        <li><span>{move || i18n.c(C::Database)}</span>{health_tag(i18n, d.system.database_health)}</li>
                        <li><span>{move || i18n.c(C::Storage)}</span>{health_tag(i18n, d.system.storage_health)}</li>
                        <li><span>{move || i18n.c(C::StorageBackend)}</span><span>{d.system.storage_backend.clone()}</span></li>
                        <li><span>{move || i18n.c(C::LogsTotal)}</span><span>{format!("{} ({} {} · {} 7d)", d.system.logs_total, d.system.logs_errors, i18n.c(C::Errors), d.system.logs_created_7d)}</span></li>
                    </ul>
                    <p class="muted small">{format!("{} {updated}", i18n.c(C::LastUpdated))}</p>
                </section>
            </div>
        }
        .into_any()
    });

    let jobs_block = loaded(dash, move |d| {
        let total: i64 = d.jobs.iter().map(|j| j.count).sum();
        let bars = d
            .jobs
            .iter()
            .map(|j| Bar {
                label: i18n.c(super::views::status_label(j.status.as_str())).into(),
                value: j.count,
                note: None,
                tone: match j.status {
                    JobStatus::Failed => "bad",
                    JobStatus::Succeeded => "ok",
                    JobStatus::Cancelled => "",
                    JobStatus::Queued | JobStatus::Running => "gold",
                },
            })
            .collect();
        view! {
            <p class="muted small">{format!("{} {total}", i18n.c(C::Total))}</p>
            <Bars label=i18n.c(C::JobsByState).to_string() bars=bars/>
        }
        .into_any()
    });

    let calls_block = loaded(dash, move |d| {
        let c = d.model_calls;
        let bars = c
            .models
            .iter()
            .take(8)
            .map(|m| Bar {
                label: if m.model.is_empty() { "—".into() } else { m.model.chars().take(18).collect() },
                value: m.calls,
                note: Some(format!("{} · {} {}", m.calls, i18n.c(C::ErrorRate), pct(m.error_rate))),
                tone: if m.error_rate > 0.2 { "bad" } else { "ok" },
            })
            .collect::<Vec<_>>();
        view! {
            <p class="muted small">{format!("{} · {} {} · {} {}", i18n.c(C::CallsWindow), i18n.c(C::Total), c.total, i18n.c(C::ErrorRate), pct(c.error_rate))}</p>
            {if bars.is_empty() { view! { <p class="muted">{move || i18n.c(C::Empty)}</p> }.into_any() } else { view! { <Bars label=i18n.c(C::CallsPerModel).to_string() bars=bars/> }.into_any() }}
        }
        .into_any()
    });

    let works_block = loaded(dash, move |d| view! { <div class="stat-card-value">{d.works.public}</div> }.into_any());
    let channels_block = loaded(health, move |h| {
        let frozen = h.channels.iter().filter(|c| c.frozen).count();
        let active = h.channels.iter().filter(|c| c.is_active).count();
        view! {
            <div class="stat-card-value">{format!("{active}/{}", h.channels.len())}</div>
            <div class="muted small">{format!("{} {frozen}", i18n.c(C::Frozen))}</div>
        }
        .into_any()
    });

    let logs_block = loaded(dash, move |d| {
        view! {
            <Table label=C::RecentLogs headers=vec![C::Time, C::Level, C::Type, C::Message]>
                {rows(d.recent_logs, 4, |r| view! {
                    <tr>
                        <td class="nowrap">{local_minute(r.created_at)}</td>
                        <td><Tag text=r.level.clone() tone=level_tone(&r.level)/></td>
                        <td>{r.kind.clone()}</td>
                        <td>{r.message.clone()}</td>
                    </tr>
                })}
            </Table>
        }
        .into_any()
    });

    view! {
        <div class="c-view c-dashboard">
            <div class="c-toolbar">
                <button type="button" class="btn btn-outline btn-sm" disabled=move || refreshing.get().is_some() on:click=refresh>
                    {move || if refreshing.get().is_some() { i18n.c(C::Refreshing) } else { i18n.c(C::Refresh) }}
                </button>
            </div>
            {overview}
            <div class="c-stats">
                <button type="button" class="glass-panel c-stat c-stat-link" data-testid="dash-works" on:click=move |_| goto.set(View::Gallery)>
                    <div class="stat-card-label">{move || i18n.c(C::StatPublicWorks)}</div>
                    {works_block}
                </button>
                <button type="button" class="glass-panel c-stat c-stat-link" data-testid="dash-channels" on:click=move |_| goto.set(View::Models)>
                    <div class="stat-card-label">{move || i18n.c(C::StatChannels)}</div>
                    {channels_block}
                </button>
            </div>
            <div class="c-grid2">
                <section class="glass-panel c-card" data-testid="dash-jobs">
                    <h2 class="c-card-title">{move || i18n.c(C::JobsByState)}</h2>
                    {jobs_block}
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| goto.set(View::Tasks)>{move || i18n.c(C::ViewTasks)}" →"</button>
                </section>
                <section class="glass-panel c-card" data-testid="dash-calls">
                    <h2 class="c-card-title">{move || i18n.c(C::CallsPerModel)}</h2>
                    {calls_block}
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| goto.set(View::Calls)>{move || i18n.c(C::ViewCalls)}" →"</button>
                </section>
            </div>
            <section class="glass-panel c-card" data-testid="dash-logs">
                <h2 class="c-card-title">{move || i18n.c(C::RecentLogs)}</h2>
                {logs_block}
            </section>
        </div>
    }
}

fn health_tag(i18n: I18n, ok: bool) -> impl IntoView {
    view! { <Tag text=i18n.c(if ok { C::Healthy } else { C::Unhealthy }).to_string() tone=if ok { "ok" } else { "bad" }/> }
}

/// Badge tone of a log level.
pub fn level_tone(level: &str) -> &'static str {
    match level {
        "error" => "bad",
        "warning" => "warn",
        _ => "",
    }
}
