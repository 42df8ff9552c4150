//! The account tab: avatar, names, phone, e-mail verification, download watermark and
//! password. Only changed fields are sent to `PUT /api/profile`.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::auth::{UserView, VerifyEmailRequest};
use miaojing_api_types::profile::ProfileUpdate;
use wasm_bindgen::JsCast;

use crate::api::{self, CodePurpose};
use crate::browser::local_date;
use crate::components::{EmailCodeField, FormMessage, PasswordInput, TextField};
use crate::i18n::{use_i18n, Lang, K};
use crate::navbar::Avatar;
use crate::pages::{auth::strong_password, error_text};
use crate::session::{display_name, use_session};
use crate::toast::use_toasts;

/// Largest avatar file accepted before cropping.
const AVATAR_MAX_BYTES: f64 = 5.0 * 1024.0 * 1024.0;
/// Side of the square avatar stored on the account.
const AVATAR_SIDE: u32 = 256;

/// Whether the user may switch download watermarks off (admins and paid members).
fn may_disable_watermark(u: &UserView) -> bool {
    u.role.may_disable_watermark(u.membership_tier)
}

/// Centre-crops an image file to a square JPEG data URL of [`AVATAR_SIDE`] pixels.
async fn crop_avatar(file: web_sys::File) -> Result<String, K> {
    if !file.type_().starts_with("image/") {
        return Err(K::AvatarNotImage);
    }
    if file.size() > AVATAR_MAX_BYTES {
        return Err(K::AvatarTooLarge);
    }
    let url = web_sys::Url::create_object_url_with_blob(&file).map_err(|_| K::AvatarUnreadable)?;
    let img = web_sys::HtmlImageElement::new().map_err(|_| K::AvatarUnreadable)?;
    img.set_src(&url);
    let decoded = wasm_bindgen_futures::JsFuture::from(img.decode()).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    decoded.map_err(|_| K::AvatarUnreadable)?;
    let (w, h) = (img.natural_width() as f64, img.natural_height() as f64);
    let side = w.min(h);
    if side < 1.0 {
        return Err(K::AvatarUnreadable);
    }
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas").map_err(|_| K::AvatarUnreadable)?.unchecked_into();
    canvas.set_width(AVATAR_SIDE);
    canvas.set_height(AVATAR_SIDE);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or(K::AvatarUnreadable)?.unchecked_into();
    let out = AVATAR_SIDE as f64;
    ctx.draw_image_with_html_image_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        &img,
        (w - side) / 2.0,
        (h - side) / 2.0,
        side,
        side,
        0.0,
        0.0,
        out,
        out,
    )
    .map_err(|_| K::AvatarUnreadable)?;
    canvas.to_data_url_with_type_and_encoder_options("image/jpeg", &0.86.into()).map_err(|_| K::AvatarUnreadable)
}

fn changed(new: &str, old: &str) -> Option<String> {
    let new = new.trim();
    (new != old.trim()).then(|| new.to_string())
}

#[component]
pub fn AccountTab() -> impl IntoView {
    let session = use_session();
    // The form is rebuilt only when a field it shows changes (another account, a save, an
    // edit made elsewhere), not when the theme or the balance changes under it.
    let shown = Memo::new(move |_| {
        session.auth.with(|a| {
            a.as_ref().map(|a| {
                let mut k = a.user.clone();
                k.preferred_theme = String::new();
                k.preferred_language = String::new();
                k.credits_balance = 0;
                k
            })
        })
    });
    move || shown.get().and_then(|_| session.auth.get_untracked()).map(|a| view! { <AccountForm user=a.user/> })
}

