//! The request-level view: a sequence diagram of the messages between clients,
//! the controller and brokers in the stretch of time ending at the clock.
//! Requests are solid arrows, responses dashed, lost messages red with a cross;
//! choosing an arrow takes the whole picture back to the moment it was sent.

use super::value_of;
use crate::state::Action;
use kafka_sim::sequence::{lanes, Arrow};
use yew::prelude::*;

/// Arrows drawn at most; the newest of the stretch (the count says how many more).
pub const ARROWS_DRAWN_MAX: usize = 250;

/// The stretches a person can pick, in simulated milliseconds.
pub const WINDOWS_MS: [(u64, &str); 5] =
    [(100, "100 ms"), (1_000, "1 s"), (10_000, "10 s"), (60_000, "1 min"), (u64::MAX, "all remembered")];

const LANE_W: u32 = 132;
const ROW_H: u32 = 22;
const LEFT: u32 = 78;
const TOP: u32 = 34;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The stretch's arrows, oldest first (at most [`ARROWS_DRAWN_MAX`]).
    pub arrows: Vec<Arrow>,
    /// Messages in the stretch beyond those drawn.
    pub more: usize,
    pub window_ms: u64,
    pub chatter: bool,
    pub now_ms: u64,
    /// Messages forgotten to stay within the sequence's limit (the oldest).
    pub dropped: u64,
    pub dispatch: Callback<Action>,
}

#[function_component(SequenceDiagram)]
pub fn sequence_diagram(p: &Props) -> Html {
    let on_window = p.dispatch.reform(|e: Event| Action::SequenceWindow(value_of(&e).parse().unwrap_or(1_000)));
    let on_chatter = p.dispatch.reform(|_| Action::ToggleSequenceChatter);
    let lanes = lanes(&p.arrows);
    let lane_x = |name: &str| {
        let i = lanes.iter().position(|l| l == name).unwrap_or(0) as u32;
        LEFT + i * LANE_W + LANE_W / 2
    };
    let width = LEFT + LANE_W * lanes.len().max(1) as u32 + 10;
    let height = TOP + ROW_H * p.arrows.len() as u32 + 10;
    let bottom = height - 6;
    html! {
        <div>
            <div class="form">
                <label>{ "Stretch ending at the clock " }
                    <select onchange={on_window} data-testid="sequence-window">
                        { for WINDOWS_MS.iter().map(|(ms, label)| html! {
                            <option value={ms.to_string()} selected={*ms == p.window_ms}>{ *label }</option>
                        }) }
                    </select>
                </label>
                <label><input type="checkbox" checked={p.chatter} onchange={on_chatter} data-testid="sequence-chatter" />
                    { " heartbeats, idle fetches and metadata pushes" }</label>
            </div>
            if p.arrows.is_empty() {
                <p class="muted" data-testid="sequence-empty">{ "No messages in this stretch. Send a record, or pick a longer stretch." }</p>
            } else {
                <p class="muted">
                    { format!("{} message(s)", p.arrows.len() + p.more) }
                    { if p.more > 0 { format!(", the newest {} drawn", p.arrows.len()) } else { String::new() } }
                    { if p.dropped > 0 { format!("; {} older ones are no longer remembered", p.dropped) } else { String::new() } }
                    { ". Choose an arrow to see the cluster as it was when it was sent." }
                </p>
                <div class="sequence-scroll">
                <svg class="sequence" width={width.to_string()} height={height.to_string()} role="group"
                    aria-label={format!("sequence diagram of {} messages between {}", p.arrows.len(), lanes.join(", "))}
                    data-testid="sequence">
                    <defs>
                        <marker id="seq-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M 0 0 L 10 5 L 0 10 z" class="seq-head" />
                        </marker>
                    </defs>
                    { for lanes.iter().map(|l| {
                        let x = lane_x(l);
                        html! {
                            <g class="seq-lane" data-testid="sequence-lane">
                                <text x={x.to_string()} y="18" text-anchor="middle" class="seq-lane-name">{ l }</text>
                                <line x1={x.to_string()} y1="24" x2={x.to_string()} y2={bottom.to_string()} />
                            </g>
                        }
                    }) }
                    // Only keyed arrows in this group: Yew diffs a list by key only when every item has one.
                    <g class="seq-arrows">
                    { for p.arrows.iter().enumerate().map(|(i, a)| {
                        // Drawn around y = 0 and moved into place as a whole, keyed by the arrow's
                        // id: as the window slides during playback only each arrow's offset changes,
                        // and its body, a component, is not built again.
                        let row_y = TOP + i as u32 * ROW_H + ROW_H / 2 + 4;
                        let (x1, x2) = (lane_x(&a.from), lane_x(&a.to));
                        html! {
                            <g key={a.id} transform={format!("translate(0,{row_y})")}>
                                <ArrowBody arrow={a.clone()} {x1} {x2} {width} past={a.at_ms < p.now_ms} dispatch={p.dispatch.clone()} />
                            </g>
                        }
                    }) }
                    </g>
                </svg>
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ArrowProps {
    arrow: Arrow,
    x1: u32,
    x2: u32,
    /// The diagram's width: the row's hit area spans it.
    width: u32,
    /// Sent before the clock: choosing it travels back to then.
    past: bool,
    dispatch: Callback<Action>,
}

/// One message's arrow, drawn around y = 0.
#[function_component(ArrowBody)]
fn arrow_body(p: &ArrowProps) -> Html {
    let a = &p.arrow;
    let (x1, y) = (p.x1, 0i32);
    // A lost message stops halfway, with a cross where it was lost.
    let end = if a.lost { (x1 + p.x2) / 2 } else { p.x2 };
    let at = a.at_ms;
    let travel = p.past.then(|| p.dispatch.reform(move |_| Action::TravelTo(at)));
    let on_key = p.past.then(|| {
        let d = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                d.emit(Action::TravelTo(at));
            }
        })
    });
    let class = classes!(
        "seq-arrow",
        a.response.then_some("response"),
        a.lost.then_some("lost"),
        a.chatter.then_some("chatter")
    );
    let mid = (x1 + end) / 2;
    // One sentence, the tooltip and (as the SVG title) the arrow's accessible name.
    let said = format!(
        "{} {}: {} to {}: {}{}",
        format_ms(a.at_ms),
        a.api,
        a.from,
        a.to,
        a.text,
        if a.lost { " (lost)" } else { "" }
    );
    html! {
        <g {class} tabindex="0" role="button" onclick={travel} onkeydown={on_key} data-testid="sequence-arrow" data-api={a.api}>
            <title>{ said }</title>
            <rect x="0" y={(-((ROW_H / 2 + 4) as i32)).to_string()} width={p.width.to_string()} height={ROW_H.to_string()} class="seq-hit" />
            <text x="4" y={(y + 4).to_string()} class="seq-time" aria-hidden="true">{ format_ms(a.at_ms) }</text>
            <line x1={x1.to_string()} y1={y.to_string()} x2={end.to_string()} y2={y.to_string()}
                marker-end={(!a.lost).then_some("url(#seq-head)")} />
            <text x={mid.to_string()} y={(y - 4).to_string()} text-anchor="middle" class="seq-api" aria-hidden="true">{ a.api }</text>
            if a.lost {
                <text x={end.to_string()} y={(y + 4).to_string()} text-anchor="middle" class="seq-cross" aria-hidden="true">{ "✗" }</text>
            }
        </g>
    }
}

/// A time on the diagram's left edge: seconds with milliseconds.
fn format_ms(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1_000, ms % 1_000)
}
