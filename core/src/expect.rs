//! Checkpoints: `expect` lines in a script state what should be true at that
//! point — how a tutorial tells a learner they did it, and how an author
//! tests a scenario (`kafka-sim check` fails naming the first false one).
//!
//! ```text
//! expect partition orders-1 leader=2 isr=1,3 hw=5 leo=5 start=0 segments=1
//! expect broker 2 state=fenced            (running, stopped or fenced)
//! expect controller broker=2              (or broker=none)
//! expect producer p1 acked=3 failed=0
//! expect consumer c1 consumed=3 positions=orders-0:5,orders-1:none
//! expect topic orders partitions=3
//! expect group billing state=Stable generation=2 members=c1,c2 committed=orders-0:5 lag=0
//! expect group billing protocol=consumer epoch=3 state=Reconciling
//! expect consumer c1 assigned=orders-0,orders-1
//! expect share-group jobs state=Stable epoch=3 members=w1,w2 lag=0
//! expect share-partition jobs-0 group=jobs spso=4 speo=9 acquired=2 archived=1
//! ```

use crate::protocol::TopicPartition;
use crate::scenario::quote;
use crate::view::ClusterView;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// What an expectation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Partition(TopicPartition),
    Broker(u32),
    Controller,
    Producer(String),
    Consumer(String),
    Topic(String),
    Group(String),
    #[cfg(feature = "share-groups")]
    ShareGroup(String),
    /// A share-partition, with its group when the line names one (`group=G`); without, the only
    /// share group with state on that partition.
    #[cfg(feature = "share-groups")]
    SharePartition(TopicPartition, Option<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub subject: Subject,
    /// `key=value` checks, all of which must hold.
    pub checks: Vec<(String, String)>,
}

impl Subject {
    /// The keys each subject can be checked on.
    pub fn keys(&self) -> &'static [&'static str] {
        match self {
            Subject::Partition(_) => &["leader", "isr", "elr", "hw", "leo", "replicas", "start", "segments", "lso"],
            Subject::Broker(_) => &["state"],
            Subject::Controller => &["broker"],
            Subject::Producer(_) => &["acked", "failed", "transaction"],
            Subject::Consumer(_) => &["consumed", "positions", "assigned", "duplicates"],
            Subject::Topic(_) => &["partitions"],
            Subject::Group(_) => &[
                "state",
                "generation",
                "protocol",
                "epoch",
                "members",
                "committed",
                "lag",
                "coordinator",
                "processed",
                "duplicates",
                "lost",
            ],
            #[cfg(feature = "share-groups")]
            Subject::ShareGroup(_) => {
                &["state", "epoch", "members", "assigned", "lag", "processed", "duplicates", "coordinator"]
            }
            #[cfg(feature = "share-groups")]
            Subject::SharePartition(..) => {
                &["spso", "speo", "next", "acquired", "available", "acknowledged", "archived", "deliveries", "leader"]
            }
        }
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Printed as a script line: words quoted so that they parse back unchanged.
        f.write_str("expect ")?;
        match &self.subject {
            Subject::Partition(tp) => write!(f, "partition {}", quote(&format!("{tp}")))?,
            Subject::Broker(id) => write!(f, "broker {id}")?,
            Subject::Controller => f.write_str("controller")?,
            Subject::Producer(n) => write!(f, "producer {}", quote(n))?,
            Subject::Consumer(n) => write!(f, "consumer {}", quote(n))?,
            Subject::Topic(n) => write!(f, "topic {}", quote(n))?,
            Subject::Group(n) => write!(f, "group {}", quote(n))?,
            #[cfg(feature = "share-groups")]
            Subject::ShareGroup(n) => write!(f, "share-group {}", quote(n))?,
            #[cfg(feature = "share-groups")]
            Subject::SharePartition(tp, group) => {
                write!(f, "share-partition {}", quote(&format!("{tp}")))?;
                if let Some(g) = group {
                    write!(f, " group={}", quote(g))?;
                }
            }
        }
        for (k, v) in &self.checks {
            write!(f, " {k}={}", quote(v))?;
        }
        Ok(())
    }
}