#[component]
fn AccountForm(user: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let toasts = use_toasts();

    let avatar = RwSignal::new(user.avatar_url.clone().unwrap_or_default());
    let username = RwSignal::new(user.username.clone());
    let nickname = RwSignal::new(display_name(&user));
    let email = RwSignal::new(user.email.clone());
    let phone = RwSignal::new(user.phone.clone().unwrap_or_default());
    let watermark_off = RwSignal::new(user.watermark_disabled);
    let current_pw = RwSignal::new(String::new());
    let new_pw = RwSignal::new(String::new());
    let confirm_pw = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let verifying = RwSignal::new(false);
    let verify_code = RwSignal::new(String::new());
    let watermark_allowed = may_disable_watermark(&user);
    let original = StoredValue::new(user.clone());

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            match crop_avatar(file).await {
                Ok(data_url) => avatar.set(data_url),
                Err(k) => error.set(Some(i18n.t(k).to_string())),
            }
        });
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let old = original.get_value();
        let (cur, new, again) = (current_pw.get_untracked(), new_pw.get_untracked(), confirm_pw.get_untracked());
        let fail = |k: K| error.set(Some(i18n.t(k).to_string()));
        if username.get_untracked().trim().is_empty() {
            return fail(K::UsernameRequired);
        }
        if !new.is_empty() || !cur.is_empty() {
            if cur.is_empty() {
                return fail(K::CurrentPasswordRequired);
            }
            if !strong_password(&new) {
                return fail(K::WeakPassword);
            }
            if new != again {
                return fail(K::PasswordMismatch);
            }
        }
        let req = ProfileUpdate {
            username: changed(&username.get_untracked(), &old.username),
            display_nickname: changed(&nickname.get_untracked(), &display_name(&old)),
            email: changed(&email.get_untracked(), &old.email),
            phone: changed(&phone.get_untracked(), old.phone.as_deref().unwrap_or_default()),
            avatar_url: changed(&avatar.get_untracked(), old.avatar_url.as_deref().unwrap_or_default()),
            watermark_disabled: (watermark_allowed && watermark_off.get_untracked() != old.watermark_disabled)
                .then(|| watermark_off.get_untracked()),
            current_password: (!new.is_empty()).then_some(cur),
            new_password: (!new.is_empty()).then_some(new),
            ..Default::default()
        };
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match api::update_profile(&req).await {
                Ok(resp) => {
                    toasts.success(i18n.t(K::ProfileSaved));
                    current_pw.set(String::new());
                    new_pw.set(String::new());
                    confirm_pw.set(String::new());
                    original.set_value(resp.profile.clone());
                    session.update_user(resp.profile);
                }
                Err(e) => error.set(Some(error_text(&e, i18n))),
            }
            pending.try_set(false);
        });
    };

    let verify = move |_| {
        let code = verify_code.get_untracked();
        if code.is_empty() {
            error.set(Some(i18n.t(K::EmailCodeRequired).to_string()));
            return;
        }
        let req = VerifyEmailRequest { email: email.get_untracked().trim().to_string(), code };
        spawn_local(async move {
            match api::verify_profile_email(&req).await {
                Ok(resp) => {
                    toasts.success(i18n.t(K::EmailVerifiedDone));
                    verifying.set(false);
                    session.update_user(resp.profile);
                }
                Err(e) => error.set(Some(error_text(&e, i18n))),
            }
        });
    };

    let email_verified = move || session.user().is_some_and(|u| u.email_verified);
    let joined = local_date(user.created_at);
    let avatar_sig = Signal::derive(move || Some(avatar.get()));
    let name_sig = Signal::derive(move || nickname.get());

    view! {
        <form class="glass-panel card-pad account-form" on:submit=save novalidate=true>
            <h2 class="card-title">{move || i18n.t(K::TabAccount)}</h2>
            <div class="avatar-row">
                <Avatar url=avatar_sig name=name_sig large=true/>
                <div class="avatar-actions">
                    <label class="btn btn-outline btn-sm file-btn">
                        <input id="avatar-file" type="file" accept="image/png,image/jpeg,image/webp" class="visually-hidden" on:change=on_file/>
                        {move || i18n.t(K::UploadAvatar)}
                    </label>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| avatar.set(String::new())>
                        {move || i18n.t(K::RemoveAvatar)}
                    </button>
                    <small class="hint">{move || i18n.t(K::AvatarHint)}</small>
                </div>
            </div>
            <div class="form-grid">
                <TextField id="pf-username" label=K::Username value=username autocomplete="username" hint=K::UsernameLoginHint/>
                <TextField id="pf-nickname" label=K::ProfileNickname value=nickname autocomplete="nickname" hint=K::NicknameHint/>
                <div class="field">
                    <label for="pf-email">{move || i18n.t(K::Email)}</label>
                    <div class="code-row">
                        <input id="pf-email" class="input" type="email" autocomplete="email" bind:value=email/>
                        <button type="button" class="btn btn-outline code-btn" on:click=move |_| verifying.update(|v| *v = !*v)>
                            {move || i18n.t(if email_verified() { K::Reverify } else { K::VerifyEmail })}
                        </button>
                    </div>
                </div>
                <TextField id="pf-phone" label=K::ProfilePhone value=phone input_type="tel" autocomplete="tel"/>
                <LanguageField/>
            </div>
            <Show when=move || verifying.get()>
                <div class="subpanel">
                    <EmailCodeField id="pf-email-code" email=email.into() code=verify_code purpose=CodePurpose::VerifyProfile/>
                    <button type="button" class="btn btn-gold btn-sm" on:click=verify>{move || i18n.t(K::FinishVerify)}</button>
                </div>
            </Show>
            <p class="muted small">{move || i18n.t(K::ProfileJoined)}": "{joined.clone()}</p>
            <div class="switch-row">
                <label class="switch">
                    <input
                        id="pf-watermark"
                        type="checkbox"
                        role="switch"
                        disabled=!watermark_allowed
                        aria-describedby="pf-watermark-hint"
                        bind:checked=watermark_off
                    />
                    <span class="switch-track" aria-hidden="true"></span>
                    <span>{move || i18n.t(K::WatermarkOff)}</span>
                </label>
                <small id="pf-watermark-hint" class="hint">
                    {move || i18n.t(if watermark_allowed { K::WatermarkOffHint } else { K::WatermarkUpgradeHint })}
                </small>
            </div>
            <fieldset class="subpanel">
                <legend>{move || i18n.t(K::Security)}</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="pf-current-password">{move || i18n.t(K::CurrentPassword)}</label>
                        <PasswordInput id="pf-current-password" value=current_pw placeholder=K::CurrentPassword autocomplete="current-password"/>
                    </div>
                    <div class="field">
                        <label for="pf-new-password">{move || i18n.t(K::NewPassword)}</label>
                        <PasswordInput id="pf-new-password" value=new_pw placeholder=K::PasswordNew autocomplete="new-password"/>
                    </div>
                    <div class="field">
                        <label for="pf-confirm-password">{move || i18n.t(K::ConfirmPassword)}</label>
                        <PasswordInput id="pf-confirm-password" value=confirm_pw placeholder=K::ConfirmPassword autocomplete="new-password"/>
                    </div>
                </div>
            </fieldset>
            <FormMessage error=error/>
            <button type="submit" class="btn btn-gold" disabled=move || pending.get()>
                {move || i18n.t(if pending.get() { K::Saving } else { K::SaveChanges })}
            </button>
        </form>
    }
}

/// The UI language, which is also the language of the account's e-mails: the shell saves a
/// change to the account (`SessionGuard`).
#[component]
fn LanguageField() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
            i18n.set(lang);
        }
    };
    view! {
        <div class="field">
            <label for="pf-language">{move || i18n.t(K::Language)}</label>
            <select id="pf-language" class="input" aria-describedby="pf-language-hint" on:change=on_change
                prop:value=move || i18n.lang.get().api_tag()>
                <option value="zh">"中文"</option>
                <option value="en">"English"</option>
            </select>
            <small id="pf-language-hint" class="hint">{move || i18n.t(K::LanguageHint)}</small>
        </div>
    }
}
