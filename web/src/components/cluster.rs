//! Brokers as columns, each with the replicas it holds; the leader's chip is filled.

use kafka_sim::view::BrokerView;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub brokers: Vec<BrokerView>,
}

#[function_component(Cluster)]
pub fn cluster(p: &Props) -> Html {
    html! {
        <div class="brokers">
            { for p.brokers.iter().map(|b| {
                let chips = b.replicas.iter().map(|tp| {
                    let leader = b.leader_of.contains(tp);
                    let role = if leader { "leader" } else { "follower" };
                    html! { <li class={classes!("chip", role)} title={format!("{tp}: {role}")}>{ tp.to_string() }</li> }
                });
                html! {
                    <div class={classes!("broker", (!b.alive).then_some("dead"))} data-testid={format!("broker-{}", b.id)}>
                        <h3>{ format!("broker-{}", b.id) }{ if b.alive { "" } else { " (stopped)" } }</h3>
                        <ul class="chips" aria-label={format!("replicas on broker-{}", b.id)}>{ for chips }</ul>
                        if b.replicas.is_empty() { <p class="muted">{ "no replicas" }</p> }
                    </div>
                }
            }) }
        </div>
    }
}
