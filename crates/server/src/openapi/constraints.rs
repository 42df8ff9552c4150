//! Makes the document as strict as the server, where the field attributes cannot say it:
//! - OpenAPI 3.1 treats `format` as a note, so a client (or a fuzzer) may send `""` for a
//!   `uuid`; every formatted string therefore also carries the `pattern` the server enforces,
//!   and every sized integer its range;
//! - rules across fields ("an account name or an e-mail or a phone", "terms accepted");
//! - bodies shared by two operations where one needs more of it (a `PUT` the row's `id`).
//!
//! Each rule states what the server already refuses; none is enforced from here.
use miaojing_auth::validate::EMAIL_PATTERN;
use miaojing_storage::keys::{KEY_MAX, KEY_PATTERN, PUBLIC_PREFIX};
use serde_json::{json, Map, Value};

/// A UUID as the server parses one in a JSON body or query (hyphenated, any case).
pub const UUID_PATTERN: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// An RFC 3339 timestamp with a time zone, as chrono reads one.
pub const DATE_TIME_PATTERN: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

/// Applies every rule to the document.
pub fn apply(doc: &mut Value) {
    assert_formats(doc);
    strip_impossible(doc);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, rule) in cross_field_rules() {
            if let Some(Value::Object(schema)) = schemas.get_mut(name) {
                merge(schema, rule);
            }
        }
    }
    for (path, name, rule) in parameter_rules() {
        let pointer = format!("/paths/{}/get/parameters", path.replace('/', "~1"));
        let params = doc.pointer_mut(&pointer).and_then(Value::as_array_mut).into_iter().flatten();
        for param in params.filter(|p| p["name"] == name) {
            if rule.required {
                param["required"] = Value::Bool(true);
            }
            if let Some(Value::Object(schema)) = param.get_mut("schema") {
                schema.insert("pattern".into(), Value::String(rule.pattern.clone()));
                schema.insert("maxLength".into(), json!(rule.max_length));
                // A required parameter is never null.
                schema.insert("type".into(), json!("string"));
            }
        }
    }
    for (method, path, fields) in BODY_NEEDS {
        let pointer = format!("/paths/{}/{method}/requestBody/content/application~1json/schema", path.replace('/', "~1"));
        if let Some(schema) = doc.pointer_mut(&pointer) {
            let properties: Map<String, Value> = fields.iter().map(|f| (f.to_string(), json!({ "type": "string" }))).collect();
            *schema = json!({ "allOf": [schema.clone(), { "required": fields, "properties": properties }] });
        }
    }
}

/// Bodies shared by two operations where one of them needs more of it: a `PUT` the row's `id`,
/// a create the fields an update may leave out. Each field named is a string.
const BODY_NEEDS: [(&str, &str, &[&str]); 6] = [
    ("put", "/api/admin/providers", &["id"]),
    ("put", "/api/admin/model-recommendations", &["id"]),
    ("put", "/api/admin/style-presets", &["id"]),
    ("put", "/api/admin/system-apis", &["id"]),
    ("put", "/api/announcements", &["id"]),
    ("post", "/api/announcements", &["title", "content"]),
];

/// What a query or path parameter must look like.
struct ParameterRule {
    required: bool,
    pattern: String,
    max_length: usize,
}

/// Parameters that name a stored file.
fn parameter_rules() -> Vec<(&'static str, &'static str, ParameterRule)> {
    let key = KEY_PATTERN.trim_start_matches('^').trim_end_matches('$');
    vec![
        ("/api/local-storage/{key}", "key", ParameterRule { required: true, pattern: KEY_PATTERN.to_string(), max_length: KEY_MAX / 4 }),
        (
            "/api/download",
            "url",
            ParameterRule {
                required: true,
                pattern: format!(r"^(?:https?://[^/?#\s]+)?{PUBLIC_PREFIX}{key}(?:[?#].*)?$"),
                max_length: KEY_MAX,
            },
        ),
    ]
}

/// Rules across the fields of one body, by component name.
fn cross_field_rules() -> Vec<(&'static str, Value)> {
    let one_of_fields = |fields: &[&str]| Value::Array(fields.iter().map(|f| json!({ "required": [f] })).collect());
    vec![
        // The first non-empty of the three names the account.
        ("LoginRequest", json!({ "anyOf": one_of_fields(&["account", "email", "phone"]) })),
        ("RegisterRequest", json!({ "properties": { "acceptedTerms": { "const": true } } })),
        // A new key needs the key itself; an update (`id`) may keep the stored one.
        (
            "UserApiKeyInput",
            json!({
                "anyOf": [{ "required": ["id"], "properties": { "id": { "type": "string" } } },
                          { "required": ["apiKey"], "properties": { "apiKey": { "type": "string", "pattern": "\\S" } } }]
            }),
        ),
        // A stored key (`keyId`) stands in for the address and key.
        (
            "UpstreamProbe",
            json!({
                "anyOf": [{ "required": ["apiUrl", "apiKey"], "properties": { "apiUrl": { "type": "string" }, "apiKey": { "type": "string", "pattern": "\\S" } } },
                          { "required": ["keyId"], "properties": { "keyId": { "type": "string" } } }]
            }),
        ),
    ]
}

