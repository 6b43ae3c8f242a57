//! Ready scenarios, one click each: the golden scenarios the tests run, with
//! a sentence on what each shows. The scripts are compiled in, so the
//! gallery works offline and always matches what the tests check. Also the
//! ready-made consumer applications the groups panel offers.

/// `(name, what it shows, script)`.
pub const SCENARIOS: &[(&str, &str, &str)] = &[
    (
        "First steps",
        "a topic, a keyed record, a consumer that reads it",
        include_str!("../../core/tests/scenarios/first-steps.kafka"),
    ),
    (
        "Consumer group rebalance",
        "a second member joins: the first revokes, commits, and the partitions are split",
        include_str!("../../core/tests/scenarios/group-join-leave.kafka"),
    ),
    (
        "Eager versus cooperative",
        "a member joins two groups: eager stops everyone, cooperative moves only two partitions",
        include_str!("../../core/tests/scenarios/group-eager-vs-cooperative.kafka"),
    ),
    (
        "Static member restart",
        "group.instance.id: a restarted member takes its partitions back without a rebalance",
        include_str!("../../core/tests/scenarios/group-static-member.kafka"),
    ),
    (
        "At most once",
        "commit before processing, crash mid-batch: three records are never processed",
        include_str!("../../core/tests/scenarios/group-commit-before-processing.kafka"),
    ),
    (
        "At least once",
        "process, then commit; crash mid-batch: two records are processed twice",
        include_str!("../../core/tests/scenarios/group-commit-after-processing.kafka"),
    ),
    (
        "Poison record and DLQ",
        "retries, a dead-letter topic, an idempotent consumer and a graceful shutdown",
        include_str!("../../core/tests/scenarios/group-poison-dlq.kafka"),
    ),
    (
        "Slow consumer",
        "processing outlasts max.poll.interval.ms: it leaves, its commit fails, the batch is read twice",
        include_str!("../../core/tests/scenarios/group-slow-consumer.kafka"),
    ),
    (
        "New partitions",
        "kafka-topics --alter --partitions: the group leader notices and the group rebalances",
        include_str!("../../core/tests/scenarios/group-new-partitions.kafka"),
    ),
    (
        "Zombie static member",
        "a cut-off member is replaced under its group.instance.id, then fenced when it returns",
        include_str!("../../core/tests/scenarios/group-zombie-static-member.kafka"),
    ),
    (
        "Retention",
        "segments roll by time; old ones are deleted; a reader left behind resets",
        include_str!("../../core/tests/scenarios/log-retention.kafka"),
    ),
    (
        "Transactions",
        "two partitions commit together; an abort leaves records read_committed readers skip",
        include_str!("../../core/tests/scenarios/txn-commit-abort.kafka"),
    ),
    (
        "Zombie producer fenced",
        "a second instance with the same transactional.id bumps the epoch; the first gets ProducerFenced",
        include_str!("../../core/tests/scenarios/txn-zombie-fencing.kafka"),
    ),
    (
        "Transaction coordinator dies mid-commit",
        "the decision is in __transaction_state; the next coordinator writes the markers",
        include_str!("../../core/tests/scenarios/txn-coordinator-failover.kafka"),
    ),
    (
        "Exactly once: consume, transform, produce",
        "output and input offsets commit in one transaction; an abort changes neither",
        include_str!("../../core/tests/scenarios/txn-consume-transform-produce.kafka"),
    ),
    (
        "Delivery guarantees side by side",
        "at most once loses, at least once duplicates, exactly once does neither: the same crash three times",
        include_str!("../../core/tests/scenarios/txn-delivery-guarantees.kafka"),
    ),
    (
        "Compacted changelog",
        "only the latest value of each key stays; tombstones go after delete.retention.ms",
        include_str!("../../core/tests/scenarios/log-compaction.kafka"),
    ),
    (
        "Crashed group member",
        "no LeaveGroup: its partitions wait for session.timeout.ms, then records are read twice",
        include_str!("../../core/tests/scenarios/group-crash-session-timeout.kafka"),
    ),
    (
        "Coordinator failover",
        "committed offsets survive in the replicated __consumer_offsets",
        include_str!("../../core/tests/scenarios/group-coordinator-failover.kafka"),
    ),
    (
        "Two groups, one topic",
        "groups read independently; auto.offset.reset=none refuses to guess",
        include_str!("../../core/tests/scenarios/group-two-groups.kafka"),
    ),
    (
        "Leader crash",
        "acks=all survives a leader crash: the next in-sync replica leads",
        include_str!("../../core/tests/scenarios/replication-leader-crash.kafka"),
    ),
    (
        "acks=1 loss",
        "a cut-off leader acknowledges alone; after healing, those records are gone",
        include_str!("../../core/tests/scenarios/replication-acks1-loss.kafka"),
    ),
    (
        "Zombie leader",
        "a leader cut off from the cluster is fenced by leader epochs",
        include_str!("../../core/tests/scenarios/replication-zombie-leader.kafka"),
    ),
    (
        "NotEnoughReplicas",
        "two replicas down: acks=all is refused, acks=1 still works",
        include_str!("../../core/tests/scenarios/replication-not-enough-replicas.kafka"),
    ),
    (
        "Unclean election",
        "offline partition versus data loss",
        include_str!("../../core/tests/scenarios/unclean-election.kafka"),
    ),
    (
        "Slow follower",
        "a slow replica leaves the ISR and rejoins",
        include_str!("../../core/tests/scenarios/slow-follower.kafka"),
    ),
    (
        "Controller failover",
        "the active controller dies; without a majority, nothing changes",
        include_str!("../../core/tests/scenarios/controller-failover.kafka"),
    ),
    (
        "Controlled shutdown",
        "leaderships move away first, then come back",
        include_str!("../../core/tests/scenarios/controlled-shutdown.kafka"),
    ),
    (
        "Duplicates and reordering",
        "idempotence off: a lost answer duplicates, a retry reorders",
        include_str!("../../core/tests/scenarios/idempotence-off.kafka"),
    ),
    (
        "Idempotence",
        "the same faults with idempotence on: no duplicate, no reorder",
        include_str!("../../core/tests/scenarios/idempotence-on.kafka"),
    ),
    (
        "Compression",
        "the same records in each codec, with their sizes",
        include_str!("../../core/tests/scenarios/compression.kafka"),
    ),
    ("Batching", "batch.size, linger.ms, flush and acks=0", include_str!("../../core/tests/scenarios/batching.kafka")),
    (
        "Record size",
        "max.request.size and buffer.memory in the producer, max.message.bytes in the broker",
        include_str!("../../core/tests/scenarios/record-size.kafka"),
    ),
    (
        "Partitioners",
        "key hash, round robin, ignored keys",
        include_str!("../../core/tests/scenarios/partitioners.kafka"),
    ),
    (
        "Consumer positions",
        "auto.offset.reset and long polling",
        include_str!("../../core/tests/scenarios/consumer-positions.kafka"),
    ),
    (
        "Seek and pause",
        "seek to an offset, a time, the beginning or end; pause and resume",
        include_str!("../../core/tests/scenarios/seek.kafka"),
    ),
    ("Topic rules", "every way CreateTopics says no", include_str!("../../core/tests/scenarios/topic-rules.kafka")),
    (
        "Network cut",
        "a cut link loses what crosses it until healed",
        include_str!("../../core/tests/scenarios/network-cut.kafka"),
    ),
    (
        "Auto-created topic",
        "sending to a topic that does not exist",
        include_str!("../../core/tests/scenarios/auto-create.kafka"),
    ),
];

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
    fn every_gallery_scenario_parses() {
        for (name, _, script) in SCENARIOS {
            assert!(Scenario::parse(script).is_ok(), "{name}");
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
