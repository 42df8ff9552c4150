//! `/gallery`: public works in a masonry of 4/3/2 columns, filtered by category, sorted by
//! latest or popular, searched; small pages loaded by an IntersectionObserver as the end
//! comes near; the first page of each view cached in sessionStorage so a reopen shows at
//! once. A detail overlay shows the stored size, model and author, copies the prompt,
//! opens full screen and likes (persisted on the server). Videos load only when played.
//!
//! The DOM stays bounded however far one scrolls: the CSS names the column count, each
//! work goes to the shortest column by its stored aspect ratio (appending never moves the
//! works shown), and at most [`WINDOW`] works are in the page. Older pages leave the DOM,
//! their place kept by a spacer per column, and come back when scrolled to again.
use leptos::prelude::*;
use leptos::task::spawn_local;
use miaojing_api_types::works::{GalleryPage, GalleryWork};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::{self, GalleryQuery};
use crate::browser::{self, local_minute};
use crate::components::media::{copy_with_toast, use_viewer, Media};
use crate::i18n::{mode_label, use_i18n, I18n, K};
use crate::pages::error_text;
use crate::session::use_session;
use crate::toast::{use_toasts, Toasts};

/// Works per page.
const PAGE: u32 = 12;
/// Works kept in the DOM at most.
const WINDOW: usize = 96;
/// sessionStorage prefix of the cached first pages.
const CACHE_PREFIX: &str = "miaojing_gallery_first:";

fn cache_key(q: &GalleryQuery) -> String {
    format!("{CACHE_PREFIX}{}|{}|{}", q.category, q.sort, q.search.trim())
}

fn cached(q: &GalleryQuery) -> Option<GalleryPage> {
    browser::session_get(&cache_key(q)).and_then(|s| serde_json::from_str(&s).ok())
}

fn store(q: &GalleryQuery, page: &GalleryPage) {
    if let Ok(s) = serde_json::to_string(page) {
        browser::session_set(&cache_key(q), &s);
    }
}

fn media_of(w: &GalleryWork) -> Media {
    Media {
        thumb: w.thumbnail_url.clone().unwrap_or_else(|| w.url.clone()),
        original: w.url.clone(),
        video: w.mode.is_video(),
        width: w.width,
        height: w.height,
    }
}

/// The column count the stylesheet gives the grid (`column-count`, 4/3/2 by width).
fn css_columns(el: &web_sys::Element) -> usize {
    window()
        .get_computed_style(el)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("column-count").ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=8).contains(n))
        .unwrap_or(2)
}

/// The column of each work: the shortest so far, heights estimated from the stored size
/// in column widths (a square when unknown, plus the caption).
fn place(works: &[GalleryWork], cols: usize) -> Vec<usize> {
    let mut heights = vec![0.0f64; cols.max(1)];
    works
        .iter()
        .map(|w| {
            let ratio = w.width.zip(w.height).filter(|(a, b)| *a > 0 && *b > 0).map_or(1.0, |(a, b)| f64::from(b) / f64::from(a));
            let c = (0..heights.len()).min_by(|a, b| heights[*a].total_cmp(&heights[*b])).unwrap_or(0);
            heights[c] += ratio + 0.2;
            c
        })
        .collect()
}

/// Distance from the top of column `c` to the rendered work `idx` in it, if both exist.
fn offset_in_column(c: usize, idx: usize) -> Option<f64> {
    let doc = document();
    let col = doc.query_selector(&format!(".masonry-col[data-col=\"{c}\"]")).ok().flatten()?;
    let item = doc.query_selector(&format!("[data-idx=\"{idx}\"]")).ok().flatten()?;
    Some(item.get_bounding_client_rect().top() - col.get_bounding_client_rect().top())
}

/// The rendered window of works `lo..hi` and the spacers that keep the place of those above.
#[derive(Clone, Copy)]
struct Window {
    lo: RwSignal<usize>,
    hi: RwSignal<usize>,
    pads: RwSignal<Vec<f64>>,
    /// The spacers before each page was dropped, to restore them when it comes back.
    stack: StoredValue<Vec<Vec<f64>>>,
}

impl Window {
    fn new() -> Self {
        Window { lo: RwSignal::new(0), hi: RwSignal::new(0), pads: RwSignal::new(Vec::new()), stack: StoredValue::new(Vec::new()) }
    }