fn list(ids: &[u32]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// Lists compare as sets, written sorted: `isr=1,3` matches an ISR of [3, 1].
fn normalized(key: &str, value: &str) -> String {
    if matches!(key, "isr" | "elr" | "replicas" | "positions" | "assigned" | "members" | "committed") {
        let mut ids: Vec<&str> = value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        crate::sort::sort(&mut ids);
        ids.join(",")
    } else {
        value.trim().to_string()
    }
}

impl Expectation {
    /// Checks the expectation against a view: `Err` says what was found instead.
    pub fn evaluate(&self, view: &ClusterView) -> Result<(), String> {
        let mut wrong = Vec::new();
        for (key, want) in &self.checks {
            let found = self.found(view, key)?;
            if normalized(key, &found) != normalized(key, want) {
                wrong.push(format!("{key} is {found}, not {want}"));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(wrong.join("; "))
        }
    }

    fn found(&self, view: &ClusterView, key: &str) -> Result<String, String> {
        let none = || String::from("none");
        match &self.subject {
            Subject::Partition(tp) => {
                let p = view
                    .topics
                    .iter()
                    .find(|t| t.name == tp.topic)
                    .and_then(|t| t.partitions.get(tp.partition as usize))
                    .ok_or_else(|| format!("there is no partition {tp}"))?;
                Ok(match key {
                    "leader" => p.leader.map_or_else(none, |l| l.to_string()),
                    "isr" => list(&p.isr),
                    "elr" => list(&p.elr),
                    "replicas" => list(&p.replicas),
                    "hw" => p.high_watermark.to_string(),
                    "start" => p.log_start_offset.to_string(),
                    "segments" => p.segments.len().to_string(),
                    "lso" => p.last_stable_offset.to_string(),
                    _ => p.log_end_offset.to_string(),
                })
            }
            Subject::Broker(id) => {
                let b = view.brokers.iter().find(|b| b.id == *id).ok_or_else(|| format!("there is no broker {id}"))?;
                Ok(String::from(if !b.alive {
                    "stopped"
                } else if b.fenced {
                    "fenced"
                } else {
                    "running"
                }))
            }
            Subject::Controller => Ok(view.active_controller.map_or_else(none, |c| c.to_string())),
            Subject::Producer(name) | Subject::Consumer(name) => {
                let c = view
                    .clients
                    .iter()
                    .find(|c| &c.name == name)
                    .ok_or_else(|| format!("there is no client {name}"))?;
                Ok(match key {
                    "acked" => c.acked_records.to_string(),
                    "failed" => c.failed_records.to_string(),
                    "transaction" => c.transaction.as_ref().map_or_else(none, |t| t.1.to_string()),
                    "duplicates" => c.duplicates.to_string(),
                    "positions" => c
                        .assignment
                        .iter()
                        .map(|a| format!("{}:{}", a.tp, a.position.map_or_else(none, |o| o.to_string())))
                        .collect::<Vec<_>>()
                        .join(","),
                    "assigned" => c.assignment.iter().map(|a| a.tp.to_string()).collect::<Vec<_>>().join(","),
                    _ => c.consumed.to_string(),
                })
            }
            Subject::Group(name) => {
                let g = view
                    .groups
                    .iter()
                    .find(|g| &g.name == name)
                    .ok_or_else(|| format!("no running broker coordinates a group {name}"))?;
                Ok(match key {
                    "state" => g.state.clone(),
                    "generation" => g.generation.to_string(),
                    "protocol" => g.group_protocol.into(),
                    // The consumer protocol's group epoch, `generation` under the classic one.
                    "epoch" => g.generation.to_string(),
                    "members" => g.members.iter().map(|m| m.client.clone()).collect::<Vec<_>>().join(","),
                    "committed" => g
                        .rows
                        .iter()
                        .filter_map(|r| r.current_offset.map(|o| format!("{}:{o}", r.tp)))
                        .collect::<Vec<_>>()
                        .join(","),
                    "lag" => g.rows.iter().filter_map(|r| r.lag).sum::<u64>().to_string(),
                    "processed" => g.processed.to_string(),
                    "duplicates" => g.duplicates.to_string(),
                    "lost" => g.lost.to_string(),
                    _ => g.coordinator.to_string(),
                })
            }
            #[cfg(feature = "share-groups")]
            Subject::ShareGroup(name) => {
                let g = view
                    .groups
                    .iter()
                    .find(|g| &g.name == name && g.group_protocol == "share")
                    .ok_or_else(|| format!("no running broker coordinates a share group {name}"))?;
                Ok(match key {
                    "state" => g.state.clone(),
                    "epoch" => g.generation.to_string(),
                    "members" => g.members.iter().map(|m| m.client.clone()).collect::<Vec<_>>().join(","),
                    // Each member's partitions, as `w1:jobs-0+jobs-1` (a partition may be several members').
                    "assigned" => g
                        .members
                        .iter()
                        .map(|m| {
                            let tps: Vec<String> = m.assignment.iter().map(|tp| tp.to_string()).collect();
                            format!("{}:{}", m.client, tps.join("+"))
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    "lag" => g.rows.iter().filter_map(|r| r.lag).sum::<u64>().to_string(),
                    "processed" => g.processed.to_string(),
                    "duplicates" => g.duplicates.to_string(),
                    _ => g.coordinator.to_string(),
                })
            }
            #[cfg(feature = "share-groups")]
            Subject::SharePartition(tp, group) => {
                let held: alloc::vec::Vec<_> = view
                    .share_partitions
                    .iter()
                    .filter(|s| &s.tp == tp && group.as_ref().is_none_or(|g| &s.group == g))
                    .collect();
                let first = held.first().ok_or_else(|| format!("no leader holds share-partition {tp}"))?;
                if held.iter().any(|s| s.group != first.group) {
                    return Err(format!("several share groups read {tp}: name one with group=G"));
                }
                // The partition's current leader's: a fenced leader that has not heard so yet
                // (a zombie) may still hold its own.
                let leader = view
                    .topics
                    .iter()
                    .find(|t| t.name == tp.topic.as_str())
                    .and_then(|t| t.partitions.get(tp.partition as usize))
                    .and_then(|p| p.leader);
                let s = held.iter().find(|s| Some(s.leader) == leader).unwrap_or(first);
                Ok(match key {
                    "spso" => s.start_offset.to_string(),
                    "speo" => s.end_offset.to_string(),
                    "next" => s.next_fetch_offset.to_string(),
                    "acquired" => s.acquired.to_string(),
                    "available" => s.available.to_string(),
                    "acknowledged" => s.acknowledged.to_string(),
                    "archived" => s.archived.to_string(),
                    // The most deliveries of any record in flight.
                    "deliveries" => s.records.iter().map(|r| r.delivery_count).max().unwrap_or(0).to_string(),
                    _ => s.leader.to_string(),
                })
            }
            Subject::Topic(name) => {
                let t =
                    view.topics.iter().find(|t| &t.name == name).ok_or_else(|| format!("there is no topic {name}"))?;
                Ok(t.partitions.len().to_string())
            }
        }
    }
}
