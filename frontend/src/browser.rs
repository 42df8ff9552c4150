//! Small browser helpers: session storage, the current location, the clipboard and
//! local time formatting.
use chrono::{DateTime, Utc};
use leptos::prelude::window;
use wasm_bindgen::JsCast;

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Reads a sessionStorage value (per browser tab session).
pub fn session_get(key: &str) -> Option<String> {
    session()?.get_item(key).ok().flatten()
}

/// Writes a sessionStorage value; failures are ignored.
pub fn session_set(key: &str, value: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(key, value);
    }
}

/// Removes a sessionStorage value; failures are ignored.
pub fn session_remove(key: &str) {
    if let Some(s) = session() {
        let _ = s.remove_item(key);
    }
}

/// Path and query of the current page, e.g. `/profile?tab=credits`.
pub fn current_path() -> String {
    let loc = window().location();
    format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default())
}

/// The page's origin, e.g. `https://example.com`.
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// A safe in-app return path from a `?redirect=` value: only same-origin paths.
pub fn safe_return_path(raw: Option<String>) -> Option<String> {
    raw.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/auth/"))
}

/// Copies text with the async clipboard API; `false` when the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Ok(clipboard) = js_sys::Reflect::get(&window().navigator(), &"clipboard".into()) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Some(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok()) else {
        return false;
    };
    match write.call1(&clipboard, &text.into()).map(|p| p.dyn_into::<js_sys::Promise>()) {
        Ok(Ok(promise)) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        _ => false,
    }
}

/// Milliseconds since the epoch, from the browser clock.
pub fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// Formats a timestamp in the browser's time zone, to the minute (`2024-05-01 09:30`).
pub fn local_minute(t: DateTime<Utc>) -> String {
    let d = local(t);
    format!("{} {:02}:{:02}", ymd(&d), d.get_hours(), d.get_minutes())
}

/// Formats a timestamp's date in the browser's time zone (`2024-05-01`).
pub fn local_date(t: DateTime<Utc>) -> String {
    ymd(&local(t))
}

/// The browser's own calendar does the time-zone work (chrono's formatter is large in wasm).
fn local(t: DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&(t.timestamp_millis() as f64).into())
}

fn ymd(d: &js_sys::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn only_same_origin_paths_are_return_targets() {
        assert_eq!(safe_return_path(Some("/profile?tab=credits".into())).as_deref(), Some("/profile?tab=credits"));
        assert_eq!(safe_return_path(Some("//evil.example/x".into())), None);
        assert_eq!(safe_return_path(Some("https://evil.example/".into())), None);
        assert_eq!(safe_return_path(Some("/auth/login".into())), None);
        assert_eq!(safe_return_path(None), None);
    }
}
