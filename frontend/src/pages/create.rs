//! `/create?type=`: the five creation modes. The form: the model picker (platform models
//! with prices first, then the user's own keys), controls shown by the selected model's
//! capabilities, style presets, prompt (with a suggestion button) and negative prompt,
//! reference images (see `create_refs`), the reverse-prompt options; submission, and the
//! thread of job cards (see `create_jobs`). Below 768 px the page is a chat: the thread
//! from oldest to newest and the form as a composer fixed above the bottom bar.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use miaojing_api_types::generation::{
    CreateJobRequest, GenerationPayload, ModelChoice as JobModel, ReversePromptInput, ReversePromptOutput, SuggestPromptInput,
};
use miaojing_api_types::providers::{ModelConfig, PlatformModel, StylePresetView, UserApiKeyView};
use miaojing_api_types::vocab::{JobKind, MediaType};
use serde_json::{json, Value};
use uuid::Uuid;

use super::create_jobs::{api_error_panel, CardActions, Draft, JobCards, Jobs};
use super::create_refs::{from_site_url, RefImage, ReferenceImages};
use super::error_text;
use crate::api::{self, ApiError};
use crate::browser;
use crate::components::media::copy_with_toast;
use crate::i18n::{use_i18n, I18n, K};
use crate::session::use_session;
use crate::toast::use_toasts;

/// The five modes (the shared [`Mode`]); the page names them in `?type=` by [`ModeView::id`].
pub use miaojing_api_types::vocab::Mode;

/// The mode named by `?type=` (or a draft): its id, or the shared word (`reverse-prompt`,
/// `reversePrompt`) for the reverse prompt.
pub fn mode_from_id(s: &str) -> Option<Mode> {
    if s == Mode::ReversePrompt.id() {
        return Some(Mode::ReversePrompt);
    }
    Mode::parse(s).ok()
}

/// What the create page shows and asks for each mode.
pub trait ModeView: Copy {
    /// The `?type=` id: the mode's word, `reverse` for the reverse prompt.
    fn id(self) -> &'static str;
    /// The tab label.
    fn label(self) -> K;
    /// The model type the mode runs on.
    fn media(self) -> MediaType;
    /// How many reference images the mode takes (none for the text modes).
    fn max_refs(self) -> usize;
    /// The title of the empty thread.
    fn empty_title(self) -> K;
    /// Starter phrases offered by the empty thread (added to the prompt).
    fn starters(self) -> &'static [K];
    /// The `videoUsageModes` value a video model must list (when it lists any).
    fn video_usage(self) -> Option<&'static str>;
}

