//! Every config the simulation models starts at Kafka 4.3's default. The table below was copied
//! by hand from Kafka's own definitions (`ProducerConfig`, `ConsumerConfig`, `CommonClientConfigs`,
//! `LogConfig`/`TopicConfig`, `ReplicationConfigs`, `ServerConfigs`, `ServerLogConfigs`,
//! `GroupCoordinatorConfig`, `TransactionLogConfig`, `TransactionStateManagerConfig`) and the
//! upgrade notes of 4.1, 4.2 and 4.3 (none of which changes a default of these); the test checks
//! the simulation's defaults against it, and writes the table to `docs/defaults.md`
//! (`UPDATE_GOLDEN=1` rewrites it; otherwise it must match).

use kafka_sim::broker::BrokerConfig;
use kafka_sim::client::config::{ConsumerConfig, ProducerConfig};
use kafka_sim::topic::TopicConfig;

/// (who, config, Kafka 4.3's default, where Kafka defines it). `null` is Kafka's null, which the
/// simulation shows as an empty value.
const KAFKA: &[(&str, &str, &str, &str)] = &[
    ("producer", "acks", "all", "ProducerConfig (KIP-679, 3.0)"),
    ("producer", "batch.size", "16384", "ProducerConfig"),
    ("producer", "buffer.memory", "33554432", "ProducerConfig"),
    (
        "producer",
        "client.id",
        "null",
        "CommonClientConfigs (Java then names it producer-N; the simulation uses the producer's name)",
    ),
    ("producer", "compression.type", "none", "ProducerConfig"),
    ("producer", "delivery.timeout.ms", "120000", "ProducerConfig"),
    ("producer", "enable.idempotence", "true", "ProducerConfig (KIP-679, 3.0)"),
    ("producer", "linger.ms", "5", "ProducerConfig (KIP-1030, 4.0)"),
    ("producer", "max.block.ms", "60000", "ProducerConfig"),
    ("producer", "max.in.flight.requests.per.connection", "5", "ProducerConfig"),
    ("producer", "max.request.size", "1048576", "ProducerConfig"),
    ("producer", "metadata.max.age.ms", "300000", "CommonClientConfigs"),
    ("producer", "partitioner.adaptive.partitioning.enable", "true", "ProducerConfig (KIP-794)"),
    ("producer", "partitioner.availability.timeout.ms", "0", "ProducerConfig (KIP-794)"),
    ("producer", "partitioner.class", "null", "ProducerConfig (the built-in partitioner)"),
    ("producer", "partitioner.ignore.keys", "false", "ProducerConfig (KIP-794)"),
    ("producer", "reconnect.backoff.max.ms", "1000", "CommonClientConfigs"),
    ("producer", "reconnect.backoff.ms", "50", "CommonClientConfigs"),
    ("producer", "request.timeout.ms", "30000", "ProducerConfig"),
    ("producer", "retries", "2147483647", "ProducerConfig"),
    ("producer", "retry.backoff.max.ms", "1000", "CommonClientConfigs (KIP-580)"),
    ("producer", "retry.backoff.ms", "100", "CommonClientConfigs"),
    ("producer", "transaction.timeout.ms", "60000", "ProducerConfig"),
    ("producer", "transactional.id", "null", "ProducerConfig"),
    ("consumer", "auto.commit.interval.ms", "5000", "ConsumerConfig"),
    ("consumer", "auto.offset.reset", "latest", "ConsumerConfig"),
    (
        "consumer",
        "client.id",
        "null",
        "CommonClientConfigs (Java then names it consumer-GROUP-N; the simulation uses the consumer's name)",
    ),
    ("consumer", "enable.auto.commit", "true", "ConsumerConfig"),
    ("consumer", "fetch.max.bytes", "52428800", "ConsumerConfig"),
    ("consumer", "fetch.max.wait.ms", "500", "ConsumerConfig"),
    ("consumer", "fetch.min.bytes", "1", "ConsumerConfig"),
    ("consumer", "group.id", "null", "ConsumerConfig"),
    ("consumer", "group.instance.id", "null", "ConsumerConfig (KIP-345)"),
    ("consumer", "group.protocol", "classic", "ConsumerConfig (KIP-848: consumer is the new protocol)"),
    (
        "consumer",
        "group.remote.assignor",
        "null",
        "ConsumerConfig (KIP-848: null lets the coordinator choose, uniform by default)",
    ),
    ("consumer", "heartbeat.interval.ms", "3000", "ConsumerConfig"),
    ("consumer", "isolation.level", "read_uncommitted", "ConsumerConfig"),
    ("consumer", "max.partition.fetch.bytes", "1048576", "ConsumerConfig"),
    ("consumer", "max.poll.interval.ms", "300000", "ConsumerConfig"),
    ("consumer", "metadata.max.age.ms", "300000", "CommonClientConfigs"),
    ("consumer", "max.poll.records", "500", "ConsumerConfig"),
    (
        "consumer",
        "partition.assignment.strategy",
        "range,cooperative-sticky",
        "ConsumerConfig (RangeAssignor, CooperativeStickyAssignor)",
    ),
    ("consumer", "request.timeout.ms", "30000", "ConsumerConfig"),
    ("consumer", "retry.backoff.max.ms", "1000", "CommonClientConfigs (KIP-580)"),
    ("consumer", "retry.backoff.ms", "100", "CommonClientConfigs"),
    ("consumer", "session.timeout.ms", "45000", "ConsumerConfig (KIP-735, 3.0)"),
    ("topic", "cleanup.policy", "delete", "LogConfig"),
    ("topic", "compression.type", "producer", "LogConfig"),
    ("topic", "delete.retention.ms", "86400000", "LogConfig"),
    ("topic", "file.delete.delay.ms", "60000", "LogConfig"),
    ("topic", "flush.messages", "9223372036854775807", "LogConfig"),
    ("topic", "flush.ms", "9223372036854775807", "LogConfig"),
    ("topic", "index.interval.bytes", "4096", "LogConfig"),
    ("topic", "max.compaction.lag.ms", "9223372036854775807", "LogConfig"),
    ("topic", "max.message.bytes", "1048588", "LogConfig (1 MiB plus the 12-byte log overhead)"),
    ("topic", "message.timestamp.after.max.ms", "3600000", "LogConfig (KIP-1030, 4.0)"),
    ("topic", "message.timestamp.before.max.ms", "9223372036854775807", "LogConfig"),
    ("topic", "message.timestamp.type", "CreateTime", "LogConfig"),
    ("topic", "min.cleanable.dirty.ratio", "0.5", "LogConfig"),
    ("topic", "min.compaction.lag.ms", "0", "LogConfig"),
    ("topic", "min.insync.replicas", "1", "LogConfig"),
    ("topic", "preallocate", "false", "LogConfig"),
    ("topic", "retention.bytes", "-1", "LogConfig"),
    ("topic", "retention.ms", "604800000", "LogConfig"),
    ("topic", "segment.bytes", "1073741824", "LogConfig"),
    ("topic", "segment.index.bytes", "10485760", "LogConfig"),
    ("topic", "segment.jitter.ms", "0", "LogConfig"),
    ("topic", "segment.ms", "604800000", "LogConfig"),
    ("topic", "unclean.leader.election.enable", "false", "LogConfig"),
    ("share consumer", "client.id", "null", "ShareConsumerConfig"),
    ("share consumer", "fetch.max.bytes", "52428800", "ConsumerConfig"),
    ("share consumer", "fetch.max.wait.ms", "500", "ConsumerConfig"),
    ("share consumer", "fetch.min.bytes", "1", "ConsumerConfig"),
    ("share consumer", "group.id", "null", "ConsumerConfig"),
    ("share consumer", "max.poll.records", "500", "ConsumerConfig"),
    ("share consumer", "request.timeout.ms", "30000", "CommonClientConfigs"),
    ("share consumer", "retry.backoff.ms", "100", "CommonClientConfigs"),
    ("share consumer", "share.acknowledgement.mode", "implicit", "ConsumerConfig (KIP-932)"),
    ("share consumer", "share.acquire.mode", "batch_optimized", "ConsumerConfig (KIP-1206, 4.2)"),
    ("broker", "auto.create.topics.enable", "true", "ServerConfigs"),
    ("broker", "default.replication.factor", "1", "ReplicationConfigs"),
    ("broker", "group.consumer.heartbeat.interval.ms", "5000", "GroupCoordinatorConfig (KIP-848)"),
    ("broker", "connections.max.idle.ms", "600000", "SocketServerConfigs"),
    ("broker", "group.consumer.session.timeout.ms", "45000", "GroupCoordinatorConfig (KIP-848)"),
    ("broker", "group.initial.rebalance.delay.ms", "3000", "GroupCoordinatorConfig"),
    ("broker", "group.share.delivery.count.limit", "5", "ShareGroupConfig (KIP-932)"),
    ("broker", "group.share.heartbeat.interval.ms", "5000", "ShareGroupConfig (KIP-932)"),
    ("broker", "group.share.max.share.sessions", "2000", "ShareGroupConfig (Kafka 4.1+)"),
    ("broker", "share.coordinator.snapshot.update.records.per.snapshot", "500", "ShareCoordinatorConfig"),
    ("broker", "group.share.max.size", "200", "GroupCoordinatorConfig (KIP-932)"),
    ("broker", "group.share.partition.max.record.locks", "2000", "ShareGroupConfig (Kafka 4.1+)"),
    ("broker", "group.share.record.lock.duration.ms", "30000", "ShareGroupConfig (KIP-932)"),
    ("broker", "group.share.session.timeout.ms", "45000", "ShareGroupConfig (KIP-932)"),
    ("broker", "group.max.session.timeout.ms", "1800000", "GroupCoordinatorConfig"),
    ("broker", "group.min.session.timeout.ms", "6000", "GroupCoordinatorConfig"),
    ("broker", "log.retention.check.interval.ms", "300000", "ServerLogConfigs"),
    ("broker", "max.incremental.fetch.session.cache.slots", "1000", "ServerConfigs"),
    ("broker", "num.partitions", "1", "ServerLogConfigs"),
    ("broker", "offsets.retention.minutes", "10080", "GroupCoordinatorConfig"),
    ("broker", "offsets.topic.num.partitions", "50", "GroupCoordinatorConfig"),
    ("broker", "offsets.topic.replication.factor", "3", "GroupCoordinatorConfig"),
    ("broker", "replica.fetch.backoff.ms", "1000", "ReplicationConfigs"),
    ("broker", "replica.fetch.max.bytes", "1048576", "ReplicationConfigs"),
    ("broker", "replica.fetch.min.bytes", "1", "ReplicationConfigs"),
    ("broker", "replica.fetch.response.max.bytes", "10485760", "ReplicationConfigs"),
    ("broker", "replica.fetch.wait.max.ms", "500", "ReplicationConfigs"),
    ("broker", "replica.lag.time.max.ms", "30000", "ReplicationConfigs"),
    ("broker", "transaction.partition.verification.enable", "true", "TransactionLogConfig (KIP-890, 3.6)"),
    ("broker", "transaction.state.log.min.isr", "2", "TransactionLogConfig"),
    ("broker", "transaction.state.log.num.partitions", "50", "TransactionLogConfig"),
    ("broker", "transaction.state.log.replication.factor", "3", "TransactionLogConfig"),
    ("broker", "transaction.version", "2", "the finalized feature of a cluster formatted by 4.x (KIP-890, 4.0)"),
];

