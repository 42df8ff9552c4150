//! Policy pages (about, terms, privacy, help): texts from the site configuration.
use leptos::prelude::*;
use miaojing_api_types::site::SiteConfig;

use crate::app::use_site_config;
use crate::i18n::{use_i18n, K};

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

/// One block of the simple text format the policies use: `# ` headings, paragraphs.
enum Block {
    Heading(String),
    Para(String),
}

fn blocks(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.strip_prefix('#') {
            Some(h) => Block::Heading(h.trim_start_matches('#').trim().to_string()),
            None => Block::Para(l.to_string()),
        })
        .collect()
}

#[component]
pub fn PolicyPage(policy: Policy) -> impl IntoView {
    let i18n = use_i18n();
    let site = use_site_config();
    view! {
        <section class="container narrow">
            <article class="glass-panel card-pad policy">
                {move || match site.get() {
                    None => view! { <p class="muted">{i18n.t(K::Loading)}</p> }.into_any(),
                    Some(cfg) => {
                        let body = blocks(&policy.text(&cfg));
                        let has_heading = matches!(body.first(), Some(Block::Heading(_)));
                        view! {
                            {(!has_heading).then(|| view! { <h1 class="page-title">{i18n.t(policy.title())}</h1> })}
                            {body.into_iter().enumerate().map(|(i, b)| match b {
                                Block::Heading(h) if i == 0 => view! { <h1 class="page-title">{h}</h1> }.into_any(),
                                Block::Heading(h) => view! { <h2>{h}</h2> }.into_any(),
                                Block::Para(p) => view! { <p>{p}</p> }.into_any(),
                            }).collect_view()}
                        }.into_any()
                    }
                }}
            </article>
        </section>
    }
}
