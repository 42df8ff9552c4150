//! Rendering Manifest bodies and queries: a string that is exactly `$path` is replaced by the
//! context value at `path` (keeping its JSON type); anything else passes through. Absent or
//! empty values drop their key (or array item); `{task_id}` is replaced in strings.
use serde_json::{Map, Value};

use super::paths;

/// Renders `template` against `ctx`. `None` means the value is absent (its key is dropped).
pub fn render(template: &Value, ctx: &Value, task_id: Option<&str>) -> Option<Value> {
    match template {
        Value::String(s) => {
            if let Some(path) = whole_template(s) {
                return paths::get(ctx, path).cloned();
            }
            match task_id {
                Some(id) if s.contains("{task_id}") => Some(Value::String(s.replace("{task_id}", id))),
                _ => Some(template.clone()),
            }
        }
        Value::Array(items) => {
            let out: Vec<Value> = items.iter().filter_map(|i| render(i, ctx, task_id)).collect();
            (!out.is_empty()).then_some(Value::Array(out))
        }
        Value::Object(map) => Some(Value::Object(render_map(map, ctx, task_id))),
        other => Some(other.clone()),
    }
}

/// Renders every entry of `map`, dropping absent ones. Nested objects that end up empty stay `{}`.
pub fn render_map(map: &Map<String, Value>, ctx: &Value, task_id: Option<&str>) -> Map<String, Value> {
    map.iter().filter_map(|(k, v)| render(v, ctx, task_id).filter(paths::is_present).map(|v| (k.clone(), v))).collect()
}

/// `Some(path)` when `s` is entirely `$path` (letters, digits, `_` and `.`).
fn whole_template(s: &str) -> Option<&str> {
    let path = s.strip_prefix('$')?;
    (!path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')).then_some(path)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn whole_value_templates_keep_types_and_drop_empties() {
        let ctx = json!({
            "prompt": "a cat",
            "profile": {"model": "m1"},
            "params": {"n": 2, "size": "", "fps": null},
            "inputImages": {"urls": ["https://x/1.png", "https://x/2.png"], "dataUrls": []},
        });
        let body = json!({
            "model": "$profile.model",
            "prompt": "$prompt",
            "text": "draw $prompt",
            "n": "$params.n",
            "size": "$params.size",
            "fps": "$params.fps",
            "missing": "$params.nothing",
            "image": "$inputImages.urls.0",
            "images": "$inputImages.urls",
            "data_urls": "$inputImages.dataUrls",
            "options": {"size": "$params.size"},
            "list": ["$params.size", "$prompt", 3],
            "literal": true,
            "price": "$5 off",
        });
        let out = render(&body, &ctx, None).unwrap();
        assert_eq!(
            out,
            json!({
                "model": "m1", "prompt": "a cat", "text": "draw $prompt", "n": 2,
                "image": "https://x/1.png", "images": ["https://x/1.png", "https://x/2.png"],
                "options": {}, "list": ["a cat", 3], "literal": true, "price": "$5 off",
            })
        );
    }

    #[test]
    fn task_id_placeholders() {
        let q = json!({"id": "{task_id}", "model": "$profile.model", "tag": "t-{task_id}"});
        let out = render(&q, &json!({"profile": {"model": "m"}}), Some("abc")).unwrap();
        assert_eq!(out, json!({"id": "abc", "model": "m", "tag": "t-abc"}));
    }
}
