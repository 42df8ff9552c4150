//! The form (a composer fixed above the bottom bar on phones): the model picker, reference
//! images, the reverse-prompt options, prompt (with a suggestion from the platform's text
//! model) and negative prompt, style presets, and the controls the picked model declares.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use miaojing_api_types::generation::SuggestPromptInput;
use serde_json::json;

use super::form::{CAMERA, VIDEO_STYLES};
use super::mode::{Mode, ModeView};
use super::models::cap_list;
use super::refs::ReferenceImages;
use super::Page;
use crate::api;
use crate::i18n::{use_i18n, K};
use crate::pages::error_text;
use crate::toast::use_toasts;

#[component]
pub(super) fn Composer(page: Page, submit: Callback<()>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let Page { mode, presets, choices, selected, caps, form, submitting, insert_mention, .. } = page;
    // Prompt suggestion from the platform's text model.
    let suggesting = RwSignal::new(false);
    let suggest = move |_| {
        let prompt = form.prompt.get_untracked();
        if prompt.trim().is_empty() {
            toasts.error(i18n.t(K::PromptEmpty));
            return;
        }
        let m = mode.get_untracked();
        let sel = selected.get_untracked();
        let label = choices.with_untracked(|l| l.iter().find(|c| c.value == sel).map(|c| c.label.clone())).unwrap_or_default();
        let req = SuggestPromptInput {
            prompt: Some(prompt),
            system_prefix: None,
            custom_api_config: None,
            target_generation_model: Some(json!({"modelName": label, "displayName": label, "mediaType": m.media()})),
        };
        suggesting.set(true);
        spawn_local(async move {
            match api::suggest_prompt(&req).await {
                Ok(out) => {
                    form.prompt.try_set(out.prompt);
                    if let Some(n) = out.negative_prompt.filter(|n| !n.trim().is_empty()) {
                        form.negative.try_set(n);
                    }
                    toasts.success(i18n.t(K::SuggestDone));
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            suggesting.try_set(false);
        });
    };

    // One select per capability the model declares; video modes always get camera and style.
    let param = move |id: &'static str, label: K, names: &'static [&'static str], value: RwSignal<String>| {
        move || {
            let opts = cap_list(&caps.get(), names);
            (!opts.is_empty()).then(|| {
                view! {
                    <div class="field">
                        <label for=id>{move || i18n.t(label)}</label>
                        <select id=id class="input" on:change=move |ev| value.set(event_target_value(&ev))>
                            {opts.into_iter().map(|o| {
                                let o2 = o.clone();
                                view! { <option value=o.clone() prop:selected=move || value.get() == o2>{o.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            })
        }
    };
    let fixed_select = move |id: &'static str, label: K, opts: &'static [(&'static str, K)], value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{move || i18n.t(label)}</label>
                <select id=id class="input" on:change=move |ev| value.set(event_target_value(&ev))>
                    {opts.iter().map(|(o, k)| view! { <option value=*o prop:selected=move || value.get() == *o>{move || i18n.t(*k)}</option> }).collect_view()}
                </select>
            </div>
        }
    };

    view! {
        <form class="glass-panel card-pad create-form create-composer" data-testid="create-form"
            on:submit=move |ev| { ev.prevent_default(); submit.run(()); }>
            <div class="field">
                <label for="create-model">{move || i18n.t(if mode.get().is_video() { K::VideoModel } else { K::GenModel })}</label>
                {move || if choices.with(Vec::is_empty) {
                    view! {
                        <div class="no-models" data-testid="no-models">
                            <span>{move || i18n.t(K::NoModels)}</span>" "
                            <A href="/profile?tab=api" attr:rel=crate::bundle::rel("/profile")>{move || i18n.t(K::AddKeyLink)}</A>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <select id="create-model" class="input" on:change=move |ev| selected.set(event_target_value(&ev))>
                            {move || choices.get().into_iter().map(|c| {
                                let v = c.value.clone();
                                let text = match &c.price { Some(p) => format!("{} · {p}", c.label), None => format!("{} · {}", c.label, i18n.t(K::OwnKey)) };
                                view! { <option value=c.value.clone() prop:selected=move || selected.get() == v>{text}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any()
                }}
            </div>
            {move || {
                let max = mode.get().max_refs();
                (max > 0).then(|| view! { <ReferenceImages images=form.refs max=max on_mention=insert_mention/> })
            }}
            <Show when=move || mode.get() == Mode::ReversePrompt>
                <div class="form-grid">
                    <div class="field">
                        <label for="reverse-kind">{move || i18n.t(K::ReverseKind)}</label>
                        <select id="reverse-kind" class="input" on:change=move |ev| form.reverse_kind.set(event_target_value(&ev))>
                            <option value="general">{move || i18n.t(K::ReverseGeneral)}</option>
                            <option value="structured">{move || i18n.t(K::ReverseStructured)}</option>
                            <option value="pixel">{move || i18n.t(K::ReversePixel)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="reverse-lang">{move || i18n.t(K::ReverseLang)}</label>
                        <select id="reverse-lang" class="input" on:change=move |ev| form.reverse_lang.set(event_target_value(&ev))>
                            <option value="zh">"中文"</option>
                            <option value="en">"English"</option>
                        </select>
                    </div>
                </div>
            </Show>
            <Show when=move || mode.get() != Mode::ReversePrompt>
                <div class="field">
                    <div class="label-row">
                        <label for="create-prompt">{move || i18n.t(K::PromptLabel)}</label>
                        <button type="button" class="btn btn-ghost btn-sm" data-testid="suggest" disabled=move || suggesting.get()
                            on:click=suggest>{move || i18n.t(if suggesting.get() { K::Suggesting } else { K::SuggestPrompt })}</button>
                    </div>
                    <textarea id="create-prompt" class="input textarea" rows="5" bind:value=form.prompt
                        placeholder=move || i18n.t(if mode.get().is_video() { K::PromptPhVideo } else { K::PromptPhImage })
                        on:keydown=move |ev| if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) { ev.prevent_default(); submit.run(()); }></textarea>
                </div>
                <div class="field composer-optional">
                    <label for="create-negative">{move || i18n.t(K::NegativeLabel)}</label>
                    <textarea id="create-negative" class="input textarea" rows="3" bind:value=form.negative></textarea>
                </div>
            </Show>
            <Show when=move || matches!(mode.get(), Mode::Text2Img | Mode::Img2Img) && !presets.with(Vec::is_empty)>
                <div class="field">
                    <span class="label">{move || i18n.t(K::StylePresets)}</span>
                    <div class="model-chips style-strip" data-testid="style-presets">
                        {move || presets.get().into_iter().map(|p| {
                            let label = p.label.clone();
                            let l2 = p.label.clone();
                            view! {
                                <button type="button" class="chip chip-btn" aria-pressed=move || (form.style.get().as_deref() == Some(label.as_str())).to_string()
                                    on:click=move |_| form.style.update(|s| *s = if s.as_deref() == Some(l2.as_str()) { None } else { Some(l2.clone()) })>
                                    {p.label.clone()}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                </div>
            </Show>
            <div class="form-grid params" data-testid="params">
                {param("param-ratio", K::ParamRatio, &["aspectRatios", "ratios"], form.ratio)}
                {param("param-resolution", K::ParamResolution, &["resolutions", "sizes"], form.resolution)}
                {param("param-format", K::ParamFormat, &["outputFormats", "formats"], form.format)}
                {param("param-quality", K::ParamQuality, &["qualities", "imageQualities"], form.quality)}
                {param("param-count", K::ParamCount, &["counts", "imageCounts"], form.count)}
                {param("param-duration", K::ParamDuration, &["durations"], form.duration)}
                {move || mode.get().is_video().then(|| view! {
                    {fixed_select("param-camera", K::ParamCamera, &CAMERA, form.camera)}
                    {fixed_select("param-video-style", K::ParamVideoStyle, &VIDEO_STYLES, form.video_style)}
                })}
                {move || matches!(mode.get(), Mode::Text2Img | Mode::Img2Img).then(|| view! {
                    <div class="field">
                        <label for="param-guidance">{move || i18n.t(K::ParamGuidance)}</label>
                        <input id="param-guidance" class="input" type="number" min="0" max="20" step="0.5" inputmode="decimal"
                            placeholder=move || i18n.t(K::DefaultValue) bind:value=form.guidance/>
                    </div>
                })}
            </div>
            <div class="composer-send">
                <button type="submit" class="btn btn-gold send-btn" data-testid="submit"
                    aria-label=move || i18n.t(K::SendCreation)
                    disabled=move || submitting.get() || (mode.get() != Mode::ReversePrompt && choices.with(Vec::is_empty))>
                    <span aria-hidden="true">"✦ "</span>
                    {move || i18n.t(if submitting.get() { K::Submitting } else if mode.get() == Mode::ReversePrompt { K::StartReverse } else { K::Generate })}
                </button>
            </div>
        </form>
    }
}
