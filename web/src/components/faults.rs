//! Network faults between any two nodes: cut, heal, slow down.

use super::{error_line, value_of};
use crate::state::{Action, Form};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Every node name: `broker-N` and the clients.
    pub nodes: Vec<String>,
    /// Cut links, as `a <-> b`.
    pub cut: Vec<(String, String)>,
    pub slow: Vec<(String, String, u64)>,
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(Faults)]
pub fn faults(p: &Props) -> Html {
    let a = use_state(|| p.nodes.first().cloned().unwrap_or_default());
    let b = use_state(|| p.nodes.get(1).cloned().unwrap_or_default());
    let latency = use_state(|| "5s".to_string());
    let pick = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: Event| s.set(value_of(&e)))
    };
    let run = |verb: &'static str| {
        let (a, b, latency, d) = (a.clone(), b.clone(), latency.clone(), p.dispatch.clone());
        Callback::from(move |_| {
            let line = match verb {
                "delay" => format!("network delay {} {} {}", *a, *b, *latency),
                _ => format!("network {verb} {} {}", *a, *b),
            };
            d.emit(Action::Line(Form::Faults, line));
        })
    };
    let on_latency = {
        let l = latency.clone();
        Callback::from(move |e: InputEvent| l.set(value_of(&e)))
    };
    let options = |selected: &str| {
        p.nodes
            .iter()
            .map(|n| html! { <option value={n.clone()} selected={n == selected}>{ n }</option> })
            .collect::<Html>()
    };
    let heal = |x: &String, y: &String| {
        let line = format!("network heal {x} {y}");
        p.dispatch.reform(move |_| Action::Line(Form::Faults, line.clone()))
    };
    html! {
        <div>
            <div class="form" data-testid="faults-form">
                <label>{ "From" }<select onchange={pick(&a)} data-testid="fault-a">{ options(&a) }</select></label>
                <label>{ "To" }<select onchange={pick(&b)} data-testid="fault-b">{ options(&b) }</select></label>
                <button onclick={run("cut")} data-testid="cut">{ "Cut link" }</button>
                <button onclick={run("heal")}>{ "Heal link" }</button>
                <label>{ "Latency" }<input value={(*latency).clone()} oninput={on_latency} size="6" /></label>
                <button onclick={run("delay")} title="set this link's latency (a slow replica)">{ "Set latency" }</button>
                { error_line("faults-error", &p.error) }
            </div>
            if !p.cut.is_empty() || !p.slow.is_empty() {
                <ul class="links">
                    { for p.cut.iter().map(|(x, y)| html! {
                        <li>{ format!("{x} ✂ {y} ") }<button onclick={heal(x, y)}>{ "heal" }</button></li>
                    }) }
                    { for p.slow.iter().map(|(x, y, ms)| html! { <li>{ format!("{x} ⏱ {y}: {ms} ms") }</li> }) }
                </ul>
            }
        </div>
    }
}
