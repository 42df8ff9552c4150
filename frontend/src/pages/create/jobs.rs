//! Job cards of the create center: the caller's jobs followed live through the event
//! stream, recovered after a reload (running ones, and ones that finished while the page
//! was closed, shown once), with elapsed time, cancel, results and plain-word errors.
use std::collections::VecDeque;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use miaojing_api_types::generation::JobView;
use miaojing_api_types::vocab::JobStatus;
use miaojing_api_types::works::HistoryRecord;
use miaojing_api_types::ErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::api::{self, ApiError, StreamMsg};
use crate::browser;
use crate::components::media::{copy_with_toast, download, use_viewer, Media};
use crate::components::publish::PublishForm;
use crate::i18n::{use_i18n, I18n, K};
use crate::pages::error_text;
use crate::storage;
use crate::toast::use_toasts;

/// localStorage: what was submitted for each job (prompt and parameters), for reuse.
const DRAFTS_KEY: &str = "miaojing_job_drafts";
/// localStorage: finished jobs whose outcome was already shown.
const SEEN_KEY: &str = "miaojing_seen_jobs";
/// Entries kept in each of those lists.
const KEEP: usize = 100;
/// Delay before the event stream reconnects.
const RECONNECT_MS: u64 = 3000;
/// Poll interval for unfinished jobs while the stream is down.
const POLL_MS: u64 = 4000;

/// The parameters of a submission, enough to fill the form again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// The create mode id (`text2img`, ...).
    pub mode: String,
    pub prompt: String,
    pub negative: String,
    pub model: String,
    pub ratio: String,
    pub resolution: String,
    pub count: String,
    pub duration: String,
    pub camera: String,
    pub video_style: String,
    pub guidance: String,
    /// Reference image URLs (http(s) only; data URLs are not kept).
    pub refs: Vec<String>,
}

fn load_list<T: for<'de> Deserialize<'de>>(key: &str) -> VecDeque<T> {
    storage::get(key).and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
}

fn save_list<T: Serialize>(key: &str, list: &mut VecDeque<T>) {
    while list.len() > KEEP {
        list.pop_front();
    }
    if let Ok(s) = serde_json::to_string(list) {
        storage::set(key, &s);
    }
}

fn remember_draft(id: Uuid, draft: &Draft) {
    let mut list: VecDeque<(Uuid, Draft)> = load_list(DRAFTS_KEY);
    list.retain(|(i, _)| *i != id);
    list.push_back((id, draft.clone()));
    save_list(DRAFTS_KEY, &mut list);
}

fn draft_of(id: Uuid) -> Option<Draft> {
    load_list::<(Uuid, Draft)>(DRAFTS_KEY).into_iter().find(|(i, _)| *i == id).map(|(_, d)| d)
}

fn seen(id: Uuid) -> bool {
    load_list::<Uuid>(SEEN_KEY).contains(&id)
}

fn mark_seen(id: Uuid) {
    let mut list: VecDeque<Uuid> = load_list(SEEN_KEY);
    if !list.contains(&id) {
        list.push_back(id);
        save_list(SEEN_KEY, &mut list);
    }
}

/// The reusable parameters of a history record.
fn draft_from_history(r: &HistoryRecord) -> Draft {
    let p = |k: &str| match r.params.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    Draft {
        mode: r.mode.as_str().to_string(),
        prompt: r.prompt.clone(),
        negative: r.negative_prompt.clone(),
        ratio: p("aspectRatio"),
        resolution: p("resolution"),
        count: p("count"),
        duration: p("duration"),
        video_style: p("style"),
        guidance: p("guidanceScale"),
        ..Default::default()
    }
}

/// One card: a job as last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub id: Uuid,
    /// `text2img`, ... (from the submission until the job is read).
    pub mode: String,
    pub status: JobStatus,
    pub message: Option<String>,
    pub job: Option<JobView>,
    pub draft: Option<Draft>,
    /// Found on load: it finished while the page was closed.
    pub while_away: bool,
    /// Counts the stream events applied to this card, so that an answer to a read sent
    /// before the newest event (which may tell an older state) is not applied over it.
    pub events: u32,
}

