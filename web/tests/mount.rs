//! Mounts the real app in headless Chromium and checks the DOM it draws.
//! Run with `cargo test -p kafka-playground --target wasm32-unknown-unknown`.
//! Rendering is awaited by yielding to the browser's task queue, never by sleeping.
#![cfg(target_arch = "wasm32")]

use kafka_playground::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("a browser document")
}

/// Lets Yew's scheduler run: a few turns of the event loop, no wall-clock wait.
async fn settle() {
    for _ in 0..5 {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window().unwrap().set_timeout_with_callback(&resolve);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
}

/// A fresh app in its own element, rendered, at the address's `query` (nothing saved before).
async fn mounted_at(query: &str) -> Element {
    // Each test starts from a new session, not the one the last test autosaved.
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.clear();
    }
    if let Some(Ok(history)) = web_sys::window().map(|w| w.history()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(query));
    }
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    root
}

/// A fresh app with an empty cluster (`?new`), not the working example of a first visit.
async fn mounted() -> Element {
    mounted_at("?new").await
}

fn by_test_id(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid='{id}']")).unwrap().unwrap_or_else(|| panic!("no element {id}"))
}

/// A click as the browser sends it: on a button, or on the stage's SVG shapes (no `click()` there).
fn click(root: &Element, id: &str) {
    let target = by_test_id(root, id);
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn type_into(root: &Element, id: &str, text: &str) {
    let input: HtmlInputElement = by_test_id(root, id).dyn_into().unwrap();
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::InputEvent::new_with_event_init_dict("input", &init.unchecked_into()).unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_app_draws_the_cluster_and_creates_a_topic() {
    let root = mounted().await;

    for id in 1..=3 {
        assert!(
            root.query_selector(&format!("[data-testid='stage-broker-{id}']")).unwrap().is_some(),
            "broker-{id} drawn"
        );
    }
    assert!(root.text_content().unwrap().contains("No topic yet"));
    click(&root, "open-topic");
    settle().await;

    type_into(&root, "topic-name", "orders");
    type_into(&root, "topic-partitions", "2");
    settle().await;
    by_test_id(&root, "topic-create").dyn_into::<HtmlElement>().unwrap().click();
    settle().await;
    click(&root, "tab-partitions");
    settle().await;

    assert!(root.query_selector("[data-testid='partition-orders-1']").unwrap().is_some(), "partitions drawn");
    let script = by_test_id(&root, "script").dyn_into::<web_sys::HtmlTextAreaElement>().unwrap().value();
    assert!(script.contains("topic create orders partitions=2"), "{script}");
    // Brokers learn of the topic when the controller's metadata reaches them: one step later.
    assert_eq!(root.query_selector_all(".chip-g.leader").unwrap().length(), 0);
    by_test_id(&root, "step").dyn_into::<HtmlElement>().unwrap().click();
    settle().await;
    let chips = root.query_selector_all(".chip-g.leader").unwrap().length();
    assert_eq!(chips, 2, "one leader chip per partition");
}

/// A first visit (no `?new`, nothing saved) opens the working example on the stage, playing.
#[wasm_bindgen_test]
async fn a_first_visit_opens_the_working_example_on_the_stage() {
    let root = mounted_at("?").await;
    let stage = by_test_id(&root, "stage");
    assert_eq!(stage.query_selector_all("[data-testid^='stage-broker-']").unwrap().length(), 3, "three brokers");
    assert!(by_test_id(&root, "stage-member-consumer-2")
        .get_attribute("aria-label")
        .unwrap()
        .starts_with("consumer-2 "));
    assert!(by_test_id(&root, "stage-producer-1").get_attribute("aria-label").unwrap().starts_with("producer-1 "));
    assert_eq!(by_test_id(&root, "play").text_content().unwrap(), "Pause", "it is playing");
}

#[wasm_bindgen_test]
async fn crashing_a_broker_greys_it_and_offers_a_restart() {
    let root = mounted().await;
    click(&root, "stage-broker-2");
    settle().await;
    click(&root, "inspect-crash-2");
    settle().await;
    assert_eq!(by_test_id(&root, "broker-2-state").text_content().unwrap(), "stopped");
    let card = by_test_id(&root, "stage-broker-2").get_attribute("class").unwrap_or_default();
    assert!(card.contains("dead"), "{card}");
    let script = by_test_id(&root, "script").dyn_into::<web_sys::HtmlTextAreaElement>().unwrap().value();
    assert!(script.contains("broker stop 2"), "{script}");
    click(&root, "inspect-start-2");
    settle().await;
    assert_eq!(by_test_id(&root, "broker-2-state").text_content().unwrap(), "running");
}

#[wasm_bindgen_test]
async fn a_bad_topic_name_shows_an_alert_beside_the_form() {
    let root = mounted().await;
    click(&root, "open-topic");
    settle().await;
    type_into(&root, "topic-name", "no spaces");
    settle().await;
    by_test_id(&root, "topic-create").dyn_into::<HtmlElement>().unwrap().click();
    settle().await;
    let alert = by_test_id(&root, "topic-form").query_selector("[role='alert']").unwrap().expect("an alert");
    assert!(alert.text_content().unwrap().contains("INVALID_TOPIC_EXCEPTION"));
}
