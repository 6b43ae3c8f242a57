//! Beside the stage: the details of what is selected on it, with the actions that act on it (a
//! broker's crash and restart, a partition leader's crash, a producer's send, a group's new
//! member), each a script line. With nothing selected: what to try first and the legend.

use crate::stage::Selection;
use crate::state::{Action, Form};
use kafka_sim::view::{ClientView, ClusterView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: super::ViewRef,
    pub selected: Option<Selection>,
    pub error: Option<String>,
    pub readonly: bool,
    pub dispatch: Callback<Action>,
    pub clear: Callback<()>,
}

/// Markup from `crate::markup` (text only, escaped there) as a node.
fn raw(markup: String) -> Html {
    Html::from_html_unchecked(markup.into())
}

/// A plain function, not a component: its view changes with every tick, so a component would
/// skip no render, and each component's lifecycle code costs the page about 800 bytes.
pub fn inspector(p: &Props) -> Html {
    let v = &p.view;
    let line = |l: String| {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Line(Form::Stage, l.clone())))
    };
    let action = |label: &str, l: String, test_id: String| {
        if p.readonly {
            html! {}
        } else {
            let onclick = line(l.clone());
            html! { <button {onclick} title={l} data-testid={test_id}>{ label.to_string() }</button> }
        }
    };
    let close = {
        let clear = p.clear.clone();
        Callback::from(move |_: MouseEvent| clear.emit(()))
    };
    let body = match &p.selected {
        None => welcome(),
        Some(Selection::Broker(id)) => match v.brokers.iter().find(|b| b.id == *id) {
            None => html! { <p class="muted">{ "This broker is gone." }</p> },
            Some(b) => {
                let state = b.state();
                html! {
                    <>
                        <h2>{ format!("broker-{id}") }</h2>
                        <p>{ format!("{state}; {}", if b.controller { "the active controller" } else if b.voter { "a controller voter (KRaft quorum)" } else { "not a controller voter" }) }</p>
                        <div class="actions">
                            if b.alive {
                                { action("Crash", format!("broker stop {id}"), format!("inspect-crash-{id}")) }
                                { action("Shut down", format!("broker shutdown {id}"), format!("inspect-shutdown-{id}")) }
                                { action("Isolate", format!("network isolate broker-{id}"), format!("inspect-isolate-{id}")) }
                            } else {
                                { action("Restart", format!("broker start {id}"), format!("inspect-start-{id}")) }
                            }
                        </div>
                        <details data-testid="inspect-broker-configs"><summary>{ "broker configs" }</summary>
                            { raw(crate::markup::configs(&v.broker_configs)) }
                        </details>
                        { raw(crate::markup::broker_replicas(&b.replicas)) }
                    </>
                }
            }
        },
        Some(Selection::Partition(tp)) => {
            let found = v
                .topics
                .iter()
                .find(|t| t.name == tp.topic.as_str())
                .and_then(|t| t.partitions.get(tp.partition as usize));
            match found {
                None => html! { <p class="muted">{ "This partition is gone." }</p> },
                Some(q) => {
                    html! {
                        <>
                            <h2>{ tp.to_string() }</h2>
                            { raw(crate::markup::partition_facts(q)) }
                            if let Some(l) = q.leader {
                                <div class="actions">{ action("Crash its leader", format!("broker stop {l}"), "inspect-crash-leader".into()) }</div>
                            }
                            { raw(crate::markup::partition_records(q)) }
                        </>
                    }
                }
            }
        }
        Some(Selection::Client(name)) => match v.clients.iter().find(|c| &c.name == name) {
            None => html! { <p class="muted">{ "This client is gone." }</p> },
            Some(c) => client(c, v, &action, &p.dispatch, p.readonly),
        },
        Some(Selection::Group(name)) => match v.groups.iter().find(|g| &g.name == name) {
            None => html! { <p class="muted">{ "This group is gone." }</p> },
            Some(g) => {
                let subscription = v
                    .clients
                    .iter()
                    .filter_map(|c| c.group.as_ref())
                    .find(|m| &m.group == name)
                    .map(|m| m.subscription.join(","))
                    .unwrap_or_default();
                let n = v.clients.iter().filter(|c| c.name.starts_with(&format!("{name}-member-"))).count() + 1;
                // A new member speaks the group's protocol; a share group's is a share consumer.
                let share = g.group_protocol == "share";
                let add = match g.group_protocol {
                    "share" => format!("share-consumer {name}-member-{n} group.id={name}"),
                    "consumer" => format!(
                        "consumer {name}-member-{n} group.id={name} auto.offset.reset=earliest group.protocol=consumer"
                    ),
                    _ => format!("consumer {name}-member-{n} group.id={name} auto.offset.reset=earliest"),
                };
                let add_lines =
                    [add, format!("subscribe {name}-member-{n} {subscription}"), format!("consume {name}-member-{n}")];
                let dispatch = p.dispatch.clone();
                let on_add = Callback::from(move |_: MouseEvent| {
                    for l in &add_lines {
                        dispatch.emit(Action::Line(Form::Stage, l.clone()));
                    }
                });
                html! {
                    <>
                        <h2>{ format!("{}group {name}", if share { "share " } else { "" }) }</h2>
                        if !p.readonly && !subscription.is_empty() {
                            <div class="actions"><button onclick={on_add} data-testid="inspect-add-member">{ "Add a member" }</button></div>
                        }
                        { super::groups::group_card(g) }
                    </>
                }
            }
        },
    };
    html! {
        <aside class="panel inspector" aria-label="Inspector" data-testid="inspector">
            if p.selected.is_some() {
                <button class="close" onclick={close} aria-label="Close the details" data-testid="inspect-close">{ "×" }</button>
            }
            { body }
            { super::error_line("stage-error", &p.error) }
        </aside>
    }
}

