//! Serves the built SPA: files from the static directory (precompressed variants when the
//! client accepts them), and the app's page for every other path (history-API routing): each
//! area of the app is its own bundle with its own page (`miaojing_api_types::areas`).
use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

use miaojing_api_types::areas::Area;

use crate::http::error::api_not_found;

/// Where the SPA lives (`None`: not built).
#[derive(Debug, Clone)]
pub struct SpaDir(pub Option<PathBuf>);

/// Maps a URL path to a file inside `root`, refusing anything that could escape it.
pub fn safe_join(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = url_path.trim_start_matches('/');
    if rel.contains('\\') || rel.contains('\0') {
        return None;
    }
    let rel = Path::new(rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

/// Trunk names built assets `name-<hash>.ext` (and `name-<hash>_bg.wasm`), the hash a 64-bit
/// number in hex without leading zeros (16 digits, or fewer one time in 16): those never change
/// and are cached for a year. At least 12 hex digits count as a hash (a shorter one comes once
/// in 65,536 builds, and is then only revalidated).
fn is_hashed(path: &Path) -> bool {
    path.file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|stem| stem.split(['-', '_']).skip(1).any(|part| part.len() >= 12 && part.chars().all(|c| c.is_ascii_hexdigit())))
}

fn open(path: &Path, req: &HttpRequest) -> Option<HttpResponse> {
    let accept = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = mime_guess_from(path);
    for (enc, ext, token) in [(ContentEncoding::Brotli, "br", "br"), (ContentEncoding::Gzip, "gz", "gzip")] {
        if accept.split(',').any(|e| e.trim().split(';').next() == Some(token)) {
            let mut p = path.as_os_str().to_owned();
            p.push(format!(".{ext}"));
            if let Ok(f) = NamedFile::open(PathBuf::from(p)) {
                let mut res = f.set_content_type(mime.clone()).set_content_encoding(enc).disable_content_disposition().into_response(req);
                res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                return Some(res);
            }
        }
    }
    NamedFile::open(path).ok().map(|f| f.set_content_type(mime).disable_content_disposition().into_response(req))
}

fn mime_guess_from(path: &Path) -> mime::Mime {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => mime::TEXT_HTML_UTF_8,
        "js" | "mjs" => mime::APPLICATION_JAVASCRIPT_UTF_8,
        "css" => mime::TEXT_CSS_UTF_8,
        "wasm" => "application/wasm".parse().expect("valid mime"),
        "json" => mime::APPLICATION_JSON,
        "svg" => mime::IMAGE_SVG,
        "png" => mime::IMAGE_PNG,
        "ico" => "image/x-icon".parse().expect("valid mime"),
        "webp" => "image/webp".parse().expect("valid mime"),
        "txt" => mime::TEXT_PLAIN_UTF_8,
        _ => mime::APPLICATION_OCTET_STREAM,
    }
}

/// The HTML page of a client-side route: the page of its area's bundle
/// ([`miaojing_api_types::areas::Area`]) when that bundle was built, the user app's
/// `index.html` otherwise.
fn page_for(root: &Path, path: &str) -> PathBuf {
    Some(root.join(Area::of(path).page())).filter(|page| page.is_file()).unwrap_or_else(|| root.join(Area::Main.page()))
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>MiaoJing</title><body style=\"font-family:sans-serif;background:#0b1020;color:#e8e6df;padding:40px\"><h1 style=\"color:#c9a24a\">妙境 MiaoJing</h1><p>The API is running, but the web app has not been built. Run <code>deploy/build-frontend.sh</code> (or <code>deploy/run.sh</code>) and restart.</p><p><a style=\"color:#c9a24a\" href=\"/api/docs\">API documentation</a></p>";

/// Default service: JSON 404 under `/api/`, otherwise a static file or `index.html`.
pub async fn serve(req: HttpRequest, spa: web::Data<SpaDir>) -> actix_web::Result<HttpResponse> {
    let path = req.path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        return Err(api_not_found().await.into());
    }
    if req.method() != actix_web::http::Method::GET && req.method() != actix_web::http::Method::HEAD {
        return Ok(HttpResponse::MethodNotAllowed().finish());
    }
    let Some(root) = spa.0.as_deref() else {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(NOT_BUILT));
    };
    if let Some(file) = safe_join(root, &path).filter(|p| p.is_file()) {
        if let Some(mut res) = open(&file, &req) {
            let cache = if is_hashed(&file) { "public, max-age=31536000, immutable" } else { "no-cache" };
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            return Ok(res);
        }
    }
    let index = page_for(root, &path);
    match open(&index, &req) {
        Some(mut res) => {
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            Ok(res)
        }
        None => Ok(HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(NOT_BUILT)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_and_knows_hashed_assets() {
        let root = Path::new("/srv/dist");
        assert_eq!(safe_join(root, "/app-1.js"), Some(PathBuf::from("/srv/dist/app-1.js")));
        for bad in ["/../etc/passwd", "/a/../../x", "/a\\b", "/a\0b"] {
            assert_eq!(safe_join(root, bad), None, "{bad}");
        }
        assert!(is_hashed(Path::new("miaojing-frontend-3f2a9c0d1e2b4a5f.js")));
        assert!(is_hashed(Path::new("miaojing-frontend-3f2a9c0d1e2b4a5f_bg.wasm")));
        assert!(!is_hashed(Path::new("3f2a9c0d1e2b4a5f3f2a.png")));
        assert!(!is_hashed(Path::new("index.html")));
        // The hash of this build has a leading zero left out (15 digits).
        assert!(is_hashed(Path::new("miaojing-frontend-b4957bacbf419c5_bg.wasm")));
        assert!(!is_hashed(Path::new("logo-cafe.png")));
        assert!(!is_hashed(Path::new("logo-small.png")));
    }

    #[test]
    fn each_area_gets_its_page_when_built() {
        let dir = std::env::temp_dir().join(format!("mj-spa-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "user").unwrap();
        for p in ["/console", "/profile", "/auth/login"] {
            assert_eq!(page_for(&dir, p), dir.join("index.html"), "{p}: no bundle of its own built: the user app");
        }
        std::fs::write(dir.join("console.html"), "console").unwrap();
        std::fs::write(dir.join("account.html"), "account").unwrap();
        for (p, page) in [
            ("/console", "console.html"),
            ("/console/dashboard", "console.html"),
            ("/profile", "account.html"),
            ("/profile/", "account.html"),
            ("/auth/login", "account.html"),
            ("/auth/register", "account.html"),
            ("/auth/reset", "account.html"),
            ("/", "index.html"),
            ("/create", "index.html"),
            ("/gallery", "index.html"),
            ("/terms", "index.html"),
            ("/consoles", "index.html"),
            ("/profiles", "index.html"),
            ("/author", "index.html"),
            ("/gallery/console", "index.html"),
            ("/create/profile", "index.html"),
        ] {
            assert_eq!(page_for(&dir, p), dir.join(page), "{p}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
