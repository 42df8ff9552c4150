//! `/create?type=`: the five creation modes. The page holds the state ([`Page`]) and the
//! submission; the thread of results ([`thread`], with the job cards of [`jobs`]) and the form
//! ([`composer`], with the reference images of [`refs`]) are its two halves. Below 768 px the
//! page is a chat: the thread from oldest to newest and the form as a composer fixed above the
//! bottom bar.
mod composer;
mod form;
mod jobs;
mod mode;
mod models;
mod refs;
mod thread;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use miaojing_api_types::generation::{ReversePromptInput, ReversePromptOutput};
use miaojing_api_types::providers::{ModelConfig, StylePresetView};
use serde_json::Value;

use self::composer::Composer;
use self::form::Form;
use self::jobs::{CardActions, Draft, Jobs};
use self::mode::{mode_from_id, Mode, ModeView};
use self::models::{model_choices, ModelChoice};
use self::refs::{from_site_url, RefImage};
use self::thread::Thread;
use crate::api::{self, ApiError};
use crate::browser;
use crate::i18n::{use_i18n, K};
use crate::session::use_session;
use crate::toast::use_toasts;

/// The create page's state, shared by its halves.
#[derive(Clone, Copy)]
struct Page {
    mode: Memo<Mode>,
    presets: RwSignal<Vec<StylePresetView>>,
    jobs: Jobs,
    /// The picker's models for the mode.
    choices: Memo<Vec<ModelChoice>>,
    /// The picked model's value.
    selected: RwSignal<String>,
    /// The picked model's capabilities.
    caps: Memo<Value>,
    form: Form,
    submitting: RwSignal<bool>,
    submit_error: RwSignal<Option<ApiError>>,
    reverse_out: RwSignal<Option<ReversePromptOutput>>,
    /// Adds a phrase (a starter, an `@参考图N` mention) to the prompt.
    insert_mention: Callback<String>,
}

