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
