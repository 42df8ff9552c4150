//! Smart import of API keys from a JSON file, read in the browser: a list of keys
//! (`[...]` or `{"keys": [...]}`), a manifest with `profiles[]` (baseUrl, model, type),
//! or one key object. Keys missing from the file take the key typed next to the picker
//! (manifests never carry keys). Everything is checked before anything is sent.
use miaojing_api_types::providers::UserApiKeyInput;
use miaojing_api_types::vocab::MediaType;
use serde_json::{Map, Value};

use crate::i18n::K;

/// Most keys one import may create (the server's batch limit).
pub const MAX_IMPORT: usize = 50;

/// Why a file cannot be imported: a translated reason and the specifics.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportProblem {
    pub reason: K,
    pub detail: String,
}

fn problem(reason: K, detail: impl Into<String>) -> ImportProblem {
    ImportProblem { reason, detail: detail.into() }
}

/// The first non-empty string among `names` (numbers are not accepted as strings).
fn field(obj: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().filter_map(|n| obj.get(*n)).filter_map(Value::as_str).map(str::trim).find(|s| !s.is_empty()).map(str::to_string)
}

/// `image`, `video` or `text` (multimodal / chat models are stored as `text`).
fn media_type(raw: Option<String>) -> Result<MediaType, String> {
    let Some(raw) = raw else { return Ok(MediaType::Image) };
    match raw.to_ascii_lowercase().as_str() {
        "image" | "images" | "img" => Ok(MediaType::Image),
        "video" | "videos" => Ok(MediaType::Video),
        "text" | "multimodal" | "chat" | "llm" => Ok(MediaType::Text),
        _ => Err(raw),
    }
}

fn entry(index: usize, v: &Value, fallback_key: &str) -> Result<UserApiKeyInput, ImportProblem> {
    let n = index + 1;
    let obj = v.as_object().ok_or_else(|| problem(K::ImportEntryNotObject, format!("#{n}")))?;
    let api_url =
        field(obj, &["apiUrl", "baseUrl", "api_url", "base_url", "url"]).ok_or_else(|| problem(K::ImportEntryNoUrl, format!("#{n}")))?;
    if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
        return Err(problem(K::ImportEntryBadUrl, format!("#{n}: {api_url}")));
    }
    let api_key = field(obj, &["apiKey", "api_key", "key"]).unwrap_or_else(|| fallback_key.trim().to_string());
    if api_key.is_empty() {
        return Err(problem(K::ImportEntryNoKey, format!("#{n}")));
    }
    let media =
        media_type(field(obj, &["type", "mediaType", "modelType"])).map_err(|t| problem(K::ImportEntryBadType, format!("#{n}: {t}")))?;
    let provider = field(obj, &["provider", "supplierName", "supplier", "name"]).unwrap_or_else(|| "custom".into());
    Ok(UserApiKeyInput {
        id: None,
        api_key: Some(api_key),
        supplier_name: field(obj, &["supplierName", "supplier"]).or_else(|| Some(provider.clone())),
        provider: Some(provider),
        api_url: Some(api_url),
        model_name: field(obj, &["modelName", "model", "model_name"]),
        note: field(obj, &["note", "label", "displayName", "name"]),
        media_type: Some(media.as_str().to_string()),
        is_active: Some(true),
    })
}

/// Reads a file's text into the keys to create.
pub fn parse_import(text: &str, fallback_key: &str) -> Result<Vec<UserApiKeyInput>, ImportProblem> {
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| problem(K::ImportNotJson, e.to_string()))?;
    let items: Vec<Value> = match root {
        Value::Array(items) => items,
        Value::Object(ref obj) => match (obj.get("keys"), obj.get("profiles")) {
            (Some(Value::Array(items)), _) | (None, Some(Value::Array(items))) => items.clone(),
            (None, None) if obj.keys().any(|k| matches!(k.as_str(), "apiUrl" | "baseUrl")) => vec![root.clone()],
            _ => return Err(problem(K::ImportNoEntries, String::new())),
        },
        _ => return Err(problem(K::ImportNoEntries, String::new())),
    };
    if items.is_empty() {
        return Err(problem(K::ImportNoEntries, String::new()));
    }
    if items.len() > MAX_IMPORT {
        return Err(problem(K::ImportTooMany, format!("{} > {MAX_IMPORT}", items.len())));
    }
    items.iter().enumerate().map(|(i, v)| entry(i, v, fallback_key)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_list_with_all_fields() {
        let keys = parse_import(r#"{"keys":[{"apiUrl":"https://a.example/v1","apiKey":"sk-1","modelName":"m1","type":"video","provider":"OpenAI","note":"n"}]}"#, "").unwrap();
        assert_eq!(keys.len(), 1);
        let k = &keys[0];
        assert_eq!(k.api_url.as_deref(), Some("https://a.example/v1"));
        assert_eq!(k.api_key.as_deref(), Some("sk-1"));
        assert_eq!(k.model_name.as_deref(), Some("m1"));
        assert_eq!(k.media_type.as_deref(), Some("video"));
        assert_eq!(k.provider.as_deref(), Some("OpenAI"));
        assert_eq!(k.note.as_deref(), Some("n"));
    }

    #[test]
    fn manifest_profiles_take_the_typed_key() {
        let keys = parse_import(
            r#"{"customProviders":[],"profiles":[{"name":"Fast","baseUrl":"http://h/v1","model":"x","type":"multimodal"}]}"#,
            " sk-typed ",
        )
        .unwrap();
        assert_eq!(keys[0].api_key.as_deref(), Some("sk-typed"));
        assert_eq!(keys[0].media_type.as_deref(), Some("text"));
        assert_eq!(keys[0].model_name.as_deref(), Some("x"));
    }

    #[test]
    fn bad_files_name_the_problem() {
        assert_eq!(parse_import("{not json", "k").unwrap_err().reason, K::ImportNotJson);
        assert_eq!(parse_import(r#"{"hello":1}"#, "k").unwrap_err().reason, K::ImportNoEntries);
        assert_eq!(parse_import("[]", "k").unwrap_err().reason, K::ImportNoEntries);
        assert_eq!(parse_import(r#"[{"model":"x"}]"#, "k").unwrap_err(), problem(K::ImportEntryNoUrl, "#1"));
        assert_eq!(parse_import(r#"[{"apiUrl":"ftp://x"}]"#, "k").unwrap_err().reason, K::ImportEntryBadUrl);
        assert_eq!(parse_import(r#"[{"apiUrl":"https://x"}]"#, "").unwrap_err().reason, K::ImportEntryNoKey);
        assert_eq!(parse_import(r#"[{"apiUrl":"https://x","type":"audio"}]"#, "k").unwrap_err().reason, K::ImportEntryBadType);
        let many = format!("[{}]", vec![r#"{"apiUrl":"https://x"}"#; MAX_IMPORT + 1].join(","));
        assert_eq!(parse_import(&many, "k").unwrap_err().reason, K::ImportTooMany);
    }
}
