//! Profile history tab: the caller's works, filtered by mode, paged with "load more";
//! each can be opened full screen, shared to (or withdrawn from) the gallery, and deleted
//! after a confirmation.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::vocab::Mode;
use miaojing_api_types::works::{HistoryRecord, PublishResponse};

use crate::api;
use crate::browser::local_minute;
use crate::components::media::{copy_with_toast, use_viewer, Media};
use crate::components::publish::PublishForm;
use crate::components::SkeletonLines;
use crate::i18n::{mode_label, use_i18n, K};
use crate::pages::error_text;
use crate::toast::use_toasts;

const PAGE: u32 = 24;

fn media_of(r: &HistoryRecord) -> Media {
    Media {
        thumb: r.thumbnail_url.clone().unwrap_or_else(|| r.url.clone()),
        original: r.url.clone(),
        video: r.mode.is_video(),
        width: r.width,
        height: r.height,
    }
}

#[component]
pub fn HistoryTab() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let mode = RwSignal::new(String::new());
    let records = RwSignal::new(Vec::<HistoryRecord>::new());
    let cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let load = move |more: bool| {
        let m = mode.get_untracked();
        let c = if more { cursor.get_untracked() } else { None };
        busy.set(true);
        spawn_local(async move {
            match api::creation_history(Some(m.as_str()).filter(|m| !m.is_empty()), PAGE, c.as_deref()).await {
                Ok(p) => {
                    if mode.try_get_untracked().as_deref() != Some(m.as_str()) {
                        return;
                    }
                    records.update(|v| {
                        if !more {
                            v.clear();
                        }
                        v.extend(p.records);
                    });
                    cursor.set(p.next_cursor);
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            loaded.try_set(true);
            busy.try_set(false);
        });
    };
    Effect::new(move |_| {
        mode.track();
        load(false);
    });

    view! {
        <section class="glass-panel card-pad history-tab" data-testid="history">
            <div class="label-row">
                <h2 class="card-title">{move || i18n.t(K::TabHistory)}</h2>
                <select id="history-mode" class="input history-filter" aria-label=move || i18n.t(K::HistoryFilter)
                    on:change=move |ev| mode.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(K::AllModes)}</option>
                    {Mode::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{move || i18n.t(mode_label(m))}</option> }).collect_view()}
                </select>
            </div>
            <Show when=move || loaded.get() fallback=|| view! { <SkeletonLines lines=4/> }>
                <Show when=move || !records.with(Vec::is_empty) fallback=move || view! {
                    <p class="muted" data-testid="history-empty">{move || i18n.t(K::HistoryEmpty)}</p>
                }>
                    <div class="history-grid">
                        <For each=move || records.get() key=|r| (r.id, r.published) let:r>
                            <HistoryItem record=r records=records/>
                        </For>
                    </div>
                </Show>
            </Show>
            <Show when=move || cursor.with(Option::is_some)>
                <button type="button" class="btn btn-outline btn-sm" disabled=move || busy.get() on:click=move |_| load(true)>
                    {move || i18n.t(K::LoadMore)}</button>
            </Show>
        </section>
    }
}

#[component]
fn HistoryItem(record: HistoryRecord, records: RwSignal<Vec<HistoryRecord>>) -> impl IntoView {
    let (i18n, toasts, viewer) = (use_i18n(), use_toasts(), use_viewer());
    let id = record.id;
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let published = record.published;
    let m = media_of(&record);
    let has_media = !record.url.is_empty() && record.mode != Mode::ReversePrompt;
    let prompt = record.prompt.clone();
    let asking = RwSignal::new(false);
    let show = move |r: PublishResponse| {
        records.update(|v| {
            if let Some(x) = v.iter_mut().find(|x| x.id == id) {
                x.published = r.published;
                x.title = r.title.clone();
            }
        });
        toasts.success(i18n.t(if r.published { K::Published } else { K::Unpublished }));
    };
    let done = Callback::new(show);
    let cancel = Callback::new(move |_: ()| asking.set(false));
    // Sharing asks for a title first; unsharing happens at once.
    let toggle_publish = move |_| {
        if !published {
            asking.set(true);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::publish(id, false, None).await {
                Ok(r) => show(r),
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            busy.try_set(false);
        });
    };
    let delete = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::delete_work(id).await {
                Ok(_) => {
                    records.update(|v| v.retain(|x| x.id != id));
                    toasts.success(i18n.t(K::WorkDeleted));
                }
                Err(e) => {
                    busy.try_set(false);
                    toasts.error(error_text(&e, i18n));
                }
            }
        });
    };
    view! {
        <article class="history-item" data-testid="history-item" data-id=id.to_string() data-mode=record.mode.as_str()>
            {has_media.then(|| {
                let m2 = m.clone();
                view! {
                    <button type="button" class="result-open" aria-label=move || i18n.t(K::Fullscreen)
                        on:click=move |_| viewer.open(vec![m2.clone()], 0)>
                        <img src=m.thumb.clone() alt="" loading="lazy"/>
                        {m.video.then(|| view! { <span class="play-glyph" aria-hidden="true">"▶"</span> })}
                    </button>
                }
            })}
            {(!record.title.is_empty()).then(|| view! { <p class="history-title small"><strong>{record.title.clone()}</strong></p> })}
            <p class="history-prompt small">{record.prompt.clone()}</p>
            <p class="muted small">{local_minute(record.created_at)}</p>
            <div class="btn-row">
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| copy_with_toast(prompt.clone(), toasts, i18n)>
                    {move || i18n.t(K::CopyPrompt)}</button>
                {has_media.then(|| view! {
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="history-publish" disabled=move || busy.get() || asking.get()
                        on:click=toggle_publish>{move || i18n.t(if published { K::Unpublish } else { K::Publish })}</button>
                    {move || asking.get().then(|| view! { <PublishForm work=id done=done cancel=cancel/> })}
                })}
                {move || if confirming.get() {
                    view! {
                        <span class="small" role="alert">{move || i18n.t(K::ConfirmDeleteWork)}</span>
                        <button type="button" class="btn btn-danger btn-sm" data-testid="history-confirm-delete" disabled=move || busy.get()
                            on:click=delete>{move || i18n.t(K::ConfirmDelete)}</button>
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| confirming.set(false)>
                            {move || i18n.t(K::Cancel)}</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-ghost btn-sm" data-testid="history-delete"
                            on:click=move |_| confirming.set(true)>{move || i18n.t(K::Delete)}</button>
                    }.into_any()
                }}
            </div>
        </article>
    }
}
