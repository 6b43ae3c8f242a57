//! Client configs by their Kafka names with the Java client's 4.x defaults.
//! A config the playground does not simulate yet is an error that says so,
//! rather than a setting that silently does nothing.

use super::backoff::ExponentialBackoff;
use crate::batch::Compression;
use crate::error::CommandError;
use crate::protocol::{Acks, IsolationLevel};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

fn bad(name: &str, value: &str, why: &str) -> CommandError {
    CommandError::ClientConfig(format!("Invalid value {value} for configuration {name}: {why}"))
}

fn long(name: &str, value: &str, min: u64) -> Result<u64, CommandError> {
    let n: i64 = value.trim().parse().map_err(|_| bad(name, value, "Not a number of type LONG"))?;
    u64::try_from(n)
        .ok()
        .filter(|&n| n >= min)
        .ok_or_else(|| bad(name, value, &format!("Value must be at least {min}")))
}

fn int(name: &str, value: &str, min: u64) -> Result<u64, CommandError> {
    let n = long(name, value, min).map_err(|_| match value.trim().parse::<i64>() {
        Ok(_) => bad(name, value, &format!("Value must be at least {min}")),
        Err(_) => bad(name, value, "Not a number of type INT"),
    })?;
    if n > i32::MAX as u64 {
        return Err(bad(name, value, "Not a number of type INT"));
    }
    Ok(n)
}

fn boolean(name: &str, value: &str) -> Result<bool, CommandError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(name, value, "Expected value to be either true or false")),
    }
}

fn unknown(kind: &str, name: &str, known: &[&str]) -> CommandError {
    CommandError::ClientConfig(format!(
        "'{name}' is not a {kind} config the playground simulates; known: {}",
        known.join(", ")
    ))
}

/// The producer's configs simulated so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub linger_ms: u64,
    pub batch_size_bytes: u64,
    pub request_timeout_ms: u64,
    pub retry_backoff_ms: u64,
    pub retry_backoff_max_ms: u64,
    pub max_block_ms: u64,
    /// A request's (here: a record's) largest serialized size.
    pub max_request_size_bytes: u64,
    /// The accumulator's memory; a record larger than all of it is refused.
    pub buffer_memory_bytes: u64,
    pub max_in_flight_requests_per_connection: u64,
    pub retries: u64,
    pub delivery_timeout_ms: u64,
    pub compression_type: Compression,
    /// partitioner.class=RoundRobinPartitioner.
    pub round_robin: bool,
    /// partitioner.class=table:... or prefix:...: rules written in the script.
    pub rule_partitioner: Option<super::partitioner::RulePartitioner>,
    pub partitioner_ignore_keys: bool,
    pub partitioner_adaptive: bool,
    /// enable.idempotence as resolved: on by default, off when a conflicting
    /// setting was chosen without asking for idempotence (Kafka 3.2+).
    pub idempotent: bool,
    /// Why idempotence is off, when it is.
    pub idempotence_note: Option<String>,
    pub client_id: String,
    /// transactional.id: a transactional producer (needs idempotence).
    pub transactional_id: Option<String>,
    pub transaction_timeout_ms: u64,
    /// `metadata.max.age.ms`: how often metadata is refreshed even without an error, so that
    /// new partitions are found.
    pub metadata_max_age_ms: u64,
    /// `reconnect.backoff.ms`: the first wait before connecting again to a broker that failed,
    /// doubling per failure up to `reconnect.backoff.max.ms`.
    pub reconnect_backoff_ms: u64,
    pub reconnect_backoff_max_ms: u64,
    /// `partitioner.availability.timeout.ms`: with adaptive partitioning, a broker that had
    /// sendable batches and took none for this long has its partitions left out of the sticky
    /// partitioner's choice (0: never).
    pub partitioner_availability_timeout_ms: u64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            // Kafka 4.0 raised the default from 0 to 5 (KIP-1030).
            linger_ms: 5,
            batch_size_bytes: 16_384,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            max_block_ms: 60_000,
            max_request_size_bytes: 1_048_576,
            buffer_memory_bytes: 33_554_432,
            max_in_flight_requests_per_connection: 5,
            retries: i32::MAX as u64,
            delivery_timeout_ms: 120_000,
            compression_type: Compression::None,
            round_robin: false,
            rule_partitioner: None,
            partitioner_ignore_keys: false,
            partitioner_adaptive: true,
            idempotent: true,
            idempotence_note: None,
            client_id: String::new(),
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            metadata_max_age_ms: 300_000,
            reconnect_backoff_ms: 50,
            reconnect_backoff_max_ms: 1_000,
            partitioner_availability_timeout_ms: 0,
        }
    }
}

