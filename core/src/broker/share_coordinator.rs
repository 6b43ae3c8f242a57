//! A broker as share coordinator (KIP-932) for the `__share_group_state` partitions it leads:
//! partition leaders write each share-partition's state here (WriteShareGroupState, answered
//! once the record is replicated, acks=all) and a new leader reads it back before it delivers
//! anything (ReadShareGroupState). A share-partition's coordinator is the leader of partition
//! `abs(hash("group:topic:partition")) % 50` (Kafka hashes the topic's id where the simulation
//! has its name). A broker that becomes leader of a state partition reads its log, the newest
//! snapshot per share-partition winning, as Kafka's share coordinator loads its shard.

use super::leader::WriteFor;
use super::{reply, Broker};
use crate::batch::{Compression, RecordBatch};
use crate::effects::Effects;
use crate::error::KafkaError;
use crate::group::share_state;
use crate::net::Node;
use crate::protocol::{Acks, RecordData, Request, Response, ShareState, TopicPartition};
use crate::sorted::{SortedMap, SortedSet};
use alloc::string::String;
use alloc::vec::Vec;

/// The internal topic holding share-partitions' states.
pub const SHARE_STATE_TOPIC: &str = "__share_group_state";
/// `share.coordinator.state.topic.num.partitions`.
pub const SHARE_STATE_PARTITIONS: u32 = 50;
/// How long a state write waits for its replicas.
const SHARE_STATE_WRITE_TIMEOUT_MS: u64 = 5_000;

/// What a broker holds as share coordinator, in memory (read back from the log after a failover).
#[derive(Clone, Debug, Default)]
pub struct ShareCoordinator {
    pub loaded: SortedSet<u32>,
    pub states: SortedMap<(String, TopicPartition), ShareState>,
    /// Snapshots written per share-partition (Kafka's snapshot epoch).
    snapshots: SortedMap<(String, TopicPartition), i32>,
    /// The newest leader epoch each share-partition was read or written under
    /// (`ShareCoordinatorShard.leaderEpochMap`): an older leader is fenced.
    leader_epochs: SortedMap<(String, TopicPartition), u32>,
}

/// The `__share_group_state` partition of a share-partition.
#[cfg(feature = "share-groups")]
pub(super) fn state_partition(broker: &Broker, group: &str, tp: &TopicPartition) -> TopicPartition {
    let partitions =
        broker.image.topics.get(SHARE_STATE_TOPIC).map_or(SHARE_STATE_PARTITIONS, |t| t.partitions.len() as u32);
    let key = alloc::format!("{group}:{}:{}", tp.topic, tp.partition);
    TopicPartition::new(SHARE_STATE_TOPIC, crate::group::coordinator::partition_for(&key, partitions))
}

#[cfg(feature = "share-groups")]
impl Broker {
    pub(super) fn handle_share_state_request(&mut self, from: Node, id: u32, request: Request, fx: &mut Effects) {
        match request {
            Request::WriteShareGroupState { group, tp, state } => {
                let state_tp = state_partition(self, &group, &tp);
                if !self.share_coordinator.loaded.contains(&state_tp.partition) {
                    return reply(
                        fx,
                        from,
                        id,
                        Response::WriteShareGroupState { result: Err(KafkaError::NotCoordinator) },
                    );
                }
                let key = (group, tp);
                if self.share_coordinator.leader_epochs.get(&key).is_some_and(|&e| e > state.leader_epoch) {
                    let result = Err(KafkaError::FencedLeaderEpoch);
                    return reply(fx, from, id, Response::WriteShareGroupState { result });
                }
                self.share_coordinator.leader_epochs.insert(key.clone(), state.leader_epoch);
                let epoch = self.share_coordinator.snapshots.get(&key).copied().unwrap_or(0);
                self.share_coordinator.snapshots.insert(key.clone(), epoch + 1);
                let record = RecordData {
                    timestamp_ms: fx.now.ms,
                    key: Some(share_state::encode_key(&key.0, &key.1)),
                    value: Some(share_state::encode_value(epoch, &state)),
                    headers: Vec::new(),
                };
                self.share_coordinator.states.insert(key, *state);
                match RecordBatch::from_records(&[record], Compression::None).encode() {
                    Ok(bytes) => {
                        let timeout = (Acks::All, SHARE_STATE_WRITE_TIMEOUT_MS);
                        self.write(from, id, timeout, state_tp, bytes, WriteFor::ShareState, fx);
                    }
                    Err(e) => {
                        let result = Err(KafkaError::CorruptMessage(alloc::format!("{e}")));
                        reply(fx, from, id, Response::WriteShareGroupState { result });
                    }
                }
            }
            Request::ReadShareGroupState { group, tp, leader_epoch } => {
                let state_tp = state_partition(self, &group, &tp);
                let key = (group, tp.clone());
                let result = if !self.share_coordinator.loaded.contains(&state_tp.partition) {
                    Err(KafkaError::NotCoordinator)
                } else if self.share_coordinator.leader_epochs.get(&key).is_some_and(|&e| e > leader_epoch) {
                    Err(KafkaError::FencedLeaderEpoch)
                } else {
                    // The reader is the newest leader: writes from older ones are refused from now on.
                    self.share_coordinator.leader_epochs.insert(key.clone(), leader_epoch);
                    Ok(self.share_coordinator.states.get(&key).cloned())
                };
                reply(fx, from, id, Response::ReadShareGroupState { tp, result });
            }
            _ => {}
        }
    }

    /// Loads the state partitions this broker now leads and drops the others.
    pub(super) fn sync_share_coordinator(&mut self) {
        let Some(topic) = self.image.topics.get(SHARE_STATE_TOPIC) else { return };
        let partitions = topic.partitions.len() as u32;
        for p in 0..partitions {
            let tp = TopicPartition::new(SHARE_STATE_TOPIC, p);
            let (leads, loaded) = (self.now_leads(&tp), self.share_coordinator.loaded.contains(&p));
            if leads && !loaded {
                if let Some(replica) = self.replicas.get(&tp) {
                    for r in replica.log.records() {
                        let Some(key) = r.key.as_deref().and_then(share_state::decode_key) else { continue };
                        match r.value.as_deref().and_then(share_state::decode_value) {
                            Some(state) => {
                                self.share_coordinator.leader_epochs.insert(key.clone(), state.leader_epoch);
                                self.share_coordinator.states.insert(key, state);
                            }
                            None => drop(self.share_coordinator.states.remove(&key)),
                        }
                    }
                }
                self.share_coordinator.loaded.insert(p);
            } else if !leads && loaded {
                self.share_coordinator.loaded.remove(&p);
                let of = |k: &(String, TopicPartition)| state_partition(self, &k.0, &k.1).partition == p;
                let gone: Vec<(String, TopicPartition)> =
                    self.share_coordinator.states.keys().filter(|k| of(k)).cloned().collect();
                for k in gone {
                    self.share_coordinator.states.remove(&k);
                    self.share_coordinator.snapshots.remove(&k);
                    self.share_coordinator.leader_epochs.remove(&k);
                }
            }
        }
    }
}
