//! A broker as share coordinator (KIP-932) for the `__share_group_state` partitions it leads:
//! partition leaders write each share-partition's changes here (WriteShareGroupState, answered
//! once the record is replicated, acks=all) and a new leader reads the whole state back before it
//! delivers anything (ReadShareGroupState). A share-partition's coordinator is the leader of
//! partition `abs(hash("group:topic:partition")) % 50` (Kafka hashes the topic's id where the
//! simulation has its name).
//!
//! As Kafka's `ShareCoordinatorShard`: a write becomes a ShareUpdate record holding the batches it
//! changed, and after `share.coordinator.snapshot.update.records.per.snapshot` updates a
//! ShareSnapshot record holding the whole state merged (`share_combine`); a broker that becomes
//! leader of a state partition replays its log, a snapshot replacing a share-partition's state and
//! an update merged into it.

use super::leader::WriteFor;
use super::{reply, Broker};
use crate::batch::{Compression, RecordBatch};
use crate::effects::Effects;
use crate::effects::Timer;
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::group::share_combine::combine_state_batches;
use crate::group::share_state::{self, ShareUpdate, SnapshotTimes, StateRecord};
use crate::net::Node;
use crate::protocol::{Acks, RecordData, Request, Response, ShareState, TopicPartition};
use crate::sorted::{SortedMap, SortedSet};
use crate::time::Duration;
use alloc::string::String;
use alloc::vec::Vec;

/// The internal topic holding share-partitions' states.
pub const SHARE_STATE_TOPIC: &str = "__share_group_state";
/// `share.coordinator.state.topic.num.partitions`.
pub const SHARE_STATE_PARTITIONS: u32 = 50;
/// How long a state write waits for its replicas.
const SHARE_STATE_WRITE_TIMEOUT_MS: u64 = 5_000;
/// `share.coordinator.cold.partition.snapshot.interval.ms` (internal, 5 minutes): a share-partition
/// whose last snapshot is older gets one again, so that pruning can pass its updates.
pub const COLD_PARTITION_SNAPSHOT_INTERVAL_MS: u64 = 300_000;
/// `share.coordinator.state.topic.prune.interval.ms` (internal, 5 minutes): how often the records
/// below every share-partition's last snapshot are deleted.
pub const STATE_TOPIC_PRUNE_INTERVAL_MS: u64 = 300_000;

/// What a broker holds as share coordinator, in memory (read back from the log after a failover).
#[derive(Clone, Debug, Default)]
pub struct ShareCoordinator {
    pub loaded: SortedSet<u32>,
    /// Each share-partition's whole state, its updates merged in (`shareStateMap`).
    pub states: SortedMap<(String, TopicPartition), ShareState>,
    /// The epoch of each share-partition's last snapshot.
    snapshot_epochs: SortedMap<(String, TopicPartition), i32>,
    /// Updates written since each share-partition's last snapshot (`snapshotUpdateCount`).
    update_counts: SortedMap<(String, TopicPartition), u32>,
    /// Where each share-partition's last snapshot is in its state partition's log, and its times
    /// (`ShareCoordinatorOffsetsManager`'s offsets; the value's create and write timestamps).
    snapshots: SortedMap<(String, TopicPartition), (u64, SnapshotTimes)>,
    /// The offset each state partition was last pruned to (`lastPrunedOffsets`).
    last_pruned: SortedMap<u32, u64>,
    /// The cold-snapshot and prune timers run (from the first state partition loaded).
    jobs: bool,
    /// The newest leader epoch each share-partition was read or written under
    /// (`ShareCoordinatorShard.leaderEpochMap`): an older leader is fenced.
    leader_epochs: SortedMap<(String, TopicPartition), u32>,
}

type ShareKey = (String, TopicPartition);

