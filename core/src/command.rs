//! Everything a person can do, as a value. Each command is one line of a
//! scenario script ([`crate::scenario`] parses and prints them) and has a
//! Kafka name where Kafka has one.

use crate::protocol::TopicPartition;
use crate::time::Duration;
use alloc::string::String;
use alloc::vec::Vec;

/// Config pairs as written (`name=value`), in the order given. Validated when
/// parsed and again when applied, by the same functions.
pub type Configs = Vec<(String, String)>;

/// A new cluster's settings, as `cluster` sets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSettings {
    pub brokers: u32,
    /// Every link's latency.
    pub latency: Duration,
    pub auto_create_topics: bool,
    /// The brokers' `offsets.retention.minutes`.
    pub offsets_retention_minutes: u64,
    /// The finalized `transaction.version` feature: 2, or 1 to run the classic transaction
    /// protocol as clusters formatted before Kafka 4.0 do.
    pub transaction_version: u8,
    /// `transaction.partition.verification.enable`: leaders verify a transaction's first batch
    /// with its coordinator even under transaction version 1 (KIP-890 part 1).
    pub partition_verification: bool,
    /// `num.partitions`: the partitions of a topic created without saying how many (auto-created,
    /// or `topic create` without `partitions=`).
    pub num_partitions: u32,
    /// `default.replication.factor`: the same for the replication factor.
    pub default_replication_factor: u32,
    /// `replica.lag.time.max.ms`: a follower that has not caught up for this long leaves the ISR.
    pub replica_lag_time_max_ms: u64,
    /// `log.retention.check.interval.ms`.
    pub log_retention_check_interval_ms: u64,
    /// `connections.max.idle.ms`: a broker closes a connection idle this long (here: a share
    /// session's, which then ends).
    pub connections_max_idle_ms: u64,
    /// `max.incremental.fetch.session.cache.slots`: fetch sessions each broker keeps (KIP-227).
    pub max_incremental_fetch_session_cache_slots: u32,
    /// `group.min.session.timeout.ms`, `group.max.session.timeout.ms`, `group.initial.rebalance.delay.ms`.
    pub group: crate::group::coordinator::GroupSettings,
    /// Brokers' configs that are topics' defaults (`min.insync.replicas`, `log.retention.ms`, ...),
    /// as written, in order: see `topic::config::broker_default`.
    pub topic_defaults: Vec<(String, String)>,
    /// `offsets.topic.*` and `transaction.state.log.*`: the internal topics' layout.
    pub internal: InternalTopics,
}

/// The internal topics' layout, by the brokers' configs: `__consumer_offsets` is created with
/// `offsets.topic.num.partitions` and `offsets.topic.replication.factor`, `__transaction_state`
/// with `transaction.state.log.num.partitions`, `.replication.factor` and `.min.isr` (its
/// `min.insync.replicas`). A replication factor above the brokers registered is refused, as any
/// topic's is, and the coordinator stays unavailable (FindCoordinator's COORDINATOR_NOT_AVAILABLE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InternalTopics {
    pub offsets_replication_factor: u32,
    pub offsets_partitions: u32,
    pub txn_replication_factor: u32,
    pub txn_min_isr: u32,
    pub txn_partitions: u32,
}

impl InternalTopics {
    /// Kafka's defaults: three replicas, fifty partitions, two in sync for a transaction's state.
    pub const KAFKA: InternalTopics = InternalTopics {
        offsets_replication_factor: 3,
        offsets_partitions: 50,
        txn_replication_factor: 3,
        txn_min_isr: 2,
        txn_partitions: 50,
    };

    /// What a `cluster` line sets unless it says otherwise: Kafka's defaults from three brokers
    /// up; on fewer, replication factors the cluster can meet, as Kafka's quickstart
    /// `server.properties` sets them for its single broker (`offsets.topic.replication.factor=1`,
    /// `transaction.state.log.replication.factor=1`, `transaction.state.log.min.isr=1`), and two
    /// replicas on two brokers. The script shows them: they are written out on such a line.
    pub fn for_brokers(brokers: u32) -> Self {
        let replicas = brokers.clamp(1, 3);
        InternalTopics {
            offsets_replication_factor: replicas,
            txn_replication_factor: replicas,
            txn_min_isr: replicas.min(2),
            ..Self::KAFKA
        }
    }