const PRODUCER_CONFIGS: &[&str] = &[
    "acks",
    "batch.size",
    "buffer.memory",
    "client.id",
    "compression.type",
    "delivery.timeout.ms",
    "enable.idempotence",
    "linger.ms",
    "max.block.ms",
    "max.in.flight.requests.per.connection",
    "max.request.size",
    "metadata.max.age.ms",
    "partitioner.adaptive.partitioning.enable",
    "partitioner.availability.timeout.ms",
    "partitioner.class",
    "partitioner.ignore.keys",
    "reconnect.backoff.max.ms",
    "reconnect.backoff.ms",
    "request.timeout.ms",
    "retries",
    "retry.backoff.max.ms",
    "retry.backoff.ms",
    "transaction.timeout.ms",
    "transactional.id",
];

impl ProducerConfig {
    /// Checks one config's name and value alone; how configs combine is checked by [`ProducerConfig::parse`].
    pub fn check_value(name: &str, value: &str) -> Result<(), CommandError> {
        ProducerConfig::default().apply(name, value, &mut None)
    }

    /// Applies one config's value.
    fn apply(&mut self, name: &str, v: &str, explicit_idempotence: &mut Option<bool>) -> Result<(), CommandError> {
        let c = self;
        match name {
            "acks" => {
                c.acks = match v.trim() {
                    "0" => Acks::None,
                    "1" => Acks::Leader,
                    "all" | "-1" => Acks::All,
                    _ => return Err(bad(name, v, "String must be one of: all, -1, 0, 1")),
                }
            }
            "batch.size" => c.batch_size_bytes = int(name, v, 0)?,
            "buffer.memory" => c.buffer_memory_bytes = long(name, v, 0)?,
            "max.request.size" => c.max_request_size_bytes = int(name, v, 0)?,
            "client.id" => c.client_id = v.to_string(),
            "compression.type" => {
                c.compression_type = Compression::parse(v.trim())
                    .ok_or_else(|| bad(name, v, "String must be one of: none, gzip, snappy, lz4, zstd"))?;
                if !cfg!(feature = "std") && !matches!(c.compression_type, Compression::None | Compression::Gzip) {
                    return Err(bad(name, v, "this build has only none and gzip (the other codecs need std)"));
                }
            }
            "delivery.timeout.ms" => c.delivery_timeout_ms = int(name, v, 0)?,
            "enable.idempotence" => {
                *explicit_idempotence = Some(match v.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad(name, v, "Expected value to be either true or false")),
                })
            }
            "linger.ms" => c.linger_ms = long(name, v, 0)?,
            "max.block.ms" => c.max_block_ms = long(name, v, 0)?,
            "metadata.max.age.ms" => c.metadata_max_age_ms = long(name, v, 0)?,
            "partitioner.adaptive.partitioning.enable" => c.partitioner_adaptive = boolean(name, v)?,
            "partitioner.availability.timeout.ms" => c.partitioner_availability_timeout_ms = long(name, v, 0)?,
            "reconnect.backoff.ms" => c.reconnect_backoff_ms = long(name, v, 0)?,
            "reconnect.backoff.max.ms" => c.reconnect_backoff_max_ms = long(name, v, 0)?,
            "partitioner.ignore.keys" => c.partitioner_ignore_keys = boolean(name, v)?,
            "partitioner.class" => {
                let v = v.trim();
                c.rule_partitioner = super::partitioner::RulePartitioner::parse(v).map_err(|e| bad(name, v, &e))?;
                c.round_robin = match v {
                    "org.apache.kafka.clients.producer.RoundRobinPartitioner" | "RoundRobinPartitioner" => true,
                    _ if c.rule_partitioner.is_some() => false,
                    "" => false,
                    other => {
                        return Err(bad(
                            name,
                            other,
                            "the playground has the built-in partitioner (leave it unset), RoundRobinPartitioner, \
                         and rules: table:KEY=P,...,*=P or prefix:PREFIX=P,...",
                        ))
                    }
                }
            }
            "max.in.flight.requests.per.connection" => c.max_in_flight_requests_per_connection = int(name, v, 1)?,
            "request.timeout.ms" => c.request_timeout_ms = int(name, v, 0)?,
            "retries" => c.retries = int(name, v, 0)?,
            "retry.backoff.max.ms" => c.retry_backoff_max_ms = long(name, v, 0)?,
            "retry.backoff.ms" => c.retry_backoff_ms = long(name, v, 0)?,
            "transaction.timeout.ms" => c.transaction_timeout_ms = int(name, v, 1)?,
            "transactional.id" => c.transactional_id = Some(v.to_string()).filter(|v| !v.is_empty()),
            _ => return Err(unknown("producer", name, PRODUCER_CONFIGS)),
        }
        Ok(())
    }

    pub fn parse(pairs: &[(String, String)]) -> Result<Self, CommandError> {
        let mut c = ProducerConfig::default();
        let mut explicit_idempotence = None;
        for (name, value) in pairs {
            c.apply(name, value, &mut explicit_idempotence)?;
        }
        c.resolve_idempotence(explicit_idempotence)?;
        if c.transactional_id.is_some() && !c.idempotent {
            return Err(CommandError::ClientConfig(
                "Cannot set a transactional.id without also enabling idempotence.".into(),
            ));
        }
        // KafkaProducer refuses this combination at construction.
        if c.delivery_timeout_ms < c.linger_ms.saturating_add(c.request_timeout_ms) {
            return Err(CommandError::ClientConfig(
                "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms".into(),
            ));
        }
        Ok(c)
    }

    /// `ProducerConfig.postProcessAndValidateIdempotenceConfigs`: asked for
    /// explicitly, a conflict is an error; left at its default, a conflict turns
    /// idempotence off, and the note says why.
    fn resolve_idempotence(&mut self, explicit: Option<bool>) -> Result<(), CommandError> {
        if explicit == Some(false) {
            self.idempotent = false;
            self.idempotence_note = Some("enable.idempotence=false".into());
            return Ok(());
        }
        // Java's messages, in Java's order of checks.
        let conflict = if self.retries == 0 {
            Some(("retries to non-zero", "when using the idempotent producer."))
        } else if self.acks != Acks::All {
            Some(("acks to all", "in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."))
        } else {
            None
        };
        if let (Some(true), Some((what, why))) = (explicit, conflict) {
            return Err(CommandError::ClientConfig(format!("Must set {what} {why}")));
        }
        // Checked while idempotence is still on, whether asked for or by default: since 4.0 a
        // default producer with more than five requests in flight is refused, not quietly
        // made non-idempotent (Java checks it before applying `shouldDisableIdempotence`).
        let in_flight = self.max_in_flight_requests_per_connection;
        if in_flight > 5 {
            return Err(CommandError::ClientConfig(format!(
                "To use the idempotent producer, max.in.flight.requests.per.connection must be set to at most 5. \
                 Current value is {in_flight}."
            )));
        }
        if let Some((what, _)) = conflict {
            self.idempotent = false;
            self.idempotence_note = Some(format!("idempotence is off: it needs {what}, and was not asked for"));
        }
        Ok(())
    }

    /// retry.backoff.ms doubling to retry.backoff.max.ms: batch retries and metadata.
    pub fn retry_backoff(&self) -> ExponentialBackoff {
        ExponentialBackoff::new(self.retry_backoff_ms, self.retry_backoff_max_ms)
    }

    /// reconnect.backoff.ms doubling to reconnect.backoff.max.ms.
    pub fn reconnect_backoff(&self) -> ExponentialBackoff {
        ExponentialBackoff::new(self.reconnect_backoff_ms, self.reconnect_backoff_max_ms)
    }

    /// Every simulated config with its effective value, for the view.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        alloc::vec![
            ("acks", self.acks.to_string()),
            ("batch.size", self.batch_size_bytes.to_string()),
            ("buffer.memory", self.buffer_memory_bytes.to_string()),
            ("client.id", self.client_id.clone()),
            ("compression.type", self.compression_type.name().to_string()),
            ("delivery.timeout.ms", self.delivery_timeout_ms.to_string()),
            ("enable.idempotence", self.idempotent.to_string()),
            ("linger.ms", self.linger_ms.to_string()),
            ("max.block.ms", self.max_block_ms.to_string()),
            ("max.in.flight.requests.per.connection", self.max_in_flight_requests_per_connection.to_string()),
            ("max.request.size", self.max_request_size_bytes.to_string()),
            ("metadata.max.age.ms", self.metadata_max_age_ms.to_string()),
            ("partitioner.adaptive.partitioning.enable", self.partitioner_adaptive.to_string()),
            ("partitioner.availability.timeout.ms", self.partitioner_availability_timeout_ms.to_string()),
            (
                "partitioner.class",
                match (&self.rule_partitioner, self.round_robin) {
                    (Some(rules), _) => rules.to_string(),
                    (None, true) => "org.apache.kafka.clients.producer.RoundRobinPartitioner".into(),
                    (None, false) => String::new(),
                },
            ),
            ("partitioner.ignore.keys", self.partitioner_ignore_keys.to_string()),
            ("reconnect.backoff.max.ms", self.reconnect_backoff_max_ms.to_string()),
            ("reconnect.backoff.ms", self.reconnect_backoff_ms.to_string()),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("retries", self.retries.to_string()),
            ("retry.backoff.max.ms", self.retry_backoff_max_ms.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            ("transaction.timeout.ms", self.transaction_timeout_ms.to_string()),
            ("transactional.id", self.transactional_id.clone().unwrap_or_default()),
        ]
    }
}

