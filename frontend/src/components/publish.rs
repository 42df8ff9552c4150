//! Publishing a work to the gallery with an optional title (at most 80 characters; the server
//! checks it and says what is wrong).
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::works::PublishResponse;
use uuid::Uuid;

use crate::api;
use crate::i18n::{use_i18n, K};
use crate::pages::error_text;
use crate::toast::use_toasts;

/// Longest title the server accepts, in characters.
pub const TITLE_MAX: usize = 80;

/// The title field and the confirm and cancel buttons shown once "Share" is pressed. `done`
/// gets the server's answer; `cancel` closes the form.
#[component]
pub fn PublishForm(work: Uuid, done: Callback<PublishResponse>, cancel: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let title = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let send = move || {
        busy.set(true);
        spawn_local(async move {
            match api::publish(work, true, Some(title.get_untracked())).await {
                Ok(r) => done.run(r),
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            busy.try_set(false);
        });
    };
    view! {
        <span class="publish-title">
            <input type="text" class="input" maxlength=TITLE_MAX.to_string() data-testid="publish-title"
                aria-label=move || i18n.t(K::TitleOptional) placeholder=move || i18n.t(K::TitleOptional)
                prop:value=title on:input=move |ev| title.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Enter" { send() } />
            <button type="button" class="btn btn-gold btn-sm" data-testid="publish-confirm" disabled=move || busy.get()
                on:click=move |_| send()>{move || i18n.t(K::Publish)}</button>
            <button type="button" class="btn btn-outline btn-sm" on:click=move |_| cancel.run(())>{move || i18n.t(K::Cancel)}</button>
        </span>
    }
}