    /// The settings by Kafka's names, as a cluster line writes them.
    pub fn named(&self) -> [(&'static str, u32); 5] {
        [
            ("offsets.topic.num.partitions", self.offsets_partitions),
            ("offsets.topic.replication.factor", self.offsets_replication_factor),
            ("transaction.state.log.num.partitions", self.txn_partitions),
            ("transaction.state.log.replication.factor", self.txn_replication_factor),
            ("transaction.state.log.min.isr", self.txn_min_isr),
        ]
    }

    /// Sets one by its Kafka name; false for a name that is not one of them (so a copy of
    /// [`InternalTopics::KAFKA`] tells whether a name is one).
    pub fn set(mut self, name: &str, value: u32) -> Option<Self> {
        let field = match name {
            "offsets.topic.num.partitions" => &mut self.offsets_partitions,
            "offsets.topic.replication.factor" => &mut self.offsets_replication_factor,
            "transaction.state.log.num.partitions" => &mut self.txn_partitions,
            "transaction.state.log.replication.factor" => &mut self.txn_replication_factor,
            "transaction.state.log.min.isr" => &mut self.txn_min_isr,
            _ => return None,
        };
        *field = value;
        Some(self)
    }
}

impl ClusterSettings {
    /// `brokers` brokers with every other setting at its default.
    pub fn new(brokers: u32) -> Self {
        ClusterSettings {
            brokers,
            latency: LATENCY_DEFAULT,
            auto_create_topics: true,
            offsets_retention_minutes: OFFSETS_RETENTION_MINUTES_DEFAULT,
            transaction_version: TRANSACTION_VERSION_DEFAULT,
            partition_verification: true,
            num_partitions: crate::controller::NUM_PARTITIONS_DEFAULT,
            default_replication_factor: crate::controller::DEFAULT_REPLICATION_FACTOR,
            replica_lag_time_max_ms: REPLICA_LAG_TIME_MAX_MS_DEFAULT,
            log_retention_check_interval_ms: crate::broker::LOG_RETENTION_CHECK_INTERVAL_MS,
            connections_max_idle_ms: CONNECTIONS_MAX_IDLE_MS_DEFAULT,
            max_incremental_fetch_session_cache_slots:
                crate::fetch_session::cache::MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DEFAULT,
            group: crate::group::coordinator::GroupSettings::default(),
            topic_defaults: Vec::new(),
            internal: InternalTopics::for_brokers(brokers),
        }
    }
}

/// `replica.lag.time.max.ms`'s default.
pub const REPLICA_LAG_TIME_MAX_MS_DEFAULT: u64 = 30_000;
/// `connections.max.idle.ms` (SocketServerConfigs): ten minutes.
pub const CONNECTIONS_MAX_IDLE_MS_DEFAULT: u64 = 600_000;

/// A command as sessions, scripts and comparisons hold it: shared, never copied (the page
/// keeps a session's commands in its branches, its future and its comparison's runs).
pub type SharedCommand = alloc::rc::Rc<Command>;

/// Who matches a subscription's regular expression against the topics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternSide {
    /// `subscribe(java.util.regex.Pattern)` (`pattern=`): the consumer, against the topics its
    /// metadata shows, sending the matched names.
    Consumer,
    /// `subscribe(SubscriptionPattern)` (`regex=`, an RE2/J expression): the group coordinator,
    /// against its metadata image (KIP-848's SubscribedTopicRegex).
    Coordinator,
}

