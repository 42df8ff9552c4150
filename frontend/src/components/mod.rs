//! Reusable pieces: skeleton placeholders and form controls.

#[cfg(feature = "account")]
pub mod form;
pub mod media;
#[cfg(any(feature = "main", feature = "account"))]
pub mod publish;

#[cfg(feature = "account")]
pub use form::{EmailCodeField, FormMessage, PasswordInput, TextField};

use leptos::prelude::*;

/// Grey shimmering text lines shown while content loads.
#[component]
pub fn SkeletonLines(#[prop(default = 3)] lines: usize) -> impl IntoView {
    view! {
        <div class="skeleton-block" aria-hidden="true">
            {(0..lines).map(|i| {
                let width = if i + 1 == lines && lines > 1 { "skeleton-line short" } else { "skeleton-line" };
                view! { <div class=width></div> }
            }).collect_view()}
        </div>
    }
}

/// A skeleton box of a given CSS class (sized by the stylesheet).
#[component]
pub fn SkeletonBox(class: &'static str) -> impl IntoView {
    view! { <div class=format!("skeleton {class}") aria-hidden="true"></div> }
}
