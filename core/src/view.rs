//! A read-only picture of the whole simulation for the UI and the CLI. It is
//! built from the state on request and owns its data, so holding it never
//! holds the simulation.

use crate::client::Client;
use crate::net::Node;
use crate::protocol::TopicPartition;
use crate::record::Record;
use crate::sim::Sim;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClusterView {
    pub now_ms: u64,
    pub seed: u64,
    pub brokers: Vec<BrokerView>,
    pub topics: Vec<TopicView>,
    pub clients: Vec<ClientView>,
    pub cut_links: Vec<(Node, Node)>,
    /// Messages and timers waiting in the event queue.
    pub scheduled: usize,
    pub scheduled_dropped: u64,
    pub events_dropped: u64,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BrokerView {
    pub id: u32,
    pub alive: bool,
    /// Partitions this broker leads.
    pub leader_of: Vec<TopicPartition>,
    /// Partitions this broker holds a replica of.
    pub replicas: Vec<TopicPartition>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TopicView {
    pub name: String,
    /// Config overrides as `name=value`, sorted.
    pub configs: Vec<(String, String)>,
    pub partitions: Vec<PartitionView>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartitionView {
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub log_start_offset: u64,
    pub high_watermark: u64,
    pub log_end_offset: u64,
    /// The leader's records.
    pub records: Vec<Record>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientView {
    pub name: String,
    /// "producer" or "consumer".
    pub kind: &'static str,
    /// Every simulated config with its effective value.
    pub configs: Vec<(&'static str, String)>,
    pub in_flight: Vec<InFlightView>,
    /// Producer: records buffered, acknowledged, failed. Zero for consumers.
    pub buffered_records: usize,
    pub acked_records: u64,
    pub failed_records: u64,
    /// Consumer: assignment with position and last known high watermark.
    pub assignment: Vec<AssignmentView>,
    /// Consumer: what polls returned, newest last (bounded).
    pub received: Vec<(TopicPartition, Record)>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InFlightView {
    pub correlation_id: u32,
    pub broker: u32,
    pub api: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AssignmentView {
    pub tp: TopicPartition,
    pub position: Option<u64>,
    pub high_watermark: Option<u64>,
}

impl Sim {
    pub fn view(&self) -> ClusterView {
        let parts = self.parts();
        let mut view = ClusterView {
            now_ms: parts.now.ms,
            seed: parts.seed,
            brokers: Vec::new(),
            topics: Vec::new(),
            clients: parts.clients.values().map(client_view).collect(),
            cut_links: Vec::new(),
            scheduled: parts.scheduled,
            scheduled_dropped: parts.scheduled_dropped,
            events_dropped: parts.events_dropped,
        };
        let Some((brokers, metadata, net, _)) = parts.cluster else {
            return view;
        };
        view.cut_links = net.cut_links().cloned().collect();
        for b in brokers.values() {
            let leader_of = metadata
                .topics
                .values()
                .flat_map(|t| {
                    t.partitions
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| p.leader == Some(b.id))
                        .map(|(i, _)| TopicPartition::new(t.name.clone(), i as u32))
                })
                .collect();
            view.brokers.push(BrokerView {
                id: b.id,
                alive: !net.is_down(&Node::Broker(b.id)),
                leader_of,
                replicas: b.replicas.keys().cloned().collect(),
            });
        }
        for t in metadata.topics.values() {
            let partitions = t
                .partitions
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let tp = TopicPartition::new(t.name.clone(), i as u32);
                    let replica = p
                        .leader
                        .and_then(|l| brokers.get(&l))
                        .and_then(|b| b.replicas.get(&tp));
                    PartitionView {
                        partition: i as u32,
                        leader: p.leader,
                        leader_epoch: p.leader_epoch,
                        replicas: p.replicas.clone(),
                        isr: p.isr.clone(),
                        log_start_offset: replica.map_or(0, |r| r.log.log_start_offset()),
                        high_watermark: replica.map_or(0, |r| r.high_watermark()),
                        log_end_offset: replica.map_or(0, |r| r.log.log_end_offset()),
                        records: replica
                            .map(|r| r.log.records().to_vec())
                            .unwrap_or_default(),
                    }
                })
                .collect();
            let configs = t
                .config
                .overrides()
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            view.topics.push(TopicView {
                name: t.name.clone(),
                configs,
                partitions,
            });
        }
        view
    }
}

fn client_view(client: &Client) -> ClientView {
    let conn = client.connection();
    let in_flight = conn
        .in_flight()
        .map(|(&id, r)| InFlightView {
            correlation_id: id,
            broker: r.broker,
            api: r.request.api(),
        })
        .collect();
    let mut v = ClientView {
        name: conn.name.clone(),
        kind: client.kind(),
        configs: Vec::new(),
        in_flight,
        buffered_records: 0,
        acked_records: 0,
        failed_records: 0,
        assignment: Vec::new(),
        received: Vec::new(),
    };
    match client {
        Client::Producer(p) => {
            v.configs = p.config.describe();
            v.buffered_records = p.buffered_records();
            v.acked_records = p.acked_records;
            v.failed_records = p.failed_records;
        }
        Client::Consumer(c) => {
            v.configs = c.config.describe();
            v.assignment = c
                .assignment
                .iter()
                .map(|tp| AssignmentView {
                    tp: tp.clone(),
                    position: c.positions.get(tp).copied(),
                    high_watermark: c.high_watermarks.get(tp).copied(),
                })
                .collect();
            v.received = c.received.iter().cloned().collect();
        }
    }
    v
}
