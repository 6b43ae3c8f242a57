//! The same scripts in WebAssembly (headless Chromium, via wasm-bindgen-test)
//! must give exactly the traces the native golden test checks.
//! Run with `cargo test -p kafka-sim --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, fnv1a64, OnError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! scenario {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("scenarios/", $name, ".kafka")),
            include_str!(concat!("scenarios/", $name, ".trace")),
        )
    };
}

const SCENARIOS: &[(&str, &str, &str)] = &[
    scenario!("first-steps"),
    scenario!("topic-rules"),
    scenario!("broker-down"),
    scenario!("network-cut"),
    scenario!("auto-create"),
    scenario!("auto-create-disabled"),
    scenario!("batching"),
    scenario!("consumer-positions"),
    scenario!("seek"),
    scenario!("record-size"),
    scenario!("bad-commands"),
    scenario!("replication-isr-join-while-cut"),
    scenario!("replication-leader-crash"),
    scenario!("replication-not-enough-replicas"),
    scenario!("replication-min-isr-capped"),
    scenario!("replication-idle-follower-in-sync"),
    scenario!("replication-unclean-enabled-later"),
    scenario!("replication-elr"),
    scenario!("replication-acks1-loss"),
    scenario!("replication-zombie-leader"),
    scenario!("unclean-election"),
    scenario!("slow-follower"),
    scenario!("controller-failover"),
    scenario!("controlled-shutdown"),
    scenario!("compression"),
    scenario!("idempotence-off"),
    scenario!("idempotence-on"),
    scenario!("idempotence-expired-batch"),
    scenario!("idempotence-unclean-leader"),
    scenario!("partitioners"),
    scenario!("group-join-leave"),
    scenario!("group-commits-in-order"),
    scenario!("group-crash-session-timeout"),
    scenario!("group-consumer-protocol"),
    scenario!("group-consumer-protocol-crash"),
    scenario!("group-consumer-protocol-static"),
    scenario!("group-consumer-protocol-regex"),
    scenario!("group-protocols-one-per-group"),
    scenario!("group-consumer-protocol-failover"),
    scenario!("group-consumer-protocol-write-refused"),
    scenario!("share-group-queue"),
    scenario!("share-group-poison"),
    scenario!("share-group-crash"),
    scenario!("share-group-failover"),
    scenario!("share-group-explicit"),
    scenario!("share-group-coordinator-failover"),
    scenario!("share-group-write-failed"),
    scenario!("share-group-read-committed"),
    scenario!("share-group-throttled"),
    scenario!("share-group-zombie-fenced"),
    scenario!("share-group-by-duration"),
    scenario!("share-session-limit"),
    scenario!("share-group-write-refused"),
    scenario!("share-session-idle"),
    scenario!("share-state-updates"),
    scenario!("share-state-pruned"),
    scenario!("group-coordinator-failover"),
    scenario!("group-two-groups"),
    scenario!("group-eager-vs-cooperative"),
    scenario!("group-static-member"),
    scenario!("group-commit-before-processing"),
    scenario!("group-commit-after-processing"),
    scenario!("group-offset-out-of-range"),
    scenario!("group-poison-dlq"),
    scenario!("group-slow-consumer"),
    scenario!("group-manual-commit"),
    scenario!("group-missing-topic"),
    scenario!("group-new-partitions"),
    scenario!("group-pattern-subscription"),
    scenario!("group-zombie-static-member"),
    scenario!("group-invalid-session-timeout"),
    scenario!("group-static-slow-consumer"),
    scenario!("group-offsets-expire"),
    scenario!("group-sticky-two-topics"),
    scenario!("txn-late-write-v1"),
    scenario!("txn-late-write-v1-unverified"),
    scenario!("txn-bump-retried"),
    scenario!("topic-broker-defaults"),
    scenario!("cluster-broker-settings"),
    scenario!("cluster-topic-defaults"),
    scenario!("txn-late-write-v2"),
    scenario!("record-formats"),
    scenario!("producer-buffer-memory"),
    scenario!("producer-batch-drain"),
    scenario!("producer-metadata-max-age"),
    scenario!("producer-retry-new-leader"),
    scenario!("producer-sticky-switch"),
    scenario!("producer-request-per-broker"),
    scenario!("producer-request-answered-once"),
    scenario!("producer-drain-index"),
    scenario!("internal-topics-three-brokers"),
    scenario!("internal-topics-one-partition"),
    scenario!("consumer-fetch-limits"),
    scenario!("fetch-parked-leader-moves"),
    scenario!("fetch-sessions"),
    scenario!("fetch-sessions-no-slots"),
    scenario!("consumer-reset-by-duration"),
    scenario!("log-retention"),
    scenario!("log-retention-quiet-topic"),
    scenario!("traffic"),
    scenario!("log-compaction"),
    scenario!("txn-commit-abort"),
    scenario!("txn-lso-waits-for-marker"),
    scenario!("txn-read-committed-latest"),
    scenario!("txn-zombie-fencing"),
    scenario!("txn-coordinator-failover"),
    scenario!("txn-consume-transform-produce"),
    scenario!("txn-delivery-guarantees"),
    scenario!("txn-zombie-offsets-fenced"),
];

#[wasm_bindgen_test]
fn wasm_traces_hash_the_same_as_native_golden_traces() {
    for (name, script, golden) in SCENARIOS {
        let scenario = Scenario::parse(script).expect("golden scripts parse");
        let mut out = String::new();
        trace::run(&scenario, OnError::Record, &mut out).expect("Record mode never stops");
        assert_eq!(fnv1a64(out.as_bytes()), fnv1a64(golden.as_bytes()), "{name}: wasm trace differs from native");
    }
}