#[component]
pub fn Create() -> impl IntoView {
    let (i18n, toasts, session) = (use_i18n(), use_toasts(), use_session());
    let query = use_query_map();
    let navigate = use_navigate();
    let go = crate::bundle::use_go();
    let mode = Memo::new(move |_| query.with(|q| q.get("type")).and_then(|t| mode_from_id(&t)).unwrap_or(Mode::Text2Img));
    let config = RwSignal::new(None::<ModelConfig>);
    let presets = RwSignal::new(Vec::<StylePresetView>::new());
    let logged_in = Memo::new(move |_| session.is_logged_in());
    Effect::new(move |_| {
        if logged_in.get() {
            spawn_local(async move {
                if let Ok(c) = api::model_config().await {
                    config.try_set(Some(c));
                }
            });
        } else {
            config.set(None);
        }
    });
    spawn_local(async move {
        if let Ok(p) = api::style_presets().await {
            presets.try_set(p.presets);
        }
    });
    let jobs = Jobs::start(logged_in);

    let choices = Memo::new(move |_| config.with(|c| c.as_ref().map(|c| model_choices(c, mode.get(), i18n)).unwrap_or_default()));
    let selected = RwSignal::new(String::new());
    // A stale or empty selection falls back to the first option.
    Effect::new(move |_| {
        let list = choices.get();
        if !list.iter().any(|c| c.value == selected.get_untracked()) {
            selected.set(list.first().map(|c| c.value.clone()).unwrap_or_default());
        }
    });
    let caps = Memo::new(move |_| {
        let sel = selected.get();
        choices.with(|l| l.iter().find(|c| c.value == sel).map(|c| c.capabilities.clone())).unwrap_or(Value::Null)
    });

    let form = Form::new();
    let insert_mention = Callback::new(move |tag: String| {
        form.prompt.update(|p| {
            if !p.is_empty() && !p.ends_with(char::is_whitespace) {
                p.push(' ');
            }
            p.push_str(&tag);
        });
    });

    // Mode changes go through the URL; callbacks ask for one through this signal.
    let goto = RwSignal::new(None::<Mode>);
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(m) = goto.get() {
                navigate(&format!("/create?type={}", m.id()), NavigateOptions { replace: true, scroll: false, ..Default::default() });
            }
        });
    }
    let select_mode = move |m: Mode| goto.set(Some(m));

    let actions = CardActions {
        reuse: Callback::new(move |d: Draft| {
            if let Some(m) = mode_from_id(&d.mode) {
                goto.set(Some(m));
            }
            form.apply(&d);
            if !d.model.is_empty() {
                selected.set(d.model.clone());
            }
            toasts.success(i18n.t(K::DraftApplied));
        }),
        send_to: Callback::new(move |(video, url): (bool, String)| {
            goto.set(Some(if video { Mode::Img2Video } else { Mode::Img2Img }));
            spawn_local(async move {
                let img = if url.starts_with('/') { from_site_url(&url).await } else { Ok(RefImage { src: url, width: 0, height: 0 }) };
                match img {
                    Ok(r) => {
                        form.refs.try_set(vec![r]);
                        toasts.success(i18n.t(K::SentAsReference));
                    }
                    Err(_) => toasts.error(i18n.t(K::RefNotImage)),
                }
            });
        }),
    };

    // Submission.
    let submitting = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<ApiError>);
    let reverse_out = RwSignal::new(None::<ReversePromptOutput>);
    let submit = move || {
        if !logged_in.get_untracked() {
            toasts.info(i18n.t(K::LoginToCreate));
            goto.set(None);
            let to = format!("/auth/login?redirect={}", browser::encode(&browser::current_path()));
            go.to(&to, Default::default());
            return;
        }
        let m = mode.get_untracked();
        let refs: Vec<String> = form.refs.get_untracked().into_iter().take(m.max_refs()).map(|r| r.src).collect();
        if m.max_refs() > 0 && refs.is_empty() && m != Mode::Text2Video {
            toasts.error(i18n.t(K::NeedRefImage));
            return;
        }
        submit_error.set(None);
        if m == Mode::ReversePrompt {
            let req = ReversePromptInput {
                image: refs.first().cloned(),
                output_mode: Some(form.reverse_kind.get_untracked()),
                language: Some(form.reverse_lang.get_untracked()),
            };
            submitting.set(true);
            reverse_out.set(None);
            spawn_local(async move {
                match api::reverse_prompt(&req).await {
                    Ok(out) => {
                        reverse_out.try_set(Some(out));
                    }
                    Err(e) => {
                        submit_error.try_set(Some(e));
                    }
                }
                submitting.try_set(false);
            });
            return;
        }
        let model = selected.get_untracked();
        let job = presets.with_untracked(|p| form.job(m, model, &caps.get_untracked(), p, refs));
        let (req, draft) = match job {
            Ok(job) => job,
            Err(k) => {
                toasts.error(i18n.t(k));
                return;
            }
        };
        submitting.set(true);
        spawn_local(async move {
            match api::create_job(&req).await {
                Ok(created) => jobs.submitted(created.job_id, draft),
                Err(e) => {
                    submit_error.try_set(Some(e));
                }
            }
            submitting.try_set(false);
        });
    };

    let page = Page { mode, presets, jobs, choices, selected, caps, form, submitting, submit_error, reverse_out, insert_mention };

    view! {
        <section class="container create-page create-chat-layout">
            <h1 class="page-title create-heading">{move || i18n.t(K::CreateTitle)}</h1>
            <div class="mode-bar" data-testid="mode-bar">
                <div class="tabs mode-tabs" role="tablist" aria-label=move || i18n.t(K::CreateTitle)>
                    {Mode::ALL.into_iter().map(|m| {
                        view! {
                            <button type="button" role="tab" class="tab" data-mode=m.id()
                                aria-selected=move || (mode.get() == m).to_string()
                                on:click=move |_| select_mode(m)>{move || i18n.t(m.label())}</button>
                        }
                    }).collect_view()}
                </div>
            </div>
            <div class="create-grid">
            <Thread page=page actions=actions/>
            <Composer page=page submit=Callback::new(move |_: ()| submit())/>
            </div>
        </section>
    }
}
