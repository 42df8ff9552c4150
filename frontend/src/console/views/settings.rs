//! E-mail (SMTP settings, test send) and site settings (identity with logo and favicon uploads,
//! footer pages, sign-up rules, gift and invitation amounts, feature switches).
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::admin::{EmailSettingsUpdate, EmailSettingsView};
use miaojing_api_types::site::{SiteConfig, SiteConfigUpdate};

use crate::api;
use crate::api_admin as admin;
use crate::console::text::C;
use crate::console::ui::{loaded, num, Field, Input, Toggle, Writer};
use crate::i18n::use_i18n;
use crate::pages::error_text;
use crate::toast::use_toasts;

#[component]
pub fn Email() -> impl IntoView {
    let settings = LocalResource::new(admin::email_settings);
    let form = loaded(settings, |r| view! { <EmailForm s=r.settings/> }.into_any());
    view! { <div class="c-view">{form}</div> }
}

#[component]
fn EmailForm(s: EmailSettingsView) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let enabled = RwSignal::new(s.enabled);
    let host = RwSignal::new(s.smtp_host.clone());
    let port = RwSignal::new(s.smtp_port.to_string());
    let secure = RwSignal::new(s.smtp_secure);
    let user = RwSignal::new(s.smtp_user.clone());
    let password = RwSignal::new(String::new());
    let from_email = RwSignal::new(s.from_email.clone());
    let from_name = RwSignal::new(s.from_name.clone());
    let reply_to = RwSignal::new(s.reply_to.clone());
    let app_name = RwSignal::new(s.app_name.clone());
    let app_url = RwSignal::new(s.app_base_url.clone());
    let code_len = RwSignal::new(s.code_length.to_string());
    let code_ttl = RwSignal::new(s.code_ttl_minutes.to_string());
    let test_to = RwSignal::new(String::new());
    let preview = RwSignal::new(s.smtp_password_preview.clone());
    let w = Writer::new(RwSignal::new(0u32));
    let pending = w.pending;
    let save = move |_| {
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string());
        let req = EmailSettingsUpdate {
            enabled: Some(enabled.get_untracked()),
            smtp_host: text(host),
            smtp_port: num(&port),
            smtp_secure: Some(secure.get_untracked()),
            smtp_user: text(user),
            smtp_password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            clear_smtp_password: None,
            from_email: text(from_email),
            from_name: text(from_name),
            reply_to: text(reply_to),
            app_name: text(app_name),
            app_base_url: text(app_url),
            code_length: num(&code_len),
            code_ttl_minutes: num(&code_ttl),
        };
        w.then(async move { admin::save_email_settings(&req).await }, move |r| {
            preview.set(r.settings.smtp_password_preview);
            password.set(String::new());
            toasts.success(i18n.c(C::Saved));
        });
    };
    let send_test = move |_| {
        let to = test_to.get_untracked().trim().to_string();
        spawn_local(async move {
            match admin::test_email(&to).await {
                Ok(r) => toasts.success(if r.message.is_empty() { i18n.c(C::TestSent).to_string() } else { r.message }),
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
        });
    };
    view! {
        <section class="glass-panel c-card">
            <div class="form-grid">
                <Toggle label=C::EmailEnabled value=enabled/>
                <Toggle label=C::SmtpSecure value=secure hint=C::SmtpSecureHint/>
                <Field label=C::SmtpHost value=host/>
                <Field label=C::SmtpPort value=port input=Input::Number/>
                <Field label=C::SmtpUser value=user/>
                <div class="field">
                    <Field label=C::SmtpPassword value=password input=Input::Password hint=C::ApiKeyHintKeep/>
                    {move || (!preview.get().is_empty()).then(|| view! { <small class="muted mono">{format!("{} {}", i18n.c(C::SavedKey), preview.get())}</small> })}
                </div>
                <Field label=C::FromEmail value=from_email input=Input::Email/>
                <Field label=C::FromName value=from_name/>
                <Field label=C::ReplyTo value=reply_to input=Input::Email/>
                <Field label=C::AppName value=app_name/>
                <Field label=C::AppUrl value=app_url/>
                <Field label=C::CodeLength value=code_len input=Input::Number hint=C::CodeLengthHint/>
                <Field label=C::CodeTtl value=code_ttl input=Input::Number hint=C::CodeTtlHint/>
            </div>
            <div class="btn-row">
                <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::Save)}</button>
            </div>
        </section>
        <section class="glass-panel c-card">
            <h2 class="c-card-title">{move || i18n.c(C::TestSend)}</h2>
            <div class="c-toolbar">
                <Field label=C::TestTo value=test_to input=Input::Email/>
                <button type="button" class="btn btn-outline btn-sm" disabled=move || test_to.get().trim().is_empty() on:click=send_test>{move || i18n.c(C::TestSend)}</button>
            </div>
        </section>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let cfg = LocalResource::new(api::get_site_config);
    let form = loaded(cfg, |c| view! { <SiteForm c=c/> }.into_any());
    view! { <div class="c-view">{form}<super::demo_models::DemoModelsCard/></div> }
}

