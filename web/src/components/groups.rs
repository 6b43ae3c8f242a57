//! Consumer groups as Kafka's documentation draws them: each group with its
//! state, generation, assignor and coordinator, each member with the
//! partitions it owns, and the `kafka-consumer-groups --describe` table
//! (committed offset, log end, lag, owner). A form adds a consumer to a
//! group (subscribe, then its poll loop); each member can commit, crash or close.

use super::{error_line, value_of};
use crate::draw::tenths;
use crate::gallery::{parse_processing, APPLICATIONS};
use crate::state::{Action, Form};
use kafka_sim::command::Command;
use kafka_sim::lag::LagSample;
use kafka_sim::view::{ClientView, GroupView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The groups, each group's lag over simulated time, the topics a consumer can subscribe to.
    pub view: super::ViewRef,
    pub error: Option<String>,
    pub readonly: bool,
    pub dispatch: Callback<Action>,
}

/// The first free name of the form `member-N`.
fn next_name(clients: &[std::rc::Rc<ClientView>]) -> String {
    (1..).map(|i| format!("member-{i}")).find(|n| !clients.iter().any(|c| &c.name == n)).unwrap_or_default()
}

#[function_component(GroupsPanel)]
pub fn groups_panel(p: &Props) -> Html {
    let group = use_state(|| String::from("billing"));
    let app = use_state(|| 0usize);
    let chosen = use_state(String::new);
    let topics: Vec<String> = p.view.user_topics().map(|t| t.name.clone()).collect();
    let topic = if chosen.is_empty() { topics.first().cloned().unwrap_or_default() } else { (*chosen).clone() };
    let add = {
        let (d, group, topic, name) = (p.dispatch.clone(), (*group).clone(), topic.clone(), next_name(&p.view.clients));
        let processing = APPLICATIONS[*app].1;
        Callback::from(move |_| {
            let configs = vec![
                ("group.id".to_string(), group.clone()),
                ("auto.offset.reset".to_string(), "earliest".to_string()),
            ];
            d.emit(Action::Command(Form::Group, Command::Consumer { name: name.clone(), configs }.into()));
            d.emit(Action::Command(
                Form::Group,
                Command::Subscribe { consumer: name.clone(), topics: vec![topic.clone()], pattern: None }.into(),
            ));
            let processing = parse_processing(processing);
            d.emit(Action::Command(Form::Group, Command::Consume { consumer: name.clone(), processing }.into()));
        })
    };
    let (on_group, on_app, on_topic) = (set_text(&group), set_index(&app), set_text(&chosen));
    let members: Vec<&ClientView> = p
        .view
        .clients
        .iter()
        .filter(|c| c.group.as_ref().is_some_and(|g| !g.subscription.is_empty() || g.pattern.is_some()))
        .map(|c| &**c)
        .collect();
    html! {
        <div>
            <div class="form" hidden={p.readonly}>
                <label>{ "group.id" }
                    <input value={(*group).clone()} onchange={on_group} data-testid="group-id" />
                </label>
                <label>{ "Topic" }
                    <select onchange={on_topic} data-testid="group-topic">
                        { for topics.iter().map(|t| html! { <option value={t.clone()} selected={*t == topic}>{ t }</option> }) }
                    </select>
                </label>
                <label>{ "Application" }
                    <select onchange={on_app} data-testid="group-app">
                        { for APPLICATIONS.iter().enumerate().map(|(i, (label, _))| html! { <option value={i.to_string()} selected={i == *app}>{ *label }</option> }) }
                    </select>
                </label>
                <button onclick={add} disabled={topics.is_empty() || group.is_empty()} data-testid="group-add"
                    title="consumer NAME group.id=G; subscribe NAME TOPIC; consume NAME (its poll loop)">
                    { "Add a consumer to the group" }
                </button>
                { error_line("group-error", &p.error) }
            </div>
            { share_form(p) }
            if !members.is_empty() && !p.readonly {
                <div class="members-actions">
                    { for members.iter().filter(|c| !c.closed).map(|c| member_buttons(c, &p.dispatch)) }
                </div>
            }
            if !p.view.lag.is_empty() {
                { lag_chart(&p.view.lag) }
            }
            if p.view.groups.is_empty() {
                <p class="muted">{ "No groups yet. A consumer with a group.id that subscribes joins one: the cluster then creates __consumer_offsets and a broker becomes the group's coordinator." }</p>
            }
            { for p.view.groups.iter().map(|g| group_card(g)) }
        </div>
    }
}

