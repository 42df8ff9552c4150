//! Site logo and favicon uploads: stored by content hash, served with immutable caching, the site
//! configuration pointing at them; bad files refused with nothing changed.
use miaojing_api_types::ErrorCode;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};
use crate::on_both_backends;

on_both_backends!(admin_uploads_logo_and_favicon);

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x * 9) as u8, (y * 5) as u8, 200, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn ico() -> Vec<u8> {
    // ICONDIR with one 1x1 entry pointing at a tiny PNG (the modern ICO layout).
    let image = png(1, 1);
    let mut v = vec![0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 32, 0];
    v.extend_from_slice(&(image.len() as u32).to_le_bytes());
    v.extend_from_slice(&22u32.to_le_bytes());
    v.extend_from_slice(&image);
    v
}

async fn upload(app: &TestApp, kind: &str, bytes: Vec<u8>, name: &str, token: Option<&str>) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    let mut req = app.client.post(format!("{}/api/admin/site-assets/{kind}", app.base)).multipart(form);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Fetches `url`; asserts the bytes, the type and the immutable caching; returns the headers.
async fn served(app: &TestApp, url: &str, bytes: &[u8], content_type: &str) -> reqwest::header::HeaderMap {
    let res = app.client.get(format!("{}{url}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let h = res.headers().clone();
    assert_eq!(h["content-type"], content_type, "{url}");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{url}");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes, "{url}: the uploaded bytes");
    h
}

async fn admin_uploads_logo_and_favicon(app: TestApp) {
    let admin = app.admin_token().await;
    let (user, _) = app.register("assets-user@example.com", "assetsuser").await;
    let logo = png(240, 80);
    assert_eq!(upload(&app, "logo", logo.clone(), "logo.png", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(upload(&app, "logo", logo.clone(), "logo.png", Some(&user)).await.0, StatusCode::FORBIDDEN);

    // The logo: content-hashed key, the configuration points at it, served for a year.
    let (s, v) = upload(&app, "logo", logo.clone(), "whatever.bin", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let logo_url = v["url"].as_str().unwrap().to_string();
    assert!(logo_url.starts_with("/api/local-storage/site-assets/logo-") && logo_url.ends_with(".png"), "{logo_url}");
    assert_eq!((v["kind"].as_str(), v["contentType"].as_str()), (Some("logo"), Some("image/png")));
    assert_eq!(v["size"].as_u64(), Some(logo.len() as u64));
    assert_eq!(v["siteConfig"]["logoUrl"], logo_url.as_str());
    let (_, cfg) = app.get("/api/site-config", None).await;
    assert_eq!(cfg["logoUrl"], logo_url.as_str());
    served(&app, &logo_url, &logo, "image/png").await;
    // The same file again lands on the same key; another file on another one.
    assert_eq!(upload(&app, "logo", logo.clone(), "again.png", Some(&admin)).await.1["url"], logo_url.as_str());
    let other = upload(&app, "logo", png(100, 100), "b.png", Some(&admin)).await.1;
    assert_ne!(other["url"], logo_url.as_str());

    // The file itself as the body works too (curl --data-binary).
    let small = png(32, 32);
    let res = app
        .client
        .post(format!("{}/api/admin/site-assets/favicon", app.base))
        .bearer_auth(&admin)
        .header("content-type", "image/png")
        .body(small.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    served(&app, v["siteConfig"]["faviconUrl"].as_str().unwrap(), &small, "image/png").await;

    // The favicon as ICO, and an SVG logo (served under a policy that blocks scripts).
    let icon = ico();
    let (s, v) = upload(&app, "favicon", icon.clone(), "favicon.ico", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let favicon_url = v["url"].as_str().unwrap().to_string();
    assert!(favicon_url.starts_with("/api/local-storage/site-assets/favicon-") && favicon_url.ends_with(".ico"), "{favicon_url}");
    served(&app, &favicon_url, &icon, "image/x-icon").await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="gold"/></svg>"#.to_vec();
    let (s, v) = upload(&app, "logo", svg.clone(), "logo.svg", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let svg_url = v["url"].as_str().unwrap().to_string();
    let h = served(&app, &svg_url, &svg, "image/svg+xml").await;
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'") && csp.contains("sandbox") && !csp.contains("script-src"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");

    // Refused files: a clear 4xx, and the configuration stays as it was.
    let (_, before) = app.get("/api/site-config", None).await;
    assert_eq!((before["logoUrl"].as_str(), before["faviconUrl"].as_str()), (Some(svg_url.as_str()), Some(favicon_url.as_str())));
    let html = b"<html><body><script>alert(1)</script></body></html>".to_vec();
    assert_error(&upload(&app, "favicon", html.clone(), "icon.png", Some(&admin)).await, 415, ErrorCode::UnsupportedMediaType);
    assert_error(&upload(&app, "logo", icon.clone(), "logo.ico", Some(&admin)).await, 415, ErrorCode::UnsupportedMediaType);
    assert_error(&upload(&app, "logo", vec![0x89; 2 * 1024 * 1024 + 1], "big.png", Some(&admin)).await, 413, ErrorCode::FileTooLarge);
    assert_error(&upload(&app, "logo", Vec::new(), "empty.png", Some(&admin)).await, 400, ErrorCode::EmptyFile);
    assert_error(&upload(&app, "banner", logo.clone(), "a.png", Some(&admin)).await, 404, ErrorCode::UnknownSiteAsset);
    assert_error(&app.post("/api/admin/site-assets/logo", json!({"file": "x"}), Some(&admin)).await, 415, ErrorCode::UnsupportedMediaType);
    let (_, after) = app.get("/api/site-config", None).await;
    assert_eq!(after, before, "a refused upload changes nothing");
    let stored = app.state.storage.local().list("site-assets/").await.unwrap();
    assert_eq!(stored.len(), 5, "only accepted files are stored: {stored:?}");
}
