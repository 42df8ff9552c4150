//! What users pick from: the provider catalogue, model recommendations and style presets.
//! Each is a table with an enable switch, edit and delete, and one create/edit dialog.
use leptos::prelude::*;
use miaojing_api_types::providers::{
    ProviderInput, ProviderView, RecommendationInput, RecommendationView, StylePresetInput, StylePresetView,
};

use super::{label_of, MEDIA};
use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::{
    num, reloading, table_of, Choice, Dialog, Field, Input, SaveRow, SectionCard, SectionTabs, SwitchActions, Toggle,
};
use crate::i18n::use_i18n;
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Providers,
    Recommendations,
    Presets,
}

#[component]
pub fn Catalog() -> impl IntoView {
    let section = RwSignal::new(Section::Providers);
    view! {
        <div class="c-view">
            <SectionTabs section tabs=vec![(Section::Providers, C::SecProviders), (Section::Recommendations, C::SecRecommendations), (Section::Presets, C::SecPresets)]/>
            {move || match section.get() {
                Section::Providers => view! { <Providers/> }.into_any(),
                Section::Recommendations => view! { <Recommendations/> }.into_any(),
                Section::Presets => view! { <Presets/> }.into_any(),
            }}
        </div>
    }
}

fn provider_input(p: &ProviderView) -> ProviderInput {
    ProviderInput {
        id: Some(p.id),
        name: Some(p.name.clone()),
        default_api_url: Some(p.default_api_url.clone()),
        default_model: Some(p.default_model.clone()),
        media_type: Some(p.media_type.to_string()),
        website: Some(p.website.clone()),
        is_active: Some(p.is_active),
        sort_order: Some(p.sort_order),
    }
}