/// Adds `rule`'s keys to `schema`; `properties` are merged one property at a time.
fn merge(schema: &mut Map<String, Value>, rule: Value) {
    let Value::Object(rule) = rule else { return };
    for (key, value) in rule {
        match (key.as_str(), schema.get_mut(&key), value) {
            ("properties", Some(Value::Object(props)), Value::Object(extra)) => {
                for (name, add) in extra {
                    match (props.get_mut(&name), add) {
                        (Some(Value::Object(p)), Value::Object(add)) => p.extend(add),
                        (_, add) => {
                            props.insert(name, add);
                        }
                    }
                }
            }
            (_, _, value) => {
                schema.insert(key, value);
            }
        }
    }
}

/// A query string cannot carry JSON's `null`, and a field that must be sent has no default:
/// parameters lose `null` from their types, required properties their `default`, and a
/// property that cannot be `null` its `null` default.
fn strip_impossible(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if map.get("in").and_then(Value::as_str).is_some_and(|i| i == "query" || i == "path") {
                if let Some(Value::Array(types)) = map.get_mut("schema").and_then(|s| s.get_mut("type")) {
                    types.retain(|t| t != "null");
                }
            }
            let required: Vec<String> =
                map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for name in &required {
                    if let Some(Value::Object(p)) = props.get_mut(name) {
                        p.remove("default");
                    }
                }
            }
            let nullable = match map.get("type") {
                Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
                Some(t) => t == "null",
                None => true,
            };
            if !nullable && map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(strip_impossible);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_impossible),
        _ => {}
    }
}

/// Every string with a `format` the server checks gets its pattern; every sized integer its range.
fn assert_formats(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let pattern = match map.get("format").and_then(Value::as_str) {
                Some("uuid") => Some(UUID_PATTERN),
                Some("email") => Some(EMAIL_PATTERN),
                Some("date-time") => Some(DATE_TIME_PATTERN),
                _ => None,
            };
            if let Some(p) = pattern {
                map.entry("pattern").or_insert_with(|| Value::String(p.to_string()));
            }
            let range = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("uint32") => Some((0, i64::from(u32::MAX))),
                Some("int64") => Some((i64::MIN, i64::MAX)),
                Some("uint64") => Some((0, i64::MAX)),
                _ => None,
            };
            if let Some((lo, hi)) = range {
                map.entry("minimum").or_insert_with(|| json!(lo));
                map.entry("maximum").or_insert_with(|| json!(hi));
            }
            map.values_mut().for_each(assert_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(assert_formats),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, s: &str) -> bool {
        regex_lite::Regex::new(pattern).unwrap().is_match(s)
    }

    #[test]
    fn the_patterns_agree_with_the_servers_parsers() {
        for ok in ["67e55044-10b1-426f-9247-bb680e5fe0c8", "67E55044-10B1-426F-9247-BB680E5FE0C8"] {
            assert!(matches(UUID_PATTERN, ok) && uuid::Uuid::parse_str(ok).is_ok(), "{ok}");
        }
        assert!(!matches(UUID_PATTERN, ""));
        for ok in ["a@b.co", "First.Last+tag@mail.example.com"] {
            assert!(matches(EMAIL_PATTERN, ok) && miaojing_auth::validate::email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "a@.b.c",
            "a b@c.d",
            "a@b..c",
            "<a>@b.c",
            "a@b.c.",
            "ħê@¿ð.zù.com",
            "a@b.c{",
            "a@-b.com",
            "a..b@c.com",
            "o'b@c.com",
            "a@b.c7",
        ] {
            assert!(!matches(EMAIL_PATTERN, bad), "{bad}");
            assert!(miaojing_auth::validate::email(bad).is_err(), "{bad}");
        }
        for ok in ["2026-12-07T21:00:00Z", "2026-12-07T21:00:00.123+08:00"] {
            assert!(matches(DATE_TIME_PATTERN, ok) && ok.parse::<chrono::DateTime<chrono::Utc>>().is_ok(), "{ok}");
        }
        assert!(!matches(DATE_TIME_PATTERN, "2026-12-07"));
    }

    #[test]
    fn formats_get_patterns_and_put_bodies_need_their_id() {
        let mut doc = json!({
            "paths": { "/api/admin/providers": { "put": { "requestBody": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/ProviderInput" } } } } } } },
            "components": { "schemas": {
                "ProviderInput": { "type": "object", "properties": { "id": { "type": ["string", "null"], "format": "uuid" },
                                                                      "sortOrder": { "type": ["integer", "null"], "format": "int32" } } },
                "RegisterRequest": { "type": "object", "properties": { "acceptedTerms": { "type": "boolean" } } }
            } }
        });
        apply(&mut doc);
        let provider = &doc["components"]["schemas"]["ProviderInput"]["properties"];
        assert_eq!(provider["id"]["pattern"], UUID_PATTERN);
        assert_eq!(provider["sortOrder"]["maximum"], i32::MAX);
        let put = doc.pointer("/paths/~1api~1admin~1providers/put/requestBody/content/application~1json/schema").unwrap();
        assert_eq!(put["allOf"][0]["$ref"], "#/components/schemas/ProviderInput");
        assert_eq!(put["allOf"][1]["required"], json!(["id"]));
        assert_eq!(put["allOf"][1]["properties"]["id"]["type"], "string", "not null");
        assert_eq!(
            doc["components"]["schemas"]["RegisterRequest"]["properties"]["acceptedTerms"],
            json!({ "type": "boolean", "const": true })
        );
    }
}
