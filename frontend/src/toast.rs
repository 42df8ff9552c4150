//! Toast notifications: a context to raise them and a live region that shows them.
use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{use_i18n, K};

/// How long a toast stays up.
const TOAST_MS: u64 = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
    Info,
}

impl ToastKind {
    fn class(self) -> &'static str {
        match self {
            ToastKind::Success => "toast toast-success",
            ToastKind::Error => "toast toast-error",
            ToastKind::Info => "toast toast-info",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Toast {
    id: u32,
    kind: ToastKind,
    text: String,
}

/// The toast context.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u32>,
}

impl Toasts {
    /// Shows a toast that goes away by itself.
    pub fn show(self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id.wrapping_add(1));
        self.items.update(|v| v.push(Toast { id, kind, text: text.into() }));
        set_timeout(move || self.dismiss(id), Duration::from_millis(TOAST_MS));
    }

    pub fn success(self, text: impl Into<String>) {
        self.show(ToastKind::Success, text);
    }

    pub fn error(self, text: impl Into<String>) {
        self.show(ToastKind::Error, text);
    }

    pub fn info(self, text: impl Into<String>) {
        self.show(ToastKind::Info, text);
    }

    fn dismiss(self, id: u32) {
        self.items.try_update(|v| v.retain(|t| t.id != id));
    }
}

pub fn provide_toasts() -> Toasts {
    let t = Toasts { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) };
    provide_context(t);
    t
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// The polite live region holding the visible toasts.
#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    let i18n = use_i18n();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For
                each=move || toasts.items.get()
                key=|t| t.id
                children=move |t| {
                    let id = t.id;
                    view! {
                        <div class=t.kind.class()>
                            <span class="toast-text">{t.text}</span>
                            <button
                                type="button"
                                class="toast-x"
                                aria-label=move || i18n.t(K::Close)
                                on:click=move |_| toasts.dismiss(id)
                            >
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
