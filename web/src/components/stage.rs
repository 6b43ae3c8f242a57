//! The stage: producers, brokers with their replicas, and consumer groups with their members, as
//! one SVG picture laid out by [`crate::stage::layout`], with the records that moved in the last
//! second drawn as flows (width by rate, dashes moving the way records go) and, when time runs
//! slowly, every message on the wire as a dot with its API's name. Everything drawn can be
//! selected, by mouse or keyboard, to open it in the inspector.

use crate::draw::tenths;
use crate::stage::{
    bar_x, ChipModel, Flow, FlowKind, GroupModel, Scene, Selection, Shape, BATCH_ROW_H, BROKER_HEAD_H, GROUP_HEAD_H,
    MEMBER_CHIPS_MAX, SIDE_W,
};
use kafka_sim::view::MessageView;
use std::rc::Rc;
use web_sys::KeyboardEvent;
use yew::prelude::*;

#[derive(Properties)]
pub struct Props {
    /// Laid out anew for each render of the page: compared by identity (see `PartialEq` below).
    pub scene: Rc<Scene>,
    /// Messages on the wire, drawn one by one only when `single` (slow speeds and stepping).
    pub messages: Vec<MessageView>,
    pub single: bool,
    pub now_ms: u64,
    /// The page's clock (ms) when drawn: the flows' dashes are moved by it (see [`dash_offset`]).
    pub page_ms: u64,
    pub selected: Option<Selection>,
    pub select: Callback<Selection>,
}

/// The scene by identity: each render of the page lays out a new one (and `page_ms` moves with
/// every render too), so comparing scenes field by field would cost code and time and find them
/// different all the same.
impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scene, &other.scene)
            && self.messages == other.messages
            && (self.single, self.now_ms, self.page_ms) == (other.single, other.now_ms, other.page_ms)
            && self.selected == other.selected
            && self.select == other.select
    }
}

/// A long name is squeezed into `width` units rather than cut (its text stays whole, as its
/// element's accessible name reads it); a short one keeps its natural width.
fn fit(name: &str, chars_max: usize, width: i32) -> Option<String> {
    (name.chars().count() > chars_max).then(|| width.to_string())
}

/// Mouse and keyboard (Enter, Space) both choose.
fn chooser(select: &Callback<Selection>, what: Selection) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let on_click = {
        let (select, what) = (select.clone(), what.clone());
        Callback::from(move |_| select.emit(what.clone()))
    };
    let on_key = {
        let select = select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                select.emit(what.clone());
            }
        })
    };
    (on_click, on_key)
}

