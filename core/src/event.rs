//! What comes out of the simulation: typed events, each stamped with the
//! simulated time it happened at, each able to explain itself in one line.

use crate::error::KafkaError;
use crate::net::{Loss, Node};
use crate::protocol::{Message, TopicPartition};
use crate::record::{Record, Show};
use crate::time::Instant;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub at: Instant,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    ClusterStarted {
        brokers: u32,
        latency_ms: u64,
    },
    BrokerStopped {
        id: u32,
    },
    BrokerStarted {
        id: u32,
    },
    LinkCut {
        a: Node,
        b: Node,
    },
    LinkHealed {
        a: Node,
        b: Node,
    },
    TopicCreated {
        topic: String,
        assignment: Vec<Vec<u32>>,
        auto: bool,
    },
    /// An automatic topic creation the controller refused.
    TopicCreateFailed {
        topic: String,
        error: String,
    },
    ClientCreated {
        name: String,
        kind: &'static str,
    },
    /// A message left its sender.
    Sent {
        from: Node,
        to: Node,
        message: Message,
    },
    /// A message will never arrive.
    Lost {
        from: Node,
        to: Node,
        api: &'static str,
        why: Loss,
    },
    /// The producer's partitioner chose a partition for a record.
    Partitioned {
        producer: String,
        tp: TopicPartition,
        why: &'static str,
    },
    /// A leader wrote records to its log.
    Appended {
        broker: u32,
        tp: TopicPartition,
        base_offset: u64,
        count: usize,
    },
    /// A producer learned that a batch was written (or learned nothing, with acks=0).
    Acked {
        producer: String,
        tp: TopicPartition,
        base_offset: Option<u64>,
        count: usize,
    },
    /// A producer gave up on records.
    ProduceFailed {
        producer: String,
        tp: Option<TopicPartition>,
        count: usize,
        error: KafkaError,
    },
    /// A consumer had no position and took one from auto.offset.reset.
    OffsetReset {
        consumer: String,
        tp: TopicPartition,
        offset: u64,
        strategy: &'static str,
    },
    /// A consumer could not read a partition.
    ConsumeFailed {
        consumer: String,
        tp: TopicPartition,
        error: KafkaError,
    },
    /// `poll` returned to the application.
    Polled {
        consumer: String,
        records: Vec<(TopicPartition, Record)>,
    },
    /// A client's request got no answer within request.timeout.ms.
    RequestTimedOut {
        client: String,
        to: Node,
        api: &'static str,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>9} ms  {}", self.at.ms, self.kind)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EventKind::*;
        match self {
            ClusterStarted { brokers, latency_ms } => {
                write!(f, "cluster started: {brokers} broker(s), link latency {latency_ms} ms")
            }
            BrokerStopped { id } => write!(f, "broker-{id} stopped: messages to and from it are lost"),
            BrokerStarted { id } => write!(f, "broker-{id} started"),
            LinkCut { a, b } => write!(f, "link {a} <-> {b} cut"),
            LinkHealed { a, b } => write!(f, "link {a} <-> {b} healed"),
            TopicCreated { topic, assignment, auto } => {
                write!(f, "topic {topic} created")?;
                if *auto {
                    f.write_str(" automatically (auto.create.topics.enable)")?;
                }
                f.write_str(":")?;
                for (p, replicas) in assignment.iter().enumerate() {
                    write!(f, " {p}=[")?;
                    for (i, r) in replicas.iter().enumerate() {
                        write!(f, "{}{r}", if i > 0 { "," } else { "" })?;
                    }
                    f.write_str("]")?;
                }
                Ok(())
            }
            TopicCreateFailed { topic, error } => write!(f, "topic {topic} not created: {error}"),
            ClientCreated { name, kind } => write!(f, "{kind} {name} created"),
            Sent { from, to, message } => write!(f, "{from} -> {to}: {message}"),
            Lost { from, to, api, why } => write!(f, "{api} {from} -> {to} lost: {why}"),
            Partitioned { producer, tp, why } => write!(f, "{producer} put a record in {tp} ({why})"),
            Appended { broker, tp, base_offset, count } => {
                let last = base_offset + *count as u64 - 1;
                write!(f, "broker-{broker} appended {count} record(s) to {tp} at offsets {base_offset}..={last}")
            }
            Acked { producer, tp, base_offset: Some(base), count } => {
                write!(f, "{producer}: {count} record(s) to {tp} acknowledged at offset {base}")
            }
            Acked { producer, tp, base_offset: None, count } => {
                write!(f, "{producer}: {count} record(s) to {tp} sent with acks=0 (no answer expected)")
            }
            ProduceFailed { producer, tp, count, error } => {
                write!(f, "{producer}: {count} record(s)")?;
                if let Some(tp) = tp {
                    write!(f, " to {tp}")?;
                }
                write!(f, " failed: {error}")
            }
            OffsetReset { consumer, tp, offset, strategy } => write!(
                f,
                "{consumer}: no committed offset for {tp}, auto.offset.reset={strategy} -> position {offset}"
            ),
            ConsumeFailed { consumer, tp, error } => write!(f, "{consumer}: {tp} {error}"),
            Polled { consumer, records } => {
                write!(f, "{consumer}: poll returned {} record(s)", records.len())?;
                for (tp, r) in records {
                    write!(f, "; {tp}@{} key={} value={}", r.offset, Show(&r.key), Show(&r.value))?;
                    for h in &r.headers {
                        write!(f, " {}={}", h.key, Show(&h.value))?;
                    }
                }
                Ok(())
            }
            RequestTimedOut { client, to, api } => write!(
                f,
                "{client}: {api} to {to} got no answer within request.timeout.ms"
            ),
        }
    }
}
