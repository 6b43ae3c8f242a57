//! Presentational components: props in, actions out through `dispatch`.

pub mod command;
pub mod compare;
pub mod consumer;
pub mod controls;
pub mod events;
pub mod faults;
pub mod forms;
pub mod groups;
pub mod inspector;
pub mod lesson;
pub mod metrics;
pub mod partitions;
pub mod script;
pub mod sequence;
pub mod stage;

use yew::prelude::*;

/// An input's error, announced to screen readers, shown under the input.
pub fn error_line(id: &str, error: &Option<String>) -> Html {
    match error {
        Some(e) => html! { <p class="error" id={id.to_string()} role="alert">{ e }</p> },
        None => html! {},
    }
}

/// The current value of the input or select an event came from.
pub fn value_of(e: &Event) -> String {
    use wasm_bindgen::JsCast;
    let target = e.target();
    if let Some(input) = target.clone().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        return input.value();
    }
    target.and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
}
