//! The event log: what happened, in words, newest first.

use crate::components::controls::format_time;
use std::rc::Rc;
use yew::prelude::*;

/// Events the log draws, newest first: fewer while the clock runs, when dozens arrive every tick
/// of a busy cluster and the rows already drawn are compared again every frame (the log keeps
/// [`crate::state::LOG_EVENTS_MAX`]; all those drawn are there once it stops).
pub fn events_shown(running: bool) -> usize {
    if running {
        40
    } else {
        300
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// (the event's place in the whole log, simulated ms, sentence), newest first. The place keys
    /// each row, so a new event adds one row instead of rewriting them all.
    pub events: Vec<(u64, u64, Rc<str>)>,
    pub dropped: u64,
    /// Background messages not kept (heartbeats, metadata pushes, empty follower fetches).
    pub hidden: u64,
    pub show_chatter: bool,
    pub toggle: Callback<MouseEvent>,
}

/// A plain function, not a component (see `inspector`): its rows are components, each drawn
/// again only when its event changed.
pub fn event_log(p: &Props) -> Html {
    html! {
        <div>
            <p class="muted">
                <label class="check"><input type="checkbox" checked={p.show_chatter} onclick={p.toggle.clone()} data-testid="chatter" />
                    { " show background traffic (heartbeats, metadata pushes, idle follower fetches)" }</label>
                if !p.show_chatter && p.hidden > 0 { { format!(" — {} hidden", p.hidden) } }
            </p>
            <ol class="events" aria-live="polite" tabindex="0" aria-label="events, newest first" data-testid="events">
                { for p.events.iter().map(|(n, at, text)| html! {
                    <EventRow key={*n} at_ms={*at} text={text.clone()} />
                }) }
            </ol>
            if p.dropped > 0 {
                <p class="muted">{ format!("{} older events scrolled out (the log keeps {}).", p.dropped, crate::state::LOG_EVENTS_MAX) }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    at_ms: u64,
    text: Rc<str>,
}

/// One event's row: a component so that the rows already there are not built again each frame.
#[function_component(EventRow)]
fn event_row(p: &RowProps) -> Html {
    html! { <li><time>{ format_time(p.at_ms) }</time>{ " " }{ &*p.text }</li> }
}
