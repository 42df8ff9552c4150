//! The API keys tab: the user's own upstream keys (masked), an add form with connection
//! test and model listing, editing in a dialog, enable/disable, delete with confirmation
//! and smart import from a JSON file.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::providers::{UpstreamModel, UpstreamProbe, UpstreamProbeResult, UserApiKeyInput, UserApiKeySave, UserApiKeyView};
use miaojing_api_types::vocab::MediaType;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::key_import::parse_import;
use crate::api;
use crate::components::SkeletonLines;
use crate::i18n::{use_i18n, I18n, K};
use crate::pages::error_text;
use crate::toast::use_toasts;

/// Quick picks: provider, default URL, media type.
const PRESETS: [(&str, &str, MediaType); 4] = [
    ("OpenAI", "https://api.openai.com/v1", MediaType::Image),
    ("硅基流动", "https://api.siliconflow.cn/v1", MediaType::Image),
    ("DeepSeek", "https://api.deepseek.com/v1", MediaType::Text),
    ("New API", "", MediaType::Image),
];

fn media_label(t: MediaType, i18n: I18n) -> &'static str {
    match t {
        MediaType::Video => i18n.t(K::KeyTypeVideo),
        MediaType::Text => i18n.t(K::KeyTypeText),
        MediaType::Image => i18n.t(K::KeyTypeImage),
    }
}

/// "note / model" when there is a note, otherwise "supplier / model".
fn key_label(k: &UserApiKeyView) -> String {
    let head = if k.note.trim().is_empty() { &k.supplier_name } else { &k.note };
    if k.model_name.is_empty() {
        head.clone()
    } else {
        format!("{head} / {}", k.model_name)
    }
}

