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

/// The cluster view as a component takes it whole, compared by identity: each new view is a new
/// `Rc`, and its clock alone makes it differ from the last, so comparing it field by field would
/// only cost the page code and time.
#[derive(Clone, Debug)]
pub struct ViewRef(pub std::rc::Rc<kafka_sim::view::ClusterView>);

impl PartialEq for ViewRef {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl ViewRef {
    /// The topics a person works with: the internal ones left out.
    pub fn user_topics(&self) -> impl Iterator<Item = &kafka_sim::view::TopicView> {
        self.0.topics.iter().filter(|t| !t.name.starts_with("__"))
    }
}

impl std::ops::Deref for ViewRef {
    type Target = kafka_sim::view::ClusterView;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// An input's error, announced to screen readers, shown under the input.
pub fn error_line(id: &str, error: &Option<String>) -> Html {
    match error {
        Some(e) => html! { <p class="error" id={id.to_string()} role="alert">{ e }</p> },
        None => html! {},
    }
}

/// The text of the input with this id, emptied if `clear`: the page's one-line inputs that send
/// what was typed keep it in the page, not in a component's state (a component costs the page
/// about 800 bytes of its download).
pub fn input_text(id: &str, clear: bool) -> String {
    use wasm_bindgen::JsCast;
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    match input {
        Some(input) => {
            let text = input.value();
            if clear {
                input.set_value("");
            }
            text
        }
        None => String::new(),
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
