//! From the playground to a real cluster: a session as (a) a Python program
//! using kafka-python's real API and (b) the equivalent Kafka CLI commands.
//! What a client cannot do (crash a broker, cut a network link) becomes a
//! comment saying how to do it by hand.

use crate::client::partitioner::{RuleKind, RulePartitioner};
use crate::command::{Command, PatternSide, SeekTo};
use crate::scenario::Scenario;
use crate::sorted::SortedMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

/// A Python identifier for a client name (`producer-1` -> `producer_1`).
fn ident(name: &str, taken: &mut SortedMap<String, String>) -> String {
    if let Some(id) = taken.get(name) {
        return id.clone();
    }
    let mut id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) || PY_KEYWORDS.contains(&id.as_str()) {
        id = format!("client_{id}");
    }
    while taken.values().any(|v| v == &id) {
        id.push('_');
    }
    taken.insert(name.to_string(), id.clone());
    id
}

const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "args", "admin", "main", "time",
];

/// A Python string literal (`"..."`), escaped.
fn py_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python bytes literal of UTF-8 text.
fn py_bytes(text: &str) -> String {
    let mut out = String::from("b\"");
    for b in text.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// The kafka-python keyword for a Java client config, or why there is none.
fn client_kwarg(name: &str, value: &str) -> Result<(String, String), String> {
    let py = name.replace('.', "_");
    let literal = match name {
        "acks" => match value {
            "all" | "-1" => py_str("all"),
            v => v.to_string(),
        },
        "compression.type" if value == "none" => "None".into(),
        "enable.idempotence" => {
            if value == "true" {
                "True".into()
            } else {
                "False".into()
            }
        }
        "group.protocol" | "group.remote.assignor" => {
            return Err(format!(
                "{name}={value}: kafka-python runs the classic group protocol only (no KIP-848 \
                 ConsumerGroupHeartbeat); this consumer joins with JoinGroup and SyncGroup"
            ))
        }
        "retry.backoff.max.ms" | "buffer.memory" => {
            return Err(format!("{name}={value}: kafka-python has no such setting"))
        }
        "partitioner.class" | "partitioner.ignore.keys" | "partitioner.adaptive.partitioning.enable" => {
            return Err(format!("{name}={value}: kafka-python has its own partitioner setting (partitioner=callable)"))
        }
        "partition.assignment.strategy" => {
            // kafka-python takes assignor classes, imported where the consumer is made.
            let classes: Vec<&str> = value
                .split(',')
                .filter_map(|a| match a.trim().rsplit('.').next().unwrap_or_default() {
                    "range" | "RangeAssignor" => Some("RangePartitionAssignor"),
                    "roundrobin" | "RoundRobinAssignor" => Some("RoundRobinPartitionAssignor"),
                    "sticky" | "StickyAssignor" => Some("StickyPartitionAssignor"),
                    "cooperative-sticky" | "CooperativeStickyAssignor" => Some("CooperativeStickyAssignor"),
                    _ => None,
                })
                .collect();
            format!("({},)", classes.join(", "))
        }
        _ if value == "true" => "True".into(),
        _ if value == "false" => "False".into(),
        _ if value.parse::<i64>().is_ok() => value.to_string(),
        _ => py_str(value),
    };
    Ok((py, literal))
}

/// The imports of kafka-python's assignor classes, for `partition.assignment.strategy`.
const ASSIGNOR_IMPORTS: &[&str] = &[
    "from kafka.coordinator.assignors.range import RangePartitionAssignor",
    "from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor",
    "from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor",
    "from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor",
];

/// The session as a kafka-python program.
pub fn python(scenario: &Scenario) -> String {
    let mut names = SortedMap::new();
    let mut body = String::new();
    let mut brokers = 1;
    let line = |body: &mut String, text: String| {
        let _ = writeln!(body, "    {text}");
    };
    // kafka-python has no share consumer (KIP-932): its lines stay comments.
    let mut share_consumers: crate::sorted::SortedSet<String> = crate::sorted::SortedSet::new();
    for l in &scenario.commands {
        let c: &Command = &l.command;
        line(&mut body, format!("# {c}"));
        #[cfg(feature = "share-groups")]
        if let Command::ShareConsumer { name, .. } = c {
            share_consumers.insert(name.clone());
        }
        #[cfg(feature = "share-groups")]
        if names_share_consumer(c, &share_consumers) {
            line(
                &mut body,
                "# (kafka-python has no share consumer, KIP-932: use the Java client's KafkaShareConsumer)".into(),
            );
            continue;
        }
        match c {
            Command::Cluster(s) => brokers = s.brokers,
            // Handled above, as comments.
            #[cfg(feature = "share-groups")]
            Command::ShareConsumer { .. } | Command::Acknowledge { .. } => {}
            #[cfg(feature = "share-groups")]
            Command::AlterGroupConfig { group, .. } => line(
                &mut body,
                format!("# (kafka-python's admin has no GROUP config resource: kafka-configs.sh --entity-type groups --entity-name {group})"),
            ),
            Command::DeleteGroup { group } => {
                line(&mut body, format!("admin.delete_consumer_groups([{}])", py_str(group)))
            }
            Command::DeleteRecords { tp, offset } => {
                line(&mut body, format!("admin.delete_records({{{}: {offset}}})", py_tp(tp)))
            }
            Command::Traffic { producer, topic, rate_per_s, keys } => {
                let id = ident(producer, &mut names);
                line(
                    &mut body,
                    format!("# {id} sends {rate_per_s} records a second to {topic} ({keys} keys) in a loop:"),
                );
                line(
                    &mut body,
                    format!(
                        "# while True: {id}.send({}, key=..., value=...); time.sleep(1 / {rate_per_s})",
                        py_str(topic)
                    ),
                );
            }
            Command::AlterTopicConfig { name, configs } => {
                line(&mut body, "from kafka.admin import ConfigResource, ConfigResourceType".into());
                let items: Vec<String> = configs.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_str(v))).collect();
                line(
                    &mut body,
                    format!(
                        "admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, {}, configs={{{}}})])",
                        py_str(name),
                        items.join(", ")
                    ),
                );
            }
            Command::AlterPartitions { name, partitions } => {
                line(&mut body, "from kafka.admin import NewPartitions".into());
                line(&mut body, format!("admin.create_partitions({{{}: NewPartitions({partitions})}})", py_str(name)));
            }
            Command::CreateTopic { name, partitions, replication_factor, configs, assignment } => {
                let configs: Vec<String> =
                    configs.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_str(v))).collect();
                let configs = format!("{{{}}}", configs.join(", "));
                let topic = match assignment {
                    Some(a) => {
                        let a: Vec<String> = a
                            .iter()
                            .enumerate()
                            .map(|(p, r)| {
                                format!("{p}: [{}]", r.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", "))
                            })
                            .collect();
                        format!(
                            "NewTopic({}, -1, -1, replica_assignments={{{}}}, topic_configs={configs})",
                            py_str(name),
                            a.join(", ")
                        )
                    }
                    None => format!(
                        "NewTopic({}, {}, {}, topic_configs={configs})",
                        py_str(name),
                        partitions.unwrap_or(1),
                        replication_factor.unwrap_or(1)
                    ),
                };
                line(&mut body, format!("admin.create_topics([{topic}])"));
            }
            Command::Producer { name, configs } | Command::Consumer { name, configs } => {
                let class = if matches!(c, Command::Producer { .. }) { "KafkaProducer" } else { "KafkaConsumer" };
                let id = ident(name, &mut names);
                let mut kwargs = alloc::vec![String::from("bootstrap_servers=args.bootstrap")];
                for (k, v) in configs {
                    let rules = (k == "partitioner.class").then(|| RulePartitioner::parse(v).ok().flatten()).flatten();
                    if let Some(rules) = rules {
                        let mut chars = id.chars();
                        let class: String =
                            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect();
                        let class = format!("{class}Partitioner");
                        python_rule_partitioner(&mut body, &class, &rules);
                        kwargs.push(format!("partitioner={class}()"));
                        continue;
                    }
                    if k == "partition.assignment.strategy" {
                        for import in ASSIGNOR_IMPORTS {
                            line(&mut body, (*import).into());
                        }
                    }
                    match client_kwarg(k, v) {
                        Ok((py, lit)) => kwargs.push(format!("{py}={lit}")),
                        Err(why) => line(&mut body, format!("# not carried over: {why}")),
                    }
                }
                line(&mut body, format!("{id} = {class}({})", kwargs.join(", ")));
            }
            Command::Send { producer, topic, partition, key, value, headers, key_format, value_format } => {
                let id = ident(producer, &mut names);
                let mut args = alloc::vec![py_str(topic)];
                // The record's bytes, as the playground stores them.
                let literal = |text: &str, f: crate::format::Format| match f.encode(text) {
                    Ok(b) if f == crate::format::Format::Hex => {
                        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                        format!("bytes.fromhex({})", py_str(&hex))
                    }
                    _ => py_bytes(text),
                };
                args.push(format!("value={}", value.as_deref().map_or("None".into(), |v| literal(v, *value_format))));
                if let Some(k) = key {
                    args.push(format!("key={}", literal(k, *key_format)));
                }
                if let Some(p) = partition {
                    args.push(format!("partition={p}"));
                }
                if !headers.is_empty() {
                    let h: Vec<String> = headers
                        .iter()
                        .map(|(k, v)| format!("({}, {})", py_str(k), v.as_deref().map_or("None".into(), py_bytes)))
                        .collect();
                    args.push(format!("headers=[{}]", h.join(", ")));
                }
                line(
                    &mut body,
                    format!("{id}.send({}).add_callback(acknowledged).add_errback(failed)", args.join(", ")),
                );
            }
            Command::Flush { producer } => {
                let id = ident(producer, &mut names);
                line(&mut body, format!("{id}.flush()"));
            }
            Command::Transaction { producer, op } => {
                let id = ident(producer, &mut names);
                let call = match op {
                    crate::command::TxnOp::Init => "init_transactions()".into(),
                    crate::command::TxnOp::Begin => "begin_transaction()".into(),
                    crate::command::TxnOp::Commit => "commit_transaction()".into(),
                    crate::command::TxnOp::Abort => "abort_transaction()".into(),
                    crate::command::TxnOp::SendOffsets { consumer } => {
                        let c = ident(consumer, &mut names);
                        line(&mut body, "from kafka.structs import OffsetAndMetadata".into());
                        format!(
                            "send_offsets_to_transaction({{tp: OffsetAndMetadata({c}.position(tp), \"\", -1) for tp in {c}.assignment()}}, {c}.group_metadata())"
                        )
                    }
                };
                line(&mut body, format!("{id}.{call}"));
            }
            Command::Close { client } => {
                let id = ident(client, &mut names);
                line(&mut body, format!("{id}.close()"));
            }
            Command::Assign { consumer, partitions } => {
                let id = ident(consumer, &mut names);
                let tps: Vec<String> = partitions.iter().map(py_tp).collect();
                line(&mut body, format!("{id}.assign([{}])", tps.join(", ")));
            }
            Command::Pause { consumer, partitions } | Command::Resume { consumer, partitions } => {
                let id = ident(consumer, &mut names);
                let verb = if matches!(c, Command::Pause { .. }) { "pause" } else { "resume" };
                let tps: Vec<String> = partitions.iter().map(py_tp).collect();
                line(&mut body, format!("{id}.{verb}({})", tps.join(", ")));
            }
            Command::Seek { consumer, tp, to } => {
                let id = ident(consumer, &mut names);
                let tp = py_tp(tp);
                match to {
                    SeekTo::Offset(o) => line(&mut body, format!("{id}.seek({tp}, {o})")),
                    SeekTo::Beginning => line(&mut body, format!("{id}.seek_to_beginning({tp})")),
                    SeekTo::End => line(&mut body, format!("{id}.seek_to_end({tp})")),
                    SeekTo::Timestamp(ms) => {
                        line(&mut body, format!("found = {id}.offsets_for_times({{{tp}: {ms}}})[{tp}]"));
                        line(&mut body, format!("{id}.seek({tp}, found.offset) if found else {id}.seek_to_end({tp})"));
                    }
                }
            }
            Command::Poll { consumer } => {
                let id = ident(consumer, &mut names);
                line(&mut body, format!("show({}, {id}.poll(timeout_ms=1000))", py_str(consumer)));
            }
            Command::Consume { consumer, .. } => {
                let id = ident(consumer, &mut names);
                line(&mut body, format!("# {id} runs its poll loop: for record in {id}: ... (in its own thread)"));
            }
            Command::Crash { client } => {
                let id = ident(client, &mut names);
                line(&mut body, format!("# by hand: kill {id}'s process (no close, no commit)"));
            }
            Command::Subscribe { consumer, pattern: Some((PatternSide::Consumer, p)), .. } => {
                let id = ident(consumer, &mut names);
                line(&mut body, format!("{id}.subscribe(pattern={})", py_str(&format!("^{p}$"))));
            }
            Command::Subscribe { consumer, pattern: Some((PatternSide::Coordinator, p)), .. } => {
                let id = ident(consumer, &mut names);
                let why = "# kafka-python has no consumer group protocol, so no SubscriptionPattern: the nearest is a pattern it matches itself";
                line(&mut body, why.into());
                line(&mut body, format!("{id}.subscribe(pattern={})", py_str(&format!("^{p}$"))));
            }
            Command::Subscribe { consumer, topics, pattern: None } => {
                let id = ident(consumer, &mut names);
                let topics: Vec<String> = topics.iter().map(|t| py_str(t)).collect();
                line(&mut body, format!("{id}.subscribe([{}])", topics.join(", ")));
            }
            Command::Commit { consumer, offsets, asynchronous } => {
                let id = ident(consumer, &mut names);
                let call = if *asynchronous { "commit_async" } else { "commit" };
                match offsets {
                    None => line(&mut body, format!("{id}.{call}()")),
                    Some(offsets) => {
                        line(&mut body, "from kafka.structs import OffsetAndMetadata".into());
                        let items: Vec<String> = offsets
                            .iter()
                            .map(|(tp, o, m)| {
                                let meta = if m.is_empty() { "None".into() } else { py_str(m) };
                                format!("{}: OffsetAndMetadata({o}, {meta}, -1)", py_tp(tp))
                            })
                            .collect();
                        line(&mut body, format!("{id}.{call}({{{}}})", items.join(", ")));
                    }
                }
            }
            Command::Advance(d) => line(&mut body, format!("time.sleep({}.{:03})", d.ms / 1000, d.ms % 1000)),
            Command::BrokerStop(id) => {
                line(&mut body, format!("# by hand: stop broker {id}'s process (kill -9 for a crash)"))
            }
            Command::BrokerStart(id) => {
                line(&mut body, format!("# by hand: start broker {id} again (kafka-server-start.sh)"))
            }
            Command::BrokerShutdown(id) => {
                line(&mut body, format!("# by hand: stop broker {id} cleanly (kafka-server-stop.sh)"))
            }
            Command::NetworkCut(..)
            | Command::NetworkHeal(..)
            | Command::NetworkDelay(..)
            | Command::NetworkIsolate(..) => {
                line(&mut body, "# by hand: network faults need the hosts' firewall (iptables) or tc netem".into())
            }
            Command::Expect(_) => line(&mut body, "# a checkpoint: compare with kafka-topics.sh --describe".into()),
        }
    }
    format!(
        r#""""A Kafka Playground session, exported for a real cluster with kafka-python.

Needs a cluster of at least {brokers} broker(s) and `pip install kafka-python`:
    python3 session.py --bootstrap localhost:9092
Each step of the session is a comment above what does it; what a client cannot do
(crash a broker, cut a network link) is said in a comment.
"""
import argparse
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.partitioner import DefaultPartitioner


def acknowledged(metadata):
    print(f"acknowledged: {{metadata.topic}}-{{metadata.partition}}@{{metadata.offset}}")


def failed(error):
    print(f"failed: {{error!r}}")


def show(name, batches):
    for tp, records in batches.items():
        for r in records:
            print(f"{{name}}: {{tp.topic}}-{{tp.partition}}@{{r.offset}} key={{r.key!r}} value={{r.value!r}}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", default="localhost:9092")
    args = parser.parse_args()
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
{body}

if __name__ == "__main__":
    main()
"#
    )
}

/// Whether a command is a share consumer's (its creation, or a call on one).
#[cfg(feature = "share-groups")]
fn names_share_consumer(c: &Command, share: &crate::sorted::SortedSet<String>) -> bool {
    let name = match c {
        #[cfg(feature = "share-groups")]
        Command::ShareConsumer { .. } | Command::Acknowledge { .. } => return true,
        Command::Subscribe { consumer, .. }
        | Command::Poll { consumer }
        | Command::Consume { consumer, .. }
        | Command::Commit { consumer, .. } => consumer,
        Command::Close { client } | Command::Crash { client } => client,
        _ => return false,
    };
    share.contains(name)
}

/// A shell word, single-quoted.
fn sh(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The session as Kafka's command-line tools.
pub fn cli(scenario: &Scenario) -> String {
    let mut out = String::from(
        "#!/bin/sh\n# A Kafka Playground session as Kafka's command-line tools (from a Kafka distribution's bin/).\nB=${BOOTSTRAP:-localhost:9092}\n",
    );
    let mut producer_configs: SortedMap<&str, Vec<(String, String)>> = SortedMap::new();
    let mut share_consumers: SortedMap<&str, &Vec<(String, String)>> = SortedMap::new();
    // Each consumer's configs and, once it subscribed, the console consumer's topic options: its
    // `consume` (the poll loop) runs a kafka-console-consumer.sh in the group, in the background.
    let mut consumers: SortedMap<&str, (&crate::command::Configs, Option<String>)> = SortedMap::new();
    for l in &scenario.commands {
        let c: &Command = &l.command;
        let _ = writeln!(out, "\n# {c}");
        let text = match c {
            Command::Consumer { name, configs } => {
                consumers.insert(name, (configs, None));
                String::from("# (its settings go to the kafka-console-consumer.sh its `consume` runs)")
            }
            Command::Subscribe { consumer, topics, pattern } if consumers.contains_key(consumer.as_str()) => {
                let (select, note) = match (pattern, topics.as_slice()) {
                    (Some((PatternSide::Consumer, p)), _) => (format!("--include {}", sh(p)), ""),
                    (Some((PatternSide::Coordinator, p)), _) => (
                        format!("--include {}", sh(p)),
                        "# the console consumer's --include is matched by the consumer (subscribe(Pattern)); it has no option for a SubscriptionPattern the coordinator resolves\n",
                    ),
                    (None, [one]) => (format!("--topic {}", sh(one)), ""),
                    (None, many) => (format!("--include {}", sh(&many.join("|"))), ""),
                };
                if let Some(entry) = consumers.get_mut(consumer.as_str()) {
                    entry.1 = Some(select);
                }
                format!("{note}# (the kafka-console-consumer.sh its `consume` runs subscribes)")
            }
            Command::Consume { consumer, .. } if consumers.get(consumer.as_str()).is_some_and(|c| c.1.is_some()) => {
                let (configs, select) = consumers.get(consumer.as_str()).cloned().unzip();
                let group = configs.into_iter().flatten().find(|(k, _)| k == "group.id").map_or("", |(_, v)| v.as_str());
                let props: String = configs
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| k != "group.id")
                    .map(|(k, v)| format!(" --consumer-property {}", sh(&format!("{k}={v}"))))
                    .collect();
                format!(
                    "kafka-console-consumer.sh --bootstrap-server \"$B\" {} --group {}{props} --property print.key=true --property print.offset=true &",
                    select.flatten().unwrap_or_default(),
                    sh(group)
                )
            }
            #[cfg(feature = "share-groups")]
            Command::ShareConsumer { name, configs } => {
                share_consumers.insert(name, configs);
                String::from("# (its settings go to the kafka-console-share-consumer.sh below)")
            }
            #[cfg(feature = "share-groups")]
            Command::Subscribe { consumer, topics, .. } if share_consumers.contains_key(consumer.as_str()) =>
            {
                let configs = share_consumers.get(consumer.as_str()).copied().cloned().unwrap_or_default();
                let group = configs.iter().find(|(k, _)| k == "group.id").map_or("", |(_, v)| v.as_str());
                let props: String = configs
                    .iter()
                    .filter(|(k, _)| k != "group.id")
                    .map(|(k, v)| format!(" --consumer-property {}", sh(&format!("{k}={v}"))))
                    .collect();
                topics
                    .iter()
                    .map(|t| {
                        format!(
                            "kafka-console-share-consumer.sh --bootstrap-server \"$B\" --topic {} --group {}{props} --property print.offset=true --property print.delivery=true",
                            sh(t),
                            sh(group)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            #[cfg(feature = "share-groups")]
            Command::AlterGroupConfig { group, configs } => {
                let list: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "kafka-configs.sh --bootstrap-server \"$B\" --alter --entity-type groups --entity-name {} --add-config {}",
                    sh(group),
                    sh(&list.join(","))
                )
            }
            Command::DeleteGroup { group } => {
                format!("kafka-consumer-groups.sh --bootstrap-server \"$B\" --delete --group {}", sh(group))
            }
            Command::AlterTopicConfig { name, configs } => {
                let list: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "kafka-configs.sh --bootstrap-server \"$B\" --alter --entity-type topics --entity-name {} --add-config {}",
                    sh(name),
                    sh(&list.join(","))
                )
            }
            Command::Traffic { producer, topic, rate_per_s, keys } => format!(
                "# traffic: {producer} sends {rate_per_s} records a second to {} ({keys} keys): kafka-producer-perf-test.sh --topic {} --throughput {rate_per_s} --num-records N --record-size 100 --producer-props bootstrap.servers=\"$B\"",
                sh(topic),
                sh(topic)
            ),
            Command::DeleteRecords { tp, offset } => format!(
                "echo '{{\"partitions\":[{{\"topic\":\"{}\",\"partition\":{},\"offset\":{offset}}}]}}' > delete.json && kafka-delete-records.sh --bootstrap-server \"$B\" --offset-json-file delete.json",
                tp.topic, tp.partition
            ),
            Command::AlterPartitions { name, partitions } => format!(
                "kafka-topics.sh --bootstrap-server \"$B\" --alter --topic {} --partitions {partitions}",
                sh(name)
            ),
            Command::CreateTopic { name, partitions, replication_factor, configs, assignment } => {
                let mut s = format!("kafka-topics.sh --bootstrap-server \"$B\" --create --topic {}", sh(name));
                match assignment {
                    Some(a) => {
                        let a: Vec<String> =
                            a.iter().map(|r| r.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(":")).collect();
                        let _ = write!(s, " --replica-assignment {}", a.join(","));
                    }
                    None => {
                        let _ = write!(s, " --partitions {} --replication-factor {}", partitions.unwrap_or(1), replication_factor.unwrap_or(1));
                    }
                }
                for (k, v) in configs {
                    let _ = write!(s, " --config {}", sh(&format!("{k}={v}")));
                }
                s
            }
            Command::Producer { name, configs } => {
                producer_configs.insert(name, configs.clone());
                String::from("# (its settings go to each kafka-console-producer.sh below)")
            }
            Command::Send { producer, topic, partition, key, value, .. } => {
                let props: String = producer_configs
                    .get(producer.as_str())
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| format!(" --producer-property {}", sh(&format!("{k}={v}"))))
                    .collect();
                let keyed = key.is_some();
                let record = match key {
                    Some(k) => format!("{k}\t{}", value.as_deref().unwrap_or("")),
                    None => value.clone().unwrap_or_default(),
                };
                let mut s = format!("printf '%s\\n' {} | kafka-console-producer.sh --bootstrap-server \"$B\" --topic {}{props}", sh(&record), sh(topic));
                if keyed {
                    s.push_str(" --property parse.key=true --property key.separator=\"$(printf '\\t')\"");
                }
                if partition.is_some() {
                    s.insert_str(0, "# the console producer picks partitions itself; the session chose one explicitly\n");
                }
                s
            }
            Command::Assign { partitions, .. } => partitions
                .iter()
                .map(|tp| {
                    format!(
                        "kafka-console-consumer.sh --bootstrap-server \"$B\" --topic {} --partition {} --offset earliest --property print.key=true --property print.offset=true --timeout-ms 5000",
                        sh(&tp.topic),
                        tp.partition
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Command::Advance(d) => format!("sleep {}.{:03}", d.ms / 1000, d.ms % 1000),
            Command::BrokerStop(id) => format!("# stop broker {id}'s process (kill -9 for a crash)"),
            Command::BrokerStart(id) => format!("# kafka-server-start.sh on broker {id}'s host"),
            Command::BrokerShutdown(id) => format!("# kafka-server-stop.sh on broker {id}'s host"),
            // A group's checkpoint: its state (and, under the consumer protocol, its epochs), then its
            // members with their partitions.
            Command::Expect(e) => match &e.subject {
                #[cfg(feature = "share-groups")]
                crate::expect::Subject::ShareGroup(g) | crate::expect::Subject::SharePartition(_, Some(g)) => format!(
                    "kafka-share-groups.sh --bootstrap-server \"$B\" --describe --group {0} --state --verbose\nkafka-share-groups.sh --bootstrap-server \"$B\" --describe --group {0} --members --verbose\nkafka-share-groups.sh --bootstrap-server \"$B\" --describe --group {0} --offsets",
                    sh(g)
                ),
                crate::expect::Subject::Group(g) => format!(
                    "kafka-consumer-groups.sh --bootstrap-server \"$B\" --describe --group {0} --state --verbose\nkafka-consumer-groups.sh --bootstrap-server \"$B\" --describe --group {0} --members --verbose",
                    sh(g)
                ),
                _ => String::from("kafka-topics.sh --bootstrap-server \"$B\" --describe"),
            },
            _ => String::from("# (nothing to run: see the comment above)"),
        };
        let _ = writeln!(out, "{text}");
    }
    out
}

/// `TopicPartition("orders", 0)` in kafka-python.
fn py_tp(tp: &crate::protocol::TopicPartition) -> String {
    format!("TopicPartition({}, {})", py_str(&tp.topic), tp.partition)
}

/// A `partitioner.class` written as rules, as a kafka-python `Partitioner`
/// (defined inside `main`, next to the producer that uses it).
fn python_rule_partitioner(body: &mut String, class: &str, rules: &RulePartitioner) {
    let test = match rules.kind {
        RuleKind::Table => "serialized_key == k",
        RuleKind::Prefix => "serialized_key.startswith(k)",
    };
    let list: Vec<String> = rules.rules.iter().map(|(k, p)| format!("({}, {p})", py_bytes(k))).collect();
    let otherwise = match rules.otherwise {
        Some(p) => p.to_string(),
        None => "super().partition(topic, key, serialized_key, value, serialized_value, cluster)".into(),
    };
    for text in [
        format!("class {class}(DefaultPartitioner):"),
        format!("    {}", py_str(&format!("partitioner.class={rules}"))),
        format!("    RULES = [{}]", list.join(", ")),
        String::new(),
        "    def partition(self, topic, key, serialized_key, value, serialized_value, cluster):".into(),
        "        for k, p in self.RULES:".into(),
        format!("            if serialized_key is not None and {test}:"),
        "                return p".into(),
        format!("        return {otherwise}"),
    ] {
        if text.is_empty() {
            body.push('\n');
        } else {
            let _ = writeln!(body, "    {text}");
        }
    }
}