#[component]
pub fn ApiKeysTab() -> impl IntoView {
    let i18n = use_i18n();
    let keys = RwSignal::new(None::<Vec<UserApiKeyView>>);
    let load_error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<UserApiKeyView>);
    let reload = Callback::new(move |()| {
        spawn_local(async move {
            match api::user_api_keys().await {
                Ok(list) => {
                    load_error.try_set(None);
                    keys.try_set(Some(list.keys));
                }
                Err(e) => {
                    load_error.try_set(Some(error_text(&e, i18n)));
                }
            }
        });
    });
    reload.run(());

    view! {
        <div class="api-keys">
            <div class="glass-panel card-pad">
                <h2 class="card-title">{move || i18n.t(K::ApiKeysTitle)}</h2>
                <p class="muted small">{move || i18n.t(K::ApiKeysSub)}</p>
                <KeyForm initial=None on_saved=reload on_cancel=None/>
            </div>
            <ImportPanel on_saved=reload/>
            <div class="glass-panel card-pad">
                <h2 class="card-title">{move || i18n.t(K::SavedKeys)}</h2>
                <div class="form-error" role="alert">{move || load_error.get()}</div>
                {move || match keys.get() {
                    None => view! { <SkeletonLines lines=3/> }.into_any(),
                    Some(list) if list.is_empty() => view! {
                        <p class="muted" data-testid="no-keys">{move || i18n.t(K::NoKeys)}</p>
                    }.into_any(),
                    Some(list) => view! {
                        <ul class="key-list" data-testid="key-list">
                            {list.into_iter().map(|k| view! { <KeyRow key=k on_changed=reload editing=editing/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
            {move || editing.get().map(|k| {
                let close = Callback::new(move |()| editing.set(None));
                let saved = Callback::new(move |()| { editing.set(None); reload.run(()); });
                view! {
                    <div class="modal-backdrop" on:click=move |_| editing.set(None)>
                        <div class="modal glass-panel card-pad" role="dialog" aria-modal="true" aria-labelledby="edit-key-title"
                            on:click=|ev| ev.stop_propagation()>
                            <h2 id="edit-key-title" class="card-title">{move || i18n.t(K::EditKey)}</h2>
                            <KeyForm initial=Some(k) on_saved=saved on_cancel=Some(close)/>
                        </div>
                    </div>
                }
            })}
        </div>
    }
}

/// A green or red box with a probe's outcome.
fn probe_box(r: &UpstreamProbeResult) -> impl IntoView + use<> {
    let (class, text) = if r.success {
        ("probe-result probe-ok", r.message.clone().unwrap_or_default())
    } else {
        let mut t = r.error.clone().unwrap_or_default();
        if let Some(code) = r.status_code {
            t = format!("{t} (HTTP {code})");
        }
        ("probe-result probe-fail", t)
    };
    view! { <div class=class role="status" data-testid="probe-result">{text}</div> }
}

/// Add (no `initial`) or edit a key. Saved keys are masked, so editing leaves the key
/// empty: an empty key keeps the stored one, and tests use the stored key by id.
#[component]
fn KeyForm(initial: Option<UserApiKeyView>, on_saved: Callback<()>, on_cancel: Option<Callback<()>>) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let id = initial.as_ref().map(|k| k.id);
    let pfx = if id.is_some() { "edit" } else { "add" };
    let init = |f: fn(&UserApiKeyView) -> String| RwSignal::new(initial.as_ref().map(f).unwrap_or_default());
    let provider = init(|k| k.provider.clone());
    let supplier = init(|k| k.supplier_name.clone());
    let media = RwSignal::new(initial.as_ref().map_or(MediaType::Image, |k| k.media_type));
    let model = init(|k| k.model_name.clone());
    let note = init(|k| k.note.clone());
    let api_url = init(|k| k.api_url.clone());
    let api_key = RwSignal::new(String::new());
    let key_shown = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let probe = RwSignal::new(None::<UpstreamProbeResult>);
    let models = RwSignal::new(Vec::<UpstreamModel>::new());
    let busy = RwSignal::new(false);

    let probe_req = move || UpstreamProbe {
        api_url: Some(api_url.get_untracked().trim().to_string()),
        api_key: Some(api_key.get_untracked().trim().to_string()).filter(|k| !k.is_empty()),
        key_id: id.filter(|_| api_key.get_untracked().trim().is_empty()),
        provider: Some(provider.get_untracked()),
        model_name: Some(model.get_untracked().trim().to_string()),
    };
    let run_probe = move |list: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        probe.set(None);
        let req = probe_req();
        spawn_local(async move {
            let out = if list { api::fetch_models(&req).await } else { api::test_api(&req).await };
            match out {
                Ok(r) => {
                    if list {
                        models.try_set(r.models.clone().unwrap_or_default());
                    }
                    probe.try_set(Some(r));
                }
                Err(e) => {
                    error.try_set(Some(error_text(&e, i18n)));
                }
            }
            busy.try_set(false);
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let key = api_key.get_untracked().trim().to_string();
        if id.is_none() && key.is_empty() {
            error.set(Some(i18n.t(K::KeyRequired).to_string()));
            return;
        }
        if provider.get_untracked().trim().is_empty() {
            error.set(Some(i18n.t(K::ProviderRequired).to_string()));
            return;
        }
        let trimmed = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string());
        let item = UserApiKeyInput {
            id,
            api_key: Some(key),
            provider: trimmed(provider),
            supplier_name: trimmed(supplier).filter(|s| !s.is_empty()).or_else(|| trimmed(provider)),
            api_url: trimmed(api_url),
            model_name: trimmed(model),
            note: trimmed(note),
            media_type: Some(media.get_untracked().as_str().to_string()),
            is_active: None,
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::save_user_api_keys(&UserApiKeySave::One(item)).await {
                Ok(_) => {
                    toasts.success(i18n.t(if id.is_some() { K::KeySaved } else { K::KeyAdded }));
                    if id.is_none() {
                        for s in [provider, supplier, model, note, api_url, api_key] {
                            s.try_set(String::new());
                        }
                        models.try_set(Vec::new());
                        probe.try_set(None);
                    }
                    on_saved.run(());
                }
                Err(e) => {
                    error.try_set(Some(error_text(&e, i18n)));
                }
            }
            busy.try_set(false);
        });
    };

    let fid = move |name: &str| format!("{pfx}-key-{name}");
    let text_field = move |name: &'static str, label: K, value: RwSignal<String>, required: bool| {
        let input_id = fid(name);
        view! {
            <div class="field">
                <label for=input_id.clone()>
                    {move || i18n.t(label)}
                    {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
                </label>
                <input id=input_id class="input" type="text" autocomplete="off" spellcheck="false" bind:value=value/>
            </div>
        }
    };
    let models_id = fid("models");
    view! {
        <form class="key-form" on:submit=submit novalidate=true data-testid=format!("{pfx}-key-form")>
            <div class="preset-row" role="group" aria-label=move || i18n.t(K::QuickPick)>
                {PRESETS.into_iter().map(|(name, url, kind)| view! {
                    <button type="button" class="chip chip-btn" on:click=move |_| {
                        provider.set(name.to_string());
                        if supplier.get_untracked().is_empty() { supplier.set(name.to_string()); }
                        if !url.is_empty() { api_url.set(url.to_string()); }
                        media.set(kind);
                    }>{name}</button>
                }).collect_view()}
            </div>
            <div class="form-grid">
                {text_field("provider", K::KeyProvider, provider, true)}
                {text_field("supplier", K::KeySupplier, supplier, false)}
                <div class="field">
                    <label for=fid("type")>{move || i18n.t(K::KeyType)}</label>
                    <select id=fid("type") class="input" prop:value=move || media.get().as_str()
                        on:change=move |ev| if let Ok(t) = MediaType::parse(&event_target_value(&ev)) { media.set(t) }>
                        {MediaType::ALL.into_iter().map(|t| view! {
                            <option value=t.as_str() selected=move || media.get() == t>{move || media_label(t, i18n)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=fid("model")>{move || i18n.t(K::KeyModel)}</label>
                    <input id=fid("model") class="input" type="text" autocomplete="off" spellcheck="false"
                        list=models_id.clone() bind:value=model/>
                    <datalist id=models_id>
                        {move || models.get().into_iter().map(|m| view! { <option value=m.id/> }).collect_view()}
                    </datalist>
                </div>
                {text_field("note", K::KeyNote, note, false)}
                {text_field("url", K::KeyUrl, api_url, false)}
                <div class="field field-wide">
                    <label for=fid("secret")>
                        "API Key"
                        {id.is_none().then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
                    </label>
                    <div class="input-with-btn">
                        <input id=fid("secret") class="input mono" autocomplete="off" spellcheck="false"
                            type=move || if key_shown.get() { "text" } else { "password" }
                            placeholder=move || if id.is_some() { i18n.t(K::KeyKeepPlaceholder) } else { "sk-..." }
                            bind:value=api_key/>
                        <button type="button" class="input-btn"
                            aria-label=move || i18n.t(if key_shown.get() { K::HidePassword } else { K::ShowPassword })
                            aria-pressed=move || key_shown.get().to_string()
                            on:click=move |_| key_shown.update(|s| *s = !*s)>
                            <span aria-hidden="true">{move || if key_shown.get() { "◡" } else { "◉" }}</span>
                        </button>
                    </div>
                </div>
            </div>
            <div class="btn-row">
                <button type="button" class="btn btn-outline" data-testid="test-key" disabled=move || busy.get()
                    on:click=move |_| run_probe(false)>{move || i18n.t(K::TestConnection)}</button>
                <button type="button" class="btn btn-outline" data-testid="fetch-models" disabled=move || busy.get()
                    on:click=move |_| run_probe(true)>{move || i18n.t(K::FetchModels)}</button>
            </div>
            {move || probe.get().map(|r| probe_box(&r))}
            <Show when=move || !models.get().is_empty()>
                <p class="muted small">{move || i18n.t(K::ClickModelHint)}</p>
                <div class="model-chips" data-testid="model-chips">
                    {move || models.get().into_iter().map(|m| {
                        let name = m.id.clone();
                        view! {
                            <button type="button" class="chip chip-btn" aria-pressed=move || (model.get() == name).to_string()
                                on:click={ let n = m.id.clone(); move |_| model.set(n.clone()) }>{m.id.clone()}</button>
                        }
                    }).collect_view()}
                </div>
            </Show>
            <div class="form-error" role="alert">{move || error.get()}</div>
            <div class="btn-row">
                <button type="submit" class="btn btn-gold" disabled=move || busy.get()>
                    {move || i18n.t(if id.is_some() { K::SaveChanges } else { K::ConfirmAdd })}
                </button>
                {on_cancel.map(|c| view! {
                    <button type="button" class="btn btn-outline" on:click=move |_| c.run(())>{move || i18n.t(K::Cancel)}</button>
                })}
            </div>
        </form>
    }
}

/// One saved key: label, masked preview, URL, type; edit, test, enable/disable, delete.
#[component]
fn KeyRow(key: UserApiKeyView, on_changed: Callback<()>, editing: RwSignal<Option<UserApiKeyView>>) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let id: Uuid = key.id;
    let active = key.is_active;
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let probe = RwSignal::new(None::<UpstreamProbeResult>);
    let edit_copy = key.clone();

    let test = move |_| {
        busy.set(true);
        spawn_local(async move {
            let req = UpstreamProbe { key_id: Some(id), ..Default::default() };
            match api::test_api(&req).await {
                Ok(r) => {
                    probe.try_set(Some(r));
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            busy.try_set(false);
        });
    };
    let toggle = move |_| {
        busy.set(true);
        spawn_local(async move {
            let item = UserApiKeyInput { id: Some(id), is_active: Some(!active), ..Default::default() };
            match api::save_user_api_keys(&UserApiKeySave::One(item)).await {
                Ok(_) => on_changed.run(()),
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            busy.try_set(false);
        });
    };
    let delete = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::delete_user_api_key(id).await {
                Ok(_) => {
                    toasts.success(i18n.t(K::KeyDeleted));
                    on_changed.run(());
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            busy.try_set(false);
        });
    };

    view! {
        <li class="key-row" data-key-id=id.to_string() data-active=active.to_string()>
            <div class="key-main">
                <div class="key-label">
                    {key_label(&key)}
                    " "<span class="chip">{move || media_label(key.media_type, i18n)}</span>
                    {(!active).then(|| view! { <span class="chip chip-warn">{move || i18n.t(K::KeyDisabled)}</span> })}
                </div>
                <div class="mono small key-preview" data-testid="key-preview">{key.api_key_preview.clone()}</div>
                <div class="muted small key-url">{key.api_url.clone()}</div>
                {move || probe.get().map(|r| probe_box(&r))}
            </div>
            <div class="key-actions">
                {move || if confirming.get() {
                    view! {
                        <span class="small" role="alert">{move || i18n.t(K::ConfirmDeleteKey)}</span>
                        <button type="button" class="btn btn-danger btn-sm" data-testid="confirm-delete" disabled=move || busy.get()
                            on:click=delete>{move || i18n.t(K::Delete)}</button>
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| confirming.set(false)>
                            {move || i18n.t(K::Cancel)}
                        </button>
                    }.into_any()
                } else {
                    let edit_copy = edit_copy.clone();
                    view! {
                        <button type="button" class="btn btn-outline btn-sm" data-testid="row-test" disabled=move || busy.get()
                            on:click=test>{move || i18n.t(K::TestConnection)}</button>
                        <button type="button" class="btn btn-outline btn-sm" data-testid="row-edit"
                            on:click=move |_| editing.set(Some(edit_copy.clone()))>{move || i18n.t(K::Edit)}</button>
                        <button type="button" class="btn btn-outline btn-sm" data-testid="row-toggle" disabled=move || busy.get()
                            on:click=toggle>{move || i18n.t(if active { K::Disable } else { K::Enable })}</button>
                        <button type="button" class="btn btn-outline btn-sm" data-testid="row-delete"
                            on:click=move |_| confirming.set(true)>{move || i18n.t(K::Delete)}</button>
                    }.into_any()
                }}
            </div>
        </li>
    }
}

/// Reads the chosen file's text.
async fn file_text(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?;
    text.as_string()
}

/// Smart import: a JSON file of keys or a manifest's profiles, checked in the browser.
#[component]
fn ImportPanel(on_saved: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let fallback_key = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let file_ref = NodeRef::<leptos::html::Input>::new();

    let import = move |_| {
        let Some(input) = file_ref.get_untracked() else { return };
        let input: web_sys::HtmlInputElement = input.unchecked_into();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let Some(text) = file_text(&input).await else {
                error.try_set(Some(i18n.t(K::ImportPickFile).to_string()));
                busy.try_set(false);
                return;
            };
            match parse_import(&text, &fallback_key.get_untracked()) {
                Err(p) => {
                    let detail = if p.detail.is_empty() { String::new() } else { format!(" ({})", p.detail) };
                    error.try_set(Some(format!("{}{detail}", i18n.t(p.reason))));
                }
                Ok(keys) => {
                    let n = keys.len();
                    match api::save_user_api_keys(&UserApiKeySave::Many { keys }).await {
                        Ok(_) => {
                            toasts.success(format!("{} {n}", i18n.t(K::ImportDone)));
                            input.set_value("");
                            on_saved.run(());
                        }
                        Err(e) => {
                            error.try_set(Some(error_text(&e, i18n)));
                        }
                    }
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <div class="glass-panel card-pad import-panel" data-testid="import-panel">
            <h2 class="card-title">{move || i18n.t(K::SmartImport)}</h2>
            <p class="muted small">{move || i18n.t(K::SmartImportSub)}</p>
            <div class="form-grid">
                <div class="field">
                    <label for="import-file">{move || i18n.t(K::ImportFile)}</label>
                    <input id="import-file" class="input" type="file" accept="application/json,.json" node_ref=file_ref/>
                </div>
                <div class="field">
                    <label for="import-key">{move || i18n.t(K::ImportKey)}</label>
                    <input id="import-key" class="input mono" type="password" autocomplete="off" bind:value=fallback_key/>
                </div>
            </div>
            <div class="form-error" role="alert" data-testid="import-error">{move || error.get()}</div>
            <button type="button" class="btn btn-gold" data-testid="import-btn" disabled=move || busy.get() on:click=import>
                {move || i18n.t(K::ImportNow)}
            </button>
        </div>
    }
}