/// The job cards of the page and the clock that drives their timers.
#[derive(Clone, Copy)]
pub struct Jobs {
    pub cards: RwSignal<Vec<Card>>,
    now: RwSignal<f64>,
    stream_up: RwSignal<bool>,
    /// Cards the user closed or cancelled: late answers must not bring them back.
    dismissed: StoredValue<Vec<Uuid>>,
}

impl Jobs {
    /// Tracks the signed-in user's jobs while the calling component lives.
    pub fn start(logged_in: Memo<bool>) -> Jobs {
        let jobs = Jobs {
            cards: RwSignal::new(Vec::new()),
            now: RwSignal::new(browser::now_millis() as f64),
            stream_up: RwSignal::new(false),
            dismissed: StoredValue::new(Vec::new()),
        };
        let alive = StoredValue::new(true);
        let abort = StoredValue::new_local(None::<web_sys::AbortController>);
        let generation = StoredValue::new(0u32);
        let stop_stream = move || {
            abort.update_value(|a| {
                if let Some(a) = a.take() {
                    a.abort();
                }
            });
        };
        Effect::new(move |_| {
            stop_stream();
            jobs.cards.set(Vec::new());
            generation.update_value(|g| *g += 1);
            if logged_in.get() {
                let run = generation.get_value();
                jobs.recover();
                spawn_local(jobs.stream_loop(run, generation, alive, abort));
            }
        });
        let tick = set_interval_with_handle(
            move || {
                jobs.now.try_set(browser::now_millis() as f64);
            },
            Duration::from_secs(1),
        )
        .ok();
        let poll = set_interval_with_handle(
            move || {
                if !jobs.stream_up.get_untracked() {
                    jobs.refresh_active();
                }
            },
            Duration::from_millis(POLL_MS),
        )
        .ok();
        on_cleanup(move || {
            alive.set_value(false);
            stop_stream();
            tick.into_iter().chain(poll).for_each(|h| h.clear());
        });
        jobs
    }

    async fn stream_loop(
        self,
        run: u32,
        generation: StoredValue<u32>,
        alive: StoredValue<bool>,
        abort: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
    ) {
        let current = move || alive.try_get_value().unwrap_or(false) && generation.try_get_value() == Some(run);
        while current() {
            let Ok(ctl) = web_sys::AbortController::new() else { return };
            let signal = ctl.signal();
            abort.set_value(Some(ctl));
            let out = api::job_events(&signal, |msg| match msg {
                StreamMsg::Connected => {
                    self.stream_up.try_set(true);
                    // Anything that changed before the stream opened.
                    self.refresh_active();
                }
                StreamMsg::Job(ev) => self.on_event(ev.job_id, ev.status, ev.message),
            })
            .await;
            self.stream_up.try_set(false);
            if matches!(&out, Err(e) if e.is_unauthorized()) {
                return;
            }
            sleep_ms(RECONNECT_MS).await;
        }
    }

    /// Running jobs and unseen finished ones of the last hour become cards.
    fn recover(self) {
        spawn_local(async move {
            let Ok(list) = api::list_jobs().await else { return };
            let mut fresh: Vec<Card> = list
                .jobs
                .into_iter()
                .filter(|j| !j.status.is_terminal() || !seen(j.id))
                .map(|j| Card {
                    id: j.id,
                    mode: j.mode.as_str().to_string(),
                    status: j.status,
                    message: j.error.clone(),
                    draft: draft_of(j.id),
                    while_away: j.status.is_terminal(),
                    events: 0,
                    job: Some(j),
                })
                .collect();
            fresh.reverse(); // oldest first
                             // Results made elsewhere (another browser) take their prompt from the history.
            if fresh.iter().any(|c| c.draft.is_none() && c.status == JobStatus::Succeeded) {
                if let Ok(h) = api::creation_history(None, 60, None).await {
                    for c in fresh.iter_mut().filter(|c| c.draft.is_none()) {
                        let works = c.job.as_ref().map(|j| outputs(&j.result)).unwrap_or_default();
                        let rec = h.records.iter().find(|r| works.iter().any(|o| o.work_id == Some(r.id)));
                        c.draft = rec.map(draft_from_history);
                    }
                }
            }
            for c in fresh.iter().filter(|c| c.status.is_terminal()) {
                mark_seen(c.id);
            }
            self.cards.try_update(|cards| {
                for c in fresh {
                    if !cards.iter().any(|x| x.id == c.id) {
                        cards.push(c);
                    }
                }
                cards.sort_by_key(|c| c.job.as_ref().map(|j| j.created_at));
            });
        });
    }

