//! What a job stores about itself: the checked request and where its model comes from.
use miaojing_api_types::generation::{Eta, GenerationPayload};
use miaojing_domain::job::{Job, JobKind, Mode};
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Largest reference image accepted (as a data URL or URL), in characters.
pub const MAX_IMAGE_CHARS: usize = 8_000_000;
/// Reference images per job.
pub const MAX_IMAGES: usize = 8;

/// Where a job's model comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Source {
    /// Platform rows sharing a display name (failover candidates); billed.
    #[serde(rename_all = "camelCase")]
    System { name: String },
    /// The owner's own key; free, never failed over.
    #[serde(rename_all = "camelCase")]
    UserKey { id: Uuid },
}

/// A checked job request, stored as the job's params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    pub size: Option<String>,
    pub count: u32,
    pub guidance_scale: Option<f64>,
    pub duration: Option<u32>,
    pub style: Option<String>,
    #[serde(default)]
    pub quality: Option<String>,
    #[serde(default)]
    pub output_format: Option<String>,
    #[serde(default)]
    pub camera_movement: Option<String>,
    pub style_prompt: Option<String>,
    #[serde(default)]
    pub images: Vec<String>,
    pub client_request_id: Option<String>,
    pub source: Source,
    /// Layout-composition instruction, set at submission when the site switch is on (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composition: Option<String>,
    /// The run-time estimate made at submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<Eta>,
}

fn opt(v: Option<String>, max: usize, code: impl Into<&'static str>) -> Result<Option<String>> {
    let v = v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && s != "auto");
    if v.as_ref().is_some_and(|s| s.chars().count() > max) {
        return Err(Error::validation(code, "参数过长"));
    }
    Ok(v)
}

/// An image format the platform can store: `png`, `jpeg` (or `jpg`) or `webp`.
fn format(v: Option<String>) -> Result<Option<String>> {
    match opt(v, 10, ErrorCode::InvalidOutputFormat)?.map(|f| f.to_ascii_lowercase()) {
        None => Ok(None),
        Some(f) if f == "jpg" => Ok(Some("jpeg".into())),
        Some(f) if ["png", "jpeg", "webp"].contains(&f.as_str()) => Ok(Some(f)),
        Some(_) => Err(Error::validation(ErrorCode::InvalidOutputFormat, "图片格式只支持 png、jpeg 或 webp")),
    }
}

impl JobSpec {
    /// The spec a job was submitted with (its params), read without copying them first.
    pub fn of(job: &Job) -> Result<Self> {
        Self::deserialize(&job.params).map_err(|_| invalid_job())
    }
}

/// The part of a [`JobSpec`] the job views show, read from the job's params without copying
/// the rest (prompt, reference images): the same field names, pinned by a test.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecSummary {
    #[serde(default)]
    pub eta: Option<Eta>,
    #[serde(default)]
    pub client_request_id: Option<String>,
}

impl SpecSummary {
    /// The summary of a job's spec (empty when its params are not a spec).
    pub fn of(job: &Job) -> Self {
        Self::deserialize(&job.params).unwrap_or_default()
    }
}

/// The job's params are not a spec this version reads.
pub fn invalid_job() -> Error {
    Error::validation(ErrorCode::InvalidJob, "任务参数无效")
}

