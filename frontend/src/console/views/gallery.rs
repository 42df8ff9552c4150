//! Gallery moderation: public works with their authors; edit a prompt (the author is mailed
//! first; no mail, no change) or delete a work.
use leptos::prelude::*;
use miaojing_api_types::works::{GalleryWork, PromptEdit};

use super::{short_id, when, PAGE_SIZES};
use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::{first_page_on, page_counts, table_of, Choice, Dialog, Field, Input, Pager, Writer};
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
    let remove = move |g: GalleryWork| {
        w.delete(&short_id(g.id), g.id, |id| Box::pin(admin::delete_work(id)));
    };
    let table = table_of(
        list,
        C::ViewGallery,
        vec![C::Work, C::Author, C::Prompt, C::Published, C::Likes, C::Actions],
        |l| l.works,
        move |w| {
            let (w1, w2) = (w.clone(), w.clone());
            let thumb = w.thumbnail_url.clone().unwrap_or_else(|| w.url.clone());
            view! {
                <tr data-work=w.id.to_string()>
                    <td>
                        <a href=w.url.clone() target="_blank" rel="noopener">
                            {if w.kind == "video" { view! { <span class="badge">"▶"</span> }.into_any() } else { view! { <img class="c-thumb" src=thumb alt="" loading="lazy"/> }.into_any() }}
                        </a>
                        <div class="muted small mono">{format!("{} · {}", w.mode, short_id(w.id))}</div>
                    </td>
                    <td>{w.publisher_nickname.clone()}<div class="muted small">{w.author_email.clone().unwrap_or_default()}</div></td>
                    <td><div class="clamp">{w.prompt.clone()}</div></td>
                    <td class="nowrap">{when(w.published_at)}</td>
                    <td class="num">{w.likes}</td>
                    <td class="actions">
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| editing.set(Some(w1.clone()))>{move || i18n.c(C::EditPrompt)}</button>
                        <button type="button" class="btn btn-danger btn-sm" on:click=move |_| remove(w2.clone())>{move || i18n.c(C::Delete)}</button>
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