/// What a consumer does without a valid position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
    /// `by_duration:PnDTnHnMn.nS` (KIP-1106, Kafka 4.0): the first record at or after now minus
    /// the duration (the end when there is none), in milliseconds.
    ByDuration(u64),
}

impl OffsetReset {
    pub fn name(self) -> &'static str {
        match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
            OffsetReset::ByDuration(_) => "by_duration",
        }
    }
}

/// A partition assignor of the classic protocol, by its short name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignorName {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl AssignorName {
    /// The protocol name the assignor announces in JoinGroup.
    pub fn name(self) -> &'static str {
        match self {
            AssignorName::Range => "range",
            AssignorName::RoundRobin => "roundrobin",
            AssignorName::Sticky => "sticky",
            AssignorName::CooperativeSticky => "cooperative-sticky",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "range" => Some(AssignorName::Range),
            "roundrobin" => Some(AssignorName::RoundRobin),
            "sticky" => Some(AssignorName::Sticky),
            "cooperative-sticky" => Some(AssignorName::CooperativeSticky),
            _ => None,
        }
    }

    /// A `partition.assignment.strategy` entry: a class name or the short name.
    fn parse(entry: &str) -> Result<Self, CommandError> {
        let short = entry.trim().rsplit('.').next().unwrap_or_default();
        match short {
            "RangeAssignor" | "range" => Ok(AssignorName::Range),
            "RoundRobinAssignor" | "roundrobin" => Ok(AssignorName::RoundRobin),
            "StickyAssignor" | "sticky" => Ok(AssignorName::Sticky),
            "CooperativeStickyAssignor" | "cooperative-sticky" => Ok(AssignorName::CooperativeSticky),
            _ => Err(bad(
                "partition.assignment.strategy",
                entry,
                "Class could not be found (known: range, roundrobin, sticky, cooperative-sticky)",
            )),
        }
    }
}

