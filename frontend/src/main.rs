//! MiaoJing (妙境) single-page app: Leptos CSR, built by Trunk for wasm32.
mod announce;
mod api;
mod api_admin;
mod app;
mod browser;
mod components;
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
    leptos::mount::mount_to_body(app::App);
}
