//! Built-in channel templates for Agnes AI (free models an admin installs with one click and
//! then completes with an API key). Image and video templates are Manifest bundles run by the
//! Manifest executor; text templates are plain OpenAI-compatible chat completions.
use serde_json::{json, Value};

use crate::channel::MediaType;
use crate::import::{self, ImportOutput};

/// Supplier name of every Agnes row.
pub const AGNES_PROVIDER: &str = "Agnes AI";
/// The Agnes API base URL.
pub const AGNES_BASE_URL: &str = "https://apihub.agnes-ai.com";
/// Image sizes Agnes image models accept.
pub const AGNES_IMAGE_SIZES: [(&str, &str); 5] =
    [("1024x1024", "1:1"), ("1024x768", "4:3"), ("768x1024", "3:4"), ("1152x768", "3:2"), ("768x1152", "2:3")];
/// Video durations (seconds) Agnes video models accept.
pub const AGNES_VIDEO_SECONDS: [u32; 3] = [3, 5, 10];

/// One template: the display name and upstream model of a row to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub name: &'static str,
    pub model: &'static str,
    pub media_type: MediaType,
    pub description: &'static str,
}

impl Template {
    /// The model group the installed row carries (`agnes-image`, `agnes-video`, `agnes-text`).
    pub fn model_group(&self) -> &'static str {
        match self.media_type {
            MediaType::Image => "agnes-image",
            MediaType::Video => "agnes-video",
            MediaType::Text => "agnes-text",
        }
    }

    /// The request URL of a text template (chat completions); Manifest rows get theirs from the bundle.
    pub fn chat_url(&self) -> String {
        format!("{AGNES_BASE_URL}/v1/chat/completions")
    }
}

/// Every Agnes template of one media type.
pub fn agnes_templates(media_type: MediaType) -> Vec<Template> {
    let t = |name, model, description| Template { name, model, media_type, description };
    match media_type {
        MediaType::Image => vec![
            t("Agnes Image 2.1 Flash", "agnes-image-2.1-flash", "文生图、图生图，5 种固定尺寸"),
            t("Agnes Image 2.0 Flash", "agnes-image-2.0-flash", "文生图、图生图，5 种固定尺寸"),
        ],
        MediaType::Video => vec![t("Agnes Video V2.0", "agnes-video-v2.0", "文生视频、图生视频，3/5/10 秒，24 fps")],
        MediaType::Text => vec![
            t("Agnes 2.0 Flash", "agnes-2.0-flash", "对话模型，可用于提示词优化与反推"),
            t("Agnes 1.5 Flash", "agnes-1.5-flash", "对话模型"),
        ],
    }
}

/// A human-readable summary of what the templates can do (shown above the install form).
pub fn agnes_capabilities_text() -> String {
    let sizes: Vec<&str> = AGNES_IMAGE_SIZES.iter().map(|(s, _)| *s).collect();
    let secs: Vec<String> = AGNES_VIDEO_SECONDS.iter().map(u32::to_string).collect();
    format!(
        "Agnes AI（{AGNES_BASE_URL}）：图片模型支持文生图与图生图，尺寸 {}；视频模型支持文生视频与图生视频，时长 {} 秒，24 fps；文本模型为 OpenAI 兼容对话接口。安装后请逐个填写 API Key 再启用。",
        sizes.join(" / "),
        secs.join(" / ")
    )
}

fn choices(values: impl IntoIterator<Item = (String, String)>) -> Value {
    Value::Array(values.into_iter().map(|(value, label)| json!({"value": value, "label": label})).collect())
}

fn image_provider() -> Value {
    json!({
        "id": "agnes-image",
        "name": AGNES_PROVIDER,
        "submit": {
            "path": "v1/images/generations",
            "body": {
                "model": "$profile.model",
                "prompt": "$prompt",
                "size": "$params.size",
                "extra_body": {"response_format": "url", "image": "$inputImages.urls"}
            },
            "result": {"imageUrlPaths": ["data.*.url"], "b64JsonPaths": ["data.*.b64_json"]}
        }
    })
}

