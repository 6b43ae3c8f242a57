//! The group coordinator's broker side. A broker coordinates the groups
//! whose `__consumer_offsets` partition it leads: it answers FindCoordinator
//! from its metadata copy, runs each group's [`Group`] state machine for
//! JoinGroup, SyncGroup, Heartbeat and LeaveGroup, writes commits as records
//! into the offsets partition (acks=all, answered once the high watermark
//! passes them), and answers OffsetFetch from what it has loaded.
//!
//! When a broker becomes leader of an offsets partition it loads the
//! committed offsets by reading that partition's log, as Kafka's coordinator
//! loader does; when it stops leading, the groups go and their waiting
//! requests get NOT_COORDINATOR. So offsets survive a coordinator's death
//! exactly as far as they were replicated.
//!
//! After each rebalance (and when a group empties) the coordinator writes the
//! group's membership as a GroupMetadata record, so a new coordinator reads
//! back a Stable group whose members carry on under the same generation.

use super::leader::WriteFor;
use super::{reply, Broker};
use crate::batch::{Compression, RecordBatch};
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::group::consumer_group::{ConsumerGroup, ConsumerGroupState};
use crate::group::consumer_snapshot;
use crate::group::coordinator::{Group, GroupState, JoinRequest, Reply};
use crate::group::metadata::{self, GroupSnapshot};
use crate::group::offsets::{self, Committed};
use crate::group::share_group::{ShareGroup, ShareGroupState};
use crate::net::Node;
use crate::protocol::{Acks, RecordData, Request, Response, TopicPartition};
use crate::sorted::{SortedMap, SortedSet};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// `offsets.retention.check.interval.ms`.
pub const OFFSETS_RETENTION_CHECK_INTERVAL_MS: u64 = 600_000;

/// The internal topic holding committed offsets.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// `offsets.commit.timeout.ms`: how long a commit waits for its replicas.
const OFFSETS_COMMIT_TIMEOUT_MS: u64 = 5_000;
/// Groups one broker coordinates, a stated limit.
pub const GROUPS_PER_BROKER_MAX: usize = 256;

/// What a broker holds as coordinator, all of it in memory (lost on a crash).
#[derive(Clone, Debug, Default)]
pub struct GroupCoordinator {
    /// Offsets partitions this broker leads and has loaded.
    pub loaded: SortedSet<u32>,
    pub groups: SortedMap<String, Group>,
    /// Groups of the consumer group protocol (KIP-848). A name is in one map or the other.
    pub consumer_groups: SortedMap<String, ConsumerGroup>,
    /// Share groups (KIP-932): a name taken by a share group is not a consumer group's.
    #[cfg(feature = "share-groups")]
    pub share_groups: SortedMap<String, ShareGroup>,
    /// Each share group's state, epoch and members as last told in an event.
    #[cfg(feature = "share-groups")]
    shown_share: SortedMap<String, (ShareGroupState, i32, usize)>,
    /// Each share group's snapshot as last written to `__consumer_offsets`.
    #[cfg(feature = "share-groups")]
    persisted_share: SortedMap<String, Vec<u8>>,
    /// Each share group's snapshot as last replicated: a refused write rolls the group back to it.
    #[cfg(feature = "share-groups")]
    committed_share: SortedMap<String, Vec<u8>>,
    /// Committed offsets per group.
    pub offsets: SortedMap<String, SortedMap<TopicPartition, Committed>>,
    /// Each group's state and generation as last told in an event.
    shown: SortedMap<String, (GroupState, u32)>,
    /// Each consumer group's state, group epoch and target epoch as last told in an event.
    shown_consumer: SortedMap<String, (ConsumerGroupState, i32, i32)>,
    /// Each consumer group's snapshot as last written to `__consumer_offsets`.
    persisted_consumer: SortedMap<String, Vec<u8>>,
    /// Each consumer group's snapshot as last written and replicated (acks=all answered; a
    /// leader-acked write counts once appended): Kafka's last committed state, to which a
    /// failed write rolls the group back.
    committed_consumer: SortedMap<String, Vec<u8>>,
    /// What was last written of each group: generation, state, members and assignments.
    persisted: SortedMap<String, Persisted>,
    /// The metadata offset of the last image that created a topic (the first image's at first):
    /// a group's regexes resolved before it are resolved again (`lastMetadataImageWithNewTopics`).
    pub new_topics_at: u64,
    /// Offsets sent inside a transaction, by producer id: they count once its commit marker is written.
    pub pending_txn_offsets: SortedMap<i64, Vec<(String, TopicPartition, Committed)>>,
}

type Persisted = (u32, GroupState, Vec<(String, Vec<TopicPartition>)>);

impl Broker {
    /// The partitions of an internal topic: as created, or as the brokers' config will create it
    /// (Kafka's coordinators take the topic's partition count from the metadata, else the config).
    pub(super) fn internal_partitions(&self, topic: &str) -> u32 {
        match self.image.topics.get(topic) {
            Some(t) => t.partitions.len() as u32,
            None if topic == OFFSETS_TOPIC => self.config.internal.offsets_partitions,
            None => self.config.internal.txn_partitions,
        }
    }

    /// A group's `__consumer_offsets` partition.
    pub(super) fn offsets_partition(&self, group: &str) -> u32 {
        crate::group::coordinator::partition_for(group, self.internal_partitions(OFFSETS_TOPIC))
    }

    /// Whether this broker coordinates `group` now.
    fn coordinates(&self, group: &str) -> Result<(), KafkaError> {
        if self.coordinator.loaded.contains(&self.offsets_partition(group)) {
            Ok(())
        } else {
            Err(KafkaError::NotCoordinator)
        }
    }

