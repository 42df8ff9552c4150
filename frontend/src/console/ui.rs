//! The console's building blocks, shared by every view: the labelled form field, the dense
//! table that scrolls sideways on phones, the pager, the dialog, badges and the loading /
//! error states of a fetched resource.
use std::cell::Cell;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::text::C;
use crate::api::ApiResult;
use crate::components::SkeletonLines;
use crate::i18n::{use_i18n, I18n};
use crate::pages::error_text;
use crate::toast::{use_toasts, Toasts};

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// A fresh element id (`c-<n>`), for label/input pairs.
pub fn next_id() -> String {
    NEXT_ID.with(|n| {
        let id = n.get() + 1;
        n.set(id);
        format!("c-{id}")
    })
}

/// How a [`Field`] edits its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    Number,
    Password,
    Email,
    DateTime,
    Area,
}

/// The one labelled form field of the console: a text/number/password/date input or a
/// textarea bound to a string signal, with an optional hint.
#[component]
pub fn Field(
    label: C,
    value: RwSignal<String>,
    #[prop(default = Input::Text)] input: Input,
    #[prop(optional)] hint: Option<C>,
    #[prop(optional)] placeholder: Option<C>,
    /// A literal placeholder (URLs, JSON samples) when no translation applies.
    #[prop(optional)]
    example: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] wide: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = next_id();
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    let placeholder = move || placeholder.map(|p| i18n.c(p)).or(example);
    let control = match input {
        Input::Area => view! {
            <textarea id=id.clone() class="input textarea" placeholder=placeholder required=required
                aria-describedby=described.clone() disabled=disabled
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        other => {
            let kind = match other {
                Input::Number => "number",
                Input::Password => "password",
                Input::Email => "email",
                Input::DateTime => "datetime-local",
                _ => "text",
            };
            view! {
                <input id=id.clone() class="input" type=kind placeholder=placeholder required=required
                    autocomplete=if other == Input::Password { "new-password" } else { "off" }
                    aria-describedby=described.clone() disabled=disabled
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:field-wide=wide>
            <label for=id>{move || i18n.c(label)}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            {control}
            {hint.map(|h| view! { <small id=hint_id class="hint">{move || i18n.c(h)}</small> })}
        </div>
    }
}

/// A labelled `<select>` of fixed choices bound to a string signal.
#[component]
pub fn Choice(label: C, value: RwSignal<String>, options: Vec<(&'static str, C)>, #[prop(optional)] wide: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = next_id();
    view! {
        <div class="field" class:field-wide=wide>
            <label for=id.clone()>{move || i18n.c(label)}</label>
            <select id=id class="input" prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                {options.into_iter().map(|(v, l)| view! {
                    <option value=v selected=move || value.get() == v>{move || i18n.c(l)}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// A switch bound to a bool signal.
#[component]
pub fn Toggle(label: C, value: RwSignal<bool>, #[prop(optional)] hint: Option<C>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="switch-row">
            <label class="switch">
                <input type="checkbox" role="switch" bind:checked=value />
                <span class="switch-track" aria-hidden="true"></span>
                <span>{move || i18n.c(label)}</span>
            </label>
            {hint.map(|h| view! { <small class="hint">{move || i18n.c(h)}</small> })}
        </div>
    }
}

/// A group of checkboxes editing a list of values (e.g. allowed tiers).
#[component]
pub fn MultiCheck(label: C, value: RwSignal<Vec<String>>, options: Vec<(&'static str, C)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="c-checks field-wide">
            <legend>{move || i18n.c(label)}</legend>
            {options.into_iter().map(|(v, l)| view! {
                <label class="c-check">
                    <input type="checkbox" prop:checked=move || value.with(|vs| vs.iter().any(|x| x == v))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            value.update(|vs| {
                                vs.retain(|x| x != v);
                                if on { vs.push(v.to_string()); }
                            });
                        } />
                    <span>{move || i18n.c(l)}</span>
                </label>
            }).collect_view()}
        </fieldset>
    }
}

/// A dense table inside a horizontally scrolling, keyboard-focusable region. `children`
/// renders the `<tr>` rows.
#[component]
pub fn Table(label: C, headers: Vec<C>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.c(label)>
            <table class="dense">
                <thead><tr>{headers.into_iter().map(|h| view! { <th scope="col">{move || i18n.c(h)}</th> }).collect_view()}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// The "nothing here" row of a [`Table`].
#[component]
pub fn EmptyRow(cols: usize) -> impl IntoView {
    let i18n = use_i18n();
    view! { <tr><td class="empty" colspan=cols.to_string()>{move || i18n.c(C::Empty)}</td></tr> }
}

/// Previous / next page with "page x / y · n rows".
#[component]
pub fn Pager(page: RwSignal<i64>, #[prop(into)] total_pages: Signal<i64>, #[prop(into)] total: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="pager c-pager" aria-label=move || i18n.c(C::Pagination)>
            <button type="button" class="btn btn-outline btn-sm" disabled=move || { page.get() <= 1 }
                on:click=move |_| page.update(|p| *p = (*p - 1).max(1))>{move || i18n.c(C::PrevPage)}</button>
            <span class="muted small">{move || format!("{} {} / {} · {} {}", i18n.c(C::PageWord), page.get(), total_pages.get().max(1), total.get(), i18n.c(C::Rows))}</span>
            <button type="button" class="btn btn-outline btn-sm" disabled=move || { page.get() >= total_pages.get() }
                on:click=move |_| page.update(|p| *p += 1)>{move || i18n.c(C::NextPage)}</button>
        </nav>
    }
}

/// The console's shield mark (decorative).
#[component]
pub fn Shield(#[prop(optional)] big: bool) -> impl IntoView {
    view! {
        <span class="console-shield" class:big=big aria-hidden="true">
            <svg viewBox="0 0 24 24" width="60%" height="60%" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round">
                <path d="M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z"/>
                <path d="M9 12l2 2 4-4" stroke-linecap="round"/>
            </svg>
        </span>
    }
}

/// A modal dialog: Escape or the close button calls `on_close`; focus moves to its first
/// control when it opens.
#[component]
pub fn Dialog(title: Signal<String>, on_close: Callback<()>, children: Children, #[prop(optional)] wide: bool) -> impl IntoView {
    let i18n = use_i18n();
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let first = el.query_selector("input:not([type=hidden]), select, textarea").ok().flatten();
            if let Some(f) = first.and_then(|f| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(f).ok()) {
                let _ = f.focus();
            }
        }
    });
    let title_id = next_id();
    let labelled_by = title_id.clone();
    // Escape closes the dialog wherever the focus is (a disabled button drops it to <body>).
    let esc = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || esc.remove());
    view! {
        <div class="modal-backdrop c-modal-backdrop">
            <div node_ref=node class="modal glass-panel c-dialog" class:c-dialog-wide=wide role="dialog" aria-modal="true" aria-labelledby=labelled_by>
                <div class="c-dialog-head">
                    <h2 id=title_id class="modal-title">{move || title.get()}</h2>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label=move || i18n.c(C::Close)
                        on:click=move |_| on_close.run(())>"✕"</button>
                </div>
                {children()}
            </div>
        </div>
    }
}

/// A small coloured badge; `tone` is `ok`, `warn`, `bad` or `""`.
#[component]
pub fn Tag(#[prop(into)] text: Signal<String>, #[prop(into)] tone: Signal<&'static str>) -> impl IntoView {
    view! { <span class=move || format!("badge c-tag {}", tone.get())>{move || text.get()}</span> }
}

/// Renders a fetched resource: skeleton while loading, the error with a retry hint, or
/// the value through `render`.
pub fn loaded<T: Clone + 'static>(
    res: LocalResource<ApiResult<T>>,
    render: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl Fn() -> AnyView + Send + Sync + 'static {
    let i18n = use_i18n();
    move || match res.get() {
        None => view! { <SkeletonLines lines=4/> }.into_any(),
        Some(Err(e)) => view! { <div class="c-error" role="alert">{error_text(&e, i18n)}</div> }.into_any(),
        Some(Ok(v)) => render(v),
    }
}

/// Asks the browser to confirm a destructive action.
pub fn confirm(text: &str) -> bool {
    window().confirm_with_message(text).unwrap_or(false)
}

/// A number typed in a field, or `None` when it is not one.
pub fn num(s: &RwSignal<String>) -> Option<i64> {
    s.get_untracked().trim().parse().ok()
}

/// A pending API call (boxed, for function pointers such as a delete by id).
pub type Pending<T> = std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<T>>>>;

/// The console's writes: run one call, then reload the list (`version`) and report the
/// outcome — success through the caller, failure as an error toast. `pending` is true while
/// a call runs (for disabling the button that started it).
#[derive(Clone, Copy)]
pub struct Writer {
    pub i18n: I18n,
    pub toasts: Toasts,
    pub version: RwSignal<u32>,
    pub pending: RwSignal<bool>,
}

impl Writer {
    /// A writer reloading `version` after each success.
    pub fn new(version: RwSignal<u32>) -> Writer {
        Writer { i18n: use_i18n(), toasts: use_toasts(), version, pending: RwSignal::new(false) }
    }

    /// Runs `fut`; on success reloads and calls `on_ok` with the answer.
    pub fn then<T: 'static>(self, fut: impl std::future::Future<Output = ApiResult<T>> + 'static, on_ok: impl FnOnce(T) + 'static) {
        self.pending.set(true);
        spawn_local(async move {
            match fut.await {
                Ok(v) => {
                    self.version.update(|n| *n += 1);
                    on_ok(v);
                }
                Err(e) => self.toasts.error(error_text(&e, self.i18n)),
            }
            self.pending.set(false);
        });
    }

    /// Runs `fut`; on success reloads, toasts `ok` when given and runs `after`.
    pub fn run<T: 'static>(
        self,
        fut: impl std::future::Future<Output = ApiResult<T>> + 'static,
        ok: Option<C>,
        after: Option<Callback<()>>,
    ) {
        self.then(fut, move |_| {
            if let Some(msg) = ok {
                self.toasts.success(self.i18n.c(msg));
            }
            if let Some(cb) = after {
                cb.run(());
            }
        });
    }

    /// Asks "`question` `name`?" and, when confirmed, runs `call(id)`.
    pub fn confirmed<T: 'static>(self, question: C, name: &str, id: Uuid, call: fn(Uuid) -> Pending<T>) {
        if confirm(&format!("{} {name}", self.i18n.c(question))) {
            self.run(call(id), Some(C::Deleted), None);
        }
    }

    /// Confirms and deletes `id` through `call`.
    pub fn delete<T: 'static>(self, name: &str, id: Uuid, call: fn(Uuid) -> Pending<T>) {
        self.confirmed(C::ConfirmDelete, name, id, call);
    }
}

