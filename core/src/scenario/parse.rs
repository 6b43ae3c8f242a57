//! Script text to commands. Every error names the line, the column and what
//! was expected there. Config values are checked here with the same
//! functions the simulation uses, so `kafka-sim check` catches them.

use super::lex::{words, Word};
use super::{Line, Scenario, ScriptError, SCRIPT_LINES_MAX};
use crate::client::config::{ConsumerConfig, ProducerConfig};
use crate::command::{ClusterSettings, Command, Configs, PatternSide, SeekTo};
use crate::format::Format;
use crate::protocol::TopicPartition;
use crate::time::Duration;
use crate::topic::TopicConfig;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

pub fn script(text: &str) -> Result<Scenario, ScriptError> {
    let mut scenario = Scenario::default();
    let mut seen_seed = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if line > SCRIPT_LINES_MAX {
            return Err(ScriptError {
                line,
                column: 1,
                message: format!("a script has at most {SCRIPT_LINES_MAX} lines"),
            });
        }
        let ws = words(raw, line)?;
        let Some(first) = ws.first() else { continue };
        if first.text == "seed" && first.eq.is_none() {
            let mut c = Cursor::new(&ws, line, raw);
            c.next_word("seed")?;
            if seen_seed || !scenario.commands.is_empty() {
                return Err(c.error_at(first.column, "`seed` may appear once, before any command"));
            }
            scenario.seed = c.number("a seed (a whole number)")?;
            c.end()?;
            seen_seed = true;
            continue;
        }
        let command = parse_words(&ws, line, raw)?;
        scenario.commands.push(Line { line, command: alloc::rc::Rc::new(command) });
    }
    Ok(scenario)
}

pub fn command_line(text: &str, line: usize) -> Result<Command, ScriptError> {
    let ws = words(text, line)?;
    if ws.is_empty() {
        return Err(ScriptError { line, column: 1, message: "expected a command".into() });
    }
    parse_words(&ws, line, text)
}

#[cfg(feature = "share-groups")]
const CLUSTER_SETTINGS: &str =
    "brokers=N, latency=DURATION, auto.create.topics.enable=BOOL, num.partitions=N, default.replication.factor=N, replica.lag.time.max.ms=MS, log.retention.check.interval.ms=MS, connections.max.idle.ms=MS, max.incremental.fetch.session.cache.slots=N, group.initial.rebalance.delay.ms=MS, group.min.session.timeout.ms=MS, group.max.session.timeout.ms=MS, group.consumer.heartbeat.interval.ms=MS, group.consumer.session.timeout.ms=MS, group.share.heartbeat.interval.ms=MS, group.share.session.timeout.ms=MS, group.share.record.lock.duration.ms=MS, group.share.delivery.count.limit=N, group.share.partition.max.record.locks=N, group.share.max.size=N, group.share.max.share.sessions=N, share.coordinator.snapshot.update.records.per.snapshot=N, min.insync.replicas=N, unclean.leader.election.enable=BOOL, log.retention.ms=MS, log.retention.hours=H, log.segment.bytes=N, offsets.retention.minutes=N, offsets.topic.replication.factor=N, offsets.topic.num.partitions=N, transaction.state.log.replication.factor=N, transaction.state.log.min.isr=N, transaction.state.log.num.partitions=N, transaction.version=1|2 or transaction.partition.verification.enable=BOOL";
#[cfg(not(feature = "share-groups"))]
const CLUSTER_SETTINGS: &str =
    "brokers=N, latency=DURATION, auto.create.topics.enable=BOOL, num.partitions=N, default.replication.factor=N, replica.lag.time.max.ms=MS, log.retention.check.interval.ms=MS, connections.max.idle.ms=MS, max.incremental.fetch.session.cache.slots=N, group.initial.rebalance.delay.ms=MS, group.min.session.timeout.ms=MS, group.max.session.timeout.ms=MS, group.consumer.heartbeat.interval.ms=MS, group.consumer.session.timeout.ms=MS, min.insync.replicas=N, unclean.leader.election.enable=BOOL, log.retention.ms=MS, log.retention.hours=H, log.segment.bytes=N, offsets.retention.minutes=N, offsets.topic.replication.factor=N, offsets.topic.num.partitions=N, transaction.state.log.replication.factor=N, transaction.state.log.min.isr=N, transaction.state.log.num.partitions=N, transaction.version=1|2 or transaction.partition.verification.enable=BOOL";

/// What a build without share groups (the page's first download) says of their lines; the page
/// recognises it and offers its share-groups build.
pub const SHARE_GROUPS_LEFT_OUT: &str =
    "share groups (KIP-932) are not in this build (its share-groups feature is off)";

#[cfg(feature = "share-groups")]
const COMMANDS: &str = "cluster, topic, traffic, delete-records, group, producer, consumer, share-consumer, acknowledge, send, flush, init-transactions, begin-transaction, send-offsets-to-transaction, commit-transaction, abort-transaction, assign, subscribe, poll, consume, commit, seek, pause, resume, close, crash, advance, broker, network, expect";
#[cfg(not(feature = "share-groups"))]
const COMMANDS: &str = "cluster, topic, traffic, delete-records, group, producer, consumer, send, flush, init-transactions, begin-transaction, send-offsets-to-transaction, commit-transaction, abort-transaction, assign, subscribe, poll, consume, commit, seek, pause, resume, close, crash, advance, broker, network, expect";