impl ShareCoordinator {
    /// The record a write becomes (`generateShareStateRecord`), replayed into the state at once
    /// as Kafka's runtime replays what it appends: an update with the write's batches, or a
    /// snapshot with the whole state once `updates_per_snapshot` updates were written. The first
    /// write of a share-partition is a snapshot (in Kafka the group coordinator's
    /// InitializeShareGroupState writes it). The start offset never moves back. The record carries
    /// the writer's leader epoch, so a coordinator loading the log still fences older leaders.
    /// `at` is the offset the record will have and the time. Returns the record's type, its
    /// value and the state batches it holds.
    fn record_for(
        &mut self,
        key: &ShareKey,
        write: ShareState,
        updates_per_snapshot: u32,
        at: (u64, u64),
    ) -> (StateRecord, Vec<u8>, usize) {
        let updates = self.update_counts.get(key).copied().unwrap_or(0);
        let snapshot_epoch = self.snapshot_epochs.get(key).copied();
        match (self.states.get(key), snapshot_epoch) {
            (Some(current), Some(epoch)) if updates < updates_per_snapshot => {
                let start = write.start_offset.max(current.start_offset);
                let update = ShareUpdate {
                    snapshot_epoch: epoch,
                    leader_epoch: write.leader_epoch,
                    start_offset: Some(start),
                    batches: combine_state_batches(&[], &write.batches, Some(start)),
                };
                let (value, batches) = (share_state::encode_update_value(&update), update.batches.len());
                self.replay_update(key.clone(), update);
                (StateRecord::Update, value, batches)
            }
            (current, epoch) => {
                let start = current.map_or(write.start_offset, |c| write.start_offset.max(c.start_offset));
                let batches = combine_state_batches(current.map_or(&[], |c| &c.batches), &write.batches, Some(start));
                let state_epoch = current.map_or(write.state_epoch, |c| c.state_epoch);
                let state = ShareState { state_epoch, leader_epoch: write.leader_epoch, start_offset: start, batches };
                let epoch = epoch.map_or(0, |e| e + 1);
                let times = SnapshotTimes { create_ms: at.1, write_ms: at.1 };
                let (value, batches) = (share_state::encode_value(epoch, &state, times), state.batches.len());
                self.replay_snapshot(key.clone(), (epoch, state, times), updates_per_snapshot, at.0);
                (StateRecord::Snapshot, value, batches)
            }
        }
    }

    /// `handleShareSnapshot`: the state is the snapshot's, found at `offset`; the update count
    /// starts again once it had reached the limit.
    fn replay_snapshot(
        &mut self,
        key: ShareKey,
        (epoch, state, times): (i32, ShareState, SnapshotTimes),
        updates_per_snapshot: u32,
        offset: u64,
    ) {
        self.raise_leader_epoch(&key, state.leader_epoch);
        self.snapshot_epochs.insert(key.clone(), epoch);
        self.snapshots.insert(key.clone(), (offset, times));
        if self.update_counts.get(&key).is_some_and(|&n| n >= updates_per_snapshot) {
            self.update_counts.insert(key.clone(), 0);
        }
        self.states.insert(key, state);
    }

    /// `handleShareUpdate`: the update's batches merged into the state.
    fn replay_update(&mut self, key: ShareKey, update: ShareUpdate) {
        self.raise_leader_epoch(&key, update.leader_epoch);
        let count = self.update_counts.get(&key).copied().unwrap_or(0);
        self.update_counts.insert(key.clone(), count + 1);
        let merged = match self.states.get(&key) {
            Some(current) => {
                let start = update.start_offset.unwrap_or(current.start_offset);
                let batches = combine_state_batches(&current.batches, &update.batches, Some(start));
                ShareState { leader_epoch: update.leader_epoch, start_offset: start, batches, ..*current }
            }
            None => ShareState {
                state_epoch: 0,
                leader_epoch: update.leader_epoch,
                start_offset: update.start_offset.unwrap_or(0),
                batches: update.batches,
            },
        };
        self.states.insert(key, merged);
    }

