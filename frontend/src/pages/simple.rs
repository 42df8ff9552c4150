//! The not-found page.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_i18n, K};

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="container narrow center">
            <div class="glass-panel card-pad">
                <h1 class="page-title">{move || i18n.t(K::NotFoundTitle)}</h1>
                <p class="muted">{move || i18n.t(K::NotFoundSub)}</p>
                <A href="/" attr:class="btn btn-gold" attr:rel=crate::bundle::rel("/")>{move || i18n.t(K::BackHome)}</A>
            </div>
        </section>
    }
}