fn parse_words(ws: &[Word], line: usize, raw: &str) -> Result<Command, ScriptError> {
    let mut c = Cursor::new(ws, line, raw);
    let head = c.word("a command")?;
    let command = match head.text.as_str() {
        "cluster" => {
            let mut settings = ClusterSettings::new(0);
            let mut brokers = None;
            // The internal topics' settings written; the others follow from the broker count.
            let mut internal = Vec::new();
            while let Some(w) = c.peek() {
                let (name, value) = c.pair(CLUSTER_SETTINGS)?;
                match name {
                    "brokers" => brokers = Some(c.parse_u32(value, w, "a number of brokers")?),
                    "latency" => settings.latency = c.parse_duration(value, w)?,
                    "auto.create.topics.enable" => settings.auto_create_topics = c.parse_bool(value, w)?,
                    "num.partitions" => {
                        settings.num_partitions = c.parse_u32(value, w, "a number of partitions")?;
                        c.at_least_one(w, name, u64::from(settings.num_partitions))?;
                    }
                    "default.replication.factor" => {
                        settings.default_replication_factor = c.parse_u32(value, w, "a replication factor")?
                    }
                    "max.incremental.fetch.session.cache.slots" => {
                        settings.max_incremental_fetch_session_cache_slots =
                            c.parse_u32(value, w, "a number of sessions")?
                    }
                    // Milliseconds as Kafka writes these configs (INT or LONG), not durations.
                    "replica.lag.time.max.ms" => {
                        settings.replica_lag_time_max_ms = c.parse_u64(value, w, "milliseconds")?
                    }
                    "log.retention.check.interval.ms" => {
                        settings.log_retention_check_interval_ms = c.parse_u64(value, w, "milliseconds")?;
                        c.at_least_one(w, name, settings.log_retention_check_interval_ms)?;
                    }
                    "connections.max.idle.ms" => {
                        settings.connections_max_idle_ms = c.parse_u64(value, w, "milliseconds")?;
                        c.at_least_one(w, name, settings.connections_max_idle_ms)?;
                    }
                    "group.initial.rebalance.delay.ms" => {
                        settings.group.initial_rebalance_delay_ms = u64::from(c.parse_u32(value, w, "milliseconds")?)
                    }
                    "group.min.session.timeout.ms" => {
                        settings.group.min_session_timeout_ms = u64::from(c.parse_u32(value, w, "milliseconds")?)
                    }
                    "group.max.session.timeout.ms" => {
                        settings.group.max_session_timeout_ms = u64::from(c.parse_u32(value, w, "milliseconds")?)
                    }
                    "group.consumer.heartbeat.interval.ms" => {
                        let ms = u64::from(c.parse_u32(value, w, "milliseconds")?);
                        c.at_least_one(w, name, ms)?;
                        settings.group.consumer.heartbeat_interval_ms = ms;
                    }
                    #[cfg(feature = "share-groups")]
                    "group.share.heartbeat.interval.ms"
                    | "group.share.session.timeout.ms"
                    | "group.share.record.lock.duration.ms"
                    | "group.share.delivery.count.limit"
                    | "group.share.partition.max.record.locks" => {
                        let n = c.parse_u32(value, w, "a number")?;
                        // Kafka 4.3's bounds on the delivery count limit (2 to 10); the others at least 1.
                        if name == "group.share.delivery.count.limit" && !(2..=10).contains(&n) {
                            return Err(
                                c.error_at(w.value_column(), "group.share.delivery.count.limit is between 2 and 10")
                            );
                        }
                        c.at_least_one(w, name, u64::from(n))?;
                        let share = &mut settings.group.share;
                        match name {
                            "group.share.heartbeat.interval.ms" => share.heartbeat_interval_ms = u64::from(n),
                            "group.share.session.timeout.ms" => share.session_timeout_ms = u64::from(n),
                            "group.share.record.lock.duration.ms" => share.limits.lock_duration_ms = u64::from(n),
                            "group.share.delivery.count.limit" => share.limits.delivery_count_limit = n as u16,
                            _ => share.limits.max_record_locks = n as usize,
                        }
                    }
                    #[cfg(feature = "share-groups")]
                    "group.share.max.size" | "group.share.max.share.sessions" => {
                        use crate::group::share_group::SHARE_GROUP_MEMBERS_MAX;
                        let n = c.parse_u32(value, w, "a number")? as usize;
                        c.at_least_one(w, name, n as u64)?;
                        let share = &mut settings.group.share;
                        if name == "group.share.max.size" {
                            if n > SHARE_GROUP_MEMBERS_MAX {
                                let why = format!("group.share.max.size is between 1 and {SHARE_GROUP_MEMBERS_MAX}");
                                return Err(c.error_at(w.value_column(), &why));
                            }
                            share.max_size = n;
                        } else {
                            share.max_share_sessions = n;
                        }
                    }
                    #[cfg(feature = "share-groups")]
                    "share.coordinator.snapshot.update.records.per.snapshot" => {
                        use crate::group::share_group::SHARE_UPDATES_PER_SNAPSHOT;
                        let n = c.parse_u32(value, w, "a number of records")?;
                        if n > SHARE_UPDATES_PER_SNAPSHOT {
                            let why = format!("{name} is between 0 and {SHARE_UPDATES_PER_SNAPSHOT}");
                            return Err(c.error_at(w.value_column(), &why));
                        }
                        settings.group.share.updates_per_snapshot = n;
                    }
                    "group.consumer.session.timeout.ms" => {
                        let ms = u64::from(c.parse_u32(value, w, "milliseconds")?);
                        c.at_least_one(w, name, ms)?;
                        settings.group.consumer.session_timeout_ms = ms;
                    }
                    "transaction.partition.verification.enable" => {
                        settings.partition_verification = c.parse_bool(value, w)?
                    }
                    "offsets.retention.minutes" => {
                        settings.offsets_retention_minutes = c.parse_u64(value, w, "a number of minutes")?;
                        c.at_least_one(w, name, settings.offsets_retention_minutes)?;
                    }
                    "transaction.version" => {
                        settings.transaction_version = match value {
                            "1" => 1,
                            "2" => 2,
                            _ => {
                                let message = format!(
                                    "transaction.version={value}: the feature levels are 1 (the classic protocol) and 2 (KIP-890, the default)"
                                );
                                return Err(c.error_at(w.column, &message));
                            }
                        }
                    }
                    // The internal topics' five, each a number of at least 1.
                    _ if crate::command::InternalTopics::KAFKA.set(name, 0).is_some() => {
                        let n = c.parse_u32(value, w, "a number")?;
                        c.at_least_one(w, name, u64::from(n))?;
                        internal.push((name, n));
                    }
                    _ => match crate::topic::config::broker_default(name, value) {
                        Some(Ok(_)) => settings.topic_defaults.push((name.into(), value.into())),
                        Some(Err(e)) => return Err(c.error_at(w.column, &e.to_string())),
                        None => {
                            let message = format!("unknown cluster setting '{name}': expected {CLUSTER_SETTINGS}");
                            return Err(c.error_at(w.column, &message));
                        }
                    },
                }
            }
            settings.brokers = brokers.ok_or_else(|| c.error_at(head.column, "expected brokers=N"))?;
            #[cfg(feature = "share-groups")]
            if settings.group.share.max_share_sessions < settings.group.share.max_size {
                // `ShareGroupConfig`'s check when a broker starts.
                let why = "group.share.max.share.sessions must be greater than or equal to group.share.max.size";
                return Err(c.error_at(head.column, why));
            }
            settings.internal = crate::command::InternalTopics::for_brokers(settings.brokers);
            for (name, n) in internal {
                settings.internal = settings.internal.set(name, n).unwrap_or(settings.internal);
            }
            Command::Cluster(settings)
        }
        "traffic" => {
            let producer = c.word("a producer name")?.text.clone();
            let topic = c.word("a topic name")?.text.clone();
            let (mut rate_per_s, mut keys) = (None, 0);
            while let Some(w) = c.peek() {
                let (name, text) = c.pair("rate=N or keys=N")?;
                match name {
                    "rate" => rate_per_s = Some(c.parse_u32(text, w, "records a second")?),
                    "keys" => keys = c.parse_u32(text, w, "a number of keys")?,
                    _ => return Err(c.error_at(w.column, &format!("expected rate=N or keys=N, found '{name}='"))),
                }
            }
            let rate_per_s =
                rate_per_s.ok_or_else(|| c.error_at(c.end_column, "expected rate=N (records a second; 0 stops)"))?;
            Command::Traffic { producer, topic, rate_per_s, keys }
        }
        "delete-records" => {
            let w = c.word("a partition like orders-0")?;
            let tp = TopicPartition::parse(&w.text).ok_or_else(|| {
                c.error_at(w.column, &format!("expected a partition like orders-0, found '{}'", w.text))
            })?;
            let offset = c.number("the offset the log should start at")?;
            c.end()?;
            Command::DeleteRecords { tp, offset }
        }
        "share-consumer" | "acknowledge" if !cfg!(feature = "share-groups") => {
            return Err(c.error_at(head.column, SHARE_GROUPS_LEFT_OUT));
        }
        "group" if c.peek().is_some_and(|w| w.text == "config") && !cfg!(feature = "share-groups") => {
            return Err(c.error_at(head.column, SHARE_GROUPS_LEFT_OUT));
        }
        #[cfg(feature = "share-groups")]
        "group" if c.peek().is_some_and(|w| w.text == "config") => {
            c.keyword("config")?;
            let group = c.word("a group id")?.text.clone();
            let mut configs = Configs::new();
            while let Some(w) = c.peek() {
                let (key, value) = c.pair("CONFIG=VALUE")?;
                let mut check = crate::group::share_group::ShareGroupConfigs::default();
                check.alter(&[(key.to_string(), value.to_string())]).map_err(|e| c.error_at(w.column, &e))?;
                configs.push((key.to_string(), value.to_string()));
            }
            if configs.is_empty() {
                return Err(c.error_at(c.end_column, "expected at least one CONFIG=VALUE"));
            }
            Command::AlterGroupConfig { group, configs }
        }
        "group" => {
            c.keyword("delete")?;
            let group = c.word("a group id")?.text.clone();
            c.end()?;
            Command::DeleteGroup { group }
        }
        #[cfg(feature = "share-groups")]
        "share-consumer" => {
            let name = c.client_name()?;
            let mut configs = Configs::new();
            let first_config_column = c.peek().map(|w| w.column);
            while c.peek().is_some() {
                let (key, value) = c.pair("CONFIG=VALUE")?;
                configs.push((key.to_string(), value.to_string()));
            }
            crate::client::share_consumer::ShareConsumerConfig::parse(&configs)
                .map_err(|e| c.error_at(first_config_column.unwrap_or(c.end_column), &e.to_string()))?;
            Command::ShareConsumer { name, configs }
        }
        #[cfg(feature = "share-groups")]
        "acknowledge" => {
            let consumer = c.word("a share consumer name")?.text.clone();
            let w = c.word("a record like orders-0@5")?;
            let bad = || c.error_at(w.column, &format!("expected a record like orders-0@5, found '{}'", w.text));
            let (tp, offset) = w.text.rsplit_once('@').ok_or_else(bad)?;
            let tp = TopicPartition::parse(tp).ok_or_else(bad)?;
            let offset: u64 = offset.parse().map_err(|_| bad())?;
            let a = c.word("accept, release, reject or renew")?;
            let ack = crate::group::share_partition::AckType::from_word(&a.text).ok_or_else(|| {
                c.error_at(a.column, &format!("expected accept, release, reject or renew, found '{}'", a.text))
            })?;
            c.end()?;
            Command::Acknowledge { consumer, tp, offset, ack }
        }
        "topic" if c.peek().is_some_and(|w| w.text == "config") => {
            c.keyword("config")?;
            let name = c.word("a topic name")?.text.clone();
            let mut configs = Configs::new();
            while let Some(w) = c.peek() {
                let (key, value) = c.pair("CONFIG=VALUE")?;
                let mut check = TopicConfig::default();
                check.set(key, value).map_err(|e| c.error_at(w.column, &e.to_string()))?;
                configs.push((key.to_string(), value.to_string()));
            }
            if configs.is_empty() {
                return Err(c.error_at(c.end_column, "expected at least one CONFIG=VALUE"));
            }
            Command::AlterTopicConfig { name, configs }
        }
        "topic" if c.peek().is_some_and(|w| w.text == "alter") => {
            c.keyword("alter")?;
            let name = c.word("a topic name")?.text.clone();
            let w = c.peek();
            let (key, value) = c.pair("partitions=N")?;
            if key != "partitions" {
                let column = w.map_or(c.end_column, |w| w.column);
                return Err(c.error_at(column, &format!("expected partitions=N, found '{key}='")));
            }
            let partitions = match w {
                Some(w) => c.parse_u32(value, w, "a number of partitions")?,
                None => 0,
            };
            c.end()?;
            Command::AlterPartitions { name, partitions }
        }
        "topic" => {
            c.keyword("create")?;
            let name = c.word("a topic name")?.text.clone();
            let (mut partitions, mut replication_factor, mut assignment) = (None, None, None);
            let mut configs = Configs::new();
            while let Some(w) = c.peek() {
                let (key, value) = c.pair("partitions=N, replication-factor=N or CONFIG=VALUE")?;
                match key {
                    "replica-assignment" => {
                        let parsed: Option<Vec<Vec<u32>>> =
                            value.split(',').map(|p| p.split(':').map(|b| b.parse().ok()).collect()).collect();
                        let expected = "broker ids like 1:2:3,2:3:1 (partitions separated by ',', replicas by ':')";
                        let message = format!("expected {expected}, found '{value}'");
                        assignment = Some(parsed.ok_or_else(|| c.error_at(w.value_column(), &message))?);
                    }
                    "partitions" => partitions = Some(c.parse_u32(value, w, "a number of partitions")?),
                    "replication-factor" => replication_factor = Some(c.parse_u32(value, w, "a replication factor")?),
                    _ => {
                        let mut check = TopicConfig::default();
                        check.set(key, value).map_err(|e| c.error_at(w.column, &e.to_string()))?;
                        configs.push((key.to_string(), value.to_string()));
                    }
                }
            }
            if assignment.is_some() && (partitions.is_some() || replication_factor.is_some()) {
                let message = "replica-assignment cannot be used with partitions or replication-factor";
                return Err(c.error_at(head.column, message));
            }
            Command::CreateTopic { assignment, name, partitions, replication_factor, configs }
        }
        "producer" | "consumer" => {
            let name = c.client_name()?;
            let mut configs = Configs::new();
            let first_config_column = c.peek().map(|w| w.column);
            while let Some(w) = c.peek() {
                let (key, value) = c.pair("CONFIG=VALUE")?;
                // Each value on its own first, so that the error points at it.
                let checked = if head.text == "producer" {
                    ProducerConfig::check_value(key, value)
                } else {
                    ConsumerConfig::check_value(key, value)
                };
                checked.map_err(|e| c.error_at(w.column, &e.to_string()))?;
                configs.push((key.to_string(), value.to_string()));
            }
            // Then how they combine (idempotence conflicts, delivery.timeout.ms, heartbeat and
            // session timeouts), in any order.
            let combined = if head.text == "producer" {
                ProducerConfig::parse(&configs).map(|_| ())
            } else {
                ConsumerConfig::parse(&configs).map(|_| ())
            };
            combined.map_err(|e| c.error_at(first_config_column.unwrap_or(c.end_column), &e.to_string()))?;
            if head.text == "producer" {
                Command::Producer { name, configs }
            } else {
                Command::Consumer { name, configs }
            }
        }
        "send" => {
            let producer = c.word("a producer name")?.text.clone();
            let topic = c.word("a topic name")?.text.clone();
            let (mut key, mut value, mut partition, mut headers) = (None, None, None, Vec::new());
            let (mut key_format, mut value_format) = (Format::String, Format::String);
            while let Some(w) = c.peek() {
                let (name, text) = c.pair("key=, value=, partition= or header.NAME=")?;
                let bytes = (w.value_quoted || text != "null").then(|| text.to_string());
                let format = || {
                    Format::parse(text).ok_or_else(|| {
                        c.error_at(w.value_column(), &format!("expected string, json or hex, found '{text}'"))
                    })
                };
                match name {
                    "key" => key = bytes,
                    "value" => value = bytes,
                    "key.format" => key_format = format()?,
                    "value.format" => value_format = format()?,
                    "partition" => partition = Some(c.parse_u32(text, w, "a partition number")?),
                    _ => match name.strip_prefix("header.") {
                        Some(h) if !h.is_empty() => headers.push((h.to_string(), bytes)),
                        _ => {
                            return Err(c.error_at(
                                w.column,
                                &format!("expected key=, value=, partition= or header.NAME=, found '{name}='"),
                            ))
                        }
                    },
                }
            }
            // A value that does not fit its format is an error at its column, not at run time.
            for (field, text, f) in [("key", &key, key_format), ("value", &value, value_format)] {
                if let Some(t) = text {
                    f.encode(t).map_err(|e| c.error_at(c.end_column, &format!("{field}: {e}")))?;
                }
            }
            Command::Send { producer, topic, partition, key, value, headers, key_format, value_format }
        }
        "assign" => {
            let consumer = c.word("a consumer name")?.text.clone();
            // No partitions is `assign([])`: the consumer stops reading.
            let partitions = c.partitions()?;
            c.end()?;
            Command::Assign { consumer, partitions }
        }
        "pause" | "resume" => {
            let consumer = c.word("a consumer name")?.text.clone();
            let partitions = c.partitions()?;
            c.end()?;
            if head.text == "pause" {
                Command::Pause { consumer, partitions }
            } else {
                Command::Resume { consumer, partitions }
            }
        }
        "seek" => {
            let consumer = c.word("a consumer name")?.text.clone();
            let w = c.word("a partition like orders-0")?;
            let tp = TopicPartition::parse(&w.text).ok_or_else(|| {
                c.error_at(w.column, &format!("expected a partition like orders-0, found '{}'", w.text))
            })?;
            let expected = "an offset, beginning, end or timestamp=MS";
            let w = c.word(expected)?;
            let to = match (w.text.as_str(), w.pair()) {
                ("beginning", _) => SeekTo::Beginning,
                ("end", _) => SeekTo::End,
                (_, Some(("timestamp", ms))) => SeekTo::Timestamp(c.parse_u64(ms, w, "a timestamp in ms")?),
                (text, None) => SeekTo::Offset(c.parse_u64(text, w, expected)?),
                _ => return Err(c.error_at(w.column, &format!("expected {expected}, found '{}'", w.text))),
            };
            c.end()?;
            Command::Seek { consumer, tp, to }
        }
        "close" => {
            let client = c.word("a producer or consumer name")?.text.clone();
            c.end()?;
            Command::Close { client }
        }
        "init-transactions" | "begin-transaction" | "commit-transaction" | "abort-transaction" => {
            use crate::command::TxnOp;
            let op = match head.text.as_str() {
                "init-transactions" => TxnOp::Init,
                "begin-transaction" => TxnOp::Begin,
                "commit-transaction" => TxnOp::Commit,
                _ => TxnOp::Abort,
            };
            let producer = c.word("a producer name")?.text.clone();
            c.end()?;
            Command::Transaction { producer, op }
        }
        "send-offsets-to-transaction" => {
            let producer = c.word("a producer name")?.text.clone();
            let consumer = c.word("the consumer whose positions and group go into the transaction")?.text.clone();
            c.end()?;
            Command::Transaction { producer, op: crate::command::TxnOp::SendOffsets { consumer } }
        }
        "flush" => {
            let producer = c.word("a producer name")?.text.clone();
            c.end()?;
            Command::Flush { producer }
        }
        "poll" => {
            let consumer = c.word("a consumer name")?.text.clone();
            c.end()?;
            Command::Poll { consumer }
        }
        "consume" => {
            use crate::command::{CommitMode, OnFailure, Processing};
            let consumer_word = c.word("a consumer name")?;
            let (consumer, first_column) = (consumer_word.text.clone(), consumer_word.column);
            let mut p = Processing::default();
            let expected =
                "processing.ms=, commit=, fail.value=, retries=, on.failure=, crash.after=, dedupe=, output= or transform=";
            while let Some(w) = c.peek() {
                let (name, text) = c.pair(expected)?;
                match name {
                    "processing.ms" => p.processing_ms = c.parse_u64(text, w, "a number of milliseconds")?,
                    "commit" => {
                        p.commit = match text {
                            "auto" => CommitMode::Auto,
                            "before" => CommitMode::Before,
                            "after" => CommitMode::After,
                            "transaction" => CommitMode::Transaction,
                            _ => {
                                return Err(c.error_at(
                                    w.value_column(),
                                    &format!("expected auto, before, after or transaction, found '{text}'"),
                                ))
                            }
                        }
                    }
                    "fail.value" => p.fail_value = Some(text.to_string()).filter(|t| !t.is_empty()),
                    "retries" => p.retries = c.parse_u32(text, w, "a number of retries")?,
                    "on.failure" => {
                        p.on_failure = match text {
                            "stop" => OnFailure::Stop,
                            "skip" => OnFailure::Skip,
                            "dlq" => OnFailure::DeadLetter,
                            "release" => OnFailure::Release,
                            "reject" => OnFailure::Reject,
                            _ => {
                                return Err(c.error_at(
                                    w.value_column(),
                                    &format!("expected stop, skip, dlq (a consumer's), release or reject (a share consumer's), found '{text}'"),
                                ))
                            }
                        }
                    }
                    "crash.after" => p.crash_after = Some(c.parse_u64(text, w, "a number of records")?),
                    "dedupe" => p.dedupe = c.parse_bool(text, w)?,
                    "output" => {
                        crate::topic::name::validate(text).map_err(|e| c.error_at(w.value_column(), &e.to_string()))?;
                        p.output = Some(text.to_string());
                    }
                    "transform" => {
                        p.transform = crate::command::Transform::parse(text).ok_or_else(|| {
                            c.error_at(w.value_column(), &format!("expected copy, upper or enrich, found '{text}'"))
                        })?
                    }
                    _ => return Err(c.error_at(w.column, &format!("expected {expected} found '{name}='"))),
                }
            }
            if p.commit == CommitMode::Transaction && p.output.is_none() {
                return Err(c.error_at(
                    first_column,
                    "commit=transaction needs output=TOPIC: the transaction holds what the application writes",
                ));
            }
            Command::Consume { consumer, processing: p }
        }
        "crash" => {
            let client = c.word("a producer or consumer name")?.text.clone();
            c.end()?;
            Command::Crash { client }
        }
        "subscribe" => {
            let consumer = c.word("a consumer name")?.text.clone();
            let w = c.word("topics like orders,payments, pattern=REGEX or regex=REGEX")?;
            let side = match w.pair() {
                Some(("pattern", _)) => Some(PatternSide::Consumer),
                Some(("regex", _)) => Some(PatternSide::Coordinator),
                _ => None,
            };
            if let (Some(side), Some((_, regex))) = (side, w.pair()) {
                crate::pattern::TopicPattern::parse(regex).map_err(|e| c.error_at(w.value_column(), &e))?;
                c.end()?;
                return Ok(Command::Subscribe {
                    consumer,
                    topics: Vec::new(),
                    pattern: Some((side, regex.to_string())),
                });
            }
            let mut topics: Vec<String> = Vec::new();
            for t in w.text.split(',').filter(|t| !t.is_empty()) {
                if !topics.iter().any(|x| x == t) {
                    topics.push(t.into());
                }
            }
            if topics.is_empty() {
                return Err(c.error_at(w.column, "expected topics like orders,payments"));
            }
            c.end()?;
            Command::Subscribe { consumer, topics, pattern: None }
        }
        "commit" => {
            let consumer = c.word("a consumer name")?.text.clone();
            let mut offsets = None;
            let mut asynchronous = false;
            while let Some(w) = c.peek() {
                let w = w.clone();
                c.at += 1;
                if w.text == "async" && !w.value_quoted {
                    asynchronous = true;
                    continue;
                }
                if offsets.is_some() || asynchronous {
                    return Err(
                        c.error_at(w.column, &format!("expected async or the end of the line, found '{}'", w.text))
                    );
                }
                let mut list: Vec<crate::command::CommitOffset> = Vec::new();
                for part in w.text.split(',').filter(|p| !p.is_empty()) {
                    let bad = || {
                        c.error_at(
                            w.column,
                            &format!("expected offsets like orders-0=5 or orders-0=5:metadata, found '{part}'"),
                        )
                    };
                    let (tp, rest) = part.split_once('=').ok_or_else(bad)?;
                    let tp = TopicPartition::parse(tp).ok_or_else(bad)?;
                    let (offset, metadata) = rest.split_once(':').unwrap_or((rest, ""));
                    let offset: u64 = offset.parse().map_err(|_| bad())?;
                    list.retain(|(t, _, _)| *t != tp);
                    list.push((tp, offset, metadata.to_string()));
                }
                offsets = Some(list);
            }
            Command::Commit { consumer, offsets, asynchronous }
        }
        "advance" => {
            let w = c.word("a duration like 500ms, 30s, 5m, 2h or 7d")?;
            let d = c.parse_duration(&w.text, w)?;
            c.end()?;
            Command::Advance(d)
        }
        "expect" => {
            use crate::expect::{Expectation, Subject};
            let kind = c.word(
                "partition, broker, controller, producer, consumer, topic, group, share-group or share-partition",
            )?;
            let subject = match kind.text.as_str() {
                "partition" => {
                    let w = c.word("a partition like orders-0")?;
                    Subject::Partition(TopicPartition::parse(&w.text).ok_or_else(|| {
                        c.error_at(w.column, &format!("expected a partition like orders-0, found '{}'", w.text))
                    })?)
                }
                "broker" => Subject::Broker(u32::try_from(c.number("a broker id")?).unwrap_or(u32::MAX)),
                "controller" => Subject::Controller,
                "producer" => Subject::Producer(c.word("a producer name")?.text.clone()),
                "consumer" => Subject::Consumer(c.word("a consumer name")?.text.clone()),
                "topic" => Subject::Topic(c.word("a topic name")?.text.clone()),
                "group" => Subject::Group(c.word("a group id")?.text.clone()),
                "share-group" | "share-partition" if !cfg!(feature = "share-groups") => {
                    return Err(c.error_at(kind.column, SHARE_GROUPS_LEFT_OUT));
                }
                #[cfg(feature = "share-groups")]
                "share-group" => Subject::ShareGroup(c.word("a share group id")?.text.clone()),
                #[cfg(feature = "share-groups")]
                "share-partition" => {
                    let w = c.word("a partition like orders-0")?;
                    let tp = TopicPartition::parse(&w.text).ok_or_else(|| {
                        c.error_at(w.column, &format!("expected a partition like orders-0, found '{}'", w.text))
                    })?;
                    let group = match c.peek().and_then(|w| w.pair()) {
                        Some(("group", g)) => {
                            let g = g.to_string();
                            c.at += 1;
                            Some(g)
                        }
                        _ => None,
                    };
                    Subject::SharePartition(tp, group)
                }
                other => {
                    let message = format!(
                        "expected partition, broker, controller, producer, consumer, topic, group, share-group or share-partition, found '{other}'"
                    );
                    return Err(c.error_at(kind.column, &message));
                }
            };
            let mut checks = Vec::new();
            while let Some(w) = c.peek() {
                let keys = subject.keys();
                let (key, value) = c.pair(&format!("one of {}", keys.join(", ")))?;
                if !keys.contains(&key) {
                    return Err(c.error_at(w.column, &format!("expected one of {}, found '{key}'", keys.join(", "))));
                }
                checks.push((key.to_string(), value.to_string()));
            }
            if checks.is_empty() {
                return Err(
                    c.error_at(c.end_column, &format!("expected at least one of {}", subject.keys().join(", ")))
                );
            }
            Command::Expect(Expectation { subject, checks })
        }
        "broker" => {
            let action = c.word("stop, start or shutdown")?;
            if !matches!(action.text.as_str(), "stop" | "start" | "shutdown") {
                let found = &action.text;
                return Err(c.error_at(action.column, &format!("expected stop, start or shutdown, found '{found}'")));
            }
            let id = c.number("a broker id")?;
            let id = u32::try_from(id).map_err(|_| c.error_at(action.column, "broker id too large"))?;
            c.end()?;
            match action.text.as_str() {
                "stop" => Command::BrokerStop(id),
                "start" => Command::BrokerStart(id),
                _ => Command::BrokerShutdown(id),
            }
        }
        "network" => {
            let action = c.word("cut, heal, delay or isolate")?;
            let node = "a node (broker-N or a client name)";
            match action.text.as_str() {
                "cut" | "heal" | "delay" => {
                    let a = c.word(node)?.text.clone();
                    let b = c.word("a second node (broker-N or a client name)")?.text.clone();
                    let command = match action.text.as_str() {
                        "cut" => Command::NetworkCut(a, b),
                        "heal" => Command::NetworkHeal(a, b),
                        _ => {
                            let w = c.word("a latency like 200ms")?;
                            Command::NetworkDelay(a, b, c.parse_duration(&w.text, w)?)
                        }
                    };
                    c.end()?;
                    command
                }
                "isolate" => {
                    let a = c.word(node)?.text.clone();
                    c.end()?;
                    Command::NetworkIsolate(a)
                }
                other => {
                    let message = format!("expected cut, heal, delay or isolate, found '{other}'");
                    return Err(c.error_at(action.column, &message));
                }
            }
        }
        other => return Err(c.error_at(head.column, &format!("unknown command '{other}': expected one of {COMMANDS}"))),
    };
    Ok(command)
}

