//! API management: platform (system) models with pricing, keys, tiers, default flag,
//! polling and capabilities; channel health with freeze state and a manual re-test; smart
//! import of a manifest; the Agnes template installer.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::providers::{AgnesInstallInput, SystemApiInput, SystemApiView, SystemSmartImportInput};

use super::{label_of, when, MEDIA, TIERS};
use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::{num, reloading, table_of, Choice, Dialog, Field, Input, MultiCheck, SectionTabs, Tag, Toggle, Writer};
use crate::i18n::{use_i18n, I18n};
use crate::pages::error_text;
use crate::toast::use_toasts;

const BILLING: [(&str, C); 4] = [("free", C::BillFree), ("fixed", C::BillFixed), ("duration", C::BillDuration), ("token", C::BillToken)];
const POLLING: [(&str, C); 3] = [("sequential", C::PollSequential), ("random", C::PollRandom), ("custom", C::PollCustom)];
const VIDEO_MODES: [(&str, C); 2] = [("text-to-video", C::Text2Video), ("image-to-video", C::Img2Video)];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Models,
    Health,
    Import,
    Agnes,
}

#[component]
pub fn Models() -> impl IntoView {
    let section = RwSignal::new(Section::Models);
    view! {
        <div class="c-view">
            <SectionTabs section tabs=vec![(Section::Models, C::SecModels), (Section::Health, C::SecHealth), (Section::Import, C::SecImport), (Section::Agnes, C::SecAgnes)]/>
            {move || match section.get() {
                Section::Models => view! { <ModelList/> }.into_any(),
                Section::Health => view! { <Health/> }.into_any(),
                Section::Import => view! { <SmartImport/> }.into_any(),
                Section::Agnes => view! { <Agnes/> }.into_any(),
            }}
        </div>
    }
}

/// "10 积分/次", "2 积分/秒", "in 5 / out 20 积分/1M tokens" or "免费".
pub fn price_text(a: &SystemApiView, i18n: I18n) -> String {
    let p = &a.price;
    match p.billing_mode.as_str() {
        "free" => i18n.c(C::BillFree).to_string(),
        "duration" => format!("{} {}", p.duration_price_per_second, i18n.c(C::PerSecond)),
        "token" => format!(
            "{} {} / {} {} {}",
            i18n.c(C::InputWord),
            p.input_price_per_1m,
            i18n.c(C::OutputWord),
            p.output_price_per_1m,
            i18n.c(C::Per1M)
        ),
        _ => format!("{} {}", p.credits_per_use, i18n.c(C::PerUse)),
    }
}

/// The full replacement body for a model, from its current view (capabilities kept).
fn input_of(a: &SystemApiView) -> SystemApiInput {
    SystemApiInput {
        id: Some(a.id),
        name: Some(a.name.clone()),
        model_name: Some(a.model_name.clone()),
        provider: Some(a.provider.clone()),
        api_url: Some(a.api_url.clone()),
        model_group: Some(a.model_group.clone()),
        note: Some(a.note.clone()),
        api_key: None,
        clear_api_key: None,
        media_type: Some(a.media_type.to_string()),
        billing_mode: Some(a.price.billing_mode.clone()),
        credits_per_use: Some(a.price.credits_per_use),
        duration_price_per_second: Some(a.price.duration_price_per_second),
        input_price_per_1m: Some(a.price.input_price_per_1m),
        output_price_per_1m: Some(a.price.output_price_per_1m),
        price_note: Some(a.price_note.clone()),
        capabilities: None,
        is_default: Some(a.is_default),
        allowed_membership_tiers: Some(a.allowed_membership_tiers.iter().map(ToString::to_string).collect()),
        polling_mode: Some(a.polling_mode.to_string()),
        polling_order: Some(a.polling_order),
        video_usage_modes: Some(a.video_usage_modes.clone()),
        is_active: Some(a.is_active),
        sort_order: Some(a.sort_order),
    }
}