/// The rows of a [`Table`]: one per item through `row`, or the "nothing here" row.
pub fn rows<T, V: IntoView + 'static>(items: Vec<T>, cols: usize, row: impl FnMut(T) -> V) -> AnyView {
    if items.is_empty() {
        view! { <EmptyRow cols=cols/> }.into_any()
    } else {
        items.into_iter().map(row).collect_view().into_any()
    }
}

/// The total and page-count signals of a paged list (zero and one until it loads).
pub fn page_counts<T: Clone + 'static>(list: LocalResource<ApiResult<T>>, counts: fn(&T) -> (i64, i64)) -> (Signal<i64>, Signal<i64>) {
    let of = move |i: usize| {
        Signal::derive(move || {
            list.get()
                .and_then(Result::ok)
                .map(|l| {
                    let (total, pages) = counts(&l);
                    [total, pages][i]
                })
                .unwrap_or(i as i64)
        })
    };
    (of(0), of(1))
}

/// Goes back to page 1 whenever something `filters` reads changes.
pub fn first_page_on(page: RwSignal<i64>, filters: impl Fn() + 'static) {
    Effect::new(move |_| {
        filters();
        if page.get_untracked() != 1 {
            page.set(1);
        }
    });
}

/// A switch cell that toggles a row's enabled state.
#[component]
pub fn ActiveSwitch(on: bool, toggle: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="switch">
            <input type="checkbox" role="switch" prop:checked=on aria-label=move || i18n.c(C::Enabled)
                on:change=move |ev| toggle.run(event_target_checked(&ev)) />
            <span class="switch-track" aria-hidden="true"></span>
        </label>
    }
}

