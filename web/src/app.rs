//! The root component: owns the [`Playground`], turns browser time into
//! `Tick`s while playing, handles keyboard shortcuts, and lays out the views.

use crate::components::cluster::Cluster;
use crate::components::consumer::ConsumerPanel;
use crate::components::controls::Controls;
use crate::components::events::EventLog;
use crate::components::faults::Faults;
use crate::components::forms::{SendPanel, TopicPanel};
use crate::components::network::Network;
use crate::components::partitions::Partitions;
use crate::components::script::ScriptPanel;
use crate::state::{Action, Form, Playground};
use gloo_timers::callback::Interval;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// How often the page moves simulated time while playing, in real milliseconds.
const TICK_MS: u32 = 100;

/// Seed of a new session; sharing and seeds in the URL come with share links.
const SEED: u64 = 1;

pub fn mount() {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => {
            yew::Renderer::<App>::with_root(el).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let playground: Rc<RefCell<Playground>> = use_mut_ref(|| Playground::new(SEED));
    let update = use_force_update();
    let dispatch = {
        let playground = playground.clone();
        Callback::from(move |action: Action| {
            playground.borrow_mut().reduce(action);
            update.force_update();
        })
    };

    let playing = playground.borrow().playing;
    {
        let dispatch = dispatch.clone();
        use_effect_with(playing, move |&playing| {
            let interval = playing
                .then(|| Interval::new(TICK_MS, move || dispatch.emit(Action::Tick { real_ms: u64::from(TICK_MS) })));
            move || drop(interval)
        });
    }

    let onkeydown = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let in_field = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"));
            if in_field || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            match e.key().as_str() {
                " " | "k" => {
                    e.prevent_default();
                    dispatch.emit(if playing { Action::Pause } else { Action::Play });
                }
                "." | "n" => dispatch.emit(Action::Step),
                // A broker's number crashes it, or starts it again.
                digit if digit.len() == 1 && digit.as_bytes()[0].is_ascii_digit() => {
                    dispatch.emit(Action::ToggleBroker(u32::from(digit.as_bytes()[0] - b'0')))
                }
                _ => {}
            }
        })
    };

    let pg = playground.borrow();
    let view = pg.sim.view();
    let error = |form: Form| pg.errors.get(&form).cloned();
    let nodes: Vec<String> = view
        .brokers
        .iter()
        .map(|b| format!("broker-{}", b.id))
        .chain(view.clients.iter().map(|c| c.name.clone()))
        .collect();
    let cut: Vec<(String, String)> = view.cut_links.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let slow: Vec<(String, String, u64)> =
        view.slow_links.iter().map(|(a, b, ms)| (a.to_string(), b.to_string(), *ms)).collect();
    html! {
        <div class="playground" {onkeydown} tabindex="-1">
            <header class="top">
                <h1>{ "Kafka Playground" }</h1>
                <Controls now_ms={view.now_ms} playing={pg.playing} speed={pg.speed}
                    scheduled={view.scheduled} error={error(Form::Time)} dispatch={dispatch.clone()} />
            </header>
            <p class="simplified">
                { "A simulated Kafka 4.x (KRaft) cluster. Simplified: the controller pushes whole metadata images and the quorum's Raft messages are not drawn; no consumer groups or transactions yet. " }
                <kbd>{ "Space" }</kbd>{ " play/pause, " }<kbd>{ "." }</kbd>{ " step, " }<kbd>{ "1" }</kbd>{ "–" }<kbd>{ "9" }</kbd>{ " crash or start that broker." }
            </p>
            <main class="grid">
                <section class="panel cluster-panel" aria-labelledby="cluster-h">
                    <h2 id="cluster-h">{ "Cluster" }</h2>
                    <Cluster brokers={view.brokers.clone()} metrics={view.metrics.clone()} controller_epoch={view.controller_epoch}
                        error={error(Form::Faults)} dispatch={dispatch.clone()} />
                </section>
                <section class="panel wide" aria-labelledby="net-h">
                    <h2 id="net-h">{ "Messages" }</h2>
                    <Network brokers={view.brokers.clone()} clients={view.clients.clone()} messages={pg.sim.messages_in_flight(200)}
                        cut={view.cut_links.clone()} slow={view.slow_links.clone()} active_controller={view.active_controller}
                        now_ms={view.now_ms} show_chatter={pg.show_chatter} />
                </section>
                <section class="panel" aria-labelledby="faults-h">
                    <h2 id="faults-h">{ "Network" }</h2>
                    <Faults nodes={nodes} cut={cut} slow={slow} error={error(Form::Faults)} dispatch={dispatch.clone()} />
                </section>
                <section class="panel" aria-labelledby="topic-h">
                    <h2 id="topic-h">{ "Create a topic" }</h2>
                    <TopicPanel error={error(Form::Topic)} dispatch={dispatch.clone()} />
                </section>
                <section class="panel" aria-labelledby="send-h">
                    <h2 id="send-h">{ "Produce" }</h2>
                    <SendPanel topics={view.topics.iter().map(|t| t.name.clone()).collect::<Vec<_>>()}
                        producers={view.clients.iter().filter(|c| c.kind == "producer").cloned().collect::<Vec<_>>()}
                        error={error(Form::Send)} dispatch={dispatch.clone()} />
                </section>
                <section class="panel wide" aria-labelledby="consume-h">
                    <h2 id="consume-h">{ "Consume" }</h2>
                    <ConsumerPanel topics={view.topics.clone()} clients={view.clients.clone()}
                        error={error(Form::Consumer)} dispatch={dispatch.clone()} />
                </section>
                <section class="panel wide" aria-labelledby="logs-h">
                    <h2 id="logs-h">{ "Partitions" }</h2>
                    <Partitions topics={view.topics.clone()} />
                </section>
                <section class="panel wide" aria-labelledby="events-h">
                    <h2 id="events-h">{ "Events" }</h2>
                    <EventLog events={pg.log.iter().rev().take(300).map(|e| (e.at.ms, e.kind.to_string())).collect::<Vec<_>>()}
                        dropped={pg.log_dropped} hidden={pg.chatter_hidden} show_chatter={pg.show_chatter}
                        toggle={dispatch.reform(|_| Action::ToggleChatter)} />
                </section>
                <section class="panel wide" aria-labelledby="script-h">
                    <h2 id="script-h">{ "Session script" }</h2>
                    <ScriptPanel script={pg.script()} />
                </section>
            </main>
        </div>
    }
}
