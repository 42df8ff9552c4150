//! Form controls shared by the auth pages and the profile.
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, CodePurpose};
use crate::i18n::{use_i18n, Lang, K};
use crate::pages::error_text;
use crate::toast::use_toasts;

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    id: &'static str,
    label: K,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] placeholder: Option<K>,
    #[prop(optional)] hint: Option<K>,
    #[prop(optional)] required: bool,
    #[prop(optional)] mono: bool,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>
                {move || i18n.t(label)}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id
                class=if mono { "input mono" } else { "input" }
                type=input_type
                autocomplete=autocomplete
                placeholder=move || placeholder.map(|k| i18n.t(k)).unwrap_or_default()
                required=required
                maxlength=maxlength.map(|m| m.to_string())
                aria-describedby=described
                bind:value=value
            />
            {hint.map(|h| view! { <small id=hint_id class="hint">{move || i18n.t(h)}</small> })}
        </div>
    }
}

/// A password input with a show/hide toggle (the label is the caller's).
#[component]
pub fn PasswordInput(id: &'static str, value: RwSignal<String>, placeholder: K, autocomplete: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let toggle_label = move || if shown.get() { i18n.t(K::HidePassword) } else { i18n.t(K::ShowPassword) };
    view! {
        <div class="input-with-btn">
            <input
                id=id
                class="input"
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete=autocomplete
                placeholder=move || i18n.t(placeholder)
                required=true
                bind:value=value
            />
            <button
                type="button"
                class="input-btn"
                aria-label=toggle_label
                title=toggle_label
                aria-pressed=move || shown.get().to_string()
                on:click=move |_| shown.update(|s| *s = !*s)
            >
                <span aria-hidden="true">{move || if shown.get() { "◡" } else { "◉" }}</span>
            </button>
        </div>
    }
}

/// The inline error line of a form (`role=alert`, hidden while empty).
#[component]
pub fn FormMessage(error: RwSignal<Option<String>>) -> impl IntoView {
    view! { <div class="form-error" role="alert">{move || error.get()}</div> }
}

/// Whether a string looks like an e-mail address.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !s.contains(char::is_whitespace)
}

/// Keeps `[A-Z0-9]`, upper-cased, at most `max` characters (codes typed by users).
pub fn code_chars(raw: &str, max: usize) -> String {
    raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).take(max).collect()
}

/// Counts a signal down to zero once per second.
fn count_down(left: RwSignal<u32>) {
    set_timeout(
        move || {
            if let Some(n) = left.try_get_untracked() {
                if n > 0 {
                    left.set(n - 1);
                    count_down(left);
                }
            }
        },
        Duration::from_secs(1),
    );
}

/// An e-mail code input with a 「发送验证码」 button that asks the server for a code for
/// `email` and then counts down the cooldown the server returned.
#[component]
pub fn EmailCodeField(id: &'static str, email: Signal<String>, code: RwSignal<String>, purpose: CodePurpose) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let left = RwSignal::new(0u32);
    let sending = RwSignal::new(false);
    let can_send = move || !sending.get() && left.get() == 0 && valid_email(email.get().trim());

    let send = move |_| {
        let to = email.get_untracked().trim().to_string();
        if !valid_email(&to) {
            toasts.error(i18n.t(K::InvalidEmail));
            return;
        }
        sending.set(true);
        spawn_local(async move {
            match api::send_email_code(purpose, &to).await {
                Ok(resp) => {
                    // The server's (Chinese) wording, or the translated one in English.
                    let chinese = i18n.lang.get_untracked() == Lang::Zh && !resp.message.trim().is_empty();
                    toasts.success(if chinese { resp.message } else { i18n.t(K::CodeSent).to_string() });
                    left.set(resp.cooldown.clamp(1, 600) as u32);
                    count_down(left);
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            sending.set(false);
        });
    };

    view! {
        <div class="field">
            <label for=id>{move || i18n.t(K::EmailCode)}</label>
            <div class="code-row">
                <input
                    id=id
                    class="input mono"
                    type="text"
                    inputmode="text"
                    autocomplete="one-time-code"
                    maxlength="10"
                    placeholder=move || i18n.t(K::EmailCodePlaceholder)
                    prop:value=move || code.get()
                    on:input=move |ev| code.set(code_chars(&event_target_value(&ev), 10))
                />
                <button type="button" class="btn btn-outline code-btn" disabled=move || !can_send() on:click=send>
                    {move || match left.get() {
                        0 if sending.get() => i18n.t(K::Sending).to_string(),
                        0 => i18n.t(K::SendCode).to_string(),
                        n => format!("{n}s"),
                    }}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_emails() {
        assert_eq!(code_chars("abc-123!xyz", 5), "ABC12");
        assert!(valid_email("a@b.co"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a b@c.de"));
    }
}
