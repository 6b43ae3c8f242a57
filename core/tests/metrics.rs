//! Kafka's metric names, read from the view after the golden scenarios that move them.

use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};
use kafka_sim::view::Metrics;

fn metrics_after(script: &str) -> Metrics {
    let scenario = Scenario::parse(script).unwrap();
    let sim = trace::run(&scenario, OnError::Stop, &mut String::new()).unwrap();
    sim.view().metrics
}

#[test]
fn a_slow_follower_shrinks_then_expands_the_isr() {
    let m = metrics_after(include_str!("scenarios/slow-follower.kafka"));
    assert_eq!((m.isr_shrinks, m.isr_expands), (1, 1));
    assert_eq!(m.under_replicated_partitions, 0);
}

#[test]
fn a_clean_topic_without_in_sync_replicas_is_offline() {
    let m = metrics_after(include_str!("scenarios/unclean-election.kafka"));
    assert_eq!(m.offline_partitions_count, 1, "clean-0 is offline, unclean-0 is not");
    assert_eq!(m.active_controller_count, 1);
}

#[test]
fn no_majority_of_voters_means_no_active_controller() {
    let script = include_str!("scenarios/controller-failover.kafka");
    // Without its last line, which the cluster refuses for want of a controller.
    let script: String =
        script.lines().filter(|l| !l.starts_with("topic create after")).map(|l| format!("{l}\n")).collect();
    assert_eq!(metrics_after(&script).active_controller_count, 0);
}

#[test]
fn two_dead_followers_leave_partitions_under_replicated() {
    let m = metrics_after(include_str!("scenarios/replication-not-enough-replicas.kafka"));
    assert_eq!(m.under_replicated_partitions, 1);
}
