//! The marketing home page.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_i18n, K};

struct Capability {
    title: K,
    desc: K,
    mode: &'static str,
    icon: &'static str,
    tone: &'static str,
}

const CAPABILITIES: [Capability; 4] = [
    Capability { title: K::CapText2Img, desc: K::CapText2ImgDesc, mode: "text2img", icon: "✎", tone: "amber" },
    Capability { title: K::CapImg2Img, desc: K::CapImg2ImgDesc, mode: "img2img", icon: "◧", tone: "emerald" },
    Capability { title: K::CapText2Video, desc: K::CapText2VideoDesc, mode: "text2video", icon: "▶", tone: "rose" },
    Capability { title: K::CapImg2Video, desc: K::CapImg2VideoDesc, mode: "img2video", icon: "◎", tone: "sky" },
];

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let stats = [
        ("4", K::StatCapabilities, None),
        ("10s", K::StatSpeed, None),
        ("100+", K::StatStyles, None),
        ("", K::StatQueue, Some(K::StatQueueValue)),
    ];
    view! {
        <section class="hero">
            <div class="hero-glow" aria-hidden="true"></div>
            <div class="container hero-inner">
                <p class="badge">
                    <span class="badge-dot" aria-hidden="true"></span>
                    {move || i18n.t(K::HeroBadge)}
                </p>
                <h1 class="hero-title">
                    <span class="hero-line1">{move || i18n.t(K::HeroLine1)}</span>
                    <span class="hero-line2">{move || i18n.t(K::HeroLine2)}</span>
                </h1>
                <p class="hero-sub">{move || i18n.t(K::HeroSub)}</p>
                <div class="hero-actions">
                    <A href="/create" attr:class="btn btn-gold btn-lg">
                        {move || i18n.t(K::StartCreating)}
                        <span aria-hidden="true">" →"</span>
                    </A>
                    <A href="/gallery" attr:class="btn btn-outline btn-lg">
                        {move || i18n.t(K::BrowseWorks)}
                    </A>
                </div>
                <dl class="stats">
                    {stats.into_iter().map(|(value, label, value_key)| view! {
                        <div class="stat">
                            <dt class="stat-label">{move || i18n.t(label)}</dt>
                            <dd class="stat-value">
                                {move || value_key.map(|k| i18n.t(k)).unwrap_or(value)}
                            </dd>
                        </div>
                    }).collect_view()}
                </dl>
            </div>
        </section>
        <section class="container section" aria-labelledby="caps-title">
            <h2 id="caps-title" class="section-title">{move || i18n.t(K::CapabilitiesTitle)}</h2>
            <p class="muted section-sub">{move || i18n.t(K::CapabilitiesSub)}</p>
            <div class="cap-grid">
                {CAPABILITIES.iter().map(|c| {
                    let (title, desc) = (c.title, c.desc);
                    view! {
                        <A href=format!("/create?type={}", c.mode) attr:class="cap-card glass-panel">
                            <span class=format!("cap-icon tone-{}", c.tone) aria-hidden="true">{c.icon}</span>
                            <h3 class="cap-title">{move || i18n.t(title)}</h3>
                            <p class="muted cap-desc">{move || i18n.t(desc)}</p>
                            <span class="cap-more">{move || i18n.t(K::TryNow)}</span>
                        </A>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}