/// The consumer's configs simulated so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// Needed to subscribe and to commit; manual `assign` works without it.
    pub group_id: Option<String>,
    /// `group.instance.id`: a static member (KIP-345).
    pub group_instance_id: Option<String>,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: u64,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub max_poll_interval_ms: u64,
    /// Preference order; Kafka's default is `[range, cooperative-sticky]`.
    pub partition_assignment_strategy: Vec<AssignorName>,
    pub retry_backoff_ms: u64,
    /// `retry.backoff.max.ms`: the longest a backoff that doubles from retry.backoff.ms grows.
    pub retry_backoff_max_ms: u64,
    /// `metadata.max.age.ms`: how often metadata is refreshed even without an error.
    pub metadata_max_age_ms: u64,
    pub auto_offset_reset: OffsetReset,
    /// `auto.offset.reset` as written, shown back as Java shows a config's value.
    pub auto_offset_reset_text: Option<String>,
    pub fetch_min_bytes: u64,
    pub fetch_max_wait_ms: u64,
    pub fetch_max_bytes: u64,
    pub max_partition_fetch_bytes: u64,
    pub max_poll_records: u64,
    pub request_timeout_ms: u64,
    pub client_id: String,
    pub isolation_level: IsolationLevel,
    /// `group.protocol=consumer`: the consumer group protocol (KIP-848), where the coordinator
    /// assigns; `classic` (Kafka 4.3's default) runs JoinGroup and SyncGroup.
    pub consumer_protocol: bool,
    /// `group.remote.assignor`: the server assignor this member asks for (consumer protocol only).
    pub group_remote_assignor: Option<String>,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            group_id: None,
            group_instance_id: None,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            partition_assignment_strategy: alloc::vec![AssignorName::Range, AssignorName::CooperativeSticky],
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            metadata_max_age_ms: 300_000,
            auto_offset_reset: OffsetReset::Latest,
            auto_offset_reset_text: None,
            fetch_min_bytes: 1,
            fetch_max_wait_ms: 500,
            fetch_max_bytes: 52_428_800,
            max_partition_fetch_bytes: 1_048_576,
            max_poll_records: 500,
            request_timeout_ms: 30_000,
            client_id: String::new(),
            isolation_level: IsolationLevel::ReadUncommitted,
            consumer_protocol: false,
            group_remote_assignor: None,
        }
    }
}

