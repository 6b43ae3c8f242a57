//! The consumer: assign a topic's partitions, poll, and see what came back.

use super::{error_line, value_of};
use crate::state::{Action, Form, CONSUMER};
use kafka_sim::command::Command;
use kafka_sim::protocol::TopicPartition;
use kafka_sim::record::Show;
use kafka_sim::view::{ClientView, TopicView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub topics: Vec<TopicView>,
    pub clients: Vec<ClientView>,
    pub error: Option<String>,
    pub readonly: bool,
    pub dispatch: Callback<Action>,
}

#[function_component(ConsumerPanel)]
pub fn consumer_panel(p: &Props) -> Html {
    let chosen = use_state(String::new);
    let topic = if chosen.is_empty() {
        p.topics.first().map(|t| t.name.clone()).unwrap_or_default()
    } else {
        (*chosen).clone()
    };
    let partitions: Vec<TopicPartition> = p
        .topics
        .iter()
        .find(|t| t.name == topic)
        .map(|t| t.partitions.iter().map(|q| TopicPartition::new(t.name.clone(), q.partition)).collect())
        .unwrap_or_default();
    let assign = {
        let d = p.dispatch.clone();
        Callback::from(move |_| {
            d.emit(Action::Command(
                Form::Consumer,
                Command::Assign { consumer: CONSUMER.into(), partitions: partitions.clone() },
            ))
        })
    };
    let poll = p.dispatch.reform(|_| Action::Command(Form::Consumer, Command::Poll { consumer: CONSUMER.into() }));
    let onchange = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| chosen.set(value_of(&e)))
    };
    let me = p.clients.iter().find(|c| c.name == CONSUMER);
    let assignment = me.map(|c| c.assignment.clone()).unwrap_or_default();
    html! {
        <div>
            <div class="form" hidden={p.readonly}>
                <label>{ "Topic" }
                    <select {onchange} data-testid="consume-topic">
                        { for p.topics.iter().map(|t| html! { <option value={t.name.clone()} selected={t.name == topic}>{ &t.name }</option> }) }
                    </select>
                </label>
                <button onclick={assign} disabled={p.topics.is_empty()} data-testid="assign">{ "Assign all partitions" }</button>
                <button onclick={poll} data-testid="poll">{ format!("Poll {CONSUMER}") }</button>
                { error_line("consumer-error", &p.error) }
            </div>
            if !assignment.is_empty() {
                <p class="muted">{ "Positions: " }
                    { for assignment.iter().map(|a| html! {
                        <span class="pos">{ format!("{} → {}", a.tp, a.position.map_or("none".into(), |o| o.to_string())) }</span>
                    }) }
                </p>
            }
            <table class="records" data-testid="received">
                <caption>{ "Records returned by poll (newest first)" }</caption>
                <thead><tr><th>{ "partition" }</th><th>{ "offset" }</th><th>{ "key" }</th><th>{ "value" }</th><th>{ "headers" }</th><th>{ "timestamp" }</th></tr></thead>
                <tbody>
                    { for me.into_iter().flat_map(|c| c.received.iter().rev().take(100)).map(|(tp, r)| html! {
                        <tr data-testid="received-row">
                            <td>{ tp.to_string() }</td>
                            <td>{ r.offset }</td>
                            <td>{ Show(&r.key).to_string() }</td>
                            <td class="value">{ Show(&r.value).to_string() }</td>
                            <td>{ r.headers.iter().map(|h| format!("{}={}", h.key, Show(&h.value))).collect::<Vec<_>>().join(", ") }</td>
                            <td>{ format!("{} ms", r.timestamp_ms) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