/// The share-groups build's form: a worker (a share consumer) for a share group, with its poll loop.
#[cfg(feature = "share-groups")]
fn share_form(p: &Props) -> Html {
    html! { <ShareForm view={p.view.clone()} readonly={p.readonly} dispatch={p.dispatch.clone()} /> }
}

#[cfg(not(feature = "share-groups"))]
fn share_form(_: &Props) -> Html {
    Html::default()
}

#[cfg(feature = "share-groups")]
#[derive(Properties, PartialEq)]
struct ShareFormProps {
    view: super::ViewRef,
    readonly: bool,
    dispatch: Callback<Action>,
}

#[cfg(feature = "share-groups")]
#[function_component(ShareForm)]
fn share_form_component(p: &ShareFormProps) -> Html {
    use crate::gallery::SHARE_APPLICATIONS;
    let group = use_state(|| String::from("jobs"));
    let app = use_state(|| 0usize);
    let chosen = use_state(String::new);
    let topics: Vec<String> = p.view.user_topics().map(|t| t.name.clone()).collect();
    let topic = if chosen.is_empty() { topics.first().cloned().unwrap_or_default() } else { (*chosen).clone() };
    let add = {
        let (d, group, topic, name) = (p.dispatch.clone(), (*group).clone(), topic.clone(), next_name(&p.view.clients));
        let (_, configs, processing) = SHARE_APPLICATIONS[*app];
        // A new share group reads from the start, as the form's workers are there to show the
        // records already written (Kafka's default, latest, would wait for new ones).
        let new_group = !p.view.groups.iter().any(|g| *g.name == *group);
        Callback::from(move |_| {
            let mut lines = Vec::new();
            if new_group {
                lines.push(format!("group config {group} share.auto.offset.reset=earliest"));
            }
            lines.push(format!("share-consumer {name} group.id={group} {configs}").trim_end().to_string());
            lines.push(format!("subscribe {name} {topic}"));
            lines.push(format!("consume {name} {processing}").trim_end().to_string());
            for l in lines {
                d.emit(Action::Line(Form::Group, l));
            }
        })
    };
    let (on_group, on_app, on_topic) = (set_text(&group), set_index(&app), set_text(&chosen));
    html! {
        <div class="form" hidden={p.readonly} data-testid="share-form">
            <label>{ "Share group" }
                <input value={(*group).clone()} onchange={on_group} data-testid="share-group-id" />
            </label>
            <label>{ "Topic" }
                <select onchange={on_topic} data-testid="share-topic">
                    { for topics.iter().map(|t| html! { <option value={t.clone()} selected={*t == topic}>{ t }</option> }) }
                </select>
            </label>
            <label>{ "Worker" }
                <select onchange={on_app} data-testid="share-app">
                    { for SHARE_APPLICATIONS.iter().enumerate().map(|(i, (label, _, _))| html! { <option value={i.to_string()} selected={i == *app}>{ *label }</option> }) }
                </select>
            </label>
            <button onclick={add} disabled={topics.is_empty() || group.is_empty()} data-testid="share-add"
                title="share-consumer NAME group.id=G; subscribe NAME TOPIC; consume NAME (its poll loop)">
                { "Add a worker to the share group" }
            </button>
        </div>
    }
}

/// A form field that keeps what was chosen or typed in `state`.
fn set_text(state: &UseStateHandle<String>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| state.set(value_of(&e)))
}

/// A select of numbered options (a ready-made application) that keeps the chosen index in `state`.
fn set_index(state: &UseStateHandle<usize>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| state.set(value_of(&e).parse().unwrap_or(0)))
}

