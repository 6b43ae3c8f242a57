//! Brokers as columns: the controller and voters marked, fenced or stopped
//! brokers greyed, each replica a chip (leader filled, in-sync follower
//! outlined, out-of-sync follower dashed, idle grey) with one-click faults.

use crate::state::{Action, Form};
use kafka_sim::protocol::TopicPartition;
use kafka_sim::view::{BrokerView, Metrics};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub brokers: Vec<BrokerView>,
    pub metrics: Metrics,
    pub controller_epoch: u32,
    pub error: Option<String>,
    /// An embed without controls that change the session.
    pub readonly: bool,
    pub dispatch: Callback<Action>,
}

#[function_component(Cluster)]
pub fn cluster(p: &Props) -> Html {
    let m = &p.metrics;
    html! {
        <div>
            <p class="metrics" data-testid="metrics">
                <span title="ActiveControllerCount">{ format!("active controller: {}", m.active_controller_count) }</span>
                <span class={classes!((m.offline_partitions_count > 0).then_some("bad"))} title="OfflinePartitionsCount">
                    { format!("offline partitions: {}", m.offline_partitions_count) }</span>
                <span class={classes!((m.under_replicated_partitions > 0).then_some("warn"))} title="UnderReplicatedPartitions">
                    { format!("under-replicated: {}", m.under_replicated_partitions) }</span>
                <span title="IsrShrinksPerSec / IsrExpandsPerSec, as totals">{ format!("ISR shrinks {} · expands {}", m.isr_shrinks, m.isr_expands) }</span>
            </p>
            <div class="brokers">
                { for p.brokers.iter().map(|b| html! {
                    <BrokerBox key={b.id} box_={broker_box(b, p.controller_epoch)} readonly={p.readonly} dispatch={p.dispatch.clone()} />
                }) }
            </div>
            { super::error_line("faults-error", &p.error) }
        </div>
    }
}

/// One replica chip, as drawn.
#[derive(Clone, Debug, PartialEq)]
struct Chip {
    tp: TopicPartition,
    /// The role as the chip's colour: leader, follower, out-of-sync or idle.
    class: &'static str,
    role: &'static str,
    in_isr: bool,
    /// `(LEO, HW)`, only for an out-of-sync follower, where they are the point.
    offsets: Option<(u64, u64)>,
}

/// What one broker's box shows. Offsets appear only on out-of-sync followers, where they are
/// the point; so a box changes when roles, the ISR or the broker's state change, not with every
/// record, and playback of a large cluster redraws only the boxes that changed.
#[derive(Clone, Debug, PartialEq)]
struct BoxModel {
    id: u32,
    /// `running`, `fenced` or `stopped` ([`BrokerView::state`]).
    state: &'static str,
    controller: bool,
    voter: bool,
    controller_epoch: u32,
    chips: Vec<Chip>,
    /// `__consumer_offsets` replicas, and how many of them it leads.
    internal: (usize, usize),
}

fn broker_box(b: &BrokerView, controller_epoch: u32) -> BoxModel {
    // Fifty __consumer_offsets replicas per broker would bury the rest: one summary chip.
    let internal: Vec<_> = b.replicas.iter().filter(|r| r.tp.topic.starts_with("__")).collect();
    let internal_led = internal.iter().filter(|r| r.role == "leader").count();
    let chips = b
        .replicas
        .iter()
        .filter(|r| !r.tp.topic.starts_with("__"))
        .map(|r| {
            let class = match (r.role, r.in_isr) {
                ("leader", _) => "leader",
                ("follower", true) => "follower",
                ("follower", false) => "out-of-sync",
                _ => "idle",
            };
            // Built every frame for every replica, the model holds no text: words are made
            // only for the boxes that changed and are drawn.
            let offsets = (class == "out-of-sync").then_some((r.log_end_offset, r.high_watermark));
            Chip { tp: r.tp.clone(), class, role: r.role, in_isr: r.in_isr, offsets }
        })
        .collect();
    BoxModel {
        id: b.id,
        state: b.state(),
        controller: b.controller,
        voter: b.voter,
        controller_epoch,
        chips,
        internal: (internal.len(), internal_led),
    }
}

#[derive(Properties, PartialEq)]
struct BoxProps {
    box_: BoxModel,
    readonly: bool,
    dispatch: Callback<Action>,
}

#[function_component(BrokerBox)]
fn broker_box_view(p: &BoxProps) -> Html {
    let b = &p.box_;
    let line = |text: String| p.dispatch.reform(move |_| Action::Line(Form::Faults, text.clone()));
    let state = b.state;
    let id = b.id;
    let (internal, internal_led) = b.internal;
    html! {
        <div class={classes!("broker", (state != "running").then_some("dead"))} data-testid={format!("broker-{id}")}>
            <h3>{ format!("broker-{id}") }
                if b.controller { <span class="badge controller" title={format!("active controller, epoch {}", b.controller_epoch)}>{ "controller" }</span> }
                else if b.voter { <span class="badge" title="KRaft quorum voter">{ "voter" }</span> }
            </h3>
            <p class="muted state" data-testid={format!("broker-{id}-state")}>{ state }</p>
            <ul class="chips" aria-label={format!("replicas on broker-{id}")}>
                { for b.chips.iter().map(|c| {
                    let isr = if c.in_isr { "in ISR" } else { "not in ISR" };
                    let title = match c.offsets {
                        Some((leo, hw)) => format!("{}: {}, {isr}, LEO {leo}, HW {hw}", c.tp, c.role),
                        None => format!("{}: {}, {isr}", c.tp, c.role),
                    };
                    // The role in words, for screen readers (the colour says it on screen): as
                    // the chip's name, not a visually hidden span, which is positioned, so a
                    // layer of its own for the browser to paint and hit-test, 1,800 of them in a
                    // large cluster.
                    let name = format!("{}: {}, {isr}", c.tp, c.role);
                    html! { <li class={classes!("chip", c.class)} {title} aria-label={name}>{ c.tp.to_string() }</li> }
                }) }
                if internal > 0 {
                    <li class="chip internal" title="replicas of __consumer_offsets; the leader of a group's partition is its coordinator">
                        { format!("__consumer_offsets ×{internal} (leads {internal_led})") }
                    </li>
                }
            </ul>
            if b.chips.is_empty() && internal == 0 { <p class="muted">{ "no replicas" }</p> }
            <div class="actions" hidden={p.readonly}>
                if state != "stopped" {
                    <button onclick={line(format!("broker stop {id}"))} title={format!("crash broker-{id} (key {id})")} data-testid={format!("crash-{id}")}>{ "Crash" }</button>
                    <button onclick={line(format!("broker shutdown {id}"))} title="controlled shutdown: leaderships move away first">{ "Shut down" }</button>
                    <button onclick={line(format!("network isolate broker-{id}"))} title="cut every link of this broker">{ "Isolate" }</button>
                } else {
                    <button onclick={line(format!("broker start {id}"))} title={format!("restart broker-{id} (key {id})")} data-testid={format!("start-{id}")}>{ "Start" }</button>
                }
            </div>
        </div>
    }
}