#[component]
fn ModelList() -> impl IntoView {
    let i18n = use_i18n();
    let (w, list) = reloading(admin::system_apis);
    let version = w.version;
    // `Some(None)`: a new model; `Some(Some(m))`: editing m.
    let editing = RwSignal::new(None::<Option<SystemApiView>>);
    let done = Callback::new(move |_| {
        editing.set(None);
        version.update(|v| *v += 1);
    });
    let set_active = move |a: SystemApiView, on: bool| {
        let mut req = input_of(&a);
        req.is_active = Some(on);
        w.run(async move { admin::save_system_api(&req).await }, None, None);
    };
    let remove = move |a: SystemApiView| {
        w.delete(&a.name, a.id, |id| Box::pin(admin::delete_system_api(id)));
    };
    let table = table_of(
        list,
        C::SecModels,
        vec![C::Name, C::Type, C::Endpoint, C::Price, C::Tiers, C::Polling, C::ApiKey, C::Enabled, C::Actions],
        |l| l.apis,
        move |a| {
            let (a1, a2, a3) = (a.clone(), a.clone(), a.clone());
            let media = a.media_type.as_str();
            let tiers = if a.allowed_membership_tiers.is_empty() {
                i18n.c(C::AllTiers).to_string()
            } else {
                a.allowed_membership_tiers
                    .iter()
                    .map(|t| label_of(&TIERS, t.as_str()).map(|l| i18n.c(l)).unwrap_or(t.as_str()))
                    .collect::<Vec<_>>()
                    .join(" / ")
            };
            let poll = format!("{} #{}", label_of(&POLLING, a.polling_mode.as_str()).map(|l| i18n.c(l)).unwrap_or(""), a.polling_order);
            view! {
                <tr data-model=a.model_name.clone()>
                    <td><div class="strong">{a.name.clone()}</div><div class="muted small mono">{a.model_name.clone()}</div>
                        {a.is_default.then(|| view! { <span class="badge c-tag ok">{i18n.c(C::DefaultFlag)}</span> })}</td>
                    <td>{move || label_of(&MEDIA, &media).map(|l| i18n.c(l)).unwrap_or("")}</td>
                    <td><div>{a.provider.clone()}</div><div class="muted small">{a.api_url.clone()}</div></td>
                    <td class="nowrap">{price_text(&a, i18n)}<div class="muted small">{a.price_note.clone()}</div></td>
                    <td>{tiers}</td>
                    <td class="nowrap">{poll}</td>
                    <td class="mono">{if a.api_key_preview.is_empty() { "—".to_string() } else { a.api_key_preview.clone() }}</td>
                    <td>
                        <label class="switch">
                            <input type="checkbox" role="switch" prop:checked=a.is_active aria-label=move || i18n.c(C::Enabled)
                                on:change=move |ev| set_active(a1.clone(), event_target_checked(&ev)) />
                            <span class="switch-track" aria-hidden="true"></span>
                        </label>
                    </td>
                    <td class="actions">
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| editing.set(Some(Some(a2.clone())))>{move || i18n.c(C::Edit)}</button>
                        <button type="button" class="btn btn-danger btn-sm" on:click=move |_| remove(a3.clone())>{move || i18n.c(C::Delete)}</button>
                    </td>
                </tr>
            }
        },
    );
    view! {
        <section class="glass-panel c-card">
            <div class="c-toolbar">
                <button type="button" class="btn btn-gold btn-sm" on:click=move |_| editing.set(Some(None))>{move || i18n.c(C::AddModel)}</button>
            </div>
            {table}
        </section>
        {move || editing.get().map(|m| view! { <ModelForm model=m done=done/> })}
    }
}

