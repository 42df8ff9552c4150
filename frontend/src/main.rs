//! MiaoJing (妙境) single-page app: Leptos CSR, built by Trunk for wasm32.
mod api;
mod app;
mod i18n;
mod pages;
mod session;
mod storage;
mod theme;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
