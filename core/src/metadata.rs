//! The cluster metadata image: registered brokers, topics, and each
//! partition's replicas, ISR, leader and epochs. The controller owns the
//! authoritative image; every broker keeps its own copy, which can be stale
//! (a broker cut off from the controller acts on what it last learned).

use crate::error::KafkaError;
use crate::protocol::{PartitionMetadata, TopicName, TopicPartition};
use crate::sorted::SortedMap;
use crate::topic::TopicConfig;
use alloc::string::String;
use alloc::vec::Vec;

/// A broker as the controller sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerRegistration {
    pub id: u32,
    /// Fenced brokers lead nothing, are in no ISR, and take no new leaderships.
    pub fenced: bool,
    /// Asked for a controlled shutdown: leaderships move away first.
    pub shutting_down: bool,
}

/// One partition's replica assignment and leadership (Kafka's `PartitionRegistration`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    /// Replica order matters: the first is the preferred leader.
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub leader: Option<u32>,
    /// Bumped on every leader change.
    pub leader_epoch: u32,
    /// Bumped on every change of the partition (leader, ISR or ELR).
    pub partition_epoch: u32,
    /// Eligible leader replicas (KIP-966): out of the ISR, but with every committed record, as
    /// they left an ISR smaller than min.insync.replicas (the high watermark did not move since).
    pub elr: Vec<u32>,
    /// The leader from before the ISR became empty, who may lead again when the ISR and the ELR
    /// are empty (Kafka's `lastKnownElr`, holding the last known leader).
    pub last_known_elr: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicState {
    /// Shared by every image and partition name made from it: a partition named after its
    /// topic's state compares equal to another without reading the text.
    pub name: TopicName,
    pub partitions: Vec<PartitionState>,
    pub config: TopicConfig,
}

/// What the controller knows, at a version (`offset`: the metadata log's end offset).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    pub offset: u64,
    pub brokers: SortedMap<u32, BrokerRegistration>,
    pub topics: SortedMap<String, TopicState>,
    /// Share groups' dynamic configs (`kafka-configs --entity-type groups`), by group.
    pub group_configs: SortedMap<String, crate::group::share_group::ShareGroupConfigs>,
}

impl Metadata {
    /// A lookup for a walk over partitions in topic order (a broker's replicas): each topic's
    /// state is found once, not once a partition.
    pub fn in_topic_order(&self) -> InTopicOrder<'_> {
        InTopicOrder { meta: self, topic: None }
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionState> {
        self.topics.get(tp.topic.as_str())?.partitions.get(tp.partition as usize)
    }

    pub fn partition_mut(&mut self, tp: &TopicPartition) -> Option<&mut PartitionState> {
        self.topics.get_mut(tp.topic.as_str())?.partitions.get_mut(tp.partition as usize)
    }

    /// Every partition, in topic then partition order.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionState)> {
        self.topics.values().flat_map(|t| {
            t.partitions.iter().enumerate().map(|(i, p)| (TopicPartition::new(t.name.clone(), i as u32), p))
        })
    }

    pub fn is_unfenced(&self, broker: u32) -> bool {
        self.brokers.get(&broker).is_some_and(|b| !b.fenced)
    }

    /// The Metadata API's view of one topic.
    pub fn describe(&self, topic: &str) -> Result<Vec<PartitionMetadata>, KafkaError> {
        let t = self.topics.get(topic).ok_or(KafkaError::UnknownTopicOrPartition)?;
        Ok(t.partitions
            .iter()
            .enumerate()
            .map(|(i, p)| PartitionMetadata {
                partition: i as u32,
                leader: p.leader,
                leader_epoch: p.leader_epoch,
                replicas: p.replicas.clone(),
                isr: p.isr.clone(),
            })
            .collect())
    }
}

/// [`Metadata::in_topic_order`].
#[derive(Debug)]
pub struct InTopicOrder<'a> {
    meta: &'a Metadata,
    topic: Option<&'a TopicState>,
}

impl<'a> InTopicOrder<'a> {
    pub fn partition(&mut self, tp: &TopicPartition) -> Option<&'a PartitionState> {
        let topic = match self.topic {
            Some(t) if t.name == tp.topic => t,
            _ => *self.topic.insert(self.meta.topics.get(tp.topic.as_str())?),
        };
        topic.partitions.get(tp.partition as usize)
    }
}