/// Create or edit a platform model.
#[component]
fn ModelForm(model: Option<SystemApiView>, done: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let m = model.clone();
    let s = |f: fn(&SystemApiView) -> String, d: &str| RwSignal::new(m.as_ref().map(f).unwrap_or_else(|| d.to_string()));
    let name = s(|a| a.name.clone(), "");
    let model_name = s(|a| a.model_name.clone(), "");
    let provider = s(|a| a.provider.clone(), "");
    let api_url = s(|a| a.api_url.clone(), "");
    let group = s(|a| a.model_group.clone(), "default");
    let note = s(|a| a.note.clone(), "");
    let media = s(|a| a.media_type.to_string(), "image");
    let billing = s(|a| a.price.billing_mode.clone(), "fixed");
    let per_use = s(|a| a.price.credits_per_use.to_string(), "10");
    let per_second = s(|a| a.price.duration_price_per_second.to_string(), "0");
    let input_1m = s(|a| a.price.input_price_per_1m.to_string(), "0");
    let output_1m = s(|a| a.price.output_price_per_1m.to_string(), "0");
    let price_note = s(|a| a.price_note.clone(), "");
    let polling = s(|a| a.polling_mode.to_string(), "sequential");
    let order = s(|a| a.polling_order.to_string(), "0");
    let capabilities = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let clear_key = RwSignal::new(false);
    let tiers = RwSignal::new(m.as_ref().map(|a| a.allowed_membership_tiers.iter().map(ToString::to_string).collect()).unwrap_or_default());
    let video_modes = RwSignal::new(
        m.as_ref().map(|a| a.video_usage_modes.clone()).unwrap_or_else(|| VIDEO_MODES.iter().map(|v| v.0.to_string()).collect()),
    );
    let is_default = RwSignal::new(m.as_ref().is_none_or(|a| a.is_default));
    let active = RwSignal::new(m.as_ref().is_none_or(|a| a.is_active));
    let preview = m.as_ref().map(|a| a.api_key_preview.clone()).unwrap_or_default();
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let base = model.clone();

    let save = move |_| {
        let caps = capabilities.get_untracked();
        let caps = if caps.trim().is_empty() {
            None
        } else {
            match serde_json::from_str(&caps) {
                Ok(v) => Some(v),
                Err(_) => {
                    toasts.error(i18n.c(C::CapabilitiesInvalid));
                    return;
                }
            }
        };
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string());
        let req = SystemApiInput {
            id: base.as_ref().map(|a| a.id),
            name: text(name),
            model_name: text(model_name),
            provider: text(provider),
            api_url: text(api_url),
            model_group: text(group),
            note: text(note),
            api_key: Some(key.get_untracked().trim().to_string()).filter(|k| !k.is_empty()),
            clear_api_key: Some(clear_key.get_untracked()),
            media_type: text(media),
            billing_mode: text(billing),
            credits_per_use: num(&per_use),
            duration_price_per_second: num(&per_second),
            input_price_per_1m: num(&input_1m),
            output_price_per_1m: num(&output_1m),
            price_note: text(price_note),
            capabilities: caps,
            is_default: Some(is_default.get_untracked()),
            allowed_membership_tiers: Some(tiers.get_untracked()),
            polling_mode: text(polling),
            polling_order: num(&order).map(|n| n as i32),
            video_usage_modes: Some(video_modes.get_untracked()),
            is_active: Some(active.get_untracked()),
            sort_order: base.as_ref().map(|a| a.sort_order),
        };
        w.then(async move { admin::save_system_api(&req).await }, move |_| {
            toasts.success(i18n.c(C::Saved));
            done.run(());
        });
    };
    let is_new = model.is_none();
    let title = Signal::derive(move || i18n.c(if is_new { C::AddModel } else { C::EditModel }).to_string());
    let key_hint = if preview.is_empty() { C::ApiKeyHintNew } else { C::ApiKeyHintKeep };
    view! {
        <Dialog title=title on_close=done wide=true>
            <div class="form-grid c-model-form">
                <Field label=C::DisplayName value=name required=true/>
                <Field label=C::ModelName value=model_name required=true/>
                <Field label=C::Provider value=provider/>
                <Choice label=C::Type value=media options=MEDIA.to_vec()/>
                <Field label=C::ApiUrl value=api_url example="https://…/v1" wide=true/>
                <div class="field">
                    <Field label=C::ApiKey value=key input=Input::Password hint=key_hint/>
                    {(!preview.is_empty()).then(|| view! { <small class="muted mono">{format!("{} {preview}", i18n.c(C::SavedKey))}</small> })}
                </div>
                <div class="field"><Toggle label=C::ClearKey value=clear_key/></div>
                <Field label=C::ModelGroup value=group/>
                <Field label=C::Note value=note/>
                <fieldset class="c-fieldset field-wide">
                    <legend>{move || i18n.c(C::Pricing)}</legend>
                    <div class="form-grid">
                        <Choice label=C::BillingMode value=billing options=BILLING.to_vec()/>
                        {move || match billing.get().as_str() {
                            "fixed" => view! { <Field label=C::CreditsPerUse value=per_use input=Input::Number/> }.into_any(),
                            "duration" => view! { <Field label=C::CreditsPerSecond value=per_second input=Input::Number/> }.into_any(),
                            "token" => view! {
                                <Field label=C::InputPer1M value=input_1m input=Input::Number/>
                                <Field label=C::OutputPer1M value=output_1m input=Input::Number/>
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                        <Field label=C::PriceNote value=price_note wide=true/>
                    </div>
                </fieldset>
                <MultiCheck label=C::AllowedTiers value=tiers options=TIERS.to_vec()/>
                <Toggle label=C::DefaultFlag value=is_default hint=C::DefaultFlagHint/>
                <Toggle label=C::Enabled value=active/>
                <Choice label=C::PollingMode value=polling options=POLLING.to_vec()/>
                <Field label=C::PollingOrder value=order input=Input::Number/>
                {move || (media.get() == "video").then(|| view! { <MultiCheck label=C::VideoModes value=video_modes options=VIDEO_MODES.to_vec()/> })}
                <Field label=C::Capabilities value=capabilities input=Input::Area hint=C::CapabilitiesHint wide=true example="{\"sizes\": [\"1024x1024\"]}"/>
            </div>
            <div class="modal-actions">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::Save)}</button>
            </div>
        </Dialog>
    }
}

