//! The request-level view: a sequence diagram of the messages between clients,
//! the controller and brokers in the stretch of time ending at the clock.
//! Requests are solid arrows, responses dashed, lost messages red with a cross;
//! choosing an arrow takes the whole picture back to the moment it was sent.

use super::value_of;
use crate::state::Action;
use kafka_sim::sequence::{lanes, Arrow};
use std::rc::Rc;
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
/// Rows the drawing may slide before its offsets start again from nought: SVG coordinates are
/// single-precision floats, exact only to 2^24 (about 760,000 rows of 22 px).
const SLIDE_ROWS_MAX: u64 = 100_000;

/// How far the drawn stretch has slid down the sequence, in rows, as of the last frame: each
/// arrow is placed at its row counted from the sequence's start (`first_row` + its index),
/// and the whole group moved back up by `first_row`. As playback slides the stretch, an
/// arrow still drawn keeps its place and only the group's offset changes: one attribute a
/// frame rather than one for each of up to 250 arrows.
#[derive(Default)]
struct Slide {
    ids: Vec<u64>,
    first_row: u64,
}

impl Slide {
    /// The row of the first of the arrows (by id, oldest first): the last frame's count carried
    /// on when they continue the last frame's arrows (some dropped at the front, some added at
    /// the back), else nought. Any value draws the same picture; this one changes the fewest
    /// attributes.
    fn first_row(&mut self, ids: &[u64]) -> u64 {
        let first = ids.first().copied();
        let row = match first.and_then(|f| self.ids.iter().position(|&id| id == f)) {
            Some(dropped) => self.first_row + dropped as u64,
            None if first.zip(self.ids.last()).is_some_and(|(f, &last)| f > last) => {
                self.first_row + self.ids.len() as u64
            }
            None => 0,
        };
        self.first_row = if row > SLIDE_ROWS_MAX { 0 } else { row };
        self.ids.clear();
        self.ids.extend_from_slice(ids);
        self.first_row
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The stretch's arrows, oldest first (at most [`ARROWS_DRAWN_MAX`]), shared with the
    /// sequence: an arrow drawn last frame compares by pointer.
    pub arrows: Vec<Rc<Arrow>>,
    /// The cluster's clients and brokers: each has a lane, whether the stretch has arrows for it or
    /// not, so that arrows keep their places as the stretch slides.
    pub clients: Vec<String>,
    pub brokers: Vec<u32>,
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
    let slide = use_mut_ref(Slide::default);
    let ids: Vec<u64> = p.arrows.iter().map(|a| a.id).collect();
    let first_row = slide.borrow_mut().first_row(&ids);
    let lanes = lanes(p.clients.iter().map(String::as_str), p.brokers.iter().copied(), p.arrows.iter().map(|a| &**a));
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
                    <g class="seq-arrows" transform={format!("translate(0,-{})", first_row * u64::from(ROW_H))}>
                    { for p.arrows.iter().enumerate().map(|(i, a)| {
                        // Keyed by the arrow's id: as the window slides during playback the arrow
                        // keeps its row (see `Slide`), so its component is neither built nor
                        // drawn again.
                        let row = first_row + i as u64;
                        let row_y = u64::from(TOP) + row * u64::from(ROW_H) + u64::from(ROW_H / 2 + 4);
                        let (x1, x2) = (lane_x(&a.from), lane_x(&a.to));
                        html! {
                            <ArrowBody key={a.id} arrow={Rc::clone(a)} {row_y} {x1} {x2} {width} past={a.at_ms < p.now_ms} dispatch={p.dispatch.clone()} />
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
    arrow: Rc<Arrow>,
    /// Where its row is, down the drawing (it is drawn around y = 0 and moved there).
    row_y: u64,
    x1: u32,
    x2: u32,
    /// The diagram's width: the row's hit area spans it.
    width: u32,
    /// Sent before the clock: choosing it travels back to then.
    past: bool,
    dispatch: Callback<Action>,
}

/// One message's arrow, drawn around y = 0 and moved down to its row.
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
        a.text(),
        if a.lost { " (lost)" } else { "" }
    );
    html! {
        <g {class} transform={format!("translate(0,{})", p.row_y)} tabindex="0" role="button" onclick={travel} onkeydown={on_key} data-testid="sequence-arrow" data-api={a.api}>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn arrows(ids: core::ops::RangeInclusive<u64>) -> Vec<u64> {
        ids.collect()
    }

    #[test]
    fn an_arrow_keeps_its_row_as_the_stretch_slides() {
        let mut slide = Slide::default();
        assert_eq!(slide.first_row(&arrows(1..=5)), 0);
        // Two dropped at the front and three added: arrows 3 to 5 keep rows 2 to 4.
        assert_eq!(slide.first_row(&arrows(3..=8)), 2);
        // All new, after the last: the count goes on.
        assert_eq!(slide.first_row(&arrows(20..=22)), 8);
        // Back in time (a travel) or nothing drawn: from nought again.
        assert_eq!(slide.first_row(&arrows(1..=3)), 0);
        assert_eq!(slide.first_row(&[]), 0);
        // Past the bound, from nought.
        slide = Slide { ids: vec![1, 2], first_row: SLIDE_ROWS_MAX };
        assert_eq!(slide.first_row(&arrows(2..=3)), 0);
    }
}