    fn reset(self, hi: usize) {
        self.lo.set(0);
        self.hi.set(hi);
        self.pads.set(Vec::new());
        self.stack.set_value(Vec::new());
    }

    /// Shows works up to `hi`, dropping pages at the top while more than [`WINDOW`] are
    /// shown; each dropped page's place is measured on the current DOM.
    fn grow_to(self, hi: usize, placement: &[usize], cols: usize) {
        let mut lo = self.lo.get_untracked();
        let mut pads = self.pads.get_untracked();
        pads.resize(cols.max(1), 0.0);
        while hi.saturating_sub(lo) > WINDOW {
            let next = lo + PAGE as usize;
            let mut new_pads = pads.clone();
            for (c, pad) in new_pads.iter_mut().enumerate() {
                if let Some(off) = (next..hi.min(placement.len())).find(|i| placement[*i] == c).and_then(|i| offset_in_column(c, i)) {
                    *pad = off.max(0.0);
                }
            }
            self.stack.update_value(|s| s.push(std::mem::replace(&mut pads, new_pads)));
            lo = next;
        }
        self.pads.set(pads);
        self.lo.set(lo);
        self.hi.set(hi);
    }

    /// Brings back the page above the window when its place is within reach of the
    /// viewport; returns whether it did.
    fn restore_if_near(self) -> bool {
        let lo = self.lo.get_untracked();
        if lo == 0 {
            return false;
        }
        let pads = self.pads.get_untracked();
        let near = pads.iter().enumerate().any(|(c, pad)| {
            document()
                .query_selector(&format!(".masonry-col[data-col=\"{c}\"]"))
                .ok()
                .flatten()
                .is_some_and(|col| col.get_bounding_client_rect().top() + pad > -600.0)
        });
        let Some(prev) = near.then(|| self.stack.try_update_value(|s| s.pop()).flatten()).flatten() else { return false };
        self.pads.set(prev);
        self.lo.set(lo.saturating_sub(PAGE as usize));
        let hi = self.hi.get_untracked();
        if hi.saturating_sub(self.lo.get_untracked()) > WINDOW {
            self.hi.set(hi - PAGE as usize);
        }
        true
    }
}

/// Keeps restoring pages above the window, one per frame, while their place is in reach.
fn restore_above(win: Window) {
    if win.restore_if_near() {
        request_animation_frame(move || restore_above(win));
    }
}

/// Likes or unlikes a work and updates the list with the server's count.
fn toggle_like(works: RwSignal<Vec<GalleryWork>>, id: uuid::Uuid, toasts: Toasts, i18n: I18n, signed_in: bool) {
    if !signed_in {
        toasts.info(i18n.t(K::LoginToLike));
        return;
    }
    let liked = works.with_untracked(|v| v.iter().find(|w| w.id == id).map(|w| w.liked)).unwrap_or(false);
    spawn_local(async move {
        match api::set_like(id, !liked).await {
            Ok(s) => works.update(|v| {
                if let Some(w) = v.iter_mut().find(|w| w.id == id) {
                    w.liked = s.liked;
                    w.likes = s.likes;
                }
            }),
            Err(e) => toasts.error(error_text(&e, i18n)),
        }
    });
}