#[component]
fn Health() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let (w, list) = reloading(admin::channel_health);
    let version = w.version;
    let probing = RwSignal::new(None::<uuid::Uuid>);
    let probe = move |id: uuid::Uuid| {
        probing.set(Some(id));
        spawn_local(async move {
            match admin::probe_channel(id).await {
                Ok(h) => {
                    if h.frozen {
                        toasts.error(format!("{}: {}", i18n.c(C::ProbeFailed), h.last_error.unwrap_or_default()));
                    } else {
                        toasts.success(i18n.c(C::ProbeOk));
                    }
                    version.update(|v| *v += 1);
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            probing.set(None);
        });
    };
    let table = table_of(
        list,
        C::SecHealth,
        vec![C::Name, C::Type, C::Enabled, C::ErrorsInWindow, C::Frozen, C::LastError, C::LastSuccess, C::LastProbe, C::Actions],
        |l| l.channels,
        move |c| {
            let id = c.channel_id;
            view! {
                <tr>
                    <td><div class="strong">{c.name.clone()}</div><div class="muted small mono">{c.model_name.clone()}</div></td>
                    <td>{c.media_type.as_str()}</td>
                    <td>{if c.is_active { "✓" } else { "—" }}</td>
                    <td class="num">{c.errors_in_window}</td>
                    <td>{if c.frozen {
                        view! { <Tag text=format!("{} {}", i18n.c(C::FrozenUntil), when(c.frozen_until)) tone="bad"/> }.into_any()
                    } else { view! { <Tag text=i18n.c(C::Healthy).to_string() tone="ok"/> }.into_any() }}</td>
                    <td class="clamp">{c.last_error.clone().unwrap_or_else(|| "—".into())}<div class="muted small">{c.last_error_at.map(|t| when(Some(t)))}</div></td>
                    <td class="nowrap">{when(c.last_success_at)}</td>
                    <td class="nowrap">{when(c.last_probe_at)}</td>
                    <td><button type="button" class="btn btn-outline btn-sm" disabled=move || probing.get() == Some(id)
                        on:click=move |_| probe(id)>{move || i18n.c(C::Retest)}</button></td>
                </tr>
            }
        },
    );
    view! {
        <section class="glass-panel c-card">
            <div class="c-toolbar">
                <button type="button" class="btn btn-outline btn-sm" on:click=move |_| version.update(|v| *v += 1)>{move || i18n.c(C::Refresh)}</button>
            </div>
            {table}
        </section>
    }
}

#[component]
fn SmartImport() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let config = RwSignal::new(String::new());
    let tiers = RwSignal::new(Vec::<String>::new());
    let is_default = RwSignal::new(true);
    let price = RwSignal::new("10".to_string());
    let result = RwSignal::new(None::<String>);
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let submit = move |_| {
        let req = SystemSmartImportInput {
            config_text: Some(config.get_untracked()),
            allowed_membership_tiers: Some(tiers.get_untracked()),
            is_default: Some(is_default.get_untracked()),
            credits_per_use: num(&price),
        };
        w.then(async move { admin::smart_import(&req).await }, move |r| {
            toasts.success(r.message.clone());
            result.set(Some(r.apis.iter().map(|a| format!("{} · {}", a.name, a.model_name)).collect::<Vec<_>>().join("\n")));
        });
    };
    view! {
        <section class="glass-panel c-card">
            <p class="muted">{move || i18n.c(C::ImportHelp)}</p>
            <div class="form-grid">
                <Field label=C::ManifestJson value=config input=Input::Area wide=true required=true/>
                <MultiCheck label=C::AllowedTiers value=tiers options=TIERS.to_vec()/>
                <Toggle label=C::DefaultFlag value=is_default/>
                <Field label=C::CreditsPerUse value=price input=Input::Number/>
            </div>
            <div class="btn-row">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() || config.get().trim().is_empty() on:click=submit>{move || i18n.c(C::ImportAsSystem)}</button>
            </div>
            {move || result.get().map(|r| view! { <pre class="c-pre">{r}</pre> })}
        </section>
    }
}