    /// FindCoordinator: the leader of the group's offsets partition, by this
    /// broker's metadata. The first request creates `__consumer_offsets`.
    fn find_coordinator(&self, group: &str, fx: &mut Effects) -> Result<u32, KafkaError> {
        if !self.image.topics.contains_key(OFFSETS_TOPIC) {
            fx.create_topics.push(OFFSETS_TOPIC.into());
            return Err(KafkaError::CoordinatorNotAvailable);
        }
        let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(group));
        self.image.partition(&tp).and_then(|p| p.leader).ok_or(KafkaError::CoordinatorNotAvailable)
    }

    /// The group requests. Answers that wait (joins, syncs, commits) go out later.
    pub(super) fn handle_group_request(&mut self, from: Node, id: u32, request: Request, fx: &mut Effects) {
        let now = fx.now;
        match request {
            Request::FindCoordinator { group } => {
                let result = self.find_coordinator(&group, fx);
                reply(fx, from, id, Response::FindCoordinator { result });
            }
            Request::ConsumerGroupHeartbeat { group, heartbeat } => {
                let result = self.consumer_group_heartbeat(&group, *heartbeat, from.clone(), fx);
                match (result, self.consumer_snapshot_changed(&group)) {
                    // What changed is written first (acks=all); the member hears of it once it is
                    // replicated, as Kafka's coordinator runtime answers after its records commit.
                    (Ok(answer), Some(value)) => {
                        let write_for = WriteFor::ConsumerHeartbeat {
                            group: group.clone(),
                            answer: Box::new(answer),
                            value: value.clone(),
                        };
                        if !self.write_consumer_snapshot(&group, value, (from.clone(), id), Acks::All, write_for, fx) {
                            let result = Err(KafkaError::CoordinatorNotAvailable);
                            reply(fx, from, id, Response::ConsumerGroupHeartbeat { result });
                        }
                    }
                    (result, changed) => {
                        if let Some(value) = changed {
                            let me = (Node::Broker(self.id), 0);
                            self.write_consumer_snapshot(&group, value, me, Acks::Leader, WriteFor::GroupMetadata, fx);
                        }
                        reply(fx, from, id, Response::ConsumerGroupHeartbeat { result });
                    }
                }
            }
            #[cfg(feature = "share-groups")]
            Request::ShareGroupHeartbeat { group, heartbeat } => {
                let result = self.share_group_heartbeat(&group, *heartbeat, from.clone(), fx);
                match (result, self.share_snapshot_changed(&group)) {
                    // What changed is written first (acks=all); the member hears once it is replicated.
                    (Ok(answer), Some(value)) => {
                        let write_for = WriteFor::ShareHeartbeat {
                            group: group.clone(),
                            answer: Box::new(answer),
                            value: value.clone(),
                        };
                        if !self.write_share_snapshot(&group, value, (from.clone(), id), Acks::All, write_for, fx) {
                            let result = Err(KafkaError::CoordinatorNotAvailable);
                            reply(fx, from, id, Response::ShareGroupHeartbeat { result });
                        }
                    }
                    (result, changed) => {
                        if let Some(value) = changed {
                            let me = (Node::Broker(self.id), 0);
                            self.write_share_snapshot(&group, value, me, Acks::Leader, WriteFor::GroupMetadata, fx);
                        }
                        reply(fx, from, id, Response::ShareGroupHeartbeat { result });
                    }
                }
            }
            #[cfg(feature = "share-groups")]
            Request::JoinGroup { group, .. } if self.coordinator.share_groups.contains_key(&group) => {
                // A group id belongs to one kind of group: Kafka answers a classic join to a share
                // group with INCONSISTENT_GROUP_PROTOCOL (and no message).
                let result = Err(KafkaError::InconsistentGroupProtocol(String::new()));
                reply(fx, from, id, Response::JoinGroup { member_id: String::new(), result });
            }
            Request::JoinGroup { group, .. }
                if self.coordinator.consumer_groups.get(&group).is_some_and(|g| !g.members.is_empty()) =>
            {
                // Kafka 4.3 lets a classic member join a consumer group with members
                // (`classicGroupJoinToConsumerGroup`); the simulation does not mix protocols in one group.
                let result = Err(KafkaError::InconsistentGroupProtocol(format!(
                    "the simulation keeps one protocol per group: consumer group {group} has members, and Kafka 4.3 \
                     (group.consumer.migration.policy=bidirectional, its default) would take this classic member into it"
                )));
                reply(fx, from, id, Response::JoinGroup { member_id: String::new(), result });
            }
            Request::JoinGroup {
                group,
                member_id,
                group_instance_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
            } => {
                // An empty consumer group a classic member joins becomes a classic group
                // (`maybeDeleteEmptyConsumerGroup`): its state goes, tombstoned in `__consumer_offsets`.
                if self.coordinator.consumer_groups.get(&group).is_some_and(|g| g.members.is_empty())
                    && self.coordinates(&group).is_ok()
                {
                    self.drop_empty_consumer_group(&group, fx);
                }
                let req = JoinRequest {
                    member_id,
                    group_instance_id,
                    client: from.clone(),
                    session_timeout_ms,
                    rebalance_timeout_ms,
                    protocols,
                };
                match self.group_mut(&group) {
                    Ok(g) => {
                        let replies = g.join(req, id, now);
                        self.after_group_change(&group, replies, fx);
                    }
                    Err(e) => {
                        let member_id = req.member_id;
                        reply(fx, from, id, Response::JoinGroup { member_id, result: Err(e) })
                    }
                }
            }
            Request::SyncGroup { group, member_id, group_instance_id, generation, assignments } => {
                let instance = group_instance_id.as_deref();
                match self.group_mut(&group).and_then(|g| g.check_instance(&member_id, instance).map(|()| g)) {
                    Ok(g) => {
                        let replies = g.sync(&member_id, generation, assignments, from, id);
                        self.after_group_change(&group, replies, fx);
                    }
                    Err(e) => reply(fx, from, id, Response::SyncGroup { result: Err(e) }),
                }
            }
            Request::Heartbeat { group, member_id, group_instance_id, generation } => {
                let instance = group_instance_id.as_deref();
                let result = self.group_mut(&group).and_then(|g| {
                    g.check_instance(&member_id, instance)?;
                    g.heartbeat(&member_id, generation, now)
                });
                self.after_group_change(&group, Vec::new(), fx);
                reply(fx, from, id, Response::Heartbeat { result });
            }
            Request::LeaveGroup { group, member_id } => {
                let result = self.group_mut(&group).and_then(|g| g.leave(&member_id, now));
                let result = result.map(|replies| self.after_group_change(&group, replies, fx));
                reply(fx, from, id, Response::LeaveGroup { result });
            }
            Request::OffsetCommit { group, member_id, group_instance_id, generation, offsets } => {
                let member = (member_id.as_str(), group_instance_id.as_deref());
                self.commit_offsets(from, id, group, member, generation, offsets, fx)
            }
            Request::TxnOffsetCommit { txn, group, member, offsets } => {
                // KIP-447: a member of an older generation (a zombie) is fenced
                // (GroupCoordinator.handleTxnCommitOffsets).
                if let Some((member_id, generation)) = &member {
                    let valid = match self.coordinator.groups.get(&group) {
                        Some(g) if g.state == GroupState::Dead => Err(KafkaError::CoordinatorNotAvailable),
                        Some(g) if !g.members.contains_key(member_id) => Err(KafkaError::UnknownMemberId),
                        Some(g) if g.generation != *generation => Err(KafkaError::IllegalGeneration),
                        Some(_) => Ok(()),
                        None => Err(KafkaError::UnknownMemberId),
                    };
                    if let (Err(e), Ok(())) = (valid, self.coordinates(&group)) {
                        return reply(fx, from, id, Response::TxnOffsetCommit { result: Err(e) });
                    }
                }
                self.txn_commit_offsets(from, id, txn, group, offsets, fx)
            }
            Request::OffsetFetch { group, partitions } => {
                // The consumer asks with require_stable (KIP-447): an offset a transaction has
                // committed but not yet decided is UNSTABLE_OFFSET_COMMIT, not the older offset
                // beneath it (`GroupMetadataManager.getOffsets`). Kafka answers it per partition and
                // the consumer fails the whole fetch for it; here the whole answer carries it.
                let unstable = self
                    .coordinator
                    .pending_txn_offsets
                    .values()
                    .flatten()
                    .any(|(g, tp, _)| *g == group && partitions.contains(tp));
                let result = self.coordinates(&group).and_then(|()| {
                    if unstable {
                        return Err(KafkaError::UnstableOffsetCommit);
                    }
                    let committed = self.coordinator.offsets.get(&group);
                    let offset = |tp: &TopicPartition| committed.and_then(|c| c.get(tp)).map(|c| c.offset);
                    Ok(partitions.into_iter().map(|tp| (tp.clone(), offset(&tp))).collect())
                });
                reply(fx, from, id, Response::OffsetFetch { result });
            }
            _ => {}
        }
    }

    /// ConsumerGroupHeartbeat (`GroupMetadataManager.consumerGroupHeartbeat`). A first heartbeat
    /// (member epoch 0) creates the group; an empty classic group of that name is replaced, a
    /// classic group with members is not a consumer group (Kafka 4.3 would convert it when
    /// group.consumer.migration.policy allows; the simulation keeps the protocols apart).
    fn consumer_group_heartbeat(
        &mut self,
        group: &str,
        heartbeat: crate::group::consumer_group::HeartbeatRequest,
        from: Node,
        fx: &mut Effects,
    ) -> Result<crate::group::consumer_group::HeartbeatAnswer, KafkaError> {
        self.coordinates(group)?;
        #[cfg(feature = "share-groups")]
        if self.coordinator.share_groups.contains_key(group) {
            return Err(KafkaError::GroupIdNotFound(format!("Group {group} is not a consumer group.")));
        }
        if !self.coordinator.consumer_groups.contains_key(group) {
            if self.coordinator.groups.get(group).is_some_and(|g| !g.members.is_empty()) {
                // Kafka 4.3 converts a classic group with members to a consumer group here
                // (`convertToConsumerGroup`); the simulation does not mix protocols in one group.
                return Err(KafkaError::GroupIdNotFound(format!(
                    "the simulation keeps one protocol per group: classic group {group} has members, and Kafka 4.3 \
                     (group.consumer.migration.policy=bidirectional, its default) would convert it to a consumer group"
                )));
            }
            if heartbeat.member_epoch != 0 {
                // No such group (deleted, expired, or never written): the member rejoins.
                return Err(KafkaError::UnknownMemberId);
            }
            if self.coordinator.groups.len() + self.coordinator.consumer_groups.len() >= GROUPS_PER_BROKER_MAX {
                return Err(KafkaError::CoordinatorNotAvailable);
            }
            self.coordinator.groups.remove(group);
            self.coordinator.shown.remove(group);
            self.coordinator.persisted.remove(group);
            let settings = self.config.group.consumer;
            self.coordinator.consumer_groups.insert(group.into(), ConsumerGroup::new(group, settings));
        }
        let image = &self.image;
        let partitions = |t: &str| image.topics.get(t).map(|t| t.partitions.len() as u32);
        let now = fx.now;
        let new_topics_at = self.coordinator.new_topics_at;
        let result = match self.coordinator.consumer_groups.get_mut(group) {
            Some(g) => {
                g.new_topics_at = new_topics_at;
                g.heartbeat(heartbeat, from, &partitions, now)
            }
            None => Err(KafkaError::CoordinatorNotAvailable),
        };
        self.after_consumer_group_change(group, fx);
        result
    }

    /// ShareGroupHeartbeat (`GroupMetadataManager.shareGroupHeartbeat`). A first heartbeat creates
    /// the group; a name taken by another kind of group is GROUP_ID_NOT_FOUND.
    #[cfg(feature = "share-groups")]
    fn share_group_heartbeat(
        &mut self,
        group: &str,
        heartbeat: crate::group::share_group::ShareHeartbeatRequest,
        from: Node,
        fx: &mut Effects,
    ) -> Result<crate::group::share_group::ShareHeartbeatAnswer, KafkaError> {
        self.coordinates(group)?;
        if !self.coordinator.share_groups.contains_key(group) {
            if self.coordinator.consumer_groups.contains_key(group)
                || self.coordinator.groups.get(group).is_some_and(|g| !g.members.is_empty())
            {
                return Err(KafkaError::GroupIdNotFound(format!("Group {group} is not a share group.")));
            }
            if heartbeat.member_epoch != 0 {
                return Err(KafkaError::UnknownMemberId);
            }
            let count = self.coordinator.groups.len()
                + self.coordinator.consumer_groups.len()
                + self.coordinator.share_groups.len();
            if count >= GROUPS_PER_BROKER_MAX {
                return Err(KafkaError::CoordinatorNotAvailable);
            }
            self.coordinator.groups.remove(group);
            let settings = self.config.group.share;
            self.coordinator.share_groups.insert(group.into(), ShareGroup::new(group, settings));
        }
        let image = &self.image;
        let partitions = |t: &str| image.topics.get(t).map(|t| t.partitions.len() as u32);
        let result = match self.coordinator.share_groups.get_mut(group) {
            Some(g) => g.heartbeat(heartbeat, from, &partitions, fx.now),
            None => Err(KafkaError::CoordinatorNotAvailable),
        };
        self.after_share_group_change(group, fx);
        result
    }

    /// The share group's snapshot when it differs from what was last written.
    #[cfg(feature = "share-groups")]
    fn share_snapshot_changed(&mut self, group: &str) -> Option<Vec<u8>> {
        let value = crate::group::share_snapshot::encode_value(self.coordinator.share_groups.get(group)?);
        (self.coordinator.persisted_share.get(group) != Some(&value)).then_some(value)
    }

    /// Writes a share group's snapshot to its offsets partition, answered to `answer_to`; false when
    /// the batch could not be encoded.
    #[cfg(feature = "share-groups")]
    fn write_share_snapshot(
        &mut self,
        group: &str,
        value: Vec<u8>,
        (to, id): (Node, u32),
        acks: Acks,
        write_for: WriteFor,
        fx: &mut Effects,
    ) -> bool {
        self.coordinator.persisted_share.insert(group.into(), value.clone());
        if acks == Acks::Leader {
            self.coordinator.committed_share.insert(group.into(), value.clone());
        }
        let key = crate::group::share_snapshot::encode_key(group);
        let written = self.write_offsets_record(group, key, value, (to, id), acks, write_for, fx);
        if !written {
            self.coordinator.persisted_share.remove(group);
        }
        written
    }

    /// A share heartbeat's changes are replicated (or their write failed): the member hears.
    #[cfg(feature = "share-groups")]
    pub(super) fn on_share_heartbeat_written(
        &mut self,
        (to, id): (Node, u32),
        group: &str,
        answer: crate::group::share_group::ShareHeartbeatAnswer,
        value: Vec<u8>,
        result: Result<u64, KafkaError>,
        fx: &mut Effects,
    ) {
        let result = match result {
            Ok(_) => {
                self.coordinator.committed_share.insert(group.into(), value);
                Ok(answer)
            }
            Err(e) if refused(&e) && self.coordinator.share_groups.contains_key(group) => {
                // As a consumer group's (`roll_back_consumer_group`): back to the last replicated state.
                let (settings, now) = (self.config.group.share, fx.now);
                let c = &mut self.coordinator;
                let decode = |v: &[u8]| crate::group::share_snapshot::decode_value(group, v, settings, now);
                if !roll_back(group, (&mut c.share_groups, &mut c.persisted_share), &c.committed_share, decode) {
                    fx.cancel(Timer::GroupDeadline(group.into()));
                }
                self.after_share_group_change(group, fx);
                Err(heartbeat_write_error(e))
            }
            Err(e) => {
                // Written again with the next change.
                self.coordinator.persisted_share.remove(group);
                Err(heartbeat_write_error(e))
            }
        };
        reply(fx, to, id, Response::ShareGroupHeartbeat { result });
    }

    /// Says when a share group's state, epoch or members changed, and re-arms its deadline.
    #[cfg(feature = "share-groups")]
    fn after_share_group_change(&mut self, group: &str, fx: &mut Effects) {
        let Some(g) = self.coordinator.share_groups.get(group) else {
            return;
        };
        let shown = (g.state, g.epoch, g.members.len());
        if self.coordinator.shown_share.get(group) != Some(&shown) {
            self.coordinator.shown_share.insert(group.into(), shown);
            fx.event(EventKind::ShareGroupState {
                broker: self.id,
                group: group.into(),
                state: g.state,
                epoch: g.epoch,
                members: g.members.len(),
            });
        }
        let timer = Timer::GroupDeadline(group.into());
        fx.cancel(timer.clone());
        if let Some(at) = g.next_deadline() {
            fx.timers.push((at.max(fx.now), timer));
        }
    }

    /// Says when a consumer group's state or epochs moved, and re-arms its deadline.
    fn after_consumer_group_change(&mut self, group: &str, fx: &mut Effects) {
        let Some(g) = self.coordinator.consumer_groups.get(group) else {
            return;
        };
        let shown = (g.state, g.epoch, g.assignment_epoch);
        if self.coordinator.shown_consumer.get(group) != Some(&shown) {
            self.coordinator.shown_consumer.insert(group.into(), shown);
            fx.event(EventKind::ConsumerGroupState {
                broker: self.id,
                group: group.into(),
                state: g.state,
                epoch: g.epoch,
                assignment_epoch: g.assignment_epoch,
                members: g.members.len(),
            });
        }
        let timer = Timer::GroupDeadline(group.into());
        fx.cancel(timer.clone());
        if let Some(at) = g.next_deadline() {
            fx.timers.push((at.max(fx.now), timer));
        }
    }

    /// The consumer group's snapshot when it differs from what was last written (`None` for a
    /// gone group's, which is tombstoned where it goes).
    fn consumer_snapshot_changed(&mut self, group: &str) -> Option<Vec<u8>> {
        let value = consumer_snapshot::encode_value(self.coordinator.consumer_groups.get(group)?);
        (self.coordinator.persisted_consumer.get(group) != Some(&value)).then_some(value)
    }

    /// Writes a consumer group's snapshot (`None`: a tombstone) to its offsets partition, answered
    /// to `answer_to`; false when the batch could not be encoded.
    fn write_consumer_snapshot(
        &mut self,
        group: &str,
        value: Vec<u8>,
        (to, id): (Node, u32),
        acks: Acks,
        write_for: WriteFor,
        fx: &mut Effects,
    ) -> bool {
        self.coordinator.persisted_consumer.insert(group.into(), value.clone());
        if acks == Acks::Leader {
            self.coordinator.committed_consumer.insert(group.into(), value.clone());
        }
        let written = self.write_offsets_record(
            group,
            consumer_snapshot::encode_key(group),
            value,
            (to, id),
            acks,
            write_for,
            fx,
        );
        if !written {
            self.coordinator.persisted_consumer.remove(group);
        }
        written
    }

    /// Writes one record of `group`'s to its `__consumer_offsets` partition (a group's snapshot or
    /// metadata), answered to `(to, id)` when `acks` is met; false when the batch could not be encoded.
    #[allow(clippy::too_many_arguments)]
    fn write_offsets_record(
        &mut self,
        group: &str,
        key: Vec<u8>,
        value: Vec<u8>,
        (to, id): (Node, u32),
        acks: Acks,
        write_for: WriteFor,
        fx: &mut Effects,
    ) -> bool {
        let record = RecordData { timestamp_ms: fx.now.ms, key: Some(key), value: Some(value), headers: Vec::new() };
        let Ok(bytes) = RecordBatch::from_records(&[record], Compression::None).encode() else {
            return false;
        };
        let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(group));
        self.write(to, id, (acks, OFFSETS_COMMIT_TIMEOUT_MS), tp, bytes, write_for, fx);
        true
    }

    /// A heartbeat's changes are replicated (or their write failed): the member hears.
    pub(super) fn on_consumer_heartbeat_written(
        &mut self,
        (to, id): (Node, u32),
        group: &str,
        answer: crate::group::consumer_group::HeartbeatAnswer,
        value: Vec<u8>,
        result: Result<u64, KafkaError>,
        fx: &mut Effects,
    ) {
        let result = match result {
            Ok(_) => {
                self.coordinator.committed_consumer.insert(group.into(), value);
                Ok(answer)
            }
            Err(e) => {
                if refused(&e) {
                    self.roll_back_consumer_group(group, fx);
                } else {
                    // Written again with the next change.
                    self.coordinator.persisted_consumer.remove(group);
                }
                Err(heartbeat_write_error(e))
            }
        };
        reply(fx, to, id, Response::ConsumerGroupHeartbeat { result });
    }

    /// A write of the group failed: as Kafka's coordinator runtime reverts its in-memory state to
    /// the last committed offset, the group goes back to its last committed snapshot (a group
    /// that had none goes), its members' sessions started again as a loaded group's are. The
    /// member whose heartbeat caused the change is answered with an error and tries again.
    fn roll_back_consumer_group(&mut self, group: &str, fx: &mut Effects) {
        if !self.coordinator.consumer_groups.contains_key(group) {
            return; // Unloaded meanwhile: the next coordinator reads the log.
        }
        let (settings, now) = (self.config.group.consumer, fx.now);
        let c = &mut self.coordinator;
        let decode = |v: &[u8]| consumer_snapshot::decode_value(group, v, settings, now);
        if !roll_back(group, (&mut c.consumer_groups, &mut c.persisted_consumer), &c.committed_consumer, decode) {
            fx.cancel(Timer::GroupDeadline(group.into()));
        }
        self.after_consumer_group_change(group, fx);
    }

    /// The group, created empty on first use, if this broker coordinates it.
    fn group_mut(&mut self, group: &str) -> Result<&mut Group, KafkaError> {
        self.coordinates(group)?;
        if self.coordinator.consumer_groups.contains_key(group) {
            return Err(KafkaError::InconsistentGroupProtocol(String::new()));
        }
        let groups = &mut self.coordinator.groups;
        if !groups.contains_key(group) && groups.len() >= GROUPS_PER_BROKER_MAX {
            return Err(KafkaError::CoordinatorNotAvailable);
        }
        let settings = self.config.group;
        Ok(groups.entry(group.into()).or_insert_with(|| Group::new(group).with_settings(settings)))
    }

    /// Sends a group's replies, says what changed, and re-arms its deadline.
    fn after_group_change(&mut self, group: &str, replies: Vec<Reply>, fx: &mut Effects) {
        for r in replies {
            match r {
                Reply::Join { to, correlation_id, member_id, result } => {
                    reply(fx, to, correlation_id, Response::JoinGroup { member_id, result })
                }
                Reply::Sync { to, correlation_id, result } => {
                    reply(fx, to, correlation_id, Response::SyncGroup { result })
                }
                Reply::Store { generation, assignments } => self.store_assignment(group, generation, &assignments, fx),
            }
        }
        let Some(g) = self.coordinator.groups.get(group) else {
            return;
        };
        let persisted: Persisted =
            (g.generation, g.state, g.members.values().map(|m| (m.id.clone(), m.assignment.clone())).collect());
        let settled = g.state == GroupState::Stable || (g.state == GroupState::Empty && g.generation > 0);
        if settled && self.coordinator.persisted.get(group) != Some(&persisted) {
            let snapshot = g.snapshot(fx.now);
            self.coordinator.persisted.insert(group.into(), persisted);
            self.write_group_metadata(group, &snapshot, fx);
        }
        let Some(g) = self.coordinator.groups.get(group) else {
            return;
        };
        let shown = (g.state, g.generation);
        if self.coordinator.shown.get(group) != Some(&shown) {
            self.coordinator.shown.insert(group.into(), shown);
            let members = g.members.len();
            fx.event(EventKind::GroupState {
                broker: self.id,
                group: group.into(),
                state: g.state,
                generation: g.generation,
                members,
            });
        }
        let timer = Timer::GroupDeadline(group.into());
        fx.cancel(timer.clone());
        if let Some(at) = g.next_deadline() {
            // A deadline already past is due now: `tick` acts on every deadline at or before now.
            fx.timers.push((at.max(fx.now), timer));
        }
    }

    /// Writes a generation's assignment with acks=all; the sync completes when it is replicated.
    fn store_assignment(
        &mut self,
        group: &str,
        generation: u32,
        assignments: &[(String, Vec<TopicPartition>)],
        fx: &mut Effects,
    ) {
        let Some(g) = self.coordinator.groups.get(group) else {
            return;
        };
        let snapshot = g.snapshot_assigned(assignments, fx.now);
        // What the Stable group will be: written now, so not again once it is Stable.
        let members = snapshot.members.iter().map(|m| (m.member_id.clone(), m.assignment.clone())).collect();
        self.coordinator.persisted.insert(group.into(), (generation, GroupState::Stable, members));
        let write_for = WriteFor::GroupSync { group: group.into(), generation };
        if !self.write_group_record(group, &snapshot, Acks::All, write_for, fx) {
            self.on_group_stored(group, generation, Err(KafkaError::CoordinatorNotAvailable), fx);
        }
    }

    /// A generation's assignment is replicated (or its write failed): the sync completes, or
    /// the members are told to rejoin. Kafka maps the append error as it does for commits.
    pub(super) fn on_group_stored(
        &mut self,
        group: &str,
        generation: u32,
        result: Result<u64, KafkaError>,
        fx: &mut Effects,
    ) {
        let result = result.map(|_| ()).map_err(|e| match e {
            KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
            _ => KafkaError::CoordinatorNotAvailable,
        });
        if result.is_err() {
            self.coordinator.persisted.remove(group);
        }
        let now = fx.now;
        let Some(g) = self.coordinator.groups.get_mut(group) else {
            return;
        };
        let replies = g.stored(generation, result, now);
        self.after_group_change(group, replies, fx);
    }

    /// Appends the group's membership to its offsets partition (acks=1: nobody waits on it).
    fn write_group_metadata(&mut self, group: &str, snapshot: &GroupSnapshot, fx: &mut Effects) {
        self.write_group_record(group, snapshot, Acks::Leader, WriteFor::GroupMetadata, fx);
    }

    /// Writes a GroupMetadata record with `acks`; false when it could not be encoded.
    fn write_group_record(
        &mut self,
        group: &str,
        snapshot: &GroupSnapshot,
        acks: Acks,
        write_for: WriteFor,
        fx: &mut Effects,
    ) -> bool {
        let (key, value) = (metadata::encode_key(group), metadata::encode_value(snapshot));
        self.write_offsets_record(group, key, value, (Node::Broker(self.id), 0), acks, write_for, fx)
    }

    /// DeleteGroups: an Empty group becomes Dead; its commits and metadata are
    /// tombstoned in the log (so a later leader loads nothing) and it is gone.
    pub fn delete_group(&mut self, group: &str, fx: &mut Effects) -> Result<(), KafkaError> {
        self.coordinates(group)?;
        let known = self.coordinator.groups.contains_key(group)
            || self.coordinator.consumer_groups.contains_key(group)
            || self.coordinator.offsets.contains_key(group);
        if !known {
            return Err(KafkaError::GroupIdNotFound(format!("Group {group} not found.")));
        }
        let consumer_group = self.coordinator.persisted_consumer.contains_key(group);
        if let Some(g) = self.coordinator.consumer_groups.get_mut(group) {
            g.delete()?;
            self.coordinator.consumer_groups.remove(group);
            self.coordinator.shown_consumer.remove(group);
            self.coordinator.persisted_consumer.remove(group);
            self.coordinator.committed_consumer.remove(group);
        } else if let Some(g) = self.coordinator.groups.get_mut(group) {
            g.delete()?;
        } else {
            self.coordinator.groups.insert(group.into(), Group::new(group));
            if let Some(g) = self.coordinator.groups.get_mut(group) {
                g.delete()?;
            }
        }
        self.after_group_change(group, Vec::new(), fx);
        let offsets = self.coordinator.offsets.remove(group).unwrap_or_default();
        let tombstone =
            |key: Vec<u8>| RecordData { timestamp_ms: fx.now.ms, key: Some(key), value: None, headers: Vec::new() };
        let mut records: Vec<RecordData> = offsets.keys().map(|tp| tombstone(offsets::encode_key(group, tp))).collect();
        records.push(tombstone(metadata::encode_key(group)));
        if consumer_group {
            records.push(tombstone(consumer_snapshot::encode_key(group)));
        }
        if let Ok(bytes) = RecordBatch::from_records(&records, Compression::None).encode() {
            let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(group));
            let me = Node::Broker(self.id);
            self.write(me, 0, (Acks::Leader, OFFSETS_COMMIT_TIMEOUT_MS), tp, bytes, WriteFor::GroupMetadata, fx);
        }
        self.coordinator.groups.remove(group);
        self.coordinator.persisted.remove(group);
        self.coordinator.shown.remove(group);
        fx.cancel(Timer::GroupDeadline(group.into()));
        Ok(())
    }

    /// `maybeDeleteEmptyConsumerGroup`: an empty consumer group a classic member joins goes, and
    /// its record in `__consumer_offsets` is tombstoned, so a later coordinator does not load it.
    fn drop_empty_consumer_group(&mut self, group: &str, fx: &mut Effects) {
        self.coordinator.consumer_groups.remove(group);
        self.coordinator.shown_consumer.remove(group);
        fx.cancel(Timer::GroupDeadline(group.into()));
        self.coordinator.committed_consumer.remove(group);
        if self.coordinator.persisted_consumer.remove(group).is_none() {
            return;
        }
        let key = Some(consumer_snapshot::encode_key(group));
        let tombstone = RecordData { timestamp_ms: fx.now.ms, key, value: None, headers: Vec::new() };
        if let Ok(bytes) = RecordBatch::from_records(&[tombstone], Compression::None).encode() {
            let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(group));
            let me = Node::Broker(self.id);
            self.write(me, 0, (Acks::Leader, OFFSETS_COMMIT_TIMEOUT_MS), tp, bytes, WriteFor::GroupMetadata, fx);
        }
    }

    /// The offsets expiry pass (`OffsetMetadataManager.cleanupExpiredOffsets`): an Empty group's
    /// offsets expire offsets.retention.minutes after it became Empty; a standalone consumer's
    /// (a group that never had members) that long after each commit; a group with members keeps
    /// them. Expired offsets are tombstoned in `__consumer_offsets`; an Empty group left with no
    /// offsets is removed, its metadata tombstoned too (`maybeDeleteGroup`).
    pub(super) fn expire_offsets(&mut self, fx: &mut Effects) {
        fx.timer_in(crate::time::Duration::from_ms(OFFSETS_RETENTION_CHECK_INTERVAL_MS), Timer::OffsetsExpiry);
        let now_ms = fx.now.ms;
        let retention_ms = self.config.offsets_retention_ms;
        let names: Vec<String> = self.coordinator.offsets.keys().cloned().collect();
        for group in names {
            if self.coordinates(&group).is_err()
                || self.coordinator.pending_txn_offsets.values().flatten().any(|(g, _, _)| *g == group)
            {
                continue;
            }
            if self.coordinator.consumer_groups.get(&group).is_some_and(|g| !g.members.is_empty()) {
                continue;
            }
            let since_empty = match self.coordinator.groups.get(&group) {
                Some(g) if g.state != GroupState::Empty => continue,
                Some(g) if g.generation > 0 => Some(g.empty_since_ms),
                _ => None,
            };
            let Some(offsets) = self.coordinator.offsets.get_mut(&group) else { continue };
            let expired: Vec<TopicPartition> = offsets
                .iter()
                .filter(|(_, c)| now_ms.saturating_sub(since_empty.unwrap_or(c.commit_timestamp_ms)) >= retention_ms)
                .map(|(tp, _)| tp.clone())
                .collect();
            if expired.is_empty() {
                continue;
            }
            for tp in &expired {
                offsets.remove(tp);
            }
            let remove_group = offsets.is_empty();
            let tombstone =
                |key: Vec<u8>| RecordData { timestamp_ms: now_ms, key: Some(key), value: None, headers: Vec::new() };
            let mut records: Vec<RecordData> =
                expired.iter().map(|tp| tombstone(offsets::encode_key(&group, tp))).collect();
            if remove_group {
                let consumer_group = self.coordinator.persisted_consumer.contains_key(&group);
                self.coordinator.offsets.remove(&group);
                self.coordinator.groups.remove(&group);
                self.coordinator.consumer_groups.remove(&group);
                self.coordinator.shown_consumer.remove(&group);
                self.coordinator.persisted_consumer.remove(&group);
                self.coordinator.committed_consumer.remove(&group);
                self.coordinator.persisted.remove(&group);
                self.coordinator.shown.remove(&group);
                records.push(tombstone(metadata::encode_key(&group)));
                if consumer_group {
                    records.push(tombstone(consumer_snapshot::encode_key(&group)));
                }
            }
            if let Ok(bytes) = RecordBatch::from_records(&records, Compression::None).encode() {
                let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(&group));
                let me = Node::Broker(self.id);
                self.write(me, 0, (Acks::Leader, OFFSETS_COMMIT_TIMEOUT_MS), tp, bytes, WriteFor::GroupMetadata, fx);
            }
            fx.event(EventKind::OffsetsExpired {
                broker: self.id,
                group,
                partitions: expired,
                group_removed: remove_group,
            });
        }
    }

    /// A group's session or join deadline came.
    pub(super) fn on_group_deadline(&mut self, group: &str, fx: &mut Effects) {
        let now = fx.now;
        #[cfg(feature = "share-groups")]
        if self.coordinator.share_groups.contains_key(group) {
            let image = &self.image;
            let partitions = |t: &str| image.topics.get(t).map(|t| t.partitions.len() as u32);
            let fenced = match self.coordinator.share_groups.get_mut(group) {
                Some(g) => g.tick(&partitions, now),
                None => Vec::new(),
            };
            for member in fenced {
                let why = "no heartbeat within group.share.session.timeout.ms";
                fx.event(EventKind::MemberFenced { broker: self.id, group: group.into(), member, why });
            }
            if let Some(value) = self.share_snapshot_changed(group) {
                let me = (Node::Broker(self.id), 0);
                self.write_share_snapshot(group, value, me, Acks::Leader, WriteFor::GroupMetadata, fx);
            }
            return self.after_share_group_change(group, fx);
        }
        if self.coordinator.consumer_groups.contains_key(group) {
            let image = &self.image;
            let partitions = |t: &str| image.topics.get(t).map(|t| t.partitions.len() as u32);
            let mut resolved = Vec::new();
            let fenced = match self.coordinator.consumer_groups.get_mut(group) {
                Some(g) => {
                    let fenced = g.tick(&partitions, now);
                    if g.regex_refresh_at.is_some_and(|at| at <= now) {
                        let names = image.topics.keys().map(String::as_str);
                        resolved = g.resolve_regexes(names, image.offset, &partitions, now);
                    }
                    fenced
                }
                None => Vec::new(),
            };
            for (member, why) in fenced {
                fx.event(EventKind::MemberFenced { broker: self.id, group: group.into(), member, why });
            }
            for (regex, topics) in resolved {
                fx.event(EventKind::RegexResolved { broker: self.id, group: group.into(), regex, topics });
            }
            if let Some(value) = self.consumer_snapshot_changed(group) {
                let me = (Node::Broker(self.id), 0);
                self.write_consumer_snapshot(group, value, me, Acks::Leader, WriteFor::GroupMetadata, fx);
            }
            return self.after_consumer_group_change(group, fx);
        }
        if let Some(g) = self.coordinator.groups.get_mut(group) {
            let replies = g.tick(now);
            self.after_group_change(group, replies, fx);
        }
    }

    /// OffsetCommit: validated by the group, then written to the offsets
    /// partition as one batch of commit records; answered when replicated.
    #[allow(clippy::too_many_arguments)]
    fn commit_offsets(
        &mut self,
        from: Node,
        id: u32,
        group: String,
        (member_id, instance): (&str, Option<&str>),
        generation: Option<u32>,
        offsets: Vec<(TopicPartition, u64, String)>,
        fx: &mut Effects,
    ) {
        let fail = |fx: &mut Effects, offsets: Vec<(TopicPartition, u64, String)>, e: KafkaError| {
            let partitions = offsets.into_iter().map(|(tp, _, _)| (tp, Err(e.clone()))).collect();
            reply(fx, from.clone(), id, Response::OffsetCommit { partitions });
        };
        let consumer_group = self.coordinator.consumer_groups.get(&group);
        let valid = self.coordinates(&group).and_then(|()| match self.coordinator.groups.get(&group) {
            _ if consumer_group.is_some() => {
                consumer_group.map_or(Ok(()), |g| g.validate_commit(member_id, generation))
            }
            Some(g) => g.check_instance(member_id, instance).and_then(|()| g.validate_commit(member_id, generation)),
            // A group never joined: a consumer outside group management may commit.
            None if generation.is_none() => Ok(()),
            None => Err(KafkaError::IllegalGeneration),
        });
        if let Err(e) = valid {
            return fail(fx, offsets, e);
        }
        if offsets.is_empty() {
            return reply(fx, from, id, Response::OffsetCommit { partitions: Vec::new() });
        }
        let now_ms = fx.now.ms;
        let committed: Vec<(TopicPartition, Committed)> = offsets
            .iter()
            .map(|(tp, o, m)| (tp.clone(), Committed { offset: *o, metadata: m.clone(), commit_timestamp_ms: now_ms }))
            .collect();
        let records = commit_records(&group, &committed, now_ms);
        let bytes = match RecordBatch::from_records(&records, Compression::None).encode() {
            Ok(bytes) => bytes,
            Err(e) => return fail(fx, offsets, KafkaError::CorruptMessage(alloc::format!("{e}"))),
        };
        let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(&group));
        let write_for = WriteFor::OffsetCommit { group, offsets: committed };
        self.write(from, id, (Acks::All, OFFSETS_COMMIT_TIMEOUT_MS), tp, bytes, write_for, fx);
    }

    /// TxnOffsetCommit: the commit records go into the offsets partition as the
    /// producer's transactional batch; they count when the transaction commits. The first of a
    /// transaction waits for the transaction coordinator to add the offsets partition to it (or
    /// vouch that the producer did), as a partition leader's first batch does (KIP-890).
    fn txn_commit_offsets(
        &mut self,
        from: Node,
        id: u32,
        txn: crate::protocol::TxnIdentity,
        group: String,
        offsets: Vec<(TopicPartition, u64)>,
        fx: &mut Effects,
    ) {
        if let Err(e) = self.coordinates(&group) {
            return reply(fx, from, id, Response::TxnOffsetCommit { result: Err(e) });
        }
        let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(&group));
        if self.needs_verification(&tp, txn.producer_id, txn.producer_epoch) {
            let then = super::verification::Verifying::TxnOffsetCommit { from, id, txn: txn.clone(), group, offsets };
            return self.verify_transaction(txn, tp, then, fx);
        }
        self.write_txn_offsets(from, id, txn, group, offsets, fx);
    }

    /// Writes transactional offsets as the producer's batch.
    pub(super) fn write_txn_offsets(
        &mut self,
        from: Node,
        id: u32,
        txn: crate::protocol::TxnIdentity,
        group: String,
        offsets: Vec<(TopicPartition, u64)>,
        fx: &mut Effects,
    ) {
        let now_ms = fx.now.ms;
        let committed: Vec<(TopicPartition, Committed)> = offsets
            .into_iter()
            .map(|(tp, o)| (tp, Committed { offset: o, metadata: String::new(), commit_timestamp_ms: now_ms }))
            .collect();
        let records = commit_records(&group, &committed, now_ms);
        let mut batch = RecordBatch::from_records(&records, Compression::None);
        batch.producer_id = txn.producer_id;
        batch.producer_epoch = txn.producer_epoch;
        batch.is_transactional = true;
        let bytes = match batch.encode() {
            Ok(bytes) => bytes,
            Err(e) => {
                let result = Err(KafkaError::CorruptMessage(alloc::format!("{e}")));
                return reply(fx, from, id, Response::TxnOffsetCommit { result });
            }
        };
        let tp = TopicPartition::new(OFFSETS_TOPIC, self.offsets_partition(&group));
        let write_for = WriteFor::TxnOffsetCommit { group, producer_id: txn.producer_id, offsets: committed };
        self.write(from, id, (Acks::All, OFFSETS_COMMIT_TIMEOUT_MS), tp, bytes, write_for, fx);
    }

    /// Transactional offsets are written: pending until the transaction ends.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_txn_offsets_written(
        &mut self,
        to: Node,
        id: u32,
        group: String,
        producer_id: i64,
        offsets: Vec<(TopicPartition, Committed)>,
        result: Result<u64, KafkaError>,
        fx: &mut Effects,
    ) {
        let result = result.map(|_| ()).map_err(|e| match e {
            KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
            KafkaError::InvalidProducerEpoch => KafkaError::ProducerFenced,
            KafkaError::InvalidTxnState => KafkaError::InvalidTxnState,
            _ => KafkaError::CoordinatorNotAvailable,
        });
        if result.is_ok() {
            let pending = self.coordinator.pending_txn_offsets.entry(producer_id).or_default();
            pending.extend(offsets.into_iter().map(|(tp, c)| (group.clone(), tp, c)));
        }
        reply(fx, to, id, Response::TxnOffsetCommit { result });
    }

    /// A marker reached an offsets partition this broker leads: the producer's pending offsets count or go.
    pub(super) fn complete_txn_offsets(&mut self, producer_id: i64, commit: bool) {
        let Some(pending) = self.coordinator.pending_txn_offsets.remove(&producer_id) else { return };
        if commit {
            for (group, tp, c) in pending {
                self.coordinator.offsets.entry(group).or_default().insert(tp, c);
            }
        }
    }

    /// The commit records are replicated (or failed): the offsets count from now on.
    pub(super) fn on_commit_written(
        &mut self,
        to: Node,
        id: u32,
        group: String,
        offsets: Vec<(TopicPartition, Committed)>,
        result: Result<u64, KafkaError>,
        fx: &mut Effects,
    ) {
        let result = result.map_err(|e| match e {
            // As Kafka's coordinator maps append errors for commits.
            KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
            KafkaError::RecordTooLarge(_) | KafkaError::CorruptMessage(_) | KafkaError::PolicyViolation(_) => e,
            _ => KafkaError::CoordinatorNotAvailable,
        });
        if result.is_ok() {
            let stored = self.coordinator.offsets.entry(group.clone()).or_default();
            for (tp, c) in &offsets {
                stored.insert(tp.clone(), c.clone());
            }
        }
        let partitions = offsets.into_iter().map(|(tp, c)| (tp, result.clone().map(|_| c.offset))).collect();
        reply(fx, to, id, Response::OffsetCommit { partitions });
    }

    /// Loads offsets partitions this broker now leads and drops those it no
    /// longer leads; called whenever roles change.
    pub(super) fn sync_coordinator(&mut self, fx: &mut Effects) {
        let (mut partitions, mut groups) = (Vec::new(), 0);
        let mut restored = Vec::new();
        for p in 0..self.internal_partitions(OFFSETS_TOPIC) {
            let tp = TopicPartition::new(OFFSETS_TOPIC, p);
            let leads = self.now_leads(&tp);
            let loaded = self.coordinator.loaded.contains(&p);
            if leads && !loaded {
                let (with_offsets, with_members) = self.load_offsets(p, &tp, fx.now);
                groups += with_offsets;
                restored.extend(with_members);
                partitions.push(p);
            } else if !leads && loaded {
                self.unload_offsets(p, fx);
            }
        }
        if !partitions.is_empty() {
            fx.event(EventKind::CoordinatorLoaded { broker: self.id, partitions, groups });
        }
        for group in restored {
            // Sessions of the restored members run from now; the state is told once, and the
            // group's deadline is armed (a member that died with the old coordinator is fenced).
            self.after_group_change(&group, Vec::new(), fx);
            self.after_consumer_group_change(&group, fx);
            #[cfg(feature = "share-groups")]
            self.after_share_group_change(&group, fx);
        }
    }

    /// Reads the partition's log: the latest commit per key wins, as does the
    /// latest group metadata; a tombstone deletes. Returns how many groups had
    /// offsets, and the groups restored with their members.
    fn load_offsets(&mut self, p: u32, tp: &TopicPartition, now: crate::time::Instant) -> (usize, Vec<String>) {
        let mut loaded: SortedMap<String, SortedMap<TopicPartition, Committed>> = SortedMap::new();
        let mut snapshots: SortedMap<String, Option<GroupSnapshot>> = SortedMap::new();
        let mut consumer_snapshots: SortedMap<String, Option<crate::record::Bytes>> = SortedMap::new();
        #[cfg_attr(not(feature = "share-groups"), allow(unused_mut))]
        let mut share_snapshots: SortedMap<String, Option<crate::record::Bytes>> = SortedMap::new();
        // Transactional commits by producer id, applied when their commit marker is read.
        let mut in_txn: SortedMap<i64, Vec<(String, TopicPartition, Committed)>> = SortedMap::new();
        if let Some(replica) = self.replicas.get(tp) {
            for r in replica.log.records() {
                if let Some(control) = r.control {
                    let pending = in_txn.remove(&r.producer_id).unwrap_or_default();
                    if control == crate::txn::marker::ControlType::Commit {
                        for (group, tp, c) in pending {
                            loaded.entry(group).or_default().insert(tp, c);
                        }
                    }
                    continue;
                }
                if r.transactional {
                    let key = r.key.as_deref().and_then(offsets::decode_key);
                    if let (Some((group, tp)), Some(c)) = (key, r.value.as_deref().and_then(offsets::decode_value)) {
                        in_txn.entry(r.producer_id).or_default().push((group, tp, c));
                    }
                    continue;
                }
                if let Some(group) = r.key.as_deref().and_then(metadata::decode_key) {
                    snapshots.insert(group, r.value.as_deref().and_then(metadata::decode_value));
                    continue;
                }
                if let Some(group) = r.key.as_deref().and_then(consumer_snapshot::decode_key) {
                    consumer_snapshots.insert(group, r.value.clone());
                    continue;
                }
                #[cfg(feature = "share-groups")]
                if let Some(group) = r.key.as_deref().and_then(crate::group::share_snapshot::decode_key) {
                    share_snapshots.insert(group, r.value.clone());
                    continue;
                }
                let Some((group, tp)) = r.key.as_deref().and_then(offsets::decode_key) else {
                    continue;
                };
                match r.value.as_deref().and_then(offsets::decode_value) {
                    Some(c) => {
                        loaded.entry(group).or_default().insert(tp, c);
                    }
                    None => {
                        if let Some(g) = loaded.get_mut(&group) {
                            g.remove(&tp);
                        }
                    }
                }
            }
        }
        let groups = loaded.len();
        self.coordinator.offsets.extend(loaded);
        // Transactions still open keep their offsets pending.
        self.coordinator.pending_txn_offsets.extend(in_txn);
        self.coordinator.loaded.insert(p);
        let mut restored = Vec::new();
        for (name, snapshot) in snapshots {
            let Some(s) = snapshot else { continue };
            let g = Group::restore(&name, s, now).with_settings(self.config.group);
            let persisted: Persisted =
                (g.generation, g.state, g.members.values().map(|m| (m.id.clone(), m.assignment.clone())).collect());
            self.coordinator.persisted.insert(name.clone(), persisted);
            self.coordinator.groups.insert(name.clone(), g);
            restored.push(name);
        }
        let settings = self.config.group.consumer;
        for (name, value) in consumer_snapshots {
            let Some(value) = value else { continue };
            let Some(g) = consumer_snapshot::decode_value(&name, &value, settings, now) else { continue };
            self.coordinator.persisted_consumer.insert(name.clone(), value.to_vec());
            self.coordinator.committed_consumer.insert(name.clone(), value.to_vec());
            self.coordinator.consumer_groups.insert(name.clone(), g);
            restored.push(name);
        }
        #[cfg(feature = "share-groups")]
        for (name, value) in share_snapshots {
            let Some(value) = value else { continue };
            let settings = self.config.group.share;
            let Some(g) = crate::group::share_snapshot::decode_value(&name, &value, settings, now) else { continue };
            self.coordinator.persisted_share.insert(name.clone(), value.to_vec());
            self.coordinator.committed_share.insert(name.clone(), value.to_vec());
            self.coordinator.share_groups.insert(name.clone(), g);
            restored.push(name);
        }
        (groups, restored)
    }

    fn unload_offsets(&mut self, p: u32, fx: &mut Effects) {
        self.coordinator.loaded.remove(&p);
        let partitions = self.internal_partitions(OFFSETS_TOPIC);
        let of = |g: &String| crate::group::coordinator::partition_for(g, partitions) == p;
        self.coordinator.offsets.retain(|g, _| !of(g));
        #[cfg(feature = "share-groups")]
        {
            let gone: Vec<String> = self.coordinator.share_groups.keys().filter(|g| of(g)).cloned().collect();
            for name in gone {
                // Share groups' membership is not persisted here: their members rejoin the new coordinator.
                self.coordinator.share_groups.remove(&name);
                self.coordinator.shown_share.remove(&name);
                self.coordinator.persisted_share.remove(&name);
                self.coordinator.committed_share.remove(&name);
                fx.cancel(Timer::GroupDeadline(name.clone()));
            }
        }
        let gone: Vec<String> = self.coordinator.consumer_groups.keys().filter(|g| of(g)).cloned().collect();
        for name in gone {
            // Their heartbeats now get NOT_COORDINATOR here; the members find the new coordinator.
            self.coordinator.consumer_groups.remove(&name);
            self.coordinator.shown_consumer.remove(&name);
            self.coordinator.persisted_consumer.remove(&name);
            self.coordinator.committed_consumer.remove(&name);
            fx.cancel(Timer::GroupDeadline(name.clone()));
        }
        let gone: Vec<String> = self.coordinator.groups.keys().filter(|g| of(g)).cloned().collect();
        for name in gone {
            if let Some(mut g) = self.coordinator.groups.remove(&name) {
                let replies = g.unload();
                self.after_group_change(&name, replies, fx);
                fx.cancel(Timer::GroupDeadline(name.clone()));
                self.coordinator.shown.remove(&name);
                self.coordinator.persisted.remove(&name);
            }
        }
    }
}