const CONSUMER_CONFIGS: &[&str] = &[
    "auto.commit.interval.ms",
    "auto.offset.reset",
    "client.id",
    "enable.auto.commit",
    "fetch.max.bytes",
    "fetch.max.wait.ms",
    "fetch.min.bytes",
    "group.id",
    "group.instance.id",
    "group.protocol",
    "group.remote.assignor",
    "heartbeat.interval.ms",
    "isolation.level",
    "max.partition.fetch.bytes",
    "max.poll.interval.ms",
    "metadata.max.age.ms",
    "max.poll.records",
    "partition.assignment.strategy",
    "request.timeout.ms",
    "retry.backoff.max.ms",
    "retry.backoff.ms",
    "session.timeout.ms",
];

impl ConsumerConfig {
    /// The rebalance protocol, as the Java client picks it: the most advanced one
    /// every listed assignor supports. Only cooperative-sticky supports COOPERATIVE,
    /// so the default `[range, cooperative-sticky]` rebalances eagerly.
    pub fn cooperative(&self) -> bool {
        self.partition_assignment_strategy.iter().all(|a| *a == AssignorName::CooperativeSticky)
    }

    /// Checks one config's name and value alone; how configs combine is checked by [`ConsumerConfig::parse`].
    pub fn check_value(name: &str, value: &str) -> Result<(), CommandError> {
        ConsumerConfig::default().apply(name, value)
    }

    /// Applies one config's value.
    fn apply(&mut self, name: &str, v: &str) -> Result<(), CommandError> {
        let c = self;
        match name {
            "auto.offset.reset" => {
                c.auto_offset_reset_text = None;
                c.auto_offset_reset = match v.trim() {
                    "earliest" => OffsetReset::Earliest,
                    "latest" => OffsetReset::Latest,
                    "none" => OffsetReset::None,
                    other => match other.strip_prefix("by_duration:").and_then(crate::time::parse_iso_duration) {
                        Some(ms) => {
                            c.auto_offset_reset_text = Some(other.into());
                            OffsetReset::ByDuration(ms)
                        }
                        None => {
                            return Err(bad(
                                name,
                                v,
                                "The value must be either 'earliest', 'latest', 'none' or of the format \
                                 'by_duration:<PnDTnHnMn.nS.>'.",
                            ))
                        }
                    },
                }
            }
            "client.id" => c.client_id = v.to_string(),
            "enable.auto.commit" => c.enable_auto_commit = boolean(name, v)?,
            "auto.commit.interval.ms" => c.auto_commit_interval_ms = int(name, v, 0)?,
            "session.timeout.ms" => c.session_timeout_ms = int(name, v, 0)?,
            "heartbeat.interval.ms" => c.heartbeat_interval_ms = int(name, v, 0)?,
            "max.poll.interval.ms" => c.max_poll_interval_ms = int(name, v, 1)?,
            "retry.backoff.ms" => c.retry_backoff_ms = long(name, v, 0)?,
            "retry.backoff.max.ms" => c.retry_backoff_max_ms = long(name, v, 0)?,
            "metadata.max.age.ms" => c.metadata_max_age_ms = long(name, v, 0)?,
            "partition.assignment.strategy" => {
                let list: Result<Vec<AssignorName>, CommandError> =
                    v.split(',').filter(|e| !e.trim().is_empty()).map(AssignorName::parse).collect();
                let list = list?;
                if list.is_empty() {
                    return Err(bad(name, v, "at least one assignor is needed"));
                }
                c.partition_assignment_strategy = list;
            }
            "fetch.max.bytes" => c.fetch_max_bytes = int(name, v, 0)?,
            "fetch.max.wait.ms" => c.fetch_max_wait_ms = int(name, v, 0)?,
            "fetch.min.bytes" => c.fetch_min_bytes = int(name, v, 0)?,
            "group.id" => c.group_id = Some(v.to_string()),
            "group.instance.id" => c.group_instance_id = Some(v.to_string()),
            "group.protocol" => match v.trim().to_ascii_lowercase().as_str() {
                "classic" => c.consumer_protocol = false,
                "consumer" => c.consumer_protocol = true,
                _ => return Err(bad(name, v, "String must be one of (case insensitive): CLASSIC, CONSUMER")),
            },
            "group.remote.assignor" => c.group_remote_assignor = Some(v.trim().into()),
            "max.partition.fetch.bytes" => c.max_partition_fetch_bytes = int(name, v, 0)?,
            "max.poll.records" => c.max_poll_records = int(name, v, 1)?,
            "request.timeout.ms" => c.request_timeout_ms = int(name, v, 0)?,
            "isolation.level" => {
                c.isolation_level = match v.trim() {
                    "read_uncommitted" => IsolationLevel::ReadUncommitted,
                    "read_committed" => IsolationLevel::ReadCommitted,
                    _ => return Err(bad(name, v, "String must be one of: read_uncommitted, read_committed")),
                }
            }
            _ => return Err(unknown("consumer", name, CONSUMER_CONFIGS)),
        }
        Ok(())
    }