    /// `maybeUpdateLeaderEpochMap`: the newest epoch seen.
    fn raise_leader_epoch(&mut self, key: &ShareKey, epoch: u32) {
        if self.leader_epochs.get(key).is_none_or(|&e| e < epoch) {
            self.leader_epochs.insert(key.clone(), epoch);
        }
    }

    fn forget(&mut self, key: &ShareKey) {
        self.states.remove(key);
        self.snapshot_epochs.remove(key);
        self.update_counts.remove(key);
        self.leader_epochs.remove(key);
        self.snapshots.remove(key);
    }

    /// `snapshotColdPartitions`: the share-partitions whose last snapshot is at least the interval
    /// old, each with the snapshot to write for it (its state as it is, the next epoch, its create
    /// time kept and `now` its write time), unless every state was already snapshotted so (a
    /// quiet coordinator writes nothing more).
    fn cold_snapshots(&self, keys: &[ShareKey], now_ms: u64) -> Vec<(ShareKey, i32, ShareState, SnapshotTimes)> {
        let times = |k: &ShareKey| self.snapshots.get(k).map(|(_, t)| *t).unwrap_or_default();
        if keys.iter().all(|k| times(k).create_ms != times(k).write_ms) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for key in keys {
            let (Some(state), Some(&epoch)) = (self.states.get(key), self.snapshot_epochs.get(key)) else { continue };
            let t = times(key);
            if now_ms.saturating_sub(t.write_ms) >= COLD_PARTITION_SNAPSHOT_INTERVAL_MS {
                let times = SnapshotTimes { create_ms: t.create_ms, write_ms: now_ms };
                out.push((key.clone(), epoch + 1, state.clone(), times));
            }
        }
        out
    }

