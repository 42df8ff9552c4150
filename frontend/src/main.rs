//! MiaoJing (妙境) single-page app: Leptos CSR, built by Trunk for wasm32.
// Each user bundle (src/bundle.rs) compiles only its own pages, so parts of the shared API
// client and helpers go unused there; the console build, which has every page, still reports
// dead code.
#![cfg_attr(not(feature = "console"), allow(dead_code))]
mod announce;
mod api;
#[cfg(feature = "console")]
mod api_admin;
mod app;
mod browser;
mod bundle;
mod components;
#[cfg(feature = "console")]
mod console;
mod i18n;
mod markdown;
mod navbar;
mod pages;
mod session;
mod storage;
mod theme;
mod toast;

fn main() {
    console_error_panic_hook::set_once();
    bundle::arrived();
    // The static app shell (shell.html, in index.html and account.html) gives way to the app in
    // the same task (no flash).
    if let Some(shell) = leptos::prelude::document().get_element_by_id("app-shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