fn client(
    c: &ClientView,
    v: &ClusterView,
    action: &dyn Fn(&str, String, String) -> Html,
    dispatch: &Callback<Action>,
    readonly: bool,
) -> Html {
    let name = c.name.clone();
    let closed = if c.closed { " (closed)" } else { "" };
    // close() and a crash, for a producer and a consumer alike.
    let lifecycle = if readonly || c.closed {
        html! {}
    } else {
        html! {
            <div class="actions">
                { action("Close", format!("close {name}"), "inspect-close-client".into()) }
                { action("Crash", format!("crash {name}"), "inspect-crash-client".into()) }
            </div>
        }
    };
    if c.kind == "producer" {
        let topics: Vec<String> =
            v.topics.iter().filter(|t| !t.name.starts_with("__")).map(|t| t.name.clone()).collect();
        let n = c.acked_records + c.failed_records + c.buffered_records as u64 + 1;
        html! {
            <>
                <h2>{ format!("producer {name}{closed}") }</h2>
                <p>{ format!("{} acknowledged · {} failed · {} buffered · {} request(s) in flight", c.acked_records, c.failed_records, c.buffered_records, c.in_flight.len()) }</p>
                if let Some((id, state, parts)) = &c.transaction {
                    <p>{ format!("transaction {id}: {state} on {}", parts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")) }</p>
                }
                if !readonly && !c.closed {
                    if let Some(topic) = topics.first() {
                        { send_box(&SendProps { producer: name.clone(), topic: topic.clone(), n, dispatch: dispatch.clone() }) }
                    }
                }
                { lifecycle }
                <div class="accumulator"><span class="muted">{ "Accumulator: " }</span>{ super::forms::batches(c, v.now_ms) }</div>
                <details><summary>{ "configs" }</summary>
                    { raw(crate::markup::configs(&c.configs)) }
                </details>
            </>
        }
    } else if cfg!(feature = "share-groups") && c.kind == "share consumer" {
        // No positions: the share-partitions' leaders hand it records, which it acknowledges.
        html! {
            <>
                <h2>{ format!("share consumer {name}{closed}") }</h2>
                <p>{ match &c.group { Some(m) => format!("share group {} · {} · member epoch {}", m.group, m.state, m.generation.map_or("-".into(), |g| g.to_string())), None => String::new() } }</p>
                { for c.notes.iter().map(|n| html! { <p class="muted">{ n }</p> }) }
                { lifecycle }
                { super::consumer::received(Some(c)) }
            </>
        }
    } else {
        html! {
            <>
                <h2>{ format!("consumer {name}{closed}") }</h2>
                <p>{ match &c.group { Some(m) => format!("group {} · {} · generation {}", m.group, m.state, m.generation.map_or("-".into(), |g| g.to_string())), None => "no group: assigned partitions".into() } }</p>
                { lifecycle }
                if !c.assignment.is_empty() {
                    <super::consumer::Positions consumer={name.clone()} assignment={c.assignment.clone()} {readonly} dispatch={dispatch.clone()} />
                }
                { super::consumer::received(Some(c)) }
            </>
        }
    }
}

struct SendProps {
    producer: String,
    topic: String,
    /// The number in the next record's value.
    n: u64,
    dispatch: Callback<Action>,
}

/// A record with a key of the person's choosing, sent from the producer where it is drawn.
fn send_box(p: &SendProps) -> Html {
    let on_send = {
        let (dispatch, name, topic, n) = (p.dispatch.clone(), p.producer.clone(), p.topic.clone(), p.n);
        Callback::from(move |_: MouseEvent| {
            // The key stays for the next record.
            let key = super::input_text("inspect-key", false);
            let k = if key.trim().is_empty() { String::new() } else { format!(" key={}", key.trim()) };
            dispatch.emit(Action::Line(Form::Stage, format!("send {name} {topic}{k} value=record-{n}")));
        })
    };
    html! {
        <div class="form">
            <label>{ "Key" }<input id="inspect-key" placeholder="none: sticky partitioner" data-testid="inspect-key" /></label>
            <button onclick={on_send} data-testid="inspect-send">{ format!("Send to {}", p.topic) }</button>
        </div>
    }
}

/// With nothing selected: what the picture shows, and what to try.
fn welcome() -> Html {
    html! {
        <>
            <h2>{ "Kafka, working" }</h2>
            <p>{ "Records flow left to right (top to bottom on a phone): producers send batches to each partition's leader, followers copy them, consumers fetch them. Choose anything on the stage to see its details here." }</p>
            <p class="try" data-testid="try-this">{ "Try this: choose a broker that leads a partition and crash it. Watch the controller elect a new leader from the ISR, and the consumers carry on." }</p>
            { legend() }
        </>
    }
}

/// The legend's marks: each an icon (the inside of a 40 x 14 SVG, static markup) and its words.
const LEGEND: &[(&str, &str)] = &[
    (
        r##"<rect x="1" y="1" width="38" height="12" rx="3" fill="#1f5fbf"/>"##,
        " leader replica: filled in its topic's colour",
    ),
    (
        r##"<rect x="1" y="1" width="38" height="12" rx="3" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>"##,
        " follower in the ISR: outlined",
    ),
    (
        r##"<rect x="1" y="1" width="38" height="12" rx="3" fill="none" stroke="#c2410c" stroke-width="1.5" stroke-dasharray="3 2"/>"##,
        " follower out of the ISR, or offline: orange, dashed",
    ),
    (
        r##"<rect x="1" y="1" width="38" height="12" rx="3" fill="none" stroke="#1f5fbf" stroke-width="1.5" stroke-dasharray="1.5 2.5"/>"##,
        " ELR: an eligible leader replica, out of the ISR but with every committed record; it may lead when the ISR is empty: dotted",
    ),
    (
        r##"<rect x="1" y="5" width="22" height="5" class="bar-committed-legend"/><rect x="23" y="5" width="16" height="5" fill="#f5b942"/>"##,
        " log bar: committed records (below the high watermark), then uncommitted (amber) up to the log end; a dark tick is the last stable offset of open transactions; its left end is the log start",
    ),
    (
        r##"<path d="M1 7 H39" class="flow produce" stroke-width="3"/>"##,
        " records moving in the last second: produce, replication (dashed), fetch to consumers; thicker is more, with the rate",
    ),
    (
        r##"<circle cx="20" cy="7" r="5" class="dot request"/>"##,
        " at 0.1× and slower, or by Step: each request (large) and response (small) on the wire, with its API",
    ),
    (
        r##"<rect x="1" y="1" width="38" height="12" rx="3" class="legend-dead"/>"##,
        " grey: a stopped broker, a closed or crashed client",
    ),
    (
        r##"<rect x="1" y="1" width="17" height="12" rx="3" fill="#1f5fbf"/><rect x="21" y="1" width="17" height="12" rx="3" fill="#1f5fbf" opacity=".35" stroke="currentColor" stroke-dasharray="3 2"/>"##,
        " in a group member: the partitions it owns; in a rebalance a revoked one fades out (dashed) as its new owner's grows in",
    ),
];

/// The share-groups build's marks: a share-partition's records in flight, by state.
#[cfg(feature = "share-groups")]
const SHARE_LEGEND: &[(&str, &str)] = &[(
    r##"<rect x="1" y="1" width="8" height="12" rx="2" fill="none" stroke="#6b6b70"/><rect x="11" y="1" width="8" height="12" rx="2" fill="#f5b942"/><rect x="21" y="1" width="8" height="12" rx="2" fill="#1d7a4a"/><rect x="31" y="1" width="8" height="12" rx="2" fill="#c9c9cf"/>"##,
    " in a share group: each record between the start offset (SPSO) and the end (SPEO): available (outlined), acquired by a worker under a lock (amber), acknowledged (green), archived (grey); a number is its delivery count once delivered again",
)];
#[cfg(not(feature = "share-groups"))]
const SHARE_LEGEND: &[(&str, &str)] = &[];

/// Every mark of the stage, in words.
pub fn legend() -> Html {
    html! {
        <details class="legend" open=true data-testid="legend">
            <summary>{ "Legend" }</summary>
            <ul>
                // Static markup, so each icon costs its bytes of text rather than the code that
                // would build it attribute by attribute.
                { for LEGEND.iter().chain(SHARE_LEGEND).map(|(icon, words)| html! {
                    <li>{ Html::from_html_unchecked(format!(r#"<svg width="40" height="14" aria-hidden="true">{icon}</svg>"#).into()) }{ *words }</li>
                }) }
                <li>{ "C: the active controller · V: a controller voter · on a narrow chip, L: leader, out: out of the ISR" }</li>
                <li class="timeline-legend">{ "Timeline marks: " }
                    { for [("fault", "fault"), ("recovery", "recovery"), ("election", "leader elected"), ("isr", "ISR changed"),
                           ("rebalance", "rebalance"), ("commit", "transaction committed"), ("abort", "aborted"), ("checkpoint", "checkpoint"),
                           ("branch", "a kept branch splits off (choose it to look)")]
                        .into_iter().map(|(kind, words)| html! {
                            <span class="legend-mark"><span class={classes!("swatch", kind)} aria-hidden="true" />{ format!(" {words} ") }</span>
                        }) }
                </li>
            </ul>
        </details>
    }
}