impl ModeView for Mode {
    fn id(self) -> &'static str {
        match self {
            Mode::ReversePrompt => "reverse",
            m => m.as_str(),
        }
    }

    fn label(self) -> K {
        match self {
            Mode::Text2Img => K::ModeT2i,
            Mode::Img2Img => K::ModeI2i,
            Mode::Text2Video => K::ModeT2v,
            Mode::Img2Video => K::ModeI2v,
            Mode::ReversePrompt => K::ModeReverse,
        }
    }

    fn media(self) -> MediaType {
        match self.kind() {
            Some(kind) => kind.media_type(),
            None => MediaType::Text,
        }
    }

    fn max_refs(self) -> usize {
        match self {
            Mode::Img2Img => 4,
            Mode::Img2Video | Mode::ReversePrompt => 1,
            Mode::Text2Img | Mode::Text2Video => 0,
        }
    }

    fn empty_title(self) -> K {
        match self {
            Mode::Text2Img => K::EmptyT2i,
            Mode::Img2Img => K::EmptyI2i,
            Mode::Text2Video => K::EmptyT2v,
            Mode::Img2Video => K::EmptyI2v,
            Mode::ReversePrompt => K::EmptyReverse,
        }
    }

    fn starters(self) -> &'static [K] {
        match self {
            Mode::Text2Img => &[K::StartPhoto, K::StartAnime, K::StartInk],
            Mode::Img2Img => &[K::StartRestyle, K::StartScene, K::StartKeepPerson],
            Mode::Text2Video => &[K::StartProduct, K::StartCinema, K::StartAction],
            Mode::Img2Video => &[K::StartPush, K::StartGentle, K::StartAnimate],
            Mode::ReversePrompt => &[],
        }
    }

    fn video_usage(self) -> Option<&'static str> {
        match self {
            Mode::Text2Video => Some("text-to-video"),
            Mode::Img2Video => Some("image-to-video"),
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

/// Camera movements (sent as `cameraMovement`) and their labels.
const CAMERA: [(&str, K); 7] = [
    ("static", K::CamStatic),
    ("push_in", K::CamPushIn),
    ("pull_out", K::CamPullOut),
    ("pan_left", K::CamPanLeft),
    ("pan_right", K::CamPanRight),
    ("tilt_up", K::CamTiltUp),
    ("orbit", K::CamOrbit),
];
/// Video styles (sent as `style`) and their labels.
const VIDEO_STYLES: [(&str, K); 5] =
    [("realistic", K::VsRealistic), ("cinematic", K::VsCinematic), ("anime", K::VsAnime), ("3d", K::Vs3d), ("watercolor", K::VsWatercolor)];

/// The job's model choice from a picker value (`system:<id>` or `custom:<id>`).
fn job_model(value: &str) -> Option<JobModel> {
    let (kind, id) = value.split_once(':')?;
    let id = Uuid::parse_str(id).ok()?;
    match kind {
        "system" => Some(JobModel { system_api_id: Some(id), ..Default::default() }),
        "custom" => Some(JobModel { custom_api_key_id: Some(id), ..Default::default() }),
        _ => None,
    }
}

/// The chosen value when it is one of `opts`, else the first option (none when no options).
fn pick(value: &str, opts: &[String]) -> Option<String> {
    opts.iter().find(|o| *o == value).or(opts.first()).cloned()
}

/// A client request id: a repeated submission of the same click is answered with the first job.
fn request_id() -> String {
    format!("web-{}-{:08x}", browser::now_millis(), (js_sys::Math::random() * f64::from(u32::MAX)) as u32)
}

/// The form's values.
#[derive(Clone, Copy)]
struct Form {
    prompt: RwSignal<String>,
    negative: RwSignal<String>,
    style: RwSignal<Option<String>>,
    ratio: RwSignal<String>,
    resolution: RwSignal<String>,
    format: RwSignal<String>,
    quality: RwSignal<String>,
    count: RwSignal<String>,
    duration: RwSignal<String>,
    camera: RwSignal<String>,
    video_style: RwSignal<String>,
    guidance: RwSignal<String>,
    refs: RwSignal<Vec<RefImage>>,
    reverse_kind: RwSignal<String>,
    reverse_lang: RwSignal<String>,
}

impl Form {
    fn new() -> Self {
        let s = || RwSignal::new(String::new());
        Form {
            prompt: s(),
            negative: s(),
            style: RwSignal::new(None),
            ratio: s(),
            resolution: s(),
            format: s(),
            quality: s(),
            count: s(),
            duration: s(),
            camera: RwSignal::new(CAMERA[0].0.into()),
            video_style: RwSignal::new(VIDEO_STYLES[0].0.into()),
            guidance: s(),
            refs: RwSignal::new(Vec::new()),
            reverse_kind: RwSignal::new("general".into()),
            reverse_lang: RwSignal::new("zh".into()),
        }
    }

    fn apply(self, d: &Draft) {
        self.prompt.set(d.prompt.clone());
        self.negative.set(d.negative.clone());
        for (sig, v) in [
            (self.ratio, &d.ratio),
            (self.resolution, &d.resolution),
            (self.count, &d.count),
            (self.duration, &d.duration),
            (self.guidance, &d.guidance),
        ] {
            sig.set(v.clone());
        }
        if !d.camera.is_empty() {
            self.camera.set(d.camera.clone());
        }
        if !d.video_style.is_empty() {
            self.video_style.set(d.video_style.clone());
        }
        self.refs.set(d.refs.iter().map(|u| RefImage { src: u.clone(), width: 0, height: 0 }).collect());
    }
}

#[component]
pub fn Create() -> impl IntoView {
    let (i18n, toasts, session) = (use_i18n(), use_toasts(), use_session());
    let query = use_query_map();
    let navigate = use_navigate();
    let go = crate::bundle::use_go();
    let mode = Memo::new(move |_| query.with(|q| q.get("type")).and_then(|t| mode_from_id(&t)).unwrap_or(Mode::Text2Img));
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
    let jobs = Jobs::start(logged_in);

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

    let form = Form::new();
    let insert_mention = Callback::new(move |tag: String| {
        form.prompt.update(|p| {
            if !p.is_empty() && !p.ends_with(char::is_whitespace) {
                p.push(' ');
            }
            p.push_str(&tag);
        });
    });

    // Mode changes go through the URL; callbacks ask for one through this signal.
    let goto = RwSignal::new(None::<Mode>);
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(m) = goto.get() {
                navigate(&format!("/create?type={}", m.id()), NavigateOptions { replace: true, scroll: false, ..Default::default() });
            }
        });
    }
    let select_mode = move |m: Mode| goto.set(Some(m));

    let actions = CardActions {
        reuse: Callback::new(move |d: Draft| {
            if let Some(m) = mode_from_id(&d.mode) {
                goto.set(Some(m));
            }
            form.apply(&d);
            if !d.model.is_empty() {
                selected.set(d.model.clone());
            }
            toasts.success(i18n.t(K::DraftApplied));
        }),
        send_to: Callback::new(move |(video, url): (bool, String)| {
            goto.set(Some(if video { Mode::Img2Video } else { Mode::Img2Img }));
            spawn_local(async move {
                let img = if url.starts_with('/') { from_site_url(&url).await } else { Ok(RefImage { src: url, width: 0, height: 0 }) };
                match img {
                    Ok(r) => {
                        form.refs.try_set(vec![r]);
                        toasts.success(i18n.t(K::SentAsReference));
                    }
                    Err(_) => toasts.error(i18n.t(K::RefNotImage)),
                }
            });
        }),
    };

    // Submission.
    let submitting = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<ApiError>);
    let reverse_out = RwSignal::new(None::<ReversePromptOutput>);
    let opts_of = move |names: &[&str]| cap_list(&caps.get_untracked(), names);
    let submit = move || {
        if !logged_in.get_untracked() {
            toasts.info(i18n.t(K::LoginToCreate));
            goto.set(None);
            let to = format!("/auth/login?redirect={}", browser::encode(&browser::current_path()));
            go.to(&to, Default::default());
            return;
        }
        let m = mode.get_untracked();
        let refs: Vec<String> = form.refs.get_untracked().into_iter().take(m.max_refs()).map(|r| r.src).collect();
        if m.max_refs() > 0 && refs.is_empty() && m != Mode::Text2Video {
            toasts.error(i18n.t(K::NeedRefImage));
            return;
        }
        submit_error.set(None);
        if m == Mode::ReversePrompt {
            let req = ReversePromptInput {
                image: refs.first().cloned(),
                output_mode: Some(form.reverse_kind.get_untracked()),
                language: Some(form.reverse_lang.get_untracked()),
            };
            submitting.set(true);
            reverse_out.set(None);
            spawn_local(async move {
                match api::reverse_prompt(&req).await {
                    Ok(out) => {
                        reverse_out.try_set(Some(out));
                    }
                    Err(e) => {
                        submit_error.try_set(Some(e));
                    }
                }
                submitting.try_set(false);
            });
            return;
        }
        let model = selected.get_untracked();
        let Some(choice) = job_model(&model) else {
            toasts.error(i18n.t(K::NoModels));
            return;
        };
        let prompt = form.prompt.get_untracked().trim().to_string();
        if !m.is_video() && prompt.chars().count() < 2 {
            toasts.error(i18n.t(K::PromptTooShort));
            return;
        }
        let ratio = pick(&form.ratio.get_untracked(), &opts_of(&["aspectRatios", "ratios"]));
        let resolution = pick(&form.resolution.get_untracked(), &opts_of(&["resolutions", "sizes"]));
        let count = pick(&form.count.get_untracked(), &opts_of(&["counts", "imageCounts"]));
        let duration = pick(&form.duration.get_untracked(), &opts_of(&["durations"]));
        let guidance = form.guidance.get_untracked().trim().parse::<f64>().ok();
        let format = pick(&form.format.get_untracked(), &opts_of(&["outputFormats", "formats"]));
        let quality = pick(&form.quality.get_untracked(), &opts_of(&["qualities", "imageQualities"]));
        let camera_movement = m.is_video().then(|| form.camera.get_untracked().replace('_', " ")).filter(|c| !c.is_empty());
        let (style, style_prompt, style_label) = if m.is_video() {
            (Some(form.video_style.get_untracked()), None, None)
        } else {
            let label = form.style.get_untracked();
            let text = label.as_ref().and_then(|l| presets.with_untracked(|p| p.iter().find(|p| &p.label == l).map(|p| p.prompt.clone())));
            (None, text, label)
        };
        let draft = Draft {
            mode: m.id().into(),
            prompt: prompt.clone(),
            negative: form.negative.get_untracked(),
            model,
            ratio: ratio.clone().unwrap_or_default(),
            resolution: resolution.clone().unwrap_or_default(),
            count: count.clone().unwrap_or_default(),
            duration: duration.clone().unwrap_or_default(),
            camera: form.camera.get_untracked(),
            video_style: form.video_style.get_untracked(),
            guidance: form.guidance.get_untracked(),
            refs: refs.iter().filter(|r| r.starts_with("http")).cloned().collect(),
        };
        let req = CreateJobRequest {
            kind: if m.is_video() { JobKind::Video } else { JobKind::Image }.as_str().into(),
            payload: Some(GenerationPayload {
                prompt: Some(prompt),
                negative_prompt: Some(form.negative.get_untracked()).filter(|n| !n.trim().is_empty()),
                aspect_ratio: ratio,
                resolution,
                count: count.and_then(|c| c.parse().ok()),
                duration: duration.and_then(|d| d.trim_end_matches('s').parse().ok()),
                guidance_scale: guidance,
                style,
                quality: if m.is_video() { None } else { quality },
                output_format: if m.is_video() { None } else { format },
                camera_movement,
                style_prompt,
                style_label,
                images: refs,
                client_request_id: Some(request_id()),
                custom_api_config: Some(choice),
                ..Default::default()
            }),
        };
        submitting.set(true);
        spawn_local(async move {
            match api::create_job(&req).await {
                Ok(created) => jobs.submitted(created.job_id, draft),
                Err(e) => {
                    submit_error.try_set(Some(e));
                }
            }
            submitting.try_set(false);
        });
    };

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

    // On phones the newest entry of the thread scrolls into view (above the composer).
    let thread_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let n = jobs.cards.with(Vec::len);
        let extra = reverse_out.with(Option::is_some) as usize + submit_error.with(Option::is_some) as usize;
        if n + extra == 0 || window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1024.0) >= 768.0 {
            return;
        }
        request_animation_frame(move || {
            if let Some(last) = thread_ref.get_untracked().and_then(|t| t.last_element_child()) {
                last.scroll_into_view_with_bool(false);
            }
        });
    });

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

    let reverse_card = move || {
        reverse_out.get().map(|out| {
            let structured = form.reverse_kind.get_untracked() == "structured";
            let text = if structured && !out.structured_prompt.trim().is_empty() { out.structured_prompt.clone() } else { out.general_prompt.clone() };
            let (t1, t2) = (text.clone(), text.clone());
            let negative = out.negative_prompt.clone();
            view! {
                <article class="glass-panel job-card" data-testid="reverse-result">
                    <header class="job-head"><strong>{move || i18n.t(K::ReverseResult)}</strong></header>
                    {out.reference_image.clone().map(|src| view! { <img class="reverse-ref" src=src alt=""/> })}
                    <p class="job-prompt" data-testid="reverse-text">{text}</p>
                    {(!negative.trim().is_empty()).then(|| view! {
                        <p class="small muted"><span>{move || i18n.t(K::NegativeLabel)}</span>": "{negative.clone()}</p>
                    })}
                    <div class="btn-row">
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| copy_with_toast(t1.clone(), toasts, i18n)>
                            {move || i18n.t(K::CopyPrompt)}</button>
                        <button type="button" class="btn btn-outline btn-sm" data-testid="reverse-generate"
                            on:click=move |_| actions.reuse.run(Draft { mode: Mode::Text2Img.id().into(), prompt: t2.clone(), ..Default::default() })>
                            {move || i18n.t(K::GenerateImage)}</button>
                    </div>
                </article>
            }
        })
    };

    let empty = move || {
        jobs.cards.with(Vec::is_empty) && reverse_out.with(Option::is_none) && submit_error.with(Option::is_none) && !submitting.get()
    };

    view! {
        <section class="container create-page create-chat-layout">
            <h1 class="page-title create-heading">{move || i18n.t(K::CreateTitle)}</h1>
            <div class="mode-bar" data-testid="mode-bar">
                <div class="tabs mode-tabs" role="tablist" aria-label=move || i18n.t(K::CreateTitle)>
                    {Mode::ALL.into_iter().map(|m| {
                        view! {
                            <button type="button" role="tab" class="tab" data-mode=m.id()
                                aria-selected=move || (mode.get() == m).to_string()
                                on:click=move |_| select_mode(m)>{move || i18n.t(m.label())}</button>
                        }
                    }).collect_view()}
                </div>
            </div>
            <div class="create-grid">
            <div class="create-thread" data-testid="create-thread" node_ref=thread_ref aria-live="polite">
                <Show when=empty>
                    <div class="thread-empty glass-panel" data-testid="thread-empty">
                        <span class="thread-empty-icon" aria-hidden="true">"✦"</span>
                        <strong class="thread-empty-title">{move || i18n.t(mode.get().empty_title())}</strong>
                        <p class="small">{move || i18n.t(K::ResultsHere)}</p>
                        <div class="model-chips">
                            {move || mode.get().starters().iter().map(|k| {
                                let k = *k;
                                view! { <button type="button" class="chip chip-btn" on:click=move |_| insert_mention.run(i18n.t(k).to_string())>
                                    {move || i18n.t(k)}</button> }
                            }).collect_view()}
                        </div>
                    </div>
                </Show>
                <JobCards jobs=jobs actions=actions/>
                {reverse_card}
                <Show when=move || submitting.get() && mode.get() == Mode::ReversePrompt>
                    <article class="glass-panel job-card" data-testid="reverse-busy">
                        <p class="muted">{move || i18n.t(K::Reversing)}</p>
                        <div class="progress"><div class="progress-fill indeterminate"></div></div>
                    </article>
                </Show>
                {move || submit_error.get().map(|e| view! { <div class="job-card glass-panel">{api_error_panel(&e, i18n)}</div> })}
            </div>
            <form class="glass-panel card-pad create-form create-composer" data-testid="create-form"
                on:submit=move |ev| { ev.prevent_default(); submit(); }>
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
                            on:keydown=move |ev| if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) { ev.prevent_default(); submit(); }></textarea>
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
            </div>
        </section>
    }
}