impl PatternSide {
    /// The script's word for it.
    pub fn word(self) -> &'static str {
        match self {
            PatternSide::Consumer => "pattern",
            PatternSide::Coordinator => "regex",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `cluster brokers=3 latency=2ms auto.create.topics.enable=true`: starts a KRaft cluster.
    Cluster(ClusterSettings),
    /// `topic create NAME partitions=N replication-factor=N CONFIG=VALUE...` (CreateTopics),
    /// or `replica-assignment=1:2:3,2:3:1` to place replicas by hand (`kafka-topics --replica-assignment`).
    CreateTopic {
        /// Replicas per partition, leader first, instead of partitions and replication factor.
        assignment: Option<Vec<Vec<u32>>>,
        name: String,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        configs: Configs,
    },
    /// `topic alter NAME partitions=N`: CreatePartitions (`kafka-topics --alter --partitions N`): more
    /// partitions, never fewer; keys may now hash elsewhere, and subscribed groups rebalance.
    AlterPartitions { name: String, partitions: u32 },
    /// `traffic PRODUCER TOPIC rate=N [keys=K]`: the producer sends N records a second of simulated
    /// time, with keys `key-0`..`key-(K-1)` drawn from its seeded generator (null keys when K is 0);
    /// `rate=0` stops it. Material for retention, compaction and lag.
    Traffic { producer: String, topic: String, rate_per_s: u32, keys: u32 },
    /// `topic config NAME KEY=VALUE...`: IncrementalAlterConfigs (`kafka-configs --alter --add-config`):
    /// the topic's overrides change; brokers act on them from their next metadata update (retention at its
    /// next check).
    AlterTopicConfig { name: String, configs: Configs },
    /// `delete-records orders-0 OFFSET`: DeleteRecords (`kafka-delete-records`): the partition's log
    /// starts at OFFSET (at most its high watermark); records below it can no longer be read.
    DeleteRecords { tp: TopicPartition, offset: u64 },
    /// `group delete NAME`: DeleteGroups (`kafka-consumer-groups --delete`): an Empty group's
    /// committed offsets and metadata are removed (NON_EMPTY_GROUP while it has members).
    DeleteGroup { group: String },
    /// `producer NAME CONFIG=VALUE...`: a KafkaProducer.
    Producer { name: String, configs: Configs },
    /// `consumer NAME CONFIG=VALUE...`: a KafkaConsumer.
    Consumer { name: String, configs: Configs },
    /// `share-consumer NAME group.id=G CONFIG=VALUE...`: a KafkaShareConsumer (KIP-932). It takes
    /// `subscribe`, `poll`, `consume`, `acknowledge`, `commit`, `close` and `crash`.
    #[cfg(feature = "share-groups")]
    ShareConsumer { name: String, configs: Configs },
    /// `acknowledge CONSUMER orders-0@5 accept|release|reject|renew`: a share consumer's
    /// `acknowledge(record, type)` (share.acknowledgement.mode=explicit).
    #[cfg(feature = "share-groups")]
    Acknowledge { consumer: String, tp: TopicPartition, offset: u64, ack: crate::group::share_partition::AckType },
    /// `group config NAME KEY=VALUE...`: a share group's dynamic configs
    /// (`kafka-configs --entity-type groups --alter --add-config`): share.auto.offset.reset,
    /// share.record.lock.duration.ms, share.delivery.count.limit, share.partition.max.record.locks.
    #[cfg(feature = "share-groups")]
    AlterGroupConfig { group: String, configs: Configs },
    /// `send PRODUCER TOPIC key=K value=V partition=N header.NAME=V key.format=F value.format=F`:
    /// `producer.send(record)`; formats are string (the default), json (checked) or hex (bytes).
    Send {
        producer: String,
        topic: String,
        partition: Option<u32>,
        key: Option<String>,
        value: Option<String>,
        headers: Vec<(String, Option<String>)>,
        key_format: crate::format::Format,
        value_format: crate::format::Format,
    },
    /// `assign CONSUMER orders-0,orders-1`: `consumer.assign(partitions)`.
    Assign { consumer: String, partitions: Vec<TopicPartition> },
    /// `seek CONSUMER orders-0 42|beginning|end|timestamp=MS`: `seek`, `seekToBeginning`,
    /// `seekToEnd`, or `offsetsForTimes` then `seek`.
    Seek { consumer: String, tp: TopicPartition, to: SeekTo },
    /// `pause CONSUMER orders-0,orders-1`: `consumer.pause(partitions)`: no fetching, nothing returned.
    Pause { consumer: String, partitions: Vec<TopicPartition> },
    /// `resume CONSUMER orders-0`: `consumer.resume(partitions)`.
    Resume { consumer: String, partitions: Vec<TopicPartition> },
    /// `close CLIENT`: `producer.close()` (sends what is buffered, then takes no more) or `consumer.close()`.
    Close { client: String },
    /// `flush PRODUCER`: `producer.flush()`: every batch may go now, linger.ms or not.
    Flush { producer: String },
    /// `init-transactions P`, `begin-transaction P`, `commit-transaction P`, `abort-transaction P`,
    /// `send-offsets-to-transaction P CONSUMER`: a transactional producer's calls.
    Transaction { producer: String, op: TxnOp },
    /// `poll CONSUMER`: one `consumer.poll()`.
    Poll { consumer: String },
    /// `consume CONSUMER [processing.ms=N] [commit=auto|before|after] [fail.value=TEXT]
    /// [retries=N] [on.failure=stop|skip|dlq] [crash.after=N] [dedupe=true]`: the application's poll
    /// loop (`while True: records = consumer.poll(); process(records)`), until `close`.
    Consume { consumer: String, processing: Processing },
    /// `subscribe CONSUMER orders,payments`: `consumer.subscribe(topics)`; the group assigns partitions.
    /// `subscribe CONSUMER pattern='orders-.*'`: `consumer.subscribe(Pattern)`: every topic whose whole
    /// name matches, as metadata shows them (`topics` is then empty).
    /// `subscribe CONSUMER regex='orders-.*'`: `consumer.subscribe(SubscriptionPattern)` (consumer
    /// protocol only): the group coordinator resolves it.
    Subscribe { consumer: String, topics: Vec<String>, pattern: Option<(PatternSide, String)> },
    /// `commit CONSUMER [orders-0=5,orders-1=7:metadata] [async]`: `commitSync()` of every position,
    /// or of these offsets with their metadata; `async` is `commitAsync` (no retry with a new coordinator).
    Commit { consumer: String, offsets: Option<Vec<CommitOffset>>, asynchronous: bool },
    /// `crash CLIENT`: the client's process dies: no commit, no LeaveGroup, no more heartbeats.
    Crash { client: String },
    /// `advance 30s`: let simulated time pass, processing every event due.
    Advance(Duration),
    /// `broker stop N`: the broker crashes; messages to and from it are lost.
    BrokerStop(u32),
    /// `broker start N`: the broker comes back with its logs.
    BrokerStart(u32),
    /// `broker shutdown N`: a clean shutdown; leaderships move away first.
    BrokerShutdown(u32),
    /// `network cut A B`: the link between two nodes drops everything, both ways.
    NetworkCut(String, String),
    /// `network heal A B`.
    NetworkHeal(String, String),
    /// `network delay A B 200ms`: the link's latency (a slow replica or client).
    NetworkDelay(String, String, Duration),
    /// `network isolate A`: cuts every link of a node.
    NetworkIsolate(String),
    /// `expect partition orders-1 isr=1,3`: a checkpoint; changes nothing.
    Expect(crate::expect::Expectation),
}

/// When the application commits, relative to processing a polled batch.
/// A transactional producer's call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxnOp {
    Init,
    Begin,
    Commit,
    Abort,
    /// The consumer's positions and group go into the transaction (consume-transform-produce).
    SendOffsets {
        consumer: String,
    },
}

