//! HTTP routes by area. Every route is an actix service annotated for OpenAPI, so the
//! published spec is generated from exactly the routes the server registers.
use chrono::Utc;
use miaojing_api_types::auth::UserView;
use miaojing_domain::user::User;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod admin;
pub mod auth;
pub mod credits;
pub mod docs;
pub mod downloads;
pub mod email;
pub mod files;
pub mod generation;
pub mod health;
pub mod models;
pub mod moderation;
pub mod profile;
pub mod site;
pub mod site_assets;
pub mod uploads;
pub mod user_api_keys;
pub mod works;
pub mod works_admin;

/// Registers every API route.
pub fn configure(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    email::configure(cfg);
    profile::configure(cfg);
    credits::configure(cfg);
    site::configure(cfg);
    site_assets::configure(cfg);
    models::configure(cfg);
    user_api_keys::configure(cfg);
    health::configure(cfg);
    files::configure(cfg);
    downloads::configure(cfg);
    uploads::configure(cfg);
    admin::configure(cfg);
    generation::configure(cfg);
    works::configure(cfg);
    works_admin::configure(cfg);
    moderation::configure(cfg);
    docs::configure(cfg);
}

/// The account as the API shows it.
pub fn user_view(u: &User) -> UserView {
    let now = Utc::now();
    UserView {
        id: u.id,
        email: u.email.clone(),
        username: u.username.clone(),
        nickname: u.display_nickname.clone(),
        display_nickname: u.display_nickname.clone(),
        role: u.display_role(now),
        membership_tier: u.effective_tier(now),
        membership_expires_at: u.membership_expires_at,
        credits_balance: u.credits_balance,
        avatar_url: u.avatar_url.clone(),
        phone: u.phone.clone(),
        created_at: u.created_at,
        email_verified: u.email_verified,
        email_verified_at: u.email_verified_at,
        email_bound_at: u.email_bound_at,
        preferred_theme: u.preferred_theme.clone(),
        preferred_language: u.preferred_language.as_str().to_string(),
        watermark_disabled: u.watermark_disabled,
        invite_code: u.invite_code.clone(),
    }
}

/// `?id=` of the row an operation acts on: declared required in the API document; a missing
/// one still reaches the handler, which answers its own 400.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct IdQuery {
    #[param(required = true)]
    pub id: Option<uuid::Uuid>,
}

/// Trims an optional query string to `None` when blank, and caps its length. Control
/// characters are left out: no stored text holds them, and PostgreSQL refuses a NUL.
pub fn clean_query(v: Option<String>, max: usize) -> Option<String> {
    v.map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>().trim().chars().take(max).collect::<String>())
        .filter(|s| !s.is_empty())
}
