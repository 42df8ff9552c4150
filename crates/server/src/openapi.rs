//! The OpenAPI document, generated from the registered routes.
use std::sync::OnceLock;

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(title = "MiaoJing (妙境) API", description = "The JSON API of MiaoJing, a self-hostable AI creation platform. Errors are `{\"error\": message, \"code\": stable_code}`. Authenticated routes take `Authorization: Bearer <access_token>`."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-up, sign-in and sessions"),
        (name = "email", description = "E-mail codes, binding and password reset"),
        (name = "profile", description = "The signed-in user's account"),
        (name = "credits", description = "Ledger, redeem codes and invitations"),
        (name = "site", description = "Site configuration, statistics and announcements"),
        (name = "storage", description = "Stored files"),
        (name = "admin", description = "Administration (admin or enterprise_admin)"),
        (name = "ops", description = "Health, metrics and documentation"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The document for exactly the routes in [`crate::routes::configure`].
pub fn spec() -> &'static utoipa::openapi::OpenApi {
    static SPEC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    SPEC.get_or_init(|| {
        let (_, mut api) = App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::routes::configure).split_for_parts();
        api.info.version = env!("CARGO_PKG_VERSION").to_string();
        api
    })
}

/// The document as pretty JSON (what `docs/openapi.json` holds).
pub fn spec_json() -> String {
    let mut s = spec().to_pretty_json().expect("the OpenAPI document serialises");
    s.push('\n');
    s
}