impl TxnOp {
    /// The script word.
    pub fn word(&self) -> &'static str {
        match self {
            TxnOp::Init => "init-transactions",
            TxnOp::Begin => "begin-transaction",
            TxnOp::Commit => "commit-transaction",
            TxnOp::Abort => "abort-transaction",
            TxnOp::SendOffsets { .. } => "send-offsets-to-transaction",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CommitMode {
    /// Only what enable.auto.commit does (inside the next poll).
    #[default]
    Auto,
    /// `commitSync()` right after poll, before processing: at most once.
    Before,
    /// `commitSync(processed offsets)` once the batch is processed: at least once.
    After,
    /// Each batch's output and its input offsets in one transaction of the
    /// consumer's transactional producer (consume-transform-produce): exactly once.
    Transaction,
}

/// What a consume-transform-produce application does to each record's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transform {
    /// The value as it came.
    #[default]
    Copy,
    /// The value in upper case.
    Upper,
    /// A JSON object gains `"status": "processed"` and `"processed_at_ms"`; other values get ` (processed)`.
    Enrich,
}

impl Transform {
    pub fn name(self) -> &'static str {
        match self {
            Transform::Copy => "copy",
            Transform::Upper => "upper",
            Transform::Enrich => "enrich",
        }
    }

    pub fn parse(text: &str) -> Option<Transform> {
        [Transform::Copy, Transform::Upper, Transform::Enrich].into_iter().find(|t| t.name() == text)
    }

    /// The transformed value, at simulated time `now_ms`.
    pub fn apply(self, value: Option<&[u8]>, now_ms: u64) -> Option<Vec<u8>> {
        let value = value?;
        Some(match self {
            Transform::Copy => value.to_vec(),
            Transform::Upper => value.to_ascii_uppercase(),
            Transform::Enrich => {
                let text = core::str::from_utf8(value).unwrap_or("").trim();
                if text.starts_with('{') && text.ends_with('}') {
                    let inner = text[1..text.len() - 1].trim();
                    let comma = if inner.is_empty() { "" } else { ", " };
                    alloc::format!("{{{inner}{comma}\"status\": \"processed\", \"processed_at_ms\": {now_ms}}}")
                        .into_bytes()
                } else {
                    let mut v = value.to_vec();
                    v.extend_from_slice(b" (processed)");
                    v
                }
            }
        })
    }
}

