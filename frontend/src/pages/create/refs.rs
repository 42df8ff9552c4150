//! Reference images of the create form: added by click, drag-and-drop, paste or URL,
//! compressed in the browser (longest edge at most 2048 px, re-encoded as JPEG stepping the
//! quality down until it fits 1.5 MB) and named `@参考图N` in the prompt.
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileList, HtmlCanvasElement, HtmlImageElement};

use crate::i18n::{use_i18n, K};
use crate::toast::use_toasts;

/// Largest encoded size kept as is, and the target of re-encoding.
const MAX_BYTES: f64 = 1.5 * 1024.0 * 1024.0;
/// Longest edge after compression.
const MAX_EDGE: f64 = 2048.0;

/// A reference image: a `data:` URL made in the browser, or an `http(s)` URL.
#[derive(Debug, Clone, PartialEq)]
pub struct RefImage {
    pub src: String,
    pub width: u32,
    pub height: u32,
}

/// The mention that names the `n`th image (1-based) in a prompt.
pub fn mention(n: usize) -> String {
    format!("@参考图{n}")
}

/// Bytes a base64 `data:` URL decodes to.
fn data_url_bytes(url: &str) -> f64 {
    url.split_once(',').map_or(0.0, |(_, b64)| b64.len() as f64 * 0.75)
}

async fn load_image(src: &str) -> Result<HtmlImageElement, JsValue> {
    let img = HtmlImageElement::new()?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || resolve.call0(&JsValue::NULL));
        let bad = Closure::once_into_js(move || reject.call0(&JsValue::NULL));
        img.set_onload(Some(ok.unchecked_ref()));
        img.set_onerror(Some(bad.unchecked_ref()));
    });
    img.set_src(src);
    JsFuture::from(promise).await?;
    Ok(img)
}

async fn read_data_url(file: &File) -> Result<String, JsValue> {
    let reader = web_sys::FileReader::new()?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || resolve.call0(&JsValue::NULL));
        let bad = Closure::once_into_js(move || reject.call0(&JsValue::NULL));
        reader.set_onload(Some(ok.unchecked_ref()));
        reader.set_onerror(Some(bad.unchecked_ref()));
    });
    reader.read_as_data_url(file)?;
    JsFuture::from(promise).await?;
    reader.result()?.as_string().ok_or(JsValue::NULL)
}

/// Loads a picked file and compresses it when it is too big, too large or not JPEG/PNG/WebP.
pub async fn compress(file: File) -> Result<RefImage, JsValue> {
    if !file.type_().starts_with("image/") {
        return Err(JsValue::NULL);
    }
    let url = web_sys::Url::create_object_url_with_blob(&file)?;
    let img = load_image(&url).await;
    web_sys::Url::revoke_object_url(&url)?;
    let img = img?;
    let (w, h) = (img.natural_width() as f64, img.natural_height() as f64);
    let plain_type = matches!(file.type_().as_str(), "image/jpeg" | "image/png" | "image/webp");
    if plain_type && file.size() <= MAX_BYTES && w.max(h) <= MAX_EDGE {
        return Ok(RefImage { src: read_data_url(&file).await?, width: w as u32, height: h as u32 });
    }
    encode(&img, w, h)
}

