//! The switch of the offline demo models (`/api/admin/demo-models`), shown in the settings view.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::admin::DemoModels;

use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::loaded;
use crate::i18n::use_i18n;
use crate::pages::error_text;
use crate::toast::use_toasts;

/// A card with the switch; a change is saved at once.
#[component]
pub fn DemoModelsCard() -> impl IntoView {
    let i18n = use_i18n();
    let state = LocalResource::new(admin::demo_models);
    let body = loaded(state, |d| view! { <DemoSwitch d=d/> }.into_any());
    view! {
        <section class="glass-panel c-card" data-testid="demo-models">
            <h2 class="c-card-title">{move || i18n.c(C::SecDemoModels)}</h2>
            {body}
        </section>
    }
}

#[component]
fn DemoSwitch(d: DemoModels) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let enabled = RwSignal::new(d.enabled);
    let running = RwSignal::new(d.running);
    let change = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        enabled.set(want);
        spawn_local(async move {
            match admin::set_demo_models(want).await {
                Ok(d) => {
                    enabled.set(d.enabled);
                    running.set(d.running);
                    toasts.success(i18n.c(if d.enabled { C::DemoModelsOnDone } else { C::DemoModelsOffDone }));
                }
                Err(e) => {
                    enabled.set(!want);
                    toasts.error(error_text(&e, i18n));
                }
            }
        });
    };
    let hint = move || i18n.c(if enabled.get() && !running.get() { C::DemoModelsNextStart } else { C::DemoModelsHint });
    view! {
        <div class="switch-row">
            <label class="switch">
                <input type="checkbox" role="switch" data-testid="demo-models-switch" prop:checked=move || enabled.get() on:change=change />
                <span class="switch-track" aria-hidden="true"></span>
                <span>{move || i18n.c(C::DemoModelsOn)}</span>
            </label>
            <small class="hint">{hint}</small>
        </div>
    }
}
