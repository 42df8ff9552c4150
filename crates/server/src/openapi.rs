//! The OpenAPI document, generated from the registered routes: each handler's attribute declares
//! its security (`security(("bearer" = []))` for a signed-in caller, `["admin"]` for an admin,
//! `(), ("bearer" = [])` when optional), parameters, body and specific answers; the answers
//! every operation of a kind shares are added by [`rules`].
use std::sync::OnceLock;

use actix_web::App;
use miaojing_api_types::vocab;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

mod constraints;
mod rules;

#[derive(OpenApi)]
#[openapi(
    info(title = "MiaoJing (妙境) API", description = "The JSON API of MiaoJing, a self-hostable AI creation platform. Errors are `{\"error\": message, \"code\": stable_code}`. Authenticated routes take `Authorization: Bearer <access_token>`."),
    modifiers(&BearerAuth),
    // The word sets parameters declare with `value_type = vocab::…` (bodies register theirs).
    components(schemas(
        vocab::Mode, vocab::JobKind, vocab::JobStatus, vocab::FinishedStatus, vocab::JobStatusFilter, vocab::GallerySort,
        vocab::GalleryCategory, vocab::LogLevel, vocab::LogType, vocab::Role, vocab::ShownRole, vocab::Tier,
        vocab::MediaType, vocab::Protocol, vocab::PollingMode, vocab::BillingMode
    )),
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

/// The document as generated from the route attributes, before [`rules::apply`].
fn generated() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::routes::configure).split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// The document for exactly the routes in [`crate::routes::configure`], with the answers every
/// operation shares added from its declared security, parameters and body ([`rules`]).
pub fn spec() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut doc = serde_json::to_value(generated()).expect("the OpenAPI document serialises");
        rules::apply(&mut doc);
        constraints::apply(&mut doc);
        doc
    })
}

/// The document as pretty JSON (what `docs/openapi.json` holds).
pub fn spec_json() -> String {
    let mut s = serde_json::to_string_pretty(spec()).expect("the OpenAPI document serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use miaojing_api_types::vocab;
    use miaojing_domain::job::{JobStatus, Mode};

    #[test]
    fn declared_vocabularies_are_the_domain_words() {
        let modes: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(vocab::Mode::WORDS, modes.as_slice());
        let statuses: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(vocab::JobStatus::WORDS, statuses.as_slice());
        let finished: Vec<&str> = JobStatus::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.as_str()).collect();
        assert_eq!(vocab::FinishedStatus::WORDS, finished.as_slice());
        assert_eq!(vocab::LogType::WORDS, miaojing_domain::log::LOG_KINDS);
        assert_eq!(vocab::LogLevel::WORDS, miaojing_domain::log::LOG_LEVELS);
        for word in vocab::GallerySort::WORDS {
            assert!(miaojing_domain::work::GallerySort::parse(word).is_ok(), "{word}");
        }
        for word in vocab::GalleryCategory::WORDS {
            assert!(crate::routes::works::category_modes(Some(word.to_string())).is_ok(), "{word}");
        }
    }

    /// The document lists each word list by its wire words (not the Rust variant names).
    #[test]
    fn the_document_lists_the_wire_words() {
        let schemas = &super::spec()["components"]["schemas"];
        let listed = |name: &str| -> Vec<String> {
            let words = schemas[name]["enum"].as_array().unwrap_or_else(|| panic!("{name} has no enum"));
            words.iter().map(|w| w.as_str().unwrap().to_string()).collect()
        };
        assert_eq!(listed("Mode"), vocab::Mode::WORDS);
        assert_eq!(listed("JobStatus"), vocab::JobStatus::WORDS);
        assert_eq!(listed("JobStatusFilter"), vocab::JobStatusFilter::WORDS);
        assert_eq!(listed("Role"), vocab::Role::WORDS);
        assert_eq!(listed("ShownRole"), vocab::ShownRole::WORDS);
        assert_eq!(listed("Tier"), vocab::Tier::WORDS);
        assert_eq!(listed("MediaType"), vocab::MediaType::WORDS);
        assert_eq!(listed("BillingMode"), vocab::BillingMode::WORDS);
        assert_eq!(listed("GallerySort"), vocab::GallerySort::WORDS);
        assert_eq!(listed("Tier"), ["free", "pro", "max", "ultra"]);
    }
}
