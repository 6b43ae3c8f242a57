//! The consumer: assign a topic's partitions, poll, move positions (seek to an
//! offset, a time, the beginning or the end; pause and resume), and see what came back.

use super::{error_line, value_of};
use crate::state::{Action, Form, CONSUMER};
use kafka_sim::command::{Command, SeekTo};
use kafka_sim::protocol::TopicPartition;
use kafka_sim::view::{AssignmentView, ClientView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The topics with their partition counts (the records are the partitions panel's), and the consumers.
    pub view: super::ViewRef,
    pub error: Option<String>,
    pub readonly: bool,
    pub dispatch: Callback<Action>,
}

#[function_component(ConsumerPanel)]
pub fn consumer_panel(p: &Props) -> Html {
    let chosen = use_state(String::new);
    // Which consumer the controls act on: consumer-1 unless another is picked.
    let picked = use_state(String::new);
    let topics: Vec<(String, u32)> =
        p.view.user_topics().map(|t| (t.name.clone(), t.partitions.len() as u32)).collect();
    let consumers: Vec<&ClientView> = p.view.clients.iter().filter(|c| c.kind == "consumer").map(|c| &**c).collect();
    let who: String = if consumers.iter().any(|c| c.name == *picked) {
        (*picked).clone()
    } else if consumers.iter().any(|c| c.name == CONSUMER) || consumers.is_empty() {
        CONSUMER.into()
    } else {
        consumers[0].name.clone()
    };
    let on_pick = {
        let picked = picked.clone();
        Callback::from(move |e: Event| picked.set(value_of(&e)))
    };
    let topic = if chosen.is_empty() {
        topics.first().map(|(name, _)| name.clone()).unwrap_or_default()
    } else {
        (*chosen).clone()
    };
    let partitions: Vec<TopicPartition> = topics
        .iter()
        .find(|(name, _)| *name == topic)
        .map(|(name, count)| (0..*count).map(|q| TopicPartition::new(name.clone(), q)).collect())
        .unwrap_or_default();
    let assign = {
        let d = p.dispatch.clone();
        let who = who.clone();
        Callback::from(move |_| {
            d.emit(Action::Command(
                Form::Consumer,
                Command::Assign { consumer: who.clone(), partitions: partitions.clone() }.into(),
            ))
        })
    };
    let poll = {
        let who = who.clone();
        p.dispatch.reform(move |_| Action::Command(Form::Consumer, Command::Poll { consumer: who.clone() }.into()))
    };
    let onchange = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| chosen.set(value_of(&e)))
    };
    let me = p.view.clients.iter().find(|c| c.name == who).map(|c| &**c);
    let closed = me.is_some_and(|c| c.closed);
    let close = {
        let who = who.clone();
        p.dispatch.reform(move |_| Action::Command(Form::Consumer, Command::Close { client: who.clone() }.into()))
    };
    let assignment = me.map(|c| c.assignment.clone()).unwrap_or_default();
    // Every consumer reading the topic, side by side: what read_committed and read_uncommitted
    // readers of the same partitions got.
    let readers: Vec<&ClientView> = p
        .view
        .clients
        .iter()
        .filter(|c| c.kind == "consumer" && c.assignment.iter().any(|a| a.tp.topic == topic))
        .map(|c| &**c)
        .collect();
    html! {
        <div>
            if readers.len() > 1 {
                <table class="records readers" data-testid="readers">
                    <caption>{ format!("Who reads {topic}") }</caption>
                    <thead><tr><th>{ "consumer" }</th><th>{ "isolation.level" }</th><th>{ "positions" }</th><th>{ "records returned" }</th><th>{ "arrived twice" }</th></tr></thead>
                    <tbody>
                        { for readers.iter().map(|c| html! {
                            <tr data-testid={format!("reader-{}", c.name)}>
                                <td>{ &c.name }</td>
                                <td>{ if c.read_committed { "read_committed" } else { "read_uncommitted" } }</td>
                                <td>{ c.assignment.iter().filter(|a| a.tp.topic == topic).map(|a| format!("{}:{}", a.tp.partition, a.position.map_or("-".into(), |o| o.to_string()))).collect::<Vec<_>>().join(" ") }</td>
                                <td>{ c.consumed }</td>
                                <td>{ c.duplicates }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <div class="form" hidden={p.readonly}>
                if consumers.len() > 1 {
                    <label>{ "Consumer" }
                        <select onchange={on_pick} data-testid="consumer-pick">
                            { for consumers.iter().map(|c| html! { <option value={c.name.clone()} selected={c.name == who}>{ &c.name }</option> }) }
                        </select>
                    </label>
                }
                <label>{ "Topic" }
                    <select {onchange} data-testid="consume-topic">
                        { for topics.iter().map(|(name, _)| html! { <option value={name.clone()} selected={*name == topic}>{ name }</option> }) }
                    </select>
                </label>
                <button onclick={assign} disabled={topics.is_empty()} data-testid="assign">{ "Assign all partitions" }</button>
                <button onclick={poll} disabled={closed} data-testid="poll">{ format!("Poll {who}") }</button>
                <button onclick={close} disabled={closed || me.is_none()} title="consumer.close()" data-testid="consumer-close">{ if closed { "Closed" } else { "Close" } }</button>
                { error_line("consumer-error", &p.error) }
            </div>
            if !assignment.is_empty() {
                <Positions consumer={who.clone()} assignment={assignment} readonly={p.readonly} dispatch={p.dispatch.clone()} />
            }
            if let Some(c) = me.filter(|c| c.read_committed || c.duplicates > 0) {
                <p class="muted" data-testid="consumer-reading">
                    { if c.read_committed { "isolation.level=read_committed: reads up to the last stable offset; aborted records and markers are skipped. " } else { "" } }
                    if c.duplicates > 0 {
                        <span class="bad" data-testid="consumer-duplicates">
                            { format!("{} record(s) arrived twice (the same source record, written again downstream)", c.duplicates) }
                        </span>
                    }
                </p>
            }
            { received(me) }
        </div>
    }
}

/// The records a consumer's polls returned, newest first: the consume drawer and the inspector
/// draw the same table.
pub fn received(me: Option<&ClientView>) -> Html {
    // Text only: markup written as one string (`markup::received`).
    Html::from_html_unchecked(crate::markup::received(me).into())
}

#[derive(Properties, PartialEq)]
pub struct PositionsProps {
    pub consumer: String,
    pub assignment: Vec<AssignmentView>,
    pub readonly: bool,
    pub dispatch: Callback<Action>,
}

/// Each assigned partition's position with one-click seeks and pause, and a
/// form to seek to an offset or to a time (`offsetsForTimes`).
#[function_component(Positions)]
pub fn positions(p: &PositionsProps) -> Html {
    let target = use_state(String::new);
    let by_time = use_state(|| false);
    let who = p.consumer.clone();
    let chosen = use_state(String::new);
    let command = |c: Command| {
        let (d, c) = (p.dispatch.clone(), kafka_sim::command::SharedCommand::new(c));
        Callback::from(move |_: MouseEvent| d.emit(Action::Command(Form::Consumer, c.clone())))
    };

    let seek = |tp: &TopicPartition, to: SeekTo| command(Command::Seek { consumer: who.clone(), tp: tp.clone(), to });
    let tp_chosen = p
        .assignment
        .iter()
        .map(|a| a.tp.clone())
        .find(|tp| tp.to_string() == *chosen)
        .or_else(|| p.assignment.first().map(|a| a.tp.clone()));
    let number = target.trim().parse::<u64>().ok();
    let submit = {
        let (d, tp, by_time, who) = (p.dispatch.clone(), tp_chosen.clone(), *by_time, who.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let (Some(tp), Some(n)) = (tp.clone(), number) {
                let to = if by_time { SeekTo::Timestamp(n) } else { SeekTo::Offset(n) };
                d.emit(Action::Command(Form::Consumer, Command::Seek { consumer: who.clone(), tp, to }.into()));
            }
        })
    };
    let on_tp = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| chosen.set(value_of(&e)))
    };
    let on_mode = {
        let by_time = by_time.clone();
        Callback::from(move |e: Event| by_time.set(value_of(&e) == "timestamp"))
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                target.set(input.value());
            }
        })
    };
    html! {
        <div class="positions">
            <table class="records" data-testid="positions">
                <caption>{ "Positions (the offset the next poll reads from)" }</caption>
                <thead><tr><th>{ "partition" }</th><th>{ "position" }</th><th>{ "high watermark" }</th><th hidden={p.readonly}>{ "move" }</th></tr></thead>
                <tbody>
                    { for p.assignment.iter().map(|a| {
                        let pause = if a.paused {
                            command(Command::Resume { consumer: who.clone(), partitions: vec![a.tp.clone()] })
                        } else {
                            command(Command::Pause { consumer: who.clone(), partitions: vec![a.tp.clone()] })
                        };
                        html! {
                            <tr data-testid="position-row" class={classes!(a.paused.then_some("paused"))}>
                                <td>{ a.tp.to_string() }{ if a.paused { " (paused)" } else { "" } }</td>
                                <td class="pos">{ a.position.map_or("none".into(), |o| o.to_string()) }</td>
                                <td>{ a.high_watermark.map_or("?".into(), |o| o.to_string()) }</td>
                                <td hidden={p.readonly}>
                                    <button onclick={seek(&a.tp, SeekTo::Beginning)} title="seekToBeginning" data-testid="seek-beginning">{ "To beginning" }</button>
                                    <button onclick={seek(&a.tp, SeekTo::End)} title="seekToEnd" data-testid="seek-end">{ "To end" }</button>
                                    <button onclick={pause} data-testid="pause">{ if a.paused { "Resume" } else { "Pause" } }</button>
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <form class="form" hidden={p.readonly} onsubmit={submit} data-testid="seek-form">
                <label>{ "Seek" }
                    <select onchange={on_tp} aria-label="partition to seek" data-testid="seek-partition">
                        { for p.assignment.iter().map(|a| html! { <option value={a.tp.to_string()} selected={Some(&a.tp) == tp_chosen.as_ref()}>{ a.tp.to_string() }</option> }) }
                    </select>
                </label>
                <label>{ "to" }
                    <select onchange={on_mode} aria-label="seek by" data-testid="seek-mode">
                        <option value="offset" selected={!*by_time}>{ "offset" }</option>
                        <option value="timestamp" selected={*by_time}>{ "time (ms): offsetsForTimes" }</option>
                    </select>
                </label>
                <input type="number" min="0" value={(*target).clone()} oninput={on_target} aria-label="offset or timestamp" data-testid="seek-target" />
                <button type="submit" disabled={number.is_none()} data-testid="seek">{ "Seek" }</button>
            </form>
        </div>
    }
}
