//! The generic JSON template: one POST of a conventional body to the configured URL; images and
//! videos are found anywhere in the answer.
use base64::Engine;
use miaojing_domain::Result;
use serde_json::{json, Map, Value};

use super::ProviderClient;
use crate::channel::{ChannelConfig, GenerationOutput, GenerationRequest};
use crate::extract;
use crate::http;
use crate::upstream_error as ue;

/// Builds the body; reference images go as `init_image` (raw base64 of the first) and `image_urls`.
pub async fn body(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<Value> {
    let mut b = Map::new();
    b.insert("model".into(), json!(ch.upstream_model));
    b.insert("prompt".into(), json!(req.prompt));
    b.insert("n".into(), json!(if req.mode.is_video() { 1 } else { req.n.clamp(1, 10) }));
    let size = req.pixel_size().map(|(w, h)| format!("{w}x{h}")).unwrap_or_else(|| "1024x1024".into());
    b.insert("size".into(), json!(size));
    b.insert("response_format".into(), json!("b64_json"));
    b.insert("stream".into(), json!(req.stream));
    if let Some(neg) = req.negative_prompt.as_deref().filter(|s| !s.is_empty()) {
        b.insert("negative_prompt".into(), json!(neg));
    }
    if let Some(g) = req.guidance_scale.filter(|g| (*g - 7.0).abs() > f64::EPSILON) {
        b.insert("guidance_scale".into(), json!(g));
    }
    if let Some(r) = req.aspect_ratio.as_deref().filter(|r| *r != "original") {
        b.insert("aspect_ratio".into(), json!(r));
    }
    if req.mode.is_video() {
        if let Some(d) = req.duration {
            b.insert("duration".into(), json!(d));
        }
        if let Some(r) = &req.resolution {
            b.insert("resolution".into(), json!(r));
        }
        if let Some(f) = req.fps {
            b.insert("fps".into(), json!(f));
        }
    }
    if req.mode.takes_image() && !req.images.is_empty() {
        let (first, _) = client.image_bytes(&req.images[0]).await?;
        b.insert("init_image".into(), json!(base64::engine::general_purpose::STANDARD.encode(&first)));
        let mut urls = Vec::with_capacity(req.images.len());
        for img in &req.images {
            urls.push(client.image_url(img).await?);
        }
        b.insert("image_urls".into(), json!(urls));
    }
    for (k, v) in &ch.extra_body {
        b.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(b))
}

/// Posts the body and extracts media.
pub async fn generate(client: &ProviderClient, ch: &ChannelConfig, req: &GenerationRequest) -> Result<GenerationOutput> {
    let body = body(client, ch, req).await?;
    let parsed = http::post_json(&client.http, ch.base_url.trim(), &ch.api_key, &body).await?;
    let out = extract::scan_media(&parsed.value, &parsed.events)?;
    if out.is_empty() {
        return Err(ue::no_result());
    }
    Ok(out)
}