/// The simulation's defaults, as its views list them.
fn simulation() -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    out.extend(ProducerConfig::default().describe().into_iter().map(|(k, v)| ("producer", k, v)));
    out.extend(ConsumerConfig::default().describe().into_iter().map(|(k, v)| ("consumer", k, v)));
    let share = kafka_sim::client::share_consumer::ShareConsumerConfig::default();
    out.extend(share.describe().into_iter().map(|(k, v)| ("share consumer", k, v)));
    out.extend(TopicConfig::default().effective().into_iter().map(|(k, v)| ("topic", k, v)));
    out.extend(BrokerConfig::default().named().into_iter().map(|(k, v)| ("broker", k, v)));
    out
}

#[test]
fn every_modelled_config_starts_at_kafka_4_3s_default() {
    let sim = simulation();
    let mut wrong = Vec::new();
    for (who, name, value) in &sim {
        match KAFKA.iter().find(|(w, n, _, _)| w == who && n == name) {
            None => wrong.push(format!("{who} {name}: not in the table of Kafka's defaults")),
            Some((_, _, kafka, _)) => {
                let ours = if value.is_empty() { "null" } else { value.as_str() };
                if ours != *kafka {
                    wrong.push(format!("{who} {name}: the simulation's default is {ours}, Kafka's {kafka}"));
                }
            }
        }
    }
    for (who, name, _, _) in KAFKA {
        if !sim.iter().any(|(w, n, _)| w == who && n == name) {
            wrong.push(format!("{who} {name}: in the table, not modelled"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn docs_defaults_lists_them() {
    let mut text = String::from(
        "# Defaults\n\n\
         The configs the simulation models, each starting at Kafka 4.3's default. The table is written by\n\
         `core/tests/defaults.rs`, which checks every value against Kafka's own definitions (named in the\n\
         last column, copied from Kafka's source) and fails if the simulation's default differs; the upgrade\n\
         notes of 4.1, 4.2 and 4.3 change none of them (4.1 enabled eligible leader replicas for new\n\
         clusters, modelled; 4.2 made share groups production-ready, not modelled yet). Regenerate with\n\
         `UPDATE_GOLDEN=1 cargo test -p kafka-sim --test defaults`.\n\n\
         A cluster line of one or two brokers sets the internal topics' replication factors the cluster\n\
         can meet, as Kafka's quickstart `server.properties` does, and writes them in the script.\n\n\
         | | config | default | Kafka's definition |\n|---|---|---|---|\n",
    );
    for (who, name, kafka, source) in KAFKA {
        text.push_str(&format!("| {who} | `{name}` | `{kafka}` | {source} |\n"));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/defaults.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &text).expect("docs/defaults.md is writable");
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(on_disk, text, "docs/defaults.md is stale: UPDATE_GOLDEN=1 cargo test -p kafka-sim --test defaults");
}