#[function_component(Stage)]
pub fn stage(p: &Props) -> Html {
    let s = &p.scene;
    let is = |what: &Selection| p.selected.as_ref() == Some(what);
    let mut rates: Vec<(i32, i32)> = Vec::new();
    let flows: Vec<Html> = s
        .flows
        .iter()
        .map(|f| {
            let (d, at) = flow_path(s, f);
            let at = if f.kind == FlowKind::Replicate { at } else { crate::stage::place_rate(&mut rates, at) };
            flow(f, d, at)
        })
        .collect();
    let dots = p.messages.iter().filter(|_| p.single).filter_map(|m| dot(s, m, p.now_ms));
    let empty = s.brokers.iter().all(|b| b.chips.is_empty());
    html! {
        <div class={classes!("stage-wrap", (s.shape == Shape::Narrow).then_some("narrow"))} role="group" data-testid="stage"
            aria-label="The cluster: producers, brokers with their replicas, consumer groups, and the records moving between them">
        // The moving records on a layer of their own, under the cards: their dashes move at every
        // draw, which on one layer with the cards would paint every card and chip again; and
        // under them, a flow to a broker of the second row passes behind the first row's cards.
        <svg class="stage-flows" viewBox={format!("0 0 {} {}", s.width, s.height)} aria-hidden="true">
            <g class="flows" style={format!("stroke-dashoffset:{}", dash_offset(p.page_ms))}>{ for flows }</g>
        </svg>
        <svg class="stage" viewBox={format!("0 0 {} {}", s.width, s.height)}>
            { for s.heads.iter().zip(["Producers", "Brokers and their replicas", "Consumers"]).map(|((x, y), head)| html! {
                <text class="col-head" x={x.to_string()} y={y.to_string()}>{ head }</text>
            }) }
            if s.producers.is_empty() {
                <text class="hint" x="8" y="44">{ "No producer yet" }</text>
            }
            if empty {
                // Under the brokers' heading, as "No producer yet" is under the producers'; on a
                // phone, where the headings stack, between the brokers and the consumers.
                <text class="hint" x={s.heads[1].0.to_string()} y={(if s.shape == Shape::Narrow { s.heads[2].1 - 22 } else { 44 }).to_string()}>
                    { if s.shape == Shape::Wide { "No topic yet: open + Topic above the stage, or type topic create NAME in the command bar" } else { "No topic yet: open + Topic above" } }
                </text>
            }
            { for s.producers.iter().map(|pr| {
                let what = Selection::Client(pr.name.clone());
                let (onclick, onkeydown) = chooser(&p.select, what.clone());
                let r = &pr.rect;
                // The visible text first, in order (WCAG's label in name), the batches' rows last.
                let batches: Vec<&str> = pr.batches.iter().map(|b| b.text.as_str()).collect();
                let rows = if !batches.is_empty() { batches.join(" ") } else if pr.closed { String::new() } else { "no batch waiting".into() };
                let label = format!("{}{} {} buffered {} · in flight {} acked {} · failed {} {rows}", pr.name,
                    if pr.closed { " closed" } else { "" }, pr.mode, pr.buffered, pr.in_flight, pr.acked, pr.failed);
                html! {
                    <g key={pr.name.clone()} class={classes!("card", "producer", pr.closed.then_some("dead"), is(&what).then_some("selected"))}
                        tabindex="0" role="button" aria-label={label} {onclick} {onkeydown} data-testid={format!("stage-{}", pr.name)}>
                        { card_rect(r, r.h, "8", classes!()) }
                        <text class="name" x={(r.x + 10).to_string()} y={(r.y + 19).to_string()} textLength={fit(&pr.name, 15, SIDE_W - 20)} lengthAdjust="spacingAndGlyphs">{ format!("{} ", pr.name) }
                            if pr.closed { <tspan class="bad-text">{ "closed " }</tspan> }</text>
                        <text class="small" x={(r.x + 10).to_string()} y={(r.y + 36).to_string()}>{ format!("{} ", pr.mode) }</text>
                        <text class="small" x={(r.x + 10).to_string()} y={(r.y + 52).to_string()}>{ format!("buffered {} · in flight {} ", pr.buffered, pr.in_flight) }</text>
                        <text class="small" x={(r.x + 10).to_string()} y={(r.y + 68).to_string()}>{ format!("acked {} · failed {} ", pr.acked, pr.failed) }</text>
                        if pr.batches.is_empty() && !pr.closed {
                            <text class="small muted" x={(r.x + 10).to_string()} y={(r.y + 84).to_string()}>{ "no batch waiting" }</text>
                        }
                        { for pr.batches.iter().enumerate().map(|(i, b)| {
                            let y = r.y + 76 + i as i32 * BATCH_ROW_H;
                            html! {
                                <g class={classes!("batch", (!b.ready).then_some("lingering"))}>
                                    <rect class="bar-track" x={(r.x + 10).to_string()} y={(y + 3).to_string()} width="56" height="6" rx="2" />
                                    <rect x={(r.x + 10).to_string()} y={(y + 3).to_string()} width={(56 * b.fill_percent as i32 / 100).max(2).to_string()} height="6" rx="2" fill={b.colour} />
                                    <text class="small" x={(r.x + 72).to_string()} y={(y + 10).to_string()}>{ &b.text }</text>
                                </g>
                            }
                        }) }
                    </g>
                }
            }) }
            { for s.brokers.iter().map(|b| {
                let what = Selection::Broker(b.id);
                let (onclick, onkeydown) = chooser(&p.select, what.clone());
                let r = &b.rect;
                let leaders = b.chips.iter().filter(|c| c.leader).count();
                let role = if b.controller { ", the active controller" } else if b.voter { ", a controller voter" } else { "" };
                let status = if b.state != "running" { b.state.to_string() } else { format!("{} · leads {leaders}", b.state) };
                let label = format!("broker-{} {status}{role}", b.id);
                let down = b.state != "running";
                html! {
                    <g key={format!("b{}", b.id)} class="broker-group">
                        // The card behind; only its head is the broker's button (its chips are their own).
                        { card_rect(r, r.h, "8", classes!("card-back", down.then_some("dead"), is(&what).then_some("selected"))) }
                        <g class={classes!("card", "head", "broker-card", down.then_some("dead"))}
                            tabindex="0" role="button" aria-label={label} {onclick} {onkeydown} data-testid={format!("stage-broker-{}", b.id)}>
                            { card_rect(r, BROKER_HEAD_H - 4, "8", classes!()) }
                            <text class="name" x={(r.x + 8).to_string()} y={(r.y + 18).to_string()}>{ format!("broker-{} ", b.id) }</text>
                            <text class={classes!("small", down.then_some("bad-text"))} x={(r.x + 8).to_string()} y={(r.y + 35).to_string()}>
                                <tspan data-testid={format!("broker-{}-state", b.id)}>{ b.state }</tspan>
                                { if down { " ".to_string() } else { format!(" · leads {leaders} ") } }</text>
                        </g>
                        <g class="marks" aria-hidden="true">
                            if b.controller {
                                <rect class="pill controller" x={(r.right() - 30).to_string()} y={(r.y + 6).to_string()} width="24" height="15" rx="7" />
                                <text class="pill-text" x={(r.right() - 18).to_string()} y={(r.y + 17).to_string()} text-anchor="middle">{ "C" }</text>
                            } else if b.voter {
                                <rect class="pill voter" x={(r.right() - 30).to_string()} y={(r.y + 6).to_string()} width="24" height="15" rx="7" />
                                <text class="pill-voter-text" x={(r.right() - 18).to_string()} y={(r.y + 17).to_string()} text-anchor="middle">{ "V" }</text>
                            }
                        </g>
                        if let Some((leaders, in_sync, out)) = b.summary {
                            <text class="small" x={(r.x + 8).to_string()} y={(r.y + BROKER_HEAD_H + 8).to_string()}>{ format!("{leaders} leaders") }</text>
                            <text class="small" x={(r.x + 8).to_string()} y={(r.y + BROKER_HEAD_H + 24).to_string()}>{ format!("{in_sync} in-sync followers") }</text>
                            <text class={classes!("small", (out > 0).then_some("warn-text"))} x={(r.x + 8).to_string()} y={(r.y + BROKER_HEAD_H + 40).to_string()}>{ format!("{out} out of the ISR") }</text>
                        }
                        if b.internal > 0 {
                            <text class="small" x={(r.x + 8).to_string()} y={(r.y + r.h - 8).to_string()}>{ format!("+ {} internal", b.internal) }</text>
                        }
                        { for b.chips.iter().map(|c| html! {
                            <Chip key={c.tp.to_string()} model={c.clone()} selected={is(&Selection::Partition(c.tp.clone()))} select={p.select.clone()} />
                        }) }
                    </g>
                }
            }) }
            { for s.groups.iter().map(|g| group(g, &p.select, &is)) }
            <g class="dots">{ for dots }</g>
        </svg>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ChipProps {
    model: ChipModel,
    selected: bool,
    select: Callback<Selection>,
}

/// One replica, its own component so that a tick draws again only the chips whose replica
/// changed (the select callback is made once for the page's life, so it compares equal).
#[function_component(Chip)]
fn chip(p: &ChipProps) -> Html {
    let (c, selected) = (&p.model, p.selected);
    let (onclick, onkeydown) = chooser(&p.select, Selection::Partition(c.tp.clone()));
    let r = &c.rect;
    let compact = r.h < crate::stage::CHIP_H;
    // An eligible replica is drawn as such even while its partition is offline: it may lead.
    let class = if c.eligible {
        "eligible"
    } else if c.offline {
        "offline"
    } else if c.leader {
        "leader"
    } else if c.in_isr {
        "follower"
    } else {
        "out-of-sync"
    };
    let fill = if c.leader && !c.offline { c.colour } else { "var(--panel)" };
    let stroke = if (c.in_isr && !c.offline) || c.eligible { c.colour } else { "#c2410c" };
    let (bar_y, bar_h) = if compact { (r.y + r.h - 5, 3) } else { (r.y + r.h - 9, 5) };
    let (bx, bw) = (r.x + 4, r.w - 8);
    let at = |o: u64| bx + bar_x(o, c.scale, bw);
    let text_y = if compact { r.y + 11 } else { r.y + 14 };
    // A narrow chip keeps its name whole: the role shrinks to a letter or three (the colour and
    // the outline say it too, and the chip's accessible name says it in words).
    let tag = c.tag();
    let name_chars = c.tp.topic.as_str().chars().count() + 4;
    let tag = if (name_chars + tag.chars().count()) as i32 * 6 > r.w - 10 {
        match tag.as_str() {
            "leader" => "L".to_string(),
            "not ISR" => "out".to_string(),
            "offline" => "off".to_string(),
            _ => tag,
        }
    } else {
        tag
    };
    html! {
        <g key={c.tp.to_string()} class={classes!("chip-g", class, selected.then_some("selected"))} tabindex="0" role="button"
            aria-label={c.label()} {onclick} {onkeydown} data-testid={format!("chip-{}-{}", c.tp, class)}>
            <rect class="chip-box" x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="4"
                fill={fill} stroke={stroke} />
            <text class="chip-name" x={(r.x + 5).to_string()} y={text_y.to_string()}>{ format!("{} ", c.tp) }</text>
            <text class={classes!("chip-role", (c.recent > 0).then_some("busy"))} x={(r.right() - 5).to_string()} y={text_y.to_string()} text-anchor="end">{ tag }</text>
            <rect class="bar-track" x={bx.to_string()} y={bar_y.to_string()} width={bw.to_string()} height={bar_h.to_string()} />
            <rect class="bar-committed" x={at(c.log_start).to_string()} y={bar_y.to_string()}
                width={(at(c.hw) - at(c.log_start)).max(0).to_string()} height={bar_h.to_string()} />
            <rect class="bar-uncommitted" x={at(c.hw).to_string()} y={bar_y.to_string()}
                width={(at(c.leo) - at(c.hw)).max(0).to_string()} height={bar_h.to_string()} />
            if let Some((start, end)) = c.share_window {
                // The share-partition's window over the log: SPSO to just past SPEO.
                <rect class="bar-share" x={at(start).to_string()} y={(bar_y - 3).to_string()}
                    width={(at(end + 1) - at(start)).max(2).to_string()} height="2" />
            }
            if c.lso < c.hw {
                <rect class="bar-lso" x={at(c.lso).to_string()} y={(bar_y - 2).to_string()} width="2" height={(bar_h + 4).to_string()} />
            }
        </g>
    }
}

fn group(g: &GroupModel, select: &Callback<Selection>, is: &dyn Fn(&Selection) -> bool) -> Html {
    let r = &g.rect;
    let (title, what) = match &g.name {
        Some(name) if g.share => (format!("share group {name}"), Some(Selection::Group(name.clone()))),
        Some(name) => (format!("group {name}"), Some(Selection::Group(name.clone()))),
        None => ("assigned consumers".to_string(), None),
    };
    let head = match &what {
        Some(what) => {
            let (onclick, onkeydown) = chooser(select, what.clone());
            let label = format!("{title} {} {} {}, {} member(s)", g.epoch_word, g.generation, g.state, g.members.len());
            html! {
                <>
                { card_rect(r, r.h, "8", classes!("card-back", is(what).then_some("selected"))) }
                <g class="card head group-card" tabindex="0" role="button"
                    aria-label={label} {onclick} {onkeydown} data-testid={format!("stage-{}", title.replace(' ', "-"))}>
                    { card_rect(r, GROUP_HEAD_H - 4, "8", classes!()) }
                    // A share group's longer title takes the whole line; its epoch goes under it.
                    <text class="name" x={(r.x + 8).to_string()} y={(r.y + 17).to_string()} textLength={if g.share { fit(&title, 18, SIDE_W - 16) } else { fit(&title, 16, SIDE_W - 56) }} lengthAdjust="spacingAndGlyphs">{ format!("{title} ") }</text>
                    if !g.share {
                        <text class="small" x={(r.right() - 8).to_string()} y={(r.y + 17).to_string()} text-anchor="end">{ format!("{} {} ", g.epoch_word, g.generation) }</text>
                    }
                    <text class={classes!("small", (g.state != "Stable").then_some("warn-text"))} x={(r.x + 8).to_string()} y={(r.y + 33).to_string()}>
                        { if g.share { format!("{} · {} {} ", g.state, g.epoch_word, g.generation) } else { format!("{} ", g.state) } }</text>
                </g>
                </>
            }
        }
        None => html! {
            <g class="group-card">
                { card_rect(r, r.h, "8", classes!("card-back")) }
                <text class="name" x={(r.x + 8).to_string()} y={(r.y + 17).to_string()}>{ &title }</text>
                <text class="small" x={(r.x + 8).to_string()} y={(r.y + 33).to_string()}>{ "no group: assign" }</text>
            </g>
        },
    };
    html! {
        <g key={title.clone()}>
            { head }
            { for g.members.iter().map(|m| {
                let what = Selection::Client(m.client.clone());
                let (onclick, onkeydown) = chooser(select, what.clone());
                let mr = &m.rect;
                let owned: Vec<String> = m.partitions.iter().map(|(tp, _)| tp.to_string()).collect();
                // A share group's member holds records, not a position: its count is of those.
                let count = match m.holds { Some(n) => format!("holds {n}"), None => format!("lag {}", m.lag) };
                let (verb, none) = if m.holds.is_some() { ("reads", "reads no partition") } else { ("owns", "owns no partition") };
                let label = format!("{}{} {count}, {}", m.client, if m.closed { " closed" } else { "" },
                    if owned.is_empty() { none.to_string() } else { format!("{verb} {}", owned.join(", ")) });
                let more = m.partitions.len().saturating_sub(MEMBER_CHIPS_MAX);
                html! {
                    <g key={m.client.clone()}>
                    <g class={classes!("card", "member", m.closed.then_some("dead"), is(&what).then_some("selected"))}
                        tabindex="0" role="button" aria-label={label} {onclick} {onkeydown} data-testid={format!("stage-member-{}", m.client)}>
                        { card_rect(mr, mr.h, "5", classes!()) }
                        <text class="small strong" x={(mr.x + 6).to_string()} y={(mr.y + 13).to_string()} textLength={fit(&m.client, 15, mr.w - 58)} lengthAdjust="spacingAndGlyphs">{ format!("{} ", m.client) }
                            if m.closed { <tspan class="bad-text">{ "closed " }</tspan> }</text>
                        <text class="small" x={(mr.right() - 6).to_string()} y={(mr.y + 13).to_string()} text-anchor="end">{ format!("{count} ") }</text>
                    </g>
                    // The owned partitions, in words in the member's name; drawn beside it, not in it.
                    <g class="owned-chips" aria-hidden="true">
                        // Owned first, then those being revoked, fading out where room is left;
                        // a chip new to the row comes in with the CSS's `chip-in`.
                        { for m.partitions.iter().map(|p| (p, false)).chain(m.revoked.iter().map(|p| (p, true)))
                            .take(MEMBER_CHIPS_MAX).enumerate().map(|(i, ((tp, colour), revoked))| {
                            let x = mr.x + 6 + i as i32 * 28;
                            html! {
                                <g key={format!("{}{tp}", if revoked { "r-" } else { "" })} class={classes!("owned-chip", revoked.then_some("revoked"))}>
                                    <rect x={x.to_string()} y={(mr.y + 19).to_string()} width="25" height="13" rx="3" fill={*colour} />
                                    <text class="owned" x={(x + 12).to_string()} y={(mr.y + 29).to_string()} text-anchor="middle">{ tp.partition.to_string() }</text>
                                </g>
                            }
                        }) }
                        if more > 0 {
                            <text class="small" x={(mr.x + 6 + MEMBER_CHIPS_MAX as i32 * 28).to_string()} y={(mr.y + 29).to_string()}>{ format!("+{more}") }</text>
                        }
                    </g>
                    </g>
                }
            }) }
            { share_windows(g) }
        </g>
    }
}

/// A flow's path and where its rate goes. Flows keep out of the cards: from a producer they run
/// to the gap beside it, up or down to the lane above the brokers, along it, and down into the
/// broker's card; to a consumer the other way round; between brokers they arc in the lane.
fn flow_path(s: &Scene, f: &Flow) -> (String, (i32, i32)) {
    let (x1, y1) = f.from;
    let (x2, y2) = f.to;
    // Produce and fetch each have a lane, so that the two directions are told apart.
    let lane = if f.kind == FlowKind::Produce { s.lanes.0 } else { s.lanes.1 };
    if s.shape == Shape::Narrow {
        // Top to bottom: down from a producer to the lane over the brokers and into the leader's
        // card; down from a leader's card to the lane under the brokers, along it to the gap
        // beside the consumer, and into it; between brokers an arc over their cards.
        return match f.kind {
            FlowKind::Produce => (format!("M {x1} {y1} V {lane} H {x2} V {y2}"), ((x1 + x2) / 2, lane)),
            FlowKind::Consume => {
                let gx = x2 - 4;
                (format!("M {x1} {y1} V {lane} H {gx} V {y2} H {x2}"), ((x1 + gx) / 2, lane))
            }
            FlowKind::Replicate => {
                let top = y1.min(y2) - 14;
                (format!("M {x1} {y1} C {x1} {top}, {x2} {top}, {x2} {y2}"), ((x1 + x2) / 2, top))
            }
        };
    }
    match f.kind {
        FlowKind::Produce => {
            let gx = x1 + 22;
            let d = format!("M {x1} {y1} H {gx} V {lane} H {} Q {x2} {lane} {x2} {}, V {y2}", x2 - 12, lane + 12);
            (d, ((gx + x2) / 2, lane))
        }
        FlowKind::Consume => {
            let gx = x2 - 22;
            let d = format!("M {x1} {y1} V {} Q {x1} {lane} {} {lane} H {gx} V {y2} H {x2}", lane + 12, x1 + 12);
            (d, ((x1 + gx) / 2, lane))
        }
        FlowKind::Replicate => {
            let top = lane + 2;
            (format!("M {x1} {y1} C {x1} {top}, {x2} {top}, {x2} {y2}"), ((x1 + x2) / 2, top))
        }
    }
}

/// A flow's path `d`, its width by its rate, and its rate written at `(mx, my)`.
fn flow(f: &Flow, d: String, (mx, my): (i32, i32)) -> Html {
    let width = 1 + (64 - f.records.leading_zeros()).min(6);
    let class = match f.kind {
        FlowKind::Produce => "flow produce",
        FlowKind::Replicate => "flow replicate",
        FlowKind::Consume => "flow consume",
    };
    html! {
        <g key={f.key.clone()}>
            <path class={class} d={d} stroke-width={width.to_string()}><title>{ &f.label }</title></path>
            if f.kind != FlowKind::Replicate {
                <text class="rate" x={mx.to_string()} y={(my - 5).to_string()} text-anchor="middle">{ format!("{}/s", f.records) }</text>
            }
        </g>
    }
}

/// How far the flows' dashes have moved at the page's time `page_ms`: 14 units (a produce or fetch
/// dash and its gap) each 0.8 s, over a cycle of 56 that both dash patterns (7+7 and 3+5) repeat in.
/// The dashes move when the page draws (ten times a second while the clock runs) rather than by a
/// CSS animation: an animation paints and rasterizes the flows' layer every frame, which in a busy
/// cluster cost more than everything else on the page; when the clock stops, so do the dashes.
pub fn dash_offset(page_ms: u64) -> i64 {
    -((page_ms * 14 / 800 % 56) as i64)
}

/// A message on the wire as a dot between its sender and receiver, with its API's name.
fn dot(s: &Scene, m: &MessageView, now_ms: u64) -> Option<Html> {
    let (from, to) = (m.from.to_string(), m.to.to_string());
    let (x1, y1) = s.anchor_towards(&from, &to)?;
    let (x2, y2) = s.anchor_towards(&to, &from)?;
    let span = m.arrives_at_ms.saturating_sub(m.sent_at_ms).max(1) as f64;
    let t = (now_ms.saturating_sub(m.sent_at_ms) as f64 / span).clamp(0.0, 1.0);
    let x = f64::from(x1) + (f64::from(x2) - f64::from(x1)) * t;
    let y = f64::from(y1) + (f64::from(y2) - f64::from(y1)) * t;
    let class = if m.response { "dot response" } else { "dot request" };
    Some(html! {
        <g key={format!("{}-{}-{}-{}", from, to, m.sent_at_ms, m.summary.len())}>
            <circle class={class} cx={tenths(x)} cy={tenths(y)} r={if m.response { "4" } else { "6" }}>
                <title>{ format!("{from} -> {to}: {} {}", m.api, if m.response { "response" } else { "request" }) }</title>
            </circle>
            <text class="dot-label" x={tenths(x + 8.0)} y={tenths(y - 6.0)}>{ m.api }</text>
        </g>
    })
}

/// A card's rectangle (or its head's, `h` high), its attributes written in one place rather than
/// at each card: the page's code is its download.
fn card_rect(r: &crate::stage::Rect, h: i32, rx: &'static str, class: Classes) -> Html {
    html! { <rect {class} x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={h.to_string()} {rx} /> }
}

/// A share group's share-partitions under its members (none outside the share-groups build).
#[cfg(not(feature = "share-groups"))]
fn share_windows(_: &GroupModel) -> Html {
    Html::default()
}

#[cfg(feature = "share-groups")]
fn share_windows(g: &GroupModel) -> Html {
    g.windows.iter().map(share_window).collect()
}

/// A share-partition under its share group's members: `jobs-0 SPSO 3 SPEO 5`, then one cell a
/// record in flight, coloured by its state, with its delivery count once it is delivered again,
/// and how soon the first acquisition lock runs out.
#[cfg(feature = "share-groups")]
fn share_window(w: &crate::stage::ShareWindowModel) -> Html {
    let r = &w.rect;
    let cells: Vec<String> = w.cells.iter().map(|c| c.label()).collect();
    let left = w.lock_left_ms.map(crate::draw::seconds);
    let label = format!(
        "share-partition {} start offset {} end offset {}: {}{}{}",
        w.tp,
        w.start_offset,
        w.end_offset,
        if cells.is_empty() { "no record in flight".to_string() } else { cells.join("; ") },
        if w.more > 0 { format!("; {} more", w.more) } else { String::new() },
        left.as_ref().map(|l| format!("; the soonest lock expires in {l}")).unwrap_or_default()
    );
    html! {
        <g key={format!("w-{}", w.tp)} class="share-window" role="img" aria-label={label} data-testid={format!("share-window-{}", w.tp)}>
            <rect class="share-tp" x={r.x.to_string()} y={(r.y + 3).to_string()} width="4" height="9" rx="1" fill={w.colour} />
            <text class="small" x={(r.x + 8).to_string()} y={(r.y + 11).to_string()}>
                { format!("{} SPSO {} SPEO {} ", w.tp, w.start_offset, w.end_offset) }</text>
            if let Some(left) = left {
                <text class="small warn-text" x={r.right().to_string()} y={(r.y + 43).to_string()} text-anchor="end">{ format!("lock {left}") }</text>
            }
            if w.cells.is_empty() {
                <text class="small muted" x={(r.x + 8).to_string()} y={(r.y + 27).to_string()}>{ "no record in flight" }</text>
            }
            { for w.cells.iter().enumerate().map(|(i, c): (usize, &crate::stage::ShareCellModel)| {
                let x = r.x + i as i32 * 15;
                html! {
                    <g key={c.offset.to_string()} class={classes!("share-cell", c.state)}>
                        <title>{ c.label() }</title>
                        <rect x={x.to_string()} y={(r.y + 16).to_string()} width="13" height="14" rx="2" />
                        if c.delivery_count > 1 {
                            <text class="share-count" x={(x + 6).to_string()} y={(r.y + 27).to_string()} text-anchor="middle">{ c.delivery_count.to_string() }</text>
                        }
                    </g>
                }
            }) }
            if w.more > 0 {
                <text class="small" x={r.x.to_string()} y={(r.y + 43).to_string()}>{ format!("+{} more", w.more) }</text>
            }
        </g>
    }
}
