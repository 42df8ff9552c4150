//! Chat completions with vision: reverse prompt (general / structured / pixel-level, zh or en)
//! and prompt suggestion. Streamed (SSE) and plain answers are read the same way.
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, ErrorKind, Result};
use serde_json::{json, Value};

use super::ProviderClient;
use crate::channel::{
    ChannelConfig, Language, MediaType, PromptSections, ReverseMode, ReversePrompt, ReversePromptRequest, SuggestRequest, Suggestion,
};
use crate::http::{self, Parsed};

fn endpoint(ch: &ChannelConfig) -> String {
    let base = ch.base_url.trim().trim_end_matches('/');
    if base.ends_with("/chat/completions") {
        base.to_string()
    } else {
        http::join(&http::api_root(base), "chat/completions")
    }
}

/// The assistant text of a chat answer: `choices[0].message.content` (string or text parts), or
/// the concatenated `delta.content` of a stream.
pub fn answer_text(parsed: &Parsed) -> String {
    fn content(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join(""),
            _ => String::new(),
        }
    }
    if parsed.events.is_empty() {
        let choice = parsed.value.pointer("/choices/0");
        return choice.and_then(|c| c.pointer("/message/content").or_else(|| c.get("text"))).map(content).unwrap_or_default();
    }
    parsed.events.iter().filter_map(|e| e.pointer("/choices/0/delta/content")).map(content).collect()
}

async fn complete(client: &ProviderClient, ch: &ChannelConfig, messages: Value, stream: bool) -> Result<String> {
    let mut body = json!({"model": ch.upstream_model, "messages": messages, "stream": stream});
    for (k, v) in &ch.extra_body {
        body[k] = v.clone();
    }
    let parsed = http::post_json(&client.http, &endpoint(ch), &ch.api_key, &body).await?;
    let text = answer_text(&parsed).trim().to_string();
    if text.is_empty() {
        return Err(Error::new(ErrorKind::Unprocessable, ErrorCode::UpstreamNoResult, "多模态模型未返回有效内容"));
    }
    Ok(text)
}

fn reverse_instruction(mode: ReverseMode, lang: Language) -> String {
    let (detail, language) = match (mode, lang) {
        (ReverseMode::General, Language::Zh) => ("用一段自然流畅的描述概括画面", "中文"),
        (ReverseMode::General, Language::En) => ("summarise the picture in one fluent paragraph", "English"),
        (ReverseMode::Structured, Language::Zh) => ("按主体、环境、视觉风格、光线、构图、人物分别描述", "中文"),
        (ReverseMode::Structured, Language::En) => {
            ("describe subject, environment, visual style, lighting, composition and character separately", "English")
        }
        (ReverseMode::Pixel, Language::Zh) => ("逐区域精确描述颜色、位置、材质和细节，达到可像素级复现的程度", "中文"),
        (ReverseMode::Pixel, Language::En) => {
            ("describe every region's exact colours, positions, materials and details so it can be reproduced pixel by pixel", "English")
        }
    };
    format!(
        "You write prompts for image generation models. Look at the image and {detail}. Write in {language}. \
         Answer with one JSON object only: {{\"generalPrompt\": string, \"structuredPrompt\": string, \"negativePrompt\": string, \
         \"structuredSections\": {{\"subject\": string, \"environment\": string, \"visualStyle\": string, \"lighting\": string, \
         \"composition\": string, \"character\": string}}}}."
    )
}

/// The first JSON object in `text` (inside a code fence or surrounded by prose).
fn json_in(text: &str) -> Option<Value> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    (end > start).then(|| serde_json::from_str::<Value>(&text[start..=end]).ok()).flatten().filter(Value::is_object)
}