    /// A job just submitted from this page.
    pub fn submitted(self, id: Uuid, draft: Draft) {
        remember_draft(id, &draft);
        self.cards.update(|cards| {
            if !cards.iter().any(|c| c.id == id) {
                cards.push(Card {
                    id,
                    mode: draft.mode.clone(),
                    status: JobStatus::Queued,
                    message: None,
                    job: None,
                    draft: Some(draft),
                    while_away: false,
                    events: 0,
                });
            }
        });
        self.refresh(id);
    }

    fn on_event(self, id: Uuid, status: JobStatus, message: Option<String>) {
        if self.is_dismissed(id) {
            return;
        }
        // A finished job is shown once its result (or error code) has been read.
        let known = self.cards.try_update(|cards| match cards.iter_mut().find(|c| c.id == id) {
            Some(_) if status.is_terminal() => true,
            Some(c) => {
                c.status = status;
                c.message = message;
                c.events += 1;
                true
            }
            None => false,
        });
        // Unknown ids are jobs from another tab; finished ones need their result.
        if known == Some(false) || status.is_terminal() {
            self.refresh(id);
        }
    }

    fn refresh_active(self) {
        let ids: Vec<Uuid> = self.cards.with_untracked(|c| c.iter().filter(|c| !c.status.is_terminal()).map(|c| c.id).collect());
        for id in ids {
            self.refresh(id);
        }
    }

    /// Reads a job and applies the answer, unless a stream event for it arrived while the
    /// read was on its way and the answer is not final: then it reads again.
    fn refresh(self, id: Uuid) {
        let events_then = self.events_of(id);
        spawn_local(async move {
            let Ok(j) = api::job(id).await else { return };
            if j.status.is_terminal() || self.events_of(id) == events_then {
                self.apply(j);
            } else {
                self.refresh(id);
            }
        });
    }

    fn events_of(self, id: Uuid) -> Option<u32> {
        self.cards.try_with_untracked(|cards| cards.iter().find(|c| c.id == id).map(|c| c.events)).flatten()
    }

    fn is_dismissed(self, id: Uuid) -> bool {
        self.dismissed.try_with_value(|d| d.contains(&id)).unwrap_or(true)
    }

    fn apply(self, j: JobView) {
        if j.status.is_terminal() {
            mark_seen(j.id);
        }
        if self.is_dismissed(j.id) {
            return;
        }
        self.cards.try_update(|cards| match cards.iter_mut().find(|c| c.id == j.id) {
            Some(c) => {
                c.status = j.status;
                c.message = j.error.clone();
                c.mode = j.mode.as_str().to_string();
                c.job = Some(j);
            }
            None => cards.push(Card {
                id: j.id,
                mode: j.mode.as_str().to_string(),
                status: j.status,
                message: j.error.clone(),
                draft: draft_of(j.id),
                while_away: false,
                events: 0,
                job: Some(j),
            }),
        });
    }

    fn remove(self, id: Uuid) {
        self.dismissed.update_value(|d| d.push(id));
        self.cards.update(|c| c.retain(|c| c.id != id));
    }
}

async fn sleep_ms(ms: u64) {
    let (tx, rx) = futures_channel();
    set_timeout(tx, Duration::from_millis(ms));
    let _ = rx.await;
}

/// A one-shot wake-up: the sender resolves the receiver's promise.
fn futures_channel() -> (impl FnOnce() + 'static, wasm_bindgen_futures::JsFuture) {
    let mut resolve_fn = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| resolve_fn = Some(resolve));
    let resolve = resolve_fn.expect("the promise executor runs at once");
    (move || drop(resolve.call0(&wasm_bindgen::JsValue::NULL)), wasm_bindgen_futures::JsFuture::from(promise))
}