fn video_provider() -> Value {
    json!({
        "id": "agnes-video",
        "name": AGNES_PROVIDER,
        "submit": {
            "path": "v1/videos",
            "body": {
                "model": "$profile.model",
                "prompt": "$prompt",
                "negative_prompt": "$params.negative_prompt",
                "image": "$inputImages.urls.0",
                "num_frames": "$params.num_frames",
                "frame_rate": 24,
                "width": "$params.width",
                "height": "$params.height"
            },
            "taskIdPath": "video_id|task_id|id",
            "result": {"videoUrlPaths": ["video_url|url"]}
        },
        "poll": {
            "path": "agnesapi",
            "method": "GET",
            "query": {"video_id": "{task_id}", "model_name": "$profile.model"},
            "intervalSeconds": 5,
            "statusPath": "status",
            "successValues": ["completed"],
            "failureValues": ["failed"],
            "errorPath": "error",
            "result": {"videoUrlPaths": ["remixed_from_video_id|video_url|url"]}
        }
    })
}

/// The Manifest bundle (`{customProviders, profiles}`) of the image or video templates, with
/// `base_url` as the API base (the real one, or a test server's).
pub fn agnes_bundle(media_type: MediaType, base_url: &str) -> Option<Value> {
    let (provider, capabilities, api_mode) = match media_type {
        MediaType::Image => (
            image_provider(),
            json!({
                "resolutions": choices(AGNES_IMAGE_SIZES.iter().map(|(s, r)| (s.to_string(), format!("{s}（{r}）")))),
                "supportsAspectRatio": false,
                "supportsResolution": true,
                "supportsQuality": false,
                "supportsOutputFormat": false,
            }),
            "images",
        ),
        MediaType::Video => (
            video_provider(),
            json!({
                "durations": choices(AGNES_VIDEO_SECONDS.iter().map(|s| (s.to_string(), format!("{s} 秒")))),
                "resolutions": choices([("1280x720".into(), "720p 横屏".into()), ("720x1280".into(), "720p 竖屏".into())]),
                "supportsDuration": true,
                "supportsResolution": true,
                "supportsAspectRatio": false,
            }),
            "videos",
        ),
        MediaType::Text => return None,
    };
    let profiles: Vec<Value> = agnes_templates(media_type)
        .iter()
        .map(|t| {
            json!({"name": t.name, "provider": provider["id"], "baseUrl": base_url, "model": t.model,
                   "apiMode": api_mode, "capabilities": capabilities})
        })
        .collect();
    Some(json!({"customProviders": [provider], "profiles": profiles}))
}

/// The parsed import of the image or video templates (one channel per template, in order).
pub fn agnes_import(media_type: MediaType, base_url: &str) -> Option<ImportOutput> {
    let bundle = agnes_bundle(media_type, base_url)?;
    Some(import::parse(&bundle.to_string()).expect("the built-in Agnes bundle is a valid Manifest"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_and_video_bundles_import_one_channel_per_template() {
        for media in [MediaType::Image, MediaType::Video] {
            let out = agnes_import(media, AGNES_BASE_URL).unwrap();
            let models: Vec<&str> = out.channels.iter().map(|c| c.upstream_model.as_str()).collect();
            let expected: Vec<&str> = agnes_templates(media).iter().map(|t| t.model).collect();
            assert_eq!(models, expected);
            assert!(out.channels.iter().all(|c| c.media_type == media && c.supplier_name == AGNES_PROVIDER));
        }
        let video = agnes_import(MediaType::Video, AGNES_BASE_URL).unwrap();
        let durations: Vec<&str> = video.channels[0].capabilities.durations.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(durations, ["3", "5", "10"]);
        let image = agnes_import(MediaType::Image, "https://relay.example/").unwrap();
        assert_eq!(image.channels[0].api_url, "https://relay.example/v1/images/generations");
        assert_eq!(image.channels[0].capabilities.resolutions.len(), 5);
    }

    #[test]
    fn text_templates_have_no_bundle() {
        assert!(agnes_bundle(MediaType::Text, AGNES_BASE_URL).is_none());
        assert_eq!(agnes_templates(MediaType::Text)[0].chat_url(), "https://apihub.agnes-ai.com/v1/chat/completions");
    }
}