#[component]
fn Agnes() -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let image = RwSignal::new(true);
    let video = RwSignal::new(true);
    let text = RwSignal::new(true);
    let tiers = RwSignal::new(Vec::<String>::new());
    let result = RwSignal::new(None::<String>);
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let install = move |_| {
        let req = AgnesInstallInput {
            sync_image_models: Some(image.get_untracked()),
            sync_video_models: Some(video.get_untracked()),
            sync_text_models: Some(text.get_untracked()),
            allowed_membership_tiers: Some(tiers.get_untracked()),
            is_default: Some(true),
        };
        w.then(async move { admin::install_agnes(&req).await }, move |r| {
            toasts.success(r.message.clone());
            result.set(Some(r.imported_apis.iter().map(|a| format!("{} · {}", a.name, a.model_name)).collect::<Vec<_>>().join("\n")));
        });
    };
    view! {
        <section class="glass-panel c-card">
            <p class="muted">{move || i18n.c(C::AgnesHelp)}</p>
            <div class="form-grid">
                <Toggle label=C::MediaImage value=image/>
                <Toggle label=C::MediaVideo value=video/>
                <Toggle label=C::MediaText value=text/>
                <MultiCheck label=C::AllowedTiers value=tiers options=TIERS.to_vec()/>
            </div>
            <div class="btn-row">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=install>{move || i18n.c(C::InstallAgnes)}</button>
            </div>
            {move || result.get().map(|r| view! { <pre class="c-pre">{r}</pre> })}
        </section>
    }
}
