//! The consumer protocol's heartbeat backs off as the Java client's `HeartbeatRequestState`
//! does: after each failed attempt that backs off (a request timed out, a connection refused,
//! COORDINATOR_LOAD_IN_PROGRESS) the wait doubles from `retry.backoff.ms` up to
//! `retry.backoff.max.ms`, each within 20% jitter (`ConsumerHeartbeatRequestManagerTest.testNetworkTimeout`
//! and `testDisconnect` for the first wait; `ExponentialBackoff` for the rest).

use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};

const SCRIPT: &str = "\
seed 5
cluster brokers=3
topic create orders partitions=2 replication-factor=3
consumer c1 group.id=billing group.protocol=consumer auto.offset.reset=earliest
subscribe c1 orders
consume c1
advance 8s
expect group billing coordinator=2
broker stop 2
advance 20s
";

/// The simulated times (ms) of `c1`'s heartbeats refused by the stopped coordinator.
fn refused_heartbeats(text: &str) -> Vec<u64> {
    text.lines()
        .filter(|l| l.contains("c1: connection to broker-2 refused") && l.contains("ConsumerGroupHeartbeat"))
        .map(|l| l.split_whitespace().next().and_then(|t| t.parse().ok()).expect("a time"))
        .collect()
}

#[test]
fn a_failing_heartbeat_backs_off_exponentially_up_to_retry_backoff_max_ms() {
    let scenario = Scenario::parse(SCRIPT).expect("parses");
    let mut text = String::new();
    trace::run(&scenario, OnError::Record, &mut text).expect("runs");
    assert!(!text.contains("FAILED"), "broker-2 coordinates the group:\n{text}");
    let times = refused_heartbeats(&text);
    assert!(times.len() >= 6, "the coordinator was asked again and again: {times:?}");
    // Each retry: the backoff, then FindCoordinator and the heartbeat (a few ms of links).
    for (n, pair) in times.windows(2).take(8).enumerate() {
        let gap = pair[1] - pair[0];
        let expected = (100u64 << n).min(1_000);
        let (low, high) = (expected * 8 / 10, expected * 12 / 10 + 5);
        assert!((low..=high).contains(&gap), "retry {n}: waited {gap} ms, not within 20% of {expected}: {times:?}");
    }
}

/// A share consumer's heartbeats to a stopped coordinator back off the same way (a refused
/// connection fails the ShareGroupHeartbeat with NETWORK_EXCEPTION; the coordinator is looked up
/// again after the doubled wait).
#[cfg(feature = "share-groups")]
#[test]
fn a_share_consumers_failing_heartbeat_backs_off_exponentially_too() {
    let script = "\
seed 7
cluster brokers=3
topic create jobs partitions=1 replication-factor=3
share-consumer w1 group.id=jobs
subscribe w1 jobs
consume w1
advance 5s
expect share-group jobs coordinator=3
broker stop 3
advance 20s
";
    let scenario = Scenario::parse(script).expect("parses");
    let mut text = String::new();
    trace::run(&scenario, OnError::Record, &mut text).expect("runs");
    assert!(!text.contains("FAILED"), "broker-3 coordinates the share group:\n{text}");
    let times: Vec<u64> = text
        .lines()
        .filter(|l| l.contains("w1: connection to broker-3 refused") && l.contains("ShareGroupHeartbeat"))
        .map(|l| l.split_whitespace().next().and_then(|t| t.parse().ok()).expect("a time"))
        .collect();
    assert!(times.len() >= 6, "the coordinator was asked again and again: {times:?}");
    for (n, pair) in times.windows(2).take(6).enumerate() {
        let gap = pair[1] - pair[0];
        let expected = (100u64 << n).min(1_000);
        let (low, high) = (expected * 8 / 10, expected * 12 / 10 + 5);
        assert!((low..=high).contains(&gap), "retry {n}: waited {gap} ms, not within 20% of {expected}: {times:?}");
    }
}