#[component]
pub fn Gallery() -> impl IntoView {
    let (i18n, toasts, session) = (use_i18n(), use_toasts(), use_session());
    let category = RwSignal::new(String::new());
    let sort = RwSignal::new("latest".to_string());
    let search = RwSignal::new(String::new());
    let applied_search = RwSignal::new(String::new());
    let works = RwSignal::new(Vec::<GalleryWork>::new());
    let cursor = RwSignal::new(None::<String>);
    let has_more = RwSignal::new(false);
    let loading = RwSignal::new(false);
    let first_loaded = RwSignal::new(false);
    let open = RwSignal::new(None::<uuid::Uuid>);
    // Each (re)load bumps the generation; answers for an older one are dropped.
    let generation = StoredValue::new(0u32);
    let cols = RwSignal::new(0usize);
    let win = Window::new();
    let placement = Memo::new(move |_| works.with(|v| place(v, cols.get())));

    let query = move || GalleryQuery {
        category: category.get_untracked(),
        sort: sort.get_untracked(),
        search: applied_search.get_untracked(),
        limit: PAGE,
        cursor: None,
    };
    let load_more = move || {
        // Works already loaded below the window come back first.
        let len = works.with_untracked(Vec::len);
        if win.hi.get_untracked() < len {
            let hi = (win.hi.get_untracked() + PAGE as usize).min(len);
            placement.with_untracked(|p| win.grow_to(hi, p, cols.get_untracked()));
            return;
        }
        if loading.get_untracked() || !has_more.get_untracked() {
            return;
        }
        let mut q = query();
        q.cursor = cursor.get_untracked();
        let gen = generation.get_value();
        loading.set(true);
        spawn_local(async move {
            let out = api::gallery(&q).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            match out {
                Ok(p) => {
                    works.update(|v| {
                        for w in p.works {
                            if !v.iter().any(|x| x.id == w.id) {
                                v.push(w);
                            }
                        }
                    });
                    cursor.set(p.next_cursor);
                    has_more.set(p.has_more);
                    let len = works.with_untracked(Vec::len);
                    placement.with_untracked(|p| win.grow_to(len, p, cols.get_untracked()));
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            loading.try_set(false);
        });
    };
    // A new view: the cached first page at once, then the fresh one.
    Effect::new(move |_| {
        category.track();
        sort.track();
        applied_search.track();
        session.auth.track();
        generation.update_value(|g| *g += 1);
        let gen = generation.get_value();
        let q = query();
        match cached(&q) {
            Some(p) => {
                win.reset(p.works.len());
                works.set(p.works);
                cursor.set(p.next_cursor);
                has_more.set(p.has_more);
                first_loaded.set(true);
            }
            None => {
                win.reset(0);
                works.set(Vec::new());
                first_loaded.set(false);
            }
        }
        loading.set(true);
        spawn_local(async move {
            let out = api::gallery(&q).await;
            if generation.try_get_value() != Some(gen) {
                return;
            }
            match out {
                Ok(p) => {
                    store(&q, &p);
                    win.reset(p.works.len());
                    works.set(p.works);
                    cursor.set(p.next_cursor);
                    has_more.set(p.has_more);
                }
                Err(e) => toasts.error(error_text(&e, i18n)),
            }
            first_loaded.try_set(true);
            loading.try_set(false);
        });
    });

    // The sentinel after the grid loads the next page when it comes within 600 px.
    let sentinel = NodeRef::<leptos::html::Div>::new();
    let observer = StoredValue::new_local(None::<web_sys::IntersectionObserver>);
    Effect::new(move |_| {
        let Some(el) = sentinel.get() else { return };
        let cb = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let hit = entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
            if hit {
                load_more();
            }
        });
        let init = web_sys::IntersectionObserverInit::new();
        init.set_root_margin("600px 0px");
        if let Ok(obs) = web_sys::IntersectionObserver::new_with_options(cb.as_ref().unchecked_ref(), &init) {
            obs.observe(&el);
            observer.set_value(Some(obs));
        }
        cb.forget();
    });
    // Still visible after a page came in (a tall screen): keep loading.
    Effect::new(move |_| {
        let below = win.hi.get() < works.with(Vec::len);
        if !loading.get() && (has_more.get() || below) {
            if let Some(el) = sentinel.get_untracked() {
                let top = el.get_bounding_client_rect().top();
                let h = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(800.0);
                if top < h + 600.0 {
                    load_more();
                }
            }
        }
    });
    // The column count follows the stylesheet (and the window's width).
    let grid = NodeRef::<leptos::html::Div>::new();
    let measure = move || {
        if let Some(el) = grid.get_untracked() {
            let n = css_columns(&el);
            if n != cols.get_untracked() {
                cols.set(n);
                win.reset(win.hi.get_untracked().min(works.with_untracked(Vec::len)).min(WINDOW));
            }
        }
    };
    Effect::new(move |_| {
        if grid.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    // Scrolling brings back pages above the window and, near the end, loads the next one
    // (the observer only reports changes, and the sentinel can stay within its margin).
    let scroll = window_event_listener(leptos::ev::scroll, move |_| {
        restore_above(win);
        if let Some(el) = sentinel.get_untracked() {
            let h = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(800.0);
            if el.get_bounding_client_rect().top() < h + 600.0 {
                load_more();
            }
        }
    });
    on_cleanup(move || {
        resize.remove();
        scroll.remove();
        if let Some(Some(o)) = observer.try_with_value(|o| o.clone()) {
            o.disconnect();
        }
    });
    // The works of column `c` inside the window, with their index.
    let column = move |c: usize| {
        let (lo, hi) = (win.lo.get(), win.hi.get());
        placement.with(|p| {
            works.with(|v| (lo..hi.min(v.len())).filter(|i| p.get(*i) == Some(&c)).map(|i| (i, v[i].clone())).collect::<Vec<_>>())
        })
    };

    let signed_in = move || session.is_logged_in_untracked();
    let chip = move |value: &'static str, label: K, target: RwSignal<String>| {
        view! {
            <button type="button" class="chip chip-btn" aria-pressed=move || (target.get() == value).to_string()
                on:click=move |_| target.set(value.to_string())>{move || i18n.t(label)}</button>
        }
    };

    view! {
        <section class="container gallery-page">
            <h1 class="page-title">{move || i18n.t(K::GalleryTitle)}</h1>
            <div class="gallery-bar glass-panel">
                <div class="model-chips" role="group" aria-label=move || i18n.t(K::GalleryCategory)>
                    {chip("", K::CatAll, category)}
                    {chip("image", K::CatImage, category)}
                    {chip("video", K::CatVideo, category)}
                </div>
                <div class="model-chips" role="group" aria-label=move || i18n.t(K::GallerySort)>
                    {chip("latest", K::SortLatest, sort)}
                    {chip("popular", K::SortPopular, sort)}
                </div>
                <form class="code-row gallery-search" role="search" on:submit=move |ev| { ev.prevent_default(); applied_search.set(search.get_untracked()); }>
                    <input id="gallery-search" class="input" type="search" bind:value=search
                        placeholder=move || i18n.t(K::GallerySearchPh) aria-label=move || i18n.t(K::GallerySearchPh)/>
                    <button type="submit" class="btn btn-outline code-btn">{move || i18n.t(K::Search)}</button>
                </form>
            </div>
            <Show when=move || first_loaded.get() && works.with(Vec::is_empty)>
                <p class="muted center gallery-empty" data-testid="gallery-empty">{move || i18n.t(K::GalleryEmpty)}</p>
            </Show>
            <div class="masonry" data-testid="gallery-grid" node_ref=grid>
                {move || (0..cols.get().max(1)).map(|c| view! {
                    <div class="masonry-col" data-col=c.to_string()>
                        <div class="masonry-pad" aria-hidden="true"
                            style=move || format!("height: {}px", win.pads.with(|p| p.get(c).copied().unwrap_or(0.0)))></div>
                        <For each=move || column(c) key=|(_, w)| (w.id, w.likes, w.liked)
                            children=move |(i, w)| view! { <GalleryTile idx=i work=w works=works open=open signed_in=signed_in()/> }/>
                        {move || (!first_loaded.get()).then(|| (0..2).map(|i| view! {
                            <div class="skeleton masonry-skeleton" style=format!("height: {}px", 160 + ((i + c) % 3) * 60) aria-hidden="true"></div>
                        }).collect_view())}
                    </div>
                }).collect_view()}
            </div>
            <div node_ref=sentinel class="gallery-sentinel" aria-hidden="true"></div>
            <Show when=move || loading.get() && first_loaded.get()>
                <p class="muted center small">{move || i18n.t(K::Loading)}</p>
            </Show>
            {move || open.get().and_then(|id| works.with(|v| v.iter().find(|w| w.id == id).cloned())).map(|w| view! {
                <GalleryDetail work=w works=works open=open/>
            })}
        </section>
    }
}

#[component]
fn GalleryTile(
    idx: usize,
    work: GalleryWork,
    works: RwSignal<Vec<GalleryWork>>,
    open: RwSignal<Option<uuid::Uuid>>,
    signed_in: bool,
) -> impl IntoView {
    let (i18n, toasts) = (use_i18n(), use_toasts());
    let id = work.id;
    let m = media_of(&work);
    let ratio = work.width.zip(work.height).filter(|(w, h)| *w > 0 && *h > 0).map(|(w, h)| format!("aspect-ratio: {w} / {h}"));
    view! {
        <article class="masonry-item glass-panel" data-testid="gallery-item" data-id=id.to_string() data-idx=idx.to_string()>
            <button type="button" class="masonry-open" style=ratio.unwrap_or_default() aria-label=move || i18n.t(K::ViewDetails)
                on:click=move |_| open.set(Some(id))>
                <img src=m.thumb.clone() alt="" loading="lazy" decoding="async"/>
                {m.video.then(|| view! { <span class="play-glyph" aria-hidden="true">"▶"</span> })}
            </button>
            {(!work.title.is_empty()).then(|| view! { <p class="masonry-title" data-testid="gallery-title">{work.title.clone()}</p> })}
            <div class="masonry-meta">
                <span class="masonry-author small">{work.publisher_nickname.clone()}</span>
                <button type="button" class="like-btn" data-testid="like" aria-pressed=work.liked.to_string()
                    aria-label=move || i18n.t(K::Like)
                    on:click=move |_| toggle_like(works, id, toasts, i18n, signed_in)>
                    {if work.liked { "♥" } else { "♡" }}" "<span data-testid="likes">{work.likes}</span>
                </button>
            </div>
        </article>
    }
}

#[component]
fn GalleryDetail(work: GalleryWork, works: RwSignal<Vec<GalleryWork>>, open: RwSignal<Option<uuid::Uuid>>) -> impl IntoView {
    let (i18n, toasts, viewer, session) = (use_i18n(), use_toasts(), use_viewer(), use_session());
    let id = work.id;
    let m = media_of(&work);
    let size = work.width.zip(work.height).map(|(w, h)| format!("{w} × {h}"));
    let prompt = work.prompt.clone();
    let media = if m.video {
        view! { <video class="detail-media" src=m.original.clone() poster=m.thumb.clone() preload="none" controls=true playsinline=true
        data-testid="detail-video"></video> }
        .into_any()
    } else {
        let m2 = m.clone();
        view! {
            <button type="button" class="detail-media-btn" aria-label=move || i18n.t(K::Fullscreen) data-testid="detail-fullscreen"
                on:click=move |_| viewer.open(vec![m2.clone()], 0)>
                <img class="detail-media" src=m.thumb.clone() alt=""/>
            </button>
        }
        .into_any()
    };
    let close = move || open.set(None);
    // Focus moves into the dialog.
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = close_ref.get() {
            let _ = b.focus();
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" && viewer_closed() {
            close();
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <div class="modal-backdrop" on:click=move |_| close()>
            <div class="modal glass-panel gallery-detail" role="dialog" aria-modal="true" aria-labelledby="detail-title"
                data-testid="gallery-detail" on:click=|e| e.stop_propagation()>
                <div class="detail-grid">
                    {media}
                    <div class="detail-info">
                        <h2 id="detail-title" class="modal-title" data-testid="detail-title">{
                            let (title, mode) = (work.title.clone(), work.mode);
                            move || if title.is_empty() { i18n.t(mode_label(mode)).to_string() } else { title.clone() }
                        }</h2>
                        <dl class="kv detail-kv">
                            <dt>{move || i18n.t(K::Author)}</dt><dd>{work.publisher_nickname.clone()}</dd>
                            <dt>{move || i18n.t(K::ModelLabel)}</dt><dd>{work.model.clone()}</dd>
                            {size.map(|s| view! { <dt>{move || i18n.t(K::Size)}</dt><dd data-testid="detail-size">{s}</dd> })}
                            {work.duration.map(|d| view! { <dt>{move || i18n.t(K::ParamDuration)}</dt><dd>{format!("{d:.0}s")}</dd> })}
                            {work.published_at.map(|t| view! { <dt>{move || i18n.t(K::PublishedAt)}</dt><dd>{local_minute(t)}</dd> })}
                        </dl>
                        <p class="job-prompt detail-prompt">{work.prompt.clone()}</p>
                        <div class="btn-row">
                            <button type="button" class="btn btn-outline btn-sm" on:click=move |_| copy_with_toast(prompt.clone(), toasts, i18n)>
                                {move || i18n.t(K::CopyPrompt)}</button>
                            <button type="button" class="btn btn-outline btn-sm" data-testid="detail-like" aria-pressed=work.liked.to_string()
                                on:click=move |_| toggle_like(works, id, toasts, i18n, session.is_logged_in_untracked())>
                                {if work.liked { "♥ " } else { "♡ " }}{move || i18n.t(K::Like)}" "{work.likes}</button>
                            <button type="button" class="btn btn-gold btn-sm" node_ref=close_ref on:click=move |_| close()>{move || i18n.t(K::Close)}</button>
                        </div>
                    </div>
                </div>
            </div>
        </div>
    }
}

/// Whether the full-screen viewer is closed (Esc closes that first).
fn viewer_closed() -> bool {
    document().query_selector("[data-testid=lightbox]").ok().flatten().is_none()
}