/// `mm:ss`.
pub fn clock(secs: i64) -> String {
    let s = secs.max(0);
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// The plain-words explanation of a failure, by the server's error code.
pub fn explain(code: Option<&str>, status: Option<u16>) -> K {
    use ErrorCode as E;
    match (code.and_then(ErrorCode::parse), status) {
        (Some(E::InsufficientCredits), _) | (_, Some(402)) => K::ErrCredits,
        (Some(E::UpstreamAuthFailed), _) => K::ErrUpstreamAuth,
        (Some(E::UpstreamRateLimited), _) | (_, Some(429)) => K::ErrRateLimited,
        (Some(E::UpstreamTimeout | E::UpstreamIdleTimeout | E::UpstreamPollTimeout), _) => K::ErrTimeout,
        (Some(E::ModelBusy), _) => K::ErrBusy,
        (Some(E::UpstreamUnavailable | E::UpstreamUnreachable | E::UpstreamError), _) => K::ErrUpstreamDown,
        (Some(E::UpstreamRejected | E::UpstreamTaskFailed), _) => K::ErrRejected,
        (Some(E::UpstreamBadResponse | E::UpstreamNoResult | E::UpstreamEmpty), _) => K::ErrBadResponse,
        (Some(E::UpstreamResultExpired), _) => K::ErrExpired,
        (Some(E::TierNotAllowed | E::SystemApiNotDefault), _) => K::ErrTier,
        (Some(E::ModelUnavailable | E::CustomApiUnavailable | E::CustomApiKeyUnusable | E::TextModelUnavailable), _) => K::ErrModel,
        (_, None) => K::NetworkError,
        _ => K::ErrGeneric,
    }
}

/// A failure, told in plain words: what happened, why, and the server's own message.
#[component]
pub fn ErrorPanel(#[prop(into)] reason: String, explanation: K, #[prop(optional)] credits_link: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="error-panel" role="alert" data-testid="error-panel">
            <strong class="error-title">{move || i18n.t(K::GenFailed)}</strong>
            <p class="error-explain">{move || i18n.t(explanation)}</p>
            <p class="small muted"><span>{move || i18n.t(K::ErrRaw)}</span>" "<span class="error-raw">{reason}</span></p>
            {credits_link.then(|| view! { <A href="/profile?tab=credits" attr:class="btn btn-outline btn-sm" attr:rel=crate::bundle::rel("/profile")>{move || i18n.t(K::GetCredits)}</A> })}
        </div>
    }
}

/// An error panel for a failed call.
pub fn api_error_panel(e: &ApiError, i18n: I18n) -> impl IntoView {
    let k = explain(e.code(), e.status());
    view! { <ErrorPanel reason=error_text(e, i18n) explanation=k credits_link={k == K::ErrCredits}/> }
}

/// The outputs of a succeeded job.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub media: Media,
    pub work_id: Option<Uuid>,
}

/// Reads a job result (`images` or `videos`, `thumbnailUrls`, `dimensions`, `workIds`).
pub fn outputs(result: &Value) -> Vec<Output> {
    let strings = |k: &str| -> Vec<String> {
        result
            .get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let (urls, video) = match strings("videos") {
        v if !v.is_empty() => (v, true),
        _ => (strings("images"), false),
    };
    let thumbs = strings("thumbnailUrls");
    let works = strings("workIds");
    urls.into_iter()
        .enumerate()
        .map(|(i, url)| {
            let dim = result.get("dimensions").and_then(|d| d.get(&url));
            let num = |k: &str| dim.and_then(|d| d.get(k)).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok());
            Output {
                media: Media {
                    thumb: thumbs.get(i).cloned().unwrap_or_else(|| url.clone()),
                    original: url.clone(),
                    video,
                    width: num("width"),
                    height: num("height"),
                },
                work_id: works.get(i).and_then(|w| Uuid::parse_str(w).ok()),
            }
        })
        .collect()
}

/// What a result card can ask of the form.
#[derive(Clone, Copy)]
pub struct CardActions {
    /// Fill the form with a submission's parameters.
    pub reuse: Callback<Draft>,
    /// Start image-to-image (`false`) or image-to-video (`true`) from an output URL.
    pub send_to: Callback<(bool, String)>,
}

/// The cards, oldest first (the stylesheet shows the newest first on wide screens).
#[component]
pub fn JobCards(jobs: Jobs, actions: CardActions) -> impl IntoView {
    view! {
        <For each=move || jobs.cards.get() key=|c| (c.id, c.status, c.job.as_ref().map(|j| j.updated_at)) let:card>
            <JobCard card=card jobs=jobs actions=actions/>
        </For>
    }
}

