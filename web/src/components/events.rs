//! The event log: what happened, in words, newest first.

use crate::components::controls::format_time;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// (simulated ms, sentence), newest first.
    pub events: Vec<(u64, String)>,
    pub dropped: u64,
}

#[function_component(EventLog)]
pub fn event_log(p: &Props) -> Html {
    html! {
        <div>
            <ol class="events" aria-live="polite" data-testid="events">
                { for p.events.iter().map(|(at, text)| html! {
                    <li><time>{ format_time(*at) }</time>{ " " }{ text }</li>
                }) }
            </ol>
            if p.dropped > 0 {
                <p class="muted">{ format!("{} older events scrolled out (the log keeps {}).", p.dropped, crate::state::LOG_EVENTS_MAX) }</p>
            }
        </div>
    }
}
