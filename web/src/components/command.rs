//! The command bar: any script line, applied as typed (every action in the page is one), with
//! suggestions for the cluster as it is (its brokers, clients and topics).

use crate::state::{Action, Form};
use kafka_sim::view::ClusterView;
use web_sys::KeyboardEvent;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: super::ViewRef,
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

/// Lines worth suggesting for this cluster: each command's shape with real names in it.
pub fn suggestions(view: &ClusterView) -> Vec<String> {
    let mut out = Vec::new();
    let topics: Vec<&str> = view.topics.iter().map(|t| t.name.as_str()).filter(|t| !t.starts_with("__")).collect();
    let topic = topics.first().copied().unwrap_or("orders");
    out.push("topic create orders partitions=3 replication-factor=3".to_string());
    out.push("producer p2 acks=all linger.ms=5".to_string());
    for c in &view.clients {
        if c.kind == "producer" {
            out.push(format!("send {} {topic} key=k1 value=hello", c.name));
            out.push(format!("traffic {} {topic} rate=10 keys=8", c.name));
        } else {
            out.push(format!("crash {}", c.name));
        }
        out.push(format!("close {}", c.name));
    }
    for b in &view.brokers {
        out.push(format!("broker {} {}", if b.alive { "stop" } else { "start" }, b.id));
        out.push(format!("broker shutdown {}", b.id));
    }
    if view.brokers.len() > 1 {
        out.push("network cut broker-1 broker-2".to_string());
        out.push("network heal broker-1 broker-2".to_string());
    }
    out.push("consumer c9 group.id=g2 auto.offset.reset=earliest".to_string());
    out.push("advance 10s".to_string());
    out
}

/// A plain function: the line typed stays in its input until it runs ([`super::input_text`]).
pub fn command_bar(p: &Props) -> Html {
    let run = {
        let dispatch = p.dispatch.clone();
        move || {
            let line = super::input_text("command-input", true).trim().to_string();
            if !line.is_empty() {
                dispatch.emit(Action::Line(Form::Command, line));
            }
        }
    };
    let onkeydown = {
        let run = run.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                run();
            }
        })
    };
    let onclick = Callback::from(move |_: MouseEvent| run());
    let invalid = p.error.is_some().then_some("true");
    html! {
        <div class="command-bar form">
            <label class="grow">{ "Command (any script line, Enter to run)" }
                <input id="command-input" list="command-suggestions" {onkeydown} aria-invalid={invalid}
                    aria-describedby="command-error" placeholder="broker stop 1" data-testid="command" spellcheck="false" />
            </label>
            <datalist id="command-suggestions">
                { for suggestions(&p.view).into_iter().map(|s| html! { <option value={s} /> }) }
            </datalist>
            <button {onclick} data-testid="command-run">{ "Run" }</button>
            { super::error_line("command-error", &p.error) }
        </div>
    }
}
