//! `/create?type=`: the five creation modes. This part holds the form: the model picker
//! (platform models with prices first, then the user's own keys), controls shown by the
//! selected model's capabilities, style presets, prompt and negative prompt, and the
//! reverse-prompt options, reference images (see `create_refs`). Submission and job cards
//! are not here yet.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use miaojing_api_types::providers::{ModelConfig, PlatformModel, StylePresetView, UserApiKeyView};
use serde_json::Value;

use super::create_refs::{RefImage, ReferenceImages};
use crate::api;
use crate::i18n::{use_i18n, I18n, K};
use crate::session::use_session;

/// The five modes, as named in `?type=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    TextToImage,
    ImageToImage,
    TextToVideo,
    ImageToVideo,
    Reverse,
}

impl Mode {
    pub const ALL: [Mode; 5] = [Mode::TextToImage, Mode::ImageToImage, Mode::TextToVideo, Mode::ImageToVideo, Mode::Reverse];

    pub fn id(self) -> &'static str {
        match self {
            Mode::TextToImage => "text2img",
            Mode::ImageToImage => "img2img",
            Mode::TextToVideo => "text2video",
            Mode::ImageToVideo => "img2video",
            Mode::Reverse => "reverse",
        }
    }

    /// `reverse-prompt` is accepted as an alias, like the original.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "reverse-prompt" | "reversePrompt" => Some(Mode::Reverse),
            _ => Mode::ALL.into_iter().find(|m| m.id() == s),
        }
    }

    fn label(self) -> K {
        match self {
            Mode::TextToImage => K::ModeT2i,
            Mode::ImageToImage => K::ModeI2i,
            Mode::TextToVideo => K::ModeT2v,
            Mode::ImageToVideo => K::ModeI2v,
            Mode::Reverse => K::ModeReverse,
        }
    }

    /// The model type the mode runs on.
    fn media(self) -> &'static str {
        match self {
            Mode::TextToImage | Mode::ImageToImage => "image",
            Mode::TextToVideo | Mode::ImageToVideo => "video",
            Mode::Reverse => "text",
        }
    }

    /// How many reference images the mode takes (none for the text modes).
    fn max_refs(self) -> usize {
        match self {
            Mode::ImageToImage => 4,
            Mode::ImageToVideo | Mode::Reverse => 1,
            Mode::TextToImage | Mode::TextToVideo => 0,
        }
    }

    fn is_video(self) -> bool {
        self.media() == "video"
    }

    /// The `videoUsageModes` value a video model must list (when it lists any).
    fn video_usage(self) -> Option<&'static str> {
        match self {
            Mode::TextToVideo => Some("text-to-video"),
            Mode::ImageToVideo => Some("image-to-video"),
            _ => None,
        }
    }
}

/// A model the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelChoice {
    /// `system:<id>` or `custom:<id>`.
    pub value: String,
    pub label: String,
    pub price: Option<String>,
    pub capabilities: Value,
}

fn price_text(m: &PlatformModel, i18n: I18n) -> String {
    match m.price.billing_mode.as_str() {
        "fixed" => format!("{} {}", m.price.credits_per_use, i18n.t(K::CreditsPerUse)),
        "duration" => format!("{} {}", m.price.duration_price_per_second, i18n.t(K::CreditsPerSecond)),
        "token" => i18n.t(K::PricePerToken).to_string(),
        _ => i18n.t(K::PriceFree).to_string(),
    }
}

/// Platform models of the mode's type first, then the user's active keys of that type.
pub fn model_choices(cfg: &ModelConfig, mode: Mode, i18n: I18n) -> Vec<ModelChoice> {
    let media = mode.media();
    let system = cfg.system_apis.iter().filter(|m| m.media_type == media).filter(|m| match mode.video_usage() {
        Some(u) => m.video_usage_modes.is_empty() || m.video_usage_modes.iter().any(|x| x == u),
        None => true,
    });
    let system = system.map(|m| ModelChoice {
        value: format!("system:{}", m.id),
        label: if m.name.is_empty() { m.model_name.clone() } else { m.name.clone() },
        price: Some(price_text(m, i18n)),
        capabilities: m.capabilities.clone(),
    });
    let custom = cfg.user_keys.iter().filter(|k| k.is_active && k.media_type == media).map(|k: &UserApiKeyView| {
        let head = if k.note.trim().is_empty() { &k.supplier_name } else { &k.note };
        ModelChoice {
            value: format!("custom:{}", k.id),
            label: if k.model_name.is_empty() { head.clone() } else { format!("{head} / {}", k.model_name) },
            price: None,
            capabilities: k.capabilities.clone(),
        }
    });
    system.chain(custom).collect()
}

