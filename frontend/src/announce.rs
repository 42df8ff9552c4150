//! The announcement pop-up: the first pop-up announcement inside its validity window that
//! this browser has not dismissed yet, shown shortly after load. Dismissed ids are kept in
//! localStorage under [`DISMISSED_KEY`].
//!
//! Announcements speak to the site's visitors: the admin console (where they are written)
//! never shows the pop-up, so it cannot cover a control the admin is about to use.
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;
use miaojing_api_types::areas::Area;
use miaojing_api_types::site::Announcement;

use crate::api;
use crate::browser::now_millis;
use crate::i18n::{use_i18n, K};
use crate::markdown;
use crate::storage;

/// localStorage key: JSON array of dismissed announcement ids.
pub const DISMISSED_KEY: &str = "miaojing_dismissed_announcements";
/// At most this many ids are remembered (oldest dropped first).
const MAX_DISMISSED: usize = 50;
/// Delay after load before the pop-up opens, as the original did.
const OPEN_DELAY_MS: u64 = 800;

fn dismissed() -> Vec<String> {
    storage::get(DISMISSED_KEY).and_then(|raw| serde_json::from_str(&raw).ok()).unwrap_or_default()
}

fn remember_dismissed(id: &str) {
    let mut ids = dismissed();
    if !ids.iter().any(|d| d == id) {
        ids.push(id.to_string());
    }
    let skip = ids.len().saturating_sub(MAX_DISMISSED);
    if let Ok(json) = serde_json::to_string(&ids[skip..]) {
        storage::set(DISMISSED_KEY, &json);
    }
}

/// Whether an announcement should pop up at `now_ms`.
fn shows_now(a: &Announcement, now_ms: i64) -> bool {
    let start = a.starts_at.or(a.start_date);
    let end = a.expires_at.or(a.end_date);
    a.popup && a.is_active && start.is_none_or(|s| s.timestamp_millis() <= now_ms) && end.is_none_or(|e| e.timestamp_millis() > now_ms)
}

#[component]
pub fn AnnouncementPopup() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(None::<Announcement>);
    let ok_btn = NodeRef::<leptos::html::Button>::new();
    let pathname = use_location().pathname;
    let in_console = Memo::new(move |_| Area::of(&pathname.get()) == Area::Console);

    if in_console.get_untracked() {
        return ().into_any();
    }
    set_timeout(
        move || {
            spawn_local(async move {
                let Ok(list) = api::announcements().await else { return };
                let gone = dismissed();
                let now = now_millis();
                let next = list.into_iter().find(|a| shows_now(a, now) && !gone.contains(&a.id.to_string()));
                current.try_set(next);
            })
        },
        Duration::from_millis(OPEN_DELAY_MS),
    );

    // Focus the button when the dialog opens, so Enter/Esc work at once.
    Effect::new(move |_| {
        if let Some(btn) = ok_btn.get() {
            let _ = btn.focus();
        }
    });

    let close = move || {
        if let Some(a) = current.get_untracked() {
            remember_dismissed(&a.id.to_string());
        }
        current.set(None);
    };

    view! {
        {move || current.get().filter(|_| !in_console.get()).map(|a| {
            let body = markdown::render(markdown::blocks(&a.content), 2);
            view! {
                <div
                    class="modal-backdrop"
                    on:click=move |_| close()
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }
                >
                    <div
                        class="modal glass-panel"
                        role="dialog"
                        aria-modal="true"
                        aria-labelledby="announcement-title"
                        on:click=|ev| ev.stop_propagation()
                    >
                        <p class="modal-kicker">{move || i18n.t(K::Announcement)}</p>
                        <h2 id="announcement-title" class="modal-title">{a.title.clone()}</h2>
                        <div class="announcement-body">{body}</div>
                        <div class="modal-actions">
                            <button type="button" class="btn btn-gold" node_ref=ok_btn on:click=move |_| close()>
                                {move || i18n.t(K::GotIt)}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })}
    }
    .into_any()
}
