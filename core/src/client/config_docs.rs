//! One sentence per client config, in the spirit of Kafka's own config
//! documentation, for the page: every config a person can set says what it does.

/// What a producer or consumer config does, by its Kafka name.
pub fn explain(kind: &str, name: &str) -> Option<&'static str> {
    Some(match (kind, name) {
        ("producer", "acks") => {
            "How many replicas must have a batch before the leader answers: 0 none, 1 the leader, all the in-sync replicas."
        }
        ("producer", "batch.size") => {
            "Bytes of records (encoded, before compression) gathered per partition before a batch is full."
        }
        ("producer", "buffer.memory") => {
            "Memory for records waiting to be sent; a record larger than all of it is refused."
        }
        ("producer", "compression.type") => {
            "The codec for whole batches: none, gzip, snappy, lz4 or zstd; brokers store batches as they come."
        }
        ("producer", "delivery.timeout.ms") => {
            "The most time from send() to success or failure, retries included; then a TimeoutException."
        }
        ("producer", "enable.idempotence") => {
            "A producer id and per-partition sequence numbers let brokers drop retried duplicates and keep order."
        }
        ("producer", "linger.ms") => "How long a batch waits for more records before it may be sent.",
        ("producer", "max.block.ms") => "How long send() waits for a topic's metadata before it fails.",
        ("producer", "max.in.flight.requests.per.connection") => {
            "Unanswered requests allowed per broker; above 1 without idempotence, a retry can reorder records."
        }
        ("producer", "max.request.size") => "The largest request, and so the largest record, the producer sends.",
        ("producer", "metadata.max.age.ms") => {
            "How often metadata is asked for even without an error, so that new partitions and moved leaders are found."
        }
        ("producer", "partitioner.availability.timeout.ms") => {
            "With adaptive partitioning, a broker that took none of its ready batches for this long is left out of the sticky choice; 0 never."
        }
        ("producer", "reconnect.backoff.ms") => {
            "The first wait before connecting again to a broker that failed; it doubles, with jitter, up to reconnect.backoff.max.ms."
        }
        ("producer", "reconnect.backoff.max.ms") => "The longest wait before connecting again to a broker that failed.",
        ("producer", "partitioner.adaptive.partitioning.enable") => {
            "The sticky partitioner favours partitions whose brokers keep up (fewer batches queued)."
        }
        ("producer", "partitioner.class") => {
            "The partitioner; unset is the built-in one: murmur2 of the key, sticky batches for null keys."
        }
        ("producer", "partitioner.ignore.keys") => "Use the sticky partitioner for keyed records too.",
        ("producer", "retries") => "How many times a failed batch is sent again, within delivery.timeout.ms.",
        ("producer", "retry.backoff.ms") => {
            "The first wait before a retry; it doubles, with jitter, up to retry.backoff.max.ms."
        }
        ("producer", "retry.backoff.max.ms") => "The longest wait between retries.",
        ("producer", "transactional.id") => {
            "Makes the producer transactional: writes to many partitions commit or abort together, and a newer instance with the same id fences this one."
        }
        ("producer", "transaction.timeout.ms") => {
            "How long a transaction may stay open before the coordinator aborts it and fences the producer."
        }
        ("consumer", "isolation.level") => {
            "read_uncommitted reads up to the high watermark, aborted records included; read_committed stops at the last stable offset and skips aborted records."
        }
        ("consumer", "auto.offset.reset") => {
            "Where to start without a committed offset or after OFFSET_OUT_OF_RANGE: earliest, latest or none (an error)."
        }
        ("consumer", "fetch.max.bytes") => "The most data one fetch response brings, over all partitions.",
        ("consumer", "fetch.max.wait.ms") => "How long a broker holds a fetch waiting for fetch.min.bytes of data.",
        ("consumer", "fetch.min.bytes") => "The least data a broker answers a fetch with, unless fetch.max.wait.ms passes.",
        ("consumer", "group.id") => "The consumer group: needed to subscribe and to commit offsets.",
        ("consumer", "group.instance.id") => {
            "A static member's fixed identity: a restart within session.timeout.ms gets its partitions back without a rebalance."
        }
        ("consumer", "group.protocol") => {
            "The rebalance protocol: classic (JoinGroup and SyncGroup, the leader assigns) or consumer (KIP-848: ConsumerGroupHeartbeat, the coordinator assigns and each member moves on its own)."
        }
        ("consumer", "group.remote.assignor") => {
            "group.protocol=consumer only: the coordinator's assignor this member asks for, uniform (the default) or range."
        }
        ("consumer", "enable.auto.commit") => {
            "Commit the positions of the previous poll inside poll(), every auto.commit.interval.ms, and before a rebalance and on close."
        }
        ("consumer", "auto.commit.interval.ms") => "How often poll() commits positions when enable.auto.commit is on.",
        ("consumer", "session.timeout.ms") => {
            "How long the coordinator waits without a heartbeat before it removes the member and rebalances."
        }
        ("consumer", "heartbeat.interval.ms") => "How often the consumer tells its coordinator it is alive.",
        ("consumer", "max.poll.interval.ms") => {
            "The longest time between polls; past it the consumer leaves the group so others take its partitions."
        }
        ("consumer", "partition.assignment.strategy") => {
            "The assignors this consumer supports, preferred first; the group uses one every member supports."
        }
        ("consumer", "metadata.max.age.ms") => {
            "How often the consumer refreshes metadata: how a group leader learns of new partitions to assign."
        }
        ("consumer", "retry.backoff.ms") => "How long to wait before asking again for a coordinator or rejoining.",
        ("consumer", "retry.backoff.max.ms") => {
            "The longest wait before asking again for metadata of a topic that does not exist (it doubles up to this)."
        }
        ("consumer", "max.partition.fetch.bytes") => "The most data one fetch brings per partition.",
        ("consumer", "max.poll.records") => "The most records one poll() returns.",
        (_, "client.id") => "A name sent with every request, for broker logs and quotas.",
        (_, "request.timeout.ms") => "How long to wait for an answer before retrying or failing the request.",
        _ => return None,
    })
}