/// Re-encodes a loaded image as JPEG: longest edge at most 2048 px, quality stepped down
/// until it fits 1.5 MB.
fn encode(img: &HtmlImageElement, w: f64, h: f64) -> Result<RefImage, JsValue> {
    let scale = (MAX_EDGE / w.max(h)).min(1.0);
    let (cw, ch) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: HtmlCanvasElement = document().create_element("canvas")?.unchecked_into();
    canvas.set_width(cw as u32);
    canvas.set_height(ch as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d")?.ok_or(JsValue::NULL)?.unchecked_into();
    ctx.draw_image_with_html_image_element_and_dw_and_dh(img, 0.0, 0.0, cw, ch)?;
    let mut quality = 0.92;
    loop {
        let src = canvas.to_data_url_with_type_and_encoder_options("image/jpeg", &JsValue::from_f64(quality))?;
        if data_url_bytes(&src) <= MAX_BYTES || quality <= 0.68 {
            return Ok(RefImage { src, width: cw as u32, height: ch as u32 });
        }
        quality -= 0.08;
    }
}

/// A reference made from a file of this site (`/api/local-storage/...`): the server and the
/// upstream cannot fetch a relative URL, so the image is loaded here and sent as data.
pub async fn from_site_url(url: &str) -> Result<RefImage, JsValue> {
    let img = load_image(url).await?;
    encode(&img, img.natural_width() as f64, img.natural_height() as f64)
}

fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The drop zone, URL field and thumbnails. `on_mention` receives `@参考图N`.
#[component]
pub fn ReferenceImages(images: RwSignal<Vec<RefImage>>, max: usize, on_mention: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let url = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();

    let add_files = move |files: Vec<File>| {
        for file in files {
            spawn_local(async move {
                if images.with_untracked(Vec::len) >= max {
                    toasts.error(format!("{} {max}", i18n.t(K::RefTooMany)));
                    return;
                }
                match compress(file).await {
                    Ok(img) => images.update(|v| v.push(img)),
                    Err(_) => toasts.error(i18n.t(K::RefNotImage)),
                }
            });
        }
    };
    // Paste anywhere on the page while the form is shown.
    let paste = window_event_listener(leptos::ev::paste, move |ev| {
        let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
        if !files.is_empty() {
            ev.prevent_default();
            add_files(files);
        }
    });
    on_cleanup(move || paste.remove());

    let add_url = move |_| {
        let u = url.get_untracked().trim().to_string();
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            toasts.error(i18n.t(K::RefBadUrl));
            return;
        }
        if images.with_untracked(Vec::len) >= max {
            toasts.error(format!("{} {max}", i18n.t(K::RefTooMany)));
            return;
        }
        images.update(|v| v.push(RefImage { src: u, width: 0, height: 0 }));
        url.set(String::new());
    };

    view! {
        <div class="field refs">
            <span class="label">{move || i18n.t(K::RefImages)}</span>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                role="button"
                tabindex="0"
                data-testid="drop-zone"
                on:click=move |_| { if let Some(i) = input_ref.get_untracked() { i.click(); } }
                on:keydown=move |ev| if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    if let Some(i) = input_ref.get_untracked() { i.click(); }
                }
                on:dragover=move |ev| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev| {
                    ev.prevent_default();
                    dragging.set(false);
                    add_files(files_of(ev.data_transfer().and_then(|d| d.files())));
                }
            >
                {move || i18n.t(K::RefDropHint)}
            </div>
            <input id="ref-file" class="visually-hidden" type="file" accept="image/*" multiple=true node_ref=input_ref
                aria-label=move || i18n.t(K::RefImages)
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    add_files(files_of(input.files()));
                    input.set_value("");
                }/>
            <div class="code-row">
                <input id="ref-url" class="input" type="url" placeholder="https://..." aria-label=move || i18n.t(K::RefUrl) bind:value=url/>
                <button type="button" class="btn btn-outline code-btn" data-testid="ref-url-add" on:click=add_url>{move || i18n.t(K::RefAddUrl)}</button>
            </div>
            <div class="ref-thumbs" data-testid="ref-thumbs">
                {move || images.get().into_iter().enumerate().map(|(i, img)| {
                    let tag = mention(i + 1);
                    let t2 = tag.clone();
                    view! {
                        <figure class="ref-thumb" data-width=img.width.to_string() data-height=img.height.to_string()
                            data-bytes=(data_url_bytes(&img.src) as u64).to_string()>
                            <img src=img.src.clone() alt=tag.clone()/>
                            <figcaption>
                                <button type="button" class="chip chip-btn" on:click=move |_| on_mention.run(t2.clone())>{tag}</button>
                                <button type="button" class="chip chip-btn" aria-label=move || i18n.t(K::RefRemove)
                                    on:click=move |_| images.update(|v| { v.remove(i); })>"×"</button>
                            </figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}
