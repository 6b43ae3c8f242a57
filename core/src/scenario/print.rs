//! Commands back to script text. The printed form parses to the same command
//! (a round trip the tests check on every golden script).

use crate::command::{
    ClusterSettings, Command, InternalTopics, LATENCY_DEFAULT, OFFSETS_RETENTION_MINUTES_DEFAULT,
    TRANSACTION_VERSION_DEFAULT,
};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Quotes a word so the lexer reads it back unchanged: bare when it only has
/// safe characters, single-quoted otherwise (a `'` inside becomes `'\''`).
pub fn quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:@,+%".contains(c))
        && !text.starts_with('#');
    if safe {
        return text.into();
    }
    if text.contains('\n') {
        // A line break must not reach the script raw (scripts are read line by
        // line): double quotes spell it \n.
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        return out;
    }
    let mut out = String::from("'");
    for c in text.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// A value of `name=value` where the bare word `null` means "no bytes".
fn nullable(f: &mut fmt::Formatter<'_>, name: &str, value: &Option<String>) -> fmt::Result {
    match value {
        None => write!(f, " {}=null", quote(name)),
        Some(v) if v == "null" => write!(f, " {}='null'", quote(name)),
        Some(v) => write!(f, " {}={}", quote(name), quote(v)),
    }
}