/// The actions cell of a row: optional extra buttons, then edit and delete when given.
#[component]
pub fn RowActions(
    #[prop(optional)] edit: Option<Callback<()>>,
    #[prop(optional)] delete: Option<Callback<()>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <td class="actions">
            {children.map(|c| c())}
            {edit.map(|cb| view! {
                <button type="button" class="btn btn-outline btn-sm" on:click=move |_| cb.run(())>{move || i18n.c(C::Edit)}</button>
            })}
            {delete.map(|cb| view! {
                <button type="button" class="btn btn-danger btn-sm" on:click=move |_| cb.run(())>{move || i18n.c(C::Delete)}</button>
            })}
        </td>
    }
}

/// A card with an "add" button above its content.
/// A view's section tab bar: one tab per `(section, label)`, the selected one marked.
#[component]
pub fn SectionTabs<S>(section: RwSignal<S>, tabs: Vec<(S, C)>) -> impl IntoView
where
    S: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <div class="tabs" role="tablist">
            {tabs.into_iter().map(|(s, l)| view! {
                <button type="button" class="tab" role="tab" aria-selected=move || (section.get() == s).to_string()
                    on:click=move |_| section.set(s)>{move || i18n.c(l)}</button>
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn SectionCard(add: C, on_add: Callback<()>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="glass-panel c-card">
            <div class="c-toolbar">
                <button type="button" class="btn btn-gold btn-sm" on:click=move |_| on_add.run(())>{move || i18n.c(add)}</button>
            </div>
            {children()}
        </section>
    }
}

/// A dialog's save row: one gold button, disabled while `pending`.
#[component]
pub fn SaveRow(label: C, pending: RwSignal<bool>, on_save: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="modal-actions btn-row">
            <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=move |_| on_save.run(())>{move || i18n.c(label)}</button>
        </div>
    }
}

/// The last two cells of an editable catalogue row: the enable switch, then edit and delete.
#[component]
pub fn SwitchActions(on: bool, toggle: Callback<bool>, edit: Callback<()>, delete: Callback<()>) -> impl IntoView {
    view! {
        <td><ActiveSwitch on=on toggle=toggle/></td>
        <RowActions edit=edit delete=delete/>
    }
}

/// A fetched list drawn as a [`Table`] with one column per header: `items` picks the rows out
/// of the answer and `row` draws one (the "nothing here" row when there are none).
pub fn table_of<T, I, V>(
    list: LocalResource<ApiResult<T>>,
    label: C,
    headers: Vec<C>,
    items: fn(T) -> Vec<I>,
    row: impl Fn(I) -> V + Send + Sync + 'static,
) -> impl Fn() -> AnyView + Send + Sync + 'static
where
    T: Clone + 'static,
    I: 'static,
    V: IntoView + 'static,
{
    let row = std::sync::Arc::new(row);
    loaded(list, move |l| {
        let (headers, row) = (headers.clone(), row.clone());
        let cols = headers.len();
        let body = rows(items(l), cols, move |i| row(i));
        view! { <Table label=label headers=headers>{body}</Table> }.into_any()
    })
}

/// A list that loads again after every successful write of the returned [`Writer`].
pub fn reloading<T, F>(fetch: impl Fn() -> F + 'static) -> (Writer, LocalResource<ApiResult<T>>)
where
    T: 'static,
    F: std::future::Future<Output = ApiResult<T>> + 'static,
{
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        fetch()
    });
    (Writer::new(version), list)
}
