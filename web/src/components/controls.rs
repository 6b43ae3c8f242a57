//! Simulated time: the clock, play/pause, step, speed, and the scrubber with its marks (faults,
//! elections, ISR changes, rebalances, transactions, checkpoints), each a button to its moment.

use crate::state::{Action, FastForward, Speed};
use crate::timeline::Place;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub now_ms: u64,
    pub playing: bool,
    /// Something done while paused waits for time to run ([`crate::state::Playground::waiting_for_time`]).
    #[prop_or_default]
    pub waiting: bool,
    /// A fast-forward under way: its progress and a stop button.
    pub fast_forward: Option<FastForward>,
    pub speed: Speed,
    pub scheduled: usize,
    /// The session's simulated length, for the timeline.
    pub length_ms: u64,
    /// Looking at the past: "jump to the end", and what playing and acting there do.
    pub in_past: bool,
    /// Whether there is an action to undo.
    #[prop_or_default]
    pub can_undo: bool,
    /// Where each kept branch split from the line viewed (simulated ms), by branch index.
    #[prop_or_default]
    pub branches: Rc<Vec<u64>>,
    /// Something the page did on its own that the person should know (a branch dropped).
    #[prop_or_default]
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The marks along the scrubber.
    #[prop_or_default]
    pub places: Rc<Vec<Place>>,
    pub dispatch: Callback<Action>,
}

/// A plain function: the clock changes with every tick (see `inspector`).
pub fn controls(p: &Props) -> Html {
    let toggle = {
        let (d, playing) = (p.dispatch.clone(), p.playing);
        Callback::from(move |_| d.emit(if playing { Action::Pause } else { Action::Play }))
    };
    let step = p.dispatch.reform(|_| Action::Step);
    let speeds = Speed::ALL.iter().map(|&s| {
        let onclick = p.dispatch.reform(move |_| Action::SetSpeed(s));
        html! {
            <button class={classes!("speed", (s == p.speed).then_some("on"))} aria-pressed={(s == p.speed).to_string()} {onclick}>
                { s.label() }
            </button>
        }
    });
    let forward = |ms: u64| p.dispatch.reform(move |_| Action::FastForward(ms));
    html! {
        <div class="controls" role="group" aria-label="Simulated time">
            if let Some(ff) = p.fast_forward {
                <span class="fast-forward" data-testid="fast-forward">
                    <progress max={(ff.to_ms - ff.from_ms).to_string()} value={p.now_ms.saturating_sub(ff.from_ms).to_string()}
                        aria-label="fast-forward progress" />
                    <button onclick={p.dispatch.reform(|_| Action::StopFastForward)} data-testid="fast-forward-stop">{ "Stop" }</button>
                </span>
            } else {
                <span class="fast-forwards" aria-label="Fast-forward">
                    <button onclick={forward(3_600_000)} title="let an hour of simulated time pass, events processed" data-testid="ff-hour">{ "+1 h" }</button>
                    <button onclick={forward(86_400_000)} title="let a day pass" data-testid="ff-day">{ "+1 d" }</button>
                    <button onclick={forward(7 * 86_400_000)} title="let a week pass: retention.ms defaults to 7 days" data-testid="ff-week">{ "+7 d" }</button>
                </span>
            }
            <span class="clock" aria-live="off" data-testid="clock">{ format_time(p.now_ms) }</span>
            <button class={classes!("primary", p.waiting.then_some("pulse"))} onclick={toggle} data-testid="play">{ if p.playing { "Pause" } else { "Play" } }</button>
            <button onclick={step} title="Process everything due at the next scheduled time" data-testid="step">{ "Step" }</button>
            <button onclick={p.dispatch.reform(|_| Action::Undo)} disabled={!p.can_undo} data-testid="undo"
                title="Take back the last action (Ctrl+Z): back to just before it; the line with it is kept as a branch">{ "Undo" }</button>
            <span class="speeds" aria-label="Speed">{ for speeds }</span>
            <span class="muted">{ format!("{} scheduled", p.scheduled) }</span>
            if p.waiting {
                <span class="paused-hint" role="status" data-testid="paused-hint">{ "Paused: press Play (or Space) to see it happen" }</span>
            }
            <div class="timeline">
                if !p.places.is_empty() || !p.branches.is_empty() {
                    <div class="marks" role="group" aria-label="What happened, along the timeline" data-testid="timeline-marks">
                        { for p.places.iter().map(|place| {
                            let at = place.at_ms;
                            let label = format!("at {}: {}", format_time(at), place.text);
                            html! {
                                <button class={classes!("mark", place.kind.name())} style={place.left()}
                                    title={label.clone()} aria-label={label} data-kind={place.kind.name()}
                                    onclick={p.dispatch.reform(move |_| Action::TravelTo(at))} data-testid="timeline-mark" />
                            }
                        }) }
                        { for p.branches.iter().enumerate().map(|(i, &at)| {
                            let label = format!("a branch splits at {}: look at it", format_time(at));
                            let place = crate::timeline::Place { at_ms: at, hundredths: at.min(p.length_ms) * 10_000 / p.length_ms.max(1), kind: crate::timeline::Kind::Checkpoint, text: String::new() };
                            html! {
                                <button class="mark branch" style={place.left()} title={label.clone()} aria-label={label}
                                    onclick={p.dispatch.reform(move |_| Action::SwitchBranch(i))} data-testid="branch-mark" />
                            }
                        }) }
                    </div>
                }
                <label title="Scrub back to any earlier simulated time (the session replays to it)">
                    <span class="visually-hidden">{ "Timeline" }</span>
                    <input type="range" min="0" max={p.length_ms.max(1).to_string()} value={p.now_ms.to_string()}
                        onchange={p.dispatch.reform(|e: Event| Action::TravelTo(super::value_of(&e).parse().unwrap_or(0)))}
                        data-testid="timeline" />
                </label>
            </div>
            if p.in_past {
                <button onclick={p.dispatch.reform(|_| Action::BackToNow)} data-testid="back-to-now">{ "Jump to the end" }</button>
                <span class="muted" data-testid="past-hint">{ "Play goes on with what follows; acting here starts a branch, the rest kept as another" }</span>
            }
            if !p.branches.is_empty() {
                <label class="branches">{ "Branches " }
                    <select data-testid="branches" onchange={p.dispatch.reform(|e: Event| Action::SwitchBranch(super::value_of(&e).parse().unwrap_or(usize::MAX)))}>
                        <option value="" selected=true>{ format!("this line and {} more", p.branches.len()) }</option>
                        { for p.branches.iter().enumerate().map(|(i, &at)| html! {
                            <option value={i.to_string()}>{ format!("{}: split at {}", i + 1, format_time(at)) }</option>
                        }) }
                    </select>
                </label>
            }
            if let Some(notice) = &p.notice {
                <span class="paused-hint" role="status" data-testid="notice">{ notice }</span>
            }
            { super::error_line("time-error", &p.error) }
        </div>
    }
}

/// `1 h 02 min 03.450 s` style, shortest form that fits.
pub fn format_time(ms: u64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    let (m, s) = (s / 60, s % 60);
    let (h, m) = (m / 60, m % 60);
    let (d, h) = (h / 24, h % 24);
    if d > 0 {
        // When days pass, the clock reads in days.
        format!("{d} d {h:02} h {m:02} min")
    } else if h > 0 {
        format!("{h} h {m:02} min {s:02}.{ms:03} s")
    } else if m > 0 {
        format!("{m} min {s:02}.{ms:03} s")
    } else {
        format!("{s}.{ms:03} s")
    }
}
