//! The committed `docs/openapi.json` must match the routes the server registers.
use crate::helpers::{spawn, Backend};

#[test]
fn committed_openapi_matches_the_routes() {
    let generated = miaojing_server::openapi::spec_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date with the routes. Regenerate it with:\n  cargo run -p miaojing-server -- openapi > docs/openapi.json"
    );
}

#[test]
fn every_documented_operation_has_responses_and_a_tag() {
    let spec: serde_json::Value = serde_json::from_str(&miaojing_server::openapi::spec_json()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{} paths", paths.len());
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path} has no tag");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_document_and_docs_page() {
    let app = spawn(Backend::Sqlite).await;
    let (s, v) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(v["paths"]["/api/auth/login"]["post"].is_object());
    let page = app.client.get(format!("{}/api/docs", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/openapi.json") && !page.contains("https://"), "self-contained page");
}

/// The document passes a real OpenAPI validator (`openapi-spec-validator`, installed into
/// `.tools/venv` by `deploy/test-services.sh`).
#[test]
fn document_is_valid_openapi() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let validator = format!("{root}/.tools/venv/bin/openapi-spec-validator");
    assert!(
        std::path::Path::new(&validator).exists(),
        "{validator} is missing: run `source deploy/test-services.sh && mj_start_test_services` first"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, miaojing_server::openapi::spec_json()).unwrap();
    let out = std::process::Command::new(&validator).arg("--errors").arg("all").arg(&file).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("OK"), "the validator refused the document:\n{text}");
    // The validator must be able to fail: a duplicated operationId is refused.
    let mut broken: serde_json::Value = serde_json::from_str(&miaojing_server::openapi::spec_json()).unwrap();
    broken["paths"]["/api/site-stats"]["post"]["operationId"] = broken["paths"]["/api/site-stats"]["get"]["operationId"].clone();
    std::fs::write(&file, serde_json::to_string(&broken).unwrap()).unwrap();
    assert!(!std::process::Command::new(&validator).arg(&file).output().unwrap().status.success());
}

fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn operation_ids_are_unique_and_shared_answers_are_documented() {
    let spec: serde_json::Value = serde_json::from_str(&miaojing_server::openapi::spec_json()).unwrap();
    let mut seen = std::collections::HashSet::new();
    for (method, path, op) in operations(&spec) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(seen.insert(id.to_string()), "{method} {path}: operationId {id} is used twice");
        let r = &op["responses"];
        assert!(r["503"].is_object(), "{method} {path}: 503");
        let secured =
            op["security"].as_array().is_some_and(|s| !s.is_empty() && s.iter().all(|x| x.as_object().is_some_and(|o| !o.is_empty())));
        if secured {
            assert!(r["401"].is_object(), "{method} {path}: 401");
        }
        if op["requestBody"]["content"]["application/json"].is_object() {
            for s in ["400", "413", "415"] {
                assert!(r[s].is_object(), "{method} {path}: {s}");
            }
        }
    }
    let admin = &spec["paths"]["/api/admin/users"]["get"];
    assert_eq!(admin["security"], serde_json::json!([{ "bearer": ["admin"] }]));
    assert!(admin["responses"]["403"].is_object() && admin["responses"]["429"].is_object());
    assert!(spec["paths"]["/api/email/send-profile-code"]["post"]["responses"]["409"]["description"]
        .as_str()
        .unwrap()
        .contains("email_not_configured"));
}

/// Each operation's declared security is what the server does: without a token, an operation
/// that declares a required bearer token answers 401, and one that does not never does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_security_matches_the_server() {
    let app = spawn(Backend::Sqlite).await;
    let spec: serde_json::Value = serde_json::from_str(&miaojing_server::openapi::spec_json()).unwrap();
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        if path == "/metrics" {
            continue; // its own token (MIAOJING_METRICS_TOKEN), tested in hardening
        }
        let url = path
            .split('/')
            .map(|s| if s.starts_with('{') { "00000000-0000-0000-0000-000000000000" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut req = app.client.request(m, format!("{}{url}", app.base));
        if op["requestBody"].is_object() {
            req = req.json(&serde_json::json!({}));
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let required =
            op["security"].as_array().is_some_and(|s| !s.is_empty() && s.iter().all(|x| x.as_object().is_some_and(|o| !o.is_empty())));
        if required {
            assert_eq!(status, 401, "{method} {path} declares a bearer token but answered {status} without one");
        } else {
            assert_ne!(status, 401, "{method} {path} answered 401 without a token but declares no security");
        }
        checked += 1;
    }
    assert!(checked > 90, "{checked} operations");
}