#[component]
fn JobCard(card: Card, jobs: Jobs, actions: CardActions) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let id = card.id;
    let video = card.mode.contains("video");
    let title = if video { K::GeneratingVideo } else { K::GeneratingImage };
    let status_key = match card.status {
        JobStatus::Queued => K::StatusQueued,
        JobStatus::Running => K::StatusRunning,
        JobStatus::Succeeded => K::StatusSucceeded,
        JobStatus::Failed => K::StatusFailed,
        JobStatus::Cancelled => K::StatusCancelled,
    };
    let prompt = card.draft.as_ref().map(|d| d.prompt.clone()).unwrap_or_default();
    let body = match card.status {
        JobStatus::Queued | JobStatus::Running => {
            let job = card.job.clone();
            let start = job.as_ref().map(|j| j.started_at.unwrap_or(j.created_at).timestamp_millis() as f64);
            let estimate = job.as_ref().map_or(if video { 300 } else { 90 }, |j| j.estimate_seconds) as f64;
            let elapsed = move || start.map_or(0.0, |s| ((jobs.now.get() - s) / 1000.0).max(0.0));
            let remaining = move || {
                let left = estimate - elapsed();
                if left < 10.0 {
                    i18n.t(K::AlmostDone).to_string()
                } else {
                    clock(left as i64)
                }
            };
            let pct = move || (elapsed() / estimate * 100.0).clamp(8.0, 96.0);
            let cancelling = RwSignal::new(false);
            let cancel = move |_| {
                cancelling.set(true);
                spawn_local(async move {
                    match api::cancel_job(id).await {
                        Ok(j) if j.status == JobStatus::Cancelled => {
                            mark_seen(id);
                            jobs.remove(id);
                            toasts.info(i18n.t(K::JobCancelled));
                        }
                        Ok(j) => jobs.apply(j),
                        Err(e) => {
                            cancelling.try_set(false);
                            toasts.error(error_text(&e, i18n));
                        }
                    }
                });
            };
            view! {
                <div class="job-progress">
                    <p class="small muted" data-testid="job-status">{move || i18n.t(status_key)}" · "{move || i18n.t(K::KeepPageOpen)}</p>
                    <div class="job-tiles">
                        <div class="job-tile"><span class="small muted">{move || i18n.t(K::Elapsed)}</span>
                            <strong data-testid="job-elapsed">{move || clock(elapsed() as i64)}</strong></div>
                        <div class="job-tile"><span class="small muted">{move || i18n.t(K::Remaining)}</span>
                            <strong>{remaining}</strong></div>
                    </div>
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                        aria-valuenow=move || format!("{:.0}", pct()) aria-label=move || i18n.t(title)>
                        <div class="progress-fill" style=move || format!("width: {:.0}%", pct())></div>
                    </div>
                    <button type="button" class="btn btn-outline btn-sm job-cancel" data-testid="job-cancel"
                        disabled=move || cancelling.get() on:click=cancel>{move || i18n.t(K::CancelJob)}</button>
                </div>
            }
            .into_any()
        }
        JobStatus::Succeeded => {
            let outs = card.job.as_ref().map(|j| outputs(&j.result)).unwrap_or_default();
            let cost = card.job.as_ref().and_then(|j| j.credits_cost);
            let media: Vec<Media> = outs.iter().map(|o| o.media.clone()).collect();
            view! {
                {cost.filter(|c| *c > 0).map(|c| view! { <span class="chip chip-gold cost-chip">{format!("-{c} ")}{move || i18n.t(K::CreditsUnit)}</span> })}
                <div class="result-grid" data-testid="result-grid">
                    {outs.into_iter().enumerate().map(|(i, o)| {
                        let media = media.clone();
                        view! { <ResultTile out=o index=i all=media actions=actions/> }
                    }).collect_view()}
                </div>
            }
            .into_any()
        }
        JobStatus::Failed => {
            let code = card.job.as_ref().and_then(|j| j.error_code.clone());
            let raw = card.message.clone().unwrap_or_default();
            let reason = code.as_deref().and_then(|c| i18n.error(c, &raw)).unwrap_or(raw);
            let k = explain(code.as_deref(), Some(500));
            view! { <ErrorPanel reason=reason explanation=k credits_link={k == K::ErrCredits}/> }.into_any()
        }
        JobStatus::Cancelled => view! { <p class="muted small">{move || i18n.t(K::JobCancelled)}</p> }.into_any(),
    };
    let done = card.status.is_terminal();
    let draft = card.draft.clone();
    let copy_prompt = prompt.clone();
    view! {
        <article class="glass-panel job-card" data-testid="job-card" data-status=card.status.as_str() data-job=id.to_string()>
            <header class="job-head">
                <strong>{move || i18n.t(if done { K::ModeResult } else { title })}</strong>
                <span class=format!("chip status-{}", card.status.as_str())>{move || i18n.t(status_key)}</span>
                {card.while_away.then(|| view! { <span class="chip chip-gold" data-testid="while-away">{move || i18n.t(K::FinishedWhileAway)}</span> })}
                {done.then(|| view! {
                    <button type="button" class="icon-btn job-close" aria-label=move || i18n.t(K::Close)
                        on:click=move |_| jobs.remove(id)>"×"</button>
                })}
            </header>
            {(!prompt.is_empty()).then(|| view! { <p class="job-prompt">{prompt.clone()}</p> })}
            {body}
            {done.then(|| view! {
                <div class="btn-row job-actions">
                    {(!copy_prompt.is_empty()).then(|| {
                        let p = copy_prompt.clone();
                        view! { <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| copy_with_toast(p.clone(), toasts, i18n)>
                            {move || i18n.t(K::CopyPrompt)}</button> }
                    })}
                    {draft.clone().map(|d| view! {
                        <button type="button" class="btn btn-ghost btn-sm" data-testid="reuse"
                            on:click=move |_| actions.reuse.run(d.clone())>{move || i18n.t(K::ReuseParams)}</button>
                    })}
                </div>
            })}
        </article>
    }
}