    /// Every config applied, then how they combine, whatever their order (as Java's
    /// `ConsumerConfig` checks the whole set at construction).
    /// retry.backoff.ms doubling to retry.backoff.max.ms: metadata for missing topics.
    pub fn retry_backoff(&self) -> ExponentialBackoff {
        ExponentialBackoff::new(self.retry_backoff_ms, self.retry_backoff_max_ms)
    }

    pub fn parse(pairs: &[(String, String)]) -> Result<Self, CommandError> {
        let mut c = ConsumerConfig::default();
        for (name, value) in pairs {
            c.apply(name, value)?;
        }
        let explicit = |key: &str| pairs.iter().any(|(n, _)| n == key);
        // `ConsumerConfig.maybeOverrideEnableAutoCommit`: without a group there is nothing to
        // commit to, so auto-commit is off unless asked for, and asking for it is an error.
        if c.group_id.is_none() {
            if !explicit("enable.auto.commit") {
                c.enable_auto_commit = false;
            } else if c.enable_auto_commit {
                return Err(CommandError::ClientConfig(
                    "enable.auto.commit cannot be set to true when default group id (null) is used.".into(),
                ));
            }
        }
        // `ConsumerConfig.checkUnsupportedConfigsPostProcess`: each protocol's configs the other
        // does not have may not be set.
        let (protocol, unsupported): (&str, &[&str]) = if c.consumer_protocol {
            ("CONSUMER", &["partition.assignment.strategy", "heartbeat.interval.ms", "session.timeout.ms"])
        } else {
            ("CLASSIC", &["group.remote.assignor"])
        };
        let set: Vec<&str> =
            unsupported.iter().copied().filter(|k| pairs.iter().any(|(n, v)| n == k && !v.trim().is_empty())).collect();
        if !set.is_empty() {
            return Err(CommandError::ClientConfig(alloc::format!(
                "{} cannot be set when group.protocol={protocol}",
                set.join(", ")
            )));
        }
        // `JoinGroupRequest.validateGroupInstanceId`, run when the consumer is built.
        if c.group_instance_id.as_deref() == Some("") {
            return Err(CommandError::ClientConfig("Group instance id is illegal, it can't be empty".into()));
        }
        // The Java client's Heartbeat refuses this combination at construction.
        if c.heartbeat_interval_ms >= c.session_timeout_ms {
            return Err(CommandError::ClientConfig("Heartbeat must be set lower than the session timeout".into()));
        }
        Ok(c)
    }