/// A capability list (`["1:1", ...]`, numbers become text), empty when not declared.
pub fn cap_list(caps: &Value, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| caps.get(*n))
        .filter_map(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string()))).collect::<Vec<_>>())
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

const CAMERA: [&str; 7] = ["static", "push_in", "pull_out", "pan_left", "pan_right", "tilt_up", "orbit"];
const VIDEO_STYLES: [&str; 5] = ["realistic", "cinematic", "anime", "3d", "watercolor"];

#[component]
pub fn Create() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let mode = Memo::new(move |_| query.with(|q| q.get("type")).and_then(|t| Mode::parse(&t)).unwrap_or(Mode::TextToImage));
    let config = RwSignal::new(None::<ModelConfig>);
    let presets = RwSignal::new(Vec::<StylePresetView>::new());
    let logged_in = Memo::new(move |_| session.is_logged_in());
    Effect::new(move |_| {
        if logged_in.get() {
            spawn_local(async move {
                if let Ok(c) = api::model_config().await {
                    config.try_set(Some(c));
                }
            });
        } else {
            config.set(None);
        }
    });
    spawn_local(async move {
        if let Ok(p) = api::style_presets().await {
            presets.try_set(p.presets);
        }
    });

    let choices = Memo::new(move |_| config.with(|c| c.as_ref().map(|c| model_choices(c, mode.get(), i18n)).unwrap_or_default()));
    let selected = RwSignal::new(String::new());
    // A stale or empty selection falls back to the first option.
    Effect::new(move |_| {
        let list = choices.get();
        if !list.iter().any(|c| c.value == selected.get_untracked()) {
            selected.set(list.first().map(|c| c.value.clone()).unwrap_or_default());
        }
    });
    let caps = Memo::new(move |_| {
        let sel = selected.get();
        choices.with(|l| l.iter().find(|c| c.value == sel).map(|c| c.capabilities.clone())).unwrap_or(Value::Null)
    });

    let prompt = RwSignal::new(String::new());
    let negative = RwSignal::new(String::new());
    let style = RwSignal::new(None::<String>);
    let reverse_kind = RwSignal::new("general".to_string());
    let reverse_lang = RwSignal::new("zh".to_string());
    let refs = RwSignal::new(Vec::<RefImage>::new());
    let insert_mention = Callback::new(move |tag: String| {
        prompt.update(|p| {
            if !p.is_empty() && !p.ends_with(char::is_whitespace) {
                p.push(' ');
            }
            p.push_str(&tag);
        });
    });

    let select_mode = move |m: Mode| {
        navigate(&format!("/create?type={}", m.id()), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };

    // One select per capability the model declares; video modes always get camera and style.
    let param = move |id: &'static str, label: K, names: &'static [&'static str]| {
        let value = RwSignal::new(String::new());
        move || {
            let opts = cap_list(&caps.get(), names);
            (!opts.is_empty()).then(|| {
                view! {
                    <div class="field">
                        <label for=id>{move || i18n.t(label)}</label>
                        <select id=id class="input" on:change=move |ev| value.set(event_target_value(&ev))>
                            {opts.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                }
            })
        }
    };
    let fixed_select = move |id: &'static str, label: K, opts: &'static [&'static str]| {
        view! {
            <div class="field">
                <label for=id>{move || i18n.t(label)}</label>
                <select id=id class="input">
                    {opts.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                </select>
            </div>
        }
    };

    view! {
        <section class="container create-page">
            <h1 class="page-title">{move || i18n.t(K::CreateTitle)}</h1>
            <div class="tabs mode-tabs" role="tablist" aria-label=move || i18n.t(K::CreateTitle)>
                {Mode::ALL.into_iter().map(|m| {
                    let select_mode = select_mode.clone();
                    view! {
                        <button type="button" role="tab" class="tab" data-mode=m.id()
                            aria-selected=move || (mode.get() == m).to_string()
                            on:click=move |_| select_mode(m)>{move || i18n.t(m.label())}</button>
                    }
                }).collect_view()}
            </div>
            <div class="glass-panel card-pad create-form" data-testid="create-form">
                <div class="field">
                    <label for="create-model">{move || i18n.t(if mode.get().is_video() { K::VideoModel } else { K::GenModel })}</label>
                    {move || if choices.with(Vec::is_empty) {
                        view! {
                            <div class="no-models" data-testid="no-models">
                                <span>{move || i18n.t(K::NoModels)}</span>" "
                                <A href="/profile?tab=api">{move || i18n.t(K::AddKeyLink)}</A>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <select id="create-model" class="input" on:change=move |ev| selected.set(event_target_value(&ev))>
                                {move || choices.get().into_iter().map(|c| {
                                    let v = c.value.clone();
                                    let text = match &c.price { Some(p) => format!("{} · {p}", c.label), None => format!("{} · {}", c.label, i18n.t(K::OwnKey)) };
                                    view! { <option value=c.value.clone() selected=move || selected.get() == v>{text}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any()
                    }}
                </div>
                {move || {
                    let max = mode.get().max_refs();
                    (max > 0).then(|| view! { <ReferenceImages images=refs max=max on_mention=insert_mention/> })
                }}
                <Show when=move || mode.get() == Mode::Reverse>
                    <div class="form-grid">
                        <div class="field">
                            <label for="reverse-kind">{move || i18n.t(K::ReverseKind)}</label>
                            <select id="reverse-kind" class="input" on:change=move |ev| reverse_kind.set(event_target_value(&ev))>
                                <option value="general">{move || i18n.t(K::ReverseGeneral)}</option>
                                <option value="structured">{move || i18n.t(K::ReverseStructured)}</option>
                                <option value="pixel">{move || i18n.t(K::ReversePixel)}</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="reverse-lang">{move || i18n.t(K::ReverseLang)}</label>
                            <select id="reverse-lang" class="input" on:change=move |ev| reverse_lang.set(event_target_value(&ev))>
                                <option value="zh">"中文"</option>
                                <option value="en">"English"</option>
                            </select>
                        </div>
                    </div>
                </Show>
                <Show when=move || mode.get() != Mode::Reverse>
                    <div class="field">
                        <label for="create-prompt">{move || i18n.t(K::PromptLabel)}</label>
                        <textarea id="create-prompt" class="input textarea" rows="5" bind:value=prompt></textarea>
                    </div>
                    <div class="field">
                        <label for="create-negative">{move || i18n.t(K::NegativeLabel)}</label>
                        <textarea id="create-negative" class="input textarea" rows="3" bind:value=negative></textarea>
                    </div>
                </Show>
                <Show when=move || matches!(mode.get(), Mode::TextToImage | Mode::ImageToImage) && !presets.with(Vec::is_empty)>
                    <div class="field">
                        <span class="label">{move || i18n.t(K::StylePresets)}</span>
                        <div class="model-chips" data-testid="style-presets">
                            {move || presets.get().into_iter().map(|p| {
                                let label = p.label.clone();
                                let l2 = p.label.clone();
                                view! {
                                    <button type="button" class="chip chip-btn" aria-pressed=move || (style.get().as_deref() == Some(label.as_str())).to_string()
                                        on:click=move |_| style.update(|s| *s = if s.as_deref() == Some(l2.as_str()) { None } else { Some(l2.clone()) })>
                                        {p.label.clone()}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                </Show>
                <div class="form-grid params" data-testid="params">
                    {param("param-ratio", K::ParamRatio, &["aspectRatios", "ratios"])}
                    {param("param-resolution", K::ParamResolution, &["resolutions", "sizes"])}
                    {param("param-format", K::ParamFormat, &["outputFormats", "formats"])}
                    {param("param-quality", K::ParamQuality, &["qualities", "imageQualities"])}
                    {param("param-count", K::ParamCount, &["counts", "imageCounts"])}
                    {param("param-duration", K::ParamDuration, &["durations"])}
                    {move || mode.get().is_video().then(|| view! {
                        {fixed_select("param-camera", K::ParamCamera, &CAMERA)}
                        {fixed_select("param-video-style", K::ParamVideoStyle, &VIDEO_STYLES)}
                    })}
                </div>
                <p class="muted small">{move || i18n.t(K::SubmitComing)}</p>
            </div>
        </section>
    }
}