    /// `lastRedundantOffset`: below the oldest of the share-partitions' last snapshots nothing is
    /// needed; `None` when nothing is below it.
    fn redundant_offset(&self, keys: &[ShareKey]) -> Option<u64> {
        let oldest = keys.iter().filter_map(|k| self.snapshots.get(k).map(|(o, _)| *o)).min()?;
        (oldest > 0).then_some(oldest)
    }
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
                let write_for = WriteFor::ShareState { group: key.0.clone(), tp: key.1.clone(), answer: true };
                self.append_share_state(from, id, &key, *state, write_for, fx);
            }
            Request::ReadShareGroupState { group, tp, leader_epoch } => {
                let state_tp = state_partition(self, &group, &tp);
                let key = (group, tp.clone());
                let known = self.share_coordinator.leader_epochs.get(&key).copied();
                let result = if !self.share_coordinator.loaded.contains(&state_tp.partition) {
                    Err(KafkaError::NotCoordinator)
                } else if known.is_some_and(|e| e > leader_epoch) {
                    Err(KafkaError::FencedLeaderEpoch)
                } else {
                    // The reader is the newest leader: writes from older ones are refused from now on.
                    self.share_coordinator.leader_epochs.insert(key.clone(), leader_epoch);
                    Ok(self.share_coordinator.states.get(&key).cloned())
                };
                match result {
                    Ok(Some(state)) if known != Some(leader_epoch) => {
                        // `readStateAndMaybeUpdateLeaderEpoch`: a record with the new leader epoch and
                        // no batches, so a coordinator loading the log after a failover still fences
                        // the older leader; the read is answered once it is replicated.
                        let write = ShareState { leader_epoch, batches: Vec::new(), ..state.clone() };
                        let answer = alloc::boxed::Box::new(state);
                        let write_for = WriteFor::ShareRead { group: key.0.clone(), tp, state: answer };
                        self.append_share_state(from, id, &key, write, write_for, fx);
                    }
                    result => reply(fx, from, id, Response::ReadShareGroupState { tp, result }),
                }
            }
            _ => {}
        }
    }

    /// Writes the record a write (or a read under a new leader epoch) becomes to the share-partition's
    /// state partition, with acks=all; `write_for` says whom to answer once it is replicated.
    fn append_share_state(
        &mut self,
        from: Node,
        id: u32,
        key: &ShareKey,
        write: ShareState,
        write_for: WriteFor,
        fx: &mut Effects,
    ) {
        let state_tp = state_partition(self, &key.0, &key.1);
        let per_snapshot = self.config.group.share.updates_per_snapshot;
        let offset = self.replicas.get(&state_tp).map_or(0, |r| r.log.log_end_offset());
        let at = (offset, fx.now.ms);
        let (kind, value, batches) = self.share_coordinator.record_for(key, write, per_snapshot, at);
        let c = &self.share_coordinator;
        fx.event(EventKind::ShareStateRecord {
            broker: self.id,
            group: key.0.clone(),
            tp: key.1.clone(),
            snapshot: kind == StateRecord::Snapshot,
            cold: false,
            snapshot_epoch: c.snapshot_epochs.get(key).copied().unwrap_or(0),
            batches,
            updates: c.update_counts.get(key).copied().unwrap_or(0),
        });
        self.write_state_record((from, id), state_tp, (kind, key, value), write_for, fx);
    }

    /// Appends one state record to its state partition with acks=all; `write_for` is answered
    /// once it is replicated (or at once, with the error, if it could not be encoded: a record of
    /// a few dozen bytes, uncompressed, always can be).
    fn write_state_record(
        &mut self,
        (from, id): (Node, u32),
        state_tp: TopicPartition,
        (kind, key, value): (StateRecord, &ShareKey, Vec<u8>),
        write_for: WriteFor,
        fx: &mut Effects,
    ) {
        let record = RecordData {
            timestamp_ms: fx.now.ms,
            key: Some(share_state::encode_key(kind, &key.0, &key.1)),
            value: Some(value),
            headers: Vec::new(),
        };
        match RecordBatch::from_records(&[record], Compression::None).encode() {
            Ok(bytes) => {
                let timeout = (Acks::All, SHARE_STATE_WRITE_TIMEOUT_MS);
                self.write(from, id, timeout, state_tp, bytes, write_for, fx);
            }
            Err(e) => {
                self.reload_share_state(key);
                let result = Err(KafkaError::CorruptMessage(alloc::format!("{e}")));
                self.answer_share_state_write(from, id, write_for, result, fx);
            }
        }
    }

    /// Answers the leader whose write or read a state record was for: `result` is the record's
    /// write (a refused one already undone).
    pub(super) fn answer_share_state_write(
        &mut self,
        to: Node,
        id: u32,
        write_for: WriteFor,
        result: Result<(), KafkaError>,
        fx: &mut Effects,
    ) {
        let result = result.map_err(|e| match e {
            KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
            e => e,
        });
        match write_for {
            WriteFor::ShareState { answer: true, .. } => reply(fx, to, id, Response::WriteShareGroupState { result }),
            WriteFor::ShareRead { tp, state, .. } => {
                let result = result.map(|()| Some(*state));
                reply(fx, to, id, Response::ReadShareGroupState { tp, result })
            }
            _ => {}
        }
    }

    /// A share-partition's state as the log of its state partition holds it: a write the log
    /// refused is undone (Kafka's runtime reverts the state to its last committed offset).
    pub(super) fn reload_share_state(&mut self, key: &ShareKey) {
        if !self.share_coordinator.states.contains_key(key) && !self.share_coordinator.update_counts.contains_key(key) {
            return;
        }
        let state_tp = state_partition(self, &key.0, &key.1);
        // The leader epochs reads brought are not in the log: they stay.
        let leader_epoch = self.share_coordinator.leader_epochs.get(key).copied();
        self.share_coordinator.forget(key);
        self.replay_share_state_log(&state_tp, |k| k == key);
        if let Some(epoch) = leader_epoch {
            self.share_coordinator.raise_leader_epoch(key, epoch);
        }
    }

    /// Replays the records of a state partition's log whose keys `of` takes, in order: a snapshot
    /// replaces a share-partition's state (a tombstone removes it), an update is merged into it.
    /// Returns how many snapshots and updates it replayed.
    fn replay_share_state_log(&mut self, state_tp: &TopicPartition, of: impl Fn(&ShareKey) -> bool) -> (usize, usize) {
        let Some(replica) = self.replicas.get(state_tp) else { return (0, 0) };
        let (mut snapshots, mut updates) = (0, 0);
        let per_snapshot = self.config.group.share.updates_per_snapshot;
        let coordinator = &mut self.share_coordinator;
        for r in replica.log.records() {
            let offset = r.offset;
            let Some((kind, group, tp)) = r.key.as_deref().and_then(share_state::decode_key) else { continue };
            let key = (group, tp);
            if !of(&key) {
                continue;
            }
            match (kind, r.value.as_deref()) {
                (StateRecord::Snapshot, None) => coordinator.forget(&key),
                (StateRecord::Snapshot, Some(value)) => {
                    if let Some(snapshot) = share_state::decode_value(value) {
                        coordinator.replay_snapshot(key, snapshot, per_snapshot, offset);
                        snapshots += 1;
                    }
                }
                (StateRecord::Update, Some(value)) => {
                    if let Some(update) = share_state::decode_update_value(value) {
                        coordinator.replay_update(key, update);
                        updates += 1;
                    }
                }
                (StateRecord::Update, None) => {}
            }
        }
        (snapshots, updates)
    }

    /// The share-partitions whose state a state partition holds.
    fn share_keys_of(&self, p: u32) -> Vec<ShareKey> {
        let of = |k: &ShareKey| state_partition(self, &k.0, &k.1).partition == p;
        self.share_coordinator.states.keys().filter(|k| of(k)).cloned().collect()
    }

    /// The cold-snapshot job (`setupSnapshotColdPartitions`): in each state partition this broker
    /// coordinates, a snapshot for every share-partition without one for the interval.
    pub(super) fn snapshot_cold_share_partitions(&mut self, fx: &mut Effects) {
        if !self.share_coordinator.jobs {
            return;
        }
        let loaded: Vec<u32> = self.share_coordinator.loaded.iter().copied().collect();
        for p in loaded {
            let keys = self.share_keys_of(p);
            let state_tp = TopicPartition::new(SHARE_STATE_TOPIC, p);
            for (key, epoch, state, times) in self.share_coordinator.cold_snapshots(&keys, fx.now.ms) {
                let offset = self.replicas.get(&state_tp).map_or(0, |r| r.log.log_end_offset());
                let value = share_state::encode_value(epoch, &state, times);
                let batches = state.batches.len();
                let per_snapshot = self.config.group.share.updates_per_snapshot;
                self.share_coordinator.replay_snapshot(key.clone(), (epoch, state, times), per_snapshot, offset);
                fx.event(EventKind::ShareStateRecord {
                    broker: self.id,
                    group: key.0.clone(),
                    tp: key.1.clone(),
                    snapshot: true,
                    cold: true,
                    snapshot_epoch: epoch,
                    batches,
                    updates: 0,
                });
                let write_for = WriteFor::ShareState { group: key.0.clone(), tp: key.1.clone(), answer: false };
                let record = (StateRecord::Snapshot, &key, value);
                self.write_state_record((Node::Broker(self.id), 0), state_tp.clone(), record, write_for, fx);
            }
        }
        fx.timer_in(Duration::from_ms(COLD_PARTITION_SNAPSHOT_INTERVAL_MS), Timer::ShareColdSnapshots);
    }

    /// The prune job (`setupRecordPruning`): each state partition's records below the oldest of
    /// its share-partitions' last snapshots are deleted (DeleteRecords on its own log).
    pub(super) fn prune_share_state(&mut self, fx: &mut Effects) {
        if !self.share_coordinator.jobs {
            return;
        }
        let loaded: Vec<u32> = self.share_coordinator.loaded.iter().copied().collect();
        for p in loaded {
            let keys = self.share_keys_of(p);
            let Some(offset) = self.share_coordinator.redundant_offset(&keys) else { continue };
            if self.share_coordinator.last_pruned.get(&p) == Some(&offset) {
                continue;
            }
            // Only below a snapshot that is itself replicated (Kafka's offsets manager keeps its
            // value in the coordinator's timeline, which reverts what is not committed): a
            // snapshot written in this same instant waits for the next run.
            let tp = TopicPartition::new(SHARE_STATE_TOPIC, p);
            if self.replicas.get(&tp).is_none_or(|r| offset >= r.high_watermark) {
                continue;
            }
            if self.delete_records(&tp, offset, fx).is_ok() {
                self.share_coordinator.last_pruned.insert(p, offset);
            }
        }
        fx.timer_in(Duration::from_ms(STATE_TOPIC_PRUNE_INTERVAL_MS), Timer::SharePrune);
    }

    /// Loads the state partitions this broker now leads and drops the others.
    pub(super) fn sync_share_coordinator(&mut self, fx: &mut Effects) {
        let Some(topic) = self.image.topics.get(SHARE_STATE_TOPIC) else { return };
        let partitions = topic.partitions.len() as u32;
        for p in 0..partitions {
            let tp = TopicPartition::new(SHARE_STATE_TOPIC, p);
            let (leads, loaded) = (self.now_leads(&tp), self.share_coordinator.loaded.contains(&p));
            if leads && !loaded {
                let (snapshots, updates) = self.replay_share_state_log(&tp, |_| true);
                self.share_coordinator.loaded.insert(p);
                if !self.share_coordinator.jobs {
                    // ShareCoordinatorService's two periodic jobs, from the first partition loaded.
                    self.share_coordinator.jobs = true;
                    fx.timer_in(Duration::from_ms(COLD_PARTITION_SNAPSHOT_INTERVAL_MS), Timer::ShareColdSnapshots);
                    fx.timer_in(Duration::from_ms(STATE_TOPIC_PRUNE_INTERVAL_MS), Timer::SharePrune);
                }
                if snapshots + updates > 0 {
                    let share_partitions = self
                        .share_coordinator
                        .states
                        .keys()
                        .filter(|k| state_partition(self, &k.0, &k.1) == tp)
                        .count();
                    fx.event(EventKind::ShareCoordinatorLoaded {
                        broker: self.id,
                        partition: p,
                        snapshots,
                        updates,
                        share_partitions,
                    });
                }
            } else if !leads && loaded {
                self.share_coordinator.loaded.remove(&p);
                self.share_coordinator.last_pruned.remove(&p);
                for k in self.share_keys_of(p) {
                    self.share_coordinator.forget(&k);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Cases of Kafka's `ShareCoordinatorShardTest`, under its names: a write through
    //! `record_for` is Kafka's `writeState` followed by the replay of its record.

    use super::*;

    fn key() -> ShareKey {
        (String::from("group1"), TopicPartition::new("topic1", 0))
    }

    fn write(start_offset: u64, batches: &[(u64, u64, u8, u16)]) -> ShareState {
        ShareState { state_epoch: 0, leader_epoch: 0, start_offset, batches: batches.to_vec() }
    }

    /// `initSharePartition`: the share-partition's first record, a snapshot (in the simulation
    /// the leader's first write).
    fn initialized(start_offset: u64, updates_per_snapshot: u32) -> ShareCoordinator {
        let mut c = ShareCoordinator::default();
        let (kind, _, _) = c.record_for(&key(), write(start_offset, &[]), updates_per_snapshot, (0, 0));
        assert_eq!(kind, StateRecord::Snapshot, "the first write is a snapshot");
        c
    }

    #[test]
    fn test_subsequent_write_state_snapshot_epoch_updates_successfully() {
        let mut c = initialized(0, 500);
        let (kind, value, _) = c.record_for(&key(), write(0, &[(0, 10, 0, 1)]), 500, (1, 0));
        assert_eq!(kind, StateRecord::Update);
        let update = share_state::decode_update_value(&value).expect("an update");
        assert_eq!((update.snapshot_epoch, update.start_offset), (0, Some(0)));
        let (kind, _, _) = c.record_for(&key(), write(0, &[(11, 20, 0, 1)]), 500, (1, 0));
        assert_eq!(kind, StateRecord::Update);
        // The batches combine to one: the same state and count.
        assert_eq!(c.states.get(&key()).map(|s| s.batches.clone()), Some(alloc::vec![(0, 20, 0, 1)]));
        assert_eq!(c.snapshot_epochs.get(&key()), Some(&0), "updates keep their snapshot's epoch");
    }

    #[test]
    fn test_write_state_discards_start_offset_regression() {
        let mut c = initialized(5, 500);
        let (kind, _, _) = c.record_for(&key(), write(5, &[(11, 20, 4, 1)]), 500, (1, 0));
        assert_eq!(kind, StateRecord::Update);
        let (_, value, _) = c.record_for(&key(), write(2, &[(0, 20, 0, 1)]), 500, (1, 0));
        let update = share_state::decode_update_value(&value).expect("an update");
        assert_eq!(update.start_offset, Some(5), "the start offset does not move back");
        assert_eq!(update.batches, alloc::vec![(5, 20, 0, 1)], "the batches are cut at it");
        assert_eq!(c.states.get(&key()).map(|s| s.start_offset), Some(5));
    }

    #[test]
    fn test_snapshot_update_count_boundary() {
        let mut c = initialized(0, 2);
        let kinds: Vec<StateRecord> =
            (0..3).map(|_| c.record_for(&key(), write(0, &[(0, 10, 0, 1)]), 2, (1, 0)).0).collect();
        assert_eq!(kinds, [StateRecord::Update, StateRecord::Update, StateRecord::Snapshot]);
        assert_eq!(c.snapshot_epochs.get(&key()), Some(&1));
        let (kind, _, _) = c.record_for(&key(), write(0, &[(0, 10, 0, 1)]), 2, (1, 0));
        assert_eq!(kind, StateRecord::Update, "the count starts again after the snapshot");
    }

    #[test]
    fn test_non_sequential_batch_updates() {
        // Every write a snapshot (the limit 0). Batch 1 acknowledged and the start offset moved
        // past it, then batch 3 acknowledged: batch 2 is not lost.
        let mut c = initialized(0, 0);
        let b = [(100, 109, 1, 1), (110, 119, 1, 2), (120, 129, 1, 0)];
        c.record_for(&key(), write(100, &b), 0, (1, 0));
        c.record_for(&key(), write(100, &[(100, 109, 2, 1)]), 0, (1, 0));
        let (kind, value, _) = c.record_for(&key(), write(110, &[(120, 129, 2, 1)]), 0, (1, 0));
        assert_eq!(kind, StateRecord::Snapshot);
        let (epoch, state, _) = share_state::decode_value(&value).expect("a snapshot");
        assert_eq!(epoch, 3);
        assert_eq!(state.start_offset, 110);
        assert_eq!(state.batches, alloc::vec![(110, 119, 1, 2), (120, 129, 2, 1)]);
    }

    #[test]
    fn a_replayed_log_gives_the_state_the_writes_made() {
        // The records a coordinator wrote, replayed in order by the next one, give the same
        // state, snapshot epoch and update count.
        let mut c = initialized(0, 2);
        let mut log = Vec::new();
        for (start, batch) in [(0, (0, 4, 0, 1)), (0, (0, 1, 2, 1)), (2, (2, 2, 4, 3)), (3, (3, 6, 0, 2))] {
            let (kind, value, _) = c.record_for(&key(), write(start, &[batch]), 2, (1, 0));
            log.push((kind, value));
        }
        let mut replayed = initialized(0, 2);
        for (kind, value) in log {
            match kind {
                StateRecord::Snapshot => {
                    let snapshot = share_state::decode_value(&value).expect("a snapshot");
                    replayed.replay_snapshot(key(), snapshot, 2, 1);
                }
                StateRecord::Update => {
                    replayed.replay_update(key(), share_state::decode_update_value(&value).expect("an update"))
                }
            }
        }
        assert_eq!(replayed.states.get(&key()), c.states.get(&key()));
        assert_eq!(replayed.snapshot_epochs.get(&key()), c.snapshot_epochs.get(&key()));
        assert_eq!(replayed.update_counts.get(&key()), c.update_counts.get(&key()));
        assert_eq!(
            c.states.get(&key()).map(|s| (s.start_offset, s.batches.clone())),
            Some((3, alloc::vec![(3, 6, 0, 2)]))
        );
    }

    fn other() -> ShareKey {
        (String::from("group1"), TopicPartition::new("topic1", 1))
    }

    /// A share-partition's snapshot replayed at `offset`, written at `ms`.
    fn snapshot_at(c: &mut ShareCoordinator, key: ShareKey, offset: u64, ms: u64) {
        let times = SnapshotTimes { create_ms: ms, write_ms: ms };
        c.replay_snapshot(key, (0, write(0, &[(0, 10, 0, 1)]), times), 500, offset);
    }

    #[test]
    fn test_snapshot_cold_partitions_no_eligible_partitions() {
        let mut c = ShareCoordinator::default();
        snapshot_at(&mut c, key(), 0, 1_000);
        snapshot_at(&mut c, other(), 1, 1_000);
        assert_eq!(c.cold_snapshots(&[key(), other()], 6_000), [], "5 s is less than the interval");
    }

    #[test]
    fn test_snapshot_cold_partitions_snapshot_update_not_considered() {
        let mut c = ShareCoordinator::default();
        snapshot_at(&mut c, key(), 0, 1_000);
        let later = 1_000 + COLD_PARTITION_SNAPSHOT_INTERVAL_MS;
        let cold = c.cold_snapshots(&[key()], later);
        assert_eq!(cold.len(), 1);
        let (k, epoch, state, times) = cold.into_iter().next().expect("one");
        assert_eq!((epoch, times), (1, SnapshotTimes { create_ms: 1_000, write_ms: later }));
        c.replay_snapshot(k, (epoch, state, times), 500, 1);
        let update = ShareUpdate { snapshot_epoch: 1, leader_epoch: 0, start_offset: None, batches: alloc::vec![] };
        c.replay_update(key(), update);
        assert_eq!(c.snapshots.get(&key()).map(|(_, t)| t.write_ms), Some(later), "an update has no time");
    }

    #[test]
    fn test_snapshot_cold_partitions_does_not_perpetually_snapshot() {
        let mut c = ShareCoordinator::default();
        snapshot_at(&mut c, key(), 0, 0);
        let mut now = COLD_PARTITION_SNAPSHOT_INTERVAL_MS;
        for (k, epoch, state, times) in c.cold_snapshots(&[key()], now) {
            c.replay_snapshot(k, (epoch, state, times), 500, 1);
        }
        now += COLD_PARTITION_SNAPSHOT_INTERVAL_MS;
        assert_eq!(c.cold_snapshots(&[key()], now), [], "every state is cold-snapshotted: a quiet coordinator");
    }

    #[test]
    fn test_last_redundant_offset() {
        let mut c = ShareCoordinator::default();
        assert_eq!(c.redundant_offset(&[key(), other()]), None, "no snapshot yet");
        snapshot_at(&mut c, key(), 0, 0);
        snapshot_at(&mut c, other(), 4, 0);
        assert_eq!(c.redundant_offset(&[key(), other()]), None, "nothing below offset 0");
        snapshot_at(&mut c, key(), 10, 0);
        assert_eq!(c.redundant_offset(&[key(), other()]), Some(4), "the oldest last snapshot");
    }
}