#[component]
fn ResultTile(out: Output, index: usize, all: Vec<Media>, actions: CardActions) -> impl IntoView {
    let (i18n, toasts, viewer) = (use_i18n(), use_toasts(), use_viewer());
    let published = RwSignal::new(false);
    let asking = RwSignal::new(false);
    let m = out.media.clone();
    let original = m.original.clone();
    let work = out.work_id;
    let done = Callback::new(move |_: miaojing_api_types::works::PublishResponse| {
        published.try_set(true);
        asking.try_set(false);
        toasts.success(i18n.t(K::Published));
    });
    let cancel = Callback::new(move |_: ()| asking.set(false));
    let (o1, o2, o3) = (original.clone(), original.clone(), original.clone());
    let size = m.width.zip(m.height).map(|(w, h)| format!("{w}×{h}"));
    view! {
        <figure class="result-tile">
            <button type="button" class="result-open" aria-label=move || i18n.t(K::Fullscreen) data-testid="result-open"
                on:click=move |_| viewer.open(all.clone(), index)>
                {if m.video {
                    view! { <video src=m.original.clone() preload="none" muted=true playsinline=true poster=m.thumb.clone()></video> }.into_any()
                } else {
                    view! { <img src=m.thumb.clone() alt="" loading="lazy" data-testid="result-img"/> }.into_any()
                }}
                {size.map(|s| view! { <span class="size-badge">{s}</span> })}
            </button>
            <figcaption class="btn-row">
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| download(o1.clone(), toasts, i18n)>{move || i18n.t(K::Download)}</button>
                {work.map(|w| view! {
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="publish" disabled=move || published.get() || asking.get()
                        on:click=move |_| asking.set(true)>
                        {move || i18n.t(if published.get() { K::PublishedShort } else { K::Publish })}</button>
                    {move || asking.get().then(|| view! { <PublishForm work=w done=done cancel=cancel/> })}
                })}
                {(!m.video).then(|| view! {
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="to-img2img"
                        on:click=move |_| actions.send_to.run((false, o2.clone()))>{move || i18n.t(K::ToImg2Img)}</button>
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="to-img2video"
                        on:click=move |_| actions.send_to.run((true, o3.clone()))>{move || i18n.t(K::ToImg2Video)}</button>
                })}
            </figcaption>
        </figure>
    }
}
