//! Announcements: list with state, create / edit (markdown content, pop-up flag, validity
//! window), enable / disable and delete.
use leptos::prelude::*;
use miaojing_api_types::site::{Announcement, AnnouncementInput};

use super::{from_local_input, to_local_input, when};
use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::{reloading, table_of, Dialog, Field, Input, Tag, Toggle, Writer};
use crate::i18n::use_i18n;
use crate::toast::use_toasts;

/// Live, scheduled, expired or disabled.
fn state(a: &Announcement) -> (C, &'static str) {
    let now = super::now();
    if !a.is_active {
        (C::Disabled, "")
    } else if a.expires_at.is_some_and(|t| t <= now) {
        (C::Expired, "bad")
    } else if a.starts_at.is_some_and(|t| t > now) {
        (C::Scheduled, "warn")
    } else {
        (C::Live, "ok")
    }
}

#[component]
pub fn Announcements() -> impl IntoView {
    let i18n = use_i18n();
    let (w, list) = reloading(admin::all_announcements);
    let version = w.version;
    let editing = RwSignal::new(None::<Option<Announcement>>);
    let done = Callback::new(move |_| {
        editing.set(None);
        version.update(|v| *v += 1);
    });
    let set_enabled = move |id, on: bool| {
        let req = AnnouncementInput { id: Some(id), enabled: Some(on), ..Default::default() };
        w.run(async move { admin::save_announcement(&req).await }, None, None);
    };
    let remove = move |a: Announcement| {
        w.delete(&a.title, a.id, |id| Box::pin(admin::delete_announcement(id)));
    };
    let table = table_of(
        list,
        C::ViewAnnouncements,
        vec![C::Title, C::Status, C::Popup, C::Window, C::Enabled, C::Actions],
        |l| l,
        move |a| {
            let (st, tone) = state(&a);
            let (a1, a2) = (a.clone(), a.clone());
            let id = a.id;
            view! {
                <tr>
                    <td><div class="strong">{a.title.clone()}</div><div class="muted small clamp">{a.content.chars().take(120).collect::<String>()}</div></td>
                    <td><Tag text=Signal::derive(move || i18n.c(st).to_string()) tone=tone/></td>
                    <td>{if a.popup { "✓" } else { "—" }}</td>
                    <td class="nowrap">{format!("{} → {}", when(a.starts_at), when(a.expires_at))}</td>
                    <td>
                        <label class="switch">
                            <input type="checkbox" role="switch" prop:checked=a.is_active aria-label=move || i18n.c(C::Enabled)
                                on:change=move |ev| set_enabled(id, event_target_checked(&ev)) />
                            <span class="switch-track" aria-hidden="true"></span>
                        </label>
                    </td>
                    <td class="actions">
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| editing.set(Some(Some(a1.clone())))>{move || i18n.c(C::Edit)}</button>
                        <button type="button" class="btn btn-danger btn-sm" on:click=move |_| remove(a2.clone())>{move || i18n.c(C::Delete)}</button>
                    </td>
                </tr>
            }
        },
    );
    view! {
        <div class="c-view">
            <section class="glass-panel c-card">
                <div class="c-toolbar">
                    <button type="button" class="btn btn-gold btn-sm" on:click=move |_| editing.set(Some(None))>{move || i18n.c(C::AddAnnouncement)}</button>
                </div>
                {table}
            </section>
            {move || editing.get().map(|a| view! { <AnnouncementForm item=a done=done/> })}
        </div>
    }
}

#[component]
fn AnnouncementForm(item: Option<Announcement>, done: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let title = RwSignal::new(item.as_ref().map(|a| a.title.clone()).unwrap_or_default());
    let content = RwSignal::new(item.as_ref().map(|a| a.content.clone()).unwrap_or_default());
    let start = RwSignal::new(to_local_input(item.as_ref().and_then(|a| a.starts_at)));
    let end = RwSignal::new(to_local_input(item.as_ref().and_then(|a| a.expires_at)));
    let enabled = RwSignal::new(item.as_ref().is_none_or(|a| a.is_active));
    let popup = RwSignal::new(item.as_ref().is_none_or(|a| a.popup));
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let id = item.as_ref().map(|a| a.id);
    let save = move |_| {
        let req = AnnouncementInput {
            id,
            title: Some(title.get_untracked()),
            content: Some(content.get_untracked()),
            start_date: from_local_input(&start.get_untracked()),
            end_date: from_local_input(&end.get_untracked()),
            enabled: Some(enabled.get_untracked()),
            popup: Some(popup.get_untracked()),
        };
        w.then(async move { admin::save_announcement(&req).await }, move |_| {
            toasts.success(i18n.c(C::Saved));
            done.run(());
        });
    };
    let heading = Signal::derive(move || i18n.c(if id.is_none() { C::AddAnnouncement } else { C::EditAnnouncement }).to_string());
    view! {
        <Dialog title=heading on_close=done wide=true>
            <div class="form-grid">
                <Field label=C::Title value=title required=true wide=true/>
                <Field label=C::ContentMd value=content input=Input::Area required=true wide=true/>
                <Field label=C::StartsAt value=start input=Input::DateTime/>
                <Field label=C::EndsAt value=end input=Input::DateTime/>
                <Toggle label=C::Enabled value=enabled/>
                <Toggle label=C::Popup value=popup hint=C::PopupHint/>
            </div>
            <div class="modal-actions">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::Save)}</button>
            </div>
        </Dialog>
    }
}
