//! `/api/admin/*`: every route needs an admin (401 without a session, 403 for other roles).
use utoipa_actix_web::service_config::ServiceConfig;

pub mod agnes;
pub mod catalog;
pub mod dashboard;
pub mod demo_models;
pub mod email_settings;
pub mod invitations;
pub mod logs;
pub mod redeem_codes;
pub mod system_apis;
pub mod users;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    dashboard::configure(cfg);
    users::configure(cfg);
    invitations::configure(cfg);
    redeem_codes::configure(cfg);
    logs::configure(cfg);
    email_settings::configure(cfg);
    system_apis::configure(cfg);
    agnes::configure(cfg);
    catalog::configure(cfg);
    demo_models::configure(cfg);
}
