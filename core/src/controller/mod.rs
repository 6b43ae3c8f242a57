//! The controller: the cluster's metadata (brokers, topics, partition
//! assignments and leaders) and the decisions that change it.
//!
//! Simplification stated in the UI: the metadata image is shared by every
//! broker the moment the controller changes it. KRaft's metadata log, its
//! replication to brokers and controller failover come with replication.

pub mod placement;

use crate::error::KafkaError;
use crate::protocol::{PartitionMetadata, TopicPartition};
use crate::rand::Rng;
use crate::topic::{name, TopicConfig};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A broker as the controller sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerRegistration {
    pub id: u32,
    /// Fenced brokers lead nothing and take no new leaderships.
    pub fenced: bool,
}

/// One partition's replica assignment and leadership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    /// Replica order matters: the first is the preferred leader.
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub partition_epoch: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopicState {
    pub name: String,
    pub partitions: Vec<PartitionState>,
    pub config: TopicConfig,
}

/// Broker defaults for CreateTopics when a request leaves them out.
pub const NUM_PARTITIONS_DEFAULT: u32 = 1;
pub const DEFAULT_REPLICATION_FACTOR: u32 = 1;

/// What the controller knows. Iteration is by sorted key everywhere.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub brokers: BTreeMap<u32, BrokerRegistration>,
    pub topics: BTreeMap<String, TopicState>,
}

impl Metadata {
    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionState> {
        self.topics
            .get(&tp.topic)?
            .partitions
            .get(tp.partition as usize)
    }

    /// The Metadata API's view of one topic.
    pub fn describe(&self, topic: &str) -> Result<Vec<PartitionMetadata>, KafkaError> {
        let t = self
            .topics
            .get(topic)
            .ok_or(KafkaError::UnknownTopicOrPartition)?;
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

    /// CreateTopics, with Kafka's checks in Kafka's order (`ReplicationControlManager.createTopic`).
    pub fn create_topic(
        &mut self,
        rng: &mut Rng,
        topic: &str,
        partitions: u32,
        replication_factor: u32,
        config: TopicConfig,
    ) -> Result<&TopicState, KafkaError> {
        name::validate(topic)?;
        if self.topics.contains_key(topic) {
            return Err(KafkaError::TopicAlreadyExists(format!(
                "Topic '{topic}' already exists."
            )));
        }
        if let Some(other) = self.topics.keys().find(|t| name::collides(t, topic)) {
            return Err(KafkaError::InvalidTopic(format!(
                "Topic '{topic}' collides with existing topic: {other}"
            )));
        }
        if partitions < 1 {
            return Err(KafkaError::InvalidPartitions(
                "Number of partitions was set to an invalid non-positive value.".into(),
            ));
        }
        if replication_factor < 1 {
            return Err(KafkaError::InvalidReplicationFactor(
                "Replication factor must be larger than 0.".into(),
            ));
        }
        let brokers: Vec<BrokerRegistration> = self.brokers.values().cloned().collect();
        let assignment = placement::place(rng, &brokers, partitions, replication_factor)?;
        let partitions = assignment
            .into_iter()
            .map(|replicas| {
                // A fenced broker may hold a replica but never starts as leader or in the ISR.
                let isr: Vec<u32> = replicas
                    .iter()
                    .copied()
                    .filter(|id| self.brokers.get(id).is_some_and(|b| !b.fenced))
                    .collect();
                PartitionState {
                    leader: isr.first().copied(),
                    replicas,
                    isr,
                    leader_epoch: 0,
                    partition_epoch: 0,
                }
            })
            .collect();
        let state = TopicState {
            name: topic.into(),
            partitions,
            config,
        };
        Ok(self.topics.entry(topic.into()).or_insert(state))
    }
}
