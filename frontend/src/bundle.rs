//! Which routes this build serves, and navigation that crosses bundles.
//!
//! The crate ships as separate bundles, each its own HTML page that the server picks by path
//! from the one table in `miaojing_api_types::areas`: the account area (`/profile`, `/auth/…`;
//! the `account` feature, `account.html`), the admin console (`/console…`; the `console`
//! feature, `console.html`, which carries every route) and the rest (`index.html`, the `main`
//! feature). Inside a bundle the router moves between its routes; a route of another bundle must
//! be loaded from the server: links to it get `rel="external"` ([`rel`]) and code navigates with
//! [`use_go`].
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use miaojing_api_types::areas::Area;

use crate::browser;

/// Whether this bundle serves the route at `path` (path, optionally with query and fragment).
pub fn has_route(path: &str) -> bool {
    match Area::of(path) {
        Area::Console => cfg!(feature = "console"),
        Area::Account => cfg!(feature = "account"),
        Area::Main => cfg!(feature = "main"),
    }
}

/// The `rel` of a link to `path`: `external` when another bundle serves it, so the router leaves
/// the click to the browser, which loads that bundle's page.
pub fn rel(path: &str) -> Option<&'static str> {
    (!has_route(path)).then_some("external")
}

/// Navigation for code (redirects after sign-in, 401, sign-out), from [`use_go`]: the router
/// when this bundle serves the target, a full page load otherwise.
#[derive(Clone, Copy)]
pub struct Go(StoredValue<Rc<dyn Fn(&str, NavigateOptions)>, LocalStorage>);

impl Go {
    /// Goes to `path` (with query); `options.replace` replaces the history entry either way.
    pub fn to(self, path: &str, options: NavigateOptions) {
        let routed = has_route(path) && self.0.try_with_value(|navigate| navigate(path, options.clone())).is_some();
        if !routed {
            let location = window().location();
            let _ = if options.replace { location.replace(path) } else { location.set_href(path) };
        }
    }
}

/// The [`Go`] of the current router.
pub fn use_go() -> Go {
    let navigate = use_navigate();
    Go(StoredValue::new_local(Rc::new(move |path: &str, options: NavigateOptions| navigate(path, options))))
}

/// sessionStorage flag: this page was reloaded once to get the bundle of its route; set again
/// on the next attempt it means that bundle is missing (no reload loop).
const BUNDLE_HOP: &str = "miaojing_bundle_hop";

/// At start: a bundle that serves the current route clears the reload flag.
pub fn arrived() {
    if has_route(&browser::current_path()) {
        browser::session_remove(BUNDLE_HOP);
    }
}

/// A route of another bundle reached inside this one (a link without `rel="external"`, a
/// history navigation): the page is loaded anew from the server, once; when the server sends
/// this bundle again (the other was not built), the not-found page.
#[component]
pub fn OtherBundle() -> impl IntoView {
    if browser::session_get(BUNDLE_HOP).is_none() {
        browser::session_set(BUNDLE_HOP, "1");
        let _ = window().location().reload();
    } else {
        browser::session_remove(BUNDLE_HOP);
    }
    view! { <crate::pages::NotFound/> }
}
