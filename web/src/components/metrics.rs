//! The cluster's health in Kafka's own metric names, one line above the stage: what a person
//! would otherwise count on the picture (offline and under-replicated partitions).

use kafka_sim::view::Metrics;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub metrics: Metrics,
}

/// A plain function, not a component: it changes with every tick, so a component's skipped
/// renders would save nothing and its lifecycle code would cost page bytes.
pub fn metrics_line(p: &Props) -> Html {
    let m = &p.metrics;
    html! {
        <p class="metrics" data-testid="metrics">
            <span title="ActiveControllerCount">{ format!("active controller: {}", m.active_controller_count) }</span>
            <span class={classes!((m.offline_partitions_count > 0).then_some("bad"))} title="OfflinePartitionsCount">
                { format!("offline partitions: {}", m.offline_partitions_count) }</span>
            <span class={classes!((m.under_replicated_partitions > 0).then_some("warn"))} title="UnderReplicatedPartitions">
                { format!("under-replicated: {}", m.under_replicated_partitions) }</span>
            <span title="IsrShrinksPerSec / IsrExpandsPerSec, as totals">{ format!("ISR shrinks {} · expands {}", m.isr_shrinks, m.isr_expands) }</span>
        </p>
    }
}
