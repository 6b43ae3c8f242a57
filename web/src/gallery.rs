//! Ready scenarios, one click each: the golden scenarios the tests run, with
//! a sentence on what each shows. The scripts are the tests' own files, served
//! beside the page and fetched when one is opened (so they always match what
//! the tests check, and the page's first download does not carry them). Also
//! the ready-made consumer applications the groups panel offers.

/// `(name, what it shows, file)`: the script is `core/tests/scenarios/FILE.kafka`,
/// served as `scenarios/FILE.kafka`.
pub const SCENARIOS: &[(&str, &str, &str)] = &[
    ("First steps", "a topic, a keyed record, a consumer that reads it", "first-steps"),
    (
        "Consumer group rebalance",
        "a second member joins: the first revokes, commits, and the partitions are split",
        "group-join-leave",
    ),
    (
        "Eager versus cooperative",
        "a member joins two groups: eager stops everyone, cooperative moves only two partitions",
        "group-eager-vs-cooperative",
    ),
    (
        "Static member restart",
        "group.instance.id: a restarted member takes its partitions back without a rebalance",
        "group-static-member",
    ),
    (
        "At most once",
        "commit before processing, crash mid-batch: three records are never processed",
        "group-commit-before-processing",
    ),
    (
        "At least once",
        "process, then commit; crash mid-batch: two records are processed twice",
        "group-commit-after-processing",
    ),
    (
        "Poison record and DLQ",
        "retries, a dead-letter topic, an idempotent consumer and a graceful shutdown",
        "group-poison-dlq",
    ),
    (
        "Slow consumer",
        "processing outlasts max.poll.interval.ms: it leaves, its commit fails, the batch is read twice",
        "group-slow-consumer",
    ),
    (
        "New partitions",
        "kafka-topics --alter --partitions: the group leader notices and the group rebalances",
        "group-new-partitions",
    ),
    (
        "Zombie static member",
        "a cut-off member is replaced under its group.instance.id, then fenced when it returns",
        "group-zombie-static-member",
    ),
    ("Retention", "segments roll by time; old ones are deleted; a reader left behind resets", "log-retention"),
    (
        "Transactions",
        "two partitions commit together; an abort leaves records read_committed readers skip",
        "txn-commit-abort",
    ),
    (
        "Zombie producer fenced",
        "a second instance with the same transactional.id bumps the epoch; the first gets ProducerFenced",
        "txn-zombie-fencing",
    ),
    (
        "Transaction coordinator dies mid-commit",
        "the decision is in __transaction_state; the next coordinator writes the markers",
        "txn-coordinator-failover",
    ),
    (
        "Exactly once: consume, transform, produce",
        "output and input offsets commit in one transaction; an abort changes neither",
        "txn-consume-transform-produce",
    ),
    (
        "Delivery guarantees side by side",
        "at most once loses, at least once duplicates, exactly once does neither: the same crash three times",
        "txn-delivery-guarantees",
    ),
    (
        "Compacted changelog",
        "only the latest value of each key stays; tombstones go after delete.retention.ms",
        "log-compaction",
    ),
    (
        "Crashed group member",
        "no LeaveGroup: its partitions wait for session.timeout.ms, then records are read twice",
        "group-crash-session-timeout",
    ),
    (
        "Coordinator failover",
        "committed offsets survive in the replicated __consumer_offsets",
        "group-coordinator-failover",
    ),
    ("Two groups, one topic", "groups read independently; auto.offset.reset=none refuses to guess", "group-two-groups"),
    ("Leader crash", "acks=all survives a leader crash: the next in-sync replica leads", "replication-leader-crash"),
    (
        "acks=1 loss",
        "a cut-off leader acknowledges alone; after healing, those records are gone",
        "replication-acks1-loss",
    ),
    ("Zombie leader", "a leader cut off from the cluster is fenced by leader epochs", "replication-zombie-leader"),
    (
        "NotEnoughReplicas",
        "two replicas down: acks=all is refused, acks=1 still works",
        "replication-not-enough-replicas",
    ),
    ("Unclean election", "offline partition versus data loss", "unclean-election"),
    ("Slow follower", "a slow replica leaves the ISR and rejoins", "slow-follower"),
    ("Controller failover", "the active controller dies; without a majority, nothing changes", "controller-failover"),
    ("Controlled shutdown", "leaderships move away first, then come back", "controlled-shutdown"),
    ("Duplicates and reordering", "idempotence off: a lost answer duplicates, a retry reorders", "idempotence-off"),
    ("Idempotence", "the same faults with idempotence on: no duplicate, no reorder", "idempotence-on"),
    ("Compression", "the same records in each codec, with their sizes", "compression"),
    ("Batching", "batch.size, linger.ms, flush and acks=0", "batching"),
    (
        "Record size",
        "max.request.size and buffer.memory in the producer, max.message.bytes in the broker",
        "record-size",
    ),
    ("Partitioners", "key hash, round robin, ignored keys", "partitioners"),
    ("Consumer positions", "auto.offset.reset and long polling", "consumer-positions"),
    ("Seek and pause", "seek to an offset, a time, the beginning or end; pause and resume", "seek"),
    ("Topic rules", "every way CreateTopics says no", "topic-rules"),
    ("Network cut", "a cut link loses what crosses it until healed", "network-cut"),
    ("Auto-created topic", "sending to a topic that does not exist", "auto-create"),
];