/// What happens to a record whose processing keeps failing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnFailure {
    /// The exception escapes the poll loop: the application stops consuming (a poison pill).
    #[default]
    Stop,
    /// Logged and skipped.
    Skip,
    /// Sent to the dead-letter topic `<topic>.DLQ` with headers saying where it came from.
    DeadLetter,
    /// A share consumer's `acknowledge(record, RELEASE)`: delivered again, up to the group's
    /// delivery count limit.
    Release,
    /// A share consumer's `acknowledge(record, REJECT)`: archived, never delivered again.
    Reject,
}

impl OnFailure {
    /// The script word.
    pub fn word(self) -> &'static str {
        match self {
            OnFailure::Stop => "stop",
            OnFailure::Skip => "skip",
            OnFailure::DeadLetter => "dlq",
            OnFailure::Release => "release",
            OnFailure::Reject => "reject",
        }
    }
}

/// How the application behind a poll loop processes records: time per
/// record, when it commits, which records fail and what then, a crash that
/// strikes after N records, and whether it skips ids it has seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Processing {
    pub processing_ms: u64,
    pub commit: CommitMode,
    /// A record whose value contains this text fails processing.
    pub fail_value: Option<String>,
    /// Attempts after the first before `on_failure` applies.
    pub retries: u32,
    pub on_failure: OnFailure,
    /// The process dies right after processing this many records (before any commit).
    pub crash_after: Option<u64>,
    /// An idempotent consumer: a record whose key (or value, without a key) it processed before is skipped.
    pub dedupe: bool,
    /// Consume-transform-produce: each processed record goes, transformed, to this topic
    /// through the consumer's own producer `<consumer>-out`.
    pub output: Option<String>,
    pub transform: Transform,
}

impl Processing {
    /// The script words of the settings that differ from the default, in a fixed order.
    pub fn words(&self) -> Vec<(&'static str, String)> {
        use alloc::string::ToString;
        let mut out = Vec::new();
        if self.processing_ms > 0 {
            out.push(("processing.ms", self.processing_ms.to_string()));
        }
        match self.commit {
            CommitMode::Auto => {}
            CommitMode::Before => out.push(("commit", "before".into())),
            CommitMode::After => out.push(("commit", "after".into())),
            CommitMode::Transaction => out.push(("commit", "transaction".into())),
        }
        if let Some(v) = &self.fail_value {
            out.push(("fail.value", v.clone()));
        }
        if self.retries > 0 {
            out.push(("retries", self.retries.to_string()));
        }
        match self.on_failure {
            OnFailure::Stop => {}
            other => out.push(("on.failure", other.word().into())),
        }
        if let Some(n) = self.crash_after {
            out.push(("crash.after", n.to_string()));
        }
        if self.dedupe {
            out.push(("dedupe", "true".into()));
        }
        if let Some(t) = &self.output {
            out.push(("output", t.clone()));
        }
        if self.transform != Transform::Copy {
            out.push(("transform", self.transform.name().into()));
        }
        out
    }
}

/// An offset to commit for a partition, with its metadata (empty for none).
pub type CommitOffset = (TopicPartition, u64, String);

/// Where a `seek` puts a consumer's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekTo {
    Offset(u64),
    Beginning,
    End,
    /// The first record at or after this timestamp (ms), or the end if there is none.
    Timestamp(u64),
}

impl core::fmt::Display for SeekTo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SeekTo::Offset(o) => write!(f, "{o}"),
            SeekTo::Beginning => f.write_str("beginning"),
            SeekTo::End => f.write_str("end"),
            SeekTo::Timestamp(ms) => write!(f, "timestamp={ms}"),
        }
    }
}

/// Cluster defaults when `cluster` leaves them out.
pub const LATENCY_DEFAULT: Duration = Duration::from_ms(1);

/// The `transaction.version` a new Kafka 4 cluster finalizes: 2 (KIP-890).
pub const TRANSACTION_VERSION_DEFAULT: u8 = 2;

/// `offsets.retention.minutes`: seven days.
pub const OFFSETS_RETENTION_MINUTES_DEFAULT: u64 = 10_080;