fn str_at(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Reads a reverse-prompt answer: the JSON object asked for, or plain text used as both prompts.
pub fn parse_reverse(text: &str) -> ReversePrompt {
    if let Some(v) = json_in(text) {
        let general = str_at(&v, &["generalPrompt", "general_prompt", "prompt"]);
        let structured = str_at(&v, &["structuredPrompt", "structured_prompt"]);
        if general.is_some() || structured.is_some() {
            let sections = v
                .get("structuredSections")
                .or_else(|| v.get("sections"))
                .and_then(|s| serde_json::from_value::<PromptSections>(s.clone()).ok());
            return ReversePrompt {
                general_prompt: general.clone().or_else(|| structured.clone()).unwrap_or_default(),
                structured_prompt: structured.or(general).unwrap_or_default(),
                negative_prompt: str_at(&v, &["negativePrompt", "negative_prompt"]).unwrap_or_default(),
                structured_sections: sections.filter(|s| *s != PromptSections::default()),
            };
        }
    }
    ReversePrompt {
        general_prompt: text.to_string(),
        structured_prompt: text.to_string(),
        negative_prompt: String::new(),
        structured_sections: None,
    }
}

/// Recovers a prompt from an image.
pub async fn reverse_prompt(client: &ProviderClient, ch: &ChannelConfig, req: &ReversePromptRequest) -> Result<ReversePrompt> {
    let image = match &req.image.url {
        Some(url) => url.clone(),
        None => client.image_data_url(&req.image).await?,
    };
    let ask = match (req.mode, req.language) {
        (ReverseMode::General, Language::Zh) => "请反推这张图片的通用提示词。",
        (ReverseMode::Structured, Language::Zh) => "请反推这张图片的结构化提示词。",
        (ReverseMode::Pixel, Language::Zh) => "请反推这张图片的像素级提示词。",
        (ReverseMode::General, Language::En) => "Reverse-engineer a general prompt for this image.",
        (ReverseMode::Structured, Language::En) => "Reverse-engineer a structured prompt for this image.",
        (ReverseMode::Pixel, Language::En) => "Reverse-engineer a pixel-level prompt for this image.",
    };
    let messages = json!([
        {"role": "system", "content": reverse_instruction(req.mode, req.language)},
        {"role": "user", "content": [{"type": "text", "text": ask}, {"type": "image_url", "image_url": {"url": image}}]},
    ]);
    let text = complete(client, ch, messages, req.stream).await?;
    Ok(parse_reverse(&text))
}

fn suggest_instruction(req: &SuggestRequest) -> String {
    if let Some(prefix) = req.system_prefix.as_deref().filter(|s| !s.trim().is_empty()) {
        return prefix.to_string();
    }
    let media = if req.target_media == MediaType::Video { "视频" } else { "图像" };
    let target = req.target_model.as_deref().map(|m| format!("（目标模型：{m}）")).unwrap_or_default();
    format!(
        "你是{media}生成提示词优化助手{target}。在保留用户原意的前提下，补充主体、场景、风格、光线和构图细节。\
         只输出 JSON：{{\"prompt\": \"优化后的正向提示词\", \"negativePrompt\": \"负向提示词\"}}。"
    )
}

/// Reads a suggestion: JSON (`prompt|positivePrompt|positive`, `negativePrompt|negative`),
/// labelled text (`正向提示词：…` / `负向提示词：…`, `Prompt:` / `Negative prompt:`), or the text itself.
pub fn parse_suggestion(text: &str) -> Suggestion {
    if let Some(v) = json_in(text) {
        if let Some(prompt) = str_at(&v, &["prompt", "positivePrompt", "positive", "positive_prompt"]) {
            return Suggestion { prompt, negative_prompt: str_at(&v, &["negativePrompt", "negative", "negative_prompt"]) };
        }
    }
    let mut prompt = None;
    let mut negative = None;
    for line in text.lines() {
        let line = line.trim().trim_start_matches(['*', '#', '-', ' ']);
        let Some((label, value)) = line.split_once([':', '：']) else { continue };
        let label = label.trim().trim_matches('*').trim().to_lowercase();
        let value = value.trim().trim_matches('*').trim().to_string();
        if value.is_empty() {
            continue;
        }
        match label.as_str() {
            "负向提示词" | "反向提示词" | "negative prompt" | "negative" => negative = Some(value),
            "正向提示词" | "提示词" | "prompt" | "positive prompt" | "positive" => prompt = Some(value),
            _ => {}
        }
    }
    match prompt {
        Some(prompt) => Suggestion { prompt, negative_prompt: negative },
        None => Suggestion { prompt: text.trim().to_string(), negative_prompt: None },
    }
}

/// Improves a prompt.
pub async fn suggest(client: &ProviderClient, ch: &ChannelConfig, req: &SuggestRequest) -> Result<Suggestion> {
    let messages = json!([
        {"role": "system", "content": suggest_instruction(req)},
        {"role": "user", "content": req.prompt},
    ]);
    let text = complete(client, ch, messages, req.stream).await?;
    Ok(parse_suggestion(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_answers_in_json_fences_or_plain_text() {
        let fenced = "```json\n{\"generalPrompt\":\"a cat\",\"structuredPrompt\":\"subject: cat\",\"negativePrompt\":\"blur\",\"structuredSections\":{\"subject\":\"cat\"}}\n```";
        let r = parse_reverse(fenced);
        assert_eq!(
            (r.general_prompt.as_str(), r.structured_prompt.as_str(), r.negative_prompt.as_str()),
            ("a cat", "subject: cat", "blur")
        );
        assert_eq!(r.structured_sections.unwrap().subject, "cat");
        let plain = parse_reverse("A red bicycle by the sea.");
        assert_eq!(plain.general_prompt, "A red bicycle by the sea.");
        assert!(plain.structured_sections.is_none());
    }

    #[test]
    fn suggestions_in_json_labels_or_text() {
        assert_eq!(
            parse_suggestion(r#"{"positivePrompt":"p","negative":"n"}"#),
            Suggestion { prompt: "p".into(), negative_prompt: Some("n".into()) }
        );
        let labelled = parse_suggestion("正向提示词：一只猫，柔光\n负向提示词：模糊");
        assert_eq!(labelled, Suggestion { prompt: "一只猫，柔光".into(), negative_prompt: Some("模糊".into()) });
        assert_eq!(parse_suggestion("just text").prompt, "just text");
    }
}