    pub fn describe(&self) -> Vec<(&'static str, String)> {
        alloc::vec![
            ("auto.commit.interval.ms", self.auto_commit_interval_ms.to_string()),
            (
                "auto.offset.reset",
                self.auto_offset_reset_text.clone().unwrap_or_else(|| self.auto_offset_reset.name().into())
            ),
            ("client.id", self.client_id.clone()),
            ("enable.auto.commit", self.enable_auto_commit.to_string()),
            ("fetch.max.bytes", self.fetch_max_bytes.to_string()),
            ("fetch.max.wait.ms", self.fetch_max_wait_ms.to_string()),
            ("fetch.min.bytes", self.fetch_min_bytes.to_string()),
            ("group.id", self.group_id.clone().unwrap_or_default()),
            ("group.instance.id", self.group_instance_id.clone().unwrap_or_default()),
            ("group.protocol", if self.consumer_protocol { "consumer" } else { "classic" }.into()),
            ("group.remote.assignor", self.group_remote_assignor.clone().unwrap_or_default()),
            ("heartbeat.interval.ms", self.heartbeat_interval_ms.to_string()),
            (
                "isolation.level",
                match self.isolation_level {
                    IsolationLevel::ReadUncommitted => "read_uncommitted".into(),
                    IsolationLevel::ReadCommitted => "read_committed".into(),
                },
            ),
            ("max.partition.fetch.bytes", self.max_partition_fetch_bytes.to_string()),
            ("max.poll.interval.ms", self.max_poll_interval_ms.to_string()),
            ("metadata.max.age.ms", self.metadata_max_age_ms.to_string()),
            ("max.poll.records", self.max_poll_records.to_string()),
            (
                "partition.assignment.strategy",
                self.partition_assignment_strategy.iter().map(|a| a.name()).collect::<Vec<_>>().join(","),
            ),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("retry.backoff.max.ms", self.retry_backoff_max_ms.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            ("session.timeout.ms", self.session_timeout_ms.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Both protocols are accepted in any case, each refusing the other's configs with Java's
    /// message (`ConsumerConfigTest.testUnsupportedConfigsWithConsumerGroupProtocol` and
    /// `testClassicProtocolRejectsGroupRemoteAssignor`); any other value as `ConfigDef` refuses it.
    #[test]
    fn group_protocol_values_and_each_protocols_configs() {
        assert!(!ConsumerConfig::parse(&pairs(&[("group.protocol", "CLASSIC")])).unwrap().consumer_protocol);
        assert!(ConsumerConfig::parse(&pairs(&[("group.protocol", "consumer")])).unwrap().consumer_protocol);
        let refused = ConsumerConfig::parse(&pairs(&[
            ("group.protocol", "consumer"),
            ("session.timeout.ms", "10000"),
            ("partition.assignment.strategy", "range"),
        ]))
        .unwrap_err();
        assert_eq!(
            alloc::format!("{refused}"),
            "partition.assignment.strategy, session.timeout.ms cannot be set when group.protocol=CONSUMER"
        );
        let refused = ConsumerConfig::parse(&pairs(&[("group.remote.assignor", "range")])).unwrap_err();
        assert_eq!(alloc::format!("{refused}"), "group.remote.assignor cannot be set when group.protocol=CLASSIC");
        let bad = ConsumerConfig::parse(&pairs(&[("group.protocol", "share")])).unwrap_err();
        assert_eq!(
            alloc::format!("{bad}"),
            "Invalid value share for configuration group.protocol: String must be one of (case insensitive): CLASSIC, CONSUMER"
        );
    }

    #[test]
    fn producer_defaults_are_kafka_4() {
        let c = ProducerConfig::default();
        assert_eq!((c.acks, c.linger_ms, c.batch_size_bytes), (Acks::All, 5, 16_384));
    }

    #[test]
    fn producer_configs_parse_and_bad_values_name_the_config() {
        let c = ProducerConfig::parse(&pairs(&[("acks", "1"), ("linger.ms", "10")])).unwrap();
        assert_eq!((c.acks, c.linger_ms), (Acks::Leader, 10));
        let e = ProducerConfig::parse(&pairs(&[("linger.ms", "soon")])).unwrap_err();
        assert_eq!(e.to_string(), "Invalid value soon for configuration linger.ms: Not a number of type LONG");
        let e = ProducerConfig::parse(&pairs(&[("acks", "2")])).unwrap_err();
        assert!(e.to_string().contains("configuration acks"));
    }

    #[test]
    fn unsimulated_configs_are_refused_by_name() {
        let e = ProducerConfig::parse(&pairs(&[("transactional.ids", "t1")])).unwrap_err();
        assert!(e.to_string().starts_with("'transactional.ids' is not a producer config"));
        let e = ConsumerConfig::parse(&pairs(&[("isolation.levels", "read_committed")])).unwrap_err();
        assert!(e.to_string().starts_with("'isolation.levels' is not a consumer config"));
    }

    #[test]
    fn a_transactional_id_needs_idempotence_and_isolation_is_one_of_two_levels() {
        let c = ProducerConfig::parse(&pairs(&[("transactional.id", "t1")])).unwrap();
        assert_eq!((c.transactional_id.as_deref(), c.transaction_timeout_ms, c.idempotent), (Some("t1"), 60_000, true));
        for conflict in [("enable.idempotence", "false"), ("acks", "1")] {
            let e = ProducerConfig::parse(&pairs(&[("transactional.id", "t1"), conflict])).unwrap_err();
            assert_eq!(e.to_string(), "Cannot set a transactional.id without also enabling idempotence.");
        }
        let c = ConsumerConfig::parse(&pairs(&[("isolation.level", "read_committed")])).unwrap();
        assert_eq!(c.isolation_level, IsolationLevel::ReadCommitted);
        let e = ConsumerConfig::parse(&pairs(&[("isolation.level", "committed")])).unwrap_err();
        assert!(e.to_string().contains("read_uncommitted, read_committed"), "{e}");
    }

    #[test]
    fn the_view_describes_every_config_a_script_may_set() {
        let names = |d: Vec<(&'static str, String)>| d.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(ProducerConfig::default().describe()), PRODUCER_CONFIGS);
        assert_eq!(names(ConsumerConfig::default().describe()), CONSUMER_CONFIGS);
    }

    #[test]
    fn idempotence_is_on_by_default_and_conflicts_follow_kafka() {
        assert!(ProducerConfig::default().idempotent);
        let implicit = ProducerConfig::parse(&pairs(&[("acks", "1")])).unwrap();
        assert!(!implicit.idempotent, "acks=1 without asking: silently off");
        assert!(implicit.idempotence_note.unwrap().contains("acks to all"));
        let e = ProducerConfig::parse(&pairs(&[("acks", "1"), ("enable.idempotence", "true")])).unwrap_err();
        assert!(e.to_string().contains("Must set acks to all in order to use the idempotent producer"), "{e}");
        let e = ProducerConfig::parse(&pairs(&[("enable.idempotence", "true"), ("retries", "0")])).unwrap_err();
        assert!(e.to_string().contains("retries to non-zero"), "{e}");
        assert!(!ProducerConfig::parse(&pairs(&[("enable.idempotence", "false")])).unwrap().idempotent);
    }

    #[test]
    fn compression_type_takes_kafkas_names() {
        let c = ProducerConfig::parse(&pairs(&[("compression.type", "zstd")])).unwrap();
        assert_eq!(c.compression_type, Compression::Zstd);
        let e = ProducerConfig::parse(&pairs(&[("compression.type", "brotli")])).unwrap_err();
        assert!(e.to_string().contains("none, gzip, snappy, lz4, zstd"), "{e}");
    }

    /// KIP-1106's `by_duration:` values, as Java's `Duration.parse` reads them.
    #[test]
    fn auto_offset_reset_by_duration() {
        let reset = |v: &str| ConsumerConfig::parse(&pairs(&[("auto.offset.reset", v)])).map(|c| c.auto_offset_reset);
        assert_eq!(reset("by_duration:PT1H"), Ok(OffsetReset::ByDuration(3_600_000)));
        assert_eq!(reset("by_duration:P1DT2H30M"), Ok(OffsetReset::ByDuration(95_400_000)));
        assert_eq!(reset("by_duration:PT0.5S"), Ok(OffsetReset::ByDuration(500)));
        assert_eq!(reset("by_duration:PT1.123456789S"), Ok(OffsetReset::ByDuration(1_123)));
        for bad in [
            "by_duration",
            "by_duration:",
            "by_duration:1H",
            "by_duration:PT",
            "by_duration:-PT1H",
            "by_duration:PT1.5H",
        ] {
            let e = reset(bad).unwrap_err().to_string();
            assert!(e.contains("or of the format 'by_duration:<PnDTnHnMn.nS.>'"), "{bad}: {e}");
        }
        let c = ConsumerConfig::parse(&pairs(&[("auto.offset.reset", "by_duration:P1DT2H30M")])).unwrap();
        assert!(c.describe().contains(&("auto.offset.reset", "by_duration:P1DT2H30M".into())), "shown as written");
    }

    #[test]
    fn consumer_configs_parse() {
        let c = ConsumerConfig::parse(&pairs(&[("group.id", "g"), ("auto.offset.reset", "earliest")])).unwrap();
        assert_eq!(c.group_id.as_deref(), Some("g"));
        assert_eq!(c.auto_offset_reset, OffsetReset::Earliest);
        assert_eq!(ConsumerConfig::default().auto_offset_reset, OffsetReset::Latest);
        let e = ConsumerConfig::parse(&pairs(&[("max.poll.records", "0")])).unwrap_err();
        assert!(e.to_string().ends_with("Value must be at least 1"), "{e}");
    }
}
