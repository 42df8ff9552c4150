//! Media shared by the create center, the gallery and the history: the full-screen viewer
//! (thumbnail first, the original swapped in once loaded), downloads through the download
//! route, and copying text with a toast.
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;
use crate::browser;
use crate::i18n::{use_i18n, I18n, K};
use crate::pages::error_text;
use crate::toast::{use_toasts, Toasts};

/// One image or video the viewer can show.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    /// The light preview (the original when there is none).
    pub thumb: String,
    pub original: String,
    pub video: bool,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

/// The full-screen viewer's state, provided by the shell.
#[derive(Clone, Copy)]
pub struct Viewer {
    items: RwSignal<Vec<Media>>,
    index: RwSignal<Option<usize>>,
}

impl Viewer {
    /// Opens the viewer on `items[at]`.
    pub fn open(self, items: Vec<Media>, at: usize) {
        self.items.set(items);
        self.index.set(Some(at));
    }
}

pub fn provide_viewer() {
    provide_context(Viewer { items: RwSignal::new(Vec::new()), index: RwSignal::new(None) });
}

pub fn use_viewer() -> Viewer {
    expect_context::<Viewer>()
}

/// The file name offered for a download: `miaojing-<time>.<ext of the URL>`.
pub fn file_name_for(url: &str) -> String {
    let ext = url.rsplit('/').next().and_then(|f| f.split(['?', '#']).next()).and_then(|f| f.rsplit_once('.')).map(|(_, e)| e);
    format!("miaojing-{}.{}", browser::now_millis(), ext.filter(|e| e.len() <= 5).unwrap_or("png"))
}

/// Starts a download of a stored file through `/api/download`.
pub fn download(url: String, toasts: Toasts, i18n: I18n) {
    spawn_local(async move {
        match api::download_link(&url, &file_name_for(&url)).await {
            Ok(link) => {
                let a: web_sys::HtmlAnchorElement = document().create_element("a").expect("an anchor").unchecked_into();
                a.set_href(&link);
                a.set_attribute("download", "").ok();
                a.click();
                toasts.info(i18n.t(K::DownloadStarted));
            }
            Err(e) => toasts.error(error_text(&e, i18n)),
        }
    });
}

/// Copies text and says so.
pub fn copy_with_toast(text: String, toasts: Toasts, i18n: I18n) {
    spawn_local(async move {
        if browser::copy_text(&text).await {
            toasts.success(i18n.t(K::Copied));
        } else {
            toasts.error(i18n.t(K::CopyFailed));
        }
    });
}

/// The full-screen viewer: Esc or a click on the backdrop closes it, the arrow keys move
/// through the set. The thumbnail shows at once; the original replaces it when loaded.
#[component]
pub fn Lightbox() -> impl IntoView {
    let (viewer, i18n, toasts) = (use_viewer(), use_i18n(), use_toasts());
    let loaded = RwSignal::new(false);
    let close_ref = NodeRef::<leptos::html::Button>::new();
    let current = Memo::new(move |_| viewer.index.get().and_then(|i| viewer.items.with(|v| v.get(i).cloned())));
    let step = move |d: isize| {
        let n = viewer.items.with_untracked(Vec::len) as isize;
        if n > 1 {
            viewer.index.update(|i| *i = i.map(|i| ((i as isize + d).rem_euclid(n)) as usize));
        }
    };
    Effect::new(move |_| {
        current.track();
        loaded.set(false);
        if let Some(b) = close_ref.get() {
            let _ = b.focus();
        }
    });
    let keys = window_event_listener(ev::keydown, move |e| {
        if viewer.index.get_untracked().is_none() {
            return;
        }
        match e.key().as_str() {
            "Escape" => viewer.index.set(None),
            "ArrowLeft" => step(-1),
            "ArrowRight" => step(1),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    move || {
        current.get().map(|m| {
            let count = viewer.items.with(Vec::len);
            let pos = viewer.index.get().unwrap_or(0) + 1;
            let size = m.width.zip(m.height).map(|(w, h)| format!("{w}×{h}"));
            let original = m.original.clone();
            let media = if m.video {
                view! { <video class="lightbox-media" src=m.original.clone() poster=m.thumb.clone() controls=true preload="none"
                on:click=|e| e.stop_propagation()></video> }
                .into_any()
            } else {
                view! {
                    <img class="lightbox-media" alt="" data-testid="lightbox-img"
                        data-showing=move || if loaded.get() { "original" } else { "thumbnail" }
                        src=move || if loaded.get() { m.original.clone() } else { m.thumb.clone() }
                        on:click=|e| e.stop_propagation()/>
                    <img class="visually-hidden" alt="" src=original.clone() on:load=move |_| loaded.set(true)/>
                }
                .into_any()
            };
            view! {
                <div class="lightbox" role="dialog" aria-modal="true" aria-label=move || i18n.t(K::Fullscreen)
                    data-testid="lightbox" on:click=move |_| viewer.index.set(None)>
                    {media}
                    <div class="lightbox-bar" on:click=|e| e.stop_propagation()>
                        {(count > 1).then(|| view! { <span class="chip">{format!("{pos} / {count}")}</span> })}
                        {size.map(|s| view! { <span class="chip">{s}</span> })}
                        {move || (!m.video && !loaded.get()).then(|| view! { <span class="chip">{i18n.t(K::OriginalLoading)}</span> })}
                        <button type="button" class="btn btn-outline btn-sm" on:click=move |_| download(original.clone(), toasts, i18n)>
                            {move || i18n.t(K::Download)}
                        </button>
                        <button type="button" class="btn btn-gold btn-sm" node_ref=close_ref data-testid="lightbox-close"
                            on:click=move |_| viewer.index.set(None)>{move || i18n.t(K::Close)}</button>
                    </div>
                </div>
            }
        })
    }
}