/// Reads words left to right, producing errors that point into the line.
struct Cursor<'a> {
    words: &'a [Word],
    at: usize,
    line: usize,
    /// Column just past the end of the line, for "expected ... at end of line".
    end_column: usize,
}

impl<'a> Cursor<'a> {
    fn new(words: &'a [Word], line: usize, raw: &str) -> Self {
        let end_column = raw.trim_end().chars().count() + 1;
        Cursor { words, at: 0, line, end_column }
    }

    fn error_at(&self, column: usize, message: &str) -> ScriptError {
        ScriptError { line: self.line, column, message: message.into() }
    }

    /// Kafka's ConfigDef validator `atLeast(1)`, refusing a 0 in its words.
    fn at_least_one(&self, w: &Word, config: &str, value: u64) -> Result<(), ScriptError> {
        if value == 0 {
            let message = format!("Invalid value 0 for configuration {config}: Value must be at least 1");
            return Err(self.error_at(w.column, &message));
        }
        Ok(())
    }

    fn peek(&self) -> Option<&'a Word> {
        self.words.get(self.at)
    }

    fn word(&mut self, expected: &str) -> Result<&'a Word, ScriptError> {
        match self.words.get(self.at) {
            Some(w) => {
                self.at += 1;
                Ok(w)
            }
            None => Err(self.error_at(self.end_column, &format!("expected {expected}"))),
        }
    }

    fn next_word(&mut self, expected: &str) -> Result<&'a Word, ScriptError> {
        self.word(expected)
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), ScriptError> {
        let w = self.word(keyword)?;
        if w.text != keyword {
            return Err(self.error_at(w.column, &format!("expected '{keyword}', found '{}'", w.text)));
        }
        Ok(())
    }

    fn pair(&mut self, expected: &str) -> Result<(&'a str, &'a str), ScriptError> {
        let w = self.word(expected)?;
        w.pair().ok_or_else(|| self.error_at(w.column, &format!("expected {expected}, found '{}'", w.text)))
    }

    fn end(&self) -> Result<(), ScriptError> {
        match self.peek() {
            None => Ok(()),
            Some(w) => Err(self.error_at(w.column, &format!("expected end of line, found '{}'", w.text))),
        }
    }

    fn number(&mut self, expected: &str) -> Result<u64, ScriptError> {
        let w = self.word(expected)?;
        w.text.parse().map_err(|_| self.error_at(w.column, &format!("expected {expected}, found '{}'", w.text)))
    }

    fn parse_u32(&self, text: &str, w: &Word, expected: &str) -> Result<u32, ScriptError> {
        text.parse().map_err(|_| self.error_at(w.value_column(), &format!("expected {expected}, found '{text}'")))
    }

    fn parse_u64(&self, text: &str, w: &Word, expected: &str) -> Result<u64, ScriptError> {
        let column = if w.eq.is_some() { w.value_column() } else { w.column };
        text.parse().map_err(|_| self.error_at(column, &format!("expected {expected}, found '{text}'")))
    }

    /// An optional comma-separated partition list (`orders-0,orders-1`), duplicates dropped.
    fn partitions(&mut self) -> Result<Vec<TopicPartition>, ScriptError> {
        let mut partitions = Vec::new();
        if let Some(w) = self.peek() {
            self.at += 1;
            for part in w.text.split(',').filter(|p| !p.is_empty()) {
                let tp = TopicPartition::parse(part).ok_or_else(|| {
                    self.error_at(w.column, &format!("expected a partition like orders-0, found '{part}'"))
                })?;
                if !partitions.contains(&tp) {
                    partitions.push(tp);
                }
            }
        }
        Ok(partitions)
    }

    fn parse_bool(&self, text: &str, w: &Word) -> Result<bool, ScriptError> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.error_at(w.value_column(), &format!("expected true or false, found '{text}'"))),
        }
    }

    fn parse_duration(&self, text: &str, w: &Word) -> Result<Duration, ScriptError> {
        parse_duration(text).ok_or_else(|| {
            let column = if w.eq.is_some() { w.value_column() } else { w.column };
            self.error_at(column, &format!("expected a duration like 500ms, 30s, 5m, 2h or 7d, found '{text}'"))
        })
    }

    fn client_name(&mut self) -> Result<String, ScriptError> {
        let w = self.word("a client name")?;
        let ok = !w.text.is_empty()
            && w.text.len() <= 64
            && w.text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !w.text.starts_with("broker-")
            && w.eq.is_none();
        if !ok {
            return Err(self.error_at(
                w.column,
                &format!("expected a client name of letters, digits, '.', '_' or '-' (at most 64, not starting with broker-), found '{}'", w.text),
            ));
        }
        Ok(w.text.clone())
    }
}

/// `500ms`, `30s`, `5m`, `2h`, `7d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let scale = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(scale).map(Duration::from_ms)
}
