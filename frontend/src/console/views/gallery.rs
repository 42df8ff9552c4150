//! Gallery moderation: public works with their authors; edit a prompt (the author is mailed
//! first; no mail, no change); unpublish a work or a selection (the authors keep them in their
//! history); or delete a work for good, with its files, after a confirmation.
use leptos::prelude::*;
use miaojing_api_types::works::{GalleryWork, PromptEdit};

use super::{short_id, when, PAGE_SIZES};
use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::{confirm, first_page_on, page_counts, table_of, Choice, Dialog, Field, Input, Pager, Writer};
use crate::i18n::use_i18n;
use crate::toast::use_toasts;

const KINDS: [(&str, C); 7] = [
    ("all", C::All),
    ("image", C::MediaImage),
    ("video", C::MediaVideo),
    ("text2img", C::ModeText2Img),
    ("img2img", C::ModeImg2Img),
    ("text2video", C::Text2Video),
    ("img2video", C::Img2Video),
];

/// Reason templates: key, label, e-mail subject, e-mail body.
const REASONS: [(&str, C); 5] = [
    ("remove_sensitive_words", C::ReasonSensitive),
    ("improve_wording", C::ReasonWording),
    ("remove_private_info", C::ReasonPrivacy),
    ("platform_policy_adjustment", C::ReasonPolicy),
    ("custom", C::ReasonCustom),
];

#[component]
pub fn Gallery() -> impl IntoView {
    let i18n = use_i18n();
    let search = RwSignal::new(String::new());
    let kind = RwSignal::new("all".to_string());
    let size = RwSignal::new("20".to_string());
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let w = Writer::new(version);
    first_page_on(page, move || {
        (search.track(), kind.track(), size.track());
    });
    let list = LocalResource::new(move || {
        version.track();
        admin::gallery_works(vec![("q", search.get()), ("type", kind.get()), ("page", page.get().to_string()), ("pageSize", size.get())])
    });
    let (total, pages) = page_counts(list, |l| (l.total, l.total_pages));
    let editing = RwSignal::new(None::<GalleryWork>);
    let done = Callback::new(move |_| {
        editing.set(None);
        version.update(|v| *v += 1);
    });
    // Works picked for a bulk unpublish (cleared after each successful write).
    let selected = RwSignal::new(Vec::<uuid::Uuid>::new());
    Effect::new(move |_| {
        version.track();
        page.track();
        selected.set(Vec::new());
    });
    let take_down = move |g: GalleryWork| {
        if confirm(&format!("{} {}?", i18n.c(C::ConfirmTakeDown), short_id(g.id))) {
            w.run(admin::take_down(g.id), Some(C::TakenDown), None);
        }
    };
    let take_down_selected = move |_| {
        let ids = selected.get_untracked();
        if !ids.is_empty() && confirm(&format!("{} ({})?", i18n.c(C::ConfirmTakeDown), ids.len())) {
            w.run(admin::unpublish(ids), Some(C::TakenDown), None);
        }
    };
    let remove = move |g: GalleryWork| {
        w.confirmed(C::ConfirmDeleteForGood, &short_id(g.id), g.id, |id| Box::pin(admin::delete_work(id)));
    };
    let table = table_of(
        list,
        C::ViewGallery,
        vec![C::SelectWork, C::Work, C::Author, C::Prompt, C::Published, C::Likes, C::Actions],
        |l| l.works,
        move |w| {
            let (w1, w2, w3) = (w.clone(), w.clone(), w.clone());
            let id = w.id;
            let thumb = w.thumbnail_url.clone().unwrap_or_else(|| w.url.clone());
            view! {
                <tr data-work=w.id.to_string()>
                    <td>
                        <input type="checkbox" data-testid="select-work" aria-label=move || i18n.c(C::SelectWork)
                            prop:checked=move || selected.with(|s| s.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                selected.update(|s| {
                                    s.retain(|x| *x != id);
                                    if on {
                                        s.push(id);
                                    }
                                });
                            }/>
                    </td>
                    <td>
                        {(!w.title.is_empty()).then(|| view! { <div class="small" data-testid="work-title"><strong>{w.title.clone()}</strong></div> })}
                        <a href=w.url.clone() target="_blank" rel="noopener">
                            {if w.mode.is_video() { view! { <span class="badge">"▶"</span> }.into_any() } else { view! { <img class="c-thumb" src=thumb alt="" loading="lazy"/> }.into_any() }}
                        </a>
                        <div class="muted small mono">{format!("{} · {}", w.mode, short_id(w.id))}</div>
                    </td>
                    <td>{w.publisher_nickname.clone()}<div class="muted small">{w.author_email.clone().unwrap_or_default()}</div></td>
                    <td><div class="clamp">{w.prompt.clone()}</div></td>
                    <td class="nowrap">{when(w.published_at)}</td>
                    <td class="num">{w.likes}</td>
                    <td class="actions">
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| editing.set(Some(w1.clone()))>{move || i18n.c(C::EditPrompt)}</button>
                        <button type="button" class="btn btn-outline btn-sm" data-testid="take-down" on:click=move |_| take_down(w3.clone())>{move || i18n.c(C::TakeDown)}</button>
                        <button type="button" class="btn btn-danger btn-sm" data-testid="delete-work" on:click=move |_| remove(w2.clone())>{move || i18n.c(C::DeleteForGood)}</button>
                    </td>
                </tr>
            }
        },
    );
    view! {
        <div class="c-view">
            <div class="c-toolbar">
                <Field label=C::Search value=search placeholder=C::PhWork/>
                <Choice label=C::Type value=kind options=KINDS.to_vec()/>
                <Choice label=C::PageSize value=size options=PAGE_SIZES.to_vec()/>
                <button type="button" class="btn btn-outline btn-sm" data-testid="take-down-selected"
                    disabled=move || selected.with(Vec::is_empty) || w.pending.get() on:click=take_down_selected>
                    {move || format!("{} ({})", i18n.c(C::TakeDownSelected), selected.with(Vec::len))}</button>
            </div>
            <section class="glass-panel c-card">{table}<Pager page=page total_pages=pages total=total/></section>
            {move || editing.get().map(|w| view! { <PromptEditor work=w done=done/> })}
        </div>
    }
}