/// Checks a payload of `kind`; returns the mode and the spec with `source` (the caller sets the
/// resolved one once the model is looked up).
pub fn check(kind: JobKind, p: GenerationPayload, source: Source) -> Result<(Mode, JobSpec)> {
    let video = kind == JobKind::Video;
    let mut images: Vec<String> = p.image.into_iter().chain(p.images).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    images.dedup();
    if images.len() > MAX_IMAGES {
        return Err(Error::validation(ErrorCode::TooManyImages, format!("参考图最多 {MAX_IMAGES} 张")));
    }
    for i in &images {
        if i.len() > MAX_IMAGE_CHARS {
            return Err(Error::new(miaojing_domain::ErrorKind::TooLarge, ErrorCode::ImageTooLarge, "图片过大，请压缩后再上传"));
        }
        let own =
            i.strip_prefix(miaojing_storage::keys::PUBLIC_PREFIX).is_some_and(|k| miaojing_storage::keys::key_from_url_path(k).is_ok());
        if !(own || i.starts_with("data:image/") || i.starts_with("https://") || i.starts_with("http://")) {
            return Err(Error::validation(ErrorCode::InvalidImage, "参考图必须是图片 data URL、http(s) 地址或本站作品地址"));
        }
    }
    let prompt = p.prompt.unwrap_or_default().trim().to_string();
    if prompt.chars().count() > 10_000 {
        return Err(Error::validation(ErrorCode::PromptTooLong, "创作描述最多 10000 个字符"));
    }
    if video {
        if prompt.is_empty() && images.is_empty() {
            return Err(Error::validation(ErrorCode::PromptRequired, "请提供视频描述或上传图片"));
        }
    } else if prompt.is_empty() {
        return Err(Error::validation(ErrorCode::PromptRequired, "请提供创作描述"));
    } else if prompt.chars().count() < 2 {
        return Err(Error::validation(ErrorCode::PromptTooShort, "创作描述过短，请输入更详细的描述"));
    }
    let count = p.count.unwrap_or(1);
    if !(1..=10).contains(&count) {
        return Err(Error::validation(ErrorCode::InvalidCount, "生成数量必须在 1 到 10 之间"));
    }
    let duration = if video { Some(p.duration.unwrap_or(5)) } else { None };
    if duration.is_some_and(|d| !(1..=60).contains(&d)) {
        return Err(Error::validation(ErrorCode::InvalidDuration, "视频时长必须在 1 到 60 秒之间"));
    }
    if p.guidance_scale.is_some_and(|g| !g.is_finite() || !(0.0..=50.0).contains(&g)) {
        return Err(Error::validation(ErrorCode::InvalidGuidance, "引导系数必须在 0 到 50 之间"));
    }
    let client_request_id = opt(p.client_request_id, 200, ErrorCode::InvalidClientRequestId)?;
    let mode = match (video, images.is_empty()) {
        (false, true) => Mode::Text2Img,
        (false, false) => Mode::Img2Img,
        (true, true) => Mode::Text2Video,
        (true, false) => Mode::Img2Video,
    };
    let spec = JobSpec {
        prompt,
        negative_prompt: opt(p.negative_prompt, 4_000, ErrorCode::NegativePromptTooLong)?,
        aspect_ratio: opt(p.aspect_ratio, 20, ErrorCode::InvalidAspectRatio)?,
        resolution: opt(p.resolution, 20, ErrorCode::InvalidResolution)?,
        size: opt(p.size, 20, ErrorCode::InvalidSize)?,
        count: if video { 1 } else { count },
        guidance_scale: p.guidance_scale,
        duration,
        style: opt(p.style, 100, ErrorCode::InvalidStyle)?,
        quality: if video { None } else { opt(p.quality, 20, ErrorCode::InvalidQuality)? },
        output_format: if video { None } else { format(p.output_format)? },
        camera_movement: if video { opt(p.camera_movement, 100, ErrorCode::InvalidCameraMovement)? } else { None },
        style_prompt: opt(p.style_prompt, 2_000, ErrorCode::InvalidStylePrompt)?,
        images,
        client_request_id,
        source,
        composition: None,
        eta: None,
    };
    Ok((mode, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(prompt: &str) -> GenerationPayload {
        GenerationPayload { prompt: Some(prompt.into()), ..Default::default() }
    }

    #[test]
    fn checks_payloads() {
        let src = Source::System { name: "m".into() };
        assert_eq!(check(JobKind::Image, payload("a cat"), src.clone()).unwrap().0, Mode::Text2Img);
        assert_eq!(check(JobKind::Image, payload("a"), src.clone()).unwrap_err().code, "prompt_too_short");
        let mut p = payload("a cat");
        p.count = Some(11);
        assert_eq!(check(JobKind::Image, p, src.clone()).unwrap_err().code, "invalid_count");
        let mut p = payload("");
        p.images = vec!["data:image/png;base64,AAAA".into()];
        let (mode, spec) = check(JobKind::Video, p, src.clone()).unwrap();
        assert_eq!((mode, spec.duration), (Mode::Img2Video, Some(5)));
        let mut p = payload("a cat");
        p.images = vec!["/api/local-storage/../etc/passwd".into()];
        assert!(check(JobKind::Image, p.clone(), Source::System { name: "m".into() }).is_err());
        p.images = vec!["file:///etc/passwd".into()];
        assert_eq!(check(JobKind::Image, p, src).unwrap_err().code, "invalid_image");
    }

    #[test]
    fn the_summary_reads_what_the_spec_wrote() {
        let mut p = payload("a cat");
        p.client_request_id = Some("r-1".into());
        let (_, mut spec) = check(JobKind::Image, p, Source::UserKey { id: Uuid::new_v4() }).unwrap();
        let eta = Eta { estimate_seconds: 42, source: "history".into(), sample_count: 3, window_days: 1 };
        spec.eta = Some(eta.clone());
        let params = serde_json::to_value(&spec).unwrap();
        let summary = SpecSummary::deserialize(&params).unwrap();
        assert_eq!(summary, SpecSummary { eta: Some(eta), client_request_id: Some("r-1".into()) });
        assert_eq!(JobSpec::deserialize(&params).unwrap(), spec);
        assert_eq!(SpecSummary::deserialize(&serde_json::json!({})).unwrap(), SpecSummary::default());
    }
}
