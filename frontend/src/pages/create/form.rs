//! The create form's values, and the generation job they make.
use leptos::prelude::*;
use miaojing_api_types::generation::{CreateJobRequest, GenerationPayload};
use miaojing_api_types::providers::StylePresetView;
use miaojing_api_types::vocab::JobKind;
use serde_json::Value;

use super::jobs::Draft;
use super::mode::{Mode, ModeView};
use super::models::{cap_list, job_model, pick};
use super::refs::RefImage;
use crate::browser;
use crate::i18n::K;

/// Camera movements (sent as `cameraMovement`) and their labels.
pub const CAMERA: [(&str, K); 7] = [
    ("static", K::CamStatic),
    ("push_in", K::CamPushIn),
    ("pull_out", K::CamPullOut),
    ("pan_left", K::CamPanLeft),
    ("pan_right", K::CamPanRight),
    ("tilt_up", K::CamTiltUp),
    ("orbit", K::CamOrbit),
];
/// Video styles (sent as `style`) and their labels.
pub const VIDEO_STYLES: [(&str, K); 5] =
    [("realistic", K::VsRealistic), ("cinematic", K::VsCinematic), ("anime", K::VsAnime), ("3d", K::Vs3d), ("watercolor", K::VsWatercolor)];

/// A client request id: a repeated submission of the same click is answered with the first job.
fn request_id() -> String {
    format!("web-{}-{:08x}", browser::now_millis(), (js_sys::Math::random() * f64::from(u32::MAX)) as u32)
}

/// The form's values.
#[derive(Clone, Copy)]
pub struct Form {
    pub prompt: RwSignal<String>,
    pub negative: RwSignal<String>,
    pub style: RwSignal<Option<String>>,
    pub ratio: RwSignal<String>,
    pub resolution: RwSignal<String>,
    pub format: RwSignal<String>,
    pub quality: RwSignal<String>,
    pub count: RwSignal<String>,
    pub duration: RwSignal<String>,
    pub camera: RwSignal<String>,
    pub video_style: RwSignal<String>,
    pub guidance: RwSignal<String>,
    pub refs: RwSignal<Vec<RefImage>>,
    pub reverse_kind: RwSignal<String>,
    pub reverse_lang: RwSignal<String>,
}

impl Form {
    pub fn new() -> Self {
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

    pub fn apply(self, d: &Draft) {
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

    /// A generation job of mode `m` on the picker's `model` from the form's values: the request,
    /// and the draft kept to fill the form again. Only options the model declares are sent
    /// (`caps`); refused, with the message to show, without a model or, for images, without a
    /// prompt of at least 2 characters.
    pub fn job(
        self,
        m: Mode,
        model: String,
        caps: &Value,
        presets: &[StylePresetView],
        refs: Vec<String>,
    ) -> Result<(CreateJobRequest, Draft), K> {
        let choice = job_model(&model).ok_or(K::NoModels)?;
        let prompt = self.prompt.get_untracked().trim().to_string();
        if !m.is_video() && prompt.chars().count() < 2 {
            return Err(K::PromptTooShort);
        }
        let opts_of = |names: &[&str]| cap_list(caps, names);
        let ratio = pick(&self.ratio.get_untracked(), &opts_of(&["aspectRatios", "ratios"]));
        let resolution = pick(&self.resolution.get_untracked(), &opts_of(&["resolutions", "sizes"]));
        let count = pick(&self.count.get_untracked(), &opts_of(&["counts", "imageCounts"]));
        let duration = pick(&self.duration.get_untracked(), &opts_of(&["durations"]));
        let guidance = self.guidance.get_untracked().trim().parse::<f64>().ok();
        let format = pick(&self.format.get_untracked(), &opts_of(&["outputFormats", "formats"]));
        let quality = pick(&self.quality.get_untracked(), &opts_of(&["qualities", "imageQualities"]));
        let camera_movement = m.is_video().then(|| self.camera.get_untracked().replace('_', " ")).filter(|c| !c.is_empty());
        let (style, style_prompt, style_label) = if m.is_video() {
            (Some(self.video_style.get_untracked()), None, None)
        } else {
            let label = self.style.get_untracked();
            let text = label.as_ref().and_then(|l| presets.iter().find(|p| &p.label == l).map(|p| p.prompt.clone()));
            (None, text, label)
        };
        let draft = Draft {
            mode: m.id().into(),
            prompt: prompt.clone(),
            negative: self.negative.get_untracked(),
            model,
            ratio: ratio.clone().unwrap_or_default(),
            resolution: resolution.clone().unwrap_or_default(),
            count: count.clone().unwrap_or_default(),
            duration: duration.clone().unwrap_or_default(),
            camera: self.camera.get_untracked(),
            video_style: self.video_style.get_untracked(),
            guidance: self.guidance.get_untracked(),
            refs: refs.iter().filter(|r| r.starts_with("http")).cloned().collect(),
        };
        let req = CreateJobRequest {
            kind: if m.is_video() { JobKind::Video } else { JobKind::Image }.as_str().into(),
            payload: Some(GenerationPayload {
                prompt: Some(prompt),
                negative_prompt: Some(self.negative.get_untracked()).filter(|n| !n.trim().is_empty()),
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
        Ok((req, draft))
    }
}