#[component]
fn PromptEditor(work: GalleryWork, done: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let prompt = RwSignal::new(work.prompt.clone());
    let reason = RwSignal::new("improve_wording".to_string());
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    // Choosing a reason fills the e-mail from its template.
    Effect::new(move |_| {
        let r = reason.get();
        let label = REASONS.iter().find(|x| x.0 == r).map(|x| i18n.c(x.1)).unwrap_or("");
        subject.set(format!("{} · {label}", i18n.c(C::NoticeSubject)));
        body.set(format!("{}\n\n{}: {label}", i18n.c(C::NoticeBody), i18n.c(C::Reason)));
    });
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let id = work.id;
    let save = move |_| {
        let req = PromptEdit {
            work_id: Some(id),
            prompt: prompt.get_untracked(),
            email_subject: subject.get_untracked(),
            email_body: body.get_untracked(),
            reason_key: reason.get_untracked(),
        };
        w.then(async move { admin::edit_prompt(&req).await }, move |_| {
            toasts.success(i18n.c(C::PromptEdited));
            done.run(());
        });
    };
    let title = Signal::derive(move || format!("{} · {}", i18n.c(C::EditPrompt), short_id(id)));
    view! {
        <Dialog title=title on_close=done wide=true>
            <p class="muted small">{move || i18n.c(C::NoticeRequired)}</p>
            <div class="form-grid">
                <Field label=C::NewPrompt value=prompt input=Input::Area wide=true required=true/>
                <Choice label=C::Reason value=reason options=REASONS.to_vec() wide=true/>
                <Field label=C::EmailSubject value=subject wide=true required=true/>
                <Field label=C::EmailBody value=body input=Input::Area wide=true required=true/>
            </div>
            <div class="modal-actions">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::SaveAndNotify)}</button>
            </div>
        </Dialog>
    }
}
