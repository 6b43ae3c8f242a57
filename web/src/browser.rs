//! The few browser facilities the page uses, each failing soft: the URL
//! fragment, local storage, the clipboard, a confirm dialog, fetching a text
//! file served beside the page, and messages to and from the page that embeds
//! this one.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the session is autosaved. The share-groups build keeps its own: its sessions may hold
/// lines the first build cannot open, and each would otherwise replace the other's.
#[cfg(not(feature = "share-groups"))]
pub const AUTOSAVE_KEY: &str = "kafka-playground.session";
#[cfg(feature = "share-groups")]
pub const AUTOSAVE_KEY: &str = "kafka-playground.share.session";
/// The recent sessions (`crate::sessions::recent`): where a replaced session goes.
pub const RECENT_KEY: &str = "kafka-playground.recent";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The fragment without its `#`, if any.
pub fn hash() -> Option<String> {
    let h = window()?.location().hash().ok()?;
    let h = h.trim_start_matches('#').to_string();
    (!h.is_empty()).then_some(h)
}

/// The query string, `?` included.
pub fn query() -> String {
    window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// Puts a fragment in the address bar without a new history entry or a reload.
pub fn set_hash(fragment: &str) {
    if let Some(w) = window() {
        if let Ok(history) = w.history() {
            let url = format!("{}#{fragment}", w.location().pathname().unwrap_or_default() + &query());
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }
}

/// The full address of this page with a fragment.
pub fn address_with(fragment: &str) -> String {
    let base = window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}{}", l.origin().ok()?, l.pathname().ok()?, query()))
        })
        .unwrap_or_default();
    format!("{base}#{fragment}")
}

/// The page's clock in milliseconds (`performance.now()`); 0 where there is none.
pub fn now_ms() -> f64 {
    window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// A User Timing mark (for `?bench`: the browser benchmark reads the measures).
pub fn mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// A User Timing measure from `start` (a mark) to now, once: the mark is cleared.
/// Nothing when there is no such mark.
pub fn measure_since(name: &str, start: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        // Asked first: measuring from a missing mark throws, and throwing costs.
        if p.get_entries_by_name_with_entry_type(start, "mark").length() > 0
            && p.measure_with_start_mark(name, start).is_ok()
        {
            p.clear_marks_with_mark_name(start);
        }
    }
}

/// Runs `f` at the start of the next frame the browser draws (an animation frame callback:
/// after it come that frame's style, layout and paint).
pub fn at_next_frame(f: impl FnOnce() + 'static) {
    let Some(w) = window() else { return };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let _ = w.request_animation_frame(callback.unchecked_ref());
}

/// Runs `f` in a task of its own, after what the browser is doing now: called from
/// [`at_next_frame`]'s `f`, once that frame is drawn.
pub fn after_this_task(f: impl FnOnce() + 'static) {
    gloo_timers::callback::Timeout::new(0, f).forget();
}

/// Fetches a text file served beside the page (`lessons/acks.lesson`); `done` gets its text, or
/// why there is none (no network, a status other than 200, or not text).
pub fn fetch_text(path: String, done: impl FnOnce(Result<String, String>) + 'static) {
    fetch_text_boxed(path, Box::new(done));
}

/// One copy of the fetch for every caller: a generic one would be compiled again for each
/// caller's closure (1.4 KB of wasm each).
fn fetch_text_boxed(path: String, done: Box<dyn FnOnce(Result<String, String>)>) {
    wasm_bindgen_futures::spawn_local(async move {
        let text = async {
            let w = window().ok_or_else(|| String::from("no browser window"))?;
            // A fetch that fails rejects with a TypeError ("Failed to fetch").
            let failed = |e: JsValue| match e.dyn_ref::<js_sys::Error>() {
                Some(e) => format!("{path}: {}", String::from(e.message())),
                None => format!("{path}: the request failed"),
            };
            let response = JsFuture::from(w.fetch_with_str(&path)).await.map_err(failed)?;
            let response: web_sys::Response = response.dyn_into().map_err(|_| format!("{path}: not a response"))?;
            if !response.ok() {
                return Err(format!("{path}: HTTP {}", response.status()));
            }
            let body = response.text().map_err(|_| format!("{path}: the body cannot be read"))?;
            let body = JsFuture::from(body).await.map_err(|_| format!("{path}: the body cannot be read"))?;
            body.as_string().ok_or_else(|| format!("{path}: not text"))
        }
        .await;
        done(text);
    });
}

pub fn load(key: &str) -> Option<String> {
    window()?.local_storage().ok()??.get_item(key).ok()?
}

/// Stores a value; false when the browser refuses (no storage, or its quota is full).
pub fn save(key: &str, value: &str) -> bool {
    match window().map(|w| w.local_storage()) {
        Some(Ok(Some(storage))) => storage.set_item(key, value).is_ok(),
        _ => false,
    }
}

/// Copies text; returns false where the browser refuses (then the text is shown to copy by hand).
pub fn copy(text: &str) -> bool {
    match window() {
        Some(w) => {
            let _ = w.navigator().clipboard().write_text(text);
            true
        }
        None => false,
    }
}

/// Opens another address in this tab (the share-groups build of the page).
pub fn go(address: &str) {
    if let Some(w) = window() {
        let _ = w.location().assign(address);
    }
}

pub fn confirm(question: &str) -> bool {
    window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false)
}

/// Posts a message to the embedding page, to one allowed origin.
pub fn post_to_parent(message: &JsValue, origin: &str) {
    if let Some(Ok(Some(parent))) = window().map(|w| w.parent()) {
        let _ = parent.post_message(message, origin);
    }
}

/// Builds `{ type, ...fields }` as a plain JS object (never code, never evaluated).
pub fn message(kind: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &"type".into(), &kind.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&object, &(*k).into(), v);
    }
    object.into()
}

/// A string field of a received message, if it has one.
pub fn field(data: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(data, &name.into()).ok()?.as_string()
}

/// Listens to the window's `event` with `callback`; the returned function stops listening (a
/// component's effect returns it as its cleanup).
pub fn on_window<T: ?Sized + wasm_bindgen::closure::WasmClosure + 'static>(
    event: &'static str,
    callback: wasm_bindgen::closure::Closure<T>,
) -> impl FnOnce() {
    let w = window();
    if let Some(w) = &w {
        let _ = w.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
    }
    move || {
        if let Some(w) = &w {
            let _ = w.remove_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        }
    }
}