/// Where scenario `i`'s script is served, relative to the page.
pub fn address(i: usize) -> Option<String> {
    SCENARIOS.get(i).map(|(_, _, file)| format!("scenarios/{file}.kafka"))
}

/// Ready-made applications for the poll loop: what the page calls them, and their `consume` settings.
pub const APPLICATIONS: &[(&str, &str)] = &[
    ("instant, auto-commit", ""),
    ("100 ms a record, commit after (at least once)", "processing.ms=100 commit=after"),
    ("100 ms a record, commit before (at most once)", "processing.ms=100 commit=before"),
    (
        "poison records to a DLQ, idempotent",
        "processing.ms=100 commit=after fail.value=poison retries=2 on.failure=dlq dedupe=true",
    ),
    ("poison records stop the loop", "processing.ms=100 commit=after fail.value=poison"),
];

/// A preset's settings as the engine's type, through the script parser (the presets are fixed and valid).
pub fn parse_processing(settings: &str) -> kafka_sim::command::Processing {
    match kafka_sim::scenario::Scenario::parse(&format!("consume x {settings}")) {
        Ok(s) => match s.commands.into_iter().next().map(|l| l.command) {
            Some(kafka_sim::command::Command::Consume { processing, .. }) => processing,
            _ => Default::default(),
        },
        Err(_) => Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_sim::scenario::Scenario;

    #[test]
    fn every_gallery_scenario_is_a_golden_scenario_that_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/scenarios");
        for (i, (name, _, file)) in SCENARIOS.iter().enumerate() {
            let script = std::fs::read_to_string(dir.join(format!("{file}.kafka")))
                .unwrap_or_else(|e| panic!("{name}: core/tests/scenarios/{file}.kafka: {e}"));
            assert!(Scenario::parse(&script).is_ok(), "{name}");
            assert_eq!(address(i), Some(format!("scenarios/{file}.kafka")));
        }
        assert!(SCENARIOS.len() >= 18);
    }

    #[test]
    fn every_application_preset_is_a_valid_consume_line() {
        for (label, settings) in APPLICATIONS {
            let parsed = parse_processing(settings);
            let words: Vec<String> = parsed.words().iter().map(|(k, v)| format!("{k}={v}")).collect();
            assert_eq!(words.join(" "), *settings, "{label}: the preset prints back as written");
        }
    }
}
