//! Answers every operation of a kind shares, added to the generated document so no handler has
//! to repeat them and no new route can forget them:
//! - a required bearer token → 401; an admin token (`["admin"]` scope) → 403 and 429 (admin
//!   calls are rate-limited per session);
//! - a JSON body → 400 (malformed JSON or a field of the wrong type), 413 and 415;
//! - query or path parameters → 400;
//! - every operation → 503 (database or storage unavailable).
//!
//! It also keeps `operationId`s unique: handler names repeat across areas (`list`, `create`,
//! …), so a repeated one is prefixed with the operation's tag, then with its path.
use std::collections::HashMap;

use serde_json::{json, Map, Value};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Applies every rule to the document.
pub fn apply(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for (_, op) in operations(item) {
            add_shared_answers(op);
        }
    }
    unique_operation_ids(paths);
}

fn operations(item: &mut Value) -> impl Iterator<Item = (&String, &mut Value)> {
    item.as_object_mut().into_iter().flat_map(|m| m.iter_mut()).filter(|(k, _)| METHODS.contains(&k.as_str()))
}

/// How an operation is secured, read from its `security` list.
#[derive(Debug, PartialEq, Eq)]
enum Access {
    Public,
    Optional,
    Signed,
    Admin,
}

fn access(op: &Value) -> Access {
    let Some(reqs) = op.get("security").and_then(Value::as_array) else { return Access::Public };
    if reqs.is_empty() {
        return Access::Public;
    }
    if reqs.iter().any(|r| r.as_object().is_some_and(Map::is_empty)) {
        return Access::Optional;
    }
    let admin = reqs.iter().filter_map(|r| r.get("bearer")).filter_map(Value::as_array).flatten().any(|s| s == "admin");
    if admin {
        Access::Admin
    } else {
        Access::Signed
    }
}

fn error_answer(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    })
}

fn add_shared_answers(op: &mut Value) {
    let access = access(op);
    let json_body = op.pointer("/requestBody/content/application~1json").is_some();
    let has_params = op.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
    let mut shared: Vec<(&str, &str)> = Vec::new();
    if json_body || has_params {
        shared.push(("400", "Invalid input: malformed JSON, a field or parameter of the wrong type or value (`invalid_json`, `invalid_field`, `invalid_query`, `invalid_path`, or a more specific code)"));
    }
    if matches!(access, Access::Signed | Access::Admin) {
        shared.push(("401", "No valid session (`unauthenticated`, `account_disabled`)"));
    }
    if access == Access::Admin {
        shared.push(("403", "The caller is not an admin (`admin_required`)"));
        shared.push(("429", "Too many admin calls in this session (`rate_limited`, see `Retry-After`)"));
    }
    if json_body {
        shared.push(("413", "The body is over 1 MB (`payload_too_large`)"));
        shared.push(("415", "The body is not `application/json` (`unsupported_media_type`)"));
    }
    shared.push(("503", "The database or the storage is temporarily unavailable (`database_unavailable`, `storage_unavailable`)"));
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for (status, description) in shared {
        let entry = responses.entry(status.to_string()).or_insert_with(|| error_answer(description));
        // A route's own answer without words gets the shared description.
        if let Some(d) = entry.get_mut("description").filter(|d| d.as_str().is_some_and(str::is_empty)) {
            *d = Value::String(description.to_string());
        }
    }
    let mut sorted: Vec<(String, Value)> = std::mem::take(responses).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    responses.extend(sorted);
}

/// A name for the path without its parameters: `/api/admin/system-apis/{id}/probe` →
/// `admin_system_apis_probe`.
fn path_words(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != "api" && !s.starts_with('{'))
        .map(|s| s.replace(['-', '.'], "_"))
        .collect::<Vec<_>>()
        .join("_")
}

fn unique_operation_ids(paths: &mut Map<String, Value>) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for item in paths.values_mut() {
        for (_, op) in operations(item) {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                *count.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    let mut taken: HashMap<String, usize> = count.iter().filter(|(_, n)| **n == 1).map(|(k, _)| (k.clone(), 1)).collect();
    for (path, item) in paths.iter_mut() {
        for (method, op) in operations(item) {
            let Some(id) = op.get("operationId").and_then(Value::as_str).map(String::from) else { continue };
            if count.get(&id).copied().unwrap_or(0) <= 1 {
                continue;
            }
            let tag = op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("api").replace('-', "_");
            let candidates = [format!("{tag}_{id}"), format!("{}_{id}", path_words(path)), format!("{method}_{}_{id}", path_words(path))];
            let new_id = candidates
                .into_iter()
                .find(|c| !taken.contains_key(c) && !count.contains_key(c))
                .unwrap_or_else(|| format!("{method}_{}", path_words(path)));
            taken.insert(new_id.clone(), 1);
            op["operationId"] = Value::String(new_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_answers_follow_security_body_and_parameters() {
        let mut doc = json!({ "paths": {
            "/api/a": { "get": { "operationId": "list", "tags": ["works"], "security": [{ "bearer": [] }], "responses": { "200": { "description": "ok" } } } },
            "/api/admin/a": { "get": { "operationId": "list", "tags": ["admin"], "security": [{ "bearer": ["admin"] }], "parameters": [{ "name": "q", "in": "query" }], "responses": { "200": { "description": "ok" } } } },
            "/api/b": { "post": { "operationId": "make", "tags": ["works"], "requestBody": { "content": { "application/json": {} } }, "responses": { "200": { "description": "ok" }, "400": { "description": "" } } } },
            "/api/c": { "get": { "operationId": "peek", "tags": ["works"], "security": [{}, { "bearer": [] }], "responses": { "200": { "description": "ok" } } } },
        }});
        apply(&mut doc);
        let keys = |p: &str| doc.pointer(p).unwrap().as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys("/paths/~1api~1a/get/responses"), ["200", "401", "503"]);
        assert_eq!(keys("/paths/~1api~1admin~1a/get/responses"), ["200", "400", "401", "403", "429", "503"]);
        assert_eq!(keys("/paths/~1api~1b/post/responses"), ["200", "400", "413", "415", "503"]);
        assert!(doc.pointer("/paths/~1api~1b/post/responses/400/description").unwrap().as_str().unwrap().contains("invalid_json"));
        assert_eq!(keys("/paths/~1api~1c/get/responses"), ["200", "503"], "optional sign-in: no 401");
        assert_eq!(doc.pointer("/paths/~1api~1a/get/operationId").unwrap(), "works_list");
        assert_eq!(doc.pointer("/paths/~1api~1admin~1a/get/operationId").unwrap(), "admin_list");
        assert_eq!(doc.pointer("/paths/~1api~1b/post/operationId").unwrap(), "make");
    }
}
