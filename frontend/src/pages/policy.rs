//! Policy pages (about, terms, privacy, help): texts from the site configuration.
use leptos::prelude::*;
use miaojing_api_types::site::SiteConfig;

use crate::app::use_site_config;
use crate::i18n::{use_i18n, K};
use crate::markdown;

/// Which policy text a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    About,
    Terms,
    Privacy,
    Help,
}

impl Policy {
    fn title(self) -> K {
        match self {
            Policy::About => K::PolicyAbout,
            Policy::Terms => K::PolicyTerms,
            Policy::Privacy => K::PolicyPrivacy,
            Policy::Help => K::PolicyHelp,
        }
    }

    fn text(self, c: &SiteConfig) -> String {
        match self {
            Policy::About => c.about_us.clone(),
            Policy::Terms => c.terms_of_service.clone(),
            Policy::Privacy => c.privacy_policy.clone(),
            Policy::Help => c.help_center.clone(),
        }
    }
}

#[component]
pub fn PolicyPage(policy: Policy) -> impl IntoView {
    let i18n = use_i18n();
    let site = use_site_config();
    view! {
        <section class="container narrow">
            <article class="glass-panel card-pad policy">
                {move || match site.get() {
                    None => view! { <crate::components::SkeletonLines lines=6/> }.into_any(),
                    Some(cfg) => {
                        let body = markdown::blocks(&policy.text(&cfg));
                        let has_heading = matches!(body.first(), Some(markdown::Block::Heading(..)));
                        view! {
                            {(!has_heading).then(|| view! { <h1 class="page-title">{i18n.t(policy.title())}</h1> })}
                            {markdown::render(body, 0)}
                        }.into_any()
                    }
                }}
            </article>
        </section>
    }
}