#[component]
fn SiteForm(c: SiteConfig) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let text = |v: &str| RwSignal::new(v.to_string());
    let site_name = text(&c.site_name);
    let tab_title = text(&c.site_tab_title);
    let logo = text(c.logo_url.as_deref().unwrap_or(""));
    let favicon = text(c.favicon_url.as_deref().unwrap_or(""));
    let filing = text(&c.filing_info);
    let filing_url = text(&c.filing_url);
    let police = text(&c.public_security_filing_info);
    let police_url = text(&c.public_security_filing_url);
    let mall = text(&c.redeem_code_mall_url);
    let about = text(&c.about_us);
    let help = text(&c.help_center);
    let terms = text(&c.terms_of_service);
    let privacy = text(&c.privacy_policy);
    let retention = text(&c.log_retention_days.to_string());
    let gift = text(&c.registration_gift_credits.to_string());
    let inviter = text(&c.inviter_reward_credits.to_string());
    let invitee = text(&c.invitee_reward_credits.to_string());
    let registration = RwSignal::new(c.registration_enabled);
    let verify = RwSignal::new(c.email_verification_required);
    let membership = RwSignal::new(c.membership_enabled);
    let composition = RwSignal::new(c.image_composition_skill_enabled);
    let pending = RwSignal::new(false);
    let save = move |_| {
        let s = |v: RwSignal<String>| Some(v.get_untracked().trim().to_string());
        let raw = |v: RwSignal<String>| Some(v.get_untracked());
        let req = SiteConfigUpdate {
            site_name: s(site_name),
            site_tab_title: s(tab_title),
            logo_url: s(logo),
            favicon_url: s(favicon),
            membership_enabled: Some(membership.get_untracked()),
            terms_of_service: raw(terms),
            privacy_policy: raw(privacy),
            about_us: raw(about),
            help_center: raw(help),
            filing_info: s(filing),
            filing_url: s(filing_url),
            public_security_filing_info: s(police),
            public_security_filing_url: s(police_url),
            redeem_code_mall_url: s(mall),
            log_retention_days: num(&retention),
            image_composition_skill_enabled: Some(composition.get_untracked()),
            registration_enabled: Some(registration.get_untracked()),
            email_verification_required: Some(verify.get_untracked()),
            registration_gift_credits: num(&gift),
            inviter_reward_credits: num(&inviter),
            invitee_reward_credits: num(&invitee),
        };
        pending.set(true);
        spawn_local(async move {
            match admin::save_site_config(&req).await {
                Ok(_) => toasts.success(i18n.c(C::SiteSaved)),
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            pending.set(false);
        });
    };
    view! {
        <section class="glass-panel c-card">
            <h2 class="c-card-title">{move || i18n.c(C::SecSite)}</h2>
            <div class="form-grid">
                <Field label=C::SiteName value=site_name/>
                <Field label=C::TabTitle value=tab_title/>
                <Field label=C::LogoUrl value=logo/>
                <Field label=C::FaviconUrl value=favicon/>
                <AssetUpload kind="logo" label=C::UploadLogo target=logo/>
                <AssetUpload kind="favicon" label=C::UploadFavicon target=favicon/>
                <Field label=C::Filing value=filing/>
                <Field label=C::FilingUrl value=filing_url/>
                <Field label=C::PoliceFiling value=police/>
                <Field label=C::PoliceFilingUrl value=police_url/>
                <Field label=C::MallUrl value=mall hint=C::MallUrlHint wide=true/>
                <Field label=C::Retention value=retention input=Input::Number hint=C::RetentionHint/>
            </div>
        </section>
        <section class="glass-panel c-card">
            <h2 class="c-card-title">{move || i18n.c(C::SecFooter)}</h2>
            <p class="muted small">{move || i18n.c(C::FooterHint)}</p>
            <div class="form-grid">
                <Field label=C::AboutUs value=about input=Input::Area/>
                <Field label=C::HelpCenter value=help input=Input::Area/>
                <Field label=C::Terms value=terms input=Input::Area/>
                <Field label=C::Privacy value=privacy input=Input::Area/>
            </div>
        </section>
        <section class="glass-panel c-card">
            <h2 class="c-card-title">{move || i18n.c(C::SecRegistration)}</h2>
            <div class="form-grid">
                <Toggle label=C::RegistrationOpen value=registration/>
                <Toggle label=C::VerifyEmail value=verify hint=C::VerifyEmailHint/>
                <Field label=C::GiftCredits value=gift input=Input::Number/>
                <Field label=C::InviterReward value=inviter input=Input::Number/>
                <Field label=C::InviteeReward value=invitee input=Input::Number/>
            </div>
        </section>
        <section class="glass-panel c-card">
            <h2 class="c-card-title">{move || i18n.c(C::SecSwitches)}</h2>
            <Toggle label=C::MembershipOn value=membership hint=C::MembershipHint/>
            <Toggle label=C::CompositionSkill value=composition hint=C::CompositionHint/>
        </section>
        <div class="btn-row">
            <button type="button" class="btn btn-gold" disabled=move || pending.get() on:click=save>{move || i18n.c(C::SaveSettings)}</button>
        </div>
    }
}

/// Uploads the site logo or favicon (`kind`); the server stores it and points the site
/// configuration at it, and `target` (the URL field next to it) shows the new address.
#[component]
fn AssetUpload(kind: &'static str, label: C, target: RwSignal<String>) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let pending = RwSignal::new(false);
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        pending.set(true);
        spawn_local(async move {
            match admin::upload_site_asset(kind, file).await {
                Ok(r) => {
                    target.set(r.url);
                    toasts.success(i18n.c(C::AssetUploaded));
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            pending.set(false);
        });
    };
    let accept = if kind == "favicon" {
        "image/png,image/jpeg,image/webp,image/gif,image/svg+xml,image/x-icon,.ico"
    } else {
        "image/png,image/jpeg,image/webp,image/gif,image/svg+xml"
    };
    view! {
        <div class="field">
            <label class="btn btn-outline btn-sm" class:disabled=move || pending.get()>
                {move || i18n.c(label)}
                <input type="file" class="visually-hidden" accept=accept disabled=move || pending.get() on:change=on_file/>
            </label>
            <small class="muted">{move || i18n.c(C::AssetHint)}</small>
        </div>
    }
}