fn configs(f: &mut fmt::Formatter<'_>, pairs: &[(String, String)]) -> fmt::Result {
    pairs.iter().try_for_each(|(k, v)| write!(f, " {}={}", quote(k), quote(v)))
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Cluster(settings) => {
                let ClusterSettings {
                    brokers,
                    latency,
                    auto_create_topics,
                    offsets_retention_minutes,
                    transaction_version,
                    partition_verification,
                    num_partitions,
                    default_replication_factor,
                    replica_lag_time_max_ms,
                    log_retention_check_interval_ms,
                    connections_max_idle_ms,
                    max_incremental_fetch_session_cache_slots,
                    group,
                    topic_defaults,
                    internal,
                } = settings;
                write!(f, "cluster brokers={brokers}")?;
                if *latency != LATENCY_DEFAULT {
                    write!(f, " latency={latency}")?;
                }
                if !auto_create_topics {
                    f.write_str(" auto.create.topics.enable=false")?;
                }
                if *offsets_retention_minutes != OFFSETS_RETENTION_MINUTES_DEFAULT {
                    write!(f, " offsets.retention.minutes={offsets_retention_minutes}")?;
                }
                if *transaction_version != TRANSACTION_VERSION_DEFAULT {
                    write!(f, " transaction.version={transaction_version}")?;
                }
                if !partition_verification {
                    f.write_str(" transaction.partition.verification.enable=false")?;
                }
                if *num_partitions != crate::controller::NUM_PARTITIONS_DEFAULT {
                    write!(f, " num.partitions={num_partitions}")?;
                }
                if *default_replication_factor != crate::controller::DEFAULT_REPLICATION_FACTOR {
                    write!(f, " default.replication.factor={default_replication_factor}")?;
                }
                let slots = *max_incremental_fetch_session_cache_slots;
                if slots != crate::fetch_session::cache::MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DEFAULT {
                    write!(f, " max.incremental.fetch.session.cache.slots={slots}")?;
                }
                let defaults = ClusterSettings::new(*brokers);
                for (name, value, default) in [
                    ("replica.lag.time.max.ms", replica_lag_time_max_ms, defaults.replica_lag_time_max_ms),
                    ("connections.max.idle.ms", connections_max_idle_ms, defaults.connections_max_idle_ms),
                    (
                        "log.retention.check.interval.ms",
                        log_retention_check_interval_ms,
                        defaults.log_retention_check_interval_ms,
                    ),
                    (
                        "group.initial.rebalance.delay.ms",
                        &group.initial_rebalance_delay_ms,
                        defaults.group.initial_rebalance_delay_ms,
                    ),
                    (
                        "group.min.session.timeout.ms",
                        &group.min_session_timeout_ms,
                        defaults.group.min_session_timeout_ms,
                    ),
                    (
                        "group.max.session.timeout.ms",
                        &group.max_session_timeout_ms,
                        defaults.group.max_session_timeout_ms,
                    ),
                    (
                        "group.consumer.heartbeat.interval.ms",
                        &group.consumer.heartbeat_interval_ms,
                        defaults.group.consumer.heartbeat_interval_ms,
                    ),
                    (
                        "group.consumer.session.timeout.ms",
                        &group.consumer.session_timeout_ms,
                        defaults.group.consumer.session_timeout_ms,
                    ),
                ] {
                    if *value != default {
                        write!(f, " {name}={value}")?;
                    }
                }
                #[cfg(feature = "share-groups")]
                for (name, value, default) in [
                    (
                        "group.share.heartbeat.interval.ms",
                        &group.share.heartbeat_interval_ms,
                        defaults.group.share.heartbeat_interval_ms,
                    ),
                    (
                        "group.share.session.timeout.ms",
                        &group.share.session_timeout_ms,
                        defaults.group.share.session_timeout_ms,
                    ),
                    (
                        "group.share.record.lock.duration.ms",
                        &group.share.limits.lock_duration_ms,
                        defaults.group.share.limits.lock_duration_ms,
                    ),
                    (
                        "group.share.delivery.count.limit",
                        &u64::from(group.share.limits.delivery_count_limit),
                        u64::from(defaults.group.share.limits.delivery_count_limit),
                    ),
                    (
                        "group.share.partition.max.record.locks",
                        &(group.share.limits.max_record_locks as u64),
                        defaults.group.share.limits.max_record_locks as u64,
                    ),
                    ("group.share.max.size", &(group.share.max_size as u64), defaults.group.share.max_size as u64),
                    (
                        "group.share.max.share.sessions",
                        &(group.share.max_share_sessions as u64),
                        defaults.group.share.max_share_sessions as u64,
                    ),
                    (
                        "share.coordinator.snapshot.update.records.per.snapshot",
                        &u64::from(group.share.updates_per_snapshot),
                        u64::from(defaults.group.share.updates_per_snapshot),
                    ),
                ] {
                    if *value != default {
                        write!(f, " {name}={value}")?;
                    }
                }
                // Written when it is not Kafka's default, or not what the line would set without it
                // (on fewer than three brokers: their quickstart values, shown so nothing is hidden).
                let (kafka, playground) =
                    (InternalTopics::KAFKA.named(), InternalTopics::for_brokers(*brokers).named());
                for (i, (name, value)) in internal.named().into_iter().enumerate() {
                    if value != kafka[i].1 || value != playground[i].1 {
                        write!(f, " {name}={value}")?;
                    }
                }
                for (name, value) in topic_defaults {
                    write!(f, " {name}={}", quote(value))?;
                }
                Ok(())
            }
            Command::DeleteGroup { group } => write!(f, "group delete {}", quote(group)),
            #[cfg(feature = "share-groups")]
            Command::AlterGroupConfig { group, configs: c } => {
                write!(f, "group config {}", quote(group))?;
                configs(f, c)
            }
            #[cfg(feature = "share-groups")]
            Command::ShareConsumer { name, configs: c } => {
                write!(f, "share-consumer {}", quote(name))?;
                configs(f, c)
            }
            #[cfg(feature = "share-groups")]
            Command::Acknowledge { consumer, tp, offset, ack } => {
                write!(f, "acknowledge {} {} {}", quote(consumer), quote(&alloc::format!("{tp}@{offset}")), ack.word())
            }
            Command::Traffic { producer, topic, rate_per_s, keys } => {
                write!(f, "traffic {} {} rate={rate_per_s}", quote(producer), quote(topic))?;
                if *keys > 0 {
                    write!(f, " keys={keys}")?;
                }
                Ok(())
            }
            Command::AlterTopicConfig { name, configs: c } => {
                write!(f, "topic config {}", quote(name))?;
                configs(f, c)
            }
            Command::DeleteRecords { tp, offset } => {
                write!(f, "delete-records {} {offset}", quote(&alloc::format!("{tp}")))
            }
            Command::AlterPartitions { name, partitions } => {
                write!(f, "topic alter {} partitions={partitions}", quote(name))
            }
            Command::CreateTopic { assignment, name, partitions, replication_factor, configs: c } => {
                write!(f, "topic create {}", quote(name))?;
                if let Some(a) = assignment {
                    f.write_str(" replica-assignment=")?;
                    for (i, replicas) in a.iter().enumerate() {
                        f.write_str(if i > 0 { "," } else { "" })?;
                        for (j, r) in replicas.iter().enumerate() {
                            write!(f, "{}{r}", if j > 0 { ":" } else { "" })?;
                        }
                    }
                }
                if let Some(p) = partitions {
                    write!(f, " partitions={p}")?;
                }
                if let Some(r) = replication_factor {
                    write!(f, " replication-factor={r}")?;
                }
                configs(f, c)
            }
            Command::Producer { name, configs: c } => {
                write!(f, "producer {}", quote(name))?;
                configs(f, c)
            }
            Command::Consumer { name, configs: c } => {
                write!(f, "consumer {}", quote(name))?;
                configs(f, c)
            }
            Command::Send { producer, topic, partition, key, value, headers, key_format, value_format } => {
                write!(f, "send {} {}", quote(producer), quote(topic))?;
                if let Some(p) = partition {
                    write!(f, " partition={p}")?;
                }
                nullable(f, "key", key)?;
                nullable(f, "value", value)?;
                for (name, v) in headers {
                    nullable(f, &alloc::format!("header.{name}"), v)?;
                }
                if *key_format != crate::format::Format::String {
                    write!(f, " key.format={key_format}")?;
                }
                if *value_format != crate::format::Format::String {
                    write!(f, " value.format={value_format}")?;
                }
                Ok(())
            }
            Command::Assign { consumer, partitions } => {
                write!(f, "assign {}", quote(consumer))?;
                partition_list(f, partitions)
            }
            Command::Pause { consumer, partitions } => {
                write!(f, "pause {}", quote(consumer))?;
                partition_list(f, partitions)
            }
            Command::Resume { consumer, partitions } => {
                write!(f, "resume {}", quote(consumer))?;
                partition_list(f, partitions)
            }
            Command::Seek { consumer, tp, to } => {
                write!(f, "seek {} {} {to}", quote(consumer), quote(&alloc::format!("{tp}")))
            }
            Command::Poll { consumer } => write!(f, "poll {}", quote(consumer)),
            Command::Consume { consumer, processing } => {
                write!(f, "consume {}", quote(consumer))?;
                for (k, v) in processing.words() {
                    write!(f, " {k}={}", quote(&v))?;
                }
                Ok(())
            }
            Command::Crash { client } => write!(f, "crash {}", quote(client)),
            Command::Subscribe { consumer, pattern: Some((side, p)), .. } => {
                write!(f, "subscribe {} {}={}", quote(consumer), side.word(), quote(p))
            }
            Command::Subscribe { consumer, topics, pattern: None } => {
                let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                write!(f, "subscribe {} {}", quote(consumer), quote(&topics.join(",")))
            }
            Command::Commit { consumer, offsets, asynchronous } => {
                write!(f, "commit {}", quote(consumer))?;
                if let Some(offsets) = offsets {
                    let list: Vec<String> = offsets
                        .iter()
                        .map(
                            |(tp, o, m)| {
                                if m.is_empty() {
                                    alloc::format!("{tp}={o}")
                                } else {
                                    alloc::format!("{tp}={o}:{m}")
                                }
                            },
                        )
                        .collect();
                    write!(f, " {}", quote(&list.join(",")))?;
                }
                if *asynchronous {
                    f.write_str(" async")?;
                }
                Ok(())
            }
            Command::Flush { producer } => write!(f, "flush {}", quote(producer)),
            Command::Transaction { producer, op: crate::command::TxnOp::SendOffsets { consumer } } => {
                write!(f, "send-offsets-to-transaction {} {}", quote(producer), quote(consumer))
            }
            Command::Transaction { producer, op } => write!(f, "{} {}", op.word(), quote(producer)),
            Command::Close { client } => write!(f, "close {}", quote(client)),
            Command::Advance(d) => write!(f, "advance {d}"),
            Command::BrokerStop(id) => write!(f, "broker stop {id}"),
            Command::BrokerStart(id) => write!(f, "broker start {id}"),
            Command::BrokerShutdown(id) => write!(f, "broker shutdown {id}"),
            Command::Expect(e) => write!(f, "{e}"),
            Command::NetworkDelay(a, b, d) => {
                write!(f, "network delay {} {} {d}", quote(a), quote(b))
            }
            Command::NetworkIsolate(a) => write!(f, "network isolate {}", quote(a)),
            Command::NetworkCut(a, b) => write!(f, "network cut {} {}", quote(a), quote(b)),
            Command::NetworkHeal(a, b) => write!(f, "network heal {} {}", quote(a), quote(b)),
        }
    }
}

/// ` a-0,b-1`: a partition list as `assign`, `pause` and `resume` take it (nothing for none).
fn partition_list(f: &mut fmt::Formatter<'_>, partitions: &[crate::protocol::TopicPartition]) -> fmt::Result {
    for (i, tp) in partitions.iter().enumerate() {
        let sep = if i > 0 { "," } else { " " };
        write!(f, "{sep}{}", quote(&alloc::format!("{tp}")))?;
    }
    Ok(())
}