/// The heading a producer config is shown under in the page, in display order.
pub const PRODUCER_GROUPS: &[&str] = &["Delivery", "Batching", "Partitioning", "Identity"];

/// Which of [`PRODUCER_GROUPS`] a producer config belongs to.
pub fn producer_group(name: &str) -> &'static str {
    match name {
        "acks"
        | "enable.idempotence"
        | "retries"
        | "retry.backoff.ms"
        | "retry.backoff.max.ms"
        | "delivery.timeout.ms"
        | "request.timeout.ms"
        | "max.in.flight.requests.per.connection"
        | "metadata.max.age.ms"
        | "reconnect.backoff.ms"
        | "reconnect.backoff.max.ms" => "Delivery",
        "batch.size" | "linger.ms" | "compression.type" | "buffer.memory" | "max.request.size" | "max.block.ms" => {
            "Batching"
        }
        name if name.starts_with("partitioner.") => "Partitioning",
        _ => "Identity",
    }
}

/// Every simulated config's sentence as `kind<TAB>name<TAB>sentence` lines: the page fetches them
/// (`static/config-docs.txt`, kept equal to this by a test) instead of carrying them in its code.
#[cfg(feature = "std")]
pub fn page_text() -> alloc::string::String {
    use crate::client::config::{ConsumerConfig, ProducerConfig};
    let mut out = alloc::string::String::new();
    let kinds =
        [("producer", ProducerConfig::default().describe()), ("consumer", ConsumerConfig::default().describe())];
    for (kind, configs) in kinds {
        for (name, _) in configs {
            out += &alloc::format!("{kind}\t{name}\t{}\n", explain(kind, name).unwrap_or_default());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::explain;

    /// The page's copy of the sentences (`UPDATE_GOLDEN=1` writes it).
    #[test]
    fn the_pages_config_docs_match() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../static/config-docs.txt");
        let expected = super::page_text();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "static/config-docs.txt is out of date: UPDATE_GOLDEN=1 cargo test -p kafka-sim --lib config_docs"
        );
    }
    use crate::client::config::{ConsumerConfig, ProducerConfig};

    #[test]
    fn every_simulated_config_is_explained() {
        for (name, _) in ProducerConfig::default().describe() {
            assert!(explain("producer", name).is_some(), "producer config {name} has no sentence");
        }
        for (name, _) in ConsumerConfig::default().describe() {
            assert!(explain("consumer", name).is_some(), "consumer config {name} has no sentence");
        }
        assert_eq!(explain("producer", "fetch.min.bytes"), None, "a consumer config is not a producer's");
    }

    #[test]
    fn every_producer_heading_has_configs() {
        let configs = ProducerConfig::default().describe();
        for group in super::PRODUCER_GROUPS {
            assert!(configs.iter().any(|(k, _)| super::producer_group(k) == *group), "{group} is empty");
        }
        assert_eq!(super::producer_group("linger.ms"), "Batching");
        assert_eq!(super::producer_group("partitioner.class"), "Partitioning");
    }
}