/// What a member hears when the write its heartbeat waited on failed: NOT_COORDINATOR when this
/// broker no longer leads the offsets partition, else COORDINATOR_NOT_AVAILABLE (both retried).
/// Puts `group` back as its last replicated snapshot in `committed` reads (the snapshot becomes
/// the last one written too); false when it had none, and is gone.
fn roll_back<G>(
    group: &str,
    (groups, persisted): (&mut SortedMap<String, G>, &mut SortedMap<String, Vec<u8>>),
    committed: &SortedMap<String, Vec<u8>>,
    decode: impl Fn(&[u8]) -> Option<G>,
) -> bool {
    let back = committed.get(group).and_then(|v| Some((decode(v)?, v.clone())));
    match back {
        Some((g, value)) => {
            groups.insert(group.into(), g);
            persisted.insert(group.into(), value);
            true
        }
        None => {
            groups.remove(group);
            persisted.remove(group);
            false
        }
    }
}

/// Whether a group write failed as a write the log refused, which Kafka's coordinator runtime
/// reverts (`failCurrentBatch`: NOT_ENOUGH_REPLICAS below min.insync.replicas, ...); a write that
/// timed out waiting for replicas is in the log, and its change stays.
pub(super) fn refused(e: &KafkaError) -> bool {
    !matches!(e, KafkaError::RequestTimedOut | KafkaError::NotEnoughReplicasAfterAppend)
}

fn heartbeat_write_error(e: KafkaError) -> KafkaError {
    if e == KafkaError::NotLeaderOrFollower {
        KafkaError::NotCoordinator
    } else {
        KafkaError::CoordinatorNotAvailable
    }
}

/// A group's commits as `__consumer_offsets` records.
fn commit_records(group: &str, committed: &[(TopicPartition, Committed)], now_ms: u64) -> Vec<RecordData> {
    committed
        .iter()
        .map(|(tp, c)| RecordData {
            timestamp_ms: now_ms,
            key: Some(offsets::encode_key(group, tp)),
            value: Some(offsets::encode_value(c)),
            headers: Vec::new(),
        })
        .collect()
}