fn member_buttons(c: &ClientView, dispatch: &Callback<Action>) -> Html {
    let name = c.name.clone();
    let commit = {
        let n = name.clone();
        dispatch.reform(move |_| {
            Action::Command(
                Form::Group,
                Command::Commit { consumer: n.clone(), offsets: None, asynchronous: false }.into(),
            )
        })
    };
    let crash = {
        let n = name.clone();
        dispatch.reform(move |_| Action::Command(Form::Group, Command::Crash { client: n.clone() }.into()))
    };
    let close = {
        let n = name.clone();
        dispatch.reform(move |_| Action::Command(Form::Group, Command::Close { client: n.clone() }.into()))
    };
    // A share consumer's commit sends its acknowledgements; its crash leaves its records
    // acquired until their locks expire.
    let [commit_title, crash_title, close_title] = if cfg!(feature = "share-groups") && c.kind == "share consumer" {
        [
            "commitSync(): send the acknowledgements now (ShareAcknowledge)",
            "the process dies: the records it holds stay acquired until their locks expire",
            "close(): acknowledge, release what it holds, and leave the share group",
        ]
    } else {
        [
            "consumer.commitSync(): commit every position",
            "the process dies: no commit, no LeaveGroup; the coordinator waits session.timeout.ms",
            "consumer.close(): commit (auto-commit) and LeaveGroup",
        ]
    };
    html! {
        <span class="member-actions" data-testid={format!("member-{name}")}>
            <strong>{ &name }</strong>
            <button onclick={commit} title={commit_title}>{ "Commit" }</button>
            <button onclick={crash} title={crash_title}>{ "Crash" }</button>
            <button onclick={close} title={close_title}>{ "Close" }</button>
        </span>
    }
}

/// Line colours for groups, in name order.
const PALETTE: &[&str] = &["#1f6feb", "#d97706", "#16a34a", "#c026d3", "#dc2626", "#0891b2"];

/// Each group's total lag over simulated time as a line: a picture of falling behind and catching up.
fn lag_chart(samples: &[LagSample]) -> Html {
    let (w, h) = (600.0f64, 120.0f64);
    let t0 = samples.first().map_or(0, |s| s.at_ms);
    let t1 = samples.last().map_or(0, |s| s.at_ms).max(t0 + 1);
    let most = samples.iter().flat_map(|s| s.lags.iter().map(|(_, l)| *l)).max().unwrap_or(0);
    let max = most.max(1);
    let mut groups: Vec<&str> = samples.iter().flat_map(|s| s.lags.iter().map(|(g, _)| g.as_str())).collect();
    kafka_sim::sort::sort(&mut groups);
    groups.dedup();
    let x = |t: u64| (t - t0) as f64 / (t1 - t0) as f64 * w;
    let y = |l: u64| h - l as f64 / max as f64 * h;
    let lines = groups.iter().enumerate().map(|(i, g)| {
        let points: Vec<String> = samples
            .iter()
            .filter_map(|s| s.lags.iter().find(|(n, _)| n == g).map(|(_, l)| format!("{},{}", tenths(x(s.at_ms)), tenths(y(*l)))))
            .collect();
        let colour = PALETTE[i % PALETTE.len()];
        html! { <polyline points={points.join(" ")} fill="none" stroke={colour} stroke-width="2"><title>{ format!("lag of {g}") }</title></polyline> }
    });
    let span = crate::components::controls::format_time(t1 - t0);
    html! {
        <figure class="lag-chart" data-testid="lag-chart">
            <figcaption>
                { format!("Consumer lag over the last {span} (at most {most} record(s) behind)") }
                { for groups.iter().enumerate().map(|(i, g)| html! {
                    <span class="legend" style={format!("border-color: {}", PALETTE[i % PALETTE.len()])}>{ *g }</span>
                }) }
            </figcaption>
            <svg viewBox={format!("0 0 {} {}", tenths(w), tenths(h))} preserveAspectRatio="none" role="img"
                aria-label="each group's total lag over simulated time">
                <line x1="0" y1={tenths(h)} x2={tenths(w)} y2={tenths(h)} class="axis" />
                { for lines }
            </svg>
        </figure>
    }
}

/// A group as `kafka-consumer-groups --describe` shows it, with its members: the groups drawer
/// and the inspector draw the same card.
pub fn group_card(g: &GroupView) -> Html {
    // Text only, no listeners: written as markup (one string, `markup::group_card`) rather than
    // as Yew nodes, whose building code costs the download several times the text's bytes.
    Html::from_html_unchecked(crate::markup::group_card(g).into())
}
