//! The thread of results: the empty state with starter phrases, the job cards, the reverse
//! prompt's result and the submission's error. On phones the newest entry scrolls into view.
use leptos::prelude::*;

use super::jobs::{api_error_panel, CardActions, Draft, JobCards};
use super::mode::{Mode, ModeView};
use super::Page;
use crate::components::media::copy_with_toast;
use crate::i18n::{use_i18n, K};
use crate::toast::use_toasts;

#[component]
pub(super) fn Thread(page: Page, actions: CardActions) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let Page { mode, jobs, form, submitting, submit_error, reverse_out, insert_mention, .. } = page;
    // On phones the newest entry of the thread scrolls into view (above the composer).
    let thread_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let n = jobs.cards.with(Vec::len);
        let extra = reverse_out.with(Option::is_some) as usize + submit_error.with(Option::is_some) as usize;
        if n + extra == 0 || window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1024.0) >= 768.0 {
            return;
        }
        request_animation_frame(move || {
            if let Some(last) = thread_ref.get_untracked().and_then(|t| t.last_element_child()) {
                last.scroll_into_view_with_bool(false);
            }
        });
    });

    let reverse_card = move || {
        reverse_out.get().map(|out| {
            let structured = form.reverse_kind.get_untracked() == "structured";
            let text = if structured && !out.structured_prompt.trim().is_empty() { out.structured_prompt.clone() } else { out.general_prompt.clone() };
            let (t1, t2) = (text.clone(), text.clone());
            let negative = out.negative_prompt.clone();
            view! {
                <article class="glass-panel job-card" data-testid="reverse-result">
                    <header class="job-head"><strong>{move || i18n.t(K::ReverseResult)}</strong></header>
                    {out.reference_image.clone().map(|src| view! { <img class="reverse-ref" src=src alt=""/> })}
                    <p class="job-prompt" data-testid="reverse-text">{text}</p>
                    {(!negative.trim().is_empty()).then(|| view! {
                        <p class="small muted"><span>{move || i18n.t(K::NegativeLabel)}</span>": "{negative.clone()}</p>
                    })}
                    <div class="btn-row">
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| copy_with_toast(t1.clone(), toasts, i18n)>
                            {move || i18n.t(K::CopyPrompt)}</button>
                        <button type="button" class="btn btn-outline btn-sm" data-testid="reverse-generate"
                            on:click=move |_| actions.reuse.run(Draft { mode: Mode::Text2Img.id().into(), prompt: t2.clone(), ..Default::default() })>
                            {move || i18n.t(K::GenerateImage)}</button>
                    </div>
                </article>
            }
        })
    };

    let empty = move || {
        jobs.cards.with(Vec::is_empty) && reverse_out.with(Option::is_none) && submit_error.with(Option::is_none) && !submitting.get()
    };

    view! {
        <div class="create-thread" data-testid="create-thread" node_ref=thread_ref aria-live="polite">
            <Show when=empty>
                <div class="thread-empty glass-panel" data-testid="thread-empty">
                    <span class="thread-empty-icon" aria-hidden="true">"✦"</span>
                    <strong class="thread-empty-title">{move || i18n.t(mode.get().empty_title())}</strong>
                    <p class="small">{move || i18n.t(K::ResultsHere)}</p>
                    <div class="model-chips">
                        {move || mode.get().starters().iter().map(|k| {
                            let k = *k;
                            view! { <button type="button" class="chip chip-btn" on:click=move |_| insert_mention.run(i18n.t(k).to_string())>
                                {move || i18n.t(k)}</button> }
                        }).collect_view()}
                    </div>
                </div>
            </Show>
            <JobCards jobs=jobs actions=actions/>
            {reverse_card}
            <Show when=move || submitting.get() && mode.get() == Mode::ReversePrompt>
                <article class="glass-panel job-card" data-testid="reverse-busy">
                    <p class="muted">{move || i18n.t(K::Reversing)}</p>
                    <div class="progress"><div class="progress-fill indeterminate"></div></div>
                </article>
            </Show>
            {move || submit_error.get().map(|e| view! { <div class="job-card glass-panel">{api_error_panel(&e, i18n)}</div> })}
        </div>
    }
}