#[component]
fn Providers() -> impl IntoView {
    let i18n = use_i18n();
    let (w, list) = reloading(admin::providers);
    let editing = RwSignal::new(None::<Option<ProviderView>>);
    let done = Callback::new(move |_| editing.set(None));
    let table = table_of(
        list,
        C::SecProviders,
        vec![C::Name, C::Type, C::DefaultModel, C::ApiUrl, C::SortOrder, C::Enabled, C::Actions],
        |l| l.providers,
        move |p| {
            let (p1, p2, p3) = (p.clone(), p.clone(), p.clone());
            let media = p.media_type.as_str();
            view! {
                <tr>
                    <td class="strong">{p.name.clone()}<div class="muted small">{p.website.clone()}</div></td>
                    <td>{move || label_of(&MEDIA, &media).map(|l| i18n.c(l)).unwrap_or("")}</td>
                    <td class="mono">{p.default_model.clone()}</td>
                    <td class="small">{p.default_api_url.clone()}</td>
                    <td class="num">{p.sort_order}</td>
                    <SwitchActions on=p.is_active
                        toggle=Callback::new(move |on| {
                            let mut req = provider_input(&p1);
                            req.is_active = Some(on);
                            w.run(async move { admin::save_provider(&req).await }, None, None);
                        })
                        edit=Callback::new(move |_| editing.set(Some(Some(p2.clone()))))
                        delete=Callback::new(move |_| w.delete(&p3.name, p3.id, |id| Box::pin(admin::delete_provider(id))))/>
                </tr>
            }
        },
    );
    view! {
        <SectionCard add=C::AddProvider on_add=Callback::new(move |_| editing.set(Some(None)))>{table}</SectionCard>
        {move || editing.get().map(|p| {
            let name = RwSignal::new(p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
            let url = RwSignal::new(p.as_ref().map(|p| p.default_api_url.clone()).unwrap_or_default());
            let model = RwSignal::new(p.as_ref().map(|p| p.default_model.clone()).unwrap_or_default());
            let media = RwSignal::new(p.as_ref().map(|p| p.media_type.to_string()).unwrap_or_else(|| "image".into()));
            let site = RwSignal::new(p.as_ref().map(|p| p.website.clone()).unwrap_or_default());
            let order = RwSignal::new(p.as_ref().map(|p| p.sort_order.to_string()).unwrap_or_else(|| "0".into()));
            let active = RwSignal::new(p.as_ref().is_none_or(|p| p.is_active));
            let id = p.as_ref().map(|p| p.id);
            let save = move |()| {
                let req = ProviderInput {
                    id,
                    name: Some(name.get_untracked()),
                    default_api_url: Some(url.get_untracked()),
                    default_model: Some(model.get_untracked()),
                    media_type: Some(media.get_untracked()),
                    website: Some(site.get_untracked()),
                    is_active: Some(active.get_untracked()),
                    sort_order: num(&order).map(|n| n as i32),
                };
                w.run(async move { admin::save_provider(&req).await }, Some(C::Saved), Some(done));
            };
            view! {
                <Dialog title=Signal::derive(move || i18n.c(if id.is_some() { C::EditProvider } else { C::AddProvider }).to_string()) on_close=done>
                    <div class="form-grid">
                        <Field label=C::Name value=name required=true/>
                        <Choice label=C::Type value=media options=MEDIA.to_vec()/>
                        <Field label=C::ApiUrl value=url wide=true/>
                        <Field label=C::DefaultModel value=model/>
                        <Field label=C::Website value=site/>
                        <Field label=C::SortOrder value=order input=Input::Number/>
                        <Toggle label=C::Enabled value=active/>
                    </div>
                    <SaveRow label=C::Save pending=w.pending on_save=Callback::new(save)/>
                </Dialog>
            }
        })}
    }
}

fn recommendation_input(r: &RecommendationView) -> RecommendationInput {
    RecommendationInput {
        id: Some(r.id),
        model_name: Some(r.model_name.clone()),
        display_name: Some(r.display_name.clone()),
        media_type: Some(r.media_type.to_string()),
        provider_id: r.provider_id,
        is_active: Some(r.is_active),
        sort_order: Some(r.sort_order),
    }
}

#[component]
fn Recommendations() -> impl IntoView {
    let i18n = use_i18n();
    let (w, list) = reloading(admin::recommendations);
    let providers = LocalResource::new(admin::providers);
    let provider_name = move |id: Option<Uuid>| -> String {
        match id {
            None => i18n.c(C::AllProviders).to_string(),
            Some(id) => providers
                .get()
                .and_then(Result::ok)
                .and_then(|l| l.providers.into_iter().find(|p| p.id == id).map(|p| p.name))
                .unwrap_or_else(|| id.to_string()),
        }
    };
    let editing = RwSignal::new(None::<Option<RecommendationView>>);
    let done = Callback::new(move |_| editing.set(None));
    let table = table_of(
        list,
        C::SecRecommendations,
        vec![C::ModelName, C::DisplayName, C::Type, C::Provider, C::SortOrder, C::Enabled, C::Actions],
        |l| l.recommendations,
        move |r| {
            let (r1, r2, r3) = (r.clone(), r.clone(), r.clone());
            let media = r.media_type.as_str();
            let pid = r.provider_id;
            view! {
                <tr>
                    <td class="mono">{r.model_name.clone()}</td>
                    <td>{r.display_name.clone()}</td>
                    <td>{move || label_of(&MEDIA, &media).map(|l| i18n.c(l)).unwrap_or("")}</td>
                    <td>{move || provider_name(pid)}</td>
                    <td class="num">{r.sort_order}</td>
                    <SwitchActions on=r.is_active
                        toggle=Callback::new(move |on| {
                            let mut req = recommendation_input(&r1);
                            req.is_active = Some(on);
                            w.run(async move { admin::save_recommendation(&req).await }, None, None);
                        })
                        edit=Callback::new(move |_| editing.set(Some(Some(r2.clone()))))
                        delete=Callback::new(move |_| w.delete(&r3.model_name, r3.id, |id| Box::pin(admin::delete_recommendation(id))))/>
                </tr>
            }
        },
    );
    view! {
        <SectionCard add=C::AddRecommendation on_add=Callback::new(move |_| editing.set(Some(None)))>{table}</SectionCard>
        {move || editing.get().map(|r| {
            let model = RwSignal::new(r.as_ref().map(|r| r.model_name.clone()).unwrap_or_default());
            let display = RwSignal::new(r.as_ref().map(|r| r.display_name.clone()).unwrap_or_default());
            let media = RwSignal::new(r.as_ref().map(|r| r.media_type.to_string()).unwrap_or_else(|| "image".into()));
            let provider = RwSignal::new(r.as_ref().and_then(|r| r.provider_id).map(|p| p.to_string()).unwrap_or_default());
            let order = RwSignal::new(r.as_ref().map(|r| r.sort_order.to_string()).unwrap_or_else(|| "0".into()));
            let active = RwSignal::new(r.as_ref().is_none_or(|r| r.is_active));
            let id = r.as_ref().map(|r| r.id);
            let save = move |()| {
                let req = RecommendationInput {
                    id,
                    model_name: Some(model.get_untracked()),
                    display_name: Some(display.get_untracked()),
                    media_type: Some(media.get_untracked()),
                    provider_id: Uuid::try_parse(&provider.get_untracked()).ok(),
                    is_active: Some(active.get_untracked()),
                    sort_order: num(&order).map(|n| n as i32),
                };
                w.run(async move { admin::save_recommendation(&req).await }, Some(C::Saved), Some(done));
            };
            let options = move || {
                providers.get().and_then(Result::ok).map(|l| l.providers).unwrap_or_default().into_iter().map(|p| {
                    let v = p.id.to_string();
                    let sel = provider.get_untracked() == v;
                    view! { <option value=v selected=sel>{p.name}</option> }
                }).collect_view()
            };
            view! {
                <Dialog title=Signal::derive(move || i18n.c(if id.is_some() { C::EditRecommendation } else { C::AddRecommendation }).to_string()) on_close=done>
                    <div class="form-grid">
                        <Field label=C::ModelName value=model required=true/>
                        <Field label=C::DisplayName value=display/>
                        <Choice label=C::Type value=media options=MEDIA.to_vec()/>
                        <div class="field">
                            <label for="rec-provider">{move || i18n.c(C::Provider)}</label>
                            <select id="rec-provider" class="input" on:change=move |ev| provider.set(event_target_value(&ev))>
                                <option value="">{move || i18n.c(C::AllProviders)}</option>
                                {options}
                            </select>
                        </div>
                        <Field label=C::SortOrder value=order input=Input::Number/>
                        <Toggle label=C::Enabled value=active/>
                    </div>
                    <SaveRow label=C::Save pending=w.pending on_save=Callback::new(save)/>
                </Dialog>
            }
        })}
    }
}

fn preset_input(p: &StylePresetView) -> StylePresetInput {
    StylePresetInput {
        id: Some(p.id),
        label: Some(p.label.clone()),
        prompt: Some(p.prompt.clone()),
        is_active: Some(p.is_active),
        sort_order: Some(p.sort_order),
    }
}

#[component]
fn Presets() -> impl IntoView {
    let i18n = use_i18n();
    let (w, list) = reloading(admin::style_presets);
    let editing = RwSignal::new(None::<Option<StylePresetView>>);
    let done = Callback::new(move |_| editing.set(None));
    let table = table_of(
        list,
        C::SecPresets,
        vec![C::Label, C::Prompt, C::UsageCount, C::SortOrder, C::Enabled, C::Actions],
        |l| l.presets,
        move |p| {
            let (p1, p2, p3) = (p.clone(), p.clone(), p.clone());
            view! {
                <tr>
                    <td class="strong">{p.label.clone()}</td>
                    <td><div class="clamp">{p.prompt.clone()}</div></td>
                    <td class="num">{p.usage_count}</td>
                    <td class="num">{p.sort_order}</td>
                    <SwitchActions on=p.is_active
                        toggle=Callback::new(move |on| {
                            let mut req = preset_input(&p1);
                            req.is_active = Some(on);
                            w.run(async move { admin::save_style_preset(&req).await }, None, None);
                        })
                        edit=Callback::new(move |_| editing.set(Some(Some(p2.clone()))))
                        delete=Callback::new(move |_| w.delete(&p3.label, p3.id, |id| Box::pin(admin::delete_style_preset(id))))/>
                </tr>
            }
        },
    );
    view! {
        <SectionCard add=C::AddPreset on_add=Callback::new(move |_| editing.set(Some(None)))>{table}</SectionCard>
        {move || editing.get().map(|p| {
            let label = RwSignal::new(p.as_ref().map(|p| p.label.clone()).unwrap_or_default());
            let prompt = RwSignal::new(p.as_ref().map(|p| p.prompt.clone()).unwrap_or_default());
            let order = RwSignal::new(p.as_ref().map(|p| p.sort_order.to_string()).unwrap_or_else(|| "0".into()));
            let active = RwSignal::new(p.as_ref().is_none_or(|p| p.is_active));
            let id = p.as_ref().map(|p| p.id);
            let save = move |()| {
                let req = StylePresetInput {
                    id,
                    label: Some(label.get_untracked()),
                    prompt: Some(prompt.get_untracked()),
                    is_active: Some(active.get_untracked()),
                    sort_order: num(&order).map(|n| n as i32),
                };
                w.run(async move { admin::save_style_preset(&req).await }, Some(C::Saved), Some(done));
            };
            view! {
                <Dialog title=Signal::derive(move || i18n.c(if id.is_some() { C::EditPreset } else { C::AddPreset }).to_string()) on_close=done>
                    <div class="form-grid">
                        <Field label=C::Label value=label required=true/>
                        <Field label=C::SortOrder value=order input=Input::Number/>
                        <Field label=C::Prompt value=prompt input=Input::Area required=true wide=true/>
                        <Toggle label=C::Enabled value=active/>
                    </div>
                    <SaveRow label=C::Save pending=w.pending on_save=Callback::new(save)/>
                </Dialog>
            }
        })}
    }
}
